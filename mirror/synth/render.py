"""Rendering a ClipSpec: warp the neutral face frame by frame and encode it with PyAV."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mirror.media.encode import encode_video
from mirror.synth import landmarks as L
from mirror.synth.aus import FREE_IRIS_UNITS, compute_au_displacements, split_sides
from mirror.synth.face import BaseFace, load_base_face
from mirror.synth.motion import (
    compute_cue_tracks,
    compute_expression_tracks,
    compute_lighting,
    compute_pose_tracks,
    compute_speech_tracks,
    frame_times,
)
from mirror.synth.paint import (
    EyeColours,
    compute_aperture_mask,
    compute_eye_colours,
    make_closed_eyes,
    paint_eyelids,
    paint_gaze,
    paint_mouth,
    paint_widened_eyes,
)
from mirror.synth.spec import ClipSpec
from mirror.synth.truth import Truth, compute_truth, save_truth
from mirror.synth.warp import (
    apply_map,
    border_anchors,
    build_mesh,
    compute_field,
    compute_inverse_map,
    identity_grid,
)


@dataclass(frozen=True)
class FieldPatch:
    """The part of a dense field (y1-y0, x1-x0, 2) that is not zero, and where it sits."""

    y0: int
    y1: int
    x0: int
    x1: int
    field: np.ndarray


def crop_field(field: np.ndarray, *, eps: float = 1e-3) -> FieldPatch:
    """Crop a dense field (H, W, 2) to the bounding box of its non-negligible values."""
    nz = np.abs(field).max(axis=2) > eps
    if not nz.any():
        return FieldPatch(y0=0, y1=1, x0=0, x1=1, field=np.zeros((1, 1, 2), np.float32))
    ys, xs = np.flatnonzero(nz.any(axis=1)), np.flatnonzero(nz.any(axis=0))
    y0, y1, x0, x1 = int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1
    return FieldPatch(y0=y0, y1=y1, x0=x0, x1=x1,
                      field=np.ascontiguousarray(field[y0:y1, x0:x1], dtype=np.float32))


@dataclass(frozen=True)
class Rig:
    """Everything precomputed for one face: the base, per-unit pixel displacements of the
    landmarks (478, 2) and their dense fields, the head mask at 1/8 resolution."""

    base: BaseFace
    closed_eyes: np.ndarray
    eye_colours: EyeColours
    vertex_disp: dict[str, np.ndarray]
    fields: dict[str, FieldPatch]
    head_mask_small: np.ndarray
    grid_small: np.ndarray
    centre: np.ndarray
    iod: float
    grid: np.ndarray


def build_rig(base: BaseFace) -> Rig:
    """Triangulate the neutral landmarks with frame anchors and precompute every unit's field."""
    h, w = base.image.shape[:2]
    pts = base.landmarks[:, :2]
    frame = L.compute_face_frame(pts)
    f = frame.to_face(pts)
    z = base.landmarks[:, 2] / frame.iod
    units = compute_au_displacements(f, z)
    units.update(split_sides(f, units))
    disp = {k: frame.vec_to_px(v) for k, v in units.items()}
    anchors = border_anchors(w, h)
    mesh = build_mesh(np.concatenate([pts, anchors]), width=w, height=h)
    pad = np.zeros((len(anchors), 2))
    fields = {k: compute_field(mesh, np.concatenate([d, pad])) for k, d in disp.items()}
    # The lid raise lifts the lid margin; the eye's contents must not stretch with it: the
    # uncovered strip is painted instead (paint_widened_eyes).
    aperture = compute_aperture_mask((h, w), pts)
    for k in ("AU5", "AU5@L", "AU5@R"):
        fields[k] = fields[k] * (1 - aperture)
    patches = {k: crop_field(v) for k, v in fields.items()}
    # A lowered or tightened lid squeezes the eye's contents in the image, but the eyeball does
    # not move: the iris landmarks stay (a gaze repaints the iris where it puts it).
    for k in FREE_IRIS_UNITS:
        disp[k] = disp[k].copy()
        disp[k][list(L.RIGHT_IRIS + L.LEFT_IRIS)] = 0.0
    centre = pts.mean(axis=0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    span = pts.max(axis=0) - pts.min(axis=0)
    r = np.sqrt(((xx - centre[0]) / (span[0] * 0.85)) ** 2
                + ((yy - centre[1] + span[1] * 0.1) / (span[1] * 0.85)) ** 2)
    mask = np.clip(1.6 - r, 0, 1).astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), 8)
    small = (w // 8, h // 8)
    grid = identity_grid(w, h)
    return Rig(base=base, closed_eyes=make_closed_eyes(base.image, pts),
               eye_colours=compute_eye_colours(base.image, pts), vertex_disp=disp,
               fields=patches, centre=centre, iod=frame.iod, grid=grid,
               head_mask_small=cv2.resize(mask, small, interpolation=cv2.INTER_AREA)[..., None],
               grid_small=cv2.resize(grid, small, interpolation=cv2.INTER_AREA))


def compute_pose_matrix(centre: np.ndarray, pose: dict[str, float]) -> np.ndarray:
    """Forward displacement (2, 3) of roll/scale/translation about `centre`: d(p) = A p + t."""
    th = 0.1 * pose["roll"]
    s = 1.0 + pose["scale"]
    c, sn = np.cos(th) * s, np.sin(th) * s
    a = np.array([[c - 1, -sn], [sn, c - 1]], dtype=np.float64)
    t = np.array([pose["tx"], pose["ty"]]) - a @ centre
    return np.concatenate([a, t[:, None]], axis=1)


def compute_pose_field(rig: Rig, m: np.ndarray) -> np.ndarray:
    """The masked dense field (H, W, 2) of a pose displacement `m` (2, 3); it is smooth, so it
    is computed at 1/8 resolution and scaled up."""
    h, w = rig.grid.shape[:2]
    small = rig.grid_small @ m[:, :2].T.astype(np.float32) + m[:, 2].astype(np.float32)
    small *= rig.head_mask_small
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


class Renderer:
    """Renders frames for a spec; about 1 s to set up (cached base face), then fast."""

    def __init__(self, rig: Rig, spec: ClipSpec) -> None:
        self.rig, self.spec = rig, spec
        self.times = frame_times(spec)
        t = self.times
        self.tracks = compute_expression_tracks(t, spec)
        for k, v in compute_speech_tracks(t, spec.talking, seed=spec.seed).items():
            self.tracks[k] = self.tracks.get(k, np.zeros_like(t)) + v
        self.pose = compute_pose_tracks(t, spec)
        self.gaze = None  # (n, 2) eye widths, when a cue moves the eyes
        if spec.cues:
            cue_aus, cue_pose, gaze = compute_cue_tracks(t, spec)
            for k, v in cue_aus.items():
                self.tracks[k] = self.tracks.get(k, np.zeros_like(t)) + v
            for k, v in cue_pose.items():
                self.pose[k] = self.pose[k] + v
            if np.abs(gaze).max() > 0:
                self.gaze = gaze
            if "AU43" in self.tracks:
                self.tracks["AU43"] = np.clip(self.tracks["AU43"], 0, 1)
        for k in ("AU25", "AU26", "ROUND"):  # speech and an expression share one jaw
            if k in self.tracks:
                self.tracks[k] = np.minimum(self.tracks[k], 1.0)
        self.tracks["YAW"] = self.pose["yaw"]
        self.tracks["PITCH"] = self.pose["pitch"]
        self.gain, self.gamma = compute_lighting(t, spec)
        rng = np.random.default_rng(spec.seed + 15485863)
        h, w = rig.base.image.shape[:2]
        self.noise_pos, self.noise_neg = [], []
        for _ in range(6 if spec.noise > 0 else 0):
            n = rng.normal(0, spec.noise, (h, w, 3))
            self.noise_pos.append(np.clip(n, 0, 255).astype(np.uint8))
            self.noise_neg.append(np.clip(-n, 0, 255).astype(np.uint8))
        self.rng = rng
        pts = rig.base.landmarks[:, :2]
        fr = L.compute_face_frame(pts)
        eye_w = float(np.mean([np.linalg.norm(pts[up[0]] - pts[up[-1]])
                               for up in (L.RIGHT_EYE_UPPER, L.LEFT_EYE_UPPER)]))
        # pixels per eye width along the face's x (person's left) and y (down) axes
        self.gaze_axes = np.stack([fr.ex, fr.ey]) * eye_w

    def gaze_shift(self, i: int) -> np.ndarray | None:
        """How far the irises move in frame i before the head pose, in pixels (2,), or None."""
        if self.gaze is None or not np.abs(self.gaze[i]).max() > 1e-4:
            return None
        return self.gaze[i] @ self.gaze_axes

    def weights(self, i: int) -> dict[str, float]:
        return {k: float(v[i]) for k, v in self.tracks.items() if abs(v[i]) > 1e-4}

    def pose_matrix(self, i: int) -> np.ndarray:
        return compute_pose_matrix(self.rig.centre, {k: float(v[i]) for k, v in self.pose.items()})

    def landmarks(self, i: int) -> np.ndarray:
        """Where the landmarks (478, 2) are in frame i (forward model)."""
        rig = self.rig
        lm = rig.base.landmarks[:, :2].copy()
        for k, w in self.weights(i).items():
            lm += w * rig.vertex_disp[k]
        g = self.gaze_shift(i)
        if g is not None:
            lm[list(L.RIGHT_IRIS + L.LEFT_IRIS)] += g
        m = self.pose_matrix(i)
        return lm + lm @ m[:, :2].T + m[:, 2]

    def frame(self, i: int) -> np.ndarray:
        """Frame i as RGB uint8 (H, W, 3)."""
        rig = self.rig
        field = compute_pose_field(rig, self.pose_matrix(i))
        box = [rig.grid.shape[0], 0, rig.grid.shape[1], 0]
        for k, w in self.weights(i).items():
            patch = rig.fields[k]
            roi = field[patch.y0:patch.y1, patch.x0:patch.x1]
            cv2.scaleAdd(patch.field, w, roi, dst=roi)
            box = [min(box[0], patch.y0), max(box[1], patch.y1), min(box[2], patch.x0),
                   max(box[3], patch.x1)]
        src = compute_inverse_map(field, rig.grid, iterations=2,
                                  roi=(box[0], box[1], box[2], box[3]))
        img = apply_map(rig.base.image, src)
        lm = self.landmarks(i)
        paint_mouth(img, lm, rig.iod)
        g = self.gaze_shift(i)
        if g is not None:
            m = self.pose_matrix(i)
            paint_gaze(img, lm, g + m[:, :2] @ g, rig.eye_colours, rig.base.image,
                       rig.base.landmarks[:, :2])
        lift = np.zeros_like(lm)
        for k in ("AU5", "AU5@L", "AU5@R"):
            if k in self.tracks and self.tracks[k][i] > 0.02:
                lift += float(self.tracks[k][i]) * rig.vertex_disp[k]
        if lift.any():
            paint_widened_eyes(img, lm, lift, rig.eye_colours)
        if "AU43" in self.tracks:
            paint_eyelids(img, rig.closed_eyes, src, lm, float(self.tracks["AU43"][i]))
        lut = np.clip(255.0 * (np.arange(256) / 255.0) ** self.gamma[i] * self.gain[i], 0, 255)
        img = cv2.LUT(img, lut.astype(np.uint8))
        if self.noise_pos:
            j = int(self.rng.integers(len(self.noise_pos)))
            img = cv2.subtract(cv2.add(img, self.noise_pos[j]), self.noise_neg[j])
        return img


def rig_for(model_path: Path | None = None) -> Rig:
    """The rig for the default face (the neutral base is cached on disk per model, the rig in
    memory per process: about 2 s the first time, then free)."""
    from mirror.face.model import resolve_model_path

    return _rig_for_path(str(model_path or resolve_model_path()))


@functools.lru_cache(maxsize=2)
def _rig_for_path(path: str) -> Rig:
    return build_rig(load_base_face(Path(path)))


def render_clip(spec: ClipSpec, path: str | Path, *, rig: Rig | None = None) -> Truth:
    """Render `spec` to an mp4 at `path` and return its ground truth (not written; see
    save_truth)."""
    rig = rig or rig_for()
    r = Renderer(rig, spec)
    frames = (r.frame(i) for i in range(len(r.times)))
    if spec.size != (rig.grid.shape[1], rig.grid.shape[0]):
        frames = (cv2.resize(f, spec.size, interpolation=cv2.INTER_AREA) for f in frames)
    n = encode_video(frames, Path(path), fps=spec.fps,
                     size=spec.size, crf=spec.crf, audio=spec.audio, audio_rate=spec.audio_rate)
    return compute_truth(spec, n_frames=n)


def write_demo(out_dir: str | Path) -> Path:
    """Render the demo clip (demo.mp4) and its truth (demo.truth.json) into `out_dir`."""
    from mirror.synth.spec import demo_spec

    out = Path(out_dir)
    video = out / "demo.mp4"
    truth = render_clip(demo_spec(), video)
    save_truth(out / "demo.truth.json", truth)
    return video


__all__ = ["Renderer", "Rig", "build_rig", "render_clip", "rig_for",
           "write_demo"]
