"""Pure plane geometry in image pixels (x right, y down). No cv2, mediapipe or streamlit here."""

from __future__ import annotations

import math

import numpy as np

ArrayLike = np.ndarray


def unit(v: ArrayLike) -> np.ndarray:
    """Unit vector of ``v`` (last axis); NaN where the length is zero."""
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan)


def floor_up_normal(forward: ArrayLike) -> np.ndarray:
    """The floor normal pointing up in the image (negative y) for a unit ``forward`` direction."""
    f = unit(forward)
    n = np.stack([f[..., 1], -f[..., 0]], axis=-1)
    flip = n[..., 1] > 0
    return np.where(flip[..., None], -n, n)


def shin_angle_deg(knee_px: ArrayLike, ankle_px: ArrayLike, forward: ArrayLike, up: ArrayLike | None = None) -> np.ndarray:
    """Tibia inclination from the vertical, degrees; 0 = vertical, positive = knee ahead of the ankle.

    ``knee_px``/``ankle_px`` are joint centres (..., 2); ``forward`` is the heel-to-toe direction; ``up`` the
    picture's estimate of the upward vertical (``vertical_estimate``), by default the floor line's perpendicular.
    """
    t = np.asarray(knee_px, dtype=float) - np.asarray(ankle_px, dtype=float)
    f = unit(forward)
    u = floor_up_normal(f) if up is None else unit(up)
    side = np.stack([-u[..., 1], u[..., 0]], axis=-1)  # perpendicular to up, on the forward side
    flip = np.sum(side * f, axis=-1) < 0
    side = np.where(flip[..., None], -side, side)
    return np.degrees(np.arctan2(np.sum(t * side, axis=-1), np.sum(t * u, axis=-1)))


def rotate_deg(v: ArrayLike, angle_deg: float) -> np.ndarray:
    """``v`` (2,) turned by ``angle_deg`` (image axes: positive turns x towards y, i.e. clockwise on screen)."""
    a = math.radians(angle_deg)
    x, y = np.asarray(v, dtype=float)
    return np.array([x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)])


