"""One recording from start to finish: open the devices, create the session folder, record,
write the manifest. What `mirror record` and `mirror calibrate` run."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import mirror
from mirror.capture.camera import open_camera
from mirror.capture.clock import SessionClock
from mirror.capture.errors import CaptureError
from mirror.capture.live import LiveAnalyzer, LiveCallback
from mirror.capture.microphone import DeviceMicrophone, FileMicrophone, open_microphone
from mirror.capture.recorder import Recorder, RecorderStats, RecordOptions
from mirror.errors import InputError
from mirror.media import library_versions
from mirror.session import (
    AUDIO,
    SESSION_FORMAT,
    VIDEO,
    RecordingLock,
    copy_script,
    new_session_dir,
    read_manifest,
    release_space,
    repair_session,
    reserve_space,
    sessions_root,
    update_manifest,
    write_manifest,
)


@dataclass(frozen=True)
class RecordingResult:
    session_dir: Path
    status: str  # complete | interrupted
    stats: RecorderStats
    duration_s: float

    def describe(self) -> str:
        """One line: length, frames (dropped), audio, why it stopped, where it is."""
        s = self.stats
        audio = (f", audio {s.audio_samples} samples ({s.audio_overflows} overflows)"
                 if s.audio_blocks else "")
        return (f"recorded {self.duration_s:.1f} s: {s.frames} frames "
                f"({s.dropped_frames} dropped){audio}; stopped: {s.stop_reason}; "
                f"saved in {self.session_dir}")


def versions(microphone: DeviceMicrophone | FileMicrophone | None) -> dict[str, str]:
    found = {
        "mirror": mirror.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        **library_versions(),
        "opencv": cv2.__version__,
    }
    if isinstance(microphone, DeviceMicrophone):
        import sounddevice

        found["sounddevice"] = sounddevice.__version__
        found["portaudio"] = sounddevice.get_portaudio_version()[1]
    return found


def record_session(
    *,
    camera: str | None = None,
    microphone: str | None = None,
    seconds: float | None = None,
    profile: str | None = None,
    script: str | os.PathLike[str] | None = None,
    sessions_dir: str | os.PathLike[str] | None = None,
    kind: str = "rehearsal",
    samplerate: int | None = None,
    options: RecordOptions | None = None,
    live: LiveAnalyzer | None = None,
    on_live: LiveCallback | None = None,
    on_started: Callable[[Path], None] | None = None,
    stop_event: threading.Event | None = None,
) -> RecordingResult:
    """Record until `seconds` pass, the camera (or file) ends, `stop_event` is set or Ctrl-C.

    Devices are opened before the session folder is created, so a device error leaves nothing.
    A write error (full disk) stops the recording, repairs what was written and raises one line.
    """
    options = options or RecordOptions()
    if seconds is not None:
        options = RecordOptions(**{**asdict(options), "seconds": float(seconds)})
    script_path = Path(script).expanduser() if script else None
    if script_path is not None and not script_path.is_file():
        raise InputError(f"no such script file: {script}")
    cam = open_camera(camera)
    try:
        mic = open_microphone(microphone, samplerate=samplerate)
    except BaseException:
        cam.close()
        raise
    clock = SessionClock()
    session_dir = new_session_dir(sessions_root(sessions_dir), profile)
    lock = RecordingLock(session_dir)  # taken before the manifest says "recording"
    try:
        manifest: dict[str, Any] = {
            "format": SESSION_FORMAT,
            "kind": kind,
            "status": "recording",
            "profile": profile,
            "script": copy_script(script_path, session_dir) if script_path else None,
            "started": clock.epoch_wall.isoformat(),
            "stopped": None,
            "stop_reason": None,
            "duration_s": None,
            "clock": {
                "kind": "monotonic",
                "unit": "s",
                "zero": clock.epoch_wall.isoformat(),
                "frames": "capture time (V4L2 buffer timestamp / file timestamp), "
                          "else the time grab() returned the frame",
                "audio": "PortAudio inputBufferAdcTime of each block's first sample",
            },
            "devices": {"camera": cam.info(), "microphone": mic.info() if mic else None},
            "video": {"file": VIDEO, "container": "mp4 (fragmented)", "width": cam.width,
                      "height": cam.height, "fps_nominal": cam.fps,
                      "keyframe_interval_s": options.keyframe_interval_s},
            "audio": {"file": AUDIO, "format": "pcm_s16le", "samplerate": mic.samplerate,
                      "channels": mic.channels, "start_s": None} if mic else None,
            "versions": versions(mic),
            "recorder": {"pid": os.getpid(), "host": socket.gethostname(), "argv": sys.argv},
        }
        recorder: Recorder | None = None
        try:
            reserve_space(session_dir)
            recorder = Recorder(session_dir, cam, mic, clock=clock, options=options,
                                live=live, on_live=on_live)
            manifest["video"]["codec"] = recorder.video.codec
            write_manifest(session_dir, manifest)
            recorder.start()
        except BaseException:  # e.g. the microphone is busy: nothing was recorded yet
            if recorder is not None:
                recorder.stop("could not start")
            else:
                cam.close()
            lock.release()
            shutil.rmtree(session_dir, ignore_errors=True)
            raise
        reason = "stopped"
        try:
            if on_started is not None:
                on_started(session_dir)
            limit = None if seconds is None else recorder.start_s + seconds + 5.0
            while not recorder.wait(0.1):
                if stop_event is not None and stop_event.is_set():
                    reason = "stopped by the user"
                    break
                if limit is not None and clock.now() > limit:
                    reason = "time limit (the camera stalled)"
                    break
        except KeyboardInterrupt:
            reason = "stopped by the user"
        finally:
            stats = recorder.stop(reason)
            release_space(session_dir)  # room to finish the files after a full disk
        duration = max(
            stats.last_frame_s or 0.0,
            (stats.audio_start_s or 0.0) + stats.audio_samples / (mic.samplerate if mic else 1),
        )
        if stats.error is None:
            manifest = read_manifest(session_dir)
            manifest.update(status="complete", stopped=clock.wall(clock.now()),
                            stop_reason=stats.stop_reason, duration_s=round(duration, 3))
            manifest["video"].update(frames=stats.frames, dropped=stats.dropped_frames,
                                     max_frame_gap_s=round(stats.max_frame_gap_s, 4),
                                     max_capture_latency_s=round(stats.max_capture_latency_s, 4))
            if mic is not None:
                manifest["audio"].update(start_s=stats.audio_start_s,
                                         samples=stats.audio_samples, blocks=stats.audio_blocks,
                                         overflows=stats.audio_overflows)
            if recorder.live is not None:
                manifest["live"] = {"processed": stats.live_processed,
                                    "skipped": stats.live_skipped, "error": recorder.live.error}
            write_manifest(session_dir, manifest)
            return RecordingResult(session_dir, "complete", stats, duration)
    finally:
        lock.release()
    # A write error (a full disk): keep what was written, as after a crash.
    try:
        report = repair_session(session_dir)
        update_manifest(session_dir, stop_reason=f"write error: {stats.error}")
    except Exception as exc:
        raise CaptureError(
            f"recording stopped: {stats.error}; what was recorded is in {session_dir}, but "
            f"it could not be repaired ({exc}): free some space, then run "
            f"`mirror repair {session_dir}`"
        ) from exc
    raise CaptureError(
        f"recording stopped: {stats.error}; the {report.duration_s:.1f} s recorded so far are "
        f"kept in {session_dir} (repaired; free some space, then `mirror analyse {session_dir}`)"
    )
