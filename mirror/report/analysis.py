"""Reading an analysis folder for the report: events.json, expressions.npz, tracks.npz, the video.

Everything but events.json is optional: a report without expression tracks draws no intensity
curves, one without tracks or video shows no filmstrips, one without speech shows no transcript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mirror.errors import InputError, MirrorError
from mirror.events.model import EVENTS_SCHEMA, Event
from mirror.judgement import Judgement
from mirror.report.said import hide_uncertain_words
from mirror.tracks import FaceTracks, load_tracks


@dataclass(frozen=True)
class SpeechContext:
    """What was being said around one event (all empty when speech alignment did not run)."""

    words: tuple[str, ...] = ()
    words_before: tuple[str, ...] = ()
    speaking: bool | None = None
    section: str | None = None
    triggers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """One analysed session as the report needs it.

    `expr_t` (n,) seconds and `expr_scores` (n, 7) per-emotion intensity, or None when
    expressions.npz is absent; `tracks` None when tracks.npz is absent.
    """

    directory: Path
    doc: dict[str, Any]
    events: tuple[Event, ...]
    context: tuple[SpeechContext, ...]
    duration_s: float
    profile_name: str
    video: Path | None
    judgements: tuple[Judgement | None, ...] = ()  # per event: the analysis's, when stored
    expr_t: np.ndarray | None = None
    expr_scores: np.ndarray | None = None
    expr_names: tuple[str, ...] = ()
    tracks: FaceTracks | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def speech(self) -> dict[str, Any] | None:
        sp = self.doc.get("speech")
        return sp if isinstance(sp, dict) else None


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


def _texts(raw: Any) -> tuple[str, ...]:
    """Words given as strings or as {"text": ...} / {"word": ...} objects."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(raw.split())
    out = []
    for item in raw if isinstance(raw, list | tuple) else ():
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            text = item.get("text", item.get("word", ""))
            if text:
                out.append(str(text).strip())
    return tuple(w for w in out if w)


def context_of(d: dict[str, Any]) -> SpeechContext:
    speaking = d.get("speaking")
    section = d.get("section")
    return SpeechContext(
        words=_texts(d.get("words")), words_before=_texts(d.get("words_before")),
        speaking=bool(speaking) if speaking is not None else None,
        section=str(section) if section not in (None, "") else None,
        triggers=_texts(d.get("triggers")),
    )


def find_video(doc: dict[str, Any], directory: Path) -> Path | None:
    src = doc.get("source")
    if not src:
        return None
    p = Path(str(src)).expanduser()
    candidates = [p] if p.is_absolute() else [directory / p, directory.parent / p, Path.cwd() / p]
    candidates += [directory / p.name, directory.parent / p.name]
    return next((c for c in candidates if c.is_file()), None)


MAX_SECONDS = 7 * 24 * 3600.0  # no recording is longer than a week: larger times are damage


def load_events_doc(directory: Path) -> dict[str, Any]:
    path = directory / "events.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{path}: cannot be read as JSON (nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("schema") != EVENTS_SCHEMA:
        raise InputError(f"{path}: not a {EVENTS_SCHEMA} document")
    check_events_doc(doc, path)
    return doc


def check_events_doc(doc: dict[str, Any], path: Path) -> None:
    """The fields the report computes with have the right types and sane values; else one line
    naming the field (a hand-edited or damaged events.json)."""

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


def _triggers(doc: dict[str, Any]) -> tuple[str, ...]:
    from mirror.profiles import load_profile

    try:
        return load_profile(str(doc.get("profile") or "sales-pitch")).triggers
    except MirrorError:
        return ()


def load_analysis(path: str | Path) -> Analysis:
    """Load what the report needs from an analysis folder (or a session folder)."""
    directory = resolve_analysis_dir(path)
    doc = load_events_doc(directory)
    notes: list[str] = []
    doc, said_note = hide_uncertain_words(doc, _triggers(doc))  # words nobody said
    if said_note:
        notes.append(said_note)
    try:
        raw = sorted(doc.get("events") or [], key=lambda d: float(d["start_s"]))
        events = tuple(Event.from_json(d) for d in raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{directory / 'events.json'}: an event is malformed ({exc})") from None
    context = tuple(context_of(d) for d in raw)
    judgements = tuple(Judgement.from_json(d) for d in raw)

    expr_t = expr_scores = None
    names: tuple[str, ...] = ()
    npz = directory / "expressions.npz"
    if npz.is_file():
        try:
            with np.load(npz, allow_pickle=False) as z:
                expr_t = np.asarray(z["t"], dtype=float)
                expr_scores = np.asarray(z["scores"], dtype=float)
                names = tuple(str(n) for n in z["names"])
        except (OSError, KeyError, ValueError) as exc:
            notes.append(f"expressions.npz could not be read ({exc}); no intensity curves")
            expr_t = expr_scores = None
    tracks = None
    tp = directory / "tracks.npz"
    if tp.is_file():
        try:
            tracks = load_tracks(tp)
        except (OSError, KeyError, ValueError) as exc:
            notes.append(f"tracks.npz could not be read ({exc}); faces are not cropped")

    duration = float(doc.get("duration_s") or 0.0)
    if duration <= 0:
        ends = [e.end_s for e in events] + ([float(expr_t[-1])] if expr_t is not None
                                            and expr_t.size else [])
        duration = max(ends, default=0.0)
    video = find_video(doc, directory)
    if video is None and doc.get("source"):
        notes.append(f"the video {doc['source']} was not found; the report has no filmstrips")
    return Analysis(
        directory=directory, doc=doc, events=events, context=context, judgements=judgements,
        duration_s=duration,
        profile_name=str(doc.get("profile") or "sales-pitch"), video=video, expr_t=expr_t,
        expr_scores=expr_scores, expr_names=names, tracks=tracks, notes=tuple(notes),
    )
