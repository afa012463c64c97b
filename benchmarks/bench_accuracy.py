"""Spotting accuracy on generated clips the tests never see (held-out seeds), MEGC-style.

    python benchmarks/bench_accuracy.py [--seeds 101-110] [--calm 201-205] [--cache DIR] [--face FILE]

Renders 30 s clips with 8 episodes each (random emotions, micro / leak / held, a quarter of the
leaks weak) plus blinks, talking, brow flashes, head motion, lighting and compression; analyses
them with `mirror analyse`'s pipeline; prints F1 (IoU >= 0.5), label and leak/held accuracy per
clip and over all clips, per-emotion recall, and the events found on expression-free clips.
`--face` renders the same seeds on another face (a photo or a video's first frame of a relaxed
face; `mirror.synth.face.base_face_from_image`), for faces the spotter was never tuned on.
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from mirror.evaluate import Score, interval_iou, score_events
from mirror.events.model import UNNAMED, Event
from mirror.pipeline import analyse_video, compute_expressions
from mirror.profiles import load_profile
from mirror.synth.render import Rig, build_rig, render_clip
from mirror.synth.spec import ClipSpec, distractor_only_spec, random_spec
from mirror.synth.truth import Truth, load_truth, save_truth
from mirror.tracks import FaceTracks, load_tracks, tracks_current


def _range(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


FLOW = True  # --no-flow: analyse without the pixels' flow (what the landmarks alone give)


def tracks_for_analysis(path: Path) -> FaceTracks:
    """Tracks as saved, or without their flow with --no-flow."""
    tracks = load_tracks(path)
    return tracks if FLOW else replace(tracks, flow=None)


def analysed(name: str, make_truth: object, work: Path, cache: Path | None
             ) -> tuple[list[Event], Truth, float]:
    """(events, truth, duration) of one generated clip; tracks and truth come from `cache` when
    there, else the clip is rendered and analysed (and cached)."""
    keep = cache / name if cache else None
    if keep and tracks_current(keep / "tracks.npz") and (keep / "truth.json").is_file():
        tracks = tracks_for_analysis(keep / "tracks.npz")
        ex = compute_expressions(tracks, load_profile(None))
        return ex.events, load_truth(keep / "truth.json"), float(tracks.meta.get("duration_s", 30))
    truth = make_truth(work / f"{name}.mp4")  # type: ignore[operator]
    doc = analyse_video(work / f"{name}.mp4", work / f"{name}.out").to_json()
    events = [Event.from_json(e) for e in doc["events"]]
    if not FLOW:
        events = compute_expressions(tracks_for_analysis(work / f"{name}.out" / "tracks.npz"),
                                     load_profile(None)).events
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (work / f"{name}.out" / "tracks.npz").replace(keep / "tracks.npz")
        save_truth(keep / "truth.json", truth)
    return events, truth, float(doc["duration_s"])


def eye_flags(events: list[Event], truth: Truth) -> collections.Counter[tuple[bool, bool]]:
    """(rendered with the eyes, flagged "without the eyes") for each held smile found as a
    happiness episode (IoU >= 0.5): the posed cue's hits and false accusations."""
    out: collections.Counter[tuple[bool, bool]] = collections.Counter()
    for g in truth.episodes:
        if g.expression != "happiness" or g.kind != "held":
            continue
        found = [e for e in events if e.expression == "happiness"
                 and interval_iou(e.start_s, e.end_s, g.start_s, g.end_s) >= 0.5]
        if found:
            flagged = any(c.name == "no_eye_involvement" for c in found[0].posed_cues)
            out[(bool(g.with_eyes), flagged)] += 1
    return out


def eye_summary(eyes: collections.Counter[tuple[bool, bool]]) -> str:
    return (f"held smiles flagged 'without the eyes': {eyes[(False, True)]} of "
            f"{eyes[(False, True)] + eyes[(False, False)]} rendered without them, "
            f"{eyes[(True, True)]} of {eyes[(True, True)] + eyes[(True, False)]} with them")


def face_rig(path: Path) -> Rig:
    """The generator's rig for the face in an image or in a video's first frame."""
    from mirror.face.model import resolve_model_path
    from mirror.media import iter_frames
    from mirror.synth.face import base_face_from_image

    if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
        from PIL import Image

        rgb = np.asarray(Image.open(path).convert("RGB"))
    else:
        rgb = next(iter(iter_frames(path)))[1]
    return build_rig(base_face_from_image(rgb, resolve_model_path()))


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"  # measure the recording's own neutral estimate
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="101-110")
    ap.add_argument("--calm", default="201-205")
    ap.add_argument("--cache", default=None, help="keep tracks and truth here (re-runs in seconds)")
    ap.add_argument("--face", default=None,
                    help="render another face: a photo or a video (its first frame) of a relaxed "
                         "face; cached apart from the default face's clips")
    ap.add_argument("--fps", type=float, default=None,
                    help="render at this frame rate (default the generator's 30; webcams and "
                         "phones also film at 25); cached apart")
    ap.add_argument("--no-flow", action="store_true",
                    help="without the pixels' flow (the landmarks alone), to measure what it adds")
    args = ap.parse_args()
    global FLOW
    FLOW = not args.no_flow
    cache = Path(args.cache) if args.cache else None
    rig = face_rig(Path(args.face)) if args.face else None
    if cache and args.face:
        cache = cache / f"face-{Path(args.face).stem}"
    if cache and args.fps:
        cache = cache / f"fps{args.fps:g}"

    def at_rate(spec: ClipSpec) -> ClipSpec:
        return replace(spec, fps=args.fps) if args.fps else spec
    unnamed = 0
    eyes: collections.Counter[tuple[bool, bool]] = collections.Counter()
    total = Score()
    per_emotion: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for seed in _range(args.seeds):
            events, truth, _ = analysed(
                str(seed), lambda p, seed=seed: render_clip(
                    at_rate(random_spec(seed, duration_s=30, n_episodes=8)), p, rig=rig), d, cache)
            unnamed += sum(e.expression == UNNAMED for e in events)
            eyes += eye_flags(events, truth)
            s = score_events(events, truth.episodes)
            total.add(s)
            missed = collections.Counter(m.split("@")[0] for m in s.misses)
            for e, n in collections.Counter(g.expression for g in truth.episodes).items():
                per_emotion[e][0] += n - missed[e]
                per_emotion[e][1] += n
            print(f"seed {seed}: {s.summary()}" + (f"  missed {sorted(missed)}" if missed else "")
                  + (f"  confused {s.confusions}" if s.confusions else ""), flush=True)
        calm_events = 0
        calm_s = 0.0
        for seed in _range(args.calm):
            events, _, dur = analysed(
                f"calm{seed}", lambda p, seed=seed: render_clip(
                    at_rate(distractor_only_spec(seed, duration_s=30)), p, rig=rig), d, cache)
            calm_events += len(events)
            calm_s += dur
    print(f"\nALL {len(_range(args.seeds))} clips: {total.summary()}")
    print("recall per emotion: " + ", ".join(
        f"{e} {h}/{n}" for e, (h, n) in sorted(per_emotion.items())))
    print(f"unnamed movements on the expression clips: {unnamed}")
    print(eye_summary(eyes))
    print(f"expression-free clips: {calm_events} events in {calm_s:.0f} s "
          f"(blinks, talking, brow flashes, head motion, lighting)")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
