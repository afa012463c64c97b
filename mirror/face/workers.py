"""Face-model worker processes started ahead of their work.

`mirror analyse` starts them first thing, before it loads the rest of the pipeline: each worker
loads MediaPipe and the model (about 1.5 s of CPU) while the command's own process loads its
modules and checks the input. `extract_tracks(..., pool=...)` then hands each worker its time
range of the video; workers the video does not need (a short clip) are let go at once.

This module imports nothing heavy (no numpy, PyAV or MediaPipe), so the workers start about
0.1 s after the command does instead of 0.8 s.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import traceback
from dataclasses import asdict
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from mirror.childproc import exit_with_parent
from mirror.face.native import silence_native_logs_for_process
from mirror.face.options import LandmarkerOptions

Job = tuple[str, dict[str, Any], int, float, float]  # path, VideoInfo as a dict, seg, start, end


class FaceWorkers:
    """`count` face-model processes, each loading the model now and then waiting for one range
    of a video (`assign`). Their results come on `results` as `extract_tracks`' own workers
    send them. `close()` ends what is still running; a worker also ends with this process."""

    def __init__(self, options: LandmarkerOptions, count: int) -> None:
        ctx = mp.get_context("spawn")
        self.options = options
        self.results: Any = ctx.Queue(maxsize=64)
        self._jobs: list[Connection] = []
        self.procs: list[BaseProcess] = []
        for i in range(count):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_serve, args=(asdict(options), recv, self.results),
                               daemon=True, name=f"mirror-face-{i}")
            proc.start()
            recv.close()  # the worker holds its own end: closing `send` then ends its wait
            self._jobs.append(send)
            self.procs.append(proc)
        self.assigned = False

    def __len__(self) -> int:
        return len(self.procs)

    def assign(self, jobs: list[Job]) -> list[BaseProcess]:
        """Worker i runs jobs[i]; workers beyond the jobs are ended now (their CPU is for the
        others). Returns the working processes, in the order of the jobs."""
        if self.assigned or len(jobs) > len(self.procs):
            raise ValueError(f"{len(jobs)} ranges for {len(self.procs)} face workers")
        self.assigned = True
        for send, job in zip(self._jobs, jobs, strict=False):
            send.send(job)
        for proc in self.procs[len(jobs):]:
            proc.terminate()
        return self.procs[:len(jobs)]

    def close(self) -> None:
        """End the workers still running (after an error, or unused) and free the queue."""
        for send in self._jobs:
            with contextlib.suppress(OSError):
                send.close()
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)
        with contextlib.suppress(Exception):
            self.results.close()

    def __enter__(self) -> FaceWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(options: dict[str, Any], jobs: Connection, results: Any) -> None:
    """A worker: load the model, wait for a range, run it (`landmarker.run_range`)."""
    exit_with_parent()
    silence_native_logs_for_process()
    tracker, error = None, ""
    try:
        from mirror.face import landmarker  # numpy, PyAV, MediaPipe

        tracker = landmarker.create_landmarker(LandmarkerOptions(**options), video=True)
    except BaseException as exc:  # reported with the job, as one line
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    try:
        job: Job | None = jobs.recv()
    except (EOFError, OSError):  # let go: the analysis did not need this worker
        job = None
    if job is None:
        return
    path, info, seg, start_s, end_s = job
    if error:
        results.put(("error", seg, error))
        return
    landmarker.run_range(path, info, options, seg, start_s, end_s, results, tracker=tracker)
