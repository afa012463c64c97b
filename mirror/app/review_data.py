"""The Review screen's data: episodes with their speech context and coaching, filters, the
terminal timeline and the transcript with markers. Pure functions over a loaded analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.text import Text

from mirror.errors import MirrorError
from mirror.events.model import EMOTIONS, Event
from mirror.profiles import Profile, load_profile
from mirror.report.analysis import Analysis, SpeechContext, load_analysis
from mirror.report.coaching import coaching_line, is_problem, label_of
from mirror.report.fmt import cue_text, mmss, plural

LEVEL_BLOCKS = " ▁▂▃▄▅▆▇█"
EMOTION_COLORS = {"happiness": "#e0b000", "surprise": "#3fa7d6", "fear": "#9b5de5",
                  "anger": "#e63946", "disgust": "#2a9d8f", "sadness": "#457b9d",
                  "contempt": "#f4a261"}
KINDS = ("leak", "micro", "held")


@dataclass(frozen=True)
class Episode:
    """One row of the events table."""

    number: int
    event: Event
    context: SpeechContext
    label: str  # micro leak | leak | held
    problem: bool
    coaching: str

    @property
    def section(self) -> str:
        return self.context.section or ""

    def matches(self, *, emotion: str | None, kind: str | None, section: str | None) -> bool:
        if emotion and self.event.expression != emotion:
            return False
        if kind == "micro" and not self.event.micro:
            return False
        if kind in ("leak", "held") and self.event.kind != kind:
            return False
        return not section or self.section == section


@dataclass(frozen=True)
class Review:
    analysis: Analysis
    profile: Profile
    episodes: tuple[Episode, ...]

    @property
    def sections(self) -> list[str]:
        return sorted({e.section for e in self.episodes if e.section})

    @property
    def words(self) -> list[dict[str, Any]]:
        sp = self.analysis.speech or {}
        return [w for w in sp.get("words") or [] if isinstance(w, dict) and "start" in w]

    def summary(self) -> str:
        doc = self.analysis.doc
        s = doc.get("summary") or {}
        return (f"{mmss(self.analysis.duration_s)} · "
                f"{plural(int(s.get('events', len(self.episodes))), 'episode')} · "
                f"{plural(int(s.get('leaks', 0)), 'leak')} ({s.get('micro', 0)} micro) · "
                f"{s.get('held', 0)} held · {s.get('leaks_per_minute', 0)} leaks/min · "
                f"profile {self.profile.title}")


def load_review(analysis_dir: str | Path) -> Review:
    analysis = load_analysis(analysis_dir)
    try:
        profile = load_profile(analysis.profile_name)
    except MirrorError as exc:  # a profile since renamed or deleted: review with the default
        profile = load_profile(None)
        analysis = replace(analysis, notes=(*analysis.notes, f"{exc}; using {profile.name}"))
    episodes = tuple(
        Episode(i + 1, ev, ctx, label_of(ev), is_problem(ev, profile),
                coaching_line(ev, ctx, profile))
        for i, (ev, ctx) in enumerate(zip(analysis.events, analysis.context, strict=True))
    )
    return Review(analysis, profile, episodes)


def filter_episodes(episodes: Sequence[Episode], *, emotion: str | None = None,
                    kind: str | None = None, section: str | None = None) -> list[Episode]:
    return [e for e in episodes if e.matches(emotion=emotion, kind=kind, section=section)]


def details_text(ep: Episode) -> Text:
    """The details pane: what, when, what was said and the coaching line first (a short
    terminal shows only the top), then the regions, section, trigger words and posed cues."""
    ev, ctx = ep.event, ep.context
    color = EMOTION_COLORS.get(ev.expression, "white")
    out = Text()
    out.append(f"#{ep.number} {ev.expression} · {ep.label}\n", style=f"bold {color}")
    out.append(f"{mmss(ev.start_s)} – {mmss(ev.end_s)} · {ev.end_s - ev.start_s:.2f} s · "
               f"intensity {ev.intensity:.2f} · side {ev.side}\n")
    said = " ".join([*ctx.words_before, *ctx.words])
    out.append("said: ", style="bold")
    out.append(f"“{said}”\n" if said else "(no words aligned here)\n",
               style="" if said else "dim")
    out.append(ep.coaching + "\n", style="italic")
    if ctx.section:
        out.append(f"section: {ctx.section}\n")
    if ctx.triggers:
        out.append(f"right after: {', '.join(ctx.triggers)}\n", style="bold")
    if ev.regions:
        out.append(f"moved: {', '.join(ev.regions)}\n", style="dim")
    if ev.posed_cues:
        out.append("posed cues:\n", style="bold")
        for cue in ev.posed_cues:
            out.append(f"  • {cue_text(cue.__dict__)}\n")
    return out


def compute_levels(t: np.ndarray, scores: np.ndarray, *, duration_s: float,
                   width: int) -> np.ndarray:
    """(n_emotions, width) max score per time bin; `t` (n,), `scores` (n, k)."""
    width = max(1, width)
    out = np.zeros((scores.shape[1], width))
    if t.size == 0 or duration_s <= 0:
        return out
    bins = np.clip((t / duration_s * width).astype(int), 0, width - 1)
    centres = (np.arange(width) + 0.5) / width * duration_s
    for j in range(scores.shape[1]):
        col = np.nan_to_num(scores[:, j])
        np.maximum.at(out[j], bins, col)
        out[j] = np.maximum(out[j], np.interp(centres, t, col))  # bins finer than the frames
    return np.clip(out, 0.0, 1.0)


def timeline_text(review: Review, *, width: int) -> Text:
    """One row of level blocks per emotion, episode markers under them, and a time axis."""
    a = review.analysis
    label_w = 10
    cols = max(10, width - label_w - 1)
    dur = a.duration_s or max((e.end_s for e in a.events), default=1.0)
    names = list(a.expr_names or EMOTIONS)
    levels = None
    if a.expr_t is not None and a.expr_scores is not None:
        levels = compute_levels(a.expr_t, a.expr_scores, duration_s=dur, width=cols)
    out = Text(no_wrap=True)
    for emo in EMOTIONS:
        color = EMOTION_COLORS[emo]
        out.append(f"{emo[:label_w]:<{label_w}} ", style=color)
        row = [" "] * cols
        if levels is not None and emo in names:
            lv = levels[names.index(emo)]
            row = [LEVEL_BLOCKS[min(8, round(v * 8))] for v in lv]
        for e in a.events:
            if e.expression == emo:
                a0 = int(e.start_s / dur * cols)
                a1 = max(a0 + 1, int(np.ceil(e.end_s / dur * cols)))
                for c in range(max(0, a0), min(cols, a1)):
                    if row[c] == " ":
                        row[c] = "▁"
        out.append("".join(row), style=color)
        out.append("\n")
    marks = [" "] * cols
    for e in a.events:
        c = min(cols - 1, int(e.apex_s / dur * cols))
        marks[c] = "▲" if e.kind == "leak" else "■"
    out.append(f"{'episodes':<{label_w}} ", style="bold")
    out.append("".join(marks) + "\n", style="bold")
    axis = [" "] * cols
    step = max(1, cols // 6)
    for c in range(0, cols, step):
        stamp = mmss(c / cols * dur)
        if c + len(stamp) <= cols:
            axis[c:c + len(stamp)] = list(stamp)
    out.append(" " * (label_w + 1) + "".join(axis), style="dim")
    return out


def transcript_text(review: Review) -> Text:
    """The words said, section headings, and a marker before the word where each episode began."""
    words = review.words
    out = Text()
    if not words:
        note = (review.analysis.speech or {}).get("note") or "speech was not analysed"
        out.append(f"No transcript: {note}.\n", style="dim")
        for ep in review.episodes:
            out.append(f"[{mmss(ep.event.start_s)} {ep.event.expression} {ep.label}]\n",
                       style=EMOTION_COLORS.get(ep.event.expression, ""))
        return out
    pending = sorted(review.episodes, key=lambda e: e.event.start_s)
    section = None
    for w in words:
        sec = str(w.get("section") or "")
        if sec and sec != section:
            out.append(f"\n{sec}\n", style="bold underline")
            section = sec
        while pending and pending[0].event.start_s <= float(w.get("end", w["start"])):
            ep = pending.pop(0)
            out.append(f"⟦{ep.event.expression} {ep.label} {mmss(ep.event.start_s)}⟧",
                       style=f"bold reverse {EMOTION_COLORS.get(ep.event.expression, '')}")
            out.append(" ")
        out.append(str(w.get("text", "")) + " ")
    for ep in pending:
        out.append(f"⟦{ep.event.expression} {ep.label} {mmss(ep.event.start_s)}⟧ ",
                   style=f"bold reverse {EMOTION_COLORS.get(ep.event.expression, '')}")
    return out
