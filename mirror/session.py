"""The session folder: one rehearsal (or calibration clip) and everything derived from it.

    sessions/2026-11-23_143005_investor-pitch/      0700
      manifest.json       what, when, which devices and versions, status (written atomically)
      video.mp4           fragmented MP4 (H.264), a fragment every keyframe: readable after a crash
      audio.wav           16-bit PCM, appended block by block, header kept current every second
      frames.csv          frame,t_s           one row per frame in video.mp4, session seconds
      audio_blocks.csv    block,first_sample,frames,t_s,t_callback_s,overflow
      script.txt          a copy of --script (its original name is in the manifest)
      analysis/, report.*  written later by `mirror analyse` / `mirror report`

All times are seconds on the session clock (monotonic, zero at the session start). The status is
`recording` while the recorder holds `.recording.lock`, then `complete`; a recorder that died
leaves `recording` with a free lock, which `repair_session` turns into a valid `interrupted`
session holding everything written up to the crash.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import os
import re
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from mirror.errors import SessionError
from mirror.fileio import NO_SPACE, atomic_open, create_private, write_json_atomic

SESSION_FORMAT = "mirror.session/1"
MANIFEST = "manifest.json"
VIDEO = "video.mp4"
AUDIO = "audio.wav"
FRAMES = "frames.csv"
AUDIO_BLOCKS = "audio_blocks.csv"
LOCK = ".recording.lock"
RESERVE = ".space.reserve"  # room held back while recording, freed to finish after a full disk
RESERVE_BYTES = 1 << 20
ANALYSIS = "analysis"
FRAMES_HEADER = "frame,t_s"
AUDIO_BLOCKS_HEADER = "block,first_sample,frames,t_s,t_callback_s,overflow"
WAV_HEADER_BYTES = 44


# -- where sessions live ------------------------------------------------------------------------
def sessions_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--sessions-dir`, else `$MIRROR_SESSIONS`, else `./sessions`."""
    chosen = explicit or os.environ.get("MIRROR_SESSIONS") or "sessions"
    return Path(chosen).expanduser()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "session"


