"""Camera motion between frames from the static background (handheld phones drift, tilt and zoom).

Background corners are tracked with pyramidal Lucas-Kanade flow outside the person; a similarity
transform (rotation, uniform scale, shift) is fitted with RANSAC and chained, giving for every frame the
map from its pixels to the first frame's pixels. The analysis then measures in one steady image frame,
so a camera that tilts by 5 degrees is not read as a 2 cm heel lift or a 5 degree shin change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import cv2
import numpy as np

Box = tuple[float, float, float, float]
BoxArg = Box | None | Callable[[], Box | None]


def as_box(values: Sequence[float] | None) -> Box | None:
    """(x0, y0, x1, y1) as floats from any sequence whose first four items are those (None stays None)."""
    return None if values is None else (float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def _box(arg: BoxArg) -> Box | None:
    return arg() if callable(arg) else arg


WORK_LONG_SIDE_PX = 320
MIN_TRACKS = 12
STILL_PX = 0.25  # a first-frame background corner found within this (work-size px) of its place has not moved
STILL_SHARE = 0.3  # this share of the first frame's background corners unmoved: the camera stands still
EDGE_MARGIN_PX = 12  # work-size px: corners nearer the picture's edge are not used for the still test


class CameraTracker:
    """Feed upright frames in order; ``update`` returns the 2x3 map from this frame to the first.

    Background corners are detected once and then followed frame to frame (re-detected when too few
    survive or every ``REDETECT_EVERY`` frames), which keeps the cost to about a millisecond a frame.
    Chained steps add up their small errors (and corners on the person's moving shadow pull them along): on the
    still camera of the rendered clips the map wandered by up to 2 deg and 26 px in 10 s. So every frame is first
    tested against the first frame directly (``_still``): while a good share of its background corners are found
    exactly where they were, the camera has not moved and the map is the identity.
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
        self._ref_gray: np.ndarray | None = None  # the first frame, and its background corners: the still test
        self._ref_pts: np.ndarray | None = None
        self._ref_boxed = False

    def update(self, image: np.ndarray, person_box_px: BoxArg) -> np.ndarray:
        """``image``: the upright frame, RGB (H, W, 3) or its luma (H, W). ``person_box_px``: the person's box
        (x0, y0, x1, y1), None, or a function giving it, asked only when background corners are picked."""
        h, w = image.shape[:2]
        s = min(1.0, WORK_LONG_SIDE_PX / max(h, w))
        small = cv2.resize(image, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)
        gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        if self._prev_gray is None or self._prev_gray.shape != gray.shape:
            self._prev_gray, self._scale = gray, s
            box = _box(person_box_px)
            self._pts = self._detect(gray, box, s)
            if self._ref_gray is None:
                self._ref_gray, self._ref_boxed = gray, box is not None
                self._ref_pts = self._detect(gray, box, s, still_test=True)
            return self._to_ref[:2].copy()
        if self._still(gray, person_box_px, s):
            # the first frame's background has not moved: the camera stands still, whatever the chain says (its
            # steps add up small errors: 1-2 deg over 10 s of a rendered clip); start the chain again from here
            self._to_ref = np.eye(3)
            self._prev_gray = gray
            self._age += 1
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

    def _still(self, gray: np.ndarray, person_box_px: BoxArg, s: float) -> bool:
        """Whether a good share (``STILL_SHARE``) of the first frame's background corners are still where they
        were (within ``STILL_PX``): followed straight from the first frame, not step by step, so nothing
        accumulates. The corners are picked again, the person left out, as soon as the person's box is known (the
        box is asked for every frame until then)."""
        if self._ref_gray is None or self._ref_gray.shape != gray.shape:
            return False
        if not self._ref_boxed:
            box = _box(person_box_px)
            if box is not None:
                self._ref_pts, self._ref_boxed = self._detect(self._ref_gray, box, s, still_test=True), True
        pts = self._ref_pts
        if pts is None or len(pts) < MIN_TRACKS:
            return False
        nxt, status, _ = cv2.calcOpticalFlowPyrLK(self._ref_gray, gray, pts, pts.copy(),
                                                  winSize=(21, 21), maxLevel=1, flags=cv2.OPTFLOW_USE_INITIAL_FLOW)
        ok = status.reshape(-1) == 1
        if ok.sum() < MIN_TRACKS:
            return False
        unmoved = int(np.sum(np.linalg.norm((nxt - pts).reshape(-1, 2)[ok], axis=1) < STILL_PX))
        # a moving camera moves every background corner; corners that moved while others stayed put are on
        # things moving in the scene (the person's shadow on the floor), so a good share unmoved means still
        return unmoved >= max(MIN_TRACKS // 2, STILL_SHARE * int(ok.sum()))

    @staticmethod
    def _detect(gray: np.ndarray, box: tuple[float, float, float, float] | None, s: float,
                still_test: bool = False) -> np.ndarray | None:
        """Corners of the background (the person's box, padded, is left out). For the still test also weaker
        corners (a plain wall has few strong ones once the person is left out), none within a tracking window
        of the picture's edge (the tracker loses those)."""
        mask = np.full(gray.shape, 255, np.uint8)
        if box is not None:
            x0, y0, x1, y1 = (v * s for v in box)
            pad = 0.15 * max(x1 - x0, y1 - y0)
            mask[max(0, int(y0 - pad)) : int(y1 + pad), max(0, int(x0 - pad)) : int(x1 + pad)] = 0
        if still_test:
            e = EDGE_MARGIN_PX
            mask[:e], mask[-e:], mask[:, :e], mask[:, -e:] = 0, 0, 0, 0
        return cv2.goodFeaturesToTrack(gray, maxCorners=80, qualityLevel=0.003 if still_test else 0.01, minDistance=6,
                                       mask=mask)

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
