"""The Review screen's data: episodes with their speech context and coaching, filters, the
terminal timeline and the transcript with markers. Pure functions over a loaded analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from rich.text import Text

from mirror.align import EventSpeech
from mirror.analysis import Analysis, with_notes
from mirror.errors import MirrorError
from mirror.events.model import EMOTIONS, UNNAMED, Event
from mirror.judgement import label_of
from mirror.profiles import Profile, load_profile
from mirror.report.analysis import load_analysis
from mirror.report.cues import ARROWS, CUE_SHORT, CueFact, cue_facts, cue_order
from mirror.report.facts import judge_episodes, speech_words
from mirror.report.fmt import (
    EMOTION_COLORS,
    cue_parts_text,
    cue_text,
    evidence_text,
    expression_name,
    mmss,
    plural,
    track_label,
)
from mirror.speech.model import Word
from mirror.speech.words import marker_slot, section_at

LEVEL_BLOCKS = " ▁▂▃▄▅▆▇█"
KINDS = ("leak", "micro", "held")
# Cues are drawn in neutral ink, not an emotion's colour: bright when a problem, dim when not.
CUE_COLOR, CUE_SOFT = "#eceff1", "#78909c"


@dataclass(frozen=True)
class Episode:
    """One row of the events table."""

    number: int
    event: Event
    context: EventSpeech
    label: str  # micro leak | leak | held
    problem: bool
    coaching: str

    is_cue = False

    @property
    def section(self) -> str:
        return self.context.section or ""

    @property
    def key(self) -> str:
        return f"e{self.number}"

    @property
    def start_s(self) -> float:
        return self.event.start_s

    @property
    def what(self) -> str:
        return expression_name(self.event.expression, self.event.description)

    @property
    def kind_text(self) -> str:
        return self.label

    @property
    def duration_s(self) -> float:
        return self.event.end_s - self.event.start_s

    @property
    def intensity(self) -> float:
        return self.event.intensity

    @property
    def said(self) -> str:
        return " ".join(self.context.said)

    @property
    def color(self) -> str:
        return EMOTION_COLORS.get(self.event.expression, "")

    def matches(self, *, emotion: str | None, kind: str | None, section: str | None,
                show: str | None = None) -> bool:
        if show and show != "emotions":
            return False
        if emotion and self.event.expression != emotion:
            return False
        if kind == "micro" and not self.event.micro:
            return False
        if kind in ("leak", "held") and self.event.kind != kind:
            return False
        return not section or self.section == section


@dataclass(frozen=True)
class CueRow:
    """One cue in the table: the report's facts of it (mirror.report.cues.cue_facts)."""

    number: int
    fact: CueFact
    is_cue = True

    @property
    def key(self) -> str:
        return f"c{self.number}"

    @property
    def cue(self) -> str:
        return self.fact.cue

    @property
    def label(self) -> str:
        return self.fact.label

    @property
    def problem(self) -> bool:
        return self.fact.judgement.problem

    @property
    def coaching(self) -> str:
        return self.fact.judgement.coaching

    @property
    def section(self) -> str:
        return self.fact.section or ""

    @property
    def start_s(self) -> float:
        return self.fact.start_s

    @property
    def what(self) -> str:
        return self.label

    @property
    def kind_text(self) -> str:
        """The table's kind column: `cue`, `cue ↓ notes`, `cue ↓ “price”`."""
        f = self.fact
        text = "cue"
        if f.direction and self.cue in ("gaze_aversion", "head_tilt"):
            text += " " + ARROWS.get(f.direction, f.direction)
        if f.reading:
            text += " notes"
        elif f.judgement.after_trigger:
            text += f" “{f.judgement.after_trigger}”"
        return text

    @property
    def duration_s(self) -> float:
        return self.fact.duration_s

    @property
    def intensity(self) -> float:
        return self.fact.intensity

    @property
    def said(self) -> str:
        return self.fact.said

    @property
    def color(self) -> str:
        return CUE_COLOR if self.problem else CUE_SOFT

    def matches(self, *, emotion: str | None, kind: str | None, section: str | None,
                show: str | None = None) -> bool:
        if emotion or kind or show == "emotions":
            return False
        if show and show != "cues" and show != self.cue:
            return False
        return not section or self.section == section


Item = Episode | CueRow


