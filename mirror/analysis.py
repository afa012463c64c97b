"""One analysed recording as typed data: what `analyse_video` returns and `Analysis.load` reads
back, so the pipeline, the report and the app hold the same objects.

events.json (schema `mirror.events/2`, docs/events-schema.md) is written and read only here
(`Analysis.to_json`, `Analysis.load`); tracks.npz and expressions.npz are read when present.
Every time is float seconds on the session timeline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mirror.align import EventSpeech
from mirror.cues.model import CUE_INFO, Cue, CuePart
from mirror.errors import InputError, MirrorError
from mirror.events.detect import leaks_per_minute
from mirror.events.model import EVENTS_SCHEMA, Event
from mirror.judgement import Judgement, judge_cue, judge_episode
from mirror.profiles import Profile
from mirror.speech.model import Segment, SpeechAnalysis, SpeechOptions, Word
from mirror.tracks import FaceTracks, load_tracks

# Older schemas that are still read: /1 differs from /2 only in the schema string.
READABLE_SCHEMAS = (EVENTS_SCHEMA, "mirror.events/1")
MAX_SECONDS = 7 * 24 * 3600.0  # no recording is longer than a week: larger times are damage


@dataclass(frozen=True)
class Curves:
    """Per-frame curves with names: `t` (n,) seconds, `values` (n, len(names))."""

    t: np.ndarray
    names: tuple[str, ...]
    values: np.ndarray


@dataclass(frozen=True)
class AnalysisOptions:
    """The settings that produced the episodes: the profile's spotting thresholds (as events.json
    records them) and the measured noise level of each emotion score."""

    thresholds: Mapping[str, Any] = field(default_factory=dict)
    noise: Mapping[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"thresholds": dict(self.thresholds), "noise": dict(self.noise)}


@dataclass(frozen=True)
class JudgedEpisode:
    """One expression episode, what was said around it, and the profile's judgement of it.
    `duration_s` as measured (the episode's rounded times may differ from it in the last digit)."""

    event: Event
    speech: EventSpeech
    judgement: Judgement
    duration_s: float

    @property
    def start_s(self) -> float:
        return self.event.start_s

    def to_json(self) -> dict[str, Any]:
        d = self.event.to_json()
        d["duration_s"] = round(self.duration_s, 3)
        return {**d, **self.speech.to_json(), **self.judgement.to_json()}


@dataclass(frozen=True)
class JudgedCue:
    """One cue with its speech context resolved (the trigger it followed, whether it was reading
    notes: `cue.reading`) and the profile's judgement. `label` / `meaning` are what the cue is
    called and what an observer reads into it."""

    cue: Cue
    speech: EventSpeech
    after_trigger: str | None
    judgement: Judgement
    duration_s: float
    label: str
    meaning: str

    @property
    def start_s(self) -> float:
        return self.cue.start_s

    def to_json(self) -> dict[str, Any]:
        d = self.cue.to_json()
        d.update(label=self.label, meaning=self.meaning, duration_s=round(self.duration_s, 3))
        return {**d, **self.speech.to_json(), "after_trigger": self.after_trigger,
                "problem": self.judgement.problem, **self.judgement.to_json()}


@dataclass(frozen=True)
class Summary:
    """The counts events.json's `summary` carries (computed once, when the episodes were)."""

    events: int = 0
    leaks: int = 0
    micro: int = 0
    held: int = 0
    leaks_per_minute: float = 0.0
    cues: int = 0
    cue_problems: int = 0
    cue_counts: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"events": self.events, "leaks": self.leaks, "micro": self.micro,
                "held": self.held, "leaks_per_minute": self.leaks_per_minute, "cues": self.cues,
                "cue_problems": self.cue_problems, "cue_counts": dict(self.cue_counts)}


def compute_summary(events: Sequence[Event], cues: Sequence[JudgedCue], duration_s: float
                    ) -> Summary:
    return Summary(events=len(events), leaks=sum(e.kind == "leak" for e in events),
                   micro=sum(e.micro for e in events), held=sum(e.kind == "held" for e in events),
                   leaks_per_minute=leaks_per_minute(list(events), duration_s),
                   cues=len(cues), cue_problems=sum(c.judgement.problem for c in cues),
                   cue_counts=dict(Counter(c.cue.cue for c in cues)))


