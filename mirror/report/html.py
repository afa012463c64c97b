"""The report as one self-contained HTML page: pictures embedded as data: URIs, the stylesheet
inline, no scripts, and a Content-Security-Policy that forbids loading anything else."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from mirror.events.model import EMOTIONS, UNNAMED
from mirror.report.fmt import (
    EMOTION_COLORS,
    cue_parts_text,
    cue_text,
    duration_text,
    evidence_text,
    group_summary,
    mmss,
    number,
    seconds,
    section_table,
    times_and_problems,
)
from mirror.speech.words import clean_word

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
OPEN_GROUP_MAX = 12  # episode groups up to this size start unfolded
OPEN_TRANSCRIPT_WORDS = 800


def _css() -> str:
    css = resources.files("mirror.report").joinpath("report.css").read_text(encoding="utf-8")
    emo = "\n".join(f".emo-{e} {{ --c: {c}; }}" for e, c in EMOTION_COLORS.items())
    return f"{css}\n{emo}\n"


def _img(images: dict[str, bytes], ref: str | None, alt: str, cls: str = "") -> str:
    if not ref:
        return ""
    data = images.get(Path(ref).name)
    if data is None:
        return ""
    mime = "image/png" if ref.endswith(".png") else "image/jpeg"
    b64 = base64.b64encode(data).decode("ascii")
    klass = f' class="{cls}"' if cls else ""
    return f'<img{klass} src="data:{mime};base64,{b64}" alt="{escape(alt)}">'


def _badge(e: dict[str, Any]) -> str:
    if "cue" in e:
        soft = "" if e["problem"] else " soft"
        return f'<span class="badge cue{soft}">{escape(e["label"])}</span>'
    return f'<span class="badge emo-{e["expression"]}">{escape(e["name"])}</span>'


def _what(e: dict[str, Any]) -> str:
    """An episode's label (`micro leak`), or what a cue was (`looking down, at your notes`)."""
    if "cue" in e:
        return str(e["text"] if e["text"] != e["label"] else e["meaning"])
    return str(e["label"])


def _href(e: dict[str, Any]) -> str:
    """An episode's filmstrip card when it has one, else its row in the episode tables."""
    return f"#{e['id']}" if e.get("filmstrip") else f"#row-{e['id']}"


def _link(e: dict[str, Any]) -> str:
    return f'<a href="{_href(e)}">{mmss(e["start_s"])}</a>'


def _said(e: dict[str, Any]) -> str:
    if not e["said"] and not e["said_before"]:
        if e["speaking"] is False:
            return '<span class="meta">(in a pause)</span>'
        return ""
    trig = {t.lower() for t in e["triggers"]}

    def words(text: str) -> str:
        return " ".join(f'<span class="trigger">{escape(w)}</span>' if clean_word(w) in trig
                        else escape(w) for w in text.split())

    before = f"…{words(e['said_before'])} " if e["said_before"] else ""
    during = f"<mark>{words(e['said'])}</mark>" if e["said"] else "(pause)"
    return before + during


def _summary(f: dict[str, Any]) -> str:
    s = f["summary"]
    length = duration_text(f["duration_s"])
    cards = [
        (number(s["leaks_per_min"]), "leaks per minute"),
        (f"{s['leaks']}", f"leaks ({s['micro']} micro)"),
        (f"{s['held']}", "held expressions"),
        (f"{s['problems']}", f"problem moments for “{f['profile']['title']}”"),
        (length, "rehearsed"),
    ]
    if f.get("cues_analysed"):
        cards.insert(3, (f"{s['cues']}", f"cues ({s['cue_problems']} a problem)"))
    out = ['<div class="cards">']
    out += [f'<div class="card"><div class="big">{escape(v)}</div>'
            f'<div class="what">{escape(w)}</div></div>' for v, w in cards]
    out.append("</div>")
    if not f["episodes"] and not f.get("cues"):
        out.append(f'<div class="calm"><strong>No expression episodes in this session.</strong> '
                   f"Your face stayed calm and readable for the whole {length}: "
                   f"nothing leaked and nothing was held. {escape(f['profile']['summary'])}</div>")
    return "\n".join(out)


