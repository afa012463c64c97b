import os
from pathlib import Path

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
