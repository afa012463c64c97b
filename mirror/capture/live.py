"""Live analysis while recording: the latest frame goes to a worker; older ones are dropped.

The camera thread only swaps a reference (`offer`), so a slow analyzer can never hold the
recording back: it always gets the newest frame when it is ready for one.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import cv2
import numpy as np


@runtime_checkable
class LiveAnalyzer(Protocol):
    """Plugged in by the analysis: expression levels for one frame (RGB uint8, H×W×3)."""

    def process(self, frame_rgb: np.ndarray, t: float) -> dict[str, float]: ...


LiveCallback = Callable[[float, dict[str, float]], None]


class LiveWorker:
    """Runs `analyzer.process` on the most recent frame on its own thread, dropping the rest."""

    def __init__(self, analyzer: LiveAnalyzer, on_result: LiveCallback | None = None) -> None:
        self.analyzer = analyzer
        self.on_result = on_result
        self._cond = threading.Condition()
        self._latest: tuple[np.ndarray, float] | None = None
        self._stopped = False
        self.offered = 0
        self.processed = 0
        self.skipped = 0
        self.error: str | None = None
        self.latest_levels: dict[str, float] = {}
        self.latest_t: float | None = None
        self._thread = threading.Thread(target=self._run, name="mirror-live", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, frame_bgr: np.ndarray, t: float) -> None:
        with self._cond:
            if self._latest is not None:
                self.skipped += 1
            self._latest = (frame_bgr, t)
            self.offered += 1
            self._cond.notify()

    def _run(self) -> None:
        with contextlib.suppress(AttributeError, OSError):  # Linux: nice this thread only
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 5)
        while True:
            with self._cond:
                while self._latest is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                assert self._latest is not None
                frame, t = self._latest
                self._latest = None
            try:
                levels = self.analyzer.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), t)
            except Exception as exc:  # the analysis must never take the recording down
                self.error = f"{type(exc).__name__}: {exc}"
                return
            self.processed += 1
            self.latest_levels, self.latest_t = levels, t
            if self.on_result is not None:
                self.on_result(t, levels)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            if self._latest is not None:
                self.skipped += 1
                self._latest = None
            self._cond.notify()
        self._thread.join(timeout=5.0)
