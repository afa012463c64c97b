"""The built-in demo rehearsal: a spoken sales pitch (espeak-ng) with a face that leaks.

The pitch script is a Markdown file with sections; the face talks while the voice speaks, and its
expression episodes are placed relative to the words, as a coach would look for them: a held smile
without the eyes through the greeting, a flash of fear just after the price, a one-sided lip pull
after the competitor is named, and so on. Its cues: a head tilt with the greeting, a glance down
at the notes while describing the offer, eye contact broken in the pause after the price, and
pressed lips after the greeting. Without espeak-ng the demo falls back to a silent clip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirror.fileio import atomic_open
from mirror.synth.render import render_clip, write_demo
from mirror.synth.spec import ClipSpec, CueEpisode, Episode, Lighting, make_distractors
from mirror.synth.truth import save_truth

PITCH = """# Opening
Good morning and thank you for your time today

# The problem
Your team loses hours every week on manual reports

# The offer
Our platform writes those reports for you
Twelve thousand a year is our price

# Objections
Our competitor is cheaper but they offer no support

# Close
Can we sign the contract before the deadline on Friday
"""


def pitch_phrases(text: str = PITCH) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _after(words: tuple[tuple[str, float, float], ...], word: str) -> float:
    return next(end for text, _, end in words if text.lower() == word)


def _flash(expression: str, at: float, length: float, **kw: object) -> Episode:
    rise = min(0.12, length / 3)
    return Episode(expression=expression, onset_s=round(at, 3), apex_s=round(at + rise, 3),
                   apex_end_s=round(at + length - rise, 3), offset_s=round(at + length, 3),
                   **kw)  # type: ignore[arg-type]


def _cue(cue: str, at: float, length: float, ramp: float = 0.1, **kw: object) -> CueEpisode:
    return CueEpisode(cue=cue, onset_s=round(at, 3), apex_s=round(at + ramp, 3),
                      apex_end_s=round(at + length - ramp, 3), offset_s=round(at + length, 3),
                      **kw)  # type: ignore[arg-type]


def pitch_demo_cues(words: tuple[tuple[str, float, float], ...],
                    phrases: tuple[tuple[float, float], ...]) -> tuple[CueEpisode, ...]:
    """The demo's cues, placed by the words: see the module docstring."""
    first_a, first_b = phrases[0]
    offer = next(p for p in phrases if p[0] <= _after(words, "platform") <= p[1])
    price = _after(words, "price")
    second = phrases[1][0]
    return (
        _cue("head_tilt", first_a + 0.3, min(1.6, first_b - first_a - 0.4), ramp=0.3,
             direction="left", intensity=0.9),
        _cue("lip_press", second - 1.1, 0.85, ramp=0.15),
        _cue("gaze_aversion", offer[0] + 0.4, 1.4, direction="down", reading=True),
        # after the flash of fear at the price, in the pause before the objection
        _cue("gaze_aversion", price + 0.8, 0.55, ramp=0.07, direction="right",
             after_trigger="price"),
    )


def pitch_demo_spec() -> tuple[ClipSpec, str]:
    """The demo clip's spec (with its audio) and its pitch script."""
    from mirror.speech.synth import synthesize_speech

    speech = synthesize_speech(pitch_phrases(), phrase_gap_s=1.4, lead_s=1.0, tail_s=1.5, seed=7)
    w = speech.words
    first_a, first_b = speech.phrases[0]
    episodes = (
        Episode(expression="happiness", onset_s=round(first_a + 0.1, 3),
                apex_s=round(first_a + 0.35, 3), apex_end_s=round(first_b - 0.1, 3),
                offset_s=round(first_b + 0.2, 3), intensity=0.9, with_eyes=False),
        _flash("disgust", _after(w, "manual") + 0.05, 0.7, intensity=0.8),
        _flash("fear", _after(w, "price") + 0.4, 0.35, intensity=0.9),
        _flash("contempt", _after(w, "competitor") + 0.3, 0.45, intensity=0.9, side="right"),
        _flash("sadness", _after(w, "support") + 0.3, 0.8, intensity=0.9),
        _flash("surprise", _after(w, "deadline") + 0.2, 0.4, intensity=0.9),
    )
    duration = round(len(speech.audio) / speech.sr, 3)
    cues = pitch_demo_cues(speech.words, speech.phrases)
    rng = np.random.default_rng(2026)
    blinks, _, flashes = make_distractors(rng, duration, talking=True)
    spec = ClipSpec(duration_s=duration, seed=2026, episodes=episodes, cues=cues, blinks=blinks,
                    talking=speech.phrases, brow_flashes=flashes, head_motion=0.5,
                    lighting=Lighting(step_s=round(duration * 0.55, 3), step_gain=0.06),
                    noise=2.0, crf=23, audio=speech.audio, audio_rate=speech.sr)
    return spec, PITCH


def write_pitch_demo(out_dir: str | Path) -> tuple[Path, Path | None]:
    """Render the demo into out_dir: demo.mp4, demo.truth.json and pitch.md (the script).

    Returns (video, script); script is None when espeak-ng is missing (a silent demo instead).
    """
    from mirror.speech.synth import espeak_available

    out = Path(out_dir)
    if not espeak_available():
        return write_demo(out), None
    spec, script = pitch_demo_spec()
    video = out / "demo.mp4"
    out.mkdir(parents=True, exist_ok=True)
    truth = render_clip(spec, video)
    save_truth(out / "demo.truth.json", truth)
    script_path = out / "pitch.md"
    with atomic_open(script_path, "w", encoding="utf-8") as fh:
        fh.write(script)
    return video, script_path
