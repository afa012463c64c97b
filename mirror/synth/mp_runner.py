"""Running the real FaceLandmarker on generated images (used to build the base and to verify)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FaceReading:
    """One face as MediaPipe reads it: landmarks (478, 3) in pixels (z scaled like x), and the
    52 blendshape scores by name."""

    landmarks: np.ndarray
    blendshapes: dict[str, float]


def create_landmarker(model_path: Path, *, video: bool) -> object:
    import mediapipe as mp  # noqa: F401  (imported late: heavy)
    from mediapipe.tasks.python import vision
    from mediapipe.tasks.python.core.base_options import BaseOptions

    mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)), running_mode=mode,
        output_face_blendshapes=True, num_faces=1,
    )
    return vision.FaceLandmarker.create_from_options(options)


def read_face(landmarker: object, rgb: np.ndarray, ts_ms: int | None = None) -> FaceReading | None:
    """Run `landmarker` on an RGB uint8 image (H, W, 3); None when no face is found."""
    import mediapipe as mp

    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
    lm: Any = landmarker
    result = lm.detect(image) if ts_ms is None else lm.detect_for_video(image, ts_ms)
    if not result.face_landmarks:
        return None
    h, w = rgb.shape[:2]
    pts = np.array([[p.x * w, p.y * h, p.z * w] for p in result.face_landmarks[0]])
    scores = {c.category_name: float(c.score) for c in result.face_blendshapes[0]}
    return FaceReading(landmarks=pts, blendshapes=scores)
