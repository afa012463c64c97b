"""From blendshapes and landmark geometry to FACS-like action-unit evidence (pure).

Each action unit (AU) is the mean of a few normalised components: a blendshape's rise above the
person's neutral value, or a geometric measure's change in the AU's direction, each divided by the
change a clear, full expression makes (so 1.0 is a full AU). MediaPipe's blind blendshapes
(noseSneer, eyeWide, cheekSquint; see SCIENCE.md) are complemented or replaced by geometry: the
nose wings' rise for AU9, the upper lid's height over the iris for AU5, the lower lid and cheek
for AU6. Sided AUs keep the person's right (`_r`) and left (`_l`) apart; contempt needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.expressions.neutral import Neutral, usable_frames
from mirror.expressions.talking import explain_jaw, explain_talking
from mirror.face.flow import flash, lag_frames
from mirror.face.gaze import eye_turn
from mirror.signal import (
    dilate,
    fill_gaps,
    frame_period,
    opening,
    robust_spread,
    rolling,
    runs,
    short_runs,
    window_frames,
)
from mirror.tracks import BS, FaceTracks

# (source, name, sign, full-scale change). Geometry is in inter-ocular distances.
Component = tuple[str, str, float, float]
FLOW_CAP = 1.0  # the flow says a nose wrinkle flashed, in full; its height past that is not trusted
FLOW_FULL = 0.03  # the nose wings' rise of a full AU9 in the pixels' flow, inter-ocular distances


def _sided(side: str) -> dict[str, tuple[Component, ...]]:
    bs = "Right" if side == "r" else "Left"
    s = side
    return {
        f"AU1_{s}": (("bs", "browInnerUp", 1, 0.45), ("geo", f"brow_in_{s}", 1, 0.07)),
        f"AU2_{s}": (("bs", f"browOuterUp{bs}", 1, 0.45), ("geo", f"brow_out_{s}", 1, 0.07)),
        f"AU4_{s}": (("bs", f"browDown{bs}", 1, 0.45), ("geo", f"brow_in_{s}", -1, 0.05),
                     ("geo", "brow_gap", -1, 0.05)),
        f"AU5_{s}": (("geo", f"lid_up_{s}", 1, 0.025), ("bs", f"eyeWide{bs}", 1, 0.3)),
        f"AU6_{s}": (("geo", f"lid_low_{s}", -1, 0.02), ("geo", f"cheek_{s}", -1, 0.04),
                     ("bs", f"eyeSquint{bs}", 1, 0.4)),
        f"AU7_{s}": (("bs", f"eyeSquint{bs}", 1, 0.4), ("geo", f"eye_open_{s}", -1, 0.035)),
        # the nose wings' rise read twice: in the landmarks, and in the pixels' own flow (a
        # flash too brief for the smoothed mesh; `mirror.face.flow`), when it was measured
        f"AU9_{s}": (("geo", f"nose_ala_{s}", -1, 0.03), ("bs", f"noseSneer{bs}", 1, 0.2),
                     ("flow", "nose_rise", 1, FLOW_FULL)),
        f"AU10_{s}": (("bs", f"mouthUpperUp{bs}", 1, 0.4), ("geo", "lip_to_nose", -1, 0.04)),
        f"AU12_{s}": (("bs", f"mouthSmile{bs}", 1, 0.55), ("geo", f"corner_up_{s}", 1, 0.06)),
        f"AU14_{s}": (("bs", f"mouthDimple{bs}", 1, 0.25),),
        f"AU15_{s}": (("bs", f"mouthFrown{bs}", 1, 0.25), ("geo", f"corner_up_{s}", -1, 0.04)),
        # the stretch of fear pulls the corners outwards; MediaPipe's mouthStretch barely moves
        f"AU20_{s}": (("bs", f"mouthStretch{bs}", 1, 0.3), ("geo", f"corner_out_{s}", 1, 0.035)),
        f"AU24_{s}": (("bs", f"mouthPress{bs}", 1, 0.35), ("geo", "lip_thickness", -1, 0.08)),
    }


AU_COMPONENTS: dict[str, tuple[Component, ...]] = {
    **_sided("r"), **_sided("l"),
    "AU17": (("bs", "mouthShrugLower", 1, 0.35),),
    # The part of AU4 that draws the brows together (fear raises and knits the brows at once,
    # so its brow lowering cancels out in the other AU4 components).
    "AU4k": (("geo", "brow_gap", -1, 0.035),),
    "AU26": (("bs", "jawOpen", 1, 0.35), ("geo", "mouth_open", 1, 0.25)),
    # lips pushed forward (a pout, an "oo"): no emotion's prototype, but a clear movement
    "AU18": (("bs", "mouthPucker", 1, 0.5),),
    "AU22": (("bs", "mouthFunnel", 1, 0.4),),
    # lips tightened: the mouth narrows (as the jaw opens it narrows too: explained per face)
    "AU23": (("geo", "mouth_width", -1, 0.05), ("bs", "mouthRollLower", 1, 0.4)),
    # the whole mouth pulled to one side (FACS has no action unit for it): both corners move
    # the same way, where contempt's one-sided dimpler pulls one corner and leaves the other
    "sideways_r": (("bs", "mouthRight", 1, 0.8),),
    "sideways_l": (("bs", "mouthLeft", 1, 0.8),),
}
SIDED = ("AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU10", "AU12", "AU14", "AU15",
         "AU20", "AU24")
# One lip corner raised above the other (AU12 on one side, measured as the corners' height
# difference: talking and head motion move both corners alike, so their difference is far
# quieter than either corner; a one-sided pull shows in it when each side alone stays in noise)
CORNER_RAISED = ("AU12d_r", "AU12d_l", "AU12d")  # right, left, and the stronger of the two
CORNER_FULL = 0.06  # height difference of a full one-sided AU12, in inter-ocular distances
CORNER_MAX_TURN_DEG = 10.0  # read only with the head near its usual pose (the mesh's mouth
# corners drift apart in height on a face turned or tilted further)
SIDEWAYS = "sideways"  # the mouth pulled to either side, the stronger of the two
AU_NAMES: tuple[str, ...] = tuple(AU_COMPONENTS) + SIDED + CORNER_RAISED + (SIDEWAYS,)
EYE_AUS = ("AU5", "AU6", "AU7")
# The lids as the landmark model reads them follow the eyes: looking down lowers the upper lid,
# looking aside narrows the eye. The lid AUs fade out as the eyes turn from their rest by more
# than the first angle (degrees), to nothing at the second: a downward glance is not anger's
# narrowed lids, nor a glance up fear's raised ones.
LID_GAZE_DEG = (8.0, 16.0)
LID_AUS = ("AU5", "AU7")
# AUs the landmark model moves with a blink although a blink does not move them (the brows and
# the nose wings follow the closing lids in its mesh): hidden over blinks and bridged up to
# `max_blink_gap_s`, so an expression around a blink goes on and a blink alone reads nothing
BLINK_COUPLED = ("AU4", "AU9")
STRONGEST = 0.3  # weight of an AU's strongest component against the mean of all
# Mouth AUs that speech moves too (the nose wings follow the upper lip in the landmark model).
SPEECH_AUS = ("AU9", "AU10", "AU12", "AU14", "AU15", "AU17", "AU18", "AU20", "AU22", "AU23",
              "AU24")
AU_REGION = {
    "AU1": "brows", "AU2": "brows", "AU4": "brows", "AU4k": "brows", "AU5": "lids", "AU7": "lids",
    "AU6": "cheeks", "AU9": "nose", "AU10": "mouth", "AU12": "mouth", "AU12d": "mouth",
    "AU14": "mouth", "AU15": "mouth", "AU17": "mouth", "AU18": "mouth", "AU20": "mouth",
    "AU22": "mouth", "AU23": "mouth", "AU24": "mouth", "AU26": "jaw", SIDEWAYS: "mouth",
}


@dataclass(frozen=True)
class ActionUnitOptions:
    max_gap_s: float = 0.2  # face lost up to this long is bridged by interpolation
    max_blink_gap_s: float = 0.5  # BLINK_COUPLED AUs (and AU10) are bridged over a blink up to this
    # long: a blink with its lagging reopening hides them 0.2-0.45 s (the model couples them) but
    # does not move them, so a frown goes on through it. Longer closures are eyes held shut, not
    # blinks. The lids' own AUs are the blink's and are not bridged further.
    blink_rise: float = 0.25  # eyeBlink above neutral by this much marks a blink
    blink_close: float = 0.6  # or the eye aperture below this fraction of neutral
    blink_reopen_frames: int = 3  # frames after a blink still bridged (the lids reopen late)
    blink_drop: float = 0.25  # or the aperture falls by this fraction of neutral within 3 frames
    blink_drop_below: float = 0.8  # ... to below this fraction (a lid closing at blink speed)
    blink_tail_s: float = 0.5  # after a blink, eye AUs still decaying are its tail, up to this long
    max_turn_deg: float = 25.0  # head turned further than this from its usual pose: unreliable
    noise_k: float = 2.0  # each component's level starts this many neutral spreads above neutral
    flow_noise_k: float = 4.0  # ... and a flow measure this many of its spreads over the recording
    speech_window_s: float = 0.5  # window of the articulation measure (jaw movement)
    speech_lo: float = 0.03  # articulation (std of jaw opening, AU units) where speech gating starts
    speech_hi: float = 0.10  # ... and where it is complete
    speech_floor_s: float = 0.1  # while talking, mouth AUs must persist this long to count
    explain_jaw: bool = True  # mouth AUs minus what this face's jaw opening usually brings
    talking_quantile: float = 0.9  # while talking, mouth AUs count beyond this quantile of the
    # person's own syllable-fast variation while talking (0: off)


@dataclass(frozen=True)
class ActionUnits:
    """AU levels (n, len(names)) with 0 at neutral and about 1 at a full AU; `reliable` (n,)."""

    t: np.ndarray
    names: tuple[str, ...]
    levels: np.ndarray
    reliable: np.ndarray
    blink: np.ndarray
    talking: np.ndarray  # (n,) 0..1 how much the jaw moves like speech
    options: ActionUnitOptions

    def __getitem__(self, name: str) -> np.ndarray:
        return self.levels[:, self.names.index(name)]

    def stronger_side(self, name: str) -> np.ndarray:
        """(n,) a sided AU on its stronger side frame by frame (a one-sided pull counts in
        full); an unsided AU as it is."""
        if f"{name}_r" in self.names:
            return np.fmax(self[f"{name}_r"], self[f"{name}_l"])
        return self[name]


def _component(tracks: FaceTracks, neutral: Neutral, comp: Component,
               noise_k: float) -> np.ndarray:
    """A component's level: its change towards the AU, in full-AU units, above its noise."""
    source, name, sign, scale = comp
    if source == "flow":  # a flash above its neighbours: its noise is its own spread
        flow = tracks.flow_of(name)
        if flow is None:
            return np.full(tracks.n, np.nan)
        x = flash(sign * flow.astype(np.float64), lag_frames(tracks.fps))
        spread = float(robust_spread(x)) if np.isfinite(x).sum() >= 10 else np.inf
        return np.nan_to_num((x - noise_k * spread) / scale, nan=0.0, neginf=0.0)
    if source == "bs":
        i = BS[name]
        delta = tracks.blendshapes[:, i] - neutral.blendshapes[i]
        spread = neutral.blendshape_spread[i]
    else:
        i = tracks.geometry_names.index(name)
        delta = tracks.geometry[:, i] - neutral.geometry[i]
        spread = neutral.geometry_spread[i]
    return (sign * delta.astype(np.float64) - noise_k * spread) / scale


