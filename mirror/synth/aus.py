"""Action units as landmark displacements, following FACS, in face units (pure).

Every function takes the neutral landmarks in face units (478, 2) (x to the subject's left, y
down, one unit = the inter-ocular distance) and returns displacements (478, 2) in face units at
full intensity. Emotions are EMFACS-style prototypes: weighted sums of action units.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mirror.synth import landmarks as L

Displacement = Callable[[np.ndarray], np.ndarray]

_LIPS_UPPER = sorted(set(L.LIPS_UPPER_OUTER + L.LIPS_UPPER_INNER + L.LIPS_UPPER_MID) - {61, 291})
_LIPS_LOWER = sorted(set(L.LIPS_LOWER_OUTER + L.LIPS_LOWER_INNER + L.LIPS_LOWER_MID) - {61, 291})
_LIPS_ALL = sorted(set(_LIPS_UPPER) | set(_LIPS_LOWER) | {61, 291})
_CHEEKS = (50, 280, 101, 330, 36, 266, 205, 425, 117, 346, 118, 347, 119, 348, 100, 329,
           123, 352, 187, 411, 116, 345, 147, 376)
_UPPER_LIDS = L.RIGHT_EYE_UPPER[1:-1] + L.LEFT_EYE_UPPER[1:-1]
_LOWER_LIDS = L.RIGHT_EYE_LOWER[1:-1] + L.LEFT_EYE_LOWER[1:-1]
_LID_CREASES = (247, 30, 29, 27, 28, 56, 190, 467, 260, 259, 257, 258, 286, 414)
_UNDER_EYES = (111, 340, 117, 346, 118, 347, 119, 348, 120, 349, 121, 350, 31, 261, 228, 448,
               229, 449, 230, 450, 231, 451, 232, 452, 233, 453, 25, 255, 110, 339, 24, 254,
               23, 253, 22, 252, 26, 256, 112, 341)
_NOSE_SIDES = (*L.NOSE_WINGS, 217, 437, 126, 355, 114, 343, 198, 420, 236, 456, 3, 248, 51, 281,
               45, 275, 220, 440, 134, 363, 131, 360, 115, 344, 188, 412, 174, 399, 196, 419)
_CHIN = (152, 175, 199, 200, 18, 171, 396, 148, 377, 32, 262, 140, 369, 208, 428, 83, 313,
         201, 421, 194, 418, 182, 406, 106, 335, 204, 424)


def spread(points: np.ndarray, anchors: np.ndarray, values: np.ndarray, *, sigma: float,
           floor: float = 0.3) -> np.ndarray:
    """Propagate `values` (k, 2) known at `anchors` (k, 2) smoothly to `points` (n, 2), fading
    to zero away from the anchors (`floor` is the weight of an implicit zero)."""
    r2 = ((points[:, None, :] - anchors[None, :, :]) ** 2).sum(axis=2)
    w = np.exp(-r2 / (2 * sigma**2))
    return (w @ values) / (w.sum(axis=1, keepdims=True) + floor)


def _finish(f: np.ndarray, d: np.ndarray, moved: list[int], *, sigma: float = 0.12,
            floor: float = 0.6, keep: tuple[int, ...] = ()) -> np.ndarray:
    """Give every landmark not in `moved` (or `keep`, which stay put) a smooth share."""
    fixed = np.zeros(len(f), dtype=bool)
    fixed[moved] = True
    fixed[list(keep)] = True
    if fixed.any() and moved:
        rest = np.flatnonzero(~fixed)
        d[rest] = spread(f[rest], f[moved], d[moved], sigma=sigma, floor=floor)
    return d


def _side_mask(f: np.ndarray, idx: list[int], side: str) -> np.ndarray:
    x = f[idx, 0]
    if side == "both":
        return np.ones(len(idx))
    return (x > 0).astype(float) if side == "left" else (x < 0).astype(float)


def _brow_points() -> list[int]:
    return list(L.RIGHT_BROW + L.LEFT_BROW)


def _innerness(f: np.ndarray, idx: list[int]) -> np.ndarray:
    """1 at the brows' inner ends, 0 at their outer ends."""
    ax = np.abs(f[idx, 0])
    return np.clip((0.95 - ax) / (0.95 - 0.2), 0, 1)


