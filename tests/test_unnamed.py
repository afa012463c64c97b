"""An unnamed episode (mirror.events.model.UNNAMED: a clear movement that fits none of the seven
emotions) reads as "facial movement: <what moved>" in grey in the report, the app and the
history, and never counts as an emotion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_app import app_for, event, make_session, no_devices, open_review, pilot_test, text_of
from test_report_fixture import _event, build_analysis, small_events
from textual.widgets import DataTable

from mirror.events.model import EMOTIONS, UNNAMED
from mirror.report.fmt import UNNAMED_COLOR
from mirror.report.write import write_report

__all__ = ["no_devices"]  # the fixture, imported from test_app
WHAT = "brows raised and lips stretched"


def _unnamed(start: float, **extra: Any) -> dict[str, Any]:
    return {**_event(start, start + 0.2, start + 0.4, UNNAMED, "leak", 0.5,
                     regions=["brows", "mouth"]), "description": WHAT, **extra}


def test_the_report_names_it_a_facial_movement_in_grey(tmp_path: Path) -> None:
    analysis = build_analysis(tmp_path / "2026-11-23_1000", events=[*small_events(), _unnamed(5.0)])
    written = write_report(analysis)
    html = written["html"].read_text(encoding="utf-8")
    md = written["md"].read_text(encoding="utf-8")
    facts = json.loads(written["json"].read_text(encoding="utf-8"))
    assert f"facial movement: {WHAT}" in html and f"facial movement: {WHAT}" in md
    assert f".emo-unnamed {{ --c: {UNNAMED_COLOR}; }}" in html
    assert 'class="badge emo-unnamed">facial movements (no emotion)</span>' in html
    assert "facial movements (no emotion): 1 leak (1 micro), 0 held" in md
    assert ">unnamed<" not in html and "unnamed leak" not in md  # never the raw code
    ep = next(e for e in facts["episodes"] if e["expression"] == UNNAMED)
    assert ep["name"] == f"facial movement: {WHAT}" and ep["description"] == WHAT
    # not an emotion: the per-emotion counts hold the five emotional episodes only
    assert sum(v["leak"] + v["held"] for v in facts["summary"]["by_emotion"].values()) == 5
    assert set(facts["summary"]["by_emotion"]) == set(EMOTIONS)


@pilot_test
async def test_the_app_shows_it_in_grey_in_table_details_and_timeline(tmp_path: Path,
                                                                       no_devices: None) -> None:
    root = tmp_path / "sessions"
    make_session(root, "2026-11-22_100000_sales-pitch", events=[
        event(1.0, "fear", "leak", 0.6),
        event(4.0, UNNAMED, "leak", 0.5, description=WHAT, regions=["brows", "mouth"])])
    app = app_for(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review(pilot, app)
        events = app.screen.query_one("#events", DataTable)
        rows = [" ".join(str(c) for c in events.get_row_at(i)) for i in range(events.row_count)]
        assert any(f"facial movement: {WHAT}"[:20] in r for r in rows), rows
        await pilot.press("down")
        details = text_of(app, "#details")
        assert f"facial movement: {WHAT} · micro leak" in details
        timeline = str(app.screen.query_one("#timeline").render())
        assert "movement" in timeline and "unnamed" not in timeline
        await pilot.press("e", "e", "e", "e", "e", "e", "e", "e")  # the emotion filter's last entry
        assert events.row_count == 1
