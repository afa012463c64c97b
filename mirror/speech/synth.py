"""Speech with known word times, generated with espeak-ng, for tests and benchmarks.

Each word is synthesised on its own, trimmed to its audible part, and laid out with known gaps, so
every word's onset and offset are known to the sample. Phrases are separated by longer silences, so
the speaking/pause boundaries are known too. Needs the `espeak-ng` program (Debian: espeak-ng).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass

import numpy as np

from mirror.speech.audio import ANALYSIS_RATE, resample_audio


@dataclass(frozen=True)
class SynthSpeech:
    """audio: (n,) float32 at sr. words: (text, start_s, end_s). phrases: (start_s, end_s)."""

    audio: np.ndarray
    sr: int
    words: tuple[tuple[str, float, float], ...]
    phrases: tuple[tuple[float, float], ...]


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def synthesize_word(text: str, *, voice: str = "en-us+klatt", speed: int = 150) -> np.ndarray:
    """One word (or phrase) from espeak-ng, (n,) float32 at ANALYSIS_RATE, silence trimmed."""
    out = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        check=True, capture_output=True, timeout=30,
    ).stdout
    with wave.open(io.BytesIO(out)) as w:
        sr = w.getframerate()
        # espeak writes a streaming header with a bogus length: read what is there.
        raw = out[44:]
    x = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
    x = resample_audio(x, sr_in=sr, sr_out=ANALYSIS_RATE)
    return _trim(x)


def _trim(x: np.ndarray, *, threshold_db: float = -40.0) -> np.ndarray:
    """Cut leading and trailing samples whose 5 ms envelope is below threshold_db of the peak."""
    if x.size == 0:
        return x
    win = ANALYSIS_RATE // 200
    env = np.sqrt(np.convolve(x.astype(np.float64) ** 2, np.ones(win) / win, mode="same"))
    thr = env.max() * 10 ** (threshold_db / 20)
    idx = np.flatnonzero(env > thr)
    if idx.size == 0:
        return x[:0]
    return x[idx[0]: idx[-1] + 1]


def synthesize_speech(
    phrases: list[str],
    *,
    voice: str = "en-us+klatt",
    speed: int = 150,
    word_gap_s: float = 0.06,
    phrase_gap_s: float = 1.0,
    lead_s: float = 0.8,
    tail_s: float = 0.8,
    noise_db: float | None = -55.0,
    seed: int = 0,
) -> SynthSpeech:
    """Speak `phrases` word by word with known gaps; return the audio and the true word times.

    noise_db: level of white room noise added everywhere (dBFS), None for digital silence.
    """
    sr = ANALYSIS_RATE
    cache: dict[str, np.ndarray] = {}
    parts: list[np.ndarray] = [np.zeros(round(lead_s * sr), np.float32)]
    t = lead_s
    words: list[tuple[str, float, float]] = []
    spans: list[tuple[float, float]] = []
    for p_i, phrase in enumerate(phrases):
        if p_i:
            parts.append(np.zeros(round(phrase_gap_s * sr), np.float32))
            t += round(phrase_gap_s * sr) / sr
        p_start = t
        tokens = phrase.split()
        for w_i, tok in enumerate(tokens):
            if tok not in cache:
                cache[tok] = synthesize_word(tok, voice=voice, speed=speed)
            y = cache[tok]
            words.append((tok, t, t + len(y) / sr))
            parts.append(y)
            t += len(y) / sr
            if w_i < len(tokens) - 1:
                parts.append(np.zeros(round(word_gap_s * sr), np.float32))
                t += round(word_gap_s * sr) / sr
        spans.append((p_start, t))
    parts.append(np.zeros(round(tail_s * sr), np.float32))
    audio = np.concatenate(parts)
    peak = float(np.abs(audio).max()) or 1.0
    audio = (audio * (0.5 / peak)).astype(np.float32)
    if noise_db is not None:
        rng = np.random.default_rng(seed)
        audio += (rng.standard_normal(audio.size) * 10 ** (noise_db / 20)).astype(np.float32)
    return SynthSpeech(audio=audio, sr=sr, words=tuple(words), phrases=tuple(spans))
