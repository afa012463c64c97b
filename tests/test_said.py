"""Words nobody said: without a script, words recognised with little confidence are not shown as
said (in the report, the app and every episode's context); trigger words heard with confidence
stay; a note says the words are uncertain and how to do better."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from test_app import app_for, event, make_session, no_devices, open_review, pilot_test, text_of

from mirror.analysis import analysis_from_json
from mirror.events.model import EVENTS_SCHEMA
from mirror.report.analysis import load_analysis
from mirror.report.facts import speech_words
from mirror.report.said import hide_uncertain_words
from mirror.report.write import write_report

__all__ = ["no_devices"]
# What free recognition made of "good morning ... the price is twelve" on the demo.
HEARD = [("the", 0.04, 0.5), ("law", 0.0, 0.8), ("of", 0.22, 1.1), ("larvae", 0.02, 1.4),
         ("week", 1.0, 2.0), ("price", 0.85, 3.3), ("twelve", 0.07, 4.0), ("cheaper", 0.96, 8.0)]


def _free(doc: dict) -> dict:
    doc["speech"] = {"method": "free", "note": "", "segments": [
        {"start": 0.4, "end": 4.5, "speaking": True}], "figures": {}, "words": [
        {"start": t, "end": t + 0.25, "text": w, "section": "", "probability": p}
        for w, p, t in HEARD]}
    for e in doc["events"]:
        e["words"] = [{"text": w, "start": t, "end": t + 0.25} for w, _, t in HEARD
                      if e["start_s"] - 0.5 <= t <= e["end_s"]]
    return doc


def test_only_confident_words_and_triggers_are_said() -> None:
    event = {"start_s": 0.5, "apex_s": 1.0, "end_s": 3.6, "expression": "fear", "kind": "leak",
             "micro": False, "intensity": 0.5, "words": []}
    doc = _free({"schema": EVENTS_SCHEMA, "events": [event], "cues": []})
    analysis = analysis_from_json(doc)
    out, note = hide_uncertain_words(analysis, ("price",))
    assert [w.text for w in out.speech.words] == ["week", "price", "cheaper"]
    assert out.episodes[0].speech.said == ("week", "price")
    assert note and "uncertain" in note and "--script" in note and "5 of 8" in note
    assert analysis.speech.words[0].text == "the"  # the input is left alone
    forced = replace(analysis, speech=replace(analysis.speech, method="forced"))
    assert hide_uncertain_words(forced, ())[1] is None  # a script's words are all kept


def _session(root: Path) -> Path:
    d = make_session(root, "2026-11-22_100000_sales-pitch", events=[
        event(0.4, "happiness", "held", 0.7), event(3.0, "fear", "leak", 0.9)])
    path = d / "analysis" / "events.json"
    path.write_text(json.dumps(_free(json.loads(path.read_text()))))
    return d


def test_the_report_says_only_what_was_heard(tmp_path: Path) -> None:
    d = _session(tmp_path / "s")
    analysis = load_analysis(d / "analysis")
    assert [w.text for w in speech_words(analysis)] == ["week", "price", "cheaper"]
    written = write_report(d / "analysis", formats=("html", "md"))
    for fmt in ("html", "md"):
        text = written[fmt].read_text(encoding="utf-8")
        assert "larvae" not in text and "law of" not in text
        assert "uncertain" in text and "--script" in text


@pilot_test
async def test_the_app_says_the_words_are_uncertain(tmp_path: Path, no_devices: None) -> None:
    _session(tmp_path / "s")
    app = app_for(tmp_path / "s")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_review(pilot, app)
        assert "uncertain" in text_of(app, "#review-warnings")
        transcript = text_of(app, "#transcript")
        assert "price" in transcript and "larvae" not in transcript
