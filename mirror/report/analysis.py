"""Reading an analysis folder for the report and the app: `mirror.analysis.Analysis.load`, with
the freely recognised words nobody can vouch for hidden (`report/said.py`) and the video found.

Everything but events.json is optional: a report without expression tracks draws no intensity
curves, one without tracks or video shows no filmstrips, one without speech shows no transcript.
"""

from __future__ import annotations

from pathlib import Path

from mirror.analysis import Analysis, with_notes
from mirror.errors import MirrorError
from mirror.report.said import hide_uncertain_words


def find_video(analysis: Analysis) -> Path | None:
    """The analysed video: its `source` as written, else beside the analysis folder."""
    if not analysis.source:
        return None
    directory = analysis.directory or Path.cwd()
    p = Path(analysis.source).expanduser()
    candidates = [p] if p.is_absolute() else [directory / p, directory.parent / p, Path.cwd() / p]
    candidates += [directory / p.name, directory.parent / p.name]
    return next((c for c in candidates if c.is_file()), None)


def _triggers(profile: str) -> tuple[str, ...]:
    from mirror.profiles import load_profile

    try:
        return load_profile(profile).triggers
    except MirrorError:
        return ()


def load_analysis(path: str | Path) -> Analysis:
    """An analysis folder (or a session folder) as the report and the app show it."""
    analysis = Analysis.load(path)
    analysis, said_note = hide_uncertain_words(analysis, _triggers(analysis.profile))
    notes = [said_note] if said_note else []
    if analysis.source and find_video(analysis) is None:
        notes.append(f"the video {analysis.source} was not found; the report has no filmstrips")
    return with_notes(analysis, *notes) if notes else analysis
