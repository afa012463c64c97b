"""Running MediaPipe's FaceLandmarker over a video, on all cores, streaming.

The video is cut into contiguous time ranges, one per worker process; each worker decodes its
range with PyAV and runs the FaceLandmarker in VIDEO mode (tracking between frames), so no frame
crosses a process boundary: only small per-frame results come back, in chunks. Memory stays flat
with video length.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import multiprocessing as mp
import queue
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np

from mirror.childproc import exit_with_parent
from mirror.errors import InputError, MirrorError
from mirror.face.features import (
    GEOMETRY_NAMES,
    KEPT_LANDMARKS,
    compute_bbox,
    compute_geometry,
    compute_pose,
)
from mirror.face.flow import FLOW_LANDMARKS, FlowOptions, NoseFlow
from mirror.face.native import native_logs_silenced, quiet_native_env, silence_native_logs_for_process
from mirror.face.options import LandmarkerOptions, available_cores
from mirror.face.workers import FaceWorkers
from mirror.media import VideoInfo, iter_frames, probe_video
from mirror.tracks import FaceTracks

CHUNK = 48  # frames per result message


def create_landmarker(options: LandmarkerOptions, *, video: bool = True, num_faces: int = 1):  # type: ignore[no-untyped-def]
    """A MediaPipe FaceLandmarker with blendshapes and transformation matrices.

    Its native logs reach the terminal unless the caller silences them (`native_logs_silenced`,
    as `extract_tracks` and its workers do)."""
    quiet_native_env()
    from mediapipe.tasks.python import vision
    from mediapipe.tasks.python.core.base_options import BaseOptions

    o = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(options.model_path)),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_faces=num_faces,
        min_face_detection_confidence=options.min_detection_confidence,
        min_face_presence_confidence=options.min_presence_confidence,
        min_tracking_confidence=options.min_tracking_confidence,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    return vision.FaceLandmarker.create_from_options(o)


def detector_model(model_path: str) -> bytes | None:
    """The face detector inside the landmarker's bundle (`face_detector.tflite`, BlazeFace short
    range: the detector the landmarker itself runs), or None if the file is not such a bundle."""
    try:
        with zipfile.ZipFile(model_path) as zf:
            return zf.read("face_detector.tflite")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


class FaceCounter:
    """How many faces a frame shows (`n_faces`, for the "more than one face" warning).

    MediaPipe's FaceDetector with the bundle's own detector and the landmarker's detection
    threshold counts (4-5 ms a frame); only when it sees more than one face does a FaceLandmarker
    in IMAGE mode (num_faces=3, 17-20 ms) count again, as its face presence score rejects what the
    detector alone takes for a face (blurred lettering in the real clips). So a frame counts more
    than one face when the landmarker alone would say so; a frame without a face may count 1
    where the landmarker said 0. Without a detector in the bundle the landmarker counts alone."""

    def __init__(self, options: LandmarkerOptions) -> None:
        self.options = options
        self.detector: Any = None
        self.landmarker: Any = None
        buffer = detector_model(options.model_path)
        if buffer is not None:
            quiet_native_env()
            from mediapipe.tasks.python import vision
            from mediapipe.tasks.python.core.base_options import BaseOptions

            self.detector = vision.FaceDetector.create_from_options(vision.FaceDetectorOptions(
                base_options=BaseOptions(model_asset_buffer=buffer),
                running_mode=vision.RunningMode.IMAGE,
                min_detection_confidence=options.min_detection_confidence))

    def count(self, image: Any) -> int:
        if self.detector is not None:
            seen = len(self.detector.detect(image).detections)
            if seen <= 1:
                return seen
        if self.landmarker is None:
            self.landmarker = create_landmarker(self.options, video=False, num_faces=3)
        return len(self.landmarker.detect(image).face_landmarks)

    def close(self) -> None:
        for model in (self.detector, self.landmarker):
            if model is not None:
                model.close()


def _to_image(rgb: np.ndarray):  # type: ignore[no-untyped-def]
    import mediapipe as mp_

    return mp_.Image(image_format=mp_.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


class _ChunkBuilder:
    """Collects raw per-frame model output and turns it into column arrays, chunk by chunk."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.reset()

    def reset(self) -> None:
        self.t: list[float] = []
        self.found: list[bool] = []
        self.n_faces: list[int] = []
        self.bs: list[np.ndarray] = []
        self.lms: list[np.ndarray] = []
        self.mats: list[np.ndarray] = []
        self.flow: list[np.ndarray] = []

    def add(self, t: float, result: Any, n_faces: int, flow: np.ndarray) -> None:
        self.t.append(t)
        ok = bool(result.face_landmarks)
        self.found.append(ok)
        self.n_faces.append(n_faces if n_faces >= 0 else int(ok))
        self.flow.append(flow)
        if ok:
            lm = result.face_landmarks[0]
            self.lms.append(np.array([[p.x for p in lm], [p.y for p in lm], [p.z for p in lm]],
                                     dtype=np.float32).T)  # (478, 3): faster than per-point tuples
            self.bs.append(np.array([c.score for c in result.face_blendshapes[0]], np.float32))
            self.mats.append(np.asarray(result.facial_transformation_matrixes[0], np.float32))
        else:
            self.lms.append(np.full((478, 3), np.nan, np.float32))
            self.bs.append(np.full(52, np.nan, np.float32))
            self.mats.append(np.full((4, 4), np.nan, np.float32))

    def __len__(self) -> int:
        return len(self.t)

    def build(self) -> dict[str, np.ndarray]:
        lms = np.stack(self.lms)
        out = {
            "t": np.array(self.t, np.float64),
            "found": np.array(self.found, bool),
            "n_faces": np.array(self.n_faces, np.uint8),
            "blendshapes": np.stack(self.bs),
            "pose": compute_pose(np.stack(self.mats)),
            "bbox": compute_bbox(lms),
            "landmarks": lms[:, list(KEPT_LANDMARKS), :],
            "geometry": compute_geometry(lms, aspect=self.height / self.width,
                                         width_px=self.width),
            "flow": np.stack(self.flow).astype(np.float32),
        }
        self.reset()
        return out


