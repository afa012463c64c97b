"""Piecewise-affine warping made fast by linearity (pure numpy / OpenCV).

A mesh (landmarks plus frame-border anchors) is triangulated once. The barycentric weights of
every pixel are computed once too, so any per-vertex displacement becomes a dense field with one
gather. Fields add: the field of a frame is the weighted sum of the action units' fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay


@dataclass(frozen=True)
class Mesh:
    """Vertices (n, 2) in pixels of an image (height, width), triangles (m, 3), and for every
    pixel its triangle's vertex ids (H, W, 3) and barycentric weights (H, W, 3) float32."""

    vertices: np.ndarray
    triangles: np.ndarray
    size: tuple[int, int]
    pixel_vertices: np.ndarray
    pixel_weights: np.ndarray


def border_anchors(width: int, height: int, *, per_side: int = 6,
                   margin: float = 2.0) -> np.ndarray:
    """Points (k, 2) just outside the frame so that the mesh covers every pixel."""
    xs = np.linspace(-margin, width - 1 + margin, per_side + 1)
    ys = np.linspace(-margin, height - 1 + margin, per_side + 1)
    top = np.stack([xs, np.full_like(xs, -margin)], axis=1)
    bottom = np.stack([xs, np.full_like(xs, height - 1 + margin)], axis=1)
    left = np.stack([np.full_like(ys, -margin), ys], axis=1)[1:-1]
    right = np.stack([np.full_like(ys, width - 1 + margin), ys], axis=1)[1:-1]
    return np.concatenate([top, bottom, left, right])


def build_mesh(vertices: np.ndarray, *, width: int, height: int) -> Mesh:
    """Triangulate `vertices` (n, 2) (they should include border anchors) for a (height, width)
    image and precompute every pixel's barycentric weights."""
    tri = Delaunay(vertices)
    yy, xx = np.mgrid[0:height, 0:width]
    pix = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float64)
    simplex = tri.find_simplex(pix)
    simplex = np.where(simplex < 0, 0, simplex)
    trans = tri.transform[simplex]
    b = np.einsum("nij,nj->ni", trans[:, :2], pix - trans[:, 2])
    w = np.concatenate([b, 1 - b.sum(axis=1, keepdims=True)], axis=1)
    return Mesh(
        vertices=vertices,
        triangles=tri.simplices,
        size=(height, width),
        pixel_vertices=tri.simplices[simplex].reshape(height, width, 3).astype(np.int32),
        pixel_weights=w.reshape(height, width, 3).astype(np.float32),
    )


def compute_field(mesh: Mesh, displacement: np.ndarray) -> np.ndarray:
    """Dense field (H, W, 2) float32 of per-vertex displacements (n, 2), linear inside triangles."""
    d = displacement.astype(np.float32)[mesh.pixel_vertices]  # (H, W, 3, 2)
    return np.einsum("hwk,hwkc->hwc", mesh.pixel_weights, d)


def identity_grid(width: int, height: int) -> np.ndarray:
    """Pixel coordinates (H, W, 2) float32 as (x, y)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    return np.ascontiguousarray(np.stack([xx, yy], axis=2))


def compute_inverse_map(field: np.ndarray, grid: np.ndarray, *, iterations: int = 2,
                        roi: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Source coordinates (H, W, 2) of every output pixel for a forward displacement `field`.

    The forward warp moves a source point s to s + field(s); the inverse solves
    src = dst - field(src) by fixed-point iteration, starting from src = dst - field(dst).
    With `roi` (y0, y1, x0, x1) the iterations run only there (where the field is steep).
    """
    src = grid - field
    y0, y1, x0, x1 = roi if roi is not None else (0, grid.shape[0], 0, grid.shape[1])
    if y1 <= y0 or x1 <= x0:
        return src
    g = grid[y0:y1, x0:x1]
    s = src[y0:y1, x0:x1]
    for _ in range(iterations):
        f = cv2.remap(field, s[..., 0], s[..., 1], cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
        s = g - f
    src[y0:y1, x0:x1] = s
    return src


def apply_map(image: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Sample `image` (H, W, 3) at the source coordinates `src` (H, W, 2)."""
    return cv2.remap(image, src[..., 0], src[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)
