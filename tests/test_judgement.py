"""The one judgement step (mirror.judgement) with the real profiles, and what the report makes of
it: the first advice coaches every emotion it lists, and every moment judged a problem is among
the worst moments."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mirror.align import EventSpeech, TriggerHit
from mirror.cues.model import Cue
from mirror.events.model import UNNAMED, Event
from mirror.judgement import READING_LINE, UNNAMED_LINE, Judgement, judge_cue, judge_episode
from mirror.profiles import load_profile
from mirror.report.coaching import compute_focus
from mirror.report.facts import N_WORST, worst_moments


def _leak(t: float, expression: str, intensity: float = 0.5) -> Event:
    return Event(t, t + 0.1, t + 0.3, expression, "leak", True, intensity, "both")


def test_episode_judgement_follows_the_profile() -> None:
    sales = load_profile("sales-pitch")
    fear = judge_episode(_leak(1.0, "fear"), ["price"], sales)
    assert fear.problem and fear.after_trigger == "price"
    assert fear.coaching.startswith("Right after “price”: ")
    assert "counts fear leaks" in fear.why and "price" in fear.why
    calm = judge_episode(_leak(1.0, "surprise"), [], sales)
    assert calm.problem is ("surprise" in sales.problem_leaks) and calm.after_trigger is None
    assert calm.score < fear.score  # a trigger and a problem weigh more
    unnamed = judge_episode(_leak(1.0, UNNAMED), [], sales)
    assert not unnamed.problem  # a movement no emotion fits is never an emotion's problem
    assert unnamed.coaching == UNNAMED_LINE  # not the leak line, which speaks of an emotion
    held = Event(1.0, 2.0, 3.0, UNNAMED, "held", False, 0.8, "both")
    assert judge_episode(held, [], sales).coaching == UNNAMED_LINE  # nor "reads as put on"
    assert judge_episode(held, ["price"], sales).coaching == f"Right after “price”: {UNNAMED_LINE}"
    assert Judgement.from_json(fear.to_json()) == Judgement.from_json(fear.to_json())
    assert Judgement.from_json({"problem": True}) is None  # an older events.json


def test_cue_judgement_reading_and_triggers() -> None:
    sales = load_profile("sales-pitch")
    gaze = Cue(cue="gaze_aversion", start_s=1.0, apex_s=1.2, end_s=1.8, intensity=0.6,
               confidence=0.9, direction="down")
    reading = judge_cue(replace(gaze, reading=True), sales, after=None)
    assert not reading.problem and reading.coaching == READING_LINE
    after = judge_cue(gaze, sales, after="price")
    assert after.problem and after.coaching.startswith("Right after “price”: ")
    assert after.after_trigger == "price" and after.score > reading.score
    kept = judge_cue(gaze, sales, after=None, problem=True)
    assert kept.problem  # a verdict an older analysis stored is kept


def test_first_advice_coaches_every_emotion_it_lists() -> None:
    sales = load_profile("sales-pitch")
    events = (_leak(22.0, "fear", 0.8), _leak(25.0, "contempt", 0.9))
    contexts = (EventSpeech(triggers=(TriggerHit("price", 21.0, 1.0),)),
                EventSpeech(triggers=(TriggerHit("competitor", 24.0, 1.0),)))
    focus = compute_focus(events, contexts, sales, duration_s=40.0)
    first = focus[0]
    assert first.title.startswith("Stay composed right after")
    emotions = sales.coaching["emotions"]
    for emo in ("fear", "contempt"):
        assert emo in first.detail and emotions[emo].strip() in first.coaching, emo


def _fact(i: str, score: float, problem: bool) -> dict[str, Any]:
    return {"id": i, "score": score, "problem": problem, "start_s": float(i[1:])}


def test_every_problem_is_among_the_worst_moments() -> None:
    episodes = [_fact(f"e{k:03d}", 0.9 - 0.1 * k, problem=k % 2 == 0) for k in range(8)]
    cues = [_fact("c001", 0.2, problem=True), _fact("c002", 2.0, problem=False)]
    worst = worst_moments(episodes, cues)
    problems = [f["id"] for f in [*episodes, *cues] if f["problem"]]
    assert set(problems) <= set(worst) and worst[:len(problems)] == [
        "e000", "e002", "e004", "e006", "c001"]
    assert "c002" not in worst  # a cue that is no problem is not a worst moment
    few = worst_moments([_fact("e001", 0.5, True), _fact("e002", 0.4, False)], [])
    assert few == ["e001", "e002"] and N_WORST >= 2
