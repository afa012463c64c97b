"""Face model resolution and the explicit, checksummed download (served from loopback here)."""

import http.server
import threading
from pathlib import Path

import pytest

from mirror.errors import ModelMissingError
from mirror.face import model


@pytest.fixture
def served(tmp_path: Path):
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_checks_sha256_and_installs_atomically(served, tmp_path: Path, monkeypatch):
    root, url = served
    real = model.resolve_model_path()
    (root / "good.task").write_bytes(real.read_bytes())
    (root / "bad.task").write_bytes(b"not a model" * 100)
    cache = tmp_path / "cache"
    monkeypatch.setattr(model, "MODEL_URL", f"{url}/bad.task")
    with pytest.raises(ModelMissingError, match="sha256"):
        model.download_model(cache)
    assert not (cache / model.MODEL_NAME).exists()
    monkeypatch.setattr(model, "MODEL_URL", f"{url}/good.task")
    path = model.download_model(cache)
    assert model.sha256_of(path) == model.MODEL_SHA256


def test_unreachable_download_is_one_line(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(model, "MODEL_URL", "http://127.0.0.1:9/face_landmarker.task")
    with pytest.raises(ModelMissingError) as err:
        model.download_model(tmp_path, timeout=2)
    assert "\n" not in str(err.value) and "--model PATH" in str(err.value)


def test_resolution_order(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MIRROR_FACE_MODEL", str(tmp_path / "missing.task"))
    with pytest.raises(ModelMissingError, match="mirror model download"):
        model.resolve_model_path()
    explicit = tmp_path / "mine.task"
    explicit.write_bytes(b"x")
    assert model.resolve_model_path(explicit) == explicit
    monkeypatch.delenv("MIRROR_FACE_MODEL")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(model, "packaged_model", lambda: None)
    with pytest.raises(ModelMissingError, match="not installed"):
        model.resolve_model_path()
