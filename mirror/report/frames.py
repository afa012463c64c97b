"""Filmstrips: the user's own face cropped from frames at chosen moments (the frames come from
`mirror.media.stills.grab_frames`, one decoding pass for a whole report)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mirror.tracks import FaceTracks

TILE = 360  # pixels of one face tile: shown at 240 px in the report, at full size when opened
FACE_MARGIN = 1.45  # crop side = this x the larger side of the face box


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
