"""Cues as the report and the app show them: lip press, gaze aversion, head tilt, nod, brow flash,
tension and masking, from events.json's top-level `cues` list (docs/events-schema.md).

Pure functions over the analysis's judged cues and the profile: each cue's facts (`CueFact`, with
its speech context, judgement and one-line description; report.json carries `CueFact.to_json`),
the per-cue summary, and the things to work on that cues give. The analysis resolves each cue's
`problem`; the profile's `cues:` section gives coaching (read defensively: a profile without it
falls back to the built-in lines below).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mirror.analysis import JudgedCue
from mirror.cues.model import CUE_INFO, CuePart
from mirror.judgement import CUE_COACHING, Judgement, judge_cue, profile_cue_rule
from mirror.profiles import Profile
from mirror.report.coaching import Focus
from mirror.report.fmt import cue_order
from mirror.report.fmt import mmss as _mmss
from mirror.speech.model import Word
from mirror.speech.words import section_at

# Ten characters at most: the terminal timeline's lane labels.
CUE_SHORT = {"masking": "masking", "gaze_aversion": "gaze away", "lip_press": "lip press",
             "tension": "tension", "head_tilt": "head tilt", "brow_flash": "brow flash",
             "nod": "nod"}
ARROWS = {"left": "←", "right": "→", "up": "↑", "down": "↓"}
MASK_NOUN = {"happiness": "a smile", "neutral": "a straight face"}


def cue_label(cue: str) -> str:
    return CUE_INFO[cue][0] if cue in CUE_INFO else cue.replace("_", " ")


def masking_text(parts: Sequence[CuePart]) -> str:
    """`anger 0.30 s, covered by a smile` (or `by a straight face`)."""
    masked = next((p for p in parts if p.role == "masked"), None)
    mask = next((p for p in parts if p.role == "mask"), None)
    if masked is None:
        return "a reaction covered up"
    text = f"{masked.expression} {max(masked.end_s - masked.start_s, 0):.2f} s"
    if mask is not None:
        text += f", covered by {MASK_NOUN.get(mask.expression, mask.expression or 'something else')}"
    return text


def describe_cue(f: CueFact) -> str:
    """What the cue was, in a phrase: `looking down, after you said “price”`."""
    if f.cue == "masking":
        return masking_text(f.parts)
    if f.cue == "gaze_aversion":
        text = f"looking {f.direction}" if f.direction else "looking away"
        if f.reading:
            text += ", at your notes" if f.direction == "down" else ", reading"
    else:
        text = f"head tilted {f.direction}" if f.cue == "head_tilt" and f.direction \
            else cue_label(f.cue)
    if f.judgement.after_trigger:
        text += f", after you said “{f.judgement.after_trigger}”"
    return text


@dataclass(frozen=True)
class CueFact:
    """One cue as the report and the app show it: the cue (times, intensity, confidence and
    evidence rounded as the report prints them), its speech context, the profile's judgement and
    its description (`text`). `to_json` is its entry in report.json's `cues`, the one form the
    HTML and Markdown renderers read; the app reads the fact itself."""

    id: str  # c001, c002...
    index: int
    cue: str
    label: str
    meaning: str
    start_s: float
    apex_s: float
    end_s: float
    duration_s: float
    intensity: float
    confidence: float
    side: str
    direction: str | None
    reading: bool
    evidence: Mapping[str, float]
    parts: tuple[CuePart, ...]
    section: str | None
    speaking: bool | None
    said: str
    said_before: str
    triggers: tuple[str, ...]
    judgement: Judgement

    @property
    def score(self) -> float:
        return round(self.judgement.score, 3)  # as report.json carries it

    @property
    def text(self) -> str:
        return describe_cue(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "index": self.index, "cue": self.cue, "label": self.label,
            "meaning": self.meaning, "start_s": self.start_s, "apex_s": self.apex_s,
            "end_s": self.end_s, "duration_s": self.duration_s, "intensity": self.intensity,
            "confidence": self.confidence, "side": self.side, "direction": self.direction,
            "reading": self.reading, "after_trigger": self.judgement.after_trigger,
            "evidence": dict(self.evidence), "parts": [p.to_json() for p in self.parts],
            "section": self.section, "speaking": self.speaking, "said": self.said,
            "said_before": self.said_before, "triggers": list(self.triggers),
            **self.judgement.to_json(), "text": self.text, "filmstrip": None,
        }


def cue_facts(cues: Sequence[JudgedCue], profile: Profile, words: Sequence[Word] = (), *,
              stored: bool = True) -> list[CueFact]:
    """One fact per cue (ids c001...), with the same speech context as the episodes' facts
    (section, speaking, said, said_before, triggers) plus the cue's own. With the aligned
    `words`, the section is looked up at the cue's start (`section_at`). The judgement is the
    analysis's (`stored`: the analysis used this profile), else `judge_cue`'s."""
    out = []
    for i, item in enumerate(cues):
        c, ctx = item.cue, item.speech
        judged = item.judgement if stored else judge_cue(c, profile, after=item.after_trigger,
                                                         label=item.label)
        out.append(CueFact(
            id=f"c{i + 1:03d}", index=i, cue=c.cue, label=item.label, meaning=item.meaning,
            start_s=round(c.start_s, 3), apex_s=round(c.apex_s, 3), end_s=round(c.end_s, 3),
            duration_s=round(item.duration_s, 3),
            intensity=round(min(max(c.intensity, 0.0), 1.0), 3),
            confidence=round(c.confidence, 3), side=c.side, direction=c.direction,
            reading=c.reading, evidence={k: round(v, 3) for k, v in c.evidence.items()},
            parts=tuple(CuePart(p.role, p.expression, round(p.start_s, 3), round(p.apex_s, 3),
                                round(p.end_s, 3)) for p in c.parts),
            section=section_at(c.start_s, words) if words else ctx.section,
            speaking=ctx.speaking, said=" ".join(ctx.said),
            said_before=" ".join(ctx.said_before),
            triggers=tuple(dict.fromkeys(ctx.trigger_words)), judgement=judged))
    return out


def cue_summary(cues: Sequence[CueFact], profile: Profile) -> list[dict[str, Any]]:
    """Per cue type, headline cues first: count, problems, typical (median) duration, the
    sections where it happened (most often first) and the coaching line."""
    rows = []
    for cue in sorted({c.cue for c in cues}, key=lambda c: (cue_order(c), c)):
        group = [c for c in cues if c.cue == cue]
        sections = Counter(c.section for c in group if c.section)
        own = profile_cue_rule(profile, cue)
        line = own.coaching if own else ""
        rows.append({
            "cue": cue, "label": group[0].label, "meaning": group[0].meaning,
            "count": len(group), "problems": sum(c.judgement.problem for c in group),
            "reading": sum(c.reading for c in group),
            "typical_s": round(statistics.median(c.duration_s for c in group), 2),
            "sections": [s for s, _ in sections.most_common()],
            "coaching": str(line).strip() if isinstance(line, str) and line.strip()
            else CUE_COACHING.get(cue, ""),
            "ids": [c.id for c in group],
        })
    return rows


def cue_focus(cues: Sequence[CueFact], summary: list[dict[str, Any]]) -> list[Focus]:
    """Things to work on from problem cues: covered-up reactions, looking away right after
    trigger words, then any other cue the profile counts as a problem. Each Focus refers to
    its cues by id (`Focus.cues`), weighed like the episodes (sum of scores)."""
    found: list[Focus] = []
    problems = [c for c in cues if c.judgement.problem]
    coach = {row["cue"]: row["coaching"] for row in summary}
    masks = [c for c in problems if c.cue == "masking"]
    if masks:
        masked = Counter(next((p.expression for p in c.parts if p.role == "masked"),
                              "a reaction") for c in masks)
        what = " and ".join(w for w, _ in masked.most_common(2))
        found.append(Focus(
            title=f"Let {what} pass instead of covering it",
            detail=f"{_plural(len(masks), 'covered-up reaction')}: "
                   + "; ".join(c.text for c in masks[:3]) + ("…" if len(masks) > 3 else "."),
            coaching=coach.get("masking", CUE_COACHING["masking"]), episodes=(),
            weight=1.2 * sum(c.score for c in masks), cues=tuple(c.id for c in masks)))
    gaze = [c for c in problems if c.cue == "gaze_aversion" and c.judgement.after_trigger]
    if gaze:
        words = Counter(c.judgement.after_trigger for c in gaze)
        quoted = " and ".join(f"“{w}”" for w, _ in words.most_common(2))
        found.append(Focus(
            title=f"Hold eye contact after {quoted}",
            detail=f"You looked away right after saying {quoted}: "
                   + "; ".join(f"{c.text.split(',')[0]} at {_mmss(c.start_s)}"
                               for c in gaze[:3]) + ("…" if len(gaze) > 3 else "."),
            coaching=coach.get("gaze_aversion", CUE_COACHING["gaze_aversion"]), episodes=(),
            weight=1.2 * sum(c.score for c in gaze), cues=tuple(c.id for c in gaze)))
    taken = {c.id for c in masks} | {c.id for c in gaze}
    for row in summary:
        rest = [c for c in problems if c.cue == row["cue"] and c.id not in taken]
        if not rest:
            continue
        found.append(Focus(
            title=f"Watch your {row['label']}",
            detail=f"{_plural(len(rest), row['label'])} the profile counts as a problem "
                   f"({row['meaning']}).",
            coaching=row["coaching"], episodes=(), weight=sum(c.score for c in rest),
            cues=tuple(c.id for c in rest)))
    return found


def _plural(n: int, word: str) -> str:
    if n == 1 or word.endswith("s"):
        return f"{n} {word}"
    return f"{n} {word}s"
