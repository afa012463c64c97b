"""The Textual app without the face model: screens driven by the pilot over hand-made sessions,
and the app's pure helpers. (Recording and analysing real clips: test_app_roundtrip.py.)"""

from __future__ import annotations

import asyncio
import functools
import json
import webbrowser
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Select, Static

from mirror.app.app import MirrorApp
from mirror.app.options import AppOptions
from mirror.app.review_data import compute_levels, filter_episodes, load_review
from mirror.app.screens.analysing import overall_fraction, time_left_text
from mirror.app.screens.calibrate import FaceCheck
from mirror.app.screens.home import HomeScreen
from mirror.app.screens.modals import AnalyseFileModal, ConfirmModal
from mirror.app.screens.review import ReviewScreen
from mirror.app.script_text import SAMPLE_SCRIPT, split_sections
from mirror.app.sessions import compute_spark, load_session_rows
from mirror.app.widgets.meters import meter_bar
from mirror.events.model import EMOTIONS

WORDS = [("Opening", "thank", 0.5), ("Opening", "you", 0.8), ("Price", "the", 3.0),
         ("Price", "price", 3.3), ("Price", "is", 3.7), ("Price", "twelve", 4.0),
         ("Close", "questions", 8.0)]


def event(start: float, expression: str, kind: str, intensity: float, **extra: object) -> dict:
    dur = 0.4 if kind == "leak" else 2.5
    return {"start_s": start, "apex_s": start + dur / 2, "end_s": start + dur,
            "duration_s": dur, "expression": expression, "kind": kind,
            "micro": kind == "leak", "intensity": intensity, "side": "both", "posed_cues": [],
            "regions": ["mouth"], "confidence": 0.9, "evidence": {}, **extra}


def make_session(root: Path, name: str, *, events: list[dict], duration: float = 10.0,
                 speech: bool = True) -> Path:
    """A recorded and analysed session as the pipeline leaves it (without media)."""
    d = root / name
    (d / "analysis").mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({
        "format": "mirror.session/1", "kind": "rehearsal", "status": "complete",
        "profile": "sales-pitch", "started": f"{name[:10]}T{name[11:13]}:{name[13:15]}:00+00:00",
        "duration_s": duration, "video": {"file": "video.mp4"}}), encoding="utf-8")
    leaks = sum(e["kind"] == "leak" for e in events)
    doc = {
        "schema": "mirror.events/1", "source": str(d / "video.mp4"), "duration_s": duration,
        "fps": 30.0, "frames": int(duration * 30), "face_found_ratio": 1.0,
        "profile": "sales-pitch", "neutral_s": 1.0,
        "summary": {"events": len(events), "leaks": leaks, "micro": leaks,
                    "held": len(events) - leaks,
                    "leaks_per_minute": round(leaks / duration * 60, 1)},
        "warnings": [], "events": events,
    }
    if speech:
        doc["speech"] = {"method": "forced", "note": "", "segments": [], "figures": {},
                         "words": [{"start": t, "end": t + 0.25, "text": w, "section": s,
                                    "probability": 0.9} for s, w, t in WORDS]}
    (d / "analysis" / "events.json").write_text(json.dumps(doc), encoding="utf-8")
    t = np.arange(0, duration, 1 / 30)
    scores = np.zeros((t.size, 7), np.float32)
    for e in events:
        if e["expression"] not in EMOTIONS:  # an unnamed movement has no emotion score
            continue
        j = EMOTIONS.index(e["expression"])
        scores[(t >= e["start_s"]) & (t <= e["end_s"]), j] = e["intensity"]
    np.savez(d / "analysis" / "expressions.npz", t=t, scores=scores, names=np.array(EMOTIONS))
    return d


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    root = tmp_path / "sessions"
    make_session(root, "2026-11-20_100000_sales-pitch", speech=False,
                 events=[event(2.0, "fear", "leak", 0.6), event(5.0, "contempt", "leak", 0.5),
                         event(7.0, "anger", "leak", 0.4)])
    make_session(root, "2026-11-22_100000_sales-pitch", events=[
        event(0.4, "happiness", "held", 0.7, posed_cues=[{
            "name": "no_eye_involvement", "value": 0.1, "threshold": 0.25, "unit": "ratio",
            "note": "smile without the eyes"}], section="Opening", words=["thank", "you"]),
        event(3.4, "fear", "leak", 0.9, section="Price", words=["price", "is"],
              words_before=["the"], triggers=["price"]),
        event(8.1, "surprise", "leak", 0.3, section="Close", words=["questions"]),
    ])
    return root


