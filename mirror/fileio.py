"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target.

A temp file is named `.<target>.<pid>.<random>.tmp` and is 0600 from the start. A process killed
mid-write (SIGKILL, power loss) leaves its temp file behind, never a half-written target; the next
atomic write into the same folder removes the leftovers of processes that are gone. A full disk raises
`DiskFullError`, one line that says which file could not be written.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from mirror.errors import MirrorError

NO_SPACE = (errno.ENOSPC, errno.EDQUOT)  # the disk is full, or the user's quota is


class DiskFullError(MirrorError, OSError):
    """No space left for a file mirror writes (also an OSError with errno ENOSPC)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(f"the disk is full: cannot write {path} (free some space and try again)")
        self.errno = errno.ENOSPC


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temp files that atomic writes of processes now gone left in `folder`."""
    removed = []
    with contextlib.suppress(OSError):
        for p in Path(folder).iterdir():
            if not (p.name.startswith(".") and p.name.endswith(".tmp")):
                continue
            parts = p.name[1:-4].split(".")  # <target name>.<pid>.<random>
            pid = parts[-2] if len(parts) >= 3 else ""
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                    removed.append(p)
    return removed



def create_private(path: Path, mode: str = "wb", **kwargs: Any) -> Any:
    """Open a new file with permissions 0600 (media and logs are biometric data)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode, **kwargs)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temp file beside `path`; on success it replaces `path` atomically, else it vanishes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                   dir=target.parent)
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise DiskFullError(target) from exc
        raise
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in NO_SPACE and not isinstance(
                exc, DiskFullError):
            raise DiskFullError(target) from exc
        raise


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """JSON as UTF-8; text that cannot be UTF-8 (a file name of undecodable bytes, kept by
    Python as surrogates) is written as escapes instead of failing."""
    try:
        text = json.dumps(data, indent=1, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=1, ensure_ascii=True)
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)
