"""The Home screen's data: one row per recorded session, with its analysis summary and trend."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mirror.errors import MirrorError
from mirror.session import ANALYSIS, list_sessions, read_manifest

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class SessionRow:
    path: Path
    date: str  # "2026-11-23 14:30"
    profile: str
    kind: str  # rehearsal | calibration
    status: str  # complete | interrupted | recording
    length_s: float
    analysed: bool
    events: int | None = None
    leaks_per_min: float | None = None
    held: int | None = None
    trend: str = ""  # leaks/min of this profile's sessions up to this one, as a sparkline

    @property
    def analysis_dir(self) -> Path:
        return self.path / ANALYSIS

    @property
    def report(self) -> Path:
        return self.analysis_dir / "report.html"


def compute_spark(values: Sequence[float], *, width: int = 8) -> str:
    """The last `width` values as unicode blocks, scaled to their own maximum."""
    vals = [max(0.0, float(v)) for v in values][-width:]
    if not vals:
        return ""
    top = max(vals) or 1.0
    return "".join(SPARK_BLOCKS[min(7, round(v / top * 7))] for v in vals)


def trend_text(values: Sequence[float], *, width: int = 24) -> str:
    """The trend chart in one line with its numbers: bars rise from 0 (10.0 -> 5.7 leaks/min is
    a bar at its top, then one a little over half as high, not a fall to nothing)."""
    if not values:
        return ""
    first, last, top = values[0], values[-1], max(values)
    return (f"{compute_spark(values, width=width)}  {first:.1f} → {last:.1f} leaks/min "
            f"over {len(values)} rehearsal{'s' if len(values) != 1 else ''} "
            f"(bars from 0 to {top:.1f})")


def mmss(t: float) -> str:
    t = max(0.0, float(t))
    return f"{int(t // 60)}:{int(t % 60):02d}"


def _date(manifest: dict[str, object], path: Path) -> str:
    started = manifest.get("started")
    if isinstance(started, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(started).astimezone().strftime("%Y-%m-%d %H:%M")
    return path.name[:16].replace("_", " ")


def read_row(path: Path) -> SessionRow | None:
    from mirror.analysis import Analysis, load_events_doc
    from mirror.report.history import summarise_session

    try:
        manifest = read_manifest(path)
    except MirrorError:
        return None
    events_json = path / ANALYSIS / "events.json"
    summary: dict[str, Any] | None = None
    profile = str(manifest.get("profile") or "")
    if events_json.is_file():
        try:
            analysis = Analysis.load(events_json.parent, arrays=False)
            summary = summarise_session(analysis)
            summary["events"] = len(analysis.episodes)
            profile = analysis.profile or profile
        except MirrorError:
            # a damaged events.json is still an analysis: opening it says what is wrong
            with contextlib.suppress(MirrorError):
                doc = load_events_doc(events_json.parent)
                summary = {"events": len(doc.get("events") or []), "leaks_per_min": None,
                           "held": None}
    length = float(manifest.get("duration_s") or (summary or {}).get("duration_s") or 0.0)
    return SessionRow(
        path=path, date=_date(manifest, path), profile=profile or "-",
        kind=str(manifest.get("kind", "rehearsal")), status=str(manifest.get("status", "?")),
        length_s=length, analysed=summary is not None,
        events=summary["events"] if summary else None,
        leaks_per_min=float(summary["leaks_per_min"]) if summary
        and summary["leaks_per_min"] is not None else None,
        held=int(summary["held"]) if summary and summary["held"] is not None else None,
    )


def load_session_rows(root: Path, *, kind: str | None = "rehearsal") -> list[SessionRow]:
    """Sessions under `root`, newest first, each with the trend of its profile up to it."""
    rows = [r for p in list_sessions(root) if (r := read_row(p)) is not None
            and (kind is None or r.kind == kind)]
    history: dict[str, list[float]] = {}
    out = []
    for row in rows:  # oldest first
        if row.leaks_per_min is not None:
            history.setdefault(row.profile, []).append(row.leaks_per_min)
        trend = compute_spark(history.get(row.profile, [])) if row.analysed else ""
        out.append(SessionRow(**{**row.__dict__, "trend": trend}))
    return out[::-1]


def profile_trend(rows: Sequence[SessionRow], profile: str) -> list[float]:
    """Leaks per minute of the analysed sessions of `profile`, oldest first."""
    return [r.leaks_per_min for r in reversed(rows)
            if r.profile == profile and r.leaks_per_min is not None]


def last_calibration(root: Path) -> SessionRow | None:
    rows = load_session_rows(root, kind="calibration")
    return next((r for r in rows if r.status != "recording"), None)
