"""Writing media files with PyAV: H.264 video with optional AAC audio, from frames in memory
(the generated clips of the demo, the tests and the benchmarks).

The recorder's own incremental writers live with the recorder (`mirror.capture.writers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from mirror.media import ENCODER_THREADS


def encode_video(frames: Iterable[np.ndarray], path: Path, *, fps: float, size: tuple[int, int],
                 crf: int, audio: np.ndarray | None = None, audio_rate: int = 16000,
                 preset: str = "veryfast") -> int:
    """Encode RGB frames (h, w, 3) uint8 as H.264 (yuv420p) mp4 at constant fps, with optional
    mono float32 audio (n,) muxed as AAC. Returns the number of frames written."""
    rate = Fraction(fps).limit_denominator(1001)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=rate, options={"crf": str(crf), "preset": preset,
                                                       "threads": ENCODER_THREADS})
        vs.width, vs.height = size
        vs.pix_fmt = "yuv420p"
        vs.codec_context.time_base = 1 / rate
        aus = None
        if audio is not None:
            aus = out.add_stream("aac", rate=audio_rate, layout="mono")
        a_pos = 0
        for img in frames:
            vf = av.VideoFrame.from_ndarray(img, format="rgb24")
            vf.pts = n
            vf.time_base = 1 / rate
            for pkt in vs.encode(vf):
                out.mux(pkt)
            n += 1
            if aus is not None and audio is not None:
                a_pos = _mux_audio(out, aus, audio, a_pos, int(n / fps * audio_rate), audio_rate)
        for pkt in vs.encode():
            out.mux(pkt)
        if aus is not None and audio is not None:
            _mux_audio(out, aus, audio, a_pos, len(audio), audio_rate)
            for pkt in aus.encode():
                out.mux(pkt)
    return n


def _mux_audio(out: object, stream: object, audio: np.ndarray, start: int, stop: int,
               rate: int) -> int:
    stop = min(stop, len(audio))
    chunk = 1024
    while start + chunk <= stop or (stop == len(audio) and start < stop):
        block = np.ascontiguousarray(audio[start:start + chunk], dtype=np.float32)[None, :]
        af = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
        af.sample_rate = rate
        af.pts = start
        af.time_base = Fraction(1, rate)
        for pkt in stream.encode(af):  # type: ignore[attr-defined]
            out.mux(pkt)  # type: ignore[attr-defined]
        start += block.shape[1]
    return start
