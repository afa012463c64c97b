"""Spotting accuracy on the foreign development set (clips from a generator that is not ours).

    python benchmarks/bench_foreign.py [--set emotions|cues|both] [--out DIR] [--full] [--mirrored]

`../shared/data/foreign/` holds 30 s clips with their own truth and scorer (see its README). The
face model runs once per clip; its tracks are kept in `--cache` (default
`~/.cache/mirror/bench/foreign`), so re-running after a change to the analysis costs seconds.
By default only the expression and cue analysis runs on the cached tracks (what the scorer reads);
`--full` runs `mirror analyse`'s whole pipeline (speech stage, script alignment, events.json as a
user gets it). The foreign scorer then prints F1, labels, leak/held, false alarms per minute,
recall per category and expression, and for the cue set the cue F1 per type.

`--mirrored` runs the same clips flipped left to right (re-encoded once into the cache): to the
face model another face, with the same truth (only a contempt's side flips, which the scorer does
not read). A change that holds on the foreign faces should hold on their mirror images too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from mirror.fileio import write_json_atomic
from mirror.pipeline import analyse_video, compute_expressions
from mirror.profiles import load_profile
from mirror.tracks import load_tracks, tracks_current

FOREIGN = Path(__file__).resolve().parents[2] / "shared" / "data" / "foreign"


def mirrored_copy(video: Path, target: Path) -> Path:
    """`video` flipped left to right (H.264, CRF 16, no audio) at `target`, written once."""
    import av
    import numpy as np

    from mirror.media import iter_frames, probe_video

    if target.is_file():
        return target
    info = probe_video(video)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part.mp4")
    with av.open(str(part), "w") as c:
        s = c.add_stream("libx264", rate=round(info.fps))
        s.width, s.height, s.pix_fmt = info.width, info.height, "yuv420p"
        s.options = {"crf": "16"}
        for _, rgb in iter_frames(video):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:, ::-1]), format="rgb24")
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)
    part.replace(target)
    return target


def cached_tracks(clip: Path, cache: Path, out: Path, *, mirrored: bool = False) -> Path:
    """The clip's face tracks: from the cache, else from one run of the model (then cached)."""
    if mirrored:
        cache = cache / "mirrored"
    cached = cache / clip.parent.name / clip.name / "tracks.npz"
    if not tracks_current(cached):
        tmp = cache / "tmp" / clip.name
        video = clip / "clip.mp4"
        if mirrored:
            video = mirrored_copy(video, cache / "videos" / clip.parent.name / f"{clip.name}.mp4")
        analyse_video(video, tmp, speech=None)
        cached.parent.mkdir(parents=True, exist_ok=True)
        (tmp / "tracks.npz").replace(cached)
    return cached


FLOW = True  # --no-flow: analyse without the pixels' flow (what the landmarks alone give)


def analyse_fast(tracks_path: Path, out: Path, profile: str) -> None:
    """events.json with the episodes and cues only (what the scorer reads)."""
    prof = load_profile(profile)
    tracks = load_tracks(tracks_path)
    ex = compute_expressions(tracks if FLOW else replace(tracks, flow=None), prof)
    write_json_atomic(out / "events.json", {
        "events": [e.to_json() for e in ex.events], "cues": [c.to_json() for c in ex.cues]})


def analyse_full(clip: Path, tracks_path: Path, out: Path, profile: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    target = out / "tracks.npz"
    if not target.is_file():
        target.write_bytes(tracks_path.read_bytes())
    from mirror.pipeline import SpeechInput

    analyse_video(clip / "clip.mp4", out, profile=profile, reuse=True,
                  speech=SpeechInput(script=clip / "script.txt"))


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="both", choices=("emotions", "cues", "both"))
    ap.add_argument("--out", default="/tmp/mirror-foreign")
    ap.add_argument("--cache", default=str(Path.home() / ".cache/mirror/bench/foreign"))
    ap.add_argument("--profile", default="sales-pitch")
    ap.add_argument("--full", action="store_true", help="the whole pipeline, speech included")
    ap.add_argument("--mirrored", action="store_true",
                    help="the clips flipped left to right (another face to the model)")
    ap.add_argument("--no-flow", action="store_true",
                    help="without the pixels' flow (the landmarks alone), to measure what it adds")
    args = ap.parse_args()
    global FLOW
    FLOW = not args.no_flow
    if args.full and args.no_flow:
        ap.error("--no-flow measures the expression analysis alone: leave out --full")
    if args.full and args.mirrored:
        ap.error("--mirrored runs the expression analysis only (its clips have no audio)")
    if not FOREIGN.is_dir():
        sys.exit(f"bench_foreign: {FOREIGN} is absent (the foreign development set)")
    sets = ("emotions", "cues") if args.set == "both" else (args.set,)
    t0 = time.perf_counter()
    for name in sets:
        for clip in sorted((FOREIGN / name).glob("clip*")):
            out = Path(args.out) / name / clip.name
            out.mkdir(parents=True, exist_ok=True)
            tracks = cached_tracks(clip, Path(args.cache), out, mirrored=args.mirrored)
            if args.full:
                analyse_full(clip, tracks, out, args.profile)
            else:
                analyse_fast(tracks, out, args.profile)
    elapsed = time.perf_counter() - t0
    scorer = str(FOREIGN / "score.py")
    for name in sets:
        cmd = [sys.executable, scorer, str(FOREIGN / name), str(Path(args.out) / name),
               "--json", str(Path(args.out) / f"{name}.json")] + (["--cues"] if name == "cues" else [])
        print(f"== {name}", flush=True)
        subprocess.run(cmd, check=False)
    print(f"({elapsed:.0f} s of analysis)")
    summary = {n: json.loads((Path(args.out) / f"{n}.json").read_text()) for n in sets
               if (Path(args.out) / f"{n}.json").is_file()}
    write_json_atomic(Path(args.out) / "summary.json", summary)


if __name__ == "__main__":
    main()