def au1(f: np.ndarray) -> np.ndarray:
    """Inner brow raiser: inner brow ends up (and slightly in), oblique brows."""
    d = np.zeros_like(f)
    b = _brow_points()
    w = _innerness(f, b) ** 1.2
    d[b, 1] = -0.16 * w
    d[b, 0] = -0.015 * np.sign(f[b, 0]) * w
    forehead = [151, 9, 108, 337, 69, 299, 104, 333, 67, 297, 109, 338, 10]
    d[forehead, 1] = -0.05 * _innerness(f, forehead)
    return _finish(f, d, b + forehead, sigma=0.1, keep=_UPPER_LIDS + L.RIGHT_IRIS + L.LEFT_IRIS)


def au2(f: np.ndarray) -> np.ndarray:
    """Outer brow raiser: outer brow ends up, arched brows."""
    d = np.zeros_like(f)
    b = _brow_points()
    w = (1 - _innerness(f, b)) ** 0.8
    d[b, 1] = -0.15 * w
    return _finish(f, d, b, sigma=0.1, keep=_UPPER_LIDS + L.RIGHT_IRIS + L.LEFT_IRIS)


def au4(f: np.ndarray, *, hold_irises: bool = True) -> np.ndarray:
    """Brow lowerer: the whole brow down (its outer part a little more, which is what
    MediaPipe's browDown follows), the inner ends drawn together, the lid folds pushed down.

    hold_irises=False lets the iris landmarks follow the lids smoothly (no fold in the mesh
    where a lid passes over an iris point; see FREE_IRIS_UNITS)."""
    d = np.zeros_like(f)
    b = _brow_points()
    inn = _innerness(f, b)
    d[b, 1] = 0.15 * (1.3 - 0.3 * inn)
    d[b, 0] = -0.05 * np.sign(f[b, 0]) * inn
    glabella = [9, 8, 168, 193, 417, 55, 285, 221, 441, 189, 413]
    d[glabella, 1] = 0.05
    d[glabella, 0] = -0.025 * np.sign(f[glabella, 0])
    creases, lids = list(_LID_CREASES), list(_UPPER_LIDS)
    d[creases, 1] = 0.1
    d[lids, 1] = 0.035 * _lid_profile(f, lids)
    irises = L.RIGHT_IRIS + L.LEFT_IRIS if hold_irises else ()
    return _finish(f, d, b + glabella + creases + lids, sigma=0.1, keep=irises + _LOWER_LIDS)


def _lid_profile(f: np.ndarray, idx: list[int]) -> np.ndarray:
    """1 over the middle of each eye, smaller at the corners."""
    centre = np.where(f[idx, 0] > 0, 0.5, -0.5)
    return np.clip(1 - ((f[idx, 0] - centre) / 0.28) ** 2, 0.15, 1)


def au5(f: np.ndarray) -> np.ndarray:
    """Upper lid raiser: upper lids up, widening the eyes."""
    d = np.zeros_like(f)
    lids = list(_UPPER_LIDS)
    d[lids, 1] = -0.085 * _lid_profile(f, lids)
    creases = list(_LID_CREASES)
    d[creases, 1] = -0.04 * _lid_profile(f, creases)
    return _finish(f, d, lids + creases, sigma=0.05, floor=0.8,
                   keep=L.RIGHT_IRIS + L.LEFT_IRIS + _LOWER_LIDS + tuple(_brow_points()))


def au6(f: np.ndarray) -> np.ndarray:
    """Cheek raiser: cheeks and lower lids up, the eyes narrow from below."""
    d = np.zeros_like(f)
    cheeks, under, lids = list(_CHEEKS), list(_UNDER_EYES), list(_LOWER_LIDS)
    d[cheeks, 1] = -0.08
    d[under, 1] = -0.06
    d[lids, 1] = -0.045 * _lid_profile(f, lids)
    d[under, 0] = 0.015 * np.sign(f[under, 0])
    return _finish(f, d, cheeks + under + lids, sigma=0.1,
                   keep=_UPPER_LIDS + L.RIGHT_IRIS + L.LEFT_IRIS + tuple(_LIPS_ALL))


def au7(f: np.ndarray, *, hold_irises: bool = True) -> np.ndarray:
    """Lid tightener: lower lids up and straightened, upper lids slightly down (hold_irises:
    as in au4)."""
    d = np.zeros_like(f)
    lo, up = list(_LOWER_LIDS), list(_UPPER_LIDS)
    d[lo, 1] = -0.05 * _lid_profile(f, lo)
    d[up, 1] = 0.02 * _lid_profile(f, up)
    return _finish(f, d, lo + up, sigma=0.05, floor=0.8,
                   keep=L.RIGHT_IRIS + L.LEFT_IRIS if hold_irises else ())


