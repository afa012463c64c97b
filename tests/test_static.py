"""The house rules a reviewer would check by hand: ruff over the repository, mypy over the whole
package (`[tool.mypy]` in pyproject.toml). Both come with the dev extras that `./dev test`
installs, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.is_file():
        pytest.skip(f"{tool} is not installed beside {sys.executable} (./dev setup '[dev]')")
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


def test_ruff_finds_nothing():
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_type_checks_the_whole_package(tmp_path: Path):
    done = _run("mypy", "--cache-dir", str(tmp_path / "mypy"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues found" in done.stdout
