"""The `mirror` command. Each subcommand lives in `mirror.commands.<name>` and is imported lazily,
so `mirror --help` stays fast and a broken optional stage cannot take the others down."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from mirror import __version__
from mirror.errors import MirrorError

# name -> (module, one-line help). Order is the order shown in --help.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("mirror.commands.demo", "generate the built-in demo rehearsal and analyse it"),
    "analyse": ("mirror.commands.analyse", "analyse a video file or a recorded session"),
    "report": ("mirror.commands.report", "write the rehearsal report of an analysed session"),
    "record": ("mirror.commands.record", "record a rehearsal from camera and microphone"),
    "calibrate": ("mirror.commands.calibrate", "record your neutral face as your baseline"),
    "devices": ("mirror.commands.devices", "list cameras and microphones"),
    "repair": ("mirror.commands.repair", "make an interrupted recording analysable"),
    "delete": ("mirror.commands.delete", "delete a session and everything in it"),
    "model": ("mirror.commands.model", "where the face model is, and how to get it"),
}


ENVIRONMENT = """environment:
  MIRROR_SESSIONS     folder of recorded sessions (default ./sessions)
  MIRROR_CAMERA       the app's camera: an index, a /dev/video path or a video file
  MIRROR_MICROPHONE   the app's microphone: a device, an audio file, or none
  MIRROR_PROFILE      the app's profile;  MIRROR_SCRIPT  the app's pitch script
  MIRROR_CALIBRATION  your neutral-face baseline file (none: do not use one)
  MIRROR_FACE_MODEL   the face model file;  MIRROR_DEBUG=1  tracebacks and native logs
"""


def _available() -> dict[str, tuple[str, str]]:
    found = {}
    for name, (module, help_) in COMMANDS.items():
        if importlib.util.find_spec(module) is not None:
            found[name] = (module, help_)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mirror",
        description="A self-coaching mirror: find the moments your face betrayed you. "
                    "`mirror` alone opens the terminal app (rehearse, calibrate, analyse a "
                    "file, review); the commands below do the same from a shell.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mirror {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_) in _available().items():
        mod = importlib.import_module(module)
        p = sub.add_parser(name, help=help_, description=getattr(mod, "HELP", help_))
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def _open_app() -> int:
    if importlib.util.find_spec("mirror.app.app") is None:
        build_parser().print_help()
        return 0
    from mirror.app.app import run_app

    return run_app()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # At exit, the interpreter's last garbage collection would scan every object of the loaded
    # libraries (numpy, matplotlib, scipy: about 0.3 s); frozen, they are freed without a scan.
    atexit.unregister(gc.freeze)  # once, however often main() runs in one process
    atexit.register(gc.freeze)
    try:
        if not args_list:
            return _open_app()
        for stream in (sys.stdout, sys.stderr):  # paths that are not UTF-8 print as \udcNN
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        parser = build_parser()
        args = parser.parse_args(args_list)
        if getattr(args, "_run", None) is None:
            parser.print_help()
            return 0
        return int(args._run(args) or 0)
    except MirrorError as exc:
        print(f"mirror: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mirror: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("MIRROR_DEBUG"):
            raise
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        loc = f" at {where.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{where.tb_lineno}" if where else ""
        print(f"mirror: internal error: {type(exc).__name__}: {exc}{loc} "
              "(your files are untouched; set MIRROR_DEBUG=1 for details and please report it)",
              file=sys.stderr)
        return 70
