"""A pinhole camera recovered from a square of known size lying on the floor (pure numpy).

The printed marker's four corners give the homography from floor centimetres to image pixels. With
square pixels and the principal point at the image centre, the homography fixes the focal length and
the camera's pose relative to the floor (Zhang 2000; Hartley & Zisserman 2004, 8.8). From then on
image points can be measured in 3-D: points on the floor are back-projected onto it, points above it
are found where their viewing ray meets a known plane (the leg's vertical sagittal plane).

Floor frame: cm, the floor is ``z = 0`` with +z up (towards the camera's side of the floor); x and y
span the floor. Camera frame: x right, y down, z forward (OpenCV). ``x_cam = R @ x_floor + t``.
Pixels: x right, y down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# plausible focal lengths, as field of view across the longer image side (phones: 60-80 deg; webcams 55-90)
MIN_FOV_LONG_SIDE_DEG = 25.0
MAX_FOV_LONG_SIDE_DEG = 120.0
# a lens the user or the file names: from a 250 mm-equivalent zoom (8 deg) to a 10 mm ultra-wide (120 deg)
GIVEN_LENS_FOV_RANGE_DEG = (5.0, 125.0)


@dataclass(frozen=True)
class FloorCamera:
    """A posed pinhole camera over the floor plane (see the module docstring for frames)."""

    focal_px: float
    cx_px: float
    cy_px: float
    rot_floor_to_cam: np.ndarray  # (3, 3)
    t_cm: np.ndarray  # (3,) floor origin in camera coordinates

    @property
    def k(self) -> np.ndarray:
        return np.array([[self.focal_px, 0.0, self.cx_px], [0.0, self.focal_px, self.cy_px], [0.0, 0.0, 1.0]])

    @property
    def center_cm(self) -> np.ndarray:
        """Optical centre in floor coordinates (its z is the camera's height above the floor)."""
        return -self.rot_floor_to_cam.T @ self.t_cm

    def project(self, pts_cm: np.ndarray) -> np.ndarray:
        """Floor-frame points (N, 3) -> pixels (N, 2); NaN behind the camera."""
        pc = np.atleast_2d(np.asarray(pts_cm, float)) @ self.rot_floor_to_cam.T + self.t_cm
        z = pc[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            uv = np.stack([self.focal_px * pc[:, 0] / z + self.cx_px, self.focal_px * pc[:, 1] / z + self.cy_px], axis=1)
        uv[~(z > 1e-9)] = np.nan
        return uv

    def ray_dirs(self, uv_px: np.ndarray) -> np.ndarray:
        """Viewing-ray directions (N, 3) in floor coordinates (not normalised) for pixels (N, 2)."""
        uv = np.atleast_2d(np.asarray(uv_px, float))
        d_cam = np.stack(
            [(uv[:, 0] - self.cx_px) / self.focal_px, (uv[:, 1] - self.cy_px) / self.focal_px, np.ones(len(uv))], axis=1
        )
        return d_cam @ self.rot_floor_to_cam  # R^T d for each row

    def to_plane(self, uv_px: np.ndarray, normal: np.ndarray, offset_cm: float) -> np.ndarray:
        """Where the viewing rays of pixels (N, 2) meet the plane ``normal . x = offset_cm`` (floor frame).

        NaN where the ray is parallel to the plane or meets it behind the camera."""
        c = self.center_cm
        d = self.ray_dirs(uv_px)
        n = np.asarray(normal, float)
        den = d @ n
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = (offset_cm - float(c @ n)) / den
        ok = (lam > 0) & np.isfinite(lam)
        out = c[None, :] + np.where(ok, lam, 0.0)[:, None] * d
        out[~ok] = np.nan
        return out

    def to_height(self, uv_px: np.ndarray, height_cm: float = 0.0) -> np.ndarray:
        """Back-project pixels (N, 2) onto the horizontal plane ``z = height_cm`` (floor frame, (N, 3))."""
        return self.to_plane(uv_px, np.array([0.0, 0.0, 1.0]), height_cm)


def _normalising(pts: np.ndarray) -> np.ndarray:
    """Similarity that moves points to their centroid and scales their mean distance to sqrt(2) (Hartley)."""
    c = pts.mean(axis=0)
    d = float(np.mean(np.linalg.norm(pts - c, axis=1)))
    s = math.sqrt(2.0) / d if d > 0 else 1.0
    return np.array([[s, 0.0, -s * c[0]], [0.0, s, -s * c[1]], [0.0, 0.0, 1.0]])


def homography_dlt(src_xy: np.ndarray, dst_uv: np.ndarray) -> np.ndarray | None:
    """The homography H (3x3, ``H[2, 2] = 1`` where possible) with ``dst ~ H @ [src, 1]``, by the normalised
    direct linear transform from 4 or more correspondences. None when degenerate (collinear points, NaN)."""
    src = np.asarray(src_xy, float)
    dst = np.asarray(dst_uv, float)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or len(src) < 4:
        return None
    if not (np.all(np.isfinite(src)) and np.all(np.isfinite(dst))):
        return None
    ts, td = _normalising(src), _normalising(dst)
    s = np.c_[src, np.ones(len(src))] @ ts.T
    d = np.c_[dst, np.ones(len(dst))] @ td.T
    rows = []
    for (x, y, w), (u, v, q) in zip(s, d, strict=True):
        rows.append([0, 0, 0, -q * x, -q * y, -q * w, v * x, v * y, v * w])
        rows.append([q * x, q * y, q * w, 0, 0, 0, -u * x, -u * y, -u * w])
    a = np.array(rows)
    _, sv, vt = np.linalg.svd(a)
    if sv[-2] < 1e-9 * sv[0]:  # more than one solution: the points are degenerate
        return None
    hn = vt[-1].reshape(3, 3)
    h = np.linalg.inv(td) @ hn @ ts
    if abs(h[2, 2]) > 1e-12:
        h = h / h[2, 2]
    else:
        h = h / np.linalg.norm(h)
    return h


def apply_homography(h: np.ndarray, xy: np.ndarray) -> np.ndarray:
    p = np.c_[np.atleast_2d(np.asarray(xy, float)), np.ones(len(np.atleast_2d(xy)))] @ np.asarray(h).T
    with np.errstate(divide="ignore", invalid="ignore"):
        return p[:, :2] / p[:, 2:3]


def focal_from_homography(h: np.ndarray, cx_px: float, cy_px: float) -> float | None:
    """Focal length (px) from a plane-to-image homography, square pixels and a known principal point.

    The columns h1, h2 of ``K^-1 H`` are the plane's axes scaled alike and orthogonal; with
    ``K = diag(f, f, 1)`` after moving the principal point to the origin that gives two equations
    linear in ``w = 1 / f^2``, solved together by least squares. None when they do not fix a positive
    ``w`` (plane seen face-on, or a tilt about an image axis through the principal point)."""
    t = np.array([[1.0, 0.0, -cx_px], [0.0, 1.0, -cy_px], [0.0, 0.0, 1.0]])
    g = t @ np.asarray(h, float)
    g = g / np.linalg.norm(g[:, :2])
    (a1, a2), (b1, b2), (c1, c2) = g[0, :2], g[1, :2], g[2, :2]
    coef = np.array([a1 * a2 + b1 * b2, a1 * a1 + b1 * b1 - a2 * a2 - b2 * b2])
    rhs = -np.array([c1 * c2, c1 * c1 - c2 * c2])
    den = float(coef @ coef)
    if den < 1e-18:
        return None
    w = float(coef @ rhs) / den
    if not w > 0:
        return None
    return 1.0 / math.sqrt(w)


def pose_from_homography(h: np.ndarray, focal_px: float, cx_px: float, cy_px: float) -> FloorCamera | None:
    """The camera pose from a floor-to-image homography and the intrinsics.

    The floor frame is the homography's source frame, turned if needed so that the camera is above the
    floor (+z up). None when the homography does not describe a plane in front of the camera."""
    k = np.array([[focal_px, 0.0, cx_px], [0.0, focal_px, cy_px], [0.0, 0.0, 1.0]])
    m = np.linalg.inv(k) @ np.asarray(h, float)
    n1, n2 = float(np.linalg.norm(m[:, 0])), float(np.linalg.norm(m[:, 1]))
    if not (n1 > 0 and n2 > 0):
        return None
    lam = 2.0 / (n1 + n2)
    if m[2, 2] * lam < 0:  # the plane's origin must lie in front of the camera (t_z > 0)
        lam = -lam
    r1, r2, t = lam * m[:, 0], lam * m[:, 1], lam * m[:, 2]
    r = np.stack([r1, r2, np.cross(r1, r2)], axis=1)
    u, _, vt = np.linalg.svd(r)
    r = u @ vt  # nearest rotation
    if np.linalg.det(r) < 0:
        return None
    cam = FloorCamera(float(focal_px), float(cx_px), float(cy_px), r, t)
    if cam.center_cm[2] < 0:  # source frame is left-handed seen from the camera: mirror y so +z is up
        flip = np.diag([1.0, -1.0, -1.0])
        cam = FloorCamera(cam.focal_px, cam.cx_px, cam.cy_px, r @ flip, t)
    if not cam.t_cm[2] > 0:
        return None
    return cam


def square_corners_cm(side_cm: float) -> np.ndarray:
    """Floor coordinates of a square marker's corners in ArUco order (top-left, top-right, bottom-right,
    bottom-left of the printed pattern)."""
    s = float(side_cm)
    return np.array([[0.0, 0.0], [s, 0.0], [s, -s], [0.0, -s]])


def camera_from_square(
    corners_px: np.ndarray, side_cm: float, cx_px: float, cy_px: float, focal_px: float | None = None
) -> FloorCamera | None:
    """Camera from the four image corners of a square of ``side_cm`` on the floor (ArUco order).

    The focal length is recovered from the homography unless given. None when the homography is
    degenerate or the focal length falls outside a plausible lens (see ``MIN/MAX_FOV_LONG_SIDE_DEG``, wider for a
    given lens: ``GIVEN_LENS_FOV_RANGE_DEG``; checked against the principal point's distance from the corner as
    half the long side)."""
    h = homography_dlt(square_corners_cm(side_cm), corners_px)
    if h is None:
        return None
    f = focal_px if focal_px is not None else focal_from_homography(h, cx_px, cy_px)
    if f is None or not math.isfinite(f):
        return None
    fov = 2.0 * math.degrees(math.atan((max(cx_px, cy_px) + 0.5) / f))
    lo, hi = (MIN_FOV_LONG_SIDE_DEG, MAX_FOV_LONG_SIDE_DEG) if focal_px is None else GIVEN_LENS_FOV_RANGE_DEG
    if not lo <= fov <= hi:
        return None
    return pose_from_homography(h, f, cx_px, cy_px)


def fov_long_side_deg(focal_px: float, width_px: int, height_px: int) -> float:
    return 2.0 * math.degrees(math.atan(0.5 * max(width_px, height_px) / focal_px))


def focal_from_fov(fov_long_side_deg: float, width_px: int, height_px: int) -> float:
    return 0.5 * max(width_px, height_px) / math.tan(math.radians(fov_long_side_deg) / 2.0)


def principal_point(width_px: int, height_px: int) -> tuple[float, float]:
    """The image centre in the pixel convention where the top-left pixel's centre is (0, 0)."""
    return (width_px - 1) / 2.0, (height_px - 1) / 2.0


def fit_floor_camera(
    corners_px: np.ndarray, side_cm: float, width_px: int, height_px: int, focal_px: float,
    require_upright: bool = True,
) -> tuple[FloorCamera, float] | None:
    """Camera pose from a square of ``side_cm`` on the floor with a known focal length: the homography's
    decomposition as a start, then the pose that minimises the corners' reprojection error (a small,
    foreshortened square fixes the pose far better this way than by the decomposition alone).

    Both poses of the planar ambiguity are tried; with ``require_upright`` (an upright picture, as the
    decoder delivers) only poses whose floor normal points up the picture are kept. Returns the camera and
    the RMS reprojection error (px), or None."""
    cx, cy = principal_point(width_px, height_px)
    cam = camera_from_square(corners_px, side_cm, cx, cy, focal_px=focal_px)
    if cam is None:
        return None
    best: tuple[FloorCamera, float] | None = None
    centre = square_corners_cm(side_cm).mean(axis=0)
    starts = [cam, _flipped_tilt(cam, centre)]
    flipped_again = False
    while starts:
        c, rms = refine_pose(starts.pop(0), square_corners_cm(side_cm), corners_px)
        if not math.isfinite(rms) or not c.t_cm[2] > 0 or not c.center_cm[2] > 0:
            continue
        if require_upright and not c.rot_floor_to_cam[1, 2] < 0:
            # the floor's up would point down the picture: the mirror pose of a thin, noisy square; its twin
            # is tried once more from here
            if not flipped_again:
                starts.append(_flipped_tilt(c, centre))
                flipped_again = True
            continue
        if best is None or rms < best[1]:
            best = (c, rms)
    return best


def _flipped_tilt(cam: FloorCamera, center_xy_cm: np.ndarray) -> FloorCamera:
    """The other pose of the planar-pose ambiguity: the plane's normal mirrored about the viewing ray to the
    square's centre (a small square seen obliquely fits both about equally well)."""
    r = cam.rot_floor_to_cam
    xc = r @ np.array([center_xy_cm[0], center_xy_cm[1], 0.0]) + cam.t_cm  # the centre in camera coordinates
    v = xc / np.linalg.norm(xc)
    n = r[:, 2]
    n2 = 2.0 * float(n @ v) * v - n
    axis = np.cross(n, n2)
    s = float(np.linalg.norm(axis))
    if s < 1e-12:
        return cam
    rot = _rodrigues(axis / s * math.atan2(s, float(n @ n2)))
    r2 = rot @ r
    return FloorCamera(cam.focal_px, cam.cx_px, cam.cy_px, r2, xc - r2 @ np.array([center_xy_cm[0], center_xy_cm[1], 0.0]))


def level_camera(height_cm: float, pitch_down_deg: float, roll_deg: float, focal_px: float, cx_px: float,
                 cy_px: float) -> FloorCamera:
    """A camera ``height_cm`` above the floor, its optical axis pitched down by ``pitch_down_deg`` and turned about
    that axis by ``roll_deg`` (0: a level phone, the picture's rows parallel to the floor). It looks along the floor
    frame's +y from above the origin: with no marker the floor frame is free, so it is chosen this way (the foot's
    direction on the floor is then measured in it)."""
    th, ph = math.radians(pitch_down_deg), math.radians(roll_deg)
    z = np.array([0.0, math.cos(th), -math.sin(th)])  # the optical axis
    x0 = np.array([1.0, 0.0, 0.0])  # picture right, before the roll
    y0 = np.cross(z, x0)  # picture down
    x = math.cos(ph) * x0 + math.sin(ph) * y0
    y = -math.sin(ph) * x0 + math.cos(ph) * y0
    r = np.stack([x, y, z])
    return FloorCamera(focal_px, cx_px, cy_px, r, -r @ np.array([0.0, 0.0, float(height_cm)]))


def vertical_plane(point_cm: np.ndarray, direction_cm: np.ndarray) -> tuple[np.ndarray, float]:
    """The vertical plane through ``point_cm`` containing the horizontal ``direction_cm``: (unit normal, offset)."""
    d = np.asarray(direction_cm, float).copy()
    d[2] = 0.0
    n = np.array([-d[1], d[0], 0.0])
    n = n / np.linalg.norm(n)
    return n, float(n @ np.asarray(point_cm, float))


def line_direction_in_plane(
    cam: FloorCamera, point_px: np.ndarray, direction_px: np.ndarray, normal: np.ndarray
) -> np.ndarray:
    """Unit 3-D direction (floor frame) of the line in the plane with ``normal`` whose image passes through
    ``point_px`` along ``direction_px``: the intersection of that plane with the plane through the optical
    centre and the image line. Sign: pointing the way ``direction_px`` points in the image."""
    p = np.asarray(point_px, float)
    q = p + 10.0 * np.asarray(direction_px, float) / np.linalg.norm(direction_px)
    d1, d2 = cam.ray_dirs(np.stack([p, q]))
    n_img = np.cross(d1, d2)
    v = np.cross(n_img, np.asarray(normal, float))
    nv = float(np.linalg.norm(v))
    if not nv > 0:
        return np.full(3, np.nan)
    v = v / nv
    # orient: moving along v from a point on the ray of p must move the image towards q
    x0 = cam.center_cm + d1 * 100.0
    uv = cam.project(np.stack([x0, x0 + v]))
    if float((uv[1] - uv[0]) @ (q - p)) < 0:
        v = -v
    return v


def _rodrigues(w: np.ndarray) -> np.ndarray:
    th = float(np.linalg.norm(w))
    if th < 1e-12:
        return np.eye(3)
    k = w / th
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(th) * kx + (1.0 - math.cos(th)) * (kx @ kx)


def refine_pose(
    cam: FloorCamera, floor_xy_cm: np.ndarray, image_uv_px: np.ndarray, iterations: int = 30
) -> tuple[FloorCamera, float]:
    """Least-squares pose (focal length held) minimising the reprojection error of floor points.

    Levenberg-Marquardt over a rotation increment and the translation. Returns the refined camera and the
    RMS reprojection error (px)."""
    pts = np.c_[np.asarray(floor_xy_cm, float), np.zeros(len(floor_xy_cm))]
    uv = np.asarray(image_uv_px, float)

    def residual(c: FloorCamera) -> np.ndarray:
        return (c.project(pts) - uv).ravel()

    def moved(c: FloorCamera, p: np.ndarray) -> FloorCamera:
        return FloorCamera(c.focal_px, c.cx_px, c.cy_px, _rodrigues(p[:3]) @ c.rot_floor_to_cam, c.t_cm + p[3:])

    cur = cam
    r = residual(cur)
    mu = 1e-3
    scale = np.array([1e-4, 1e-4, 1e-4, 1e-2, 1e-2, 1e-2])
    for _ in range(iterations):
        if not np.all(np.isfinite(r)):
            break
        jac = np.empty((len(r), 6))
        for j in range(6):
            p = np.zeros(6)
            p[j] = scale[j]
            jac[:, j] = (residual(moved(cur, p)) - r) / scale[j]
        jtj = jac.T @ jac
        g = jac.T @ r
        improved = False
        for _ in range(8):
            step = -np.linalg.solve(jtj + mu * np.diag(np.diag(jtj) + 1e-12), g)
            cand = moved(cur, step)
            rc = residual(cand)
            if np.all(np.isfinite(rc)) and rc @ rc < r @ r:
                cur, r, mu, improved = cand, rc, mu * 0.3, True
                break
            mu *= 10.0
        if not improved or float(np.max(np.abs(step))) < 1e-10:
            break
    return cur, float(np.sqrt(np.mean(r.reshape(-1, 2) ** 2 @ np.ones(2)))) if np.all(np.isfinite(r)) else math.inf


@dataclass(frozen=True)
class RollEstimate:
    """A camera's tilt read from upright lines in the scene (door frames, shelves, a wall's corner)."""

    roll_deg: float  # sideways, in ``level_camera``'s convention
    lines: int  # upright lines that agree with it (within the tolerance)
    support_px: float  # their summed length in the picture
    pitch_deg: float = math.nan  # down positive: read too by ``orientation_from_upright_lines`` (else given)
    pitch_spread_deg: float = math.nan  # how far the pitch moves when any one agreeing line is left out
    used_px: np.ndarray | None = None  # the agreeing segments (N, 4: x0, y0, x1, y1), to show the user


def _up_in_camera(roll_deg: np.ndarray, pitch_down_deg: np.ndarray) -> np.ndarray:
    """The floor's up direction in camera coordinates (..., 3) of ``level_camera`` at these roll and pitch grids."""
    r, p = np.radians(roll_deg), np.radians(pitch_down_deg)
    return np.stack(np.broadcast_arrays(-np.sin(r) * np.cos(p), -np.cos(r) * np.cos(p), -np.sin(p)), axis=-1)


@dataclass(frozen=True)
class _Segments:
    mid: np.ndarray  # (N, 2) px
    unit: np.ndarray  # (N, 2)
    length: np.ndarray  # (N,) px
    top_ray: np.ndarray  # (N, 3) camera-frame ray of the upper end

    def subset(self, keep: np.ndarray) -> _Segments:
        return _Segments(self.mid[keep], self.unit[keep], self.length[keep], self.top_ray[keep])

    def endpoints(self, sel: np.ndarray) -> np.ndarray:
        """The selected segments as (n, 4) end points."""
        half = 0.5 * self.length[sel, None] * self.unit[sel]
        return np.hstack([self.mid[sel] - half, self.mid[sel] + half])


def _segments(lines_px: np.ndarray, focal_px: float, cx_px: float, cy_px: float) -> _Segments:
    segs = np.asarray(lines_px, dtype=float).reshape(-1, 4)
    a, b = segs[:, :2], segs[:, 2:]
    top = np.where((a[:, 1] < b[:, 1])[:, None], a, b)
    d = b - a
    length = np.linalg.norm(d, axis=1)
    ray = np.stack([(top[:, 0] - cx_px) / focal_px, (top[:, 1] - cy_px) / focal_px, np.ones(len(top))], axis=1)
    return _Segments(0.5 * (a + b), d / np.maximum(length, 1e-9)[:, None], length, ray)


def _upright_fit(seg: _Segments, up: np.ndarray, focal_px: float, cx_px: float, cy_px: float,
                 tol_deg: float, weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For camera up-directions ``up`` (G, 3): each one's score (G,) and which segments agree with it (G, N).

    A segment counts when it points at the vertical vanishing point within ``tol_deg`` and its upper end is above the
    horizon (the floor lies below it, so a segment reaching above cannot be a floor board or tile running away from
    the camera, which also look upright); the score sums the counted segments' lengths under a smooth kernel.
    ``weight`` (N,) scales each segment's say (0 leaves it out)."""
    vp = up @ np.array([[focal_px, 0.0, 0.0], [0.0, focal_px, 0.0], [cx_px, cy_px, 1.0]])  # K @ up per row
    tx = vp[:, None, 0] - seg.mid[None, :, 0] * vp[:, None, 2]
    ty = vp[:, None, 1] - seg.mid[None, :, 1] * vp[:, None, 2]
    cross = np.abs(seg.unit[None, :, 0] * ty - seg.unit[None, :, 1] * tx) / np.maximum(np.hypot(tx, ty), 1e-12)
    res = np.degrees(np.arcsin(np.clip(cross, 0.0, 1.0)))
    above = (up @ seg.top_ray.T) > 0.0  # up is -y in the picture: a ray with a positive up component is above
    agree = above & (res < tol_deg)
    w = seg.length if weight is None else seg.length * weight
    score = np.sum(w[None, :] * np.clip(1.0 - (res / tol_deg) ** 2, 0.0, None) * above, axis=1)
    return score, agree


def roll_from_upright_lines(
    lines_px: np.ndarray,
    focal_px: float,
    cx_px: float,
    cy_px: float,
    pitch_down_deg: float,
    search_deg: float = 10.0,
    tol_deg: float = 0.5,
    min_lines: int = 2,
    min_support_px: float = 0.0,
    step_deg: float = 0.05,
) -> RollEstimate | None:
    """The roll (deg) of a camera pitched down by ``pitch_down_deg`` at which image line segments ``lines_px``
    (N, 4: x0, y0, x1, y1) are the images of vertical lines, i.e. point at the vertical vanishing point.

    Only segments reaching above the horizon (for every roll searched) are used (see ``_upright_fit``). Each roll in
    +-``search_deg`` is scored by the summed length of the segments within ``tol_deg`` of its vertical, so lines of
    other directions are outvoted, not averaged in. None when fewer than ``min_lines`` segments, or less than
    ``min_support_px`` of their length, agree on one roll."""
    seg = _segments(lines_px, focal_px, cx_px, cy_px)
    if len(seg.length) < min_lines:
        return None
    ends = _up_in_camera(np.array([-search_deg, search_deg]), np.full(2, pitch_down_deg))
    keep = np.all((ends @ seg.top_ray.T) > 0.0, axis=0)  # above the horizon at either end of the search
    seg = seg.subset(keep)
    if len(seg.length) < min_lines:
        return None
    rolls = np.arange(-search_deg, search_deg + 0.5 * step_deg, step_deg)
    score, agree = _upright_fit(seg, _up_in_camera(rolls, np.full(len(rolls), pitch_down_deg)), focal_px, cx_px,
                                cy_px, tol_deg)
    best = int(np.argmax(score))
    support = float(seg.length[agree[best]].sum())
    if int(agree[best].sum()) < min_lines or support < min_support_px:
        return None
    return RollEstimate(float(rolls[best]), int(agree[best].sum()), support, float(pitch_down_deg),
                        used_px=seg.endpoints(agree[best]))


def orientation_from_upright_lines(
    lines_px: np.ndarray,
    focal_px: float,
    cx_px: float,
    cy_px: float,
    roll_search_deg: float = 10.0,
    pitch_search_deg: tuple[float, float] = (-30.0, 45.0),
    tol_deg: float = 0.5,
    min_lines: int = 4,
    min_support_px: float = 0.0,
    max_pitch_spread_deg: float = 2.5,
    min_places: int = 3,
    max_bands: int = 8,
) -> RollEstimate | None:
    """Roll and pitch (deg) of the camera from upright line segments alone: the vertical vanishing point.

    Upright lines tilt by the roll everywhere and, with the camera pitched, lean in towards the vanishing point more
    the further they are from the picture's middle; lines at different places across the picture therefore fix the
    pitch too. A coarse grid (0.2 x 1 deg), then finer ones around its best (to 0.025 x 0.06 deg). The pitch is
    trusted when the agreeing lines stand in at least ``min_places`` places across the picture and leaving out any one
    place (with more than ``max_bands`` places, any one band of neighbouring places) moves it by at most
    ``max_pitch_spread_deg`` in all (lines bunched in one or two places, or one stray line
    among few, fail this). None when it is not trusted, or fewer than ``min_lines`` segments (or ``min_support_px``
    of length) agree."""
    seg = _segments(lines_px, focal_px, cx_px, cy_px)
    if len(seg.length) < min_lines:
        return None

    def search(rolls: np.ndarray, pitches: np.ndarray, weight: np.ndarray | None = None) -> tuple[float, float]:
        rr, pp = np.meshgrid(rolls, pitches, indexing="ij")
        score, _ = _upright_fit(seg, _up_in_camera(rr.ravel(), pp.ravel()), focal_px, cx_px, cy_px, tol_deg, weight)
        i = int(np.argmax(score))
        return float(rr.ravel()[i]), float(pp.ravel()[i])

    def near(r: float, p: float, half_r: float, half_p: float, weight: np.ndarray | None = None) -> tuple[float, float]:
        """The best within +-half_r x +-half_p of (r, p): a grid of 8 steps either way, then one of 0.02 x 0.05 deg
        around its best (the answer's resolution)."""
        r, p = search(np.linspace(r - half_r, r + half_r, 17), np.linspace(p - half_p, p + half_p, 17), weight)
        return search(np.linspace(r - half_r / 8, r + half_r / 8, max(3, round(half_r / 0.08) | 1)),
                      np.linspace(p - half_p / 8, p + half_p / 8, max(3, round(half_p / 0.2) | 1)), weight)

    lo, hi = pitch_search_deg
    # the whole range: steps of 0.2 deg of roll (an upright line agrees within 0.5 deg) and 1 deg of pitch (a line
    # leans by its distance from the middle, at most ~0.6, times the pitch)
    r0, p0 = search(np.arange(-roll_search_deg, roll_search_deg + 0.1, 0.2), np.arange(lo, hi + 0.5, 1.0))
    # which segments reach above the horizon is settled at the coarse answer, with 1.5 deg to spare; otherwise the
    # fine search would favour the pitches whose horizon lets more segments count
    margin = np.sin(np.radians(1.5)) * np.linalg.norm(seg.top_ray, axis=1)
    keep = (_up_in_camera(np.array(r0), np.array(p0)) @ seg.top_ray.T) > margin
    seg = seg.subset(keep)
    if len(seg.length) < min_lines:
        return None
    roll, pitch = near(r0, p0, 0.2, 1.0)
    _, agree = _upright_fit(seg, _up_in_camera(np.array([roll]), np.array([pitch])), focal_px, cx_px, cy_px, tol_deg)
    agree = agree[0]
    support = float(seg.length[agree].sum())
    if int(agree.sum()) < min_lines or support < min_support_px:
        return None
    # places across the picture: agreeing segments within 1 % of the focal length of each other side by side are one
    # (both edges of a door frame's post, a line found twice); the pitch needs lines at three places at least
    x = seg.mid[agree, 0]
    place = np.cumsum(np.r_[0, np.diff(np.sort(x)) > 0.01 * focal_px])[np.argsort(np.argsort(x))]
    if int(place.max()) + 1 < min_places:
        return None
    n_places = int(place.max()) + 1
    band = place * min(n_places, max_bands) // n_places  # many places: left out a band of neighbours at a time
    left_out = []
    for k in range(int(band.max()) + 1):  # each place (or band) left out in turn, searched a little wider
        w = np.ones(len(seg.length))
        w[np.flatnonzero(agree)[band == k]] = 0.0
        left_out.append(near(roll, pitch, 0.8, 2.0, w)[1])
    spread = float(max(left_out) - min(left_out))
    if spread > max_pitch_spread_deg:
        return None
    return RollEstimate(roll, int(agree.sum()), support, pitch, spread, seg.endpoints(agree))