def compute_articulation(t: np.ndarray, jaw: np.ndarray, *, options: ActionUnitOptions) -> np.ndarray:
    """(n,) 0..1: how much the jaw is moving like speech (its rolling std, ramped)."""
    fps = 1.0 / frame_period(t)
    frames = max(3, round(options.speech_window_s * fps) | 1)
    sd = rolling(np.nan_to_num(jaw), frames=frames, fn="std")
    return np.clip((sd - options.speech_lo) / (options.speech_hi - options.speech_lo), 0.0, 1.0)


def suppress_speech(t: np.ndarray, level: np.ndarray, talking: np.ndarray, *,
                    options: ActionUnitOptions) -> np.ndarray:
    """While talking, keep only what persists across syllables: an opening (min then max) filter.

    A lip shape that lasts one syllable is removed; a smile held through a phrase stays. Outside
    speech the level is unchanged.
    """
    fps = 1.0 / frame_period(t)
    frames = max(3, round(options.speech_floor_s * fps) | 1)
    opened = opening(level, frames=frames)
    return (1.0 - talking) * level + talking * np.minimum(level, opened)


def combine_components(levels: np.ndarray) -> np.ndarray:
    """(k, n) component levels of one AU -> (n,): the mean, pulled towards the strongest.

    Components are independent views of one AU, each already above its own noise. A plain mean
    halves an AU whenever one view is blind on this face (MediaPipe's blendshapes stay at zero
    on some faces, SCIENCE.md); the strongest alone trusts every view's outliers.
    """
    return (1 - STRONGEST) * np.mean(levels, axis=0) + STRONGEST * np.max(levels, axis=0)


