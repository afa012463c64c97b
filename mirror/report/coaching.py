"""Coaching: the three things to work on next time, from the judged episodes (mirror.judgement),
their speech context and the profile. Pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mirror.align import EventSpeech
from mirror.events.model import Event
from mirror.judgement import Judgement, cue_rank, judge_episode
from mirror.judgement import profile_line as _line
from mirror.profiles import Profile

CUE_TEXT = {
    "no_eye_involvement": "without the eyes",
    "asymmetry": "lopsided",
    "abrupt_onset": "switched on abruptly",
    "abrupt_offset": "switched off abruptly",
    "flat_plateau": "frozen at one level",
    "too_long": "held too long",
}
EMOTION_NOUN = {"happiness": "smile", "surprise": "surprise", "fear": "fear", "anger": "anger",
                "disgust": "disgust", "sadness": "sadness", "contempt": "contempt"}


@dataclass(frozen=True)
class Focus:
    """One of the things to work on next time."""

    title: str
    detail: str
    coaching: str
    episodes: tuple[int, ...]  # indices into the session's events
    weight: float
    cues: tuple[str, ...] = ()  # ids of the report's cue facts (c001...)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def compute_focus(events: tuple[Event, ...], contexts: tuple[EventSpeech, ...],
                  profile: Profile, *, duration_s: float,
                  sections: list[dict[str, Any]] | None = None,
                  episode_sections: Sequence[str | None] | None = None,
                  speech_figures: dict[str, Any] | None = None, n: int = 3,
                  extra: Sequence[Focus] = (),
                  judgements: Sequence[Judgement] | None = None) -> list[Focus]:
    """The `n` things to work on next time, strongest first, from this session's episodes.

    `sections` as in the report's facts; `episode_sections` the section of each event (default:
    the one in its speech context); `speech_figures` the speech stage's figures (pace, fillers);
    `extra` more candidates from problem moments (the cues' `cue_focus`), ranked with the rest;
    `judgements` the episodes' judgements (default: judged here, `judge_episode`)."""
    where = list(episode_sections) if episode_sections is not None else [
        x.section for x in contexts]
    c = profile.coaching
    found: list[Focus] = []
    judged = list(judgements) if judgements is not None else [
        judge_episode(e, x.trigger_words, profile) for e, x in zip(events, contexts, strict=True)]
    scores = [j.score for j in judged]

    # 1. Problem leaks right after trigger words (the price, the deadline...), all emotions.
    problem_leaks = [i for i, e in enumerate(events) if e.kind == "leak" and judged[i].problem]
    after = [i for i in problem_leaks if contexts[i].trigger_words]
    if after:
        words = Counter(w.lower() for i in after for w in dict.fromkeys(contexts[i].trigger_words))
        top = [w for w, _ in words.most_common(2)]
        # every emotion named in the detail gets its coaching, the strongest first
        emotions = sorted(Counter(events[i].expression for i in after),
                          key=lambda emo: -sum(scores[i] for i in after
                                               if events[i].expression == emo))
        lines = dict.fromkeys(_line(c, "emotions", emo) or str(c.get("leak", "")).strip()
                              for emo in emotions)
        quoted = " and ".join(f"“{w}”" for w in top)
        found.append(Focus(
            title=f"Stay composed right after {quoted}",
            detail=f"{_plural(len(after), 'leak')} ({', '.join(emotions)}) within "
                   f"{profile.trigger_window_s:g} s of saying {quoted}.",
            coaching=" ".join(line for line in lines if line),
            episodes=tuple(after), weight=1.2 * sum(scores[i] for i in after)))

    # 2. Problem leaks of one emotion elsewhere.
    leaks: dict[str, list[int]] = {}
    for i in problem_leaks:
        leaks.setdefault(events[i].expression, []).append(i)
    for emotion, idx in leaks.items():
        rest = [i for i in idx if i not in after]
        if not rest:
            continue
        n_after = len(idx) - len(rest)
        detail = f"{_plural(len(idx), 'leak')} of {emotion}" + (
            f" ({n_after} right after a trigger word)" if n_after else "")
        found.append(Focus(
            title=f"Keep {EMOTION_NOUN.get(emotion, emotion)} off your face",
            detail=detail + ".", coaching=_line(c, "emotions", emotion) or str(c.get("leak", "")),
            episodes=tuple(idx), weight=sum(scores[i] for i in rest)))

    # 3. Held displays that look put on: the most frequent posed cue.
    held = [i for i, e in enumerate(events) if e.kind == "held" and judged[i].problem]
    cues = Counter(cue.name for i in held for cue in events[i].posed_cues)
    if cues:
        cue, count = min(cues.items(), key=lambda kv: (-kv[1], cue_rank(kv[0])))
        posed = tuple(i for i in held if any(q.name == cue for q in events[i].posed_cues))
        kinds = Counter(events[i].expression for i in posed).most_common(1)[0][0]
        noun = EMOTION_NOUN.get(kinds, kinds)
        found.append(Focus(
            title=f"Let your {noun} come and go naturally",
            detail=f"{_plural(count, 'held ' + noun)} {CUE_TEXT.get(cue, cue.replace('_', ' '))}.",
            coaching=_line(c, "posed_cues", cue) or str(c.get("held", "")),
            episodes=posed, weight=sum(scores[i] for i in posed)))
    elif held:
        found.append(Focus(
            title="Let held expressions go",
            detail=f"{_plural(len(held), 'held display')} the profile counts as a problem.",
            coaching=str(c.get("held", "")), episodes=tuple(held),
            weight=sum(scores[i] for i in held)))

    # 4. A section of the script where problems cluster.
    if sections and len(sections) > 1:
        rated = [s for s in sections if s.get("problems") and s.get("duration_s", 0) > 0]
        if rated:
            worst = max(rated, key=lambda s: s["problems"] / max(s["duration_s"], 1.0))
            rest = sum(s["problems"] for s in sections) - worst["problems"]
            if worst["problems"] >= 2 and worst["problems"] > rest:
                there = tuple(i for i, sec in enumerate(where) if sec == worst["name"])
                found.append(Focus(
                    title=f"Rehearse the “{worst['name']}” part",
                    detail=f"{worst['problems']} of the {worst['problems'] + rest} problem "
                           f"moments happened there.",
                    coaching=str(c.get("leak", "")), episodes=there,
                    weight=0.8 * sum(scores[i] for i in there)))

    found += speech_focus(speech_figures or {})
    found += extra
    found.sort(key=lambda f: -f.weight)
    found = found[:n]
    if len(found) < n and not extra and not any(j.problem for j in judged):
        found.append(Focus(
            title="Keep it up", detail="No problem moments for this profile in this session.",
            coaching=str(c.get("summary", "")), episodes=(), weight=0.0))
    if len(found) < n and duration_s < 120:
        found.append(Focus(
            title="Rehearse the whole pitch",
            detail=f"This session was {duration_s:.0f} s long; a full run shows where you tire.",
            coaching="Leaks cluster where you are least prepared; a full run finds those places.",
            episodes=(), weight=0.0))
    return found[:n]


FAST_WEIGHT = 0.5  # a fast pace competes with about one clear problem leak (at most 0.8)
FILLERS_PER_MIN = 3.0  # more filler words per minute than this are worth working on


def speech_focus(figures: dict[str, Any]) -> list[Focus]:
    """Things to work on from the speech figures: a fast pace, many filler words."""
    found = []
    wpm = figures.get("wpm")
    rng = figures.get("pace_range_wpm")
    hi = float(rng[1]) if isinstance(rng, list) and len(rng) == 2 else 165.0
    if figures.get("pace") == "fast" and isinstance(wpm, int | float):
        found.append(Focus(
            title="Slow down",
            detail=f"You spoke at {wpm:.0f} words per minute; up to {hi:.0f} is comfortable.",
            coaching="Rushing makes leaks likelier and harder to catch. Pause after every number "
                     "and let it land.",
            episodes=(), weight=min(FAST_WEIGHT + 0.005 * (float(wpm) - hi), 0.8)))
    fillers = figures.get("fillers")
    fillers = fillers if isinstance(fillers, dict) else {}
    rate = fillers.get("per_minute")
    if isinstance(rate, int | float) and rate > FILLERS_PER_MIN:
        found.append(Focus(
            title="Fewer filler words",
            detail=f"{fillers.get('total', 0)} filler words, {rate:.1f} per minute.",
            coaching="Replace each “um” with a short silent pause; a pause reads as confidence.",
            episodes=(), weight=0.1 * float(rate)))
    return found
