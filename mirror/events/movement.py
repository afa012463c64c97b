"""Facial movement before any name (pure): what moved, how strongly, in words.

The spotter looks for episodes in two tracks at once: each emotion's score over its threshold,
and the strongest single action unit over a clear-movement level (`MOVE_LEVEL`). An episode
whose evidence fits no emotion's prototype is still reported, as an unnamed movement described
by its action units ("lips pushed forward and upper lip raised"), never dropped because no
prototype fired; the whole mouth pulled to one side, which no action unit codes, is described
too ("mouth pulled to one side"). Some movements are not counted here, as SCIENCE.md says they
are not expressions: the jaw and the lips' rounding (speech), any mouth shape while talking that
no prototype explains, and the brows raised alone (a conversational signal on a stressed word;
the cues report brow flashes).
"""

from __future__ import annotations

import numpy as np

from mirror.expressions.actions import AU_REGION, ActionUnits
from mirror.signal import rolling, window_frames

MOVE_LEVEL = 0.5  # half a full action unit: a movement anyone would see
# An unnamed movement lasts at least this long: it has one action unit's strength for itself,
# where a named flash has its prototype's several (a shorter one is a tail or noise).
MOVEMENT_MIN_S = 0.1
# Action units that can start an unnamed episode: not the brows raised alone, not the jaw, not
# the lips pushed forward or rounded (the articulators of "oo" and "w"), not the chin pushed up
# with the lips pressed (the closure of "m", "b", "p", and after a phrase; the cues report a
# lip press on its own), not the eyes narrowing alone (a blink's tail, a smile's eyes, a bright
# screen: the tension cue reports a face that tightens), not the upper lids alone (a glance moves
# the lid over the iris: the gaze cue reports it).
MOVEMENT_AUS = ("AU4", "AU4k", "AU9", "AU10", "AU12", "AU14", "AU15", "AU20", "AU23", "sideways")
AU_WORDS = {
    "AU1": "inner brows raised", "AU2": "outer brows raised", "AU4": "brows lowered",
    "AU4k": "brows drawn together", "AU5": "upper lids raised", "AU6": "cheeks raised",
    "AU7": "lids tightened", "AU9": "nose wrinkled", "AU10": "upper lip raised",
    "AU12": "lip corners pulled up", "AU12d": "one lip corner pulled up",
    "AU14": "mouth corners dimpled",
    "AU15": "lip corners pulled down", "AU17": "chin raised", "AU18": "lips pushed forward",
    "AU20": "lips stretched", "AU22": "lips funnelled", "AU23": "lips tightened",
    "AU24": "lips pressed", "AU26": "jaw dropped", "sideways": "mouth pulled to one side",
}
# Pairs said as one ("brows raised", not "inner brows raised and outer brows raised").
JOINED = {("AU1", "AU2"): "brows raised", ("AU4", "AU4k"): "brows lowered and drawn together"}


def movement_levels(au: ActionUnits) -> np.ndarray:
    """(len(MOVEMENT_AUS), n) each action unit's movement, in units of `MOVE_LEVEL` (1 = a clear
    one).

    Each action unit is taken on its stronger side, so a one-sided pull counts in full. While
    the person talks, mouth and nose units alone do not count: a mouth shape that no emotion's
    prototype explains is a speech movement (SCIENCE.md), however large."""
    # the mouth settles within 0.5 s of talking
    near_speech = rolling(au.talking, frames=window_frames(au.t, 1.0), fn="max")
    cols = []
    for name in MOVEMENT_AUS:
        level = au.stronger_side(name)
        if AU_REGION[name] in ("mouth", "nose"):  # a mouth shape while talking is speech
            level = level * (1.0 - near_speech)
        cols.append(np.where(au.reliable, level, 0.0) / MOVE_LEVEL)
    return np.stack(cols)


def compute_movement(au: ActionUnits) -> np.ndarray:
    """(n,) the strongest movement of each frame (`movement_levels`' largest)."""
    return np.asarray(np.max(movement_levels(au), axis=0))


def describe_movement(levels: dict[str, float], *, floor: float = 0.15, most: int = 3) -> str:
    """The action units at or above `floor` (AU name -> level at the apex), strongest first, in
    words: "brows raised and lips stretched". Empty when nothing reaches the floor."""
    moved = {k: v for k, v in levels.items() if k in AU_WORDS and v >= floor}
    phrases: list[tuple[float, str]] = []
    for (a, b), words in JOINED.items():
        if a in moved and b in moved:
            phrases.append((max(moved.pop(a), moved.pop(b)), words))
    phrases += [(v, AU_WORDS[k]) for k, v in moved.items()]
    top = [w for _, w in sorted(phrases, key=lambda p: -p[0])[:most]]
    if len(top) <= 1:
        return "".join(top)
    return ", ".join(top[:-1]) + " and " + top[-1]
