"""The test-data generator: timing properties (pure), the truth document, a clip through the
real encoder and decoder, and the real face model reading a generated smile."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from mirror.synth.spec import (
    EXPRESSIONS,
    Blink,
    ClipSpec,
    Episode,
    Lighting,
    compute_blink_curve,
    compute_envelope,
    demo_spec,
    distractor_only_spec,
    random_spec,
)
from mirror.synth.truth import Truth, compute_truth, load_truth, save_truth
from mirror.synth.warp import border_anchors, build_mesh, compute_field, compute_inverse_map

STILL = Lighting(gain_drift=0.0, gamma_drift=0.0)


def test_envelope_rises_holds_and_falls():
    ep = Episode(expression="fear", onset_s=1.0, apex_s=1.2, apex_end_s=1.5, offset_s=1.8,
                 intensity=0.6)
    t = np.arange(0, 3, 1 / 300)
    env = compute_envelope(t, ep)
    assert np.all(env[t < ep.onset_s] == 0) and np.all(env[t >= ep.offset_s] == 0)
    hold = (t >= ep.apex_s) & (t <= ep.apex_end_s)
    assert np.allclose(env[hold], 0.6)
    rise = (t >= ep.onset_s) & (t < ep.apex_s)
    fall = (t > ep.apex_end_s) & (t < ep.offset_s)
    assert np.all(np.diff(env[rise]) >= 0) and np.all(np.diff(env[fall]) <= 0)
    assert env.max() <= 0.6 + 1e-12


def test_envelope_drift_stays_on_the_plateau():
    ep = Episode(expression="happiness", onset_s=0.0, apex_s=0.5, apex_end_s=4.0, offset_s=4.5,
                 drift=0.25)
    t = np.arange(0, 5, 1 / 30)
    env = compute_envelope(t, ep, seed=3)
    hold = env[(t >= 0.5) & (t <= 4.0)]
    assert hold.min() >= 0.5 and hold.max() <= 1.0 and np.ptp(hold) > 0.05


def test_four_frame_flash_is_visible_at_30_fps():
    ep = Episode(expression="contempt", onset_s=0.99, apex_s=1.04, apex_end_s=1.07,
                 offset_s=1.1233, side="left")
    t = np.arange(0, 2, 1 / 30)
    env = compute_envelope(t, ep)
    assert (env > 0).sum() == 4 and env.max() == 1.0
    assert ep.micro and ep.kind == "leak"


def test_blink_closes_fully_and_reopens():
    b = Blink(start_s=0.5, duration_s=0.2)
    t = np.arange(0, 1, 1 / 1000)
    c = compute_blink_curve(t, b)
    assert c.max() == pytest.approx(1.0, abs=1e-3)
    assert np.all(c[(t < 0.5) | (t >= 0.7)] == 0)
    assert t[np.argmax(c)] < 0.5 + 0.1  # closing is faster than opening


@pytest.mark.parametrize("seed", [1, 2, 3, 11, 12])
def test_random_specs_are_varied_and_apart(seed: int):
    spec = random_spec(seed, duration_s=30, n_episodes=8)
    eps = spec.episodes
    assert len(eps) == 8
    for a, b in itertools.pairwise(eps):
        assert b.onset_s - a.offset_s >= 1.0
    for e in eps:
        assert e.onset_s <= e.apex_s <= e.apex_end_s <= e.offset_s <= spec.duration_s
        assert 0.13 - 1e-9 <= e.duration_s <= 6.0 + 1e-9
        assert e.kind == ("leak" if e.duration_s < 1.0 else "held")
    assert spec.blinks and spec.talking


def test_random_specs_cover_the_variants():
    eps = [e for s in range(40) for e in random_spec(s, duration_s=30, n_episodes=8).episodes]
    assert len({e.expression for e in eps}) == 7
    t = np.arange(0, 30, 1 / 30)
    shown = [int((compute_envelope(t, e) > 0).sum()) for e in eps if e.micro]
    assert 4 in shown, "some 4-frame flashes"
    assert any(e.intensity <= 0.5 for e in eps if e.kind == "leak")
    held = [e for e in eps if e.kind == "held"]
    assert any(e.apex_s - e.onset_s < 0.3 for e in held) and any(
        e.apex_s - e.onset_s > 0.35 for e in held)
    assert any(e.drift > 0 for e in held) and any(e.drift == 0 for e in held)
    assert any(e.asymmetry > 0 for e in held)
    assert any(not e.with_eyes for e in held if e.expression == "happiness")


def test_distractor_only_and_demo_specs():
    calm = distractor_only_spec(5, duration_s=20)
    assert calm.episodes == () and calm.blinks and calm.talking and calm.head_motion > 0
    demo = demo_spec()
    assert 30 <= demo.duration_s <= 40
    kinds = {(e.expression, e.micro) for e in demo.episodes}
    assert ("contempt", True) in kinds or ("fear", True) in kinds
    assert {e.expression for e in demo.episodes} == set(EXPRESSIONS)
    t = np.arange(0, demo.duration_s, 1 / demo.fps)
    assert min(int((compute_envelope(t, e) > 0).sum()) for e in demo.episodes) == 6
    assert any(e.expression == "happiness" and e.kind == "held" and not e.with_eyes
               for e in demo.episodes)


def test_truth_round_trip(tmp_path: Path):
    spec = random_spec(7, duration_s=20, n_episodes=4)
    truth = compute_truth(spec, n_frames=600)
    save_truth(tmp_path / "t.json", truth)
    back = load_truth(tmp_path / "t.json")
    assert back == truth
    doc = (tmp_path / "t.json").read_text()
    assert '"schema": "mirror.truth/1"' in doc
    ep = back.episodes[0]
    src = spec.episodes[0]
    assert ep.start_s == src.onset_s and ep.end_s == src.offset_s
    assert ep.apex_s == pytest.approx((src.apex_s + src.apex_end_s) / 2, abs=1e-4)
    assert {d.kind for d in back.distractors} >= {"blink", "talking", "head_motion"}


def test_fields_are_linear_and_the_inverse_undoes_them():
    rng = np.random.default_rng(0)
    w, h = 64, 48
    pts = np.concatenate([rng.uniform(8, 40, (30, 2)), border_anchors(w, h)])
    mesh = build_mesh(pts, width=w, height=h)
    d1, d2 = rng.normal(0, 1, pts.shape), rng.normal(0, 1, pts.shape)
    d1[30:] = d2[30:] = 0
    f = compute_field(mesh, 0.5 * d1 + 2 * d2)
    assert np.allclose(f, 0.5 * compute_field(mesh, d1) + 2 * compute_field(mesh, d2), atol=1e-4)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grid = np.stack([xx, yy], axis=2)
    smooth = np.stack([1.5 * np.sin(xx / 9), np.cos(yy / 7)], axis=2).astype(np.float32)
    src = compute_inverse_map(smooth, grid, iterations=4)
    fwd = src + np.stack([1.5 * np.sin(src[..., 0] / 9), np.cos(src[..., 1] / 7)], axis=2)
    assert np.abs(fwd - grid)[5:-5, 5:-5].max() < 0.05


@pytest.fixture(scope="module")
def rig():
    from mirror.synth.render import rig_for

    return rig_for()


def test_clip_through_the_encoder_and_decoder(tmp_path: Path, rig):
    import av

    from mirror.synth.render import render_clip

    rate = 16000
    audio = (0.1 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)).astype(np.float32)
    spec = ClipSpec(duration_s=1.0, seed=3, blinks=(Blink(start_s=0.3, duration_s=0.2),),
                    talking=((0.1, 0.9),), episodes=(Episode(
                        expression="surprise", onset_s=0.2, apex_s=0.3, apex_end_s=0.5,
                        offset_s=0.6),), audio=audio, audio_rate=rate)
    truth = render_clip(spec, tmp_path / "c.mp4", rig=rig)
    assert isinstance(truth, Truth) and truth.n_frames == 30
    with av.open(str(tmp_path / "c.mp4")) as c:
        vs = c.streams.video[0]
        assert float(vs.average_rate) == pytest.approx(30.0)
        frames = list(c.decode(video=0))
    assert len(frames) == 30
    assert (frames[0].width, frames[0].height) == (640, 480)
    pts = [f.time for f in frames]
    assert np.allclose(np.diff(pts), 1 / 30, atol=1e-3) and pts[0] == pytest.approx(0.0)
    with av.open(str(tmp_path / "c.mp4")) as c:
        assert c.streams.audio and c.streams.audio[0].sample_rate == rate
        samples = sum(f.samples for f in c.decode(audio=0))
    assert abs(samples - rate) < 2048


def test_the_face_model_sees_the_smile(rig):
    from mirror.face.model import resolve_model_path
    from mirror.synth.mp_runner import create_landmarker, read_face
    from mirror.synth.render import Renderer

    ep = Episode(expression="happiness", onset_s=0.0, apex_s=0.1, apex_end_s=0.5, offset_s=0.6)
    r = Renderer(rig, ClipSpec(duration_s=0.6, episodes=(ep,), head_motion=0.0, noise=0.0,
                               lighting=STILL))
    lmk = create_landmarker(resolve_model_path(), video=False)
    try:
        neutral = read_face(lmk, rig.base.image)
        apex = read_face(lmk, r.frame(9))
    finally:
        lmk.close()
    assert neutral is not None and apex is not None
    smile = [apex.blendshapes[k] - neutral.blendshapes[k]
             for k in ("mouthSmileLeft", "mouthSmileRight")]
    assert min(smile) > 0.3, smile
    assert neutral.blendshapes["mouthSmileLeft"] < 0.3


def test_emotion_weights_sides_and_asymmetry():
    from mirror.synth.aus import compute_emotion_weights

    assert compute_emotion_weights("contempt", side="left") == {"AU12L": 0.8, "AU14L": 1.0}
    smile = compute_emotion_weights("happiness", side="right", asymmetry=0.5, with_eyes=False)
    assert smile == {"AU12L": 0.5, "AU12R": 1.0}
    wow = compute_emotion_weights("surprise", side="left", asymmetry=0.4)
    assert wow["AU1@L"] == 1.0 and wow["AU1@R"] == pytest.approx(0.6)
    assert wow["AU26"] == 1.0  # the jaw is never split
    assert "AU6" in compute_emotion_weights("happiness")


def test_another_face_is_framed_like_the_base_and_takes_expressions(rig):
    import cv2

    from mirror.face.model import resolve_model_path
    from mirror.synth.face import FACE_SPAN, FRAME_H, base_face_from_image
    from mirror.synth.mp_runner import create_landmarker, read_face
    from mirror.synth.render import Renderer, build_rig

    # the base face small and off-centre in a bigger picture: framed back to the base's size
    small = cv2.resize(rig.base.image, (480, 360), interpolation=cv2.INTER_AREA)
    photo = np.zeros((480, 600, 3), np.uint8)
    photo[100:460, 110:590] = small
    other = base_face_from_image(photo, resolve_model_path())
    assert other.image.shape == (480, 640, 3)
    span = float(np.ptp(other.landmarks[:, 1]))
    assert abs(span / FRAME_H - FACE_SPAN) < 0.03
    ep = Episode(expression="happiness", onset_s=0.0, apex_s=0.1, apex_end_s=0.5, offset_s=0.6)
    r = Renderer(build_rig(other), ClipSpec(duration_s=0.6, episodes=(ep,), head_motion=0.0,
                                            noise=0.0, lighting=STILL))
    lmk = create_landmarker(resolve_model_path(), video=False)
    try:
        apex = read_face(lmk, r.frame(9))
    finally:
        lmk.close()
    assert apex is not None
    assert min(apex.blendshapes[k] - other.blendshapes[k]
               for k in ("mouthSmileLeft", "mouthSmileRight")) > 0.3
    with pytest.raises(ValueError, match="no face"):
        base_face_from_image(np.zeros((480, 640, 3), np.uint8), resolve_model_path())
