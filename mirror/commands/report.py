"""`mirror report`: write the rehearsal report of an analysed session."""

from __future__ import annotations

import argparse
import webbrowser

from mirror.errors import InputError, require_utf8_name

HELP = ("Write the rehearsal report of an analysed session: a self-contained report.html "
        "(opens offline, prints well), report.md and report.json in the analysis folder.")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="SESSION_OR_DIR",
                   help="a session folder (with analysis/) or an analysis folder "
                        "(with events.json)")
    p.add_argument("--format", choices=["html", "md", "json"], action="append", dest="formats",
                   help="write only this format (repeatable; default: all three)")
    p.add_argument("--profile", help="coach with another profile than the analysis used")
    p.add_argument("--open", action="store_true", help="open the report in your web browser")


def run(args: argparse.Namespace) -> int:
    from mirror.report import FORMATS, write_report

    require_utf8_name(args.target)
    written = write_report(args.target, formats=args.formats or FORMATS, profile=args.profile)
    for fmt, path in written.items():
        print(f"{fmt:>4}: {path}")
    if args.open:
        page = written.get("html") or written.get("md") or next(iter(written.values()))
        try:
            opened = webbrowser.open(page.resolve().as_uri())
        except webbrowser.Error as exc:
            raise InputError(f"cannot open a browser ({exc}); open {page} yourself") from None
        if not opened:
            print(f"no web browser found here; open {page} yourself")
    return 0
