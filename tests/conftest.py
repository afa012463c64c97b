import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real"
os.environ.setdefault("GLOG_minloglevel", "2")
# Tests never pick up a developer's own neutral-face calibration (tests that need one set it).
os.environ["MIRROR_CALIBRATION"] = "none"


def real_file(rel: str) -> Path:
    path = REAL / rel
    if not path.exists():
        pytest.skip(f"real recordings not available ({path} is absent)")
    return path


@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


_RENDERER: ProcessPoolExecutor | None = None


def in_background(fn: Callable[..., Any], *args: Any) -> Future:
    """fn(*args) in the tests' background process (one, jobs one after another): a test
    analyses a clip (the face model on one core) while the next clip is made on the other."""
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"))
    return _RENDERER.submit(fn, *args)


def render_beside(jobs: Sequence[tuple[Any, Path]]) -> list[Future]:
    """Generated clips (spec, path) rendered one after another in the background process, each
    future giving the clip's truth. The files are the same bytes as `render_clip` in this
    process makes (x264's thread count is fixed)."""
    from mirror.synth.render import render_clip

    return [in_background(render_clip, spec, path) for spec, path in jobs]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _RENDERER is not None:
        _RENDERER.shutdown(wait=True, cancel_futures=True)
