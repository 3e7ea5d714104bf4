"""The printed-marker scale: detection of the marker's side in pixels and its use by the pipeline."""

from __future__ import annotations

from dataclasses import replace

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


def _edge_on_marker_picture(size=(2560, 1440), x0=1200.0, y0=1000.0):
    """A marker seen nearly edge-on: its black square 88 x 10 px in a ``size`` (w, h) picture, 44 x 5 px once
    downsized to the pipeline's 1280 px. Returns the picture and the black square's corners (4, 2) in its pixels."""
    sheet = marker_image(400)  # the printed sheet: the black square is its middle 80 %
    n = sheet.shape[0]
    w, h = 88.0, 10.0
    dst = np.float32([[x0, y0], [x0 + 1.25 * w, y0], [x0 + 1.25 * w + 6, y0 + 1.25 * h], [x0 + 6, y0 + 1.25 * h]])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [n, 0], [n, n], [0, n]]), dst)
    ink = cv2.warpPerspective(sheet, warp, size, flags=cv2.INTER_AREA)
    paper = cv2.warpPerspective(np.full((n, n), 255, np.uint8), warp, size) > 0
    big = np.full((size[1], size[0], 3), 150, np.uint8)
    big[paper] = np.repeat(ink[paper][:, None], 3, axis=1)
    sq = dst.astype(float)
    ctr = sq.mean(axis=0)
    return cv2.GaussianBlur(big, (0, 0), 0.8), ctr + (sq - ctr) / 1.25


def _feet_record(frame_index: int, xy_feet: dict, w: int, h: int):
    from screening.records import FrameRecord

    xy = np.full((33, 2), np.nan)
    for lm, p in xy_feet.items():
        xy[lm] = p
    return FrameRecord(frame_index, frame_index / 30, w, h, 150.0, xy, np.ones(33), np.zeros(33))


def _feet_near(x: float, y: float) -> dict:
    """Both feet's landmarks (in the 1280 px copy's pixels) beside a marker whose near corner is at (x, y)."""
    from vision.landmarks import Landmark

    return {Landmark.LEFT_ANKLE: (x - 40, y - 30), Landmark.LEFT_HEEL: (x - 55, y - 15),
            Landmark.LEFT_FOOT_INDEX: (x + 40, y - 12), Landmark.RIGHT_ANKLE: (x - 180, y - 30),
            Landmark.RIGHT_HEEL: (x - 195, y - 15), Landmark.RIGHT_FOOT_INDEX: (x - 100, y - 12)}


def _corner_error_px(got, want_full, s: float) -> float:
    want = (want_full + 0.5) / s - 0.5  # full-size pixels to the record's
    return float(np.abs(np.sort(got, axis=0) - np.sort(want, axis=0)).max())


def test_a_photo_s_marker_too_thin_at_the_processing_size_is_found_at_its_own_resolution(tmp_path):
    """A marker seen nearly edge-on is not found in the pipeline's 1280 px copy of a 2560 px photo;
    ``markers_at_full_resolution`` searches the photo itself near the feet and returns the corners in the record's
    pixels."""
    from vision.pipeline import feet_px, markers_at_full_resolution
    from vision.video import probe, read_still

    big, square = _edge_on_marker_picture()
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), big[:, :, ::-1])
    small = read_still(path, 1280)
    feet = _feet_near(600, 500)
    rec = _feet_record(0, feet, 1280, 720)
    assert small.shape[:2] == (720, 1280) and marker_corners_px(small, feet_px(rec.xy_px)) is None  # too thin

    got = markers_at_full_resolution(path, [rec], probe(path), 30)[0]
    assert got.marker_corners_px is not None and got.marker_side_px is not None
    assert _corner_error_px(got.marker_corners_px, square, 2.0) < 1.0
    assert got.marker_side_px == pytest.approx(88.0 / 2.0, rel=0.05)
    nobody = replace(rec, xy_px=None)
    assert markers_at_full_resolution(path, [nobody], probe(path), 30)[0].marker_corners_px is None  # no feet


