"""The analysis pipeline: decode -> face -> action units -> emotions -> episodes -> events.json.

`analyse_video` runs the model (or reuses saved tracks) and writes the analysis folder:
`tracks.npz` (per-frame face tracks), `expressions.npz` (per-emotion scores), `events.json`.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mirror import __version__
from mirror.align import ContextOptions, EventSpeech, align_events, with_section_shares
from mirror.analysis import (
    Analysis,
    AnalysisOptions,
    Curves,
    JudgedCue,
    JudgedEpisode,
    compute_summary,
)
from mirror.cues.detect import detect_cues
from mirror.cues.model import CUE_INFO, Cue
from mirror.errors import InputError
from mirror.events.detect import (
    compute_thresholds,
    detect_events,
    noise_levels,
    spotter_options,
)
from mirror.events.model import Event
from mirror.expressions.actions import ActionUnitOptions, ActionUnits, compute_action_units
from mirror.expressions.emotions import EmotionScores, compute_emotion_scores
from mirror.expressions.neutral import Neutral, estimate_neutral, neutral_from_json, not_relaxed
from mirror.face.landmarker import LandmarkerOptions, extract_tracks
from mirror.face.model import resolve_model_path
from mirror.face.workers import FaceWorkers
from mirror.fileio import atomic_open, write_json_atomic
from mirror.judgement import after_trigger, is_reading, judge_cue, judge_episode
from mirror.media import probe_for_analysis
from mirror.profiles import Profile, load_profile
from mirror.speech.analyse import HeardSpeech
from mirror.speech.model import SpeechAnalysis
from mirror.timeline import audio_start, recorder_frame_times
from mirror.tracks import FaceTracks, load_tracks, save_tracks

ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class Expressions:
    """Everything computed from the tracks for one profile."""

    neutral: Neutral
    au: ActionUnits
    scores: EmotionScores
    events: list[Event]
    warnings: list[str] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)


def compute_expressions(tracks: FaceTracks, profile: Profile,
                        calibration: Neutral | None = None) -> Expressions:
    """Pure analysis of face tracks: neutral, AUs, emotion scores, episodes, and warnings."""
    warnings = track_warnings(tracks)
    neutral = estimate_neutral(tracks)
    if calibration is not None and neutral is not None:
        if calibration_fits(calibration, neutral):
            neutral = replace(calibration, frame_index=closest_frame(tracks, calibration))
        else:
            warnings.append("your neutral-face calibration does not fit this recording (another "
                            "camera, distance or person?): the recording's own neutral was used")
    if neutral is None:
        raise InputError(f"{tracks.meta.get('source', 'video')}: no face found in any frame; "
                         "record facing the camera with your face well lit")
    if neutral.source == "estimated" and (shown := not_relaxed(neutral)):
        warnings.append(f"no relaxed moment to learn your neutral face from (you were {shown} "
                        "throughout): expressions were measured against that face, so some may be "
                        "missed or misnamed; start with a few calm seconds, or calibrate once "
                        "(mirror calibrate)")
    au = compute_action_units(tracks, neutral)
    scores = compute_emotion_scores(au)
    lightly_gated = compute_emotion_scores(
        compute_action_units(tracks, neutral, ActionUnitOptions(noise_k=0.5, flow_noise_k=0.5)))
    thresholds = compute_thresholds(scores, spotter_options(profile.spot))
    events = detect_events(scores, au, profile.spot, bounds=lightly_gated, thresholds=thresholds)
    cues = detect_cues(tracks, au, scores, thresholds, events)
    return Expressions(neutral, au, scores, events, warnings, cues)


def calibration_fits(calibration: Neutral, estimated: Neutral, *, max_z: float = 8.0) -> bool:
    """Whether a stored calibration is plausible for this recording: its pose-free geometry lies
    within `max_z` robust spreads (median over measures) of the recording's own calm face."""
    spread = np.maximum(calibration.geometry_spread, estimated.geometry_spread)
    z = np.abs(calibration.geometry - estimated.geometry) / np.maximum(spread, 1e-4)
    return bool(np.nanmedian(z[:-1]) <= max_z)  # the last measure is the face size in pixels


def closest_frame(tracks: FaceTracks, neutral: Neutral) -> int:
    """The frame whose blendshapes and geometry are nearest the neutral (a reference picture)."""
    dev = np.nanmean(np.abs(tracks.blendshapes - neutral.blendshapes) / neutral.blendshape_spread,
                     axis=1) + np.nanmean(np.abs(tracks.geometry - neutral.geometry)
                                          / neutral.geometry_spread, axis=1)
    dev = np.where(tracks.found, np.nan_to_num(dev, nan=np.inf), np.inf)
    return int(np.argmin(dev))


