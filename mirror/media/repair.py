"""Repairing an interrupted recording's fragmented MP4 with PyAV: the complete packets kept, the
torn last fragment dropped, and the times (pts) of the frames that remain.

The recorder writes a fragment per keyframe (`mirror.capture.writers.VideoWriter`), so a crash
loses at most the fragment being written; `mirror.session.repair_session` uses these.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from mirror.errors import SessionError
from mirror.fileio import NO_SPACE, create_private


def complete_fragments_end(file: Path) -> int:
    """Byte length of the part of a fragmented MP4 made of whole boxes: the header boxes and
    every `moof` whose `mdat` is complete. A file cut off mid-fragment ends there."""
    size = file.stat().st_size
    good = pos = 0
    moof_open = False
    with open(file, "rb") as fh:
        while pos + 8 <= size:
            fh.seek(pos)
            head = fh.read(16)
            box_size, kind = struct.unpack(">I4s", head[:8])
            if box_size == 1 and len(head) >= 16:
                box_size = struct.unpack(">Q", head[8:16])[0]
            elif box_size == 0:
                box_size = size - pos
            if box_size < 8 or pos + box_size > size:
                break  # torn (or garbage): nothing after this point is kept
            pos += box_size
            if kind == b"moof":
                moof_open = True
            elif kind == b"mdat" or not moof_open:
                moof_open = False
                good = pos
    return good


def truncate_video_in_place(file: Path) -> tuple[np.ndarray, bool]:
    """`salvage_video` without a second copy (for a full disk): cut the torn last fragment off."""
    end = complete_fragments_end(file)
    changed = end < file.stat().st_size
    if changed:
        with open(file, "r+b") as fh:
            fh.truncate(end)
            os.fsync(fh.fileno())
    return video_packet_times(file), changed


def video_packet_times(file: Path) -> np.ndarray:
    pts: list[float] = []
    try:
        with av.open(str(file)) as src:
            sin = src.streams.video[0]
            tb = sin.time_base or Fraction(1, 90000)
            for packet in src.demux(sin):
                if packet.size and packet.pts is not None and not packet.is_corrupt:
                    pts.append(float(packet.pts * tb))
    except (av.FFmpegError, EOFError, IndexError):
        pass
    return np.sort(np.array(pts, dtype=np.float64))


def salvage_video(file: Path) -> tuple[np.ndarray, bool]:
    """Remux every complete packet of a possibly truncated fragmented MP4 into a new one (on a
    full disk: cut the torn last fragment off in place instead).

    Returns the session times of the frames kept (from their pts) and whether the file changed.
    """
    try:
        return remux_video(file)
    except SessionError as exc:
        if getattr(exc.__cause__, "errno", None) not in NO_SPACE:
            raise
        return truncate_video_in_place(file)


def _packets_until_torn(src: Any, stream: Any) -> Iterator[Any]:
    """The demuxed packets of `stream`, ending quietly where the file is torn."""
    packets = src.demux(stream)
    while True:
        try:
            packet = next(packets)
        except (StopIteration, av.FFmpegError, EOFError):
            return  # the torn last fragment: everything before it is kept
        yield packet


def remux_video(file: Path) -> tuple[np.ndarray, bool]:
    tmp = file.with_name(f".{file.name}.repair.tmp")
    pts: list[float] = []
    try:
        with av.open(str(file)) as src:
            if not src.streams.video:
                raise SessionError(f"{file} has no video stream")
            sin = src.streams.video[0]
            tb = sin.time_base or Fraction(1, 90000)
            with create_private(tmp) as raw, av.open(
                raw, "w", format="mp4",
                options={"movflags": "frag_keyframe+empty_moov+default_base_moof"},
            ) as dst:
                sout = dst.add_stream_from_template(sin)
                # A write error (a full disk) is not a torn source: it must not end the copy
                # quietly, or a short copy would replace the whole video.
                for packet in _packets_until_torn(src, sin):
                    if packet.size == 0 or packet.pts is None or packet.is_corrupt:
                        continue
                    pts.append(float(packet.pts * tb))
                    packet.stream = sout
                    dst.mux(packet)
    except (av.FFmpegError, OSError) as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, av.FFmpegError) and not pts:
            return np.zeros(0), False
        raise SessionError(f"cannot repair {file}: {exc}") from exc
    os.replace(tmp, file)
    return np.sort(np.array(pts, dtype=np.float64)), True


def count_video_frames(file: Path) -> int:
    """Frames in `file`, counted by demuxing (one packet a frame: no B-frames); stops quietly at
    a torn end."""
    n = 0
    try:
        with av.open(str(file)) as c:
            for packet in c.demux(video=0):
                n += packet.size > 0
    except (av.FFmpegError, EOFError):
        pass
    return n
