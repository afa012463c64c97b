"""The recorder: camera and microphone on one clock, written incrementally into a session folder.

Threads:
  camera   grab() → stamp the capture time → retrieve() → encoder queue + live worker
  encoder  frames → video.mp4 (fragmented MP4) + frames.csv, synced every second
  audio    microphone callback blocks (ADC time mapped to the session clock) → audio.wav +
           audio_blocks.csv, synced every second
  live     the latest frame → LiveAnalyzer.process (see live.py)

A frame's time is its capture time when the source stamps frames (V4L2 buffer timestamps; a file
camera's own timestamps), else the time `grab()` returned it;
an audio block's time is PortAudio's `inputBufferAdcTime`, the capture time of its first sample,
mapped onto the session clock (`StreamClockMap`).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirror.capture.camera import Camera
from mirror.capture.clock import SessionClock, StreamClockMap
from mirror.capture.live import LiveAnalyzer, LiveCallback, LiveWorker
from mirror.capture.microphone import DeviceMicrophone, FileMicrophone
from mirror.capture.writers import CsvLog, VideoWriter, WavWriter
from mirror.fileio import NO_SPACE
from mirror.session import AUDIO, AUDIO_BLOCKS, AUDIO_BLOCKS_HEADER, FRAMES, FRAMES_HEADER, VIDEO

__all__ = ["LiveAnalyzer", "RecordOptions", "Recorder", "RecorderStats"]

_STOP = object()
STALLED = "the camera stopped giving frames (unplugged?)"


@dataclass(frozen=True)
class RecordOptions:
    seconds: float | None = None  # None: until stop() (Ctrl-C) or the camera/file ends
    keyframe_interval_s: float = 0.5  # a fragment per keyframe: the most a crash can lose
    sync_interval_s: float = 1.0
    queue_s: float = 2.0  # encoder backlog before frames are dropped (and counted)
    crf: int = 23
    preset: str = "ultrafast"
    start_delay_s: float = 0.1  # lets the threads start before the first frame is due
    stall_s: float = 2.0  # no frame from the camera for this long: it was unplugged or froze


@dataclass(frozen=True)
class RecorderStats:
    frames: int
    dropped_source: int  # frames a file camera skipped because the recorder was late
    dropped_queue: int  # frames the encoder could not take in time
    dropped_gaps: int  # frames missing from the timeline (gaps longer than 1.5 periods)
    max_frame_gap_s: float
    max_capture_latency_s: float  # longest a frame waited between its capture and grab()
    p99_capture_latency_s: float
    audio_samples: int
    audio_blocks: int
    audio_overflows: int
    audio_start_s: float | None
    audio_clock_drift_s: float  # ADC time of the last block minus the sample-count prediction
    live_processed: int
    live_skipped: int
    first_frame_s: float | None
    last_frame_s: float | None
    stop_reason: str
    error: str | None

    @property
    def dropped_frames(self) -> int:
        return self.dropped_source + self.dropped_queue + self.dropped_gaps


class Recorder:
    """Records `camera` (+ `microphone`) into `session_dir`; `start()`, `wait()`, `stop()`."""

    def __init__(
        self,
        session_dir: Path,
        camera: Camera,
        microphone: DeviceMicrophone | FileMicrophone | None,
        *,
        clock: SessionClock,
        options: RecordOptions | None = None,
        live: LiveAnalyzer | None = None,
        on_live: LiveCallback | None = None,
    ) -> None:
        self.dir = session_dir
        self.camera, self.microphone, self.clock = camera, microphone, clock
        self.options = options or RecordOptions()
        self.live = LiveWorker(live, on_live) if live is not None else None
        self._stop = threading.Event()
        self.finished = threading.Event()  # the camera loop ended (time up, source ended, error)
        self.stop_reason = "stopped"
        self.error: str | None = None
        self._frames_q: queue.Queue[Any] = queue.Queue(
            maxsize=max(2, round(self.options.queue_s * camera.fps))
        )
        self._audio_q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._audio_map: StreamClockMap | None = None
        self._map_ready = threading.Event()
        self._dropped_queue = 0
        self._latencies: list[float] = []
        self._frame_times: list[float] = []
        self._audio_stats: dict[str, Any] = {"samples": 0, "blocks": 0, "overflows": 0,
                                              "start_s": None, "drift_s": 0.0}
        self.start_s = 0.0
        self._stopped = False
        self._last_grab = 0.0  # session time the camera last gave a frame (or started)
        self._last_check = 0.0  # session time of the last stall check
        self._stalled = False
        self.video = VideoWriter(
            session_dir / VIDEO, width=camera.width, height=camera.height, fps=camera.fps,
            keyframe_interval_s=self.options.keyframe_interval_s, crf=self.options.crf,
            preset=self.options.preset,
        )
        self.frames_log = CsvLog(session_dir / FRAMES, FRAMES_HEADER)
        self.wav: WavWriter | None = None
        self.blocks_log: CsvLog | None = None
        if microphone is not None:
            self.wav = WavWriter(
                session_dir / AUDIO, samplerate=microphone.samplerate,
                channels=microphone.channels,
            )
            self.blocks_log = CsvLog(session_dir / AUDIO_BLOCKS, AUDIO_BLOCKS_HEADER)
        self._threads = [
            threading.Thread(target=self._camera_loop, name="mirror-camera", daemon=True),
            threading.Thread(target=self._encoder_loop, name="mirror-encoder", daemon=True),
        ]
        if microphone is not None:
            self._threads.append(
                threading.Thread(target=self._audio_loop, name="mirror-audio", daemon=True)
            )

    # -- control --------------------------------------------------------------------------------
    def start(self) -> None:
        self.start_s = self.clock.now() + self.options.start_delay_s
        self._last_grab = self.start_s
        self.camera.start(self.clock, self.start_s)
        for t in self._threads:
            t.start()
        if self.live is not None:
            self.live.start()
        if self.microphone is not None:
            self.microphone.start(self._audio_callback, self.clock, self.start_s)
            self._audio_map = StreamClockMap.measure(self.clock, self.microphone.stream_time)
            self._map_ready.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the camera loop to end by itself; True if it did."""
        return self.finished.wait(timeout)

    def request_stop(self, reason: str) -> None:
        if not self._stop.is_set():
            self.stop_reason = reason
            self._stop.set()

    def stop(self, reason: str = "stopped") -> RecorderStats:
        """Stop, drain the queues, close the files; safe to call more than once."""
        self.request_stop(reason)
        if self._stopped:
            return self.stats()
        self._stopped = True
        # A camera stuck inside grab() (a frozen driver) is left behind: the recording still ends.
        self._threads[0].join(timeout=0.1 if self._stalled else 5.0)
        self._frames_q.put(_STOP)
        self._threads[1].join()
        if self.microphone is not None:
            try:
                self.microphone.stop()
            finally:
                self._map_ready.set()
                self._audio_q.put(_STOP)
                self._threads[2].join()
        if self.live is not None:
            self.live.stop()
        if not self._threads[0].is_alive():  # never release a capture another thread is inside
            self.camera.close()
        return self.stats()

    def check_stalled(self) -> bool:
        """Stop the recording if the camera gave no frame for `stall_s` (also when its grab()
        blocks instead of failing); called by the encoder thread about every 0.2 s."""
        if self._stop.is_set() or not self._threads[0].is_alive():
            return False
        now = self.clock.now()
        checked, self._last_check = self._last_check, now
        if now - checked > 1.0:
            # This thread was not scheduled either (a loaded machine stalls the whole process):
            # give the camera thread its turn before judging it.
            return False
        alive_at = max(self._last_grab, self.camera.waiting_until or 0.0)
        if now - alive_at <= self.options.stall_s:
            return False
        self._stalled = True
        self.request_stop(STALLED)
        self.finished.set()
        return True

    # -- threads --------------------------------------------------------------------------------
    def _camera_loop(self) -> None:
        cam, clock = self.camera, self.clock
        deadline = None if self.options.seconds is None else self.start_s + self.options.seconds
        try:
            while not self._stop.is_set():
                if not cam.grab():
                    if cam.is_file:
                        self.request_stop("end of the video file")
                        break
                    if clock.now() - self._last_grab > self.options.stall_s:
                        self._stalled = True
                        self.request_stop(STALLED)
                        break
                    time.sleep(0.01)
                    continue
                grabbed = clock.now()
                self._last_grab = grabbed
                captured = cam.capture_time(clock)
                t = grabbed if captured is None else min(captured, grabbed)
                self._latencies.append(grabbed - t)
                if deadline is not None and t >= deadline:
                    self.request_stop("time limit")
                    break
                frame = cam.retrieve()
                if frame is None:
                    continue
                try:
                    self._frames_q.put_nowait((frame, t))
                except queue.Full:
                    self._dropped_queue += 1
                    continue
                if self.live is not None:
                    self.live.offer(frame, t)
        except Exception as exc:
            self.error = f"camera: {type(exc).__name__}: {exc}"
            self.request_stop("camera error")
        finally:
            self.finished.set()

    def _fail(self, where: str, exc: BaseException) -> None:
        if isinstance(exc, OSError) and exc.errno in NO_SPACE:
            self.error = f"the disk is full ({where})"
        else:
            self.error = f"{where}: {type(exc).__name__}: {exc}"
        self.request_stop("write error")
        self.finished.set()

    def _encoder_loop(self) -> None:
        next_sync = time.monotonic() + self.options.sync_interval_s
        failed = False
        while True:
            try:
                item = self._frames_q.get(timeout=0.2)
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            self.check_stalled()
            if item is not None and not failed:
                frame, t = item
                try:
                    self.video.write(frame, t)
                    self.frames_log.write(f"{len(self._frame_times)},{t:.6f}")
                    self._frame_times.append(t)
                    if len(self._frame_times) == 1:
                        self.frames_log.sync()  # anchors the video's pts on the session clock
                except Exception as exc:
                    failed = True
                    self._fail("video", exc)
            if time.monotonic() >= next_sync and not failed:
                next_sync = time.monotonic() + self.options.sync_interval_s
                try:
                    self.frames_log.sync()
                    self.video.sync()
                except OSError as exc:
                    failed = True
                    self._fail("video", exc)
        for close in (self.video.close, self.frames_log.close):
            try:
                close()
            except Exception as exc:
                if self.error is None:
                    self._fail("closing the video", exc)

    def _audio_callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """Runs on PortAudio's thread: copy and hand over, nothing else."""
        self._audio_q.put((
            indata.copy(), frames, float(time_info.inputBufferAdcTime),
            float(time_info.currentTime), bool(getattr(status, "input_overflow", False)),
        ))

    def _audio_loop(self) -> None:
        assert self.wav is not None and self.blocks_log is not None and self.microphone is not None
        sr = self.microphone.samplerate
        stats = self._audio_stats
        self._map_ready.wait()
        next_sync = time.monotonic() + self.options.sync_interval_s
        failed = False
        while True:
            try:
                item = self._audio_q.get(timeout=0.2)
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            if item is not None and not failed:
                block, frames, adc, current, overflow = item
                amap = self._audio_map or StreamClockMap(0.0, 0.0)  # (start failed)
                # A host API without ADC times gives 0: use the callback time less the block.
                t = amap.to_session(adc if adc > 0 else current - frames / sr)
                first = stats["samples"]
                if stats["start_s"] is None:
                    stats["start_s"] = t
                stats["drift_s"] = t - (stats["start_s"] + first / sr)
                try:
                    self.wav.write(block)
                    self.blocks_log.write(
                        f"{stats['blocks']},{first},{frames},{t:.6f},"
                        f"{amap.to_session(current):.6f},{int(overflow)}"
                    )
                except Exception as exc:
                    failed = True
                    self._fail("audio", exc)
                stats["samples"] += frames
                stats["blocks"] += 1
                stats["overflows"] += int(overflow)
            if time.monotonic() >= next_sync and not failed:
                next_sync = time.monotonic() + self.options.sync_interval_s
                try:
                    self.blocks_log.sync()
                    self.wav.sync()
                except OSError as exc:
                    failed = True
                    self._fail("audio", exc)
        for close in (self.wav.close, self.blocks_log.close):
            try:
                close()
            except Exception as exc:
                if self.error is None:
                    self._fail("closing the audio", exc)

    # -- results --------------------------------------------------------------------------------
    def stats(self) -> RecorderStats:
        times = np.asarray(self._frame_times)
        lat = np.asarray(self._latencies)
        gaps = np.diff(times) if times.size > 1 else np.zeros(0)
        period = 1.0 / self.camera.fps
        missing = int(np.sum(np.maximum(np.round(gaps / period) - 1, 0)[gaps > 1.5 * period]))
        a = self._audio_stats
        return RecorderStats(
            frames=int(times.size),
            dropped_source=self.camera.dropped,
            dropped_queue=self._dropped_queue,
            dropped_gaps=max(0, missing - self.camera.dropped),
            max_frame_gap_s=float(gaps.max()) if gaps.size else 0.0,
            max_capture_latency_s=float(lat.max()) if lat.size else 0.0,
            p99_capture_latency_s=float(np.percentile(lat, 99)) if lat.size else 0.0,
            audio_samples=int(a["samples"]),
            audio_blocks=int(a["blocks"]),
            audio_overflows=int(a["overflows"]),
            audio_start_s=a["start_s"],
            audio_clock_drift_s=float(a["drift_s"]),
            live_processed=self.live.processed if self.live else 0,
            live_skipped=self.live.skipped if self.live else 0,
            first_frame_s=float(times[0]) if times.size else None,
            last_frame_s=float(times[-1]) if times.size else None,
            stop_reason=self.stop_reason,
            error=self.error,
        )
