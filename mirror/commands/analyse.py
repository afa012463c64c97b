"""`mirror analyse`: a video file (or a recorded session) -> events.json and the report.

The face model's worker processes start first (`mirror.face.workers`): they load MediaPipe and
the model while this process loads the pipeline (numpy, PyAV, scipy, the stages) and checks the
input, so this module imports the pipeline only inside `run`."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mirror.errors import InputError, MirrorError, require_utf8_name, shown_path
from mirror.profiles import available_profiles, load_profile

if TYPE_CHECKING:
    from mirror.face.workers import FaceWorkers
    from mirror.report.plotter import Plotter
    from mirror.session import Session

HELP = ("Analyse a recording: find expression episodes of your face (leaks, micro leaks and "
        "held expressions of the seven emotions) and cues (gaze aversion, lip press, brow flash, "
        "head tilt and nods, tension, masking), align them with what you said, and write "
        "events.json and the report (report.html, report.md) into --out.")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="a video file (mp4, mov, mkv, webm, avi) or a session folder")
    p.add_argument("--out", help="output folder (default: VIDEO's name + '.mirror', or the "
                                 "session's analysis/ folder)")
    p.add_argument("--audio", help="a separate audio file for the speech alignment (default: the "
                                   "video's own audio track, or the session's microphone)")
    p.add_argument("--profile", help="scenario profile: one of "
                   f"{', '.join(available_profiles())}, or a YAML path (default: sales-pitch)")
    p.add_argument("--script", help="the pitch script you rehearse (Markdown; headings = sections); "
                                    "default: the session's script, else none (words recognised "
                                    "freely, less reliable)")
    p.add_argument("--av-offset", type=float, metavar="SECONDS",
                   help="audio delay against the video (positive: audio lags); default: estimated")
    p.add_argument("--model", help="path of face_landmarker.task (default: MIRROR_FACE_MODEL, "
                                   "else the cached or installed model)")
    p.add_argument("--calibration", help="your neutral-face calibration (default: the one "
                                         "`mirror calibrate` stored, if it fits the recording)")
    p.add_argument("--reuse", action="store_true",
                   help="reuse the face tracks already in --out (no model run; default: off)")
    p.add_argument("--workers", type=int, default=0,
                   help="face model processes (default: 0, one per core)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary line")
    p.add_argument("--no-report", action="store_true", help="do not write the report")


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    last: dict[str, Any] = {"stage": "", "pct": -1}

    def show(stage: str, x: float) -> None:
        pct = int(x * 100)
        if quiet or (stage == last["stage"] and pct < last["pct"] + 10 and pct != 100):
            return
        last.update(stage=stage, pct=pct)
        print(f"  {stage:12s} {pct:3d}%", file=sys.stderr, flush=True)

    return show


def run(args: argparse.Namespace) -> int:
    face_workers = None if args.reuse else start_face_workers(args.model, args.workers)
    try:
        from mirror.session import is_session_dir, load_session

        video = Path(args.video)
        session = load_session(video) if _is_folder(video) and is_session_dir(video) else None
        if session is not None:
            out = Path(args.out) if args.out else session.analysis_dir
        else:
            out = Path(args.out) if args.out else default_out_dir(video)
        if args.reuse and not _is_file(out / "tracks.npz"):
            face_workers = start_face_workers(args.model, args.workers)
        return _run(args, video, out, session, face_workers)
    finally:
        if face_workers is not None:
            face_workers.close()


def start_face_workers(model: str | None, workers: int) -> FaceWorkers | None:
    """The face model's processes, started now, or None: with --workers 1 (the model runs in
    this process), on a single core, or without a model file (the analysis then says so)."""
    from mirror.face.model import resolve_model_path
    from mirror.face.options import LandmarkerOptions, available_cores
    from mirror.face.workers import FaceWorkers

    count = workers or available_cores()
    if count < 2:
        return None
    try:
        options = LandmarkerOptions(model_path=str(resolve_model_path(model)), workers=workers)
    except MirrorError:
        return None
    return FaceWorkers(options, count)


def _run(args: argparse.Namespace, video: Path, out: Path, session: Session | None,
         face_workers: FaceWorkers | None) -> int:
    from mirror.pipeline import SpeechInput, analyse_video

    frame_times = None
    profile = args.profile
    audio = Path(args.audio) if args.audio else None
    script = Path(args.script) if args.script else None
    speech = SpeechInput(audio=audio, script=script, av_offset_s=args.av_offset)
    if session is not None:
        video, frame_times = session.video, session.frame_times
        profile = profile or session.profile
        speech = SpeechInput(audio=audio or session.audio, script=script or session.script,
                             av_offset_s=args.av_offset,
                             audio_start_s=None if audio else session.audio_start_s,
                             use_video_audio=False)
    created = preflight(video, out, profile=profile, audio=audio, script=script,
                        reuse=args.reuse)
    # Once the face workers run (not before: their start would wait), what the stages after the
    # face import (scipy, the report's modules) loads beside them, while this process only waits
    # for their results; the report's plots are drawn in a process of their own, which loads
    # matplotlib meanwhile.
    plotters: list[Plotter | None] = []

    def beside_the_face() -> None:
        plotters.append(None if args.no_report else _start_plotter())
        threading.Thread(target=_import_later_stages, args=(not args.no_report,),
                         name="mirror-imports", daemon=True).start()

    try:
        analysis = analyse_video(video, out, profile=profile, model=args.model, reuse=args.reuse,
                            workers=args.workers, calibration=args.calibration,
                            frame_times=frame_times, speech=speech,
                            progress=_progress(args.quiet), face_started=beside_the_face,
                            face_workers=face_workers)
    except BaseException:
        for p in plotters:
            if p is not None:
                p.close()
        if created:  # leave no empty folder behind a refused input
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    s = analysis.summary
    for w in analysis.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{s.events} episodes ({s.leaks} leaks, {s.micro} micro, {s.held} held; "
          f"{s.leaks_per_minute} leaks/min) and {s.cues} cues "
          f"({s.cue_problems} to work on) in {round(analysis.duration_s, 3):.1f} s -> "
          f"{out / 'events.json'}")
    if not args.no_report:
        report = write_report_safely(out, plotters[0] if plotters else None)
        if report:
            print(f"report: {report}")
    return 0


NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows)


def default_out_dir(video: Path) -> Path:
    """VIDEO's name + '.mirror' beside it, the name shortened to fit NAME_MAX."""
    name = video.name
    while name and len(os.fsencode(name + ".mirror")) > NAME_MAX:
        name = name[:-1]
    return video.with_name(name + ".mirror")


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a path too long to look at: probe_video says so in one line
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def preflight(video: Path, out: Path, *, profile: str | None, audio: Path | None,
              script: Path | None, reuse: bool) -> bool:
    """Refuse unusable inputs in one line before the face model runs (minutes on a long video),
    then create the output folder; returns whether it was created here."""
    from mirror.media import probe_for_analysis
    from mirror.media.audio import probe_audio
    from mirror.speech.script import load_script

    load_profile(profile)
    require_utf8_name(video)
    require_utf8_name(out)
    if not (reuse and (out / "tracks.npz").is_file()):
        probe_for_analysis(video)
    if audio is not None:
        probe_audio(audio)
    if script is not None:
        load_script(script)
    try:
        existed = out.is_dir()
        out.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, as the pipeline makes it
    except OSError as exc:
        raise InputError(f"cannot create the output folder {shown_path(out)} ({exc.strerror}); "
                         "choose another with --out DIR") from None
    return not existed


def _import_later_stages(report: bool) -> None:
    with contextlib.suppress(Exception):  # a broken module shows when it is used
        import scipy.ndimage  # noqa: F401  (mirror.signal's rolling median)

        if report:
            import mirror.report.html
            import mirror.report.markdown
            import mirror.report.write  # noqa: F401


def _start_plotter() -> Plotter | None:
    """The report's plotter process, or None when it cannot start (the plots are then drawn in
    this process)."""
    try:
        from mirror.report.plotter import Plotter

        return Plotter()
    except (OSError, RuntimeError):
        return None


def write_report_safely(out: Path, plotter: Plotter | None = None) -> Path | None:
    """The report after an analysis; a report failure is a warning, never a failed analysis."""
    try:
        from mirror.report import write_report

        return write_report(out, plotter=plotter).get("html")
    except MirrorError as exc:
        print(f"warning: no report: {exc}", file=sys.stderr)
        return None
    finally:
        if plotter is not None:
            plotter.close()
