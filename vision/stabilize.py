"""Camera motion between frames from the static background (handheld phones drift, tilt and zoom).

Background corners are tracked with pyramidal Lucas-Kanade flow outside the person; a similarity
transform (rotation, uniform scale, shift) is fitted with RANSAC and chained, giving for every frame the
map from its pixels to the first frame's pixels. The analysis then measures in one steady image frame,
so a camera that tilts by 5 degrees is not read as a 2 cm heel lift or a 5 degree shin change.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

Box = tuple[float, float, float, float]
BoxArg = Box | None | Callable[[], Box | None]


def _box(arg: BoxArg) -> Box | None:
    return arg() if callable(arg) else arg


WORK_LONG_SIDE_PX = 320
MIN_TRACKS = 12


class CameraTracker:
    """Feed upright frames in order; ``update`` returns the 2x3 map from this frame to the first.

    Background corners are detected once and then followed frame to frame (re-detected when too few
    survive or every ``REDETECT_EVERY`` frames), which keeps the cost to about a millisecond a frame.
    """

    REDETECT_EVERY = 20

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._prev_gray: np.ndarray | None = None
        self._pts: np.ndarray | None = None
        self._to_ref = np.eye(3)
        self._scale = 1.0
        self._age = 0

    def update(self, image: np.ndarray, person_box_px: BoxArg) -> np.ndarray:
        """``image``: the upright frame, RGB (H, W, 3) or its luma (H, W). ``person_box_px``: the person's box
        (x0, y0, x1, y1), None, or a function giving it, asked only when background corners are picked."""
        h, w = image.shape[:2]
        s = min(1.0, WORK_LONG_SIDE_PX / max(h, w))
        small = cv2.resize(image, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)
        gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        if self._prev_gray is None or self._prev_gray.shape != gray.shape:
            self._prev_gray, self._scale = gray, s
            self._pts = self._detect(gray, _box(person_box_px), s)
            return self._to_ref[:2].copy()
        if self._pts is None or len(self._pts) < 3 * MIN_TRACKS or self._age >= self.REDETECT_EVERY:
            self._pts = self._detect(self._prev_gray, _box(person_box_px), s)
            self._age = 0
        step, self._pts = self._step(self._prev_gray, gray, self._pts, s)
        self._age += 1
        if step is not None:
            self._to_ref = self._to_ref @ step
        self._prev_gray = gray
        return self._to_ref[:2].copy()

    @staticmethod
    def _detect(gray: np.ndarray, box: tuple[float, float, float, float] | None, s: float) -> np.ndarray | None:
        """Corners of the background (the person's box, padded, is left out)."""
        mask = np.full(gray.shape, 255, np.uint8)
        if box is not None:
            x0, y0, x1, y1 = (v * s for v in box)
            pad = 0.15 * max(x1 - x0, y1 - y0)
            mask[max(0, int(y0 - pad)) : int(y1 + pad), max(0, int(x0 - pad)) : int(x1 + pad)] = 0
        return cv2.goodFeaturesToTrack(gray, maxCorners=80, qualityLevel=0.01, minDistance=6, mask=mask)

    @staticmethod
    def _step(prev: np.ndarray, cur: np.ndarray, pts: np.ndarray | None, s: float) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(3x3 map from ``cur`` pixels at full resolution to ``prev`` pixels or None, surviving points)."""
        if pts is None or len(pts) < MIN_TRACKS:
            return None, None
        nxt, status, _ = cv2.calcOpticalFlowPyrLK(prev, cur, pts, None, winSize=(21, 21), maxLevel=2)  # type: ignore[call-overload]
        ok = status.reshape(-1) == 1
        if ok.sum() < MIN_TRACKS:
            return None, None
        m, inliers = cv2.estimateAffinePartial2D(
            nxt[ok], pts[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0, maxIters=300
        )
        if m is None or inliers is None or int(inliers.sum()) < MIN_TRACKS:
            return None, None
        survivors = nxt[ok][inliers.reshape(-1) == 1].reshape(-1, 1, 2)
        scale = math.hypot(m[0, 0], m[1, 0])
        if not 0.9 < scale < 1.1 or abs(math.degrees(math.atan2(m[1, 0], m[0, 0]))) > 10:
            return None, None  # implausible jump between neighbouring frames
        full = np.eye(3)
        full[:2] = m
        k = np.diag([s, s, 1.0])  # the fit is in the downsized frame: conjugate to full-resolution pixels
        return np.linalg.inv(k) @ full @ k, survivors
