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


def test_a_photo_s_marker_too_thin_at_the_processing_size_is_found_at_its_own_resolution(tmp_path):
    """A marker seen nearly edge-on (its black square 88 x 10 px in a 2560 px photo, 44 x 5 px once downsized to the
    pipeline's 1280 px) is not found at the processing size; ``marker_at_full_resolution`` searches the photo itself
    near the feet and returns the corners in the record's pixels."""
    from screening.records import FrameRecord
    from vision.landmarks import Landmark
    from vision.pipeline import marker_at_full_resolution
    from vision.video import read_still

    sheet = marker_image(400)  # the printed sheet: the black square is its middle 80 %
    n = sheet.shape[0]
    w, h, x0, y0 = 88.0, 10.0, 1200.0, 1000.0
    dst = np.float32([[x0, y0], [x0 + 1.25 * w, y0], [x0 + 1.25 * w + 6, y0 + 1.25 * h], [x0 + 6, y0 + 1.25 * h]])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [n, 0], [n, n], [0, n]]), dst)
    ink = cv2.warpPerspective(sheet, warp, (2560, 1440), flags=cv2.INTER_AREA)
    paper = cv2.warpPerspective(np.full((n, n), 255, np.uint8), warp, (2560, 1440)) > 0
    big = np.full((1440, 2560, 3), 150, np.uint8)
    big[paper] = np.repeat(ink[paper][:, None], 3, axis=1)
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), cv2.GaussianBlur(big, (0, 0), 0.8)[:, :, ::-1])
    small = read_still(path, 1280)
    xy = np.full((33, 2), np.nan)
    for lm, p in ((Landmark.LEFT_ANKLE, (560, 470)), (Landmark.LEFT_HEEL, (545, 485)), (Landmark.LEFT_FOOT_INDEX,
                  (640, 488)), (Landmark.RIGHT_ANKLE, (420, 470)), (Landmark.RIGHT_HEEL, (405, 485)),
                  (Landmark.RIGHT_FOOT_INDEX, (500, 488))):
        xy[lm] = p
    feet = xy[[Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX]]
    assert small.shape[:2] == (720, 1280) and marker_corners_px(small, feet) is None  # too thin at 1280 px

    rec = FrameRecord(0, 0.0, 1280, 720, 150.0, xy, np.ones(33), np.zeros(33))
    got = marker_at_full_resolution(path, rec)
    assert got.marker_corners_px is not None and got.marker_side_px is not None
    sq = dst.astype(float)  # the black square's corners at full size, then in the record's pixels
    ctr = sq.mean(axis=0)
    want = (ctr + (sq - ctr) / 1.25 + 0.5) / 2.0 - 0.5
    assert np.abs(np.sort(got.marker_corners_px, axis=0) - np.sort(want, axis=0)).max() < 1.0
    assert got.marker_side_px == pytest.approx(w / 2.0, rel=0.05)
    nobody = FrameRecord(0, 0.0, 1280, 720, 150.0)
    assert marker_at_full_resolution(path, nobody).marker_corners_px is None  # no feet to search beside