def au9(f: np.ndarray) -> np.ndarray:
    """Nose wrinkler: nose wings and sides up, upper lip up a little, inner brows down a bit."""
    d = np.zeros_like(f)
    nose = list(_NOSE_SIDES)
    d[nose, 1] = -0.075
    d[nose, 0] = 0.0
    wings = list(L.NOSE_WINGS)
    d[wings, 0] = 0.02 * np.sign(f[wings, 0])
    upper = _LIPS_UPPER
    d[upper, 1] = -0.04
    b = _brow_points()
    d[b, 1] = 0.04 * _innerness(f, b)
    bridge = [6, 197, 195, 168]
    d[bridge, 1] = -0.02
    return _finish(f, d, nose + upper + b + bridge, sigma=0.1,
                   keep=tuple(_LIPS_LOWER) + L.RIGHT_IRIS + L.LEFT_IRIS)


def au10(f: np.ndarray) -> np.ndarray:
    """Upper lip raiser: the upper lip up, most beside the centre, deepening the nasolabial fold."""
    d = np.zeros_like(f)
    upper = _LIPS_UPPER
    x = np.abs(f[upper, 0])
    d[upper, 1] = -0.12 * np.clip(1.1 - x / 0.45, 0.3, 1)
    naso = [206, 426, 203, 423, 98, 327, 97, 326, 2, 164, 167, 393, 165, 391, 92, 322]
    d[naso, 1] = -0.05
    return _finish(f, d, upper + naso, sigma=0.08, keep=(*_LIPS_LOWER, 61, 291))


def au11(f: np.ndarray) -> np.ndarray:
    """Nasolabial furrow deepener: the skin beside the nose wings and the upper lip between the
    philtrum and the corners drawn up and a little out, deepening the top of the furrow from the
    nose to the mouth corners. Weaker and more lateral than AU10; the corners and the cheeks
    beside them stay (else MediaPipe reads a smile)."""
    d = np.zeros_like(f)
    upper = _LIPS_UPPER
    x = np.abs(f[upper, 0])
    d[upper, 1] = -0.04 * np.clip(1 - np.abs(x - 0.17) / 0.12, 0, 1)
    naso = [206, 426, 203, 423, 98, 327, 36, 266]
    d[naso, 1] = -0.045
    d[naso, 0] = 0.012 * np.sign(f[naso, 0])
    still = (*_LIPS_LOWER, 61, 291, 78, 308, 57, 287, 186, 410, 92, 322, 165, 391, 216, 436,
             212, 432, 202, 422)
    return _finish(f, d, upper + naso, sigma=0.07, keep=still)


def _corner_weight(f: np.ndarray, idx: list[int], side: str) -> np.ndarray:
    """How much each landmark follows a lip corner (1 at the corner)."""
    corner = L.MOUTH_LEFT if side == "left" else L.MOUTH_RIGHT
    r2 = ((f[idx] - f[corner]) ** 2).sum(axis=1)
    return np.exp(-r2 / (2 * 0.16**2))


def _corner_move(f: np.ndarray, side: str, out: float, up: float, *,
                 sigma: float = 0.16) -> np.ndarray:
    """Move one lip corner `out` (away from the midline) and `up`, the lips and cheek following."""
    d = np.zeros_like(f)
    idx = [*_LIPS_ALL, *_CHEEKS, 205, 425, 206, 426, 216, 436, 207, 427, 57, 287, 43, 273, 202,
           422, 212, 432, 214, 434, 210, 430, 186, 410, 92, 322, 165, 391]
    idx = sorted(set(idx))
    s = 1.0 if side == "left" else -1.0
    w = _corner_weight(f, idx, side)
    w = np.where(np.sign(f[idx, 0]) == s, w, w * 0.25)
    d[idx, 0] = s * out * w
    d[idx, 1] = -up * w
    return _finish(f, d, idx, sigma=sigma, floor=0.8,
                   keep=L.RIGHT_IRIS + L.LEFT_IRIS + _UPPER_LIDS + _LOWER_LIDS)


