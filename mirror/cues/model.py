"""Cue episodes: the signals beyond the seven emotions that buyers and negotiators read.

A cue lives next to the emotion episodes in `events.json` (top-level list `cues`, schema
`mirror.events/2`, docs/events-schema.md). Times are seconds on the session timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CUES: tuple[str, ...] = (
    "lip_press", "gaze_aversion", "head_tilt", "nod", "brow_flash", "tension", "masking",
)
# name -> (label, what an observer reads into it); see the seed articles in docs/cues.md
CUE_INFO: dict[str, tuple[str, str]] = {
    "lip_press": ("pressed lips", "hesitation or holding something back"),
    "gaze_aversion": ("gaze aversion", "breaks eye contact"),
    "head_tilt": ("head tilt", "curiosity and openness, or doubt"),
    "nod": ("nod", "agreement or encouragement"),
    "brow_flash": ("brow flash", "surprise or interest"),
    "tension": ("tension", "a tightening face: strain or rushing"),
    "masking": ("masking", "a negative reaction covered up"),
}
DIRECTIONS: tuple[str, ...] = ("left", "right", "up", "down")


@dataclass(frozen=True)
class CuePart:
    """One part of a compound cue (masking): the masked expression, or the mask."""

    role: str  # masked | mask
    expression: str  # an emotion, or "neutral" for a mask that is just a straight face
    start_s: float
    apex_s: float
    end_s: float

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "expression": self.expression,
                "start_s": round(self.start_s, 3), "apex_s": round(self.apex_s, 3),
                "end_s": round(self.end_s, 3)}


@dataclass(frozen=True)
class Cue:
    """One cue episode: onset (start_s), apex, offset (end_s), and what was measured."""

    cue: str
    start_s: float
    apex_s: float
    end_s: float
    intensity: float  # 0..1 at the apex
    confidence: float  # 0..1: how far the evidence stands above the noise
    side: str = "both"
    direction: str | None = None  # gaze: left/right/up/down (the person's own); tilt: left/right
    reading: bool = False  # gaze down while talking: looking at notes
    parts: tuple[CuePart, ...] = ()
    evidence: dict[str, float] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_json(self) -> dict[str, Any]:
        label, meaning = CUE_INFO[self.cue]
        return {
            "cue": self.cue, "label": label, "meaning": meaning,
            "start_s": round(self.start_s, 3), "apex_s": round(self.apex_s, 3),
            "end_s": round(self.end_s, 3), "duration_s": round(self.duration_s, 3),
            "intensity": round(float(self.intensity), 3),
            "confidence": round(float(self.confidence), 3),
            "side": self.side, "direction": self.direction, "reading": self.reading,
            "parts": [p.to_json() for p in self.parts],
            "evidence": {k: round(float(v), 3) for k, v in self.evidence.items()},
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> Cue:
        return Cue(
            cue=str(d["cue"]), start_s=float(d["start_s"]), apex_s=float(d["apex_s"]),
            end_s=float(d["end_s"]), intensity=float(d.get("intensity", 0.0)),
            confidence=float(d.get("confidence", 0.0)), side=str(d.get("side", "both")),
            direction=d.get("direction"), reading=bool(d.get("reading", False)),
            parts=tuple(CuePart(role=str(p["role"]), expression=str(p["expression"]),
                                start_s=float(p["start_s"]), apex_s=float(p["apex_s"]),
                                end_s=float(p["end_s"])) for p in d.get("parts", ())),
            evidence={k: float(v) for k, v in d.get("evidence", {}).items()},
        )
