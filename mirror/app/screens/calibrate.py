"""Calibrate: a countdown, then a few seconds of your neutral face, checked live for a face that
is visible and steady."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from mirror.app.live import close_analyzer, make_live_analyzer
from mirror.app.messages import (
    AnalysisProgressed,
    LevelsUpdated,
    RecordingFailed,
    RecordingFinished,
    RecordingStarted,
)
from mirror.app.options import AppOptions
from mirror.app.sources import SourceStatus
from mirror.app.widgets.title_bar import TitleBar
from mirror.errors import MirrorError

STEADY_LEVEL = 0.3  # every emotion below this: a relaxed, neutral face
GOOD_RATIO = 0.8  # share of live checks that must see a (steady) face


class FaceCheck:
    """Counts the live checks: how often a face was seen, and how often it was steady."""

    def __init__(self) -> None:
        self.checks = self.faces = self.steady = 0

    def add(self, levels: dict[str, float]) -> None:
        self.checks += 1
        if levels.get("face", 0.0) >= 0.5:
            self.faces += 1
            if max((v for k, v in levels.items() if k != "face"), default=0.0) < STEADY_LEVEL:
                self.steady += 1

    @property
    def face_ratio(self) -> float:
        return self.faces / self.checks if self.checks else 0.0

    @property
    def steady_ratio(self) -> float:
        return self.steady / self.faces if self.faces else 0.0

    def verdict(self) -> tuple[bool, str]:
        if not self.checks:
            return False, "the face could not be checked (no live analysis)"
        if self.face_ratio < GOOD_RATIO:
            return False, (f"a face was seen in only {self.face_ratio:.0%} of the checks: sit "
                           "facing the camera, well lit, and try again (c)")
        if self.steady_ratio < GOOD_RATIO:
            return False, (f"the face was relaxed in only {self.steady_ratio:.0%} of the checks: "
                           "keep still, do not talk, and try again (c)")
        return True, (f"face visible in {self.face_ratio:.0%} of the checks and steady in "
                      f"{self.steady_ratio:.0%}")


class CalibrateScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="calibrate.back"),
        Binding("c", "again", "Again", id="calibrate.again"),
    ]

    def __init__(self, sources: SourceStatus, profile: str, options: AppOptions) -> None:
        super().__init__()
        self.sources, self.profile_name, self.options = sources, profile, options
        self.stop_event = threading.Event()
        self.check = FaceCheck()
        self.count = options.countdown_s
        self.done = False
        self.rejected = ""

    def compose(self) -> ComposeResult:
        yield TitleBar("calibrate")
        with Vertical(id="calibrate-main"):
            yield Static("Look at the camera with a relaxed, neutral face. Do not talk.",
                         id="calibrate-help")
            yield Static("", id="countdown")
            yield Static("face: –", id="face-check")
            yield Static("", id="calibrate-result")
        yield Footer()

    def on_mount(self) -> None:
        self.start()

    def on_unmount(self) -> None:
        self.stop_event.set()

    def start(self) -> None:
        self.done = False
        self.rejected = ""  # why the clip was refused (the shared gate), "" when it was kept
        self.check = FaceCheck()
        self.stop_event = threading.Event()
        self.count = self.options.countdown_s
        self.query_one("#calibrate-result", Static).update("")
        self.countdown()

    def countdown(self) -> None:
        if self.count > 0:
            self.query_one("#countdown", Static).update(f"Starting in {self.count}…")
            self.count -= 1
            self.set_timer(1.0, self.countdown)
        else:
            self.query_one("#countdown", Static).update(
                f"● Recording {self.options.calibration_s:g} s…")
            self.record()

    def _post_levels(self, t: float, levels: dict[str, float]) -> None:  # the live thread
        self.post_message(LevelsUpdated(t, levels))

    def _post_started(self, session_dir: Path) -> None:  # the recording thread
        self.post_message(RecordingStarted(session_dir))

    @work(thread=True, group="recording", exclusive=True, exit_on_error=False)
    def record(self) -> None:
        from mirror.calibration import CalibrationRejected, calibrate_from
        from mirror.capture.recording import record_session

        analyzer, _ = make_live_analyzer(True)
        try:
            result = record_session(
                camera=self.sources.camera, microphone="none", seconds=self.options.calibration_s,
                profile=self.profile_name, sessions_dir=self.options.sessions_dir,
                kind="calibration", live=analyzer,
                on_live=self._post_levels, on_started=self._post_started,
                stop_event=self.stop_event,
            )
        except MirrorError as exc:
            self.post_message(RecordingFailed(str(exc)))
            return
        except Exception as exc:
            self.post_message(RecordingFailed(f"calibration failed ({type(exc).__name__}: {exc})"))
            return
        finally:
            close_analyzer(analyzer)
        summary = result.describe()
        self.post_message(AnalysisProgressed("baseline", 0.0))
        try:
            stored = calibrate_from(result.session_dir, profile=self.profile_name)
            summary += f"\nbaseline stored in {stored}"
        except CalibrationRejected as exc:  # the shared gate: nothing stored, the clip deleted
            self.rejected = exc.reason
            summary = "Nothing was stored and the clip was deleted."
        except MirrorError as exc:
            self.rejected = str(exc)
            summary += "\nthe baseline was not stored"
        self.post_message(RecordingFinished(result.session_dir, summary))

    @on(AnalysisProgressed)
    def measuring(self) -> None:
        self.query_one("#countdown", Static).update("■ Recorded · measuring your neutral face…")

    @on(LevelsUpdated)
    def levels_updated(self, message: LevelsUpdated) -> None:
        self.check.add(message.levels)
        seen = message.levels.get("face", 0.0) >= 0.5
        self.query_one("#face-check", Static).update(
            f"face: {'✓ visible' if seen else '✗ not visible'} · "
            f"seen in {self.check.face_ratio:.0%} of {self.check.checks} checks · "
            f"steady {self.check.steady_ratio:.0%}")

    @on(RecordingFinished)
    def finished(self, message: RecordingFinished) -> None:
        self.done = True
        ok, verdict = (False, self.rejected) if self.rejected else (True, self.check.verdict()[1])
        self.query_one("#countdown", Static).update("■ Done")
        result = Text(f"{'✓ Calibration kept' if ok else '✗ Calibration refused'}: "
                      f"{verdict}.\n", style="bold")
        result.append(f"{message.summary}\n", style="dim")
        result.append("\nEsc: back home · c: again")
        self.query_one("#calibrate-result", Static).update(result)
        self.query_one("#calibrate-result", Static).set_class(not ok, "warning")

    @on(RecordingFailed)
    def failed(self, message: RecordingFailed) -> None:
        self.notify(message.error, title="Calibration", severity="error", timeout=10)
        self.dismiss()

    def action_back(self) -> None:
        self.stop_event.set()
        self.dismiss()

    def action_again(self) -> None:
        if self.done:
            self.start()
