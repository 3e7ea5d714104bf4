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
    """Length in pixels of the longest (least foreshortened) side of the first marker found, else None."""
    global _DET
    if _DET is None:
        _DET = _detector()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    corners, ids, _ = _DET.detectMarkers(gray)
    if ids is None or len(corners) == 0:
        return None
    c = corners[0].reshape(4, 2).astype(float)
    sides = np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1)
    return float(sides.max())


def marker_image(side_px: int = 800) -> np.ndarray:
    """The marker to print (grayscale, white border included)."""
    img = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(DICTIONARY), MARKER_ID, side_px)
    return cv2.copyMakeBorder(img, side_px // 8, side_px // 8, side_px // 8, side_px // 8, cv2.BORDER_CONSTANT, value=255)
