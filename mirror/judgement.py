"""What a profile makes of each moment (pure): a problem or not, why, the one coaching line, the
trigger word it followed, and its weight among the worst moments.

This is the one place the profile judges an expression episode or a cue. The analysis applies it
once and writes the judgement into events.json (`problem`, `why`, `coaching`, `after_trigger`,
`score`); the report (HTML, Markdown, report.json) and the app display it. Only a file written
before judgements were stored, or a report asked for another profile, is judged again here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mirror.align import TriggerHit
from mirror.cues.model import CUE_INFO, Cue
from mirror.events.model import UNNAMED, Event
from mirror.profiles import DEFAULT_CUE_RULES, CueRule, Profile

NON_PROBLEM_WEIGHT = 0.35  # a moment the profile does not call a problem still counts a little
TRIGGER_WEIGHT = 1.5  # right after a trigger word (price, deadline...) a leak is read closely
CUE_WEIGHT = 0.15  # each posed cue of a held display
MASK_WEIGHT = 1.3  # a covered-up reaction is the headline cue of a pitch

# Which posed cue speaks first when a display has several: what a viewer notices most.
CUE_PRIORITY = ("no_eye_involvement", "asymmetry", "too_long", "flat_plateau", "abrupt_onset",
                "abrupt_offset")
CUE_COACHING = {
    "masking": "A covered-up reaction still shows for a moment, and the cover looks put on. "
               "Find what bothers you in this passage and settle it before the meeting.",
    "gaze_aversion": "Looking away at the key moment reads as doubt. Hold eye contact through "
                     "the number and a beat after it.",
    "lip_press": "Pressed lips read as holding something back. Breathe out before the line and "
                 "keep the jaw loose.",
    "tension": "A tight face reads as strain. Slow down and relax the eyes and the brow.",
    "head_tilt": "A tilted head reads as open, or as doubting your own point. Keep the head level "
                 "when you state the facts.",
    "brow_flash": "A brow flash shows interest. Use it when you greet, not when you state a price.",
    "nod": "A nod encourages. Make sure you nod to the buyer's points, not to your own.",
}
READING_LINE = ("Looking down at your notes while reading is fine; look up for the numbers and "
                "the close.")
KEYS = ("problem", "why", "coaching", "after_trigger", "score")
# A clear movement no emotion's prototype explains (a mouth twist, a pout): no emotion's line,
# nor the leak or held line (those speak of an emotion showing), unless the profile has its own
# (`coaching.emotions.unnamed`).
UNNAMED_LINE = ("Your face moved clearly here, in no emotion's pattern. Look at the frames: a "
                "habit you do not notice, like a mouth twist or a pout, is what the other person "
                "sees.")


@dataclass(frozen=True)
class Judgement:
    """The profile's verdict on one episode or cue."""

    problem: bool
    why: str  # one phrase: why it is, or is not, a problem for this profile
    coaching: str  # the one coaching line
    after_trigger: str | None  # the trigger word said last before it, if any
    score: float  # intensity x weights: what the worst moments are ranked by

    def to_json(self) -> dict[str, Any]:
        return {"problem": self.problem, "why": self.why, "coaching": self.coaching,
                "after_trigger": self.after_trigger, "score": round(self.score, 3)}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Judgement | None:
        """A stored judgement, or None when the entry has none (an older events.json)."""
        if not all(k in d for k in KEYS) or not isinstance(d["problem"], bool):
            return None
        after = d["after_trigger"]
        return Judgement(bool(d["problem"]), str(d["why"]), str(d["coaching"]),
                         str(after) if after else None, float(d["score"]))


# ------------------------------------------------------------------------------ episodes

def label_of(event: Event) -> str:
    if event.kind == "held":
        return "held"
    return "micro leak" if event.micro else "leak"


def is_problem(event: Event, profile: Profile) -> bool:
    wanted = profile.problem_leaks if event.kind == "leak" else profile.problem_held
    return event.expression in wanted


def compute_score(event: Event, triggers: Sequence[str], profile: Profile) -> float:
    """Intensity x problem weight: what the worst moments are ranked by."""
    weight = 1.0 if is_problem(event, profile) else NON_PROBLEM_WEIGHT
    if triggers:
        weight *= TRIGGER_WEIGHT
    if event.kind == "held":
        weight *= 1.0 + CUE_WEIGHT * len(event.posed_cues)
    return float(event.intensity) * weight


def cue_rank(name: str) -> int:
    return CUE_PRIORITY.index(name) if name in CUE_PRIORITY else len(CUE_PRIORITY)


def profile_line(coaching: dict[str, Any], group: str, key: str) -> str | None:
    """The profile's coaching line `coaching[group][key]`, if it has one."""
    table = coaching.get(group)
    if isinstance(table, dict) and isinstance(table.get(key), str):
        return str(table[key]).strip()
    return None


