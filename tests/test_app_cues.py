"""Cues in the app's Review screen: listed with the emotion episodes, filtered by type, their
details, the timeline's cue lanes and the transcript's markers; sessions without cues and older
analyses without a `cues` list look as before. Hand-made sessions, no model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_app import app_for, event, make_session, no_devices, pilot_test, text_of, wait_for
from textual.widgets import DataTable, Select

from mirror.app.review_data import cue_lane, filter_episodes, load_review, timeline_text
from mirror.app.screens.review import ReviewScreen
from mirror.profiles import load_profile

__all__ = ["no_devices"]  # the fixture, shared with test_app.py

NAME = "2026-11-22_100000_sales-pitch"


def cue(kind: str, start: float, end: float, *, problem: bool, **extra: Any) -> dict[str, Any]:
    d = {"cue": kind, "label": kind.replace("_", " "), "meaning": f"what {kind} means",
         "start_s": start, "apex_s": (start + end) / 2, "end_s": end,
         "duration_s": round(end - start, 3), "intensity": 0.6, "confidence": 0.8,
         "side": "both", "direction": None, "reading": False, "problem": problem,
         "evidence": {}, "parts": [], "after_trigger": None, "speaking": True, "words": [],
         "words_before": [], "section": None, "triggers": []}
    d.update(extra)
    return d


CUES = [
    cue("brow_flash", 0.2, 0.45, problem=False, section="Opening"),
    cue("gaze_aversion", 1.0, 1.8, problem=False, direction="down", reading=True,
        section="Opening", words=["you"], evidence={"gaze_deg": 11.0}),
    cue("masking", 2.0, 3.0, problem=True, label="masking", section="Price", parts=[
        {"role": "masked", "expression": "anger", "start_s": 2.0, "apex_s": 2.1, "end_s": 2.3},
        {"role": "mask", "expression": "happiness", "start_s": 2.4, "apex_s": 2.6,
         "end_s": 3.0}]),
    cue("gaze_aversion", 3.6, 4.3, problem=True, direction="down", after_trigger="price",
        section="Price", words=["is", "twelve"], words_before=["the", "price"],
        triggers=[{"text": "price", "start": 3.3, "lag_s": 0.3}],
        evidence={"gaze_deg": 14.2, "head_deg": 3.1}),
    cue("lip_press", 5.0, 5.6, problem=True, label="pressed lips", section="Price"),
    cue("head_tilt", 6.0, 6.8, problem=False, direction="left", section="Close"),
    cue("tension", 7.0, 8.2, problem=True, section="Close"),
    cue("nod", 8.5, 8.8, problem=False, section="Close"),
]


def add_cues(analysis: Path, cues: list[dict[str, Any]] | None) -> None:
    path = analysis / "events.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    if cues is None:
        doc.pop("cues", None)
    else:
        doc["cues"] = cues
        doc["summary"].update(cues=len(cues), cue_problems=sum(c["problem"] for c in cues))
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    root = tmp_path / "sessions"
    d = make_session(root, NAME, events=[
        event(0.4, "happiness", "held", 0.7, section="Opening", words=["thank", "you"]),
        event(3.4, "fear", "leak", 0.9, section="Price", words=["price", "is"],
              words_before=["the"], triggers=["price"]),
    ])
    add_cues(d / "analysis", CUES)
    return root


def test_review_data_lists_cues_with_the_episodes(sessions: Path) -> None:
    review = load_review(sessions / NAME)
    assert review.cues_analysed and len(review.cues) == 8 and len(review.items) == 10
    assert review.cue_kinds[:2] == ["masking", "gaze_aversion"]
    assert "8 cues (4 a problem)" in review.summary()
    assert len(filter_episodes(review.items, show="cues")) == 8
    assert len(filter_episodes(review.items, show="emotions")) == 2
    assert len(filter_episodes(review.items, show="gaze_aversion")) == 2
    # Sections come from the aligned words (the transcript's own lookup), not from the hand-made
    # fields: a cue in the pause after "twelve" is in Price, the speech it follows.
    assert [c.section for c in review.cues] == ["Opening", "Opening", "Opening", "Price",
                                                "Price", "Price", "Price", "Close"]
    assert len(filter_episodes(review.items, section="Price")) == 5  # fear + 4 cues
    assert filter_episodes(review.items, kind="leak") == [review.episodes[1]]
    gaze = review.cues[3]
    assert gaze.kind_text == "cue ↓ “price”" and review.cues[1].kind_text == "cue ↓ notes"
    rules = load_profile("sales-pitch").cues
    assert gaze.coaching == "Right after “price”: " + rules["gaze_aversion"].coaching
    text = timeline_text(review, width=100).plain
    for lane in ("masking", "gaze away", "lip press", "tension", "head tilt", "brow flash",
                 "nod"):
        assert f"\n{lane}" in text
    assert text.rstrip().splitlines()[-1].strip().startswith("0:00.0")  # the axis stays last


def test_cue_lane_draws_problems_masks_and_directions(sessions: Path) -> None:
    review = load_review(sessions / NAME)
    gaze = [c for c in review.cues if c.cue == "gaze_aversion"]
    lane = cue_lane(gaze, duration_s=10.0, cols=100)
    assert lane.plain[10:18] == "░" * 8 and lane.plain[18] == "↓"  # reading: dim, benign
    assert lane.plain[36:43] == "█" * 7 and lane.plain[43] == "↓"
    mask = cue_lane([c for c in review.cues if c.cue == "masking"], duration_s=10.0, cols=100)
    assert mask.plain[20:23] == "███" and mask.plain[24:30] == "▒" * 6


@pilot_test
async def test_review_lists_filters_and_explains_cues(sessions: Path, no_devices: None) -> None:
    app = app_for(sessions)
    async with app.run_test(size=(140, 48)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#sessions", DataTable).row_count == 1)
        app.review(sessions / NAME / "analysis")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen)
                       and bool(app.screen.query("#events")))
        await pilot.pause(0.1)
        screen = app.screen
        table = screen.query_one("#events", DataTable)
        assert table.row_count == 10
        assert "Episodes 2/2 · cues 8/8" in str(table.border_title)
        assert "8 cues (4 a problem)" in text_of(app, "#review-summary")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[0] for r in rows[:3]] == ["c1", "1", "c2"]  # in time order, both kinds
        masking = next(i for i, r in enumerate(rows) if r[2] == "masking")
        assert rows[masking][3] == "cue !"
        table.move_cursor(row=masking)
        await pilot.pause()
        details = text_of(app, "#details")
        assert "masking · cue" in details and "anger 0.30 s, covered by a smile" in details
        assert "a problem for this profile" in details
        assert "anger 0:02.0–0:02.3, then happiness 0:02.4–0:03.0 (the mask)" in details
        assert str(screen.query_one("#details-pane").border_title) == "Cue"
        gaze = next(i for i, r in enumerate(rows) if r[3].startswith("cue ↓ “price”"))
        table.move_cursor(row=gaze)
        await pilot.pause()
        details = text_of(app, "#details")
        for text in ("looking down, after you said “price”", "right after: price",
                     "“the price is twelve”", "measured: looking away by 14.2°; head turned 3.1°",
                     "direction: down ↓", "Say the number"):
            assert text in details, text
        reading = next(i for i, r in enumerate(rows) if r[3] == "cue ↓ notes")
        table.move_cursor(row=reading)
        await pilot.pause()
        assert "not a problem for this profile (looking at your notes)" in text_of(app, "#details")
        await pilot.press("c")  # emotions only
        assert table.row_count == 2 and "Episodes 2/2 · cues 0/8" in str(table.border_title)
        await pilot.press("c")  # cues only
        assert table.row_count == 8
        assert str(screen.query_one("#details-pane").border_title) == "Cue"
        await pilot.press("c")  # the first cue type: masking
        assert table.row_count == 1
        await pilot.press("x")
        assert table.row_count == 10
        await pilot.press("k")  # a kind of leak: emotion episodes only
        assert table.row_count == 1
        await pilot.press("x")
        await pilot.press("s")  # by intensity: the fear leak (0.9) first
        assert str(table.get_row_at(0)[2]) == "fear"
        timeline = str(screen.query_one("#timeline").render())
        assert "masking" in timeline and "gaze away" in timeline and "█" in timeline
        tabs = screen.query_one("#review-tabs")
        assert tabs.region.height == 19  # 14 + up to 5 lanes
        assert screen.query_one("#timeline").region.height >= 14
        await pilot.press("t")
        transcript = text_of(app, "#transcript")
        assert "⟦gaze_aversion" not in transcript and "⟦gaze aversion 0:03.6⟧" in transcript


@pilot_test
async def test_older_analysis_without_cues_looks_as_before(sessions: Path,
                                                           no_devices: None) -> None:
    add_cues(sessions / NAME / "analysis", None)
    app = app_for(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#sessions", DataTable).row_count == 1)
        app.review(sessions / NAME / "analysis")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen)
                       and bool(app.screen.query("#events")))
        await pilot.pause(0.1)
        screen = app.screen
        table = screen.query_one("#events", DataTable)
        assert table.row_count == 2 and str(table.border_title).startswith("Episodes 2/2 · sorted")
        assert "cue" not in text_of(app, "#review-summary")
        assert screen.query_one("#f-show", Select).disabled
        assert screen.query_one("#review-tabs").region.height == 14
        await pilot.press("c")  # nothing to filter: no change, no error
        assert table.row_count == 2


@pilot_test
async def test_zero_cues_and_zero_episodes(sessions: Path, no_devices: None) -> None:
    root = sessions.parent / "calm"
    d = make_session(root, NAME, events=[])
    add_cues(d / "analysis", [])
    app = app_for(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#sessions", DataTable).row_count == 1)
        app.review(d / "analysis")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen)
                       and bool(app.screen.query("#events")))
        await pilot.pause(0.1)
        assert "0 cues (0 a problem)" in text_of(app, "#review-summary")
        assert "No expression episodes were found in this rehearsal. No cues either." in \
            text_of(app, "#details")
