"""Test-data generator: a real face photo warped into expressions of known timing.

    from mirror.synth import random_spec, render_clip, save_truth
    truth = render_clip(random_spec(1, duration_s=20, n_episodes=4), "clip.mp4")
    save_truth("clip.truth.json", truth)

See docs/synth.md. Importing this package is cheap; MediaPipe loads on first render.
"""

from mirror.synth.notes import notes_spec, write_notes_clip
from mirror.synth.render import render_clip, write_demo
from mirror.synth.spec import (
    Blink,
    BrowFlash,
    ClipSpec,
    CueEpisode,
    Episode,
    Lighting,
    demo_spec,
    distractor_only_spec,
    random_cue_spec,
    random_spec,
    variant_spec,
)
from mirror.synth.truth import (
    Distractor,
    Truth,
    TruthCue,
    TruthCuePart,
    TruthEpisode,
    load_truth,
    save_truth,
)

__all__ = [
    "Blink", "BrowFlash", "ClipSpec", "CueEpisode", "Distractor", "Episode", "Lighting", "Truth",
    "TruthCue", "TruthCuePart", "TruthEpisode", "demo_spec", "distractor_only_spec",
    "load_truth", "notes_spec", "random_cue_spec", "random_spec", "render_clip",
    "save_truth", "variant_spec", "write_demo", "write_notes_clip",
]
