"""Review: the episodes table (sortable, filtered), the details of the selected one, the
timeline and the transcript with markers, and the HTML report one key away."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static, TabbedContent, TabPane

from mirror.app.review_data import (
    EMOTION_COLORS,
    KINDS,
    Episode,
    Review,
    details_text,
    filter_episodes,
    load_review,
    transcript_text,
)
from mirror.app.widgets.timeline import Timeline
from mirror.app.widgets.title_bar import TitleBar
from mirror.events.model import EMOTIONS
from mirror.report.fmt import mmss

if TYPE_CHECKING:
    from mirror.app.app import MirrorApp

# column key -> (label, sort key of an episode)
COLUMNS: dict[str, tuple[str, Any]] = {
    "n": ("#", lambda e: e.number),
    "time": ("Time", lambda e: e.event.start_s),
    "emotion": ("Emotion", lambda e: e.event.expression),
    "kind": ("Kind", lambda e: e.label),
    "dur": ("Dur", lambda e: e.event.end_s - e.event.start_s),
    "intensity": ("Intensity", lambda e: e.event.intensity),
    "section": ("Section", lambda e: e.section),
    "said": ("Said", lambda e: " ".join(e.context.words)),
}
SORT_CYCLE = ("time", "intensity", "dur", "emotion", "kind")


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_report", "HTML report", id="review.open_report"),
        Binding("s", "cycle_sort", "Sort", id="review.sort"),
        Binding("e", "cycle_filter('emotion')", "Emotion", id="review.filter_emotion"),
        Binding("k", "cycle_filter('kind')", "Kind", id="review.filter_kind"),
        Binding("x", "clear_filters", "Clear filters", id="review.clear_filters"),
        Binding("t", "toggle_tab", "Timeline/Transcript", id="review.tab"),
        Binding("escape", "back", "Home", id="review.back"),
    ]

    def __init__(self, analysis_dir: Path, review: Review | None = None) -> None:
        """`review`: the loaded analysis (`load_review` raises a MirrorError for a bad one)."""
        super().__init__()
        self.analysis_dir = Path(analysis_dir)
        self.review = review or load_review(self.analysis_dir)
        self.sort_key = "time"
        self.sort_reverse = False
        self.shown: list[Episode] = []

    @property
    def mirror(self) -> MirrorApp:
        return cast("MirrorApp", self.app)

    def compose(self) -> ComposeResult:
        r = self.review
        yield TitleBar("review")
        d = self.analysis_dir
        name = d.parent.name if d.name == "analysis" else d.name
        yield Static(f"{name} · {r.summary()}", id="review-summary", markup=False)
        warnings = [*(r.analysis.doc.get("warnings") or []), *r.analysis.notes]
        if warnings:
            yield Static("\n".join(f"⚠ {w}" for w in warnings), id="review-warnings", markup=False)
        with Horizontal(id="filters"):
            yield Select([(e, e) for e in EMOTIONS], prompt="all emotions", id="f-emotion")
            yield Select([(k, k) for k in KINDS], prompt="all kinds", id="f-kind")
            yield Select([(s, s) for s in r.sections], prompt="all sections", id="f-section",
                         disabled=not r.sections)
        with Horizontal(id="review-main"):
            table: DataTable[Any] = DataTable(id="events", cursor_type="row", zebra_stripes=True)
            yield table
            with VerticalScroll(id="details-pane") as pane:
                pane.border_title = "Episode"
                yield Static("No episode selected.", id="details")
        with TabbedContent(id="review-tabs"):
            with TabPane("Timeline", id="tab-timeline"):
                yield Timeline(r, id="timeline")
            with TabPane("Transcript", id="tab-transcript"), VerticalScroll():
                yield Static(transcript_text(r), id="transcript")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#events", DataTable)
        for key, (label, _) in COLUMNS.items():
            table.add_column(label, key=key)
        self.refill()
        table.focus()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < 100, "narrow")
        self.set_class(event.size.height < 30, "short")

    # -- the table ----------------------------------------------------------------------------
    def filters(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for name in ("emotion", "kind", "section"):
            value = self.query_one(f"#f-{name}", Select).value
            out[name] = value if isinstance(value, str) else None
        return out

    def refill(self) -> None:
        table = self.query_one("#events", DataTable)
        shown = filter_episodes(self.review.episodes, **self.filters())
        shown.sort(key=COLUMNS[self.sort_key][1], reverse=self.sort_reverse)
        self.shown = shown
        table.clear()
        for ep in shown:
            ev = ep.event
            color = EMOTION_COLORS.get(ev.expression, "")
            table.add_row(
                str(ep.number), mmss(ev.start_s), Text(ev.expression, style=color),
                ep.label + (" !" if ep.problem else ""), f"{ev.end_s - ev.start_s:.2f}",
                f"{ev.intensity:.2f}", ep.section or "–",
                " ".join(ep.context.words)[:30] or "–", key=str(ep.number),
            )
        total = len(self.review.episodes)
        arrow = "↓" if self.sort_reverse else "↑"
        table.border_title = (f"Episodes {len(shown)}/{total} · sorted by "
                              f"{COLUMNS[self.sort_key][0].lower()} {arrow}")
        if not shown:
            self.query_one("#details", Static).update(
                "No episodes match the filters (x clears them)." if total else
                "No expression episodes were found in this rehearsal.")
        else:
            self.show_details(shown[0])

    def show_details(self, ep: Episode) -> None:
        self.query_one("#details", Static).update(details_text(ep))

    @on(DataTable.RowHighlighted, "#events")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        ep = next((e for e in self.shown if str(e.number) == key), None)
        if ep is not None:
            self.show_details(ep)

    @on(DataTable.HeaderSelected, "#events")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))

    def sort_by(self, key: str) -> None:
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, key in ("intensity", "dur")
        self.refill()

    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.refill()

    # -- keys ---------------------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        i = SORT_CYCLE.index(self.sort_key) if self.sort_key in SORT_CYCLE else -1
        self.sort_key = SORT_CYCLE[(i + 1) % len(SORT_CYCLE)]
        self.sort_reverse = self.sort_key in ("intensity", "dur")
        self.refill()

    def action_cycle_filter(self, name: str) -> None:
        select = self.query_one(f"#f-{name}", Select)
        options = list(EMOTIONS) if name == "emotion" else list(KINDS)
        value = select.value
        i = options.index(value) if isinstance(value, str) and value in options else -1
        if i + 1 < len(options):
            select.value = options[i + 1]
        else:
            select.clear()

    def action_clear_filters(self) -> None:
        for name in ("emotion", "kind", "section"):
            self.query_one(f"#f-{name}", Select).clear()

    def action_toggle_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-transcript" if tabs.active == "tab-timeline" else "tab-timeline"

    def action_open_report(self) -> None:
        self.mirror.open_report(self.analysis_dir)

    def action_back(self) -> None:
        self.dismiss()