@pytest.fixture
def no_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without a camera and without PortAudio, whatever this one has."""
    import mirror.capture.camera as camera
    import mirror.capture.microphone as microphone
    from mirror.capture.errors import PortAudioMissingError

    def missing() -> None:
        raise PortAudioMissingError()

    monkeypatch.setattr(camera, "video_device_nodes", lambda: [])
    monkeypatch.setattr(microphone, "import_sounddevice", missing)
    monkeypatch.setattr("sys.platform", "linux")


def app_for(root: Path, **kw: object) -> MirrorApp:
    return MirrorApp(AppOptions(sessions_dir=root, workers=1, **kw))  # type: ignore[arg-type]


def pilot_test(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async pilot test with asyncio (no pytest plugin needed)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return run


async def wait_for(pilot: Pilot, cond: Callable[[], bool], timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting for the app")


async def open_review(pilot: Pilot, app: MirrorApp) -> ReviewScreen:
    """Home's one session, opened with Enter: its Review."""
    table = app.screen.query_one("#sessions", DataTable)
    await wait_for(pilot, lambda: table.row_count == 1)
    table.focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def text_of(app: MirrorApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


# -- screens ------------------------------------------------------------------------------------
@pilot_test
async def test_no_camera_no_portaudio_explains_and_offers_a_file(no_devices: None,
                                                                 tmp_path: Path) -> None:
    app = app_for(tmp_path / "empty")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.sources is not None)
        notice = text_of(app, "#notice")
        assert "no camera found" in notice
        assert "PortAudio library is missing" in notice
        assert "analyse a video file" in notice
        assert "none yet" in str(app.screen.query_one("#sessions-pane .pane-title").render())
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "Cannot record a rehearsal: no camera found" in text_of(app, "#confirm-message")
        await pilot.press("enter")  # "Analyse a file" has the focus
        await wait_for(pilot, lambda: isinstance(app.screen, AnalyseFileModal))
        await pilot.press(*"nowhere.mp4", "enter")
        await pilot.pause()
        assert "No such file" in str(app.screen.query_one("#path-error").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        svg = app.export_screenshot()
        for label in ("Your rehearsals", "New rehearsal", "Analyse a file", "Profile"):
            assert label.replace(" ", "&#160;") in svg or label in svg


@pilot_test
async def test_home_lists_sessions_with_their_trend(sessions: Path, no_devices: None) -> None:
    app = app_for(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#sessions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        newest = [str(c) for c in table.get_row_at(0)]
        assert newest[1] == "sales-pitch" and newest[2] == "0:10"
        assert newest[3] == "12.0" and newest[4] == "1"  # 2 leaks in 10 s; one held smile
        assert newest[5] == "▄█" or len(newest[5]) == 2  # leaks/min trend, older then newer
        # the chart has its numbers and bars from 0: 12.0 is two thirds of 18.0, not nothing
        assert text_of(app, "#trend") == ("█▆  18.0 → 12.0 leaks/min over 2 rehearsals "
                                          "(bars from 0 to 18.0)")
        assert "Sales pitch" in text_of(app, "#profile-about")
        app.screen.query_one("#profile", Select).value = "training-review"
        await pilot.pause()
        assert "no analysed rehearsals" in str(app.screen.query_one("#trend-label").render())


@pilot_test
async def test_review_table_filters_sorting_details_transcript(sessions: Path,
                                                               no_devices: None) -> None:
    app = app_for(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#sessions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        table.focus()
        await pilot.press("enter")  # the newest session
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        events = screen.query_one("#events", DataTable)
        assert events.row_count == 3
        assert "3 episodes" in text_of(app, "#review-summary")
        details = text_of(app, "#details")  # the first episode: the held smile
        assert "happiness · held" in details and "“thank you”" in details
        assert "no eye involvement" in details
        assert "smile without the eyes reads as forced" in details  # the profile's coaching
        await pilot.press("down")
        details = text_of(app, "#details")
        assert "fear · micro leak" in details and "“the price is”" in details
        assert "right after: price" in details and "doubt the number" in details
        await pilot.press("s")  # sort by intensity, strongest first
        assert str(events.get_row_at(0)[2]).endswith("fear")
        assert "sorted by intensity" in str(events.border_title)
        await pilot.press("k")  # kinds: leak
        assert events.row_count == 2
        await pilot.press("k")  # micro
        await pilot.press("k")  # held
        assert events.row_count == 1
        await pilot.press("x")
        assert events.row_count == 3
        screen.query_one("#f-section", Select).value = "Price"
        await pilot.pause()
        assert events.row_count == 1
        await pilot.press("e")  # happiness: nothing in Price
        assert events.row_count == 0
        assert "No episodes match" in text_of(app, "#details")
        await pilot.press("x")
        await pilot.click("#events", offset=(40, 0))  # a header click sorts by that column
        transcript = text_of(app, "#transcript")
        assert "Price" in transcript and "⟦fear micro leak 0:03.4⟧" in transcript
        assert transcript.index("⟦fear") < transcript.index("price is")
        timeline = str(screen.query_one("#timeline").render())
        assert "happiness" in timeline and "▲" in timeline and "■" in timeline
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))


@pytest.mark.parametrize("display", [":0", ""])
@pilot_test
async def test_open_report_writes_the_html_and_opens_the_browser(
        sessions: Path, no_devices: None, monkeypatch: pytest.MonkeyPatch, display: str) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)
    app = app_for(sessions)
    html = sessions / "2026-11-22_100000_sales-pitch" / "analysis" / "report.html"
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#sessions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        app.push_screen(ReviewScreen(html.parent))
        await pilot.pause()
        await pilot.press("o")
        messages = lambda: [n.message for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: any(str(html) in m for m in messages()), timeout=60)
    assert html.is_file()
    # With a display the browser opens it; without one (ssh, tmux on a server) only its path
    # is shown: Python's webbrowser could start a text browser over the app.
    assert opened == ([html.resolve().as_uri()] if display else [])


