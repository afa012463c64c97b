"""From emotion scores and facial movement to classified episodes.

Spot first, name second: an episode is an interval where some emotion stands above its threshold
(each emotion's score divided by its own threshold, so they compare), widened to where that
evidence falls back, and named by the emotion with the most evidence over it (summed in units
of its own threshold). An interval is split only where another emotion leads for a sustained
stretch (`min_run_s`), so a held smile whose asymmetry flickers towards contempt stays one smile;
a run's ends where another emotion leads are that emotion's tail and are trimmed off. One
display stays one episode (`merge_displays`): pieces that overlap on the same face region, or
the same emotion again within the profile's merge gap, are joined. Then every clear movement
(`movement.compute_movement`) that no such episode covers is an episode too: named when an
emotion nearly fits, else unnamed, described by what moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.events.classify import classify_episode, detect_regions
from mirror.events.model import UNNAMED, Event
from mirror.events.movement import MOVE_LEVEL, MOVEMENT_MIN_S, movement_levels
from mirror.events.spot import SpotterOptions, detect_intervals, merge_intervals
from mirror.expressions.actions import ActionUnits
from mirror.expressions.emotions import HELD_THROUGH_SPEECH_S, SPEECH_PENALTY, EmotionScores
from mirror.expressions.talking import follows_jaw
from mirror.profiles import SpotOptions
from mirror.signal import compute_noise, frame_period, held_above


def spotter_options(spot: SpotOptions) -> SpotterOptions:
    return SpotterOptions(
        threshold=spot.min_intensity / spot.sensitivity,
        noise_k=4.0 / spot.sensitivity,
        min_duration_s=spot.min_duration_s,
        merge_gap_s=spot.merge_gap_s,
    )


def compute_thresholds(scores: EmotionScores, opts: SpotterOptions) -> np.ndarray:
    """(n, 7) per-frame threshold of each emotion: profile minimum or noise, plus speech."""
    thr = np.empty_like(scores.scores, dtype=np.float64)
    for k, name in enumerate(scores.names):
        base = max(opts.threshold, opts.noise_k * compute_noise(scores.scores[:, k]))
        talking = scores.talking
        if name == "happiness" and scores.speech_smile is not None:
            talking = talking * scores.speech_smile
        extra = SPEECH_PENALTY.get(name, 0.0) * opts.speech_penalty / 0.25 * talking
        if name in HELD_THROUGH_SPEECH_S:
            held = held_above(scores.t, scores.scores[:, k], base,
                              min_s=HELD_THROUGH_SPEECH_S[name])
            extra = np.where(held, 0.0, extra)
        thr[:, k] = base + extra
    return thr


def nameable(scores: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """The interval's scores (m, 7) with the emotions that never reach their own threshold
    (`ratio` (m, 7) < 1 throughout) set to 0: an episode is named by an emotion that stands
    above its threshold in it, not by one whose weak evidence merely lasts longer (that naming
    then failed its own threshold and the episode was dropped). Unchanged when none does."""
    eligible = ratio.max(axis=0) >= 1.0
    return np.where(eligible, scores, 0.0) if eligible.any() else scores


def _mode_filter(labels: np.ndarray, k: int, half: int) -> np.ndarray:
    onehot = np.eye(k)[labels]
    padded = np.pad(onehot, ((half, half), (0, 0)), mode="edge")
    counts = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0).sum(axis=2)
    return np.asarray(np.argmax(counts, axis=1))


def split_by_leader(t: np.ndarray, scores: np.ndarray, *, min_run_s: float
                    ) -> list[tuple[int, int, int]]:
    """Runs (first, last, emotion index) of the leading emotion in one interval (m, 7).

    Leads shorter than `min_run_s` are absorbed by their neighbours; a short interval is one run
    labelled by the emotion with the largest summed score.
    """
    m = scores.shape[0]
    frame = frame_period(t)
    min_frames = max(1, round(min_run_s / frame))
    if m < 2 * min_frames:
        return [(0, m - 1, int(np.argmax(scores.sum(axis=0))))]
    lead = _mode_filter(np.argmax(scores, axis=1), scores.shape[1], max(1, min_frames // 4))
    cuts = np.flatnonzero(np.diff(lead)) + 1
    runs = [[int(a), int(b) - 1] for a, b in zip(np.r_[0, cuts], np.r_[cuts, m], strict=True)]
    while len(runs) > 1:
        lengths = [b - a + 1 for a, b in runs]
        i = int(np.argmin(lengths))
        if lengths[i] >= min_frames:
            break
        j = i - 1 if i == len(runs) - 1 or (i > 0 and lengths[i - 1] >= lengths[i + 1]) else i + 1
        a, b = min(runs[i][0], runs[j][0]), max(runs[i][1], runs[j][1])
        runs[min(i, j)] = [a, b]
        del runs[max(i, j)]
    out: list[tuple[int, int, int]] = []
    for a, b in runs:
        k = int(np.argmax(scores[a:b + 1].sum(axis=0)))
        if out and out[-1][2] == k:
            out[-1] = (out[-1][0], b, k)
        else:
            out.append((a, b, k))
    return out


def join_blends(leads: list[tuple[int, int, int]], scores: np.ndarray, ratio: np.ndarray, *,
                persist: float = 0.5) -> list[tuple[int, int, int]]:
    """Adjacent lead runs (first, last, emotion) of one interval joined where they are one
    display: one emotion stays above its threshold (`ratio` (m, 7) >= 1) through at least
    `persist` of the other's run (a blend, or a display whose leader changes as it develops, such
    as fear losing its lip stretch); named again by the largest summed score. Two expressions in
    a row are kept apart: the first has faded by the time the second leads."""
    out: list[tuple[int, int, int]] = []
    for a, b, k in leads:
        if out:
            a0, b0, k0 = out[-1]
            if np.mean(ratio[a:b + 1, k0] >= 1.0) >= persist or \
                    np.mean(ratio[a0:b0 + 1, k] >= 1.0) >= persist:
                out[-1] = (a0, b, int(np.argmax(scores[a0:b + 1].sum(axis=0))))
                continue
        out.append((a, b, k))
    return out


def trim_to_leader(named: np.ndarray, a: int, b: int, k: int) -> tuple[int, int]:
    """The run [a, b] of emotion `k` without its ends where another nameable emotion leads
    while `k` is below its threshold (`named` (m, 7): each emotion's score over its threshold,
    0 for those never reaching it in the interval). Short leads are absorbed into a run (a held
    smile's flicker towards contempt), but at the ends they are the neighbour's tail, not this
    display: the nose wings settling after a smile flash."""
    def other_leads(i: int) -> bool:
        return named[i, k] < 1.0 and bool(np.delete(named[i], k).max() > named[i, k])

    while a < b and other_leads(a):
        a += 1
    while b > a and other_leads(b):
        b -= 1
    return a, b


# The landmark model's action units fall back slowly once a display has ended (its landmark
# smoothing, the mesh settling): an episode ends where its own emotion has fallen to this fraction
# of its apex, not where the tail fades into the noise. Onsets still walk down to a few per cent
# (a score starts late, see `movement_onset`). Measured: 0.15-0.35 give the same episodes on the
# foreign and held-out sets.
OFFSET_FRACTION = 0.25


def trim_to_own(r: np.ndarray, a: int, b: int, *, low_fraction: float,
                end_fraction: float = OFFSET_FRACTION) -> tuple[int, int]:
    """The run [a, b] without its start where its own emotion's ratio `r` (m,) is below
    `low_fraction` of its peak in the run, nor its end below `end_fraction` of it: the interval
    was found on the strongest of all emotions, and its ends may be another emotion's faint
    stirring (the nose wings before a one-sided lip pull) or this one's slow tail. The
    episode's onset is then found on its own movement."""
    peak = float(r[a:b + 1].max())
    while a < b and r[a] < low_fraction * peak:
        a += 1
    while b > a and r[b] < end_fraction * peak:
        b -= 1
    return a, b


def extend_bounds(s: np.ndarray, first: int, apex: int, last: int, *,
                  floor: float = 0.05, end_floor: float = OFFSET_FRACTION) -> tuple[int, int]:
    """Widen [first, last] while the score keeps falling away from the apex: back to `floor` of
    the apex (onset backtracking), forward to `end_floor` of it (`OFFSET_FRACTION`).

    `s` (n,) is a lightly gated score of the episode's emotion: the gated one used for spotting
    cuts the slow start and end of the ramp off.
    """
    low, end_low = floor * s[apex], end_floor * s[apex]
    while first > 0 and low < s[first - 1] < s[first]:
        first -= 1
    while last + 1 < s.size and end_low < s[last + 1] < s[last]:
        last += 1
    return first, last


# The action units whose movement is each emotion's display (its EMFACS prototype; the table in
# docs/analysis.md): an episode starts when they start moving, however late its score rises.
CORE_AUS = {
    "happiness": ("AU12", "AU6"), "surprise": ("AU1", "AU2", "AU5"),
    "fear": ("AU1", "AU2", "AU4", "AU5", "AU20"), "anger": ("AU4", "AU7", "AU23", "AU24"),
    "disgust": ("AU9", "AU10"), "sadness": ("AU1", "AU4", "AU15", "AU17"),
    "contempt": ("AU12", "AU14", "AU12d"),
}


def core_movement(au: ActionUnits, expression: str, apex: int, *, active: float = 0.1
                  ) -> np.ndarray | None:
    """(n,) the summed level of the emotion's core action units that are moved at the apex
    (each on its stronger side), or None when none is."""
    cols = []
    for name in CORE_AUS.get(expression, ()):
        level = au.stronger_side(name)
        if level[apex] >= active:
            cols.append(level)
    return np.sum(cols, axis=0) if cols else None


def movement_onset(m: np.ndarray, first: int, last: int, *, floor: float = 0.05,
                   body: float = 0.5, max_frames: int = 15) -> int:
    """The episode's first frame moved back to where the movement `m` (n,) began: through its
    body (at least `body` of its peak inside [first, last]), then down its rising slope while
    it keeps falling backwards, to `floor` of the peak; at most `max_frames` earlier.

    A score starts late: its naming gates (the lids against the brows for surprise, the speech
    penalty) open only once the display is well under way, while the action units it is made of
    have been moving for a few frames already. Offsets need no such help (measured: the landmark
    model's action units decay after the display has ended, so they would overshoot instead)."""
    peak = float(m[first:last + 1].max())
    if peak <= 0:
        return first
    lo, hi = floor * peak, body * peak
    start = first
    while first > 0 and start - first < max_frames and m[first - 1] > lo and \
            (m[first - 1] >= hi or m[first - 1] < m[first]):
        first -= 1
    return first


@dataclass(frozen=True)
class Span:
    """One named episode in frames (inclusive) before it is classified: emotion index `k`."""

    first: int
    apex: int
    last: int
    k: int


def merge_displays(spans: list[Span], scores: EmotionScores, ratio: np.ndarray, au: ActionUnits,
                   *, merge_gap_s: float) -> list[Span]:
    """One display, one episode. Spans (in order of their starts) are joined when they are one movement:
    the same emotion again within `merge_gap_s` (the profile's promise: closer episodes of one
    emotion are one), or two that overlap in time (each widened to its own onset and offset)
    and move the same region of the face at their apexes: a laugh whose naming flips between
    happiness and disgust is one laugh, a smile that starts as a smirk is one smile. The joined
    span is named by the emotion with more evidence over it (summed in units of its threshold),
    its apex that emotion's peak. A surprise overlapping a smile (brows, mouth) stays two."""
    out: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.first, s.last)):
        if out:
            p = out[-1]
            gap = float(scores.t[sp.first] - scores.t[p.last])
            same = sp.k == p.k and gap <= merge_gap_s
            shared = set(detect_regions(au, p.apex)) & set(detect_regions(au, sp.apex))
            if same or (sp.first <= p.last and shared):
                first, last = min(p.first, sp.first), max(p.last, sp.last)
                sl = slice(first, last + 1)
                k = max((p.k, sp.k), key=lambda j: float(ratio[sl, j].sum()))
                apex = first + int(np.argmax(scores.scores[sl, k]))
                out[-1] = Span(first, apex, last, k)
                continue
        out.append(sp)
    return out


