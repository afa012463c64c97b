"""Analysing: the pipeline in a worker, a progress bar with the stage and the time left, and a
cancel key."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import Worker, get_current_worker

from mirror.app.messages import AnalysisFailed, AnalysisFinished, AnalysisProgressed
from mirror.app.options import AppOptions
from mirror.app.widgets.title_bar import TitleBar
from mirror.errors import MirrorError
from mirror.report.fmt import plural
from mirror.session_import import session_title

if TYPE_CHECKING:
    from mirror.app.app import MirrorApp

# Each stage's share of the whole analysis, and what it is called on screen. Stages the
# pipeline may add later show under their own name and never move the bar backwards. The shares
# are of the time, as measured on the demo (2 cores, busy): the face took 41 s, what follows it
# (the model's workers ending, expressions, speech placed) 20 s more, about 0.3 of the whole.
STAGES: dict[str, tuple[float, float, str]] = {
    "start": (0.0, 0.0, "Loading the face model"),
    "face": (0.0, 0.7, "Tracking the face, frame by frame"),
    "expressions": (0.7, 0.95, "Scoring expressions and finding episodes"),
    "speech": (0.95, 1.0, "Listening: words, sections and trigger words"),
}
TIMED_STAGE = "face"  # the one stage that reports its progress as it goes


def overall_fraction(stage: str, fraction: float) -> float:
    lo, hi, _ = STAGES.get(stage, (STAGES["speech"][0], 1.0, stage))
    return lo + (hi - lo) * max(0.0, min(1.0, fraction))


def time_left_text(elapsed_s: float, fraction: float) -> str:
    if fraction < 0.03 or elapsed_s < 1.0:
        return "estimating the time left…"
    left = elapsed_s / fraction * (1.0 - fraction)
    return f"about {left:.0f} s left" if left < 90 else f"about {left / 60:.0f} min left"


def output_dir(target: Path) -> Path:
    """Where the analysis of `target` goes: a session's analysis/ folder, else beside the video."""
    from mirror.session import ANALYSIS, is_session_dir

    if target.is_dir() and is_session_dir(target):
        return target / ANALYSIS
    return target.with_name(target.name + ".mirror")


class AnalysingScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,c", "cancel", "Cancel", id="analysing.cancel")]

    def __init__(self, target: Path, profile: str, options: AppOptions) -> None:
        super().__init__()
        self.target, self.profile_name, self.options = Path(target), profile, options
        self.started = time.monotonic()
        self.first_progress: float | None = None
        self.fraction = 0.0
        self.face_s: float | None = None  # how long the face stage took, once it is done
        self.worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar("analysing")
        with Vertical(id="analysing-main"):
            yield Static(f"Analysing {session_title(self.target)} ({self.profile_name})",
                         id="what", markup=False)
            yield Static(STAGES["start"][2], id="stage")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static("estimating the time left…", id="eta")
            yield Static("Esc cancels; the recording is kept.", id="analysing-help")
        yield Footer()

    def on_mount(self) -> None:
        self.worker = self.analyse()

    @work(thread=True, group="analysis", exclusive=True, exit_on_error=False)
    def analyse(self) -> None:
        from mirror.pipeline import analyse_session, analyse_video
        from mirror.session import is_session_dir

        worker = get_current_worker()

        def progress(stage: str, fraction: float) -> None:
            self.post_message(AnalysisProgressed(stage, overall_fraction(stage, fraction)))

        out = output_dir(self.target)
        try:
            kwargs: dict[str, Any] = dict(progress=progress, workers=self.options.workers,
                                          cancelled=lambda: worker.is_cancelled)
            if is_session_dir(self.target):
                analysis = analyse_session(self.target, profile=self.profile_name, **kwargs)
            else:
                analysis = analyse_video(self.target, out, profile=self.profile_name, **kwargs)
        except MirrorError as exc:
            if not worker.is_cancelled:
                self.post_message(AnalysisFailed(str(exc)))
            return
        except Exception as exc:
            self.post_message(AnalysisFailed(f"the analysis failed ({type(exc).__name__}: {exc})"))
            return
        if worker.is_cancelled:
            return
        s = analysis.summary
        self.post_message(AnalysisFinished(
            out, f"{plural(s.events, 'episode')}: {plural(s.leaks, 'leak')} "
                 f"({s.micro} micro), {s.held} held"))

    @on(AnalysisProgressed)
    def progressed(self, message: AnalysisProgressed) -> None:
        now = time.monotonic()
        if self.first_progress is None and message.fraction > 0:
            self.first_progress = now
        self.fraction = max(self.fraction, message.fraction)
        label = STAGES.get(message.stage, (0, 0, message.stage.replace("_", " ").capitalize()))[2]
        self.query_one("#stage", Static).update(label)
        self.query_one(ProgressBar).update(progress=round(self.fraction * 100, 1))
        if message.stage == TIMED_STAGE:  # the whole analysis, not only the face stage
            elapsed = now - (self.first_progress or now)
            self.query_one("#eta", Static).update(time_left_text(elapsed, self.fraction))
            if self.fraction >= STAGES[TIMED_STAGE][1] and self.face_s is None:
                self.face_s = elapsed
                self.set_interval(1.0, self.count_down)
        elif self.face_s is None:
            self.face_s = now - (self.first_progress or now)
            self.set_interval(1.0, self.count_down)

    def count_down(self) -> None:
        """After the face: the rest takes about 0.3 of the whole, counted down from the face's
        time; past the estimate, says so instead of a number that no longer holds."""
        if self.face_s is None or self.first_progress is None:
            return
        total = self.face_s / STAGES[TIMED_STAGE][1]
        left = total - (time.monotonic() - self.first_progress)
        self.query_one("#eta", Static).update(
            f"face done; about {left:.0f} s left" if left >= 1.0
            else "face done; finishing (a little longer than estimated)…")

    @on(AnalysisFinished)
    def finished(self, message: AnalysisFinished) -> None:
        self.notify(message.summary, title="Analysed", timeout=5)
        cast("MirrorApp", self.app).review(message.analysis_dir, replace_screen=True)

    @on(AnalysisFailed)
    def failed(self, message: AnalysisFailed) -> None:
        self.notify(message.error, title="Analysis", severity="error", timeout=12)
        self.dismiss()

    def action_cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        self.notify("Analysis cancelled; run it again from Home (Enter on the session).",
                    timeout=5)
        self.dismiss()
