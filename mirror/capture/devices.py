"""Listing cameras (V4L2 nodes / OpenCV indices) and microphones (PortAudio) with their modes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from mirror.capture.camera import _device_busy, video_device_nodes
from mirror.capture.microphone import import_sounddevice

COMMON_SIZES = ((640, 480), (1280, 720), (1920, 1080))
COMMON_RATES = (8000, 16000, 22050, 32000, 44100, 48000, 96000)


@dataclass(frozen=True)
class CameraInfo:
    index: int
    path: str | None
    name: str
    modes: list[str] = field(default_factory=list)  # e.g. "MJPG 1280x720@30"
    usable: bool = True
    note: str = ""


@dataclass(frozen=True)
class MicrophoneInfo:
    index: int
    name: str
    hostapi: str
    channels: int
    default_samplerate: int
    samplerates: list[int]
    is_default: bool


def _v4l2_modes(node: Path) -> list[str]:
    """Formats, sizes and rates from `v4l2-ctl --list-formats-ext` (when v4l-utils is there)."""
    exe = shutil.which("v4l2-ctl")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, "-d", str(node), "--list-formats-ext"], capture_output=True,
                             text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    modes, fmt, size = [], "", ""
    for line in out.splitlines():
        if m := re.search(r"\[\d+\]: '(\w+)'", line):
            fmt = m.group(1)
        elif m := re.search(r"Size: \w+ (\d+x\d+)", line):
            size = m.group(1)
        elif (m := re.search(r"\(([\d.]+) fps\)", line)) and size:
            modes.append(f"{fmt} {size}@{float(m.group(1)):g}")
    return modes


def _opencv_modes(cap: cv2.VideoCapture) -> list[str]:
    """Sizes the driver accepts among the common ones, probed through OpenCV."""
    modes = []
    for w, h in COMMON_SIZES:
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
        got = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        fps = cap.get(cv2.CAP_PROP_FPS)
        mode = f"{got[0]}x{got[1]}@{fps:g}"
        if got == (w, h) and mode not in modes:
            modes.append(mode)
    return modes


def _probe(source: int | str, index: int, path: str | None, name: str) -> CameraInfo:
    if path is not None and not os.access(path, os.R_OK | os.W_OK):
        return CameraInfo(index, path, name, usable=False,
                          note="permission denied (join the 'video' group)")
    if path is not None and _device_busy(Path(path)):
        return CameraInfo(index, path, name, usable=False, note="busy (in use by another program)")
    cap = cv2.VideoCapture(source, cv2.CAP_V4L2) if path else cv2.VideoCapture(source)
    try:
        if not cap.isOpened():
            return CameraInfo(index, path, name, usable=False,
                              note="not a capture device (a metadata node?)")
        modes = (_v4l2_modes(Path(path)) if path else []) or _opencv_modes(cap)
        return CameraInfo(index, path, name, modes=modes)
    finally:
        cap.release()


def list_cameras(*, max_index: int = 4) -> list[CameraInfo]:
    """V4L2 nodes on Linux; elsewhere (no /dev/video*), OpenCV indices 0..max_index-1 that open."""
    nodes = video_device_nodes()
    if nodes:
        found = []
        for node in nodes:
            sys_name = Path("/sys/class/video4linux") / node.name / "name"
            name = sys_name.read_text().strip() if sys_name.is_file() else node.name
            found.append(_probe(str(node), int(node.name[5:]), str(node), name))
        return found
    if sys.platform.startswith("linux"):
        return []  # Linux without any /dev/video*: there is nothing to probe
    found = []
    for i in range(max_index):
        info = _probe(i, i, None, f"camera {i}")
        if info.usable:
            found.append(info)
    return found


def list_microphones() -> list[MicrophoneInfo]:
    """Input devices known to PortAudio; raises PortAudioMissingError without the library."""
    sd = import_sounddevice()
    try:
        default_in = sd.default.device[0]
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    except sd.PortAudioError:
        return []
    mics = []
    for dev in devices:
        if int(dev["max_input_channels"]) < 1:
            continue
        rates = []
        for rate in COMMON_RATES:
            try:
                sd.check_input_settings(device=dev["index"], channels=1, dtype="int16",
                                        samplerate=rate)
            except (ValueError, sd.PortAudioError):
                continue
            rates.append(rate)
        mics.append(MicrophoneInfo(
            index=int(dev["index"]), name=str(dev["name"]),
            hostapi=str(hostapis[dev["hostapi"]]["name"]),
            channels=int(dev["max_input_channels"]),
            default_samplerate=int(dev["default_samplerate"]), samplerates=rates,
            is_default=int(dev["index"]) == default_in,
        ))
    return mics
