"""What a clip contains: episodes with known timing, distractors, and the recipes for clips.

All times are float seconds on the clip's timeline. Everything here is pure and seeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mirror.synth.aus import EMOTION_VARIANTS, PROTOTYPE, emotion_variants

EXPRESSIONS: tuple[str, ...] = (
    "happiness", "surprise", "fear", "anger", "disgust", "sadness", "contempt",
)
LEAK_MAX_S = 1.0
MICRO_MAX_S = 0.5
# How an episode rises from onset to apex: half cosine (the default), straight, sudden (fast
# at first, easing into the apex) or gradual (slow at first, then fast).
ONSET_SHAPES: tuple[str, ...] = ("cosine", "linear", "sudden", "gradual")


@dataclass(frozen=True, kw_only=True)
class Episode:
    """One expression: rises onset_s -> apex_s, holds to apex_end_s, falls to offset_s.

    intensity: 0..1 of the full prototype. side: both/left/right (contempt is one-sided).
    asymmetry: 0..1, how much weaker the other side is. drift: plateau wobble (0 = flat).
    with_eyes: whether a smile brings the cheek raise (AU6).
    variant: which of the emotion's major variants (aus.EMOTION_VARIANTS; e.g. surprise
    "no_lids", disgust "upper_lip"); "prototype" is the full EMFACS-style prototype.
    onset_shape: how it rises (ONSET_SHAPES).
    """

    expression: str
    onset_s: float
    apex_s: float
    apex_end_s: float
    offset_s: float
    intensity: float = 1.0
    side: str = "both"
    asymmetry: float = 0.0
    drift: float = 0.0
    with_eyes: bool = True
    # left out of the generated repr (see _episode_repr): old specs keep their exact repr
    variant: str = field(default=PROTOTYPE, repr=False)
    onset_shape: str = field(default="cosine", repr=False)

    def __post_init__(self) -> None:
        if self.expression not in EXPRESSIONS:
            raise ValueError(f"unknown expression {self.expression!r}")
        if self.variant not in emotion_variants(self.expression):
            raise ValueError(f"{self.expression} variant must be one of "
                             f"{emotion_variants(self.expression)}, not {self.variant!r}")
        if self.onset_shape not in ONSET_SHAPES:
            raise ValueError(f"onset_shape must be one of {ONSET_SHAPES}, not "
                             f"{self.onset_shape!r}")
        if self.side not in ("both", "left", "right"):
            raise ValueError(f"side must be both, left or right, not {self.side!r}")
        if not self.onset_s <= self.apex_s <= self.apex_end_s <= self.offset_s:
            raise ValueError("need onset_s <= apex_s <= apex_end_s <= offset_s")
        if self.offset_s <= self.onset_s:
            raise ValueError("an episode must last longer than zero")

    @property
    def duration_s(self) -> float:
        return self.offset_s - self.onset_s

    @property
    def kind(self) -> str:
        return "leak" if self.duration_s < LEAK_MAX_S else "held"

    @property
    def micro(self) -> bool:
        return self.duration_s <= MICRO_MAX_S


_plain_episode_repr = Episode.__repr__


def _episode_repr(ep: Episode) -> str:
    """The dataclass repr, with `variant` and `onset_shape` only when they are not the defaults
    (an Episode made before they existed reads exactly as it did)."""
    extra = "".join(f", {k}={getattr(ep, k)!r}" for k, v in
                    (("variant", PROTOTYPE), ("onset_shape", "cosine")) if getattr(ep, k) != v)
    return _plain_episode_repr(ep)[:-1] + extra + ")"


Episode.__repr__ = _episode_repr  # type: ignore[method-assign,assignment]


@dataclass(frozen=True, kw_only=True)
class Blink:
    start_s: float
    duration_s: float


@dataclass(frozen=True, kw_only=True)
class BrowFlash:
    """A conversational brow raise (AU1+2 without AU5) on a stressed word."""

    start_s: float
    duration_s: float
    amount: float = 0.7


CUES: tuple[str, ...] = (
    "lip_press", "gaze_aversion", "head_tilt", "nod", "brow_flash", "tension", "masking",
)
# Which cues take a direction, and which ones (the person's own left/right, as everywhere here).
CUE_DIRECTIONS: dict[str, tuple[str, ...]] = {
    "gaze_aversion": ("left", "right", "down", "up"),
    "head_tilt": ("left", "right"),
}
# Cues that must not overlap talking (a pressed mouth, a nod or a brow flash while speaking is
# speech, not a cue).
SILENT_CUES: tuple[str, ...] = ("lip_press", "nod", "brow_flash")
NEGATIVE_EXPRESSIONS: tuple[str, ...] = ("anger", "fear", "disgust", "sadness", "contempt")
MASKS: tuple[str, ...] = ("happiness", "neutral")
MASK_MAX_DELAY_S = 0.3
SQUELCH_MAX_S = 0.12


@dataclass(frozen=True, kw_only=True)
class CueEpisode:
    """A non-emotion cue of known timing: rises onset_s -> apex_s, holds to apex_end_s, falls
    to offset_s (nod: `nods` down-up movements filling onset_s..offset_s).

    intensity: 0..1 of the cue's full movement. direction: gaze_aversion left/right/down/up,
    head_tilt left/right (the person's own sides), "" for the others. head: for gaze_aversion,
    an accompanying head turn in the same direction in 0.1 rad units (0 = eyes only).
    masking: `masked` (the negative Episode) and `mask` (the happiness Episode that replaces it,
    or None when the negative is squelched to a neutral face); onset_s/offset_s must span them.
    reading / after_trigger: labels for the notes clip (looking down at notes while talking; an
    aversion right after a trigger word).
    """

    cue: str
    onset_s: float
    apex_s: float
    apex_end_s: float
    offset_s: float
    intensity: float = 1.0
    direction: str = ""
    head: float = 0.0
    nods: int = 1
    masked: Episode | None = None
    mask: Episode | None = None
    reading: bool = False
    after_trigger: str | None = None
    drift: float = 0.0  # for compute_envelope; cues have flat plateaus

    def __post_init__(self) -> None:
        if self.cue not in CUES:
            raise ValueError(f"unknown cue {self.cue!r}")
        if not self.onset_s <= self.apex_s <= self.apex_end_s <= self.offset_s:
            raise ValueError("need onset_s <= apex_s <= apex_end_s <= offset_s")
        if self.offset_s <= self.onset_s:
            raise ValueError("a cue must last longer than zero")
        if not 0 < self.intensity <= 1.5:
            raise ValueError("intensity must be in (0, 1.5]")
        allowed = CUE_DIRECTIONS.get(self.cue, ("",))
        if self.direction not in allowed:
            raise ValueError(f"{self.cue} direction must be one of {allowed}, "
                             f"not {self.direction!r}")
        if self.head and self.cue != "gaze_aversion":
            raise ValueError("only a gaze aversion takes a head turn")
        if self.cue == "nod" and self.nods not in (1, 2):
            raise ValueError("a nod cue has one or two nods")
        if self.cue == "masking":
            self._check_masking()
        elif self.masked is not None or self.mask is not None:
            raise ValueError("only a masking cue has masked/mask episodes")

    def _check_masking(self) -> None:
        neg, mask = self.masked, self.mask
        if neg is None or neg.expression not in NEGATIVE_EXPRESSIONS:
            raise ValueError(f"masking needs a masked episode of {NEGATIVE_EXPRESSIONS}")
        if abs(self.onset_s - neg.onset_s) > 1e-6:
            raise ValueError("a masking cue starts with the masked expression")
        if mask is None:
            if neg.offset_s - neg.apex_end_s > SQUELCH_MAX_S + 1e-6:
                raise ValueError(f"a squelched expression falls within {SQUELCH_MAX_S} s")
            if abs(self.offset_s - neg.offset_s) > 1e-6:
                raise ValueError("a squelch cue ends with the masked expression")
            return
        if mask.expression != "happiness":
            raise ValueError("the mask is a smile (happiness) or None (neutral)")
        if not neg.apex_end_s <= mask.onset_s <= neg.offset_s + MASK_MAX_DELAY_S + 1e-6:
            raise ValueError("the smile must start as the masked expression falls, "
                             f"or within {MASK_MAX_DELAY_S} s of its end")
        if abs(self.offset_s - mask.offset_s) > 1e-6:
            raise ValueError("a masking cue ends with the smile")

    @property
    def duration_s(self) -> float:
        return self.offset_s - self.onset_s

    @property
    def mask_kind(self) -> str:
        """happiness or neutral (masking only; "" otherwise)."""
        if self.cue != "masking":
            return ""
        return "neutral" if self.mask is None else "happiness"

    @property
    def episodes(self) -> tuple[Episode, ...]:
        """The expression episodes a masking cue is made of (empty for other cues)."""
        return tuple(e for e in (self.masked, self.mask) if e is not None)


@dataclass(frozen=True, kw_only=True)
class Lighting:
    """Slow gain drift (fraction), gamma drift, and one step in gain at `step_s` (None: none)."""

    gain_drift: float = 0.06
    gamma_drift: float = 0.06
    step_s: float | None = None
    step_gain: float = 0.0


@dataclass(frozen=True, kw_only=True)
class ClipSpec:
    """Everything needed to render a clip. `audio` is mono float32 at `audio_rate` Hz."""

    duration_s: float
    fps: float = 30.0
    size: tuple[int, int] = (640, 480)
    seed: int = 0
    episodes: tuple[Episode, ...] = ()
    blinks: tuple[Blink, ...] = ()
    talking: tuple[tuple[float, float], ...] = ()
    brow_flashes: tuple[BrowFlash, ...] = ()
    head_motion: float = 0.5
    lighting: Lighting = field(default_factory=Lighting)
    noise: float = 2.0
    crf: int = 23
    audio: np.ndarray | None = field(default=None, compare=False, repr=False)
    audio_rate: int = 16000
    cues: tuple[CueEpisode, ...] = ()

    def __post_init__(self) -> None:
        for c in self.cues:
            if c.cue in SILENT_CUES and any(a < c.offset_s and c.onset_s < b
                                            for a, b in self.talking):
                raise ValueError(f"a {c.cue} cue at {c.onset_s:.2f} s overlaps talking")

    @property
    def all_episodes(self) -> tuple[Episode, ...]:
        """The expression episodes, those the masking cues are made of included."""
        return self.episodes + tuple(e for c in self.cues for e in c.episodes)


def compute_envelope(t: np.ndarray, ep: Episode | CueEpisode, *, seed: int = 0) -> np.ndarray:
    """Intensity (n,) of an episode at times `t` (n,): half-cosine rise (or the episode's
    `onset_shape`), plateau, half-cosine fall.

    A plateau with drift wobbles by up to `drift` (slowly), never above 1 or below 0.5.
    """
    env = np.zeros_like(t, dtype=np.float64)
    rise = (t >= ep.onset_s) & (t < ep.apex_s)
    if ep.apex_s > ep.onset_s:
        u = (t[rise] - ep.onset_s) / (ep.apex_s - ep.onset_s)
        shape = getattr(ep, "onset_shape", "cosine")
        if shape == "linear":
            env[rise] = u
        elif shape == "sudden":
            env[rise] = np.sin(0.5 * np.pi * u)
        elif shape == "gradual":
            env[rise] = 1.0 - np.cos(0.5 * np.pi * u)
        else:
            env[rise] = 0.5 - 0.5 * np.cos(np.pi * u)
    hold = (t >= ep.apex_s) & (t <= ep.apex_end_s)
    env[hold] = 1.0
    if ep.drift > 0 and hold.any():
        rng = np.random.default_rng(seed)
        ph = rng.uniform(0, 2 * np.pi, 2)
        th = t[hold] - ep.apex_s
        wob = (0.6 * np.sin(2 * np.pi * 0.7 * th + ph[0])
               + 0.4 * np.sin(2 * np.pi * 1.9 * th + ph[1]))
        env[hold] = np.clip(1 - ep.drift * (0.5 + 0.5 * wob), 0.5, 1)
    fall = (t > ep.apex_end_s) & (t < ep.offset_s)
    if ep.offset_s > ep.apex_end_s:
        u = (t[fall] - ep.apex_end_s) / (ep.offset_s - ep.apex_end_s)
        env[fall] = 0.5 + 0.5 * np.cos(np.pi * u)
    return env * ep.intensity


def compute_blink_curve(t: np.ndarray, blink: Blink) -> np.ndarray:
    """Eye closure (n,) 0..1: fast close (40 % of the time), slower reopen."""
    u = (t - blink.start_s) / blink.duration_s
    c = np.zeros_like(t, dtype=np.float64)
    close = (u >= 0) & (u < 0.4)
    c[close] = np.sin(0.5 * np.pi * u[close] / 0.4)
    op = (u >= 0.4) & (u < 1)
    c[op] = np.cos(0.5 * np.pi * (u[op] - 0.4) / 0.6) ** 2
    return c


def make_episode(rng: np.random.Generator, expression: str, start: float, kind: str, *,
                 max_total: float = 6.0) -> Episode:
    """A random episode of `kind` (micro, leak or held) starting at `start`; a held one lasts
    1.2 s to min(6, max_total) s."""
    side, asym, drift, eyes = "both", 0.0, 0.0, True
    if kind == "micro":
        # n frames at 30 fps, starting just before a frame so that exactly n frames show it
        total = float(rng.choice([4, 5, 6, 8, 10, 12, 15])) / 30.0
        start = float(np.ceil(start * 30.0)) / 30.0 - 0.01
    elif kind == "leak":
        total = float(rng.uniform(0.55, 0.9))
    else:
        total = float(rng.uniform(1.2, max(1.2, min(6.0, max_total))))
    if kind == "held":
        fast = rng.random() < 0.5
        rise = float(rng.uniform(0.12, 0.25) if fast else rng.uniform(0.4, 0.8))
        fall = float(rng.uniform(0.12, 0.25) if fast else rng.uniform(0.4, 0.9))
        rise, fall = min(rise, total * 0.3), min(fall, total * 0.3)
        drift = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.1, 0.3))
        asym = 0.0 if rng.random() < 0.6 else float(rng.uniform(0.3, 0.6))
        eyes = expression != "happiness" or rng.random() < 0.5
    else:
        rise = total * float(rng.uniform(0.3, 0.45))
        fall = total * float(rng.uniform(0.3, 0.45))
    if kind == "held":
        intensity = float(rng.uniform(0.7, 1.0))
    elif rng.random() < 0.25:
        intensity = float(rng.uniform(0.3, 0.5))  # a weak leak
    else:
        intensity = float(rng.uniform(0.6, 1.0))
    if expression == "contempt" or asym > 0:
        side = "left" if rng.random() < 0.5 else "right"
    return Episode(expression=expression, onset_s=round(start, 4),
                   apex_s=round(start + rise, 4), apex_end_s=round(start + total - fall, 4),
                   offset_s=round(start + total, 4), intensity=round(intensity, 3), side=side,
                   asymmetry=round(asym, 3), drift=round(drift, 3), with_eyes=eyes)


def make_distractors(rng: np.random.Generator, duration_s: float, *, talking: bool = True
                     ) -> tuple[tuple[Blink, ...], tuple[tuple[float, float], ...],
                                tuple[BrowFlash, ...]]:
    """Blinks every 2-6 s, talking phrases with pauses, and conversational brow flashes."""
    blinks, t = [], float(rng.uniform(0.5, 2.5))
    while t < duration_s - 0.3:
        dur = round(float(rng.uniform(0.1, 0.25)), 4)
        blinks.append(Blink(start_s=round(t, 4), duration_s=dur))
        t += float(rng.uniform(2.0, 6.0))
    phrases: list[tuple[float, float]] = []
    flashes: list[BrowFlash] = []
    if talking:
        t = float(rng.uniform(0.3, 1.0))
        while t < duration_s - 1.0:
            end = min(t + float(rng.uniform(1.5, 5.0)), duration_s - 0.3)
            phrases.append((round(t, 4), round(end, 4)))
            t = end + float(rng.uniform(0.4, 1.2))
        for a, b in phrases:
            s = a + float(rng.uniform(0.2, 2.0))
            while s < b - 0.6:
                flashes.append(BrowFlash(start_s=round(s, 4),
                                         duration_s=round(float(rng.uniform(0.3, 0.6)), 4),
                                         amount=round(float(rng.uniform(0.4, 0.8)), 3)))
                s += float(rng.uniform(3.0, 8.0))
    return tuple(blinks), tuple(phrases), tuple(flashes)


def _draw_kind(rng: np.random.Generator, avail: float) -> str:
    """micro, leak or held (40/30/30 %), shorter when only `avail` seconds are left."""
    kind = str(rng.choice(["micro", "leak", "held"], p=[0.4, 0.3, 0.3]))
    if kind == "held" and avail < 1.3:
        kind = "leak"
    if kind == "leak" and avail < 0.95:
        kind = "micro"
    return kind


def _clip_spec(seed: int, duration_s: float, rng: np.random.Generator, *, distractors: bool,
               head_motion: float = 0.6, **kw: object) -> ClipSpec:
    """A ClipSpec with the recipes' usual lighting, noise and compression (the last draw of
    `rng`), or a clean, still clip without distractors."""
    return ClipSpec(
        duration_s=duration_s, seed=seed, head_motion=head_motion if distractors else 0.0,
        lighting=Lighting(step_s=round(duration_s * 0.6, 3), step_gain=0.08) if distractors
        else Lighting(gain_drift=0.0, gamma_drift=0.0),
        noise=2.0 if distractors else 0.5, crf=int(rng.integers(23, 27)),
        **kw,  # type: ignore[arg-type]
    )


def _flashes_clear(flashes: tuple[BrowFlash, ...], phrases: tuple[tuple[float, float], ...],
                   busy: list[tuple[float, float]]) -> tuple[BrowFlash, ...]:
    """The brow flashes that lie inside a talking phrase and overlap none of `busy`."""
    return tuple(
        f for f in flashes
        if any(a <= f.start_s and f.start_s + f.duration_s <= b for a, b in phrases)
        and not any(a < f.start_s + f.duration_s and f.start_s < b for a, b in busy))


def random_spec(seed: int, *, duration_s: float = 30.0, n_episodes: int = 5,
                distractors: bool = True) -> ClipSpec:
    """A clip with `n_episodes` varied, non-overlapping episodes (gaps >= 1 s) and, if asked,
    blinks, talking, brow flashes, head motion, lighting drift and noise."""
    rng = np.random.default_rng(seed)
    episodes: list[Episode] = []
    t = float(rng.uniform(1.0, 2.0))
    end = duration_s - 0.5
    for k in range(n_episodes):
        reserve = (n_episodes - k - 1) * 1.8  # room for the rest: a leak and a gap each
        avail = end - t - reserve
        if avail < 0.2:
            break
        kind = _draw_kind(rng, avail)
        expr = str(rng.choice(EXPRESSIONS))
        ep = make_episode(rng, expr, t, kind, max_total=avail - 0.1)
        episodes.append(ep)
        slack = end - ep.offset_s - reserve
        t = ep.offset_s + float(rng.uniform(1.0, float(np.clip(slack / 2, 1.0, 3.0))))
    blinks, phrases, flashes = make_distractors(rng, duration_s, talking=distractors)
    if not distractors:
        blinks = ()
    return _clip_spec(seed, duration_s, rng, distractors=distractors, episodes=tuple(episodes),
                      blinks=blinks, talking=phrases, brow_flashes=flashes)


# Every (emotion, variant) pair, in a fixed shuffled order that variant_spec walks through, so
# that consecutive seeds together render every variant about equally often.
ALL_VARIANTS: tuple[tuple[str, str], ...] = tuple(
    (e, v) for e in EXPRESSIONS for v in (PROTOTYPE, *EMOTION_VARIANTS[e]))
_VARIANT_CYCLE: tuple[tuple[str, str], ...] = tuple(
    ALL_VARIANTS[i] for i in np.random.default_rng(20020).permutation(len(ALL_VARIANTS)))


def variant_spec(seed: int, *, duration_s: float = 30.0, n_episodes: int = 8,
                 distractors: bool = True) -> ClipSpec:
    """A clip whose episodes are the major variants of the emotions (aus.EMOTION_VARIANTS).

    Episode k of seed s is entry (s * n_episodes + k) of a fixed cycle through all (emotion,
    variant) pairs (so seeds 601-612 with 8 episodes render each of the 25 pairs 3-4 times),
    in a shuffled order, timed as random_spec does (micro / leak / held, a quarter of the leaks
    weak, asymmetric and drifting displays), with a random onset shape. About half of the
    episodes are kept clear of talking (the phrases are cut 0.3 s around them), the rest may
    overlap it; head motion varies from clip to clip (0.3-1.0); conversational brow flashes
    stay inside talking and 0.3 s away from the episodes."""
    rng = np.random.default_rng(seed + 9_000_011)
    n_cycle = len(_VARIANT_CYCLE)
    pairs = [_VARIANT_CYCLE[(seed * n_episodes + k) % n_cycle] for k in range(n_episodes)]
    pairs = [pairs[i] for i in rng.permutation(n_episodes)]
    episodes: list[Episode] = []
    quiet: list[tuple[float, float]] = []
    t = float(rng.uniform(1.0, 2.0))
    end = duration_s - 0.5
    for k, (expr, variant) in enumerate(pairs):
        reserve = (n_episodes - k - 1) * 1.8
        avail = end - t - reserve
        if avail < 0.2:
            break
        kind = _draw_kind(rng, avail)
        ep = make_episode(rng, expr, t, kind, max_total=avail - 0.1)
        ep = replace(ep, variant=variant, with_eyes=True,
                     onset_shape=str(rng.choice(ONSET_SHAPES)))
        episodes.append(ep)
        if rng.random() < 0.5:
            quiet.append((ep.onset_s - 0.3, ep.offset_s + 0.3))
        slack = end - ep.offset_s - reserve
        t = ep.offset_s + float(rng.uniform(1.0, float(np.clip(slack / 2, 1.0, 3.0))))
    blinks, phrases, flashes = make_distractors(rng, duration_s, talking=distractors)
    phrases = _cut(phrases, quiet)
    flashes = _flashes_clear(flashes, phrases,
                             [(e.onset_s - 0.3, e.offset_s + 0.3) for e in episodes])
    head = round(float(rng.uniform(0.3, 1.0)), 3)
    if not distractors:
        blinks = ()
    return _clip_spec(seed, duration_s, rng, distractors=distractors, head_motion=head,
                      episodes=tuple(episodes), blinks=blinks, talking=phrases,
                      brow_flashes=flashes)


def distractor_only_spec(seed: int, duration_s: float = 20.0) -> ClipSpec:
    """Blinks, talking, brow flashes, head motion, lighting and noise, and no expression."""
    spec = random_spec(seed, duration_s=duration_s, n_episodes=0, distractors=True)
    return spec


def demo_spec() -> ClipSpec:
    """About 36 s of pitch-like talking with leaks of all seven emotions, among them a 6-frame
    micro flash of contempt and a 0.4 s micro fear, and one held smile without the eyes."""
    rng = np.random.default_rng(2024)
    duration = 36.0
    episodes = (
        Episode(expression="happiness", onset_s=2.0, apex_s=2.25, apex_end_s=2.55, offset_s=2.8,
                intensity=0.8),
        Episode(expression="disgust", onset_s=6.0, apex_s=6.2, apex_end_s=6.45, offset_s=6.7,
                intensity=0.9),
        Episode(expression="contempt", onset_s=10.19, apex_s=10.26, apex_end_s=10.32,
                offset_s=10.39, intensity=1.0, side="right"),  # a 1/5 s flash: 6 frames
        Episode(expression="sadness", onset_s=13.5, apex_s=13.8, apex_end_s=14.1, offset_s=14.4,
                intensity=0.9),
        Episode(expression="happiness", onset_s=17.5, apex_s=17.7, apex_end_s=21.0,
                offset_s=21.2, intensity=0.9, with_eyes=False),
        Episode(expression="fear", onset_s=24.0, apex_s=24.1, apex_end_s=24.3, offset_s=24.4,
                intensity=0.9),
        Episode(expression="anger", onset_s=28.0, apex_s=28.25, apex_end_s=28.6, offset_s=28.85,
                intensity=0.9),
        Episode(expression="surprise", onset_s=32.0, apex_s=32.15, apex_end_s=32.45,
                offset_s=32.7, intensity=0.9),
    )
    blinks, phrases, flashes = make_distractors(rng, duration, talking=True)
    return ClipSpec(duration_s=duration, seed=2024, episodes=episodes, blinks=blinks,
                    talking=phrases, brow_flashes=flashes, head_motion=0.5,
                    lighting=Lighting(step_s=20.0, step_gain=0.06), noise=2.0, crf=23)


HEAD_TILT_FULL_DEG = 15.0  # a head tilt of intensity 1 (motion.HEAD_TILT_FULL)


def _cue(cue: str, start: float, rise: float, hold: float, fall: float, **kw: object
         ) -> CueEpisode:
    return CueEpisode(cue=cue, onset_s=round(start, 4), apex_s=round(start + rise, 4),
                      apex_end_s=round(start + rise + hold, 4),
                      offset_s=round(start + rise + hold + fall, 4),
                      **kw)  # type: ignore[arg-type]


def make_masking(rng: np.random.Generator, start: float, *, max_total: float = 4.5,
                 mask: str | None = None) -> CueEpisode:
    """A negative expression replaced by a smile (within 0-0.3 s of its fall) or squelched to a
    neutral face (a fall of <= 0.12 s), starting at `start`, within `max_total` s (a smile
    needs 2.6 s; with less room the mask is neutral)."""
    expr = str(rng.choice(NEGATIVE_EXPRESSIONS))
    side = "left" if rng.random() < 0.5 else "right"
    mask = mask or ("happiness" if rng.random() < 0.6 and max_total >= 2.6 else "neutral")
    rise = float(rng.uniform(0.1, 0.25))
    hold = float(rng.uniform(0.15, 0.6))
    fall = float(rng.uniform(0.06, SQUELCH_MAX_S)) if mask == "neutral" else float(
        rng.uniform(0.1, 0.3))
    neg = Episode(expression=expr, onset_s=round(start, 4), apex_s=round(start + rise, 4),
                  apex_end_s=round(start + rise + hold, 4),
                  offset_s=round(start + rise + hold + fall, 4),
                  intensity=round(float(rng.uniform(0.6, 1.0)), 3),
                  side=side if expr == "contempt" else "both")
    if mask == "neutral":
        return CueEpisode(cue="masking", onset_s=neg.onset_s, apex_s=neg.apex_s,
                          apex_end_s=neg.apex_end_s, offset_s=neg.offset_s, masked=neg,
                          intensity=neg.intensity)
    s0 = neg.apex_end_s + float(rng.uniform(0.0, fall + MASK_MAX_DELAY_S))
    s_rise, s_fall = float(rng.uniform(0.2, 0.4)), float(rng.uniform(0.3, 0.6))
    room = max_total - (s0 - start) - s_rise - s_fall
    s_hold = float(rng.uniform(min(0.8, room), min(2.5, room))) if room > 0.3 else 0.3
    smile = Episode(expression="happiness", onset_s=round(s0, 4), apex_s=round(s0 + s_rise, 4),
                    apex_end_s=round(s0 + s_rise + s_hold, 4),
                    offset_s=round(s0 + s_rise + s_hold + s_fall, 4),
                    intensity=round(float(rng.uniform(0.6, 0.9)), 3),
                    with_eyes=bool(rng.random() < 0.3))
    return CueEpisode(cue="masking", onset_s=neg.onset_s, apex_s=neg.apex_s,
                      apex_end_s=neg.apex_end_s, offset_s=smile.offset_s, masked=neg,
                      mask=smile, intensity=neg.intensity)


def make_cue(rng: np.random.Generator, cue: str, start: float, *, max_total: float = 5.0,
             direction: str | None = None) -> CueEpisode:
    """A random cue of type `cue` starting at `start`, lasting at most `max_total` s (if its
    minimum allows)."""

    def length(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, max(lo, min(hi, max_total))))

    def intensity(lo: float = 0.6, hi: float = 1.0) -> float:
        return round(float(rng.uniform(lo, hi)), 3)

    if cue == "masking":
        return make_masking(rng, start, max_total=max_total)
    if cue == "nod":
        nods = 1 if rng.random() < 0.5 else 2
        each = float(rng.uniform(0.3, 0.8))
        if nods == 2 and 2 * each > max_total:
            nods = 1
        total = nods * each
        return CueEpisode(cue="nod", onset_s=round(start, 4),
                          apex_s=round(start + each / 2, 4), apex_end_s=round(start + each / 2, 4),
                          offset_s=round(start + total, 4), nods=nods, intensity=intensity())
    if cue == "lip_press":
        total = length(0.4, 2.5)
        rise, fall = min(float(rng.uniform(0.1, 0.25)), 0.3 * total), min(
            float(rng.uniform(0.1, 0.3)), 0.3 * total)
        return _cue(cue, start, rise, total - rise - fall, fall, intensity=intensity())
    if cue == "gaze_aversion":
        total = length(0.4, 3.0)
        rise, fall = float(rng.uniform(0.05, 0.1)), float(rng.uniform(0.06, 0.15))
        d = direction or str(rng.choice(["left", "right", "down", "up"], p=[0.3, 0.3, 0.3, 0.1]))
        head = round(float(rng.uniform(0.4, 1.0)), 3) if rng.random() < 0.5 else 0.0
        return _cue(cue, start, rise, total - rise - fall, fall, direction=d, head=head,
                    intensity=intensity(0.7, 1.0))
    if cue == "head_tilt":
        total = length(0.6, 3.0)
        rise, fall = min(float(rng.uniform(0.2, 0.4)), 0.3 * total), min(
            float(rng.uniform(0.2, 0.4)), 0.3 * total)
        d = direction or ("left" if rng.random() < 0.5 else "right")
        deg = float(rng.uniform(8.0, 15.0))
        return _cue(cue, start, rise, total - rise - fall, fall, direction=d,
                    intensity=round(deg / HEAD_TILT_FULL_DEG, 3))
    if cue == "brow_flash":
        total = length(0.25, 0.8)
        rise, fall = total * float(rng.uniform(0.3, 0.4)), total * float(rng.uniform(0.3, 0.4))
        return _cue(cue, start, rise, total - rise - fall, fall, intensity=intensity())
    if cue == "tension":
        total = length(1.5, 5.0)
        rise, fall = float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7))
        return _cue(cue, start, rise, total - rise - fall, fall, intensity=intensity())
    raise ValueError(f"unknown cue {cue!r}")


def _cut(spans: tuple[tuple[float, float], ...], holes: list[tuple[float, float]], *,
         min_len: float = 0.5) -> tuple[tuple[float, float], ...]:
    """`spans` with the `holes` cut out; pieces shorter than `min_len` dropped."""
    out = []
    for a, b in spans:
        pieces = [(a, b)]
        for ha, hb in holes:
            nxt = []
            for pa, pb in pieces:
                if hb <= pa or ha >= pb:
                    nxt.append((pa, pb))
                    continue
                if ha > pa:
                    nxt.append((pa, ha))
                if hb < pb:
                    nxt.append((hb, pb))
            pieces = nxt
        out += [(round(pa, 4), round(pb, 4)) for pa, pb in pieces if pb - pa >= min_len]
    return tuple(out)


def random_cue_spec(seed: int, *, duration_s: float = 30.0, n_cues: int = 5,
                    distractors: bool = True) -> ClipSpec:
    """A clip with `n_cues` random, non-overlapping cues (gaps >= 1 s), their types taken in
    turn from a shuffled list of all seven (so n_cues >= 7 has every type), and, if asked, the
    usual distractors: blinks, talking (kept 0.3 s away from lip presses, nods and brow
    flashes) with conversational brow flashes and nods, head drift, lighting and noise."""
    rng = np.random.default_rng(seed + 7_000_003)
    order: list[str] = []
    while len(order) < n_cues:
        order += [str(c) for c in rng.permutation(CUES)]
    cues: list[CueEpisode] = []
    t = float(rng.uniform(1.0, 2.0))
    end = duration_s - 0.5
    for k in range(n_cues):
        reserve = (n_cues - k - 1) * 1.8
        avail = end - t - reserve
        kind = order[k]
        minimum = {"tension": 1.6, "masking": 1.6, "head_tilt": 0.7}.get(kind, 0.5)
        if avail < minimum:
            kind = "brow_flash" if avail >= 0.3 else ""
        if not kind:
            break
        c = make_cue(rng, kind, t, max_total=avail - 0.1)
        cues.append(c)
        slack = end - c.offset_s - reserve  # spread the cues over the clip
        t = c.offset_s + float(rng.uniform(1.0, float(np.clip(
            2 * slack / max(n_cues - k, 1), 1.0, 5.0))))
    blinks, phrases, flashes = make_distractors(rng, duration_s, talking=distractors)
    quiet = [(c.onset_s - 0.3, c.offset_s + 0.3) for c in cues if c.cue in SILENT_CUES]
    phrases = _cut(phrases, quiet)
    flashes = _flashes_clear(flashes, phrases, [(c.onset_s - 0.3, c.offset_s + 0.3) for c in cues])
    if not distractors:
        blinks = ()
    return _clip_spec(seed, duration_s, rng, distractors=distractors, cues=tuple(cues),
                      blinks=blinks, talking=phrases, brow_flashes=flashes)
