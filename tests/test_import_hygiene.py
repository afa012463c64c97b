"""The core never imports the UI or the hardware: only app/ imports textual, only capture/ opens
devices (sounddevice, cv2.VideoCapture). Checked in a fresh interpreter and in the source."""

import re
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "mirror"
CORE = ["mirror.cli", "mirror.pipeline", "mirror.media", "mirror.face.landmarker",
        "mirror.expressions.emotions", "mirror.events.detect", "mirror.report",
        "mirror.speech.analyse", "mirror.align", "mirror.synth.render", "mirror.session",
        "mirror.commands.analyse", "mirror.commands.report"]


def test_core_modules_do_not_load_textual_or_sounddevice():
    code = ("import sys, importlib\n"
            f"for m in {CORE!r}: importlib.import_module(m)\n"
            "print(sorted(k for k in ('textual', 'sounddevice') if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _files_matching(pattern: str) -> set[str]:
    rx = re.compile(pattern, re.MULTILINE)
    return {str(p.relative_to(PKG)) for p in PKG.rglob("*.py") if rx.search(p.read_text())}


def test_only_app_imports_textual():
    assert all(f.startswith("app/") for f in _files_matching(r"^\s*(import|from) textual"))


def test_only_capture_touches_devices():
    for pattern in (r"^\s*(import|from) sounddevice", r"VideoCapture\("):
        assert all(f.startswith("capture/") for f in _files_matching(pattern)), pattern
