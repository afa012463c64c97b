"""`mirror demo`: render the built-in demo rehearsal (a generated face, no camera) and analyse it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mirror.commands.analyse import write_report_safely

if TYPE_CHECKING:
    from mirror.align import EventSpeech

HELP = ("Generate the built-in demo rehearsal (a real face photo warped into expressions of "
        "known timing, with blinks, talking and head motion) and analyse it like any recording.")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="demo-out", help="folder for the demo video and its analysis")
    p.add_argument("--profile", help="scenario profile (default sales-pitch)")
    p.add_argument("--workers", type=int, default=0, help="face model processes (0: all cores)")


def run(args: argparse.Namespace) -> int:
    from mirror.evaluate import score_cues, score_events
    from mirror.pipeline import SpeechInput, analyse_video
    from mirror.synth.demo import write_pitch_demo
    from mirror.synth.truth import load_truth

    out = Path(args.out)
    print("rendering the demo rehearsal (a generated face speaking a sales pitch)...")
    video, script = write_pitch_demo(out)
    print(f"demo video: {video}" + (f", pitch script: {script}" if script else " (no espeak-ng: silent)"))
    analysis = analyse_video(video, out / "analysis", profile=args.profile,
                             workers=args.workers, speech=SpeechInput(script=script))
    events = list(analysis.events)
    for ep in analysis.episodes:
        e = ep.event
        flag = "micro " if e.micro else ""
        cues = ", ".join(c.name for c in e.posed_cues)
        print(f"  {e.start_s:6.2f}-{e.end_s:6.2f} s  {flag}{e.kind:4s}  {e.expression:9s} "
              f"intensity {e.intensity:.2f}" + (f"  posed cues: {cues}" if cues else "")
              + _said(ep.speech))
    for c in analysis.cues:
        where = f" {c.cue.direction}" if c.cue.direction else ""
        note = " (at your notes)" if c.cue.reading else ""
        flag = "  ! a problem for this profile" if c.judgement.problem else ""
        print(f"  {c.cue.start_s:6.2f}-{c.cue.end_s:6.2f} s  cue   {c.label}{where}{note}"
              + _said(c.speech) + flag)
    truth_path = video.with_suffix(".truth.json")
    if truth_path.is_file():
        truth = load_truth(truth_path)
        print(f"against the demo's ground truth: {score_events(events, truth.episodes).summary()}")
        if truth.cues:
            found = [c.cue for c in analysis.cues]
            s = score_cues(found, truth.cues)
            print(f"cues against the ground truth: F1 {s.f1:.3f} (P {s.precision:.3f}, "
                  f"R {s.recall:.3f}; tp {s.tp}, fp {s.fp}, fn {s.fn})")
    report = write_report_safely(out / "analysis")
    if report:
        print(f"report: {report}")
    print(f"events: {out / 'analysis' / 'events.json'}")
    return 0


def _said(speech: EventSpeech) -> str:
    """What was just said, e.g. ` after "...the price is" (0.4 s after "price")`."""
    words = " ".join(speech.said_before)
    out = f'  after "...{words}"' if words else ""
    for hit in speech.triggers:
        out += f' ({hit.lag_s:.1f} s after "{hit.text}")'
    return out
