"""A cue with its speech context resolved: the trigger it followed, whether it was reading notes,
and whether it counts as a problem (the rules are mirror.judgement's; pure)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mirror.judgement import after_trigger, is_cue_problem, is_reading
from mirror.profiles import CueRule


def finish_cue(cue: dict[str, Any], context: dict[str, Any], rules: dict[str, CueRule]
               ) -> dict[str, Any]:
    """A cue's JSON with its speech context, `after_trigger`, `reading` and `problem`."""
    out = {**cue, **context}
    out["after_trigger"] = after_trigger(context)
    out["reading"] = is_reading(out)
    out["problem"] = is_cue_problem(out, rules.get(str(cue["cue"])))
    return out


def cue_summary(cues: list[dict[str, Any]]) -> dict[str, Any]:
    """The events.json summary's cue fields: cues, cue_problems, cue_counts {cue: n}."""
    return {"cues": len(cues), "cue_problems": sum(bool(c.get("problem")) for c in cues),
            "cue_counts": dict(Counter(str(c["cue"]) for c in cues))}