def au12(f: np.ndarray, side: str = "both") -> np.ndarray:
    """Lip corner puller: corners up and out (obliquely), on one side or both."""
    if side == "both":
        return au12(f, "left") + au12(f, "right")
    return _corner_move(f, side, out=0.07, up=0.085)


def au14(f: np.ndarray, side: str = "both") -> np.ndarray:
    """Dimpler: the corner tightened inward and slightly up."""
    if side == "both":
        return au14(f, "left") + au14(f, "right")
    return _corner_move(f, side, out=-0.05, up=0.03, sigma=0.1)


def au15(f: np.ndarray) -> np.ndarray:
    """Lip corner depressor: both corners pulled down and a little out, so the mouth turns into
    an arch."""
    return _corner_move(f, "left", out=0.08, up=-0.12) + _corner_move(f, "right", out=0.08, up=-0.12)


def au17(f: np.ndarray) -> np.ndarray:
    """Chin raiser: the chin boss and the lower lip pushed up."""
    d = np.zeros_like(f)
    chin, lower = list(_CHIN), _LIPS_LOWER
    d[chin, 1] = -0.05
    x = np.abs(f[lower, 0])
    d[lower, 1] = -0.035 * np.clip(1.2 - x / 0.4, 0.2, 1)
    return _finish(f, d, chin + lower, sigma=0.1, keep=tuple(_LIPS_UPPER))


def au20(f: np.ndarray) -> np.ndarray:
    """Lip stretcher: corners pulled sideways and slightly down, lips flattened."""
    d = _corner_move(f, "left", out=0.1, up=-0.08) + _corner_move(f, "right", out=0.1, up=-0.08)
    lower = list(L.LIPS_LOWER_OUTER[2:-2]) + list(L.LIPS_LOWER_INNER[2:-2])
    d[lower, 1] += 0.06
    return d


def au23(f: np.ndarray) -> np.ndarray:
    """Lip tightener: lips narrowed and thinned."""
    d = np.zeros_like(f)
    lips = _LIPS_ALL
    d[lips, 0] = -0.04 * f[lips, 0] / max(float(np.abs(f[lips, 0]).max()), 1e-6)
    up_out, lo_out = list(L.LIPS_UPPER_OUTER[1:-1]), list(L.LIPS_LOWER_OUTER[1:-1])
    d[up_out, 1] += 0.03
    d[lo_out, 1] -= 0.03
    return _finish(f, d, lips, sigma=0.08)


def au24(f: np.ndarray) -> np.ndarray:
    """Lip presser: lips pressed together, thinning the red parts."""
    d = np.zeros_like(f)
    up_out, lo_out = list(L.LIPS_UPPER_OUTER[1:-1]), list(L.LIPS_LOWER_OUTER[1:-1])
    up_mid, lo_mid = [i for i in L.LIPS_UPPER_MID if i not in (61, 291)], list(L.LIPS_LOWER_MID)
    d[up_out, 1] = 0.03
    d[up_mid, 1] = 0.015
    d[lo_out, 1] = -0.035
    d[lo_mid, 1] = -0.017
    d[[61, 291], 0] = [0.015, -0.015]
    chin = list(_CHIN)
    d[chin, 1] = -0.02
    return _finish(f, d, up_out + lo_out + up_mid + lo_mid + [61, 291] + chin, sigma=0.08)


def au25(f: np.ndarray) -> np.ndarray:
    """Lips part: the lower lip drops a little and the upper lip rises a little."""
    d = np.zeros_like(f)
    x_up = np.abs(f[_LIPS_UPPER, 0])
    x_lo = np.abs(f[_LIPS_LOWER, 0])
    d[_LIPS_UPPER, 1] = -0.02 * np.clip(1.2 - x_up / 0.4, 0.1, 1)
    d[_LIPS_LOWER, 1] = 0.06 * np.clip(1.2 - x_lo / 0.4, 0.1, 1)
    return _finish(f, d, _LIPS_ALL, sigma=0.1)


