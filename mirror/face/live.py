"""Live expression levels while recording: the same model and the same AU and emotion rules as
the full analysis, on the newest frame only (the recorder drops frames rather than fall behind).

Without a calibration the neutral is the running estimate over the last `window_s` seconds; the
levels it gives are a mirror for the user, not the analysis (which runs on the whole recording
right after it stops).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import numpy as np

from mirror.events.model import EMOTIONS
from mirror.expressions.actions import compute_action_units
from mirror.expressions.emotions import compute_emotion_scores
from mirror.expressions.neutral import Neutral, estimate_neutral
from mirror.face.features import GEOMETRY_NAMES, KEPT_LANDMARKS, compute_bbox, compute_geometry, compute_pose
from mirror.face.landmarker import LandmarkerOptions, _to_image, create_landmarker
from mirror.face.native import native_logs_silenced
from mirror.tracks import FaceTracks


class LiveFaceAnalyzer:
    """`process(frame_rgb, t) -> {emotion: level 0..1, "face": 0/1}` (the LiveAnalyzer protocol)."""

    def __init__(self, options: LandmarkerOptions, *, calibration: Neutral | None = None,
                 window_s: float = 10.0, context_frames: int = 15) -> None:
        self.options = options
        self.calibration = calibration
        self.window_s = window_s
        self._landmarker = None
        self._rows: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                np.ndarray]] = deque()
        self._context = context_frames
        self._last_ms = -1
        self._neutral: Neutral | None = calibration
        self._neutral_at = -1e9
        self._quiet_frames = 3

    def _model(self):  # type: ignore[no-untyped-def]
        if self._landmarker is None:
            self._landmarker = create_landmarker(self.options, video=True, num_faces=1)
        return self._landmarker

    def _detect(self, image: object, ms: int):  # type: ignore[no-untyped-def]
        """The model's result; its creation and first frames (when the native logs come) with
        fd 2 silenced (the recorder's meter thread keeps its own stderr)."""
        if self._quiet_frames <= 0:
            return self._model().detect_for_video(image, ms)
        self._quiet_frames -= 1
        with native_logs_silenced(keep_python_stderr=False):
            return self._model().detect_for_video(image, ms)

    def process(self, frame_rgb: np.ndarray, t: float) -> dict[str, float]:
        ms = max(self._last_ms + 1, round(t * 1000))
        self._last_ms = ms
        result = self._detect(_to_image(frame_rgb), ms)
        if not result.face_landmarks:
            return {"face": 0.0, **dict.fromkeys(EMOTIONS, 0.0)}
        lm = np.array([(p.x, p.y, p.z) for p in result.face_landmarks[0]], np.float32)[None]
        bs = np.array([c.score for c in result.face_blendshapes[0]], np.float32)
        mat = np.asarray(result.facial_transformation_matrixes[0], np.float32)[None]
        h, w = frame_rgb.shape[:2]
        self._rows.append((t, bs, compute_geometry(lm, aspect=h / w, width_px=w)[0],
                           compute_pose(mat)[0], compute_bbox(lm)[0], lm[0, list(KEPT_LANDMARKS)]))
        while self._rows and self._rows[0][0] < t - self.window_s:
            self._rows.popleft()
        tracks = self._tracks()
        if self.calibration is None and t - self._neutral_at > 1.0:
            self._neutral = estimate_neutral(tracks)
            self._neutral_at = t
        if self._neutral is None:
            return {"face": 1.0, **dict.fromkeys(EMOTIONS, 0.0)}
        recent = _tail(tracks, self._context)
        scores = compute_emotion_scores(compute_action_units(recent, self._neutral))
        last = np.clip(scores.scores[-1], 0.0, 1.0)
        return {"face": 1.0, **{e: float(v) for e, v in zip(EMOTIONS, last, strict=True)}}

    def _tracks(self) -> FaceTracks:
        cols = list(zip(*self._rows, strict=True))
        t = np.array(cols[0])
        n = t.size
        return FaceTracks(
            t=t, found=np.ones(n, bool), n_faces=np.ones(n, np.uint8), blendshapes=np.stack(cols[1]),
            geometry=np.stack(cols[2]), pose=np.stack(cols[3]), bbox=np.stack(cols[4]),
            landmarks=np.stack(cols[5]), landmark_ids=np.array(KEPT_LANDMARKS),
            geometry_names=GEOMETRY_NAMES,
        )

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None


def _tail(tracks: FaceTracks, k: int) -> FaceTracks:
    sl = slice(max(0, tracks.n - k), tracks.n)
    return replace(tracks, t=tracks.t[sl], found=tracks.found[sl], n_faces=tracks.n_faces[sl],
                   blendshapes=tracks.blendshapes[sl], pose=tracks.pose[sl], bbox=tracks.bbox[sl],
                   landmarks=tracks.landmarks[sl], geometry=tracks.geometry[sl])
