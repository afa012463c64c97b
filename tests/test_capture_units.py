"""Capture units without real time: the clock map, the live worker, argument parsing, errors,
and the rule that hardware libraries are imported only inside mirror/capture/."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from mirror.capture import microphone as mic_module
from mirror.capture.camera import parse_camera
from mirror.capture.clock import SessionClock, StreamClockMap
from mirror.capture.errors import (
    NoCameraError,
    PortAudioMissingError,
    UnsupportedSampleRateError,
)
from mirror.capture.live import LiveAnalyzer, LiveWorker
from mirror.capture.microphone import DeviceMicrophone, parse_microphone
from mirror.cli import main
from mirror.errors import InputError

PACKAGE = Path(__file__).resolve().parents[1] / "mirror"


def test_hardware_imports_only_in_capture() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "capture" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "sounddevice" for n in names):
                offenders.append(f"{path}: imports sounddevice")
            if isinstance(node, ast.Attribute) and node.attr == "VideoCapture":
                offenders.append(f"{path}: uses cv2.VideoCapture")
    assert offenders == []


def test_stream_clock_map_recovers_the_offset() -> None:
    clock = SessionClock()
    m = StreamClockMap.measure(clock, lambda: time.monotonic() + 1234.5)
    now_stream = time.monotonic() + 1234.5
    assert m.to_session(now_stream) == pytest.approx(clock.now(), abs=1e-3)
    assert m.uncertainty < 1e-3


def test_live_worker_keeps_only_the_newest_frame() -> None:
    seen: list[float] = []
    gate = threading.Event()

    class Blocking:
        def process(self, frame_rgb: np.ndarray, t: float) -> dict[str, float]:
            gate.wait(2.0)
            seen.append(t)
            return {"r": float(frame_rgb[0, 0, 0])}

    assert isinstance(Blocking(), LiveAnalyzer)
    worker = LiveWorker(Blocking())
    worker.start()
    frame = np.zeros((4, 4, 3), np.uint8)
    frame[..., 2] = 200  # BGR red: the analyzer must see it in channel 0 (RGB)
    worker.offer(frame, 0.0)
    time.sleep(0.1)  # the worker took frame 0 and blocks on it
    for i in range(1, 10):
        worker.offer(frame, float(i))
    gate.set()
    deadline = time.monotonic() + 2.0
    while worker.processed < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    assert seen == [0.0, 9.0]
    assert worker.skipped == 8
    assert worker.latest_levels == {"r": 200.0}


def test_parse_camera_and_microphone(tmp_path: Path) -> None:
    f = tmp_path / "clip.mp4"
    f.write_bytes(b"")
    assert parse_camera(None).kind == "index" and parse_camera("2").target == "2"
    assert parse_camera("/dev/video7").kind == "device"
    assert parse_camera("rtsp://phone.local:8554/cam").kind == "url"
    assert parse_camera(str(f)).kind == "file"
    with pytest.raises(InputError):
        parse_camera(str(tmp_path / "missing.mp4"))
    assert parse_microphone(None).kind == "default"
    assert parse_microphone("none").kind == "none"
    assert parse_microphone("3").target == 3
    assert parse_microphone("USB Audio").kind == "device"
    assert parse_microphone(str(f)).kind == "file"
    with pytest.raises(InputError):
        parse_microphone(str(tmp_path / "missing.wav"))


def test_missing_portaudio_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_portaudio(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(PortAudioMissingError, match="apt-get install libportaudio2"):
        DeviceMicrophone(None)


def test_unsupported_sample_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    class PortAudioError(Exception):
        pass

    def check_input_settings(**kwargs: object) -> None:
        raise PortAudioError("Error opening InputStream: Invalid sample rate [PaErrorCode -9997]")

    fake = SimpleNamespace(
        PortAudioError=PortAudioError,
        query_devices=lambda device, kind: {"index": 1, "name": "USB mic",
                                            "default_samplerate": 44100.0,
                                            "max_input_channels": 1},
        check_input_settings=check_input_settings,
    )
    monkeypatch.setattr(mic_module, "import_sounddevice", lambda: fake)
    with pytest.raises(UnsupportedSampleRateError, match=r"12345 Hz.*44100"):
        DeviceMicrophone("USB", samplerate=12345)


def test_record_errors_are_one_line_and_leave_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = tmp_path / "sessions"
    code = main(["record", "--camera", "/dev/video99", "--sessions-dir", str(sessions)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("mirror: error: ")
    assert "Traceback" not in err[0]
    assert not sessions.exists() or not any(sessions.iterdir())
    with pytest.raises(NoCameraError):
        from mirror.capture.camera import open_camera

        open_camera("/dev/video99")


def test_a_device_failing_at_start_leaves_no_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirror.capture.errors import CaptureError
    from mirror.capture.microphone import FileMicrophone
    from mirror.capture.recording import record_session
    from mirror.capture.testclip import write_test_video, write_test_wav

    video = write_test_video(tmp_path / "c.mp4", seconds=1.0)
    audio = write_test_wav(tmp_path / "c.wav", seconds=1.0)

    def busy(self: FileMicrophone, *args: object) -> None:
        raise CaptureError("microphone X is busy or unavailable")

    monkeypatch.setattr(FileMicrophone, "start", busy)
    sessions = tmp_path / "sessions"
    with pytest.raises(CaptureError, match="busy"):
        record_session(camera=str(video), microphone=str(audio), sessions_dir=sessions)
    assert list(sessions.iterdir()) == []