def au26(f: np.ndarray) -> np.ndarray:
    """Jaw drop: the lower lip, chin and jaw down, rotating about the jaw hinge. The mouth opens
    as a lens: most at the centre, closing towards the corners, which move down a little."""
    d = np.zeros_like(f)
    drop = 0.3
    mouth_y = float(f[[13, 14], 1].mean())
    below = np.flatnonzero(f[:, 1] > mouth_y + 0.02)
    depth = np.clip((f[below, 1] - mouth_y + 0.15) / 0.7, 0.35, 1.2)
    lateral = np.clip(1 - (np.abs(f[below, 0]) / 1.05) ** 2, 0, 1)
    d[below, 1] = drop * depth * (0.3 + 0.7 * lateral)
    cx = (f[L.MOUTH_RIGHT, 0] + f[L.MOUTH_LEFT, 0]) / 2
    half = (f[L.MOUTH_LEFT, 0] - f[L.MOUTH_RIGHT, 0]) / 2
    lower, upper = np.array(_LIPS_LOWER), np.array(_LIPS_UPPER)
    xl = np.clip((f[lower, 0] - cx) / half, -1, 1)
    xu = np.clip((f[upper, 0] - cx) / half, -1, 1)
    d[lower, 1] = drop * (1 - 0.55 * xl**2)
    d[lower, 0] = -0.04 * xl
    d[upper, 1] = 0.45 * drop * xu**6
    d[upper, 0] = -0.04 * xu
    corners = [61, 291, 78, 308]
    d[corners, 1] = 0.45 * drop
    d[corners, 0] = -0.04 * np.sign(f[corners, 0] - cx)
    moved = sorted(set(below.tolist()) | set(lower.tolist()) | set(upper.tolist()) | set(corners))
    return _finish(f, d, moved, sigma=0.1, keep=L.RIGHT_IRIS + L.LEFT_IRIS)


def au43(f: np.ndarray) -> np.ndarray:
    """Eyes closed (blinks): the lid creases come down a little and the lower lids rise a
    little. The lid itself is drawn by the renderer, which sweeps skin down over the eye."""
    d = np.zeros_like(f)
    d[list(_LOWER_LIDS), 1] = -0.01
    creases = list(_LID_CREASES)
    d[creases, 1] = 0.04 * _lid_profile(f, creases)
    moved = list(_LOWER_LIDS) + creases
    return _finish(f, d, moved, sigma=0.06, floor=0.8,
                   keep=L.RIGHT_IRIS + L.LEFT_IRIS + tuple(_brow_points()) + _UPPER_LIDS)


def lid_drop(f: np.ndarray) -> np.ndarray:
    """Upper lids lowered, as when the eyes look down (the lid follows the eye): the lid margin
    and the fold above it come down, the lower lids stay. The eye's contents (and the iris
    landmarks) follow smoothly so that the mesh does not fold; the renderer keeps the iris
    landmarks still and repaints the iris (paint.paint_gaze)."""
    d = np.zeros_like(f)
    lids, creases = list(_UPPER_LIDS), list(_LID_CREASES)
    d[lids, 1] = 0.07 * _lid_profile(f, lids)
    d[creases, 1] = 0.045 * _lid_profile(f, creases)
    return _finish(f, d, lids + creases, sigma=0.05, floor=0.8,
                   keep=_LOWER_LIDS + tuple(_brow_points()))


