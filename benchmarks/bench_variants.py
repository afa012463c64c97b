"""Recall per variant of each emotion (the EMFACS prototypes and major variants) on generated clips.

    python benchmarks/bench_variants.py [--seeds 601-612] [--cache DIR] [--markdown]

Renders 30 s clips of `variant_spec` (8 episodes each; seeds 601-612 render each of the 25
(emotion, variant) pairs 3 or 4 times, with varied intensity, onset shape, timing, overlap with
speech and head motion; see docs/synth.md), analyses them with `mirror analyse`'s pipeline, and
prints F1 (IoU >= 0.5, MEGC) over all clips, then per emotion and variant: how many episodes a
named event found (recall, any label), how many of those were named right, and how many only an
unnamed movement covered. Events with expression "unnamed" are neither hits nor false alarms in
the F1. `--cache DIR` keeps each clip's tracks.npz and truth.json, so that re-scoring after a
change to the analysis takes seconds instead of re-rendering (delete the directory after a change
to the generator or the face model).
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import bench_accuracy
from bench_accuracy import analysed, eye_flags, eye_summary

from mirror.evaluate import Score, score_events
from mirror.events.model import UNNAMED, Event
from mirror.synth.aus import emotion_variants, facs_code
from mirror.synth.render import render_clip
from mirror.synth.spec import EXPRESSIONS, variant_spec
from mirror.synth.truth import Truth, TruthEpisode


def _range(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


@dataclass
class Tally:
    n: int = 0
    found: int = 0
    named_right: int = 0
    unnamed: int = 0
    talking: int = 0
    talking_found: int = 0
    named_as: collections.Counter[str] = field(default_factory=collections.Counter)


def _talking(ep: TruthEpisode, truth: Truth) -> bool:
    return any(d.kind == "talking" and d.start_s < ep.end_s and ep.start_s < d.end_s
               for d in truth.distractors)


def tally_clip(events: list[Event], truth: Truth, tallies: dict[tuple[str, str], Tally]) -> Score:
    """Score one clip (named events only) and add each truth episode to its variant's tally."""
    named = [e for e in events if e.expression != UNNAMED]
    unnamed = [e for e in events if e.expression == UNNAMED]
    for ep in truth.episodes:
        t = tallies[ep.expression, ep.variant]
        s = score_events(named, [ep])
        talking = _talking(ep, truth)
        t.n += 1
        t.talking += talking
        if s.tp:
            t.found += 1
            t.talking_found += talking
            t.named_right += s.label_right
            t.named_as.update(d for _, d in s.confusions)
        elif score_events(unnamed, [ep]).tp:
            t.unnamed += 1
    return score_events(named, truth.episodes)


def _pct(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "-"


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"  # measure the recording's own neutral estimate
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--seeds", default="601-612")
    ap.add_argument("--episodes", type=int, default=8)
    ap.add_argument("--cache", default=None, help="keep tracks and truth here (re-runs in seconds)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--no-flow", action="store_true",
                    help="without the pixels' flow (the landmarks alone), to measure what it adds")
    args = ap.parse_args()
    bench_accuracy.FLOW = not args.no_flow
    cache = Path(args.cache) if args.cache else None
    tallies: dict[tuple[str, str], Tally] = collections.defaultdict(Tally)
    total = Score()
    n_unnamed = 0
    eyes: collections.Counter[tuple[bool, bool]] = collections.Counter()
    t0 = time.perf_counter()
    seeds = _range(args.seeds)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            events, truth, _ = analysed(
                f"v{seed}-{args.episodes}", lambda p, seed=seed: render_clip(
                    variant_spec(seed, duration_s=30, n_episodes=args.episodes), p),
                Path(tmp), cache)
            s = tally_clip(events, truth, tallies)
            total.add(s)
            n_unnamed += sum(e.expression == UNNAMED for e in events)
            eyes += eye_flags(events, truth)
            print(f"seed {seed}: {s.summary()}"
                  + (f"  missed {s.misses}" if s.misses else "")
                  + (f"  confused {s.confusions}" if s.confusions else ""), flush=True)
    print(f"\nALL {len(seeds)} clips: {total.summary()}")
    print(f"unnamed movements: {n_unnamed} (not scored)")
    print(eye_summary(eyes) + "\n")
    rows = [("emotion", "variant", "AUs", "found", "named right", "unnamed only",
             "found while talking", "named as (wrong)")]
    per_emotion: dict[str, Tally] = collections.defaultdict(Tally)
    for e in EXPRESSIONS:
        for v in emotion_variants(e):
            t = tallies.get((e, v))
            if t is None or not t.n:
                continue
            pe = per_emotion[e]
            for f in ("n", "found", "named_right", "unnamed", "talking", "talking_found"):
                setattr(pe, f, getattr(pe, f) + getattr(t, f))
            wrong = ", ".join(f"{k} {c}" for k, c in t.named_as.most_common())
            rows.append((e, v, facs_code(e, v), _pct(t.found, t.n), _pct(t.named_right, t.found),
                         str(t.unnamed), _pct(t.talking_found, t.talking), wrong))
    for e, pe in per_emotion.items():
        rows.append((e, "all", "", _pct(pe.found, pe.n), _pct(pe.named_right, pe.found),
                     str(pe.unnamed), _pct(pe.talking_found, pe.talking), ""))
    if args.markdown:
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "---|" * len(rows[0]))
        for r in rows[1:]:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
