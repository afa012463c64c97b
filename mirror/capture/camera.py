"""A camera: an OpenCV `VideoCapture` opened on a device index, a device path, a stream URL or a
video file. A file is played at its own rate (frame i is released at its own timestamp after
`start()`), so the recorder's loop — `grab()`, stamp the time, `retrieve()` — is the same for all.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from mirror.capture.clock import SessionClock
from mirror.capture.errors import (
    CameraBusyError,
    DevicePermissionError,
    NoCameraError,
)
from mirror.errors import InputError

CameraKind = Literal["index", "device", "url", "file"]
DRIVER_BUFFERS = 8  # V4L2 buffers requested (OpenCV's default is 4): 8 frames = 267 ms at 30 fps
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

# FFmpeg inside OpenCV would print connection errors; we raise one line of our own instead.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
with contextlib.suppress(AttributeError):  # OpenCV's warnings about absent devices are noise
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


@dataclass(frozen=True)
class CameraSpec:
    kind: CameraKind
    target: str  # the index as text, a path or a URL

    def describe(self) -> str:
        return f"camera {self.target}" if self.kind != "file" else f"video file {self.target}"


def parse_camera(arg: str | None) -> CameraSpec:
    """`--camera` as given: None or an integer is a device index, a URL, a /dev path, or a file."""
    if arg is None or arg.strip() == "":
        return CameraSpec("index", "0")
    arg = arg.strip()
    if arg.isdigit():
        return CameraSpec("index", arg)
    if _URL.match(arg):
        return CameraSpec("url", arg)
    if arg.startswith("/dev/"):
        return CameraSpec("device", arg)
    path = Path(arg).expanduser()
    if not path.exists():
        raise InputError(f"no such camera or video file: {arg}")
    if path.is_char_device():
        return CameraSpec("device", str(path))
    if not path.is_file():
        raise InputError(f"not a video file: {arg}")
    return CameraSpec("file", str(path.resolve()))


def video_device_nodes() -> list[Path]:
    """The V4L2 capture nodes (/dev/video*), sorted by number."""
    nodes = [p for p in Path("/dev").glob("video*") if p.name[5:].isdigit()]
    return sorted(nodes, key=lambda p: int(p.name[5:]))


def _check_device_node(node: Path) -> None:
    if not node.exists():
        found = ", ".join(str(p) for p in video_device_nodes()) or "none"
        raise NoCameraError(
            f"no camera at {node} (cameras found: {found}); "
            "use --camera FILE to record from a video file"
        )
    if not os.access(node, os.R_OK | os.W_OK):
        raise DevicePermissionError(
            f"permission denied on {node}: add yourself to the 'video' group "
            "(`sudo usermod -aG video $USER`, then log in again)"
        )


def _device_busy(node: Path) -> bool:
    """Whether opening the node fails with EBUSY (another program streams from it)."""
    try:
        fd = os.open(node, os.O_RDWR | os.O_NONBLOCK)
    except OSError as exc:
        return exc.errno == errno.EBUSY
    os.close(fd)
    return False


class Camera:
    """A `cv2.VideoCapture` with the recorder's loop: `start()`, then `grab()` / `retrieve()`."""

    def __init__(
        self,
        spec: CameraSpec,
        *,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
    ) -> None:
        self.spec = spec
        self._cap = self._open(spec, width, height, fps)
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise self._read_failure()
        self.height, self.width = first.shape[:2]
        reported = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = reported if 1.0 <= reported <= 240.0 else 30.0
        self.backend = self._cap.getBackendName()
        self._pending_first: np.ndarray | None = first
        self._grabbed_first = False
        # The session time until which grab() is deliberately waiting (a file released at its
        # own rate), so a watchdog does not take the wait for a frozen camera.
        self.waiting_until: float | None = None

    # -- opening ------------------------------------------------------------------------------
    @staticmethod
    def _open(
        spec: CameraSpec, width: int | None, height: int | None, fps: float | None
    ) -> cv2.VideoCapture:
        if spec.kind == "index":
            nodes = video_device_nodes()
            if os.name == "posix" and Path("/dev").is_dir() and not nodes:
                raise NoCameraError(
                    "no camera found (no /dev/video* device); "
                    "use --camera FILE to record from a video file, or --camera URL"
                )
            node = Path(f"/dev/video{spec.target}")
            if nodes:
                _check_device_node(node)
            cap = cv2.VideoCapture(int(spec.target))
        elif spec.kind == "device":
            _check_device_node(Path(spec.target))
            cap = cv2.VideoCapture(spec.target, cv2.CAP_V4L2)
        else:
            cap = cv2.VideoCapture(spec.target, cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            if spec.kind in ("index", "device"):
                node = Path(spec.target if spec.kind == "device" else f"/dev/video{spec.target}")
                if node.exists() and _device_busy(node):
                    raise CameraBusyError(f"{node} is busy: close the other program using it")
                raise NoCameraError(f"cannot open {spec.describe()}: is it a capture device?")
            if spec.kind == "url":
                raise NoCameraError(f"cannot open the stream {spec.target}: is it reachable?")
            raise InputError(f"cannot read {spec.target} as a video")
        if spec.kind in ("index", "device"):
            # A deep driver queue rides out stalls (frames keep their kernel capture times).
            cap.set(cv2.CAP_PROP_BUFFERSIZE, DRIVER_BUFFERS)
            if width and height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            if fps:
                cap.set(cv2.CAP_PROP_FPS, fps)
        return cap

    def _read_failure(self) -> Exception:
        if self.spec.kind in ("index", "device"):
            node = Path(
                self.spec.target if self.spec.kind == "device" else f"/dev/video{self.spec.target}"
            )
            if _device_busy(node):
                return CameraBusyError(f"{node} is busy: close the other program using it")
            return NoCameraError(f"{self.spec.describe()} opened but gives no frames")
        if self.spec.kind == "url":
            return NoCameraError(f"the stream {self.spec.target} gives no frames")
        return InputError(f"{self.spec.target} has no video frames")

    # -- the recorder's loop ------------------------------------------------------------------
    @property
    def is_file(self) -> bool:
        return self.spec.kind == "file"

    def start(self, clock: SessionClock, at: float) -> None:
        """A live camera drops the frame read while opening (its time is unknown); a file
        starts playing at session time `at`."""
        self._pending_first = None

    def grab(self) -> bool:
        """Block until the next frame is captured; False when the source ended or was lost."""
        if self._pending_first is not None and not self._grabbed_first:
            self._grabbed_first = True  # the frame read while opening is the first frame
            return True
        return bool(self._cap.grab())

    def retrieve(self) -> np.ndarray | None:
        """The grabbed frame as BGR uint8 (H, W, 3)."""
        if self._pending_first is not None:
            frame, self._pending_first = self._pending_first, None
            return frame
        ok, frame = self._cap.retrieve()
        return frame if ok else None

    def capture_time(self, clock: SessionClock) -> float | None:
        """The grabbed frame's capture time on the session clock, if the source stamps frames.

        V4L2 gives each buffer the kernel's CLOCK_MONOTONIC time of capture (OpenCV returns it as
        CAP_PROP_POS_MSEC); it is used when it is plausible (within the last half second), since
        it does not include the time the frame waited in the driver's queue.
        """
        if self.spec.kind not in ("index", "device"):
            return None
        ms = float(self._cap.get(cv2.CAP_PROP_POS_MSEC) or 0.0)
        if ms <= 0:
            return None
        t, now = clock.from_monotonic(ms / 1000.0), clock.now()
        return t if now - 0.5 <= t <= now else None

    @property
    def dropped(self) -> int:
        """Frames the source produced that the recorder was too late to take (files only)."""
        return 0

    def info(self) -> dict[str, Any]:
        return {
            "kind": self.spec.kind,
            "source": self.spec.target,
            "backend": self.backend,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
        }

    def close(self) -> None:
        self._cap.release()


class FileCamera(Camera):
    """A video file as a camera: frames are released at their own timestamps, like a device's.

    Like a V4L2 camera with its driver's queue of `buffers` frames, it stamps each frame with its
    capture time (the file's timestamp after `start()`) and, when the recorder falls behind by
    more than the queue holds, skips the overdue frames (and counts them) as a camera drops them.
    """

    def __init__(self, spec: CameraSpec, *, buffers: int = DRIVER_BUFFERS) -> None:
        super().__init__(spec)
        self._clock: SessionClock | None = None
        self._start = 0.0
        self._index = -1
        self._skipped = 0
        self._due = 0.0
        self.buffers = buffers

    def start(self, clock: SessionClock, at: float) -> None:
        self._clock, self._start = clock, at

    def _source_time(self) -> float:
        msec = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
        return msec / 1000.0 if msec > 0 or self._index == 0 else self._index / self.fps

    def grab(self) -> bool:
        if self._clock is None:
            raise RuntimeError("FileCamera.start() must be called before grab()")
        period = 1.0 / self.fps
        while True:
            if not super().grab():
                return False
            self._index += 1
            due = self._start + (0.0 if self._index == 0 else self._source_time())
            if self._clock.now() <= due + self.buffers * period:
                self.waiting_until = due
                self._clock.sleep_until(due)
                self._due = due
                return True
            self._skipped += 1  # overdue: the camera's queue overflowed and it dropped the frame
            self._pending_first = None

    def capture_time(self, clock: SessionClock) -> float | None:
        return self._due

    @property
    def dropped(self) -> int:
        return self._skipped


def open_camera(
    arg: str | None,
    *,
    width: int | None = None,
    height: int | None = None,
    fps: float | None = None,
) -> Camera:
    """Open `--camera` (index, /dev path, URL or video file); raises a one-line CaptureError."""
    spec = parse_camera(arg)
    if spec.kind == "file":
        return FileCamera(spec)
    return Camera(spec, width=width, height=height, fps=fps)