def track_warnings(tracks: FaceTracks) -> list[str]:
    out = []
    if tracks.n and not tracks.found.all():
        lost = 1.0 - float(tracks.found.mean())
        if tracks.found.any():
            out.append(f"no face in {lost:.0%} of frames: those moments were not analysed")
    several = tracks.n_faces > 1
    if several.any():
        first = float(tracks.t[np.flatnonzero(several)[0]])
        out.append(f"more than one face seen (first at {first:.1f} s): "
                   "the most prominent face was analysed")
    if tracks.flow is None and tracks.n > 1:
        out.append("these face tracks were saved by an older mirror: brief nose wrinkles were "
                   "looked for in the landmarks only; analyse again without --reuse to read "
                   "them in the pixels too")
    return out


CALIBRATION_SCHEMA = "mirror.calibration/1"


def default_calibration_path() -> Path:
    """The user's neutral-face baseline: MIRROR_CALIBRATION, else profiles/calibration-<user>.json.

    MIRROR_CALIBRATION=none makes analyses ignore a stored baseline (tests, benchmarks)."""
    env = os.environ.get("MIRROR_CALIBRATION")
    if env and env != "none":  # "none": analyses ignore any stored calibration
        return Path(env)
    from mirror.profiles import profiles_dir

    user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser() or "user")
    return profiles_dir() / f"calibration-{user}.json"


def store_calibration(session_dir: str | Path, *, profile: str | None = None,
                      model: str | None = None, path: str | Path | None = None) -> Path:
    """Measure the neutral face of a calibration recording and store it as the user's baseline."""
    from mirror.calibration import require_calm_face
    from mirror.session import load_session

    session = load_session(session_dir)
    opts = LandmarkerOptions(model_path=str(resolve_model_path(model)), workers=1)
    tracks = extract_tracks(session.video, opts)
    require_calm_face(tracks)  # the one quality gate (app and CLI): raises, stores nothing
    neutral = estimate_neutral(tracks, calm_fraction=0.6)
    assert neutral is not None
    target = Path(path) if path else default_calibration_path()
    write_json_atomic(target, {"schema": CALIBRATION_SCHEMA, "source": str(session.video),
                               "frames": tracks.n, "neutral": neutral.to_json()})
    return target


