"""Profiles: a rehearsal scenario's thresholds, what counts as a problem, and its coaching lines.

`profiles/<name>.yaml`, loaded with yaml.safe_load and validated key by key: an error names the
file, the key and what is allowed. Defaults fill what a profile leaves out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from mirror.errors import InputError
from mirror.events.model import EMOTIONS

CUE_NAMES = ("no_eye_involvement", "asymmetry", "abrupt_onset", "abrupt_offset", "flat_plateau",
             "too_long")


@dataclass(frozen=True)
class PosedOptions:
    """Thresholds of the posed-expression cues for held displays."""

    abrupt_onset_s: float = 0.2  # onset (10 % to 90 % of apex) faster than this
    abrupt_offset_s: float = 0.2
    flat_plateau: float = 0.06  # plateau variation (relative) below this is suspiciously flat
    asymmetry: float = 0.35  # |left - right| / (left + right) above this
    eye_involvement: float = 0.25  # cheek raise / eye squint relative to the smile below this
    too_long_s: float = 5.0  # Ekman: felt expressions rarely last beyond 4-5 s


@dataclass(frozen=True)
class SpotOptions:
    """Thresholds of the spotter and the classifier."""

    leak_max_s: float = 1.0  # shorter than this: a leak; otherwise held
    micro_max_s: float = 0.5  # a leak this short or shorter is micro
    min_duration_s: float = 0.08  # shorter episodes are noise (two frames at 25 fps)
    min_intensity: float = 0.12  # weakest apex reported (0..1)
    sensitivity: float = 1.0  # >1 reports weaker episodes, <1 only clearer ones
    merge_gap_s: float = 0.5  # same-emotion episodes closer than this are one
    posed: PosedOptions = field(default_factory=PosedOptions)


CUE_PROBLEM_WHEN = ("always", "after_trigger", "never")


@dataclass(frozen=True)
class CueRule:
    """When a cue counts as a problem in this scenario, and what to say about it.

    problem: always | after_trigger (within trigger_window_s of a trigger word) | never.
    reading_ok: a downward gaze while talking (reading notes) is not a problem.
    """

    problem: str = "always"
    reading_ok: bool = True
    coaching: str = ""


# Used for any cue a profile leaves out: the cues a buyer reads as doubt count; a nod, a tilt
# or a brow flash is a normal part of talking and listening.
DEFAULT_CUE_RULES: dict[str, CueRule] = {
    "lip_press": CueRule("always", coaching="Pressed lips read as holding something back."),
    "gaze_aversion": CueRule("after_trigger",
                             coaching="Breaking eye contact right after a key point reads as "
                                      "doubt about it."),
    "head_tilt": CueRule("never", coaching="A tilt with a soft smile reads as open and curious."),
    "nod": CueRule("never", coaching="A nod invites agreement."),
    "brow_flash": CueRule("never", coaching="A brow flash signals interest or surprise."),
    "tension": CueRule("always", coaching="A tight face reads as strain. Slow down and breathe "
                                          "out before the next point."),
    "masking": CueRule("always", coaching="The first reaction showed before the cover-up. Find "
                                          "what triggered it and make peace with the line."),
}


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    description: str
    spot: SpotOptions
    problem_leaks: tuple[str, ...]  # emotions whose leaks are problems in this scenario
    problem_held: tuple[str, ...]  # emotions whose held displays are problems
    triggers: tuple[str, ...]  # words whose mention makes a following leak notable
    trigger_window_s: float
    coaching: dict[str, Any]
    path: Path | None = None
    cues: dict[str, CueRule] = field(default_factory=lambda: dict(DEFAULT_CUE_RULES))


TOP_KEYS = {"name", "title", "description", "thresholds", "problems", "triggers",
            "trigger_window_s", "coaching", "cues"}
PROBLEM_KEYS = {"leaks", "held"}


def profiles_dir() -> Path:
    env = os.environ.get("MIRROR_PROFILES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "profiles"
    return here if here.is_dir() else Path.cwd() / "profiles"


def available_profiles(directory: Path | None = None) -> list[str]:
    d = directory or profiles_dir()
    return sorted(p.stem for p in d.glob("*.yaml") if not p.stem.startswith("calibration"))


def _fail(path: Path, key: str, what: str) -> InputError:
    return InputError(f"profile {path}: key '{key}' {what}")


def _number(path: Path, key: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, key, f"must be a number from {lo} to {hi}, not {value!r}")
    if not lo <= float(value) <= hi:
        raise _fail(path, key, f"must be from {lo} to {hi}, not {value}")
    return float(value)


_LIMITS: dict[str, tuple[float, float]] = {
    "leak_max_s": (0.2, 3.0), "micro_max_s": (0.05, 1.0), "min_duration_s": (0.0, 1.0),
    "min_intensity": (0.0, 1.0), "sensitivity": (0.2, 5.0), "merge_gap_s": (0.0, 2.0),
    "abrupt_onset_s": (0.0, 2.0), "abrupt_offset_s": (0.0, 2.0), "flat_plateau": (0.0, 1.0),
    "asymmetry": (0.0, 1.0), "eye_involvement": (0.0, 2.0), "too_long_s": (1.0, 60.0),
}


def _options(path: Path, prefix: str, raw: Any, cls: type, nested: dict[str, Any]) -> Any:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _fail(path, prefix, "must be a mapping")
    names = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        full = f"{prefix}.{key}"
        if key not in names:
            raise _fail(path, full, f"is unknown; allowed: {', '.join(sorted(names))}")
        if key in nested:
            values[key] = _options(path, full, value, nested[key], {})
        else:
            values[key] = _number(path, full, value, *_LIMITS[key])
    return cls(**values)


def _emotion_list(path: Path, key: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or any(e not in EMOTIONS for e in raw):
        raise _fail(path, key, f"must be a list of emotions from: {', '.join(EMOTIONS)}")
    return tuple(raw)


def _cue_rules(path: Path, raw: Any) -> dict[str, CueRule]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _fail(path, "cues", "must be a mapping of cue names to rules")
    rules = dict(DEFAULT_CUE_RULES)
    for cue, rule in raw.items():
        key = f"cues.{cue}"
        if cue not in DEFAULT_CUE_RULES:
            raise _fail(path, key, f"is unknown; allowed: {', '.join(DEFAULT_CUE_RULES)}")
        if not isinstance(rule, dict):
            raise _fail(path, key, "must be a mapping with problem, reading_ok, coaching")
        unknown = set(rule) - {"problem", "reading_ok", "coaching"}
        if unknown:
            raise _fail(path, f"{key}.{sorted(map(str, unknown))[0]}",
                        "is unknown; allowed: coaching, problem, reading_ok")
        base = DEFAULT_CUE_RULES[cue]
        problem = rule.get("problem", base.problem)
        if problem not in CUE_PROBLEM_WHEN:
            raise _fail(path, f"{key}.problem", f"must be one of {', '.join(CUE_PROBLEM_WHEN)}")
        reading_ok = rule.get("reading_ok", base.reading_ok)
        if not isinstance(reading_ok, bool):
            raise _fail(path, f"{key}.reading_ok", "must be true or false")
        coaching = rule.get("coaching", base.coaching)
        if not isinstance(coaching, str):
            raise _fail(path, f"{key}.coaching", "must be a text")
        rules[cue] = CueRule(problem=problem, reading_ok=reading_ok, coaching=coaching)
    return rules


def _coaching(path: Path, key: str, raw: Any, depth: int = 0) -> dict[str, Any]:
    """Coaching lines: texts, or mappings of texts (per emotion, per posed cue), two levels at
    most. Checking the types first also refuses a YAML alias bomb before anything expands it."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(path, key, "must be a mapping of texts")
    out: dict[str, Any] = {}
    for k, v in raw.items():
        full = f"{key}.{k}"
        if isinstance(v, str):
            if len(v) > 2000:
                raise _fail(path, full, "is longer than 2000 characters")
            out[str(k)] = v
        elif isinstance(v, dict) and depth == 0:
            out[str(k)] = _coaching(path, full, v, depth + 1)
        else:
            raise _fail(path, full, "must be a text" if depth else "must be a text or a mapping "
                        "of texts")
    return out


