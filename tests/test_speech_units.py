"""Pure units of the speech stage on synthetic input: script parsing, VAD smoothing, the script
locator, A/V offset, figures, event context, and the never-raise contract of analyse_speech."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from mirror.align import (
    ContextOptions,
    EventSpeech,
    align_events,
    compute_section_shares,
    with_section_shares,
)
from mirror.events.model import Event
from mirror.speech import SpeechOptions, analyse_speech, parse_script
from mirror.speech.avsync import compute_speech_envelope, estimate_av_offset
from mirror.speech.figures import compute_pauses, compute_section_pace, count_fillers
from mirror.speech.forced import AlignOptions, locate_in_script
from mirror.speech.model import Segment, SpeechAnalysis, Word
from mirror.speech.script import normalize_words, number_words
from mirror.speech.vad import VadOptions, compute_segments, smooth_voice_frames

# ---------------------------------------------------------------- script


def test_number_words() -> None:
    assert number_words(0) == ["zero"]
    assert number_words(15) == ["fifteen"]
    assert number_words(2025) == ["two", "thousand", "twenty", "five"]
    assert number_words(10_000) == ["ten", "thousand"]
    assert number_words(1_200_000) == ["one", "million", "two", "hundred", "thousand"]


def test_normalize_words_money_percent_ordinals() -> None:
    assert normalize_words("Our price: $10,000 per year!") == [
        "our", "price", "ten", "thousand", "dollars", "per", "year"]
    assert normalize_words("a 15% discount, the 3rd time & well-known") == [
        "a", "fifteen", "percent", "discount", "the", "third", "time", "and", "well", "known"]
    assert normalize_words("We’re “ready”.") == ["we're", "ready"]


def test_parse_script_sections_and_markup() -> None:
    md = """Before any heading.
