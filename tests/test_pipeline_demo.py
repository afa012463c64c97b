"""`mirror analyse` as a user runs it (a subprocess, the real model, real files): on the demo
rehearsal with its script, and on real clips.

- no native log line of MediaPipe/TFLite/absl reaches the terminal; a clip without a face gives
  one line and exit code 2;
- the episodes are the ones main found before the pipeline was refactored
  (tests/data/episodes_before.json, written by benchmarks/record_episodes.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import Future
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from conftest import in_background, real_file

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MIRROR_CALIBRATION": "none"}
ENV.pop("MIRROR_DEBUG", None)
ENV.pop("GLOG_minloglevel", None)  # the command must silence the model by itself
BEFORE = json.loads((ROOT / "tests" / "data" / "episodes_before.json").read_text())
PROGRESS = re.compile(r"^\s+\w+\s+\d+%$")
NATIVE = re.compile(r"^[IWEF]\d{4} |InitGoogle|absl::|TensorFlow Lite|XNNPACK|feedback tensors")


def mirror(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mirror", *args], capture_output=True,
                          text=True, env=env or ENV, timeout=900)


def episodes_of(doc: dict[str, Any]) -> list[list[Any]]:
    return sorted([round(float(e["start_s"]), 3), round(float(e["end_s"]), 3),
                   str(e["expression"]), str(e["kind"])] for e in doc["events"])


@pytest.fixture(scope="module", autouse=True)
def demo_clip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Future | None:
    """The demo rehearsal, made in the background while this module's other tests run (only
    when a selected test needs it)."""
    from mirror.synth.demo import write_pitch_demo

    if not any("demo" in item.fixturenames and item.module is request.module
               for item in request.session.items):
        return None
    return in_background(write_pitch_demo, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo(demo_clip: Future | None) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The demo rehearsal analysed with its script by `mirror analyse` (report included)."""
    assert demo_clip is not None
    video, script = demo_clip.result()
    if script is None:
        pytest.skip("espeak-ng is missing: the demo is silent")
    out = video.parent / "analysis"
    proc = mirror("analyse", str(video), "--script", str(script), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_no_face_is_one_line_and_exit_2(tmp_path: Path) -> None:
    clip = real_file("faces/no_face.mp4")
    proc = mirror("analyse", str(clip), "--out", str(tmp_path / "a"), "-q")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mirror: error: ") and "no face" in lines[0]
    # with progress shown, the only other lines are mirror's own progress lines
    proc = mirror("analyse", str(clip), "--out", str(tmp_path / "b"))
    assert proc.returncode == 2
    rest = [ln for ln in proc.stderr.splitlines() if not PROGRESS.match(ln)]
    assert len(rest) == 1 and rest[0].startswith("mirror: error: "), proc.stderr


def test_mirror_debug_shows_the_native_logs(tmp_path: Path) -> None:
    clip = real_file("faces/no_face.mp4")
    proc = mirror("analyse", str(clip), "--out", str(tmp_path / "a"), "-q",
                  env={**ENV, "MIRROR_DEBUG": "1"})
    assert proc.returncode == 2
    assert any(NATIVE.search(ln) for ln in proc.stderr.splitlines()), proc.stderr


@pytest.mark.parametrize("name", [k for k in BEFORE["clips"] if k != "demo"])
def test_real_clip_episodes_are_unchanged(name: str, tmp_path: Path) -> None:
    clip = real_file(f"faces/{name}")
    proc = mirror("analyse", str(clip), "--out", str(tmp_path / "a"), "-q", "--no-report")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "a" / "events.json").read_text(encoding="utf-8"))
    assert episodes_of(doc) == BEFORE["clips"][name]


def test_demo_prints_no_native_log_line(demo: tuple[Path, subprocess.CompletedProcess[str]]
                                        ) -> None:
    _, proc = demo
    for line in proc.stderr.splitlines():
        assert not NATIVE.search(line), line
        assert PROGRESS.match(line) or line.startswith("warning: "), line
    assert "episodes" in proc.stdout and "report:" in proc.stdout


