"""Front-most and lowest points of the body silhouette near landmarks (pure numpy).

The segmentation mask is a probability map (H, W) in [0, 1]. Edges are located to sub-pixel
precision by linear interpolation of the 0.5 crossing along the search direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.geometry import floor_up_normal, unit

MASK_THRESHOLD = 0.5


@dataclass(frozen=True)
class FootKneePoints:
    """Silhouette points of one leg in one frame (pixels, NaN when not found)."""

    kneecap_front_px: np.ndarray
    toe_tip_px: np.ndarray
    heel_back_px: np.ndarray
    heel_bottom_px: np.ndarray
    toe_bottom_px: np.ndarray
    sole_angle_deg: float = float("nan")  # image angle of the line fitted to the sole's bottom edge (heel to toe)


NAN2 = np.array([np.nan, np.nan])


def _window(mask: np.ndarray, center: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel coordinates (x, y) and values of the mask inside the disc of ``radius`` around ``center``."""
    h, w = mask.shape
    cx, cy = float(center[0]), float(center[1])
    x0, x1 = max(0, int(cx - radius)), min(w, int(cx + radius) + 2)
    y0, y1 = max(0, int(cy - radius)), min(h, int(cy + radius) + 2)
    if x0 >= x1 or y0 >= y1:
        return np.empty(0), np.empty(0), np.empty(0)
    sub = mask[y0:y1, x0:x1]
    ys, xs = np.mgrid[y0:y1, x0:x1]
    inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= radius * radius
    return xs[inside].astype(float), ys[inside].astype(float), sub[inside].astype(float)


