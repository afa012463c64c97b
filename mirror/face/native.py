"""Keeping MediaPipe's native logs (absl, glog, TFLite) off the user's terminal.

The C++ code writes to file descriptor 2 directly ("Logging before InitGoogle()", "Feedback
manager requires a model with a single signature...", "Created TensorFlow Lite XNNPACK
delegate"), from its own threads, at model creation and at the first inferences. No Python
setting reaches absl's logger, so while a model is alive fd 2 points at /dev/null; Python's own
`sys.stderr` (progress lines, warnings) keeps writing to the real stderr through a duplicate.

`MIRROR_DEBUG=1` leaves everything as it is, to see the native logs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

NATIVE_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}


def debugging() -> bool:
    return os.environ.get("MIRROR_DEBUG", "") not in ("", "0")


def quiet_native_env() -> None:
    """Set the log-level variables the native libraries read when they load (before mediapipe
    is imported); a value the user set stays."""
    if not debugging():
        for key, value in NATIVE_ENV.items():
            os.environ.setdefault(key, value)


def _writes_to_fd2(stream: object) -> bool:
    try:
        return stream is not None and stream.fileno() == 2  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


@contextlib.contextmanager
def native_logs_silenced(*, keep_python_stderr: bool = True) -> Iterator[None]:
    """Within: fd 2 goes to /dev/null; `sys.stderr`, when it wrote to fd 2, writes to a
    duplicate of the real stderr, so Python's messages still show (unless
    `keep_python_stderr=False`: other threads may hold `sys.stderr`). Restored on exit."""
    if debugging():
        yield
        return
    quiet_native_env()
    stream = sys.stderr
    swap = keep_python_stderr and _writes_to_fd2(stream)
    with contextlib.suppress(AttributeError, ValueError, OSError):
        stream.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    real = None
    if swap:
        real = os.fdopen(os.dup(saved), "w", encoding=getattr(stream, "encoding", None) or "utf-8",
                         errors="backslashreplace", buffering=1)
        sys.stderr = real
    try:
        yield
    finally:
        if real is not None:
            with contextlib.suppress(OSError, ValueError):
                real.flush()
            if sys.stderr is real:
                sys.stderr = stream
            real.close()
        os.dup2(saved, 2)
        os.close(saved)


def silence_native_logs_for_process() -> None:
    """In a face-model worker process: fd 2 to /dev/null for good (the worker reports its errors
    to the parent through its queue, never on stderr)."""
    if debugging():
        return
    quiet_native_env()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
