"""Bad input gives one line that says what to do, never a traceback."""

import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest


def mirror(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mirror", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("mirror: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def write_video(path: Path, frames: np.ndarray, fps: int = 25, audio: bool = False) -> None:
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=fps)
        s.height, s.width = frames.shape[1:3]
        s.pix_fmt = "yuv420p"
        for f in frames:
            for p in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def test_missing_file(tmp_path: Path, out: Path):
    line = one_line_error(mirror("analyse", str(tmp_path / "nope.mp4"), "--out", str(out)))
    assert "no such file" in line


def test_empty_file(tmp_path: Path, out: Path):
    f = tmp_path / "empty.mp4"
    f.write_bytes(b"")
    assert "empty" in one_line_error(mirror("analyse", str(f), "--out", str(out)))


def test_text_file(tmp_path: Path, out: Path):
    f = tmp_path / "notes.mp4"
    f.write_text("these are my notes, not a video\n" * 20)
    assert "cannot be read as a video" in one_line_error(mirror("analyse", str(f), "--out",
                                                                str(out)))


def test_audio_only(tmp_path: Path, out: Path):
    f = tmp_path / "voice.m4a"
    with av.open(str(f), "w") as c:
        s = c.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 16000), np.float32), format="fltp",
                                           layout="mono")
        frame.sample_rate = 16000
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode():
            c.mux(p)
    assert "audio only" in one_line_error(mirror("analyse", str(f), "--out", str(out)))


def test_truncated_mp4(tmp_path: Path, out: Path):
    full = tmp_path / "full.mp4"
    rng = np.random.default_rng(0)
    write_video(full, rng.integers(0, 255, (30, 96, 128, 3), dtype=np.uint8))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    line = one_line_error(mirror("analyse", str(cut), "--out", str(out)))
    assert "cut.mp4" in line


def test_video_without_a_face(tmp_path: Path, out: Path):
    f = tmp_path / "wall.mp4"
    frames = np.zeros((20, 120, 160, 3), np.uint8)
    frames[:, 40:80, 60:100] = 200
    write_video(f, frames)
    line = one_line_error(mirror("analyse", str(f), "--out", str(out), "--workers", "1"))
    assert "no face found" in line
    assert not (out / "events.json").exists()


def test_unknown_profile(tmp_path: Path, out: Path):
    line = one_line_error(mirror("analyse", str(tmp_path / "x.mp4"), "--profile", "nope",
                                 "--out", str(out)))
    assert "no profile named 'nope'" in line and "sales-pitch" in line


def test_folder_instead_of_file(tmp_path: Path, out: Path):
    line = one_line_error(mirror("analyse", str(tmp_path), "--out", str(out)))
    assert "folder" in line or "session" in line


def test_help_introduces_the_app_the_environment_and_every_default():
    top = mirror("--help")
    assert top.returncode == 0
    text = " ".join(top.stdout.split())
    assert "`mirror` alone opens the terminal app" in text
    for var in ("MIRROR_SESSIONS", "MIRROR_CAMERA", "MIRROR_MICROPHONE"):
        assert var in text
    analyse = " ".join(mirror("analyse", "--help").stdout.split())
    assert "cues" in analyse and "report.html" in analyse
    from mirror.profiles import available_profiles

    assert all(p in analyse for p in available_profiles())
    assert "(default: 0, one per core)" in analyse
    for option in ("--out", "--audio", "--profile", "--script", "--av-offset", "--model",
                   "--calibration", "--workers"):
        after = analyse.split(f" {option} ", 2)[-1]  # its help text (after the usage line)
        assert "default" in after.split(" --", 1)[0], option
