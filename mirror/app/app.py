"""The mirror terminal app: rehearse in front of your mirror, then review (`mirror` with no
arguments). Screens live in `screens/`, widgets in `widgets/`, styles in `mirror.tcss`."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import webbrowser
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from mirror.app.messages import ReportFailed, ReportWritten
from mirror.app.options import AppOptions
from mirror.app.sources import SourceStatus
from mirror.errors import MirrorError

if TYPE_CHECKING:
    from mirror.app.screens.modals import AnalyseRequest

DEFAULT_PROFILE = "sales-pitch"


class MirrorApp(App[int]):
    """Home → Calibrate / Rehearse → Analysing → Review."""

    CSS_PATH = "mirror.tcss"
    TITLE = "mirror"
    SUB_TITLE = "rehearse in front of your mirror"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        Binding("f2", "choose_sources", "Camera & mic", id="app.sources", show=False),
        # F1 everywhere, also in modals and over a text input; `?` where it is not typed text.
        Binding("f1", "help", "Help", id="app.help", priority=True, show=False),
        Binding("question_mark", "help", "Help", id="app.help_key", key_display="?"),
    ]

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        start_resource_tracker()
        self.options = options or AppOptions.from_env()
        from mirror.profiles import available_profiles

        names = available_profiles()
        wanted = self.options.profile
        self.profile: str = wanted or (DEFAULT_PROFILE if DEFAULT_PROFILE in names
                                       else (names[0] if names else DEFAULT_PROFILE))
        self.sources: SourceStatus | None = None

    def get_default_screen(self) -> Screen:
        from mirror.app.screens.home import HomeScreen

        return HomeScreen()

    # -- commands (palette, bindings, buttons) ------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New rehearsal", "Record a rehearsal with live meters",
                            self.action_new_rehearsal)
        yield SystemCommand("Calibrate", "Record your neutral face as your baseline",
                            self.action_calibrate)
        yield SystemCommand("Analyse a file", "Analyse a video file you recorded elsewhere",
                            self.action_analyse_file)
        yield SystemCommand("Camera and microphone", "Choose what to record from (a device or "
                            "a file)", self.action_choose_sources)
        yield SystemCommand("Home", "Back to your sessions", self.action_go_home)

    def action_help(self) -> None:
        """Every key of the current screen (not of the help itself, nor twice)."""
        from mirror.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            name = type(self.screen).__name__.removesuffix("Screen").removesuffix("Modal")
            self.push_screen(HelpScreen(self.screen, name.lower() or "mirror"))

    def action_go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_new_rehearsal(self) -> None:
        if self._check_can_record("record a rehearsal"):
            from mirror.app.screens.rehearse import RehearseScreen

            assert self.sources is not None
            self.push_screen(RehearseScreen(self.sources, self.profile, self.options))

    def action_calibrate(self) -> None:
        if self._check_can_record("calibrate"):
            from mirror.app.screens.calibrate import CalibrateScreen

            assert self.sources is not None
            self.push_screen(CalibrateScreen(self.sources, self.profile, self.options))

    def _check_can_record(self, what: str) -> bool:
        from mirror.app.screens.modals import ConfirmModal

        if self.sources is None:
            self.notify("Still looking for a camera and a microphone…", timeout=3)
            return False
        if self.sources.can_record:
            return True

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_analyse_file()

        self.push_screen(ConfirmModal(
            f"Cannot {what}: {self.sources.camera_note}.\n\n"
            "You can still analyse a video you recorded with another device, or use a video "
            "file as the camera (F2, or “Camera and microphone” in the command palette).\n\n"
            "Analyse a video file now?", yes="Analyse a file", no="Not now"), answered)
        return False

    def action_analyse_file(self) -> None:
        from mirror.app.screens.modals import AnalyseFileModal

        def chosen(request: AnalyseRequest | None) -> None:
            if request is not None:
                self.analyse_file(request)

        script = self.options.script  # the one chosen with F2
        self.push_screen(AnalyseFileModal(self.profile, str(script) if script else ""), chosen)

    def analyse_file(self, request: AnalyseRequest) -> None:
        """A video becomes a session in the sessions folder (once: the same file again reopens
        its results unless asked to analyse again); a session or an analysis folder opens."""
        from mirror.session import ANALYSIS, copy_script, is_session_dir, update_manifest
        from mirror.session_import import find_imported, import_video, is_analysed

        target = request.video
        try:
            if target.is_dir() and (target / "events.json").is_file():  # an analysis folder
                self.review(target)
                return
            if target.is_dir() and is_session_dir(target):
                session = target
            else:
                session = find_imported(self.options.sessions_dir, target) or import_video(
                    target, self.options.sessions_dir, profile=request.profile,
                    script=request.script, audio=request.audio)
            if is_analysed(session) and not request.again:
                self.notify("Analysed before: here are its results (tick “Analyse again” to "
                            "analyse it once more).", timeout=6)
                self.review(session / ANALYSIS)
                return
            if request.again and request.script is not None:  # another script this time
                update_manifest(session, script=copy_script(request.script, session))
            if request.again and request.audio is not None:
                update_manifest(session, audio={"file": str(request.audio.resolve()),
                                                "start_s": 0.0})
        except MirrorError as exc:
            self.notify(str(exc), title="Analyse a file", severity="error", timeout=10)
            return
        self.analyse(session, profile=request.profile)

    def analyse(self, target: Path, *, profile: str | None = None) -> None:
        from mirror.app.screens.analysing import AnalysingScreen

        self.push_screen(AnalysingScreen(target, profile or self.profile, self.options))

    def review(self, analysis_dir: Path, *, replace_screen: bool = False) -> None:
        """Open the Review of an analysis, or say in one line why it cannot be read."""
        from mirror.app.review_data import load_review
        from mirror.app.screens.review import ReviewScreen

        try:
            screen = ReviewScreen(analysis_dir, load_review(analysis_dir))
        except MirrorError as exc:
            self.notify(str(exc), title="Review", severity="error", timeout=10)
            if replace_screen:
                self.pop_screen()
            return
        if replace_screen:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_choose_sources(self) -> None:
        from mirror.app.screens.modals import SourcesModal

        def chosen(values: tuple[str, str, str] | None) -> None:
            if values is None:
                return
            camera, microphone, script = values
            self.options = replace(self.options, camera=camera or None,
                                   microphone=microphone or None,
                                   script=Path(script).expanduser() if script else None)
            self.sources = None
            from mirror.app.screens.home import HomeScreen

            for screen in self.screen_stack:
                if isinstance(screen, HomeScreen):
                    screen.probe_sources()

        o = self.options
        self.push_screen(SourcesModal(o.camera or "", o.microphone or "",
                                      str(o.script) if o.script else ""), chosen)

    # -- the HTML report ----------------------------------------------------------------------
    @work(thread=True, group="report", exclusive=True)
    def open_report(self, analysis_dir: Path) -> None:
        """Write report.html if it is missing or older than events.json, then open it."""
        from mirror.report import write_report

        html = analysis_dir / "report.html"
        events = analysis_dir / "events.json"
        try:
            if not html.is_file() or html.stat().st_mtime < events.stat().st_mtime:
                self.call_from_thread(self.notify, "Writing the report…", timeout=2)
                html = write_report(analysis_dir, formats=("html",))["html"]
        except (MirrorError, OSError) as exc:
            self.post_message(ReportFailed(str(exc)))
            return
        self.post_message(ReportWritten(html))

    @on(ReportWritten)
    def report_written(self, message: ReportWritten) -> None:
        if can_open_browser():
            self.show_in_browser(message.path)
        else:
            self.notify(f"No browser on this display; the report is at {message.path}",
                        title="Report", timeout=10)

    @work(thread=True, group="browser")
    def show_in_browser(self, path: Path) -> None:
        opened = False
        with contextlib.suppress(webbrowser.Error):
            opened = webbrowser.open(path.resolve().as_uri())
        note = "Opened" if opened else "No browser found; the report is at"
        self.call_from_thread(self.notify, f"{note} {path}", title="Report", timeout=8)

    @on(ReportFailed)
    def report_failed(self, message: ReportFailed) -> None:
        self.notify(message.error, title="Report", severity="error", timeout=8)


def can_open_browser() -> bool:
    """Whether a graphical browser can be shown (without one, Python's webbrowser may start a
    text browser that would take over this terminal)."""
    if sys.platform in ("darwin", "win32") or os.environ.get("BROWSER"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now: the analysis runs the face model in
    processes, and once Textual has replaced `sys.stderr` (whose fileno() is then -1) the tracker
    can no longer be started ("bad value(s) in fds_to_keep")."""
    from multiprocessing import resource_tracker

    with contextlib.suppress(Exception):
        resource_tracker.ensure_running()


