"""What this person's mouth does when the jaw moves, learned from the recording itself (pure).

Talking opens and closes the jaw several times a second, and on every face the landmark model
carries other measures along with it: the upper lip and the nose wings rise, the lip corners
stretch or drop, differently for each face and each camera. A fixed rule cannot know how much;
the recording can. For every mouth action unit, `fit_jaw_model` learns the level this face shows
at each jaw opening while talking: the median over talking frames with that opening
(equal-count bins of the jaw, made non-decreasing), learned on the measure's fast part (minus its
1 s rolling median), which rides on the syllables. Only frames where the jaw moves like speech
teach it, and a display held through several phrases is slow: a smile held open-mouthed for half
a clip, or a disgust held through a third of it, is an expression, not this face's way of
talking.
`explain_jaw` subtracts it: what is left is what the jaw does not explain, the part that can be
an expression. A disgust nose wrinkle at an open jaw stands far above this face's usual level
at that opening; the same nose-wing rise on every open vowel does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class JawModel:
    """The usual level of one measure (n_bins,) at jaw openings `jaw` (n_bins,), ascending."""

    jaw: np.ndarray
    level: np.ndarray

    def expected(self, jaw: np.ndarray) -> np.ndarray:
        """(n,) the usual level at each frame's jaw opening (0 for a model with no bins)."""
        if self.jaw.size == 0:
            return np.zeros_like(jaw)
        return np.asarray(np.interp(jaw, self.jaw, self.level, left=0.0))


def fit_jaw_model(jaw: np.ndarray, level: np.ndarray, ok: np.ndarray, *, bins: int = 10,
                  min_frames: int = 30) -> JawModel:
    """The usual `level` (n,) at each jaw opening `jaw` (n,) over frames `ok` (n,) bool.

    Equal-count bins of the jaw (at least `min_frames` frames each); each bin's median level,
    made non-decreasing with the opening (a wider jaw never explains less). Fewer than
    2 x `min_frames` usable frames: an empty model (explains nothing).
    """
    good = ok & np.isfinite(jaw) & np.isfinite(level)
    x, y = jaw[good], level[good]
    if x.size < 2 * min_frames:
        return JawModel(np.zeros(0), np.zeros(0))
    n_bins = int(max(2, min(bins, x.size // min_frames)))
    order = np.argsort(x, kind="stable")
    parts = np.array_split(order, n_bins)
    centres = np.array([np.median(x[p]) for p in parts])
    medians = np.array([np.median(y[p]) for p in parts])
    return JawModel(centres, np.maximum.accumulate(np.clip(medians, 0.0, None)))


def explain_jaw(jaw: np.ndarray, level: np.ndarray, ok: np.ndarray, *,
                slow: np.ndarray | None = None, **kwargs: int) -> np.ndarray:
    """(n,) `level` minus what this face's jaw opening usually brings (never below 0).

    `slow` (n,): the level's slow part (a rolling median over about a second). The model is then
    learned on the fast part (level - slow), which rides on the syllables: an expression held
    through several phrases (a third of a short clip, say) is slow and does not teach it."""
    model = fit_jaw_model(jaw, level if slow is None else level - slow, ok, **kwargs)
    return np.clip(level - model.expected(np.nan_to_num(jaw)), 0.0, None)


def talking_range(level: np.ndarray, talking: np.ndarray, *, quantile: float,
                  min_frames: int = 30) -> float:
    """How far this person's talking alone moves a measure: its `quantile` over the frames where
    the jaw moves like speech (`talking` >= 0.5); 0 with fewer than `min_frames` such frames."""
    speech = level[(talking >= 0.5) & np.isfinite(level)]
    return float(np.quantile(speech, quantile)) if speech.size >= min_frames else 0.0


def explain_talking(level: np.ndarray, talking: np.ndarray, *, quantile: float,
                    slow: np.ndarray | None = None) -> np.ndarray:
    """(n,) `level` while talking counted only beyond this person's own talking range (scaled
    by how much the jaw moves like speech, 0..1); outside speech unchanged.

    `slow` (n,): the level's slow part (a rolling median over about a second). The range is then
    measured on the fast part only (level - slow): syllables come and go within a fraction of a
    second, a smile held through a phrase does not, so it does not widen the range."""
    fast = level if slow is None else level - slow
    reach = talking_range(fast, talking, quantile=quantile)
    return np.clip(level - talking * reach, 0.0, None)


def follows_jaw(score: np.ndarray, jaw: np.ndarray, *, min_r: float = 0.8) -> bool:
    """Whether an episode's score (m,) rises and falls with the jaw opening (m,) over its frames:
    a Pearson correlation of at least `min_r` means the mouth evidence is articulation."""
    if score.size < 4 or np.std(score) < 1e-6 or np.std(jaw) < 1e-6:
        return False
    return bool(np.corrcoef(score, jaw)[0, 1] >= min_r)
