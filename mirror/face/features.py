"""Pure geometry from MediaPipe's face landmarks: pose-free measures the blendshapes miss.

All functions take landmark arrays of shape (n, 478, 3) in MediaPipe's normalised image
coordinates (x / width, y / height, z in the scale of x) and the frame's aspect (height / width).
Distances are expressed in inter-ocular distances (IOD, eye centre to eye centre) and measured in
a face frame (x: the person's left-to-right eye line, y: down the face, z: out of the face), so
head turns, nods and distance to the camera mostly cancel out.
"""

from __future__ import annotations

import numpy as np

# MediaPipe face mesh indices. "R" is the person's right (image left in a non-mirrored video).
R_EYE_OUT, R_EYE_IN, L_EYE_IN, L_EYE_OUT = 33, 133, 362, 263
R_UPPER_LID, R_LOWER_LID, L_UPPER_LID, L_LOWER_LID = 159, 145, 386, 374
R_UPPER_LID_SIDE = (158, 160)
L_UPPER_LID_SIDE = (385, 387)
R_IRIS, L_IRIS = 468, 473
R_BROW_IN, R_BROW_MID, R_BROW_OUT = 107, 105, 70
L_BROW_IN, L_BROW_MID, L_BROW_OUT = 336, 334, 300
R_BROW_IN_LOW, L_BROW_IN_LOW = 55, 285
NOSE_TIP, SUBNASALE, NOSE_BRIDGE = 1, 2, 168
R_ALA, L_ALA = 129, 358
R_NOSE_SIDE, L_NOSE_SIDE = 198, 420
R_MOUTH, L_MOUTH = 61, 291
UPPER_LIP_TOP, UPPER_LIP_IN, LOWER_LIP_IN, LOWER_LIP_BOTTOM = 0, 13, 14, 17
CHIN = 152
R_CHEEK, L_CHEEK = 205, 425
R_UNDER_EYE, L_UNDER_EYE = 230, 450
FOREHEAD = 10

GEOMETRY_NAMES: tuple[str, ...] = (
    "brow_in_r", "brow_in_l", "brow_out_r", "brow_out_l", "brow_gap",
    "lid_up_r", "lid_up_l", "lid_low_r", "lid_low_l", "eye_open_r", "eye_open_l",
    "nose_ala_r", "nose_ala_l", "lip_to_nose",
    "corner_up_r", "corner_up_l", "corner_out_r", "corner_out_l",
    "mouth_open", "mouth_width", "lip_thickness", "jaw_drop", "cheek_r", "cheek_l",
    "iod_px",
)

# Landmarks kept in the tracks for later stages (gaze, mouth for A/V sync, head tilt, crops).
KEPT_LANDMARKS: tuple[int, ...] = tuple(sorted({
    R_EYE_OUT, R_EYE_IN, L_EYE_IN, L_EYE_OUT, R_UPPER_LID, R_LOWER_LID, L_UPPER_LID,
    L_LOWER_LID, *R_UPPER_LID_SIDE, *L_UPPER_LID_SIDE, *range(468, 478), R_BROW_IN, R_BROW_MID,
    R_BROW_OUT, L_BROW_IN, L_BROW_MID, L_BROW_OUT, R_BROW_IN_LOW, L_BROW_IN_LOW, NOSE_TIP,
    SUBNASALE, NOSE_BRIDGE, R_ALA, L_ALA, R_NOSE_SIDE, L_NOSE_SIDE, R_MOUTH, L_MOUTH,
    UPPER_LIP_TOP, UPPER_LIP_IN, LOWER_LIP_IN, LOWER_LIP_BOTTOM, CHIN, R_CHEEK, L_CHEEK,
    R_UNDER_EYE, L_UNDER_EYE, FOREHEAD, 234, 454, 78, 308, 81, 311, 178, 402,
}))


def to_isotropic(landmarks: np.ndarray, *, aspect: float) -> np.ndarray:
    """(n, 478, 3) normalised landmarks -> same shape with y scaled so that x, y, z share units."""
    out = np.array(landmarks, dtype=np.float64, copy=True)
    out[..., 1] *= aspect
    return out