def test_demo_episodes_are_unchanged(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = demo
    doc = json.loads((out / "events.json").read_text(encoding="utf-8"))
    assert episodes_of(doc) == BEFORE["clips"]["demo"], (
        "the demo's episodes changed; if the spotter changed on purpose, run "
        "benchmarks/record_episodes.py on main and commit tests/data/episodes_before.json")


def test_events_json_round_trips_through_the_typed_analysis(
        demo: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    """events.json -> Analysis.load -> to_json gives the file back, key for key and in order;
    a file of the previous schema (mirror.events/1) reads the same."""
    from mirror.analysis import Analysis
    from mirror.events.model import EVENTS_SCHEMA

    out, _ = demo
    text = (out / "events.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["schema"] == EVENTS_SCHEMA and doc["events"] and doc["cues"]
    assert doc["speech"]["words"] and any(e["triggers"] for e in doc["events"] + doc["cues"])
    analysis = Analysis.load(out)
    assert analysis.tracks is not None and analysis.scores is not None
    assert analysis.action_units is not None and not analysis.notes
    again = analysis.to_json()
    assert again == doc
    assert json.dumps(again) == json.dumps(doc)  # the same order too
    older = tmp_path / "older"
    older.mkdir()
    (older / "events.json").write_text(text.replace(EVENTS_SCHEMA, "mirror.events/1", 1),
                                       encoding="utf-8")
    assert Analysis.load(older).to_json() == doc


def _html_sections(html: str) -> dict[str, str | None]:
    """Report id (e001, c001) -> the section heading its transcript marker stands under."""
    part = html[html.index('<h2 id="transcript">'):]
    out: dict[str, str | None] = {}
    section = None
    for m in re.finditer(r'<h3>(.*?) · [0-9:.]+</h3>|<a class="mk [^"]*" href="#(?:row-)?(\w+)"',
                         part):
        if m.group(1) is not None:
            section = unescape(m.group(1))
        else:
            out[m.group(2)] = section
    return out


def _markdown_sections(md: str) -> dict[str, str | None]:
    """`what m:ss.s` of each transcript marker -> the section heading it stands under."""
    part = md[md.index("## Transcript"):]
    out: dict[str, str | None] = {}
    section = None
    for m in re.finditer(r"^### (.*?) · [0-9:.]+$|`\[([^\]]+)\]`", part, re.MULTILINE):
        if m.group(1) is not None:
            section = m.group(1)
        else:
            out[m.group(2)] = section
    return out


def test_every_item_has_one_section_in_table_and_transcripts(
        demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """The app's Review table, the HTML transcript and the Markdown (transcript and episode
    table) put every episode and cue of the demo in the same script section."""
    from mirror.app.review_data import CueRow, load_review
    from mirror.report.fmt import mmss

    out, _ = demo
    review = load_review(out)
    html = _html_sections((out / "report.html").read_text(encoding="utf-8"))
    md_text = (out / "report.md").read_text(encoding="utf-8")
    md = _markdown_sections(md_text)
    facts = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by_id = {f["id"]: f for f in [*facts["episodes"], *facts["cues"]]}
    assert review.episodes and review.cues
    assert len(html) == len(by_id) == len(review.items)
    sections = {s["name"] for s in facts["sections"]}
    for item in review.items:
        rid = f"{item.key[0]}{int(item.key[1:]):03d}"
        table = item.section or None
        assert table in sections, (item.key, table)
        what = item.label if isinstance(item, CueRow) else f"{item.what} {item.kind_text}"
        shown = {"app table": table, "html transcript": html[rid],
                 "markdown transcript": md[f"{what} {mmss(item.start_s)}"],
                 "report facts": by_id[rid]["section"]}
        assert len(set(shown.values())) == 1, (rid, shown)
