"""Pure units of the one clock (mirror/timeline.py): recorder, video, audio and A/V offset."""

import numpy as np
import pytest

from mirror.timeline import Timeline, audio_start, recorder_frame_times
from mirror.tracks import FaceTracks


def test_recorder_times_replace_the_containers_only_when_the_counts_agree():
    logged = np.arange(100) / 30.0 + 2.0
    assert np.array_equal(recorder_frame_times(100, logged), logged)
    assert np.array_equal(recorder_frame_times(98, logged), logged[:98])  # a crash: 2 fewer
    assert recorder_frame_times(96, logged) is None  # too many missing: keep the container's
    assert recorder_frame_times(101, logged) is None  # more decoded than logged
    assert recorder_frame_times(0, logged) is None
    assert recorder_frame_times(10, None) is None
    assert recorder_frame_times(10, np.zeros(0)) is None


def test_audio_start_from_the_recorder_a_separate_file_or_the_containers():
    assert audio_start(recorder_s=1.25, separate_file=False, audio_container_s=9.0,
                       video_container_s=3.0) == 1.25
    assert audio_start(recorder_s=None, separate_file=True, audio_container_s=9.0,
                       video_container_s=3.0) == 0.0
    assert audio_start(recorder_s=None, separate_file=False, audio_container_s=0.5,
                       video_container_s=0.2) == pytest.approx(0.3)


def test_audio_and_session_times_round_trip_through_the_offset():
    clock = Timeline(audio_start_s=0.4).with_av_offset(0.1)  # the sound lags by 0.1 s
    t_audio = np.array([0.0, 1.0, 2.5])
    session = t_audio + clock.audio_shift_s()
    assert session == pytest.approx([0.3, 1.3, 2.8])
    assert Timeline(audio_start_s=0.4).audio_time(session) + 0.1 == pytest.approx(t_audio)


def _tracks(t: np.ndarray, clock: str | None) -> FaceTracks:
    n = t.size
    meta = {"clock": clock} if clock else {}
    return FaceTracks(t=t, found=np.ones(n, bool), n_faces=np.ones(n, int),
                      blendshapes=np.zeros((n, 52)), pose=np.zeros((n, 6)), bbox=np.zeros((n, 4)),
                      landmarks=np.zeros((n, 0, 3)), landmark_ids=np.zeros(0, int),
                      geometry=np.zeros((n, 0)), geometry_names=(), meta=meta)


def test_video_time_counts_from_the_first_frame_on_either_clock():
    session = Timeline.of_tracks(_tracks(np.array([2.0, 2.04, 2.07]), "session"))
    assert session.video_time(2.07) == pytest.approx(0.07)
    plain = Timeline.of_tracks(_tracks(np.array([0.0, 0.033]), None))
    assert plain.video_time(0.033) == 0.033
    assert Timeline.of_tracks(None) == Timeline()
