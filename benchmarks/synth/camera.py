"""Pinhole camera for the synthetic screen.

World frame (see ``body.py``): cm, floor ``y = 0`` (+y up), the front foot points along +x,
the front foot's heel-to-toe midpoint is at the origin. The camera stands on the side of the
front (screened) leg: world -z for a left front leg, +z for a right front leg.

Pixel convention: x right, y down, the centre of the top-left pixel is (0, 0) (OpenCV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A posed pinhole camera. ``rot`` maps world vectors to camera axes (x right, y down,
    z forward); ``center_cm`` is the optical centre in world cm."""

    width_px: int
    height_px: int
    focal_px: float
    cx_px: float
    cy_px: float
    rot: np.ndarray  # (3, 3) world -> camera
    center_cm: np.ndarray  # (3,)

    def to_cam(self, pts_cm: np.ndarray) -> np.ndarray:
        return (np.asarray(pts_cm, float) - self.center_cm) @ self.rot.T

    def project(self, pts_cm: np.ndarray) -> np.ndarray:
        """World cm (N,3) -> pixels (N,2). Points behind the camera get NaN."""
        pc = self.to_cam(np.atleast_2d(pts_cm))
        z = pc[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.focal_px * pc[:, 0] / z + self.cx_px
            v = self.focal_px * pc[:, 1] / z + self.cy_px
        out = np.stack([u, v], axis=1)
        out[z <= 1e-6] = np.nan
        return out

    def scaled(self, s: float) -> Camera:
        """The same camera at s times the resolution (for supersampling): pixel centres map as
        x_hi = (x + 0.5) * s - 0.5."""
        return Camera(
            width_px=int(round(self.width_px * s)),
            height_px=int(round(self.height_px * s)),
            focal_px=self.focal_px * s,
            cx_px=(self.cx_px + 0.5) * s - 0.5,
            cy_px=(self.cy_px + 0.5) * s - 0.5,
            rot=self.rot,
            center_cm=self.center_cm,
        )

    def ray_dirs(self) -> np.ndarray:
        """Unit world-space viewing ray per pixel, (H, W, 3) float32."""
        u = np.arange(self.width_px, dtype=np.float32)
        v = np.arange(self.height_px, dtype=np.float32)
        uu, vv = np.meshgrid(u, v)
        d = np.stack(
            [(uu - self.cx_px) / self.focal_px, (vv - self.cy_px) / self.focal_px, np.ones_like(uu)],
            axis=-1,
        )
        d = d @ self.rot.astype(np.float32)  # camera -> world (rot is orthonormal)
        d /= np.linalg.norm(d, axis=-1, keepdims=True)
        return d

    def as_dict(self) -> dict:
        return {
            "width_px": self.width_px,
            "height_px": self.height_px,
            "focal_px": self.focal_px,
            "cx_px": self.cx_px,
            "cy_px": self.cy_px,
            "rotation_world_to_cam": self.rot.tolist(),
            "center_cm": self.center_cm.tolist(),
        }


def focal_from_fov(fov_deg: float, width_px: int) -> float:
    return 0.5 * width_px / math.tan(math.radians(fov_deg) / 2.0)


def default_focal_px(width_px: int, height_px: int, fov_long_side_deg: float = 65.0) -> float:
    """A phone-like lens: ``fov_long_side_deg`` across the longer image side."""
    return focal_from_fov(fov_long_side_deg, max(width_px, height_px))


def look_at_camera(
    *,
    front_side: str,
    distance_m: float,
    height_m: float,
    yaw_deg: float,
    roll_deg: float,
    aim_cm: np.ndarray,
    width_px: int,
    height_px: int,
    focal_px: float,
    foot_cm: np.ndarray | None = None,
) -> Camera:
    """Camera at ``distance_m`` (horizontal, along the floor) from the front foot's midpoint,
    ``height_m`` above the floor, looking at ``aim_cm``.

    ``yaw_deg`` swings the camera about the vertical axis through the foot: 0 = pure side view,
    positive = toward the person's front (the camera sees a little of the front of the shin).
    ``roll_deg`` turns the camera about its viewing axis; positive makes the scene appear
    rotated counter-clockwise in the image.
    """
    foot = np.zeros(3) if foot_cm is None else np.asarray(foot_cm, float)
    side = np.array([0.0, 0.0, -1.0 if front_side == "left" else 1.0])
    fwd = np.array([1.0, 0.0, 0.0])
    y = math.radians(yaw_deg)
    horiz = math.cos(y) * side + math.sin(y) * fwd
    center = foot + 100.0 * distance_m * horiz
    center[1] = 100.0 * height_m
    f = np.asarray(aim_cm, float) - center
    f /= np.linalg.norm(f)
    up = np.array([0.0, 1.0, 0.0])
    r = np.cross(f, up)
    r /= np.linalg.norm(r)
    d = np.cross(f, r)
    ro = math.radians(roll_deg)
    r2 = math.cos(ro) * r + math.sin(ro) * d
    d2 = -math.sin(ro) * r + math.cos(ro) * d
    rot = np.stack([r2, d2, f])
    return Camera(
        width_px=int(width_px),
        height_px=int(height_px),
        focal_px=float(focal_px),
        cx_px=(width_px - 1) / 2.0,
        cy_px=(height_px - 1) / 2.0,
        rot=rot,
        center_cm=center,
    )
