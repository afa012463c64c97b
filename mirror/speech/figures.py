"""Speech figures: pace per section, pauses, filler words.

A comfortable presentation pace is 100-165 words per minute (PowerPoint Speaker Coach, see
SCIENCE.md); sections outside it are marked "slow" or "fast".
"""

from __future__ import annotations

from typing import Any

from mirror.speech.model import Segment, Word
from mirror.speech.words import section_readings

PACE_RANGE_WPM = (100.0, 165.0)


def _pace(wpm: float) -> str:
    lo, hi = PACE_RANGE_WPM
    return "slow" if wpm < lo else "fast" if wpm > hi else "comfortable"


def compute_section_pace(words: tuple[Word, ...] | list[Word]) -> list[dict[str, Any]]:
    """Words per minute per section, in order of first appearance.

    A section read twice (a repeat) adds both readings. The time of a reading runs from its first
    word's start to its last word's end, pauses inside it included.
    """
    agg: dict[str, dict[str, Any]] = {}
    for run in section_readings(words):
        d = agg.setdefault(run.section, {"section": run.section, "start": run.start,
                                         "end": run.end, "words": 0, "duration_s": 0.0,
                                         "readings": 0})
        d["words"] += run.words
        d["duration_s"] += max(0.0, run.end - run.start)
        d["end"] = max(d["end"], run.end)
        d["readings"] += 1
    out = []
    for d in agg.values():
        wpm = d["words"] / d["duration_s"] * 60.0 if d["duration_s"] > 0 else 0.0
        out.append({**d, "start": round(d["start"], 3), "end": round(d["end"], 3),
                    "duration_s": round(d["duration_s"], 3), "wpm": round(wpm, 1),
                    "pace": _pace(wpm)})
    return out


def compute_pauses(segments: tuple[Segment, ...] | list[Segment], *, min_pause_s: float
                   ) -> dict[str, Any]:
    """Pauses between the first and the last speech (leading and trailing silence excluded)."""
    speaking = [i for i, s in enumerate(segments) if s.speaking]
    pauses = []
    if speaking:
        for s in segments[speaking[0]:speaking[-1] + 1]:
            if not s.speaking and s.end - s.start >= min_pause_s:
                pauses.append(s)
    durs = [p.end - p.start for p in pauses]
    return {
        "count": len(pauses),
        "total_s": round(sum(durs), 3),
        "mean_s": round(sum(durs) / len(durs), 3) if durs else 0.0,
        "longest_s": round(max(durs), 3) if durs else 0.0,
        "list": [{"start": round(p.start, 3), "end": round(p.end, 3),
                  "duration_s": round(p.end - p.start, 3)} for p in pauses],
    }


def count_fillers(
    heard: tuple[Word, ...] | list[Word],
    *,
    fillers: tuple[str, ...],
    scripted: tuple[Word, ...] | list[Word] = (),
    pause_s: float = 0.3,
) -> dict[str, int]:
    """Filler words and phrases in the freely recognised words.

    "so" counts only when it opens an utterance (after a pause of pause_s or more): "so" inside a
    sentence is usually a real word. A heard filler that coincides with the same word of the script
    (forced alignment) is the script's word, not a filler.
    """
    single = {f for f in fillers if " " not in f}
    multi = [tuple(f.split()) for f in fillers if " " in f]
    counts: dict[str, int] = {}

    def in_script(w: Word) -> bool:
        return any(s.text == w.text and s.start < w.end and w.start < s.end for s in scripted)

    words = list(heard)
    i = 0
    while i < len(words):
        w = words[i]
        for phrase in multi:
            seq = words[i:i + len(phrase)]
            if tuple(x.text for x in seq) == phrase and not all(in_script(x) for x in seq):
                key = " ".join(phrase)
                counts[key] = counts.get(key, 0) + 1
                i += len(phrase)
                break
        else:
            opens = i == 0 or w.start - words[i - 1].end >= pause_s
            if w.text in single and (w.text != "so" or opens) and not in_script(w):
                counts[w.text] = counts.get(w.text, 0) + 1
            i += 1
    return counts


def compute_figures(
    *,
    words: tuple[Word, ...],
    heard: tuple[Word, ...],
    segments: tuple[Segment, ...],
    fillers: tuple[str, ...],
    min_pause_s: float,
    scripted: bool,
) -> dict[str, Any]:
    """JSON-ready figures: speaking time, overall and per-section pace, pauses, fillers."""
    speaking_s = sum(s.end - s.start for s in segments if s.speaking)
    span = (words[-1].end - words[0].start) if words else 0.0
    wpm = len(words) / span * 60.0 if span > 0 else 0.0
    fill = count_fillers(heard, fillers=fillers, scripted=words if scripted else ())
    n_fill = sum(fill.values())
    return {
        "speaking_s": round(speaking_s, 3),
        "words": len(words),
        "wpm": round(wpm, 1),
        "pace": _pace(wpm) if words else "",
        "pace_range_wpm": list(PACE_RANGE_WPM),
        "sections": compute_section_pace(words),
        "pauses": compute_pauses(segments, min_pause_s=min_pause_s),
        "fillers": {
            "total": n_fill,
            "per_minute": round(n_fill / speaking_s * 60.0, 2) if speaking_s > 0 else 0.0,
            "counts": fill,
        },
    }
