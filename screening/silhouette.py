"""Front-most and lowest points of the body silhouette near landmarks (pure numpy).

The segmentation mask is a probability map (H, W) in [0, 1]. Edges are located to sub-pixel
precision by linear interpolation of the 0.5 crossing along the search direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from screening.geometry import floor_up_normal, unit

MASK_THRESHOLD = 0.5
NAN2 = np.array([np.nan, np.nan])
IMAGE_DOWN = np.array([0.0, 1.0])
# the heel's lowest point: where the lowest pixel hangs more than HEEL_SPUR below the level the outline holds over
# HEEL_SUPPORT of the sole, that level (a spur of the mask onto a printed marker: 4-13 px too low on a rendered clip)
HEEL_SUPPORT_FOOT_LENGTHS = 0.12
HEEL_SPUR_FOOT_LENGTHS = 0.03
# the heel's lowest point is looked for this far ahead of the heel's back edge (the heel landmark sat ~0.14 foot
# lengths ahead of it on a rendered clip; 0.15 ahead of the landmark was the region before stop 18, and remains
# the fallback when the silhouette shows no back edge)
HEEL_BOTTOM_REACH_FOOT_LENGTHS = 0.28
HEEL_BOTTOM_REACH_FROM_LANDMARK_FOOT_LENGTHS = 0.15


@dataclass(frozen=True)
class FootKneePoints:
    """Silhouette points of one leg in one frame (pixels, NaN when not found)."""

    kneecap_front_px: np.ndarray
    toe_tip_px: np.ndarray
    heel_back_px: np.ndarray
    heel_bottom_px: np.ndarray
    toe_bottom_px: np.ndarray
    shin_front_dir: np.ndarray = field(default_factory=lambda: NAN2.copy())  # unit, ankle-to-knee, front edge
    # lowest points (straight down in the picture) near the knee and the toes: where a kneeling leg's knee and
    # tucked toes touch the floor (the back leg of the half-kneel gives a floor line independent of the front foot)
    knee_floor_px: np.ndarray = field(default_factory=lambda: NAN2.copy())
    toe_floor_px: np.ndarray = field(default_factory=lambda: NAN2.copy())
    toe_front_floor_px: np.ndarray = field(default_factory=lambda: NAN2.copy())



def _window(mask: np.ndarray, center: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (x, y) of the silhouette (mask >= 0.5) inside the disc of ``radius`` around ``center``."""
    h, w = mask.shape
    cx, cy = float(center[0]), float(center[1])
    x0, x1 = max(0, int(cx - radius)), min(w, int(cx + radius) + 2)
    y0, y1 = max(0, int(cy - radius)), min(h, int(cy + radius) + 2)
    if x0 >= x1 or y0 >= y1:
        return np.empty(0), np.empty(0)
    yy, xx = np.nonzero(mask[y0:y1, x0:x1] >= MASK_THRESHOLD)
    xs = xx.astype(float) + x0
    ys = yy.astype(float) + y0
    inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= radius * radius
    return xs[inside], ys[inside]


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
    """Move ``p`` along ``direction`` to where the mask crosses 0.5 (outward edge), sub-pixel.

    NaN when there is no such edge nearby: the extreme pixel then lies on the border of the search
    window inside the body, which is not a point of the silhouette."""
    steps = np.linspace(-span_px, span_px, int(span_px * 8) + 1)
    xs = p[0] + steps * direction[0]
    ys = p[1] + steps * direction[1]
    vals = _bilinear(mask, xs, ys)
    above = vals >= MASK_THRESHOLD
    # last inside->outside transition along the direction
    idx = np.where(above[:-1] & ~above[1:])[0]
    if len(idx) == 0:
        return NAN2.copy()
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
    constraint_dir: np.ndarray | None = None,
    constraint_max_px: float | None = None,
    constraint_origin: np.ndarray | None = None,
    support_px: float = 0.0,
    spur_px: float = 0.0,
) -> np.ndarray:
    """The silhouette point inside the disc that lies furthest along ``direction`` (sub-pixel).

    Optional constraint: only pixels whose offset from ``constraint_origin`` along ``constraint_dir`` is
    at most ``constraint_max_px`` (e.g. "no higher than 4 cm above the floor"). ``support_px``: where the furthest
    pixel lies more than ``spur_px`` beyond the level the silhouette holds over a stretch ``support_px`` wide
    (``supported_extreme``), that level is taken instead: a thin spur of the mask beyond the outline (onto a printed
    marker under the heel) is not the outline.
    """
    if not np.all(np.isfinite(center)) or not np.all(np.isfinite(direction)) or radius_px < 2:
        return NAN2.copy()
    xs, ys = _window(mask, center, radius_px)
    sel = np.ones(len(xs), dtype=bool)
    if constraint_dir is not None and constraint_max_px is not None and constraint_origin is not None:
        off = (xs - constraint_origin[0]) * constraint_dir[0] + (ys - constraint_origin[1]) * constraint_dir[1]
        sel &= off <= constraint_max_px
    if not sel.any():
        return NAN2.copy()
    d = unit(direction)
    proj = xs[sel] * d[0] + ys[sel] * d[1]
    top = proj.max()
    if support_px > 0:
        p = supported_extreme(xs[sel], ys[sel], d, support_px)
        if top - float(p @ d) > spur_px:  # a spur reaches this far beyond the held outline: take the outline
            edge = _refine_edge(mask, p, d, span_px=1.5)
            return edge if np.all(np.isfinite(edge)) else p + 0.5 * d  # the spur continues there: the pixel's side
    near = proj >= top - 1.0  # the pixels on the extreme edge; take their centre to avoid jitter
    p = np.array([xs[sel][near].mean(), ys[sel][near].mean()])
    return _refine_edge(mask, p, d)


