"""The report's layout in headless Chromium at a desktop (1280 px) and a phone (400 px) width:
filmstrip frames at least 200 px wide, a strip opens large on a click (no script in the
report), and the timeline figure overlaps nothing; and in the figure itself, a trigger word's line
never runs through a section name. Screenshots: MIRROR_REPORT_SCREENSHOTS=<folder>."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_report_browser import CHROMIUM, render
from test_report_fixture import build_analysis

from mirror.report import write_report

MIN_FRAME_PX = 200
# The harness (not the report: its CSP forbids scripts) measures the report in an iframe of the
# wanted width; --allow-file-access-from-files lets it read the file:// frame's layout.
HARNESS = """<!doctype html><meta charset="utf-8"><body style="margin:0">
<iframe id="f" src="%(src)s" style="width:%(w)dpx;height:%(h)dpx;border:0"></iframe>
<script>
const f = document.getElementById("f");
f.onload = () => {
  const d = f.contentDocument, box = e => e.getBoundingClientRect();
  const zoom = d.querySelector("details.zoom");
  const strips = [...d.querySelectorAll("img.strip")].map(i => box(i).width);
  const before = box(zoom.querySelector("img")).width;
  zoom.open = true;
  const opened = box(zoom.querySelector("img")).width;
  zoom.open = false;
  const fig = d.querySelector("figure.timeline"), r = box(fig);
  const near = [fig.previousElementSibling, fig.nextElementSibling].filter(Boolean).map(box);
  const overlaps = near.filter(o => o.bottom > r.top + 0.5 && o.top < r.bottom - 0.5).length;
  console.log("MEASURE " + JSON.stringify({strips, before, opened, overlaps,
    fig: [r.left, r.right, r.width], img: box(fig.querySelector("img")).width,
    page: d.documentElement.clientWidth}));
};
</script>"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    analysis = build_analysis(tmp_path_factory.mktemp("layout") / "session")
    return write_report(analysis, formats=["html"])["html"]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian `chromium` is not installed")
@pytest.mark.parametrize("width", [1280, 400])
def test_frames_are_large_and_the_timeline_overlaps_nothing(report: Path, tmp_path: Path,
                                                            width: int) -> None:
    harness = tmp_path / f"layout-{width}.html"
    harness.write_text(HARNESS % {"src": report.resolve().as_uri(), "w": width, "h": 2400},
                       encoding="utf-8")
    shot, console, requests = render(harness, tmp_path, width=width, height=2400,
                                     flags=("--allow-file-access-from-files",))
    assert requests == []
    line = next(ln for ln in console if "MEASURE " in ln)
    m = json.loads(line.split("MEASURE ", 1)[1].rsplit('", source', 1)[0].replace('\\"', '"'))
    assert len(m["strips"]) >= 3
    frames = [w / 4 for w in m["strips"]]  # four frames a strip: your neutral, then three
    assert min(frames) >= MIN_FRAME_PX, frames
    assert m["opened"] >= 1.4 * m["before"], "a click opens the strip large"
    assert m["overlaps"] == 0, "the timeline figure overlaps its neighbours"
    left, right, _ = m["fig"]
    assert left >= 0 and right <= width + 0.5 and m["img"] <= m["fig"][2] + 0.5
    keep = os.environ.get("MIRROR_REPORT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / f"report-{width}.png")


def test_a_trigger_line_never_runs_through_a_section_name(report: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.lines import Line2D

    from mirror.report.plots import compose_timeline

    facts = _facts(report)
    sections = facts["sections"]
    assert len(sections) >= 2 and facts["speech"]["triggers"]
    # The worst case: a trigger word said right after a section starts, under its name.
    facts["speech"]["triggers"] = [{**facts["speech"]["triggers"][0],
                                    "t": sections[1]["start_s"] + 0.15}]
    fig = compose_timeline(facts, None, None)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    speech = fig.axes[0]
    labels = [t.get_window_extent(renderer) for t in speech.texts
              if t.get_text() in {s["name"] for s in sections}]
    assert labels
    crossed = 0
    for line in speech.lines:
        if not isinstance(line, Line2D) or line.get_linestyle() == "-":
            continue
        path = line.get_transform().transform(np.column_stack(line.get_data()))
        x, (y0, y1) = path[0, 0], sorted(path[:, 1])
        crossed += sum(b.x0 <= x <= b.x1 and y0 < b.y1 and y1 > b.y0 for b in labels)
    assert crossed == 0


def test_a_movement_no_emotion_fits_has_its_own_row_on_the_timeline(report: Path) -> None:
    from mirror.report.plots import compose_timeline

    facts = _facts(report)
    labels = {ax.get_ylabel() for ax in compose_timeline(facts, None, None).axes}
    assert "movement" not in labels  # the demo's episodes are all named
    moved = {**facts["episodes"][0], "id": "e999", "expression": "unnamed"}
    facts["episodes"] = [*facts["episodes"], moved]
    fig = compose_timeline(facts, None, None)
    (row,) = [ax for ax in fig.axes if ax.get_ylabel() == "movement"]
    assert row.patches, "the unnamed episode is drawn in its row"


def _facts(report: Path) -> dict:
    from mirror.profiles import load_profile
    from mirror.report.analysis import load_analysis
    from mirror.report.write import build_report

    analysis = load_analysis(report.parent)
    facts, _ = build_report(analysis, load_profile(analysis.profile))
    return facts
