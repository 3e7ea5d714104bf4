"""Printed ArUco marker detection (cv2.aruco) for the scale, and the printable marker image."""

from __future__ import annotations

import cv2
import numpy as np

DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_ID = 7


def _detector() -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    return cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(DICTIONARY), params)


_DET: cv2.aruco.ArucoDetector | None = None


def marker_side_px(rgb: np.ndarray) -> float | None:
    """Length in pixels of the marker's far edge along the floor, else None.

    A marker lying on the floor beside the foot shows two edges running along the floor (long) and two
    receding ones (foreshortened). Of the two long ones the far edge is nearer the foot's plane; the near
    edge, some 10-20 cm closer to the camera, looks several per cent larger (measured on renders: +7.7 %
    with the near edge at 2.5 m).
    """
    global _DET
    if _DET is None:
        _DET = _detector()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    corners, ids, _ = _DET.detectMarkers(gray)
    if ids is None or len(corners) == 0:
        return None
    c = corners[0].reshape(4, 2).astype(float)
    sides = np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)
    along = (sides[0], sides[2]) if sides[0] + sides[2] >= sides[1] + sides[3] else (sides[1], sides[3])
    return float(min(along))


def marker_image(side_px: int = 800) -> np.ndarray:
    """The marker to print (grayscale, white border included)."""
    img = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(DICTIONARY), MARKER_ID, side_px)
    return cv2.copyMakeBorder(img, side_px // 8, side_px // 8, side_px // 8, side_px // 8, cv2.BORDER_CONSTANT, value=255)
