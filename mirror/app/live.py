"""Helpers for recording from the app: the live analyzer and the script file to copy."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from mirror.app.script_text import SAMPLE_SCRIPT
from mirror.errors import MirrorError

CUE_LEVEL = 0.4  # a live level this high on a problem emotion shows the biofeedback cue


def make_live_analyzer(enabled: bool = True) -> tuple[Any | None, str]:
    """The live face analyzer, or None with the reason (no model, live meters off)."""
    if not enabled:
        return None, "live meters are off"
    try:
        from mirror.face.landmarker import LandmarkerOptions
        from mirror.face.live import LiveFaceAnalyzer
        from mirror.face.model import resolve_model_path

        return LiveFaceAnalyzer(LandmarkerOptions(model_path=str(resolve_model_path()))), ""
    except MirrorError as exc:
        return None, f"no live meters: {exc}"


def script_for_recording(script: Path | None, workdir: Path) -> Path:
    """The script the session keeps: the user's, or the sample pitch written to `workdir`."""
    if script is not None:
        return script
    path = workdir / "sample-pitch.md"
    path.write_text(SAMPLE_SCRIPT, encoding="utf-8")
    return path


def temp_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="mirror-app-")


def close_analyzer(analyzer: Any | None) -> None:
    close = getattr(analyzer, "close", None)
    if callable(close):
        close()
