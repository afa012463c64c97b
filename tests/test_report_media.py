"""The filmstrip frame grabber on real recordings (../shared/data/real; skipped when absent):
variable frame rate, HEVC, webcam clips. Robustness, not accuracy: every time gets a frame."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirror.media.stills import grab_frames
from mirror.report.frames import compose_strip, crop_face

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "faces"
CLIPS = ["WolfgangLanger_Pexels.mp4", "face_noface.mov", "single_face.mp4"]


@pytest.mark.real
@pytest.mark.parametrize("name", CLIPS)
def test_grab_frames_on_real_clips(name: str) -> None:
    clip = REAL / name
    if not clip.is_file():
        pytest.skip(f"{clip} is absent (the real test media live in ../shared/data/real)")
    times = [0.0, 0.5, 1.0, 1.9, 2.0, 60.0]
    frames = grab_frames(clip, times)
    assert set(frames) == set(times)
    for img in frames.values():
        assert img.ndim == 3 and img.shape[2] == 3 and img.std() > 5
    tiles = [crop_face(frames[t], None) for t in times[:4]]
    assert compose_strip(tiles, ["a", "b", "c", "d"], highlight=2)[:2] == b"\xff\xd8"


def test_an_undecodable_file_gives_no_frames(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    assert grab_frames(bad, [0.0, 1.0]) == {}
