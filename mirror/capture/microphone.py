"""A microphone: a sounddevice `InputStream`, or an audio file streamed in real time.

Both feed the recorder through the same callback, with sounddevice's signature
`callback(indata, frames, time, status)`: `indata` is int16 `(frames, channels)`, `time` has
`inputBufferAdcTime` and `currentTime` on the source's stream clock (`stream_time()`), `status`
has `input_overflow`. The recorder maps the stream clock onto the session clock.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Protocol

import numpy as np

from mirror.capture.clock import SessionClock
from mirror.capture.errors import (
    CaptureError,
    DevicePermissionError,
    NoMicrophoneError,
    PortAudioMissingError,
    UnsupportedSampleRateError,
)
from mirror.errors import InputError
from mirror.media.audio import audio_rate, iter_pcm16

AudioCallback = Callable[[np.ndarray, int, Any, Any], None]
MicKind = Literal["default", "device", "file", "none"]


def import_sounddevice() -> ModuleType:
    """`sounddevice`, or PortAudioMissingError (one line naming the Debian package)."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise PortAudioMissingError() from exc
    return sounddevice


@dataclass(frozen=True)
class MicrophoneSpec:
    kind: MicKind
    target: str | int | None = None


def parse_microphone(arg: str | None) -> MicrophoneSpec:
    """`--microphone`: None (default input), `none`, an index, an audio file, or a device name."""
    if arg is None or arg.strip() == "":
        return MicrophoneSpec("default")
    arg = arg.strip()
    if arg.lower() in ("none", "off"):
        return MicrophoneSpec("none")
    if arg.isdigit():
        return MicrophoneSpec("device", int(arg))
    path = Path(arg).expanduser()
    if path.is_file():
        return MicrophoneSpec("file", str(path.resolve()))
    if os.sep in arg or path.suffix.lower() in (".wav", ".flac", ".mp3", ".ogg", ".m4a", ".mp4"):
        raise InputError(f"no such audio file: {arg}")
    return MicrophoneSpec("device", arg)


class Microphone(Protocol):
    samplerate: int
    channels: int

    def start(self, callback: AudioCallback, clock: SessionClock, at: float) -> None: ...
    def stream_time(self) -> float: ...
    def stop(self) -> None: ...
    def info(self) -> dict[str, Any]: ...


def _check_sound_permissions() -> None:
    snd = Path("/dev/snd")
    if snd.is_dir() and any(snd.iterdir()) and not os.access(snd / "timer", os.R_OK):
        pcm = [p for p in snd.glob("pcmC*c") if not os.access(p, os.R_OK | os.W_OK)]
        if pcm:
            raise DevicePermissionError(
                f"permission denied on {pcm[0]}: add yourself to the 'audio' group "
                "(`sudo usermod -aG audio $USER`, then log in again)"
            )


class DeviceMicrophone:
    """A PortAudio input device through `sounddevice.InputStream`."""

    def __init__(
        self,
        device: int | str | None,
        *,
        samplerate: int | None = None,
        channels: int = 1,
        blocksize_s: float = 0.02,
    ) -> None:
        sd = import_sounddevice()
        self._sd = sd
        try:
            dev = sd.query_devices(device, "input")
        except (ValueError, sd.PortAudioError) as exc:
            _check_sound_permissions()
            if device is None:
                raise NoMicrophoneError(
                    "no microphone found; record from a file with --microphone FILE "
                    "or without sound with --microphone none"
                ) from exc
            raise NoMicrophoneError(
                f"no microphone {device!r} ({exc}); see `mirror devices`"
            ) from exc
        self.device = int(dev["index"])
        self.name = str(dev["name"])
        self.default_samplerate = int(dev["default_samplerate"])
        self.samplerate = int(samplerate or self.default_samplerate)
        self.channels = min(channels, int(dev["max_input_channels"])) or 1
        self.blocksize = max(64, round(self.samplerate * blocksize_s))
        try:
            sd.check_input_settings(
                device=self.device, channels=self.channels, dtype="int16",
                samplerate=self.samplerate,
            )
        except (ValueError, sd.PortAudioError) as exc:
            if "sample rate" in str(exc).lower():
                raise UnsupportedSampleRateError(
                    f"{self.name} does not support {self.samplerate} Hz "
                    f"(its default is {self.default_samplerate} Hz)"
                ) from exc
            raise CaptureError(f"cannot use microphone {self.name}: {exc}") from exc
        self._stream: Any = None

    def start(self, callback: AudioCallback, clock: SessionClock, at: float) -> None:
        sd = self._sd
        try:
            self._stream = sd.InputStream(
                device=self.device, samplerate=self.samplerate, channels=self.channels,
                dtype="int16", blocksize=self.blocksize, latency="high", callback=callback,
            )
            self._stream.start()
        except sd.PortAudioError as exc:
            text = str(exc).lower()
            if "busy" in text or "unavailable" in text:
                raise CaptureError(f"microphone {self.name} is busy or unavailable") from exc
            raise CaptureError(f"cannot start microphone {self.name}: {exc}") from exc

    def stream_time(self) -> float:
        if self._stream is None:
            return time.monotonic()
        return float(self._stream.time)

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def info(self) -> dict[str, Any]:
        return {
            "kind": "device", "index": self.device, "name": self.name,
            "samplerate": self.samplerate, "channels": self.channels,
            "blocksize": self.blocksize, "portaudio": self._sd.get_portaudio_version()[1],
        }


