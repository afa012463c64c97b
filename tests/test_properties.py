"""Property tests (hypothesis) of the pure stages: leak/held classification, the speech context of
events, the forced-alignment search and placement, and the events.json round trip.

(The spotter's own property test is in test_spotting.py.)
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mirror.align import ContextOptions, align_events, with_section_shares
from mirror.events.classify import classify_episode, compute_rise_time
from mirror.events.model import EMOTIONS, REGIONS, SIDES, Event, PosedCue
from mirror.expressions.actions import AU_NAMES, ActionUnitOptions, ActionUnits
from mirror.profiles import SpotOptions
from mirror.speech.forced import AlignOptions, align_script, locate_in_script
from mirror.speech.model import Segment, SpeechAnalysis, SpeechOptions, Word
from mirror.speech.script import parse_script

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
finite = st.floats(allow_nan=False, allow_infinity=False)


# -- classification -----------------------------------------------------------------------------
@st.composite
def episodes(draw: Any) -> dict[str, Any]:
    """A synthetic spotted interval: times (constant or variable rate), a score curve, AU levels,
    the side track, the noise, and the profile's thresholds."""
    n = draw(st.integers(1, 150))
    fps = draw(st.sampled_from([15.0, 25.0, 30.0, 60.0]))
    jitter = draw(st.floats(0.0, 0.9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dt = (1.0 / fps) * (1.0 + jitter * rng.uniform(-1, 1, n))
    t = draw(st.floats(0.0, 3600.0)) + np.cumsum(dt)
    shape = draw(st.sampled_from(["random", "pulse", "flat", "step", "zero"]))
    if shape == "random":
        s = rng.uniform(0, draw(st.floats(0.01, 1.5)), n)
    elif shape == "pulse":
        s = draw(st.floats(0.01, 1.5)) * np.sin(np.linspace(0, np.pi, n + 2)[1:-1])
    elif shape == "flat":
        s = np.full(n, draw(st.floats(0.0, 1.5)))
    elif shape == "step":
        s = np.where(np.arange(n) >= n // 2, draw(st.floats(0.0, 1.5)), 0.0)
    else:
        s = np.zeros(n)
    first = draw(st.integers(0, n - 1))
    last = draw(st.integers(first, n - 1))
    apex = first + int(np.argmax(s[first:last + 1]))  # as the spotter picks it
    levels = rng.uniform(-0.5, 1.5, (n, len(AU_NAMES))) * (rng.uniform(size=len(AU_NAMES)) > 0.3)
    au = ActionUnits(t=t, names=AU_NAMES, levels=levels, reliable=np.ones(n, bool),
                     blink=np.zeros(n), talking=np.zeros(n), options=ActionUnitOptions())
    leak_max = draw(st.floats(0.2, 3.0))
    spot = SpotOptions(leak_max_s=leak_max, micro_max_s=draw(st.floats(0.05, leak_max)))
    return {"expression": draw(st.sampled_from(EMOTIONS)), "t": t, "s": s, "au": au,
            "first": first, "apex": apex, "last": last,
            "side_track": rng.uniform(-1, 1, n), "noise": draw(st.floats(0.0, 0.5)),
            "options": spot}


def numbers(e: Event) -> list[float]:
    vals = [e.start_s, e.apex_s, e.end_s, e.intensity, e.confidence, *e.evidence.values()]
    return vals + [x for c in e.posed_cues for x in (c.value, c.threshold)]


@FAST
@given(episodes())
def test_classification_is_consistent(ep: dict[str, Any]) -> None:
    e = classify_episode(**ep)
    spot: SpotOptions = ep["options"]
    assert e.kind in ("leak", "held")
    assert (e.kind == "leak") == (e.duration_s < spot.leak_max_s)
    if e.micro:
        assert e.kind == "leak" and e.duration_s <= spot.micro_max_s
    if e.kind == "held":
        assert not e.micro
    else:
        assert e.posed_cues == ()
    assert all(math.isfinite(x) for x in numbers(e)), e
    assert e.start_s <= e.apex_s <= e.end_s and e.duration_s > 0
    assert 0.0 <= e.confidence <= 1.0 and e.intensity <= 1.0
    assert e.side in SIDES and set(e.regions) <= set(REGIONS)
    if e.expression == "contempt":
        assert e.side != "both"
    assert {c.name for c in e.posed_cues} <= {"no_eye_involvement", "asymmetry", "abrupt_onset",
                                              "abrupt_offset", "flat_plateau", "too_long"}
    assert Event.from_json(json.loads(json.dumps(e.to_json(), allow_nan=False))).kind == e.kind


@FAST
@given(st.lists(st.floats(0, 2), min_size=1, max_size=60), st.floats(0.001, 0.1))
def test_rise_time_is_within_the_track(values: list[float], dt: float) -> None:
    t = np.arange(len(values)) * dt
    r = compute_rise_time(t, np.array(values))
    assert 0.0 <= r <= t[-1] + 1e-12


# -- speech context of events -------------------------------------------------------------------
VOCAB = ("price", "discount", "our", "product", "saves", "time", "deadline", "cost", "um", "the")
times = st.floats(-5.0, 65.0, allow_nan=False)


@st.composite
def words_st(draw: Any) -> list[Word]:
    out = []
    for _ in range(draw(st.integers(0, 25))):
        a = draw(times)
        out.append(Word(a, a + draw(st.floats(0.0, 2.0)), draw(st.sampled_from(VOCAB)),
                        draw(st.sampled_from(["", "Opening", "Price", "Close"])),
                        draw(st.floats(0.0, 1.0))))
    return out


@st.composite
def events_st(draw: Any) -> list[Event]:
    out = []
    for _ in range(draw(st.integers(0, 8))):
        a = draw(times)
        b = a + draw(st.floats(0.0, 6.0))
        out.append(Event(start_s=a, apex_s=draw(st.floats(a, b)), end_s=b,
                         expression=draw(st.sampled_from(EMOTIONS)),
                         kind=draw(st.sampled_from(["leak", "held"])), micro=False,
                         intensity=draw(st.floats(0, 1)), side="both"))
    return out


@st.composite
def analyses(draw: Any) -> SpeechAnalysis | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    segs = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(times)
        segs.append(Segment(a, a + draw(st.floats(0.0, 10.0)), draw(st.booleans())))
    return SpeechAnalysis(segments=tuple(segs), words=tuple(draw(words_st())), av_offset_s=0.0,
                          av_offset_confidence=0.0, method="free", note="", figures={},
                          options=SpeechOptions())


@FAST
@given(events_st(), analyses(), st.integers(0, 6), st.floats(0.0, 5.0))
def test_every_event_gets_its_speech_context(events: list[Event], analysis: SpeechAnalysis | None,
                                              last_n: int, window: float) -> None:
    opts = ContextOptions(before_window_s=window, last_n=last_n, triggers=("price", "cost"),
                          trigger_window_s=window)
    ctx = align_events(events, analysis, options=opts)
    assert len(ctx) == len(events)
    words = set(analysis.words) if analysis is not None else set()
    for ev, c in zip(events, ctx, strict=True):
        assert set(c.words) <= words and set(c.words_before) <= words
        assert len(c.words_before) <= last_n
        assert all(ev.start_s - window - 1e-9 <= w.end <= ev.start_s for w in c.words_before)
        assert not set(c.words) & set(c.words_before)
        assert [w.start for w in c.words] == sorted(w.start for w in c.words)
        if analysis is None or not analysis.segments:
            assert c.speaking is None
        for hit in c.triggers:
            assert hit.text in ("price", "cost") and hit.lag_s <= window + 1e-9
            assert hit.start <= max(ev.start_s, ev.apex_s) + 1e-9

    placed = with_section_shares(analysis, events) if analysis is not None else None
    top = placed.to_json() if placed is not None else {"speech": {"figures": {}}}
    per_event = [c.to_json() for c in ctx]
    assert len(per_event) == len(events)
    for d in per_event:
        assert set(d) == {"speaking", "words", "words_before", "section", "triggers"}
    doc = json.loads(json.dumps({**top, "events": per_event}, allow_nan=False))
    for share in doc["speech"]["figures"].get("section_shares", []):
        for k in ("neutral", "leak", "held"):
            assert -1e-9 <= share[k] <= 1.0 + 1e-9, share


# -- forced alignment ---------------------------------------------------------------------------
PHONES = ("AA", "IY", "P", "T", "S", "M", "N", "L", "R", "K")
phone_lists = st.lists(st.sampled_from(PHONES), max_size=30)


@FAST
@given(phone_lists, phone_lists, st.integers(-5, 40))
def test_locate_in_script_is_a_monotonic_matching(hyp: list[str], script: list[str],
                                                  expected: int) -> None:
    loc = locate_in_script(hyp=hyp, script=script, expected=expected, options=AlignOptions())
    if not hyp or not script:
        assert loc is None
        return
    if loc is None:
        return
    assert 0 <= loc.start < loc.end <= len(script) and math.isfinite(loc.score)
    hs = [p[0] for p in loc.pairs]
    ss = [p[1] for p in loc.pairs]
    assert hs == sorted(set(hs)) and ss == sorted(set(ss))  # strictly increasing: monotonic
    assert loc.start == ss[0] and ss[-1] < loc.end
    assert loc.lead == hs[0] and loc.trail == len(hyp) - 1 - hs[-1]


@FAST
@given(phone_lists.filter(bool), st.lists(st.sampled_from(PHONES), min_size=1, max_size=10),
       st.integers(0, 30), st.integers(0, 40))
def test_a_phrase_read_from_the_script_is_found(script: list[str], phrase: list[str], at: int,
                                                expected: int) -> None:
    at = min(at, len(script))
    full = script[:at] + phrase + script[at:]
    o = AlignOptions()
    loc = locate_in_script(hyp=phrase, script=full, expected=expected, options=o)
    assert loc is not None
    assert loc.score >= len(phrase) * o.match - o.jump_penalty * abs(at - expected) - 1e-9


class FakeRecognizer:
    """Pronunciations from the letters (words with a 'q' are out of the dictionary); alignment
    spreads the words evenly over the clip, as a recogniser would place them in order."""

    def pronunciation(self, word: str) -> list[str]:
        if "q" in word:
            return []
        return [PHONES[ord(c) % len(PHONES)] for c in word]

    def in_dictionary(self, word: str) -> bool:
        return bool(self.pronunciation(word))

    def align(self, audio: np.ndarray, words: list[str], *, offset_s: float = 0.0
              ) -> tuple[list[Word], float] | None:
        if not words:
            return [], 0.0
        dur = len(audio) / 100.0
        if dur <= 0:
            return None
        step = dur / len(words)
        placed = [Word(offset_s + i * step, offset_s + (i + 0.9) * step, w)
                  for i, w in enumerate(words)]
        return placed, -float(len(words)) * (1.0 + (len(audio) % 7))


SCRIPT_WORDS = ("we", "cut", "cost", "by", "half", "quite", "fast", "price", "is", "fair", "deal")


@st.composite
def alignment_inputs(draw: Any) -> dict[str, Any]:
    sections = []
    for k in range(draw(st.integers(1, 3))):
        ws = draw(st.lists(st.sampled_from(SCRIPT_WORDS), min_size=1, max_size=8))
        sections.append(f"# Part {k}\n" + " ".join(ws))
    script = parse_script("\n\n".join(sections))
    sr = 100
    length_s = int(draw(st.floats(0.5, 30.0)) * sr) / sr
    cuts = sorted(draw(st.lists(st.floats(0.0, length_s * draw(st.sampled_from([1.0, 1.3]))),
                                max_size=8)))
    speech = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    heard = []
    for a, b in speech:
        ws = draw(st.lists(st.sampled_from((*SCRIPT_WORDS, "um", "okay")), max_size=6))
        step = (b - a) / max(1, len(ws))
        heard.append([Word(a + i * step, a + (i + 1) * step, w, "", 0.8) for i, w in
                      enumerate(ws)])
    return {"sr": sr, "speech": speech, "heard": heard, "script": script, "length_s": length_s}


@FAST
@given(alignment_inputs())
def test_aligned_words_are_in_time_order_and_inside_the_audio(inp: dict[str, Any]) -> None:
    length_s = inp["length_s"]
    audio = np.zeros(round(length_s * inp["sr"]), np.int16)
    words, matched = align_script(audio=audio, sr=inp["sr"], speech=inp["speech"],
                                  heard=inp["heard"], script=inp["script"],
                                  recognizer=FakeRecognizer())  # type: ignore[arg-type]
    assert 0 <= matched <= len(inp["speech"])
    assert [w.start for w in words] == sorted(w.start for w in words)
    titles = {s.title for s in inp["script"].sections}
    for w in words:
        assert w.start <= w.end, w
        assert w.start >= -1e-9 and w.end <= length_s + 1e-9, (w, length_s)
        assert w.section in titles


# -- events.json round trip ---------------------------------------------------------------------
cues = st.builds(PosedCue, name=st.sampled_from(["asymmetry", "too_long", "flat_plateau"]),
                 value=st.floats(0, 100), threshold=st.floats(0, 100), unit=st.sampled_from(
                     ["s", "ratio"]), note=st.text(max_size=20))


@st.composite
def any_event(draw: Any) -> Event:
    a = draw(st.floats(0, 7200))
    b = a + draw(st.floats(0, 30))
    return Event(
        start_s=a, apex_s=draw(st.floats(a, b)), end_s=b,
        expression=draw(st.sampled_from(EMOTIONS)), kind=draw(st.sampled_from(["leak", "held"])),
        micro=draw(st.booleans()), intensity=draw(st.floats(0, 1)),
        side=draw(st.sampled_from(SIDES)), posed_cues=tuple(draw(st.lists(cues, max_size=3))),
        regions=tuple(draw(st.lists(st.sampled_from(REGIONS), unique=True))),
        confidence=draw(st.floats(0, 1)),
        evidence=draw(st.dictionaries(st.sampled_from(AU_NAMES), st.floats(-2, 2), max_size=6)))


def rounded(e: Event) -> Event:
    """What the schema keeps: times, intensity, confidence and evidence to 3 decimals."""
    r = lambda x: round(float(x), 3)  # noqa: E731
    return Event(start_s=r(e.start_s), apex_s=r(e.apex_s), end_s=r(e.end_s),
                 expression=e.expression, kind=e.kind, micro=e.micro, intensity=r(e.intensity),
                 side=e.side, posed_cues=e.posed_cues, regions=e.regions,
                 confidence=r(e.confidence), evidence={k: r(v) for k, v in e.evidence.items()})


@FAST
@given(any_event())
def test_event_json_round_trip(e: Event) -> None:
    d = json.loads(json.dumps(e.to_json(), allow_nan=False))
    back = Event.from_json(d)
    assert back == rounded(e)
    assert Event.from_json(back.to_json()) == back  # a second trip changes nothing
    assert abs(d["duration_s"] - e.duration_s) <= 0.0005 + 1e-9
    assert back.start_s <= back.apex_s <= back.end_s
