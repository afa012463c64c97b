"""The speech stage on generated speech with known word times (espeak-ng, word by word with known
gaps, phrases separated by known pauses; see mirror.speech.synth), through the real VAD, the real
pocketsphinx decoder and the real aligner. Skipped when espeak-ng is not installed.

Acceptance (issue 3): forced-alignment onsets within 100 ms of the truth at the median; VAD
boundaries within 150 ms; free recognition finds most trigger words; an audio track lagging by
0.15 s is measured within 40 ms; another language gives an empty analysis with a note.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from mirror.media.audio import load_audio
from mirror.speech import SpeechOptions, analyse_speech, parse_script
from mirror.speech.avsync import compute_speech_envelope
from mirror.speech.recognize import Recognizer
from mirror.speech.synth import SynthSpeech, espeak_available, synthesize_speech
from mirror.speech.vad import detect_speech_segments

pytestmark = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")

PITCH_MD = """# Opening
Good morning everyone. Thank you for your time.

# Offer
The price is ten thousand dollars per year.
We can offer a discount if you sign this month.

# Competition
Our competitor charges more for less.

# Close
The deadline is the end of the quarter.
"""
PHRASES = [
    "good morning everyone", "thank you for your time",
    "the price is ten thousand dollars per year", "we can offer a discount if you sign this month",
    "our competitor charges more for less", "the deadline is the end of the quarter",
]
SECTION_OF_PHRASE = ["Opening", "Opening", "Offer", "Offer", "Competition", "Close"]
TRIGGERS = ("price", "discount", "competitor", "deadline")
SHIFT_S = 0.15


@pytest.fixture(scope="module")
def pitch() -> SynthSpeech:
    return synthesize_speech(PHRASES)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


def _onset_errors(got: list[tuple[str, float]], truth: list[tuple[str, float]]) -> np.ndarray:
    """|onset error| of each true word against the same word nearest in time (inf if absent)."""
    errs = []
    for text, t in truth:
        cands = [g for w, g in got if w == text]
        errs.append(min(abs(g - t) for g in cands) if cands else np.inf)
    return np.array(errs)


def test_vad_boundaries_within_150ms(pitch: SynthSpeech) -> None:
    segs = [(a, b) for a, b, s in detect_speech_segments(pitch.audio, sr=pitch.sr) if s]
    assert len(segs) == len(pitch.phrases)
    errs = [abs(x - y) for (a, b), (ta, tb) in zip(segs, pitch.phrases, strict=True)
            for x, y in ((a, ta), (b, tb))]
    print(f"VAD boundary error: median {np.median(errs) * 1000:.0f} ms, "
          f"max {max(errs) * 1000:.0f} ms")
    assert max(errs) < 0.15


def test_vad_ignores_breaths_and_room_noise(pitch: SynthSpeech) -> None:
    sr = pitch.sr
    rng = np.random.default_rng(5)
    x = pitch.audio.copy()
    x += (rng.standard_normal(x.size) * 0.003).astype(np.float32)  # fan noise, ~-50 dBFS
    for p0, p1 in zip(pitch.phrases, pitch.phrases[1:], strict=False):  # a breath in each pause
        mid = int((p0[1] + p1[0]) / 2 * sr)
        n = int(0.25 * sr)
        breath = rng.standard_normal(n) * np.hanning(n) * 0.01
        x[mid - n // 2: mid - n // 2 + n] += breath.astype(np.float32)
    segs = [(a, b) for a, b, s in detect_speech_segments(x, sr=sr) if s]
    assert len(segs) == len(pitch.phrases)


def test_forced_alignment_and_av_offset(pitch: SynthSpeech, recognizer: Recognizer) -> None:
    """Audio lagging the video by 0.15 s; the mouth track is the envelope on the video clock."""
    sr = pitch.sr
    lagged = np.concatenate([np.zeros(round(SHIFT_S * sr), np.float32), pitch.audio])
    env = compute_speech_envelope(pitch.audio, sr=sr)
    tv = np.arange(0.0, len(pitch.audio) / sr - 0.1, 1 / 30)
    smooth = np.convolve(env, np.ones(5) / 5, "same")
    mouth = np.interp(tv, np.arange(env.size) / 100 + 0.005, smooth)
    an = analyse_speech(lagged, sr, script=parse_script(PITCH_MD), mouth=(tv, mouth),
                        options=SpeechOptions(), recognizer=recognizer)
    assert an.method == "forced", an.note
    print(f"A/V offset: {an.av_offset_s:+.3f} s (truth +{SHIFT_S}), "
          f"confidence {an.av_offset_confidence:.2f}")
    assert abs(an.av_offset_s - SHIFT_S) < 0.04
    # words come back on the video clock, where the truth is
    errs = _onset_errors([(w.text, w.start) for w in an.words], [(w, a) for w, a, _ in pitch.words])
    print(f"forced onsets: median {np.median(errs) * 1000:.0f} ms, "
          f"90th pct {np.percentile(errs, 90) * 1000:.0f} ms over {len(errs)} words")
    assert np.median(errs) < 0.10
    assert np.mean(errs < 0.2) >= 0.9
    assert [w.text for w in an.words] == [w for w, _, _ in pitch.words]
    truth_sections = [sec for ph, sec in zip(PHRASES, SECTION_OF_PHRASE, strict=True)
                      for _ in ph.split()]
    assert [w.section for w in an.words] == truth_sections
    assert an.figures["words"] == len(pitch.words)
    assert [r["section"] for r in an.figures["sections"]] == ["Opening", "Offer", "Competition",
                                                                "Close"]
    assert an.figures["pauses"]["count"] == len(PHRASES) - 1


def test_free_recognition_finds_most_triggers(pitch: SynthSpeech, recognizer: Recognizer) -> None:
    """With keyword spotting (the default). The language model alone finds 2 of these 4
    ("prius" for price, "competitive" for competitor): docs/speech.md."""
    an = analyse_speech(pitch.audio, pitch.sr, script=None, mouth=None,
                        options=SpeechOptions(triggers=TRIGGERS), recognizer=recognizer)
    assert an.method == "free", an.note
    truth = [(w, a) for w, a, _ in pitch.words if w in TRIGGERS]
    errs = _onset_errors([(w.text, w.start) for w in an.words], truth)
    found = float(np.mean(errs < 0.3))
    print(f"free recognition: {found:.0%} of {len(truth)} trigger words found; heard: "
          + " ".join(w.text for w in an.words))
    assert found > 0.5


def test_skipped_repeated_and_adlibbed(recognizer: Recognizer) -> None:
    spoken = [
        "good morning everyone",  # "thank you for your time" skipped
        "the price is ten thousand dollars per year",
        "let me tell you about my grandmother",  # ad-lib
        "the price is ten thousand dollars per year",  # repeated
        "our competitor charges more for less",  # "we can offer ..." skipped
    ]
    sp = synthesize_speech(spoken)
    an = analyse_speech(sp.audio, sp.sr, script=parse_script(PITCH_MD), mouth=None,
                        options=SpeechOptions(), recognizer=recognizer)
    assert an.method == "forced", an.note
    texts = [w.text for w in an.words]
    assert "thank" not in texts  # skipped: not invented
    assert texts.count("price") == 2  # repeated: aligned both times
    adlib = (sp.words[11][1], sp.words[16][2])  # "let" .. "grandmother"
    assert not any(w.text == "we" and adlib[0] <= w.start <= adlib[1] for w in an.words)
    scripted = [(w, a) for i, (w, a, _) in enumerate(sp.words) if not 11 <= i <= 16]
    errs = _onset_errors([(w.text, w.start) for w in an.words], scripted)
    print(f"skip/repeat/ad-lib: median onset error {np.median(errs) * 1000:.0f} ms")
    assert np.median(errs) < 0.10
    assert "we" not in texts
    sections = {w.text: w.section for w in an.words if w.text in ("price", "competitor")}
    assert sections == {"price": "Offer", "competitor": "Competition"}


def test_other_language_gives_note(tmp_path, recognizer: Recognizer) -> None:
    wav = tmp_path / "de.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(wav),
                    "Guten Morgen meine Damen und Herren. Heute zeige ich Ihnen unser Angebot."],
                   check=True)
    track = load_audio(wav)
    an = analyse_speech(track.samples, track.sr, script=parse_script(PITCH_MD), mouth=None,
                        options=SpeechOptions(), recognizer=recognizer)
    assert an.method == "none" and an.words == ()
    assert "not possible" in an.note
    assert any(s.speaking for s in an.segments)  # voice activity is still reported