@dataclass(frozen=True)
class FileTimeInfo:
    """The fields of PortAudio's time info that the recorder reads."""

    inputBufferAdcTime: float  # PortAudio's names
    currentTime: float
    outputBufferDacTime: float = 0.0


@dataclass(frozen=True)
class FileStatus:
    input_overflow: bool = False

    def __bool__(self) -> bool:
        return self.input_overflow


class FileMicrophone:
    """An audio file (anything PyAV decodes) streamed in real time, block by block.

    Its stream clock is `time.monotonic()`, as PortAudio's is on Linux; block k's first sample is
    "captured" at the start time plus k blocks, and is delivered once its last sample would be.
    """

    def __init__(
        self, path: str, *, samplerate: int | None = None, channels: int = 1,
        blocksize_s: float = 0.02,
    ) -> None:
        self.path = path
        native = audio_rate(path)
        self.samplerate = int(samplerate or native)
        self.channels = channels
        self.blocksize = max(64, round(self.samplerate * blocksize_s))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()

    def _blocks(self) -> Iterator[np.ndarray]:
        pending = np.zeros((0, self.channels), np.int16)
        for chunk in iter_pcm16(self.path, rate=self.samplerate, channels=self.channels):
            pending = np.concatenate([pending, chunk])
            while len(pending) >= self.blocksize:
                yield pending[: self.blocksize]
                pending = pending[self.blocksize :]
        if len(pending):
            yield pending

    def _run(self, callback: AudioCallback, clock: SessionClock, at: float) -> None:
        stream_at = at + (time.monotonic() - clock.now())  # session `at` on the stream clock
        sent = 0
        try:
            for block in self._blocks():
                n = len(block)
                clock.sleep_until(at + (sent + n) / self.samplerate)
                if self._stop.is_set():
                    return
                info = FileTimeInfo(stream_at + sent / self.samplerate, time.monotonic())
                callback(np.ascontiguousarray(block), n, info, FileStatus())
                sent += n
        finally:
            self.finished.set()

    def start(self, callback: AudioCallback, clock: SessionClock, at: float) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(callback, clock, at), name="mirror-file-mic", daemon=True
        )
        self._thread.start()

    def stream_time(self) -> float:
        return time.monotonic()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def info(self) -> dict[str, Any]:
        return {
            "kind": "file", "source": self.path, "samplerate": self.samplerate,
            "channels": self.channels, "blocksize": self.blocksize,
        }


def open_microphone(
    arg: str | None, *, samplerate: int | None = None, channels: int = 1
) -> DeviceMicrophone | FileMicrophone | None:
    """Open `--microphone`; None for `none`. Raises a one-line CaptureError/InputError."""
    spec = parse_microphone(arg)
    if spec.kind == "none":
        return None
    if spec.kind == "file":
        assert isinstance(spec.target, str)
        return FileMicrophone(spec.target, samplerate=samplerate, channels=channels)
    return DeviceMicrophone(spec.target, samplerate=samplerate, channels=channels)