def _focus(f: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    if not f["focus"]:
        return ""
    out = ['<h2 id="focus">Three things to work on next time</h2>', '<ol class="focus">']
    for item in f["focus"]:
        refs = [by_id[i] for i in item["episodes"][:8]]
        more = len(item["episodes"]) - len(refs)
        ref_html = ", ".join(_link(e) for e in refs) + (f" and {more} more" if more > 0 else "")
        out.append(
            f'<li><div class="title">{escape(item["title"])}</div>'
            f'<div>{escape(item["detail"])}</div>'
            f'<p class="coach">{escape(item["coaching"])}</p>'
            + (f'<div class="refs">When: {ref_html}</div>' if refs else "") + "</li>")
    out.append("</ol>")
    return "\n".join(out)


def _worst(f: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    if not f["worst"]:
        return ""
    out = ['<h2 id="worst">The worst moments</h2>', '<ol class="worst">']
    for i in f["worst"]:
        e = by_id[i]
        sec = f" in “{escape(e['section'])}”" if e["section"] else ""
        out.append(f"<li>{_link(e)} {_badge(e)} {escape(_what(e))}, "
                   f"intensity {e['intensity']:.2f}{sec}: {escape(e['coaching'])}</li>")
    out.append("</ol>")
    return "\n".join(out)


def _sections_and_speech(f: dict[str, Any]) -> str:
    sp = f["speech"]
    if not sp["present"]:
        return ""
    out = ['<h2 id="sections">Sections and speech</h2>', '<div class="twocol"><div>']
    if f["sections"]:
        header, rows = section_table(f["sections"])
        out.append("<table><tr>" + "".join(
            f"<th{' class=num' if k > 1 else ''}>{escape(h)}</th>" for k, h in enumerate(header))
            + "</tr>")
        out += ["<tr>" + "".join(f"<td{' class=num' if k > 1 else ''}>{escape(c)}</td>"
                                 for k, c in enumerate(row)) + "</tr>" for row in rows]
        out.append("</table>")
    else:
        out.append('<p class="meta">No script sections were marked.</p>')
    out.append("</div><div>")
    if sp["rows"]:
        out.append("<table><tr><th>speech</th><th>&nbsp;</th></tr>")
        out += [f"<tr><td>{escape(r['label'])}</td><td>{escape(r['value'])}</td></tr>"
                for r in sp["rows"]]
        out.append("</table>")
    if sp.get("note"):
        out.append(f'<p class="notes">{escape(str(sp["note"]))}</p>')
    out.append("</div></div>")
    return "\n".join(out)


def _progress(f: dict[str, Any], images: dict[str, bytes]) -> str:
    if not f["progress"]:
        return ""
    rows = "".join(
        f"<tr><td>{escape(p['session'])}{' (this one)' if p['current'] else ''}</td>"
        f"<td class=num>{number(p['leaks_per_min'])}</td><td class=num>{p['leaks']}</td>"
        f"<td class=num>{p['held']}</td></tr>" for p in f["progress"])
    return (f'<h2 id="progress">Progress over {len(f["progress"])} sessions</h2>'
            f'<figure>{_img(images, f["trend"], "Trend of leaks per minute, held expressions and episodes per emotion over your sessions")}</figure>'  # noqa: E501
            f"<details><summary>The numbers</summary><div class=inner><table><tr><th>session</th>"
            f"<th class=num>leaks/min</th><th class=num>leaks</th><th class=num>held</th></tr>"
            f"{rows}</table></div></details>")


def _card(e: dict[str, Any], images: dict[str, bytes], rank: dict[str, int]) -> str:
    tags = [f'<span class="tag problem">#{rank[e["id"]]} worst</span>'] if e["id"] in rank else []
    if e["problem"]:
        tags.append('<span class="tag problem">problem for this profile</span>')
    alt = (f"Your face at your neutral, at the onset, apex and offset of the {e['name']} "
           f"{e['label']} at {mmss(e['start_s'])}")
    rows = [*_timing_rows(e),
            ("face", escape(", ".join(e["regions"]) or "—") + f" · side: {escape(e['side'])}")]
    if e["posed_cues"]:
        rows.append(("posed cues", "<br>".join(escape(cue_text(c)) for c in e["posed_cues"])))
    return _article(e, f"ep emo-{e['expression']}", escape(e["label"]), tags, alt,
                    [*rows, *_context_rows(e)], images)


def _timing_rows(x: dict[str, Any]) -> list[tuple[str, str]]:
    """An episode's or a cue's intensity bar and its onset, offset and apex."""
    return [("intensity", f'<span class="bar"><span style="width:{x["intensity"] * 100:.0f}%">'
             f'</span></span>{x["intensity"]:.2f} (confidence {x["confidence"]:.2f})'),
            ("when", f"{mmss(x['start_s'])} → {mmss(x['end_s'])}, apex {mmss(x['apex_s'])}")]


def _context_rows(x: dict[str, Any]) -> list[tuple[str, str]]:
    """What was said around an episode or a cue, and the script section."""
    said = _said(x)
    rows = [("said", said)] if said else []
    if x["section"]:
        rows.append(("section", escape(x["section"])))
    return rows


def _article(x: dict[str, Any], cls: str, title: str, tags: list[str], alt: str,
             rows: list[tuple[str, str]], images: dict[str, bytes]) -> str:
    """One card: heading, filmstrip, the rows as a definition list, the coaching line."""
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<article class="{cls}" id="{x["id"]}">'
            f'<h3>{mmss(x["start_s"])} {_badge(x)} {title} · '
            f'{seconds(x["duration_s"])} {" ".join(tags)}</h3>'
            f'{_strip(images, x["filmstrip"], alt)}<dl>{dl}</dl>'
            f'<p class="coach">{escape(x["coaching"])}</p></article>')


def _strip(images: dict[str, bytes], ref: str | None, alt: str) -> str:
    """The filmstrip at 240 px a frame; a click (or Enter on it) opens it at full size, with no
    script: the image is the summary of a <details>, which the stylesheet enlarges when open."""
    img = _img(images, ref, alt, "strip")
    if not img:
        return ""
    return (f'<details class="zoom"><summary title="Click or Enter: show it large">{img}'
            "</summary></details>")


def _cue_rows(c: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [*_timing_rows(c), ("reads as", escape(c["meaning"]))]
    if c["parts"]:
        rows.append(("parts", escape(cue_parts_text(c["parts"]))))
    if c["direction"]:
        rows.append(("direction", f"looking {c['direction']}" if c["cue"] == "gaze_aversion"
                     else f"to the {c['direction']}"))
    if c["side"] != "both" or not c["direction"]:
        rows.append(("side", escape(c["side"])))
    if c["reading"]:
        rows.append(("reading", "looking at your notes while reading a scripted passage"
                     + ("" if c["problem"] else " (fine)")))
    if c["after_trigger"]:
        rows.append(("after", f'you said <span class="trigger">{escape(c["after_trigger"])}</span>'))
    if c["evidence"]:
        rows.append(("measured", escape(evidence_text(c["evidence"]))))
    return rows


def _cue_card(c: dict[str, Any], images: dict[str, bytes], rank: dict[str, int]) -> str:
    tags = [f'<span class="tag problem">#{rank[c["id"]]} worst</span>'] if c["id"] in rank else []
    tags.append('<span class="tag problem">problem for this profile</span>' if c["problem"]
                else '<span class="tag">not a problem</span>')
    alt = f"Your face at your neutral, at the onset, apex and offset of the {c['label']} at " \
          f"{mmss(c['start_s'])}"
    soft = "" if c["problem"] else " soft"
    return _article(c, f"ep cue{soft}", escape(_what(c)), tags, alt,
                    [*_cue_rows(c), *_context_rows(c)], images)


def _key_moments(f: dict[str, Any], images: dict[str, bytes], rank: dict[str, int]) -> str:
    items = [*f["episodes"], *f.get("cues", [])]
    shown = sorted((e for e in items if e["filmstrip"]), key=lambda e: e["start_s"])
    if not shown:
        return ""
    note = ("" if len(shown) == len(items) else
            f'<p class="meta">Filmstrips of the {len(shown)} moments that matter most; all '
            f'{len(items)} are listed below.</p>')
    return (f'<h2 id="moments">Key moments, in order</h2>{note}<div class="episodes">'
            + "".join(_cue_card(e, images, rank) if "cue" in e else _card(e, images, rank)
                      for e in shown) + "</div>")


def _cues(f: dict[str, Any]) -> str:
    """The cues: a table per cue type (count, problems, typical length, where, coaching), then
    every cue, one foldable group per type. Nothing for an analysis that did not look for cues."""
    if not f.get("cues_analysed"):
        return ""
    cues = f["cues"]
    out = ['<h2 id="cues">Cues</h2>']
    if not cues:
        out.append('<div class="calm"><strong>No cues in this session.</strong> No covered-up '
                   "reactions, no looking away, pressed lips or tension: your face and head "
                   "stayed steady and open.</div>")
        return "\n".join(out)
    out.append('<p class="meta">Signals besides the seven emotions that a buyer or a negotiator '
               "reads: covered-up reactions, breaking eye contact, pressed lips, tension, head "
               "tilts, brow flashes and nods.</p>")
    out.append("<table><tr><th>cue</th><th>reads as</th><th class=num>times</th>"
               "<th class=num>a problem</th><th class=num>typical length</th><th>where</th>"
               "<th>coaching</th></tr>")
    for row in f["cue_summary"]:
        reading = f" ({row['reading']} at your notes)" if row["reading"] else ""
        out.append(f'<tr><td><span class="badge cue">{escape(row["label"])}</span></td>'
                   f'<td>{escape(row["meaning"])}</td>'
                   f'<td class=num>{row["count"]}{escape(reading)}</td>'
                   f'<td class=num>{row["problems"]}</td>'
                   f'<td class=num>{seconds(row["typical_s"])}</td>'
                   f'<td>{escape(", ".join(row["sections"]) or "—")}</td>'
                   f'<td>{escape(row["coaching"])}</td></tr>')
    out.append("</table>")
    by_id = {c["id"]: c for c in cues}
    for row in f["cue_summary"]:
        group = [by_id[i] for i in row["ids"]]
        opened = " open" if len(cues) <= OPEN_GROUP_MAX else ""
        out.append(f'<details class="cue"{opened}><summary><span class="badge cue">'
                   f'{escape(row["label"])}</span> '
                   f'{times_and_problems(len(group), row["problems"])}</summary>'
                   "<div class=inner><table><tr><th>time</th><th>what</th>"
                   "<th class=num>length</th><th class=num>intensity</th><th>section</th>"
                   "<th>said</th><th>coaching</th></tr>")
        for c in group:
            out.append(f'<tr id="row-{c["id"]}"><td>{_link(c)}</td><td>{escape(_what(c))}'
                       f"{' ⚑' if c['problem'] else ''}</td>"
                       f"<td class=num>{seconds(c['duration_s'])}</td>"
                       f"<td class=num>{c['intensity']:.2f}</td>"
                       f"<td>{escape(c['section'] or '')}</td><td>{_said(c)}</td>"
                       f"<td>{escape(c['coaching'])}</td></tr>")
        out.append("</table></div></details>")
    return "\n".join(out)


def _all_episodes(f: dict[str, Any]) -> str:
    eps = f["episodes"]
    if not eps:
        return ""
    out = [f'<h2 id="episodes">All {len(eps)} episodes, by emotion</h2>']
    for emo in (*EMOTIONS, UNNAMED):  # unnamed movements last, in their own grey group
        group = [e for e in eps if e["expression"] == emo]
        if not group:
            continue
        opened = " open" if len(eps) <= OPEN_GROUP_MAX else ""
        badge = (f'<span class="badge emo-{emo}">facial movements (no emotion)</span>'
                 if emo == UNNAMED else _badge(group[0]))
        out.append(f'<details class="emo-{emo}"{opened}><summary>{badge} '
                   f"{group_summary(group)}</summary><div class=inner>"
                   "<table><tr><th>time</th><th>type</th><th class=num>length</th>"
                   "<th class=num>intensity</th><th>posed cues</th><th>section</th>"
                   "<th>said</th><th>coaching</th></tr>")
        for e in group:
            cues = ", ".join(c["name"].replace("_", " ") for c in e["posed_cues"])
            out.append(f'<tr id="row-{e["id"]}"><td>{_link(e)}</td><td>{escape(e["label"])}'
                       f"{' ⚑' if e['problem'] else ''}</td>"
                       f"<td class=num>{seconds(e['duration_s'])}</td>"
                       f"<td class=num>{e['intensity']:.2f}</td><td>{escape(cues)}</td>"
                       f"<td>{escape(e['section'] or '')}</td><td>{_said(e)}</td>"
                       f"<td>{escape(e['coaching'])}</td></tr>")
        out.append("</table></div></details>")
    out.append('<p class="meta">⚑ a problem for this profile.</p>')
    return "\n".join(out)


def _transcript(f: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    if not f["transcript"]:
        return ""
    triggers = {t["word"] for t in f["speech"]["triggers"]}
    n_words = sum(1 for g in f["transcript"] for tok in g["tokens"] if "text" in tok)
    out = []
    for g in f["transcript"]:
        if g["section"]:
            out.append(f"<h3>{escape(g['section'])} · {mmss(g['start_s'])}</h3>")
        parts = []
        for tok in g["tokens"]:
            if "marker" in tok:
                m = tok["marker"]
                soft = "" if m["problem"] else " soft"
                kind = "cue" if m.get("cue") else f"emo-{m['expression']}"
                parts.append(f'<a class="mk {kind}{soft}" '
                             f'href="{_href(by_id[m["event"]])}" '
                             f'title="{escape(m["label"])} at {mmss(m["t"])}">'
                             f'{escape(m["label"] if m.get("cue") else m["name"])}</a>')
            elif clean_word(tok["text"]) in triggers:
                parts.append(f'<span class="trigger">{escape(tok["text"])}</span>')
            else:
                parts.append(escape(tok["text"]))
        out.append("<p>" + " ".join(parts) + "</p>")
    opened = " open" if n_words <= OPEN_TRANSCRIPT_WORDS else ""
    return (f'<h2 id="transcript">Transcript</h2><details class="transcript"{opened}><summary>'
            f"{n_words} words, with a marker where your face moved (pale: not a problem for "
            f"this profile)</summary><div class=inner>{''.join(out)}</div></details>")


def _notes(f: dict[str, Any]) -> str:
    """The analysis's own notes, before the advice: a note can change how all of it reads (no
    relaxed moment to take as the neutral face, the face lost for a while, no speech)."""
    if not f["warnings"]:
        return ""
    return ('<h2 id="notes">Notes on this analysis</h2><ul class="notes">'
            + "".join(f"<li>{escape(w)}</li>" for w in f["warnings"]) + "</ul>")


def render_html(facts: dict[str, Any], images: dict[str, bytes]) -> str:
    """The whole report page; `images` are the picture bytes by file name."""
    f = facts
    by_id = {e["id"]: e for e in [*f["episodes"], *f.get("cues", [])]}
    rank = {eid: k + 1 for k, eid in enumerate(f["worst"])}
    title = f"Rehearsal report · {f['profile']['title']}"
    source = Path(str(f["source"] or "")).name or "unknown video"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    toc = [("focus", "Work on next"), ("timeline", "Timeline"), ("sections", "Sections"),
           ("cues", "Cues"), ("progress", "Progress"), ("moments", "Key moments"),
           ("episodes", "All episodes"), ("transcript", "Transcript")]
    body = [
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="meta">{escape(source)} · {mmss(f["duration_s"])} · '
        f"profile {escape(f['profile']['name'])} · written {when}</p>"
        f'<p class="lede">{escape(f["profile"]["summary"])}</p></header>',
        _summary(f), _notes(f), _focus(f, by_id), _worst(f, by_id),
        f'<h2 id="timeline">Timeline</h2><figure class="timeline">'
        f'{_img(images, f["timeline"], "Timeline of your expressions per emotion, with episodes, speech and trigger words")}'  # noqa: E501
        "<figcaption>Each row is one emotion's intensity. Solid blocks are leaks (pale: not a "
        "problem for this profile), hatched blocks are held expressions, dashed lines are "
        "trigger words, grey bars are speech." + (
            " The grey “movement” row holds clear movements that fit no emotion."
            if any(e["expression"] == UNNAMED for e in f["episodes"]) else "") + (
            " Under the emotions, one lane per cue: dark bars are a problem for this profile, "
            "pale ones are not; masking shows the covered reaction in its colour, then the "
            "mask hatched; arrows give the gaze direction." if f.get("cues") else "")
        + "</figcaption></figure>",
        _sections_and_speech(f), _cues(f), _progress(f, images), _key_moments(f, images, rank),
        _all_episodes(f), _transcript(f, by_id),
    ]
    present = {t for t, _ in toc if f'id="{t}"' in "".join(body)}
    nav = '<nav class="toc">' + "".join(
        f'<a href="#{t}">{label}</a>' for t, label in toc if t in present) + "</nav>"
    body.insert(1, nav)
    body.append(f"<footer>Written by {escape(f['generated_by'])} on this computer; this file "
                "loads nothing from the internet. Expression readings are estimates from your "
                "face's movements, meant for practice, not a judgement of what you felt."
                "</footer>")
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_css()}</style></head>\n"
            f"<body><main>\n" + "\n".join(b for b in body if b) + "\n</main></body></html>\n")