def _sorted_xy(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    o = np.argsort(p[:, 0])
    return p[o, 0], p[o, 1]


def lip_round(f: np.ndarray) -> np.ndarray:
    """Speech: rounded lips (o, u): the corners pulled in, the mouth outline rounder."""
    d = np.zeros_like(f)
    lips = _LIPS_ALL
    cx = (f[L.MOUTH_RIGHT, 0] + f[L.MOUTH_LEFT, 0]) / 2
    half = (f[L.MOUTH_LEFT, 0] - f[L.MOUTH_RIGHT, 0]) / 2
    xn = np.clip((f[lips, 0] - cx) / half, -1, 1)
    d[lips, 0] = -0.35 * half * xn
    bulge = 0.05 * (1 - xn**2)
    upper = np.isin(lips, _LIPS_UPPER)
    d[lips, 1] = np.where(upper, -bulge, bulge)
    return _finish(f, d, lips, sigma=0.08)


def yaw(f: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Head turn of 0.1 rad: near points (negative z) move sideways more than far ones."""
    d = np.zeros_like(f)
    d[:, 0] = -0.1 * (z - z.mean())
    return d


def pitch(f: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Head nod of 0.1 rad down: near points move down more than far ones."""
    d = np.zeros_like(f)
    d[:, 1] = -0.1 * (z - z.mean())
    return d


def compute_au_displacements(f: np.ndarray, z: np.ndarray) -> dict[str, np.ndarray]:
    """All action units (and speech/pose components) for a neutral face in face units.

    f: (478, 2) landmarks in face units; z: (478,) depth in face units (negative is nearer).
    Returns name -> (478, 2) displacement in face units at full intensity.
    """
    return {
        "AU1": au1(f), "AU2": au2(f), "AU4": au4(f), "AU5": au5(f), "AU6": au6(f),
        "AU7": au7(f), "AU9": au9(f), "AU10": au10(f), "AU11": au11(f), "AU12L": au12(f, "left"),
        "AU12R": au12(f, "right"), "AU14L": au14(f, "left"), "AU14R": au14(f, "right"),
        "AU15": au15(f), "AU17": au17(f), "AU20": au20(f), "AU23": au23(f), "AU24": au24(f),
        "AU25": au25(f), "AU26": au26(f), "AU43": au43(f), "ROUND": lip_round(f),
        "YAW": yaw(f, z), "PITCH": pitch(f, z), "LIDDROP": lid_drop(f),
        "AU4~": au4(f, hold_irises=False), "AU7~": au7(f, hold_irises=False),
    }


# Units whose warp lets the iris landmarks follow the lids (so the mesh does not fold where a
# lid passes over an iris point and the iris keeps its shape); the renderer keeps those
# landmarks still in the landmark rig. The cues use them (LIDDROP for a downward gaze, AU4~ and
# AU7~ for tension); the emotion prototypes keep AU4/AU7, so that existing clips stay exactly
# as they were.
FREE_IRIS_UNITS = ("LIDDROP", "AU4~", "AU7~")


# EMFACS-style prototypes: action unit -> weight at full intensity. `S` marks sided units.
EMOTION_AUS: dict[str, dict[str, float]] = {
    "happiness": {"AU6": 1.0, "AU12L": 1.0, "AU12R": 1.0},
    "surprise": {"AU1": 1.0, "AU2": 1.0, "AU5": 1.0, "AU26": 1.0},
    "fear": {"AU1": 1.0, "AU2": 0.6, "AU4": 0.4, "AU5": 1.0, "AU20": 1.0, "AU25": 0.6,
             "AU26": 0.35},
    "anger": {"AU4": 1.0, "AU7": 1.0, "AU23": 1.0, "AU24": 0.7},
    "disgust": {"AU9": 1.0, "AU10": 1.0, "AU15": 0.35, "AU17": 0.5},
    "sadness": {"AU1": 1.2, "AU4": 0.3, "AU15": 1.0, "AU17": 0.4},
    "contempt": {"AU12S": 0.8, "AU14S": 1.0},
}

PROTOTYPE = "prototype"

# The major variants of each emotion (FACS Investigator's Guide, Ekman, Friesen & Hager 2002,
# the EMFACS prototype and major-variant tables; docs/analysis.md "Variants of each emotion"):
# variant name -> action unit weights at full intensity, as EMOTION_AUS. "prototype" is always
# EMOTION_AUS itself (so clips made before variants existed render exactly as they did).
EMOTION_VARIANTS: dict[str, dict[str, dict[str, float]]] = {
    "happiness": {
        "no_eyes": {"AU12L": 1.0, "AU12R": 1.0},  # 12 alone
        "lips_apart": {"AU6": 1.0, "AU12L": 1.0, "AU12R": 1.0, "AU25": 0.8, "AU26": 0.15},
    },
    "surprise": {
        "no_lids": {"AU1": 1.0, "AU2": 1.0, "AU26": 1.0},  # 1+2+26
        "no_jaw": {"AU1": 1.0, "AU2": 1.0, "AU5": 1.0},  # 1+2+5B
        "no_brows": {"AU5": 1.0, "AU26": 1.0},  # 5B+26
    },
    "fear": {
        "no_stretch": {"AU1": 1.0, "AU2": 0.6, "AU4": 0.4, "AU5": 1.0, "AU25": 0.6,
                       "AU26": 0.35},  # 1+2+4+5+25+26
        "no_brows": {"AU5": 1.0, "AU20": 1.0, "AU25": 0.6},  # 5+20+25
        "brows_only": {"AU1": 1.0, "AU2": 0.6, "AU4": 0.4},  # 1+2+4
    },
    "anger": {
        "pressed": {"AU4": 1.0, "AU7": 1.0, "AU17": 0.6, "AU24": 1.0},  # 4+7+17+24
        "parted": {"AU4": 1.0, "AU7": 1.0, "AU23": 1.0, "AU25": 0.8,
                   "AU26": 0.2},  # 4+7+23+25(+26)
    },
    "disgust": {
        "nose": {"AU9": 1.0},  # 9
        "upper_lip": {"AU10": 1.0},  # 10
        "upper_lip_parted": {"AU10": 1.0, "AU25": 0.8},  # 10+25
    },
    "sadness": {
        "no_chin": {"AU1": 1.2, "AU4": 0.3, "AU15": 1.0},  # 1+4+15
        "no_brows": {"AU15": 1.0, "AU17": 0.6},  # 15+17
        "furrow": {"AU1": 1.2, "AU4": 0.3, "AU11": 1.0},  # 1+4+11
    },
    "contempt": {
        "dimpler": {"AU14S": 1.0},  # one-sided 14
        "corner": {"AU12S": 0.8},  # one-sided 12
    },
}


def emotion_variants(expression: str) -> tuple[str, ...]:
    """The variant names of an emotion, "prototype" first."""
    return (PROTOTYPE, *EMOTION_VARIANTS[expression])


def variant_aus(expression: str, variant: str = PROTOTYPE) -> dict[str, float]:
    """Action unit weights (sided units marked `S`) of one variant of an emotion."""
    if variant == PROTOTYPE:
        return EMOTION_AUS[expression]
    try:
        return EMOTION_VARIANTS[expression][variant]
    except KeyError:
        raise ValueError(f"{expression} has no variant {variant!r}; it has "
                         f"{emotion_variants(expression)}") from None


def facs_code(expression: str, variant: str = PROTOTYPE, *, with_eyes: bool = True) -> str:
    """The variant as a FACS formula, e.g. "1+2+26"; a one-sided unit is written "U14"
    (`with_eyes=False`: without AU6, as compute_emotion_weights)."""
    units = {(int(au[2:].rstrip("LRS")), "U" if au.endswith("S") else "")
             for au in variant_aus(expression, variant) if with_eyes or au != "AU6"}
    return "+".join(f"{u}{n}" for n, u in sorted(units))


SIDED = ("AU12L", "AU12R", "AU14L", "AU14R")
MIDLINE = ("AU17", "AU25", "AU26")  # the jaw and chin move as one: never split by side


def compute_emotion_weights(expression: str, *, side: str = "both", with_eyes: bool = True,
                            asymmetry: float = 0.0, variant: str = PROTOTYPE
                            ) -> dict[str, float]:
    """AU weights at full intensity for an emotion.

    `side` picks the side of contempt, and the stronger side of an asymmetric display;
    `asymmetry` in 0..1 weakens the other side (then symmetric units are split into their
    `@L` / `@R` halves); `with_eyes=False` drops AU6; `variant` picks one of the emotion's
    major variants (EMOTION_VARIANTS) instead of the prototype."""
    out: dict[str, float] = {}
    one = "left" if side == "left" else "right"
    other = "right" if one == "left" else "left"
    for au, w in variant_aus(expression, variant).items():
        if au.endswith("S"):
            out[au[:-1] + one[0].upper()] = w
        else:
            out[au] = w
    if not with_eyes:
        out.pop("AU6", None)
    if asymmetry > 0:
        weak = 1 - asymmetry
        split: dict[str, float] = {}
        for au, w in out.items():
            if au in MIDLINE:
                split[au] = w
            elif au in SIDED:
                split[au] = w * (weak if au.endswith(other[0].upper()) else 1.0)
            else:
                split[f"{au}@{one[0].upper()}"] = w
                split[f"{au}@{other[0].upper()}"] = w * weak
        out = split
    return out


def split_sides(f: np.ndarray, disp: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Left (`@L`, x > 0) and right (`@R`) halves of every symmetric unit, with a soft midline
    (they add up to the whole)."""
    left = 1 / (1 + np.exp(-f[:, 0] / 0.04))
    out: dict[str, np.ndarray] = {}
    for k, d in disp.items():
        if k in SIDED or k in MIDLINE or k in ("YAW", "PITCH") or k in FREE_IRIS_UNITS:
            continue
        out[f"{k}@L"] = d * left[:, None]
        out[f"{k}@R"] = d * (1 - left)[:, None]
    return out
