"""Decoding audio with PyAV: the audio track of a video, or a separate audio file.

The audio is resampled once, on decoding, to the rate asked (speech analysis asks for
`mirror.speech.audio.ANALYSIS_RATE`, 16 kHz), mixed to mono (the mean of the channels), as
float32 in [-1, 1]. `iter_pcm16` streams a file as the recorder's file microphone plays it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from mirror.errors import InputError, shown_path
from mirror.speech.audio import ANALYSIS_RATE


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


MIN_SOURCE_RATE = 8_000  # below this there is no speech to align (and upsampling would balloon)


def _open_audio(p: Path) -> av.container.InputContainer:
    """Open `p` and check its first audio stream; InputError (one line) when it cannot be used."""
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"{shown_path(p)}: no such file") from None
    except OSError as e:
        raise InputError(f"{shown_path(p)}: cannot be opened ({e.strerror})") from None
    if st.st_size == 0:
        raise InputError(f"{shown_path(p)}: the file is empty")
    try:
        container = av.open(str(p))
    except (av.error.FFmpegError, OSError, ValueError) as e:  # type: ignore[attr-defined]
        why = getattr(e, "strerror", None) or e.__class__.__name__
        raise InputError(f"{shown_path(p)}: cannot be read as audio or video ({why}); is it a "
                         "complete wav, m4a, mp3 or video file?") from None
    if not container.streams.audio:
        container.close()
        raise InputError(f"{shown_path(p)}: has no audio track (record with a microphone or pass "
                         "--audio)")
    rate = container.streams.audio[0].codec_context.sample_rate or 0
    if rate < MIN_SOURCE_RATE:
        container.close()
        raise InputError(f"{shown_path(p)}: the audio's sample rate is {rate} Hz; speech needs at "
                         f"least {MIN_SOURCE_RATE // 1000} kHz (is the file damaged?)")
    return container


def probe_audio(path: str | Path) -> None:
    """Check that `path` has a usable audio track without decoding it (InputError if not)."""
    _open_audio(Path(path)).close()


def load_audio(path: str | Path, *, sr: int = ANALYSIS_RATE) -> AudioTrack:
    """Decode the first audio stream of `path` (a video, or wav/flac/m4a/mp3/...) to mono float32.

    Raises InputError (one line) when the file is missing, unreadable, has no audio track or a
    sample rate below MIN_SOURCE_RATE.
    """
    p = Path(path)
    with _open_audio(p) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        chunks: list[np.ndarray] = []
        start_s: float | None = None
        try:
            for frame in container.decode(stream):
                if start_s is None and frame.pts is not None and frame.time_base is not None:
                    start_s = float(frame.pts * frame.time_base)
                if frame.layout.nb_channels > 1:
                    frame = mono_frame(frame)
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except (av.error.FFmpegError, ValueError) as e:  # type: ignore[attr-defined]
            why = getattr(e, "strerror", None) or str(e)
            raise InputError(f"{shown_path(p)}: the audio track is damaged and cannot be decoded "
                             f"({why})") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    np.clip(samples, -1.0, 1.0, out=samples)
    return AudioTrack(samples=samples, sr=sr, start_s=max(0.0, start_s or 0.0), source=str(p))


_FULL_SCALE = {np.dtype(np.uint8): 128.0, np.dtype(np.int16): 32768.0,
               np.dtype(np.int32): 2.0**31, np.dtype(np.int64): 2.0**63}


def mono_frame(frame: av.AudioFrame) -> av.AudioFrame:
    """The mean of a frame's channels, as a mono float frame at the same rate.

    FFmpeg's own downmix adds channels up (a stereo mix of one voice is 1.4x as loud, an
    8-channel one clips) and cannot mix a layout of unknown channel order at all.
    """
    raw = frame.to_ndarray()
    n_ch = frame.layout.nb_channels
    x = raw.astype(np.float32)
    if raw.dtype == np.uint8:
        x -= 128.0
    x /= _FULL_SCALE.get(raw.dtype, 1.0)
    mixed = x.reshape(n_ch, -1).mean(axis=0) if frame.format.is_planar else \
        x.reshape(-1, n_ch).mean(axis=1)
    out = av.AudioFrame.from_ndarray(np.ascontiguousarray(mixed, np.float32)[None, :],
                                     format="flt", layout="mono")
    out.sample_rate = frame.sample_rate
    return out


def audio_rate(path: str) -> int:
    """The sample rate of the first audio stream of `path` (InputError if it has none)."""
    try:
        with av.open(path) as probe:
            if not probe.streams.audio:
                raise InputError(f"{path} has no audio track")
            return int(probe.streams.audio[0].codec_context.sample_rate or 0)
    except av.FFmpegError as exc:
        raise InputError(f"cannot read {path} as audio: {exc}") from exc


def iter_pcm16(path: str, *, rate: int, channels: int) -> Iterator[np.ndarray]:
    """The first audio stream of `path` as int16 chunks (k, channels) at `rate`, in order."""
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
    with av.open(path) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1, channels)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1, channels)
