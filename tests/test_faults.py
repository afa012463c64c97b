"""Faults: a disk that fills up while recording, a camera that stops giving frames, and an analysis
killed with SIGKILL at several points. Figures are printed (`pytest -s`) for docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import pytest

from mirror.capture import recording
from mirror.capture.camera import FileCamera, parse_camera
from mirror.capture.errors import CaptureError
from mirror.capture.recorder import STALLED, Recorder
from mirror.capture.testclip import write_test_video, write_test_wav
from mirror.capture.writers import VideoWriter
from mirror.cli import main
from mirror.media import repair as media_repair
from mirror.session import (
    RESERVE,
    list_sessions,
    load_session,
    repair_session,
    update_manifest,
)
from mirror.tracks import load_tracks

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2"}
CLIP_S = 5.0


def face_clip(cache: Path) -> Path:
    """A 5 s generated face clip with two episodes (shared by the reliability tests)."""
    from mirror.synth.render import render_clip
    from mirror.synth.spec import random_spec

    path = cache / "reliability-face.mp4"
    if not path.exists():
        render_clip(random_spec(7, duration_s=CLIP_S, n_episodes=2), path)
    return path


def mirror_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "mirror", *args]


def error_lines(stderr: str) -> list[str]:
    """What mirror itself printed on stderr (MediaPipe's log lines left out)."""
    noise = ("W0000", "I0000", "WARN", "INFO", "E0000")
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(noise)]


def decoded_frames(video: Path) -> int:
    with av.open(str(video)) as c:
        return sum(1 for _ in c.decode(video=0))


# -- a disk that fills up while recording --------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 3 MB tmpfs (needs root and permission to mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3M,mode=0700", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip() or r.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(disk: Path, leave_bytes: int) -> Path:
    """A filler file that leaves about `leave_bytes` free."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    with open(filler, "ab") as fh:
        fh.write(b"\0" * max(0, free - leave_bytes))
    return filler


def fill_up(disk: Path) -> None:
    with open(disk / "filler", "ab") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.mark.timeout(120)
def test_disk_fills_up_while_recording(small_disk: Path, clip_cache: Path, tmp_path: Path) -> None:
    video = face_clip(clip_cache)
    audio = write_test_wav(tmp_path / "talk.wav", seconds=CLIP_S)
    filler = fill(small_disk, leave_bytes=(1 << 20) + 450_000)  # the 1 MiB reserve + ~450 kB
    free_at_start = shutil.disk_usage(small_disk).free
    sessions = small_disk / "sessions"
    t0 = time.monotonic()
    r = subprocess.run(
        mirror_cmd("record", "--camera", str(video), "--microphone", str(audio),
                   "--sessions-dir", str(sessions), "--no-analyse", "-q"),
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    wall = time.monotonic() - t0
    lines = [ln for ln in error_lines(r.stderr) if not ln.startswith("warning: only")]
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("mirror: error: recording stopped: the disk is full"), lines[0]
    assert "kept in" in lines[0] and "mirror analyse" in lines[0]

    (session,) = list_sessions(sessions)
    assert not (session / RESERVE).exists()
    s = load_session(session)  # repaired by the recorder: no `mirror repair` needed
    assert s.status == "interrupted"
    assert "the disk is full" in s.manifest["stop_reason"]
    assert s.frame_times is not None and s.audio is not None
    assert decoded_frames(s.video) == len(s.frame_times) > 30
    kept_s = float(s.manifest["duration_s"])
    kept_bytes = sum(p.stat().st_size for p in session.iterdir())
    print(f"\ndisk full: {free_at_start} bytes free at start (1 MiB of it the reserve), stopped "
          f"after {wall:.1f} s (process wall time) with {kept_s:.2f} s kept "
          f"({len(s.frame_times)} frames, {s.manifest['audio']['samples']} samples, "
          f"{kept_bytes} bytes)")
    assert 1.0 < kept_s < CLIP_S

    # `mirror repair` again is harmless; the kept part analyses once there is room
    assert main(["repair", str(session)]) == 0
    filler.unlink()
    r = subprocess.run(mirror_cmd("analyse", str(session), "--workers", "1", "-q", "--no-report"),
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    doc = json.loads((session / "analysis" / "events.json").read_text())
    assert doc["face_found_ratio"] > 0.9 and doc["duration_s"] <= kept_s + 0.1
    before = (session / "analysis" / "events.json").read_bytes()

    # an analysis that meets a full disk: one line, the previous results untouched
    fill_up(small_disk)
    r = subprocess.run(mirror_cmd("analyse", str(session), "--reuse", "-q", "--no-report"),
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    lines = error_lines(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert len(lines) == 1 and lines[0].startswith("mirror: error: the disk is full"), lines
    assert (session / "analysis" / "events.json").read_bytes() == before
    assert not [p for p in (session / "analysis").iterdir() if p.name.endswith(".tmp")]


def test_writer_error_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The same with the video writer raising ENOSPC after 45 frames (no mount needed)."""
    clip = write_test_video(tmp_path / "clip.mp4", seconds=2.0, width=320, height=240)
    real_write = VideoWriter.write

    def write(self: VideoWriter, frame: Any, t: float) -> None:
        if self.frames >= 45:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, frame, t)

    monkeypatch.setattr(VideoWriter, "write", write)
    with pytest.raises(CaptureError) as info:
        recording.record_session(camera=str(clip), microphone="none",
                                 sessions_dir=tmp_path / "sessions")
    message = str(info.value)
    assert "\n" not in message and message.startswith("recording stopped: the disk is full")
    s = load_session(list_sessions(tmp_path / "sessions")[0])
    assert s.status == "interrupted" and s.frame_times is not None
    assert decoded_frames(s.video) == len(s.frame_times) == 45


