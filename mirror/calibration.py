"""Is a calibration clip a calm, neutral face? The one quality gate that `mirror calibrate` and the
app's calibration both pass a clip through before anything is stored.

A neutral baseline is only as good as the face it was measured on: a smile, a frown or a talking
mouth taken as "neutral" hides that expression in every later rehearsal. The check is absolute
(expression blendshapes are near zero on a relaxed face), not relative to the clip itself, which
would call any face held for five seconds neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirror.errors import InputError
from mirror.tracks import BLENDSHAPE_NAMES, FaceTracks

FACE_MIN = 0.8  # share of frames that must show a face
CALM_LEVEL = 0.6  # a frame is relaxed when every expression blendshape stays below this
CALM_MIN = 0.8  # share of the face frames that must be relaxed
# The blendshapes that rise with an expression or with talking, and what each looks like. The
# eye squints are left out: many relaxed faces (and glasses) rest with them well above zero.
MOVEMENTS = {
    "mouthSmile": "mouth corners pulled up", "browDown": "frowning", "browInnerUp": "brows raised",
    "browOuterUp": "brows raised", "jawOpen": "mouth open",
    "mouthFrown": "mouth corners pulled down", "mouthUpperUp": "upper lip raised",
    "mouthStretch": "lips stretched", "mouthPress": "lips pressed", "mouthDimple": "dimpling",
    "mouthPucker": "lips pushed out", "mouthFunnel": "lips pushed out",
    "mouthShrugLower": "chin pushed up", "mouthShrugUpper": "upper lip pushed up",
}
_CHANNELS = [i for i, n in enumerate(BLENDSHAPE_NAMES)
             if n.removesuffix("Left").removesuffix("Right") in MOVEMENTS]


class CalibrationRejected(InputError):
    """The clip is not a calm, neutral face: nothing was stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"calibration refused, nothing stored: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class CalibrationCheck:
    ok: bool
    face_ratio: float  # frames with a face / all frames
    calm_ratio: float  # relaxed frames / frames with a face
    movement: str  # what moved most, in words ("smiling"); "" when calm
    reason: str  # one line: why the clip was refused, or what was measured when it passed


def check_calibration(tracks: FaceTracks) -> CalibrationCheck:
    """Check a calibration clip's face tracks: a face in most frames, relaxed in most of them."""
    n = max(tracks.n, 1)
    face_ratio = float(tracks.found.sum()) / n
    if face_ratio < FACE_MIN:
        return CalibrationCheck(False, face_ratio, 0.0, "", (
            f"the face was visible in only {face_ratio:.0%} of the clip: sit facing the camera, "
            "well lit, and try again"))
    bs = np.nan_to_num(tracks.blendshapes[tracks.found][:, _CHANNELS].astype(np.float64))
    calm = bs.max(axis=1) < CALM_LEVEL
    calm_ratio = float(calm.mean())
    if calm_ratio >= CALM_MIN:
        return CalibrationCheck(True, face_ratio, calm_ratio, "", (
            f"face visible in {face_ratio:.0%} of the clip and relaxed in {calm_ratio:.0%}"))
    name = BLENDSHAPE_NAMES[_CHANNELS[int(np.argmax(np.median(bs[~calm], axis=0)))]]
    movement = MOVEMENTS[name.removesuffix("Left").removesuffix("Right")]
    return CalibrationCheck(False, face_ratio, calm_ratio, movement, (
        f"not a calm, neutral face: relaxed in only {calm_ratio:.0%} of the clip (mostly "
        f"{movement}); keep still with a relaxed face, do not talk, and try again"))


def require_calm_face(tracks: FaceTracks) -> CalibrationCheck:
    """The check, or CalibrationRejected with its one-line reason."""
    check = check_calibration(tracks)
    if not check.ok:
        raise CalibrationRejected(check.reason)
    return check


def calibrate_from(session_dir: str | Path, *, profile: str | None = None) -> Path:
    """Store the baseline measured from a calibration recording and return where. A refused clip
    stores nothing and is deleted (a face video, of no use now): CalibrationRejected."""
    from mirror import pipeline
    from mirror.session import delete_session

    try:
        return pipeline.store_calibration(session_dir, profile=profile)
    except CalibrationRejected:
        delete_session(session_dir)
        raise
