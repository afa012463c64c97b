"""Reproducible installs and encodes: what keeps `./dev test` giving the same numbers on every
machine of this kind (issue 14)."""

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt pins exact versions only: {line!r}"
            pins[_norm(name)] = version
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    pins = _pins()
    wanted = [Requirement(r) for r in metadata.requires("mirror-rehearsal") or []]
    for req in wanted:
        name = _norm(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt (./dev lock)"
        assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])
        # the environment the tests run in is the locked one (else update it with ./dev lock)
        assert metadata.version(req.name) == pins[name], (req.name, metadata.version(req.name))


def test_dev_installs_everything_through_the_constraints():
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    installs = [ln for ln in dev.splitlines() if "pip install" in ln and not ln.lstrip().startswith("#")]
    assert installs and all("-c constraints.txt" in ln for ln in installs), installs
    # the install stamp holds the constraints it was made with: a changed file re-installs
    assert 'cmp -s constraints.txt "$stamp"' in dev and 'cp constraints.txt "$stamp"' in dev


def test_encoders_use_a_fixed_thread_count(tmp_path: Path):
    """x264's output depends on its thread count (by default the CPU count): a fixed count makes
    a generated clip decode to the same pixels on every machine."""
    import av
    import numpy as np

    from mirror.capture.writers import VideoWriter
    from mirror.media import ENCODER_THREADS
    from mirror.media.encode import encode_video

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in range(6)]
    encode_video(frames, tmp_path / "a.mp4", fps=30, size=(640, 480), crf=23)
    w = VideoWriter(tmp_path / "b.mp4", width=640, height=480, fps=30)
    for i, f in enumerate(frames):
        w.write(f, i / 30)
    w.close()
    for name in ("a.mp4", "b.mp4"):
        with av.open(str(tmp_path / name)) as c:
            assert c.streams.video[0].codec_context.name == "h264"
        # x264 writes the settings it encoded with into the stream (an SEI message)
        m = re.search(rb" threads=(\d+)", (tmp_path / name).read_bytes())
        assert m is not None and m.group(1).decode() == ENCODER_THREADS, name
