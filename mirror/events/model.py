"""Expression episodes and the `events.json` document (schema `mirror.events/2`, docs/events-schema.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

EVENTS_SCHEMA = "mirror.events/2"
EMOTIONS: tuple[str, ...] = (
    "happiness", "surprise", "fear", "anger", "disgust", "sadness", "contempt",
)
# A strong facial movement that fits none of the seven prototypes: reported with what moved
# (`description`, `regions`, `evidence`), never dropped.
UNNAMED = "unnamed"
KINDS: tuple[str, ...] = ("leak", "held")
SIDES: tuple[str, ...] = ("both", "left", "right")
REGIONS: tuple[str, ...] = ("brows", "lids", "cheeks", "nose", "mouth", "jaw")


@dataclass(frozen=True)
class PosedCue:
    """One cue that a held display may be put on: its name, measured value and the threshold."""

    name: str  # no_eye_involvement | asymmetry | abrupt_onset | abrupt_offset | flat_plateau | too_long
    value: float
    threshold: float
    unit: str
    note: str


@dataclass(frozen=True)
class Event:
    """One expression episode on the session timeline (seconds)."""

    start_s: float
    apex_s: float
    end_s: float
    expression: str  # one of EMOTIONS, or UNNAMED
    kind: str  # leak | held
    micro: bool
    intensity: float  # 0..1 at the apex, relative to the person's neutral face
    side: str  # both | left | right (the side of the face that moved more: the person's own side)
    posed_cues: tuple[PosedCue, ...] = ()
    regions: tuple[str, ...] = ()
    confidence: float = 0.0  # 0..1: how far the evidence stands above the noise
    evidence: dict[str, float] = field(default_factory=dict)  # action-unit levels at the apex
    # What moved, in words ("brows raised and lips stretched"): every episode has it; for an
    # UNNAMED one it is the whole description.
    description: str = ""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["duration_s"] = round(self.duration_s, 3)
        for k in ("start_s", "apex_s", "end_s", "intensity", "confidence"):
            d[k] = round(float(d[k]), 3)
        d["posed_cues"] = [asdict(c) for c in self.posed_cues]
        d["regions"] = list(self.regions)
        d["evidence"] = {k: round(float(v), 3) for k, v in self.evidence.items()}
        return d

    @staticmethod
    def from_json(d: dict[str, Any]) -> Event:
        cues = tuple(PosedCue(**c) for c in d.get("posed_cues", []))
        return Event(
            start_s=float(d["start_s"]), apex_s=float(d["apex_s"]), end_s=float(d["end_s"]),
            expression=str(d["expression"]), kind=str(d["kind"]), micro=bool(d["micro"]),
            intensity=float(d["intensity"]), side=str(d.get("side", "both")),
            posed_cues=cues, regions=tuple(d.get("regions", ())),
            confidence=float(d.get("confidence", 0.0)),
            evidence={k: float(v) for k, v in d.get("evidence", {}).items()},
            description=str(d.get("description", "")),
        )
