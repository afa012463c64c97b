"""What the app records from and where it keeps sessions: from the environment or the caller."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mirror.session import sessions_root


@dataclass(frozen=True)
class AppOptions:
    """Settings of one run of the app.

    camera: a device index or path, a stream URL, or a video file (played at its own rate);
        None: the first camera found.
    microphone: a device name or index, an audio file (streamed in real time) or "none";
        None: the system's default input.
    """

    camera: str | None = None
    microphone: str | None = None
    sessions_dir: Path = Path("sessions")
    profile: str | None = None
    script: Path | None = None
    workers: int = 0  # face model processes for the analysis (0: all cores)
    live: bool = True  # live expression meters while recording (runs the face model)
    countdown_s: int = 3  # before a calibration starts
    calibration_s: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppOptions:
        """MIRROR_CAMERA, MIRROR_MICROPHONE, MIRROR_SESSIONS, MIRROR_PROFILE, MIRROR_SCRIPT."""
        env = os.environ if environ is None else environ
        script = env.get("MIRROR_SCRIPT")
        return cls(
            camera=env.get("MIRROR_CAMERA") or None,
            microphone=env.get("MIRROR_MICROPHONE") or None,
            sessions_dir=sessions_root(env.get("MIRROR_SESSIONS") or None),
            profile=env.get("MIRROR_PROFILE") or None,
            script=Path(script).expanduser() if script else None,
        )
