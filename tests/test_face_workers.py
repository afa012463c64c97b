"""Face workers started ahead of their work (`mirror.face.workers`), with real processes and the
real model: the same tracks as workers started on demand, workers a short clip does not need are
let go, and `mirror analyse` starts them before it loads the pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mirror.face.landmarker import LandmarkerOptions, extract_tracks
from mirror.face.model import resolve_model_path
from mirror.face.workers import FaceWorkers

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def clip(clip_cache: Path) -> Path:
    """A generated face, 9 s: two ranges of 4.5 s with two workers."""
    from mirror.synth.render import render_clip
    from mirror.synth.spec import random_spec

    path = clip_cache / "workers.mp4"
    if not path.is_file():
        render_clip(random_spec(5, duration_s=9.0, n_episodes=2), path)
    return path


def _same(a: object, b: object) -> None:
    for name in ("t", "found", "n_faces", "blendshapes", "pose", "bbox", "landmarks", "geometry",
                 "flow"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


def test_prestarted_workers_give_the_tracks_of_workers_started_on_demand(clip: Path) -> None:
    options = LandmarkerOptions(model_path=str(resolve_model_path()), workers=2)
    pool = FaceWorkers(options, 2)
    pooled = extract_tracks(clip, options, pool=pool)
    assert pool.assigned and not any(p.is_alive() for p in pool.procs)
    _same(pooled, extract_tracks(clip, options))


def test_the_flow_reads_across_the_workers_ranges(clip: Path) -> None:
    """The second range starts decoding a lag early, so its first frames have the frame the
    flow compares them with: only the video's own first lag is unread, whatever the workers."""
    from mirror.face.flow import lag_frames

    model = str(resolve_model_path())
    one = extract_tracks(clip, LandmarkerOptions(model_path=model, workers=1))
    two = extract_tracks(clip, LandmarkerOptions(model_path=model, workers=2))
    assert one.flow is not None and two.flow is not None
    assert np.array_equal(one.t, two.t)
    lag = lag_frames(float(one.meta["fps"]))
    for tracks in (one, two):
        unread = np.flatnonzero(np.isnan(tracks.flow[:, 0]))
        assert unread.tolist() == list(range(lag)), unread
    # the trackers restart at the boundary, so the landmarks there differ by a little
    assert np.nanmax(np.abs(one.flow - two.flow)) < 0.01


def test_workers_a_short_clip_does_not_need_are_let_go(clip_cache: Path) -> None:
    from mirror.synth.render import render_clip
    from mirror.synth.spec import random_spec

    short = clip_cache / "workers-short.mp4"
    if not short.is_file():
        render_clip(random_spec(6, duration_s=3.0, n_episodes=1), short)
    options = LandmarkerOptions(model_path=str(resolve_model_path()), workers=3)
    pool = FaceWorkers(options, 3)
    tracks = extract_tracks(short, options, pool=pool)  # one range: one worker runs it
    assert not any(p.is_alive() for p in pool.procs)
    assert pool.procs[1].exitcode == pool.procs[2].exitcode == -15  # ended, not waited for
    _same(tracks, extract_tracks(short, LandmarkerOptions(model_path=options.model_path,
                                                          workers=1)))


def test_workers_made_for_other_options_are_not_used(clip: Path) -> None:
    options = LandmarkerOptions(model_path=str(resolve_model_path()), workers=2)
    pool = FaceWorkers(LandmarkerOptions(model_path=options.model_path, workers=2,
                                         min_detection_confidence=0.9), 2)
    extract_tracks(clip, options, pool=pool)
    assert not pool.assigned and not any(p.is_alive() for p in pool.procs)


def test_a_model_that_does_not_load_is_one_line(clip: Path, tmp_path: Path) -> None:
    from mirror.errors import MirrorError

    bad = tmp_path / "face_landmarker.task"
    bad.write_bytes(b"not a model")
    options = LandmarkerOptions(model_path=str(bad), workers=2)
    with pytest.raises(MirrorError) as err:
        extract_tracks(clip, options, pool=FaceWorkers(options, 2))
    assert "\n" not in str(err.value) and "face analysis failed" in str(err.value)


TRACE = """
import json, sys, time
import mirror.face.workers as w
HEAVY = ("numpy", "av", "mediapipe", "scipy", "matplotlib", "mirror.pipeline", "mirror.media")
seen = {}
start, assign = w.FaceWorkers.__init__, w.FaceWorkers.assign
def traced_start(self, *a, **k):
    seen["loaded_at_start"] = sorted(m for m in HEAVY if m in sys.modules)
    start(self, *a, **k)
    seen["pids"] = [p.pid for p in self.procs]
def traced_assign(self, jobs):
    seen["ranges"] = len(jobs)
    return assign(self, jobs)
w.FaceWorkers.__init__, w.FaceWorkers.assign = traced_start, traced_assign
from mirror.cli import main
rc = main(sys.argv[1:])
print(json.dumps(seen))
sys.exit(rc)
"""


def traced_analyse(clip: Path, out: Path, workers: int) -> dict:
    """`mirror analyse` run under TRACE: what it had loaded when it started its face workers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIRROR_CALIBRATION": "none"}
    proc = subprocess.run([sys.executable, "-c", TRACE, "analyse", str(clip), "--out", str(out),
                           "--workers", str(workers), "-q", "--no-report"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_analyse_starts_its_face_workers_before_it_loads_the_pipeline(clip: Path,
                                                                     tmp_path: Path) -> None:
    seen = traced_analyse(clip, tmp_path / "a", 2)
    assert seen["loaded_at_start"] == [], "the face workers waited for the pipeline to load"
    assert len(seen["pids"]) == 2 and seen["ranges"] == 2  # and the analysis used them
    assert json.loads((tmp_path / "a" / "events.json").read_text())["frames"] > 0


def test_analyse_with_one_worker_runs_the_model_in_its_own_process(clip: Path,
                                                                   tmp_path: Path) -> None:
    assert traced_analyse(clip, tmp_path / "a", 1) == {}
