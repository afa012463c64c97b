"""From emotion scores to classified episodes: spotting + classification for every emotion."""

from __future__ import annotations

import numpy as np

from mirror.events.classify import classify_episode
from mirror.events.model import Event
from mirror.events.spot import SpotterOptions, compute_noise, detect_intervals, dominant
from mirror.expressions.actions import ActionUnits
from mirror.expressions.emotions import MOUTH_EMOTIONS, EmotionScores
from mirror.profiles import SpotOptions


def spotter_options(spot: SpotOptions) -> SpotterOptions:
    return SpotterOptions(
        threshold=spot.min_intensity / spot.sensitivity,
        noise_k=4.0 / spot.sensitivity,
        min_duration_s=spot.min_duration_s,
        merge_gap_s=spot.merge_gap_s,
    )


def detect_events(scores: EmotionScores, au: ActionUnits, spot: SpotOptions) -> list[Event]:
    """Every expression episode, sorted by start time."""
    opts = spotter_options(spot)
    won = dominant(scores.scores, dominance=opts.dominance)
    events: list[Event] = []
    for k, name in enumerate(scores.names):
        s = won[:, k]
        noise = compute_noise(scores.scores[:, k])
        threshold = max(opts.threshold, opts.noise_k * noise) + (
            opts.speech_penalty * scores.talking if name in MOUTH_EMOTIONS else 0.0)
        for iv in detect_intervals(scores.t, s, threshold=threshold, options=opts):
            events.append(classify_episode(
                expression=name, t=scores.t, s=scores.scores[:, k], au=au, first=iv.first,
                apex=iv.apex, last=iv.last, side_track=scores.side, noise=noise, options=spot))
    return sorted(resolve_overlaps(events), key=lambda e: e.start_s)


def resolve_overlaps(events: list[Event], *, max_shared: float = 0.5) -> list[Event]:
    """Drop an episode that lies mostly (> `max_shared` of its length) inside a stronger one.

    A 0.1 s flicker of contempt in the middle of a two-second smile is the smile's own
    asymmetry, not a second episode; strength is peak intensity x duration.
    """
    kept: list[Event] = []
    for e in sorted(events, key=lambda e: e.intensity * e.duration_s, reverse=True):
        inside = any(
            min(e.end_s, k.end_s) - max(e.start_s, k.start_s) > max_shared * e.duration_s
            for k in kept)
        if not inside:
            kept.append(e)
    return kept


def noise_levels(scores: EmotionScores) -> dict[str, float]:
    return {n: round(compute_noise(scores.scores[:, k]), 4) for k, n in enumerate(scores.names)}


def leaks_per_minute(events: list[Event], duration_s: float) -> float:
    if duration_s <= 0:
        return 0.0
    return float(np.round(sum(e.kind == "leak" for e in events) / (duration_s / 60.0), 2))
