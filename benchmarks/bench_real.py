"""Real recordings (no labels): episodes per minute, and a contact sheet of every episode's apex.

    python benchmarks/bench_real.py [--out DIR] [--cache DIR]

Analyses the real clips in `../shared/data/real/` (GRID read speech, the LivePortrait drivers,
the video-retalking presenter, the Pexels clip) with `mirror analyse`'s expression analysis, and
writes `DIR/contact_<group>.png`: one tile per episode, the face at its apex, captioned with the
clip, the time, the label and its duration. Judge each tile by eye (is the labelled movement
visibly there, and is it not speech?) and write the precision down in docs/analysis.md. The face
model runs once per clip; its tracks are kept in `--cache`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

from mirror.events.model import UNNAMED
from mirror.media.stills import grab_frames
from mirror.pipeline import analyse_video, compute_expressions
from mirror.profiles import load_profile
from mirror.report.frames import _font, crop_face, face_box
from mirror.tracks import load_tracks, tracks_current

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
GROUPS = {
    "grid": ["grid/bbaf2n.mpg", "grid/brbk7n.mpg", "grid/id2_vcd_swwp2s.mpg", "grid/lbax4n.mpg",
             "grid/lwbsza.mpg", "grid/sbwe5n.mpg"],
    "talking": ["faces/presenter_suit.mp4", "faces/girl_talking_glances.mp4",
                "faces/man_laughing_talking.mp4", "faces/webcam_man_glasses.mp4"],
    "expressive": ["faces/WolfgangLanger_Pexels.mp4", "faces/woman_grin_glances_winks.mp4",
                   "faces/pucker_o_smile.mp4", "faces/neutral_to_smile.mp4",
                   "faces/single_face.mp4"],
}
TILE = 200


def cached_tracks(clip: Path, cache: Path) -> Path:
    cached = cache / clip.parent.name / clip.stem / "tracks.npz"
    if not tracks_current(cached):
        tmp = cache / "tmp" / clip.stem
        analyse_video(clip, tmp)
        cached.parent.mkdir(parents=True, exist_ok=True)
        (tmp / "tracks.npz").replace(cached)
    return cached


def label(e: dict[str, object]) -> str:
    if "cue" in e:
        return f"{e['cue']} {float(e['end_s']) - float(e['start_s']):.2f}s"  # type: ignore[arg-type]
    name = str(e["expression"])
    if name == UNNAMED:
        name = str(e.get("description") or "movement")
    return f"{name} {float(e['end_s']) - float(e['start_s']):.2f}s"  # type: ignore[arg-type]


def contact_sheet(rows: list[tuple[Path, object, dict[str, object]]], path: Path) -> None:
    """One tile per episode, 6 a row, captioned."""
    cols, cap = 6, 34
    n = max(len(rows), 1)
    sheet = Image.new("RGB", (cols * TILE, ((n + cols - 1) // cols) * (TILE + cap)), "white")
    draw = ImageDraw.Draw(sheet)
    font = _font(12)
    frames: dict[Path, dict[float, object]] = {}
    for clip, _, e in rows:
        frames.setdefault(clip, {})[float(e["apex_s"])] = None  # type: ignore[arg-type]
    for clip in frames:
        frames[clip] = grab_frames(clip, list(frames[clip]))  # type: ignore[assignment]
    for i, (clip, tracks, e) in enumerate(rows):
        x, y = (i % cols) * TILE, (i // cols) * (TILE + cap)
        apex = float(e["apex_s"])  # type: ignore[arg-type]
        frame = frames[clip].get(apex)
        if frame is not None:
            sheet.paste(crop_face(frame, face_box(tracks, apex), TILE), (x, y))  # type: ignore[arg-type]
        draw.text((x + 3, y + TILE + 2), f"{clip.stem[:16]} {apex:.2f}s", fill="#222", font=font)
        draw.text((x + 3, y + TILE + 17), label(e)[:34], fill="#b00", font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def main() -> None:
    os.environ["MIRROR_CALIBRATION"] = "none"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/mirror-real")
    ap.add_argument("--cache", default=str(Path.home() / ".cache/mirror/bench/real"))
    ap.add_argument("--profile", default="sales-pitch")
    args = ap.parse_args()
    if not REAL.is_dir():
        sys.exit(f"bench_real: {REAL} is absent")
    prof = load_profile(args.profile)
    t0 = time.perf_counter()
    for group, names in GROUPS.items():
        rows: list[tuple[Path, object, dict[str, object]]] = []
        cue_rows: list[tuple[Path, object, dict[str, object]]] = []
        total_s = 0.0
        n_named = 0
        for name in names:
            clip = REAL / name
            tracks = load_tracks(cached_tracks(clip, Path(args.cache)))
            ex = compute_expressions(tracks, prof)
            dur = float(tracks.t[-1] - tracks.t[0]) if tracks.n > 1 else 0.0
            total_s += dur
            evs = [e.to_json() for e in ex.events]
            n_named += sum(e["expression"] != UNNAMED for e in evs)
            print(f"  {clip.name:32s} {dur:5.1f} s  {len(evs):2d} episodes  "
                  + ", ".join(f"{float(e['apex_s']):.1f}s {label(e)}" for e in evs))
            rows += [(clip, tracks, e) for e in evs]
            cue_rows += [(clip, tracks, c.to_json()) for c in ex.cues]
        per_min = len(rows) / (total_s / 60) if total_s else 0.0
        named_min = n_named / (total_s / 60) if total_s else 0.0
        sheet = Path(args.out) / f"contact_{group}.png"
        contact_sheet(rows, sheet)
        print(f"{group}: {len(rows)} episodes in {total_s:.1f} s = {per_min:.1f} per minute "
              f"({named_min:.1f} named as emotions) -> {sheet}", flush=True)
        if cue_rows:
            cue_sheet = Path(args.out) / f"contact_{group}_cues.png"
            contact_sheet(cue_rows, cue_sheet)
            kinds = sorted({str(c["cue"]) for _, _, c in cue_rows})
            print(f"{group}: {len(cue_rows)} cues ({len(cue_rows) / (total_s / 60):.1f} per minute; "
                  + ", ".join(f"{sum(c['cue'] == k for _, _, c in cue_rows)} {k}" for k in kinds)
                  + f") -> {cue_sheet}", flush=True)
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
