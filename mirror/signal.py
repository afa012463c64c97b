"""Signal helpers the stages share (pure): frame period, runs of a mask, dilation, rolling
windows, gap filling and a track's noise.

Every function takes numpy arrays of shape (n,) sampled at times `t` (n,) in seconds, keeps no
state and reads no clock. The expressions, events and cues stages use these, and only these,
for the arithmetic of a per-frame track.
"""

from __future__ import annotations

import warnings

import numpy as np

DEFAULT_FRAME_PERIOD = 1 / 30  # seconds, when a track has fewer than two frames


def frame_period(t: np.ndarray) -> float:
    """Seconds between frames (the median step; 1/30 for fewer than two frames)."""
    return float(np.median(np.diff(t))) if t.size > 1 else DEFAULT_FRAME_PERIOD


def window_frames(t: np.ndarray, seconds: float) -> int:
    """An odd number of frames of timestamps `t` (n,) spanning about `seconds` (a centred
    window)."""
    return round(seconds / max(frame_period(t), 1e-3)) | 1


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) frame indices, inclusive, of each run of True in `mask` (n,)."""
    idx = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return [(int(a), int(b) - 1) for a, b in zip(idx[::2], idx[1::2], strict=True)]


def short_runs(mask: np.ndarray, *, max_frames: int) -> np.ndarray:
    """(n,) bool: the runs of `mask` no longer than `max_frames`."""
    out = np.zeros_like(mask)
    for first, last in runs(mask):
        if last - first + 1 <= max_frames:
            out[first:last + 1] = True
    return out


def dilate(mask: np.ndarray, *, before: int = 0, after: int = 0) -> np.ndarray:
    """(n,) bool: `mask` widened by `before` frames ahead of each run and `after` behind it."""
    out = mask.copy()
    for k in range(1, before + 1):
        out[:-k] |= mask[k:]
    for k in range(1, after + 1):
        out[k:] |= mask[:-k]
    return out


def rolling(x: np.ndarray, *, frames: int, fn: str) -> np.ndarray:
    """Centred rolling min / max / std / median (NaN ignored) over `frames` (odd) samples, edges
    padded by repetition."""
    half = max(frames // 2, 0)
    if half == 0 or x.size == 0:
        return x.copy() if fn != "std" else np.zeros_like(x)
    if fn == "median" and not np.isnan(x).any():  # the same windows, in C
        from scipy.ndimage import median_filter  # here: the face workers import this module

        return np.asarray(median_filter(x, size=2 * half + 1, mode="nearest"))
    padded = np.pad(x, half, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    if fn == "min":
        return np.asarray(win.min(axis=1))
    if fn == "max":
        return np.asarray(win.max(axis=1))
    if fn == "median":
        with warnings.catch_warnings():  # a window with no face at all is NaN, as it should be
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(np.nanmedian(win, axis=1))
    return np.asarray(win.std(axis=1))


def opening(x: np.ndarray, *, frames: int) -> np.ndarray:
    """A morphological opening of `x` (n,) over `frames` (odd) samples: a rolling min, then a
    rolling max. A rise shorter than the window is removed; a longer one keeps its level."""
    return rolling(rolling(x, frames=frames, fn="min"), frames=frames, fn="max")


def held_above(t: np.ndarray, score: np.ndarray, level: float, *, min_s: float) -> np.ndarray:
    """(n,) bool: frames inside a stretch of at least `min_s` where `score` (n,) stays at or
    above `level` (a morphological opening: shorter excursions, a syllable's, are not held)."""
    frames = max(3, round(min_s / frame_period(t)) | 1)
    return np.asarray(opening(np.nan_to_num(score), frames=frames) >= level)


def fill_gaps(t: np.ndarray, x: np.ndarray, bad: np.ndarray, *, max_gap_s: float) -> np.ndarray:
    """Linear interpolation over runs of `bad` frames no longer than `max_gap_s`; longer -> NaN."""
    y = np.where(bad, np.nan, x)
    good = ~np.isnan(y)
    if good.sum() < 2 or good.all():
        return y
    filled = np.interp(t, t[good], y[good])
    idx = np.flatnonzero(~good)
    run_start = np.r_[True, np.diff(idx) > 1]
    starts, ends = idx[run_start], idx[np.r_[run_start[1:], True]]
    for a, b in zip(starts, ends, strict=True):
        left, right = (t[a - 1] if a > 0 else -np.inf), (t[b + 1] if b + 1 < t.size else np.inf)
        if right - left <= max_gap_s + 1e-9 and np.isfinite(left) and np.isfinite(right):
            y[a:b + 1] = filled[a:b + 1]
    return y


def robust_spread(x: np.ndarray, axis: int | None = None) -> np.ndarray:
    """The median absolute deviation of `x` along `axis`, scaled to a normal's standard
    deviation (1.4826 MAD); NaNs ignored."""
    med = np.nanmedian(x, axis=axis, keepdims=True)
    return np.asarray(1.4826 * np.nanmedian(np.abs(x - med), axis=axis))


def compute_noise(score: np.ndarray) -> float:
    """Robust noise of a track (n,): the MAD of its frame-to-frame differences / sqrt(2)."""
    d = np.diff(score[np.isfinite(score)])
    if d.size < 3:
        return 0.0
    return float(robust_spread(d) / np.sqrt(2.0))
