"""The facts of a report, computed once as plain JSON-able data: report.json is exactly this,
and the HTML and Markdown renderers only format it, so the three formats carry the same facts."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from mirror import __version__
from mirror.analysis import Analysis
from mirror.events.model import EMOTIONS
from mirror.judgement import Judgement, judge_episode, label_of
from mirror.profiles import Profile
from mirror.report.coaching import compute_focus
from mirror.report.cues import cue_facts, cue_focus, cue_summary
from mirror.report.fmt import expression_name, flatten_figures
from mirror.speech.model import Word
from mirror.speech.words import find_triggers, marker_slot, section_at, section_readings

REPORT_SCHEMA = "mirror.report/1"
N_WORST = 5
def per_minute(count: int, duration_s: float) -> float:
    return round(count / (duration_s / 60.0), 2) if duration_s > 0 else 0.0


def speech_words(analysis: Analysis) -> list[Word]:
    """The aligned words in time order; [] without speech (words without a text left out)."""
    return sorted((replace(w, text=w.text.strip()) for w in analysis.speech.words
                   if w.text.strip()), key=lambda w: w.start)


def trigger_facts(words: list[Word], triggers: tuple[str, ...]) -> list[dict[str, Any]]:
    """Where the profile's trigger words (or two-word phrases) were said."""
    return [{"t": h.start, "word": h.text} for h in find_triggers(words, triggers)]


def _by_section(items: Any, key: str = "section") -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(d[key]): d for d in items if isinstance(d, dict) and d.get(key) is not None}


def compute_sections(words: list[Word], episodes: list[dict[str, Any]],
                     duration_s: float, figures: dict[str, Any] | None = None
                     ) -> list[dict[str, Any]]:
    """Script sections in order, each with its time span, speech rate and episode counts.

    A section runs from its first word to the next section's first word (the first from 0, the
    last to the end). Words per minute and pace come from the speech stage's figures when it
    gave them (`figures.sections`), else from the section's words; `neutral` is the share of the
    section's reading time with a neutral face (`figures.section_shares`), when given.
    """
    order: list[str] = []
    spans: dict[str, list[float]] = {}
    counts: Counter[str] = Counter()
    for r in section_readings([w for w in words if w.section]):
        if r.section not in spans:
            order.append(r.section)
            spans[r.section] = [r.start, r.end]
        spans[r.section][0] = min(spans[r.section][0], r.start)
        spans[r.section][1] = max(spans[r.section][1], r.end)
        counts[r.section] += r.words
    if not order:
        return []
    pace = _by_section((figures or {}).get("sections"))
    shares = _by_section((figures or {}).get("section_shares"))
    rows = []
    for i, name in enumerate(order):
        start, end = spans[name]
        reading = max(end - start, 1e-6)
        end = max(end, spans[order[i + 1]][0] if i + 1 < len(order) else duration_s)
        if i == 0:
            start = 0.0
        eps = [e for e in episodes if e["section"] == name]
        dur = max(end - start, 1e-6)
        given = pace.get(name, {})
        wpm = given.get("wpm")
        share = shares.get(name, {}).get("neutral")
        rows.append({
            "name": name, "start_s": round(start, 2), "end_s": round(end, 2),
            "duration_s": round(dur, 2), "words": int(given.get("words", counts[name])),
            "wpm": round(float(wpm)) if isinstance(wpm, int | float) else round(
                counts[name] / (reading / 60.0)),
            "pace": str(given.get("pace", "")),
            "neutral": round(float(share), 3) if isinstance(share, int | float) else None,
            "leaks": sum(e["kind"] == "leak" for e in eps),
            "held": sum(e["kind"] == "held" for e in eps),
            "problems": sum(e["problem"] for e in eps),
            "leaks_per_min": per_minute(sum(e["kind"] == "leak" for e in eps), dur),
        })
    return rows


