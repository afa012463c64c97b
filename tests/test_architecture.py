"""The import rules that keep the pipeline drawn as docs/architecture.md draws it, read from the
source (every import, also those inside functions):

- the core (everything but app/ and the `mirror` entry point) never imports the app or textual;
- the pure stages never import capture, the commands or the pipeline that composes them;
- the app never imports the commands (what both need lives in the core).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "mirror"
PURE = ("mirror.expressions", "mirror.events", "mirror.cues", "mirror.speech", "mirror.align",
        "mirror.judgement", "mirror.face.features", "mirror.face.gaze", "mirror.tracks",
        "mirror.signal",
        "mirror.timeline")


def _imports() -> dict[str, set[str]]:
    """module -> every module it imports (mirror uses absolute imports throughout)."""
    out: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{module}: relative import"
                names.add(str(node.module))
        out[module] = names
    return out


IMPORTS = _imports()


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _violations(importers: tuple[str, ...], forbidden: tuple[str, ...],
                exempt: tuple[str, ...] = ()) -> list[str]:
    return sorted(f"{m} imports {n}" for m, names in IMPORTS.items()
                  if _under(m, *importers) and not _under(m, *exempt)
                  for n in names if _under(n, *forbidden))


def test_the_rules_see_the_whole_package() -> None:
    assert len(IMPORTS) > 80 and "mirror.pipeline" in IMPORTS["mirror.commands.analyse"]


def test_core_never_imports_the_app_or_textual() -> None:
    assert _violations(("mirror",), ("mirror.app", "textual"),
                       exempt=("mirror.app", "mirror.cli")) == []


def test_pure_stages_never_import_capture_commands_or_pipeline() -> None:
    assert _violations(PURE, ("mirror.capture", "mirror.commands", "mirror.pipeline",
                              "mirror.cli", "mirror.app", "mirror.report")) == []


def test_the_app_never_imports_the_commands() -> None:
    assert _violations(("mirror.app",), ("mirror.commands", "mirror.cli")) == []


def test_the_signal_helpers_depend_on_nothing_in_mirror() -> None:
    assert {n for n in IMPORTS["mirror.signal"] if _under(n, "mirror")} == set()


def test_the_face_workers_do_not_load_what_they_do_not_use() -> None:
    """A face worker process imports mirror.face.landmarker: no scipy, plots, speech or UI."""
    code = ("import sys, mirror.face.landmarker\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'scipy', 'matplotlib', 'textual', 'pocketsphinx', 'webrtcvad'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_the_media_layer_and_the_recorders_writers_use_pyav() -> None:
    assert _violations(("mirror",), ("av",),
                       exempt=("mirror.media", "mirror.capture.writers")) == []
