"""Pure units of the shared signal helpers (mirror/signal.py) on synthetic arrays."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirror.signal import (
    DEFAULT_FRAME_PERIOD,
    compute_noise,
    dilate,
    fill_gaps,
    frame_period,
    rolling,
    runs,
)

masks = st.lists(st.booleans(), max_size=60).map(lambda v: np.array(v, dtype=bool))


def test_frame_period_is_the_median_step_and_1_30_without_two_frames():
    t = np.r_[np.arange(10) / 25.0, 0.4 + 0.5]  # one dropped stretch does not move the median
    assert frame_period(t) == pytest.approx(1 / 25)
    assert frame_period(np.zeros(1)) == frame_period(np.zeros(0)) == DEFAULT_FRAME_PERIOD == 1 / 30
    assert isinstance(frame_period(t), float)


@given(masks)
def test_runs_cover_exactly_the_true_frames_in_order(mask):
    found = runs(mask)
    rebuilt = np.zeros_like(mask)
    for a, b in found:
        assert a <= b
        rebuilt[a:b + 1] = True
    assert np.array_equal(rebuilt, mask)
    # runs are separate: each starts after a False frame that follows the previous one
    assert all(b0 + 1 < a1 for (_, b0), (a1, _) in itertools.pairwise(found))


@given(masks, st.integers(0, 4), st.integers(0, 4))
def test_dilate_widens_each_run_by_before_and_after(mask, before, after):
    out = dilate(mask, before=before, after=after)
    expected = np.zeros_like(mask)
    for a, b in runs(mask):
        expected[max(a - before, 0):b + after + 1] = True
    assert np.array_equal(out, expected)
    assert not np.shares_memory(out, mask)


def test_rolling_windows_are_centred_with_repeated_edges():
    x = np.array([0.0, 5.0, 1.0, 1.0, 9.0])
    assert rolling(x, frames=3, fn="max").tolist() == [5, 5, 5, 9, 9]
    assert rolling(x, frames=3, fn="min").tolist() == [0, 0, 1, 1, 1]
    assert rolling(x, frames=3, fn="median").tolist() == [0, 1, 1, 1, 9]
    assert rolling(x, frames=1, fn="std").tolist() == [0] * 5
    with_nan = x.copy()
    with_nan[2] = np.nan
    assert rolling(with_nan, frames=3, fn="median").tolist() == [0, 2.5, 3, 5, 9]


def test_fill_gaps_bridges_short_gaps_only():
    t = np.arange(12) / 10.0
    x = np.arange(12, dtype=float)
    bad = np.zeros(12, bool)
    bad[[2, 3]] = True  # 0.3 s from neighbour to neighbour: bridged
    bad[6:10] = True  # 0.5 s: left out
    y = fill_gaps(t, x, bad, max_gap_s=0.3)
    assert y[2:4] == pytest.approx([2, 3])
    assert np.isnan(y[6:10]).all()
    assert y[~bad].tolist() == x[~bad].tolist()


def test_noise_of_white_noise_is_its_deviation_and_a_step_does_not_count():
    rng = np.random.default_rng(1)
    s = rng.normal(0, 0.05, 5000)
    assert compute_noise(s) == pytest.approx(0.05, rel=0.1)
    s[2500:] += 1.0
    assert compute_noise(s) == pytest.approx(0.05, rel=0.1)
    assert compute_noise(np.array([1.0, np.nan, 2.0])) == 0.0


def test_short_runs_keeps_only_the_brief_ones():
    from mirror.signal import short_runs

    mask = np.array([1, 1, 0, 1, 1, 1, 1, 0, 1], bool)
    assert short_runs(mask, max_frames=2).tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 1]


def test_opening_removes_rises_shorter_than_the_window_and_keeps_longer_ones():
    from mirror.signal import opening

    x = np.zeros(30)
    x[5:7] = 1.0  # 2 samples: shorter than the window
    x[15:22] = 0.5  # 7 samples: longer
    out = opening(x, frames=5)
    assert out[:12].max() == 0.0 and np.array_equal(out[15:22], x[15:22]) and out[23:].max() == 0.0


def test_robust_spread_is_a_normals_deviation_per_axis_ignoring_nans():
    from mirror.signal import robust_spread

    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 2.0, (20000, 2)) * np.array([1.0, 3.0])
    x[::7, 0] = np.nan
    x[5, 1] = 1e9  # one wild frame does not move it
    spread = robust_spread(x, axis=0)
    assert spread.shape == (2,) and abs(spread[0] - 2.0) < 0.05 and abs(spread[1] - 6.0) < 0.15
    assert abs(float(robust_spread(x[:, 1])) - 6.0) < 0.15