@contextlib.contextmanager
def native_output_to(log: Path) -> Iterator[None]:
    """Textual draws on `sys.__stderr__`; MediaPipe and FFmpeg write to file descriptor 2 directly,
    which would scribble over the screen. Point fd 2 at a log file and give Textual a duplicate
    of the terminal."""
    stream = sys.__stderr__
    if stream is None or not stream.isatty():
        yield
        return
    stream.flush()
    tty_fd = os.dup(2)
    tty = os.fdopen(tty_fd, "w", encoding=stream.encoding, errors="replace", closefd=False)
    log.parent.mkdir(parents=True, exist_ok=True)
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    start_resource_tracker()  # it inherits fd 2: the log
    saved = sys.__stderr__, sys.stderr
    sys.__stderr__ = sys.stderr = tty  # type: ignore[misc]
    try:
        yield
    finally:
        tty.flush()
        os.dup2(tty_fd, 2)
        os.close(tty_fd)
        sys.__stderr__, sys.stderr = saved  # type: ignore[misc]


def parse_args(argv: Sequence[str]) -> AppOptions:
    p = argparse.ArgumentParser(prog="mirror", description="the mirror terminal app")
    p.add_argument("--camera", help="camera index or path, or a video file played as the camera")
    p.add_argument("--microphone", help="microphone name or index, an audio file, or `none`")
    p.add_argument("--sessions-dir", help="where sessions are kept (default $MIRROR_SESSIONS)")
    p.add_argument("--profile", help="the scenario profile")
    p.add_argument("--script", help="your pitch script (Markdown; headings are sections)")
    args = p.parse_args(list(argv))
    base = AppOptions.from_env()
    return replace(
        base, camera=args.camera or base.camera, microphone=args.microphone or base.microphone,
        sessions_dir=Path(args.sessions_dir) if args.sessions_dir else base.sessions_dir,
        profile=args.profile or base.profile,
        script=Path(args.script) if args.script else base.script,
    )


def run_app(argv: Sequence[str] | None = None, options: AppOptions | None = None) -> int:
    """Run the app in this terminal; the exit code."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    opts = options or parse_args(argv or [])
    app = MirrorApp(opts)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    with native_output_to(cache / "mirror" / "app.log"):
        result = app.run()
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(run_app(sys.argv[1:]))