def extract_range(
    path: str, info: VideoInfo, options: LandmarkerOptions, start_s: float, end_s: float, *,
    tracker: Any = None,
) -> Iterator[dict[str, np.ndarray]]:
    """Run the model over frames in [start_s, end_s); yield column chunks of up to CHUNK frames.

    A range after the first starts decoding `FlowOptions.lag_s` early: those frames seed the
    tracker and the flow's lagged crops (`mirror.face.flow`) and are not yielded, so a frame
    reads the same whichever worker ran it.

    `tracker`: a fresh VIDEO-mode landmarker made with `options` (a pre-started worker's), closed
    here; default: one made here."""
    if tracker is None:
        tracker = create_landmarker(options, video=True, num_faces=1)
    counter: FaceCounter | None = None
    builder: _ChunkBuilder | None = None
    last_ms = -1
    next_count = start_s
    flow_options = FlowOptions()
    flow = NoseFlow(info.fps or 30.0, flow_options)
    warmup_s = flow_options.lag_s + 0.05 if start_s > 0 else 0.0
    try:
        for t, rgb in iter_frames(path, start_s=max(0.0, start_s - warmup_s), end_s=end_s,
                                  max_side=options.max_side, info=info):
            if builder is None:
                builder = _ChunkBuilder(rgb.shape[1], rgb.shape[0])
            image = _to_image(rgb)
            ms = max(last_ms + 1, round(t * 1000))
            last_ms = ms
            result = tracker.detect_for_video(image, ms)
            flow_row = flow.push(rgb, _flow_points(result, rgb.shape[1], rgb.shape[0]))
            if t < start_s:
                continue
            n_faces = -1
            if t >= next_count:
                next_count = t + options.count_faces_every_s
                if counter is None:
                    counter = FaceCounter(options)
                n_faces = counter.count(image)
            builder.add(t, result, n_faces, flow_row)
            if len(builder) >= CHUNK:
                yield builder.build()
        if builder is not None and len(builder):
            yield builder.build()
    finally:
        tracker.close()
        if counter is not None:
            counter.close()


def _flow_points(result: Any, width: int, height: int) -> np.ndarray | None:
    """FLOW_LANDMARKS' (6, 2) pixel positions in the model's result, None without a face."""
    if not result.face_landmarks:
        return None
    lm = result.face_landmarks[0]
    return np.array([[lm[i].x * width, lm[i].y * height] for i in FLOW_LANDMARKS])


def _worker(path: str, info: dict[str, Any], options: dict[str, Any], seg: int,
            start_s: float, end_s: float, q: Any) -> None:
    exit_with_parent()
    silence_native_logs_for_process()
    run_range(path, info, options, seg, start_s, end_s, q)


def run_range(path: str, info: dict[str, Any], options: dict[str, Any], seg: int,
              start_s: float, end_s: float, q: Any, *, tracker: Any = None) -> None:
    """In a worker process: one range's chunks onto `q`, then "done" (or one "error")."""
    try:
        vi = VideoInfo(**info)
        for chunk in extract_range(path, vi, LandmarkerOptions(**options), start_s, end_s,
                                   tracker=tracker):
            q.put(("chunk", seg, chunk))
        q.put(("done", seg, None))
    except BaseException as exc:  # reported to the parent as one line
        q.put(("error", seg, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))
    gc.freeze()  # the process exits next (the parent joins it): the interpreter's last garbage
    # collection then skips the objects of mediapipe and numpy, about 0.3 s of CPU


