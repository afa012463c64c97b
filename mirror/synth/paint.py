"""Painting what warping cannot invent: the open mouth, closed lids, and widened eyes (pure
OpenCV on small regions, in place)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mirror.synth import landmarks as L

MOUTH_DARK = np.array([48, 18, 22], dtype=np.float32)
TEETH = np.array([196, 186, 176], dtype=np.float32)
_MOUTH_POLY = list(L.LIPS_UPPER_INNER) + list(L.LIPS_LOWER_INNER[::-1][1:-1])


def paint_mouth(img: np.ndarray, lm: np.ndarray, iod: float) -> None:
    """Paint the open mouth's interior (dark, upper teeth showing) in place."""
    poly = lm[_MOUTH_POLY]
    gap = float(np.max(lm[list(L.LIPS_LOWER_INNER), 1] - lm[list(L.LIPS_UPPER_INNER), 1]))
    if gap < 0.6:
        return
    x0, y0 = np.floor(poly.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 3
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return
    shift = 4
    mouth = np.zeros((y1 - y0, x1 - x0), np.uint8)
    p = np.round((poly - [x0, y0]) * (1 << shift)).astype(np.int32)
    cv2.fillPoly(mouth, [p], 255, cv2.LINE_AA, shift)
    # Upper teeth: a band under the upper lip, tapering off towards the corners.
    upper = lm[list(L.LIPS_UPPER_INNER)] - [x0, y0]
    order = np.argsort(upper[:, 0])
    ux, uy = upper[order, 0], upper[order, 1]
    cols = np.arange(x1 - x0, dtype=np.float32)
    top = np.interp(cols, ux, uy)
    half = max((ux[-1] - ux[0]) / 2, 1.0)
    u = np.clip(np.abs(cols - (ux[0] + ux[-1]) / 2) / (0.8 * half), 0, 1)
    band = min(gap * 0.35, 0.07 * iod) * np.cos(0.5 * np.pi * u) ** 0.5
    rows = np.arange(y1 - y0, dtype=np.float32)[:, None]
    inside = np.clip(top[None, :] + band[None, :] - rows + 0.5, 0, 1)
    teeth = inside * (u < 1)[None, :]
    am = mouth.astype(np.float32)[..., None] / 255
    at = teeth[..., None] * min(1.0, gap / (0.08 * iod))
    colour = MOUTH_DARK * (1 - at) + TEETH * at
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * (1 - am) + colour * am).astype(np.uint8)


_EYES = ((L.RIGHT_EYE_UPPER, L.RIGHT_EYE_LOWER), (L.LEFT_EYE_UPPER, L.LEFT_EYE_LOWER))
LASH = (40, 26, 24)
LID_OVERSHOOT = 0.08
LASH_WIDTH = 2


def polygon_mask(poly: np.ndarray, *, w: int, h: int, shift: int
                 ) -> tuple[int, int, int, int, np.ndarray] | None:
    """The antialiased mask of `poly` (m, 2) in its own box with a small margin, clipped to the
    (h, w) frame: (x0, y0, x1, y1, mask uint8), or None when the box is empty."""
    x0, y0 = np.maximum(np.floor(poly.min(axis=0)).astype(int) - 3, 0)
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 4
    x1, y1 = min(int(x1), w), min(int(y1), h)
    if x1 <= x0 or y1 <= y0:
        return None
    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(m, [np.round((poly - [x0, y0]) * (1 << shift)).astype(np.int32)], 255,
                 cv2.LINE_AA, shift)
    return int(x0), int(y0), x1, y1, m


