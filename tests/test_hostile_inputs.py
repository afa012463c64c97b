"""Hostile inputs, generated here at test time, through the real `mirror` command.

Each gives either one line `mirror: error: ...` and a non-zero exit code (nothing useful could be
done), or a finished analysis with a `warning:` line where something was left out; never a
traceback. The cases and what the user sees are listed in docs/reliability.md ("Hostile inputs").
Cases already in test_bad_input.py (empty, text, truncated, audio only, folder, missing file, no
face, unknown profile) are not repeated.

One 2-second 320x240 face clip is rendered per module; every video case is made from its frames
or its packets. Cases that only change the audio reuse the baseline's face tracks (`--reuse`), so
the face model runs only where the video itself differs.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from test_bad_input import one_line_error, write_video
from test_media import write as write_timed

from mirror.synth.render import render_clip
from mirror.synth.spec import random_spec
from mirror.tracks import load_tracks

FPS = 30
SIZE = (320, 240)  # width, height of the generated face clip


LOG = os.environ.get("MIRROR_HOSTILE_LOG")  # a file: each run's exit code and lines (for the docs)


def cli(*args: str | bytes | os.PathLike, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m mirror ARGS` (bytes allowed: file names that are not UTF-8)."""
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mirror", *args], capture_output=True, text=True,
                          errors="backslashreplace", timeout=timeout)
    proc.elapsed = time.monotonic() - t0  # type: ignore[attr-defined]
    if LOG:
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(("mirror:", "warning:"))]
        with open(LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": os.environ.get("PYTEST_CURRENT_TEST", ""),
                                 "args": [os.fsdecode(a)[-60:] for a in args[:2]],
                                 "rc": proc.returncode, "lines": lines,
                                 "s": round(proc.elapsed, 1)}) + "\n")
    return proc


def error_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    return one_line_error(proc)


def finished(proc: subprocess.CompletedProcess) -> list[str]:
    """Assert a finished analysis (exit 0, no error, no traceback); return its warning lines."""
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert not [ln for ln in proc.stderr.splitlines() if ln.startswith("mirror:")], proc.stderr
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]


