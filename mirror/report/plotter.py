"""The report's plots drawn in a process of their own, started before they are needed.

`mirror analyse` starts a `Plotter` beside the face stage: matplotlib loads in that process while
the face model runs, and later draws the timeline while this process decodes the filmstrips.
Drawing (matplotlib) and the decoding loop (PyAV, which takes the GIL back for every packet) both
need the GIL: side by side in one process they took turns, about as long as one after the other.
The pictures are the same bytes as drawn here (`mirror.report.plots`, same matplotlib).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

from mirror.childproc import exit_with_parent


def _load() -> None:
    exit_with_parent()  # a killed analysis takes its plotter with it
    import mirror.report.plots  # noqa: F401  (matplotlib: about 0.7 s of CPU)

    gc.freeze()  # what is loaded lives until the process exits: its exit then skips scanning it


def _ready() -> None:
    """A first task, so that the process starts (and loads matplotlib) now."""


def timeline_png(facts: dict[str, Any], t: np.ndarray | None, scores: np.ndarray | None,
                 names: tuple[str, ...]) -> bytes:
    """The timeline picture (`plots.render_timeline`), importing matplotlib where it runs."""
    from mirror.report.plots import render_timeline

    return render_timeline(facts, t, scores, names)


def trend_png(progress: list[dict[str, Any]]) -> bytes:
    """The progress picture (`plots.render_trend`), importing matplotlib where it runs."""
    from mirror.report.plots import render_trend

    return render_trend(progress)


class Plotter:
    """One worker process that draws the report's plots; `timeline` and `trend` return futures
    of PNG bytes. `close()` ends the process (it ends with this process in any case)."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"),
                                         initializer=_load)
        self._pool.submit(_ready)

    def timeline(self, facts: dict[str, Any], t: np.ndarray | None, scores: np.ndarray | None,
                 names: tuple[str, ...]) -> Future[bytes]:
        return self._pool.submit(timeline_png, facts, t, scores, names)

    def trend(self, progress: list[dict[str, Any]]) -> Future[bytes]:
        return self._pool.submit(trend_png, progress)

    def close(self) -> None:
        """Cancel what has not started and wait for the process to end (at most the drawing or
        the matplotlib import under way, about a second). Not `wait=False`: its manager thread
        would then close its wake-up pipe while the interpreter's exit hook writes to it
        (concurrent.futures takes no lock there), and a failed analysis could end its one-line
        error with an `OSError: Bad file descriptor` traceback."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def drawn(future: Future[bytes] | None, draw_here: Callable[[], bytes]) -> bytes:
    """The plotter's picture, or the same picture drawn in this process when there is no
    plotter or it failed (a crashed or killed process)."""
    if future is not None:
        with contextlib.suppress(Exception):
            return future.result()
    return draw_here()
