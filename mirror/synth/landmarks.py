"""MediaPipe face-mesh landmark indices used by the generator, and the face's own frame (pure).

Sides are the subject's: `right` is the subject's right, which is the image's left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LIPS_UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_LOWER_OUTER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LIPS_UPPER_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_LOWER_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
# Landmarks between the outer and the inner lip contours (vermilion), upper and lower.
LIPS_UPPER_MID = (76, 184, 74, 73, 72, 11, 302, 303, 304, 408, 306, 183, 42, 41, 38, 12, 268,
                  271, 272, 407, 62, 292)
LIPS_LOWER_MID = (77, 96, 89, 179, 86, 15, 316, 403, 319, 325, 307, 90, 180, 85, 16, 315, 404,
                  320, 77, 146)
RIGHT_EYE_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)
RIGHT_EYE_LOWER = (33, 7, 163, 144, 145, 153, 154, 155, 133)
LEFT_EYE_UPPER = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LEFT_EYE_LOWER = (263, 249, 390, 373, 374, 380, 381, 382, 362)
RIGHT_IRIS = (468, 469, 470, 471, 472)
LEFT_IRIS = (473, 474, 475, 476, 477)
# Brows from the inner end (near the midline) to the outer end; upper and lower edges.
RIGHT_BROW = (107, 66, 105, 63, 70, 55, 65, 52, 53, 46)
LEFT_BROW = (336, 296, 334, 293, 300, 285, 295, 282, 283, 276)
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
UPPER_LIP_TOP, LOWER_LIP_BOTTOM = 0, 17
NOSE_TIP, CHIN = 1, 152
NOSE_WINGS = (98, 327, 64, 294, 129, 358, 48, 278, 102, 331, 49, 279, 209, 429, 219, 439)


@dataclass(frozen=True)
class FaceFrame:
    """The face's own axes in image pixels: origin between the eyes, x to the subject's left.

    `iod` is the inter-ocular (iris centre) distance in pixels; `ex`, `ey` unit vectors.
    """

    origin: np.ndarray
    ex: np.ndarray
    ey: np.ndarray
    iod: float

    def to_face(self, pts: np.ndarray) -> np.ndarray:
        """Pixel points (n, 2) to face units (n, 2), x along `ex`, y along `ey`, in IODs."""
        rel = pts - self.origin
        return np.stack([rel @ self.ex, rel @ self.ey], axis=1) / self.iod

    def vec_to_px(self, vec: np.ndarray) -> np.ndarray:
        """Displacements (n, 2) in face units to pixel displacements (n, 2)."""
        return (vec[:, :1] * self.ex + vec[:, 1:2] * self.ey) * self.iod


def compute_face_frame(pts: np.ndarray) -> FaceFrame:
    """The face frame of 478 landmarks (478, 2) in pixels."""
    r = pts[list(RIGHT_IRIS[:1])].mean(axis=0)
    left = pts[list(LEFT_IRIS[:1])].mean(axis=0)
    ex = (left - r) / np.linalg.norm(left - r)
    ey = np.array([-ex[1], ex[0]])
    return FaceFrame(origin=(r + left) / 2, ex=ex, ey=ey, iod=float(np.linalg.norm(left - r)))
