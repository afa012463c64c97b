"""Scores of the seven universal emotions from action-unit evidence (pure).

Each emotion is its EMFACS prototype as a soft AND of its core AUs (a geometric mean: every core
AU must be present), minus the AUs that point to a neighbouring emotion:
happiness 6+12 (12 core, 6 only strengthens it), surprise 1+2+5 (+26), fear 1+2+4+5+20 (the
inner brows raised with the outer ones left behind count as fear's drawn brows, AU4's part),
anger 4+7/24 without 1, disgust 9/10 (+15+17) without a smile, sadness 1+15 (+4, 17) or the
sad brow alone (1+4), contempt a one-sided 12/14 (or one lip corner raised above the other,
AU12d). A brow raise without raised upper lids is a conversational signal (Ekman 1979), not
surprise; a lip shape during speech is not disgust: both score low here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirror.events.model import EMOTIONS
from mirror.expressions.actions import ActionUnits
from mirror.expressions.talking import talking_range
from mirror.signal import held_above, rolling, window_frames

# Emotions read mostly from the mouth, which speech also moves, need more evidence while talking:
# how much more (score units at full speech) follows how strongly speech mimics each one. Talking
# lifts mouthSmile and mouthUpperUp most (smile-like and sneer-like lip shapes on vowels), a
# one-sided dimple less, and the lip-corner depression of sadness least.
SPEECH_PENALTY = {"happiness": 0.25, "disgust": 0.25, "contempt": 0.2, "sadness": 0.1}
# Speech pulls one lip corner for a syllable at most (about 0.2 s; talking is mostly symmetric):
# a one-sided pull held this long through the words is no articulation, and needs no extra
# evidence while talking. Syllables raise the upper lip and the nose wings for a fraction of a
# second too: a wrinkle held above the base threshold through a whole second of them is disgust
# (otherwise a held disgust while talking crosses its raised threshold only now and then, and
# falls apart into pieces).
HELD_THROUGH_SPEECH_S = {"contempt": 0.4, "disgust": 1.0}
# Syllables open the jaw up to about this quantile of its opening over the talking frames; a jaw
# dropped further, with the brows raised, is surprise even mid-sentence.
JAW_SPEECH_QUANTILE = 0.95


@dataclass(frozen=True)
class EmotionScores:
    """Per-frame scores (n, 7) in EMOTIONS order, 0 at neutral, about 1 at a full expression.

    `side` (n,) is +1 where the person's left side of the mouth leads, -1 the right, 0 balanced.
    """

    t: np.ndarray
    names: tuple[str, ...]
    scores: np.ndarray
    side: np.ndarray
    reliable: np.ndarray
    talking: np.ndarray  # (n,) 0..1 speech-like jaw movement (from the action units)
    # (n,) 0..1 how far speech could explain a smile here: none once the cheeks rise with it
    # (articulation spreads the lip corners but does not lift the cheeks); None: fully
    speech_smile: np.ndarray | None = None

    def __getitem__(self, name: str) -> np.ndarray:
        return self.scores[:, self.names.index(name)]


def _gm(*xs: np.ndarray) -> np.ndarray:
    prod = np.ones_like(xs[0])
    for x in xs:
        prod = prod * np.clip(x, 0.0, None)
    return prod ** (1.0 / len(xs))


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def jaw_beyond_speech(jaw: np.ndarray, talking: np.ndarray) -> np.ndarray:
    """(n,) the jaw opening beyond how far this person's talking opens it (its JAW_SPEECH_QUANTILE
    over the talking frames), scaled by how much the jaw moves like speech; away from speech the
    opening itself."""
    reach = talking_range(jaw, talking, quantile=JAW_SPEECH_QUANTILE)
    return np.clip(jaw - np.clip(talking, 0.0, 1.0) * reach, 0.0, None)


def compute_emotion_scores(au: ActionUnits) -> EmotionScores:
    """Emotion scores from AU levels (see the module docstring for the rules)."""
    a = {n: au[n] for n in au.names}
    brows_up = 0.5 * (a["AU1"] + a["AU2"])
    pull_r = a["AU12_r"] + 0.5 * a["AU14_r"]
    pull_l = a["AU12_l"] + 0.5 * a["AU14_l"]
    hi, lo = np.fmax(pull_r, pull_l), np.fmin(pull_r, pull_l)
    asym = (hi - lo) / (hi + lo + 0.1)
    one_sided = _ramp(asym, 0.5, 0.8)
    smile = a["AU12"] * (1.0 - one_sided)
    lids_up = _ramp(a["AU5"] / (brows_up + 0.05), 0.6, 0.95)  # upper lids raised beyond the brows' pull
    happiness = smile * (0.85 + 0.15 * np.clip(a["AU6"], 0, 1)) - 0.7 * a["AU5"] - 0.5 * a["AU20"]
    # or one corner raised above the other, from their height difference (its own measure)
    raised = a["AU12d"]
    contempt = np.fmax(np.clip(hi - lo, 0, None) * one_sided, raised)
    # brows knit or lowered, lips stretched (corners out, or down-and-out with the lids raised):
    # what tells fear from surprise
    # The inner brows raised with the outer ones left behind are fear's (and sadness's) brows:
    # drawn together, their inner corners pulled up; surprise raises the whole brow in a curve.
    inner_only = a["AU1"] * (1.0 - _ramp(a["AU2"] / (a["AU1"] + 0.05), *INNER_ONLY_RATIO))
    tension = np.fmax(np.fmax(np.fmax(a["AU4"], a["AU4k"]), np.fmax(a["AU20"], 0.7 * a["AU15"])),
                      inner_only)
    # surprise: brows and upper lids raised (1+2+5, +26), or the brows raised with the jaw dropped
    # (1+2+26) further than this person's talking opens it (raised brows on a talking face, with
    # the jaw where syllables take it, are conversational; a jaw dropped into an "O" with the brows
    # barely raised is no surprise either)
    surprise = np.fmax(_gm(brows_up, a["AU5"]) * lids_up,
                       0.8 * _gm(brows_up, jaw_beyond_speech(a["AU26"], au.talking))
                       * _ramp(brows_up, 0.1, 0.25)  # clearly raised brows: a wide jaw alone is not
                       ) * (1.0 - _ramp(tension, 0.15, 0.4))
    # fear: raised brows and lids with tension (1+2+4+5+20), or its major variants without the
    # brows (5+20), without the lids (1+20), or the brows alone, raised and drawn together
    # (1+2+4: with the outer brows, unlike sadness's 1+4); the lip stretch alone is not enough
    fear = np.fmax(_gm(a["AU1"], a["AU5"], tension) * lids_up, 0.8 * np.fmax(
        np.fmax(_gm(a["AU5"], a["AU20"]) * lids_up, _gm(a["AU1"], a["AU20"])),
        _gm(a["AU1"], a["AU2"], a["AU4k"]) * _ramp(a["AU4k"], 0.08, 0.2)))
    # anger: lowered brows with tightened lids, pressed or tightened lips (4+5/7+23/24); the
    # nose wrinkler pulls the brows down with it (FACS: AU9 lowers the inner brows), so brows
    # lowered with the nose wrinkled are disgust's, not anger's
    lips_tight = np.fmax(a["AU24"], a["AU23"])
    anger = (_gm(a["AU4"], np.fmax(a["AU7"], lips_tight)) * _ramp(a["AU4"], 0.08, 0.2)
             - 0.7 * a["AU1"] - 0.5 * a["AU12"]  # clearly lowered brows: a soft AND, not an OR
             - a["AU9"])
    # disgust: the nose wrinkled or the upper lip raised, without a smile; the nose wrinkler
    # pulls the inner brows down, so with the inner brows raised the nose wings' rise is the
    # jaw's stretch (a wide-open surprise), not AU9
    nose = np.fmax(a["AU9"], 0.8 * a["AU10"])
    disgust = ((nose * (1.0 - _ramp(a["AU12"], 0.1, 0.4)) + 0.2 * a["AU15"] * (nose > 0.1))
               * (1.0 - _ramp(a["AU1"], 0.15, 0.35)))
    support = np.fmax(np.fmax(a["AU1"], 0.5 * a["AU15"]),
                      np.fmax(0.5 * np.clip(a["AU17"], 0, 1), 0.7 * a["AU4"]))
    # sadness: lip corners down with the inner brows raised or the chin up (1+4+15, 15+17); the
    # raised lids and stretched lips of fear say it is not sadness
    # ... or the sad brow alone: the inner brows raised with the outer ones left behind, and
    # drawn together (1+4, as in the 1+4+11 variant; fear's brows raise the outer brows too)
    sad_brow = 0.8 * _gm(inner_only, a["AU4k"]) * _ramp(a["AU4k"], 0.08, 0.2)
    sadness = (np.fmax(_gm(a["AU15"], support) * _ramp(a["AU15"], 0.05, 0.2), sad_brow)
               - 0.8 * a["AU12"] - 0.7 * a["AU5"] - 0.7 * a["AU20"])
    # lips pushed forward or rounded (a pout, an "oo", an "O") raise the upper lip and pull the
    # corners unevenly: that is neither disgust nor contempt
    pout = 1.0 - _ramp(np.fmax(a["AU18"], a["AU22"]), 0.15, 0.4)
    # ... nor fear, whose lips are stretched, the opposite of pushed forward
    disgust, contempt, fear = disgust * pout, contempt * pout, fear * pout
    # ... nor is the whole mouth pulled to one side: it raises one corner above the other
    # without contempt's one-sided pull (the other corner goes with it), and the upper lip and
    # nose wing on that side with it; a movement no emotion's prototype names
    # (through its neighbourhood: a mouth moving from one side to the other passes the middle)
    sideways = 1.0 - _ramp(rolling(a["sideways"], frames=window_frames(au.t, SIDEWAYS_NEAR_S),
                                   fn="max"), 0.4, 0.8)
    disgust, contempt = disgust * sideways, contempt * sideways
    by_name = {"happiness": happiness, "surprise": surprise, "fear": fear, "anger": anger,
               "disgust": disgust, "sadness": sadness, "contempt": contempt}
    scores = np.stack([np.clip(by_name[e], 0.0, 1.5) for e in EMOTIONS], axis=1)
    scores[~au.reliable] = 0.0
    side = np.where(raised > np.clip(hi - lo, 0, None) * one_sided,
                    np.sign(a["AU12d_l"] - a["AU12d_r"]), np.sign(pull_l - pull_r) * (asym > 0.5))
    return EmotionScores(t=au.t, names=EMOTIONS, scores=scores, side=side, reliable=au.reliable,
                         talking=au.talking, speech_smile=speech_smile(au.t, a["AU6"], a["AU12"]))


SIDEWAYS_NEAR_S = 0.5  # the mouth pulled to one side this close before or after: a twist


INNER_ONLY_RATIO = (0.05, 0.15)  # outer / inner brow raise: below the first, the inner alone
SMILE_HELD_S = 1.0  # lip corners raised this long through speech: a smile, not articulation
SMILE_HELD_LEVEL = 0.1  # ... at least this much of a full pull throughout


def speech_smile(t: np.ndarray, au6: np.ndarray, au12: np.ndarray) -> np.ndarray:
    """(n,) 0..1: how much of the speech penalty a smile's threshold keeps. None where the
    cheeks are raised (a laugh lifts them, syllables do not), nor where the lip corners stay
    raised through a whole second of talking: syllables spread the lips for a fraction of a
    second (and this face's usual spreading is already explained away), a smile held through a
    sentence does not come and go with them."""
    held = held_above(t, au12, SMILE_HELD_LEVEL, min_s=SMILE_HELD_S)
    return np.where(held, 0.0, 1.0 - _ramp(au6, 0.1, 0.3))