def make_closed_eyes(image: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The base image with both eye openings filled with skin (inpainted) and a lash line along
    the lower lids: what a closed eye looks like."""
    mask: np.ndarray = np.zeros(image.shape[:2], np.uint8)
    for up, lo in _EYES:
        poly = np.concatenate([pts[list(up)], pts[list(lo[::-1])]])
        cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 255)
    mask = cv2.dilate(mask, np.ones((5, 5), np.uint8))
    out = cv2.inpaint(image, mask, 5, cv2.INPAINT_TELEA)
    inside = mask[..., None] > 0
    blurred: np.ndarray = np.where(inside, cv2.GaussianBlur(out, (0, 0), 1.0), out)
    return blurred.astype(np.uint8)


def paint_eyelids(img: np.ndarray, closed: np.ndarray, src: np.ndarray, lm: np.ndarray,
                  closure: float) -> None:
    """Sweep the upper lids down by `closure` (0..1) over the eyes, in place: the swept part
    shows the closed-eye skin (warped by the frame's map) and the lid edge a lash line."""
    if closure <= 0.02:
        return
    h, w = img.shape[:2]
    shift = 4
    for up, lo in _EYES:
        u, d = lm[list(up)], lm[list(lo)]
        lid = u + closure * (d - u)
        bow = np.sin(np.linspace(0, np.pi, len(lid)))
        lid[:, 1] += closure * LID_OVERSHOOT * float(np.linalg.norm(u[0] - u[-1])) * bow
        poly = np.concatenate([u, lid[::-1]])
        box = polygon_mask(poly, w=w, h=h, shift=shift)
        if box is None:
            continue
        x0, y0, x1, y1, m = box
        m = cv2.dilate(m, np.ones((2, 2), np.uint8))
        roi_src = src[y0:y1, x0:x1]
        skin = cv2.remap(closed, roi_src[..., 0], roi_src[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        a = m.astype(np.float32)[..., None] / 255
        roi = img[y0:y1, x0:x1].astype(np.float32) * (1 - a) + skin * a
        patch = roi.astype(np.uint8)
        line = np.round((lid - [x0, y0]) * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
        lash = patch.copy()
        cv2.polylines(lash, [line], False, LASH, LASH_WIDTH, cv2.LINE_AA, shift)
        k = min(1.0, 0.4 + closure)
        img[y0:y1, x0:x1] = cv2.addWeighted(lash, k, patch, 1 - k, 0)


@dataclass(frozen=True)
class EyeColours:
    """Colours of the base face's eyes (RGB float32) and the iris radius in pixels."""

    sclera: np.ndarray
    iris: np.ndarray
    pupil: np.ndarray
    iris_radius: float


def compute_eye_colours(image: np.ndarray, pts: np.ndarray) -> EyeColours:
    """Sample sclera and iris colours from the base image (RGB uint8) with its landmarks."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    radii, iris_px, sclera_px = [], [], []
    for (up, lo), iris in zip(_EYES, (L.RIGHT_IRIS, L.LEFT_IRIS), strict=True):
        c = pts[iris[0]]
        r = float(np.mean(np.linalg.norm(pts[list(iris[1:])] - c, axis=1)))
        radii.append(r)
        ap = np.zeros((h, w), np.uint8)
        poly = np.concatenate([pts[list(up)], pts[list(lo[::-1])]])
        cv2.fillPoly(ap, [np.round(poly).astype(np.int32)], 1)
        dist = np.hypot(xx - c[0], yy - c[1])
        iris_px.append(image[(ap > 0) & (dist < 0.8 * r) & (dist > 0.4 * r)])
        sclera_px.append(image[(ap > 0) & (dist > 1.15 * r)])
    iris_c = np.median(np.concatenate(iris_px), axis=0).astype(np.float32)
    sc = np.concatenate(sclera_px).astype(np.float32)
    bright = sc[sc.sum(axis=1) >= np.percentile(sc.sum(axis=1), 60)]
    sclera = np.median(bright, axis=0).astype(np.float32) if len(bright) else np.array(
        [200, 190, 185], np.float32)
    return EyeColours(sclera=sclera, iris=iris_c, pupil=np.array([25, 18, 16], np.float32),
                      iris_radius=float(np.mean(radii)))


def paint_widened_eyes(img: np.ndarray, lm: np.ndarray, lid_lift: np.ndarray,
                       colours: EyeColours) -> None:
    """Paint the strip an upper-lid raise uncovers, in place: sclera with a shadow under the
    lid, the iris where it falls, and the lid margin. `lm` (478, 2) are the frame's landmarks,
    `lid_lift` (478, 2) how far the raise moved them (only the upper lids matter)."""
    h, w = img.shape[:2]
    shift = 4
    for (up, _lo), iris in zip(_EYES, (L.RIGHT_IRIS, L.LEFT_IRIS), strict=True):
        raised = lm[list(up)]
        lift = lid_lift[list(up)]
        if float(np.abs(lift[:, 1]).max()) < 0.4:
            continue
        orig = raised - lift + [0.0, 1.2]
        poly = np.concatenate([raised, orig[::-1]])
        box = polygon_mask(poly, w=w, h=h, shift=shift)
        if box is None:
            continue
        x0, y0, x1, y1, m = box
        a = m.astype(np.float32)[..., None] / 255
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        top = np.interp(xx[0], raised[:, 0], raised[:, 1])[None, :]
        shade = np.clip((yy - top) / 3.0, 0, 1)[..., None]
        content = np.minimum(colours.sclera * (0.75 + 0.35 * shade), 255)
        c = lm[iris[0]]
        r = colours.iris_radius
        dist = np.hypot(xx - c[0], yy - c[1])[..., None]
        ai = np.clip(r + 0.5 - dist, 0, 1)
        ap = np.clip(0.45 * r + 0.5 - dist, 0, 1)
        content = content * (1 - ai) + colours.iris * (0.75 + 0.25 * shade) * ai
        content = content * (1 - ap) + colours.pupil * ap
        roi = img[y0:y1, x0:x1].astype(np.float32)
        patch = (roi * (1 - a) + content * a).astype(np.uint8)
        line = np.round((raised - [x0, y0]) * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
        lash = patch.copy()
        cv2.polylines(lash, [line], False, LASH, 1, cv2.LINE_AA, shift)
        img[y0:y1, x0:x1] = cv2.addWeighted(lash, 0.6, patch, 0.4, 0)


def compute_aperture_mask(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    """1 inside both eye openings (slightly grown, soft edge), 0 elsewhere: (H, W, 1) float32."""
    m: np.ndarray = np.zeros(shape, np.float32)
    for up, lo in _EYES:
        poly = np.concatenate([pts[list(up)], pts[list(lo[::-1])]])
        cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1.0)
    m = cv2.dilate(m, np.ones((3, 3), np.uint8))
    return cv2.GaussianBlur(m, (0, 0), 0.8)[..., None]


def paint_gaze(img: np.ndarray, lm: np.ndarray, shift: np.ndarray, colours: EyeColours,
               base: np.ndarray, base_pts: np.ndarray) -> None:
    """Move both irises by `shift` (2,) pixels within the eye openings, in place: sclera where
    the iris was, the iris where it goes (the base image's own iris pixels where they were
    visible in the base, else its colour, with the pupil), all clipped to the openings and
    shaded under the upper lid. `lm` (478, 2) are the frame's landmarks, the irises already
    moved; `base` (H, W, 3) and `base_pts` (478, 2) the neutral image and its landmarks."""
    h, w = img.shape[:2]
    shift = np.asarray(shift, dtype=np.float64)
    if float(np.hypot(*shift)) < 0.3:
        return
    r = colours.iris_radius
    for (up, lo), iris in zip(_EYES, (L.RIGHT_IRIS, L.LEFT_IRIS), strict=True):
        upper, lower = lm[list(up)], lm[list(lo)]
        poly = np.concatenate([upper, lower[::-1][1:-1]])
        box = polygon_mask(poly, w=w, h=h, shift=4)
        if box is None:
            continue
        x0, y0, x1, y1, m = box
        # the opening, pulled in a little so that nothing is painted over the lid margins
        ap = cv2.erode(m, np.ones((2, 2), np.uint8)).astype(np.float32)[..., None] / 255
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        new = lm[iris[0]]
        old = new - shift
        roi = img[y0:y1, x0:x1].astype(np.float32)
        # sclera where the iris was: filled in from the sclera and lids around it, toned
        # towards the sclera colour, darker under the upper lid
        top = np.interp(xx[0], upper[:, 0], upper[:, 1])[None, :]
        shade = np.clip((yy - top) / 3.5, 0, 1)[..., None]
        d_old = np.hypot(xx - old[0], yy - old[1])[..., None]
        a_old = np.clip(1.12 * r + 1.0 - d_old, 0, 1)
        hole = ((a_old[..., 0] > 0) & (ap[..., 0] > 0.02)).astype(np.uint8) * 255
        filled = cv2.inpaint(img[y0:y1, x0:x1], hole, 4, cv2.INPAINT_TELEA).astype(np.float32)
        sclera = 0.5 * filled + 0.5 * colours.sclera * (0.7 + 0.3 * shade)
        out = roi * (1 - a_old) + sclera * a_old
        # the iris: the base's iris pixels (where the base showed them), centred on `new`
        bc = base_pts[iris[0]]
        mx = (xx - new[0] + bc[0]).astype(np.float32)
        my = (yy - new[1] + bc[1]).astype(np.float32)
        tex = cv2.remap(base, mx, my, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        bpoly = np.concatenate([base_pts[list(up)], base_pts[list(lo[::-1])[1:-1]]])
        bbox = polygon_mask(bpoly, w=w, h=h, shift=4)
        seen: np.ndarray = np.zeros_like(ap)
        if bbox is not None:
            bx0, by0, _, _, bm = bbox
            bm = cv2.erode(bm, np.ones((3, 3), np.uint8)).astype(np.float32) / 255
            seen = cv2.remap(bm, mx - bx0, my - by0, cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=0)[..., None]
        d_new = np.hypot(xx - new[0], yy - new[1])[..., None]
        flat = colours.iris * (1 - 0.25 * np.clip(d_new / r, 0, 1) ** 4)
        flat = np.where(d_new < 0.45 * r, colours.pupil, flat)
        iris_px = tex * seen + flat * (1 - seen)
        a_new = np.clip(r + 0.5 - d_new, 0, 1)
        out = out * (1 - a_new) + iris_px * (0.8 + 0.2 * shade) * a_new
        img[y0:y1, x0:x1] = (roi * (1 - ap) + out * ap).astype(np.uint8)
