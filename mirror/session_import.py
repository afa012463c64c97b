"""A video recorded elsewhere, taken in as a session: the app's "Analyse a file" keeps its
results in the sessions folder (listed on Home, reopened without analysing again), as a recorded
rehearsal's are. The video stays where it is; the manifest points to it and remembers its size
and modification time, so the same file is found again and a changed file is not."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from mirror.errors import InputError, MirrorError, shown_path
from mirror.session import (
    ANALYSIS,
    SESSION_FORMAT,
    copy_script,
    list_sessions,
    new_session_dir,
    read_manifest,
    write_manifest,
)


def file_identity(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The file's absolute path, size and modification time (what makes it "the same file")."""
    p = Path(path).expanduser().resolve()
    try:
        st = p.stat()
    except OSError as exc:
        raise InputError(f"{shown_path(path)}: cannot read it ({exc.strerror})") from None
    return {"file": str(p), "size": st.st_size, "mtime": round(st.st_mtime, 3)}


def find_imported(root: str | os.PathLike[str], video: str | os.PathLike[str]) -> Path | None:
    """The newest session that took in this very file (same path, size and time), if any."""
    wanted = file_identity(video)
    for session in reversed(list_sessions(root)):
        if read_manifest(session).get("imported") == wanted:
            return session
    return None


def is_analysed(session: Path) -> bool:
    return (session / ANALYSIS / "events.json").is_file()


def import_video(video: str | os.PathLike[str], root: str | os.PathLike[str], *,
                 profile: str | None = None, script: str | os.PathLike[str] | None = None,
                 audio: str | os.PathLike[str] | None = None) -> Path:
    """Create a session for `video` (not copied: the manifest points to it) and return it."""
    identity = file_identity(video)
    script_path = Path(script).expanduser() if script else None
    if script_path is not None and not script_path.is_file():
        raise InputError(f"no such script file: {shown_path(script_path)}")
    audio_id = file_identity(audio) if audio else None
    session = new_session_dir(root, profile)
    write_manifest(session, {
        "format": SESSION_FORMAT, "kind": "rehearsal", "status": "complete",
        "profile": profile, "imported": identity,
        "script": copy_script(script_path, session) if script_path else None,
        "started": datetime.now().astimezone().isoformat(), "stopped": None,
        "stop_reason": "imported", "duration_s": None,
        "video": {"file": identity["file"]},
        "audio": {"file": audio_id["file"], "start_s": 0.0} if audio_id else None,
    })
    return session


def session_title(session: Path) -> str:
    """A session as the user knows it: the video it took in ("talk.mp4"), else its folder name."""
    try:
        imported = read_manifest(session).get("imported")
    except MirrorError:
        imported = None
    return Path(imported["file"]).name if isinstance(imported, dict) else session.name