def supported_extreme(xs: np.ndarray, ys: np.ndarray, direction: np.ndarray, width_px: float) -> np.ndarray:
    """The pixel (x, y) of the outline furthest along the unit ``direction`` that the silhouette reaches over a
    stretch at least ``width_px`` wide across it: the outline's furthest level per 1-px column across the direction,
    then the deepest level held by every column of some ``width_px`` run (a morphological opening of the outline)."""
    across = np.array([-direction[1], direction[0]])
    a = np.floor(xs * across[0] + ys * across[1]).astype(int)
    along = xs * direction[0] + ys * direction[1]
    lo = int(a.min())
    cols = np.full(int(a.max()) - lo + 1, -np.inf)
    np.maximum.at(cols, a - lo, along)
    n = max(1, min(len(cols), int(round(width_px))))
    runs = np.lib.stride_tricks.sliding_window_view(cols, n).min(axis=1)  # each run's shallowest column
    k = int(np.argmax(runs))
    level = float(runs[k])
    centre = lo + k + 0.5 * (n - 1) + 0.5
    return centre * across + level * direction


def _front_edges(mask: np.ndarray, centres: np.ndarray, normal: np.ndarray, span_px: float) -> list[float | None]:
    """For each centre, the offset along ``normal`` of the limb's front silhouette edge (sub-pixel), or None
    when the limb's cross-section there does not end cleanly (it runs into an arm or the other leg).
    All cross-sections are sampled in one vectorised lookup."""
    steps = np.linspace(-span_px, span_px, max(9, int(span_px * 4)) | 1)
    xs = centres[:, 0:1] + steps[None, :] * normal[0]
    ys = centres[:, 1:2] + steps[None, :] * normal[1]
    vals = _bilinear(mask, xs.ravel(), ys.ravel()).reshape(xs.shape)
    inside = vals >= MASK_THRESHOLD
    c = len(steps) // 2
    out: list[float | None] = []
    for row, ins in zip(vals, inside, strict=True):
        if not ins[c]:
            out.append(None)
            continue
        outside = np.flatnonzero(~ins[c:])
        back = np.flatnonzero(~ins[: c + 1])
        if len(outside) == 0 or len(back) == 0:
            out.append(None)  # no clean edge on one side within the span
            continue
        j = c + int(outside[0]) - 1  # last inside sample towards the front
        v0, v1 = row[j], row[j + 1]
        frac = (v0 - MASK_THRESHOLD) / (v0 - v1) if v0 != v1 else 0.5
        out.append(float(steps[j] + frac * (steps[j + 1] - steps[j])))
    return out