def detect_blinks(tracks: FaceTracks, neutral: Neutral, options: ActionUnitOptions) -> np.ndarray:
    """(n,) bool: eyes closing or closed, widened by a frame before and `blink_reopen_frames`
    after (the landmark model's lids lag behind as the eyes reopen)."""
    blink_bs = np.fmax(tracks.bs("eyeBlinkLeft") - neutral.blendshapes[BS["eyeBlinkLeft"]],
                       tracks.bs("eyeBlinkRight") - neutral.blendshapes[BS["eyeBlinkRight"]])
    i_r = tracks.geometry_names.index("eye_open_r")
    i_l = tracks.geometry_names.index("eye_open_l")
    ratio = np.fmin(tracks.geometry[:, i_r] / max(neutral.geometry[i_r], 1e-6),
                    tracks.geometry[:, i_l] / max(neutral.geometry[i_l], 1e-6))
    ratio = np.nan_to_num(ratio, nan=1.0)
    recent = np.max(np.stack([np.r_[ratio[:k], ratio[:-k]] for k in (1, 2, 3)]), axis=0) \
        if ratio.size > 3 else ratio
    fast = (recent - ratio >= options.blink_drop) & (ratio < options.blink_drop_below)
    blink = (np.nan_to_num(blink_bs) > options.blink_rise) | (ratio < options.blink_close) | fast
    return dilate(blink, before=1, after=options.blink_reopen_frames)


