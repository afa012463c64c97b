"""`mirror record`: record a rehearsal (camera + microphone) into a new session folder."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mirror.errors import MirrorError

HELP = (
    "Record a rehearsal from a camera and a microphone into a session folder (video, audio, "
    "timestamps on one clock, manifest), then analyse it. Ctrl-C stops the recording. "
    "--camera takes a device index, a /dev/video path, a stream URL (a phone as webcam) or a "
    "video file (played at its own rate); --microphone a device name or index, an audio file "
    "(streamed in real time) or `none`."
)


def add_device_args(p: argparse.ArgumentParser, *, microphone_default: str | None) -> None:
    p.add_argument("--camera", metavar="INDEX|PATH|URL",
                   help="camera index (default 0), /dev/videoN, stream URL, or a video file")
    p.add_argument("--microphone", metavar="NAME|INDEX|FILE", default=microphone_default,
                   help="input device name or index (default: the system's), an audio file, "
                        "or `none`")
    p.add_argument("--samplerate", type=int, metavar="HZ",
                   help="audio sample rate (default: the microphone's own)")
    p.add_argument("--profile", help="scenario profile name (also names the session folder)")
    p.add_argument("--sessions-dir", metavar="DIR",
                   help="where session folders go (default $MIRROR_SESSIONS, else ./sessions)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the result line")


def configure(p: argparse.ArgumentParser) -> None:
    add_device_args(p, microphone_default=None)
    p.add_argument("--seconds", type=float, metavar="N", help="stop after N seconds")
    p.add_argument("--script", metavar="FILE", help="the pitch script (copied into the session)")
    p.add_argument("--no-analyse", action="store_true",
                   help="only record; analyse later with `mirror analyse SESSION`")
    p.add_argument("--live", action="store_true",
                   help="run the face model on the latest frame while recording and show the "
                        "levels (the app does this; off by default here to spare the CPU)")
    p.add_argument("--no-live", dest="live", action="store_false", help=argparse.SUPPRESS)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Ctrl-C, SIGTERM and SIGHUP set an event (the recording then closes its files cleanly)."""
    stop = threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def repair_stale(root: Path, quiet: bool) -> None:
    from mirror.session import iter_repairs

    for report in iter_repairs(root):
        if not quiet:
            print(f"repaired an interrupted session: {report.summary()}", file=sys.stderr)


def warn_low_disk(root: Path, minimum_bytes: int = 1 << 30) -> None:
    """A warning before recording onto a nearly full disk (a full disk stops the recording)."""
    probe = root if root.exists() else root.resolve().parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < minimum_bytes:
        print(f"warning: only {free / 1e6:.0f} MB free in {probe}", file=sys.stderr)


def make_live_analyzer() -> Any:
    """The face model's live analyzer (mirror.face.live), or None with a note if unavailable."""
    from mirror.face.landmarker import LandmarkerOptions
    from mirror.face.live import LiveFaceAnalyzer
    from mirror.face.model import resolve_model_path

    try:
        return LiveFaceAnalyzer(LandmarkerOptions(model_path=str(resolve_model_path())))
    except MirrorError as exc:
        print(f"note: no live analysis: {exc}", file=sys.stderr)
        return None


class LiveMeter:
    """Shows the strongest live levels on one stderr line, twice a second."""

    def __init__(self) -> None:
        self._next = 0.0

    def __call__(self, t: float, levels: dict[str, float]) -> None:
        if t < self._next:
            return
        self._next = t + 0.5
        top = sorted(((v, k) for k, v in levels.items() if k != "face"), reverse=True)[:3]
        shown = "  ".join(f"{k} {v:.2f}" for v, k in top) or "no face"
        print(f"\r{t:7.1f} s  {shown:60s}", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from mirror.capture.recording import record_session
    from mirror.session import sessions_root

    root = sessions_root(args.sessions_dir)
    repair_stale(root, args.quiet)
    warn_low_disk(root)
    live = make_live_analyzer() if args.live else None

    def started(path: Path) -> None:
        if not args.quiet:
            until = f"for {args.seconds:g} s" if args.seconds else "until Ctrl-C"
            print(f"recording into {path} {until}", file=sys.stderr, flush=True)

    with stop_on_signals() as stop:
        result = record_session(
            camera=args.camera, microphone=args.microphone, seconds=args.seconds,
            profile=args.profile, script=args.script, sessions_dir=root,
            samplerate=args.samplerate, live=live, on_live=LiveMeter() if live else None,
            on_started=started, stop_event=stop,
        )
    if live is not None:
        print(file=sys.stderr)
    print(result.describe())
    if not args.no_analyse:
        from mirror.pipeline import analyse_session

        try:
            analyse_session(result.session_dir)
        except MirrorError:
            raise
        except Exception as exc:  # the recording is safe; say so instead of a traceback
            raise MirrorError(
                f"the analysis failed ({type(exc).__name__}: {exc}); the recording is kept: "
                f"run `mirror analyse {result.session_dir}` to try again"
            ) from exc
    return 0
