"""Cue episodes in the report: facts, HTML, Markdown and JSON from one analysis folder (the
generated clip of test_report_fixture.py) with hand-written cues of every type, whose speech
context is computed from the fixture's own words; zero cues; an old events.json without cues;
the page in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image
from test_report_fixture import build_analysis

from mirror.analysis import analysis_from_json
from mirror.judgement import CUE_COACHING, READING_LINE
from mirror.profiles import load_profile
from mirror.report import write_report
from mirror.report.cues import cue_facts, describe_cue
from mirror.report.fmt import mmss


def cue(kind: str, start: float, end: float, *, problem: bool, intensity: float = 0.6,
        **extra: Any) -> dict[str, Any]:
    """One cue entry as the analysis writes it (docs/events-schema.md)."""
    labels = {"lip_press": ("pressed lips", "hesitation or holding something back"),
              "gaze_aversion": ("gaze aversion", "breaks eye contact"),
              "head_tilt": ("head tilt", "curiosity and openness, or doubt"),
              "nod": ("nod", "agreement or encouragement"),
              "brow_flash": ("brow flash", "surprise or interest"),
              "tension": ("tension", "a tightening face: strain or rushing"),
              "masking": ("masking", "a negative reaction covered up")}
    label, meaning = labels[kind]
    d = {"cue": kind, "label": label, "meaning": meaning, "start_s": start,
         "apex_s": round((start + end) / 2, 3), "end_s": end, "duration_s": round(end - start, 3),
         "intensity": intensity, "confidence": 0.8, "side": "both", "direction": None,
         "reading": False, "problem": problem, "evidence": {}, "parts": [],
         "after_trigger": None}
    d.update(extra)
    return d


def add_context(cues: list[dict[str, Any]], words: list[dict[str, Any]]) -> None:
    """The speech keys the analysis adds (docs/speech.md), from the fixture's aligned words."""
    for c in cues:
        c["words"] = [w["text"] for w in words if w["end"] >= c["start_s"]
                      and w["start"] <= c["end_s"]]
        c["words_before"] = [w["text"] for w in words if w["end"] < c["start_s"]][-4:]
        c["speaking"] = bool(c["words"])
        sec = [w["section"] for w in words if w["start"] <= c["apex_s"]]
        c["section"] = sec[-1] if sec else words[0]["section"]
        c["triggers"] = [w["text"] for w in words if w["text"] in ("price", "discount")
                         and 0 <= c["start_s"] - w["start"] <= 2.0]