def parse_profile(data: Any, path: Path) -> Profile:
    """Validate a profile's YAML data; raises InputError naming the file and key."""
    if not isinstance(data, dict):
        raise InputError(f"profile {path}: must be a YAML mapping of keys to values")
    for key in data:
        if key not in TOP_KEYS:
            raise _fail(path, str(key), f"is unknown; allowed: {', '.join(sorted(TOP_KEYS))}")
    spot = _options(path, "thresholds", data.get("thresholds"), SpotOptions,
                    {"posed": PosedOptions})
    if spot.micro_max_s > spot.leak_max_s:
        raise _fail(path, "thresholds.micro_max_s", "must not exceed thresholds.leak_max_s")
    problems = data.get("problems") or {}
    if not isinstance(problems, dict) or set(problems) - PROBLEM_KEYS:
        raise _fail(path, "problems", "must be a mapping with keys leaks and held")
    triggers = data.get("triggers") or []
    if not isinstance(triggers, list) or not all(isinstance(t, str) for t in triggers):
        raise _fail(path, "triggers", "must be a list of words")
    coaching = _coaching(path, "coaching", data.get("coaching"))
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        raise _fail(path, "name", "must be a string")
    return Profile(
        name=name, title=str(data.get("title", name)),
        description=str(data.get("description", "")), spot=spot,
        problem_leaks=_emotion_list(path, "problems.leaks", problems.get("leaks")),
        problem_held=_emotion_list(path, "problems.held", problems.get("held")),
        triggers=tuple(t.lower() for t in triggers),
        trigger_window_s=_number(path, "trigger_window_s", data.get("trigger_window_s", 2.0),
                                 0.0, 30.0),
        coaching=coaching, path=path, cues=_cue_rules(path, data.get("cues")),
    )


def load_profile(name_or_path: str | os.PathLike[str] | None = None) -> Profile:
    """A profile by name (profiles/<name>.yaml) or path; default `sales-pitch`."""
    ref = str(name_or_path or "sales-pitch")
    path = Path(ref)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        path = profiles_dir() / f"{ref}.yaml"
    if not path.is_file():
        names = ", ".join(available_profiles()) or "none found"
        raise InputError(f"no profile named '{ref}'; available: {names}")
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"profile {path}: not valid YAML ({first})") from None
    return parse_profile(data, path)
