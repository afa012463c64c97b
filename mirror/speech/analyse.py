"""The speech stage's entry point: `analyse_speech`.

`hear_speech` needs only the audio (it runs beside the face stage): voice activity -> words (free
recognition, trigger spotting, and forced alignment when a script is given), on the audio's
clock. `place_speech` then needs the face's mouth track: A/V offset -> times moved to the session
timeline -> figures.

It never raises for audio it cannot use (silence, no speech, another language, a decoder failure):
it returns an empty analysis whose `note` says why, so the expression analysis goes on without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from mirror.speech.audio import ANALYSIS_RATE, resample_audio
from mirror.speech.avsync import estimate_av_offset
from mirror.speech.figures import compute_figures
from mirror.speech.forced import align_script
from mirror.speech.model import Segment, SpeechAnalysis, SpeechOptions, Word
from mirror.speech.recognize import Recognizer, RecognizerOptions
from mirror.speech.script import Script
from mirror.speech.vad import detect_speech_segments
from mirror.timeline import Timeline

log = logging.getLogger(__name__)

# Free recognition of speech the English model does not know (another language, babble) still gives
# English words. Their posteriors are lower, but not reliably so (measured: German 0.19, Chinese
# 0.15, Finnish 0.24 median posterior against 0.26 for JFK's speech and 0.58 for a LibriVox reader),
# so a low median only adds a warning to the note; with a script, a failed match empties the result.
LOW_MEDIAN_PROBABILITY = 0.2


def _edit_distance(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def _confirmed(spot: Word, heard: list[Word], rec: Recognizer, *, min_similarity: float) -> bool:
    """A spotted keyword is kept when the words the language model heard over the same time sound
    like it: phone similarity 1 - edit distance / keyword phones >= min_similarity. Spotting
    rescues misheard triggers ("prius" -> price); this check stops it inventing them where
    something else was said ("ask" spotted as "cost")."""
    key = [p for part in spot.text.split() for p in rec.pronunciation(part)]
    over = [w for w in heard if w.start < spot.end and spot.start < w.end]
    got = [p for w in over for p in rec.pronunciation(w.text)]
    if not key or not got:
        return False
    # best-matching stretch of the heard phones (they may cover more than the keyword)
    n = len(key)
    best = min(_edit_distance(key, got[i:i + m]) for i in range(len(got))
               for m in range(max(1, n - 1), n + 2) if i + m <= len(got)) if len(got) >= n - 1 \
        else _edit_distance(key, got)
    return 1.0 - best / n >= min_similarity


def _merge_spotted(heard: list[Word], spotted: list[Word], rec: Recognizer, *,
                   min_similarity: float = 0.5) -> list[Word]:
    """Confirmed keyword-spotted words replace the recognised words they overlap by more than
    half."""
    spotted = [s for s in spotted if _confirmed(s, heard, rec, min_similarity=min_similarity)]
    if not spotted:
        return heard
    keep = []
    for w in heard:
        dur = max(1e-3, w.end - w.start)
        if not any(min(w.end, s.end) - max(w.start, s.start) > 0.5 * dur or
                   (s.text == w.text and s.start < w.end and w.start < s.end) for s in spotted):
            keep.append(w)
    return sorted(keep + spotted, key=lambda w: w.start)


def _shift(words: list[Word] | tuple[Word, ...], dt: float) -> tuple[Word, ...]:
    return tuple(Word(w.start - dt, w.end - dt, w.text, w.section, w.probability) for w in words)


@dataclass(frozen=True)
class HeardSpeech:
    """The speech of a recording on the audio's own clock (sample 0 at 0 s), before the A/V
    offset: what needs only the audio, so it can run beside the face stage.

    x: (n,) mono float32 samples at `sr` (16 kHz), kept for the A/V offset estimate.
    raw_segments: voice activity (start, end, speaking). empty_note: why there are no words
    (no speech, nothing recognised, the script does not match), else "".
    """

    x: np.ndarray
    sr: int
    raw_segments: tuple[tuple[float, float, bool], ...]
    words: tuple[Word, ...] = ()
    heard: tuple[Word, ...] = ()
    method: str = "none"
    notes: tuple[str, ...] = ()
    empty_note: str = ""


def analyse_speech(
    audio: np.ndarray | None,
    sr: int,
    *,
    script: Script | None,
    mouth: tuple[np.ndarray, np.ndarray] | None,
    options: SpeechOptions,
    audio_start_s: float = 0.0,
    recognizer: Recognizer | None = None,
) -> SpeechAnalysis:
    """Analyse the speech of a session (`hear_speech` then `place_speech`).

    audio: (n,) mono or (n, channels) samples at sr (any rate; resampled once to 16 kHz), or None
        when the recording has no audio. Sample 0 is at session time audio_start_s (before the A/V
        offset is applied).
    mouth: (t, values): (k,) video frame times on the session timeline and (k,) mouth opening, used
        to estimate the A/V offset; None to skip the estimate.
    recognizer: a loaded pocketsphinx Recognizer to reuse (one is made when None).
    """
    heard = hear_speech(audio, sr, script=script, options=options, recognizer=recognizer)
    if isinstance(heard, SpeechAnalysis):
        return heard
    return place_speech(heard, mouth=mouth, options=options, audio_start_s=audio_start_s)


def hear_speech(
    audio: np.ndarray | None, sr: int, *, script: Script | None, options: SpeechOptions,
    recognizer: Recognizer | None = None,
) -> HeardSpeech | SpeechAnalysis:
    """Voice activity and words of `audio`, on the audio's clock; an empty SpeechAnalysis saying
    why when the audio cannot be used (never raises: the expression analysis goes on)."""
    if audio is None or np.asarray(audio).size == 0:
        return SpeechAnalysis.empty(
            note="speech alignment not possible: the recording has no audio", options=options)
    try:
        return _hear(audio, sr, script=script, options=options, recognizer=recognizer)
    except Exception as e:  # the contract: speech problems never stop the expression analysis
        return _failed(e, options)


def _failed(e: Exception, options: SpeechOptions) -> SpeechAnalysis:
    log.warning("speech stage failed", exc_info=True)
    return SpeechAnalysis.empty(
        note=f"speech alignment not possible: {e.__class__.__name__}: {e}", options=options)


def _hear(audio: np.ndarray, sr: int, *, script: Script | None, options: SpeechOptions,
          recognizer: Recognizer | None) -> HeardSpeech:
    raw = np.asarray(audio)
    x = raw.astype(np.float32)
    if raw.dtype.kind in "iu":  # integer PCM: scale to [-1, 1]
        x /= float(np.iinfo(raw.dtype).max) + 1.0
    if x.ndim == 2:
        x = x.mean(axis=1 if x.shape[1] <= 8 else 0)
    x = resample_audio(x, sr_in=sr, sr_out=ANALYSIS_RATE)
    sr = ANALYSIS_RATE

    # voice activity
    raw_segments = tuple((float(a), float(b), bool(v))
                         for a, b, v in detect_speech_segments(x, sr=sr, options=options.vad))
    speech = [(a, b) for a, b, v in raw_segments if v]
    if not speech or float(np.max(np.abs(x))) < 1e-3:
        return HeardSpeech(x, sr, raw_segments, empty_note="no speech found")

    # free recognition (and trigger spotting), one VAD segment at a time
    rec = recognizer or Recognizer(RecognizerOptions(sr=sr, kws_threshold=options.kws_threshold))
    pad = options.segment_pad_s
    heard_by_seg: list[list[Word]] = []
    for a, b in speech:
        a0, b0 = max(0.0, a - pad), min(len(x) / sr, b + pad)
        clip = x[int(a0 * sr):int(b0 * sr)]
        words = rec.recognize(clip, offset_s=a0)
        if options.spot_triggers and options.triggers:
            words = _merge_spotted(words, rec.spot(clip, tuple(options.triggers), offset_s=a0),
                                   rec)
        heard_by_seg.append(words)
    heard = [w for ws in heard_by_seg for w in ws]
    probs = [w.probability for w in heard]
    if not heard:
        return HeardSpeech(x, sr, raw_segments,
                           empty_note="no speech found: nothing was recognised")

    # words: aligned to the script, or as heard
    notes: tuple[str, ...] = ()
    if script is not None and script.words:
        words, matched = align_script(audio=x, sr=sr, speech=speech, heard=heard_by_seg,
                                      script=script, recognizer=rec, pad_s=pad)
        if matched == 0:
            return HeardSpeech(x, sr, raw_segments, empty_note=(
                "speech alignment not possible: the speech does not match the script "
                "(another language, or a different text?)"))
        method = "forced"
    else:
        if float(np.median(probs)) < LOW_MEDIAN_PROBABILITY:
            notes = ("few words were recognised with confidence: the speech may not be "
                     "English or the audio is poor; treat the words as unreliable",)
        words = heard
        method = "free"
    return HeardSpeech(x, sr, raw_segments, tuple(words), tuple(heard), method, notes)


def place_speech(heard: HeardSpeech, *, mouth: tuple[np.ndarray, np.ndarray] | None,
                 options: SpeechOptions, audio_start_s: float = 0.0) -> SpeechAnalysis:
    """Put heard speech on the session timeline: the A/V offset (given, or estimated from the
    mouth track), every time moved, the figures. Never raises (as `analyse_speech`)."""
    try:
        return _place(heard, mouth=mouth, options=options, audio_start_s=audio_start_s)
    except Exception as e:
        return _failed(e, options)


def _place(heard: HeardSpeech, *, mouth: tuple[np.ndarray, np.ndarray] | None,
           options: SpeechOptions, audio_start_s: float) -> SpeechAnalysis:
    # A/V offset (audio clock -> session clock: see mirror.timeline)
    clock = Timeline(audio_start_s=audio_start_s)
    notes: list[str] = []
    offset, confidence = 0.0, 0.0
    if options.av_offset_s is not None:
        offset, confidence = float(options.av_offset_s), 1.0
    elif mouth is not None:
        mt, mv = mouth
        est = estimate_av_offset(mouth_t=clock.audio_time(mt), mouth=np.asarray(mv),
                                 audio=heard.x, sr=heard.sr, search_s=options.av_search_s)
        confidence = est.confidence
        if est.confidence >= options.av_min_confidence:
            offset = est.offset_s
        elif est.confidence >= options.av_min_confidence / 2:
            # Said only when it may matter: nearly confident enough to apply. Below that the
            # estimate is noise (as on most videos, whose sound is in sync): nothing to say.
            notes.append(f"A/V offset not applied: estimate {est.offset_s:+.3f} s has low "
                         f"confidence {est.confidence:.2f}; if the sound is out of sync, pass "
                         "--av-offset SECONDS")
    else:
        notes.append("A/V offset not estimated (no mouth track): 0 assumed")
    dt = -clock.with_av_offset(offset).audio_shift_s()  # subtract from audio-clock times
    segments = tuple(Segment(a - dt, b - dt, v) for a, b, v in heard.raw_segments)
    if heard.empty_note:
        return SpeechAnalysis.empty(note=heard.empty_note, options=options, av_offset_s=offset,
                                    av_offset_confidence=confidence, segments=segments)
    words_t = _shift(heard.words, dt)
    heard_t = _shift(heard.heard, dt)
    figures = compute_figures(words=words_t, heard=heard_t, segments=segments,
                              fillers=options.fillers, min_pause_s=options.min_pause_s,
                              scripted=heard.method == "forced")
    return SpeechAnalysis(
        segments=segments, words=words_t, av_offset_s=offset, av_offset_confidence=confidence,
        method=heard.method, note="; ".join([*notes, *heard.notes]), figures=figures,
        options=options, heard=heard_t,
    )
