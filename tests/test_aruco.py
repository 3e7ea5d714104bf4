"""The printed-marker scale: detection of the marker's side in pixels and its use by the pipeline."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fakes import FOOT_CM, FakePose, drives
from vision.aruco import marker_image, marker_side_px
from vision.pipeline import AnalyzeOptions, analyze_clip
from vision.writer import Mp4Writer


def scene_with_marker(side_px: int, tilt: float = 0.0, size=(640, 800)) -> np.ndarray:
    img = np.full((*size, 3), 150, np.uint8)
    full = marker_image(400)
    inner = full.shape[0] * 8 // 10  # the printed sheet has a white border of 1/8 of the marker each side
    scale = side_px / inner
    m = cv2.resize(full, (int(full.shape[1] * scale), int(full.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    if tilt:
        h, w = m.shape
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[0, 0], [w, 0], [w, h * (1 - tilt)], [0, h * (1 - tilt)]])  # seen from low: shorter
        m = cv2.warpPerspective(m, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)
    y, x = 250, 100
    img[y : y + m.shape[0], x : x + m.shape[1]] = m[:, :, None]
    return img


@pytest.mark.parametrize("side_px, tilt", [(60, 0.0), (100, 0.0), (100, 0.5), (160, 0.3)])
def test_marker_side_is_its_least_foreshortened_edge(side_px, tilt):
    got = marker_side_px(scene_with_marker(side_px, tilt))
    assert got == pytest.approx(side_px, rel=0.03)


def test_no_marker_gives_none():
    assert marker_side_px(np.full((240, 320, 3), 128, np.uint8)) is None


def test_pipeline_takes_scale_from_the_marker(tmp_path):
    clip = tmp_path / "marker.mp4"
    frame = scene_with_marker(100, 0.4, size=(960, 640))
    with Mp4Writer(clip, 30, 640, 960) as w:
        for i in range(60):
            w.write(frame, i / 30)
    est = FakePose(drives((30.0,)))
    res = analyze_clip(clip, AnalyzeOptions(marker_cm=20.0, foot_length_cm=FOOT_CM), estimator=est).result
    assert res.scale is not None and res.scale.source == "marker"
    assert res.scale.px_per_cm == pytest.approx(100 / 20.0, rel=0.03)
    assert res.scale.relative_uncertainty < 0.05