def compute_face_frame(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin (n, 3), rotation (n, 3, 3) with rows = face axes, and IOD (n,), from isotropic
    points (n, 478, 3); see `compute_face_axes`."""
    return compute_face_axes(pts[:, R_EYE_OUT], pts[:, R_EYE_IN], pts[:, L_EYE_IN],
                             pts[:, L_EYE_OUT], pts[:, CHIN])


def compute_face_axes(r_eye_out: np.ndarray, r_eye_in: np.ndarray, l_eye_in: np.ndarray,
                      l_eye_out: np.ndarray, chin: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The face frame from the four eye corners and the chin, isotropic points (n, 3) each:
    origin (n, 3), rotation (n, 3, 3) with rows = face axes, and IOD (n,).

    x runs from the person's right eye centre to the left one, y down the face (towards the
    chin, made orthogonal to x), z completes a right-handed frame.
    """
    r_eye = 0.5 * (r_eye_out + r_eye_in)
    l_eye = 0.5 * (l_eye_out + l_eye_in)
    origin = 0.5 * (r_eye + l_eye)
    xv = l_eye - r_eye
    iod = np.linalg.norm(xv, axis=-1)
    x = xv / np.maximum(iod, 1e-9)[:, None]
    down = chin - origin
    y = down - np.sum(down * x, axis=-1, keepdims=True) * x
    y /= np.maximum(np.linalg.norm(y, axis=-1, keepdims=True), 1e-9)
    z = np.cross(x, y)
    rot = np.stack([x, y, z], axis=1)
    return origin, rot, iod


def to_face_frame(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic points (n, m, 3) -> face-frame coordinates in IOD units (n, m, 3), and IOD (n,)."""
    origin, rot, iod = compute_face_frame(pts)
    local = np.einsum("nij,nmj->nmi", rot, pts - origin[:, None, :])
    return local / np.maximum(iod, 1e-9)[:, None, None], iod


def _dist(f: np.ndarray, a: int, b: int) -> np.ndarray:
    return np.linalg.norm(f[:, a] - f[:, b], axis=-1)


def compute_geometry(landmarks: np.ndarray, *, aspect: float, width_px: int) -> np.ndarray:
    """(n, 478, 3) landmarks -> (n, len(GEOMETRY_NAMES)) measures in IOD units (see module doc).

    Brow heights are distances above the eye line (y is down, so they are -y); lid measures are
    the upper lid's height above the iris centre and the lower lid's height below it; mouth
    corners are measured against the mouth centre (up is positive).
    """
    pts = to_isotropic(landmarks, aspect=aspect)
    f, iod = to_face_frame(pts)
    y = f[..., 1]
    mouth_mid = 0.5 * (f[:, UPPER_LIP_IN] + f[:, LOWER_LIP_IN])
    cols = {
        "brow_in_r": y[:, R_EYE_IN] - y[:, R_BROW_IN],
        "brow_in_l": y[:, L_EYE_IN] - y[:, L_BROW_IN],
        "brow_out_r": y[:, R_EYE_OUT] - y[:, R_BROW_OUT],
        "brow_out_l": y[:, L_EYE_OUT] - y[:, L_BROW_OUT],
        "brow_gap": _dist(f, R_BROW_IN_LOW, L_BROW_IN_LOW),
        "lid_up_r": y[:, R_IRIS] - y[:, R_UPPER_LID],
        "lid_up_l": y[:, L_IRIS] - y[:, L_UPPER_LID],
        "lid_low_r": y[:, R_LOWER_LID] - y[:, R_IRIS],
        "lid_low_l": y[:, L_LOWER_LID] - y[:, L_IRIS],
        "eye_open_r": _dist(f, R_UPPER_LID, R_LOWER_LID),
        "eye_open_l": _dist(f, L_UPPER_LID, L_LOWER_LID),
        "nose_ala_r": y[:, R_ALA] - y[:, R_EYE_IN],
        "nose_ala_l": y[:, L_ALA] - y[:, L_EYE_IN],
        "lip_to_nose": y[:, UPPER_LIP_TOP] - y[:, SUBNASALE],
        "corner_up_r": mouth_mid[:, 1] - y[:, R_MOUTH],
        "corner_up_l": mouth_mid[:, 1] - y[:, L_MOUTH],
        "corner_out_r": mouth_mid[:, 0] - f[:, R_MOUTH, 0],
        "corner_out_l": f[:, L_MOUTH, 0] - mouth_mid[:, 0],
        "mouth_open": _dist(f, UPPER_LIP_IN, LOWER_LIP_IN),
        "mouth_width": _dist(f, R_MOUTH, L_MOUTH),
        "lip_thickness": _dist(f, UPPER_LIP_TOP, UPPER_LIP_IN) + _dist(f, LOWER_LIP_IN,
                                                                      LOWER_LIP_BOTTOM),
        "jaw_drop": y[:, CHIN] - y[:, NOSE_TIP],
        "cheek_r": y[:, R_CHEEK] - y[:, R_UNDER_EYE],
        "cheek_l": y[:, L_CHEEK] - y[:, L_UNDER_EYE],
        "iod_px": iod * width_px,
    }
    return np.stack([cols[name] for name in GEOMETRY_NAMES], axis=1).astype(np.float32)


def compute_pose(matrices: np.ndarray) -> np.ndarray:
    """(n, 4, 4) facial transformation matrices -> (n, 6): yaw, pitch, roll (degrees), tx, ty, tz.

    Yaw is a turn to the side, pitch a nod, roll a tilt, from the rotation R = Rz(roll) Ry(yaw)
    Rx(pitch) of MediaPipe's canonical face into the camera frame.
    """
    r = matrices[:, :3, :3]
    yaw = np.degrees(np.arcsin(np.clip(-r[:, 2, 0], -1.0, 1.0)))
    pitch = np.degrees(np.arctan2(r[:, 2, 1], r[:, 2, 2]))
    roll = np.degrees(np.arctan2(r[:, 1, 0], r[:, 0, 0]))
    t = matrices[:, :3, 3]
    return np.column_stack([yaw, pitch, roll, t]).astype(np.float32)


def compute_bbox(landmarks: np.ndarray) -> np.ndarray:
    """(n, 478, 3) -> (n, 4) x0, y0, x1, y1 in normalised frame coordinates."""
    xy = landmarks[..., :2]
    return np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1).astype(np.float32)
