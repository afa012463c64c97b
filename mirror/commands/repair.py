"""`mirror repair`: make interrupted recordings analysable."""

from __future__ import annotations

import argparse

HELP = (
    "Make a session whose recording was interrupted (crash, kill, power loss, full disk) valid: "
    "fix the WAV header, cut torn log lines, remux the video's last fragment. Without SESSION, "
    "repairs every interrupted session in the sessions folder."
)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("sessions", nargs="*", metavar="SESSION", help="session folder(s)")
    p.add_argument("--sessions-dir", metavar="DIR",
                   help="where session folders are (default $MIRROR_SESSIONS, else ./sessions)")


def run(args: argparse.Namespace) -> int:
    from mirror.session import repair_session, sessions_root, stale_sessions

    targets = args.sessions or stale_sessions(sessions_root(args.sessions_dir))
    if not targets:
        print("no interrupted sessions")
    for path in targets:
        print(repair_session(path).summary())
    return 0