@dataclass(frozen=True)
class Review:
    analysis: Analysis
    profile: Profile
    episodes: tuple[Episode, ...]
    cues: tuple[CueRow, ...] = ()
    cues_analysed: bool = False  # the analysis looked for cues (an older one did not)

    @property
    def items(self) -> tuple[Item, ...]:
        return (*self.episodes, *self.cues)

    @property
    def cue_kinds(self) -> list[str]:
        """The cue types found, headline ones first: one timeline lane each."""
        return sorted({c.cue for c in self.cues}, key=lambda c: (cue_order(c), c))

    @property
    def sections(self) -> list[str]:
        """The sections episodes and cues fell in, in the script's order (when they were said)."""
        first: dict[str, float] = {}
        for w in self.words:
            if w.section:
                first.setdefault(w.section, w.start)
        for e in self.items:
            if e.section:
                first.setdefault(e.section, e.start_s)
        return sorted({e.section for e in self.items if e.section}, key=lambda s: first[s])

    @property
    def words(self) -> list[Word]:
        return speech_words(self.analysis)

    def summary(self) -> str:
        s = self.analysis.summary
        return (f"{mmss(self.analysis.duration_s)} · "
                f"{plural(s.events, 'episode')} · "
                f"{plural(s.leaks, 'leak')} ({s.micro} micro) · "
                f"{s.held} held · {s.leaks_per_minute} leaks/min · "
                + (f"{plural(len(self.cues), 'cue')} "
                   f"({sum(c.problem for c in self.cues)} a problem) · "
                   if self.cues_analysed else "")
                + f"profile {self.profile.title}")


def load_review(analysis_dir: str | Path) -> Review:
    analysis = load_analysis(analysis_dir)
    try:
        profile = load_profile(analysis.profile)
    except MirrorError as exc:  # a profile since renamed or deleted: review with the default
        profile = load_profile(None)
        analysis = with_notes(analysis, f"{exc}; using {profile.name}")
    words = speech_words(analysis)
    contexts = [replace(ep.speech, section=section_at(ep.start_s, words)) if words
                else ep.speech for ep in analysis.episodes]
    episodes = tuple(
        Episode(i + 1, ev, ctx, label_of(ev), j.problem, j.coaching)
        for i, (ev, ctx, j) in enumerate(zip(analysis.events, contexts,
                                             judge_episodes(analysis, profile), strict=True))
    )
    facts = cue_facts(analysis.cues, profile, words)
    cues = tuple(CueRow(i + 1, f) for i, f in enumerate(facts))
    return Review(analysis, profile, episodes, cues, analysis.cues_analysed)


def filter_episodes(items: Sequence[Item], *, emotion: str | None = None,
                    kind: str | None = None, section: str | None = None,
                    show: str | None = None) -> list[Item]:
    """The rows the filters let through; `show` is `emotions`, `cues` or one cue type."""
    return [e for e in items
            if e.matches(emotion=emotion, kind=kind, section=section, show=show)]


def details_text(ep: Episode) -> Text:
    """The details pane: what, when, what was said and the coaching line first (a short
    terminal shows only the top), then the regions, section, trigger words and posed cues."""
    ev, ctx = ep.event, ep.context
    color = EMOTION_COLORS.get(ev.expression, "white")
    out = Text()
    out.append(f"#{ep.number} {ep.what} · {ep.label}\n", style=f"bold {color}")
    out.append(f"{mmss(ev.start_s)} – {mmss(ev.end_s)} · {ev.end_s - ev.start_s:.2f} s · "
               f"intensity {ev.intensity:.2f} · side {ev.side}\n")
    said = " ".join([*ctx.said_before, *ctx.said])
    out.append("said: ", style="bold")
    out.append(f"“{said}”\n" if said else "(no words aligned here)\n",
               style="" if said else "dim")
    out.append(ep.coaching + "\n", style="italic")
    if ctx.section:
        out.append(f"section: {ctx.section}\n")
    if ctx.trigger_words:
        out.append(f"right after: {', '.join(ctx.trigger_words)}\n", style="bold")
    if ev.regions:
        out.append(f"moved: {', '.join(ev.regions)}\n", style="dim")
    if ev.posed_cues:
        out.append("posed cues:\n", style="bold")
        for cue in ev.posed_cues:
            out.append(f"  • {cue_text(cue.__dict__)}\n")
    return out


