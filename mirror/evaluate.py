"""Scoring spotted episodes against ground truth, as MEGC does (pure).

A detection matches a labelled episode when their intervals' IoU is >= 0.5 (one to one, best IoU
first); precision, recall and F1 count all clips together. Matched pairs are then checked for
the emotion label and for leak vs held. Unnamed movements (no emotion fits) are neither hits
nor false alarms, as in the foreign development set's scorer: they claim no emotion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mirror.events.model import UNNAMED


class Interval(Protocol):
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def expression(self) -> str: ...
    @property
    def kind(self) -> str: ...


def interval_iou(a0: float, a1: float, b0: float, b1: float) -> float:
    inter = max(0.0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    label_right: int = 0
    kind_right: int = 0
    confusions: list[tuple[str, str]] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def label_accuracy(self) -> float:
        return self.label_right / self.tp if self.tp else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_right / self.tp if self.tp else 0.0

    def add(self, other: Score) -> None:
        for f in ("tp", "fp", "fn", "label_right", "kind_right"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.confusions += other.confusions
        self.misses += other.misses

    def summary(self) -> str:
        return (f"F1 {self.f1:.3f} (P {self.precision:.3f}, R {self.recall:.3f}; tp {self.tp}, "
                f"fp {self.fp}, fn {self.fn}); label {self.label_accuracy:.3f}; "
                f"leak/held {self.kind_accuracy:.3f}")


def score_events(detected: Sequence[Interval], truth: Sequence[Interval], *,
                 iou: float = 0.5) -> Score:
    """Match detections to truth one to one by best IoU >= `iou`, then check labels.
    Detections labelled UNNAMED are left out (neither hits nor false alarms)."""
    detected = [d for d in detected if d.expression != UNNAMED]
    pairs = sorted(
        ((interval_iou(d.start_s, d.end_s, g.start_s, g.end_s), i, j)
         for i, d in enumerate(detected) for j, g in enumerate(truth)),
        reverse=True,
    )
    used_d: set[int] = set()
    used_g: set[int] = set()
    s = Score()
    for v, i, j in pairs:
        if v < iou or i in used_d or j in used_g:
            continue
        used_d.add(i)
        used_g.add(j)
        s.tp += 1
        d, g = detected[i], truth[j]
        s.label_right += d.expression == g.expression
        s.kind_right += d.kind == g.kind
        if d.expression != g.expression:
            s.confusions.append((g.expression, d.expression))
    s.fp = len(detected) - len(used_d)
    s.fn = len(truth) - len(used_g)
    s.misses = [f"{truth[j].expression}@{truth[j].start_s:.2f}-{truth[j].end_s:.2f}"
                for j in range(len(truth)) if j not in used_g]
    return s


class TimedCue(Protocol):
    @property
    def cue(self) -> str: ...
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def direction(self) -> str | None: ...


@dataclass(frozen=True)
class _AsEpisode:
    start_s: float
    end_s: float
    expression: str
    kind: str


def score_cues(detected: Sequence[TimedCue], truth: Sequence[TimedCue], *, iou: float = 0.5,
               cues: Sequence[str] | None = None) -> Score:
    """Cue detections against labelled cues: one to one by best IoU >= `iou` within each cue
    type (a head tilt never matches a gaze aversion). `label` is then the direction (left,
    right, up, down) where the cue has one; `leak/held` is unused. `cues`: only these types."""
    names = sorted({c.cue for c in (*detected, *truth)} if cues is None else set(cues))
    total = Score()
    for name in names:
        d = [_AsEpisode(c.start_s, c.end_s, c.direction or "", "") for c in detected
             if c.cue == name]
        g = [_AsEpisode(c.start_s, c.end_s, c.direction or "", "") for c in truth
             if c.cue == name]
        s = score_events(d, g, iou=iou)
        s.misses = [f"{name}@{m.split('@')[1]}" for m in s.misses]
        total.add(s)
    return total
