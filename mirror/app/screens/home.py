"""Home: your sessions with their trend, the profile picker, and what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Label, Select, Static

from mirror.app.messages import SessionsLoaded, SourcesProbed
from mirror.app.sessions import SessionRow, load_session_rows, mmss, profile_trend, trend_text
from mirror.app.sources import probe_sources
from mirror.app.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from mirror.app.app import MirrorApp

NARROW = 96  # columns below which the side panel goes under the table


class HomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "app.new_rehearsal", "Rehearse", id="home.rehearse"),
        Binding("c", "app.calibrate", "Calibrate", id="home.calibrate"),
        Binding("a", "app.analyse_file", "Analyse file", id="home.analyse_file"),
        Binding("o", "open_report", "Report", id="home.open_report"),
        Binding("f5", "refresh", "Refresh", id="home.refresh", show=False),
        Binding("f2", "app.choose_sources", "Camera & mic", id="home.sources"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SessionRow] = []

    @property
    def mirror(self) -> MirrorApp:
        return cast("MirrorApp", self.app)

    def compose(self) -> ComposeResult:
        from mirror.profiles import available_profiles

        yield TitleBar("your rehearsals")
        yield Static("Looking for a camera and a microphone…", id="notice", markup=False)
        with Horizontal(id="home-main"):
            with Vertical(id="sessions-pane"):
                yield Label("Your rehearsals", classes="pane-title")
                table: DataTable[str] = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
                yield table
                with Horizontal(id="trend-row"):
                    yield Label("leaks/min, oldest → newest ", id="trend-label")
                    yield Static("", id="trend", markup=False)
            with Vertical(id="side-pane"):
                yield Label("Profile", classes="pane-title")
                names = available_profiles()
                yield Select([(n, n) for n in names], value=self.mirror.profile
                             if self.mirror.profile in names else Select.BLANK,
                             allow_blank=not names, id="profile")
                yield Static("", id="profile-about")
                yield Button("New rehearsal (r)", id="new-rehearsal", variant="primary")
                yield Button("Calibrate (c)", id="calibrate")
                yield Button("Analyse a file (a)", id="analyse-file")
                yield Button("Open report (o)", id="open-report")
                yield Button("Camera & mic (F2)", id="sources")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        for key, label in (("date", "Date"), ("profile", "Profile"), ("length", "Length"),
                           ("lpm", "Leaks/min"), ("held", "Held"), ("trend", "Trend"),
                           ("status", "Status")):
            table.add_column(label, key=key)
        self.show_profile()
        self.probe_sources()
        self.load_rows()

    def on_screen_resume(self) -> None:
        self.load_rows()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "narrow")
        self.set_class(event.size.height < 30, "short")

    # -- workers ------------------------------------------------------------------------------
    @work(thread=True, group="sources", exclusive=True)
    def probe_sources(self) -> None:
        o = self.mirror.options
        self.post_message(SourcesProbed(probe_sources(o.camera, o.microphone)))

    @work(thread=True, group="sessions", exclusive=True)
    def load_rows(self) -> None:
        """The sessions, after repairing any a crashed recorder left (as `mirror record` does)."""
        from mirror.errors import MirrorError
        from mirror.session import iter_repairs

        root = self.mirror.options.sessions_dir
        try:
            repaired = [r.summary() for r in iter_repairs(root)]
        except MirrorError as exc:
            repaired = [f"could not repair a session: {exc}"]
        for line in repaired:
            self.app.call_from_thread(self.notify, line, title="Repaired", timeout=8)
        self.post_message(SessionsLoaded(load_session_rows(root)))

    # -- messages -----------------------------------------------------------------------------
    @on(SourcesProbed)
    def sources_probed(self, message: SourcesProbed) -> None:
        status = message.status
        self.mirror.sources = status
        notice = self.query_one("#notice", Static)
        if status.can_record and status.has_sound:
            notice.update(f"Recording from {status.camera_note} and {status.microphone_note}.")
            notice.set_class(False, "warning")
            return
        lines = [f"• {p}" for p in status.problems()]
        if not status.can_record:
            lines.append("You can still analyse a video file (a), or use a video file as the "
                         "camera (F2).")
        else:
            lines.insert(0, f"Recording from {status.camera_note}.")
        notice.update("\n".join(lines))
        notice.set_class(True, "warning")

    @on(SessionsLoaded)
    def sessions_loaded(self, message: SessionsLoaded) -> None:
        self.rows = message.rows
        table = self.query_one("#sessions", DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(
                row.date, row.profile, mmss(row.length_s),
                f"{row.leaks_per_min:.1f}" if row.leaks_per_min is not None else "–",
                str(row.held) if row.held is not None else "–", row.trend,
                row.status if row.analysed or row.status != "complete" else "not analysed",
                key=str(row.path),
            )
        if not self.rows:
            self.query_one("#sessions-pane .pane-title", Label).update(
                "Your rehearsals: none yet. Press r to record one, or a to analyse a file.")
        else:
            self.query_one("#sessions-pane .pane-title", Label).update(
                f"Your rehearsals ({len(self.rows)})")
        self.show_trend()

    # -- widgets ------------------------------------------------------------------------------
    @on(Select.Changed, "#profile")
    def profile_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.mirror.profile = event.value
            self.show_profile()
            self.show_trend()

    def show_profile(self) -> None:
        from mirror.errors import MirrorError
        from mirror.profiles import load_profile

        about = self.query_one("#profile-about", Static)
        try:
            p = load_profile(self.mirror.profile)
        except MirrorError as exc:
            about.update(str(exc))
            return
        about.update(f"[b]{p.title}[/b]\n{' '.join(p.description.split())}")

    def show_trend(self) -> None:
        values = profile_trend(self.rows, self.mirror.profile)
        self.query_one("#trend", Static).update(trend_text(values))
        self.query_one("#trend-label", Label).update(
            f"{self.mirror.profile}: leaks/min, oldest → newest " if values
            else f"{self.mirror.profile}: no analysed rehearsals yet ")

    def selected_row(self) -> SessionRow | None:
        table = self.query_one("#sessions", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if str(r.path) == key), None)

    @on(DataTable.RowSelected, "#sessions")
    def row_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.analysed:
            self.mirror.review(row.analysis_dir)
        elif row.status == "complete" or row.status == "interrupted":
            self.mirror.analyse(row.path)
        else:
            self.notify(f"{row.path.name} is {row.status}: it cannot be analysed yet")

    def action_open_report(self) -> None:
        row = self.selected_row()
        if row is None or not row.analysed:
            self.notify("Choose an analysed rehearsal first (↑/↓), then press o.")
            return
        self.mirror.open_report(row.analysis_dir)

    def action_refresh(self) -> None:
        self.load_rows()
        self.probe_sources()

    @on(Button.Pressed, "#new-rehearsal")
    def _new(self) -> None:
        self.mirror.action_new_rehearsal()

    @on(Button.Pressed, "#calibrate")
    def _calibrate(self) -> None:
        self.mirror.action_calibrate()

    @on(Button.Pressed, "#analyse-file")
    def _analyse(self) -> None:
        self.mirror.action_analyse_file()

    @on(Button.Pressed, "#open-report")
    def _report(self) -> None:
        self.action_open_report()

    @on(Button.Pressed, "#sources")
    def _sources(self) -> None:
        self.mirror.action_choose_sources()
