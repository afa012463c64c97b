"""Spotting expression episodes in per-emotion score tracks (pure).

A score track (the strongest emotion's evidence over its threshold, see `detect.py`): each run
above the threshold is widened to where the score falls back to a fraction of its peak (onset and
offset, as librosa backtracks onsets), with the apex at the peak. Runs closer than `merge_gap_s`
become one episode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.signal import frame_period, runs


@dataclass(frozen=True)
class SpotterOptions:
    threshold: float = 0.12  # peak score an episode must reach
    noise_k: float = 4.0  # ... and this many noise deviations above neutral
    low_fraction: float = 0.08  # onset/offset: where the score falls below this fraction of peak
    min_duration_s: float = 0.1
    merge_gap_s: float = 0.5
    speech_penalty: float = 0.25  # added to the threshold of mouth emotions while talking
    min_core_frames: int = 2  # frames at or above the threshold an episode needs: a smooth
    # score that touches its threshold on one frame is noise, whatever its widened length


@dataclass(frozen=True)
class Interval:
    """Frame indices of an episode: first, apex and last frame (inclusive), and its peak."""

    first: int
    apex: int
    last: int
    peak: float






def detect_intervals(t: np.ndarray, score: np.ndarray, *, threshold: float | np.ndarray,
                     options: SpotterOptions) -> list[Interval]:
    """Episodes of one emotion's score track (n,) at times t (n,); see the module docstring.

    `threshold` is a number or a per-frame array (n,) (higher while talking, for instance).
    """
    s = np.nan_to_num(score, nan=0.0)
    found: list[Interval] = []
    for a, b in runs(s >= threshold):
        if b - a + 1 < options.min_core_frames:
            continue
        apex = a + int(np.argmax(s[a:b + 1]))
        low = options.low_fraction * s[apex]
        first, last = a, b
        while first > 0 and s[first - 1] >= low and s[first - 1] <= s[first] + 0.5 * low:
            first -= 1
        while last + 1 < s.size and s[last + 1] >= low and s[last + 1] <= s[last] + 0.5 * low:
            last += 1
        found.append(Interval(first, apex, last, float(s[apex])))
    return merge_intervals(t, found, options)


def merge_intervals(t: np.ndarray, found: list[Interval], options: SpotterOptions
                    ) -> list[Interval]:
    """Intervals closer than `merge_gap_s` joined (the apex at the higher peak), then those
    shorter than `min_duration_s` dropped."""
    merged: list[Interval] = []
    for iv in sorted(found, key=lambda x: x.first):
        if merged and t[iv.first] - t[merged[-1].last] <= options.merge_gap_s:
            prev = merged[-1]
            apex = prev.apex if prev.peak >= iv.peak else iv.apex
            merged[-1] = Interval(prev.first, apex, max(prev.last, iv.last),
                                  max(prev.peak, iv.peak))
        else:
            merged.append(iv)
    frame = frame_period(t)
    # (with a rounding margin: three frames at 30 fps are 0.1 s)
    return [iv for iv in merged
            if t[iv.last] - t[iv.first] + frame >= options.min_duration_s - 1e-6]
