"""What the speech stage produces: words, speaking/pause segments, the analysis, its options.

All times are float seconds on the session timeline (the video's clock), after the A/V offset has
been applied (see docs/speech.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mirror.speech.vad import VadOptions

DEFAULT_FILLERS: tuple[str, ...] = (
    "um", "uh", "er", "ah", "erm", "hmm", "like", "you know", "so", "basically", "actually",
    "i mean", "kind of", "sort of",
)


@dataclass(frozen=True)
class Word:
    """One word. section: the script section it belongs to ("" without a script).

    probability: 0..1. For recognised words, pocketsphinx's posterior. For words placed by forced
    alignment, the posterior of the free recogniser's matching word at that place, or 0.0 when the
    recogniser did not hear that word there (the time then comes from the alignment alone).
    """

    start: float
    end: float
    text: str
    section: str = ""
    probability: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3), "end": round(self.end, 3), "text": self.text,
            "section": self.section, "probability": round(self.probability, 3),
        }


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    speaking: bool

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "speaking": self.speaking}


@dataclass(frozen=True)
class SpeechOptions:
    """Settings of the speech stage (recorded in every SpeechAnalysis).

    av_offset_s: None = estimate it from the mouth track; a number overrides (--av-offset).
        Convention: positive = the audio lags the video (a sound is heard av_offset_s after the
        mouth made it); session time = audio time - av_offset_s.
    av_search_s: the offset search range, +- seconds.
    av_min_confidence: below this an estimated offset is not applied (0.0 is used, with a note).
    triggers: words that may set off an expression (from the profile).
    spot_triggers: run pocketsphinx keyword spotting for the triggers as well as free recognition.
    """

    vad: VadOptions = field(default_factory=VadOptions)
    av_offset_s: float | None = None
    av_search_s: float = 0.5
    av_min_confidence: float = 0.3
    triggers: tuple[str, ...] = ("price", "discount", "competitor", "deadline", "contract", "cost")
    spot_triggers: bool = True
    kws_threshold: float = 1e-15
    fillers: tuple[str, ...] = DEFAULT_FILLERS
    min_pause_s: float = 0.5  # pauses shorter than this are not counted in the figures
    segment_pad_s: float = 0.15  # audio kept either side of a VAD segment for recognition

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SpeechAnalysis:
    """The speech stage's result.

    method: "forced" (script aligned), "free" (recognition only), or "none".
    note: why something is missing ("" when all went well).
    figures: see mirror.speech.figures.compute_figures.
    heard: the free recogniser's words (also in forced mode; fillers are counted from them).
    """

    segments: tuple[Segment, ...]
    words: tuple[Word, ...]
    av_offset_s: float
    av_offset_confidence: float
    method: str
    note: str
    figures: dict[str, Any]
    options: SpeechOptions
    heard: tuple[Word, ...] = ()

    @staticmethod
    def empty(*, note: str, options: SpeechOptions, av_offset_s: float = 0.0,
              av_offset_confidence: float = 0.0,
              segments: tuple[Segment, ...] = ()) -> SpeechAnalysis:
        return SpeechAnalysis(
            segments=segments, words=(), av_offset_s=av_offset_s,
            av_offset_confidence=av_offset_confidence, method="none", note=note, figures={},
            options=options,
        )

    def to_json(self) -> dict[str, Any]:
        """The events.json additions: top-level av_offset_s, av_offset_confidence, speech."""
        return {
            "av_offset_s": round(self.av_offset_s, 3),
            "av_offset_confidence": round(self.av_offset_confidence, 3),
            "speech": {
                "method": self.method,
                "note": self.note,
                "segments": [s.to_json() for s in self.segments],
                "words": [w.to_json() for w in self.words],
                "figures": self.figures,
            },
        }
