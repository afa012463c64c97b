"""Small terminals: at 80x24 Review keeps the title, the warnings, the coaching line and the
timeline's axis; at 120 columns the Section column is not cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_app import app_for, event, make_session, no_devices, open_review, pilot_test
from textual.widgets import DataTable, Static

from mirror.app.widgets.timeline import Timeline

__all__ = ["no_devices"]
WARNING = "no audio track: what you said is not analysed"


def _session(root: Path) -> Path:
    d = make_session(root, "2026-11-22_100000_sales-pitch", events=[
        event(0.4, "happiness", "held", 0.7, section="The problem we solve", words=["thank"]),
        event(3.4, "fear", "leak", 0.9, section="The problem we solve", words=["price", "is"],
              triggers=["price"]),
        event(8.1, "surprise", "leak", 0.3, section="Close", words=["questions"])])
    doc_path = d / "analysis" / "events.json"
    doc = json.loads(doc_path.read_text())
    doc["warnings"] = [WARNING]
    for w in doc["speech"]["words"]:  # a section name as long as the demo's
        w["section"] = {"Opening": "The problem we solve"}.get(w["section"], w["section"])
    doc["cues"] = [{"cue": "lip_press", "start_s": 5.0, "apex_s": 5.2, "end_s": 5.6,
                    "duration_s": 0.6, "intensity": 0.5, "confidence": 0.8, "side": "both",
                    "direction": None, "evidence": {"AU24": 0.41}, "parts": []}]
    doc_path.write_text(json.dumps(doc))
    return root


def _visible(widget, screen_size) -> bool:  # type: ignore[no-untyped-def]
    r = widget.region
    return widget.display and r.height > 0 and r.bottom <= screen_size.height


@pilot_test
async def test_80x24_review_keeps_title_warnings_coaching_and_the_axis(
        tmp_path: Path, no_devices: None) -> None:
    app = app_for(_session(tmp_path / "s"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, app)
        size = screen.size
        assert _visible(screen.query_one(".title-bar"), size)
        warnings = screen.query_one("#review-warnings", Static)
        assert _visible(warnings, size) and WARNING in str(warnings.render())
        # The details pane shows its first four lines: what, when, what was said, the coaching.
        details = screen.query_one("#details", Static)
        lines = str(details.render()).splitlines()
        coaching = next(i for i, ln in enumerate(lines) if "smile" in ln or "coach" in ln
                        or ln == lines[3])
        pane = screen.query_one("#details-pane")
        assert details.region.y + coaching < pane.region.bottom - 1, (lines, pane.region)
        # The timeline shows whole: the emotions that moved, the episodes, the cue lane, the axis.
        timeline = screen.query_one(Timeline)
        text = str(timeline.render()).splitlines()
        assert text[-1].strip().startswith("0:00") and "episodes" in text[-3 if len(text) > 2 else 0]
        visible = timeline.parent.region
        assert timeline.region.y + len(text) <= visible.bottom, (text, visible)
        assert any(ln.startswith("happiness") for ln in text)
        assert any(ln.startswith("lip press") or "press" in ln[:10] for ln in text)


@pytest.mark.parametrize("width", [120])
@pilot_test
async def test_120_columns_do_not_cut_the_section(tmp_path: Path, no_devices: None,
                                                  width: int) -> None:
    app = app_for(_session(tmp_path / "s"))
    async with app.run_test(size=(width, 40)) as pilot:
        screen = await open_review(pilot, app)
        table = screen.query_one("#events", DataTable)
        assert "The problem we solve" in [str(table.get_row_at(i)[6]) for i in range(2)]
        widths = [c.get_render_width(table) for c in table.ordered_columns]
        keys = [c.key.value for c in table.ordered_columns]
        right = sum(widths[:keys.index("section") + 1])
        assert right <= table.scrollable_content_region.width, (widths, table.size)
