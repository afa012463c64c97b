"""Throughput and memory of `mirror analyse` against a bare FaceLandmarker loop, in one run.

    python benchmarks/bench_analyse.py [--seconds 60] [--long 180] [--demo]

1. Renders a 640x480, 30 fps generated rehearsal clip (talking, blinks, expressions; silent), or
   with --demo the demo rehearsal (a spoken pitch, 36 s) analysed with its script, so the speech
   stage runs too (beside the face stage).
2. Bare: one FaceLandmarker (VIDEO mode) per core over the same frames (PyAV decode -> model),
   nothing else. Pipeline: `mirror analyse` on the same file, as a user runs it.
3. Prints both times, the pipeline's overhead over bare inference, the real-time factor, and the
   peak memory (max RSS) of `mirror analyse` on the short and the long clip.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mirror.face.landmarker import LandmarkerOptions, _segments, available_cores, create_landmarker
from mirror.face.model import resolve_model_path
from mirror.face.native import silence_native_logs_for_process
from mirror.media import iter_frames, probe_video
from mirror.synth.render import render_clip
from mirror.synth.spec import random_spec


def _bare_worker(path: str, start: float, end: float, q: mp.Queue) -> None:
    import mediapipe as mpipe

    silence_native_logs_for_process()  # as mirror's own workers do
    info = probe_video(path)
    lm = create_landmarker(LandmarkerOptions(model_path=str(resolve_model_path())))
    n, last = 0, -1
    for t, rgb in iter_frames(path, start_s=start, end_s=end, info=info):
        ms = max(last + 1, round(t * 1000))
        last = ms
        lm.detect_for_video(mpipe.Image(image_format=mpipe.ImageFormat.SRGB, data=rgb), ms)
        n += 1
    lm.close()
    q.put(n)


def bare(path: Path) -> tuple[float, int]:
    info = probe_video(path)
    segs = _segments(info.duration_s, available_cores(), 4.0)
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    t0 = time.perf_counter()
    procs = [ctx.Process(target=_bare_worker, args=(str(path), a, b, q)) for a, b in segs]
    for p in procs:
        p.start()
    frames = sum(q.get() for _ in procs)
    for p in procs:
        p.join()
    return time.perf_counter() - t0, frames


def pipeline(path: Path, out: Path, script: Path | None = None) -> tuple[float, float, dict]:
    code = ("import resource,sys; from mirror.cli import main; rc=main(sys.argv[1:]); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)")
    t0 = time.perf_counter()
    extra = ["--script", str(script)] if script else []
    proc = subprocess.run([sys.executable, "-c", code, "analyse", str(path), "--out", str(out),
                           "-q", *extra], capture_output=True, text=True, check=True)
    dt = time.perf_counter() - t0
    rss = [int(x) for x in proc.stdout.split("MAXRSS")[1].split()]
    doc = json.loads((out / "events.json").read_text())
    return dt, max(rss) / 1024.0, doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--long", type=float, default=180.0, help="second clip for the memory check")
    ap.add_argument("--demo", action="store_true",
                    help="the spoken demo rehearsal with its script instead of a silent clip")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        clip, script = d / "clip.mp4", None
        if args.demo:
            from mirror.synth.demo import write_pitch_demo

            clip, script = write_pitch_demo(d / "demo")
        else:
            render_clip(random_spec(7, duration_s=args.seconds,
                                    n_episodes=int(args.seconds / 4)), clip)
        info = probe_video(clip)
        t_bare, n = bare(clip)
        t_pipe, rss, doc = pipeline(clip, d / "a", script)
        print(f"clip: {info.width}x{info.height} {info.fps:.0f} fps {info.duration_s:.1f} s, "
              f"{n} frames, {available_cores()} cores")
        print(f"bare FaceLandmarker loop : {t_bare:6.2f} s  ({info.duration_s / t_bare:.2f}x real time)")
        print(f"mirror analyse           : {t_pipe:6.2f} s  ({info.duration_s / t_pipe:.2f}x real time)")
        print(f"overhead over bare       : {100 * (t_pipe / t_bare - 1):+.1f} % "
              f"(ratio {t_pipe / t_bare:.3f})")
        if script:
            print(f"speech                   : {doc['speech']['method']}, "
                  f"{len(doc['speech']['words'])} words")
        print(f"events found             : {len(doc['events'])}")
        print(f"peak memory ({info.duration_s:.0f} s clip) : {rss:.0f} MiB")
        if args.long and not math.isclose(args.long, 0):
            long_clip = d / "long.mp4"
            render_clip(random_spec(8, duration_s=args.long, n_episodes=int(args.long / 4)),
                        long_clip)
            t_long, rss_long, _ = pipeline(long_clip, d / "b")
            print(f"peak memory ({args.long:.0f} s clip) : {rss_long:.0f} MiB "
                  f"({args.long / t_long:.2f}x real time)")
    _ = resource


if __name__ == "__main__":
    main()
