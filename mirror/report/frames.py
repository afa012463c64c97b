"""Filmstrips: the user's own face cropped from the video at chosen moments.

All the moments a report needs are sorted and decoded in one forward pass; the decoder seeks only
across long gaps, so a report costs about one decode of the stretches that hold episodes.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mirror.tracks import FaceTracks

TILE = 360  # pixels of one face tile: shown at 240 px in the report, at full size when opened
SEEK_GAP_S = 3.0  # seek instead of decoding through gaps longer than this
FACE_MARGIN = 1.45  # crop side = this x the larger side of the face box


def first_frame_time(video: Path) -> float | None:
    """The presentation time of the first frame (0 for most files), None if undecodable."""
    try:
        with av.open(str(video)) as container:
            for frame in container.decode(video=0):
                return float(frame.time or 0.0)
    except (av.FFmpegError, OSError, IndexError):
        return None
    return None


def grab_frames(video: Path, times: Sequence[float]) -> dict[float, np.ndarray]:
    """Upright RGB frames (h, w, 3) uint8 nearest to each time, decoded in one pass.

    Times are seconds from the first frame (mirror.media's convention); the result is keyed by
    the times given. A time past the end gets the last frame; an undecodable video gives {}.
    """
    start = first_frame_time(video)
    if start is None:
        return {}
    asked = {float(t): float(t) + start for t in times}
    found = _grab(video, sorted(set(asked.values())))
    return {t: found[pts] for t, pts in asked.items() if pts in found}


def _rgb(frame: av.VideoFrame) -> np.ndarray:
    img = frame.to_ndarray(format="rgb24")
    # PyAV's rotation is the counter-clockwise angle that shows the frame upright.
    k = {90: 1, 180: 2, 270: 3}.get(round(getattr(frame, "rotation", 0) or 0) % 360, 0)
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


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
        half = 0.5 / float(stream.average_rate or 30)
        tb = float(stream.time_base or 1 / 90000)
        k = 0
        prev: av.VideoFrame | None = None
        while k < len(wanted):
            if wanted[k] > SEEK_GAP_S:
                with contextlib.suppress(av.FFmpegError):
                    container.seek(int(max(wanted[k] - 1.0, 0.0) / tb), stream=stream,
                                   backward=True)
            last_seen, k, exhausted = _decode_run(container, stream, wanted, k, half, out)
            prev = last_seen or prev
            if exhausted:
                break
        if k < len(wanted) and prev is not None:  # past the end: the last frame
            last = _rgb(prev)
            for t in wanted[k:]:
                out[t] = last
    return out


def _decode_run(container: av.container.InputContainer, stream: av.VideoStream,
                wanted: list[float], k: int, half: float,
                out: dict[float, np.ndarray]) -> tuple[av.VideoFrame | None, int, bool]:
    """Decode forward from the current position, filling `out` for wanted[k:], until a long gap
    (returns exhausted=False, so the caller seeks) or the end of the stream (exhausted=True)."""
    prev: av.VideoFrame | None = None
    took = False
    try:
        for frame in container.decode(stream):
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


def face_box(tracks: FaceTracks | None, t: float) -> np.ndarray | None:
    """The face box (x0, y0, x1, y1 in [0, 1]) at time t: the nearest frame with a face within
    1 s, else the median box of the session, else None."""
    if tracks is None or tracks.n == 0:
        return None
    ok = np.asarray(tracks.found, dtype=bool) & np.all(np.isfinite(tracks.bbox), axis=1)
    if not ok.any():
        return None
    idx = np.flatnonzero(ok)
    j = idx[np.argmin(np.abs(tracks.t[idx] - t))]
    if abs(float(tracks.t[j]) - t) <= 1.0:
        return np.asarray(tracks.bbox[j], dtype=float)
    return np.median(tracks.bbox[idx], axis=0)


def crop_face(frame: np.ndarray, box: np.ndarray | None, size: int = TILE) -> Image.Image:
    """A square crop around the face box (or the centre of the frame), resized to size x size."""
    h, w = frame.shape[:2]
    if box is None:
        cx, cy, side = w / 2, h / 2, 0.8 * min(w, h)
    else:
        x0, y0, x1, y1 = box[0] * w, box[1] * h, box[2] * w, box[3] * h
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        side = max(x1 - x0, y1 - y0) * FACE_MARGIN
    side = float(np.clip(side, 16, min(w, h)))
    left = int(np.clip(cx - side / 2, 0, w - side) + 0.5)
    top = int(np.clip(cy - side / 2, 0, h - side) + 0.5)
    tile = Image.fromarray(frame[top:top + int(side), left:left + int(side)])
    return tile.resize((size, size), Image.Resampling.BILINEAR)


def _font(px: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def compose_strip(tiles: Sequence[Image.Image], labels: Sequence[str], *,
                  highlight: int | None = None, color: str = "#d62728") -> bytes:
    """Tiles side by side with a caption under each, as JPEG bytes; `highlight` gets a border."""
    gap, cap = 10, 40
    size = tiles[0].size[0]
    strip = Image.new("RGB", (len(tiles) * (size + gap) - gap, size + cap), "white")
    draw = ImageDraw.Draw(strip)
    font = _font(26)
    for i, (tile, label) in enumerate(zip(tiles, labels, strict=True)):
        x = i * (size + gap)
        strip.paste(tile, (x, 0))
        if i == highlight:
            draw.rectangle((x, 0, x + size - 1, size - 1), outline=color, width=4)
        draw.text((x + size / 2, size + cap / 2), label, fill="#222222", font=font, anchor="mm")
    buf = io.BytesIO()
    strip.save(buf, format="JPEG", quality=82, optimize=True)
    return buf.getvalue()
