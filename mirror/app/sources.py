"""Which camera and microphone the app can record from, and what to tell the user when one is
missing. Probing never raises: a missing device is a note, not an error."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from mirror.errors import MirrorError


@dataclass(frozen=True)
class SourceStatus:
    """camera: what to pass to the recorder, None when there is nothing to record from.
    microphone: what to pass to the recorder ("none": record without sound)."""

    camera: str | None
    camera_note: str
    microphone: str
    microphone_note: str

    @property
    def can_record(self) -> bool:
        return self.camera is not None

    @property
    def has_sound(self) -> bool:
        return self.microphone != "none"

    def problems(self) -> list[str]:
        out = []
        if not self.can_record:
            out.append(self.camera_note)
        if not self.has_sound:
            out.append(self.microphone_note)
        return out


def probe_camera(camera: str | None) -> tuple[str | None, str]:
    from mirror.capture.camera import parse_camera, video_device_nodes

    if camera:
        try:
            spec = parse_camera(camera)
        except MirrorError as exc:
            return None, str(exc)
        if spec.kind == "device" and spec.target not in {str(p) for p in video_device_nodes()}:
            return None, f"no camera at {spec.target}"
        return spec.target, spec.describe()
    nodes = video_device_nodes()
    if nodes:
        return str(nodes[0]), f"camera {nodes[0]}"
    if sys.platform.startswith("linux"):
        return None, "no camera found (no /dev/video* device)"
    return "0", "camera 0"


def probe_microphone(microphone: str | None) -> tuple[str, str]:
    from mirror.capture.microphone import import_sounddevice, parse_microphone

    try:
        spec = parse_microphone(microphone)
    except MirrorError as exc:
        return "none", f"{exc}: recording without sound"
    if spec.kind == "none":
        return "none", "microphone off: recording without sound"
    if spec.kind == "file":
        return str(spec.target), f"audio file {spec.target}"
    try:
        import_sounddevice()
        from mirror.capture.devices import list_microphones

        mics = list_microphones()
    except MirrorError:
        return "none", ("no microphone: the PortAudio library is missing "
                        "(sudo apt-get install libportaudio2); recording without sound")
    except Exception as exc:  # a broken audio stack must not stop the app from opening
        return "none", f"no microphone ({type(exc).__name__}); recording without sound"
    if not mics:
        return "none", "no microphone found; recording without sound"
    if spec.kind == "default":
        chosen = next((m for m in mics if m.is_default), mics[0])
        return microphone or "", f"microphone {chosen.name}"
    return str(spec.target), f"microphone {spec.target}"


def probe_sources(camera: str | None, microphone: str | None) -> SourceStatus:
    cam, cam_note = probe_camera(camera)
    mic, mic_note = probe_microphone(microphone)
    return SourceStatus(cam, cam_note, mic, mic_note)
