"""The media layer: every use of PyAV (FFmpeg) in mirror, apart from the recorder's writers.

- here: probing a video and decoding its frames with their real presentation timestamps, rotated
  upright as the container says (phone videos) and downscaled for the face model when large (4K).
  Times are float seconds from the first frame.
- `mirror.media.stills`: single frames at chosen times (the report's filmstrips).
- `mirror.media.audio`: the audio track of a video or an audio file, decoded to mono float32.
- `mirror.media.repair`: an interrupted recording's fragmented MP4 cut back to whole packets.
- `mirror.media.encode`: H.264/AAC files from frames and samples (generated clips).

The recorder's incremental writers stay with the recorder (`mirror.capture.writers`): they write
what a camera and a microphone deliver, while they deliver it.
"""

from __future__ import annotations

import math
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from mirror.errors import InputError, shown_path
from mirror.face.options import MAX_MODEL_SIDE

# x264's output depends on its thread count, which defaults to the machine's CPU count: the same
# frames encoded on a 2-core and a 4-core machine decode to different pixels (and so to different
# model numbers, an onset some frames apart). Every encoder mirror runs uses this fixed count.
ENCODER_THREADS = "2"


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int  # upright, as shown
    height: int
    rotation: int  # degrees the decoded frame is turned to be upright
    fps: float  # average rate, for reporting; real timestamps are used everywhere
    duration_s: float
    start_s: float  # presentation time of the first frame in the container
    n_frames_hint: int
    has_audio: bool
    codec: str


MIN_FRAMES = 10  # fewer frames give no neutral face to measure expressions against
STILL_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe",
                 "heif", "jpegxl_pipe", "qoi_pipe")


def _fail(path: str | Path, what: str) -> InputError:
    return InputError(f"{shown_path(path)}: {what}")


def probe_video(path: str | Path) -> VideoInfo:
    """Open `path` and describe its video stream; InputError with one line if it has none."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except OSError as exc:  # a path too long, a loop of links, no permission on a folder
        raise _fail(path, f"cannot be opened ({exc.strerror}); move it to a shorter, readable "
                    "path") from None
    if stat.S_ISDIR(st.st_mode):
        raise _fail(path, "is a folder, not a video file")
    if st.st_size == 0:
        raise _fail(path, "the file is empty; record again or choose another file")
    try:
        with av.open(str(p)) as c:
            if not c.streams.video:
                kind = "audio only" if c.streams.audio else "no video stream"
                raise _fail(path, f"{kind}: give a video of your face (mp4, mov, mkv, webm, avi)")
            s = c.streams.video[0]
            first = first_frame(c, s)
            if first is None:
                raise _fail(path, "no decodable video frame (truncated or corrupt file?)")
            rot = frame_rotation(first)
            w, h = first.width, first.height
            if rot in (90, 270):
                w, h = h, w
            fps = float(s.average_rate or s.guessed_rate or 0) or 30.0
            start = float(first.time or 0.0)
            dur = _duration(c, s, start)
            n_hint = int(s.frames or round(dur * fps))
            return VideoInfo(str(p), w, h, rot, fps, dur, start, n_hint, bool(c.streams.audio),
                             s.codec_context.name)
    except InputError:
        raise
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(path, f"cannot be read as a video ({type(exc).__name__}): "
                    "is it a complete mp4/mov/mkv/webm/avi file?") from None


def probe_for_analysis(path: str | Path) -> VideoInfo:
    """probe_video, and refuse what cannot be analysed: a still image, or a video of fewer than
    MIN_FRAMES frames (there is no neutral face to measure expressions against)."""
    info = probe_video(path)
    still, n = False, 0
    try:
        with av.open(str(path)) as c:
            still = c.format.name in STILL_FORMATS
            for packet in c.demux(c.streams.video[0]):
                n += packet.size > 0
                if n >= MIN_FRAMES:
                    break
    except (av.FFmpegError, OSError):
        pass  # a damaged tail: what was counted stands
    if still or n < 2:
        kind = f"a still image ({info.codec})" if still else "a single frame"
        raise _fail(path, f"{kind}, not a video: give a recording of your face (a few seconds "
                    "or more)")
    if n < MIN_FRAMES:
        raise _fail(path, f"only {n} frames: too short to analyse; record at least a few seconds")
    return info


def first_frame(c: av.container.InputContainer, s: av.video.stream.VideoStream):  # type: ignore[no-untyped-def]
    """The first decodable frame of `s`, or None."""
    try:
        for frame in c.decode(s):
            return frame
    except av.FFmpegError:
        return None
    return None


def _duration(c: av.container.InputContainer, s: av.video.stream.VideoStream, start: float) -> float:
    if s.duration is not None and s.time_base is not None:
        return float(s.duration * s.time_base)
    if c.duration is not None:
        return float(c.duration / av.time_base)
    return 0.0


def model_size(width: int, height: int, max_side: int = MAX_MODEL_SIDE) -> tuple[int, int]:
    """Frame size given to the model: the same aspect, longer side at most `max_side`, even."""
    scale = min(1.0, max_side / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def frame_rotation(frame: av.VideoFrame) -> int:
    """Degrees (0, 90, 180, 270) a decoded frame is turned to be shown upright."""
    return round(getattr(frame, "rotation", 0) or 0) % 360


def upright(img: np.ndarray, rotation: int) -> np.ndarray:
    """(h, w, 3) decoded pixels turned by `rotation` degrees to be shown upright."""
    # PyAV's rotation is the counter-clockwise angle to display the frame upright.
    k = {90: 1, 180: 2, 270: 3}.get(rotation, 0)
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def iter_frames(
    path: str | Path,
    *,
    start_s: float = 0.0,
    end_s: float = math.inf,
    max_side: int = MAX_MODEL_SIDE,
    info: VideoInfo | None = None,
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (t, rgb uint8 (h, w, 3)) for frames with start_s <= t < end_s, upright and scaled.

    t is the frame's presentation time minus the first frame's, in seconds. Decoding seeks to
    the keyframe before `start_s`, so two workers can share a file by time ranges. A corrupt
    tail ends the iteration quietly (what was decodable is kept).
    """
    info = info or probe_video(path)
    rotated = info.rotation in (90, 270)
    disp_w, disp_h = model_size(info.width, info.height, max_side)
    dec_w, dec_h = (disp_h, disp_w) if rotated else (disp_w, disp_h)
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        if start_s > 0 and s.time_base is not None:
            try:
                c.seek(int((start_s + info.start_s - 1.0) / s.time_base), stream=s, backward=True)
            except av.FFmpegError:
                c.seek(0)
        last_t = -math.inf
        try:
            for frame in c.decode(s):
                if frame.time is None:
                    continue
                t = float(frame.time) - info.start_s
                if t <= last_t:  # duplicated or out-of-order timestamps: keep time monotonic
                    continue
                if t < start_s:
                    continue
                if t >= end_s:
                    break
                last_t = t
                img = frame.to_ndarray(format="rgb24", width=dec_w, height=dec_h)
                yield t, upright(img, info.rotation)
        except av.FFmpegError:
            return


def has_audio(path: str | Path) -> bool:
    try:
        with av.open(str(path)) as c:
            return bool(c.streams.audio)
    except (av.FFmpegError, OSError):
        return False


def library_versions() -> dict[str, str]:
    """PyAV's and FFmpeg's versions (recorded in a session's manifest)."""
    return {"av": av.__version__,
            "ffmpeg": ".".join(str(x) for x in av.library_versions.get("libavformat", ()))}
