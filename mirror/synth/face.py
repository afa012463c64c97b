"""The base face: the astronaut photo (scikit-image, public domain) made neutral and framed.

She smiles with her teeth showing in the photo. The smile is warped away (lip corners in and
down, lips closed over the teeth, cheeks down) with an exact piecewise-affine warp, the frame is
cropped like a webcam (640x480, face about 45 % of the height), and the real FaceLandmarker is
run on the result to get the neutral landmarks that the action units move.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mirror.face.native import native_logs_silenced
from mirror.synth import landmarks as L
from mirror.synth.aus import spread
from mirror.synth.mp_runner import FaceReading, create_landmarker, read_face

FRAME_W, FRAME_H = 640, 480
SOURCE_SCALE = 2.0


@dataclass(frozen=True)
class BaseFace:
    """The neutral face image (H, W, 3) RGB uint8, its landmarks (478, 3) in pixels, and how
    MediaPipe read it (blendshapes of the neutral base, and of the original photo)."""

    image: np.ndarray
    landmarks: np.ndarray
    blendshapes: dict[str, float]
    photo_blendshapes: dict[str, float]


def compute_neutralizing_displacement(pts: np.ndarray, *, inward: float = 0.08,
                                      down: float = 0.18) -> np.ndarray:
    """Pixel displacements (478, 2) that take the smiling photo's landmarks to a neutral face."""
    frame = L.compute_face_frame(pts)
    f = frame.to_face(pts)
    d = np.zeros_like(f)
    lips = sorted(set(L.LIPS_UPPER_OUTER + L.LIPS_LOWER_OUTER + L.LIPS_UPPER_INNER
                      + L.LIPS_LOWER_INNER + L.LIPS_UPPER_MID + L.LIPS_LOWER_MID))
    cx = (f[L.MOUTH_RIGHT, 0] + f[L.MOUTH_LEFT, 0]) / 2
    half = (f[L.MOUTH_LEFT, 0] - f[L.MOUTH_RIGHT, 0]) / 2
    xn = (f[lips, 0] - cx) / half
    d[lips, 0] = -inward * xn
    d[lips, 1] = down * xn**2
    # Close the lips: the upper lip comes down most of the way, the lower one up the rest.
    up_in, lo_in = np.array(L.LIPS_UPPER_INNER), np.array(L.LIPS_LOWER_INNER)
    gap = f[lo_in, 1] - f[up_in, 1]
    order = np.argsort(f[up_in, 0])
    gx, gg = f[up_in, 0][order], np.maximum(gap[order] - 0.004, 0)
    corners = {61, 291, 78, 308}
    upper = sorted(set(L.LIPS_UPPER_OUTER + L.LIPS_UPPER_INNER + L.LIPS_UPPER_MID) - corners)
    lower = sorted(set(L.LIPS_LOWER_OUTER + L.LIPS_LOWER_INNER + L.LIPS_LOWER_MID) - corners)
    d[upper, 1] += 0.65 * np.interp(f[upper, 0], gx, gg)
    d[lower, 1] -= 0.35 * np.interp(f[lower, 0], gx, gg)
    # Cheeks and lower lids down a little (undo the cheek raise of the smile).
    cheeks = np.array([50, 280, 101, 330, 36, 266, 205, 425, 117, 346, 118, 347, 119, 348,
                       100, 329, 47, 277, 123, 352, 187, 411])
    d[cheeks, 1] += 0.05
    lids = np.array(L.RIGHT_EYE_LOWER[1:-1] + L.LEFT_EYE_LOWER[1:-1])
    d[lids, 1] += 0.012
    # Everything else near the mouth follows smoothly.
    moved = np.array(sorted(set(lips) | set(cheeks.tolist())))
    rest = np.setdiff1d(np.arange(len(f)), np.concatenate([moved, lids]))
    d[rest] = spread(f[rest], f[moved], d[moved], sigma=0.12, floor=0.6)
    return frame.vec_to_px(d)


def frame_photo(photo: np.ndarray, pts: np.ndarray, *, scale: float = SOURCE_SCALE
                ) -> tuple[np.ndarray, np.ndarray]:
    """Scale the photo by `scale` and crop a webcam frame around the face.

    Returns the frame (480, 640, 3) and the landmarks (n, 2) moved into it."""
    centre = pts[:, :2].mean(axis=0) * scale
    x0 = round(centre[0] - FRAME_W / 2)
    y0 = round(centre[1] - FRAME_H * 0.47)
    m = np.array([[scale, 0, -x0], [0, scale, -y0]], dtype=np.float64)
    framed = cv2.warpAffine(photo, m, (FRAME_W, FRAME_H), flags=cv2.INTER_CUBIC,
                            borderMode=cv2.BORDER_REFLECT)
    return framed, pts[:, :2] * scale - [x0, y0]


