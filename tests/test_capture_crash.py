"""`kill -9` of the recorder mid-recording, then `mirror repair`: everything up to the last
second is kept and the session is valid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from datetime import datetime
from pathlib import Path

import av
import numpy as np
import pytest

from mirror.capture.testclip import write_test_video, write_test_wav
from mirror.cli import main
from mirror.session import (
    AUDIO_BLOCKS,
    FRAMES,
    SessionError,
    list_sessions,
    load_session,
    read_manifest,
    stale_sessions,
)

ROOT = Path(__file__).resolve().parents[1]


def _wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.timeout(60)
def test_sigkill_then_repair(tmp_path: Path) -> None:
    video = write_test_video(tmp_path / "clip.mp4", seconds=8.0)
    audio = write_test_wav(tmp_path / "clip.wav", seconds=8.0)
    sessions = tmp_path / "sessions"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mirror", "record", "--camera", str(video), "--microphone",
         str(audio), "--sessions-dir", str(sessions), "--no-analyse", "--no-live", "-q"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        _wait_for(lambda: bool(list_sessions(sessions)), 20)
        session = list_sessions(sessions)[0]
        started = datetime.fromisoformat(read_manifest(session)["started"]).timestamp()
        _wait_for(lambda: time.time() - started > 3.2, 20)
        killed_at = time.time() - started  # on the session clock
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    assert read_manifest(session)["status"] == "recording"
    assert stale_sessions(sessions) == [session]
    with pytest.raises(SessionError, match="mirror repair"):
        load_session(session)

    assert main(["repair", "--sessions-dir", str(sessions)]) == 0
    s = load_session(session)
    assert s.status == "interrupted"
    assert s.manifest["repaired"]["actions"]
    assert s.frame_times is not None and s.audio is not None and s.audio_blocks is not None

    # the video decodes to the end, one frame per logged time, up to the last second
    with av.open(str(s.video)) as c:
        decoded = [float(f.pts * f.time_base) for f in c.decode(video=0)]
    assert len(decoded) == len(s.frame_times) > 0
    np.testing.assert_allclose(np.array(decoded) - decoded[0], s.frame_times - s.frame_times[0],
                               atol=2e-4)
    assert s.frame_times[-1] >= killed_at - 1.0

    # the WAV is valid, holds everything logged, and reaches the last second too
    with wave.open(str(s.audio)) as w:
        n, sr = w.getnframes(), w.getframerate()
    assert n == s.manifest["audio"]["samples"] > 0
    last_first = s.audio_blocks[-1, 0]
    assert last_first < n
    assert s.audio_start_s + n / sr >= killed_at - 1.0

    # the logs have no torn lines, and the session is not stale any more
    for name in (FRAMES, AUDIO_BLOCKS):
        assert (session / name).read_bytes().endswith(b"\n")
    assert stale_sessions(sessions) == []
    assert not (session / ".recording.lock").exists()


@pytest.mark.timeout(60)
def test_sigint_stops_cleanly(tmp_path: Path) -> None:
    """Ctrl-C (and SIGTERM) end the recording with closed, complete files."""
    video = write_test_video(tmp_path / "clip.mp4", seconds=6.0)
    sessions = tmp_path / "sessions"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mirror", "record", "--camera", str(video), "--microphone",
         "none", "--sessions-dir", str(sessions), "--no-analyse", "--no-live", "-q"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    _wait_for(lambda: bool(list_sessions(sessions))
              and (list_sessions(sessions)[0] / FRAMES).stat().st_size > 200, 20)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    s = load_session(list_sessions(sessions)[0])
    assert s.status == "complete" and s.manifest["stop_reason"] == "stopped by the user"
    assert s.audio is None and s.frame_times is not None and len(s.frame_times) > 10
    with av.open(str(s.video)) as c:
        assert sum(1 for _ in c.decode(video=0)) == len(s.frame_times)
