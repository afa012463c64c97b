"""The session folder: naming, permissions, manifest, reading, repair of torn files, deletion."""

from __future__ import annotations

import stat
import struct
import wave
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from mirror.session import (
    AUDIO,
    AUDIO_BLOCKS,
    AUDIO_BLOCKS_HEADER,
    FRAMES,
    FRAMES_HEADER,
    SESSION_FORMAT,
    RecordingLock,
    SessionError,
    delete_session,
    is_recording,
    is_session_dir,
    list_sessions,
    load_frame_times,
    load_session,
    new_session_dir,
    repair_session,
    repair_wav,
    sessions_root,
    wav_header,
    write_manifest,
)


def _fake_session(root: Path, *, status: str, n_frames: int = 5, samples: int = 4800,
                  torn: bool = False) -> Path:
    """A session folder as a recorder leaves it, without the video (see test_capture_*)."""
    d = new_session_dir(root, "pitch", now=datetime(2026, 1, 2, 3, 4, 5))
    write_manifest(d, {
        "format": SESSION_FORMAT, "kind": "rehearsal", "status": status, "profile": "pitch",
        "started": "2026-01-02T03:04:05+00:00", "script": None,
        "video": {"file": "video.mp4"},
        "audio": {"file": AUDIO, "samplerate": 48000, "channels": 1, "start_s": None},
    })
    rows = "".join(f"{i},{0.1 + i / 30:.6f}\n" for i in range(n_frames))
    (d / FRAMES).write_text(FRAMES_HEADER + "\n" + rows + ("5,0.26" if torn else ""))
    blocks = "".join(f"{k},{k * 960},960,{0.1 + k * 0.02:.6f},{0.12 + k * 0.02:.6f},0\n"
                     for k in range(samples // 960 + (1 if torn else 0)))
    (d / AUDIO_BLOCKS).write_text(AUDIO_BLOCKS_HEADER + "\n" + blocks + ("9,86" if torn else ""))
    pcm = np.zeros(samples, "<i2").tobytes() + (b"\x01" if torn else b"")
    header = wav_header(samplerate=48000, channels=1, data_bytes=0 if torn else len(pcm))
    (d / AUDIO).write_bytes(header + pcm)
    return d


def test_new_session_dir_names_and_permissions(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 14, 30, 5)
    a = new_session_dir(tmp_path / "s", "investor pitch!", now=now)
    b = new_session_dir(tmp_path / "s", "investor pitch!", now=now)
    assert a.name == "2026-11-23_143005_investor-pitch"
    assert b.name == "2026-11-23_143005_investor-pitch-2"
    assert stat.S_IMODE(a.stat().st_mode) == 0o700
    assert new_session_dir(tmp_path / "s", None, now=now).name.endswith("_default")


def test_sessions_root_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MIRROR_SESSIONS", raising=False)
    assert sessions_root() == Path("sessions")
    monkeypatch.setenv("MIRROR_SESSIONS", str(tmp_path / "env"))
    assert sessions_root() == tmp_path / "env"
    assert sessions_root(tmp_path / "flag") == tmp_path / "flag"


def test_manifest_is_private_and_identifies_sessions(tmp_path: Path) -> None:
    d = _fake_session(tmp_path, status="complete")
    assert stat.S_IMODE((d / "manifest.json").stat().st_mode) == 0o600
    assert is_session_dir(d) and not is_session_dir(tmp_path)
    (tmp_path / "other").mkdir()
    assert list_sessions(tmp_path) == [d]
    assert list_sessions(tmp_path, kind="calibration") == []


def test_repair_fixes_wav_header_and_torn_lines(tmp_path: Path) -> None:
    d = _fake_session(tmp_path, status="recording", torn=True)
    with pytest.raises(SessionError, match="mirror repair"):
        load_session(d)
    report = repair_session(d)
    assert report.previous_status == "recording" and report.status == "interrupted"
    assert report.audio_samples == 4800
    with wave.open(str(d / AUDIO)) as w:
        assert w.getnframes() == 4800  # the odd byte of a torn sample is cut
    assert (d / FRAMES).read_text().endswith("\n")
    assert len(load_frame_times(d)) == 5
    blocks = (d / AUDIO_BLOCKS).read_text().splitlines()
    assert len(blocks) == 1 + 5  # the block past the WAV's end and the torn line are gone
    assert not is_recording(d)
    again = repair_session(d)
    assert not again.changed  # repairing twice changes nothing


def test_repair_wav_counts_whole_samples(tmp_path: Path) -> None:
    f = tmp_path / "a.wav"
    f.write_bytes(wav_header(samplerate=16000, channels=2, data_bytes=0) + b"\x00" * 4003)
    samples, changed = repair_wav(f)
    assert (samples, changed) == (1000, True)
    assert f.stat().st_size == 44 + 4000
    assert struct.unpack("<I", f.read_bytes()[40:44])[0] == 4000
    assert repair_wav(f) == (1000, False)


def test_load_session_without_video_is_an_error(tmp_path: Path) -> None:
    d = _fake_session(tmp_path, status="complete")
    with pytest.raises(SessionError, match="no video"):
        load_session(d)


def test_lock_blocks_repair_and_delete(tmp_path: Path) -> None:
    d = _fake_session(tmp_path, status="recording")
    lock = RecordingLock(d)
    try:
        assert is_recording(d)
        with pytest.raises(SessionError, match="still being recorded"):
            repair_session(d)
        with pytest.raises(SessionError, match="being recorded"):
            delete_session(d)
        with pytest.raises(SessionError):
            RecordingLock(d)
    finally:
        lock.release()
    assert not is_recording(d)


def test_delete_session(tmp_path: Path) -> None:
    d = _fake_session(tmp_path, status="complete")
    not_a_session = tmp_path / "keep"
    not_a_session.mkdir()
    with pytest.raises(SessionError, match="not a session"):
        delete_session(not_a_session)
    assert not_a_session.exists()
    delete_session(d)
    assert not d.exists()
