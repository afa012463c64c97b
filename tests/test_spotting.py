"""Pure units of the spotter and classifier on synthetic score tracks."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirror.evaluate import interval_iou, score_events
from mirror.events.classify import compute_plateau_variation, compute_rise_time
from mirror.events.model import Event
from mirror.events.spot import SpotterOptions, detect_intervals
from mirror.expressions.actions import ActionUnitOptions, suppress_speech
from mirror.signal import compute_noise, fill_gaps, rolling

FPS = 30.0


def pulse(n: int, at: int, width: int, height: float) -> np.ndarray:
    s = np.zeros(n)
    ramp = np.sin(np.linspace(0, np.pi, width + 2)[1:-1])
    s[at:at + width] = height * ramp
    return s


def test_four_frame_flash_is_found_with_onset_apex_offset_in_order():
    t = np.arange(300) / FPS
    s = pulse(300, 100, 4, 0.3)
    (iv,) = detect_intervals(t, s, threshold=0.12, options=SpotterOptions())
    assert iv.first <= iv.apex <= iv.last
    assert 100 <= iv.first <= 101 and 102 <= iv.last <= 103
    assert iv.peak == pytest.approx(s.max())


def test_noise_below_threshold_gives_nothing():
    rng = np.random.default_rng(0)
    t = np.arange(600) / FPS
    s = np.abs(rng.normal(0, 0.02, 600))
    assert detect_intervals(t, s, threshold=0.12, options=SpotterOptions()) == []


def test_close_episodes_merge_and_far_ones_do_not():
    t = np.arange(300) / FPS
    s = pulse(300, 50, 10, 0.5) + pulse(300, 64, 10, 0.5) + pulse(300, 200, 10, 0.5)
    ivs = detect_intervals(t, s, threshold=0.12, options=SpotterOptions(merge_gap_s=0.25))
    assert len(ivs) == 2
    assert ivs[0].first <= 51 and ivs[0].last >= 72


def test_noise_estimate_ignores_slow_episodes():
    rng = np.random.default_rng(1)
    s = pulse(900, 300, 60, 0.8) + rng.normal(0, 0.01, 900)
    assert compute_noise(s) == pytest.approx(0.01, rel=0.3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1.5, allow_nan=False), min_size=2, max_size=200),
       st.floats(0.05, 1.0))
def test_intervals_are_ordered_disjoint_and_above_threshold(values, threshold):
    s = np.array(values)
    t = np.arange(s.size) / FPS
    ivs = detect_intervals(t, s, threshold=threshold, options=SpotterOptions(min_duration_s=0))
    for iv in ivs:
        assert 0 <= iv.first <= iv.apex <= iv.last < s.size
        assert iv.peak >= threshold
    for a, b in itertools.pairwise(ivs):
        assert a.last < b.first


def test_rise_time_separates_abrupt_from_gradual():
    t = np.arange(60) / FPS
    abrupt = np.r_[np.zeros(10), np.ones(50)]
    gradual = np.r_[np.linspace(0, 1, 30), np.ones(30)]
    assert compute_rise_time(t, abrupt) < 0.05
    assert compute_rise_time(t, gradual) == pytest.approx(0.8 * 29 / FPS, abs=2.5 / FPS)


def test_plateau_variation_flat_vs_drifting():
    flat, _ = compute_plateau_variation(np.r_[np.linspace(0, 1, 10), np.ones(40)])
    wobbly, _ = compute_plateau_variation(np.r_[np.linspace(0, 1, 10),
                                                0.9 + 0.1 * np.sin(np.arange(40) / 3)])
    assert flat < 0.03 < wobbly


def test_fill_gaps_bridges_short_gaps_only():
    t = np.arange(20) / 10.0
    x = np.arange(20, dtype=float)
    bad = np.zeros(20, bool)
    bad[3:5] = True  # 0.3 s between good neighbours
    bad[10:16] = True  # 0.7 s
    y = fill_gaps(t, x, bad, max_gap_s=0.35)
    assert y[3:5].tolist() == [3.0, 4.0]
    assert np.isnan(y[10:16]).all()


def test_speech_suppression_removes_syllables_keeps_a_held_smile():
    t = np.arange(120) / FPS
    syllables = 0.5 * (np.sin(2 * np.pi * 4.5 * t) > 0.6)  # 4.5 Hz lip shapes
    held = np.r_[np.zeros(30), 0.5 * np.ones(60), np.zeros(30)]
    opts = ActionUnitOptions()
    talking = np.ones(120)
    assert suppress_speech(t, syllables, talking, options=opts).max() == 0.0
    kept = suppress_speech(t, held, talking, options=opts)
    assert kept[45:75].min() == 0.5
    assert rolling(np.arange(5.0), frames=3, fn="max").tolist() == [1, 2, 3, 4, 4]


def ev(a: float, b: float, expr: str = "fear", kind: str = "leak") -> Event:
    return Event(start_s=a, apex_s=(a + b) / 2, end_s=b, expression=expr, kind=kind,
                 micro=b - a <= 0.5, intensity=0.5, side="both")


def test_scoring_matches_by_iou_one_to_one():
    truth = [ev(1.0, 1.5), ev(3.0, 5.0, "happiness", "held")]
    detected = [ev(1.05, 1.5), ev(1.1, 1.45), ev(3.2, 4.8, "contempt", "held"), ev(8, 9)]
    s = score_events(detected, truth)
    assert (s.tp, s.fp, s.fn) == (2, 2, 0)
    assert s.label_accuracy == 0.5 and s.kind_accuracy == 1.0
    assert interval_iou(0, 1, 0.5, 1.5) == pytest.approx(1 / 3)
