"""Per-frame observations gathered while streaming a clip (small: no pixels are kept)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from screening.silhouette import FootKneePoints


@dataclass(frozen=True, eq=False)
class FrameRecord:
    frame_index: int
    time_s: float
    width_px: int
    height_px: int
    luma_mean: float
    xy_px: np.ndarray | None = None  # (33, 2) landmarks in pixels, None when no person was found
    visibility: np.ndarray | None = None
    depth_rel: np.ndarray | None = None
    legs: dict[str, FootKneePoints] = field(default_factory=dict)
    marker_side_px: float | None = None
    other_people: int = 0
    to_ref: np.ndarray | None = None  # 2x3 map from this frame's pixels to the first frame's (camera motion)
    similar_people: int = 0  # of the other people, those about as tall as the measured person
    # the printed floor marker's four corners (4, 2) in this frame's pixels, ArUco order (top-left, top-right,
    # bottom-right, bottom-left of the pattern); None when not searched or not found
    marker_corners_px: np.ndarray | None = None
    marker_cut_by_edge: bool = False  # the marker was seen running off the picture's edge (so not used)
    # straight, nearly upright background lines (N, 4: x0, y0, x1, y1) in this frame's pixels, for the camera's
    # sideways tilt (``calibration.camera.roll_from_upright_lines``); None when not searched (one frame is)
    upright_lines_px: np.ndarray | None = None

    @property
    def pose_found(self) -> bool:
        return self.xy_px is not None

    def to_first_px(self, pts: np.ndarray, direction: bool = False) -> np.ndarray:
        """Points (..., 2) of this frame's pixels in the first frame's (``to_ref``; directions: without the shift)."""
        p = np.asarray(pts, dtype=float)
        if self.to_ref is None:
            return p
        a = np.asarray(self.to_ref, dtype=float)
        return p @ a[:, :2].T + (0.0 if direction else a[:, 2])

    def from_first_px(self, pts: np.ndarray, direction: bool = False) -> np.ndarray:
        """Points (..., 2) of the first frame's pixels in this frame's (the inverse of ``to_first_px``)."""
        p = np.asarray(pts, dtype=float)
        if self.to_ref is None:
            return p
        a = np.asarray(self.to_ref, dtype=float)
        return np.linalg.solve(a[:, :2], (p - (0.0 if direction else a[:, 2])).T).T
