"""The person's own neutral face: a calibration when there is one, else estimated robustly.

Estimation: among frames with a face and an ordinary head pose, score every frame by how far it
stands from the recording's median (in units of each measure's spread) and by how active its
expression blendshapes are in absolute terms (they are near zero on a relaxed face); the neutral
is the median of the calmest 40 % of frames. A rehearsal spends most of its time near neutral;
the absolute term keeps a short clip that is mostly one smile from taking the smile as neutral,
and counts open lips as activity (a neutral face rests with the lips closed, not mid-word).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.signal import robust_spread
from mirror.tracks import BS, FaceTracks

# Blendshapes that are near zero on a relaxed face and rise with an expression.
EXPRESSIVE = tuple(BS[n] for n in (
    "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "jawOpen", "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight",
    "mouthUpperUpLeft", "mouthUpperUpRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthPressLeft", "mouthPressRight", "mouthDimpleLeft", "mouthDimpleRight", "mouthPucker",
    "mouthFunnel", "mouthShrugLower", "mouthShrugUpper", "eyeSquintLeft", "eyeSquintRight",
))

# Blendshapes MediaPipe reads at (nearly) zero on every relaxed face, whatever its shape (at most
# 0.06 on each of the 27 faces of the foreign, GRID and real clips; the brows, the squint and the
# jaw rest anywhere from 0 to 0.96), with what a neutral estimate above NOT_RELAXED shows.
AT_REST_ZERO = {"mouthSmile": "smiling", "mouthFrown": "with the mouth corners pulled down",
                "mouthUpperUp": "with the upper lip raised", "mouthStretch": "with the lips stretched"}
NOT_RELAXED = 0.25


@dataclass(frozen=True)
class Neutral:
    """Neutral values of the blendshapes (52,) and geometry (G,), with their robust spread."""

    blendshapes: np.ndarray
    geometry: np.ndarray
    blendshape_spread: np.ndarray
    geometry_spread: np.ndarray
    pose: np.ndarray  # (6,) the usual head pose
    frame_index: int  # the frame closest to neutral (for a reference picture), -1 if none
    source: str  # "calibration" | "estimated"

    def to_json(self) -> dict[str, object]:
        return {
            "blendshapes": self.blendshapes.round(5).tolist(),
            "geometry": self.geometry.round(5).tolist(),
            "blendshape_spread": self.blendshape_spread.round(5).tolist(),
            "geometry_spread": self.geometry_spread.round(5).tolist(),
            "pose": self.pose.round(3).tolist(),
            "source": self.source,
        }


def usable_frames(tracks: FaceTracks, *, max_turn_deg: float = 25.0) -> np.ndarray:
    """(n,) bool: a face was found and the head is not turned far from its usual pose."""
    ok = tracks.found.copy()
    if not ok.any():
        return ok
    pose0 = np.nanmedian(tracks.pose[ok, :3], axis=0)
    dev = np.nan_to_num(np.abs(tracks.pose[:, :3] - pose0), nan=180.0)
    return ok & (dev.max(axis=1) <= max_turn_deg)


def estimate_neutral(tracks: FaceTracks, *, calm_fraction: float = 0.4) -> Neutral | None:
    """Neutral face estimated from the recording; None when no usable face frame exists."""
    ok = usable_frames(tracks)
    if ok.sum() < 3:
        return None
    bs = tracks.blendshapes[ok].astype(np.float64)
    geo = tracks.geometry[ok].astype(np.float64)
    feats = np.concatenate([bs, geo], axis=1)
    med = np.nanmedian(feats, axis=0)
    spread = np.maximum(robust_spread(feats, axis=0), 1e-4)
    dev = np.nanmean(np.abs(feats - med) / spread, axis=1)
    mouth = geo[:, tracks.geometry_names.index("mouth_open")]
    mouth_gap = np.clip((mouth - np.nanquantile(mouth, 0.05)) / 0.25, 0.0, None)
    activity = np.nansum(bs[:, list(EXPRESSIVE)], axis=1) + np.nan_to_num(mouth_gap)
    rank = activity + 0.05 * dev
    calm = rank <= np.nanquantile(rank, calm_fraction)
    if calm.sum() < 3:
        calm = np.ones_like(calm)
    first = np.nanmedian(feats[calm], axis=0)
    spread_calm = np.maximum(robust_spread(feats[calm], axis=0), 1e-4)
    # Re-centre: the frames closest to that first estimate, whatever their noise, so that
    # choosing frames by low activity does not bias the neutral below the resting face.
    dev2 = np.nanmean(np.abs(feats - first) / spread_calm, axis=1)
    near = dev2 <= np.nanquantile(dev2, 0.5)
    neutral = np.nanmedian(feats[near], axis=0)
    spread_calm = np.maximum(robust_spread(feats[near], axis=0), 1e-4)
    best = int(np.flatnonzero(ok)[int(np.nanargmin(dev2))])
    nb = bs.shape[1]
    return Neutral(
        blendshapes=neutral[:nb], geometry=neutral[nb:],
        blendshape_spread=spread_calm[:nb], geometry_spread=spread_calm[nb:],
        pose=np.nanmedian(tracks.pose[ok], axis=0), frame_index=best, source="estimated",
    )


def neutral_from_json(d: dict[str, object]) -> Neutral:
    arr = {k: np.asarray(d[k], np.float64) for k in
           ("blendshapes", "geometry", "blendshape_spread", "geometry_spread", "pose")}
    return Neutral(frame_index=-1, source="calibration", **arr)


def not_relaxed(neutral: Neutral) -> str:
    """What an estimated neutral face shows that a relaxed face does not ("smiling"), or "".

    A recording with no relaxed stretch at all (a smile or a laugh throughout, a hand over the
    mouth) yields a "neutral" that is itself an expression; every expression is measured against
    it, so that one is hidden and others are misread (a laugh against a smiling neutral shows a
    raised upper lip without a smile: disgust)."""
    worst, what = NOT_RELAXED, ""
    for base, words in AT_REST_ZERO.items():
        for side in ("Left", "Right"):
            level = float(neutral.blendshapes[BS[base + side]])
            if level > worst:
                worst, what = level, words
    return what
