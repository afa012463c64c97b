"""Where the eyes look in the head, from the iris and eye-corner landmarks (pure).

Used by the cues (gaze aversion) and by the action units: the landmark model reads the lids from
the eye's outline, and eyes turned away in the head change that outline (looking down lowers the
upper lid, looking sideways narrows the eye), so the lid action units are not read there.
"""

from __future__ import annotations

import numpy as np

from mirror.face import features as F
from mirror.tracks import FaceTracks

# An eye is about 2.5 eyeball radii wide (palpebral fissure ~30 mm, eyeball radius ~12 mm): an
# iris displaced by `d` eye widths has turned by asin(2.5 d).
EYE_WIDTHS_PER_RADIUS = 2.5
# The lids cover the iris's top and bottom, and the model's iris centre moves about half as far
# vertically as it does sideways for the same turn (measured on generated clips: a sideways
# shift shows at 0.68 of its size, a downward one at 0.2-0.3): vertical offsets count double.
VERTICAL_GAIN = 2.0


EYE_IDS = (F.R_EYE_OUT, F.R_EYE_IN, F.L_EYE_IN, F.L_EYE_OUT, F.CHIN, F.R_IRIS, F.L_IRIS)


def landmark_points(tracks: FaceTracks, ids: tuple[int, ...]) -> np.ndarray:
    """(n, len(ids), 3) stored landmarks, isotropic (y in x's units)."""
    aspect = float(tracks.meta.get("height", 1)) / float(tracks.meta.get("width", 1) or 1)
    return F.to_isotropic(np.stack([tracks.landmark(i) for i in ids], axis=1), aspect=aspect)


def compute_eye_gaze(tracks: FaceTracks) -> tuple[np.ndarray, np.ndarray]:
    """(h, v) (n,) each: the irises' offset from the eye-corner midpoints, in eye widths.

    The mean of both eyes; h positive towards the person's left, v positive down.
    """
    pts = landmark_points(tracks, EYE_IDS)
    _, rot, _ = F.compute_face_axes(*(pts[:, k] for k in range(5)))
    x, y = rot[:, 0], rot[:, 1]
    hs, vs = [], []
    for out, inn, iris in ((0, 1, 5), (3, 2, 6)):
        mid = 0.5 * (pts[:, out] + pts[:, inn])
        width = np.linalg.norm(pts[:, out] - pts[:, inn], axis=-1)
        d = pts[:, iris] - mid
        hs.append(np.sum(d * x, axis=-1) / np.maximum(width, 1e-9))
        vs.append(np.sum(d * y, axis=-1) / np.maximum(width, 1e-9))
    return np.mean(hs, axis=0), np.mean(vs, axis=0)


def eye_to_degrees(offset: np.ndarray) -> np.ndarray:
    """Iris offsets in eye widths -> eye rotation in degrees."""
    return np.degrees(np.arcsin(np.clip(EYE_WIDTHS_PER_RADIUS * offset, -1.0, 1.0)))


def relative_to_rest(x: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """x minus its median over the usable frames (the person's rest), NaN where not usable."""
    if not ok.any():
        return np.full_like(x, np.nan, dtype=np.float64)
    return np.where(ok, x - np.nanmedian(x[ok]), np.nan)


def eye_turn(tracks: FaceTracks, ok: np.ndarray) -> np.ndarray:
    """(n,) degrees: how far the eyes are turned in the head from where they rest (the median
    over the frames `ok`), sideways and up or down together; NaN where not `ok`, and everywhere
    for tracks without the eye landmarks."""
    if not np.isin(EYE_IDS, tracks.landmark_ids).all():
        return np.full(tracks.n, np.nan)
    eh, ev = compute_eye_gaze(tracks)
    return np.hypot(eye_to_degrees(relative_to_rest(eh, ok)),
                    eye_to_degrees(VERTICAL_GAIN * relative_to_rest(ev, ok)))
