"""Per-frame face tracks: what the face model saw on every frame, as columns of arrays.

Saved as `tracks.npz` (one array a column, compressed) in the analysis folder, so that another
profile or threshold re-uses them (`mirror analyse --reuse`) without running the model again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mirror.fileio import atomic_open
from mirror.signal import frame_period

TRACKS_SCHEMA = "mirror.tracks/1"

# MediaPipe FaceLandmarker's 52 blendshape categories, in the model's output order.
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)
BS = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}

POSE_NAMES: tuple[str, ...] = ("yaw_deg", "pitch_deg", "roll_deg", "tx", "ty", "tz")


@dataclass(frozen=True)
class FaceTracks:
    """Everything the face stage measured, one row per decoded frame.

    Shapes (n = frames): t (n,) seconds on the session timeline; found (n,) bool; n_faces (n,);
    blendshapes (n, 52); pose (n, 6) as POSE_NAMES; bbox (n, 4) x0, y0, x1, y1 in [0, 1] of the
    frame; landmarks (n, K, 3) for the landmark indices in `landmark_ids` (x, y in [0, 1] of the
    frame, z in the same scale as x); geometry (n, G) pose-free measures named in `geometry_names`.
    Rows where no face was found hold NaN.
    """

    t: np.ndarray
    found: np.ndarray
    n_faces: np.ndarray
    blendshapes: np.ndarray
    pose: np.ndarray
    bbox: np.ndarray
    landmarks: np.ndarray
    landmark_ids: np.ndarray
    geometry: np.ndarray
    geometry_names: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    # (n, len(FLOW_NAMES)) the pixels' own movement (`mirror.face.flow`); None in tracks saved
    # before it was measured, or made without the frames (the live meter)
    flow: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.t.shape[0])

    @property
    def fps(self) -> float:
        if self.n < 2:
            return float(self.meta.get("fps", 30.0))
        return 1.0 / frame_period(self.t)

    def bs(self, name: str) -> np.ndarray:
        return self.blendshapes[:, BS[name]]

    def geo(self, name: str) -> np.ndarray:
        return self.geometry[:, self.geometry_names.index(name)]

    def flow_of(self, name: str) -> np.ndarray | None:
        """(n,) one measure of the pixels' flow (`mirror.face.flow.FLOW_NAMES`), if measured."""
        from mirror.face.flow import FLOW_NAMES

        if self.flow is None or name not in FLOW_NAMES:
            return None
        return self.flow[:, FLOW_NAMES.index(name)]

    def landmark(self, mp_index: int) -> np.ndarray:
        """(n, 3) track of one MediaPipe landmark (it must be in `landmark_ids`)."""
        where = np.flatnonzero(self.landmark_ids == mp_index)
        if where.size == 0:
            raise KeyError(f"landmark {mp_index} is not stored in these tracks")
        return self.landmarks[:, int(where[0]), :]


def save_tracks(path: str | Path, tracks: FaceTracks) -> None:
    meta = dict(tracks.meta, schema=TRACKS_SCHEMA, geometry_names=list(tracks.geometry_names))
    arrays: dict[str, np.ndarray] = {
        "t": tracks.t, "found": tracks.found, "n_faces": tracks.n_faces,
        "blendshapes": tracks.blendshapes, "pose": tracks.pose, "bbox": tracks.bbox,
        "landmarks": tracks.landmarks, "landmark_ids": tracks.landmark_ids,
        "geometry": tracks.geometry, "meta": np.array(json.dumps(meta)),
    }
    if tracks.flow is not None:
        arrays["flow"] = tracks.flow
    with atomic_open(path, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)


def tracks_current(path: str | Path) -> bool:
    """Whether `path` holds tracks with every measure this version makes (the flow came later):
    a cache of older ones is re-made rather than analysed with less."""
    path = Path(path)
    if not path.is_file():
        return False
    with np.load(path, allow_pickle=False) as z:
        return "flow" in z.files


def load_tracks(path: str | Path) -> FaceTracks:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("schema") != TRACKS_SCHEMA:
            raise ValueError(f"{path}: not a {TRACKS_SCHEMA} file")
        names = tuple(meta.pop("geometry_names"))
        meta.pop("schema")
        return FaceTracks(
            t=z["t"], found=z["found"], n_faces=z["n_faces"], blendshapes=z["blendshapes"],
            pose=z["pose"], bbox=z["bbox"], landmarks=z["landmarks"],
            landmark_ids=z["landmark_ids"], geometry=z["geometry"], geometry_names=names,
            meta=meta, flow=z["flow"] if "flow" in z.files else None,
        )
