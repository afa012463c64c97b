"""Help on `?` and F1 on every screen, the section filter's key and order, F2 in the footer."""

from __future__ import annotations

from pathlib import Path

from test_app import app_for, event, make_session, no_devices, open_review, pilot_test, text_of, wait_for
from textual.widgets import DataTable, Select

from mirror.app.review_data import load_review
from mirror.app.screens.help import HelpScreen
from mirror.app.screens.home import HomeScreen
from mirror.app.screens.modals import AnalyseFileModal

__all__ = ["no_devices"]


async def _help_lists(pilot, app, key: str, *wanted: str) -> str:  # type: ignore[no-untyped-def]
    before = app.screen
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    keys = text_of(app, "#help-keys")
    for w in wanted:
        assert w in keys, (w, keys)
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is before)
    return keys


def _sessions(root: Path) -> Path:
    # Sections said in script order Opening, Price, Close: alphabetical order would differ.
    make_session(root, "2026-11-22_100000_sales-pitch", events=[
        event(0.4, "happiness", "held", 0.7, section="Opening", words=["thank", "you"]),
        event(3.4, "fear", "leak", 0.9, section="Price", words=["price", "is"]),
        event(8.1, "surprise", "leak", 0.3, section="Close", words=["questions"])])
    return root


@pilot_test
async def test_question_mark_and_f1_open_help_on_every_screen(tmp_path: Path,
                                                             no_devices: None) -> None:
    app = app_for(_sessions(tmp_path / "s"))
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        keys = await _help_lists(pilot, app, "question_mark", "Rehearse", "Calibrate",
                                 "Analyse file", "Camera & mic", "Quit", "Help")
        assert "F2" in keys and "r" in keys
        # F2 is in Home's footer (a binding shown there), help too
        shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert {"f2", "question_mark"} <= shown  # F1 too, listed in the help
        await _help_lists(pilot, app, "f1", "Rehearse")
        await open_review(pilot, app)
        await _help_lists(pilot, app, "question_mark", "Sort", "Emotion", "Kind", "Section",
                          "Clear filters", "Timeline/Transcript", "HTML report", "Home")
        await _help_lists(pilot, app, "f1", "Section")
        await pilot.press("a")  # Review has no `a`: back home for the file prompt
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AnalyseFileModal))
        # `?` is a character in a path (the input has focus); F1 still opens help
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await _help_lists(pilot, app, "f1", "Cancel")


@pilot_test
async def test_section_filter_has_a_key_and_lists_sections_in_script_order(
        tmp_path: Path, no_devices: None) -> None:
    root = _sessions(tmp_path / "s")
    review = load_review(next(root.iterdir()) / "analysis")
    assert review.sections == ["Opening", "Price", "Close"]
    app = app_for(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review(pilot, app)
        select = app.screen.query_one("#f-section", Select)
        events = app.screen.query_one("#events", DataTable)
        seen = []
        for _ in range(3):
            await pilot.press("n")
            await pilot.pause()
            seen.append(select.value)
            assert events.row_count == 1
        assert seen == ["Opening", "Price", "Close"]
        await pilot.press("n")  # past the last: all sections again
        await pilot.pause()
        assert events.row_count == 3
