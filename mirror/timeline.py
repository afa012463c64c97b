"""The one clock of an analysis: how the times of a recording's video, its audio and its recorder
map onto the session timeline (pure).

Every time mirror shows is float seconds on the session timeline:

- a plain video: its first frame is at 0 and every frame at its presentation time minus the first
  frame's (`mirror.media.iter_frames`);
- a recorded session: frame i is at the recorder's own time for it (frames.csv, from the session
  clock of `mirror.capture.clock`), which replaces the container's when the counts agree;
- audio: sample 0 is at `audio_start_s`, and the A/V offset (positive: the sound lags the
  picture) moves every audio time back by `av_offset_s`, as faster-whisper's
  `SpeechTimestampsMap` maps trimmed audio back to the original:
  session = audio + audio_start_s - av_offset_s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.tracks import FaceTracks

MAX_FRAME_SURPLUS = 3  # the container may hold a few frames fewer than the recorder logged


@dataclass(frozen=True)
class Timeline:
    """Where one recording's clocks sit on the session timeline (seconds)."""

    first_frame_s: float = 0.0  # session time of the video's first frame (0 but for a recorder's)
    audio_start_s: float = 0.0  # session time of the first audio sample, before the A/V offset
    av_offset_s: float = 0.0  # positive: the sound lags the picture

    @classmethod
    def of_tracks(cls, tracks: FaceTracks | None) -> Timeline:
        """The video's place on the timeline of its tracks: a recorder's frame times (the tracks'
        `clock` is "session") put the first frame at its logged time, a plain video at 0."""
        if tracks is not None and tracks.n and tracks.meta.get("clock") == "session":
            return cls(first_frame_s=float(tracks.t[0]))
        return cls()

    def video_time(self, t: float) -> float:
        """A session time as seconds from the video's first frame (`mirror.media`'s times)."""
        return t - self.first_frame_s

    def audio_shift_s(self) -> float:
        """What is added to a time on the audio's clock (sample 0 at 0 s) to put it on the
        session timeline."""
        return self.audio_start_s - self.av_offset_s

    def audio_time(self, t: np.ndarray) -> np.ndarray:
        """Session times (n,) on the audio's clock, before any A/V offset is applied."""
        return np.asarray(t) - self.audio_start_s

    def with_av_offset(self, offset_s: float) -> Timeline:
        return replace(self, av_offset_s=offset_s)


def recorder_frame_times(n_frames: int, frame_times: np.ndarray | None) -> np.ndarray | None:
    """The recorder's times (n_frames,) of the decoded frames, or None when they cannot be
    trusted: none logged, no frame decoded, fewer logged than decoded, or more than
    MAX_FRAME_SURPLUS more (then the container's own times are kept)."""
    if frame_times is None or frame_times.size == 0 or n_frames == 0:
        return None
    if abs(frame_times.size - n_frames) > MAX_FRAME_SURPLUS or frame_times.size < n_frames:
        return None
    return np.asarray(frame_times[:n_frames], dtype=np.float64)


def audio_start(*, recorder_s: float | None, separate_file: bool, audio_container_s: float,
                video_container_s: float) -> float:
    """The session time of the first audio sample: the recorder's, when it logged one; 0 for a
    separate audio file; else the audio's start in the video's container relative to the first
    frame's (a video whose sound starts late)."""
    if recorder_s is not None:
        return recorder_s
    return 0.0 if separate_file else audio_container_s - video_container_s
