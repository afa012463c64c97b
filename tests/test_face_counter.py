"""The face counter (n_faces in tracks.npz, behind the "more than one face" warning), with the
real models: on the generated face, two of it side by side, an empty frame and a generated clip."""

from pathlib import Path

import numpy as np
import pytest

from mirror.face.landmarker import (
    FaceCounter,
    LandmarkerOptions,
    _to_image,
    create_landmarker,
    detector_model,
    extract_tracks,
)
from mirror.face.model import resolve_model_path


@pytest.fixture(scope="module")
def options() -> LandmarkerOptions:
    return LandmarkerOptions(model_path=str(resolve_model_path()), workers=1)


@pytest.fixture(scope="module")
def frames() -> dict[str, np.ndarray]:
    from mirror.synth.render import rig_for

    face = rig_for().base.image
    return {"one": face, "two": np.ascontiguousarray(np.hstack([face, face[:, ::-1]])),
            "none": np.full_like(face, 128)}


def test_the_counter_counts_with_the_bundles_detector(options: LandmarkerOptions,
                                                      frames: dict[str, np.ndarray]) -> None:
    counter = FaceCounter(options)
    try:
        assert counter.detector is not None
        got = {k: counter.count(_to_image(v)) for k, v in frames.items()}
    finally:
        counter.close()
    assert got == {"one": 1, "two": 2, "none": 0}


def test_the_counter_agrees_with_the_landmarker_alone(options: LandmarkerOptions,
                                                      frames: dict[str, np.ndarray]) -> None:
    """The landmarker in IMAGE mode with three faces was the counter before (issue 13)."""
    counter = FaceCounter(options)
    landmarker = create_landmarker(options, video=False, num_faces=3)
    try:
        for name, rgb in frames.items():
            image = _to_image(rgb)
            assert counter.count(image) == len(landmarker.detect(image).face_landmarks), name
    finally:
        counter.close()
        landmarker.close()


def test_a_file_that_is_not_a_bundle_has_no_detector(tmp_path: Path) -> None:
    plain = tmp_path / "model.tflite"
    plain.write_bytes(b"not a zip")
    assert detector_model(str(plain)) is None
    assert detector_model(str(tmp_path / "missing.task")) is None


def test_a_generated_clip_counts_one_face_each_second(options: LandmarkerOptions,
                                                      clip_cache: Path) -> None:
    from mirror.synth.render import render_clip
    from mirror.synth.spec import distractor_only_spec

    clip = clip_cache / "counted.mp4"
    render_clip(distractor_only_spec(31, duration_s=3.0), clip)
    tracks = extract_tracks(clip, options)
    assert tracks.found.all()
    assert set(tracks.n_faces.tolist()) == {1}