def _segments(duration: float, workers: int, min_segment_s: float) -> list[tuple[float, float]]:
    n = max(1, min(workers, int(duration // min_segment_s) or 1))
    edges = [duration * i / n for i in range(n + 1)]
    edges[0], edges[-1] = 0.0, math.inf
    return list(itertools.pairwise(edges))


ProgressFn = Callable[[float], None]


def extract_tracks(
    path: str | Path,
    options: LandmarkerOptions,
    *,
    info: VideoInfo | None = None,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    started: Callable[[], None] | None = None,
    pool: FaceWorkers | None = None,
) -> FaceTracks:
    """Face tracks of every frame of `path`, using `options.workers` processes (0: all cores).

    `started()` is called once the model's workers run (what the caller does beside the face
    stage then does not delay their start). `pool`: workers started earlier with the same
    options (`mirror.face.workers`), used instead of new ones, even for a single range; closed
    here."""
    info = info or probe_video(path)
    workers = options.workers or available_cores()
    segs = _segments(max(info.duration_s, 0.0), workers, options.min_segment_s)
    if pool is not None and (pool.options != options or pool.assigned or len(pool) < len(segs)):
        pool.close()  # made for another analysis: not used
        pool = None
    chunks: dict[int, list[dict[str, np.ndarray]]] = {i: [] for i in range(len(segs))}
    done = 0.0

    def report(chunk: dict[str, np.ndarray]) -> None:
        nonlocal done
        done += chunk["t"].size
        if progress and info.n_frames_hint:
            progress(min(1.0, done / info.n_frames_hint))

    if pool is not None:
        try:
            _run_parallel(str(path), info, options, segs, chunks, report, cancelled, started,
                          pool=pool)
        finally:
            pool.close()
    elif len(segs) == 1:
        if started:
            started()
        with native_logs_silenced():
            for chunk in extract_range(str(path), info, options, 0.0, math.inf):
                chunks[0].append(chunk)
                report(chunk)
                if cancelled and cancelled():
                    raise MirrorError("analysis cancelled")
    else:
        _run_parallel(str(path), info, options, segs, chunks, report, cancelled, started)
    return _assemble(chunks, info, options)


def _run_parallel(path: str, info: VideoInfo, options: LandmarkerOptions,
                  segs: list[tuple[float, float]], chunks: dict[int, list[dict[str, np.ndarray]]],
                  report: Callable[[dict[str, np.ndarray]], None],
                  cancelled: Callable[[], bool] | None,
                  started: Callable[[], None] | None = None, *,
                  pool: FaceWorkers | None = None) -> None:
    procs: list[BaseProcess]
    if pool is not None:
        q = pool.results
        procs = pool.assign([(path, asdict(info), i, a, b) for i, (a, b) in enumerate(segs)])
    else:
        ctx = mp.get_context("spawn")
        q = ctx.Queue(maxsize=64)
        procs = [ctx.Process(target=_worker, daemon=True,
                             args=(path, asdict(info), asdict(options), i, a, b, q))
                 for i, (a, b) in enumerate(segs)]
        for p in procs:
            p.start()
    if started:
        started()
    pending = set(range(len(procs)))
    try:
        while pending:
            if cancelled and cancelled():
                raise MirrorError("analysis cancelled")
            try:
                kind, seg, payload = q.get(timeout=0.5)
            except queue.Empty:
                dead = [i for i in pending if not procs[i].is_alive() and procs[i].exitcode]
                if dead:
                    raise MirrorError(f"the face model crashed (worker exit code "
                                      f"{procs[dead[0]].exitcode}); try --workers 1") from None
                continue
            if kind == "chunk":
                chunks[seg].append(payload)
                report(payload)
            elif kind == "done":
                pending.discard(seg)
            else:
                raise MirrorError(f"face analysis failed: {str(payload).splitlines()[0]}")
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join(timeout=5)
        with contextlib.suppress(Exception):
            q.close()


def _assemble(chunks: dict[int, list[dict[str, np.ndarray]]], info: VideoInfo,
              options: LandmarkerOptions) -> FaceTracks:
    parts = [c for i in sorted(chunks) for c in chunks[i]]
    if not parts:
        raise InputError(f"{info.path}: no decodable video frame")
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(cols["t"], kind="stable")
    keep = np.ones(order.size, bool)
    keep[1:] = np.diff(cols["t"][order]) > 0  # a frame seen by two workers is kept once
    idx = order[keep]
    cols = {k: v[idx] for k, v in cols.items()}
    meta = {
        "source": info.path, "width": info.width, "height": info.height,
        "rotation": info.rotation, "fps": info.fps, "duration_s": info.duration_s,
        "has_audio": info.has_audio, "codec": info.codec, "start_s": info.start_s,
        "model": Path(options.model_path).name,
    }
    return FaceTracks(
        t=cols["t"], found=cols["found"], n_faces=cols["n_faces"],
        blendshapes=cols["blendshapes"], pose=cols["pose"], bbox=cols["bbox"],
        landmarks=cols["landmarks"], landmark_ids=np.array(KEPT_LANDMARKS, np.int16),
        geometry=cols["geometry"], geometry_names=GEOMETRY_NAMES, meta=meta, flow=cols["flow"],
    )