def _bilinear(mask: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    x = np.clip(x, 0, w - 1.001)
    y = np.clip(y, 0, h - 1.001)
    x0 = np.floor(x).astype(int)
    y0 = np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    return (
        mask[y0, x0] * (1 - fx) * (1 - fy)
        + mask[y0, x0 + 1] * fx * (1 - fy)
        + mask[y0 + 1, x0] * (1 - fx) * fy
        + mask[y0 + 1, x0 + 1] * fx * fy
    )


def _refine_edge(mask: np.ndarray, p: np.ndarray, direction: np.ndarray, span_px: float = 4.0) -> np.ndarray:
    """Move ``p`` along ``direction`` to where the mask crosses 0.5 (outward edge), sub-pixel."""
    steps = np.linspace(-span_px, span_px, int(span_px * 8) + 1)
    xs = p[0] + steps * direction[0]
    ys = p[1] + steps * direction[1]
    vals = _bilinear(mask, xs, ys)
    above = vals >= MASK_THRESHOLD
    # last inside->outside transition along the direction
    idx = np.where(above[:-1] & ~above[1:])[0]
    if len(idx) == 0:
        return p
    i = idx[-1]
    v0, v1 = vals[i], vals[i + 1]
    frac = (v0 - MASK_THRESHOLD) / (v0 - v1) if v0 != v1 else 0.5
    s = steps[i] + frac * (steps[i + 1] - steps[i])
    return np.array([p[0] + s * direction[0], p[1] + s * direction[1]])


def extreme_point(
    mask: np.ndarray,
    center: np.ndarray,
    radius_px: float,
    direction: np.ndarray,
    keep: np.ndarray | None = None,
    constraint_dir: np.ndarray | None = None,
    constraint_max_px: float | None = None,
    constraint_origin: np.ndarray | None = None,
) -> np.ndarray:
    """The silhouette point inside the disc that lies furthest along ``direction`` (sub-pixel).

    Optional constraint: only pixels whose offset from ``constraint_origin`` along ``constraint_dir`` is
    at most ``constraint_max_px`` (e.g. "no higher than 4 cm above the floor").
    """
    if not np.all(np.isfinite(center)) or not np.all(np.isfinite(direction)) or radius_px < 2:
        return NAN2.copy()
    xs, ys, vals = _window(mask, center, radius_px)
    sel = vals >= MASK_THRESHOLD
    if constraint_dir is not None and constraint_max_px is not None and constraint_origin is not None:
        off = (xs - constraint_origin[0]) * constraint_dir[0] + (ys - constraint_origin[1]) * constraint_dir[1]
        sel &= off <= constraint_max_px
    if keep is not None:
        sel &= keep
    if not sel.any():
        return NAN2.copy()
    d = unit(direction)
    proj = xs[sel] * d[0] + ys[sel] * d[1]
    top = proj.max()
    near = proj >= top - 1.0  # the pixels on the extreme edge; take their centre to avoid jitter
    p = np.array([xs[sel][near].mean(), ys[sel][near].mean()])
    return _refine_edge(mask, p, d)


def sole_angle_deg(mask: np.ndarray, heel_px: np.ndarray, toe_px: np.ndarray, band: float) -> float:
    """Angle (deg, image axes) of the heel-to-toe line fitted to the bottom edge of the foot silhouette.

    The bottom edge is found per image column between 15 % and 80 % of the way from heel to toe
    (the flat part of the sole), to sub-pixel precision; a robust least-squares line is fitted.
    """
    h, w = mask.shape
    x_a, x_b = sorted((heel_px[0] + 0.15 * (toe_px[0] - heel_px[0]), heel_px[0] + 0.8 * (toe_px[0] - heel_px[0])))
    xs = np.arange(max(0, int(np.ceil(x_a))), min(w, int(np.floor(x_b)) + 1))
    if len(xs) < 6:
        return float("nan")
    y_lo = int(max(0, min(heel_px[1], toe_px[1]) - band))
    y_hi = int(min(h - 1, max(heel_px[1], toe_px[1]) + band))
    if y_hi - y_lo < 3:
        return float("nan")
    sub = mask[y_lo : y_hi + 1, xs]  # (rows, cols)
    inside = sub >= MASK_THRESHOLD
    has = inside.any(axis=0)
    # last inside row per column (the bottom edge), then the 0.5 crossing below it
    last = inside.shape[0] - 1 - np.argmax(inside[::-1], axis=0)
    nxt = np.minimum(last + 1, inside.shape[0] - 1)
    cols = np.arange(len(xs))
    v0, v1 = sub[last, cols], sub[nxt, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(v0 != v1, (v0 - MASK_THRESHOLD) / (v0 - v1), 0.0)
    ys = y_lo + last + np.clip(frac, 0, 1)
    ok = has & (last < inside.shape[0] - 1)
    if ok.sum() < 6:
        return float("nan")
    x_fit, y_fit = xs[ok].astype(float), ys[ok]
    keep = np.ones(len(x_fit), dtype=bool)
    for _ in range(2):
        a, b = np.polyfit(x_fit[keep], y_fit[keep], 1)
        resid = np.abs(y_fit - (a * x_fit + b))
        keep = resid <= max(1.5, 2.5 * float(np.median(resid[keep])))
        if keep.sum() < 6:
            return float("nan")
    direction = 1.0 if toe_px[0] >= heel_px[0] else -1.0
    return float(np.degrees(np.arctan2(a * direction, direction)))


def leg_points(
    mask: np.ndarray,
    knee_px: np.ndarray,
    ankle_px: np.ndarray,
    heel_px: np.ndarray,
    toe_px: np.ndarray,
) -> FootKneePoints:
    """Kneecap front, toe tip, heel back and the foot's lowest points from the silhouette of one leg.

    The forward direction is this frame's heel-to-toe landmark direction; the caller re-projects the
    points on the clip's floor line.
    """
    foot_len = float(np.linalg.norm(toe_px - heel_px))
    shin_len = float(np.linalg.norm(knee_px - ankle_px))
    if not np.isfinite(foot_len) or foot_len < 4 or not np.isfinite(shin_len) or shin_len < 4:
        return FootKneePoints(NAN2, NAN2, NAN2, NAN2, NAN2)
    f = unit(toe_px - heel_px)
    up = floor_up_normal(f)
    down = -up
    kneecap = extreme_point(mask, knee_px, 0.35 * shin_len, f)
    low_band = 0.22 * foot_len  # toe tip and sole stay within this height above the toe landmark
    toe_tip = extreme_point(
        mask, toe_px, 0.45 * foot_len, f, constraint_dir=up, constraint_max_px=low_band, constraint_origin=toe_px
    )
    heel_back = extreme_point(
        mask, heel_px, 0.25 * foot_len, -f, constraint_dir=up, constraint_max_px=low_band, constraint_origin=heel_px
    )
    heel_bottom = extreme_point(mask, heel_px, 0.22 * foot_len, down)
    toe_bottom = extreme_point(mask, toe_px, 0.3 * foot_len, down)
    sole = sole_angle_deg(mask, heel_px, toe_px, 0.35 * foot_len)
    return FootKneePoints(kneecap, toe_tip, heel_back, heel_bottom, toe_bottom, sole)
