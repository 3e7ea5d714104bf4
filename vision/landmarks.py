"""Named pose landmarks and the frozen, pixel-space ``PoseFrame`` everything downstream uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.landmarks import LEG_LANDMARK_INDEX, N_LANDMARKS, Landmark  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class LegLandmarks:
    """Landmarks of one leg."""

    hip: Landmark
    knee: Landmark
    ankle: Landmark
    heel: Landmark
    toe: Landmark
    shoulder: Landmark


LEGS: dict[str, LegLandmarks] = {
    side: LegLandmarks(**{part: Landmark(i) for part, i in parts.items()}) for side, parts in LEG_LANDMARK_INDEX.items()
}


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """One frame's pose in image pixels (x right, y down) of the displayed (upright) frame.

    ``xy_px`` is (33, 2) float, ``visibility`` (33,) in [0, 1], ``depth_rel`` (33,) is the model's
    relative depth (smaller = nearer the camera, same scale as x; only its ordering is used).
    ``mask`` is the person's segmentation probability (H, W) float32 in [0, 1], or None.
    """

    frame_index: int
    time_s: float
    width_px: int
    height_px: int
    xy_px: np.ndarray
    visibility: np.ndarray
    depth_rel: np.ndarray
    mask: np.ndarray | None = None

    def point(self, lm: Landmark) -> np.ndarray:
        return self.xy_px[int(lm)]

    def vis(self, lm: Landmark) -> float:
        return float(self.visibility[int(lm)])

    def bbox_px(self, min_visibility: float = 0.3) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the landmarks seen with at least ``min_visibility``."""
        sel = self.visibility >= min_visibility
        pts = self.xy_px[sel] if sel.any() else self.xy_px
        return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
