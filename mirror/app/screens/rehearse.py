"""Rehearse: the teleprompter, the recording timer, live meters (or none), and a clear stop."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static

from mirror.app.live import CUE_LEVEL, close_analyzer, make_live_analyzer, script_for_recording, temp_dir
from mirror.app.messages import LevelsUpdated, RecordingFailed, RecordingFinished, RecordingStarted
from mirror.app.options import AppOptions
from mirror.app.script_text import load_prompt
from mirror.app.sessions import mmss
from mirror.app.sources import SourceStatus
from mirror.app.widgets.meters import EmotionMeters
from mirror.app.widgets.teleprompter import Teleprompter
from mirror.app.widgets.title_bar import TitleBar
from mirror.errors import MirrorError

CUE_HOLD_S = 1.5


class RehearseScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,n", "next_section", "Next", id="rehearse.next", tooltip="Next section"),
        Binding("p", "previous_section", "Previous", id="rehearse.previous",
                tooltip="Previous section"),
        Binding("b", "toggle_mode", "Blind", id="rehearse.mode",
                tooltip="Blind/biofeedback: hide or show the meters and cues"),
        Binding("s,escape", "stop", "Stop", id="rehearse.stop", priority=True,
                tooltip="Stop & analyse"),
    ]

    def __init__(self, sources: SourceStatus, profile: str, options: AppOptions) -> None:
        super().__init__()
        self.sources, self.profile_name, self.options = sources, profile, options
        self.stop_event = threading.Event()
        self.started_at: float | None = None
        self.session_dir: Path | None = None
        self.blind = False
        self.cue_until = 0.0
        self.section_times: list[tuple[float, int]] = []
        from mirror.profiles import load_profile

        try:
            self.problems: tuple[str, ...] = load_profile(profile).problem_leaks
        except MirrorError:
            self.problems = ()
        self.script_error = ""
        try:
            self.sections, self.source = load_prompt(options.script)
        except MirrorError as exc:
            self.script_error = str(exc)
            self.sections, self.source = load_prompt(None)

    def compose(self) -> ComposeResult:
        yield TitleBar("rehearse")
        with Horizontal(id="rehearse-main"):
            with Vertical(id="prompt-pane") as prompt:
                prompt.border_title = f"Script: {self.source}"
                yield Teleprompter(self.sections, source=self.source, id="teleprompter")
            with Vertical(id="live-pane"):
                yield Static("○ starting…", id="timer")
                yield Static("", id="mode")
                yield EmotionMeters(id="meters")
                yield Static("", id="cue")
                yield Static(f"{self.sources.camera_note}\n{self.sources.microphone_note}",
                             id="sources-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.script_error:
            self.notify(f"{self.script_error}; showing the sample pitch", severity="warning")
        self.show_mode()
        self.set_interval(0.25, self.tick)
        self.record()

    def on_unmount(self) -> None:
        self.stop_event.set()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < 90, "narrow")
        self.set_class(event.size.height < 30, "short")

    # -- the recording ------------------------------------------------------------------------
    def _post_levels(self, t: float, levels: dict[str, float]) -> None:  # the live thread
        self.post_message(LevelsUpdated(t, levels))

    def _post_started(self, session_dir: Path) -> None:  # the recording thread
        self.post_message(RecordingStarted(session_dir))

    @work(thread=True, group="recording", exclusive=True, exit_on_error=False)
    def record(self) -> None:
        from mirror.capture.recording import record_session

        analyzer, note = make_live_analyzer(self.options.live)
        if note:
            self.post_message(LevelsUpdated(-1.0, {"note": 0.0}))
        with temp_dir() as tmp:
            try:
                result = record_session(
                    camera=self.sources.camera, microphone=self.sources.microphone or None,
                    profile=self.profile_name,
                    script=script_for_recording(self.options.script, Path(tmp)),
                    sessions_dir=self.options.sessions_dir, live=analyzer,
                    on_live=self._post_levels, on_started=self._post_started,
                    stop_event=self.stop_event,
                )
            except MirrorError as exc:
                self.post_message(RecordingFailed(str(exc)))
                return
            except Exception as exc:
                self.post_message(RecordingFailed(f"recording failed ({type(exc).__name__}: {exc})"))
                return
            finally:
                close_analyzer(analyzer)
        self.post_message(RecordingFinished(result.session_dir, result.describe()))

    @on(RecordingStarted)
    def recording_started(self, message: RecordingStarted) -> None:
        self.started_at = time.monotonic()
        self.session_dir = message.session_dir
        self.section_times.append((0.0, self.query_one(Teleprompter).index))

    @on(RecordingFinished)
    def recording_finished(self, message: RecordingFinished) -> None:
        from mirror.app.screens.analysing import AnalysingScreen

        self.notify(message.summary, title="Recorded", timeout=6)
        self.app.switch_screen(AnalysingScreen(message.session_dir, self.profile_name,
                                               self.options))

    @on(RecordingFailed)
    def recording_failed(self, message: RecordingFailed) -> None:
        self.notify(message.error, title="Recording", severity="error", timeout=10)
        self.dismiss()

    @on(LevelsUpdated)
    def levels_updated(self, message: LevelsUpdated) -> None:
        if message.t < 0:
            self.query_one("#cue", Static).update("live meters are not available")
            return
        self.query_one(EmotionMeters).levels = message.levels
        if self.blind:
            return
        hot = [e for e in self.problems if message.levels.get(e, 0.0) >= CUE_LEVEL]
        if hot:
            self.cue_until = time.monotonic() + CUE_HOLD_S
            self.query_one("#cue", Static).update(f"⚠ {', '.join(hot)} showing")

    def tick(self) -> None:
        timer = self.query_one("#timer", Static)
        if self.stop_event.is_set():
            timer.update("■ stopping…")
        elif self.started_at is not None:
            mode = "blind" if self.blind else "biofeedback"
            timer.update(f"● REC {mmss(time.monotonic() - self.started_at)} · {mode}")
        if self.cue_until and time.monotonic() > self.cue_until:
            self.cue_until = 0.0
            self.query_one("#cue", Static).update("")

    # -- keys ---------------------------------------------------------------------------------
    def action_next_section(self) -> None:
        self._move(1)

    def action_previous_section(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        prompter = self.query_one(Teleprompter)
        prompter.advance(step)
        if self.started_at is not None:
            self.section_times.append((time.monotonic() - self.started_at, prompter.index))

    def action_toggle_mode(self) -> None:
        self.blind = not self.blind
        self.show_mode()

    def show_mode(self) -> None:
        meters = self.query_one(EmotionMeters)
        meters.display = not self.blind
        self.query_one("#cue", Static).update("")
        self.query_one("#mode", Static).update(
            "Blind mode: no meters, no cues. Review later. (b: biofeedback)" if self.blind
            else "Biofeedback: live meters and a cue when a leak shows. (b: blind mode)")

    def action_stop(self) -> None:
        if not self.stop_event.is_set():
            self.stop_event.set()
            self.tick()
            self.notify("Stopping the recording…", timeout=2)
