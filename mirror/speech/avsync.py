"""A/V offset from the recording itself: cross-correlate mouth opening with the speech envelope.

Convention (used everywhere in mirror): offset > 0 means the audio lags the video, i.e. a sound made
at video time t is found at audio time t + offset. To put audio times on the session (video)
timeline: t_session = t_audio - offset.

Both signals are brought to a common 100 Hz grid, reduced to their changes (first difference after
light smoothing: opening and closing the mouth drives loudness up and down, while slow drifts in
either signal say nothing about timing), normalised, and correlated at every lag within +-search_s.
The peak is refined to sub-sample precision with a parabola through its neighbours.

Confidence (0..1) is the peak correlation times how clearly it beats the best competing lag more
than 0.1 s away (1 when the competitor is at most half as high): a weak correlation, or two near
equal peaks, gives a low confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mirror.tracks import FaceTracks

GRID_HZ = 100.0


@dataclass(frozen=True)
class AvOffset:
    offset_s: float
    confidence: float
    correlation: float


def compute_speech_envelope(audio: np.ndarray, *, sr: int, rate_hz: float = GRID_HZ) -> np.ndarray:
    """RMS amplitude (linear, like mouth opening) of (n,) audio per 1/rate_hz s -> (frames,)."""
    hop = max(1, round(sr / rate_hz))
    n = len(audio) // hop
    if n == 0:
        return np.zeros(0)
    frames = np.asarray(audio[: n * hop], np.float64).reshape(n, hop)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return rms


def _prepare(x: np.ndarray, *, smooth: int = 5) -> np.ndarray:
    k = np.ones(smooth) / smooth
    y = np.convolve(x - np.mean(x), k, mode="same")
    d = np.diff(y, prepend=y[0])
    sd = np.std(d)
    return (d - d.mean()) / sd if sd > 0 else np.zeros_like(d)


def estimate_av_offset(
    *,
    mouth_t: np.ndarray,
    mouth: np.ndarray,
    audio: np.ndarray,
    sr: int,
    search_s: float = 0.5,
) -> AvOffset:
    """Offset of the audio relative to the video.

    mouth_t: (k,) video frame times in seconds (session timeline, increasing); mouth: (k,) mouth
    opening per frame (any unit; NaN where no face). audio: (n,) float32 whose sample 0 is at
    session time 0 before correction. Returns offset_s in [-search_s, search_s] and a confidence.
    """
    mouth_t = np.asarray(mouth_t, np.float64)
    mouth = np.asarray(mouth, np.float64)
    env = compute_speech_envelope(audio, sr=sr)
    ok = np.isfinite(mouth) & np.isfinite(mouth_t)
    if ok.sum() < 10 or env.size < 10:
        return AvOffset(0.0, 0.0, 0.0)
    grid = np.arange(env.size) / GRID_HZ + 0.5 / GRID_HZ  # centre of each envelope window
    m = np.interp(grid, mouth_t[ok], mouth[ok], left=np.nan, right=np.nan)
    valid = np.isfinite(m)
    if valid.sum() < 2 * search_s * GRID_HZ + 10:
        return AvOffset(0.0, 0.0, 0.0)
    m = np.where(valid, m, np.nanmean(m))
    a = _prepare(env)
    v = _prepare(m)
    v[~valid] = 0.0
    max_lag = round(search_s * GRID_HZ)
    n = a.size
    lags = np.arange(-max_lag, max_lag + 1)
    corr = np.empty(lags.size)
    for i, lag in enumerate(lags):
        # audio at t + lag matches mouth at t
        if lag >= 0:
            x, y = v[: n - lag], a[lag:]
        else:
            x, y = v[-lag:], a[: n + lag]
        w = x != 0
        denom = np.sqrt(np.sum(x[w] ** 2) * np.sum(y[w] ** 2))
        corr[i] = float(np.sum(x[w] * y[w]) / denom) if denom > 0 else 0.0
    k = int(np.argmax(corr))
    peak = float(corr[k])
    frac = 0.0
    if 0 < k < corr.size - 1:
        c0, c1, c2 = corr[k - 1], corr[k], corr[k + 1]
        den = c0 - 2 * c1 + c2
        if den < 0:
            frac = float(np.clip(0.5 * (c0 - c2) / den, -0.5, 0.5))
    offset = (lags[k] + frac) / GRID_HZ
    # the best competing peak: the highest correlation more than 0.1 s away from the winner
    far = np.abs(lags - lags[k]) > round(0.1 * GRID_HZ)
    second = float(corr[far].max()) if far.any() else 0.0
    separation = np.clip(2.0 * (peak - max(second, 0.0)) / peak, 0, 1) if peak > 0 else 0.0
    confidence = float(np.clip(peak, 0, 1) * separation)
    if k in (0, corr.size - 1):  # the best lag is at the edge of the search: not a real peak
        confidence *= 0.25
    return AvOffset(offset_s=float(offset), confidence=confidence, correlation=peak)


def mouth_track(tracks: FaceTracks) -> tuple[np.ndarray, np.ndarray]:
    """(t, opening) for estimate_av_offset from the face tracks: the pose-free `mouth_open`
    geometry when the tracks have it (measured better than the blendshape on GRID clips), else the
    `jawOpen` blendshape. Shapes (n,), (n,); NaN where no face was found."""
    if "mouth_open" in tracks.geometry_names:
        return tracks.t, tracks.geo("mouth_open")
    return tracks.t, tracks.bs("jawOpen")