def new_session_dir(
    root: str | os.PathLike[str], profile: str | None, *, now: datetime | None = None
) -> Path:
    """Create `root/<YYYY-mm-dd_HHMMSS>_<profile>/` (mode 0700), unique even within a second."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = (now or datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    base = f"{stamp}_{_slug(profile or 'default')}"
    for n in range(1, 1000):
        path = root / (base if n == 1 else f"{base}-{n}")
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno in NO_SPACE:
                raise SessionError(f"the disk is full: cannot create a session folder in {root} "
                                   "(free some space before recording)") from exc
            raise
        os.chmod(path, 0o700)
        return path
    raise SessionError(f"cannot create a session folder in {root}")


# -- the manifest and the recording lock --------------------------------------------------------
def copy_script(script: Path, session_dir: Path) -> dict[str, str]:
    """Copy the pitch script into the session (private), for the manifest's `script`."""
    target = session_dir / f"script{script.suffix.lower() or '.txt'}"
    with open(script, "rb") as src, create_private(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return {"file": target.name, "source": str(script.resolve())}


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    import json

    file = Path(path) / MANIFEST
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SessionError(f"{path} is not a session folder (no {MANIFEST})") from exc
    except (OSError, ValueError) as exc:
        raise SessionError(f"cannot read {file}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != SESSION_FORMAT:
        raise SessionError(f"{file} is not a mirror session manifest")
    return data


def write_manifest(path: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    write_json_atomic(Path(path) / MANIFEST, manifest)


def update_manifest(path: str | os.PathLike[str], **changes: Any) -> dict[str, Any]:
    manifest = read_manifest(path)
    manifest.update(changes)
    write_manifest(path, manifest)
    return manifest


class RecordingLock:
    """Held (flock) by the recorder for the whole recording; the kernel frees it if it dies."""

    def __init__(self, session_dir: Path) -> None:
        self._path = session_dir / LOCK
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(self._fd)
            raise SessionError(f"{session_dir} is being recorded by another process") from exc

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self._path.unlink()
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)


def is_recording(path: str | os.PathLike[str]) -> bool:
    """Whether a live recorder holds the session's lock."""
    lock = Path(path) / LOCK
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def reserve_space(session_dir: Path, nbytes: int = RESERVE_BYTES) -> Path:
    """Hold `nbytes` of the session's disk in a hidden file, so that when the disk fills up while
    recording, freeing it leaves room to close the files, repair and update the manifest."""
    path = session_dir / RESERVE
    try:
        with create_private(path, "wb") as fh:
            try:
                os.posix_fallocate(fh.fileno(), 0, nbytes)
            except OSError as exc:
                if exc.errno in NO_SPACE:
                    raise
                fh.write(b"\0" * nbytes)  # a filesystem without fallocate
                fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        if exc.errno in NO_SPACE:
            free = shutil.disk_usage(session_dir).free
            raise SessionError(
                f"the disk is full ({free // 1024} KB free in {session_dir.parent}): "
                "free some space before recording") from exc
        raise
    return path


def release_space(session_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (session_dir / RESERVE).unlink()


# -- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Session:
    """A recorded session, ready for analysis. Times are seconds on the session clock."""

    video: Path
    audio: Path | None
    frame_times: np.ndarray | None  # (n_frames,) float64, one per frame of `video`
    audio_start_s: float  # session time of the first audio sample (0.0 when there is no audio)
    profile: str | None
    script: Path | None
    manifest: dict[str, Any]
    path: Path = field(default_factory=Path)
    kind: str = "rehearsal"  # or "calibration"
    status: str = "complete"  # or "interrupted" (repaired after a crash)
    samplerate: int | None = None
    # (n_blocks, 2): first sample index, session time of that sample (the ADC time per block),
    # for correcting a microphone whose clock runs slightly fast or slow over a long recording.
    audio_blocks: np.ndarray | None = None

    @property
    def analysis_dir(self) -> Path:
        return self.path / ANALYSIS

    @property
    def duration_s(self) -> float:
        return float(self.manifest.get("duration_s") or 0.0)


def _read_rows(path: Path, header: str) -> list[list[str]]:
    """Complete, parseable rows of one of our CSV logs (a torn last line is ignored)."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    lines = text.splitlines()
    if not lines or lines[0] != header:
        return []
    ncols = header.count(",") + 1
    rows = []
    for row in csv.reader(lines[1:]):
        if len(row) != ncols:
            break
        try:
            [float(x) for x in row]
        except ValueError:
            break
        rows.append(row)
    return rows


def load_frame_times(path: str | os.PathLike[str]) -> np.ndarray:
    """frames.csv as a float64 array of session seconds, one per video frame."""
    rows = _read_rows(Path(path) / FRAMES, FRAMES_HEADER)
    return np.array([float(r[1]) for r in rows], dtype=np.float64)


def load_audio_blocks(path: str | os.PathLike[str]) -> np.ndarray:
    """audio_blocks.csv as (n, 2) float64: first sample index, session time of that sample."""
    rows = _read_rows(Path(path) / AUDIO_BLOCKS, AUDIO_BLOCKS_HEADER)
    return np.array([[float(r[1]), float(r[3])] for r in rows], dtype=np.float64).reshape(-1, 2)


def load_session(path: str | os.PathLike[str]) -> Session:
    """Read a finished (complete or repaired) session folder."""
    path = Path(path)
    manifest = read_manifest(path)
    status = manifest.get("status")
    if status == "recording":
        if is_recording(path):
            raise SessionError(f"{path} is still being recorded")
        raise SessionError(f"{path} was interrupted: run `mirror repair {path}` first")
    video = path / str(manifest.get("video", {}).get("file", VIDEO))
    if not video.is_file():
        raise SessionError(f"{path} has no video ({video.name} is missing)")
    audio_meta = manifest.get("audio") or {}
    audio = path / str(audio_meta.get("file", AUDIO)) if audio_meta else None
    if audio is not None and not audio.is_file():
        audio = None
    blocks = load_audio_blocks(path) if audio is not None else None
    audio_start = audio_meta.get("start_s")
    if audio_start is None and blocks is not None and len(blocks):
        audio_start = float(blocks[0, 1])
    script = manifest.get("script") or {}
    script_path = path / script["file"] if script.get("file") else None
    frame_times = load_frame_times(path) if (path / FRAMES).is_file() else None
    return Session(
        video=video,
        audio=audio,
        frame_times=frame_times,
        audio_start_s=float(audio_start or 0.0),
        profile=manifest.get("profile"),
        script=script_path if script_path and script_path.is_file() else None,
        manifest=manifest,
        path=path,
        kind=str(manifest.get("kind", "rehearsal")),
        status=str(status),
        samplerate=audio_meta.get("samplerate"),
        audio_blocks=blocks,
    )


def is_session_dir(path: str | os.PathLike[str]) -> bool:
    """Whether `path` holds a mirror session manifest (in any status)."""
    try:
        read_manifest(path)
    except SessionError:
        return False
    return True


def list_sessions(root: str | os.PathLike[str], *, kind: str | None = None) -> list[Path]:
    """Session folders directly under `root`, oldest first (their names start with the time)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for p in sorted(root.iterdir()):
        if not p.is_dir() or not is_session_dir(p):
            continue
        if kind is None or read_manifest(p).get("kind", "rehearsal") == kind:
            found.append(p)
    return found


def delete_session(path: str | os.PathLike[str]) -> None:
    """Delete a session folder and everything in it (refuses non-sessions and live recordings)."""
    path = Path(path)
    if not is_session_dir(path):
        raise SessionError(f"{path} is not a session folder; nothing deleted")
    if is_recording(path):
        raise SessionError(f"{path} is being recorded; stop the recording first")
    shutil.rmtree(path)


# -- repair -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RepairReport:
    path: Path
    previous_status: str
    status: str
    actions: tuple[str, ...]
    video_frames: int
    audio_samples: int
    duration_s: float

    @property
    def changed(self) -> bool:
        return bool(self.actions)

    def summary(self) -> str:
        what = "; ".join(self.actions) if self.actions else "nothing to repair"
        return (
            f"{self.path.name}: {self.status}, {self.video_frames} frames, "
            f"{self.duration_s:.1f} s ({what})"
        )


def _truncate_torn_line(file: Path) -> bool:
    """Cut a partial last line (no newline) off a CSV log; True if anything was cut."""
    if not file.is_file():
        return False
    data = file.read_bytes()
    if not data or data.endswith(b"\n"):
        return False
    with open(file, "r+b") as fh:
        fh.truncate(data.rfind(b"\n") + 1)
    return True


def _rewrite_rows(file: Path, header: str, rows: list[list[str]]) -> None:
    with atomic_open(file, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        for row in rows:
            fh.write(",".join(row) + "\n")


def wav_header(*, samplerate: int, channels: int, data_bytes: int) -> bytes:
    """A canonical 44-byte PCM16 WAV header."""
    block_align = 2 * channels
    return (
        b"RIFF" + struct.pack("<I", min(36 + data_bytes, 0xFFFFFFFF)) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, samplerate,
                                samplerate * block_align, block_align, 16)
        + b"data" + struct.pack("<I", min(data_bytes, 0xFFFFFFFF))
    )


def repair_wav(file: Path) -> tuple[int, bool]:
    """Make the header of our PCM16 WAV match the data on disk; (samples, changed)."""
    with open(file, "r+b") as fh:
        head = fh.read(WAV_HEADER_BYTES)
        if len(head) < WAV_HEADER_BYTES or head[:4] != b"RIFF" or head[36:40] != b"data":
            raise SessionError(f"{file} is not a WAV file written by mirror; cannot repair it")
        channels, samplerate = struct.unpack("<HI", head[22:28])
        size = fh.seek(0, io.SEEK_END)
        align = 2 * channels
        data = (size - WAV_HEADER_BYTES) // align * align
        header = wav_header(samplerate=samplerate, channels=channels, data_bytes=data)
        changed = header != head or size != WAV_HEADER_BYTES + data
        if changed:
            fh.truncate(WAV_HEADER_BYTES + data)
            fh.seek(0)
            fh.write(header)
    return data // align, changed


def repair_session(path: str | os.PathLike[str]) -> RepairReport:
    """Make an interrupted session valid: WAV header, torn log lines, the video's torn fragment.

    A session that is complete is left as it is. Refuses a session that is still recording.
    """
    from mirror.media.repair import count_video_frames, salvage_video  # PyAV, when repairing

    path = Path(path)
    manifest = read_manifest(path)
    previous = str(manifest.get("status"))
    if is_recording(path):
        raise SessionError(f"{path} is still being recorded; nothing to repair")
    release_space(path)  # a dead recorder's reserve: the room the repair may need
    actions: list[str] = []
    video = path / str(manifest.get("video", {}).get("file", VIDEO))
    audio_meta = manifest.get("audio") or {}
    audio = path / str(audio_meta.get("file", AUDIO)) if audio_meta else None
    interrupted = previous == "recording"

    for name in (FRAMES, AUDIO_BLOCKS):
        if _truncate_torn_line(path / name):
            actions.append(f"cut a torn line off {name}")
    frame_rows = _read_rows(path / FRAMES, FRAMES_HEADER)

    n_frames = len(frame_rows)
    if video.is_file() and (interrupted or count_video_frames(video) != n_frames):
        times, changed = salvage_video(video)
        if changed:
            actions.append(f"remuxed {video.name} ({len(times)} complete frames)")
        n_frames = len(times)
        if n_frames < len(frame_rows):
            actions.append(f"dropped {len(frame_rows) - n_frames} frame times past the video's end")
            frame_rows = frame_rows[:n_frames]
        elif n_frames > len(frame_rows) and frame_rows:
            # The video's pts count from its first frame: anchor them on the first logged time.
            extra = times[len(frame_rows) :] - times[0] + float(frame_rows[0][1])
            actions.append(f"restored {len(extra)} frame times from the video")
            frame_rows += [[str(len(frame_rows) + i), f"{t:.6f}"] for i, t in enumerate(extra)]
        elif n_frames > len(frame_rows):
            actions.append("no frame times were logged: estimated them from the video's pts")
            frame_rows = [[str(i), f"{t:.6f}"] for i, t in enumerate(times)]
        _rewrite_rows(path / FRAMES, FRAMES_HEADER, frame_rows)
    elif not video.is_file():
        if interrupted:
            actions.append("no video was written")
        n_frames = 0

    samples = 0
    if audio is not None and audio.is_file():
        samples, changed = repair_wav(audio)
        if changed:
            actions.append(f"fixed {audio.name} header ({samples} samples)")
        block_rows = _read_rows(path / AUDIO_BLOCKS, AUDIO_BLOCKS_HEADER)
        kept = [r for r in block_rows if int(r[1]) + int(r[2]) <= samples]
        if len(kept) != len(block_rows) or interrupted:
            _rewrite_rows(path / AUDIO_BLOCKS, AUDIO_BLOCKS_HEADER, kept)
        if len(kept) < len(block_rows):
            actions.append(f"dropped {len(block_rows) - len(kept)} audio blocks past the WAV's end")

    frame_times = np.array([float(r[1]) for r in frame_rows])
    duration = float(frame_times[-1]) if len(frame_times) else 0.0
    if audio is not None and samples and audio_meta.get("samplerate"):
        start = audio_meta.get("start_s") or 0.0
        duration = max(duration, float(start) + samples / float(audio_meta["samplerate"]))
    status = previous
    if interrupted:
        status = "interrupted"
        started = manifest.get("started")
        stopped = None
        if started:
            with contextlib.suppress(ValueError):
                stop = datetime.fromisoformat(started) + timedelta(seconds=duration)
                stopped = stop.isoformat()
        manifest.update(
            status=status,
            stopped=stopped,
            stop_reason="the recorder stopped unexpectedly (repaired)",
            duration_s=round(duration, 3),
            repaired={
                "at": datetime.now(UTC).isoformat(),
                "actions": actions,
            },
        )
        manifest.setdefault("video", {})["frames"] = n_frames
        if audio_meta:
            manifest["audio"]["samples"] = samples
        write_manifest(path, manifest)
        actions.append("marked the session interrupted")
    with contextlib.suppress(FileNotFoundError):
        if not is_recording(path):
            (path / LOCK).unlink()
    return RepairReport(path, previous, status, tuple(actions), n_frames, samples, duration)


def stale_sessions(root: str | os.PathLike[str]) -> list[Path]:
    """Sessions left `recording` by a recorder that is gone."""
    out = []
    for p in list_sessions(root):
        with contextlib.suppress(SessionError):
            if read_manifest(p).get("status") == "recording" and not is_recording(p):
                out.append(p)
    return out


def iter_repairs(root: str | os.PathLike[str]) -> Iterator[RepairReport]:
    """Repair every stale session under `root` (what `mirror record` does at start)."""
    for p in stale_sessions(root):  # the recorder takes the lock before writing the manifest
        yield repair_session(p)