def test_repair_on_a_full_disk_cuts_the_torn_fragment_in_place(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With no room for a remuxed copy, repair truncates the video to its whole fragments."""
    from mirror import session as session_mod

    clip = write_test_video(tmp_path / "clip.mp4", seconds=2.0, width=320, height=240)
    result = recording.record_session(camera=str(clip), microphone="none",
                                      sessions_dir=tmp_path / "sessions")
    d = result.session_dir
    video = d / "video.mp4"
    whole = decoded_frames(video)
    size = video.stat().st_size
    with open(video, "r+b") as fh:  # a crash mid-fragment
        fh.truncate(size - 3000)
    update_manifest(d, status="recording")
    (d / RESERVE).write_bytes(b"\0" * 4096)  # a killed recorder's reserve: freed by the repair

    def no_room(file: Path) -> Any:
        raise session_mod.SessionError("cannot repair") from OSError(errno.ENOSPC, "full")

    monkeypatch.setattr(media_repair, "remux_video", no_room)
    report = repair_session(d)
    s = load_session(d)
    kept = decoded_frames(video)
    assert s.status == "interrupted" and s.frame_times is not None
    assert 0 < kept < whole and kept == len(s.frame_times) == report.video_frames
    assert video.stat().st_size < size - 3000  # cut at a fragment boundary
    assert not (d / RESERVE).exists()


# -- a camera that stops giving frames -------------------------------------------------------------
class StallingCamera(FileCamera):
    """A camera (not a file: no end of file) that gives `after` frames, then fails or hangs."""

    def __init__(self, path: str, *, after: int, mode: str) -> None:
        super().__init__(parse_camera(path))
        self.after, self.mode = after, mode
        self.given = 0
        self.last_frame_at = 0.0
        self.unblock = threading.Event()

    @property
    def is_file(self) -> bool:
        return False

    def grab(self) -> bool:
        if self.given >= self.after:
            if self.mode == "block":
                self.unblock.wait()  # a frozen driver: grab() never returns
            return False
        ok = super().grab()
        self.given += ok
        self.last_frame_at = time.monotonic()
        return ok


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", ["false", "block"])
def test_camera_stops_giving_frames(mode: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    clip = write_test_video(tmp_path / "clip.mp4", seconds=2.5, width=320, height=240)
    audio = write_test_wav(tmp_path / "clip.wav", seconds=2.5)
    cams: list[StallingCamera] = []

    def open_camera(arg: str | None, **_: Any) -> StallingCamera:
        cams.append(StallingCamera(str(arg), after=45, mode=mode))
        return cams[0]

    monkeypatch.setattr(recording, "open_camera", open_camera)
    try:
        rc = main(["record", "--camera", str(clip), "--microphone", str(audio),
                   "--sessions-dir", str(tmp_path / "sessions"), "--no-analyse", "-q"])
        noticed = time.monotonic() - cams[0].last_frame_at
    finally:
        cams[0].unblock.set()
    out, err = capsys.readouterr()
    print(f"\ncamera stall ({mode}): the recording ended {noticed:.2f} s after the last frame")
    assert rc == 0 and [ln for ln in err.splitlines() if not ln.startswith("warning: only")] == []
    assert out.count("\n") == 1 and "the camera stopped giving frames" in out, out
    assert noticed < 3.0
    s = load_session(list_sessions(tmp_path / "sessions")[0])
    assert s.status == "complete"
    assert s.manifest["stop_reason"] == "the camera stopped giving frames (unplugged?)"
    assert s.frame_times is not None and len(s.frame_times) == 45 == decoded_frames(s.video)
    assert s.audio is not None and s.manifest["audio"]["samples"] > 0


def test_a_stalled_process_is_not_taken_for_a_stalled_camera(tmp_path: Path) -> None:
    """The watchdog judges the camera only when its own thread ran on time: after the whole
    process was not scheduled for a while (a loaded machine), the camera gets its turn first."""
    clip = write_test_video(tmp_path / "clip.mp4", seconds=0.5, width=160, height=120)
    now = [10.0]
    clock = SimpleNamespace(now=lambda: now[0])
    rec = Recorder(tmp_path, FileCamera(parse_camera(str(clip))), None,
                   clock=clock)  # type: ignore[arg-type]
    rec._threads[0] = SimpleNamespace(is_alive=lambda: True)  # type: ignore[assignment]
    rec._last_grab = rec._last_check = 10.0
    try:
        for _ in range(10):  # checks every 0.2 s, no frame: stalled after 2 s
            now[0] += 0.2
            assert not rec.check_stalled()
        now[0] += 0.2
        assert rec.check_stalled() and rec.stop_reason == STALLED
        rec._stop.clear()
        rec._last_grab = rec._last_check = now[0]
        now[0] += 3.0  # nothing ran for 3 s, the watchdog included
        assert not rec.check_stalled()
        rec._last_grab = now[0] + 0.01  # the camera thread's turn: it had frames queued
        now[0] += 0.2
        assert not rec.check_stalled()
    finally:
        rec.video.close()
        rec.frames_log.close()


# -- a killed analysis --------------------------------------------------------------------------
RESULTS = {"events.json", "tracks.npz", "expressions.npz", "report.html", "report.md",
           "report.json", "report_files"}


class Analysis:
    """`mirror analyse` in a subprocess, its stderr read line by line."""

    def __init__(self, clip: Path, out: Path, *extra: str, workers: str = "1") -> None:
        self.proc = subprocess.Popen(
            mirror_cmd("analyse", str(clip), "--out", str(out), "--workers", workers, *extra),
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def face_progress(self) -> int:
        pct = [int(ln.split()[-1].rstrip("%")) for ln in self.lines if ln.strip().startswith("face")]
        return max(pct, default=-1)

    def kill_when(self, condition: Any, timeout: float = 90.0) -> float:
        t0 = time.monotonic()
        while not condition():
            assert self.proc.poll() is None, f"finished before the kill point: {self.lines}"
            assert time.monotonic() - t0 < timeout, "kill point never reached"
            time.sleep(0.005)
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == -signal.SIGKILL
        return time.monotonic() - t0

    def finish(self) -> None:
        self.proc.wait(timeout=120)
        self._reader.join(timeout=5)
        assert self.proc.returncode == 0, self.lines


def analysed(clip: Path, out: Path, *extra: str) -> dict[str, Any]:
    Analysis(clip, out, *extra).finish()
    return json.loads((out / "events.json").read_text())


def check_after_kill(out: Path, previous: bytes | None) -> list[str]:
    """events.json is absent or a whole, valid file equal to `previous`; the only other files
    are results or hidden temp files (which no reader opens). Returns the temp files."""
    events = out / "events.json"
    if previous is None:
        assert not events.exists() or json.loads(events.read_text())["events"] is not None
    else:
        assert events.read_bytes() == previous
    strays = []
    for p in out.iterdir() if out.exists() else []:
        if p.name in RESULTS:
            continue
        assert p.name.startswith(".") and p.name.endswith(".tmp"), p.name
        strays.append(p.name)
    return strays


@pytest.mark.timeout(300)
def test_killed_analysis(clip_cache: Path, tmp_path: Path) -> None:
    clip = face_clip(clip_cache)
    out = tmp_path / "out"
    log = []

    # 1. killed while tracks.npz is being written (its temp file exists) or the moment it
    # appears: it is absent or whole, and so is events.json (on a fast machine the analysis
    # after the face stage can finish between two polls of the watcher: the kill then comes
    # after events.json, which must be whole all the same)
    def writing_tracks() -> bool:
        return out.is_dir() and any(p.name.startswith((".tracks.npz.", "tracks.npz"))
                                    for p in out.iterdir())

    a = Analysis(clip, out)
    at = a.kill_when(writing_tracks)
    strays = check_after_kill(out, None)
    if (out / "tracks.npz").exists():
        assert load_tracks(out / "tracks.npz").t.size == round(CLIP_S * 30)
    log.append(f"tracks.npz being written ({at:.1f} s): tracks.npz "
               f"{'whole' if (out / 'tracks.npz').exists() else 'absent'}, events.json "
               f"{'whole' if (out / 'events.json').exists() else 'absent'}, temp files {strays}")

    # 2. killed the moment tracks.npz appears: it is whole (events.json absent or whole)
    for name in ("tracks.npz", "events.json"):
        with contextlib.suppress(FileNotFoundError):
            (out / name).unlink()  # (if the first kill came after the rename)
    a = Analysis(clip, out, "--reuse")  # no tracks to reuse: a full run
    at = a.kill_when(lambda: (out / "tracks.npz").exists())
    strays = check_after_kill(out, None)
    assert load_tracks(out / "tracks.npz").t.size == round(CLIP_S * 30)
    log.append(f"tracks.npz appeared ({at:.1f} s): whole, events.json "
               f"{'whole' if (out / 'events.json').exists() else 'absent'}, temp files {strays}")

    # 3. a --reuse run killed the moment events.json appears (writing the report): it is whole
    with contextlib.suppress(FileNotFoundError):
        (out / "events.json").unlink()  # (if the second kill came after it)
    a = Analysis(clip, out, "--reuse")
    at = a.kill_when(lambda: (out / "events.json").exists())
    killed_doc = json.loads((out / "events.json").read_text())
    strays = check_after_kill(out, None)
    log.append(f"events.json appeared ({at:.1f} s, --reuse): whole, temp files {strays}")

    # re-running with --reuse completes and cleans up what the killed runs left
    reused = analysed(clip, out, "--reuse")
    assert check_after_kill(out, None) == []
    assert {p.name for p in out.iterdir()} == RESULTS

    # 4. a full run killed during the face stage, over those results: they are untouched
    before = {n: (out / n).read_bytes() for n in ("events.json", "tracks.npz")}
    a = Analysis(clip, out)
    at = a.kill_when(lambda: a.face_progress() >= 20)
    strays = check_after_kill(out, before["events.json"])
    assert (out / "tracks.npz").read_bytes() == before["tracks.npz"]
    log.append(f"face stage ({a.face_progress()} %, {at:.1f} s): previous results intact, "
               f"temp files {strays}")

    # an uninterrupted run gives the same document as every run that was killed or reused
    full = analysed(clip, out)
    assert full["events"], "the clip should give events"
    assert killed_doc == reused == full
    print("\nkilled analysis:\n  " + "\n  ".join(log))


def _children(pid: int) -> list[int]:
    kids = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(stat_file.parent.name))
    return kids


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie is PID 1's to reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.timeout(120)
def test_killed_analysis_leaves_no_face_workers(tmp_path: Path) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the worker processes")
    clip = write_test_video(tmp_path / "long.mp4", seconds=20.0, width=320, height=240)
    a = Analysis(clip, tmp_path / "out", workers="2")
    workers: list[int] = []

    def spawned() -> bool:
        workers[:] = [k for k in _children(a.proc.pid)
                      if "spawn_main" in Path(f"/proc/{k}/cmdline").read_text(errors="replace")]
        return len(workers) >= 2

    a.kill_when(spawned, timeout=60)
    time.sleep(4.0)
    alive = [k for k in workers if _running(k)]
    for k in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(k, signal.SIGKILL)
    assert alive == [], f"{len(alive)} face-model workers still running after the kill"
