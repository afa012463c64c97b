"""The report's pictures, drawn with matplotlib's Agg canvas (no pyplot, no display): the session
timeline and the progress trend. Each returns PNG bytes."""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from mirror.events.model import EMOTIONS, UNNAMED
from mirror.report.fmt import (
    CUE_BAND,
    CUE_INK,
    CUE_SOFT,
    EMOTION_COLORS,
    cue_order,
    mmss,
    track_label,
)

SECTION_BAND = 0.66  # the speech row's section names sit above this height (axes fraction)
MAX_POINTS = 3000  # intensity curves are reduced (keeping peaks) to about this many points


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _reduce(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max-pool long curves so that peaks survive; shapes (n,) and (n, k)."""
    n = t.shape[0]
    if n <= MAX_POINTS:
        return t, y
    step = int(np.ceil(n / MAX_POINTS))
    m = (n // step) * step
    return t[:m:step], np.nanmax(y[:m].reshape(-1, step, y.shape[1]), axis=1)


def _time_ticks(ax: Any, duration: float) -> None:
    candidates = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]
    step = next((c for c in candidates if duration / c <= 12), 1200)
    ticks = np.arange(0, duration + 1e-9, step)
    ax.set_xticks(ticks)
    ax.set_xticklabels([mmss(t).removesuffix(".0") for t in ticks], fontsize=8)


def render_timeline(facts: dict[str, Any], t: np.ndarray | None,
                    scores: np.ndarray | None, names: tuple[str, ...] = EMOTIONS) -> bytes:
    """The timeline figure (`compose_timeline`) as PNG bytes."""
    return _png(compose_timeline(facts, t, scores, names), dpi=110)


def compose_timeline(facts: dict[str, Any], t: np.ndarray | None,
                     scores: np.ndarray | None, names: tuple[str, ...] = EMOTIONS) -> Figure:
    """The session at a glance: speech and sections on top, one intensity track per emotion with
    its episodes (leaks solid, held hatched, the worst moments numbered), trigger words as lines.

    t (n,) seconds and scores (n, 7) in the order of `names`, or None without expression tracks.
    """
    duration = max(float(facts["duration_s"]), 1.0)
    speech = facts["speech"]
    has_speech = bool(speech["present"])
    cues = facts.get("cues") or []
    lanes = sorted({c["cue"] for c in cues}, key=lambda c: (cue_order(c), c))
    # clear movements no emotion fits get a row of their own, under the emotions (never dropped)
    tracks = (*EMOTIONS, *([UNNAMED] if any(e["expression"] == UNNAMED
                                            for e in facts["episodes"]) else []))
    rows = len(tracks) + (1 if has_speech else 0) + len(lanes)
    ratios = ([1.1] if has_speech else []) + [1.0] * len(tracks) + [0.8] * len(lanes)
    height = 0.55 * rows + 0.9
    fig = Figure(figsize=(12, height))
    axes = fig.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": ratios, "hspace": 0.08})
    axes = list(np.atleast_1d(axes))
    fig.subplots_adjust(left=0.09, right=0.99, top=1 - 0.37 / height, bottom=0.53 / height)
    first = 1 if has_speech else 0
    emo_axes = dict(zip(tracks, axes[first:first + len(tracks)], strict=True))
    cue_axes = dict(zip(lanes, axes[first + len(tracks):], strict=True))

    for i, sec in enumerate(facts["sections"]):
        for ax in axes:
            if i % 2 == 0:
                ax.axvspan(sec["start_s"], sec["end_s"], color="#f1f1f4", lw=0, zorder=0)
    if has_speech:
        ax = axes[0]
        for seg in speech["segments"]:
            if seg["speaking"]:
                ax.axvspan(seg["start"], seg["end"], ymin=0.08, ymax=0.38, color="#9aa0a6",
                           lw=0, zorder=1)
        for sec in facts["sections"]:
            ax.text(sec["start_s"] + duration * 0.004, 0.93, sec["name"], fontsize=8,
                    va="top", ha="left", color="#333", clip_on=True)
        for trig in speech["triggers"]:
            for a in axes:  # on the speech row, below the band of section names (y >= 0.68)
                a.axvline(trig["t"], ymax=SECTION_BAND if a is ax else 1.0, color="#444",
                          lw=0.8, ls=(0, (3, 2)), zorder=3)
            ax.text(trig["t"], 0.52, f" {trig['word']}", fontsize=7.5, color="#111",
                    va="center", ha="left", clip_on=True, fontweight="bold")
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.set_ylabel("speech", rotation=0, ha="right", va="center", fontsize=9)

    if t is not None and scores is not None and t.size:
        tt, ss = _reduce(np.asarray(t, float), np.asarray(scores, float))
        for j, name in enumerate(names):
            if name in emo_axes:
                y = np.nan_to_num(ss[:, j], nan=0.0)
                emo_axes[name].fill_between(tt, 0, y, color=EMOTION_COLORS[name], alpha=0.35,
                                            lw=0, zorder=2)
                emo_axes[name].plot(tt, y, color=EMOTION_COLORS[name], lw=0.8, zorder=2)

    rank = {eid: k + 1 for k, eid in enumerate(facts["worst"])}
    for e in facts["episodes"]:
        ax = emo_axes.get(e["expression"])
        if ax is None:  # an emotion this report does not know
            continue
        color = EMOTION_COLORS[e["expression"]]
        if e["kind"] == "held":
            ax.axvspan(e["start_s"], e["end_s"], facecolor="none", edgecolor=color, hatch="////",
                       lw=0.8, zorder=3)
        else:
            ax.axvspan(e["start_s"], max(e["end_s"], e["start_s"] + duration / 600),
                       color=color, alpha=0.85 if e["problem"] else 0.4, lw=0, zorder=3)
        if e["micro"]:
            ax.plot([e["apex_s"]], [0.93], marker="v", ms=4, color="#111", zorder=4)
        if e["id"] in rank:
            ax.annotate(str(rank[e["id"]]), (e["apex_s"], 0.5), fontsize=7.5, color="white",
                        ha="center", va="center", fontweight="bold", zorder=5,
                        bbox={"boxstyle": "circle,pad=0.18", "fc": "#111", "ec": "none"})
    for name, ax in emo_axes.items():
        ax.set_ylim(0, 1.02)
        ax.set_yticks([])
        ax.set_ylabel(track_label(name), rotation=0, ha="right",
                      va="center", fontsize=9, color=EMOTION_COLORS[name])
    _draw_cues(cue_axes, cues, rank, duration)
    for ax in axes:
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="x", length=2)
    axes[-1].set_xlim(0, duration)
    _time_ticks(axes[-1], duration)
    axes[-1].set_xlabel("time (min:s)", fontsize=9)
    legend = [Patch(color="#777", alpha=0.85, label="leak"),
              Patch(facecolor="none", edgecolor="#777", hatch="////", label="held")]
    if has_speech:
        legend.append(Patch(color="#9aa0a6", label="speaking"))
    if lanes:
        legend += [Patch(color=CUE_INK, label="cue: a problem"),
                   Patch(color=CUE_SOFT, label="cue: not a problem")]
        if "masking" in lanes:
            legend.append(Patch(facecolor="white", edgecolor=EMOTION_COLORS["happiness"],
                                hatch="xxx", label="the mask"))
    fig.legend(handles=legend, loc="upper right", ncol=len(legend), fontsize=8, frameon=False,
               bbox_to_anchor=(0.99, 1.0))
    key = "▼ micro   ● worst moments, numbered" + ("   ↓ gaze direction" if lanes else "")
    fig.text(0.09, 1 - 0.13 / height, key, fontsize=8, va="center", color="#333")
    return fig


def _draw_cues(cue_axes: dict[str, Any], cues: list[dict[str, Any]], rank: dict[str, int],
               duration: float) -> None:
    """One lane per cue type under the emotions: a bar per cue (dark: a problem, pale: not),
    masking as the masked expression in its colour then the mask hatched, gaze direction as an
    arrow (and "notes" when reading), the worst moments numbered."""
    arrows = {"left": "←", "right": "→", "up": "↑", "down": "↓"}
    for cue, ax in cue_axes.items():
        ax.axvspan(0, duration, color=CUE_BAND, lw=0, zorder=0)
        ax.axhline(1.0, color="#cfd5db", lw=0.6, zorder=1)
        ax.set_ylim(0, 1.02)
        ax.set_yticks([])
        label = next(c["label"] for c in cues if c["cue"] == cue)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9, color=CUE_INK,
                      fontstyle="italic")
    for c in cues:
        ax = cue_axes[c["cue"]]
        color = CUE_INK if c["problem"] else CUE_SOFT
        end = max(c["end_s"], c["start_s"] + duration / 600)
        parts = {p["role"]: p for p in c["parts"]}
        if c["cue"] == "masking" and "masked" in parts:
            m = parts["masked"]
            ax.axvspan(m["start_s"], max(m["end_s"], m["start_s"] + duration / 600), ymin=0.2,
                       ymax=0.8, color=EMOTION_COLORS.get(m["expression"], color), lw=0,
                       zorder=3, alpha=1.0 if c["problem"] else 0.5)
            if "mask" in parts:
                k = parts["mask"]
                ax.axvspan(k["start_s"], max(k["end_s"], k["start_s"] + duration / 600),
                           ymin=0.2, ymax=0.8, facecolor="white", hatch="xxx", lw=0.8,
                           edgecolor=EMOTION_COLORS.get(k["expression"], "#777"), zorder=3)
            ax.axvspan(c["start_s"], end, ymin=0.12, ymax=0.88, facecolor="none",
                       edgecolor=color, lw=1.0, zorder=4)
        else:
            ax.axvspan(c["start_s"], end, ymin=0.2, ymax=0.8, color=color, lw=0, zorder=3)
        note = arrows.get(c["direction"] or "", "") if c["cue"] in ("gaze_aversion",
                                                                       "head_tilt") else ""
        if c["reading"]:
            note += " notes"
        if note:
            ax.text(end + duration * 0.008, 0.5, note, fontsize=8, va="center", ha="left",
                    color=CUE_INK if c["problem"] else "#7a8590", clip_on=True, zorder=5)
        if c["id"] in rank:
            ax.annotate(str(rank[c["id"]]), (c["apex_s"], 0.5), fontsize=7.5, color="white",
                        ha="center", va="center", fontweight="bold", zorder=6,
                        bbox={"boxstyle": "circle,pad=0.18", "fc": "#111", "ec": "white", "lw": 0.8})


def session_short(name: str) -> str:
    """`2026-11-20_0930` → `11-20 09:30`; other names cut to 14 characters."""
    m = re.search(r"\d{4}-?(\d{2})-?(\d{2})(?:[_T -]?(\d{2}):?(\d{2}))?", name)
    if m:
        return f"{m[1]}-{m[2]}" + (f" {m[3]}:{m[4]}" if m[3] else "")
    return name if len(name) <= 14 else name[:13] + "…"


def render_trend(progress: list[dict[str, Any]]) -> bytes:
    """Leaks per minute, held expressions and episodes per emotion over the sessions."""
    labels = [("this one" if p["current"] else session_short(p["session"])) for p in progress]
    x = np.arange(len(progress))
    fig = Figure(figsize=(11, 2.7))
    a1, a2, a3 = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.05, right=0.86, bottom=0.28, top=0.88, wspace=0.3)
    a1.plot(x, [p["leaks_per_min"] for p in progress], marker="o", color="#d62728")
    a1.set_title("leaks per minute", fontsize=9)
    a1.set_ylim(bottom=0)
    a2.bar(x, [p["held"] for p in progress], color="#1f5fbf", width=0.6)
    a2.set_title("held expressions", fontsize=9)
    for emo in EMOTIONS:
        counts = [p["by_emotion"].get(emo, 0) for p in progress]
        if any(counts):
            a3.plot(x, counts, marker="o", ms=3, color=EMOTION_COLORS[emo], label=emo)
    a3.set_title("episodes per emotion", fontsize=9)
    a3.set_ylim(bottom=0)
    if a3.get_legend_handles_labels()[0]:
        a3.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in (a1, a2, a3):
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=7, rotation=20, ha="right")
        ax.tick_params(axis="y", labelsize=7)
        if ax is not a1:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
    return _png(fig, dpi=100)
