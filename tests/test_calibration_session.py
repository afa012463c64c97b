"""A recorded session (file camera through the recorder) analysed on its own clock, and a neutral
calibration stored from a calibration recording and used by the next analysis."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from mirror.capture.recording import record_session
from mirror.pipeline import analyse_session, analyse_video, store_calibration
from mirror.session import load_session
from mirror.synth.render import render_clip
from mirror.synth.spec import Episode, distractor_only_spec, random_spec

pytestmark = pytest.mark.slow


def test_recorded_session_matches_the_original_file(clip_cache: Path, tmp_path: Path):
    # The test is about the clock, so its two episodes are clear ones: an apex within a few per
    # cent of its threshold (this clip's happiness at intensity 0.66 while talking peaks at 1.03
    # of it) can fall either side with the recorder's second encode of the same frames.
    spec = random_spec(41, duration_s=8.0, n_episodes=2)
    spec = type(spec)(**{**spec.__dict__, "episodes": tuple(
        replace(e, intensity=max(e.intensity, 0.95)) for e in spec.episodes)})
    clip = clip_cache / "rec41-clear.mp4"
    render_clip(spec, clip)
    original = analyse_video(clip, tmp_path / "orig", workers=1).to_json()
    result = record_session(camera=str(clip), microphone="none", sessions_dir=tmp_path / "s",
                            profile="sales-pitch")
    # Same frames in, same events out: no frame may be dropped on the way (under load, a file
    # camera drops overdue frames like a device does), and the clip and the recording are both
    # encoded with a fixed x264 thread count (mirror.media.ENCODER_THREADS). With the thread
    # count left to the CPU count, a 4-core machine rendered and re-encoded other pixels, and an
    # onset near the spotter's threshold landed 5 frames (or a whole episode) apart.
    assert result.stats.dropped_frames == 0
    doc = analyse_session(result.session_dir, workers=1).to_json()
    assert (result.session_dir / "analysis" / "events.json").is_file()
    # The session clock starts when the recorder starts, a little before the first frame.
    shift = float(load_session(result.session_dir).frame_times[0])
    assert 0 <= shift < 1.0
    # At most a frame apart; events.json writes times to the millisecond, so each of the two
    # times being compared may be off by half of one.
    frame = 1 / 30
    assert len(doc["events"]) == len(original["events"]) >= 1
    for a, b in zip(doc["events"], original["events"], strict=True):
        assert a["expression"] == b["expression"] and a["kind"] == b["kind"]
        assert abs(a["start_s"] - shift - b["start_s"]) <= frame + 0.001
        assert abs(a["end_s"] - shift - b["end_s"]) <= frame + 0.001


def test_calibration_is_stored_and_used(clip_cache: Path, tmp_path: Path, monkeypatch):
    calm = clip_cache / "calm_neutral.mp4"
    render_clip(distractor_only_spec(42, duration_s=4.0), calm)
    result = record_session(camera=str(calm), microphone="none", sessions_dir=tmp_path / "s",
                            kind="calibration")
    target = tmp_path / "calibration-me.json"
    monkeypatch.setenv("MIRROR_CALIBRATION", str(target))
    assert store_calibration(result.session_dir) == target
    stored = json.loads(target.read_text())
    assert stored["schema"] == "mirror.calibration/1" and len(stored["neutral"]["blendshapes"]) == 52
    # A clip that smiles most of the time: estimated from itself, the smile would look neutral.
    smiley = clip_cache / "smiley.mp4"
    spec = random_spec(43, duration_s=6.0, n_episodes=0)
    spec = type(spec)(**{**spec.__dict__, "episodes": (Episode(
        expression="happiness", onset_s=0.5, apex_s=1.0, apex_end_s=5.0, offset_s=5.5),)})
    render_clip(spec, smiley)
    doc = analyse_video(smiley, tmp_path / "smiley", workers=1).to_json()
    assert doc["neutral"]["source"] == "calibration"
    assert [e["expression"] for e in doc["events"]] == ["happiness"]
    assert doc["events"][0]["kind"] == "held"


def _smiley(clip_cache: Path) -> Path:
    """A generated face that smiles from 0.5 s on: not a neutral face to calibrate on."""
    smiley = clip_cache / "smiley-calibration.mp4"
    if not smiley.is_file():
        spec = random_spec(44, duration_s=4.0, n_episodes=0)
        spec = type(spec)(**{**spec.__dict__, "episodes": (Episode(
            expression="happiness", onset_s=0.2, apex_s=0.5, apex_end_s=3.8, offset_s=4.0),)})
        render_clip(spec, smiley)
    return smiley


def _refused_by_the_cli(camera: Path, tmp_path: Path, seconds: str) -> str:
    from test_bad_input import one_line_error

    target = tmp_path / "calibration-me.json"
    proc = subprocess.run(
        [sys.executable, "-m", "mirror", "calibrate", "--camera", str(camera), "--microphone",
         "none", "--seconds", seconds, "--sessions-dir", str(tmp_path / "s"), "--quiet"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "MIRROR_CALIBRATION": str(target)})
    line = one_line_error(proc)
    assert proc.returncode == 2 and not target.exists()  # nothing stored
    assert not list((tmp_path / "s").glob("*")), "the refused clip is deleted"
    return line


def test_calibrate_refuses_a_smile_in_one_line(clip_cache: Path, tmp_path: Path):
    line = _refused_by_the_cli(_smiley(clip_cache), tmp_path, "3")
    assert line.startswith("mirror: error: calibration refused, nothing stored: not a calm, "
                           "neutral face: relaxed in only ")
    assert "mouth corners pulled up" in line and "try again" in line


@pytest.mark.real
def test_calibrate_refuses_a_crying_face(tmp_path: Path):
    from conftest import real_file

    line = _refused_by_the_cli(real_file("faces/WolfgangLanger_Pexels.mp4"), tmp_path, "5")
    assert "not a calm, neutral face" in line
