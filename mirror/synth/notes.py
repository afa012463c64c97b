"""A clip of someone presenting from notes: gaze cues with a spoken trigger (issue 8).

The speaker talks through a short script (espeak-ng speech with known word times, muxed into
the clip) and glances DOWN at the notes several times while talking (gaze_aversion cues labelled
`reading`). Once, right after saying "price" at the end of a phrase, in the pause that follows,
the eyes go away (left, right or down) 0.2-0.6 s after the word ends (labelled
`after_trigger="price"`). The script is returned as Markdown with sections, like the demo's.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mirror.fileio import atomic_open
from mirror.synth.spec import ClipSpec, CueEpisode, Lighting, make_distractors
from mirror.synth.truth import Truth, save_truth

if TYPE_CHECKING:
    from mirror.speech.synth import SynthSpeech

TRIGGER = "price"
TRIGGER_SECTION = "The price"
NOTES_SCRIPT = """# Opening
Thanks for coming in today
I have my notes here so bear with me

# The product
Our scheduler plans every shift in your stores
It learns from last year and from the weather

# The price
So let me tell you the price
It is four dollars per employee per month

# Next steps
We can start with two stores in March
"""


def script_phrases(text: str = NOTES_SCRIPT) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@functools.lru_cache(maxsize=4)
def notes_speech(seed: int = 1) -> SynthSpeech:
    """The spoken script (espeak-ng) with its word and phrase times; cached per process."""
    from mirror.speech.synth import synthesize_speech

    return synthesize_speech(script_phrases(), speed=165, word_gap_s=0.05, phrase_gap_s=1.5,
                             lead_s=1.0, tail_s=1.0, seed=seed)


def notes_spec(seed: int = 1) -> tuple[ClipSpec, str]:
    """The notes clip's spec (with its speech audio) and its script (Markdown).

    3-4 reading glances (gaze down, 1-3 s, with a small head dip half of the time) inside the
    longer phrases, and one aversion (left, right or down, 0.5-1.2 s, within the 1.5 s pause)
    starting 0.2-0.6 s after the trigger word "price" (the last word of its phrase, in section
    "The price"). About 30 s. Needs espeak-ng."""
    rng = np.random.default_rng(seed + 31_337)
    speech = notes_speech(seed)
    duration = round(len(speech.audio) / speech.sr, 3)
    trig_end = next(end for word, _, end in speech.words if word.lower() == TRIGGER)
    start = trig_end + float(rng.uniform(0.2, 0.6))
    resume = min((a for a, _ in speech.phrases if a > trig_end), default=duration)
    # in the pause: over before the next phrase starts
    total = float(rng.uniform(0.5, max(0.5, min(1.2, resume - 0.05 - start))))
    rise, fall = float(rng.uniform(0.05, 0.1)), float(rng.uniform(0.06, 0.15))
    direction = str(rng.choice(["left", "right", "down"]))
    trigger_cue = CueEpisode(
        cue="gaze_aversion", onset_s=round(start, 4), apex_s=round(start + rise, 4),
        apex_end_s=round(start + total - fall, 4), offset_s=round(start + total, 4),
        direction=direction, intensity=round(float(rng.uniform(0.8, 1.0)), 3),
        head=round(float(rng.uniform(0.3, 0.8)), 3) if rng.random() < 0.5 else 0.0,
        after_trigger=TRIGGER)
    # Reading glances: inside phrases of >= 2.2 s, away from the trigger's phrase and the cue.
    candidates = [(a, b) for a, b in speech.phrases
                  if b - a >= 2.2 and not a <= trig_end <= b + 0.01]
    n_read = min(len(candidates), int(rng.integers(3, 5)))
    picks = sorted(rng.choice(len(candidates), size=n_read, replace=False).tolist())
    cues = [trigger_cue]
    for i in picks:
        a, b = candidates[i]
        lo = a + 0.3
        if lo < trigger_cue.offset_s + 1.0 and b > trigger_cue.onset_s:
            lo = trigger_cue.offset_s + 1.0  # 1 s clear of the trigger's aversion
        if b - 0.3 - lo < 1.0:
            continue
        length = float(rng.uniform(1.0, min(3.0, b - 0.3 - lo)))
        s = lo + float(rng.uniform(0.0, b - 0.3 - lo - length))
        rise, fall = float(rng.uniform(0.06, 0.12)), float(rng.uniform(0.08, 0.15))
        cues.append(CueEpisode(
            cue="gaze_aversion", onset_s=round(s, 4), apex_s=round(s + rise, 4),
            apex_end_s=round(s + length - fall, 4), offset_s=round(s + length, 4),
            direction="down", intensity=round(float(rng.uniform(0.8, 1.0)), 3),
            head=round(float(rng.uniform(0.3, 0.8)), 3) if rng.random() < 0.5 else 0.0,
            reading=True))
    cues.sort(key=lambda c: c.onset_s)
    blinks, _, flashes = make_distractors(rng, duration, talking=True)
    busy = [(c.onset_s - 0.3, c.offset_s + 0.3) for c in cues]
    flashes = tuple(f for f in flashes
                    if any(a <= f.start_s and f.start_s + f.duration_s <= b
                           for a, b in speech.phrases)
                    and not any(a < f.start_s + f.duration_s and f.start_s < b for a, b in busy))
    spec = ClipSpec(duration_s=duration, seed=seed, cues=tuple(cues), blinks=blinks,
                    talking=speech.phrases, brow_flashes=flashes, head_motion=0.5,
                    lighting=Lighting(step_s=None), noise=2.0, crf=23, audio=speech.audio,
                    audio_rate=speech.sr)
    return spec, NOTES_SCRIPT


def write_notes_clip(out_dir: str | Path, seed: int = 1) -> tuple[Path, Path, Truth]:
    """Render notes.mp4, notes.truth.json and notes.md (the script) into `out_dir`.

    Returns (video, script, truth)."""
    from mirror.synth.render import render_clip

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    spec, script = notes_spec(seed)
    video = out / "notes.mp4"
    truth = render_clip(spec, video)
    save_truth(out / "notes.truth.json", truth)
    script_path = out / "notes.md"
    with atomic_open(script_path, "w", encoding="utf-8") as fh:
        fh.write(script)
    return video, script_path, truth
