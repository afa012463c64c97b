"""Loading audio through the real decoder (PyAV): files written here in every supported container,
a video with and without an audio track, and unreadable input."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from mirror.errors import InputError
from mirror.media.audio import load_audio

SR_IN = 44_100


def _tone(seconds: float = 1.0, sr: int = SR_IN) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def _write_audio(path: Path, codec: str, samples: np.ndarray, *, sr: int = SR_IN,
                 stereo: bool = True) -> None:
    layout = "stereo" if stereo else "mono"
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=sr, layout=layout)
        fmt = s.codec_context.codec.audio_formats[0].name
        data = np.stack([samples, samples]) if stereo else samples[None, :]
        frame_len = 1152 if codec in ("libmp3lame", "mp3") else 1024
        for i in range(0, data.shape[1], frame_len):
            chunk = np.ascontiguousarray(data[:, i:i + frame_len])
            if chunk.shape[1] < frame_len and codec not in ("pcm_s16le", "flac"):
                chunk = np.pad(chunk, ((0, 0), (0, frame_len - chunk.shape[1])))
            f = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            f.sample_rate = sr
            f.pts = i
            f.time_base = Fraction(1, sr)
            if fmt != "fltp":
                f = av.AudioResampler(format=fmt, layout=layout, rate=sr).resample(f)[0]
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode(None):
            c.mux(pkt)


@pytest.mark.parametrize(("name", "codec"), [("a.wav", "pcm_s16le"), ("a.flac", "flac"),
                                             ("a.m4a", "aac"), ("a.mp3", "libmp3lame")])
def test_load_audio_formats(tmp_path: Path, name: str, codec: str) -> None:
    path = tmp_path / name
    _write_audio(path, codec, _tone(1.0))
    track = load_audio(path)
    assert track.sr == 16_000 and track.samples.dtype == np.float32 and track.samples.ndim == 1
    assert 0.95 < track.duration_s < 1.1
    # the 440 Hz tone survives resampling and the mono mix
    spec = np.abs(np.fft.rfft(track.samples[: 16_000]))
    assert abs(np.argmax(spec) * 16_000 / 16_000 - 440) < 5


def _write_video(path: Path, *, with_audio: bool) -> None:
    with av.open(str(path), "w") as c:
        v = c.add_stream("mpeg4", rate=25)
        v.width, v.height, v.pix_fmt = 64, 64, "yuv420p"
        a = c.add_stream("aac", rate=SR_IN, layout="mono") if with_audio else None
        for i in range(25):
            img = np.full((64, 64, 3), i * 8, np.uint8)
            for pkt in v.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in v.encode(None):
            c.mux(pkt)
        if a is not None:
            x = _tone(1.0)
            for k, i in enumerate(range(0, x.size - 1024, 1024)):
                f = av.AudioFrame.from_ndarray(x[None, i:i + 1024], format="fltp", layout="mono")
                f.sample_rate, f.pts, f.time_base = SR_IN, k * 1024, Fraction(1, SR_IN)
                for pkt in a.encode(f):
                    c.mux(pkt)
            for pkt in a.encode(None):
                c.mux(pkt)


def test_video_audio_track(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    _write_video(path, with_audio=True)
    track = load_audio(path)
    assert 0.9 < track.duration_s < 1.1 and track.start_s >= 0.0


def test_video_without_audio_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    _write_video(path, with_audio=False)
    with pytest.raises(InputError, match="no audio track") as e:
        load_audio(path)
    assert "\n" not in str(e.value)


def test_unreadable_and_missing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(InputError, match="cannot be read"):
        load_audio(bad)
    with pytest.raises(InputError, match="no such file"):
        load_audio(tmp_path / "missing.flac")
