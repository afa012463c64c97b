"""`mirror calibrate`: record a few seconds of your neutral face as your baseline."""

from __future__ import annotations

import argparse
import sys

from mirror.commands.record import add_device_args, stop_on_signals

HELP = (
    "Record a few seconds of your neutral, relaxed face (look at the camera, do not talk). "
    "Every later analysis measures your expressions against it."
)


def configure(p: argparse.ArgumentParser) -> None:
    add_device_args(p, microphone_default="none")
    p.add_argument("--seconds", type=float, default=5.0, metavar="N",
                   help="length of the clip (default 5)")


def run(args: argparse.Namespace) -> int:
    from mirror.capture.recording import record_session
    from mirror.session import sessions_root

    if not args.quiet:
        print("look at the camera with a relaxed, neutral face", file=sys.stderr, flush=True)
    with stop_on_signals() as stop:
        result = record_session(
            camera=args.camera, microphone=args.microphone, seconds=args.seconds,
            profile=args.profile, sessions_dir=sessions_root(args.sessions_dir),
            samplerate=args.samplerate, kind="calibration", stop_event=stop,
        )
    print(result.describe())
    from mirror.calibration import calibrate_from

    # A clip that is not a calm, neutral face: one line, exit 2, nothing stored, clip deleted.
    print(f"baseline stored: {calibrate_from(result.session_dir, profile=args.profile)}")
    return 0