def _num(d: Any, key: str) -> float | None:
    v = d.get(key) if isinstance(d, dict) else None
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def speech_rows(figures: dict[str, Any]) -> list[dict[str, str]]:
    """The speech figures as labelled lines: speaking time, pace, pauses and fillers as
    sentences when they have the speech stage's shape, anything else flattened."""
    rows: list[dict[str, str]] = []
    known: set[str] = {"sections", "section_shares"}
    if (v := _num(figures, "speaking_s")) is not None:
        rows.append({"label": "speaking time", "value": f"{v:.0f} s"})
        known.add("speaking_s")
    if (v := _num(figures, "words")) is not None:
        rows.append({"label": "words", "value": f"{v:.0f}"})
        known.add("words")
    if (wpm := _num(figures, "wpm")) is not None:
        text = f"{wpm:.0f} words/min"
        rng = figures.get("pace_range_wpm")
        if figures.get("pace"):
            text += f", {figures['pace']}"
        if isinstance(rng, list) and len(rng) == 2:
            text += f" (comfortable: {rng[0]:.0f}-{rng[1]:.0f})"
        rows.append({"label": "pace", "value": text})
        known |= {"wpm", "pace", "pace_range_wpm"}
    pauses = figures.get("pauses")
    if isinstance(pauses, dict) and (n := _num(pauses, "count")) is not None:
        text = f"{n:.0f}"
        if (total := _num(pauses, "total_s")) is not None and n:
            text += f", {total:.1f} s in all"
        if (longest := _num(pauses, "longest_s")) is not None and n:
            text += f", longest {longest:.1f} s"
        rows.append({"label": "pauses", "value": text})
        known.add("pauses")
    fillers = figures.get("fillers")
    if isinstance(fillers, dict) and (n := _num(fillers, "total")) is not None:
        text = f"{n:.0f}"
        if (rate := _num(fillers, "per_minute")) is not None:
            text += f" ({rate:.1f} per minute)"
        counts = fillers.get("counts")
        if isinstance(counts, dict) and counts:
            text += ": " + ", ".join(f"“{k}” ×{v}" for k, v in
                                     sorted(counts.items(), key=lambda kv: -kv[1]))
        rows.append({"label": "filler words", "value": text})
        known.add("fillers")
    rest = {k: v for k, v in figures.items() if k not in known}
    rows += [{"label": k, "value": v} for k, v in flatten_figures(rest)]
    return rows