def every_cue(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Eight cues over the 12 s fixture: every type, gaze aversion twice (after "price", and
    reading from notes)."""
    price = next(w["start"] for w in words if w["text"] == "price")
    out = [
        cue("brow_flash", 0.5, 0.8, problem=False, intensity=0.5),
        cue("gaze_aversion", 2.0, 2.9, problem=False, direction="down", reading=True,
            evidence={"gaze_deg": 11.0, "head_deg": 2.0}),
        cue("lip_press", 3.1, 3.7, problem=True, intensity=0.55, evidence={"AU24": 0.52}),
        cue("masking", 4.4, 5.6, problem=True, intensity=0.7, parts=[
            {"role": "masked", "expression": "anger", "start_s": 4.4, "apex_s": 4.55,
             "end_s": 4.7},
            {"role": "mask", "expression": "happiness", "start_s": 4.8, "apex_s": 5.2,
             "end_s": 5.6}]),
        cue("gaze_aversion", round(price + 0.3, 2), round(price + 0.95, 2), problem=True,
            intensity=0.7, direction="down", after_trigger="price",
            evidence={"gaze_deg": 14.2, "head_deg": 3.1}),
        cue("head_tilt", 9.0, 9.9, problem=False, intensity=0.4, direction="left",
            evidence={"roll_deg": 7.5}),
        cue("tension", 10.0, 11.2, problem=True, intensity=0.45, evidence={"AU7": 0.4}),
        cue("nod", 11.3, 11.6, problem=False, intensity=0.5),
    ]
    add_context(out, words)
    return out


def with_cues(analysis: Path, cues: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Write `cues` (None: leave the key out, an older file) into the analysis's events.json."""
    path = analysis / "events.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    if cues is None:
        doc.pop("cues", None)
    else:
        doc["cues"] = cues
        counts: dict[str, int] = {}
        for c in cues:
            counts[c["cue"]] = counts.get(c["cue"], 0) + 1
        doc.setdefault("summary", {}).update(cues=len(cues), cue_counts=counts)
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return cues or []


def fixture_words(analysis: Path) -> list[dict[str, Any]]:
    doc = json.loads((analysis / "events.json").read_text(encoding="utf-8"))
    return list(doc["speech"]["words"])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    analysis = build_analysis(tmp_path_factory.mktemp("cues") / "2026-11-23_1000")
    cues = with_cues(analysis, every_cue(fixture_words(analysis)))
    written = write_report(analysis, history=[])
    return {"dir": analysis, "cues": cues, "written": written,
            "html": written["html"].read_text(encoding="utf-8"),
            "md": written["md"].read_text(encoding="utf-8"),
            "json": json.loads(written["json"].read_text(encoding="utf-8"))}


def by_cue(facts: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in facts["cues"] if c["cue"] == kind]


def test_cue_facts_carry_context_and_description(report: dict[str, Any]) -> None:
    facts = report["json"]
    assert facts["cues_analysed"] and len(facts["cues"]) == 8
    assert [c["id"] for c in facts["cues"]] == [f"c{k:03d}" for k in range(1, 9)]
    s = facts["summary"]
    assert (s["cues"], s["cue_problems"]) == (8, 4)
    assert s["cue_counts"] == {"masking": 1, "gaze_aversion": 2, "lip_press": 1, "tension": 1,
                               "head_tilt": 1, "brow_flash": 1, "nod": 1}
    mask = by_cue(facts, "masking")[0]
    assert mask["text"] == "anger 0.30 s, covered by a smile"
    assert [p["role"] for p in mask["parts"]] == ["masked", "mask"]
    reading, after = by_cue(facts, "gaze_aversion")
    assert reading["text"] == "looking down, at your notes"
    assert not reading["problem"] and reading["coaching"] == READING_LINE
    assert after["text"] == "looking down, after you said “price”"
    rules = load_profile("sales-pitch").cues
    assert after["coaching"] == "Right after “price”: " + rules["gaze_aversion"].coaching
    assert after["section"] == "price" and after["triggers"] == ["price"]
    assert "price" in (after["said_before"] + " " + after["said"]).split()
    assert by_cue(facts, "head_tilt")[0]["text"] == "head tilted left"
    assert by_cue(facts, "nod")[0]["coaching"] == rules["nod"].coaching


def test_problem_cues_rank_with_the_worst_moments(report: dict[str, Any]) -> None:
    facts = report["json"]
    mask = by_cue(facts, "masking")[0]
    after = by_cue(facts, "gaze_aversion")[1]
    assert mask["id"] in facts["worst"] and after["id"] in facts["worst"]
    harmless = {c["id"] for c in facts["cues"] if not c["problem"]}
    assert not harmless & set(facts["worst"])
    titles = [f["title"] for f in facts["focus"]]
    assert "Hold eye contact after “price”" in titles
    assert "Let anger pass instead of covering it" in titles
    item = facts["focus"][titles.index("Hold eye contact after “price”")]
    assert item["episodes"] == [after["id"]]


def test_cue_summary_table(report: dict[str, Any]) -> None:
    rows = report["json"]["cue_summary"]
    assert [r["cue"] for r in rows] == ["masking", "gaze_aversion", "lip_press", "tension",
                                        "head_tilt", "brow_flash", "nod"]
    gaze = rows[1]
    assert (gaze["count"], gaze["problems"], gaze["reading"]) == (2, 1, 1)
    assert gaze["typical_s"] == pytest.approx(0.78, abs=0.01)
    assert set(gaze["sections"]) == {"opening", "price"}
    sections = {s["name"]: s for s in report["json"]["sections"]}
    assert sum(s["cues"] for s in sections.values()) == 8


def test_html_shows_cues_everywhere(report: dict[str, Any]) -> None:
    html, facts = report["html"], report["json"]
    assert 'id="cues"' in html and '<a href="#cues">Cues</a>' in html
    for c in facts["cues"]:
        assert f'id="row-{c["id"]}"' in html
    assert "anger 0.30 s, covered by a smile" in html
    assert "looking at your notes while reading a scripted passage (fine)" in html
    assert "after you said “price”" in html
    assert "looking away by 14.2°; head turned 3.1°" in html
    assert "lips pressed, 52 % of a full press (AU24 0.52)" in html  # words beside numbers
    assert "anger 0:04.4–0:04.7, then happiness 0:04.8–0:05.6 (the mask)" in html
    assert html.count('<article class="ep cue') == sum(1 for c in facts["cues"] if c["filmstrip"]) > 0
    assert 'class="mk cue' in html  # transcript markers
    assert "cues (4 a problem)" in html
    assert "one lane per cue" in html
    assert not re.search(r"https?://", html)


def test_markdown_and_json_carry_the_same_cue_facts(report: dict[str, Any]) -> None:
    md, facts = report["md"], report["json"]
    assert "## Cues" in md and "| cue | reads as | times |" in md
    for c in facts["cues"]:
        assert c["text"] in md and mmss(c["start_s"]) in md
    for row in facts["cue_summary"]:
        assert row["coaching"] in md and row["coaching"] in report["html"].replace(
            "&#x27;", "'")
    assert "`[gaze aversion " in md
    refs = re.findall(r"!\[[^\]]*\]\((report_files/c\d{3}\.jpg)\)", md)
    assert refs and all((report["dir"] / r).stat().st_size > 1000 for r in refs)
    assert {r.split("/")[1][:-4] for r in refs} == {c["id"] for c in facts["cues"]
                                                    if c["filmstrip"]}


def test_filmstrips_cover_problem_cues(report: dict[str, Any]) -> None:
    facts = report["json"]
    for c in facts["cues"]:
        if c["problem"]:
            assert c["filmstrip"] == f"report_files/{c['id']}.jpg"
    img = Image.open(report["dir"] / by_cue(facts, "masking")[0]["filmstrip"])
    assert img.width == 4 * img.height - img.width % 4 or img.width > 2 * img.height


def test_a_masking_filmstrip_shows_the_reaction_then_the_mask(report: dict[str, Any]) -> None:
    from mirror.report.write import filmstrip_moments

    mask = by_cue(report["json"], "masking")[0]
    assert filmstrip_moments(mask) == ((4.4, 4.55, 5.2), ("onset", "anger", "mask"))
    nod = by_cue(report["json"], "nod")[0]
    assert filmstrip_moments(nod)[1] == ("onset", "apex", "offset")


def test_timeline_grows_one_lane_per_cue(report: dict[str, Any], tmp_path: Path) -> None:
    with_cue = Image.open(report["dir"] / "report_files" / "timeline.png")
    plain = build_analysis(tmp_path / "plain", video=False)
    write_report(plain, formats=["json"], history=[])
    without = Image.open(plain / "report_files" / "timeline.png")
    assert with_cue.width == without.width
    assert with_cue.height > without.height * 1.4  # 7 lanes under 8 rows


def test_an_older_events_json_without_cues_is_unchanged(tmp_path: Path) -> None:
    analysis = build_analysis(tmp_path / "old", video=False)
    facts = json.loads(write_report(analysis, formats=["json"], history=[])["json"].read_text())
    assert not facts["cues_analysed"] and facts["cues"] == [] and facts["cue_summary"] == []
    assert facts["summary"]["cues"] == 0 and facts["sections"][0]["cues"] == 0
    written = write_report(analysis, formats=["html", "md"], history=[])
    html, md = written["html"].read_text(), written["md"].read_text()
    assert 'id="cues"' not in html and "## Cues" not in md and "cues (" not in html
    assert "lane per cue" not in html


def test_zero_cues_says_so_kindly(tmp_path: Path) -> None:
    analysis = build_analysis(tmp_path / "calm", events=[], video=False)
    with_cues(analysis, [])
    written = write_report(analysis, history=[])
    html, md = written["html"].read_text(), written["md"].read_text()
    facts = json.loads(written["json"].read_text())
    assert facts["cues_analysed"] and facts["summary"]["cues"] == 0
    for text in (html, md):
        assert "No cues in this session" in text
        assert "No expression episodes in this session" in text
        assert "Keep it up" in text


def test_cues_alone_make_a_report(tmp_path: Path) -> None:
    """No emotion episodes, only cues: the worst moments and the things to work on are cues."""
    analysis = build_analysis(tmp_path / "cuesonly", events=[], video=False)
    with_cues(analysis, every_cue(fixture_words(analysis)))
    facts = json.loads(write_report(analysis, formats=["json", "html"], history=[])[
        "json"].read_text())
    assert facts["worst"] and all(i.startswith("c") for i in facts["worst"])
    assert "Keep it up" not in [f["title"] for f in facts["focus"]]


def test_profile_cue_rules_give_the_coaching(tmp_path: Path) -> None:
    """`Profile.cues` (CueRule objects, or plain mappings) gives coaching and, when the analysis
    did not resolve `problem`, the rule; a cue without a rule gets the built-in line."""
    profile = replace(load_profile("sales-pitch"), cues={
        "lip_press": SimpleNamespace(problem="always", coaching="Unclench.", reading_ok=True),
        "gaze_aversion": {"problem": "after_trigger", "coaching": "Eyes up.", "reading_ok": True},
    })
    raw = [cue("lip_press", 1.0, 1.5, problem=False), cue("nod", 2.0, 2.3, problem=False),
           cue("gaze_aversion", 3.0, 3.5, problem=True, direction="left", after_trigger="cost")]
    del raw[0]["problem"]
    facts = cue_facts(analysis_from_json({"cues": raw}, profile=profile).cues, profile)
    assert facts[0].judgement.problem and facts[0].judgement.coaching == "Unclench."
    assert facts[1].judgement.coaching == CUE_COACHING["nod"]
    assert facts[2].judgement.coaching == "Right after “cost”: Eyes up."
    assert describe_cue(facts[2]) == facts[2].text == "looking left, after you said “cost”"
    assert facts[2].to_json()["text"] == facts[2].text


def test_malformed_cues_are_left_out_with_a_note(tmp_path: Path) -> None:
    analysis = build_analysis(tmp_path / "bad", video=False)
    odd = cue("tension", 2.0, 2.5, problem=True, evidence=[1, 2], parts={"role": "x"},
              intensity="high", direction=7, words="many words here", triggers=None)
    with_cues(analysis, [{"cue": "nod"}, cue("nod", 1.0, 1.3, problem=False), odd])
    written = write_report(analysis, formats=["json", "html", "md"], history=[])
    facts = json.loads(written["json"].read_text())
    assert len(facts["cues"]) == 2
    assert facts["cues"][1]["evidence"] == {} and facts["cues"][1]["intensity"] == 0
    assert any("cue 1 is malformed" in w for w in facts["warnings"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian `chromium` is not installed")
def test_the_page_with_cues_renders_offline(report: dict[str, Any], tmp_path: Path) -> None:
    from test_report_browser import render

    page = tmp_path / "report.html"
    shutil.copy(report["written"]["html"], page)
    shot, console, requests = render(page, tmp_path, height=5200)
    assert requests == [] and console == []
    img = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert img.std() > 20
    keep = os.environ.get("MIRROR_REPORT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report-cues.png")


def test_cue_counts_read_as_words() -> None:
    from mirror.report.fmt import times_and_problems

    assert times_and_problems(1, 0) == "1 time, not a problem for this profile"
    assert times_and_problems(3, 0) == "3 times, none a problem for this profile"
    assert times_and_problems(3, 2) == "3 times, 2 a problem for this profile"
    assert times_and_problems(2, 2) == "2 times, all a problem for this profile"
    assert times_and_problems(1, 1) == "1 time, 1 a problem for this profile"
