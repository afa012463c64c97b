"""Loading the audio track of a video, or a separate audio file, with PyAV.

The audio is resampled once, on decoding, to `ANALYSIS_RATE` (16 kHz, the rate webrtcvad and the
pocketsphinx English model expect), mixed to mono, as float32 in [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from mirror.errors import InputError

ANALYSIS_RATE = 16_000


@dataclass(frozen=True)
class AudioTrack:
    """Decoded mono audio.

    samples: (n,) float32 in [-1, 1] at `sr` Hz.
    start_s: presentation time of the first sample on the container's timeline (seconds); a video
        whose audio starts after its first frame has start_s > 0.
    """

    samples: np.ndarray
    sr: int
    start_s: float
    source: str

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sr if self.sr else 0.0


def load_audio(path: str | Path, *, sr: int = ANALYSIS_RATE) -> AudioTrack:
    """Decode the first audio stream of `path` (a video, or wav/flac/m4a/mp3/...) to mono float32.

    Raises InputError (one line) when the file is missing, unreadable or has no audio track.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    try:
        container = av.open(str(p))
    except (av.error.FFmpegError, OSError) as e:  # type: ignore[attr-defined]
        raise InputError(f"{p}: cannot be read as audio or video ({e.__class__.__name__})") from e
    with container:
        if not container.streams.audio:
            raise InputError(f"{p}: has no audio track (record with a microphone or pass --audio)")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        chunks: list[np.ndarray] = []
        start_s: float | None = None
        try:
            for frame in container.decode(stream):
                if start_s is None and frame.pts is not None and frame.time_base is not None:
                    start_s = float(frame.pts * frame.time_base)
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except (av.error.FFmpegError, ValueError) as e:  # type: ignore[attr-defined]
            raise InputError(f"{p}: the audio track cannot be decoded ({e})") from e
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    np.clip(samples, -1.0, 1.0, out=samples)
    return AudioTrack(samples=samples, sr=sr, start_s=max(0.0, start_s or 0.0), source=str(p))


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    """(n,) float in [-1, 1] -> (n,) int16, the format webrtcvad and pocketsphinx read."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return (x * 32767.0).astype(np.int16)


def resample_audio(samples: np.ndarray, *, sr_in: int, sr_out: int) -> np.ndarray:
    """Polyphase resampling of (n,) audio from sr_in to sr_out."""
    if sr_in == sr_out:
        return np.asarray(samples, dtype=np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sr_in, sr_out)
    y = resample_poly(np.asarray(samples, np.float64), sr_out // g, sr_in // g)
    return y.astype(np.float32)
