"""Progress: the user's earlier sessions of the same profile, summarised for a trend chart."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mirror.analysis import Analysis, load_events_doc, resolve_analysis_dir
from mirror.errors import InputError
from mirror.events.model import EMOTIONS
from mirror.report.facts import per_minute


def session_label(analysis_dir: Path) -> str:
    """The session folder's name (`<session>/analysis` → `<session>`)."""
    d = analysis_dir.resolve()
    return d.parent.name if d.name == "analysis" else d.name


def summarise_session(analysis: Analysis, *, current: bool = False) -> dict[str, Any]:
    events = analysis.events
    dur = analysis.duration_s or max((e.end_s for e in events), default=0.0)
    leaks = [e for e in events if e.kind == "leak"]
    held = [e for e in events if e.kind == "held"]
    directory = analysis.directory or Path(".")
    return {
        "session": session_label(directory), "analysis_dir": str(directory),
        "current": current, "duration_s": round(dur, 2), "leaks": len(leaks),
        "leaks_per_min": per_minute(len(leaks), dur), "held": len(held),
        "by_emotion": {emo: sum(e.expression == emo for e in events) for emo in EMOTIONS},
    }


def find_history(analysis_dir: Path, profile_name: str) -> list[Path]:
    """Earlier sessions beside this one (`../*/analysis/events.json`) analysed with the same
    profile, oldest first; sessions sort by folder name (recorded sessions are named by time).
    An analysis folder outside a session (`talk.mirror/`) has no siblings to compare with."""
    here = analysis_dir.resolve()
    if here.name != "analysis":
        return []
    session = here.parent
    root = session.parent
    found = []
    for events in sorted(root.glob("*/analysis/events.json")):
        d = events.parent
        if d.resolve() == here or d.parent.name >= session.name:
            continue
        with contextlib.suppress(InputError):
            if load_events_doc(d).get("profile") == profile_name:
                found.append(d)
    return found


def compute_progress(analysis: Analysis, history: Sequence[str | Path] | None
                     ) -> list[dict[str, Any]]:
    """Summaries of the earlier sessions then this one; [] when there is nothing to compare.

    `history` None: sibling sessions analysed with the same profile (see find_history); a list is
    taken as given (the caller chose those sessions)."""
    here = analysis.directory or Path(".")
    if history is None:
        dirs = find_history(here, analysis.profile)
    else:
        dirs = [resolve_analysis_dir(h) for h in history]
    rows = []
    for d in dirs:
        try:
            other = Analysis.load(d, arrays=False)
        except InputError:
            continue
        rows.append(summarise_session(other))
    if not rows:
        return []
    return [*rows, summarise_session(analysis, current=True)]