def cue_details_text(row: CueRow) -> Text:
    """A cue's details: what and when, what it was (direction, after which word, reading), what
    was said and the coaching first; then what it reads as, the parts, side and evidence."""
    f = row.fact
    out = Text()
    out.append(f"#{row.key} {row.label} · cue\n", style=f"bold {row.color}")
    out.append(f"{mmss(f.start_s)} – {mmss(f.end_s)} · {f.duration_s:.2f} s · "
               f"intensity {f.intensity:.2f} · confidence {f.confidence:.2f}\n")
    if f.text != f.label:
        out.append(f"{f.text}\n", style="bold")
    if row.problem:
        out.append("a problem for this profile\n", style="bold red")
    else:
        out.append("not a problem for this profile"
                   + (" (looking at your notes)" if f.reading else "") + "\n", style="dim")
    said = " ".join(w for w in (f.said_before, f.said) if w)
    out.append("said: ", style="bold")
    out.append(f"“{said}”\n" if said else "(no words aligned here)\n",
               style="" if said else "dim")
    out.append(row.coaching + "\n", style="italic")
    out.append(f"reads as: {f.meaning}\n")
    if f.section:
        out.append(f"section: {f.section}\n")
    if f.direction:
        out.append(f"direction: {f.direction} {ARROWS.get(f.direction, '')}\n")
    if f.judgement.after_trigger:
        out.append(f"right after: {f.judgement.after_trigger}\n", style="bold")
    if f.parts:
        out.append(f"parts: {cue_parts_text([p.to_json() for p in f.parts])}\n")
    out.append(f"side: {f.side}\n", style="dim")
    if f.evidence:
        out.append(f"measured: {evidence_text(f.evidence)}\n", style="dim")
    return out


def item_details_text(item: Item) -> Text:
    return cue_details_text(item) if isinstance(item, CueRow) else details_text(item)


def compute_levels(t: np.ndarray, scores: np.ndarray, *, duration_s: float,
                   width: int) -> np.ndarray:
    """(n_emotions, width) max score per time bin; `t` (n,), `scores` (n, k)."""
    width = max(1, width)
    out = np.zeros((scores.shape[1], width))
    if t.size == 0 or duration_s <= 0:
        return out
    bins = np.clip((t / duration_s * width).astype(int), 0, width - 1)
    centres = (np.arange(width) + 0.5) / width * duration_s
    for j in range(scores.shape[1]):
        col = np.nan_to_num(scores[:, j])
        np.maximum.at(out[j], bins, col)
        out[j] = np.maximum(out[j], np.interp(centres, t, col))  # bins finer than the frames
    return np.clip(out, 0.0, 1.0)


def timeline_rows(review: Review, height: int | None = None) -> tuple[list[str], list[str]]:
    """The emotion rows and cue lanes that fit in `height` lines with the episode marks and the
    time axis (which always show): emotions without an episode go first, then cue lanes."""
    events = review.analysis.events
    moved = [e for e in (*EMOTIONS, UNNAMED) if any(ev.expression == e for ev in events)]
    rows = [*EMOTIONS, *([UNNAMED] if UNNAMED in moved else [])]
    lanes = list(review.cue_kinds)
    if height is None or len(rows) + len(lanes) + 2 <= height:
        return rows, lanes
    rows = moved
    room = max(0, height - 2)
    return rows[:room], lanes[:max(0, room - len(rows))]