@dataclass(frozen=True)
class Analysis:
    """One analysed recording.

    `episodes` and `cues` in time order, each with its speech context and judgement; `speech` the
    speech stage's result (method "none" with a note when there was none). Not written to
    events.json: `tracks` (the face stage's), `scores` (n, 7) emotion scores and `action_units`
    (n, k) AU levels (None when absent), `directory` (where it was loaded from or written to) and
    `notes` (what loading it left out or could not read).
    """

    source: str
    profile: str
    duration_s: float
    fps: float
    frames: int
    face_found_ratio: float
    neutral_source: str | None
    neutral_s: float | None
    options: AnalysisOptions
    summary: Summary
    warnings: tuple[str, ...]
    episodes: tuple[JudgedEpisode, ...]
    cues: tuple[JudgedCue, ...]
    speech: SpeechAnalysis
    cues_analysed: bool = True  # an older analysis did not look for cues
    mirror_version: str = ""
    tracks: FaceTracks | None = None
    scores: Curves | None = None
    action_units: Curves | None = None
    directory: Path | None = None
    notes: tuple[str, ...] = ()

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(e.event for e in self.episodes)

    def to_json(self) -> dict[str, Any]:
        """The events.json document."""
        return {
            "schema": EVENTS_SCHEMA,
            "mirror_version": self.mirror_version,
            "source": self.source,
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "frames": self.frames,
            "face_found_ratio": round(self.face_found_ratio, 4),
            "profile": self.profile,
            "neutral": {"source": self.neutral_source, "frame_s": self.neutral_s},
            "neutral_s": self.neutral_s,
            "options": self.options.to_json(),
            "summary": self.summary.to_json(),
            "warnings": list(self.warnings),
            "events": [e.to_json() for e in self.episodes],
            "cues": [c.to_json() for c in self.cues],
            **self.speech.to_json(),
        }

    def save(self, directory: str | Path) -> Path:
        """Write events.json into `directory` (atomically); returns its path."""
        from mirror.fileio import write_json_atomic

        path = Path(directory) / "events.json"
        write_json_atomic(path, self.to_json())
        return path

    @staticmethod
    def load(path: str | Path, *, arrays: bool = True) -> Analysis:
        """An analysis folder's events.json (or the folder of a session holding `analysis/`),
        with its tracks.npz and expressions.npz when present (and `arrays`). A damaged
        events.json gives one InputError line naming the file and the field; unreadable .npz
        files give a note."""
        directory = resolve_analysis_dir(path)
        return analysis_from_json(load_events_doc(directory), directory, arrays=arrays)


def resolve_analysis_dir(path: str | Path) -> Path:
    """An analysis folder (has events.json) or a session folder containing `analysis/`."""
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    if p.is_file() and p.name == "events.json":
        return p.parent
    if (p / "events.json").is_file():
        return p
    if (p / "analysis" / "events.json").is_file():
        return p / "analysis"
    raise InputError(f"{p}: no events.json here or in {p / 'analysis'}; run `mirror analyse` first")


def load_events_doc(directory: Path) -> dict[str, Any]:
    """events.json of an analysis folder as JSON, checked (`check_events_doc`)."""
    path = directory / "events.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{path}: cannot be read as JSON (nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("schema") not in READABLE_SCHEMAS:
        raise InputError(f"{path}: not a {EVENTS_SCHEMA} document")
    check_events_doc(doc, path)
    return doc


def check_events_doc(doc: dict[str, Any], path: Path) -> None:
    """The fields computed with have the right types and sane values; else one line naming the
    field (a hand-edited or damaged events.json)."""

    def fail(key: str, what: str) -> InputError:
        return InputError(f"{path}: '{key}' {what}; run `mirror analyse` again to rewrite it")

    def seconds(key: str, value: Any, *, optional: bool = False) -> None:
        if optional and value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not abs(value) <= MAX_SECONDS:
            raise fail(key, f"must be a time in seconds, not {str(value)[:40]!r}")

    for key in ("duration_s", "fps"):
        if key in doc:
            seconds(key, doc[key], optional=True)
    seconds("neutral_s", doc.get("neutral_s"), optional=True)
    for key, kind, name in (("events", list, "a list"), ("warnings", list, "a list"),
                            ("summary", dict, "a mapping"), ("speech", dict, "a mapping")):
        if doc.get(key) is not None and not isinstance(doc[key], kind):
            raise fail(key, f"must be {name}")
    for i, event in enumerate(doc.get("events") or []):
        if not isinstance(event, dict):
            raise fail(f"events[{i}]", "must be a mapping")
        for key in ("start_s", "apex_s", "end_s"):
            if key in event:
                seconds(f"events[{i}].{key}", event[key])
        regions = event.get("regions", [])
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise fail(f"events[{i}].regions", "must be a list of face regions")
    speech = doc.get("speech") or {}
    for key in ("segments", "words"):
        items = speech.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            raise fail(f"speech.{key}", "must be a list of mappings")
        for i, item in enumerate(items):
            for end in ("start", "end"):
                if end in item:
                    seconds(f"speech.{key}[{i}].{end}", item[end])


