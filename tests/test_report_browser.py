"""The HTML report in a real browser (headless Debian `chromium`): it renders, loads nothing from
the network and logs nothing to the console. A control page proves the checks can fail.

Set MIRROR_REPORT_SCREENSHOTS=<folder> to keep the screenshots for a look.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_report_fixture import build_analysis

from mirror.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian `chromium` is not installed (apt-get install chromium)")


def render(page: Path, work: Path, *, height: int = 2400, width: int = 1280,
           flags: tuple[str, ...] = ()) -> tuple[Path, list[str], list[str]]:
    """Screenshot `page`; return the PNG, the console lines and the network URLs the page asked
    for. Everything not on loopback goes to a dead proxy, so nothing leaves the machine even when
    the browser's own background services try."""
    shot, netlog, profile = work / f"{page.stem}.png", work / f"{page.stem}.netlog.json", \
        work / f"profile-{page.stem}"
    cmd = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
           f"--log-net-log={netlog}", f"--screenshot={shot}", f"--window-size={width},{height}",
           *flags, page.resolve().as_uri()]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert shot.is_file(), f"chromium wrote no screenshot:\n{run.stderr[-2000:]}"
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        # The page's own requests carry it as initiator; browser services say "not an origin".
        if event["type"] == start_job and "url" in params and \
                params.get("initiator") != "not an origin":
            urls.append(str(params.get("url", "")))
    return shot, console, [u for u in urls if not u.startswith(("file:", "data:"))]


def test_report_renders_offline_without_console_errors(tmp_path: Path) -> None:
    analysis = build_analysis(tmp_path / "session")
    page = write_report(analysis, formats=["html"])["html"]
    shot, console, requests = render(page, tmp_path)
    assert requests == [], f"the page asked the network for {requests}"
    assert console == [], "\n".join(console)
    img = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert img.shape[:2] == (2400, 1280)
    assert img.std() > 20, "the screenshot is blank"
    keep = os.environ.get("MIRROR_REPORT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")


def test_the_checks_catch_a_page_that_loads_from_the_network(tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text('<!doctype html><p>control</p><img src="http://127.0.0.1:9/x.png">'
                    '<script>console.error("boom")</script>', encoding="utf-8")
    _, console, requests = render(page, tmp_path, height=300)
    assert requests == ["http://127.0.0.1:9/x.png"]
    assert any("boom" in line for line in console)