def compute_transcript(words: list[Word], episodes: list[dict[str, Any]],
                       cues: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Words grouped by section, with a marker before the word said at each episode's or cue's
    onset, or after the last word before it when it began in a pause (`marker_slot`, which also
    gives the item's section; a cue's marker has `cue` and no `expression`)."""
    if not words:
        return []
    markers: dict[tuple[int, bool], list[dict[str, Any]]] = {}
    items = sorted([*episodes, *(cues or [])], key=lambda e: e["start_s"])
    for e in items:
        mark = {"event": e["id"], "expression": e.get("expression"), "name": e.get("name"),
                "label": e["label"], "t": round(e["start_s"], 2), "problem": e["problem"]}
        if "cue" in e:
            mark["cue"] = e["cue"]
        markers.setdefault(marker_slot(e["start_s"], words), []).append(mark)
    groups: list[dict[str, Any]] = []
    for i, w in enumerate(words):
        sec = w.section or None
        if not groups or groups[-1]["section"] != sec:
            groups.append({"section": sec, "start_s": round(w.start, 2), "tokens": []})
        tokens = groups[-1]["tokens"]
        tokens += [{"marker": m} for m in markers.get((i, False), [])]
        tokens.append({"text": w.text, "t": round(w.start, 2)})
        tokens += [{"marker": m} for m in markers.get((i, True), [])]
    return groups


def judge_episodes(analysis: Analysis, profile: Profile) -> tuple[Judgement, ...]:
    """The episodes' judgements: the analysis's own when it used this profile, else judged now
    (a report for another profile)."""
    if analysis.profile == profile.name:
        return tuple(e.judgement for e in analysis.episodes)
    return tuple(judge_episode(e.event, e.speech.trigger_words, profile)
                 for e in analysis.episodes)


def episode_facts(analysis: Analysis, profile: Profile,
                  words: list[Word]) -> list[dict[str, Any]]:
    out = []
    judged = judge_episodes(analysis, profile)
    for i, ep in enumerate(analysis.episodes):
        e, ctx = ep.event, ep.speech
        section = section_at(e.start_s, words) if words else ctx.section
        out.append({
            "id": f"e{i + 1:03d}", "index": i,
            "start_s": round(e.start_s, 3), "apex_s": round(e.apex_s, 3),
            "end_s": round(e.end_s, 3), "duration_s": round(e.duration_s, 3),
            "expression": e.expression, "name": expression_name(e.expression, e.description),
            "description": e.description, "kind": e.kind, "micro": e.micro, "label": label_of(e),
            "intensity": round(e.intensity, 3), "side": e.side,
            "confidence": round(e.confidence, 3), "regions": list(e.regions),
            "posed_cues": [{"name": c.name, "value": round(c.value, 3),
                            "threshold": round(c.threshold, 3), "unit": c.unit,
                            "note": c.note} for c in e.posed_cues],
            **judged[i].to_json(),
            "section": section, "speaking": ctx.speaking,
            "said": " ".join(ctx.said), "said_before": " ".join(ctx.said_before),
            "triggers": list(dict.fromkeys(ctx.trigger_words)),
            "filmstrip": None,
        })
    return out


def worst_moments(episodes: list[dict[str, Any]], cues: list[dict[str, Any]]) -> list[str]:
    """The ids of the worst moments, on one scale (the judgement's score): every episode and cue
    judged a problem, strongest first; episodes that are not fill up to N_WORST."""
    def rank(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted((e for e in items if e["score"] > 0),
                      key=lambda e: (-e["score"], e["start_s"]))

    problems = rank([e for e in [*episodes, *cues] if e["problem"]])
    rest = rank([e for e in episodes if not e["problem"]])
    return [e["id"] for e in problems + rest[:max(0, N_WORST - len(problems))]]


def compute_facts(analysis: Analysis, profile: Profile,
                  progress: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the report says, as JSON-able data (schema mirror.report/1)."""
    words = speech_words(analysis)
    episodes = episode_facts(analysis, profile, words)
    dur = analysis.duration_s
    leaks = [e for e in episodes if e["kind"] == "leak"]
    held = [e for e in episodes if e["kind"] == "held"]
    by_emotion = {emo: {"leak": sum(e["expression"] == emo for e in leaks),
                        "held": sum(e["expression"] == emo for e in held)} for emo in EMOTIONS}
    sp = analysis.speech
    figures = dict(sp.figures)
    sections = compute_sections(words, episodes, dur, figures)
    cues = cue_facts(analysis.cues, profile, words, stored=analysis.profile == profile.name)
    cue_rows = cue_summary(cues, profile)
    for sec in sections:
        here = [c for c in cues if c.section == sec["name"]]
        sec["cues"], sec["cue_problems"] = len(here), sum(c.judgement.problem for c in here)
    focus = compute_focus(analysis.events, tuple(e.speech for e in analysis.episodes), profile,
                          duration_s=dur,
                          sections=sections, episode_sections=[e["section"] for e in episodes],
                          speech_figures=figures, extra=cue_focus(cues, cue_rows),
                          judgements=judge_episodes(analysis, profile))
    cue_docs = [c.to_json() for c in cues]  # report.json's cues, which the renderers read
    worst = worst_moments(episodes, cue_docs)
    present = bool(words or sp.segments)
    speech: dict[str, Any] = {"present": present, "figures": figures, "rows": [],
                              "note": sp.note or None, "av_offset_s": sp.av_offset_s,
                              "segments": [], "triggers": []}
    if present:
        speech["rows"] = speech_rows(figures)
        speech["segments"] = [{"start": s.start, "end": s.end, "speaking": s.speaking}
                              for s in sp.segments]
        speech["triggers"] = trigger_facts(words, profile.triggers)
    return {
        "schema": REPORT_SCHEMA,
        "generated_by": f"mirror {__version__}",
        "source": analysis.source or None,
        "analysis_dir": str(analysis.directory),
        "duration_s": round(dur, 2),
        "fps": analysis.fps or None,
        "neutral_s": analysis.neutral_s,
        "profile": {"name": profile.name, "title": profile.title,
                    "description": profile.description.strip(),
                    "summary": str(profile.coaching.get("summary", "")).strip()},
        "warnings": [*analysis.warnings, *analysis.notes]
        + ([f"speech: {speech['note']}"] if speech["note"] and not present else []),
        "summary": {
            "episodes": len(episodes), "leaks": len(leaks),
            "micro": sum(e["micro"] for e in leaks), "held": len(held),
            "problems": sum(e["problem"] for e in episodes),
            "leaks_per_min": per_minute(len(leaks), dur),
            "problem_leaks_per_min": per_minute(sum(e["problem"] for e in leaks), dur),
            "by_emotion": by_emotion,
            "cues": len(cues), "cue_problems": sum(c.judgement.problem for c in cues),
            "cue_counts": {row["cue"]: row["count"] for row in cue_rows},
        },
        "focus": [{"title": f.title, "detail": f.detail, "coaching": f.coaching,
                   "episodes": [episodes[i]["id"] for i in f.episodes] + list(f.cues)}
                  for f in focus],
        "worst": worst,
        "sections": sections,
        "speech": speech,
        "progress": progress or [],
        "episodes": episodes,
        "cues_analysed": analysis.cues_analysed,
        "cues": cue_docs,
        "cue_summary": cue_rows,
        "transcript": compute_transcript(words, episodes, cue_docs),
    }