def extend_decay(mask: np.ndarray, level: np.ndarray, *, max_frames: int) -> np.ndarray:
    """(n,) bool: `mask` widened past the end of each run while `level` (n,) keeps falling, up
    to `max_frames`: the tail of a blink in the model's eye measures (they relax slowly)."""
    out = mask.copy()
    for _, last in runs(mask):
        k = last + 1
        while k < mask.size and k - last <= max_frames and level[k] > 0 and \
                level[k] <= level[k - 1] + 1e-6:
            out[k] = True
            k += 1
    return out


def _median3(x: np.ndarray) -> np.ndarray:
    if x.size < 3:
        return x
    stacked = np.stack([np.r_[x[:1], x[:-1]], x, np.r_[x[1:], x[-1:]]])
    return np.median(stacked, axis=0)


def corner_raised(tracks: FaceTracks, neutral: Neutral,
                  options: ActionUnitOptions) -> tuple[np.ndarray, np.ndarray]:
    """(n,), (n,): the right and the left lip corner raised above the other, in full-AU units,
    from `noise_k` spreads of the difference over the recording (its robust MAD: the
    difference stays near its neutral value most of the time); no more than the raised corner
    rose itself, and only with the head within CORNER_MAX_TURN_DEG of its usual pose."""
    r = tracks.geometry_names.index("corner_up_r")
    left = tracks.geometry_names.index("corner_up_l")
    diff = (tracks.geometry[:, left] - tracks.geometry[:, r]).astype(np.float64)
    diff = diff - (neutral.geometry[left] - neutral.geometry[r])
    turn = min(options.max_turn_deg, CORNER_MAX_TURN_DEG)
    ok = np.isfinite(diff) & usable_frames(tracks, max_turn_deg=turn)
    if ok.sum() < 10:
        return np.zeros(tracks.n), np.zeros(tracks.n)
    spread = float(robust_spread(diff[ok]))
    filled = np.nan_to_num(fill_gaps(tracks.t, diff, ~ok, max_gap_s=options.max_gap_s), nan=0.0)
    filled = _median3(filled)
    gate = options.noise_k * spread
    # the raised corner must itself be above its neutral height: one corner pulled down (a
    # lopsided pout) leaves the other "higher" without raising it
    rise_r, rise_l = (
        np.nan_to_num(fill_gaps(tracks.t, (tracks.geometry[:, i] - neutral.geometry[i]) / CORNER_FULL,
                                ~ok, max_gap_s=options.max_gap_s))
        for i in (r, left))
    return (np.clip(np.fmin((-filled - gate) / CORNER_FULL, rise_r), 0.0, 1.5),
            np.clip(np.fmin((filled - gate) / CORNER_FULL, rise_l), 0.0, 1.5))