def load_calibration(path: str | Path | None) -> Neutral | None:
    """An explicit calibration file, else the user's default baseline when there is one."""
    if not path:
        default = default_calibration_path()
        if os.environ.get("MIRROR_CALIBRATION", "") == "none" or not default.is_file():
            return None
        path = default
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return neutral_from_json(data["neutral"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"calibration {path} cannot be used ({type(exc).__name__}); "
                         "run `mirror calibrate` again") from None


def save_expressions(path: Path, ex: Expressions) -> None:
    with atomic_open(path, "wb") as fh:
        np.savez_compressed(fh, t=ex.scores.t, scores=ex.scores.scores.astype(np.float32),
                            names=np.array(ex.scores.names), au=ex.au.levels.astype(np.float32),
                            au_names=np.array(ex.au.names))


def retime_tracks(tracks: FaceTracks, frame_times: np.ndarray | None) -> FaceTracks:
    """Put the tracks on the recorder's clock: its per-frame times replace the container's.

    Used when the counts agree within a few frames (the container may hold a frame or two
    fewer than the log after a crash); otherwise the decoded timestamps are kept.
    """
    t = recorder_frame_times(tracks.n, frame_times)
    if t is None:
        return tracks
    return replace(tracks, t=t, meta=dict(tracks.meta, clock="session"))


@dataclass(frozen=True)
class SpeechInput:
    """Where the speech comes from: an audio file (or the video's own track), a script, and
    the session-clock time of the first audio sample when a recorder knows it."""

    audio: Path | None = None
    script: Path | None = None
    av_offset_s: float | None = None  # override the estimate (positive: audio lags video)
    audio_start_s: float | None = None
    use_video_audio: bool = True


@dataclass(frozen=True)
class HeardAudio:
    """The audio-only part of the speech stage (runs beside the face stage): what was heard on
    the audio's clock, or why nothing was; `start_s` the audio's first sample in its container."""

    heard: HeardSpeech | SpeechAnalysis | None
    note: str = ""
    start_s: float = 0.0


def hear_audio(video: str | Path, profile: Profile, speech: SpeechInput) -> HeardAudio:
    """Decode the audio (a separate file, else the video's own track) and hear it.

    A missing or unusable audio track is not an error (the note says why), except an audio file
    the user named."""
    from mirror.media.audio import load_audio
    from mirror.speech import SpeechOptions, load_script
    from mirror.speech.analyse import hear_speech

    script = load_script(speech.script) if speech.script else None
    source = speech.audio or (video if speech.use_video_audio else None)
    if source is None:
        return HeardAudio(None, "no audio: speech alignment was not possible")
    try:
        track = load_audio(source)
    except InputError as exc:
        if speech.audio is not None:
            raise
        return HeardAudio(None, f"speech alignment was not possible: {exc}")
    options = SpeechOptions(triggers=profile.triggers, av_offset_s=speech.av_offset_s)
    return HeardAudio(hear_speech(track.samples, track.sr, script=script, options=options),
                      start_s=track.start_s)


def place_audio(heard: HeardAudio, tracks: FaceTracks, ex: Expressions, profile: Profile,
                speech: SpeechInput
                ) -> tuple[SpeechAnalysis, tuple[EventSpeech, ...], tuple[EventSpeech, ...]]:
    """The rest of the speech stage, once the face is known: A/V offset from the mouth track,
    words on the session clock (with `figures.section_shares`), and the speech context of every
    episode and cue, in their order."""
    from mirror.speech import SpeechOptions
    from mirror.speech.analyse import place_speech
    from mirror.speech.avsync import mouth_track

    context = ContextOptions(triggers=profile.triggers, trigger_window_s=profile.trigger_window_s)
    options = SpeechOptions(triggers=profile.triggers, av_offset_s=speech.av_offset_s)
    if heard.heard is None:
        result: SpeechAnalysis | None = None
        placed = SpeechAnalysis.empty(note=heard.note, options=options)
    else:
        start = audio_start(recorder_s=speech.audio_start_s,
                            separate_file=speech.audio is not None,
                            audio_container_s=heard.start_s,
                            video_container_s=float(tracks.meta.get("start_s", 0.0)))
        result = heard.heard if isinstance(heard.heard, SpeechAnalysis) else place_speech(
            heard.heard, mouth=mouth_track(tracks), options=options, audio_start_s=start)
        placed = with_section_shares(result, ex.events)
    return (placed, align_events(ex.events, result, options=context),
            align_events(ex.cues, result, options=context))


def analyse_speech_for(video: str | Path, tracks: FaceTracks, ex: Expressions, profile: Profile,
                       speech: SpeechInput
                       ) -> tuple[SpeechAnalysis, tuple[EventSpeech, ...], tuple[EventSpeech, ...]]:
    """The whole speech stage for one analysis, in this thread (`hear_audio` + `place_audio`)."""
    return place_audio(hear_audio(video, profile, speech), tracks, ex, profile, speech)


def judge_cues(cues: Sequence[Cue], contexts: Sequence[EventSpeech], profile: Profile
               ) -> tuple[JudgedCue, ...]:
    """Each cue with its speech context resolved (reading notes, the trigger it followed) and
    judged by the profile."""
    out = []
    for cue, ctx in zip(cues, contexts, strict=True):
        cue = replace(cue, reading=is_reading(cue, ctx.speaking))
        after = after_trigger(ctx.triggers)
        label, meaning = CUE_INFO[cue.cue]
        out.append(JudgedCue(cue, ctx, after, judge_cue(cue, profile, after=after), cue.duration_s,
                             label, meaning))
    return tuple(out)


def build_analysis(tracks: FaceTracks, ex: Expressions, profile: Profile, source: str,
                   speech: SpeechAnalysis, event_speech: Sequence[EventSpeech],
                   cue_speech: Sequence[EventSpeech]) -> Analysis:
    """The typed result of one analysis: every episode and cue with its speech context and the
    profile's judgement (pure)."""
    duration = float(tracks.meta.get("duration_s") or (tracks.t[-1] if tracks.n else 0.0))
    neutral_s = float(tracks.t[ex.neutral.frame_index]) if ex.neutral.frame_index >= 0 else None
    episodes = tuple(JudgedEpisode(ev, ctx, judge_episode(ev, ctx.trigger_words, profile),
                                   ev.duration_s)
                     for ev, ctx in zip(ex.events, event_speech, strict=True))
    cues = judge_cues(ex.cues, cue_speech, profile)
    return Analysis(
        source=source, profile=profile.name, duration_s=duration, fps=tracks.fps,
        frames=tracks.n, face_found_ratio=float(tracks.found.mean()) if tracks.n else 0.0,
        neutral_source=ex.neutral.source, neutral_s=neutral_s,
        options=AnalysisOptions(thresholds=asdict(profile.spot), noise=noise_levels(ex.scores)),
        summary=compute_summary(ex.events, cues, duration),
        warnings=(*ex.warnings, *([speech.note] if speech.note else [])),
        episodes=episodes, cues=cues, speech=speech, mirror_version=__version__,
        tracks=tracks, scores=Curves(ex.scores.t, ex.scores.names, ex.scores.scores),
        action_units=Curves(ex.au.t, ex.au.names, ex.au.levels))


class _Beside:
    """`fn()` in a daemon thread (an abandoned one never holds the process at exit);
    `result()` waits for it and re-raises what it raised."""

    def __init__(self, fn: Callable[[], Any], name: str = "mirror-speech") -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = fn()
            except BaseException as exc:
                self._error = exc

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def analyse_video(
    video: str | Path,
    out_dir: str | Path,
    *,
    profile: str | Profile | None = None,
    model: str | None = None,
    reuse: bool = False,
    workers: int = 0,
    calibration: str | Path | None = None,
    frame_times: np.ndarray | None = None,
    speech: SpeechInput | None = None,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    face_started: Callable[[], None] | None = None,
    face_workers: FaceWorkers | None = None,
) -> Analysis:
    """Analyse one video into `out_dir` (tracks.npz, expressions.npz, events.json); returns the
    analysis.

    `frame_times` (n,) are the recorder's own per-frame times (a session), used instead of the
    container's timestamps. `speech` says where the words come from (default: the video's own
    audio track, no script). `face_started()` is called once the face model's workers run (not
    when the tracks are reused). `face_workers`: face-model processes started earlier with the
    options this analysis uses (`mirror.face.workers`; `mirror analyse` starts them before it
    loads this module), used by the face stage, which closes them.
    """
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    speech = speech or SpeechInput()
    hearing = _Beside(lambda: hear_audio(video, prof, speech))  # needs only the audio
    out = Path(out_dir)
    tracks_path = out / "tracks.npz"
    tracks = load_tracks(tracks_path) if reuse and tracks_path.is_file() else None
    saving: _Beside | None = None
    if tracks is not None and face_workers is not None:
        face_workers.close()
    if tracks is None:
        info = probe_for_analysis(video)  # a still image or a few frames: one clear line
        opts = LandmarkerOptions(model_path=str(resolve_model_path(model)), workers=workers)

        def face_progress(x: float) -> None:
            if progress:
                progress("face", x)

        tracks = retime_tracks(extract_tracks(video, opts, info=info, progress=face_progress,
                                              cancelled=cancelled, started=face_started,
                                              pool=face_workers),
                               frame_times)
        if not tracks.found.any():
            raise InputError(f"{video}: no face found in any frame; "
                             "record facing the camera with your face well lit")
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        face = tracks  # compressed (zlib, without the GIL) beside the expressions stage
        saving = _Beside(lambda: save_tracks(tracks_path, face), name="mirror-save-tracks")
    if progress:
        progress("expressions", 0.0)
    try:
        ex = compute_expressions(tracks, prof, load_calibration(calibration))
        save_expressions(out / "expressions.npz", ex)
    finally:
        if saving is not None:
            saving.result()
    placed = place_audio(hearing.result(), tracks, ex, prof, speech)
    analysis = replace(build_analysis(tracks, ex, prof, str(video), *placed), directory=out)
    analysis.save(out)
    if progress:
        progress("speech", 1.0)
    return analysis


def analyse_session(session_dir: str | Path, *, profile: str | None = None, **kwargs: Any
                    ) -> Analysis:
    """Analyse a recorded session folder into its `analysis/` folder, on the session's clock."""
    from mirror.session import load_session

    session = load_session(session_dir)
    speech = kwargs.pop("speech", None) or SpeechInput(
        audio=session.audio, script=session.script, audio_start_s=session.audio_start_s,
        use_video_audio=bool(session.manifest.get("imported")) and session.audio is None)
    return analyse_video(session.video, session.analysis_dir,
                         profile=profile or session.profile, frame_times=session.frame_times,
                         speech=speech, **kwargs)