def _mapping(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _num(v: Any, default: float = 0.0) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else default


class _Profile:
    """The analysis's profile, loaded only when an older entry needs judging (a profile since
    renamed or deleted: the default one)."""

    def __init__(self, name: str, profile: Profile | None = None) -> None:
        self.name = name
        self._profile = profile

    def __call__(self) -> Profile:
        from mirror.profiles import load_profile

        if self._profile is None:
            try:
                self._profile = load_profile(self.name)
            except MirrorError:
                self._profile = load_profile(None)
        return self._profile


def speech_from_json(doc: Mapping[str, Any]) -> SpeechAnalysis:
    """The speech stage's result as events.json stores it (malformed words and segments are left
    out). The options it ran with are not stored: the defaults stand in."""
    sp = doc.get("speech") if isinstance(doc.get("speech"), dict) else {}
    assert isinstance(sp, dict)
    words = []
    for w in sp.get("words") or []:
        if not isinstance(w, dict) or "start" not in w:
            continue
        start = _num(w["start"])
        section = w.get("section")
        words.append(Word(start, _num(w.get("end"), start), str(w.get("text", "")),
                          str(section) if section not in (None, "") else "",
                          _num(w.get("probability"), 1.0)))
    segments = [Segment(_num(s["start"]), _num(s["end"]), bool(s.get("speaking", True)))
                for s in sp.get("segments") or [] if "start" in s and "end" in s]
    figures = sp.get("figures")
    return SpeechAnalysis(
        segments=tuple(segments), words=tuple(words), av_offset_s=_num(doc.get("av_offset_s")),
        av_offset_confidence=_num(doc.get("av_offset_confidence")),
        method=str(sp.get("method") or "none"),
        note=str(sp.get("note") or ("" if sp else "speech was not analysed")),
        figures=figures if isinstance(figures, dict) else {}, options=SpeechOptions())


def _cue_from_json(d: Mapping[str, Any]) -> Cue:
    """A stored cue, read defensively: a field of the wrong type counts as absent."""
    start, end = _num(d["start_s"]), _num(d["end_s"])
    evidence = d.get("evidence") if isinstance(d.get("evidence"), dict) else {}
    assert isinstance(evidence, dict)
    raw_parts = d.get("parts") if isinstance(d.get("parts"), list) else []
    assert isinstance(raw_parts, list)
    parts = tuple(CuePart(role=str(p.get("role", "")), expression=str(p.get("expression", "")),
                          start_s=_num(p.get("start_s")),
                          apex_s=_num(p.get("apex_s"), _num(p.get("start_s"))),
                          end_s=_num(p.get("end_s")))
                  for p in raw_parts if isinstance(p, dict))
    return Cue(cue=str(d["cue"]), start_s=start, apex_s=_num(d.get("apex_s"), (start + end) / 2),
               end_s=end, intensity=min(max(_num(d.get("intensity")), 0.0), 1.0),
               confidence=_num(d.get("confidence")), side=str(d.get("side") or "both"),
               direction=str(d["direction"]) if d.get("direction") else None,
               reading=bool(d.get("reading")), parts=parts,
               evidence={str(k): float(v) for k, v in evidence.items()
                         if isinstance(v, int | float) and not isinstance(v, bool)})


def _cues_from_json(doc: Mapping[str, Any], profile: _Profile
                    ) -> tuple[tuple[JudgedCue, ...], list[str], bool]:
    """The stored cues in time order, notes for the malformed ones left out, and whether the
    analysis looked for cues at all (an older one wrote no `cues`)."""
    raw = doc.get("cues")
    if raw is None:
        return (), [], False
    if not isinstance(raw, list):
        return (), ["events.json: `cues` is not a list; no cues shown"], True
    good, notes = [], []
    for k, d in enumerate(raw):
        if not (isinstance(d, dict) and d.get("cue") in CUE_INFO
                and all(isinstance(d.get(key), int | float) for key in ("start_s", "end_s"))):
            notes.append(f"events.json: cue {k + 1} is malformed and was left out")
            continue
        good.append(d)
    out = []
    for d in sorted(good, key=lambda d: float(d["start_s"])):
        cue = _cue_from_json(d)
        after = str(d["after_trigger"]) if d.get("after_trigger") else None
        kept = d["problem"] if isinstance(d.get("problem"), bool) else None
        label = str(d.get("label") or CUE_INFO[cue.cue][0])
        judgement = Judgement.from_json(d) or judge_cue(cue, profile(), after=after,
                                                        problem=kept, label=label)
        out.append(JudgedCue(cue, EventSpeech.from_json(d), after, judgement,
                             _num(d.get("duration_s"), cue.duration_s), label,
                             str(d.get("meaning") or CUE_INFO[cue.cue][1])))
    return tuple(out), notes, True


def analysis_from_json(doc: dict[str, Any], directory: Path | None = None, *,
                       arrays: bool = True, profile: Profile | None = None) -> Analysis:
    """An Analysis from a checked events.json document (`check_events_doc`), with the .npz files
    of `directory` when present (and `arrays`). Episodes or cues stored without a judgement (an
    older file) are judged here with `profile` (default: the one the analysis names)."""
    path = (directory or Path(".")) / "events.json"
    name = str(doc.get("profile") or "sales-pitch")
    judge = _Profile(name, profile)
    try:
        raw = sorted(doc.get("events") or [], key=lambda d: float(d["start_s"]))
        episodes = []
        for d in raw:
            event = Event.from_json(d)
            speech = EventSpeech.from_json(d)
            judgement = Judgement.from_json(d) or judge_episode(event, speech.trigger_words,
                                                                judge())
            episodes.append(JudgedEpisode(event, speech, judgement,
                                          _num(d.get("duration_s"), event.duration_s)))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{path}: an event is malformed ({exc})") from None
    cues, notes, cues_analysed = _cues_from_json(doc, judge)
    scores, action_units, tracks = _load_arrays(directory if arrays else None, notes)
    events = [e.event for e in episodes]
    duration = _num(doc.get("duration_s"))
    if duration <= 0:
        ends = [e.end_s for e in events] + ([float(scores.t[-1])] if scores is not None
                                            and scores.t.size else [])
        duration = max(ends, default=0.0)
    s = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
    assert isinstance(s, dict)
    counted = compute_summary(events, cues, duration)
    summary = Summary(**{k: s[k] if isinstance(s.get(k), type(v)) else v
                         for k, v in counted.__dict__.items()})
    neutral = doc.get("neutral") if isinstance(doc.get("neutral"), dict) else {}
    assert isinstance(neutral, dict)
    options = doc.get("options") if isinstance(doc.get("options"), dict) else {}
    assert isinstance(options, dict)
    neutral_s = doc.get("neutral_s")
    return Analysis(
        source=str(doc.get("source") or ""), profile=name, duration_s=duration,
        fps=_num(doc.get("fps")), frames=int(_num(doc.get("frames"))),
        face_found_ratio=_num(doc.get("face_found_ratio")),
        neutral_source=str(neutral["source"]) if neutral.get("source") else None,
        neutral_s=float(neutral_s) if isinstance(neutral_s, int | float) else None,
        options=AnalysisOptions(thresholds=_mapping(options.get("thresholds")),
                                noise=_mapping(options.get("noise"))),
        summary=summary, warnings=tuple(str(w) for w in doc.get("warnings") or []),
        episodes=tuple(episodes), cues=cues, speech=speech_from_json(doc),
        cues_analysed=cues_analysed, mirror_version=str(doc.get("mirror_version") or ""),
        tracks=tracks, scores=scores, action_units=action_units, directory=directory,
        notes=tuple(notes))


def _load_arrays(directory: Path | None, notes: list[str]
                 ) -> tuple[Curves | None, Curves | None, FaceTracks | None]:
    """expressions.npz (emotion scores, AU levels) and tracks.npz, when present and readable."""
    scores = action_units = tracks = None
    if directory is None:
        return None, None, None
    npz = directory / "expressions.npz"
    if npz.is_file():
        try:
            with np.load(npz, allow_pickle=False) as z:
                t = np.asarray(z["t"], dtype=float)
                scores = Curves(t, tuple(str(n) for n in z["names"]),
                                np.asarray(z["scores"], dtype=float))
                if "au" in z and "au_names" in z:
                    action_units = Curves(t, tuple(str(n) for n in z["au_names"]),
                                          np.asarray(z["au"], dtype=float))
        except (OSError, KeyError, ValueError) as exc:
            notes.append(f"expressions.npz could not be read ({exc}); no intensity curves")
            scores = action_units = None
    tp = directory / "tracks.npz"
    if tp.is_file():
        try:
            tracks = load_tracks(tp)
        except (OSError, KeyError, ValueError) as exc:
            notes.append(f"tracks.npz could not be read ({exc}); faces are not cropped")
    return scores, action_units, tracks


def with_notes(analysis: Analysis, *notes: str) -> Analysis:
    return replace(analysis, notes=(*analysis.notes, *notes))
