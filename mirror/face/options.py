"""The face model's options, importable without numpy, PyAV or MediaPipe: `mirror analyse`
starts its face workers with them before it loads the rest of the pipeline."""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_MODEL_SIDE = 1280  # longer side of the frames given to the face model


@dataclass(frozen=True)
class LandmarkerOptions:
    model_path: str
    workers: int = 0  # 0: one per available core
    max_side: int = MAX_MODEL_SIDE
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    count_faces_every_s: float = 1.0  # how often to count the faces in view (n_faces)
    min_segment_s: float = 4.0  # shorter work is not split across processes


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
