"""Helper processes end with the process that started them: a killed `mirror analyse` leaves
no report plotter and no face worker behind, also one started ahead of its work
(`mirror.face.workers`; all use `exit_with_parent`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

SCRIPT = """
import os, sys, time
from mirror.report.plotter import Plotter
p = Plotter()
print(p._pool.submit(os.getpid).result(timeout=60), flush=True)
time.sleep(120)
"""


WORKERS = """
import time
from mirror.face.model import resolve_model_path
from mirror.face.options import LandmarkerOptions
from mirror.face.workers import FaceWorkers
w = FaceWorkers(LandmarkerOptions(model_path=str(resolve_model_path())), 2)
print(*[p.pid for p in w.procs], flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has ended; only its parent has not reaped it
        return f.read().split(")")[-1].split()[0] != "Z"


def test_a_killed_analysis_takes_its_plotter_with_it() -> None:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        child = int(proc.stdout.readline())
        assert child != proc.pid and _alive(child)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the plotter outlived the analysis that started it"
    finally:
        proc.kill()


def test_a_killed_analysis_takes_its_waiting_face_workers_with_it() -> None:
    proc = subprocess.Popen([sys.executable, "-c", WORKERS], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        workers = [int(x) for x in proc.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(w) for w in workers)
        time.sleep(3.0)  # loading the model or waiting for a range: both must end
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "a face worker outlived its analysis"
    finally:
        proc.kill()


def test_a_closed_plotter_leaves_nothing_for_the_exit_hook() -> None:
    """`Plotter.close()` returns once its process and its pool's manager thread have ended, even
    while matplotlib is still loading: the interpreter's exit hook then finds a closed wake-up
    pipe, not one being closed under it (a failed analysis once printed an `OSError: Bad file
    descriptor` traceback after its one-line error)."""
    from mirror.report.plotter import Plotter

    p = Plotter()
    proc = next(iter(p._pool._processes.values()))  # type: ignore[attr-defined]
    manager = p._pool._executor_manager_thread  # type: ignore[attr-defined]
    assert manager is not None and manager.is_alive()
    p.close()  # straight away: the process is still importing matplotlib
    assert not proc.is_alive()
    assert not manager.is_alive()  # (other pools' threads, the tests' own renderer's, may run)
