"""The printed-marker scale: detection of the marker's side in pixels and its use by the pipeline."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fakes import FOOT_CM, FakePose, drives
from vision.aruco import marker_corners_px, marker_image, marker_side_px, side_from_corners_px
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


def test_corners_are_returned_in_order_and_match_the_side():
    img = scene_with_marker(100, 0.5)
    c = marker_corners_px(img)
    assert c is not None and c.shape == (4, 2)
    # top-left, top-right, bottom-right, bottom-left of the pasted pattern (x right, y down)
    assert c[0, 0] < c[1, 0] and c[3, 0] < c[2, 0] and c[0, 1] < c[3, 1] and c[1, 1] < c[2, 1]
    assert side_from_corners_px(c) == pytest.approx(100, rel=0.03)
    assert np.linalg.norm(c[3] - c[0]) == pytest.approx(50, rel=0.08)  # the foreshortened side


def test_the_region_near_the_feet_agrees_with_the_full_frame():
    img = scene_with_marker(60, 0.7)
    full = marker_corners_px(img)
    near = marker_corners_px(img, np.array([[100.0, 250.0], [175.0, 273.0], [np.nan, np.nan]]))
    assert full is not None and near is not None
    assert np.abs(near - full).max() < 0.7


def test_a_small_marker_is_found_in_the_magnified_region_near_the_feet():
    img = cv2.GaussianBlur(scene_with_marker(28, 0.7, size=(720, 1280)), (0, 0), 0.8)  # 8 px tall
    c = marker_corners_px(img, np.array([[100.0, 250.0], [135.0, 260.0]]))
    assert c is not None
    assert side_from_corners_px(c) == pytest.approx(28, rel=0.05)


def test_another_marker_id_is_not_taken_for_ours():
    other = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), 3, 100)
    img = np.full((400, 400, 3), 255, np.uint8)
    img[150:250, 150:250] = other[:, :, None]
    assert marker_corners_px(img) is None
    assert marker_corners_px(img, np.array([[120.0, 120.0], [280.0, 280.0]])) is None


def test_a_marker_that_is_no_floor_square_falls_back_to_2d_with_a_reason(tmp_path):
    """The pasted, vertically squashed marker is no perspective view of a floor square through a phone lens: the
    camera model is refused, the screen is measured in 2-D with the marker's scale and says why."""
    clip = tmp_path / "marker.mp4"
    frame = scene_with_marker(100, 0.4, size=(960, 640))
    with Mp4Writer(clip, 30, 640, 960) as w:
        for i in range(40):
            w.write(frame, i / 30)
    res = analyze_clip(clip, AnalyzeOptions(marker_cm=20.0), estimator=FakePose(drives((30.0,)))).result
    cam = res.view["camera_model"]
    assert cam["used"] is False and "flat square" in cam["reason"]
    assert not res.view["shin_angle_method"].startswith("camera_model")
    assert any("No camera model from the marker" in w for w in res.warnings)
    assert res.scale is not None and res.scale.source == "marker"