def shin_front_direction(mask: np.ndarray, knee_px: np.ndarray, ankle_px: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Unit direction (ankle to knee) of the shin's front edge, fitted over the middle half of the shank.

    The front edge follows the tibia's crest, which is straight and free of calf muscle; the caller
    corrects its small constant lean relative to the knee-to-ankle joint-centre line.
    """
    d = knee_px - ankle_px
    length = float(np.linalg.norm(d))
    if not np.isfinite(length) or length < 20:
        return NAN2.copy()
    u = d / length
    n = np.array([-u[1], u[0]])
    if float(n @ forward) < 0:
        n = -n  # normal pointing forward (to the front of the shin)
    ts = np.linspace(0.25, 0.75, 11)
    centres = ankle_px[None, :] + ts[:, None] * d[None, :]
    pts = [c + e * n for c, e in zip(centres, _front_edges(mask, centres, n, 0.3 * length), strict=True) if e is not None]
    if len(pts) < 6:
        return NAN2.copy()
    arr = np.array(pts)
    centred = arr - arr.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    v = vt[0]
    resid = np.abs(centred @ np.array([-v[1], v[0]]))
    if float(np.max(resid)) > 0.04 * length:  # not a straight edge (clothing fold, hand on the shin)
        return NAN2.copy()
    return v if float(v @ u) > 0 else -v


def knee_floor_contact(
    mask: np.ndarray, knee_px: np.ndarray, ankle_px: np.ndarray, toe_floor_px: np.ndarray
) -> np.ndarray:
    """Where a kneeling leg's knee touches the floor (NaN unless the knee rests about level with the toes).

    The point where the lower tangent from the tucked toes' floor contact, forward along the shin, touches the
    silhouette: the knee's skin on the floor, found even when the pose model puts the back knee several cm up
    the thigh. Knee and toes rest on the floor at the same depth, so the two points give the floor's direction
    in the picture independently of the front foot."""
    s = np.asarray(knee_px, float) - np.asarray(ankle_px, float)
    shin = float(np.linalg.norm(s))
    if not np.isfinite(shin) or shin < 10 or not np.all(np.isfinite(toe_floor_px)):
        return NAN2.copy()
    if float(toe_floor_px[1] - knee_px[1]) > 0.45 * shin:
        return NAN2.copy()  # the knee is well above the toes: not a kneeling leg
    fwd = s / shin
    down = -floor_up_normal(fwd)
    reach = float((knee_px - toe_floor_px) @ fwd) + 0.25 * shin
    if reach < 0.75 * shin:
        return NAN2.copy()
    xs, ys = _window(mask, toe_floor_px + fwd * (0.5 * reach), 0.5 * reach + 0.25 * shin)
    vx, vy = xs - toe_floor_px[0], ys - toe_floor_px[1]
    along = vx * fwd[0] + vy * fwd[1]
    sel = (along >= 0.4 * reach) & (along <= reach)
    if not sel.any():
        return NAN2.copy()
    ang = np.arctan2(vx[sel] * down[0] + vy[sel] * down[1], along[sel])
    k = int(np.argmax(ang))
    p = np.array([xs[sel][k], ys[sel][k]])
    edge = _refine_edge(mask, p, down)
    return edge if np.all(np.isfinite(edge)) else p


def heel_bottom_region(heel_px: np.ndarray, heel_back_px: np.ndarray, foot_len_px: float) -> tuple[np.ndarray, float]:
    """Where the heel's lowest point is looked for along the foot: (origin (px), reach ahead of it (px)).

    From the heel's back edge in the silhouette, ``HEEL_BOTTOM_REACH_FOOT_LENGTHS`` of the foot forward; without a back
    edge, from the heel landmark, ``HEEL_BOTTOM_REACH_FROM_LANDMARK_FOOT_LENGTHS`` forward. The landmark rides up and
    back on the heel as the shin leans: a region measured from it shrank onto the heel's rounded back at each drive
    and its lowest point rose there by 0.5-1 px (a flat heel read up to 0.75 cm "lifted" on a slow rendered drive,
    ``benchmarks.heel_pace``); the back edge stays put."""
    if np.all(np.isfinite(heel_back_px)):
        return np.asarray(heel_back_px, dtype=float), HEEL_BOTTOM_REACH_FOOT_LENGTHS * foot_len_px
    return np.asarray(heel_px, dtype=float), HEEL_BOTTOM_REACH_FROM_LANDMARK_FOOT_LENGTHS * foot_len_px


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
    # the heel's lowest point: below the heel landmark, in the rear part of the foot only - measured from the heel's
    # back edge in the silhouette where it is found (``heel_bottom_region``) - held over a stretch of the sole: a thin
    # spur of the mask below it (onto a printed marker under the heel: 4-13 px too low on a rendered clip) is not the
    # heel
    origin, reach = heel_bottom_region(heel_px, heel_back, foot_len)
    heel_bottom = extreme_point(
        mask, heel_px, 0.45 * foot_len, down, constraint_dir=f, constraint_max_px=reach, constraint_origin=origin,
        support_px=HEEL_SUPPORT_FOOT_LENGTHS * foot_len, spur_px=HEEL_SPUR_FOOT_LENGTHS * foot_len,
    )
    toe_bottom = extreme_point(mask, toe_px, 0.3 * foot_len, down)
    shin_dir = shin_front_direction(mask, knee_px, ankle_px, f)
    toe_floor = extreme_point(mask, toe_px, 0.3 * foot_len, IMAGE_DOWN)
    knee_floor = knee_floor_contact(mask, knee_px, ankle_px, toe_floor)
    toe_front_floor = extreme_point(mask, toe_px, 0.3 * foot_len, IMAGE_DOWN, constraint_dir=-f,
                                    constraint_max_px=0.15 * foot_len, constraint_origin=toe_tip)
    return FootKneePoints(kneecap, toe_tip, heel_back, heel_bottom, toe_bottom, shin_dir, knee_floor, toe_floor,
                          toe_front_floor)
