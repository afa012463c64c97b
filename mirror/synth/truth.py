"""Ground truth of a rendered clip and its JSON document (schema `mirror.truth/1`)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mirror.fileio import write_json_atomic
from mirror.synth.aus import PROTOTYPE, facs_code
from mirror.synth.spec import BrowFlash, ClipSpec, CueEpisode, Episode

TRUTH_SCHEMA = "mirror.truth/1"


@dataclass(frozen=True, kw_only=True)
class TruthEpisode:
    """A labelled episode. start_s = onset, apex_s = middle of the plateau, end_s = offset.

    cues: the posed-cue variants it was made with (onset/offset durations, plateau drift,
    asymmetry, whether the eyes took part). variant: which of the emotion's major variants
    (e.g. surprise "no_lids"; "prototype" is the full prototype), aus: its action units as a
    FACS formula ("1+2+26"; "U14" is one-sided), onset_shape: how it rose (cosine, linear,
    sudden, gradual)."""

    expression: str
    start_s: float
    apex_s: float
    end_s: float
    kind: str
    micro: bool
    side: str
    intensity: float
    onset_s: float
    apex_start_s: float
    apex_end_s: float
    offset_s: float
    onset_duration_s: float
    offset_duration_s: float
    plateau: str
    asymmetry: float
    with_eyes: bool
    variant: str = PROTOTYPE
    aus: str = ""
    onset_shape: str = "cosine"


# Episode fields added with the variants: a document whose episodes all have these values
# leaves them out, so the clips made before variants existed keep exactly their documents.
_OLD_DEFAULTS = {"variant": PROTOTYPE, "onset_shape": "cosine"}


@dataclass(frozen=True, kw_only=True)
class Distractor:
    """A movement that is not an expression: blink, talking, brow_flash, head_motion,
    lighting_step."""

    kind: str
    start_s: float
    end_s: float


@dataclass(frozen=True, kw_only=True)
class TruthCuePart:
    """One part of a masking cue: role `masked` (the negative expression) or `mask` (the smile,
    or `neutral` for a squelch: then start_s..end_s is the fast fall of the masked expression and
    apex_s is None)."""

    role: str
    expression: str
    start_s: float
    apex_s: float | None
    end_s: float


@dataclass(frozen=True, kw_only=True)
class TruthCue:
    """A labelled cue (see spec.CueEpisode). start_s = onset, apex_s = middle of the plateau (nod:
    the first nod's lowest point), end_s = offset (masking: the smile's offset, or the masked
    expression's for a squelch). direction: gaze_aversion left/right/down/up, head_tilt
    left/right (the person's own sides), "" otherwise. talking: whether it overlaps speech."""

    cue: str
    start_s: float
    apex_s: float
    end_s: float
    direction: str
    intensity: float
    parts: tuple[TruthCuePart, ...] = ()
    onset_s: float
    apex_start_s: float
    apex_end_s: float
    offset_s: float
    head: float = 0.0
    nods: int = 0
    mask: str = ""
    reading: bool = False
    after_trigger: str | None = None
    talking: bool = False


@dataclass(frozen=True, kw_only=True)
class Truth:
    duration_s: float
    fps: float
    width: int
    height: int
    n_frames: int
    seed: int
    episodes: tuple[TruthEpisode, ...]
    distractors: tuple[Distractor, ...]
    head_motion: float
    noise: float
    crf: int
    cues: tuple[TruthCue, ...] = ()


def truth_episode(ep: Episode) -> TruthEpisode:
    r = 4
    eyes = (ep.with_eyes and ep.variant != "no_eyes") if ep.expression == "happiness" else True
    return TruthEpisode(
        expression=ep.expression, start_s=ep.onset_s,
        apex_s=round((ep.apex_s + ep.apex_end_s) / 2, r), end_s=ep.offset_s, kind=ep.kind,
        micro=ep.micro, side=ep.side, intensity=ep.intensity, onset_s=ep.onset_s,
        apex_start_s=ep.apex_s, apex_end_s=ep.apex_end_s, offset_s=ep.offset_s,
        onset_duration_s=round(ep.apex_s - ep.onset_s, r),
        offset_duration_s=round(ep.offset_s - ep.apex_end_s, r),
        plateau="drift" if ep.drift > 0 else "flat", asymmetry=ep.asymmetry,
        with_eyes=eyes, variant=ep.variant,
        aus=facs_code(ep.expression, ep.variant, with_eyes=eyes), onset_shape=ep.onset_shape,
    )


def truth_cue(c: CueEpisode, talking: tuple[tuple[float, float], ...] = ()) -> TruthCue:
    r = 4
    parts: tuple[TruthCuePart, ...] = ()
    if c.cue == "masking" and c.masked is not None:
        neg = c.masked
        masked = TruthCuePart(role="masked", expression=neg.expression, start_s=neg.onset_s,
                              apex_s=round((neg.apex_s + neg.apex_end_s) / 2, r),
                              end_s=neg.offset_s)
        if c.mask is None:
            mask = TruthCuePart(role="mask", expression="neutral", start_s=neg.apex_end_s,
                                apex_s=None, end_s=neg.offset_s)
        else:
            m = c.mask
            mask = TruthCuePart(role="mask", expression="happiness", start_s=m.onset_s,
                                apex_s=round((m.apex_s + m.apex_end_s) / 2, r), end_s=m.offset_s)
        parts = (masked, mask)
    apex = (c.apex_s + c.apex_end_s) / 2
    if c.cue == "nod":
        apex = c.onset_s + (c.offset_s - c.onset_s) / (2 * c.nods)
    return TruthCue(
        cue=c.cue, start_s=c.onset_s, apex_s=round(apex, r), end_s=c.offset_s,
        direction=c.direction, intensity=c.intensity, parts=parts, onset_s=c.onset_s,
        apex_start_s=c.apex_s, apex_end_s=c.apex_end_s, offset_s=c.offset_s, head=c.head,
        nods=c.nods if c.cue == "nod" else 0, mask=c.mask_kind, reading=c.reading,
        after_trigger=c.after_trigger,
        talking=any(a < c.offset_s and c.onset_s < b for a, b in talking),
    )


def conversational_flash(f: BrowFlash, talking: tuple[tuple[float, float], ...]) -> TruthCue:
    """A conversational brow raise on a stressed word is a brow flash: a signal, not surprise
    (issue 12). Its bump rises from start_s, peaks at the middle and is gone at the end."""
    end = round(f.start_s + f.duration_s, 4)
    mid = round(f.start_s + f.duration_s / 2, 4)
    return TruthCue(cue="brow_flash", start_s=f.start_s, apex_s=mid, end_s=end, direction="",
                    intensity=f.amount, onset_s=f.start_s, apex_start_s=mid, apex_end_s=mid,
                    offset_s=end, talking=any(a < end and f.start_s < b for a, b in talking))


def compute_truth(spec: ClipSpec, *, n_frames: int) -> Truth:
    """The truth of a spec as rendered into `n_frames` frames."""
    d: list[Distractor] = [Distractor(kind="blink", start_s=b.start_s,
                                      end_s=round(b.start_s + b.duration_s, 4))
                           for b in spec.blinks]
    d += [Distractor(kind="talking", start_s=a, end_s=b) for a, b in spec.talking]
    d += [Distractor(kind="brow_flash", start_s=f.start_s, end_s=round(f.start_s + f.duration_s, 4))
          for f in spec.brow_flashes]
    if spec.head_motion > 0:
        d.append(Distractor(kind="head_motion", start_s=0.0, end_s=spec.duration_s))
    if spec.lighting.step_s is not None:
        d.append(Distractor(kind="lighting_step", start_s=spec.lighting.step_s,
                            end_s=round(spec.lighting.step_s + 0.2, 4)))
    d.sort(key=lambda x: (x.start_s, x.kind))
    return Truth(
        duration_s=spec.duration_s, fps=spec.fps, width=spec.size[0], height=spec.size[1],
        n_frames=n_frames, seed=spec.seed,
        episodes=tuple(truth_episode(e) for e in sorted(spec.all_episodes,
                                                        key=lambda e: e.onset_s)),
        distractors=tuple(d), head_motion=spec.head_motion, noise=spec.noise, crf=spec.crf,
        cues=tuple(sorted([*(truth_cue(c, spec.talking) for c in spec.cues),
                           *(conversational_flash(f, spec.talking) for f in spec.brow_flashes)],
                          key=lambda c: c.start_s)),
    )


def truth_to_dict(truth: Truth) -> dict[str, Any]:
    """The JSON document. `cues` is left out when there are none, and the episodes' `variant`,
    `aus` and `onset_shape` when every episode is a prototype with a cosine onset, so clips
    without cues or variants keep exactly the document they always had (read them with
    doc.get("cues", []), e.get("variant", "prototype"), or use load_truth)."""
    doc = asdict(truth)
    if not doc["cues"]:
        del doc["cues"]
    if all(e[k] == v for e in doc["episodes"] for k, v in _OLD_DEFAULTS.items()):
        for e in doc["episodes"]:
            for k in (*_OLD_DEFAULTS, "aus"):
                del e[k]
    return {"schema": TRUTH_SCHEMA, **doc}


def truth_from_dict(doc: dict[str, Any]) -> Truth:
    if doc.get("schema") != TRUTH_SCHEMA:
        raise ValueError(f"not a {TRUTH_SCHEMA} document: schema={doc.get('schema')!r}")
    body = {k: v for k, v in doc.items() if k != "schema"}
    body["episodes"] = tuple(
        TruthEpisode(**{"aus": facs_code(e["expression"], e.get("variant", PROTOTYPE),
                                         with_eyes=e["with_eyes"]), **e})
        for e in body["episodes"])
    body["distractors"] = tuple(Distractor(**x) for x in body["distractors"])
    body["cues"] = tuple(
        TruthCue(**{**c, "parts": tuple(TruthCuePart(**p) for p in c.get("parts", ()))})
        for c in body.get("cues", ()))
    return Truth(**body)


def save_truth(path: str | Path, truth: Truth) -> None:
    """Write `truth` as JSON (schema mirror.truth/1), atomically."""
    write_json_atomic(path, truth_to_dict(truth))


def load_truth(path: str | Path) -> Truth:
    with open(path, encoding="utf-8") as fh:
        return truth_from_dict(json.load(fh))
