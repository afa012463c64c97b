"""Privacy: the analysis and the report work with no network at all and use none; everything a
session holds is private to its owner (0700 folders, 0600 files); `mirror delete` leaves nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_faults import CLIP_S, ENV, ROOT, error_lines, face_clip, mirror_cmd

from mirror.capture.testclip import write_test_wav
from mirror.cli import main
from mirror.face.model import resolve_model_path
from mirror.pipeline import analyse_video
from mirror.report import write_report
from mirror.session import list_sessions, new_session_dir, write_manifest

# -- no network ---------------------------------------------------------------------------------
_SEEN: list[tuple[str, str]] = []
_WATCH = threading.Event()
_HOOKED: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _WATCH.is_set() and event.startswith(("socket.", "urllib.", "http.", "ftplib.", "smtplib.")):
        _SEEN.append((event, repr(args)[:120]))


@contextlib.contextmanager
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Record every socket (and URL) operation Python makes, and make connecting fail."""
    if not _HOOKED:  # an audit hook cannot be removed: one per process, switched by _WATCH
        sys.addaudithook(_audit)
        _HOOKED.append(True)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network use during the analysis: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    _SEEN.clear()
    _WATCH.set()
    try:
        yield _SEEN
    finally:
        _WATCH.clear()


def netns_available() -> str | None:
    """Why `unshare --net` cannot be used here, or None."""
    if os.geteuid() != 0:
        return "a network namespace (unshare --net) needs root"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    r = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True)
    if r.returncode != 0:
        return f"unshare --net is not permitted here: {r.stderr.strip()}"
    return None