def detect_events(scores: EmotionScores, au: ActionUnits, spot: SpotOptions, *,
                  bounds: EmotionScores | None = None, min_run_s: float = 0.6,
                  thresholds: np.ndarray | None = None) -> list[Event]:
    """Every expression episode, sorted by start time.

    `bounds`: the same scores computed with a lower noise floor, used only to place onsets and
    offsets (see `extend_bounds`). `thresholds`: `compute_thresholds` of these scores, when the
    caller has them already.
    """
    opts = spotter_options(spot)
    thr = compute_thresholds(scores, opts) if thresholds is None else thresholds
    ratio = scores.scores / thr
    events: list[Event] = []
    spans: list[Span] = []
    prev_last = -1  # the last frame of the episode before: an onset never reaches back into it
    back = round(0.5 / frame_period(scores.t))  # an onset moves at most half a second earlier
    for iv in detect_intervals(scores.t, ratio.max(axis=1), threshold=1.0, options=opts):
        sl = slice(iv.first, iv.last + 1)
        # named in units of each emotion's own threshold: while talking, a lip emotion's raw
        # score says less than a brow emotion's, and a strong flash outweighs a weak tail
        named = nameable(ratio[sl], ratio[sl])
        leads = split_by_leader(scores.t[sl], named, min_run_s=min_run_s)
        for a, b, k in join_blends(leads, named, ratio[sl]):
            if is_speech(scores, au, k, iv.first + a, iv.first + b):
                continue
            a, b = trim_to_leader(named, a, b, k)
            a, b = trim_to_own(ratio[sl, k], a, b, low_fraction=opts.low_fraction)
            first, last = iv.first + a, iv.first + b
            s = scores.scores[:, k]
            apex = first + int(np.argmax(s[first:last + 1]))
            if s[apex] < thr[apex, k] * 0.75:
                continue
            if bounds is not None:
                first, last = extend_bounds(bounds.scores[:, k], first, apex, last)
            m = core_movement(au, scores.names[k], apex)
            if m is not None:
                first = min(first, max(movement_onset(m, first, last, max_frames=back),
                                       prev_last + 1))
            prev_last = last
            spans.append(Span(first, apex, last, k))
    for sp in merge_displays(spans, scores, ratio, au, merge_gap_s=opts.merge_gap_s):
        s = scores.scores[:, sp.k]
        events.append(classify_episode(
            expression=scores.names[sp.k], t=scores.t, s=s, au=au, first=sp.first,
            apex=sp.apex, last=sp.last, side_track=scores.side, noise=compute_noise(s),
            options=spot))
    events += detect_movements(scores, au, ratio, events, spot, opts)
    return sorted(resolve_overlaps(events), key=lambda e: e.start_s)


