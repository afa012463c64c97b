"""`mirror delete`: delete a session folder and everything in it, and anything derived from it
that lives elsewhere (a neutral-face calibration measured from a calibration session)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from mirror.errors import InputError

HELP = "Delete a session (video, audio, analysis, report): a face video is biometric data."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("session", metavar="SESSION", help="the session folder")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")


def calibrations_from(session: Path) -> list[Path]:
    """Stored neutral-face calibrations measured from `session` (they hold measures of the face
    in it): `profiles/calibration-*.json` and `$MIRROR_CALIBRATION`, by their `source`."""
    from mirror.profiles import profiles_dir

    candidates = sorted(profiles_dir().glob("calibration-*.json"))
    env = os.environ.get("MIRROR_CALIBRATION")
    if env and env != "none":
        candidates.append(Path(env))
    root = session.resolve()
    found = []
    for c in candidates:
        try:
            source = Path(json.loads(c.read_text(encoding="utf-8"))["source"]).resolve()
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if (source == root or root in source.parents) and c not in found:
            found.append(c)
    return found


def run(args: argparse.Namespace) -> int:
    from mirror.session import delete_session, read_manifest

    manifest = read_manifest(args.session)  # refuses folders that are not sessions
    derived = calibrations_from(Path(args.session))
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("refusing to delete without confirmation: pass --yes")
        started = manifest.get("started", "?")
        also = f" and the calibration measured from it ({derived[0]})" if derived else ""
        answer = input(f"delete {args.session} (recorded {started}){also} for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("kept")
            return 1
    delete_session(args.session)
    for c in derived:
        c.unlink(missing_ok=True)
    also = f" and the calibration measured from it ({', '.join(map(str, derived))})" if derived else ""
    print(f"deleted {args.session}{also}")
    return 0
