"""The pixels' flow in the nose-wing region (`mirror.face.flow`): the flash measure on synthetic
arrays, the flow read from real images with a known displacement, and a brief nose wrinkle that
the landmark model misses found through it on a foreign clip."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mirror.face.flow import (
    CROP_PX,
    EYES_AT,
    FLOW_NAMES,
    IOD_PX,
    NoseFlow,
    align_matrix,
    flash,
    nose_rise,
)

FOREIGN = Path(__file__).resolve().parents[2] / "shared" / "data" / "foreign"


def test_a_flash_reads_its_height_and_a_held_display_or_a_drift_reads_nothing() -> None:
    lag, n = 9, 120
    height = np.zeros(n)
    height[40:45] = 0.04  # a flash of 5 frames (0.17 s at 30 fps), shorter than the lag
    height[70:110] = 0.04  # a display held 40 frames
    height += np.linspace(0.0, 0.05, n)  # the head or the light drifting
    rise = np.full(n, np.nan)
    rise[lag:] = height[lag:] - height[:-lag]  # what the flow reads over its lag
    f = flash(rise, lag)
    assert np.nanmin(f[40:45]) > 0.035  # the flash, at its height over its whole length
    assert np.nanmax(np.abs(f[80:100])) < 0.005  # the plateau of the held display: nothing
    assert np.nanmax(f[15:35]) < 0.005  # the drift alone: nothing
    assert np.isnan(f[:lag]).all() and np.isnan(f[-lag:]).all()  # not readable at the ends


def _texture(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0, 255, (CROP_PX * 2, CROP_PX * 2)).astype(np.float32)
    return cv2.GaussianBlur(noise, (0, 0), 2.0)


def _points(dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """FLOW_LANDMARKS on a frame laid out as the aligned crop, moved by (dx, dy) pixels."""
    cx, cy = EYES_AT[0] * CROP_PX, EYES_AT[1] * CROP_PX
    h, c, w, down = IOD_PX / 2, 0.2 * IOD_PX, 0.25 * IOD_PX, 0.8 * IOD_PX
    pts = np.array([[cx - h - c, cy], [cx - h + c, cy], [cx + h - c, cy], [cx + h + c, cy],
                    [cx - w, cy + down], [cx + w, cy + down]])
    return pts + np.array([dx, dy])


def _frame(texture: np.ndarray, *, lift_px: float = 0.0, dx: float = 0.0) -> np.ndarray:
    """An RGB frame of `texture` moved by dx, whose nose (a smooth region around the wings,
    `_points`) is lifted by `lift_px`."""
    ys, xs = np.mgrid[0:texture.shape[0], 0:texture.shape[1]].astype(np.float32)
    nose_x, nose_y = EYES_AT[0] * CROP_PX + dx, (EYES_AT[1] + 0.8 * IOD_PX / CROP_PX) * CROP_PX
    # lifted in full over both wings' patches, fading out within half an eye distance around
    bump = np.clip(2.0 - np.hypot((xs - nose_x) / (0.5 * IOD_PX), (ys - nose_y) / (0.3 * IOD_PX)),
                   0.0, 1.0)
    gray = cv2.remap(texture, xs - dx, ys + lift_px * bump, cv2.INTER_LINEAR)
    return np.repeat(gray.clip(0, 255).astype(np.uint8)[:, :, None], 3, axis=2)


def test_the_nose_wings_rise_is_read_in_inter_ocular_distances() -> None:
    tex = _texture(1)
    pts = _points()
    m = align_matrix(pts)
    assert np.allclose(m, [[1, 0, 0], [0, 1, 0]], atol=1e-9)  # this layout is the crop itself
    gray = cv2.cvtColor(_frame(tex), cv2.COLOR_RGB2GRAY)[:CROP_PX, :CROP_PX]
    for lift in (0.8, 1.6):
        lifted = cv2.cvtColor(_frame(tex, lift_px=lift), cv2.COLOR_RGB2GRAY)[:CROP_PX, :CROP_PX]
        assert nose_rise(gray, lifted, pts) == pytest.approx(lift / IOD_PX, rel=0.25)
    moved = cv2.cvtColor(_frame(tex, dx=1.5), cv2.COLOR_RGB2GRAY)[:CROP_PX, :CROP_PX]
    assert abs(nose_rise(gray, moved, pts)) < 0.1 / IOD_PX  # the whole face moving is no rise


def test_streaming_flow_reads_a_flash_through_a_moving_head() -> None:
    tex = _texture(2)
    flow = NoseFlow(fps=30.0)
    rows = []
    for k in range(40):
        dx = 0.2 * k  # the head drifts sideways, and the alignment follows its landmarks
        lift = 1.6 if 20 <= k < 24 else 0.0
        rows.append(flow.push(_frame(tex, lift_px=lift, dx=dx), _points(dx=dx)))
        assert rows[-1].shape == (len(FLOW_NAMES),)
    rows.append(flow.push(_frame(tex), None))  # the face lost: nothing read
    rise = np.array(rows)[:, 0]
    assert np.isnan(rise[:flow.lag]).all() and np.isnan(rise[-1])
    f = flash(rise, flow.lag)
    assert np.nanmin(f[20:24]) > 0.6 * 1.6 / IOD_PX
    assert np.nanmax(f[flow.lag:18]) < 0.2 * 1.6 / IOD_PX  # (below its later neighbours: < 0)


@pytest.mark.skipif(not (FOREIGN / "emotions").is_dir(),
                    reason="the foreign development set (../shared/data/foreign) is not here")
def test_a_nose_wrinkle_too_brief_for_the_landmarks_is_found_in_the_pixels(tmp_path: Path) -> None:
    """A 0.15 s disgust flash in a pause (an independent generator's clip): its nose wings rise
    0.055 inter-ocular distances in the pixels, while the landmark model's nose wings stay within
    their neutral spread. Found as disgust, micro, with its own timing."""
    import json

    from mirror.pipeline import analyse_video

    clip = FOREIGN / "emotions" / "clip07"
    truth = next(e for e in json.loads((clip / "truth.json").read_text())["events"]
                 if e["expression"] == "disgust" and e["category"] == "micro")
    doc = analyse_video(clip / "clip.mp4", tmp_path / "a").to_json()
    found = [e for e in doc["events"]
             if min(e["end_s"], truth["end_s"]) - max(e["start_s"], truth["start_s"]) > 0]
    assert [e["expression"] for e in found] == ["disgust"], found
    e = found[0]
    inter = min(e["end_s"], truth["end_s"]) - max(e["start_s"], truth["start_s"])
    union = max(e["end_s"], truth["end_s"]) - min(e["start_s"], truth["start_s"])
    assert inter / union >= 0.5 and e["micro"], (e, truth)


def test_tracks_keep_their_flow_and_older_tracks_load_without_it(tmp_path: Path) -> None:
    from dataclasses import replace

    from mirror.tracks import FaceTracks, load_tracks, save_tracks

    n = 5
    base = FaceTracks(t=np.arange(n) / 30, found=np.ones(n, bool), n_faces=np.ones(n, np.uint8),
                      blendshapes=np.zeros((n, 52), np.float32), pose=np.zeros((n, 6), np.float32),
                      bbox=np.zeros((n, 4), np.float32), landmarks=np.zeros((n, 1, 3), np.float32),
                      landmark_ids=np.array([1], np.int16), geometry=np.zeros((n, 1), np.float32),
                      geometry_names=("g",))
    flow = np.array([[np.nan], [0.01], [0.02], [0.0], [-0.01]], np.float32)
    save_tracks(tmp_path / "a.npz", replace(base, flow=flow))
    save_tracks(tmp_path / "b.npz", base)
    back = load_tracks(tmp_path / "a.npz")
    assert back.flow is not None and np.array_equal(back.flow, flow, equal_nan=True)
    assert np.array_equal(back.flow_of("nose_rise"), flow[:, 0], equal_nan=True)
    old = load_tracks(tmp_path / "b.npz")
    assert old.flow is None and old.flow_of("nose_rise") is None
    # analysed as before, and the analysis says what it could not read
    from mirror.pipeline import track_warnings

    assert any("older mirror" in w and "--reuse" in w for w in track_warnings(old))
    assert not any("older mirror" in w for w in track_warnings(back))


def test_a_generated_nose_wrinkle_flash_stands_out_in_the_flow(clip_cache: Path) -> None:
    """Our generator's face (decoded, the real face model, the workers' flow): a 0.2 s nose
    wrinkle at half intensity over a moving head stands above everything else in the clip."""
    from mirror.face.flow import lag_frames
    from mirror.face.landmarker import LandmarkerOptions, extract_tracks
    from mirror.face.model import resolve_model_path
    from mirror.signal import robust_spread
    from mirror.synth.render import render_clip
    from mirror.synth.spec import ClipSpec, Episode

    video = clip_cache / "flow-flash.mp4"
    if not video.is_file():
        render_clip(ClipSpec(duration_s=6.0, seed=7, head_motion=0.6, episodes=(
            Episode(expression="disgust", onset_s=3.0, apex_s=3.08, apex_end_s=3.12,
                    offset_s=3.2, intensity=0.5),)), video)
    tracks = extract_tracks(video, LandmarkerOptions(model_path=str(resolve_model_path()),
                                                     workers=1))
    rise = tracks.flow_of("nose_rise")
    assert rise is not None
    f = flash(rise.astype(np.float64), lag_frames(tracks.fps))
    spread = float(robust_spread(f))
    at = (tracks.t >= 3.0) & (tracks.t <= 3.2)
    elsewhere = (tracks.t < 2.7) | (tracks.t > 3.5)
    assert np.nanmax(f[at]) > 6 * spread, (np.nanmax(f[at]), spread)
    assert np.nanmax(f[at]) > 2 * np.nanmax(f[elsewhere]), (np.nanmax(f[at]), np.nanmax(f[elsewhere]))