FACE_SPAN = 0.45  # the landmark mesh's height in the frame, as in the default base face


def base_face_from_image(image: np.ndarray, model_path: Path) -> BaseFace:
    """Another face for the generator: a photo or video frame (RGB) of a face at rest, framed
    like the default base (640x480, the mesh FACE_SPAN of the height), read by the real
    FaceLandmarker. Nothing is neutralised: the image should show a relaxed, closed mouth.
    ValueError when no face is found."""
    def framed(photo: np.ndarray, pts: np.ndarray) -> np.ndarray:
        span = float(np.ptp(pts[:, 1]))
        return frame_photo(photo, pts, scale=FACE_SPAN * FRAME_H / span)[0]

    with native_logs_silenced():
        return _read_base_face(np.ascontiguousarray(image), model_path, framed, "the image")


def warp_exact(image: np.ndarray, src_pts: np.ndarray, dst_pts: np.ndarray) -> np.ndarray:
    """Exact piecewise-affine warp moving `src_pts` to `dst_pts` (frame corners fixed)."""
    from skimage.transform import PiecewiseAffineTransform, warp

    from mirror.synth.warp import border_anchors

    h, w = image.shape[:2]
    anchors = border_anchors(w, h, per_side=8, margin=0.0)
    t = PiecewiseAffineTransform.from_estimate(np.concatenate([dst_pts, anchors]),
                                               np.concatenate([src_pts, anchors]))
    out = warp(image, t, output_shape=(h, w), order=1, preserve_range=True)
    return np.clip(out, 0, 255).astype(np.uint8)


def paint_lip_seam(image: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Draw the dark line where the closed lips meet (soft, 1-2 px)."""
    seam = (pts[list(L.LIPS_UPPER_INNER)] + pts[list(L.LIPS_LOWER_INNER)]) / 2
    overlay = image.copy()
    line = np.round(seam * 16).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(overlay, [line], False, (110, 45, 50), 2, cv2.LINE_AA, shift=4)
    return cv2.addWeighted(overlay, 0.6, image, 0.4, 0)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mirror" / "synth"


def build_base_face(model_path: Path) -> BaseFace:
    """Make the neutral base face (about 1 s)."""
    from skimage import data

    photo = np.ascontiguousarray(data.astronaut())
    with native_logs_silenced():
        return _read_base_face(photo, model_path)


def _neutralised(photo: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The astronaut framed, her smile warped away and the lip seam drawn."""
    framed, moved = frame_photo(photo, pts)
    dst = moved + compute_neutralizing_displacement(moved)
    return paint_lip_seam(warp_exact(framed, moved, dst), dst)


def _read_base_face(photo: np.ndarray, model_path: Path,
                    make: Callable[[np.ndarray, np.ndarray], np.ndarray] = _neutralised,
                    what: str = "the astronaut photo") -> BaseFace:
    """Read the face in `photo`, make the base image from it (`make(photo, landmarks)`) and
    read that again; ValueError when either has no face."""
    landmarker = create_landmarker(model_path, video=False)
    try:
        first = read_face(landmarker, photo)
        if first is None:
            raise ValueError(f"no face found in {what}")
        image = make(photo, first.landmarks)
        reading: FaceReading | None = read_face(landmarker, image)
        if reading is None:
            raise ValueError(f"no face found in the base made from {what}")
    finally:
        landmarker.close()  # type: ignore[attr-defined]
    return BaseFace(image=image, landmarks=reading.landmarks, blendshapes=reading.blendshapes,
                    photo_blendshapes=first.blendshapes)


BASE_VERSION = 2


def load_base_face(model_path: Path) -> BaseFace:
    """The neutral base face, from the user cache (keyed by model sha and BASE_VERSION) or built."""
    from mirror.face.model import sha256_of

    key = f"base-v{BASE_VERSION}-{sha256_of(model_path)[:16]}.npz"
    path = cache_dir() / key
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                names = [str(n) for n in z["bs_names"]]
                return BaseFace(
                    image=z["image"], landmarks=z["landmarks"],
                    blendshapes=dict(zip(names, z["bs"].tolist(), strict=True)),
                    photo_blendshapes=dict(zip(names, z["photo_bs"].tolist(), strict=True)),
                )
        except (OSError, KeyError, ValueError):
            pass
    base = build_base_face(model_path)
    names = sorted(base.blendshapes)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, image=base.image, landmarks=base.landmarks,
                        bs_names=np.array(names), bs=np.array([base.blendshapes[n] for n in names]),
                        photo_bs=np.array([base.photo_blendshapes.get(n, 0.0) for n in names]))
    tmp.replace(path)
    return base