def _write_portrait_phone_clip(path, upright_rgb: np.ndarray, frames: int) -> None:
    """An H.264 clip stored landscape with a -90 deg display rotation tag, as a phone held upright films it."""
    import av

    h, w = upright_rgb.shape[:2]
    stored = np.ascontiguousarray(np.rot90(upright_rgb, k=1))  # turned 90 deg counter-clockwise when stored
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = h, w, "yuv420p"
        stream.options = {"crf": "12", "preset": "veryfast"}
        stream.set_display_rotation(-90)
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_a_phone_video_s_marker_too_thin_at_the_processing_size_is_found_at_its_own_resolution(tmp_path):
    """The same in a portrait phone clip (1440 x 2560 upright, stored turned with a rotation tag): the clip's first
    frames are decoded again at full size, turned upright, and searched near the feet; only frames among the first
    ``search_frames`` with a person are searched, at most ``max_frames`` of them."""
    from vision.pipeline import feet_px, markers_at_full_resolution
    from vision.video import probe, read_frames_at

    big, square = _edge_on_marker_picture(size=(1440, 2560), x0=600.0, y0=2000.0)
    path = tmp_path / "phone.mp4"
    _write_portrait_phone_clip(path, big, 12)
    info = probe(path)
    assert (info.width_px, info.height_px, info.rotation_deg) == (1440, 2560, -90)
    small = read_frames_at(path, {0}, 1280)[0]
    assert small.shape[:2] == (1280, 720)
    feet = _feet_near(300, 1000)
    records = [_feet_record(i, feet, 720, 1280) for i in range(0, 12, 2)]
    assert marker_corners_px(small, feet_px(records[0].xy_px)) is None  # too thin at the processing size

    got = markers_at_full_resolution(path, records, info, search_frames=8, max_frames=3)
    found = [r for r in got if r.marker_corners_px is not None]
    assert [r.frame_index for r in found] == [0, 4, 6]  # 3 frames spread over the 4 posed before frame 8
    for r in found:
        assert _corner_error_px(r.marker_corners_px, square, 2.0) < 1.0
    assert [got[i] is records[i] for i in (1, 4, 5)] == [True] * 3  # the others untouched
    # already found at the processing size: nothing is decoded again
    seen = [replace(records[0], marker_corners_px=found[0].marker_corners_px), *records[1:]]
    assert markers_at_full_resolution(path, seen, info, 8) is seen


def test_a_marker_cut_by_the_picture_s_edge_is_not_taken():
    """A pattern running off the bottom of the picture is still decoded, with its cut side put along the edge
    (wrong corners: a rendered clip's camera read 10 cm low); it is refused, and one clear of the edge is taken."""
    from vision.aruco import _corners_px, search_marker

    img = scene_with_marker(60, 0.7)
    feet = np.array([[90.0, 240.0], [200.0, 245.0]])
    whole = marker_corners_px(img, feet)
    assert whole is not None
    bottom = float(whole[:, 1].max())
    cut = np.ascontiguousarray(img[: int(bottom) + 1])  # the picture ends inside the pattern's last row
    raw = _corners_px(cv2.cvtColor(cut, cv2.COLOR_RGB2GRAY), feet)
    assert raw is not None and raw[:, 1].max() < bottom - 0.5  # decoded, but its bottom corners moved up: wrong
    assert marker_corners_px(cut, feet) is None
    assert search_marker(cut, feet).cut_by_edge  # said, so the user can be told why
    clear = np.ascontiguousarray(img[: int(bottom) + 5])
    assert marker_corners_px(clear, feet) is not None
    assert not search_marker(clear, feet).cut_by_edge
    assert not search_marker(np.full_like(img, 150), feet).cut_by_edge  # nothing there at all


@pytest.mark.parametrize(("corners", "cut"), [
    ([[10, 10], [50, 10], [50, 20], [10, 20]], False),
    ([[1, 10], [50, 10], [50, 20], [1, 20]], True),  # left edge
    ([[10, 0.5], [50, 0.5], [50, 20], [10, 20]], True),  # top edge
    ([[10, 10], [98, 10], [98, 20], [10, 20]], True),  # right edge of a 100 px wide picture
    ([[10, 10], [50, 10], [50, 78], [10, 78]], True),  # bottom edge of an 80 px tall picture
    ([[10, 10], [96, 10], [96, 76], [10, 76]], False),
])
def test_corners_touching_the_picture_s_edge(corners, cut):
    from vision.aruco import cut_by_picture_edge

    assert cut_by_picture_edge(np.array(corners, float), 100, 80) is cut
