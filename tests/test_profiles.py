from pathlib import Path

import pytest

from mirror.errors import InputError
from mirror.profiles import available_profiles, load_profile


def test_shipped_profiles_load():
    names = available_profiles()
    assert {"sales-pitch", "negotiation-poker-face", "training-review"} <= set(names)
    for name in names:
        p = load_profile(name)
        assert p.spot.micro_max_s <= p.spot.leak_max_s
        assert p.coaching["emotions"]
    assert load_profile("negotiation-poker-face").problem_leaks == (
        "happiness", "surprise", "fear", "anger", "disgust", "sadness", "contempt")


@pytest.mark.parametrize("text, key", [
    ("thresholds: {leak_max_s: fast}", "thresholds.leak_max_s"),
    ("thresholds: {leak_max: 1.0}", "thresholds.leak_max"),
    ("thresholds: {posed: {asymmetry: 7}}", "thresholds.posed.asymmetry"),
    ("problems: {leaks: [boredom]}", "problems.leaks"),
    ("colour: blue", "colour"),
    ("triggers: price", "triggers"),
    ("thresholds: {micro_max_s: 0.9, leak_max_s: 0.5}", "thresholds.micro_max_s"),
])
def test_bad_profiles_name_file_and_key(tmp_path: Path, text: str, key: str):
    f = tmp_path / "mine.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as err:
        load_profile(f)
    msg = str(err.value)
    assert str(f) in msg and f"'{key}'" in msg
    assert "\n" not in msg


def test_yaml_tags_are_not_executed(tmp_path: Path):
    f = tmp_path / "evil.yaml"
    f.write_text("name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_profile(f)


def test_binary_profile(tmp_path: Path):
    f = tmp_path / "bin.yaml"
    f.write_bytes(bytes(range(256)))
    with pytest.raises(InputError, match="not valid YAML"):
        load_profile(f)
