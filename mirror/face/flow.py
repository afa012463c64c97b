"""A second view of the face's pixels: dense optical flow in the nose-wing region.

MediaPipe's landmarks are fitted to a face mesh and smoothed over frames, so a nose wrinkle
flashed for 0.15 s moves them no more than a relaxed face's jitter (docs/analysis.md, session
9). The pixels do move: micro-expression spotting methods (MEGC; MDMD, Wang et al. 2017) read
dense optical flow in regions of interest around the nose and mouth, between a frame and one a
fixed lag before it.

Each frame is warped to a small crop, scaled and rotated so that the eyes sit level at a fixed
distance (`IOD_PX`); the flow between the crop `lag_s` earlier and this one is read in a patch
on each nose wing, against the median flow of the whole crop (what the head and the crop's
alignment did: most of a face does not move with any one expression). What is kept per frame
(`FLOW_NAMES`):

- `nose_rise`: how far the nose wings rose against the face over the last `lag_s`, in
  inter-ocular distances (a nose wrinkle or upper-lip raise, AU9/AU10, lifts them).

NaN where the face was not found now or `lag_s` before. The AUs read it through `flash`: how far
a frame stands above its neighbours `lag_s` either side, which is what a micro-expression is
(the landmarks see the longer displays).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

FLOW_NAMES: tuple[str, ...] = ("nose_rise",)
CROP_PX = 64  # side of the aligned crop (the eyes to the mouth: 0.5 ms of flow a frame)
IOD_PX = 26.0  # the eyes' distance in it
EYES_AT = (0.5, 0.3)  # where the eyes' midpoint sits in the crop (fractions of its side)
PATCH_PX = 4  # half side of a patch
# MediaPipe indices: eye corners (right eye outer, inner; left eye inner, outer), the right and
# the left nose wing
FLOW_LANDMARKS: tuple[int, ...] = (33, 133, 362, 263, 129, 358)


@dataclass(frozen=True)
class FlowOptions:
    lag_s: float = 0.3  # the flow is read between each frame and the one this long before


def align_matrix(points: np.ndarray) -> np.ndarray:
    """(2, 3) similarity transform from frame pixels to the crop, from FLOW_LANDMARKS' (6, 2)
    pixel positions: the eyes' midpoint to EYES_AT, their distance to IOD_PX, level."""
    right_eye = (points[0] + points[1]) / 2
    left_eye = (points[2] + points[3]) / 2
    d = left_eye - right_eye
    scale = IOD_PX / max(float(np.hypot(d[0], d[1])), 1e-3)
    angle = -float(np.arctan2(d[1], d[0]))
    c, s = np.cos(angle) * scale, np.sin(angle) * scale
    m = np.array([[c, -s, 0.0], [s, c, 0.0]])
    m[:, 2] = np.array(EYES_AT) * CROP_PX - m[:, :2] @ ((right_eye + left_eye) / 2)
    return m


def _patch_mean(flow: np.ndarray, centre: np.ndarray) -> np.ndarray:
    x, y = round(float(centre[0])), round(float(centre[1]))
    ys = slice(max(y - PATCH_PX, 0), max(y + PATCH_PX, 1))
    xs = slice(max(x - PATCH_PX, 0), max(x + PATCH_PX, 1))
    return np.asarray(flow[ys, xs].reshape(-1, 2).mean(axis=0))


def nose_rise(earlier: np.ndarray, now: np.ndarray, points_in_crop: np.ndarray) -> float:
    """The nose wings' rise against the face from crop `earlier` to crop `now` (uint8, both
    aligned), in inter-ocular distances; `points_in_crop` (6, 2) are this frame's landmarks."""
    flow = cv2.calcOpticalFlowFarneback(earlier, now, None, 0.5, 2, 7, 3, 5, 1.1, 0)
    face = np.median(flow.reshape(-1, 2), axis=0)  # what the head and the alignment did
    wings = (_patch_mean(flow, points_in_crop[4]) + _patch_mean(flow, points_in_crop[5])) / 2
    return float(-(wings[1] - face[1]) / IOD_PX)  # image y grows downwards


def lag_frames(fps: float, options: FlowOptions | None = None) -> int:
    """The flow's lag in frames at this frame rate."""
    return max(1, round((options or FlowOptions()).lag_s * fps))


def flash(rise: np.ndarray, lag: int) -> np.ndarray:
    """(n,): how far each frame stands above both the frame `lag` before and the one `lag`
    after, from `rise` (n,), the rise since `lag` frames before (flow is nearly antisymmetric:
    the rise from frame t + lag back to t is minus the rise from t to t + lag).

    A flash shorter than the lag reads at its full height over its length; a display held
    longer reads nothing on its plateau (its onset and offset are not flashes), nor does a
    drift of the head or the light, which moves a frame and its neighbours alike.
    """
    after = np.full_like(rise, np.nan, dtype=np.float64)
    if rise.size > lag:
        after[:-lag] = -rise[lag:]
    return np.minimum(rise, after)  # unreadable (NaN) where either side is


class NoseFlow:
    """Streaming: `push` each decoded frame in order with its landmarks, get its flow row."""

    def __init__(self, fps: float, options: FlowOptions | None = None) -> None:
        self.lag = lag_frames(fps, options)
        # a 64 px flow gains nothing from OpenCV's thread pool, whose threads would only
        # contend with the face model's for this process's share of the cores
        cv2.setNumThreads(1)
        self._crops: deque[np.ndarray | None] = deque(maxlen=self.lag + 1)

    def push(self, rgb: np.ndarray, points: np.ndarray | None) -> np.ndarray:
        """`rgb` (h, w, 3) uint8; `points` FLOW_LANDMARKS' (6, 2) pixel positions in it, None
        when no face was found. Returns (len(FLOW_NAMES),)."""
        row = np.full(len(FLOW_NAMES), np.nan)
        if points is None or not np.isfinite(points).all():
            self._crops.append(None)
            return row
        m = align_matrix(points)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        crop = cv2.warpAffine(gray, m, (CROP_PX, CROP_PX), flags=cv2.INTER_LINEAR)
        self._crops.append(crop)
        if len(self._crops) > self.lag and self._crops[0] is not None:
            in_crop = points @ m[:, :2].T + m[:, 2]
            row[0] = nose_rise(self._crops[0], crop, in_crop)
        return row

