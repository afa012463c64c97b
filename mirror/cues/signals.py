"""Per-frame signals for the cues (pure): gaze, head roll, pitch, and face tension.

Gaze is the eyes' direction in the head (iris centre against the eye corners, in the face frame
of `mirror.face.features`, in eye widths) plus the head's own turn (pose yaw and pitch), both
relative to where the person looks at rest (the median of the recording), in degrees. Positive
`h` is towards the person's own left, positive `v` is down.
"""

from __future__ import annotations

import numpy as np

from mirror.face import features as F
from mirror.face.gaze import (
    VERTICAL_GAIN,
    compute_eye_gaze,
    eye_to_degrees,
    landmark_points,
    relative_to_rest,
)
from mirror.signal import dilate, fill_gaps, rolling
from mirror.tracks import FaceTracks

# The face model's own gaze blendshapes (eyeLookDown / eyeLookUp) see vertical gaze better than
# its iris points: the vertical gaze is a mix of both, the blendshapes scaled so that a change of
# 0.2 reads as 10 degrees.
LOOK_DEGREES = 50.0
VERTICAL_MIX = 0.5


def compute_look_down(tracks: FaceTracks) -> np.ndarray:
    """(n,) the gaze blendshapes' downward reading: eyeLookDown minus eyeLookUp, both eyes."""
    down = tracks.bs("eyeLookDownLeft") + tracks.bs("eyeLookDownRight")
    up = tracks.bs("eyeLookUpLeft") + tracks.bs("eyeLookUpRight")
    return np.asarray(0.5 * (down - up), dtype=np.float64)


# A full brow raise lifts the brows this far above the eye corners (inter-ocular distances; the
# same full scale as the action units' brow geometry).
BROW_FULL_RAISE = 0.07
BROW_MEASURES = (("brow_in_r", "brow_in_l"), ("brow_out_r", "brow_out_l"))


def compute_brow_raise(tracks: FaceTracks, ok: np.ndarray, *, rest_frames: int) -> np.ndarray:
    """(n,) the brows' rise above where they rest, from the landmarks alone, in full raises:
    the lesser of the inner and the outer brows (each the mean of both sides), each relative to
    its rolling median over `rest_frames` (where this person's brows usually are).

    The face model's brow blendshapes stay near zero on some faces (upscaled or low-contrast
    ones) while the brows' landmarks rise plainly; this view does not depend on them."""
    parts = []
    for right, left in BROW_MEASURES:
        x = 0.5 * (tracks.geo(right) + tracks.geo(left)).astype(np.float64)
        x = fill_gaps(tracks.t, x, ~ok | np.isnan(x), max_gap_s=0.2)
        rest = rolling(x, frames=max(3, rest_frames | 1), fn="median")
        parts.append((x - rest) / BROW_FULL_RAISE)
    return np.asarray(np.nan_to_num(np.minimum(*parts)))


# Pressed lips lose this much of their red height (inter-ocular distances; the action units'
# full scale for lip thinning).
LIP_FULL_THINNING = 0.08


def compute_lip_thinning(tracks: FaceTracks, ok: np.ndarray, *, rest_frames: int) -> np.ndarray:
    """(n,) how much thinner the lips' red is than where it rests (its rolling median over
    `rest_frames`), in full presses, from the landmarks alone: on faces whose mouthPress
    blendshapes stay near zero the lips still thin plainly as they press."""
    x = tracks.geo("lip_thickness").astype(np.float64)
    x = fill_gaps(tracks.t, x, ~ok | np.isnan(x), max_gap_s=0.2)
    rest = rolling(x, frames=max(3, rest_frames | 1), fn="median")
    return np.asarray(np.nan_to_num((rest - x) / LIP_FULL_THINNING))


def compute_head_roll(tracks: FaceTracks) -> np.ndarray:
    """(n,) degrees: the eye line's angle in the image; positive = tilted to the person's left.

    In a camera image the person's left eye is on the right; a tilt to their left lowers it.
    """
    pts = landmark_points(tracks, (F.R_EYE_OUT, F.L_EYE_OUT))
    d = pts[:, 1] - pts[:, 0]
    return np.degrees(np.arctan2(d[:, 1], d[:, 0]))


def eyes_closed(tracks: FaceTracks, ok: np.ndarray, *, ratio: float = 0.5) -> np.ndarray:
    """(n,) bool: both eyes half shut or more (aperture below `ratio` of its usual), widened by
    two frames: the iris landmarks sink as the lids cover them. Looking down lowers the lids
    too, but less."""
    a = np.fmax(tracks.geo("eye_open_r"), tracks.geo("eye_open_l")).astype(np.float64)
    usual = np.nanmedian(a[ok]) if ok.any() else np.nan
    return dilate(np.nan_to_num(a / usual, nan=1.0) < ratio, before=2, after=2)


def compute_gaze(tracks: FaceTracks, ok: np.ndarray, blink: np.ndarray, *,
                 yaw_sign: float = 1.0, pitch_sign: float = 1.0, max_gap_s: float = 0.4
                 ) -> dict[str, np.ndarray]:
    """Gaze relative to rest (degrees, (n,) each): eye_h, eye_v, head_h, head_v, h, v.

    Blinks (the iris landmarks jump while the lids close) are bridged by interpolation, up to
    `max_gap_s` (a blink with the irises' settling after it). The
    signs map MediaPipe's yaw and pitch onto "towards the person's left" and "down" (measured:
    yaw follows the nose tip's image offset with r = 0.98, pitch its drop towards the chin).
    """
    eh, ev = compute_eye_gaze(tracks)
    eye_h = eye_to_degrees(relative_to_rest(eh, ok & ~blink))
    iris_v = eye_to_degrees(VERTICAL_GAIN * relative_to_rest(ev, ok & ~blink))
    look_v = LOOK_DEGREES * relative_to_rest(compute_look_down(tracks), ok & ~blink)
    eye_v = VERTICAL_MIX * iris_v + (1.0 - VERTICAL_MIX) * look_v
    head_h = yaw_sign * relative_to_rest(tracks.pose[:, 0].astype(np.float64), ok)
    head_v = pitch_sign * relative_to_rest(tracks.pose[:, 1].astype(np.float64), ok)
    bad = ~ok | blink
    out = {"eye_h": eye_h, "eye_v": eye_v, "head_h": head_h, "head_v": head_v}
    out = {k: fill_gaps(tracks.t, v, bad | np.isnan(v), max_gap_s=max_gap_s)
           for k, v in out.items()}
    out["h"] = out["eye_h"] + out["head_h"]
    out["v"] = out["eye_v"] + out["head_v"]
    return out
