"""`write_report`: the rehearsal report of one analysis folder, as HTML, Markdown and JSON."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mirror.analysis import Analysis
from mirror.errors import InputError
from mirror.events.model import EMOTIONS
from mirror.fileio import atomic_open, write_bytes_atomic, write_json_atomic
from mirror.media.stills import grab_frames
from mirror.profiles import Profile, load_profile
from mirror.report.analysis import find_video, load_analysis
from mirror.report.facts import compute_facts
from mirror.report.fmt import CUE_INK, EMOTION_COLORS, mmss
from mirror.report.frames import compose_strip, crop_face, face_box
from mirror.report.history import compute_progress
from mirror.report.plotter import Plotter, drawn, timeline_png, trend_png
from mirror.timeline import Timeline

FORMATS = ("html", "md", "json")
MAX_FILMSTRIPS = 24  # filmstrips for the worst episodes only; the others are listed in tables
FILES_DIR = "report_files"


@dataclass
class ReportImages:
    """The pictures of a report: PNG/JPEG bytes by file name (in report_files/)."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{FILES_DIR}/{name}"


def neutral_time(analysis: Analysis) -> float:
    """The representative neutral frame: events.json's `neutral_s`, else the calmest moment."""
    t = analysis.neutral_s
    if t is not None and np.isfinite(t):
        return float(t)
    if analysis.scores is not None and analysis.scores.t.size:
        total = np.nansum(analysis.scores.values, axis=1)
        return float(analysis.scores.t[int(np.argmin(total))])
    return 0.0


def make_filmstrips(analysis: Analysis, episodes: list[dict[str, Any]],
                    images: ReportImages, *, limit: int = MAX_FILMSTRIPS) -> None:
    """Filmstrips (neutral, onset, apex, offset) for the `limit` highest-scoring episodes (emotion
    episodes and cues alike); sets each chosen one's `filmstrip` to its file name. All frames
    come from one `grab_frames` (forward passes side by side)."""
    video = find_video(analysis)
    if video is None or not episodes:
        return
    chosen = sorted(episodes, key=lambda e: (-e["score"], e["start_s"]))[:limit]
    t0 = neutral_time(analysis)
    moments = {e["id"]: filmstrip_moments(e) for e in chosen}
    # The video's own times count from its first frame; a recorded session's tracks are on the
    # session clock, whose first frame is at tracks.t[0].
    shift = Timeline.of_tracks(analysis.tracks).first_frame_s
    wanted = [t0, *(t for ts, _ in moments.values() for t in ts)]
    grabbed = grab_frames(video, [t - shift for t in wanted])
    frames = {t: grabbed[t - shift] for t in wanted if t - shift in grabbed}
    if t0 not in frames:
        return
    neutral = crop_face(frames[t0], face_box(analysis.tracks, t0))

    def strip(e: dict[str, Any]) -> bytes | None:
        ts, names = moments[e["id"]]
        if not all(t in frames for t in ts):
            return None
        tiles = [neutral] + [crop_face(frames[t], face_box(analysis.tracks, t)) for t in ts]
        labels = ["your neutral"] + [f"{n} {mmss(t)}" for n, t in zip(names, ts, strict=True)]
        masked = next((p["expression"] for p in e.get("parts") or [] if p["role"] == "masked"),
                      None)
        color = EMOTION_COLORS.get(e.get("expression") or masked or "",
                                   CUE_INK if e.get("cue") else "#777777")
        return compose_strip(tiles, labels, highlight=2, color=color)

    # Pillow resizes and encodes without the GIL: two strips at a time
    with ThreadPoolExecutor(2, thread_name_prefix="mirror-strips") as pool:
        for e, data in zip(chosen, pool.map(strip, chosen), strict=True):
            if data is not None:
                e["filmstrip"] = images.add(f"{e['id']}.jpg", data)


