"""Rendering a ClipSpec: warp the neutral face frame by frame and encode it with PyAV."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from mirror.synth import landmarks as L
from mirror.synth.aus import compute_au_displacements
from mirror.synth.face import BaseFace, cache_dir, load_base_face
from mirror.synth.motion import (
    compute_expression_tracks,
    compute_lighting,
    compute_pose_tracks,
    compute_speech_tracks,
    frame_times,
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

MOUTH_DARK = np.array([48, 18, 22], dtype=np.float32)
TEETH = np.array([196, 186, 176], dtype=np.float32)
_MOUTH_POLY = list(L.LIPS_UPPER_INNER) + list(L.LIPS_LOWER_INNER[::-1][1:-1])


@dataclass(frozen=True)
class Rig:
    """Everything precomputed for one face: the base, per-unit pixel displacements of the
    landmarks (478, 2) and their dense fields (H, W, 2), the head mask (H, W, 1)."""

    base: BaseFace
    closed_eyes: np.ndarray
    vertex_disp: dict[str, np.ndarray]
    fields: dict[str, np.ndarray]
    head_mask: np.ndarray
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
    disp = {k: frame.vec_to_px(v) for k, v in compute_au_displacements(f, z).items()}
    anchors = border_anchors(w, h)
    mesh = build_mesh(np.concatenate([pts, anchors]), width=w, height=h)
    pad = np.zeros((len(anchors), 2))
    fields = {k: compute_field(mesh, np.concatenate([d, pad])) for k, d in disp.items()}
    centre = pts.mean(axis=0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    span = pts.max(axis=0) - pts.min(axis=0)
    r = np.sqrt(((xx - centre[0]) / (span[0] * 0.85)) ** 2
                + ((yy - centre[1] + span[1] * 0.1) / (span[1] * 0.85)) ** 2)
    mask = np.clip(1.6 - r, 0, 1).astype(np.float32)
    mask = cv2.GaussianBlur(mask, (0, 0), 8)[..., None]
    return Rig(base=base, closed_eyes=make_closed_eyes(base.image, pts), vertex_disp=disp,
               fields=fields, head_mask=mask, centre=centre, iod=frame.iod,
               grid=identity_grid(w, h))


_EYES = ((L.RIGHT_EYE_UPPER, L.RIGHT_EYE_LOWER), (L.LEFT_EYE_UPPER, L.LEFT_EYE_LOWER))
LASH = (40, 26, 24)
LID_OVERSHOOT = 0.08
LASH_WIDTH = 2


def make_closed_eyes(image: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The base image with both eye openings filled with skin (inpainted) and a lash line along
    the lower lids: what a closed eye looks like."""
    mask = np.zeros(image.shape[:2], np.uint8)
    for up, lo in _EYES:
        poly = np.concatenate([pts[list(up)], pts[list(lo[::-1])]])
        cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 255)
    mask = cv2.dilate(mask, np.ones((5, 5), np.uint8))
    out = cv2.inpaint(image, mask, 5, cv2.INPAINT_TELEA)
    inside = mask[..., None] > 0
    return np.where(inside, cv2.GaussianBlur(out, (0, 0), 1.0), out).astype(np.uint8)


