"""Printed ArUco marker detection (cv2.aruco) for the scale and the camera model, and the printable marker.

A 10 cm marker on the floor filmed from knee height 2-3 m away is a thin sliver, 30-90 px wide and only
4-20 px tall at the processing resolution. The detector therefore looks first in a region around the
feet, upscaled 3x (the contour and bit-sampling stages need a few pixels per marker cell), and refines the
corners there with the AprilTag edge-fitting method (corner RMS error 0.26 px against rendered truth, vs
0.8 px for the full-frame sub-pixel corners). The whole frame is searched when no feet are known or the
region holds no marker. Only the app's marker id (DICT_4X4_50, id 7) is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_ID = 7
ROI_UPSCALE = 3  # the region near the feet is searched at this magnification
ROI_MARGIN_SIDE = 1.0  # region: the feet's box widened by this many box widths to each side and below...
ROI_MARGIN_UP = 0.3  # ...and this many above
# a pattern with a corner this close to the picture's edge (px) is cut by it: the detector then puts the cut side
# along the edge (a rendered clip's marker 5 px out of the picture read the camera 10 cm low) - not taken
EDGE_CLEARANCE_PX = 3.0


def _detector(roi: bool) -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    if roi:
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_APRILTAG
        params.perspectiveRemovePixelPerCell = 8
        params.perspectiveRemoveIgnoredMarginPerCell = 0.25
    else:
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    return cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(DICTIONARY), params)


_DETECTORS: dict[bool, cv2.aruco.ArucoDetector] = {}


def _detect(gray: np.ndarray, roi: bool) -> np.ndarray | None:
    """Corners (4, 2) of the app's marker in ``gray``, else None."""
    if roi not in _DETECTORS:
        _DETECTORS[roi] = _detector(roi)
    corners, ids, _ = _DETECTORS[roi].detectMarkers(gray)
    if ids is None:
        return None
    for c, i in zip(corners, ids.ravel(), strict=True):
        if int(i) == MARKER_ID:
            return c.reshape(4, 2).astype(float)
    return None


def _detect_in_region(gray: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
    """Search the box (x0, y0, x1, y1) upscaled ``ROI_UPSCALE`` times; corners in full-frame pixels."""
    h, w = gray.shape
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(np.ceil(box[2])) + 1), min(h, int(np.ceil(box[3])) + 1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    crop = cv2.resize(gray[y0:y1, x0:x1], None, fx=ROI_UPSCALE, fy=ROI_UPSCALE, interpolation=cv2.INTER_CUBIC)
    c = _detect(crop, roi=True)
    if c is None:
        return None
    return (c + 0.5) / ROI_UPSCALE - 0.5 + np.array([x0, y0], dtype=float)


@dataclass(frozen=True)
class MarkerSearch:
    """What a search for the printed marker found in one picture."""

    corners_px: np.ndarray | None  # (4, 2) in ArUco order; None when not found or cut by the picture's edge
    cut_by_edge: bool = False  # the pattern was there but ran off the picture (so it is not used)


def search_marker(rgb: np.ndarray, near_px: np.ndarray | None = None) -> MarkerSearch:
    """Search the picture for the app's marker (see ``marker_corners_px``); a pattern cut by the picture's edge is
    reported as such, without corners."""
    c = _corners_px(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), near_px)
    if c is not None and cut_by_picture_edge(c, rgb.shape[1], rgb.shape[0]):
        return MarkerSearch(None, cut_by_edge=True)
    return MarkerSearch(c)


def marker_corners_px(rgb: np.ndarray, near_px: np.ndarray | None = None) -> np.ndarray | None:
    """The marker's four corners (4, 2) in pixels, in ArUco order (top-left, top-right, bottom-right,
    bottom-left of the printed pattern), else None. A marker cut by the picture's edge is not taken.

    ``near_px``: image points of the feet (any number, NaN rows ignored); the marker lies beside them."""
    return search_marker(rgb, near_px).corners_px


def cut_by_picture_edge(corners_px: np.ndarray, width_px: int, height_px: int) -> bool:
    """Whether a found pattern's corners (4, 2) touch the picture's edge (within ``EDGE_CLEARANCE_PX``)."""
    c = np.asarray(corners_px, dtype=float)
    m = EDGE_CLEARANCE_PX
    return bool(np.any(c < m - 0.5) or np.any(c[:, 0] > width_px - 0.5 - m) or np.any(c[:, 1] > height_px - 0.5 - m))


def _corners_px(gray: np.ndarray, near_px: np.ndarray | None) -> np.ndarray | None:
    if near_px is not None:
        pts = np.asarray(near_px, dtype=float).reshape(-1, 2)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts) >= 2:
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            size = max(float(hi[0] - lo[0]), float(hi[1] - lo[1]), 20.0)
            m = ROI_MARGIN_SIDE * size
            found = _detect_in_region(gray, (lo[0] - m, lo[1] - ROI_MARGIN_UP * size, hi[0] + m, hi[1] + m))
            if found is not None:
                return found
    full = _detect(gray, roi=False)
    if full is None:
        return None
    side = float(np.max(np.linalg.norm(full - np.roll(full, -1, axis=0), axis=1)))
    lo, hi = full.min(axis=0) - side, full.max(axis=0) + side
    refined = _detect_in_region(gray, (lo[0], lo[1], hi[0], hi[1]))  # sharper corners from the magnified view
    if refined is not None and float(np.max(np.abs(refined - full))) < 3.0:
        return refined
    return full


def side_from_corners_px(corners_px: np.ndarray) -> float:
    """Length in pixels of the marker's far edge along the floor.

    A marker lying on the floor beside the foot shows two edges running along the floor (long) and two
    receding ones (foreshortened). Of the two long ones the far edge is nearer the foot's plane; the near
    edge, some 10-20 cm closer to the camera, looks several per cent larger (measured on renders: +7.7 %
    with the near edge at 2.5 m).
    """
    c = np.asarray(corners_px, dtype=float).reshape(4, 2)
    sides = np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)
    along = (sides[0], sides[2]) if sides[0] + sides[2] >= sides[1] + sides[3] else (sides[1], sides[3])
    return float(min(along))


def marker_side_px(rgb: np.ndarray, near_px: np.ndarray | None = None) -> float | None:
    """Length in pixels of the marker's far edge along the floor (see ``side_from_corners_px``), else None."""
    c = marker_corners_px(rgb, near_px)
    return None if c is None else side_from_corners_px(c)


def marker_image(side_px: int = 800) -> np.ndarray:
    """The marker to print (grayscale, white border included)."""
    img = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(DICTIONARY), MARKER_ID, side_px)
    b = side_px // 8
    return np.asarray(cv2.copyMakeBorder(img, b, b, b, b, cv2.BORDER_CONSTANT, value=(255,)), dtype=np.uint8)
