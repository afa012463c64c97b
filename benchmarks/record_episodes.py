"""Record the episodes `mirror analyse` finds on the demo and two real clips, as a test fixture.

    python benchmarks/record_episodes.py [--demo DIR] [--out tests/data/episodes_before.json]

tests/test_episodes_unchanged.py compares a fresh analysis against this file: a refactoring of
the pipeline must find the same episodes (start, end, expression, kind). When the spotter
changes on purpose, run this script again on the new main and commit the new file with it.

--demo DIR reuses a demo already rendered there (demo.mp4 and pitch.md, from `mirror demo`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real" / "faces"
CLIPS = ("man_laughing_talking.mp4", "woman_grin_glances_winks.mp4")
DEFAULT_OUT = ROOT / "tests" / "data" / "episodes_before.json"


def episodes_of(doc: dict[str, Any]) -> list[list[Any]]:
    """(start_s, end_s, expression, kind) of each episode, in time order."""
    return sorted([round(float(e["start_s"]), 3), round(float(e["end_s"]), 3),
                   str(e["expression"]), str(e["kind"])] for e in doc["events"])


def analyse(video: Path, out: Path, script: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "mirror", "analyse", str(video), "--out", str(out), "-q",
           "--no-report"] + (["--script", str(script)] if script else [])
    subprocess.run(cmd, check=True, env={**os.environ, "MIRROR_CALIBRATION": "none"})
    return json.loads((out / "events.json").read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", type=Path, help="a folder with the rendered demo (demo.mp4, pitch.md)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    import mirror

    code = Path(mirror.__file__).resolve().parent  # the checkout whose code runs (PYTHONPATH)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=code, capture_output=True,
                            text=True, check=True).stdout.strip()
    result: dict[str, Any] = {"commit": commit, "clips": {}}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        demo = args.demo
        if demo is None:
            from mirror.synth.demo import write_pitch_demo

            demo = d / "demo"
            write_pitch_demo(demo)
        result["clips"]["demo"] = episodes_of(
            analyse(demo / "demo.mp4", d / "demo.a", demo / "pitch.md"))
        for name in CLIPS:
            result["clips"][name] = episodes_of(analyse(REAL / name, d / name))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1) + "\n"
    for eps in result["clips"].values():  # one episode a line
        for ep in eps:
            text = text.replace(json.dumps(ep, indent=1).replace("\n", "\n   "), json.dumps(ep), 1)
    tmp_out = args.out.with_suffix(".tmp")
    tmp_out.write_text(text, encoding="utf-8")
    tmp_out.replace(args.out)
    print(f"{args.out}: " + ", ".join(f"{k} {len(v)}" for k, v in result["clips"].items()))


if __name__ == "__main__":
    main()
