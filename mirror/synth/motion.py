"""Per-frame weights of every action unit, speech component and head pose (pure, seeded)."""

from __future__ import annotations

import numpy as np

from mirror.synth.aus import compute_emotion_weights
from mirror.synth.spec import ClipSpec, CueEpisode, compute_blink_curve, compute_envelope

POSE_KEYS = ("yaw", "pitch", "roll", "tx", "ty", "scale")


def frame_times(spec: ClipSpec) -> np.ndarray:
    """Presentation times (n,) of every frame: i / fps."""
    n = round(spec.duration_s * spec.fps)
    return np.arange(n) / spec.fps


def compute_expression_tracks(t: np.ndarray, spec: ClipSpec) -> dict[str, np.ndarray]:
    """AU name -> weight (n,) from the episodes, blinks and brow flashes."""
    tracks: dict[str, np.ndarray] = {}

    def add(name: str, values: np.ndarray) -> None:
        tracks[name] = tracks.get(name, np.zeros_like(t)) + values

    for i, ep in enumerate(spec.all_episodes):
        env = compute_envelope(t, ep, seed=spec.seed * 1000 + i)
        weights = compute_emotion_weights(ep.expression, side=ep.side, with_eyes=ep.with_eyes,
                                          asymmetry=ep.asymmetry, variant=ep.variant)
        for au, w in weights.items():
            add(au, w * env)
    for b in spec.blinks:
        add("AU43", compute_blink_curve(t, b))
    for fl in spec.brow_flashes:
        u = (t - fl.start_s) / fl.duration_s
        bump = np.where((u >= 0) & (u < 1), np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)
        add("AU1", fl.amount * 0.8 * bump)
        add("AU2", fl.amount * bump)
    if "AU43" in tracks:
        tracks["AU43"] = np.clip(tracks["AU43"], 0, 1)
    return tracks


def compute_speech_tracks(t: np.ndarray, phrases: tuple[tuple[float, float], ...], *,
                          seed: int) -> dict[str, np.ndarray]:
    """Articulation during talking: syllables at 4-5 per second with varying jaw opening and
    mouth shapes (open vowels, rounded vowels, spread vowels, closed consonants)."""
    rng = np.random.default_rng(seed + 7919)
    out = {k: np.zeros_like(t) for k in ("AU26", "AU25", "ROUND", "AU20", "AU24")}
    for a, b in phrases:
        s = a
        while s < b:
            dur = float(rng.uniform(0.17, 0.28))
            u = (t - s) / dur
            bump = np.where((u >= 0) & (u < 1), np.sin(np.pi * np.clip(u, 0, 1)), 0.0)
            amp = float(rng.uniform(0.25, 1.0))
            vowel = rng.choice(["a", "o", "i", "e", "m"], p=[0.35, 0.2, 0.2, 0.15, 0.1])
            if vowel == "a":
                out["AU26"] += 0.7 * amp * bump
                out["AU25"] += 0.6 * amp * bump
            elif vowel == "o":
                out["AU26"] += 0.4 * amp * bump
                out["AU25"] += 0.4 * amp * bump
                out["ROUND"] += 1.1 * amp * bump
            elif vowel == "i":
                out["AU25"] += 0.45 * amp * bump
                out["AU20"] += 0.18 * amp * bump
                out["AU26"] += 0.08 * amp * bump
            elif vowel == "e":
                out["AU25"] += 0.4 * amp * bump
                out["AU26"] += 0.35 * amp * bump
                out["AU20"] += 0.08 * amp * bump
            else:
                out["AU24"] += 0.5 * amp * bump
            s += dur * float(rng.uniform(0.9, 1.1))
    return out


def _smooth_noise(rng: np.random.Generator, t: np.ndarray, *, fmax: float) -> np.ndarray:
    """A smooth random curve (n,) of about unit amplitude: a few sinusoids below `fmax` Hz."""
    out = np.zeros_like(t)
    for _ in range(4):
        f = rng.uniform(0.03, fmax)
        out += rng.normal() * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    return out / 2.0


def compute_pose_tracks(t: np.ndarray, spec: ClipSpec) -> dict[str, np.ndarray]:
    """Head pose over time: yaw/pitch/roll in 0.1 rad units, tx/ty in pixels, scale factor - 1.

    Slow drift plus nods during talking; everything scales with `spec.head_motion`."""
    rng = np.random.default_rng(spec.seed + 104729)
    k = spec.head_motion
    pose = {
        "yaw": 1.5 * k * _smooth_noise(rng, t, fmax=0.3),
        "pitch": 0.7 * k * _smooth_noise(rng, t, fmax=0.3),
        "roll": 0.35 * k * _smooth_noise(rng, t, fmax=0.2),
        "tx": 12.0 * k * _smooth_noise(rng, t, fmax=0.15),
        "ty": 6.0 * k * _smooth_noise(rng, t, fmax=0.15),
        "scale": 0.03 * k * _smooth_noise(rng, t, fmax=0.08),
    }
    for a, b in spec.talking:
        s = a + float(rng.uniform(0.3, 1.5))
        while s < b - 0.4:
            dur = float(rng.uniform(0.4, 0.7))
            u = (t - s) / dur
            nod = np.where((u >= 0) & (u < 1), np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)
            pose["pitch"] += 0.5 * k * float(rng.uniform(0.5, 1.0)) * nod
            s += float(rng.uniform(1.5, 4.0))
    return pose