def lids_seen(tracks: FaceTracks, ok: np.ndarray, *, max_gap_s: float) -> np.ndarray:
    """(n,) 1..0: how far the lid AUs can be read, by how far the eyes are turned in the head
    (`LID_GAZE_DEG`); blinks and other frames not `ok` are bridged (the irises jump there)."""
    turn = fill_gaps(tracks.t, eye_turn(tracks, ok), ~ok, max_gap_s=max_gap_s)
    lo, hi = LID_GAZE_DEG
    return np.asarray(1.0 - np.clip((np.nan_to_num(turn, nan=0.0) - lo) / (hi - lo), 0.0, 1.0))


def compute_action_units(tracks: FaceTracks, neutral: Neutral,
                         options: ActionUnitOptions | None = None) -> ActionUnits:
    """AU evidence per frame, relative to `neutral`; eye AUs bridged over blinks."""
    options = options or ActionUnitOptions()
    usable = usable_frames(tracks, max_turn_deg=options.max_turn_deg)
    blink = detect_blinks(tracks, neutral, options) & usable
    tail = round(options.blink_tail_s / frame_period(tracks.t))
    # a blink, not eyes held shut (squeezed in crying or disgust, where the face around them moves
    # for itself): what the coupled AUs are hidden over
    brief = short_runs(blink, max_frames=round(options.max_blink_gap_s / frame_period(tracks.t)))
    cols: dict[str, np.ndarray] = {}
    jaw = np.fmax(_component(tracks, neutral, ("bs", "jawOpen", 1, 0.35), 0.0),
                  _component(tracks, neutral, ("geo", "mouth_open", 1, 0.25), 0.0))
    jaw_level = np.nan_to_num(fill_gaps(tracks.t, jaw, ~usable, max_gap_s=0.2))
    talking = compute_articulation(tracks.t, jaw_level, options=options)
    second = window_frames(tracks.t, 1.0)  # frames of the slow parts' rolling median
    for name, comps in AU_COMPONENTS.items():
        level = combine_components(np.stack(
            [np.clip(_component(tracks, neutral, c, options.noise_k), 0.0, 1.5)
             for c in comps if c[0] != "flow"]))
        for c in comps:  # the pixels' flow sees what the landmarks missed: it adds, never dilutes
            if c[0] == "flow" and tracks.flow is not None:
                level = np.fmax(level, np.clip(
                    _component(tracks, neutral, c, options.flow_noise_k), 0.0, FLOW_CAP))
        bad = ~usable | np.isnan(level)
        base = name.split("_")[0]
        gap = options.max_gap_s
        if base in ("AU6", "AU7"):  # the model's squint relaxes slowly after a blink
            bad = bad | extend_decay(blink, np.nan_to_num(level), max_frames=tail)
        elif base in EYE_AUS:
            bad = bad | blink
        elif base in BLINK_COUPLED:
            bad = bad | brief
            gap = max(gap, options.max_blink_gap_s)
        filled = _median3(np.nan_to_num(fill_gaps(tracks.t, level, bad, max_gap_s=gap), nan=0.0))
        if base in SPEECH_AUS:
            if options.explain_jaw:
                filled = explain_jaw(jaw_level, filled, usable & (talking >= 0.5),
                                     slow=rolling(filled, frames=second, fn="median"))
            if options.talking_quantile > 0:
                slow = rolling(filled, frames=second, fn="median")
                filled = explain_talking(filled, np.where(usable, talking, 0.0),
                                         quantile=options.talking_quantile, slow=slow)
            filled = suppress_speech(tracks.t, filled, talking, options=options)
        if base == "AU10":  # the upper lip rides on the closing lids too; hidden after the speech
            # model has seen it (this face's talking includes its blinks)
            filled = np.nan_to_num(fill_gaps(tracks.t, filled, brief,
                                             max_gap_s=options.max_blink_gap_s), nan=0.0)
        cols[name] = filled
    seen = lids_seen(tracks, usable & ~blink, max_gap_s=options.max_blink_gap_s)
    for name in (f"{base}_{side}" for base in LID_AUS for side in ("r", "l")):
        cols[name] = cols[name] * seen
    for side in ("r", "l"):  # a stretch pulls the corners out, a smile out and up: not both
        rise = np.clip((cols[f"AU12_{side}"] - 0.05) / 0.2, 0.0, 1.0)
        cols[f"AU20_{side}"] = cols[f"AU20_{side}"] * (1.0 - rise)
    for base in SIDED:
        cols[base] = 0.5 * (cols[f"{base}_r"] + cols[f"{base}_l"])
    for name, level in zip(CORNER_RAISED[:2], corner_raised(tracks, neutral, options),
                           strict=True):
        # this person's own one-sided articulation while talking is explained away too
        cols[name] = explain_talking(level, np.where(usable, talking, 0.0),
                                     quantile=options.talking_quantile,
                                     slow=rolling(level, frames=second, fn="median"))
    cols["AU12d"] = np.fmax(cols["AU12d_r"], cols["AU12d_l"])
    cols[SIDEWAYS] = np.fmax(cols[f"{SIDEWAYS}_r"], cols[f"{SIDEWAYS}_l"])
    reliable = ~np.isnan(fill_gaps(tracks.t, np.zeros(tracks.n), ~usable,
                                   max_gap_s=options.max_gap_s))
    levels = np.stack([cols[n] for n in AU_NAMES], axis=1)
    return ActionUnits(t=tracks.t, names=AU_NAMES, levels=levels, reliable=reliable,
                       blink=blink, talking=talking, options=options)