def filmstrip_moments(e: dict[str, Any]) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """The three frames of a filmstrip and their captions: onset, apex, offset; for masking with
    both parts, onset, the covered reaction's apex and the mask's apex."""
    parts = {p["role"]: p for p in e.get("parts") or []}
    if "masked" in parts and "mask" in parts:
        return ((e["start_s"], parts["masked"]["apex_s"], parts["mask"]["apex_s"]),
                ("onset", parts["masked"]["expression"], "mask"))
    return (e["start_s"], e["apex_s"], e["end_s"]), ("onset", "apex", "offset")


def build_report(analysis: Analysis, profile: Profile,
                 history: Sequence[str | Path] | None = None, *,
                 plotter: Plotter | None = None) -> tuple[dict[str, Any], ReportImages]:
    """The report's facts and pictures, before anything is written. With a `plotter`, the plots
    are drawn in its process while this one makes the filmstrips; without, here after them."""
    progress = compute_progress(analysis, history)
    facts = compute_facts(analysis, profile, progress)
    images = ReportImages()
    curves = analysis.scores
    curve_args = (curves.t if curves else None, curves.values if curves else None,
                  (curves.names if curves else ()) or EMOTIONS)
    timeline = plotter.timeline(facts, *curve_args) if plotter else None
    trend = plotter.trend(progress) if plotter and progress else None
    strips = ReportImages()
    make_filmstrips(analysis, [*facts["episodes"], *facts["cues"]], strips)
    facts["timeline"] = images.add("timeline.png",
                                   drawn(timeline, lambda: timeline_png(facts, *curve_args)))
    facts["trend"] = images.add("trend.png", drawn(trend, lambda: trend_png(progress))) \
        if progress else None
    images.files.update(strips.files)
    return facts, images


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(formats))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise InputError(f"unknown report format {', '.join(bad) or '(none)'}; "
                         f"choose from {', '.join(FORMATS)}")
    return out


def write_report(analysis_dir: str | Path, *, formats: Iterable[str] = FORMATS,
                 profile: str | Profile | None = None,
                 history: Sequence[str | Path] | None = None,
                 plotter: Plotter | None = None) -> dict[str, Path]:
    """Write the rehearsal report of an analysis folder (or a session folder holding
    `analysis/`) and return the written files by format.

    `report.html` is self-contained (pictures embedded, nothing loaded from the network),
    `report.md` refers to pictures in `report_files/`, `report.json` holds the same facts.
    `profile` defaults to the one the analysis used; `history` lists earlier analysis folders to
    compare with (None: sibling sessions of the same profile are found automatically);
    `plotter` draws the plots in its own process (`mirror analyse` starts one early).
    """
    from mirror.report.html import render_html
    from mirror.report.markdown import render_markdown

    fmts = _check_formats(formats)
    analysis = load_analysis(analysis_dir)
    prof = profile if isinstance(profile, Profile) else load_profile(
        profile or analysis.profile)
    facts, images = build_report(analysis, prof, history, plotter=plotter)
    out_dir = analysis.directory or Path(analysis_dir)
    written: dict[str, Path] = {}
    if "md" in fmts or "json" in fmts:
        files = out_dir / FILES_DIR
        files.mkdir(mode=0o700, exist_ok=True)
        for name, data in images.files.items():
            write_bytes_atomic(files / name, data)
        _remove_stale(files, set(images.files))
    if "json" in fmts:
        write_json_atomic(out_dir / "report.json", facts)
        written["json"] = out_dir / "report.json"
    if "md" in fmts:
        with atomic_open(out_dir / "report.md", "w", encoding="utf-8") as fh:
            fh.write(render_markdown(facts))
        written["md"] = out_dir / "report.md"
    if "html" in fmts:
        with atomic_open(out_dir / "report.html", "w", encoding="utf-8") as fh:
            fh.write(render_html(facts, images.files))
        written["html"] = out_dir / "report.html"
    return written


def _remove_stale(files: Path, keep: set[str]) -> None:
    """Filmstrips of an earlier report whose episodes no longer exist."""
    for p in files.glob("[ec][0-9][0-9][0-9]*.jpg"):
        if p.name not in keep:
            with contextlib.suppress(OSError):
                p.unlink()
