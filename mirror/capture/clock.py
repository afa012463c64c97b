"""One clock for a session: every frame and every audio block is stamped in seconds on it.

The session clock is `time.monotonic_ns()` minus the session epoch. Devices with their own clock
(PortAudio's stream time, in which `inputBufferAdcTime` is expressed) are mapped onto it by
`StreamClockMap`, measured by bracketing reads of both clocks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


class SessionClock:
    """Seconds since the session epoch, from the monotonic clock; safe to share between threads."""

    def __init__(self) -> None:
        self._epoch_ns = time.monotonic_ns()
        self.epoch_wall = datetime.now(UTC)

    def now(self) -> float:
        return (time.monotonic_ns() - self._epoch_ns) * 1e-9

    def from_monotonic(self, t_monotonic: float) -> float:
        """A `time.monotonic()` reading as session seconds."""
        return t_monotonic - self._epoch_ns * 1e-9

    def wall(self, t: float) -> str:
        """Session seconds as an ISO-8601 UTC wall time (for the manifest, not for alignment)."""
        return datetime.fromtimestamp(self.epoch_wall.timestamp() + t, UTC).isoformat()

    def sleep_until(self, t: float) -> None:
        delay = t - self.now()
        if delay > 0:
            time.sleep(delay)


@dataclass(frozen=True)
class StreamClockMap:
    """session_time = stream_time + offset, measured to within `uncertainty` seconds."""

    offset: float
    uncertainty: float

    @classmethod
    def measure(
        cls, clock: SessionClock, read_stream_time: Callable[[], float], *, tries: int = 16
    ) -> StreamClockMap:
        """Bracket `read_stream_time()` between two session-clock reads; keep the tightest pair.

        Both clocks are monotonic and, for PortAudio on Linux, share CLOCK_MONOTONIC, so one
        measurement at stream start holds for the whole recording.
        """
        best: tuple[float, float] | None = None
        for _ in range(tries):
            before = clock.now()
            stream_t = read_stream_time()
            after = clock.now()
            width = after - before
            if best is None or width < best[1]:
                best = ((before + after) / 2 - stream_t, width)
        assert best is not None
        return cls(offset=best[0], uncertainty=best[1] / 2)

    def to_session(self, stream_time: float) -> float:
        return stream_time + self.offset
