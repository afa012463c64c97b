"""Check the synthetic expressions as MediaPipe sees them.

Renders each emotion at full and at 0.4 intensity, and each distractor, runs the real
FaceLandmarker (VIDEO mode) over the frames, and prints the blendshape deltas from neutral at the
apex (top 8) and a few landmark geometry deltas (in units of the inter-ocular distance).
`--cues` does the same for the cue episodes (through libx264): the iris shift within the eyes
(eye widths), head pose, geometry and blendshapes; `--cue-sheet PATH` writes a contact sheet.
`--variants` renders each major variant of each emotion (aus.EMOTION_VARIANTS) at full intensity.

    .venv/bin/python benchmarks/synth_check.py [--encode] [--only happiness,fear]
    .venv/bin/python benchmarks/synth_check.py --cues [--only gaze_left,nod] [--cue-sheet s.png]
    .venv/bin/python benchmarks/synth_check.py --variants [--encode] [--only surprise,fear]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from mirror.face.model import resolve_model_path
from mirror.media.encode import encode_video
from mirror.synth import landmarks as L
from mirror.synth.mp_runner import create_landmarker, read_face
from mirror.synth.render import Renderer, rig_for
from mirror.synth.spec import (
    ALL_VARIANTS,
    EXPRESSIONS,
    Blink,
    BrowFlash,
    ClipSpec,
    CueEpisode,
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


def _cue_specs() -> dict[str, tuple[ClipSpec, tuple[float, float]]]:
    """name -> (a 2 s clip with one cue starting at 0.6 s, the window to average)."""
    base = {"duration_s": 2.0, "head_motion": 0.0, "noise": 2.0, "lighting": STILL}

    def one(cue: str, level: float = 1.0, **kw: object) -> ClipSpec:
        return ClipSpec(cues=(CueEpisode(cue=cue, onset_s=0.6, apex_s=0.8, apex_end_s=1.6,
                                         offset_s=1.8, intensity=level, **kw),),  # type: ignore
                        **base)  # type: ignore[arg-type]

    out: dict[str, tuple[ClipSpec, tuple[float, float]]] = {}
    for d in ("left", "right", "down", "up"):
        for level in (1.0, 0.6):
            out[f"gaze_{d}@{level}"] = (one("gaze_aversion", level, direction=d), (0.85, 1.6))
    out["gaze_left+head"] = (one("gaze_aversion", direction="left", head=1.0), (0.95, 1.6))
    out["gaze_down+head"] = (one("gaze_aversion", direction="down", head=1.0), (0.95, 1.6))
    for d in ("left", "right"):
        out[f"head_tilt_{d}"] = (one("head_tilt", direction=d), (0.9, 1.6))
    for level in (1.0, 0.6):
        out[f"lip_press@{level}"] = (one("lip_press", level), (0.85, 1.6))
        out[f"tension@{level}"] = (one("tension", level), (0.85, 1.6))
    nod = CueEpisode(cue="nod", onset_s=0.6, apex_s=0.8, apex_end_s=0.8, offset_s=1.0)
    out["nod"] = (ClipSpec(cues=(nod,), **base), (0.75, 0.85))  # type: ignore[arg-type]
    flash = CueEpisode(cue="brow_flash", onset_s=0.6, apex_s=0.75, apex_end_s=0.85,
                       offset_s=1.0)
    out["brow_flash"] = (ClipSpec(cues=(flash,), **base), (0.75, 0.85))  # type: ignore[arg-type]
    neg = Episode(expression="anger", onset_s=0.6, apex_s=0.75, apex_end_s=1.0, offset_s=1.2)
    smile = Episode(expression="happiness", onset_s=1.1, apex_s=1.3, apex_end_s=2.2,
                    offset_s=2.5)
    mask = CueEpisode(cue="masking", onset_s=0.6, apex_s=0.75, apex_end_s=1.0, offset_s=2.5,
                      masked=neg, mask=smile)
    spec = ClipSpec(cues=(mask,), **{**base, "duration_s": 2.8})  # type: ignore[arg-type]
    out["masking:anger"] = (spec, (0.75, 1.0))
    out["masking:smile"] = (spec, (1.4, 2.2))
    return out


def _iris_offset(lm: np.ndarray) -> np.ndarray:
    """(n, 2) iris centre against the middle of its eye's corners, along the corner line (to the
    person's left) and across it (down), in eye widths; mean of both eyes. lm: (n, 478, >=2)
    in pixels."""
    out = []
    for a, b, c in ((33, 133, 468), (362, 263, 473)):
        ax = lm[:, b, :2] - lm[:, a, :2]
        w = np.linalg.norm(ax, axis=1)
        ex = ax / w[:, None]
        ey = np.stack([-ex[:, 1], ex[:, 0]], axis=1)
        rel = lm[:, c, :2] - (lm[:, a, :2] + lm[:, b, :2]) / 2
        out.append(np.stack([(rel * ex).sum(1) / w, (rel * ey).sum(1) / w], axis=1))
    return np.mean(out, axis=0)


def check_cues(rig: object, model: Path, only: set[str], sheet: str) -> None:
    """Each cue through libx264 and the real model (VIDEO mode, with transformation matrices)."""
    import mediapipe as mp

    from mirror.face.features import GEOMETRY_NAMES, compute_pose
    from mirror.face.features import compute_geometry as face_geometry
    from mirror.face.landmarker import LandmarkerOptions
    from mirror.face.landmarker import create_landmarker as create_face_landmarker

    tiles = []
    for name, (spec, (a, b)) in _cue_specs().items():
        if only and name not in only:
            continue
        r = Renderer(rig, spec)  # type: ignore[arg-type]
        frames = [r.frame(i) for i in range(len(r.times))]
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "c.mp4"
            encode_video(frames, p, fps=spec.fps, size=spec.size, crf=spec.crf)
            frames = decode(p)
        lmk = create_face_landmarker(LandmarkerOptions(model_path=str(model)), video=True)
        lms, bss, mats, names = [], [], [], []
        for i, f in enumerate(frames):
            res = lmk.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=f),
                                       round(i * 1000 / spec.fps))
            lms.append([(q.x, q.y, q.z) for q in res.face_landmarks[0]])
            names = [c.category_name for c in res.face_blendshapes[0]]
            bss.append([c.score for c in res.face_blendshapes[0]])
            mats.append(np.asarray(res.facial_transformation_matrixes[0]))
        lmk.close()
        lm = np.array(lms)
        h, w = frames[0].shape[:2]
        geo = face_geometry(lm, aspect=h / w, width_px=w)
        pose = compute_pose(np.array(mats))
        t = r.times
        base, top = t < 0.45, (t >= a) & (t <= b)

        def d(x: np.ndarray, top: np.ndarray = top, base: np.ndarray = base) -> np.ndarray:
            return np.mean(x[top], axis=0) - np.mean(x[base], axis=0)

        io = d(_iris_offset(lm * [w, h, w]))
        pd = d(pose[:, :3])
        gd = d(geo)
        bd = d(np.array(bss))
        order = np.argsort(-np.abs(bd))[:6]
        gorder = np.argsort(-np.abs(gd[:-1]))[:5]
        print(f"{name:16s} iris {io[0]:+.3f} {io[1]:+.3f} ew | yaw {pd[0]:+.1f} pitch "
              f"{pd[1]:+.1f} roll {pd[2]:+.1f} deg\n{'':16s} "
              + "  ".join(f"{names[k]}{bd[k]:+.2f}" for k in order) + "\n" + " " * 17
              + "geo: " + "  ".join(f"{GEOMETRY_NAMES[k]}{gd[k]:+.3f}" for k in gorder))
        sys.stdout.flush()
        if sheet:
            import cv2

            k = int(np.flatnonzero(top)[len(np.flatnonzero(top)) // 2])
            tile = frames[k][40:440, 150:490].copy()
            cv2.putText(tile, name, (6, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 0), 2)
            tiles.append(tile)
    if sheet and tiles:
        import cv2

        while len(tiles) % 6:
            tiles.append(np.zeros_like(tiles[0]))
        rows = [np.concatenate(tiles[k:k + 6], axis=1) for k in range(0, len(tiles), 6)]
        cv2.imwrite(sheet, np.concatenate(rows, axis=0)[..., ::-1])
        print(f"contact sheet: {sheet}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encode", action="store_true", help="go through libx264 and back")
    ap.add_argument("--only", default="", help="comma-separated names")
    ap.add_argument("--levels", default="1.0,0.4")
    ap.add_argument("--clips", default="", help="comma-separated seeds of random clips to check, or demo")
    ap.add_argument("--cues", action="store_true", help="check the cue episodes instead")
    ap.add_argument("--cue-sheet", default="", help="with --cues: write a contact sheet PNG")
    ap.add_argument("--variants", action="store_true",
                    help="each variant of each emotion at full intensity (--only: emotions)")
    args = ap.parse_args()
    model = resolve_model_path()
    rig = rig_for(model)
    if args.cues:
        check_cues(rig, model, set(filter(None, args.only.split(","))), args.cue_sheet)
        return
    if args.clips:
        from mirror.synth.spec import demo_spec, random_spec

        for name in args.clips.split(","):
            spec = demo_spec() if name == "demo" else random_spec(int(name), duration_s=30.0,
                                                                  n_episodes=8)
            check_clip(spec, rig, model)
        return
    only = set(filter(None, args.only.split(",")))
    base = {"duration_s": 1.6, "head_motion": 0.0, "noise": 0.0, "lighting": STILL}
    if args.variants:
        for expr, variant in ALL_VARIANTS:
            if not only or expr in only:
                ep = Episode(expression=expr, variant=variant, onset_s=0.5, apex_s=0.75,
                             apex_end_s=1.35, offset_s=1.55, side="right")
                check(f"{expr[:4]} {variant}", ClipSpec(episodes=(ep,), **base), rig,
                      (0.85, 1.3), model, args.encode)
        return
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
