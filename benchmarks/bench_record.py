"""Benchmark the recorder: a generated clip as the camera (30 fps, played in real time), its
soundtrack as the microphone, a dummy live analyzer burning CPU on the latest frame.

Reports dropped frames, the A/V offset of every flash/click pair over the recording (and its
drift from start to end), the audio clock against the session clock, frame-time jitter, and the
CPU the process used. The issue's figure is 10 minutes: `--seconds 600`.

    .venv/bin/python benchmarks/bench_record.py                  # 60 s
    .venv/bin/python benchmarks/bench_record.py --seconds 600 --json bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import av
import numpy as np

from mirror.capture.recording import record_session
from mirror.capture.testclip import (
    detect_clicks,
    detect_flashes,
    mark_times,
    write_test_video,
    write_test_wav,
)
from mirror.session import load_session


class BusyAnalyzer:
    """Stands in for the face model: downscales the frame and burns `cost_ms` of CPU on it."""

    def __init__(self, cost_ms: float) -> None:
        self.cost_s = cost_ms / 1000.0

    def process(self, frame_rgb: np.ndarray, t: float) -> dict[str, float]:
        end = time.perf_counter() + self.cost_s
        small = frame_rgb[::2, ::2].astype(np.float32)
        acc = 0.0
        while time.perf_counter() < end:
            acc += float((small * 1.0001).mean())
        return {"level": acc % 1.0}


class WakeupProbe:
    """A thread sleeping 10 ms at a time, recording how late it wakes up: stalls that hit it too
    are the machine's (CPU starvation by other processes), not the recorder's."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            t = time.perf_counter()
            time.sleep(0.01)
            self.late.append(time.perf_counter() - t - 0.01)

    def __enter__(self) -> WakeupProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the recording")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--samplerate", type=int, default=48000)
    ap.add_argument("--live-ms", type=float, default=25.0,
                    help="CPU the dummy live analyzer spends per frame (0: no live analysis)")
    ap.add_argument("--live-face", action="store_true",
                    help="use the real face model (mirror.face.live) as the live analyzer")
    ap.add_argument("--workdir", help="keep the clip and the session here (default: a temp dir)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="mirror-bench-") as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        clip = write_test_video(work / "clip.mp4", seconds=args.seconds, fps=args.fps,
                                width=args.width, height=args.height)
        sound = write_test_wav(work / "clip.wav", seconds=args.seconds,
                               samplerate=args.samplerate)
        print(f"generated a {args.seconds:g} s clip in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)

        live: Any = BusyAnalyzer(args.live_ms) if args.live_ms > 0 else None
        if args.live_face:
            from mirror.commands.record import make_live_analyzer

            live = make_live_analyzer()
        load0 = os.getloadavg()[0]
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        with WakeupProbe() as probe:
            result = record_session(camera=str(clip), microphone=str(sound),
                                    sessions_dir=work / "sessions", profile="bench", live=live)
        cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
        st = result.stats
        s = load_session(result.session_dir)
        assert s.frame_times is not None and s.audio is not None

        with av.open(str(s.video)) as c:
            c.streams.video[0].thread_type = "AUTO"
            brightness = np.array([f.to_ndarray(format="gray")[::8, ::8].mean()
                                   for f in c.decode(video=0)])
        with wave.open(str(s.audio)) as w:
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        flashes = detect_flashes(brightness, s.frame_times)
        clicks = detect_clicks(samples, args.samplerate, start_s=s.audio_start_s)
        offsets = np.array([f - clicks[np.argmin(np.abs(clicks - f))] for f in flashes])
        n = max(1, min(10, len(offsets) // 4))
        drift = float(np.mean(offsets[-n:]) - np.mean(offsets[:n])) if len(offsets) else None
        source_frames = round(args.seconds * args.fps)

        numbers = {
            "seconds": args.seconds,
            "fps": args.fps,
            "size": f"{args.width}x{args.height}",
            "cores": os.cpu_count(),
            "live": "face model" if args.live_face else f"dummy {args.live_ms:g} ms/frame",
            "source_frames": source_frames,
            "recorded_frames": st.frames,
            "dropped_frames": st.dropped_frames,
            "dropped_source": st.dropped_source,
            "dropped_queue": st.dropped_queue,
            "dropped_gaps": st.dropped_gaps,
            "max_frame_gap_ms": round(st.max_frame_gap_s * 1000, 2),
            "max_capture_latency_ms": round(st.max_capture_latency_s * 1000, 2),
            "p99_capture_latency_ms": round(st.p99_capture_latency_s * 1000, 2),
            "marks": len(mark_times(args.seconds)),
            "flashes_found": len(flashes),
            "clicks_found": len(clicks),
            "av_offset_ms_max_abs": round(float(np.abs(offsets).max()) * 1000, 2)
                if len(offsets) else None,
            "av_offset_ms_first": round(float(np.mean(offsets[:n])) * 1000, 2)
                if len(offsets) else None,
            "av_drift_ms": round(drift * 1000, 2) if drift is not None else None,
            "audio_clock_drift_ms": round(st.audio_clock_drift_s * 1000, 3),
            "audio_overflows": st.audio_overflows,
            "live_processed": st.live_processed,
            "live_skipped": st.live_skipped,
            "live_fps": round(st.live_processed / wall, 1),
            "cpu_cores_used": round(cpu / wall, 2),
            "probe_late_wakeups_over_100ms": int(np.sum(np.array(probe.late) > 0.1)),
            "probe_max_late_ms": round(max(probe.late) * 1000, 1),
            "loadavg_1min_start_end": [round(load0, 2), round(os.getloadavg()[0], 2)],
            "video_mb": round(s.video.stat().st_size / 1e6, 1),
            "wall_s": round(wall, 1),
        }
    width = max(len(k) for k in numbers)
    for k, v in numbers.items():
        print(f"{k:{width}s}  {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(numbers, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
