"""Leak or held, micro or not, and the cues that give a posed display away (pure).

No single cue proves a fake (SCIENCE.md): a held display carries every cue found, each with its
measured value and the threshold it crossed, so the report can show the evidence.
"""

from __future__ import annotations

import numpy as np

from mirror.events.model import REGIONS, UNNAMED, Event, PosedCue
from mirror.events.movement import describe_movement
from mirror.expressions.actions import AU_REGION, ActionUnits
from mirror.profiles import PosedOptions, SpotOptions
from mirror.signal import frame_period

SIDE_PAIRS = {
    "happiness": "AU12", "contempt": "AU12", "surprise": "AU2", "fear": "AU2", "anger": "AU4",
    "disgust": "AU10", "sadness": "AU15",
}


def compute_rise_time(t: np.ndarray, s: np.ndarray, *, lo: float = 0.1, hi: float = 0.9) -> float:
    """Seconds the track (n,) takes to go from lo x to hi x its maximum, on its way up."""
    peak = int(np.argmax(s))
    top = s[peak]
    if top <= 0 or peak == 0:
        return 0.0
    up = s[: peak + 1]
    i_hi = int(np.flatnonzero(up >= hi * top)[0])
    below = np.flatnonzero(up[: i_hi + 1] < lo * top)
    i_lo = int(below[-1]) if below.size else 0
    return float(t[i_hi] - t[i_lo])


def compute_plateau_variation(s: np.ndarray, *, level: float = 0.8) -> tuple[float, int]:
    """Relative variation (std / mean) of the frames above `level` x peak, and their count."""
    top = s.max()
    plateau = s[s >= level * top]
    if plateau.size < 2 or top <= 0:
        return 1.0, int(plateau.size)
    return float(np.std(plateau) / np.mean(plateau)), int(plateau.size)


def compute_asymmetry(au: ActionUnits, base: str, sl: slice) -> float:
    r, left = au[f"{base}_r"][sl], au[f"{base}_l"][sl]
    tot = float(np.sum(r + left))
    return 0.0 if tot <= 1e-6 else float(abs(np.sum(r) - np.sum(left)) / tot)


def eyes_held_shut(au: ActionUnits, i: int) -> bool:
    """Whether frame `i` lies in a closure of the eyes longer than a blink (`max_blink_gap_s`).

    A laugh can squeeze the eyes shut: the cheeks took part, but their AU is unreadable with the
    lids closed (it reads 0 there), so a smile whose apex falls in such a closure is not one
    "without the eyes"."""
    if not au.blink[i]:
        return False
    a, b = i, i
    while a > 0 and au.blink[a - 1]:
        a -= 1
    while b + 1 < au.blink.size and au.blink[b + 1]:
        b += 1
    return float(au.t[b] - au.t[a]) + frame_period(au.t) > au.options.max_blink_gap_s


def eye_involvement(au: ActionUnits, sl: slice, apex: int) -> float:
    """How far the cheeks (AU6) joined the smile (AU12): their ratio at the apex, or, when the
    lids are closed there (a blink: the cheeks cannot be read under them), at the nearest frame
    with the eyes open where the smile still stands at half its apex level or more."""
    i = apex
    if au.blink[apex]:
        frames = np.arange(sl.start, sl.stop)
        ok = ~au.blink[sl] & (au["AU12"][sl] >= 0.5 * float(au["AU12"][apex]))
        if ok.any():
            i = int(frames[ok][np.argmin(np.abs(frames[ok] - apex))])
    return float(au["AU6"][i]) / max(float(au["AU12"][i]), 1e-6)


def detect_posed_cues(*, expression: str, t: np.ndarray, s: np.ndarray, au: ActionUnits,
                      sl: slice, apex: int, options: PosedOptions) -> tuple[PosedCue, ...]:
    """Cues of a put-on display in one held episode: score s (m,) over frames `sl`."""
    cues: list[PosedCue] = []
    onset = compute_rise_time(t, s)
    if onset < options.abrupt_onset_s:
        cues.append(PosedCue("abrupt_onset", round(onset, 3), options.abrupt_onset_s, "s",
                             "came on faster than felt expressions usually do"))
    offset = compute_rise_time(t[::-1] * -1, s[::-1])
    if offset < options.abrupt_offset_s:
        cues.append(PosedCue("abrupt_offset", round(offset, 3), options.abrupt_offset_s, "s",
                             "went off faster than felt expressions usually do"))
    var, n_plateau = compute_plateau_variation(s)
    frame = frame_period(t)
    if n_plateau * frame >= 0.5 and var < options.flat_plateau:
        cues.append(PosedCue("flat_plateau", round(var, 3), options.flat_plateau, "ratio",
                             "held at one level like a mask"))
    if expression != "contempt":
        asym = compute_asymmetry(au, SIDE_PAIRS[expression], sl)
        if asym > options.asymmetry:
            cues.append(PosedCue("asymmetry", round(asym, 3), options.asymmetry, "ratio",
                                 "one side of the face moved more than the other"))
    if expression == "happiness" and not eyes_held_shut(au, apex):
        eyes = eye_involvement(au, sl, apex)
        if eyes < options.eye_involvement:
            cues.append(PosedCue("no_eye_involvement", round(eyes, 3), options.eye_involvement,
                                 "ratio", "the cheeks and eyes did not join the smile"))
    duration = float(t[-1] - t[0]) + frame
    if duration > options.too_long_s:
        cues.append(PosedCue("too_long", round(duration, 2), options.too_long_s, "s",
                             "held longer than felt expressions usually last"))
    return tuple(cues)


def detect_regions(au: ActionUnits, apex: int, *, level: float = 0.2) -> tuple[str, ...]:
    moved = {AU_REGION[n] for n in AU_REGION if au[n][apex] >= level}
    return tuple(r for r in REGIONS if r in moved)


def classify_episode(*, expression: str, t: np.ndarray, s: np.ndarray, au: ActionUnits,
                     first: int, apex: int, last: int, side_track: np.ndarray, noise: float,
                     options: SpotOptions) -> Event:
    """An Event from one spotted interval (frame indices first..last inclusive, apex)."""
    frame = frame_period(t)
    start_s = float(t[first]) - 0.5 * frame
    end_s = float(t[last]) + 0.5 * frame
    duration = end_s - start_s
    kind = "leak" if duration < options.leak_max_s else "held"
    micro = kind == "leak" and duration <= options.micro_max_s
    sl = slice(first, last + 1)
    cues: tuple[PosedCue, ...] = ()
    if kind == "held" and expression != UNNAMED:
        cues = detect_posed_cues(expression=expression, t=t[sl], s=s[sl], au=au, sl=sl,
                                 apex=apex, options=options.posed)
    lean = float(np.mean(side_track[sl]))
    side = "both"
    if expression == "contempt" or abs(lean) > 0.6:
        side = "left" if lean > 0 else "right"
    peak = float(s[apex])
    confidence = float(np.clip(1.0 - np.exp(-(peak / max(noise, 1e-3)) / 8.0), 0.0, 1.0))
    evidence = {n: float(au[n][apex]) for n in AU_REGION if au[n][apex] >= 0.1}
    strongest = {n: max(float(au[c][apex]) for c in (f"{n}_r", f"{n}_l", n) if c in au.names)
                 for n in AU_REGION}
    return Event(start_s=start_s, apex_s=float(t[apex]), end_s=end_s, expression=expression,
                 kind=kind, micro=micro, intensity=float(min(1.0, peak)), side=side,
                 posed_cues=cues, regions=detect_regions(au, apex), confidence=confidence,
                 evidence=evidence, description=describe_movement(strongest))
