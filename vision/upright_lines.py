"""Straight, nearly upright lines in the background of a frame (door frames, shelves, a wall's corner).

They tell the camera's sideways tilt (``calibration.camera.roll_from_upright_lines``), which the camera-height
measurement cannot otherwise know. Found with OpenCV's line segment detector (LSD, von Gioi et al. 2012) on the
grey picture; segments on or near the person are left out (the body's own edges are not vertical).
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.people import PersonBox

MAX_TILT_DEG = 20.0  # from the picture's vertical: a phone is not held tilted more than this
MIN_LENGTH_PER_HEIGHT = 0.04  # shorter segments give too poor a direction (of the picture's height)
PERSON_MARGIN = 0.15  # the person's landmark box grown by this share on every side (hair, clothes, feet)


def lines_wanted(setting: bool | None, camera_height_cm: float | None, foot_length_cm: float | None) -> bool:
    """Whether to search for upright lines: as set, else (None) when a camera height or a foot length is given (the
    measurements that can use the camera's tilt read from them)."""
    return setting if setting is not None else (camera_height_cm is not None or foot_length_cm is not None)


def upright_lines_px(rgb: np.ndarray, person: PersonBox | None) -> np.ndarray:
    """Line segments (N, 4: x0, y0, x1, y1, pixels) within ``MAX_TILT_DEG`` of the picture's vertical, at least
    ``MIN_LENGTH_PER_HEIGHT`` of its height long, clear of the person's grown box."""
    h, w = rgb.shape[:2]
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    found = cv2.createLineSegmentDetector().detect(grey)[0]
    if found is None:
        return np.zeros((0, 4))
    segs = found.reshape(-1, 4).astype(float)
    d = segs[:, 2:] - segs[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    tilt = np.degrees(np.arctan2(np.abs(d[:, 0]), np.abs(d[:, 1])))
    keep = (tilt <= MAX_TILT_DEG) & (length >= MIN_LENGTH_PER_HEIGHT * h)
    if person is not None:
        b = person.grown(PERSON_MARGIN, w, h)
        xs, ys = segs[:, [0, 2]], segs[:, [1, 3]]
        overlaps = (xs.max(axis=1) >= b.x0) & (xs.min(axis=1) <= b.x1) & (ys.max(axis=1) >= b.y0) & (
            ys.min(axis=1) <= b.y1)
        keep &= ~overlaps
    return segs[keep]
