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
    KINDS,
    Item,
    Review,
    filter_episodes,
    item_details_text,
    load_review,
    transcript_text,
)
from mirror.app.widgets.timeline import Timeline
from mirror.app.widgets.title_bar import TitleBar
from mirror.events.model import EMOTIONS, UNNAMED
from mirror.report.fmt import mmss
from mirror.session_import import session_title

if TYPE_CHECKING:
    from mirror.app.app import MirrorApp

# column key -> (label, sort key of a row: an emotion episode or a cue)
COLUMNS: dict[str, tuple[str, Any]] = {
    "n": ("#", lambda e: (e.is_cue, e.number)),
    "time": ("Time", lambda e: e.start_s),
    "emotion": ("What", lambda e: e.what),
    "kind": ("Kind", lambda e: e.kind_text),
    "dur": ("Dur", lambda e: e.duration_s),
    "intensity": ("Int", lambda e: e.intensity),  # short: room for the section at 120 columns
    "section": ("Section", lambda e: e.section),
    "said": ("Said", lambda e: e.said),
}
FILTERS = ("emotion", "kind", "section", "show")
SORT_CYCLE = ("time", "intensity", "dur", "emotion", "kind")


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_report", "Report", id="review.open_report",
                tooltip="HTML report (written if needed), in the browser"),
        Binding("s", "cycle_sort", "Sort", id="review.sort"),
        Binding("e", "cycle_filter('emotion')", "Emotion", id="review.filter_emotion"),
        Binding("k", "cycle_filter('kind')", "Kind", id="review.filter_kind"),
        Binding("n", "cycle_filter('section')", "Section", id="review.filter_section"),
        Binding("c", "cycle_filter('show')", "Cues", id="review.filter_cues"),
        Binding("x", "clear_filters", "Clear", id="review.clear_filters", tooltip="Clear filters"),
        Binding("t", "toggle_tab", "Timeline/text", id="review.tab", tooltip="Timeline/Transcript"),
        Binding("escape", "back", "Home", id="review.back"),
    ]

    def __init__(self, analysis_dir: Path, review: Review | None = None) -> None:
        """`review`: the loaded analysis (`load_review` raises a MirrorError for a bad one)."""
        super().__init__()
        self.analysis_dir = Path(analysis_dir)
        self.review = review or load_review(self.analysis_dir)
        self.sort_key = "time"
        self.sort_reverse = False
        self.shown: list[Item] = []

    @property
    def mirror(self) -> MirrorApp:
        return cast("MirrorApp", self.app)

    def compose(self) -> ComposeResult:
        r = self.review
        yield TitleBar("review")
        d = self.analysis_dir
        name = session_title(d.parent) if d.name == "analysis" else d.name
        yield Static(f"{name} · {r.summary()}", id="review-summary", markup=False)
        warnings = [*r.analysis.warnings, *r.analysis.notes]
        if warnings:
            yield Static("\n".join(f"⚠ {w}" for w in warnings), id="review-warnings", markup=False)
        with Horizontal(id="filters"):
            yield Select([*((e, e) for e in EMOTIONS), ("facial movement", UNNAMED)],
                         prompt="all emotions", id="f-emotion")
            yield Select([(k, k) for k in KINDS], prompt="all kinds", id="f-kind")
            yield Select([(s, s) for s in r.sections], prompt="all sections", id="f-section",
                         disabled=not r.sections)
            yield Select(self.show_options(), prompt="emotions & cues", id="f-show",
                         disabled=not r.cues)
        with Horizontal(id="review-main"):
            table: DataTable[Any] = DataTable(id="events", cursor_type="row", zebra_stripes=True)
            yield table
            with VerticalScroll(id="details-pane") as pane:
                pane.border_title = "Episode"
                yield Static("No episode selected.", id="details")
        with TabbedContent(id="review-tabs"):
            with TabPane("Timeline", id="tab-timeline"), VerticalScroll():
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
        lanes = len(self.review.cue_kinds)
        tabs = self.query_one("#review-tabs")
        if event.size.height < 30:  # short: the timeline shows what fits, always its axis
            tabs.styles.height = min(10, max(5, event.size.height - 16))
        elif lanes:  # room for the cue lanes under the emotions
            tabs.styles.height = 14 + min(lanes, 5)
        self.query_one("#timeline").refresh(layout=True)

    def show_options(self) -> list[tuple[str, str]]:
        """The type filter: emotions only, cues only, or one cue type."""
        kinds = self.review.cue_kinds
        labels = {c.cue: c.label for c in self.review.cues}
        return [("emotions", "emotions"), ("cues", "cues")] + [
            (f"cues: {labels[k]}", k) for k in kinds]

    # -- the table ----------------------------------------------------------------------------
    def filters(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for name in FILTERS:
            value = self.query_one(f"#f-{name}", Select).value
            out[name] = value if isinstance(value, str) else None
        return out

    def refill(self) -> None:
        table = self.query_one("#events", DataTable)
        r = self.review
        shown = filter_episodes(r.items, **self.filters())
        shown.sort(key=COLUMNS[self.sort_key][1], reverse=self.sort_reverse)
        self.shown = shown
        table.clear()
        for it in shown:
            table.add_row(
                it.key if it.is_cue else str(it.number), mmss(it.start_s),
                Text(it.what, style=it.color), it.kind_text + (" !" if it.problem else ""),
                f"{it.duration_s:.2f}", f"{it.intensity:.2f}", it.section or "–",
                it.said[:30] or "–", key=it.key,
            )
        n_eps = sum(not it.is_cue for it in shown)
        title = f"Episodes {n_eps}/{len(r.episodes)}"
        if r.cues:
            title += f" · cues {len(shown) - n_eps}/{len(r.cues)}"
        arrow = "↓" if self.sort_reverse else "↑"
        by = "intensity" if self.sort_key == "intensity" else COLUMNS[self.sort_key][0].lower()
        table.border_title = f"{title} · sorted by {by} {arrow}"
        if not shown:
            self.query_one("#details", Static).update(
                "No episodes match the filters (x clears them)." if r.items else
                "No expression episodes were found in this rehearsal."
                + (" No cues either." if r.cues_analysed else ""))
        else:
            self.show_details(shown[0])

    def show_details(self, item: Item) -> None:
        self.query_one("#details-pane").border_title = "Cue" if item.is_cue else "Episode"
        self.query_one("#details", Static).update(item_details_text(item))

    @on(DataTable.RowHighlighted, "#events")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        ep = next((e for e in self.shown if e.key == key), None)
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
        if select.disabled:
            return
        options = {"emotion": [*EMOTIONS, UNNAMED], "kind": list(KINDS),
                   "section": self.review.sections,
                   "show": [v for _, v in self.show_options()]}[name]
        value = select.value
        i = options.index(value) if isinstance(value, str) and value in options else -1
        if i + 1 < len(options):
            select.value = options[i + 1]
        else:
            select.clear()

    def action_clear_filters(self) -> None:
        for name in FILTERS:
            self.query_one(f"#f-{name}", Select).clear()

    def action_toggle_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-transcript" if tabs.active == "tab-timeline" else "tab-timeline"

    def action_open_report(self) -> None:
        self.mirror.open_report(self.analysis_dir)

    def action_back(self) -> None:
        self.dismiss()
