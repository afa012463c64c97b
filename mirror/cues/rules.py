"""What a profile makes of a cue: whether it counts as a problem (pure)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mirror.profiles import DEFAULT_CUE_RULES, CueRule


def after_trigger(context: dict[str, Any]) -> str | None:
    """The trigger word said last before a cue (its speech context's `triggers`), or None."""
    hits = [h for h in context.get("triggers", ()) if float(h.get("lag_s", 0.0)) >= -0.05]
    if not hits:
        return None
    return str(min(hits, key=lambda h: float(h.get("lag_s", 0.0)))["text"])


def is_reading(cue: dict[str, Any]) -> bool:
    """A downward gaze while talking: looking at notes. With speech analysed, "talking" is the
    voice; without it, the jaw's articulation the detector saw."""
    if cue.get("cue") != "gaze_aversion" or cue.get("direction") != "down":
        return False
    speaking = cue.get("speaking")
    return bool(cue.get("reading")) if speaking is None else bool(speaking)


def is_problem(cue: dict[str, Any], rule: CueRule | None) -> bool:
    rule = rule or DEFAULT_CUE_RULES.get(str(cue.get("cue")), CueRule())
    if rule.problem == "never":
        return False
    if cue.get("reading") and rule.reading_ok:
        return False
    if rule.problem == "after_trigger":
        return cue.get("after_trigger") is not None
    return True


def finish_cue(cue: dict[str, Any], context: dict[str, Any], rules: dict[str, CueRule]
               ) -> dict[str, Any]:
    """A cue's JSON with its speech context, `after_trigger`, `reading` and `problem`."""
    out = {**cue, **context}
    out["after_trigger"] = after_trigger(context)
    out["reading"] = is_reading(out)
    out["problem"] = is_problem(out, rules.get(str(cue["cue"])))
    return out


def cue_summary(cues: list[dict[str, Any]]) -> dict[str, Any]:
    """The events.json summary's cue fields: cues, cue_problems, cue_counts {cue: n}."""
    return {"cues": len(cues), "cue_problems": sum(bool(c.get("problem")) for c in cues),
            "cue_counts": dict(Counter(str(c["cue"]) for c in cues))}