@pytest.fixture(scope="module")
def offline_run(clip_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The clip analysed in this process with every socket operation watched and refused."""
    clip = face_clip(clip_cache)
    out = tmp_path_factory.mktemp("offline") / "out"
    mp = pytest.MonkeyPatch()
    try:
        with no_network(mp) as seen:
            doc = analyse_video(clip, out, workers=1).to_json()
            report = write_report(out)
            calls = list(seen)
    finally:
        mp.undo()
    return {"clip": clip, "out": out, "doc": doc, "calls": calls, "report": report}


def test_analysis_and_report_use_no_socket(offline_run: dict[str, Any]) -> None:
    assert offline_run["calls"] == []
    assert offline_run["doc"]["events"], "the clip should give events"
    assert offline_run["report"]["html"].is_file()


@pytest.mark.timeout(180)
def test_analyse_and_report_in_a_network_namespace(offline_run: dict[str, Any],
                                                   tmp_path: Path) -> None:
    why = netns_available()
    if why:
        pytest.skip(why)
    probe = ("import socket; s = socket.socket(); s.settimeout(2)\n"
             "try:\n s.connect(('192.0.2.1', 80)); print('connected')\n"
             "except OSError as e:\n print(e.errno)")
    r = subprocess.run(["unshare", "--net", sys.executable, "-c", probe],
                       capture_output=True, text=True)
    assert r.stdout.strip() not in ("connected", ""), "the namespace should have no network"

    out = tmp_path / "netns"
    clip = str(offline_run["clip"])
    r = subprocess.run(["unshare", "--net", *mirror_cmd("analyse", clip, "--out", str(out),
                                                        "--workers", "1", "-q", "--no-report")],
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, error_lines(r.stderr)
    r = subprocess.run(["unshare", "--net", *mirror_cmd("report", str(out))],
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, error_lines(r.stderr)
    assert (out / "report.html").is_file()
    assert json.loads((out / "events.json").read_text()) == offline_run["doc"]


# -- private files; delete leaves nothing -------------------------------------------------------
def tree(root: Path) -> list[Path]:
    return sorted([root, *root.rglob("*")])


def modes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root.parent)): oct(stat.S_IMODE(p.lstat().st_mode)) for p in tree(root)}


@pytest.fixture(scope="module")
def recorded(clip_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`mirror record`, `mirror analyse SESSION` and `mirror report SESSION`, with a fresh HOME,
    cache and TMPDIR to see whether anything is written outside the session."""
    base = tmp_path_factory.mktemp("private")
    dirs = {k: base / k for k in ("home", "cache", "tmp", "sessions")}
    for d in dirs.values():
        d.mkdir()
    env = {**ENV, "HOME": str(dirs["home"]), "XDG_CACHE_HOME": str(dirs["cache"]),
           "TMPDIR": str(dirs["tmp"]), "MIRROR_FACE_MODEL": str(resolve_model_path(None))}
    audio = write_test_wav(base / "talk.wav", seconds=CLIP_S)
    r = subprocess.run(
        mirror_cmd("record", "--camera", str(face_clip(clip_cache)), "--microphone", str(audio),
                   "--sessions-dir", str(dirs["sessions"]), "--profile", "sales-pitch", "-q",
                   "--no-analyse"),
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, error_lines(r.stderr)
    (session,) = list_sessions(dirs["sessions"])
    r = subprocess.run(mirror_cmd("analyse", str(session), "-q", "--no-report"), cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, error_lines(r.stderr)
    r = subprocess.run(mirror_cmd("report", str(session)), cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, error_lines(r.stderr)
    return {"session": session, "env": env, **dirs}


def test_session_files_are_private(recorded: dict[str, Any]) -> None:
    session: Path = recorded["session"]
    analysis = session / "analysis"
    for name in ("events.json", "tracks.npz", "expressions.npz", "report.html", "report.md",
                 "report.json"):
        assert (analysis / name).is_file(), name
    assert any((analysis / "report_files").iterdir())
    got = modes(session)
    files = {k: v for k, v in got.items() if not (recorded["sessions"] / k).is_dir()}
    assert set(files.values()) == {"0o600"}, files
    assert got[session.name] == "0o700"
    # nothing in the session can be reached by anyone else: its own folder is 0700
    assert stat.S_IMODE(session.stat().st_mode) & 0o077 == 0


def test_session_subfolders_are_private(recorded: dict[str, Any]) -> None:
    got = modes(recorded["session"])
    dirs = {k: v for k, v in got.items() if (recorded["sessions"] / k).is_dir()}
    assert set(dirs.values()) == {"0o700"}, dirs


def test_delete_leaves_nothing(recorded: dict[str, Any]) -> None:
    session: Path = recorded["session"]
    r = subprocess.run(mirror_cmd("delete", "--yes", str(session)), cwd=ROOT,
                       env=recorded["env"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, error_lines(r.stderr)
    assert r.stdout.strip() == f"deleted {session}"
    assert not session.exists()
    assert list(recorded["sessions"].iterdir()) == []
    # record, analyse and report wrote nothing outside the session: no cache, no temp files
    # (matplotlib may make its empty config folder and its font list: nothing of the session)
    outside = [p for k in ("home", "cache", "tmp") for p in recorded[k].rglob("*") if p.is_file()]
    for p in outside:
        assert "matplotlib" in p.parts and session.name.encode() not in p.read_bytes(), p
    assert [p for p in outside if "matplotlib" not in p.parts] == []


def test_delete_removes_the_calibration_measured_from_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    session = new_session_dir(tmp_path / "sessions", "calibration")
    write_manifest(session, {"format": "mirror.session/1", "kind": "calibration",
                             "status": "complete"})
    mine = tmp_path / "calibration.json"
    other = tmp_path / "profiles" / "calibration-someone.json"
    other.parent.mkdir()
    mine.write_text(json.dumps({"source": str(session / "video.mp4"), "neutral": {}}))
    other.write_text(json.dumps({"source": str(tmp_path / "elsewhere" / "video.mp4")}))
    monkeypatch.setenv("MIRROR_CALIBRATION", str(mine))
    monkeypatch.setenv("MIRROR_PROFILES", str(other.parent))
    assert main(["delete", "--yes", str(session)]) == 0
    assert "calibration" in capsys.readouterr().out
    assert not session.exists() and not mine.exists() and other.exists()