def paint_eyelids(img: np.ndarray, closed: np.ndarray, src: np.ndarray, lm: np.ndarray,
                  closure: float) -> None:
    """Sweep the upper lids down by `closure` (0..1) over the eyes, in place: the swept part
    shows the closed-eye skin (warped by the frame's map) and the lid edge a lash line."""
    if closure <= 0.02:
        return
    h, w = img.shape[:2]
    shift = 4
    for up, lo in _EYES:
        u, d = lm[list(up)], lm[list(lo)]
        lid = u + closure * (d - u)
        bow = np.sin(np.linspace(0, np.pi, len(lid)))
        lid[:, 1] += closure * LID_OVERSHOOT * float(np.linalg.norm(u[0] - u[-1])) * bow
        poly = np.concatenate([u, lid[::-1]])
        x0, y0 = np.maximum(np.floor(poly.min(axis=0)).astype(int) - 3, 0)
        x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 4
        x1, y1 = min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        m = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(m, [np.round((poly - [x0, y0]) * (1 << shift)).astype(np.int32)], 255,
                     cv2.LINE_AA, shift)
        m = cv2.dilate(m, np.ones((2, 2), np.uint8))
        roi_src = src[y0:y1, x0:x1]
        skin = cv2.remap(closed, roi_src[..., 0], roi_src[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        a = m.astype(np.float32)[..., None] / 255
        roi = img[y0:y1, x0:x1].astype(np.float32) * (1 - a) + skin * a
        patch = roi.astype(np.uint8)
        line = np.round((lid - [x0, y0]) * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
        lash = patch.copy()
        cv2.polylines(lash, [line], False, LASH, LASH_WIDTH, cv2.LINE_AA, shift)
        k = min(1.0, 0.4 + closure)
        img[y0:y1, x0:x1] = cv2.addWeighted(lash, k, patch, 1 - k, 0)


def compute_pose_field(rig: Rig, pose: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Forward displacement of roll/scale/translation about the face centre: a 2x3 matrix
    applied to points, and the masked dense field (H, W, 2)."""
    th = 0.1 * pose["roll"]
    s = 1.0 + pose["scale"]
    c, sn = np.cos(th) * s, np.sin(th) * s
    a = np.array([[c - 1, -sn], [sn, c - 1]], dtype=np.float32)
    t = np.array([pose["tx"], pose["ty"]], dtype=np.float32) - a @ rig.centre.astype(np.float32)
    m = np.concatenate([a, t[:, None]], axis=1)
    field = rig.grid @ a.T + t
    return m, field * rig.head_mask


def paint_mouth(img: np.ndarray, lm: np.ndarray, iod: float) -> None:
    """Paint the open mouth's interior (dark, upper teeth showing) in place."""
    poly = lm[_MOUTH_POLY]
    gap = float(np.max(lm[list(L.LIPS_LOWER_INNER), 1] - lm[list(L.LIPS_UPPER_INNER), 1]))
    if gap < 0.6:
        return
    x0, y0 = np.floor(poly.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 3
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return
    shift = 4
    mouth = np.zeros((y1 - y0, x1 - x0), np.uint8)
    p = np.round((poly - [x0, y0]) * (1 << shift)).astype(np.int32)
    cv2.fillPoly(mouth, [p], 255, cv2.LINE_AA, shift)
    upper = lm[list(L.LIPS_UPPER_INNER)] - [x0, y0]
    mid = upper.mean(axis=0)
    upper = mid + (upper - mid) * [0.8, 1.0]
    band = min(gap * 0.35, 0.07 * iod)
    xn = (upper[:, 0] - mid[0]) / max(float(np.abs(upper[:, 0] - mid[0]).max()), 1e-6)
    lower_edge = upper + np.stack([np.zeros_like(xn), band * np.sqrt(1 - xn**2)], axis=1)
    teeth_poly = np.concatenate([upper, lower_edge[::-1]])
    teeth = np.zeros_like(mouth)
    cv2.fillPoly(teeth, [np.round(teeth_poly * (1 << shift)).astype(np.int32)], 255, cv2.LINE_AA,
                 shift)
    am = mouth.astype(np.float32)[..., None] / 255
    at = (teeth.astype(np.float32)[..., None] / 255) * min(1.0, gap / (0.08 * iod))
    colour = MOUTH_DARK * (1 - at) + TEETH * at
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * (1 - am) + colour * am).astype(np.uint8)


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

    def weights(self, i: int) -> dict[str, float]:
        return {k: float(v[i]) for k, v in self.tracks.items() if abs(v[i]) > 1e-4}

    def landmarks(self, i: int) -> np.ndarray:
        """Where the landmarks (478, 2) are in frame i (forward model)."""
        rig = self.rig
        lm = rig.base.landmarks[:, :2].copy()
        for k, w in self.weights(i).items():
            lm += w * rig.vertex_disp[k]
        m, _ = compute_pose_field(rig, {k: float(v[i]) for k, v in self.pose.items()})
        return lm + rig.base.landmarks[:, :2] @ m[:, :2].T + m[:, 2]

    def frame(self, i: int) -> np.ndarray:
        """Frame i as RGB uint8 (H, W, 3)."""
        rig = self.rig
        _, field = compute_pose_field(rig, {k: float(v[i]) for k, v in self.pose.items()})
        for k, w in self.weights(i).items():
            field += w * rig.fields[k]
        src = compute_inverse_map(field, rig.grid, iterations=2)
        img = apply_map(rig.base.image, src)
        lm = self.landmarks(i)
        paint_mouth(img, lm, rig.iod)
        if "AU43" in self.tracks:
            paint_eyelids(img, rig.closed_eyes, src, lm, float(self.tracks["AU43"][i]))
        lut = np.clip(255.0 * (np.arange(256) / 255.0) ** self.gamma[i] * self.gain[i], 0, 255)
        img = cv2.LUT(img, lut.astype(np.uint8))
        if self.noise_pos:
            j = int(self.rng.integers(len(self.noise_pos)))
            img = cv2.subtract(cv2.add(img, self.noise_pos[j]), self.noise_neg[j])
        return img


def rig_for(model_path: Path | None = None) -> Rig:
    """The rig for the default face (the neutral base is cached per model)."""
    from mirror.face.model import resolve_model_path

    return build_rig(load_base_face(model_path or resolve_model_path()))


def encode_video(frames: object, path: Path, *, fps: float, size: tuple[int, int], crf: int,
                 audio: np.ndarray | None = None, audio_rate: int = 16000) -> int:
    """Encode an iterable of RGB frames as H.264 (yuv420p) mp4 at constant fps, with optional
    mono float32 audio muxed as AAC. Returns the number of frames written."""
    import av

    rate = Fraction(fps).limit_denominator(1001)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=rate, options={"crf": str(crf), "preset": "veryfast"})
        vs.width, vs.height = size
        vs.pix_fmt = "yuv420p"
        vs.codec_context.time_base = 1 / rate
        aus = None
        if audio is not None:
            aus = out.add_stream("aac", rate=audio_rate, layout="mono")
        a_pos = 0
        for img in frames:  # type: ignore[attr-defined]
            vf = av.VideoFrame.from_ndarray(img, format="rgb24")
            vf.pts = n
            vf.time_base = 1 / rate
            for pkt in vs.encode(vf):
                out.mux(pkt)
            n += 1
            if aus is not None and audio is not None:
                a_pos = _mux_audio(out, aus, audio, a_pos, int(n / fps * audio_rate), audio_rate)
        for pkt in vs.encode():
            out.mux(pkt)
        if aus is not None and audio is not None:
            _mux_audio(out, aus, audio, a_pos, len(audio), audio_rate)
            for pkt in aus.encode():
                out.mux(pkt)
    return n


def _mux_audio(out: object, stream: object, audio: np.ndarray, start: int, stop: int,
               rate: int) -> int:
    import av

    stop = min(stop, len(audio))
    chunk = 1024
    while start + chunk <= stop or (stop == len(audio) and start < stop):
        block = np.ascontiguousarray(audio[start:start + chunk], dtype=np.float32)[None, :]
        af = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
        af.sample_rate = rate
        af.pts = start
        af.time_base = Fraction(1, rate)
        for pkt in stream.encode(af):  # type: ignore[attr-defined]
            out.mux(pkt)  # type: ignore[attr-defined]
        start += block.shape[1]
    return start


def render_clip(spec: ClipSpec, path: str | Path, *, rig: Rig | None = None) -> Truth:
    """Render `spec` to an mp4 at `path` and return its ground truth (not written; see
    save_truth)."""
    rig = rig or rig_for()
    r = Renderer(rig, spec)
    n = encode_video((r.frame(i) for i in range(len(r.times))), Path(path), fps=spec.fps,
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


def spec_digest(spec: ClipSpec) -> str:
    """A short stable digest of a spec (for cache keys)."""
    return hashlib.sha256(repr(spec).encode()).hexdigest()[:16]


__all__ = ["Renderer", "Rig", "build_rig", "cache_dir", "encode_video", "render_clip",
           "rig_for", "write_demo"]
