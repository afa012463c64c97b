"""`mirror delete`: delete a session folder and everything in it."""

from __future__ import annotations

import argparse
import sys

from mirror.errors import InputError

HELP = "Delete a session (video, audio, analysis, report): a face video is biometric data."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("session", metavar="SESSION", help="the session folder")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")


def run(args: argparse.Namespace) -> int:
    from mirror.session import delete_session, read_manifest

    manifest = read_manifest(args.session)  # refuses folders that are not sessions
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("refusing to delete without confirmation: pass --yes")
        started = manifest.get("started", "?")
        answer = input(f"delete {args.session} (recorded {started}) for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("kept")
            return 1
    delete_session(args.session)
    print(f"deleted {args.session}")
    return 0
