"""The report as Markdown: the same facts as the HTML page, pictures as files in report_files/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mirror.events.model import EMOTIONS, UNNAMED
from mirror.report.fmt import (
    cue_parts_text,
    cue_text,
    cue_title,
    duration_text,
    episode_title,
    evidence_text,
    group_summary,
    mmss,
    number,
    seconds,
    section_table,
    times_and_problems,
)
from mirror.speech.words import clean_word


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _said(e: dict[str, Any]) -> str:
    if not e["said"] and not e["said_before"]:
        return "(in a pause)" if e["speaking"] is False else ""
    before = f"…{e['said_before']} " if e["said_before"] else ""
    return before + (f"**{e['said']}**" if e["said"] else "(pause)")


def _episode(e: dict[str, Any], rank: dict[str, int]) -> list[str]:
    tags = []
    if e["id"] in rank:
        tags.append(f"#{rank[e['id']]} worst")
    if e["problem"]:
        tags.append("problem for this profile")
    out = [f"### {episode_title(e)}" + (f" ({', '.join(tags)})" if tags else ""), ""]
    if e["filmstrip"]:
        out += [f"![Your face at your neutral, onset, apex and offset of the {e['name']} "
                f"{e['label']} at {mmss(e['start_s'])}]({e['filmstrip']})", ""]
    out.append(_timing_line(e))
    out.append(f"- face: {', '.join(e['regions']) or '—'} · side: {e['side']}")
    if e["posed_cues"]:
        out.append("- posed cues: " + "; ".join(cue_text(c) for c in e["posed_cues"]))
    return [*out, *_context_lines(e), "", f"> {e['coaching']}", ""]


def _timing_line(x: dict[str, Any]) -> str:
    """An episode's or a cue's intensity and its onset, offset and apex."""
    return (f"- intensity {x['intensity']:.2f} (confidence {x['confidence']:.2f}); "
            f"{mmss(x['start_s'])} → {mmss(x['end_s'])}, apex {mmss(x['apex_s'])}")


def _context_lines(x: dict[str, Any]) -> list[str]:
    """What was said around an episode or a cue, and the script section."""
    said = _said(x)
    out = [f"- said: {said}"] if said else []
    if x["section"]:
        out.append(f"- section: {x['section']}")
    return out


def _what(e: dict[str, Any]) -> str:
    if "cue" in e:
        return e["label"] + (f": {e['text']}" if e["text"] != e["label"] else "")
    return f"{e['name']} {e['label']}"


def _cue(c: dict[str, Any], rank: dict[str, int]) -> list[str]:
    tags = [f"#{rank[c['id']]} worst"] if c["id"] in rank else []
    tags.append("problem for this profile" if c["problem"] else "not a problem")
    out = [f"### {cue_title(c)} ({', '.join(tags)})", ""]
    if c["filmstrip"]:
        out += [f"![Your face at your neutral, onset, apex and offset of the {c['label']} at "
                f"{mmss(c['start_s'])}]({c['filmstrip']})", ""]
    out.append(_timing_line(c))
    out.append(f"- reads as: {c['meaning']}")
    if c["parts"]:
        out.append(f"- parts: {cue_parts_text(c['parts'])}")
    if c["direction"]:
        out.append(f"- direction: {c['direction']}")
    if c["side"] != "both" or not c["direction"]:
        out.append(f"- side: {c['side']}")
    if c["reading"]:
        out.append("- reading: looking at your notes while reading a scripted passage"
                   + ("" if c["problem"] else " (fine)"))
    if c["after_trigger"]:
        out.append(f"- after you said **{c['after_trigger']}**")
    if c["evidence"]:
        out.append(f"- measured: {evidence_text(c['evidence'])}")
    return [*out, *_context_lines(c), "", f"> {c['coaching']}", ""]


def _cues(f: dict[str, Any]) -> list[str]:
    if not f.get("cues_analysed"):
        return []
    out = ["## Cues", ""]
    if not f["cues"]:
        return [*out, "**No cues in this session.** No covered-up reactions, no looking away, "
                "pressed lips or tension: your face and head stayed steady and open.", ""]
    out += _table(["cue", "reads as", "times", "a problem", "typical length", "where", "coaching"],
                  [[r["label"], r["meaning"],
                    f"{r['count']}" + (f" ({r['reading']} at your notes)" if r["reading"] else ""),
                    r["problems"],
                    seconds(r["typical_s"]), ", ".join(r["sections"]) or "—", r["coaching"]]
                   for r in f["cue_summary"]])
    by_id = {c["id"]: c for c in f["cues"]}
    for r in f["cue_summary"]:
        out += [f"<details><summary>{r['label']}: "
                f"{times_and_problems(r['count'], r['problems'])}</summary>", ""]
        out += _table(["time", "what", "length", "intensity", "section", "said", "coaching"],
                      [[mmss(c["start_s"]), (c["text"] if c["text"] != c["label"] else
                                             c["meaning"]) + (" ⚑" if c["problem"] else ""),
                        seconds(c["duration_s"]), f"{c['intensity']:.2f}", c["section"] or "",
                        _said(c), c["coaching"]] for c in (by_id[i] for i in r["ids"])])
        out += ["</details>", ""]
    return out


def render_markdown(facts: dict[str, Any]) -> str:
    f = facts
    s = f["summary"]
    by_id = {e["id"]: e for e in [*f["episodes"], *f.get("cues", [])]}
    rank = {eid: k + 1 for k, eid in enumerate(f["worst"])}
    length = duration_text(f["duration_s"])
    source = Path(str(f["source"] or "")).name or "unknown video"
    out = [f"# Rehearsal report · {f['profile']['title']}", "",
           f"{source} · {mmss(f['duration_s'])} · profile {f['profile']['name']}", "",
           f"_{f['profile']['summary']}_", "", "## Summary", ""]
    head = ["leaks per minute", "leaks", "micro", "held expressions", "problem moments", "rehearsed"]
    row: list[Any] = [number(s["leaks_per_min"]), s["leaks"], s["micro"], s["held"], s["problems"],
                      length]
    if f.get("cues_analysed"):
        head.insert(4, "cues (a problem)")
        row.insert(4, f"{s['cues']} ({s['cue_problems']})")
    out += _table(head, [row])
    if f["warnings"]:  # before the advice: a note can change how all of it reads
        out += ["## Notes on this analysis", ""] + [f"- {w}" for w in f["warnings"]] + [""]
    if not f["episodes"] and not f.get("cues"):
        out += [f"**No expression episodes in this session.** Your face stayed calm and readable "
                f"for the whole {length}: nothing leaked and nothing was held. "
                f"{f['profile']['summary']}", ""]
    if f["focus"]:
        out += ["## Three things to work on next time", ""]
        for k, item in enumerate(f["focus"], 1):
            refs = [mmss(by_id[i]["start_s"]) for i in item["episodes"][:8]]
            more = len(item["episodes"]) - len(refs)
            when = f" When: {', '.join(refs)}" + (f" and {more} more." if more > 0 else ".") \
                if refs else ""
            out.append(f"{k}. **{item['title']}**: {item['detail']} {item['coaching']}{when}")
        out.append("")
    if f["worst"]:
        out += ["## The worst moments", ""]
        for k, i in enumerate(f["worst"], 1):
            e = by_id[i]
            sec = f" in “{e['section']}”" if e["section"] else ""
            out.append(f"{k}. {mmss(e['start_s'])} {_what(e)}, intensity "
                       f"{e['intensity']:.2f}{sec}: {e['coaching']}")
        out.append("")
    out += ["## Timeline", "", f"![Timeline of your expressions]({f['timeline']})", "",
            "Each row is one emotion's intensity. Solid blocks are leaks, hatched blocks are held "
            "expressions, dashed lines are trigger words, grey bars are speech."
            + (" The grey “movement” row holds clear movements that fit no emotion."
               if any(e["expression"] == UNNAMED for e in f["episodes"]) else "")
            + (" Under the emotions, one lane per cue (dark: a problem, pale: not)."
               if f.get("cues") else ""), ""]
    sp = f["speech"]
    if sp["present"]:
        out += ["## Sections and speech", ""]
        if f["sections"]:
            out += _table(*section_table(f["sections"]))
        if sp["rows"]:
            out += _table(["speech", ""], [[r["label"], r["value"]] for r in sp["rows"]])
        if sp.get("note"):
            out += [f"_{sp['note']}_", ""]
    if f["progress"]:
        out += [f"## Progress over {len(f['progress'])} sessions", "",
                f"![Trend over your sessions]({f['trend']})", ""]
        out += _table(["session", "leaks/min", "leaks", "held"],
                      [[p["session"] + (" (this one)" if p["current"] else ""),
                        number(p["leaks_per_min"]), p["leaks"], p["held"]]
                       for p in f["progress"]])
    out += _cues(f)
    shown = sorted((e for e in [*f["episodes"], *f.get("cues", [])] if e["filmstrip"]),
                   key=lambda e: e["start_s"])
    if shown:
        out += ["## Key moments, in order", ""]
        for e in shown:
            out += _cue(e, rank) if "cue" in e else _episode(e, rank)
    if f["episodes"]:
        out += [f"## All {len(f['episodes'])} episodes, by emotion", ""]
        for emo in (*EMOTIONS, UNNAMED):  # unnamed movements last, in their own group
            group = [e for e in f["episodes"] if e["expression"] == emo]
            if not group:
                continue
            title = "facial movements (no emotion)" if emo == UNNAMED else emo
            out += [f"<details><summary>{title}: {group_summary(group)}</summary>", ""]
            out += _table(["time", "type", "length", "intensity", "posed cues", "section", "said",
                           "coaching"],
                          [[mmss(e["start_s"]), e["label"] + (" ⚑" if e["problem"] else ""),
                            seconds(e["duration_s"]), f"{e['intensity']:.2f}",
                            ", ".join(c["name"].replace("_", " ") for c in e["posed_cues"]),
                            e["section"] or "", _said(e), e["coaching"]] for e in group])
            out += ["</details>", ""]
        out += ["⚑ a problem for this profile.", ""]
    if f["transcript"]:
        triggers = {t["word"] for t in sp["triggers"]}
        out += ["## Transcript", "", "Markers show where your face moved: "
                "`[emotion label m:ss.s]`.", ""]
        for g in f["transcript"]:
            if g["section"]:
                out += [f"### {g['section']} · {mmss(g['start_s'])}", ""]
            parts = []
            for tok in g["tokens"]:
                if "marker" in tok:
                    m = tok["marker"]
                    what = m["label"] if m.get("cue") else f"{m['name']} {m['label']}"
                    parts.append(f"`[{what} {mmss(m['t'])}]`")
                elif clean_word(tok["text"]) in triggers:
                    parts.append(f"**{tok['text']}**")
                else:
                    parts.append(tok["text"])
            out += [" ".join(parts), ""]
    out += ["---", f"Written by {f['generated_by']} on this computer. Expression readings are "
            "estimates from your face's movements, meant for practice, not a judgement of what "
            "you felt.", ""]
    return "\n".join(out)
