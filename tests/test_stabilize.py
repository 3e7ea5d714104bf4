"""The camera tracker (vision.stabilize): a still camera stays put, a moving one is followed."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from vision.stabilize import CameraTracker

W, H = 640, 360
BOX = (250.0, 60.0, 390.0, 330.0)  # the person


def _scene(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tex = cv2.GaussianBlur(rng.uniform(0, 255, (H + 200, W + 200)).astype(np.float32), (0, 0), 3.0)
    return cv2.normalize(tex, None, 20, 235, cv2.NORM_MINMAX).astype(np.uint8)


def _frame(scene: np.ndarray, k: int, shift_px_per_frame: float) -> np.ndarray:
    """Frame ``k``: the scene seen through a camera panned by ``shift_px_per_frame`` a frame, with a person-sized
    dark blob and its 'shadow' on the floor moving across the picture (the things the tracker must ignore)."""
    dx = 100 + shift_px_per_frame * k
    m = np.float32([[1, 0, -dx], [0, 1, -100]])
    img = cv2.warpAffine(scene, m, (W, H), flags=cv2.INTER_LINEAR)
    x = int(280 + 2 * k)
    cv2.rectangle(img, (x, 80), (x + 60, 320), 40, -1)
    cv2.ellipse(img, (x + 90, 335), (70, 12), 0, 0, 360, 60, -1)  # a shadow outside the person's box
    return img


@pytest.mark.parametrize("noise", [0.0, 2.0])
def test_a_still_camera_stays_put_while_the_person_moves(noise):
    scene, rng = _scene(), np.random.default_rng(1)
    tr = CameraTracker()
    worst = 0.0
    for k in range(120):
        img = _frame(scene, k, 0.0).astype(np.float32) + rng.normal(0, noise, (H, W)).astype(np.float32)
        m = tr.update(np.clip(img, 0, 255).astype(np.uint8), BOX if k >= 8 else None)
        worst = max(worst, abs(m[0, 2]), abs(m[1, 2]), abs(math.degrees(math.atan2(m[1, 0], m[0, 0]))))
    assert worst < 0.3, worst  # px / deg: no drift


def test_a_panning_camera_is_followed():
    scene = _scene()
    tr = CameraTracker()
    for k in range(60):
        m = tr.update(_frame(scene, k, 1.5), BOX if k >= 8 else None)
    # the scene moved left by 1.5 px a frame: a point of frame 59 lies 88.5 px further right in frame 0
    assert m[0, 2] == pytest.approx(1.5 * 59, abs=3.0)
    assert abs(m[1, 2]) < 2.0
