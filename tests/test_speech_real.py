"""The speech stage on real recordings in ../shared/data/real (skipped when the folder is absent):
a GRID clip with hand-checked word boundaries (swwp2s.align), LibriVox read speech with its text,
and JFK's inaugural sentence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mirror.media.audio import load_audio
from mirror.speech import SpeechOptions, analyse_speech, parse_script
from mirror.speech.recognize import Recognizer

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
if not REAL.is_dir():
    REAL = Path("/work/shared/data/real")

pytestmark = [
    pytest.mark.real,
    pytest.mark.skipif(not (REAL / "speech").is_dir() or not (REAL / "grid").is_dir(),
                       reason=f"real recordings not found ({REAL}/speech, {REAL}/grid)"),
]


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


def test_grid_forced_alignment_against_reference(recognizer: Recognizer) -> None:
    clip, ref = REAL / "grid" / "id2_vcd_swwp2s.mpg", REAL / "grid" / "swwp2s.align"
    if not clip.exists() or not ref.exists():
        pytest.skip("GRID clip or its alignment is missing")
    truth = []
    for line in ref.read_text().splitlines():
        b, _, w = line.split()
        if w != "sil":
            truth.append((w, int(b) / 25_000))  # 25 000 units a second
    track = load_audio(clip)
    script = parse_script("# GRID\n" + " ".join(w for w, _ in truth))
    an = analyse_speech(track.samples, track.sr, script=script, mouth=None,
                        options=SpeechOptions(av_offset_s=0.0), audio_start_s=track.start_s,
                        recognizer=recognizer)
    assert [w.text for w in an.words] == [w for w, _ in truth], an.note
    errs = np.array([abs(w.start - t) for w, (_, t) in zip(an.words, truth, strict=True)])
    print(f"GRID swwp2s: onset errors {np.round(errs * 1000).astype(int).tolist()} ms")
    assert np.median(errs) < 0.10
    assert all(w.section == "GRID" for w in an.words)


def test_librivox_forced_alignment(recognizer: Recognizer) -> None:
    base = REAL / "speech" / "sense_and_sensibility_01_austen_64kb-0880"
    if not base.with_suffix(".wav").exists():
        pytest.skip("LibriVox clip missing")
    track = load_audio(base.with_suffix(".wav"))
    text = base.with_suffix(".txt").read_text()
    an = analyse_speech(track.samples, track.sr, script=parse_script(text), mouth=None,
                        options=SpeechOptions(), recognizer=recognizer)
    assert an.method == "forced", an.note
    assert [w.text for w in an.words] == list(parse_script(text).words)
    # the reference json is pocketsphinx's own alignment of the whole file: a consistency check
    ref = [w for w in json.loads(base.with_suffix(".json").read_text())["w"]
           if not w["t"].startswith("<")]
    errs = [abs(w.start - r["b"]) for w, r in zip(an.words, ref, strict=True)]
    assert np.median(errs) < 0.05


def test_jfk_free_recognition(recognizer: Recognizer) -> None:
    path = REAL / "speech" / "jfk.flac"
    if not path.exists():
        pytest.skip("jfk.flac missing")
    track = load_audio(path)
    head = track.samples[: int(7.6 * track.sr)]  # "... ask not what your country can do for you"
    an = analyse_speech(head, track.sr, script=None, mouth=None,
                        options=SpeechOptions(), recognizer=recognizer)
    assert an.method == "free"
    text = " ".join(w.text for w in an.words)
    print("jfk:", text)
    for expected in ("fellow", "do for you"):
        assert expected in text
    assert an.figures["pauses"]["count"] >= 2
    assert 80 < an.figures["wpm"] < 200


@pytest.mark.slow
def test_grid_av_offset_from_real_face() -> None:
    """A real mouth track (the face model's mouth opening) against the clip's own audio, as
    recorded and with the audio delayed by 0.15 s. GRID clips are 3 s: confidence is low on such
    short clips, so only the estimate itself is checked."""
    clip = REAL / "grid" / "id2_vcd_swwp2s.mpg"
    if not clip.exists():
        pytest.skip("GRID clip missing")
    try:
        from mirror.face.landmarker import LandmarkerOptions, extract_tracks
        from mirror.face.model import resolve_model_path

        tracks = extract_tracks(clip, LandmarkerOptions(model_path=str(resolve_model_path(None)),
                                                        workers=1))
    except Exception as e:  # the face stage is another module: its absence is not our failure
        pytest.skip(f"face tracks not available ({e.__class__.__name__}: {e})")
    from mirror.speech.avsync import estimate_av_offset

    track = load_audio(clip)
    mouth = tracks.geo("mouth_open")
    est = []
    for shift in (0.0, 0.15):
        x = np.concatenate([np.zeros(round(shift * track.sr), np.float32), track.samples])
        est.append(estimate_av_offset(mouth_t=tracks.t, mouth=mouth, audio=x, sr=track.sr))
    print(f"GRID swwp2s real mouth: as recorded {est[0].offset_s:+.3f} s "
          f"(conf {est[0].confidence:.2f}), delayed 0.15 s {est[1].offset_s:+.3f} s")
    assert abs(est[0].offset_s) < 0.08
    assert abs(est[1].offset_s - est[0].offset_s - 0.15) < 0.04