# Opening
Good **morning**, [everyone](http://x)! [pause]
<!-- a comment
over lines -->
## The Price
- Our price is $5.
```
not spoken
```
Closing line
---
"""
    s = parse_script(md)
    assert [x.title for x in s.sections] == ["", "Opening", "The Price"]
    assert s.sections[1].words == ("good", "morning", "everyone")
    assert s.sections[2].words == ("our", "price", "is", "five", "dollars", "closing", "line")
    assert len(s.word_sections) == len(s.words)
    assert s.section_of(3) == "Opening"


def test_parse_script_without_words_is_empty() -> None:
    assert parse_script("# Only a heading\n\n").words == ()


# ---------------------------------------------------------------- VAD smoothing


def _frames(pattern: str) -> np.ndarray:
    return np.array([c == "1" for c in pattern])


def test_smoothing_closes_short_pauses_and_drops_clicks() -> None:
    opts = VadOptions(smooth_frames=1, min_pause_s=0.1, min_speech_s=0.1, hangover_s=0.0)
    v = _frames("0000011111011111" + "0" * 15 + "1" + "0" * 10)  # 10 ms frames
    out = smooth_voice_frames(v, frame_s=0.01, options=opts)
    segs = compute_segments(out, frame_s=0.01)
    speech = [(round(a, 2), round(b, 2)) for a, b, s in segs if s]
    assert speech == [(0.05, 0.16)]  # the 1-frame gap closed, the lone click at 0.31 dropped


def test_smoothing_hangover_extends_ends_only() -> None:
    opts = VadOptions(smooth_frames=1, min_pause_s=0.0, min_speech_s=0.0, hangover_s=0.02)
    v = _frames("000111000000")
    out = smooth_voice_frames(v, frame_s=0.01, options=opts)
    assert out.tolist() == _frames("000111110000").tolist()


def test_segments_cover_everything() -> None:
    v = np.random.default_rng(0).random(500) > 0.5
    segs = compute_segments(v, frame_s=0.03)
    assert segs[0][0] == 0.0 and segs[-1][1] == pytest.approx(15.0)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(segs))
    assert all(a[2] != b[2] for a, b in itertools.pairwise(segs))


# ---------------------------------------------------------------- locating phones in the script


def ph(text: str) -> list[str]:
    return text.split()


SCRIPT = ph("G UH D M AO R N IH NG EH V R IY W AH N DH AH P R AY S IH Z T EH N")


def test_locate_exact_span() -> None:
    hyp = ph("DH AH P R AY S")
    loc = locate_in_script(hyp=hyp, script=SCRIPT, expected=0, options=AlignOptions())
    assert loc is not None
    assert (loc.start, loc.end) == (16, 22)


def test_locate_tolerates_recognition_errors() -> None:
    hyp = ph("DH AH P R AY AH S D EY Z")  # "the prius days" for "the price is"
    loc = locate_in_script(hyp=hyp, script=SCRIPT, expected=0, options=AlignOptions())
    assert loc is not None
    assert 15 <= loc.start <= 17 and 23 <= loc.end <= 25


def test_locate_prefers_expected_position_on_ties() -> None:
    script = ph("AH B AH K AH B AH K")
    for expected, want in ((0, 0), (4, 4)):
        loc = locate_in_script(hyp=ph("AH B AH K"), script=script, expected=expected,
                               options=AlignOptions())
        assert loc is not None and loc.start == want


def test_locate_nothing() -> None:
    assert locate_in_script(hyp=[], script=SCRIPT, expected=0, options=AlignOptions()) is None


# ---------------------------------------------------------------- A/V offset


def _speechlike(seconds: float, sr: int, seed: int) -> np.ndarray:
    """Noise bursts with a syllable-like (3-6 Hz) random amplitude envelope."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    env = np.repeat(np.clip(rng.normal(0, 1, int(seconds * 5) + 1), 0, None), sr // 5)[:n]
    env = np.convolve(env, np.ones(sr // 50) / (sr // 50), mode="same")
    return (rng.standard_normal(n) * env * 0.2).astype(np.float32)


@pytest.mark.parametrize("offset", [0.15, -0.12, 0.0, 0.4])
def test_av_offset_recovers_known_shift(offset: float) -> None:
    sr = 16000
    audio = _speechlike(20.0, sr, seed=1)
    env = compute_speech_envelope(audio, sr=sr)
    te = np.arange(env.size) / 100 + 0.005
    tv = np.arange(0.0, 19.0, 1 / 30)
    mouth = np.interp(tv + offset, te, env)  # audio lags video by `offset`
    est = estimate_av_offset(mouth_t=tv, mouth=mouth, audio=audio, sr=sr)
    assert abs(est.offset_s - offset) < 0.02
    assert est.confidence > 0.5


def test_av_offset_unrelated_mouth_has_low_confidence() -> None:
    sr = 16000
    audio = _speechlike(20.0, sr, seed=2)
    tv = np.arange(0.0, 19.0, 1 / 30)
    mouth = np.random.default_rng(3).random(tv.size)
    assert estimate_av_offset(mouth_t=tv, mouth=mouth, audio=audio, sr=sr).confidence < 0.3


def test_av_offset_too_short_or_no_face() -> None:
    audio = np.zeros(16000, np.float32)
    tv = np.arange(0, 1, 1 / 30)
    est = estimate_av_offset(mouth_t=tv, mouth=np.full(tv.size, np.nan), audio=audio, sr=16000)
    assert (est.offset_s, est.confidence) == (0.0, 0.0)


# ---------------------------------------------------------------- figures


def _w(text: str, start: float, section: str = "", dur: float = 0.3) -> Word:
    return Word(start, start + dur, text, section, 0.9)


def test_fillers() -> None:
    heard = [_w("so", 0.0), _w("um", 0.5), _w("the", 0.9), _w("price", 1.2), _w("so", 1.5),
             _w("you", 3.0), _w("know", 3.3), _w("like", 3.6)]
    got = count_fillers(heard, fillers=("um", "so", "like", "you know"))
    assert got == {"so": 1, "um": 1, "you know": 1, "like": 1}  # the mid-sentence "so" is a word
    scripted = [_w("like", 3.6)]  # the script says "like" there: not a filler
    assert "like" not in count_fillers(heard, fillers=("like",), scripted=scripted)


def test_pauses_exclude_leading_and_trailing_silence() -> None:
    segs = [Segment(0, 1, False), Segment(1, 3, True), Segment(3, 3.3, False),
            Segment(3.3, 5, True), Segment(5, 7, False), Segment(7, 8, True), Segment(8, 9, False)]
    p = compute_pauses(segs, min_pause_s=0.5)
    assert p["count"] == 1 and p["longest_s"] == pytest.approx(2.0)


def test_section_pace_adds_repeats() -> None:
    words = [_w(f"w{i}", i * 0.5, "A") for i in range(10)]  # 10 words in 4.8 s
    words += [_w("x", 10.0, "B"), _w("y", 10.5, "B")]
    words += [_w(f"z{i}", 20 + i * 0.5, "A") for i in range(10)]
    rows = {r["section"]: r for r in compute_section_pace(words)}
    assert rows["A"]["words"] == 20 and rows["A"]["readings"] == 2
    assert rows["A"]["wpm"] == pytest.approx(20 / 9.6 * 60, rel=1e-3)
    assert rows["A"]["pace"] == "comfortable"


# ---------------------------------------------------------------- event context


def _ev(start: float, end: float, kind: str = "leak") -> Event:
    return Event(start_s=start, apex_s=(start + end) / 2, end_s=end, expression="fear", kind=kind,
                 micro=end - start <= 0.5, intensity=0.5, side="both")


def _analysis(words: list[Word], segments: list[Segment]) -> SpeechAnalysis:
    return SpeechAnalysis(segments=tuple(segments), words=tuple(words), av_offset_s=0.1,
                          av_offset_confidence=0.8, method="forced", note="", figures={},
                          options=SpeechOptions())


def test_align_events_context() -> None:
    words = [_w("our", 1.0, "Offer"), _w("price", 1.4, "Offer"), _w("is", 1.8, "Offer"),
             _w("ten", 2.2, "Offer"), _w("thousand", 2.6, "Offer"), _w("our", 6.0, "Close"),
             _w("deadline", 6.4, "Close")]
    segs = [Segment(0, 0.9, False), Segment(0.9, 3.0, True), Segment(3.0, 5.9, False),
            Segment(5.9, 7.0, True)]
    an = _analysis(words, segs)
    opts = ContextOptions(triggers=("price", "deadline"), trigger_window_s=2.0, last_n=2)
    during, pause, early = align_events([_ev(2.0, 2.5), _ev(3.5, 4.5), _ev(0.1, 0.3)], an,
                                        options=opts)
    assert during.speaking is True and during.section == "Offer"
    assert [w.text for w in during.words] == ["is", "ten"]
    assert [w.text for w in during.words_before] == ["our", "price"]
    assert [t.text for t in during.triggers] == ["price"]
    assert during.triggers[0].lag_s == pytest.approx(0.6)
    assert pause.speaking is False and pause.words == () and pause.triggers == ()
    assert [w.text for w in pause.words_before] == ["ten", "thousand"]
    assert pause.section == "Offer"
    assert early.section == "Offer" and early.words_before == ()


def test_align_events_without_speech() -> None:
    (ctx,) = align_events([_ev(1, 2)], None, options=ContextOptions(triggers=("price",)))
    assert ctx.speaking is None and ctx.section is None and ctx.words == () and ctx.triggers == ()


def test_section_shares() -> None:
    words = [_w("a", 0.0, "A", dur=1.0), _w("b", 9.0, "A", dur=1.0), _w("c", 10.0, "B", dur=10.0)]
    shares = compute_section_shares([_ev(2, 4), _ev(3, 5), _ev(12, 17, kind="held")], words)
    a, b = shares
    assert a["section"] == "A" and a["leak"] == pytest.approx(0.3) and a["neutral"] == 0.7
    assert b["held"] == pytest.approx(0.5) and b["leak"] == 0.0


def test_speech_json_is_json() -> None:
    words = [_w("price", 1.0, "Offer")]
    an = with_section_shares(_analysis(words, [Segment(0, 2, True)]), [_ev(1.2, 1.5)])
    (ctx,) = align_events([_ev(1.2, 1.5)], an, options=ContextOptions(triggers=("price",)))
    top, per = an.to_json(), ctx.to_json()
    json.dumps(top)
    json.dumps(per)
    assert top["av_offset_s"] == 0.1 and top["speech"]["method"] == "forced"
    assert set(per) == {"speaking", "words", "words_before", "section", "triggers"}
    assert "section_shares" in top["speech"]["figures"]
    assert EventSpeech.from_json(json.loads(json.dumps(per))).to_json() == per
    (ctx0,) = align_events([_ev(1.2, 1.5)], None, options=ContextOptions())
    assert ctx0.to_json()["speaking"] is None


# ---------------------------------------------------------------- never raises


@pytest.mark.parametrize("audio", [None, np.zeros(0, np.float32)])
def test_no_audio_gives_note(audio: np.ndarray | None) -> None:
    an = analyse_speech(audio, 16000, script=None, mouth=None, options=SpeechOptions())
    assert an.method == "none" and an.words == () and "no audio" in an.note


def test_silence_gives_note() -> None:
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(16000 * 5) * 1e-3).astype(np.float32)  # room tone only
    an = analyse_speech(audio, 48000, script=None, mouth=None, options=SpeechOptions())
    assert an.method == "none" and an.words == ()
    assert "no speech" in an.note
    json.dumps(an.to_json())


class _BrokenRecognizer:
    def recognize(self, *args: object, **kwargs: object) -> list[Word]:
        raise RuntimeError("decoder exploded")


def test_decoder_failure_gives_note_not_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    import mirror.speech.analyse as analyse_mod

    monkeypatch.setattr(analyse_mod, "detect_speech_segments",
                        lambda audio, **kw: [(0.0, 1.0, False), (1.0, 2.0, True)])
    audio = (0.3 * np.sin(np.arange(16000 * 3) / 10)).astype(np.float32)
    an = analyse_speech(audio, 16000, script=None, mouth=None, options=SpeechOptions(),
                        recognizer=_BrokenRecognizer())  # type: ignore[arg-type]
    assert an.method == "none" and "not possible" in an.note and "decoder exploded" in an.note


def test_integer_pcm_is_scaled() -> None:
    pcm = np.zeros(16000 * 2, np.int16)  # digital silence as int16
    an = analyse_speech(pcm, 16000, script=None, mouth=None, options=SpeechOptions())
    assert an.method == "none" and "no speech" in an.note


def test_spotted_trigger_needs_a_similar_heard_word() -> None:
    from mirror.speech.analyse import _confirmed, _merge_spotted
    from mirror.speech.recognize import Recognizer

    rec = Recognizer()
    heard = [_w("the", 0.0, dur=0.2), _w("prius", 0.2, dur=0.4), _w("days", 0.6, dur=0.3)]
    price = Word(0.22, 0.6, "price", "", 0.85)
    assert _confirmed(price, heard, rec, min_similarity=0.5)
    assert [w.text for w in _merge_spotted(heard, [price], rec)] == ["the", "price", "days"]
    misheard = [_w("and", 0.0, dur=0.2), _w("your", 0.2, dur=0.3)]  # JFK's "ask not"
    cost = Word(0.2, 0.5, "cost", "", 0.83)
    assert not _confirmed(cost, misheard, rec, min_similarity=0.5)
    assert _merge_spotted(misheard, [cost], rec) == misheard


def test_a_noise_estimate_of_the_av_offset_is_not_announced() -> None:
    """In sync sound (the usual case) gives a low-confidence estimate: nothing to say about it,
    rather than a warning on every run."""
    sr = 16000
    audio = _speechlike(8.0, sr, seed=4)
    tv = np.arange(0.0, 7.5, 1 / 30)
    mouth = np.random.default_rng(5).random(tv.size)
    est = estimate_av_offset(mouth_t=tv, mouth=mouth, audio=audio, sr=sr)
    assert est.confidence < SpeechOptions().av_min_confidence / 2
    an = analyse_speech(audio, sr, script=parse_script("# One\nhello there friend\n"),
                        mouth=(tv, mouth), options=SpeechOptions())
    assert an.av_offset_s == 0.0 and "A/V offset" not in an.note
