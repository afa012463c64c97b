"""Capture errors: each is one line that says what went wrong and what to do about it."""

from __future__ import annotations

from mirror.errors import MirrorError


class CaptureError(MirrorError):
    """A camera or microphone cannot be used."""


class PortAudioMissingError(CaptureError):
    def __init__(self) -> None:
        super().__init__(
            "the PortAudio library is missing (needed for microphones): "
            "install it with `sudo apt-get install libportaudio2`, "
            "or record from a file with --microphone FILE / without sound with --microphone none"
        )


class NoCameraError(CaptureError):
    """No camera at the given index/path, or none at all."""


class CameraBusyError(CaptureError):
    """The camera exists but another program holds it."""


class DevicePermissionError(CaptureError):
    """The device node exists but this user may not open it."""


class NoMicrophoneError(CaptureError):
    """No input device (or none matching the name/index given)."""


class UnsupportedSampleRateError(CaptureError):
    """The microphone refuses the requested sample rate."""
