"""Cue episodes from the face tracks, the action units and the emotion episodes (pure).

Each cue is a run of its own signal above a threshold (a fixed floor or, when the recording is
noisier, a multiple of the signal's own noise), widened to where the signal falls back
(`mirror.events.spot.detect_intervals`), and kept only when it lasts as long as the cue does:

- gaze_aversion: gaze (eyes in the head plus the head's turn) away from where the person looks at
  rest; direction left/right/up/down; `reading` when it is down while the person talks.
- head_tilt: the eye line's roll away from the usual; nod: a quick dip of the head while not
  talking (nods while talking are emphasis).
- brow_flash: inner and outer brows raised together briefly (AU1 and AU2, or the brows'
  landmarks above where they rest), the upper lids not raised (that would be surprise); also
  while talking, where it marks a stressed word (Ekman 1979), unless `brow_while_talking` is off.
- lip_press: lips pressed thin (AU24, or the red lips thinner than where they rest) with the
  mouth closed, not part of an anger episode.
- tension: narrowed eyes (AU7) with a lowered brow, pressed or tightened lips, held (through
  blinks), not a smile's squint nor the lids following eyes turned away; where an anger episode
  covers it, only when the eyes narrow more than the brows lower.
- masking: a negative expression replaced within `mask_gap_s` by a smile (one episode, both
  parts). A negative flash that just ends in a straight face stays a leak: its offset cannot
  be told from a squelch at 30 fps (tried: on generated clips it flagged as many ordinary leaks
  as squelched ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.cues.model import Cue, CuePart
from mirror.cues.signals import (
    compute_brow_raise,
    compute_gaze,
    compute_head_roll,
    compute_lip_thinning,
    eyes_closed,
)
from mirror.events.model import Event
from mirror.events.spot import Interval, SpotterOptions, detect_intervals
from mirror.expressions.actions import ActionUnits
from mirror.expressions.emotions import EmotionScores
from mirror.signal import compute_noise, dilate, frame_period, rolling, runs
from mirror.tracks import FaceTracks

# What a smile can mask. Not contempt: a smile that rises unevenly is one-sided for a moment,
# and contempt is a one-sided smile (the two cannot be told apart at a smile's onset).
NEGATIVE = ("anger", "fear", "disgust", "sadness")


@dataclass(frozen=True)
class CueOptions:
    gaze_deg: float = 8.0  # gaze this far from rest (degrees) ...
    gaze_min_s: float = 0.3  # ... for this long is an aversion
    narrowed_max: float = 0.25  # AU7 above this: an upward gaze reading is the lids, not the eyes
    gaze_low_fraction: float = 0.5  # eyes move in saccades: an aversion's flanks are steep
    gaze_merge_s: float = 0.6  # away, back for less than this, away again: one aversion
    iris_settle_s: float = 0.25  # after a blink the model's irises take this long to settle
    blink_max_s: float = 0.5  # eyes shut longer than this are lowered lids, not a blink
    rest_window_s: float = 8.0  # "rest" follows slow drifts: the rolling median over this window
    tilt_deg: float = 6.0
    tilt_min_s: float = 0.5
    nod_deg: float = 4.0
    nod_min_s: float = 0.2
    nod_max_s: float = 1.2
    brow: float = 0.35  # AU1 and AU2 level (full AU = 1)
    brow_min_s: float = 0.12  # the raise itself is often only 1/6 s (Eibl-Eibesfeldt)
    brow_max_s: float = 1.5
    # Raised brows pull the upper lids up too (AU5 0.4-0.6 under a full brow raise): only lids
    # raised beyond that pull, AU5 above this share of the brows' raise (+ 0.05), make it
    # surprise (the spotter's surprise uses the same ratio, mirror.expressions.emotions).
    brow_lid_ratio: float = 0.75
    # Brow raises while talking (batons on stressed words, Ekman 1979) are brow flashes too: a
    # signal, not surprise (issue 12; the foreign set and mirror's generator label them so).
    # False: only brow flashes away from speech (docs/cues.md has both numbers).
    brow_while_talking: bool = True
    lip_press: float = 0.3
    lip_min_s: float = 0.35
    tension: float = 0.25
    tension_min_s: float = 1.0
    tension_bridge_s: float = 0.8  # a dip in the tension this short (a blink) does not end it
    smile_max: float = 0.3  # no tension reading while smiling (a smile narrows the eyes too)
    talking_max: float = 0.35  # mean articulation over a cue above this: it belongs to speech
    noise_k: float = 4.0
    mask_gap_s: float = 0.5  # a smile starting this soon after a negative expression masks it
    # (from the smile's start: where its rise began, not where it crossed its threshold)
    low_fraction: float = 0.3


def _episodes(t: np.ndarray, s: np.ndarray, threshold: float, min_s: float, *,
          low_fraction: float, max_s: float | None = None, merge_gap_s: float = 0.2
          ) -> list[Interval]:
    # a cue's own minimum length (`min_s`) is what filters it, not the frames above threshold
    opts = SpotterOptions(low_fraction=low_fraction, min_duration_s=min_s,
                          merge_gap_s=merge_gap_s, min_core_frames=1)
    found = detect_intervals(t, s, threshold=threshold, options=opts)
    if max_s is None:
        return found
    fr = frame_period(t)
    return [iv for iv in found if t[iv.last] - t[iv.first] + fr <= max_s]


def _threshold(s: np.ndarray, floor: float, k: float) -> float:
    return max(floor, k * compute_noise(s))


def _mean(x: np.ndarray, iv: Interval) -> float:
    seg = x[iv.first:iv.last + 1]
    return float(np.nanmean(seg)) if seg.size else 0.0


def _confidence(peak: float, threshold: float) -> float:
    return float(np.clip((peak / max(threshold, 1e-9) - 1.0) / 1.5 + 0.5, 0.0, 1.0))


def _cue(name: str, t: np.ndarray, iv: Interval, threshold: float, full: float, **kw: object
         ) -> Cue:
    fr = frame_period(t)
    return Cue(cue=name, start_s=float(t[iv.first]), apex_s=float(t[iv.apex]),
               end_s=float(t[iv.last]) + fr, intensity=float(np.clip(iv.peak / full, 0, 1)),
               confidence=_confidence(iv.peak, threshold), **kw)  # type: ignore[arg-type]


def _overlaps(a0: float, a1: float, events: list[Event], names: tuple[str, ...],
              share: float = 0.3, min_intensity: float = 0.3) -> bool:
    """Whether a clear episode of one of `names` covers more than `share` of a0..a1 (a weak
    reading of an emotion does not explain a cue away)."""
    return any(e.expression in names and e.intensity >= min_intensity
               and min(a1, e.end_s) - max(a0, e.start_s) > share * (a1 - a0) for e in events)


def _detrend(t: np.ndarray, x: np.ndarray, window_s: float) -> np.ndarray:
    frames = max(3, round(window_s / frame_period(t)) | 1)
    base = rolling(x, frames=frames, fn="median")
    return np.asarray(x - base)


def detect_gaze(tracks: FaceTracks, au: ActionUnits, opts: CueOptions) -> list[Cue]:
    settle = round(opts.iris_settle_s / frame_period(au.t))
    unseen = dilate(short_blinks(au.t, au.blink, opts.blink_max_s), after=settle) | eyes_closed(
        tracks, au.reliable)
    # a blink during an aversion hides the irises for the blink and their settling after it:
    # bridged (an aversion does not end because the eyes closed for a moment)
    g = compute_gaze(tracks, au.reliable, unseen, max_gap_s=opts.blink_max_s + opts.iris_settle_s)
    h = _detrend(au.t, g["h"], opts.rest_window_s)
    v = _detrend(au.t, g["v"], opts.rest_window_s)
    mag = np.nan_to_num(np.hypot(h, v))
    thr = _threshold(mag, opts.gaze_deg, opts.noise_k)
    out = []
    for iv in _episodes(au.t, mag, thr, opts.gaze_min_s, low_fraction=opts.gaze_low_fraction,
                    merge_gap_s=opts.gaze_merge_s):
        hh, vv = float(h[iv.apex]), float(v[iv.apex])
        direction = gaze_direction(hh, vv)
        eye = float(np.hypot(g["eye_h"][iv.apex], g["eye_v"][iv.apex]))
        head = float(np.hypot(g["head_h"][iv.apex], g["head_v"][iv.apex]))
        if direction == "up" and au["AU7"][iv.apex] > opts.narrowed_max:
            continue  # narrowed lids push the model's iris centre up: not a glance up
        reading = direction == "down" and _mean(au.talking, iv) > opts.talking_max
        out.append(_cue("gaze_aversion", au.t, iv, thr, 30.0, direction=direction,
                        reading=reading, evidence={"gaze_deg": float(iv.peak), "eye_deg": eye,
                                                   "head_deg": head, "h_deg": hh, "v_deg": vv}))
    return out


def gaze_direction(h: float, v: float) -> str:
    """The main direction of a gaze offset (h towards the person's left, v down)."""
    if abs(h) >= abs(v):
        return "left" if h > 0 else "right"
    return "down" if v > 0 else "up"


def short_blinks(t: np.ndarray, blink: np.ndarray, max_s: float) -> np.ndarray:
    """The blink frames in runs no longer than `max_s`: longer "blinks" are lowered lids
    (looking down), during which the iris is still measured."""
    out = np.zeros_like(blink)
    fr = frame_period(t)
    for a, b in runs(blink):
        if (b - a + 1) * fr <= max_s:
            out[a:b + 1] = True
    return out


def detect_head_tilt(tracks: FaceTracks, au: ActionUnits, opts: CueOptions) -> list[Cue]:
    roll = _detrend(au.t, np.where(au.reliable, compute_head_roll(tracks), np.nan),
                    opts.rest_window_s)
    roll = np.nan_to_num(roll)
    out = []
    for sign, direction in ((1.0, "left"), (-1.0, "right")):
        s = sign * roll
        thr = _threshold(s, opts.tilt_deg, opts.noise_k)
        for iv in _episodes(au.t, s, thr, opts.tilt_min_s, low_fraction=opts.low_fraction):
            out.append(_cue("head_tilt", au.t, iv, thr, 20.0, direction=direction,
                            evidence={"roll_deg": float(iv.peak)}))
    return out


def detect_nods(tracks: FaceTracks, au: ActionUnits, opts: CueOptions) -> list[Cue]:
    pitch = np.where(au.reliable, tracks.pose[:, 1].astype(np.float64), np.nan)
    dip = np.nan_to_num(_detrend(au.t, pitch, 2.5))
    thr = _threshold(dip, opts.nod_deg, opts.noise_k)
    out = []
    for iv in _episodes(au.t, dip, thr, opts.nod_min_s, low_fraction=opts.low_fraction,
                    max_s=opts.nod_max_s):
        if _mean(au.talking, iv) > opts.talking_max:
            continue
        out.append(_cue("nod", au.t, iv, thr, 15.0,
                        evidence={"pitch_deg": float(iv.peak)}))
    return out


def brow_flash_signal(tracks: FaceTracks, au: ActionUnits, opts: CueOptions) -> np.ndarray:
    """(n,) inner and outer brows raised together: the lesser of AU1 and AU2, or the brows'
    landmark rise above where they rest when that is larger (on faces whose brow blendshapes
    stay near zero, the action units read half of what the landmarks show)."""
    rest = max(3, round(opts.rest_window_s / frame_period(au.t)))
    geo = compute_brow_raise(tracks, au.reliable, rest_frames=rest)
    return np.asarray(np.maximum(np.minimum(au["AU1"], au["AU2"]), geo))


def detect_brow_flash(tracks: FaceTracks, au: ActionUnits, events: list[Event], opts: CueOptions
                      ) -> list[Cue]:
    s = brow_flash_signal(tracks, au, opts)
    thr = _threshold(s, opts.brow, opts.noise_k)
    out = []
    for iv in _episodes(au.t, s, thr, opts.brow_min_s, low_fraction=opts.low_fraction,
                    max_s=opts.brow_max_s):
        c = _cue("brow_flash", au.t, iv, thr, 1.0,
                 evidence={"AU1": float(au["AU1"][iv.apex]), "AU2": float(au["AU2"][iv.apex]),
                           "AU5": float(au["AU5"][iv.apex]), "brow_raise": float(iv.peak)})
        talking = _mean(au.talking, iv) > opts.talking_max and not opts.brow_while_talking
        brows = min(float(au["AU1"][iv.apex]), float(au["AU2"][iv.apex]))
        lids_beyond = au["AU5"][iv.apex] > opts.brow_lid_ratio * (brows + 0.05)
        if (lids_beyond or talking
                or _overlaps(c.start_s, c.end_s, events, ("surprise", "fear", "sadness"),
                             min_intensity=0.4)):
            continue
        out.append(c)
    return out


def lip_press_signal(tracks: FaceTracks, au: ActionUnits, opts: CueOptions) -> np.ndarray:
    """(n,) lips pressed with the mouth closed: AU24, or the red lips' thinning below where they
    rest when that is larger (blind mouthPress blendshapes), faded out as the jaw opens."""
    rest = max(3, round(opts.rest_window_s / frame_period(au.t)))
    thin = compute_lip_thinning(tracks, au.reliable, rest_frames=rest)
    return np.asarray(np.maximum(au["AU24"], thin) * (1.0 - np.clip(au["AU26"] / 0.3, 0.0, 1.0)))


def detect_lip_press(tracks: FaceTracks, au: ActionUnits, events: list[Event], opts: CueOptions
                     ) -> list[Cue]:
    s = lip_press_signal(tracks, au, opts)
    thr = _threshold(s, opts.lip_press, opts.noise_k)
    out = []
    for iv in _episodes(au.t, s, thr, opts.lip_min_s, low_fraction=opts.low_fraction):
        # the press as measured (AU24 or the lips' thinning, whichever is larger); AU24 itself
        # only where it read (on some faces mouthPress stays at zero: "0 % of a full press"
        # beside a press says nothing)
        evidence = {"pressed": float(iv.peak)}
        if au["AU24"][iv.apex] >= 0.05:
            evidence |= {n: float(au[n][iv.apex]) for n in ("AU24", "AU24_r", "AU24_l")}
        c = _cue("lip_press", au.t, iv, thr, 1.0, evidence=evidence)
        if _mean(au.talking, iv) > opts.talking_max or _overlaps(
                c.start_s, c.end_s, events, ("anger", "happiness"), share=0.5):
            continue
        out.append(c)
    return out


def averted_frames(t: np.ndarray, gaze: list[Cue], *, margin_s: float = 0.1) -> np.ndarray:
    """(n,) bool: the frames of the gaze aversions found, widened by `margin_s` each side."""
    out = np.zeros(t.size, dtype=bool)
    for c in gaze:
        out |= (t >= c.start_s - margin_s) & (t <= c.end_s + margin_s)
    return out


def tension_signal(au: ActionUnits, opts: CueOptions, averted: np.ndarray | None = None
                   ) -> np.ndarray:
    """(n,) the geometric mean of narrowed lids (AU7) and the strongest tightening lower down
    (brows lowered AU4, lips pressed AU24 or tightened AU23), zero while smiling and while the
    eyes are turned away (`averted`): the face model reads the lids as narrowing whenever the
    eyes turn far sideways or down, on every face of the foreign set (AU7 0.35-0.7)."""
    tight = np.maximum.reduce([au["AU4"], au["AU24"], au["AU23"]])
    s = np.sqrt(np.clip(au["AU7"], 0, None) * np.clip(tight, 0, None))
    # a blink blanks the eye AUs for itself and its tail (up to `tension_bridge_s`): a held
    # tightening goes on through it (a closing: dips this short are filled, edges stay put)
    frames = max(3, round(opts.tension_bridge_s / frame_period(au.t)) | 1)
    s = rolling(rolling(s, frames=frames, fn="max"), frames=frames, fn="min")
    s = np.where(au["AU12"] > opts.smile_max, 0.0, s)
    if averted is not None:
        s = np.where(averted, 0.0, s)
    return np.asarray(s)


def detect_tension(au: ActionUnits, events: list[Event], opts: CueOptions,
                   averted: np.ndarray | None = None) -> list[Cue]:
    s = tension_signal(au, opts, averted)
    thr = _threshold(s, opts.tension, opts.noise_k)
    out = []
    for iv in _episodes(au.t, s, thr, opts.tension_min_s, low_fraction=opts.low_fraction,
                    merge_gap_s=0.5):
        c = _cue("tension", au.t, iv, thr, 1.0,
                 evidence={"AU7": float(au["AU7"][iv.apex]), "AU4": float(au["AU4"][iv.apex]),
                           "AU24": float(au["AU24"][iv.apex]),
                           "AU23": float(au["AU23"][iv.apex])})
        anger_like = au["AU4"][iv.apex] >= au["AU7"][iv.apex]
        if anger_like and _overlaps(c.start_s, c.end_s, events, ("anger", "disgust", "fear"),
                                    share=0.5):
            continue
        out.append(c)
    return out


def _masked_part(scores: EmotionScores, ratio: np.ndarray, lo: int, hi: int
                 ) -> tuple[CuePart, float] | None:
    """The strongest negative expression standing above its threshold in frames lo..hi, and
    its score at the apex."""
    best: tuple[float, int, int] | None = None
    for k, name in enumerate(scores.names):
        if name in NEGATIVE and hi > lo:
            i = lo + int(np.argmax(ratio[lo:hi, k]))
            if ratio[i, k] >= 1.0 and (best is None or ratio[i, k] > best[0]):
                best = (float(ratio[i, k]), i, k)
    if best is None:
        return None
    _, apex, k = best
    first, last = apex, apex
    while first > 0 and ratio[first - 1, k] >= 0.3:
        first -= 1
    while last + 1 < ratio.shape[0] and ratio[last + 1, k] >= 0.3:
        last += 1
    t = scores.t
    part = CuePart(role="masked", expression=scores.names[k], start_s=float(t[first]),
                   apex_s=float(t[apex]), end_s=float(t[last]) + frame_period(t))
    return part, float(scores.scores[apex, k])


def detect_masking(events: list[Event], scores: EmotionScores, thresholds: np.ndarray,
                   opts: CueOptions) -> list[Cue]:
    """A negative expression, then a smile that takes over before it has gone or within
    `mask_gap_s` of its end. The negative part may be its own episode, or (when the smile
    followed too fast for the spotter to split them) a run of a negative score above its
    threshold just before the smile rises."""
    ratio = np.nan_to_num(scores.scores / thresholds)
    hap = scores.names.index("happiness")
    out = []
    for sm in (e for e in events if e.expression == "happiness"):
        first, apex = _index(scores.t, sm.start_s), _index(scores.t, sm.apex_s)
        rising = np.flatnonzero(ratio[first:apex + 1, hap] >= 1.0)
        takeover = first + int(rising[0]) if rising.size else apex
        lo = _index(scores.t, sm.start_s - opts.mask_gap_s - 1.0)
        found = _masked_part(scores, ratio, lo, takeover + 1)
        if found is None:
            continue
        masked, intensity = found
        at = float(scores.t[takeover])
        onset = float(scores.t[_onset(ratio[:, hap], takeover, opts.low_fraction)])
        if masked.apex_s >= at + 0.05 or onset - masked.end_s > opts.mask_gap_s:
            continue
        mask = CuePart(role="mask", expression="happiness", start_s=at, apex_s=sm.apex_s,
                       end_s=sm.end_s)
        out.append(Cue(cue="masking", start_s=masked.start_s, apex_s=at, end_s=sm.end_s,
                       intensity=intensity, confidence=sm.confidence, parts=(masked, mask),
                       evidence={"gap_s": max(onset - masked.end_s, 0.0),
                                 "smile_intensity": sm.intensity}))
    return out


def _onset(ratio: np.ndarray, i: int, low: float) -> int:
    """Where a rise that crosses its threshold at frame `i` began: walking back while the
    score/threshold ratio stays at `low` or above (a slow or weak smile crosses its threshold
    well after it started; the gap to the masked expression is measured from its start)."""
    while i > 0 and ratio[i - 1] >= low:
        i -= 1
    return i


def _index(t: np.ndarray, x: float) -> int:
    return int(np.clip(np.searchsorted(t, x), 0, t.size - 1))


def detect_cues(tracks: FaceTracks, au: ActionUnits, scores: EmotionScores,
                thresholds: np.ndarray, events: list[Event], options: CueOptions | None = None
                ) -> list[Cue]:
    """Every cue episode of a recording, sorted by start time."""
    opts = options or CueOptions()
    if tracks.n < 3:
        return []
    gaze = detect_gaze(tracks, au, opts)
    cues = [*gaze, *detect_head_tilt(tracks, au, opts),
            *detect_nods(tracks, au, opts), *detect_brow_flash(tracks, au, events, opts),
            *detect_lip_press(tracks, au, events, opts),
            *detect_tension(au, events, opts, averted_frames(au.t, gaze)),
            *detect_masking(events, scores, thresholds, opts)]
    return sorted(cues, key=lambda c: (c.start_s, c.cue))