def timeline_text(review: Review, *, width: int, height: int | None = None) -> Text:
    """One row of level blocks per emotion, episode markers under them, one lane per cue type
    and a time axis; in `height` lines (a short terminal) only the emotions that moved."""
    a = review.analysis
    label_w = 10
    cols = max(10, width - label_w - 1)
    dur = a.duration_s or max((e.end_s for e in a.events), default=1.0)
    names = list((a.scores.names if a.scores else ()) or EMOTIONS)
    levels = None
    if a.scores is not None:
        levels = compute_levels(a.scores.t, a.scores.values, duration_s=dur, width=cols)
    out = Text(no_wrap=True)
    rows, lanes = timeline_rows(review, height)
    for emo in rows:
        color = EMOTION_COLORS[emo]
        out.append(f"{track_label(emo)[:label_w]:<{label_w}} ", style=color)
        row = [" "] * cols
        if levels is not None and emo in names:
            lv = levels[names.index(emo)]
            row = [LEVEL_BLOCKS[min(8, round(v * 8))] for v in lv]
        for e in a.events:
            if e.expression == emo:
                a0 = int(e.start_s / dur * cols)
                a1 = max(a0 + 1, int(np.ceil(e.end_s / dur * cols)))
                for c in range(max(0, a0), min(cols, a1)):
                    if row[c] == " ":
                        row[c] = "▁"
        out.append("".join(row), style=color)
        out.append("\n")
    marks = [" "] * cols
    for e in a.events:
        c = min(cols - 1, int(e.apex_s / dur * cols))
        marks[c] = "▲" if e.kind == "leak" else "■"
    out.append(f"{'episodes':<{label_w}} ", style="bold")
    out.append("".join(marks) + "\n", style="bold")
    for cue in lanes:
        out.append(f"{CUE_SHORT.get(cue, cue)[:label_w]:<{label_w}} ", style=f"italic {CUE_COLOR}")
        out.append_text(cue_lane(
            [c for c in review.cues if c.cue == cue], duration_s=dur, cols=cols))
        out.append("\n")
    axis = [" "] * cols
    step = max(1, cols // 6)
    for c in range(0, cols, step):
        stamp = mmss(c / cols * dur)
        if c + len(stamp) <= cols:
            axis[c:c + len(stamp)] = list(stamp)
    out.append(" " * (label_w + 1) + "".join(axis), style="dim")
    return out


def cue_lane(rows: Sequence[CueRow], *, duration_s: float, cols: int) -> Text:
    """One cue type's lane: █ a problem (bright), ░ not (dim); masking as the masked emotion in
    its colour then the mask ▒; the gaze or tilt direction as an arrow after the cue."""
    cells: list[tuple[str, str]] = [("·" if k % 10 == 0 else " ", "grey23") for k in range(cols)]

    def col(t: float) -> int:
        return min(cols - 1, max(0, int(t / duration_s * cols)))

    def fill(t0: float, t1: float, char: str, style: str) -> None:
        c1 = max(col(t0) + 1, min(cols, int(np.ceil(t1 / duration_s * cols))))
        for c in range(col(t0), c1):
            cells[c] = (char, style)

    for row in sorted(rows, key=lambda r: r.start_s):
        f = row.fact
        parts = {p.role: p for p in f.parts}
        if row.cue == "masking" and "masked" in parts:
            m = parts["masked"]
            fill(m.start_s, m.end_s, "█", EMOTION_COLORS.get(m.expression, row.color))
            if "mask" in parts:
                k = parts["mask"]
                fill(k.start_s, k.end_s, "▒", EMOTION_COLORS.get(k.expression, "white"))
        else:
            fill(f.start_s, f.end_s, "█" if row.problem else "░", row.color)
        arrow = ARROWS.get(f.direction or "") if row.cue in ("gaze_aversion",
                                                             "head_tilt") else None
        after = min(cols - 1, int(np.ceil(f.end_s / duration_s * cols)))
        if arrow and cells[after][0] in " ·":
            cells[after] = (arrow, f"bold {row.color}")
    out = Text(no_wrap=True)
    for char, style in cells:
        out.append(char, style=style)
    return out


def transcript_text(review: Review) -> Text:
    """The words said, section headings, and a marker before the word where each episode began."""
    words = review.words
    out = Text()
    if not words:
        note = review.analysis.speech.note or "speech was not analysed"
        out.append(f"No transcript: {note}.\n", style="dim")
        for it in sorted(review.items, key=lambda e: e.start_s):
            out.append(f"[{mmss(it.start_s)} {_marker(it)}]\n", style=it.color)
        return out
    marks: dict[tuple[int, bool], list[Item]] = {}
    for it in sorted(review.items, key=lambda e: e.start_s):
        marks.setdefault(marker_slot(it.start_s, words), []).append(it)

    def mark(slot: tuple[int, bool]) -> None:
        for it in marks.get(slot, []):
            out.append(f"⟦{_marker(it)} {mmss(it.start_s)}⟧", style=f"bold reverse {it.color}")
            out.append(" ")

    section = None
    for i, w in enumerate(words):
        if w.section != section:
            section = w.section
            if section:
                out.append(f"\n{section}\n", style="bold underline")
        mark((i, False))
        out.append(w.text + " ")
        mark((i, True))
    return out


def _marker(item: Item) -> str:
    if isinstance(item, CueRow):
        return item.label
    return f"{item.what} {item.label}"
