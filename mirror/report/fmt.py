"""Small formatting helpers shared by the HTML and Markdown renderers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mirror.events.model import UNNAMED

# A clear movement that fits none of the seven emotions: shown in grey, never as an emotion.
UNNAMED_COLOR = "#8a8f98"


def track_label(expression: str) -> str:
    """A timeline row's label: the emotion, or "movement" for the unnamed ones' row."""
    return "movement" if expression == UNNAMED else expression


def expression_name(expression: str, description: str = "") -> str:
    """What to call an episode: its emotion, or "facial movement: brows raised" for an unnamed one."""
    if expression == UNNAMED:
        return f"facial movement: {description}" if description else "facial movement"
    return expression


# One colour per emotion, shared by the report's plots and badges and the app's timeline and
# meters; an unnamed episode (a clear movement no prototype fits) is grey.
EMOTION_COLORS: dict[str, str] = {
    "happiness": "#e0a100", "surprise": "#17a2b8", "fear": "#8e44ad", "anger": "#d62728",
    "disgust": "#2e8b57", "sadness": "#1f5fbf", "contempt": "#b5651d", UNNAMED: UNNAMED_COLOR,
}


# Cues are drawn in ink, not in an emotion's colour: dark when a problem, pale when not.
CUE_INK, CUE_SOFT, CUE_BAND = "#263238", "#b4bec6", "#f3f5f8"

# Display order: the headline cues of a pitch first.
CUES = ("masking", "gaze_aversion", "lip_press", "tension", "head_tilt", "brow_flash", "nod")


def cue_order(cue: str) -> int:
    return CUES.index(cue) if cue in CUES else len(CUES)


def mmss(t: float) -> str:
    """Seconds as m:ss.s (the report's one way to show a time)."""
    t = max(float(t), 0.0)
    return f"{int(t // 60)}:{t % 60:04.1f}"


def seconds(d: float) -> str:
    return f"{d:.2f} s" if d < 1 else f"{d:.1f} s"


def number(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}"
    return str(v)


def flatten_figures(figures: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Speech figures of any shape as (label, value) rows: nested mappings become "a / b";
    lists of numbers or words are joined, other lists are counted."""
    rows: list[tuple[str, str]] = []
    if not isinstance(figures, dict):
        return rows
    for key, value in figures.items():
        label = f"{prefix}{str(key).replace('_', ' ')}"
        if isinstance(value, dict):
            rows += flatten_figures(value, prefix=f"{label} / ")
        elif isinstance(value, list | tuple):
            if all(isinstance(v, str | int | float) for v in value) and len(value) <= 12:
                rows.append((label, ", ".join(number(v) for v in value) or "none"))
            else:
                rows.append((label, f"{len(value)} items"))
        elif value is not None:
            rows.append((label, number(value)))
    return rows


def cue_text(cue: dict[str, Any]) -> str:
    """`no eye involvement 0.12 (threshold 0.25 ratio)`."""
    unit = f" {cue['unit']}" if cue.get("unit") else ""
    return (f"{cue['name'].replace('_', ' ')} {number(cue['value'])}{unit} "
            f"(threshold {number(cue['threshold'])}{unit})")


def episode_title(e: dict[str, Any]) -> str:
    return f"{mmss(e['start_s'])} · {e['name']} · {e['label']} · {seconds(e['duration_s'])}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def times_and_problems(count: int, problems: int) -> str:
    """`1 time, not a problem for this profile`, `3 times, 2 a problem for this profile`."""
    which = ("not" if count == 1 else "none") if problems == 0 else \
        ("all" if problems == count and count > 1 else str(problems))
    return f"{plural(count, 'time')}, {which} a problem for this profile"


def group_summary(group: list[dict[str, Any]]) -> str:
    """`3 leaks (1 micro), 1 held` for a list of episodes."""
    leaks = [e for e in group if e["kind"] == "leak"]
    micro = sum(e["micro"] for e in leaks)
    return f"{plural(len(leaks), 'leak')} ({micro} micro), {len(group) - len(leaks)} held"


def duration_text(d: float) -> str:
    """`45 s`, `3.2 min`, `25 min`."""
    if d < 60:
        return f"{d:.0f} s"
    return f"{d / 60:.1f} min" if d < 600 else f"{d / 60:.0f} min"


def section_table(sections: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-section table (pace and neutral share only when known)."""
    with_pace = any(s.get("pace") for s in sections)
    with_neutral = any(s.get("neutral") is not None for s in sections)
    with_cues = any(s.get("cues") for s in sections)
    header = ["section", "from", "words/min"] + (["pace"] if with_pace else []) + (
        ["neutral face"] if with_neutral else []) + ["leaks", "held", "problems", "leaks/min"] + (
        ["cues (problems)"] if with_cues else [])
    rows = []
    for s in sections:
        row = [s["name"], mmss(s["start_s"]), str(s["wpm"])]
        if with_pace:
            row.append(s.get("pace") or "")
        if with_neutral:
            row.append(f"{s['neutral'] * 100:.0f} %" if s.get("neutral") is not None else "")
        row += [str(s["leaks"]), str(s["held"]), str(s["problems"]), number(s["leaks_per_min"])]
        if with_cues:
            row.append(f"{s.get('cues', 0)} ({s.get('cue_problems', 0)})")
        rows.append(row)
    return header, rows


def cue_title(c: dict[str, Any]) -> str:
    """`0:12.3 · gaze aversion · looking down, after you said “price” · 0.65 s`."""
    text = f" · {c['text']}" if c["text"] != c["label"] else ""
    return f"{mmss(c['start_s'])} · {c['label']}{text} · {seconds(c['duration_s'])}"


def cue_parts_text(parts: Sequence[Mapping[str, Any]]) -> str:
    """Masking's two parts as report.json carries them (`CuePart.to_json`): `anger
    0:04.1-0:04.4, then happiness 0:04.5-0:06.0`."""
    return ", then ".join(f"{p['expression']} {mmss(p['start_s'])}–{mmss(p['end_s'])}"
                          + (" (the mask)" if p["role"] == "mask" else "") for p in parts)


# Action units in words, and what a full one is called ("41 % of a full press").
AU_WORDS = {
    "AU1": ("inner brows raised", "raise"), "AU2": ("outer brows raised", "raise"),
    "AU4": ("brows lowered", "frown"), "AU5": ("upper lids raised", "raise"),
    "AU6": ("cheeks raised", "raise"), "AU7": ("lids tightened", "squint"),
    "AU9": ("nose wrinkled", "wrinkle"), "AU10": ("upper lip raised", "raise"),
    "AU12": ("lip corners pulled up", "smile"),
    "AU12d": ("one lip corner pulled up", "one-sided pull"), "AU14": ("dimpled", "dimple"),
    "AU15": ("lip corners pulled down", "pull"), "AU17": ("chin raised", "raise"),
    "AU20": ("lips stretched", "stretch"), "AU23": ("lips tightened", "tightening"),
    "AU24": ("lips pressed", "press"), "AU25": ("lips parted", "parting"),
    "AU26": ("jaw dropped", "drop"),
}
# Measures that are no FACS action unit, in the same words ("sideways": the whole mouth
# pulled to one side; "pressed": a lip press, AU24 or the lips' thinning, the larger).
MEASURE_WORDS = {"sideways": ("mouth pulled to one side", "shift"),
                 "pressed": ("lips pressed or thinned", "press")}
ANGLE_WORDS = {"gaze": "looking away by", "eye": "eyes turned", "head": "head turned",
               "h": "sideways", "v": "up or down", "roll": "head tilted"}
_AU = re.compile(r"^(AU\d+)([a-z]*)(?:_([rl]))?$")


def _au_key(m: re.Match[str]) -> str:
    """The AU_WORDS key of an evidence name: its own when it has words (AU12d), else its number
    (AU4k reads as AU4)."""
    return m.group(1) + m.group(2) if m.group(1) + m.group(2) in AU_WORDS else m.group(1)


def evidence_text(evidence: Mapping[str, Any]) -> str:
    """The measured evidence in words, each beside its number: `lips pressed, 39 % of a full
    press (AU24 0.39; right 44 %, left 34 %)`, `looking away by 14.2°; head turned 3.1°`."""
    sides: dict[str, list[str]] = {}
    for k, v in evidence.items():
        m = _AU.match(k)
        if m and m.group(3) and isinstance(v, (int, float)):
            side = "right" if m.group(3) == "r" else "left"
            sides.setdefault(_au_key(m), []).append(f"{side} {float(v) * 100:.0f} %")
    out: list[str] = []
    for k, v in evidence.items():
        if k in MEASURE_WORDS and isinstance(v, (int, float)):
            words, full = MEASURE_WORDS[k]
            out.append(f"{words}, {float(v) * 100:.0f} % of a full {full} ({k} {number(v)})")
            continue
        m = _AU.match(k)
        if m and _au_key(m) in AU_WORDS and isinstance(v, (int, float)):
            if not m.group(3):
                words, full = AU_WORDS[_au_key(m)]
                also = "".join(f"; {s}" for s in [", ".join(sides.get(_au_key(m), []))] if s)
                out.append(f"{words}, {float(v) * 100:.0f} % of a full {full} "
                           f"({k} {number(v)}{also})")
            continue
        name, unit = k, ""
        for suffix, u in (("_deg", "°"), ("_s", " s")):
            if k.endswith(suffix):
                name, unit = k.removesuffix(suffix), u
        said = ANGLE_WORDS.get(name, name) if unit == "°" else name
        out.append(f"{said.replace('_', ' ')} {number(v)}{unit}")
    return "; ".join(out)
