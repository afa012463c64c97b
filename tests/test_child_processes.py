"""Helper processes end with the process that started them: a killed `mirror analyse` leaves
no report plotter behind (the face workers use the same `exit_with_parent`)."""

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
