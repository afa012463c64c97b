"""Spotting accuracy on generated clips the tests never see (held-out seeds), MEGC-style.

    python benchmarks/bench_accuracy.py [--seeds 101-110] [--calm 201-205]

Renders 30 s clips with 8 episodes each (random emotions, micro / leak / held, a quarter of the
leaks weak) plus blinks, talking, brow flashes, head motion, lighting and compression; analyses
them with `mirror analyse`'s pipeline; prints F1 (IoU >= 0.5), label and leak/held accuracy per
clip and over all clips, per-emotion recall, and the events found on expression-free clips.
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from pathlib import Path

from mirror.evaluate import Score, score_events
from mirror.events.model import Event
from mirror.pipeline import analyse_video
from mirror.synth.render import render_clip
from mirror.synth.spec import distractor_only_spec, random_spec


def _range(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"  # measure the recording's own neutral estimate
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="101-110")
    ap.add_argument("--calm", default="201-205")
    ap.add_argument("--workers", type=int, default=0)
    args = ap.parse_args()
    total = Score()
    per_emotion: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for seed in _range(args.seeds):
            truth = render_clip(random_spec(seed, duration_s=30, n_episodes=8), d / f"{seed}.mp4")
            doc = analyse_video(d / f"{seed}.mp4", d / f"{seed}.out", workers=args.workers)
            events = [Event.from_json(e) for e in doc["events"]]
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
            render_clip(distractor_only_spec(seed, duration_s=30), d / f"calm{seed}.mp4")
            doc = analyse_video(d / f"calm{seed}.mp4", d / f"calm{seed}.out", workers=args.workers)
            calm_events += len(doc["events"])
            calm_s += doc["duration_s"]
    print(f"\nALL {len(_range(args.seeds))} clips: {total.summary()}")
    print("recall per emotion: " + ", ".join(
        f"{e} {h}/{n}" for e, (h, n) in sorted(per_emotion.items())))
    print(f"expression-free clips: {calm_events} events in {calm_s:.0f} s "
          f"(blinks, talking, brow flashes, head motion, lighting)")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
