"""Incremental, crash-tolerant writers for the session's media and timestamp logs.

Each is owned by one recorder thread. `sync()` pushes what was written to the disk (flush +
fsync); the recorder calls it every second, so a crash loses at most about a second.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import av
import numpy as np

from mirror.fileio import create_private
from mirror.media import ENCODER_THREADS
from mirror.session import WAV_HEADER_BYTES, wav_header

VIDEO_TIME_BASE = Fraction(1, 90000)  # pts from session-clock times (MP4 counts from frame 0)


class VideoWriter:
    """H.264 in fragmented MP4: a self-contained fragment per keyframe, readable after a crash.

    Frame pts come from the frames' session-clock times, so the video keeps the real spacing of
    the frames (the MP4 counts them from its first frame; frames.csv has the session times).
    """

    def __init__(
        self, path: Path, *, width: int, height: int, fps: float,
        keyframe_interval_s: float = 0.5, crf: int = 23, preset: str = "ultrafast",
    ) -> None:
        self.path = path
        self.width, self.height = width - width % 2, height - height % 2  # yuv420p needs even
        self._raw: IO[bytes] = create_private(path, "wb", buffering=0)
        self._out = av.open(
            self._raw, "w", format="mp4",
            options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
        )
        gop = max(1, round(fps * keyframe_interval_s))
        if "libx264" in av.codecs_available:
            codec, opts = "libx264", {
                "preset": preset, "tune": "zerolatency", "crf": str(crf),
                "g": str(gop), "keyint_min": str(gop), "bf": "0", "threads": ENCODER_THREADS,
            }
        else:  # a PyAV build without x264: MPEG-4 part 2 still fragments and decodes everywhere
            codec, opts = "mpeg4", {"g": str(gop), "bf": "0", "qscale": "3"}
        self.codec = codec
        stream: Any = self._out.add_stream(codec, rate=round(fps), options=opts)
        stream.width, stream.height = self.width, self.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = VIDEO_TIME_BASE
        self._stream = stream
        self._last_pts = -1
        self.frames = 0

    def write(self, frame_bgr: np.ndarray, t: float) -> None:
        if frame_bgr.shape[0] != self.height or frame_bgr.shape[1] != self.width:
            frame_bgr = np.ascontiguousarray(frame_bgr[: self.height, : self.width])
        vf = av.VideoFrame.from_ndarray(frame_bgr, format="bgr24")
        pts = max(round(t * 90000), self._last_pts + 1)
        vf.pts, vf.time_base = pts, VIDEO_TIME_BASE
        self._last_pts = pts
        for packet in self._stream.encode(vf):
            self._out.mux(packet)
        self.frames += 1

    def sync(self) -> None:
        os.fsync(self._raw.fileno())

    def close(self) -> None:
        try:
            for packet in self._stream.encode():
                self._out.mux(packet)
        finally:
            self._out.close()
            self.sync()
            self._raw.close()


class WavWriter:
    """PCM16 WAV appended block by block; `sync()` also rewrites the header's sizes."""

    def __init__(self, path: Path, *, samplerate: int, channels: int) -> None:
        self.path, self.samplerate, self.channels = path, samplerate, channels
        self._fh: IO[bytes] = create_private(path, "wb", buffering=0)
        self._fh.write(wav_header(samplerate=samplerate, channels=channels, data_bytes=0))
        self.samples = 0
        self._synced = 0

    def write(self, block: np.ndarray) -> None:
        data = np.ascontiguousarray(block, dtype="<i2")
        self._fh.write(data.tobytes())
        self.samples += data.shape[0]

    def sync(self) -> None:
        if self.samples != self._synced:
            header = wav_header(
                samplerate=self.samplerate, channels=self.channels,
                data_bytes=self.samples * 2 * self.channels,
            )
            os.pwrite(self._fh.fileno(), header, 0)
            self._synced = self.samples
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self.sync()
        self._fh.close()

    @property
    def header_bytes(self) -> int:
        return WAV_HEADER_BYTES


class CsvLog:
    """A header line, then rows appended; text is buffered until `sync()`."""

    def __init__(self, path: Path, header: str) -> None:
        self._fh: IO[str] = create_private(path, "w", encoding="utf-8", newline="")
        self._fh.write(header + "\n")
        self.rows = 0

    def write(self, line: str) -> None:
        self._fh.write(line + "\n")
        self.rows += 1

    def sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self.sync()
        self._fh.close()
