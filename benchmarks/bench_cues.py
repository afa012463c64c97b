"""Cue spotting on generated clips the tests never see (held-out seeds), MEGC-style.

    python benchmarks/bench_cues.py [--seeds 401-410] [--calm 201-203] [--duration 30] [--cache DIR]

Renders clips with random cues (pressed lips, gaze aversions in four directions with or without
a head turn, head tilts, nods, brow flashes, tension, a negative expression masked by a smile)
among blinks, talking with conversational brow flashes and nods, head drift, lighting and
compression; analyses them with `mirror analyse`'s pipeline; prints F1 (IoU >= 0.5 within each
cue type), direction accuracy, per-cue recall and the cues found on cue-free clips.

With `--cache DIR` each clip's face tracks and truth are kept in DIR/<seed>/ (DIR/calm<seed>/ for
the cue-free clips); a re-run after a change to the analysis then only re-computes the action
units, episodes and cues from the cached tracks (seconds instead of minutes).
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from mirror.cues.model import Cue
from mirror.evaluate import Score, score_cues
from mirror.pipeline import analyse_video, compute_expressions
from mirror.profiles import load_profile
from mirror.synth.render import render_clip
from mirror.synth.spec import distractor_only_spec, random_cue_spec
from mirror.synth.truth import Truth, compute_truth, load_truth, save_truth
from mirror.tracks import load_tracks, tracks_current


def _range(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1)) if a else []


FLOW = True  # --no-flow (with --cache): without the pixels' flow, to measure what it adds


def analysed(name: str, spec: Any, work: Path, cache: Path | None, workers: int = 0
             ) -> tuple[list[Cue], Truth]:
    """(cues, truth) of one generated clip; from the cached tracks and truth when `cache` holds
    them, else the clip is rendered and analysed (and its tracks and truth cached)."""
    keep = cache / name if cache else None
    if keep and tracks_current(keep / "tracks.npz") and (keep / "truth.json").is_file():
        tracks = load_tracks(keep / "tracks.npz")
        ex = compute_expressions(tracks if FLOW else replace(tracks, flow=None), load_profile(None))
        # the labels as the generator gives them now (the rendering is the same)
        return list(ex.cues), compute_truth(spec, n_frames=load_truth(keep / "truth.json").n_frames)
    truth = render_clip(spec, work / f"{name}.mp4")
    doc = analyse_video(work / f"{name}.mp4", work / f"{name}.out", workers=workers).to_json()
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "tracks.npz").write_bytes((work / f"{name}.out" / "tracks.npz").read_bytes())
        save_truth(keep / "truth.json", truth)
    return [Cue.from_json(c) for c in doc["cues"]], truth


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="401-410")
    ap.add_argument("--calm", default="201-203")
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--keep", help="keep clips and analyses in this folder")
    ap.add_argument("--cache", help="keep tracks and truth here (re-runs in seconds)")
    ap.add_argument("--no-flow", action="store_true",
                    help="without the pixels' flow (cached tracks only), to measure what it adds")
    args = ap.parse_args()
    global FLOW
    FLOW = not args.no_flow
    cache = Path(args.cache) if args.cache else None
    total = Score()
    per_cue: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # tp, fn, fp
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(args.keep or tmp)
        d.mkdir(parents=True, exist_ok=True)
        for seed in _range(args.seeds):
            found, truth = analysed(str(seed), random_cue_spec(seed, duration_s=args.duration),
                                    d, cache, args.workers)
            s = score_cues(found, truth.cues)
            total.add(s)
            for name in {c.cue for c in found} | {c.cue for c in truth.cues}:
                one = score_cues(found, truth.cues, cues=[name])
                per_cue[name][0] += one.tp
                per_cue[name][1] += one.fn
                per_cue[name][2] += one.fp
            extra = [f"{c.cue}@{c.start_s:.2f}-{c.end_s:.2f}" for c in found
                     if not any(c.cue == g.cue and min(c.end_s, g.end_s) > max(c.start_s, g.start_s)
                                for g in truth.cues)]
            print(f"seed {seed}: {s.summary()}" + (f"  missed {s.misses}" if s.misses else "")
                  + (f"  extra {extra}" if extra else ""), flush=True)
        calm: list[str] = []
        calm_s = 0.0
        flashes = [0, 0]  # conversational brow flashes found, rendered
        for seed in _range(args.calm):
            found, truth = analysed(f"calm{seed}",
                                    distractor_only_spec(seed, duration_s=args.duration),
                                    d, cache, args.workers)
            s = score_cues(found, truth.cues)
            flashes = [flashes[0] + s.tp, flashes[1] + s.tp + s.fn]
            calm += [f"{c.cue}@{c.start_s:.2f}" for c in found
                     if not any(c.cue == g.cue and min(c.end_s, g.end_s) > max(c.start_s, g.start_s)
                                for g in truth.cues)]
            calm_s += args.duration
    print(f"all clips: {total.summary().replace('label', 'direction').split('; leak')[0]}")
    for name, (tp, fn, fp) in sorted(per_cue.items()):
        print(f"  {name:14s} recall {tp}/{tp + fn}  false {fp}")
    if calm_s:
        print(f"clips without expressions or cues: {flashes[0]} of {flashes[1]} conversational "
              f"brow flashes found; {len(calm)} other cues in {calm_s:.0f} s "
              f"({len(calm) / calm_s * 60:.1f}/min) {calm}")
    print(f"wall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