def compute_lighting(t: np.ndarray, spec: ClipSpec) -> tuple[np.ndarray, np.ndarray]:
    """Gain (n,) and gamma (n,) over time: slow drifts and an optional step (eased over 0.2 s)."""
    rng = np.random.default_rng(spec.seed + 1299709)
    li = spec.lighting
    gain = 1.0 + li.gain_drift * _smooth_noise(rng, t, fmax=0.1)
    gamma = 1.0 + li.gamma_drift * _smooth_noise(rng, t, fmax=0.1)
    if li.step_s is not None:
        gain += li.step_gain * np.clip((t - li.step_s) / 0.2, 0, 1)
    return gain, gamma


# What each cue does at full intensity (AU weights; pose in 0.1 rad units; gaze in eye widths).
LIP_PRESS_AUS = {"AU24": 1.6, "AU23": 0.35}
TENSION_AUS = {"AU7~": 1.0, "AU23": 0.45, "AU24": 0.45, "AU4~": 0.3}
BROW_FLASH_AUS = {"AU1": 0.85, "AU2": 1.0}
# Gaze: where the irises go (x to the person's left, y down, in eye widths) and what the lids
# do: looking down lowers the upper lids (LIDDROP).
GAZE_SHIFT = {"left": (0.21, 0.0), "right": (-0.21, 0.0), "down": (0.0, 0.16),
              "up": (0.0, -0.1)}
GAZE_LIDS = {"down": {"LIDDROP": 0.6}}
# An accompanying head turn, per unit of CueEpisode.head, on the pose tracks.
GAZE_HEAD = {"left": ("yaw", 1.0), "right": ("yaw", -1.0), "down": ("pitch", 1.0),
             "up": ("pitch", -1.0)}
NOD_PITCH = 1.6  # 0.16 rad (9 degrees) down at the bottom of a full nod
NOD_DROP_PX = 5.0  # and the face comes down a little
HEAD_TILT_ROLL = {"left": 1.0, "right": -1.0}  # sign of the roll track (positive: top to the
# person's left); a cue's intensity 1 is 15 degrees
HEAD_TILT_FULL = np.radians(15.0) * 10


def _nod_curve(t: np.ndarray, cue: CueEpisode) -> np.ndarray:
    """0..1 (n,): `cue.nods` smooth down-and-up movements filling onset_s..offset_s."""
    dur = (cue.offset_s - cue.onset_s) / cue.nods
    out = np.zeros_like(t)
    for k in range(cue.nods):
        u = (t - cue.onset_s - k * dur) / dur
        out += np.where((u >= 0) & (u < 1), np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)
    return out


def _head_envelope(t: np.ndarray, cue: CueEpisode) -> np.ndarray:
    """A head movement accompanying a gaze shift: slower than the eyes (it starts with them and
    settles over 0.3 s, returns over 0.35 s)."""
    rise = min(0.3, 0.45 * cue.duration_s)
    fall = min(0.35, 0.45 * cue.duration_s)
    env = np.zeros_like(t)
    up = (t >= cue.onset_s) & (t < cue.onset_s + rise)
    env[up] = 0.5 - 0.5 * np.cos(np.pi * (t[up] - cue.onset_s) / rise)
    env[(t >= cue.onset_s + rise) & (t <= cue.apex_end_s)] = 1.0
    down = (t > cue.apex_end_s) & (t < cue.apex_end_s + fall)
    env[down] = 0.5 + 0.5 * np.cos(np.pi * (t[down] - cue.apex_end_s) / fall)
    return env


def compute_cue_tracks(t: np.ndarray, spec: ClipSpec
                       ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """What the cues add: AU name -> weight (n,), pose key -> value (n,) (0.1 rad units, ty in
    pixels), and the gaze (n, 2) in eye widths (x to the person's left, y down). The masking
    cues' expressions are ordinary episodes (compute_expression_tracks)."""
    aus: dict[str, np.ndarray] = {}
    pose: dict[str, np.ndarray] = {}
    gaze = np.zeros((len(t), 2))

    def add(d: dict[str, np.ndarray], name: str, values: np.ndarray) -> None:
        d[name] = d.get(name, np.zeros_like(t)) + values

    for cue in spec.cues:
        if cue.cue == "masking":
            continue
        if cue.cue == "nod":
            env = _nod_curve(t, cue) * cue.intensity
            add(pose, "pitch", NOD_PITCH * env)
            add(pose, "ty", NOD_DROP_PX * env)
            continue
        env = compute_envelope(t, cue)
        if cue.cue == "lip_press":
            for au, w in LIP_PRESS_AUS.items():
                add(aus, au, w * env)
        elif cue.cue == "tension":
            for au, w in TENSION_AUS.items():
                add(aus, au, w * env)
        elif cue.cue == "brow_flash":
            for au, w in BROW_FLASH_AUS.items():
                add(aus, au, w * env)
        elif cue.cue == "head_tilt":
            add(pose, "roll", HEAD_TILT_ROLL[cue.direction] * HEAD_TILT_FULL * env)
        elif cue.cue == "gaze_aversion":
            gaze += np.outer(env, GAZE_SHIFT[cue.direction])
            for au, w in GAZE_LIDS.get(cue.direction, {}).items():
                add(aus, au, w * env)
            if cue.head:
                key, sign = GAZE_HEAD[cue.direction]
                add(pose, key, sign * cue.head * cue.intensity * _head_envelope(t, cue))
    return aus, pose, gaze
