"""Speech context for every expression event (pure): speaking or pausing, the words during it and
just before it, the script section, and the profile's trigger words said shortly before it.

All times are seconds on the session timeline; the speech analysis has already had the A/V offset
applied (mirror.speech). See docs/speech.md for the events.json fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from mirror.events.model import Event
from mirror.speech.model import Segment, SpeechAnalysis, Word
from mirror.speech.words import find_triggers, section_at, section_readings


class Timed(Protocol):
    """Anything with an onset, apex and offset on the session timeline: an expression episode
    (`Event`) or a cue (`mirror.cues.model.Cue`)."""

    @property
    def start_s(self) -> float: ...
    @property
    def apex_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...


@dataclass(frozen=True)
class ContextOptions:
    """before_window_s / last_n: words_before are the last `last_n` words ending at most
    before_window_s before the event's start. trigger_window_s: a trigger counts when it starts
    within this many seconds before the event's start (or during the event, up to its apex).
    min_speaking_share: the share of the event that must overlap speech for speaking=True."""

    before_window_s: float = 3.0
    last_n: int = 5
    triggers: tuple[str, ...] = ()
    trigger_window_s: float = 2.0
    min_speaking_share: float = 0.5


@dataclass(frozen=True)
class TriggerHit:
    """A trigger word said near an event. lag_s = event start - word start (> 0: said before)."""

    text: str
    start: float
    lag_s: float

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": round(self.start, 3), "lag_s": round(self.lag_s, 3)}


@dataclass(frozen=True)
class EventSpeech:
    """The speech context of one episode or cue. speaking / section are None when unknown (no
    speech); `words` and `words_before` carry text and times only (section and probability are
    the speech analysis's)."""

    speaking: bool | None = None
    words: tuple[Word, ...] = ()
    words_before: tuple[Word, ...] = ()
    section: str | None = None
    triggers: tuple[TriggerHit, ...] = ()

    @property
    def said(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.words)

    @property
    def said_before(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.words_before)

    @property
    def trigger_words(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.triggers)

    def to_json(self) -> dict[str, Any]:
        """The per-event events.json fields."""

        def brief(w: Word) -> dict[str, Any]:
            return {"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3)}

        return {
            "speaking": self.speaking,
            "words": [brief(w) for w in self.words],
            "words_before": [brief(w) for w in self.words_before],
            "section": self.section,
            "triggers": [t.to_json() for t in self.triggers],
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> EventSpeech:
        """The speech context stored in an events.json entry (words given as objects, or as
        plain strings by hand-written files); absent fields are unknown or empty."""
        speaking = d.get("speaking")
        section = d.get("section")
        return EventSpeech(
            speaking=bool(speaking) if speaking is not None else None,
            words=_words(d.get("words")), words_before=_words(d.get("words_before")),
            section=str(section) if section not in (None, "") else None,
            triggers=tuple(TriggerHit(w.text, w.start, _num(t, "lag_s")) for w, t in
                           zip(_words(d.get("triggers")), _items(d.get("triggers")), strict=True)),
        )


def _num(item: Any, key: str) -> float:
    v = item.get(key) if isinstance(item, dict) else None
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0


def _items(raw: Any) -> list[Any]:
    """The usable entries of a stored word list: objects with a text, or non-empty strings."""
    if isinstance(raw, str):
        return list(raw.split())
    out: list[Any] = []
    for item in raw if isinstance(raw, list | tuple) else ():
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        elif isinstance(item, dict) and str(item.get("text", item.get("word", ""))).strip():
            out.append(item)
    return out


def _words(raw: Any) -> tuple[Word, ...]:
    def word(item: Any) -> Word:
        if isinstance(item, str):
            return Word(0.0, 0.0, item)
        start = _num(item, "start")
        return Word(start, _num(item, "end") if "end" in item else start,
                    str(item.get("text", item.get("word", ""))))

    return tuple(word(item) for item in _items(raw))


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _speaking(ev: Timed, segments: Sequence[Segment], min_share: float) -> bool | None:
    if not segments:
        return None
    if ev.end_s <= ev.start_s:
        return any(s.speaking and s.start <= ev.apex_s < s.end for s in segments)
    spoken = sum(_overlap(ev.start_s, ev.end_s, s.start, s.end) for s in segments if s.speaking)
    return spoken >= min_share * (ev.end_s - ev.start_s)


def _triggers(ev: Timed, words: Sequence[Word], triggers: tuple[str, ...], window_s: float
              ) -> tuple[TriggerHit, ...]:
    lo, hi = ev.start_s - window_s, max(ev.start_s, ev.apex_s)
    return tuple(TriggerHit(text=h.text, start=h.start, lag_s=ev.start_s - h.start)
                 for h in find_triggers(words, triggers) if lo <= h.start <= hi)


def align_events(
    events: Sequence[Timed], analysis: SpeechAnalysis | None, *, options: ContextOptions
) -> tuple[EventSpeech, ...]:
    """The speech context of each event, in the order given.

    Without an analysis (or with an empty one) every field is empty and speaking/section are None,
    except that speaking is known (False) when voice activity ran and found no speech.
    """
    segments = analysis.segments if analysis is not None else ()
    words = sorted(analysis.words if analysis is not None else (), key=lambda w: w.start)
    out = []
    for ev in events:
        during = tuple(w for w in words if _overlap(ev.start_s, ev.end_s, w.start, w.end) > 0
                       or (ev.end_s <= ev.start_s and w.start <= ev.apex_s < w.end))
        before = [w for w in words
                  if w.end <= ev.start_s and w.end >= ev.start_s - options.before_window_s
                  and w not in during]
        out.append(EventSpeech(
            speaking=_speaking(ev, segments, options.min_speaking_share),
            words=during,
            words_before=tuple(before[-options.last_n:]) if options.last_n > 0 else (),
            section=section_at(ev.start_s, words),
            triggers=_triggers(ev, words, options.triggers, options.trigger_window_s),
        ))
    return tuple(out)


def compute_section_shares(
    events: Sequence[Event], words: Sequence[Word]
) -> list[dict[str, Any]]:
    """Per script section: the share of its time with a neutral face, leaking, or holding a display.

    A section's time is the union of its readings (first word start to last word end of each run
    of consecutive words in that section). Shares are of that time, 0..1; neutral = no event.
    """
    runs = [(r.section, r.start, r.end)
            for r in section_readings(sorted((w for w in words if w.section),
                                             key=lambda w: w.start))]
    order: list[str] = []
    for sec, _, _ in runs:
        if sec not in order:
            order.append(sec)
    out = []
    for sec in order:
        spans = [(a, b) for s, a, b in runs if s == sec]
        total = sum(b - a for a, b in spans)
        shares = {}
        for kind in ("leak", "held", "any"):
            evs = [e for e in events if kind == "any" or e.kind == kind]
            shares[kind] = sum(_union_within(a, b, [(e.start_s, e.end_s) for e in evs])
                               for a, b in spans)
        out.append({
            "section": sec,
            "duration_s": round(total, 3),
            "neutral": round(1.0 - shares["any"] / total, 3) if total > 0 else 0.0,
            "leak": round(shares["leak"] / total, 3) if total > 0 else 0.0,
            "held": round(shares["held"] / total, 3) if total > 0 else 0.0,
        })
    return out


def _union_within(a: float, b: float, intervals: list[tuple[float, float]]) -> float:
    """Length of the union of intervals clipped to [a, b]."""
    clipped = sorted((max(a, s), min(b, e)) for s, e in intervals if e > a and s < b)
    total, cur_s, cur_e = 0.0, None, None
    for s, e in clipped:
        if cur_e is None or s > cur_e:
            if cur_e is not None and cur_s is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None and cur_s is not None:
        total += cur_e - cur_s
    return total


def with_section_shares(analysis: SpeechAnalysis, events: Sequence[Event]) -> SpeechAnalysis:
    """The speech analysis with `figures.section_shares` (`compute_section_shares`) when it has
    words; unchanged otherwise."""
    if not analysis.words:
        return analysis
    return replace(analysis, figures={**analysis.figures, "section_shares":
                                      compute_section_shares(events, analysis.words)})
