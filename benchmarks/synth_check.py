"""Check the synthetic expressions as MediaPipe sees them.

Renders each emotion at full and at 0.4 intensity, and each distractor, runs the real
FaceLandmarker (VIDEO mode) over the frames, and prints the blendshape deltas from neutral at the
apex (top 8) and a few landmark geometry deltas (in units of the inter-ocular distance).

    .venv/bin/python benchmarks/synth_check.py [--encode] [--only happiness,fear]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from mirror.face.model import resolve_model_path
from mirror.synth import landmarks as L
from mirror.synth.mp_runner import create_landmarker, read_face
from mirror.synth.render import Renderer, encode_video, rig_for
from mirror.synth.spec import (
    EXPRESSIONS,
    Blink,
    BrowFlash,
    ClipSpec,
    Episode,
    Lighting,
)

STILL = Lighting(gain_drift=0.0, gamma_drift=0.0)


def compute_geometry(lm: np.ndarray) -> dict[str, float]:
    """A few face measures (in IODs) from landmarks (478, >=2)."""
    p = lm[:, :2]
    fr = L.compute_face_frame(p)
    f = fr.to_face(p)

    def ap(up: tuple[int, ...], lo: tuple[int, ...]) -> float:
        return float(np.mean(f[list(lo[2:-2]), 1] - f[list(up[2:-2]), 1]))

    brow = float(-np.mean(f[list(L.RIGHT_BROW[:5] + L.LEFT_BROW[:5]), 1]))
    inner_brow = float(-np.mean(f[[107, 336, 55, 285], 1]))
    brow_gap = float(f[336, 0] - f[107, 0])
    mouth_mid_y = float(f[[13, 14], 1].mean())
    return {
        "eye_open": (ap(L.RIGHT_EYE_UPPER, L.RIGHT_EYE_LOWER)
                     + ap(L.LEFT_EYE_UPPER, L.LEFT_EYE_LOWER)) / 2,
        "brow_h": brow,
        "inner_brow_h": inner_brow,
        "brow_gap": brow_gap,
        "mouth_w": float(f[291, 0] - f[61, 0]),
        "corner_up_R": mouth_mid_y - float(f[61, 1]),
        "corner_up_L": mouth_mid_y - float(f[291, 1]),
        "lips_gap": float(f[14, 1] - f[13, 1]),
        "nose_wing_y": float(np.mean(f[[98, 327, 129, 358], 1])),
        "upper_lip_y": float(f[0, 1]),
    }


def run_model(frames: list[np.ndarray], fps: float, model: Path) -> tuple[np.ndarray, list[str],
                                                                         np.ndarray]:
    lmk = create_landmarker(model, video=True)
    names: list[str] = []
    bs, geo = [], []
    for i, fr in enumerate(frames):
        r = read_face(lmk, fr, round(i * 1000 / fps))
        if r is None:
            bs.append(None)
            geo.append(None)
            continue
        names = list(r.blendshapes)
        bs.append([r.blendshapes[n] for n in names])
        g = compute_geometry(r.landmarks)
        geo.append(list(g.values()))
    lmk.close()  # type: ignore[attr-defined]
    nb = len(names)
    b = np.array([x if x is not None else [np.nan] * nb for x in bs])
    gn = len(compute_geometry(np.zeros((478, 2)) + np.arange(478)[:, None]))
    g = np.array([x if x is not None else [np.nan] * gn for x in geo])
    return b, names, g


def decode(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def check(name: str, spec: ClipSpec, rig: object, apex: tuple[float, float], model: Path,
          encode: bool) -> dict[str, float]:
    r = Renderer(rig, spec)  # type: ignore[arg-type]
    frames = [r.frame(i) for i in range(len(r.times))]
    if encode:
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "c.mp4"
            encode_video(frames, p, fps=spec.fps, size=spec.size, crf=spec.crf)
            frames = decode(p)
    b, names, g = run_model(frames, spec.fps, model)
    t = r.times
    neutral = t < 0.45
    at = (t >= apex[0]) & (t <= apex[1])
    d = np.nanmean(b[at], axis=0) - np.nanmean(b[neutral], axis=0)
    gd = np.nanmean(g[at], axis=0) - np.nanmean(g[neutral], axis=0)
    order = np.argsort(-np.abs(d))[:8]
    top = "  ".join(f"{names[k]}{d[k]:+.2f}" for k in order)
    gnames = list(compute_geometry(np.zeros((478, 2)) + np.arange(478)[:, None]))
    geo = "  ".join(f"{n}{v:+.3f}" for n, v in zip(gnames, gd, strict=True) if abs(v) >= 0.01)
    missing = int(np.isnan(b[:, 0]).sum())
    print(f"{name:18s} {top}\n{'':18s} geo: {geo}" + (f"  [no face in {missing}]" if missing
                                                       else ""))
    sys.stdout.flush()
    return dict(zip(names, d.tolist(), strict=True))


SIGNALS: dict[str, tuple[str, ...]] = {
    "happiness": ("mouthSmileLeft", "mouthSmileRight"),
    "surprise": ("browOuterUpLeft", "browOuterUpRight", "jawOpen"),
    "fear": ("browInnerUp", "mouthFrownLeft", "mouthFrownRight"),
    "anger": ("browDownLeft", "browDownRight"),
    "disgust": ("mouthUpperUpLeft", "mouthUpperUpRight"),
    "sadness": ("mouthFrownLeft", "mouthFrownRight", "browInnerUp"),
    "contempt": ("mouthSmileRight", "mouthDimpleRight"),
}


def check_clip(spec: ClipSpec, rig: object, model: Path) -> None:
    """A clip with distractors through libx264: each episode's signal (mean of a few
    blendshapes minus the clip median) at its apex, against the same signal outside episodes."""
    from mirror.synth.render import render_clip

    seed = spec.seed
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "c.mp4"
        truth = render_clip(spec, p, rig=rig)  # type: ignore[arg-type]
        frames = decode(p)
    b, names, _ = run_model(frames, spec.fps, model)
    t = np.arange(len(frames)) / spec.fps
    d = b - np.nanmedian(b, axis=0)
    outside = np.ones(len(t), bool)
    for e in truth.episodes:
        outside &= (t < e.start_s - 0.2) | (t > e.end_s + 0.2)
    print(f"clip seed {seed}: {len(truth.episodes)} episodes, {len(truth.distractors)} "
          "distractors")
    for e in truth.episodes:
        cols = [names.index(k) for k in SIGNALS[e.expression]]
        if e.expression == "contempt" and e.side == "left":
            cols = [names.index("mouthSmileLeft"), names.index("mouthDimpleLeft")]
        sig = np.nanmean(d[:, cols], axis=1)
        inside = (t >= e.start_s) & (t <= e.end_s)
        peak = float(np.nanmax(sig[inside])) if inside.any() else float("nan")
        rest = float(np.nanpercentile(sig[outside], 99))
        print(f"  {e.expression:9s} {e.kind:4s}{' micro' if e.micro else '      '} "
              f"{e.end_s - e.start_s:4.2f} s  int {e.intensity:.2f}  peak {peak:+.2f}  "
              f"outside p99 {rest:+.2f}  {'OK' if peak > rest else 'WEAK'}")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encode", action="store_true", help="go through libx264 and back")
    ap.add_argument("--only", default="", help="comma-separated names")
    ap.add_argument("--levels", default="1.0,0.4")
    ap.add_argument("--clips", default="", help="comma-separated seeds of random clips to check, or demo")
    args = ap.parse_args()
    model = resolve_model_path()
    rig = rig_for(model)
    if args.clips:
        from mirror.synth.spec import demo_spec, random_spec

        for name in args.clips.split(","):
            spec = demo_spec() if name == "demo" else random_spec(int(name), duration_s=30.0,
                                                                  n_episodes=8)
            check_clip(spec, rig, model)
        return
    only = set(filter(None, args.only.split(",")))
    base = {"duration_s": 1.6, "head_motion": 0.0, "noise": 0.0, "lighting": STILL}
    for expr in EXPRESSIONS:
        if only and expr not in only:
            continue
        for level in [float(x) for x in args.levels.split(",")]:
            ep = Episode(expression=expr, onset_s=0.5, apex_s=0.75, apex_end_s=1.35,
                         offset_s=1.55, intensity=level, side="right")
            check(f"{expr}@{level}", ClipSpec(episodes=(ep,), **base), rig, (0.85, 1.3), model,
                  args.encode)
    extra = {
        "blink": (ClipSpec(blinks=(Blink(start_s=0.6, duration_s=0.25),), **base), (0.68, 0.72)),
        "brow_flash": (ClipSpec(brow_flashes=(BrowFlash(start_s=0.6, duration_s=0.6,
                                                        amount=0.8),), **base), (0.85, 0.95)),
        "talking": (ClipSpec(talking=((0.5, 1.6),), **base), (0.5, 1.6)),
    }
    for name, (spec, win) in extra.items():
        if only and name not in only:
            continue
        check(name, spec, rig, win, model, args.encode)


if __name__ == "__main__":
    main()
