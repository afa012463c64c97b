"""Audio arithmetic for the speech stage (pure): the rate it analyses at, PCM16, resampling.

Decoding files is the media layer's (`mirror.media.audio.load_audio`).
"""

from __future__ import annotations

import numpy as np

ANALYSIS_RATE = 16_000  # what webrtcvad and the pocketsphinx English model expect


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    """(n,) float in [-1, 1] -> (n,) int16, the format webrtcvad and pocketsphinx read."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return (x * 32767.0).astype(np.int16)


def resample_audio(samples: np.ndarray, *, sr_in: int, sr_out: int) -> np.ndarray:
    """Polyphase resampling of (n,) audio from sr_in to sr_out."""
    if sr_in == sr_out:
        return np.asarray(samples, dtype=np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sr_in, sr_out)
    y = resample_poly(np.asarray(samples, np.float64), sr_out // g, sr_in // g)
    return y.astype(np.float32)
