"""Single frames at chosen times (the report's filmstrips), decoded in forward passes.

The moments are sorted and cut into `parts` runs of consecutive moments, each decoded forward in
its own thread (PyAV decodes without the GIL); the decoder seeks only across long gaps and,
between moments, skips the frames nothing refers to, so a report costs less than one decode of
the stretches that hold episodes.
"""

from __future__ import annotations

import bisect
import contextlib
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import numpy as np

from mirror.media import first_frame, frame_rotation, upright

SEEK_GAP_S = 3.0  # seek instead of decoding through gaps longer than this
SKIP_AHEAD_S = 1.0  # within this of the stream's end every frame is decoded (the last one is
# what a moment past the end gets)
NEAR_FRAMES = 3  # frames no other frame refers to (most B-frames) are decoded only when they lie
# within this many frame periods of a moment: the pictures kept are the same, the decoding less


def first_frame_time(video: Path) -> float | None:
    """The presentation time of the first frame (0 for most files), None if undecodable."""
    try:
        with av.open(str(video)) as container:
            frame = first_frame(container, container.streams.video[0])
    except (av.FFmpegError, OSError, IndexError):
        return None
    return None if frame is None else float(frame.time or 0.0)


def grab_frames(video: Path, times: Sequence[float], *, parts: int = 2
                ) -> dict[float, np.ndarray]:
    """Upright RGB frames (h, w, 3) uint8 nearest to each time, decoded in `parts` forward
    passes over consecutive moments, side by side (the same pixels as one pass).

    Times are seconds from the first frame (`mirror.media.iter_frames`' convention); the result
    is keyed by the times given. A time past the end gets the last frame; an undecodable video
    gives {}.
    """
    start = first_frame_time(video)
    if start is None:
        return {}
    asked = {float(t): float(t) + start for t in times}
    wanted = sorted(set(asked.values()))
    runs = [r for r in (wanted[len(wanted) * i // parts:len(wanted) * (i + 1) // parts]
                        for i in range(max(parts, 1))) if r]
    found: dict[float, np.ndarray] = {}
    if len(runs) > 1:
        with ThreadPoolExecutor(len(runs), thread_name_prefix="mirror-stills") as pool:
            for part in pool.map(lambda run: _grab(video, run), runs):
                found.update(part)
    else:
        found = _grab(video, wanted)
    return {t: found[pts] for t, pts in asked.items() if pts in found}


def _rgb(frame: av.VideoFrame) -> np.ndarray:
    return upright(frame.to_ndarray(format="rgb24"), frame_rotation(frame))


def _grab(video: Path, wanted: list[float]) -> dict[float, np.ndarray]:
    """Frames nearest to sorted container times (seconds of frame.time)."""
    out: dict[float, np.ndarray] = {}
    if not wanted:
        return out
    try:
        container = av.open(str(video))
    except (av.FFmpegError, OSError):
        return out
    with container:
        if not container.streams.video:
            return out
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        period = 1.0 / float(stream.average_rate or 30)
        half = 0.5 * period
        tb = float(stream.time_base or 1 / 90000)
        end = float(((stream.start_time or 0) + stream.duration) * tb) if stream.duration \
            else -math.inf  # the stream's end on the container's clock, when it says
        k = 0
        prev: av.VideoFrame | None = None
        while k < len(wanted):
            if wanted[k] > SEEK_GAP_S:
                with contextlib.suppress(av.FFmpegError):
                    container.seek(int(max(wanted[k] - 1.0, 0.0) / tb), stream=stream,
                                   backward=True)
            last_seen, k, exhausted = _decode_run(container, stream, wanted, k, half, out,
                                                  near=NEAR_FRAMES * period,
                                                  skip_before=end - SKIP_AHEAD_S)
            prev = last_seen or prev
            if exhausted:
                break
        if k < len(wanted) and prev is not None:  # past the end: the last frame
            last = _rgb(prev)
            for t in wanted[k:]:
                out[t] = last
    return out


def _decode_run(container: av.container.InputContainer, stream: av.VideoStream,
                wanted: list[float], k: int, half: float, out: dict[float, np.ndarray], *,
                near: float, skip_before: float) -> tuple[av.VideoFrame | None, int, bool]:
    """Decode forward from the current position, filling `out` for wanted[k:], until a long gap
    (returns exhausted=False, so the caller seeks) or the end of the stream (exhausted=True).

    Non-reference frames are skipped, packet by packet (before decoding, so the decoder's delay
    does not matter), unless they lie within `near` seconds of a moment or after `skip_before`
    (the stream's end less SKIP_AHEAD_S: a moment past the end gets the true last frame)."""
    prev: av.VideoFrame | None = None
    took = False
    ctx = stream.codec_context
    tb = float(stream.time_base or 1 / 90000)
    try:
        for packet in container.demux(stream):
            if packet.pts is not None:
                ctx.skip_frame = "DEFAULT" if _near(packet.pts * tb, wanted, near) or \
                    packet.pts * tb >= skip_before else "NONREF"
            for frame in packet.decode():
                ft = float(frame.time) if frame.time is not None else 0.0
                while k < len(wanted) and ft >= wanted[k] - half:
                    pick = frame
                    if prev is not None and prev.time is not None and \
                            abs(prev.time - wanted[k]) < abs(ft - wanted[k]):
                        pick = prev
                    out[wanted[k]] = _rgb(pick)
                    k += 1
                    took = True
                prev = frame
                if k >= len(wanted) or (took and wanted[k] - ft > SEEK_GAP_S):
                    return prev, k, False
    except av.FFmpegError:
        pass
    return prev, k, True


def _near(t: float, wanted: list[float], near: float) -> bool:
    """Whether `t` lies within `near` seconds of one of the sorted `wanted` times."""
    i = bisect.bisect_left(wanted, t)
    return (i < len(wanted) and wanted[i] - t <= near) or (i > 0 and t - wanted[i - 1] <= near)
