"""Voice activity: speaking and pause segments.

Why webrtcvad: it is the GMM voice detector from Chromium's WebRTC stack, built for exactly this
signal (one talker into a laptop or webcam microphone, room noise, fans), it runs at hundreds of
times real time on one core, needs no model file and no onnxruntime, and its wheel has no
dependencies. Silero VAD is more accurate on hard noise but brings onnxruntime and a model to
resolve; for a rehearsal in a quiet room the difference is in the tens of milliseconds at the
boundaries, which the smoothing below matters more for.

webrtcvad alone flickers: it flags single 30 ms frames of breathing, lip smacks and door clicks as
speech and drops the quiet ends of words. So its frame decisions are smoothed:

1. an energy gate: frames quieter than the noise floor + `energy_margin_db` are not speech (a
   breath into the microphone is loud enough to pass webrtcvad but carries little energy);
2. a majority filter over `smooth_frames` frames;
3. gaps shorter than `min_pause_s` are closed (a stop consonant or a breath between words is not a
   pause), speech runs shorter than `min_speech_s` are dropped (a click is not speech);
4. each speech run is extended by `hangover_s` at its end (webrtcvad releases early on falling
   intonation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.speech.audio import to_pcm16


@dataclass(frozen=True)
class VadOptions:
    aggressiveness: int = 2  # webrtcvad mode 0..3
    frame_ms: int = 30  # 10, 20 or 30
    smooth_frames: int = 3  # majority filter width (odd)
    energy_margin_db: float = 12.0  # above the noise floor (10th percentile frame energy)
    min_pause_s: float = 0.25
    min_speech_s: float = 0.15
    hangover_s: float = 0.06


def detect_voice_frames(audio: np.ndarray, *, sr: int, options: VadOptions) -> np.ndarray:
    """Raw per-frame decisions.

    audio: (n,) float32 mono in [-1, 1]; sr in {8000, 16000, 32000, 48000}.
    Returns (n_frames,) bool, frame i covering [i * frame_ms, (i + 1) * frame_ms) milliseconds.
    """
    import webrtcvad

    vad = webrtcvad.Vad(int(options.aggressiveness))
    flen = sr * options.frame_ms // 1000
    n = len(audio) // flen
    if n == 0:
        return np.zeros(0, dtype=bool)
    pcm = to_pcm16(audio[: n * flen])
    raw = pcm.tobytes()
    step = flen * 2
    voiced = np.fromiter(
        (vad.is_speech(raw[i * step:(i + 1) * step], sr) for i in range(n)), dtype=bool, count=n
    )
    frames = audio[: n * flen].reshape(n, flen).astype(np.float64)
    energy_db = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
    floor = float(np.percentile(energy_db, 10))
    loud = energy_db > max(floor + options.energy_margin_db, -60.0)
    return voiced & loud


def smooth_voice_frames(voiced: np.ndarray, *, frame_s: float, options: VadOptions) -> np.ndarray:
    """Majority filter, close short pauses, drop short speech, add hangover.

    voiced: (n_frames,) bool. Returns (n_frames,) bool.
    """
    v = np.asarray(voiced, dtype=bool).copy()
    if v.size == 0:
        return v
    k = max(1, int(options.smooth_frames) | 1)
    if k > 1:
        pad = k // 2
        padded = np.pad(v.astype(np.int32), pad, mode="edge")
        v = np.convolve(padded, np.ones(k, np.int32), mode="valid") > k // 2
    v = _fill_runs(v, value=False, max_len=round(options.min_pause_s / frame_s) - 1, interior=True)
    v = _fill_runs(v, value=True, max_len=round(options.min_speech_s / frame_s) - 1, interior=False)
    hang = round(options.hangover_s / frame_s)
    if hang > 0:
        ends = np.flatnonzero(v[:-1] & ~v[1:])
        for e in ends:
            v[e + 1:e + 1 + hang] = True
    return v


def _runs(v: np.ndarray) -> list[tuple[int, int, bool]]:
    """(start, end_exclusive, value) for each run of equal values in (n,) bool."""
    if v.size == 0:
        return []
    change = np.flatnonzero(v[1:] != v[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [v.size]))
    return [(int(s), int(e), bool(v[s])) for s, e in zip(starts, ends, strict=True)]


def _fill_runs(v: np.ndarray, *, value: bool, max_len: int, interior: bool) -> np.ndarray:
    """Flip runs of `value` no longer than max_len; interior=True spares runs touching the edges."""
    out = v.copy()
    if max_len <= 0:
        return out
    for s, e, val in _runs(v):
        if val != value or e - s > max_len:
            continue
        if interior and (s == 0 or e == v.size):
            continue
        out[s:e] = not value
    return out


def compute_segments(voiced: np.ndarray, *, frame_s: float) -> list[tuple[float, float, bool]]:
    """Runs of (n_frames,) bool -> [(start_s, end_s, speaking)], covering the whole audio."""
    return [(s * frame_s, e * frame_s, val) for s, e, val in _runs(np.asarray(voiced, bool))]


def detect_speech_segments(
    audio: np.ndarray, *, sr: int, options: VadOptions | None = None
) -> list[tuple[float, float, bool]]:
    """Speaking and pause segments of (n,) float32 audio, in seconds from its first sample."""
    opts = options or VadOptions()
    raw = detect_voice_frames(audio, sr=sr, options=opts)
    frame_s = opts.frame_ms / 1000.0
    smooth = smooth_voice_frames(raw, frame_s=frame_s, options=opts)
    segs = compute_segments(smooth, frame_s=frame_s)
    total = len(audio) / sr
    if segs and segs[-1][1] < total:  # the last partial frame belongs to the last run
        s, _, val = segs[-1]
        segs[-1] = (s, total, val)
    return segs
