"""Decoding real files written here: timestamps, rotation, variable frame rate, downscaling."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from mirror.media import iter_frames, model_size, probe_video


def marked_frame(h: int, w: int, i: int) -> np.ndarray:
    """A frame with a bright block in its top-left corner (to see orientation) and a counter."""
    f = np.full((h, w, 3), 40, np.uint8)
    f[: h // 4, : w // 4] = 230
    f[-8:, :] = (i * 7) % 255
    return f


def write(path: Path, frames: list[np.ndarray], pts_ms: list[int], rotation: int = 0) -> None:
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt = "yuv420p"
        s.time_base = Fraction(1, 1000)
        s.codec_context.time_base = Fraction(1, 1000)
        if rotation:
            s.set_display_rotation(rotation)
        for f, pts in zip(frames, pts_ms, strict=True):
            vf = av.VideoFrame.from_ndarray(f, format="rgb24")
            vf.pts = pts
            vf.time_base = Fraction(1, 1000)
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def test_variable_frame_rate_keeps_real_timestamps(tmp_path: Path):
    gaps = [33, 33, 50, 20, 100, 33, 41, 33, 66, 33] * 3
    pts = list(np.cumsum([0, *gaps]))
    frames = [marked_frame(120, 160, i) for i in range(len(pts))]
    f = tmp_path / "vfr.mkv"
    write(f, frames, [int(p) for p in pts])
    got = [t for t, _ in iter_frames(f)]
    assert len(got) == len(pts)
    assert np.allclose(got, np.array(pts) / 1000.0, atol=0.002)


def test_rotated_phone_video_comes_out_upright(tmp_path: Path):
    upright = [marked_frame(160, 120, i) for i in range(10)]  # portrait, block top-left
    stored = [np.ascontiguousarray(np.rot90(f, -1)) for f in upright]  # sensor landscape
    f = tmp_path / "phone.mp4"
    write(f, stored, [i * 33 for i in range(10)], rotation=90)
    info = probe_video(f)
    assert info.rotation in (90, 270)
    assert (info.width, info.height) == (120, 160)
    _, img = next(iter_frames(f, info=info))
    assert img.shape[:2] == (160, 120)
    assert img[:20, :15].mean() > 150 > img[-40:-10, -15:].mean()


def test_range_decoding_splits_without_loss_or_overlap(tmp_path: Path):
    frames = [marked_frame(96, 128, i) for i in range(90)]
    f = tmp_path / "clip.mp4"
    write(f, frames, [i * 33 for i in range(90)])
    whole = [t for t, _ in iter_frames(f)]
    halves = [t for t, _ in iter_frames(f, end_s=1.5)] + [t for t, _ in iter_frames(f, start_s=1.5)]
    assert halves == whole and len(whole) == 90


@pytest.mark.parametrize("w, h, expect", [(3840, 2160, (1280, 720)), (640, 480, (640, 480)),
                                          (1080, 1920, (720, 1280))])
def test_large_frames_are_scaled_for_the_model(w: int, h: int, expect: tuple[int, int]):
    assert model_size(w, h) == expect


def test_4k_frames_decode_scaled(tmp_path: Path):
    f = tmp_path / "big.mp4"
    write(f, [marked_frame(2160, 3840, i) for i in range(3)], [0, 33, 66])
    _, img = next(iter_frames(f))
    assert img.shape == (720, 1280, 3)