def coaching_line(event: Event, triggers: Sequence[str], profile: Profile) -> str:
    """One line of coaching, the most specific the profile has for this episode."""
    c = profile.coaching
    emotion = profile_line(c, "emotions", event.expression)
    if event.expression == UNNAMED:  # never a problem, no posed cues: its own line, as an emotion's
        emotion = emotion or UNNAMED_LINE
    if event.kind == "held" and event.posed_cues:
        for cue in sorted(event.posed_cues, key=lambda q: cue_rank(q.name)):
            line = profile_line(c, "posed_cues", cue.name)
            if line:
                return line
    if triggers:
        said = "“" + "”, “".join(dict.fromkeys(triggers)) + "”"
        base = emotion or str(c.get(event.kind, "")).strip()
        return f"Right after {said}: {base}".strip().rstrip(":")
    if event.kind == "leak" and is_problem(event, profile) and emotion:
        return emotion
    if event.kind == "held" and is_problem(event, profile) and isinstance(c.get("held"), str):
        return str(c["held"]).strip()
    if emotion:
        return emotion
    return str(c.get(event.kind) or c.get("summary") or "").strip()


def judge_episode(event: Event, triggers: Sequence[str], profile: Profile) -> Judgement:
    """`triggers`: the trigger words said just before the episode (its speech context)."""
    problem = is_problem(event, profile)
    kind = "held display" if event.kind == "held" else "leak"
    counted = "counts" if problem else "does not count"
    why = f"the {profile.name} profile {counted} {event.expression} {kind}s"
    if triggers:
        why += f"; right after “{triggers[-1]}”"
    return Judgement(problem, why, coaching_line(event, triggers, profile),
                     triggers[-1] if triggers else None, compute_score(event, triggers, profile))


# ------------------------------------------------------------------------------ cues

def after_trigger(triggers: Sequence[TriggerHit]) -> str | None:
    """The trigger word said last before a cue (from its speech context's triggers), or None."""
    hits = [h for h in triggers if round(h.lag_s, 3) >= -0.05]  # lags as events.json has them
    return min(hits, key=lambda h: round(h.lag_s, 3)).text if hits else None


def is_reading(cue: Cue, speaking: bool | None) -> bool:
    """A downward gaze while talking: looking at notes. With speech analysed, "talking" is the
    voice (`speaking`); without it, the jaw's articulation the detector saw (`cue.reading`)."""
    if cue.cue != "gaze_aversion" or cue.direction != "down":
        return False
    return cue.reading if speaking is None else bool(speaking)


def cue_rule(profile: Profile, cue: str) -> CueRule:
    """The profile's rule for a cue, else the built-in one."""
    return profile_cue_rule(profile, cue) or DEFAULT_CUE_RULES.get(cue, CueRule())


def profile_cue_rule(profile: Profile, cue: str) -> CueRule | None:
    """The profile's own rule for a cue (a CueRule, or read defensively from a mapping or an
    object with the same fields), or None."""
    rules = profile.cues if isinstance(profile.cues, dict) else {}
    rule = rules.get(cue)
    if rule is None or isinstance(rule, CueRule):
        return rule

    def get(key: str, default: Any) -> Any:
        value = rule.get(key) if isinstance(rule, dict) else getattr(rule, key, None)
        return default if value is None else value

    return CueRule(problem=str(get("problem", "always")), reading_ok=get("reading_ok", True)
                   is not False, coaching=str(get("coaching", "")))


def is_cue_problem(cue: Cue, after: str | None, rule: CueRule | None) -> bool:
    """`cue` with `reading` resolved (`is_reading`); `after` the trigger it followed."""
    rule = rule or DEFAULT_CUE_RULES.get(cue.cue, CueRule())
    if rule.problem == "never":
        return False
    if cue.reading and rule.reading_ok:
        return False
    if rule.problem == "after_trigger":
        return after is not None
    return True


def judge_cue(cue: Cue, profile: Profile, *, after: str | None, problem: bool | None = None,
              label: str | None = None) -> Judgement:
    """`cue` with `reading` resolved (`is_reading`), `after` the trigger it followed
    (`after_trigger`). `problem` keeps a verdict the analysis already gave (an older events.json
    stored only that); `label` what the cue is called (default: CUE_INFO's)."""
    name = cue.cue
    label = label or CUE_INFO.get(name, (name.replace("_", " "), ""))[0]
    rule = cue_rule(profile, name)
    if problem is None:
        problem = is_cue_problem(cue, after, rule)
    own = profile_cue_rule(profile, name)
    meaning = CUE_INFO.get(name, ("", ""))[1]
    base = (own.coaching.strip() if own else "") or CUE_COACHING.get(
        name, f"{label.capitalize()}: {meaning or 'worth a look'}.")
    if cue.reading and not problem:
        coaching, why = READING_LINE, "looking at your notes while you talk is fine"
    else:
        coaching = f"Right after “{after}”: {base}" if after and problem else base
        why = {"always": f"the {profile.name} profile counts every {label}",
               "never": f"the {profile.name} profile does not count {label}",
               "after_trigger": f"the {profile.name} profile counts {label} right after a "
                                "trigger word" + (f"; it came after “{after}”" if after
                                                  else "; none was said just before")
               }.get(rule.problem, "")
    weight = 1.0 if problem else NON_PROBLEM_WEIGHT
    if after:
        weight *= TRIGGER_WEIGHT
    if name == "masking":
        weight *= MASK_WEIGHT
    level = min(max(round(float(cue.intensity), 3), 0.0), 1.0)  # as events.json stores it
    return Judgement(problem, why, coaching, after, level * weight)
