"""Real recordings from ../shared/data/real: robustness, not accuracy (they carry no labels)."""

import json
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import real_file

from mirror.analysis import Analysis
from mirror.errors import InputError
from mirror.pipeline import analyse_video

pytestmark = pytest.mark.real


def test_calm_read_speech_gives_few_events(tmp_path: Path):
    """GRID: frontal speakers reading six-word commands with mostly neutral faces."""
    grid = real_file("grid")
    clips = sorted(grid.glob("*.mpg"))
    assert clips
    total_events, total_s = 0, 0.0
    for clip in clips:
        doc = analyse_video(clip, tmp_path / clip.stem, workers=1).to_json()
        assert doc["face_found_ratio"] > 0.95
        total_events += len(doc["events"])
        total_s += doc["duration_s"]
    per_minute = total_events / (total_s / 60)
    # A naive blendshape spotter reports 20-90 per minute here (SCIENCE.md). Every episode counts,
    # unnamed movements too: on calm read speech a coach would point at nothing (issue 12).
    assert per_minute <= 2, f"{total_events} events in {total_s:.0f} s of calm speech"


def test_expressive_face_is_seen(tmp_path: Path):
    clip = real_file("faces/WolfgangLanger_Pexels.mp4")
    doc = analyse_video(clip, tmp_path / "wl").to_json()
    assert doc["frames"] >= 470
    assert 1 <= len(doc["events"]) <= 30
    assert {e["expression"] for e in doc["events"]} & {"happiness", "sadness", "disgust"}
    # she cries, hides her mouth and laughs: no relaxed moment to take as her neutral face
    assert any("no relaxed moment" in w and "smiling" in w for w in doc["warnings"]), doc["warnings"]
    # one display, one episode: her laugh (about 11-19.7 s) is one smile, not pieces named in
    # turn happiness and disgust, and no two episodes overlap
    events = sorted(doc["events"], key=lambda e: e["start_s"])
    laughs = [e for e in events if e["end_s"] > 12.0 and e["start_s"] < 18.0]
    assert [e["expression"] for e in laughs] == ["happiness"], laughs
    assert laughs[0]["end_s"] - laughs[0]["start_s"] > 6.0, laughs
    assert all(b["start_s"] >= a["end_s"] for a, b in pairwise(events))


def test_neutral_turning_into_a_broad_smile(tmp_path: Path):
    doc = analyse_video(real_file("faces/neutral_to_smile.mp4"), tmp_path / "ns", workers=1).to_json()
    smiles = [e for e in doc["events"] if e["expression"] == "happiness"]
    assert smiles, doc["events"]
    assert max(e["intensity"] for e in smiles) > 0.5
    assert not any("no relaxed moment" in w for w in doc["warnings"]), doc["warnings"]


def test_a_mouth_twisted_to_one_side_is_said_in_words_not_named_contempt(tmp_path: Path):
    """The webcam man pulls his whole mouth to one side and back (about 4.8-6.2 s), then smiles
    three times (about 9.7-12.3, 12.9-14.1 and 17.4-19.5 s)."""
    doc = analyse_video(real_file("faces/webcam_man_glasses.mp4"), tmp_path / "wm").to_json()
    twist = [e for e in doc["events"] if e["start_s"] < 6.2 and e["end_s"] > 4.8]
    assert [e["expression"] for e in twist] == ["unnamed"], twist
    assert "mouth pulled to one side" in twist[0]["description"], twist
    smiles = [e for e in doc["events"] if e["expression"] == "happiness"]
    assert len(smiles) >= 2 and all(e["start_s"] > 9.0 for e in smiles), doc["events"]
    assert not any(e["expression"] == "contempt" for e in doc["events"]), doc["events"]


def test_face_leaving_the_frame_is_a_warning_not_a_failure(tmp_path: Path):
    doc = analyse_video(real_file("faces/face_noface.mov"), tmp_path / "fn", workers=1).to_json()
    assert 0.2 < doc["face_found_ratio"] < 0.9
    assert any("no face in" in w for w in doc["warnings"])
    saved = json.loads((tmp_path / "fn" / "events.json").read_text())
    assert saved == doc and saved["schema"] == "mirror.events/2"
    assert Analysis.load(tmp_path / "fn").to_json() == saved


def test_no_face_at_all_is_one_clear_error(tmp_path: Path):
    with pytest.raises(InputError, match="no face found"):
        analyse_video(real_file("faces/no_face.mp4"), tmp_path / "nf", workers=1)