def angle_between_deg(a: ArrayLike, b: ArrayLike) -> float:
    """Signed angle (deg) that turns direction ``a`` onto ``b`` (same sense as ``rotate_deg``)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return math.degrees(math.atan2(a[0] * b[1] - a[1] * b[0], float(a @ b)))


IMAGE_UP = np.array([0.0, -1.0])
# The upward vertical in a flat reading (no camera model), a weighted mean by angle of three estimates whose
# errors differ: the front foot's floor line's perpendicular (perspective tilts it: the long toe lies deeper than
# the heel's contact), the back leg's floor line's perpendicular (knee and toes rest on the floor side by side in
# depth; its direction error SD 1.4 deg against 2.5 on the benchmark stills, less steady on seed 777's) and the
# picture's own up (wrong by the phone's roll). Weights: of six tried on the benchmark stills and on 60 stills of
# an independent seed (777), the best on three of the four MAEs and 0.02 deg behind on the fourth (777: shin
# 2.69 -> 2.31 deg, knee past toe 1.32 -> 1.11 cm; the sweep 2.33 -> 1.94 deg, 1.16 -> 1.01 cm; docs/ACCURACY.md
# "Stop 16"); without a back-leg line: 3:1 front line and picture (stop 11's KPT_IMAGE_VERTICAL_WEIGHT).
VERTICAL_WEIGHTS_FRONT_BACK_PICTURE = (0.25, 0.5, 0.25)
KPT_IMAGE_VERTICAL_WEIGHT = 0.25


def vertical_estimate(forward: ArrayLike, back_forward: ArrayLike | None = None) -> np.ndarray:
    """The picture's upward vertical at the foot (unit, (2,)) without a camera model, from the front foot's floor
    direction ``forward`` and, when known, the back leg's floor direction ``back_forward`` (same sense); see
    ``VERTICAL_WEIGHTS_FRONT_BACK_PICTURE``. NaN when ``forward`` is unknown."""
    front_up = floor_up_normal(unit(forward))
    if not np.all(np.isfinite(front_up)):
        return np.array([np.nan, np.nan])
    estimates = [(front_up, 1.0 - KPT_IMAGE_VERTICAL_WEIGHT), (IMAGE_UP, KPT_IMAGE_VERTICAL_WEIGHT)]
    if back_forward is not None and np.all(np.isfinite(back_forward)):
        wf, wb, wp = VERTICAL_WEIGHTS_FRONT_BACK_PICTURE
        estimates = [(front_up, wf), (floor_up_normal(unit(back_forward)), wb), (IMAGE_UP, wp)]
    turn = sum(w * angle_between_deg(front_up, u) for u, w in estimates)
    return rotate_deg(front_up, turn)


def signed_along(p_px: ArrayLike, origin_px: ArrayLike, direction: ArrayLike) -> np.ndarray:
    """Signed distance in pixels of ``p`` from ``origin`` along ``direction``."""
    return np.sum((np.asarray(p_px, dtype=float) - np.asarray(origin_px, dtype=float)) * unit(direction), axis=-1)


def knee_past_toe_px(kneecap_front_px: ArrayLike, toe_tip_px: ArrayLike, forward: ArrayLike) -> np.ndarray:
    """Signed distance (px) from the toe tip to the kneecap front along ``forward``; positive = past the toe."""
    return signed_along(kneecap_front_px, toe_tip_px, forward)


def knee_past_toe_2d_px(kneecap_front_px: ArrayLike, toe_tip_px: ArrayLike, forward: ArrayLike,
                        up: ArrayLike | None = None) -> np.ndarray:
    """Knee past toe (px along the floor, + = past the toe) read flat in the picture, without a camera model.

    The toe-to-kneecap vector is split along the floor line ``forward`` and the vertical ``up``
    (``vertical_estimate``; by default from the floor line alone: 3:1 its perpendicular and the picture's up) and
    the floor part is kept. Where the floor line is steeper than 60 deg in the picture the vertical is taken as the
    floor line's perpendicular (a plain distance along the floor line)."""
    f = unit(forward)
    u = unit(vertical_estimate(f) if up is None else up)
    d = np.asarray(kneecap_front_px, dtype=float) - np.asarray(toe_tip_px, dtype=float)
    along = knee_past_toe_px(kneecap_front_px, toe_tip_px, f)
    with np.errstate(invalid="ignore", divide="ignore"):
        split = (d[..., 0] * u[..., 1] - d[..., 1] * u[..., 0]) / (f[..., 0] * u[..., 1] - f[..., 1] * u[..., 0])
    usable = np.abs(f[..., 0]) >= 0.5
    return np.where(usable, split, along)


def foot_tilt_deg(forward: ArrayLike | None) -> float:
    """How far the floor line (heel to toe, ``forward``) slopes down towards the toes in the picture, deg
    (negative: up towards the toes); NaN when there is no direction."""
    if forward is None:
        return math.nan
    f = np.asarray(forward, dtype=float)
    if not np.all(np.isfinite(f)):
        return math.nan
    return math.degrees(math.atan2(float(f[1]), abs(float(f[0]))))


def height_above_line_px(p_px: ArrayLike, line_point_px: ArrayLike, forward: ArrayLike) -> np.ndarray:
    """Height (px) of ``p`` above the floor line through ``line_point`` with direction ``forward``."""
    return signed_along(p_px, line_point_px, floor_up_normal(forward))


def median_direction(vectors: ArrayLike) -> np.ndarray:
    """Robust mean direction of 2-D vectors (unit), ignoring NaN rows."""
    v = unit(np.asarray(vectors, dtype=float))
    v = v[np.all(np.isfinite(v), axis=1)]
    if len(v) == 0:
        return np.array([np.nan, np.nan])
    mean = unit(v.mean(axis=0))
    ang = np.arctan2(v[:, 1] * mean[0] - v[:, 0] * mean[1], v @ mean)  # angle of each relative to the mean
    a = float(np.median(ang))
    c, s = math.cos(a), math.sin(a)
    return np.array([mean[0] * c - mean[1] * s, mean[0] * s + mean[1] * c])


def distance_to_polygon_px(points_px: ArrayLike, polygon_px: ArrayLike) -> np.ndarray:
    """Signed distance (px) of points (n, 2) to a convex polygon (k, 2): negative inside, positive outside,
    NaN for a NaN point."""
    p = np.asarray(points_px, dtype=float).reshape(-1, 2)
    a = np.asarray(polygon_px, dtype=float).reshape(-1, 2)
    ab = np.roll(a, -1, axis=0) - a
    ap = p[:, None, :] - a[None]
    t = np.clip(np.sum(ap * ab, axis=-1) / np.sum(ab * ab, axis=-1), 0.0, 1.0)
    d = np.min(np.linalg.norm(ap - t[..., None] * ab[None], axis=-1), axis=1)
    cross = ab[None, :, 0] * ap[..., 1] - ab[None, :, 1] * ap[..., 0]
    inside = np.all(cross >= 0, axis=1) | np.all(cross <= 0, axis=1)
    return np.where(inside, -d, d)