def events_of(out: Path) -> dict:
    return json.loads((out / "events.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------- the material

@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def clip(home: Path) -> Path:
    """A 2 s, 30 fps, 320x240 talking face without audio."""
    spec = replace(random_spec(5, duration_s=2.0, n_episodes=0), size=SIZE)
    render_clip(spec, home / "face.mp4")
    return home / "face.mp4"


@pytest.fixture(scope="module")
def frames(clip: Path) -> list[np.ndarray]:
    with av.open(str(clip)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.fixture(scope="module")
def baseline(clip: Path, home: Path) -> dict:
    """The clean clip's analysis: its face tracks are reused by the audio cases."""
    out = home / "base"
    finished(cli("analyse", clip, "--out", out, "--workers", "1", "--no-report"))
    doc = events_of(out)
    assert doc["frames"] == 60 and doc["face_found_ratio"] > 0.9
    return {"out": out, "doc": doc}


def reuse_copy(baseline: dict, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(baseline["out"], out)
    (out / "events.json").unlink()
    return out


def analyse(video: str | bytes | os.PathLike, *extra: str | os.PathLike,
            **kw: float) -> subprocess.CompletedProcess:
    return cli("analyse", video, "--workers", "1", "--no-report", *extra, **kw)


def pcm(n: int, channels: int, seed: int = 0) -> np.ndarray:
    """(n, channels) int16: a voiced-sounding tone in noise, quiet enough not to clip."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000.0
    x = 0.2 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
    x = x + 0.01 * rng.standard_normal(n)
    return np.repeat((x * 32767).astype(np.int16)[:, None], channels, axis=1)


def wav_bytes(samples: np.ndarray, *, rate: int) -> bytes:
    """A plain PCM WAVE file written by hand, so its header can say what a muxer would refuse
    (rate 0, 8 channels without a channel mask)."""
    channels = samples.shape[1]
    data = samples.astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + \
        struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def remux(src: Path, dst: Path, *, codec: str, rate: int, layout: str,
          samples: np.ndarray | None = None, garbage: bool = False) -> None:
    """`src`'s video packets as they are, plus an audio track; `garbage` replaces every audio
    packet's payload with random bytes (the codec headers stay valid)."""
    rng = np.random.default_rng(1)
    channels = av.AudioLayout(layout).nb_channels
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        vs = out.add_stream_from_template(vin)
        aus = out.add_stream(codec, rate=rate, layout=layout)
        for pkt in inp.demux(vin):
            if pkt.dts is not None:
                pkt.stream = vs
                out.mux(pkt)
        if samples is None:
            samples = pcm(2 * rate, channels)
        fmt = "s16" if codec.startswith("pcm") else "fltp"
        step = 1024
        packets = []
        for i in range(0, len(samples), step):
            block = samples[i:i + step]
            if fmt == "s16":
                frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16",
                                                   layout=layout)
            else:
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(block.T, dtype=np.float32) / 32768, format="fltp",
                    layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, i, Fraction(1, rate)
            packets += aus.encode(frame)
        packets += aus.encode()
        for pkt in packets:
            if garbage:
                bad = av.Packet(rng.bytes(pkt.size))
                bad.pts, bad.dts, bad.time_base = pkt.pts, pkt.dts, pkt.time_base
                bad.stream = aus
                pkt = bad
            out.mux(pkt)


# ----------------------------------------------------------------------------- what the file is

@pytest.mark.parametrize("ext", [".txt", ".wav", ".jpg"])
def test_real_mp4_with_a_wrong_extension_is_analysed(clip: Path, tmp_path: Path, ext: str):
    f = tmp_path / f"rehearsal{ext}"
    shutil.copy(clip, f)
    finished(analyse(f, "--out", tmp_path / "out"))
    doc = events_of(tmp_path / "out")
    assert doc["frames"] == 60 and doc["face_found_ratio"] > 0.9


@pytest.mark.parametrize("name", ["photo.png", "photo.jpg", "photo-named.mp4"])
def test_still_image_is_refused(frames: list[np.ndarray], tmp_path: Path, name: str):
    import cv2

    f = tmp_path / name
    ok, data = cv2.imencode(".png" if name.endswith("png") else ".jpg", frames[0][:, :, ::-1])
    assert ok
    f.write_bytes(data.tobytes())
    line = error_line(analyse(f, "--out", tmp_path / "out"))
    assert "still image" in line and name in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("n, what", [(1, "a single frame, not a video"),
                                     (5, "only 5 frames: too short to analyse")])
def test_video_of_a_few_frames_is_refused(frames: list[np.ndarray], tmp_path: Path, n: int,
                                          what: str):
    f = tmp_path / "blink.mp4"
    write_video(f, np.stack(frames[:n]))
    line = error_line(analyse(f, "--out", tmp_path / "out"))
    assert what in line


def test_8k_frames_are_scaled_down(frames: list[np.ndarray], tmp_path: Path):
    import cv2

    big = np.zeros((4320, 7680, 3), np.uint8)
    face = cv2.resize(frames[0], (5760, 4320), interpolation=cv2.INTER_LINEAR)
    big[:, 960:960 + 5760] = face
    f = tmp_path / "8k.mp4"
    with av.open(str(f), "w") as c:  # ten frames (the fewest analysed), the same picture
        s = c.add_stream("libx264", rate=10, options={"preset": "ultrafast", "crf": "35"})
        s.width, s.height, s.pix_fmt = 7680, 4320, "yuv420p"
        frame = av.VideoFrame.from_ndarray(big, format="rgb24").reformat(format="yuv420p")
        for i in range(10):
            frame.pts = i
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    proc = analyse(f, "--out", tmp_path / "out")
    finished(proc)
    doc = events_of(tmp_path / "out")
    assert doc["frames"] == 10 and doc["face_found_ratio"] == 1.0
    meta = load_tracks(tmp_path / "out" / "tracks.npz").meta
    assert (meta["width"], meta["height"]) == (7680, 4320)


def test_variable_frame_rate_keeps_real_times(frames: list[np.ndarray], tmp_path: Path):
    gaps = [33, 33, 50, 20, 100, 33, 41, 33, 66, 33] * 6  # ms between frames: 20-100, irregular
    pts = [0, *np.cumsum(gaps[: len(frames) - 1]).tolist()]
    f = tmp_path / "vfr.mkv"
    write_timed(f, frames, [int(p) for p in pts])
    finished(analyse(f, "--out", tmp_path / "out"))
    doc = events_of(tmp_path / "out")
    assert doc["frames"] == len(frames) and doc["face_found_ratio"] > 0.9
    assert abs(doc["duration_s"] - pts[-1] / 1000) < 0.15
    t = load_tracks(tmp_path / "out" / "tracks.npz").t
    assert np.allclose(t, np.array(pts) / 1000, atol=0.002)


def test_rotated_phone_video_is_turned_upright(frames: list[np.ndarray], tmp_path: Path):
    stored = [np.ascontiguousarray(np.rot90(f, -1)) for f in frames]  # the sensor's landscape
    f = tmp_path / "phone.mp4"
    write_timed(f, stored, [round(i * 1000 / FPS) for i in range(len(stored))], rotation=90)
    finished(analyse(f, "--out", tmp_path / "out"))
    doc = events_of(tmp_path / "out")
    assert doc["frames"] == len(frames) and doc["face_found_ratio"] > 0.9
    meta = load_tracks(tmp_path / "out" / "tracks.npz").meta
    assert meta["rotation"] in (90, 270) and (meta["width"], meta["height"]) == SIZE


# ------------------------------------------------------------------------------------ the audio

def test_corrupt_audio_track_keeps_the_expressions(clip: Path, tmp_path: Path):
    f = tmp_path / "garbled.mp4"
    remux(clip, f, codec="aac", rate=16000, layout="mono", garbage=True)
    warnings = finished(analyse(f, "--out", tmp_path / "out"))
    doc = events_of(tmp_path / "out")
    assert doc["frames"] == 60 and doc["face_found_ratio"] > 0.9
    assert any("audio track is damaged" in w for w in warnings), warnings


@pytest.mark.parametrize("rate, what", [(0, "cannot be read as audio"),
                                        (1, "sample rate is 1 Hz")])
def test_impossible_sample_rate_is_refused(baseline: dict, clip: Path, tmp_path: Path,
                                           rate: int, what: str):
    f = tmp_path / "voice.wav"
    f.write_bytes(wav_bytes(pcm(48000, 1), rate=rate))  # at 1 Hz: 13 hours of "audio"
    proc = analyse(clip, "--out", reuse_copy(baseline, tmp_path), "--reuse", "--audio", f)
    line = error_line(proc)
    assert "voice.wav" in line and what in line
    assert proc.elapsed < 30  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    """(32000,) float32 at 16 kHz: 2 s of espeak-ng saying a pitch line."""
    from mirror.speech.synth import espeak_available, synthesize_word

    if not espeak_available():
        pytest.skip("espeak-ng is not installed (./dev installs it)")
    x = synthesize_word("the price is ten percent lower than last year")[:32000]
    return np.pad(x, (0, 32000 - x.size)).astype(np.float32)


def as_pcm(speech: np.ndarray, rate: int, channels: int) -> np.ndarray:
    """(n, channels) int16 at `rate` Hz; every channel carries the speech."""
    from mirror.speech.audio import resample_audio

    x = resample_audio(speech, sr_in=16000, sr_out=rate)
    return np.repeat((np.clip(x, -1, 1) * 32000).astype(np.int16)[:, None], channels, axis=1)


def heard(proc: subprocess.CompletedProcess, out: Path) -> list[str]:
    """The words the speech stage recognised; asserts the audio was used without a warning."""
    warnings = finished(proc)
    assert not [w for w in warnings if "audio" in w or "speech" in w], warnings
    words = [w.get("text", w.get("word", "")) for w in events_of(out)["speech"]["words"]]
    assert len(words) >= 3, words
    return words


@pytest.mark.parametrize("rate, channels, mask", [(192000, 1, False), (48000, 8, True),
                                                  (48000, 8, False)])
def test_unusual_audio_file_is_heard(baseline: dict, clip: Path, tmp_path: Path,
                                     speech: np.ndarray, rate: int, channels: int, mask: bool):
    f = tmp_path / "voice.wav"
    samples = as_pcm(speech, rate, channels)
    if mask:  # written by FFmpeg: WAVE_FORMAT_EXTENSIBLE with the 7.1 channel mask
        with av.open(str(f), "w") as c:
            s = c.add_stream("pcm_s16le", rate=rate, layout="7.1")
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16",
                                               layout="7.1")
            frame.sample_rate = rate
            for p in [*s.encode(frame), *s.encode()]:
                c.mux(p)
    else:  # a plain header: channels and rate only, as simple recorders write it
        f.write_bytes(wav_bytes(samples, rate=rate))
    out = reuse_copy(baseline, tmp_path)
    heard(analyse(clip, "--out", out, "--reuse", "--audio", f), out)


@pytest.mark.parametrize("rate, layout", [(192000, "mono"), (48000, "7.1")])
def test_unusual_audio_track_of_the_video_is_heard(baseline: dict, clip: Path, tmp_path: Path,
                                                   speech: np.ndarray, rate: int, layout: str):
    f = tmp_path / "take.mkv"
    remux(clip, f, codec="pcm_s16le", rate=rate, layout=layout,
          samples=as_pcm(speech, rate, av.AudioLayout(layout).nb_channels))
    out = reuse_copy(baseline, tmp_path)
    heard(analyse(f, "--out", out, "--reuse"), out)


# ----------------------------------------------------------------------------------- file names

def test_video_name_that_is_not_utf8_is_refused(clip: Path, tmp_path: Path):
    f = os.path.join(os.fsencode(tmp_path), b"take-\xff\xfe.mp4")
    shutil.copy(clip, f)
    line = error_line(cli("analyse", f, "--workers", "1"))
    assert "take-\\xff\\xfe.mp4" in line and "not valid UTF-8" in line
    assert not os.path.exists(f + b".mirror")


def test_output_folder_name_that_is_not_utf8_is_refused(clip: Path, tmp_path: Path):
    out = os.path.join(os.fsencode(tmp_path), b"out-\xe9t\xe9")  # Latin-1 "été"
    line = error_line(cli("analyse", clip, "--out", out))
    assert "out-\\xe9t\\xe9" in line and "not valid UTF-8" in line
    assert not os.path.exists(out)
    os.mkdir(out)
    line = error_line(cli("report", out))
    assert "out-\\xe9t\\xe9" in line and "not valid UTF-8" in line


def _deep_dir(root: Path, total: int) -> bytes:
    """Make nested 200-byte folders under `root` until the path is `total` bytes long."""
    path = os.fsencode(root)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while len(path) < total:
            name = b"d" * min(200, max(1, total - len(path) - 1))
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, path = nfd, path + b"/" + name
    finally:
        os.close(fd)
    return path


def test_255_byte_name_in_a_deep_folder(clip: Path, tmp_path: Path):
    folder = _deep_dir(tmp_path, 3000)
    f = folder + b"/" + b"n" * 251 + b".mp4"
    shutil.copy(clip, f)
    proc = cli("analyse", f, "--workers", "1", "--no-report")
    finished(proc)
    outs = [p for p in os.listdir(folder) if p.endswith(b".mirror")]
    assert len(outs) == 1 and len(outs[0]) <= 255
    with open(folder + b"/" + outs[0] + b"/events.json", "rb") as fh:
        assert json.load(fh)["frames"] == 60


def test_path_longer_than_the_system_allows(clip: Path, tmp_path: Path):
    folder = _deep_dir(tmp_path, 4200)  # PATH_MAX is 4096 on Linux
    line = error_line(cli("analyse", folder + b"/take.mp4"))
    assert "too long" in line


# ------------------------------------------------------------------------------------ --script

@pytest.mark.parametrize("kind", ["random", "png", "huge"])
def test_script_that_is_not_a_pitch(clip: Path, tmp_path: Path, kind: str):
    f = tmp_path / "pitch.md"
    if kind == "random":
        f.write_bytes(np.random.default_rng(2).bytes(4096))
    elif kind == "png":
        import cv2

        f.write_bytes(cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes())
    else:
        with open(f, "w", encoding="utf-8") as fh:
            line = "We save you ten percent on every order, and the price is fixed. " * 16 + "\n"
            for _ in range(50 * 2**20 // len(line)):
                fh.write(line)
    proc = analyse(clip, "--out", tmp_path / "out", "--script", f)
    line = error_line(proc)
    assert "pitch.md" in line
    assert ("1 MB" in line) if kind == "huge" else ("text" in line)
    assert proc.elapsed < 20  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()  # refused before the face model ran


# ------------------------------------------------------------------------- mirror report folders

EVENT = {"id": "e1", "expression": "anger", "kind": "leak", "micro": True, "start_s": 1.0,
         "apex_s": 1.1, "end_s": 1.3, "intensity": 0.5, "score": 0.5, "regions": ["brows"]}
DOC = {"schema": "mirror.events/2", "source": "none.mp4", "duration_s": 10.0, "fps": 30.0,
       "frames": 300, "profile": "sales-pitch", "summary": {}, "warnings": [], "events": []}


REPORT_CASES: dict[str, str | bytes] = {
    "truncated": json.dumps(DOC)[:40],
    "not-utf8": b"\xff\xfe\x00garbage",
    "a-list": "[1, 2, 3]",
    "other-schema": json.dumps({**DOC, "schema": "something.else/9"}),
    "nested-deep": "[" * 100_000 + "]" * 100_000,
    "events-a-string": json.dumps({**DOC, "events": "none"}),
    "duration-a-word": json.dumps({**DOC, "duration_s": "ten"}),
    "event-missing-fields": json.dumps({**DOC, "events": [{"start_s": 1.0}]}),
    "event-start-a-word": json.dumps({**DOC, "events": [{"start_s": "one"}]}),
    "event-far-future": json.dumps({**DOC, "events": [{**EVENT, "apex_s": 1e308}]}),
    "event-evidence-a-word": json.dumps({**DOC, "events": [{**EVENT, "evidence": "x"}]}),
    "warnings-a-number": json.dumps({**DOC, "warnings": 5}),
    "speech-words-a-number": json.dumps({**DOC, "speech": {"words": 5}}),
    "speech-word-at-no-time": json.dumps({**DOC, "speech": {"words": [{"start": "x"}]}}),
}


def run_all(jobs: dict[str, tuple]) -> dict[str, subprocess.CompletedProcess]:
    """Quick one-line-error cases, two at a time (most of their time is Python starting)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(cli, *args, timeout=60) for name, args in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


@pytest.fixture(scope="module")
def report_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    home = tmp_path_factory.mktemp("reports")
    jobs = {}
    for name, content in REPORT_CASES.items():
        (home / name).mkdir()
        data = content if isinstance(content, bytes) else content.encode()
        (home / name / "events.json").write_bytes(data)
        jobs[name] = ("report", home / name)
    return run_all(jobs)


def test_events_doc_here_is_the_current_schema():
    from mirror.events.model import EVENTS_SCHEMA

    assert DOC["schema"] == EVENTS_SCHEMA


@pytest.mark.parametrize("name", REPORT_CASES)
def test_report_on_a_broken_events_json(report_runs: dict, name: str):
    line = error_line(report_runs[name])
    assert f"{name}/events.json" in line


# ------------------------------------------------------------------------------------- profiles

BOMB = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
BOMB = "coaching:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + BOMB


PROFILE_CASES: dict[str, tuple[str | bytes, str]] = {
    "word-for-number": ("thresholds: {leak_max_s: abc}\n", "thresholds.leak_max_s"),
    "not-a-number": ("thresholds: {leak_max_s: .nan}\n", "thresholds.leak_max_s"),
    "list-for-map": ("thresholds: [leak_max_s, 1.0]\n", "'thresholds' must be a mapping"),
    "list-for-problems": ("problems: [anger]\n", "'problems' must be a mapping"),
    "unknown-key": ("colour: blue\n", "'colour' is unknown"),
    "unknown-nested-key": ("thresholds: {posed: {sparkle: 1}}\n", "thresholds.posed.sparkle"),
    "empty": ("", "must be a YAML mapping"),
    "not-utf8": (b"name: \xff\xfe\xfa\n", "not valid YAML"),
    "bomb-unknown-key": (BOMB.replace("coaching:", "lols:"), "'lols' is unknown"),
    "bomb-in-coaching": (BOMB + "  summary: *l9\n", "must be a text or a mapping of texts"),
    "python-tag": ('name: !!python/object/apply:os.system ["echo pwned > {pwned}"]\n',
                   "not valid YAML"),
}


@pytest.fixture(scope="module")
def profile_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`mirror analyse take.mp4 --profile NAME.yaml` for each case (the profile is read first)."""
    home = tmp_path_factory.mktemp("profiles")
    pwned = home / "pwned"
    jobs = {}
    for name, (text, _) in PROFILE_CASES.items():
        data = text if isinstance(text, bytes) else text.replace("{pwned}", str(pwned)).encode()
        (home / f"{name}.yaml").write_bytes(data)
        jobs[name] = ("analyse", home / "take.mp4", "--profile", home / f"{name}.yaml")
    return {"pwned": pwned, **run_all(jobs)}


@pytest.mark.parametrize("name", PROFILE_CASES)
def test_bad_profile_file(profile_runs: dict, name: str):
    line = error_line(profile_runs[name])
    assert f"{name}.yaml" in line and PROFILE_CASES[name][1] in line
    assert not profile_runs["pwned"].exists()  # the python tag was not run
    assert profile_runs[name].elapsed < 15  # a YAML bomb fails fast
