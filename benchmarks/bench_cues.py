"""Cue spotting on generated clips the tests never see (held-out seeds), MEGC-style.

    python benchmarks/bench_cues.py [--seeds 401-410] [--calm 201-203] [--duration 30]

Renders clips with random cues (pressed lips, gaze aversions in four directions with or without
a head turn, head tilts, nods, brow flashes, tension, a negative expression masked by a smile)
among blinks, talking with conversational brow flashes and nods, head drift, lighting and
compression; analyses them with `mirror analyse`'s pipeline; prints F1 (IoU >= 0.5 within each
cue type), direction accuracy, per-cue recall and the cues found on cue-free clips.
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from pathlib import Path

from mirror.cues.model import Cue
from mirror.evaluate import Score, score_cues
from mirror.pipeline import analyse_video
from mirror.synth.render import render_clip
from mirror.synth.spec import distractor_only_spec, random_cue_spec


def _range(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1)) if a else []


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="401-410")
    ap.add_argument("--calm", default="201-203")
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--keep", help="keep clips and analyses in this folder")
    args = ap.parse_args()
    total = Score()
    per_cue: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # tp, fn, fp
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(args.keep or tmp)
        d.mkdir(parents=True, exist_ok=True)
        for seed in _range(args.seeds):
            truth = render_clip(random_cue_spec(seed, duration_s=args.duration), d / f"{seed}.mp4")
            doc = analyse_video(d / f"{seed}.mp4", d / f"{seed}.out", workers=args.workers)
            found = [Cue.from_json(c) for c in doc["cues"]]
            s = score_cues(found, truth.cues)
            total.add(s)
            for name in {c.cue for c in (*found, *truth.cues)}:
                one = score_cues(found, truth.cues, cues=[name])
                per_cue[name][0] += one.tp
                per_cue[name][1] += one.fn
                per_cue[name][2] += one.fp
            extra = [f"{c.cue}@{c.start_s:.2f}-{c.end_s:.2f}" for c in found
                     if not any(c.cue == g.cue and min(c.end_s, g.end_s) > max(c.start_s, g.start_s)
                                for g in truth.cues)]
            print(f"seed {seed}: {s.summary()}" + (f"  missed {s.misses}" if s.misses else "")
                  + (f"  extra {extra}" if extra else ""), flush=True)
        calm, calm_s = [], 0.0
        for seed in _range(args.calm):
            render_clip(distractor_only_spec(seed, duration_s=args.duration), d / f"calm{seed}.mp4")
            doc = analyse_video(d / f"calm{seed}.mp4", d / f"calm{seed}.out", workers=args.workers)
            calm += [f"{c['cue']}@{c['start_s']:.2f}" for c in doc["cues"]]
            calm_s += args.duration
    print(f"all clips: {total.summary().replace('label', 'direction').split('; leak')[0]}")
    for name, (tp, fn, fp) in sorted(per_cue.items()):
        print(f"  {name:14s} recall {tp}/{tp + fn}  false {fp}")
    if calm_s:
        print(f"cue-free clips: {len(calm)} cues in {calm_s:.0f} s "
              f"({len(calm) / calm_s * 60:.1f}/min) {calm}")
    print(f"wall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