@pilot_test
async def test_command_palette_offers_the_app_commands(tmp_path: Path, no_devices: None) -> None:
    from textual.command import CommandPalette

    app = app_for(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"analyse")
        await pilot.pause(0.5)
        svg = app.export_screenshot()
        assert "Analyse" in svg and "video&#160;file" in svg
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AnalyseFileModal))


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
@pilot_test
async def test_small_terminal_stacks_the_panes(sessions: Path, no_devices: None,
                                               size: tuple[int, int]) -> None:
    app = app_for(sessions)
    async with app.run_test(size=size) as pilot:
        table = app.screen.query_one("#sessions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert app.screen.has_class("narrow")
        assert app.screen.query_one("#side-pane").region.y > table.region.y
        app.push_screen(ReviewScreen(sessions / "2026-11-22_100000_sales-pitch" / "analysis"))
        await pilot.pause(0.3)
        assert app.screen.has_class("narrow") and app.screen.has_class("short")
        assert app.screen.query_one("#events", DataTable).region.height >= 3
        assert "Episode" in app.export_screenshot()


@pilot_test
async def test_review_layout_snapshot(sessions: Path, no_devices: None) -> None:
    """Snapshot-like: what a 120×40 terminal shows, and where."""
    app = app_for(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#sessions", DataTable).row_count == 2)
        app.review(sessions / "2026-11-22_100000_sales-pitch" / "analysis")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.pause(0.2)
        screen = app.screen
        table, details = screen.query_one("#events"), screen.query_one("#details-pane")
        assert details.region.x >= table.region.right  # side by side
        assert screen.query_one("#review-tabs").region.y >= table.region.bottom
        await wait_for(pilot, lambda: "Timeline/text" in app.export_screenshot())  # footer
        svg = app.export_screenshot()
        for label in ("Episodes&#160;3/3", "sorted&#160;by&#160;time", "Timeline", "Transcript",
                      "Report", "all&#160;emotions", "happiness", "Episode"):
            assert label in svg, label


@pilot_test
async def test_a_broken_analysis_is_one_line_not_a_crash(sessions: Path, no_devices: None) -> None:
    bad = sessions / "2026-11-22_100000_sales-pitch" / "analysis" / "events.json"
    bad.write_text('{"schema": "mirror.events/1", "events": [{"start_s": 1}]}', encoding="utf-8")
    other = sessions / "2026-11-20_100000_sales-pitch" / "analysis" / "events.json"
    doc = json.loads(other.read_text(encoding="utf-8"))
    other.write_text(json.dumps({**doc, "profile": "retired-profile"}), encoding="utf-8")
    app = app_for(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#sessions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        table.focus()
        await pilot.press("enter")  # the broken one
        await pilot.pause(0.2)
        assert isinstance(app.screen, HomeScreen)
        assert any("an event is malformed" in n.message for n in app._notifications)
        await pilot.press("down", "enter")  # analysed with a profile that is gone
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert "no profile named 'retired-profile'" in text_of(app, "#review-warnings")
        assert app.screen.query_one("#events", DataTable).row_count == 3


# -- pure helpers -------------------------------------------------------------------------------
def test_spark_scales_to_its_maximum() -> None:
    assert compute_spark([0, 5, 10]) == "▁▅█"
    assert compute_spark([]) == ""
    assert len(compute_spark(range(20), width=8)) == 8


def test_sections_of_a_markdown_script() -> None:
    secs = split_sections("intro words\n\n# One\nfirst  line\nsecond\n\n<!-- x -->\n## Two\nend\n")
    assert [(s.title, s.text) for s in secs] == [("", "intro words"),
                                                 ("One", "first line second"), ("Two", "end")]
    assert [s.title for s in split_sections(SAMPLE_SCRIPT)][:2] == ["Opening", "The problem"]


def test_filters_and_levels(sessions: Path) -> None:
    review = load_review(sessions / "2026-11-22_100000_sales-pitch")
    eps = review.episodes
    assert [e.number for e in filter_episodes(eps, kind="micro")] == [2, 3]
    assert [e.number for e in filter_episodes(eps, emotion="fear", section="Price")] == [2]
    assert review.sections == ["Opening", "Price", "Close"]  # in the order they were said
    t = np.array([0.0, 1.0, 2.0])
    lv = compute_levels(t, np.array([[0.0], [1.0], [0.0]]), duration_s=3.0, width=30)
    assert lv.shape == (1, 30) and lv.max() == 1.0 and (lv[0, 5:15] > 0).all()


@pilot_test
async def test_home_repairs_a_session_left_by_a_crashed_recorder(sessions: Path,
                                                                 no_devices: None) -> None:
    crashed = sessions / "2026-11-23_080000_sales-pitch"
    crashed.mkdir()
    (crashed / "manifest.json").write_text(json.dumps(
        {"format": "mirror.session/1", "status": "recording", "profile": "sales-pitch",
         "kind": "rehearsal", "video": {"file": "video.mp4"}}), encoding="utf-8")
    app = app_for(sessions)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#sessions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        assert str(table.get_row_at(0)[6]) == "interrupted"
        assert any("marked the session interrupted" in n.message for n in app._notifications)


def test_rows_read_interrupted_and_unanalysed_sessions(sessions: Path) -> None:
    (sessions / "2026-11-23_090000_x").mkdir()
    (sessions / "2026-11-23_090000_x" / "manifest.json").write_text(json.dumps(
        {"format": "mirror.session/1", "status": "interrupted", "profile": "x"}))
    rows = load_session_rows(sessions)
    assert rows[0].status == "interrupted" and not rows[0].analysed and rows[0].trend == ""


def test_progress_and_time_left() -> None:
    assert overall_fraction("face", 0.5) == pytest.approx(0.35)
    assert overall_fraction("expressions", 1.0) == pytest.approx(0.95)
    assert overall_fraction("speech", 1.0) == 1.0
    assert time_left_text(10.0, 0.5) == "about 10 s left"
    assert time_left_text(0.5, 0.5).startswith("estimating")


def test_face_check_verdicts() -> None:
    check = FaceCheck()
    for _ in range(9):
        check.add({"face": 1.0, "fear": 0.05})
    check.add({"face": 0.0})
    assert check.verdict()[0] and "90%" in check.verdict()[1]
    tense = FaceCheck()
    for _ in range(5):
        tense.add({"face": 1.0, "anger": 0.8})
    assert not tense.verdict()[0] and "relaxed" in tense.verdict()[1]


def test_meter_bar_and_options() -> None:
    assert meter_bar(0.5, 8) == "████    "
    assert meter_bar(1.0, 4) == "████" and meter_bar(-1, 3) == "   "
    opts = AppOptions.from_env({"MIRROR_CAMERA": "clip.mp4", "MIRROR_SESSIONS": "/x"})
    assert opts.camera == "clip.mp4" and opts.sessions_dir == Path("/x")
    assert opts.microphone is None
