"""`mirror devices`: the cameras and microphones mirror can record from, with their modes."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

HELP = "List cameras (OpenCV / V4L2) and microphones (PortAudio) with their modes."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--probe", type=int, default=4, metavar="N",
                   help="without /dev/video*, try camera indices 0..N-1 (default 4)")


def run(args: argparse.Namespace) -> int:
    from mirror.capture.devices import list_cameras, list_microphones
    from mirror.capture.errors import CaptureError

    cameras = list_cameras(max_index=args.probe)
    mic_error = None
    try:
        mics = list_microphones()
    except CaptureError as exc:
        mics, mic_error = [], str(exc)
    if args.json:
        print(json.dumps({"cameras": [asdict(c) for c in cameras],
                          "microphones": [asdict(m) for m in mics],
                          "microphone_error": mic_error}, indent=1))
        return 0
    print("cameras:")
    for c in cameras:
        modes = ", ".join(c.modes) or "modes unknown"
        state = "" if c.usable else f"  (cannot open: {c.note})"
        print(f"  {c.index}  {c.path or ''}  {c.name}  [{modes}]{state}")
    if not cameras:
        print("  none found (record from a video file with `mirror record --camera FILE`)")
    print("microphones:")
    for m in mics:
        default = "  (default)" if m.is_default else ""
        rates = ", ".join(str(r) for r in m.samplerates)
        print(f"  {m.index}  {m.name}  [{m.hostapi}, {m.channels} ch, {rates} Hz]{default}")
    if mic_error:
        print(f"  {mic_error}")
    elif not mics:
        print("  none found (record from an audio file with `mirror record --microphone FILE`)")
    return 0