LIP_CORNER_EMOTIONS = ("happiness", "contempt")


def is_speech(scores: EmotionScores, au: ActionUnits, k: int, first: int, last: int) -> bool:
    """A lip-corner emotion (happiness, contempt) while talking whose score moves in lockstep
    with the jaw, without the cheeks or the inner brows taking part (a laugh lifts the cheeks):
    articulation, the corners spreading for "ee" and rounding for "oo". Disgust and sadness can
    open the jaw themselves (9+10+25/26) and are left to their own evidence."""
    sl = slice(first, last + 1)
    if scores.names[k] not in LIP_CORNER_EMOTIONS or au.talking[sl].mean() < 0.5:
        return False
    upper = max(float(au["AU6"][sl].max()), float(au["AU1"][sl].max()))
    return upper < 0.2 and follows_jaw(scores.scores[sl, k], au["AU26"][sl])


def detect_movements(scores: EmotionScores, au: ActionUnits, ratio: np.ndarray,
                     named: list[Event], spot: SpotOptions, opts: SpotterOptions) -> list[Event]:
    """Clear movements that no emotion episode covers: named by the emotion that nearly fits
    (three quarters of its threshold: the movement is clear, the prototype there), else unnamed.
    """
    levels = movement_levels(au)
    move = np.max(levels, axis=0)
    found: list[Event] = []
    opts = replace(opts, min_duration_s=max(opts.min_duration_s, MOVEMENT_MIN_S))
    # each action unit's own episodes, widened along its own track (another unit's slow drift
    # does not carry a brief movement on), then joined where they meet
    own = [iv for level in levels for iv in detect_intervals(scores.t, level, threshold=1.0,
                                                             options=opts)]
    for iv in merge_intervals(scores.t, own, opts):
        t0, t1 = float(scores.t[iv.first]), float(scores.t[iv.last])
        if any(min(t1, e.end_s) - max(t0, e.start_s) > 0 for e in named):
            continue
        sl = slice(iv.first, iv.last + 1)
        k = int(np.argmax(ratio[sl].sum(axis=0)))
        fits = float(ratio[sl, k].max()) >= 0.75
        s = scores.scores[:, k] if fits else move * MOVE_LEVEL
        apex = iv.first + int(np.argmax(s[sl]))
        found.append(classify_episode(
            expression=scores.names[k] if fits else UNNAMED, t=scores.t, s=s, au=au,
            first=iv.first, apex=apex, last=iv.last, side_track=scores.side,
            noise=compute_noise(s), options=spot))
    return found


def resolve_overlaps(events: list[Event], *, max_shared: float = 0.5) -> list[Event]:
    """Drop an episode that lies mostly (> `max_shared` of its length) inside a stronger one."""
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
