"""Recording a generated clip through the file camera and file microphone (real time, ~4 s)."""

from __future__ import annotations

import stat
import time
import wave

import av
import numpy as np
import pytest

from mirror.capture.recording import RecordingResult, record_session
from mirror.capture.testclip import (
    detect_clicks,
    detect_flashes,
    mark_times,
    write_test_video,
    write_test_wav,
)
from mirror.session import load_session

SECONDS, FPS, SR = 4.0, 30, 48000


class SlowAnalyzer:
    """A stand-in for the face model that takes 3 frame periods per frame."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def process(self, frame_rgb: np.ndarray, t: float) -> dict[str, float]:
        assert frame_rgb.ndim == 3 and frame_rgb.shape[2] == 3
        time.sleep(0.1)
        self.times.append(t)
        return {"brightness": float(frame_rgb.mean())}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordingResult, SlowAnalyzer]:
    src = tmp_path_factory.mktemp("src")
    video = write_test_video(src / "clip.mp4", seconds=SECONDS, fps=FPS)
    audio = write_test_wav(src / "clip.wav", seconds=SECONDS, samplerate=SR)
    script = src / "pitch.md"
    script.write_text("# Opening\nHello investors.\n", encoding="utf-8")
    live = SlowAnalyzer()
    results: list[tuple[float, dict[str, float]]] = []
    result = record_session(
        camera=str(video), microphone=str(audio), profile="sales-pitch", script=script,
        sessions_dir=tmp_path_factory.mktemp("sessions"), live=live,
        on_live=lambda t, levels: results.append((t, levels)),
    )
    assert results, "the live callback was never called"
    return result, live


def test_session_folder_contents(recorded: tuple[RecordingResult, SlowAnalyzer]) -> None:
    result, _ = recorded
    d = result.session_dir
    assert d.name.endswith("_sales-pitch")
    names = {p.name for p in d.iterdir()}
    assert names == {"manifest.json", "video.mp4", "audio.wav", "frames.csv",
                     "audio_blocks.csv", "script.md"}
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    for p in d.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    s = load_session(d)
    assert s.status == "complete" and s.kind == "rehearsal" and s.profile == "sales-pitch"
    assert s.script is not None and s.script.read_text(encoding="utf-8").startswith("# Opening")
    m = s.manifest
    assert m["devices"]["camera"]["kind"] == "file" and m["devices"]["microphone"]["kind"] == "file"
    assert {"mirror", "av", "opencv", "numpy", "python"} <= set(m["versions"])
    assert m["started"] < m["stopped"] and m["stop_reason"] == "end of the video file"


def test_timestamps(recorded: tuple[RecordingResult, SlowAnalyzer]) -> None:
    result, _ = recorded
    s = load_session(result.session_dir)
    assert s.frame_times is not None and s.audio_blocks is not None
    t = s.frame_times
    # every source frame is either recorded or counted as dropped (a loaded machine may drop)
    assert len(t) + result.stats.dropped_source == round(SECONDS * FPS)
    assert result.stats.dropped_frames <= 3
    assert np.all(np.diff(t) > 0)
    assert abs(float(np.median(np.diff(t))) - 1 / FPS) < 0.002
    with av.open(str(s.video)) as c:
        decoded = [float(f.pts * f.time_base) for f in c.decode(video=0)]
    assert len(decoded) == len(t)
    # the video's own pts keep the frames' real spacing (offset: they count from frame 0)
    np.testing.assert_allclose(np.array(decoded) - decoded[0], t - t[0], atol=2e-4)
    blocks = s.audio_blocks
    assert np.all(np.diff(blocks[:, 0]) > 0) and np.all(np.diff(blocks[:, 1]) > 0)
    assert s.audio_start_s == pytest.approx(blocks[0, 1], abs=1e-5)
    # the audio clock agrees with the session clock: block times follow the sample count
    predicted = s.audio_start_s + blocks[:, 0] / SR
    assert np.abs(blocks[:, 1] - predicted).max() < 0.002
    with wave.open(str(s.audio)) as w:
        assert w.getframerate() == SR and w.getnframes() == result.stats.audio_samples
    audio_end = s.audio_start_s + result.stats.audio_samples / SR
    assert abs(audio_end - t[-1]) < 0.1  # both cover the clip


def test_av_sync_within_a_frame(recorded: tuple[RecordingResult, SlowAnalyzer]) -> None:
    """The clip's flashes (video) and clicks (audio) coincide in the source; recorded through
    both pipelines, each flash frame and its click stay within one frame period."""
    result, _ = recorded
    s = load_session(result.session_dir)
    assert s.frame_times is not None and s.audio is not None
    with av.open(str(s.video)) as c:
        brightness = np.array([f.to_ndarray(format="gray").mean() for f in c.decode(video=0)])
    flashes = detect_flashes(brightness, s.frame_times)
    with wave.open(str(s.audio)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    clicks = detect_clicks(samples, SR, start_s=s.audio_start_s)
    marks = mark_times(SECONDS)
    assert len(clicks) == len(marks)
    assert len(flashes) >= len(marks) - result.stats.dropped_source
    for f in flashes:
        assert np.abs(clicks - f).min() < 1 / FPS, (f, clicks)


def test_live_analysis_drops_frames_not_the_recording(
    recorded: tuple[RecordingResult, SlowAnalyzer],
) -> None:
    result, live = recorded
    st = result.stats
    assert st.live_processed >= 10  # ~4 s at 0.1 s a frame
    assert st.live_skipped > st.live_processed  # it skipped frames instead of queueing them
    assert st.live_processed + st.live_skipped <= st.frames
    assert st.dropped_queue == 0
    assert np.all(np.diff(live.times) > 0.05)  # always the newest frame, never a backlog
    assert load_session(result.session_dir).manifest["live"]["processed"] == st.live_processed


def test_calibrate_records_a_silent_clip(tmp_path_factory: pytest.TempPathFactory,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from mirror import pipeline
    from mirror.cli import main

    # the clip has no face: test the recording, not the baseline (the analysis' own tests)
    monkeypatch.setattr(pipeline, "store_calibration", lambda d, **kw: d / "baseline.json")

    src = tmp_path_factory.mktemp("calib")
    video = write_test_video(src / "face.mp4", seconds=3.0, fps=FPS)
    sessions = src / "sessions"
    code = main(["calibrate", "--camera", str(video), "--seconds", "1", "--profile", "me",
                 "--sessions-dir", str(sessions), "-q"])
    assert code == 0
    assert "recorded" in capsys.readouterr().out
    (d,) = list(sessions.iterdir())
    s = load_session(d)
    assert s.kind == "calibration" and s.audio is None and s.manifest["audio"] is None
    assert s.manifest["stop_reason"] == "time limit"
    assert s.frame_times is not None and 0.9 <= s.frame_times[-1] - s.frame_times[0] <= 1.0
