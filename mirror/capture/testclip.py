"""Synthetic rehearsal media for tests, demos and benchmarks (generated, never committed).

A video of moving shapes with a one-frame white flash every second (at 0.5 s, 1.5 s, ...), and a
WAV of a quiet tone with a loud click at the same instants: recording both through the file
camera and file microphone, a flash and its click must land within a frame of each other.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from mirror.media.encode import encode_video

MARK_OFFSET_S = 0.5  # first flash/click; then one per second


def mark_times(duration_s: float) -> np.ndarray:
    """Times (s, source timeline) of the flashes and clicks in a clip of `duration_s`."""
    return np.arange(MARK_OFFSET_S, duration_s - 0.25, 1.0)


def write_test_video(
    path: Path, *, seconds: float = 4.0, fps: int = 30, width: int = 640, height: int = 480
) -> Path:
    """An H.264 MP4 of `seconds` at `fps`: a moving square and a bar, a white frame each mark."""
    n = round(seconds * fps)
    flash = {round(t * fps) for t in mark_times(seconds)}

    def frames() -> Iterator[np.ndarray]:
        frame = np.empty((height, width, 3), np.uint8)
        side = height // 6
        for i in range(n):
            if i in flash:
                frame[:] = 255
            else:
                frame[:] = (20, 30, 40)
                x = int((width - side) * (0.5 + 0.5 * np.sin(2 * np.pi * i / (4 * fps))))
                y = int((height - side) * (i % (3 * fps)) / (3 * fps))
                frame[y : y + side, x : x + side] = (230, 160, 30)
                bar = int(width * (i % fps) / fps)
                frame[height - 12 :, :bar] = (200, 200, 200)
            yield frame

    encode_video(frames(), path, fps=fps, size=(width, height), crf=28, preset="ultrafast")
    return path


def write_test_wav(path: Path, *, seconds: float = 4.0, samplerate: int = 48000) -> Path:
    """A mono 16-bit WAV: a 220 Hz tone at -20 dBFS and a 2 ms full-scale click at each mark."""
    n = round(seconds * samplerate)
    t = np.arange(n) / samplerate
    x = 0.1 * np.sin(2 * np.pi * 220.0 * t)
    click = round(0.002 * samplerate)
    for m in mark_times(seconds):
        s = round(m * samplerate)
        x[s : s + click] = 0.9
    pcm = (x * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(samplerate)
        w.writeframes(pcm.tobytes())
    return path


def detect_flashes(mean_brightness: np.ndarray, frame_times: np.ndarray) -> np.ndarray:
    """Times of frames whose mean brightness (0-255) marks a flash."""
    return frame_times[mean_brightness > 200]


def detect_clicks(samples: np.ndarray, samplerate: int, *, start_s: float = 0.0) -> np.ndarray:
    """Onset times of clicks (|x| > 0.5 full scale, ≥ 0.2 s apart) in int16 mono samples."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 16384)
    if loud.size == 0:
        return np.zeros(0)
    onsets = loud[np.concatenate(([True], np.diff(loud) > 0.2 * samplerate))]
    return start_s + onsets / samplerate
