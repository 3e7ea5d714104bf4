"""Upright background lines (vision.upright_lines) on drawn pictures: found, their tilt kept, the person left out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.people import PersonBox
from vision.upright_lines import upright_lines_px


def _picture(tilt_deg: float) -> np.ndarray:
    """A grey wall with a dark door frame (two posts) and a shelf's post, all tilted by ``tilt_deg`` about the
    picture's centre (a phone held tilted), and a 'person' (a dark column with upright edges) in the middle."""
    img = np.full((720, 1280, 3), 200, np.uint8)
    for x0 in (150, 230, 1050):  # posts 20 px wide, 500 px tall
        cv2.rectangle(img, (x0, 80), (x0 + 20, 580), (60, 50, 40), -1)
    cv2.rectangle(img, (560, 100), (700, 700), (30, 30, 30), -1)  # the person
    rot = cv2.getRotationMatrix2D((639.5, 359.5), -tilt_deg, 1.0)  # counter-clockwise for negative angles
    return cv2.warpAffine(img, rot, (1280, 720), borderValue=(200, 200, 200))


@pytest.mark.parametrize("tilt", [0.0, 3.0, -4.5])
def test_upright_lines_are_found_with_their_tilt_and_not_on_the_person(tilt):
    rgb = _picture(tilt)
    person = PersonBox(560.0, 100.0, 700.0, 700.0)
    segs = upright_lines_px(rgb, person)
    assert len(segs) >= 6  # both edges of each of the three posts
    d = segs[:, 2:] - segs[:, :2]
    d = d * np.sign(d[:, 1:2] + 1e-12)  # pointing down the picture
    angles = np.degrees(np.arctan2(d[:, 0], d[:, 1]))  # + = the line's bottom further right
    assert np.median(angles) == pytest.approx(-tilt, abs=0.3)
    grown = person.grown(0.15, 1280, 720)
    assert not np.any((segs[:, [0, 2]].max(axis=1) >= grown.x0) & (segs[:, [0, 2]].min(axis=1) <= grown.x1))
    without = upright_lines_px(rgb, None)  # with nobody to leave out, the person's edges count too
    assert len(without) > len(segs)


def test_a_blank_wall_gives_no_lines():
    rgb = np.full((540, 960, 3), 180, np.uint8)
    assert upright_lines_px(rgb, None).shape == (0, 4)
    noisy = (rgb + np.random.default_rng(0).normal(0, 4, rgb.shape)).clip(0, 255).astype(np.uint8)
    assert len(upright_lines_px(noisy, None)) == 0


# ---- the analysis with upright lines in one record (synthetic records, no model) ----------------------------------
def _records_with_lines(lines: bool = True):
    from dataclasses import replace

    from calibration.camera import focal_from_fov, level_camera
    from tests.test_live import drive, record

    recs = [record(i, s) for i, s in enumerate(drive([36.0]))]
    if not lines:
        return recs
    f = focal_from_fov(67.0, 640, 640)
    cam = level_camera(41.0, 0.0, 0.0, f, 319.5, 319.5)  # the synthetic records are a level side view
    posts = [(-120.0, 330.0), (-60.0, 360.0), (30.0, 300.0), (90.0, 340.0), (150.0, 380.0)]
    b = np.array([[x, y, 60.0] for x, y in posts])
    segs = np.hstack([cam.project(b), cam.project(b + [0.0, 0.0, 120.0])])
    return [replace(recs[0], upright_lines_px=segs), *recs[1:]]


def _analysed(recs, **inputs):
    from calibration.fist import fist_width
    from calibration.scale import ScaleInputs
    from screening.analysis import AnalysisConfig, analyze_records

    return analyze_records(recs, fist_width(None, "f"), ScaleInputs(sex="f", **inputs), "auto", AnalysisConfig())


def test_foot_length_with_upright_lines_measures_in_3d_and_says_so():
    from screening.results import measured_how
    from tests.test_live import expected_kpt_cm

    res = _analysed(_records_with_lines(), foot_length_cm=25.0)
    cam = res.view["camera_model"]
    assert cam["used"] and cam["source"] == "upright_lines" and abs(cam["roll_deg"]) < 0.1
    assert "from upright lines behind you" in measured_how(res.view)
    assert "read from upright lines behind you" in res.scale.detail
    assert res.best.knee_past_toe_cm == pytest.approx(expected_kpt_cm(36.0), abs=0.5)
    flat = _analysed(_records_with_lines(False), foot_length_cm=25.0)
    assert not flat.view["camera_model"]["used"] and "flat in the picture" in measured_how(flat.view)
    # a marker was meant to be there but is not found: measured from the lines, and the user is told
    no_marker = _analysed(_records_with_lines(), foot_length_cm=25.0, marker_cm=10.0)
    assert no_marker.view["camera_model"]["source"] == "upright_lines"
    assert any("printed marker was not found" in w for w in no_marker.warnings)
    assert not any("printed marker was not found" in w for w in res.warnings)


def _turned(rec, deg: float):
    """The record as a camera turned by ``deg`` about the picture's middle would have it, with its map back."""
    import dataclasses
    import math

    a = math.radians(deg)
    r = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    c = np.array([319.5, 319.5])

    def turn(p, direction=False):
        p = np.asarray(p, float)
        return p @ r.T if direction else (p - c) @ r.T + c

    legs = {k: dataclasses.replace(v, **{f.name: turn(getattr(v, f.name), f.name.endswith("_dir"))
                                         for f in dataclasses.fields(v)}) for k, v in rec.legs.items()}
    back = np.hstack([r.T, (c - r.T @ c)[:, None]])  # own pixels -> the first frame's
    return dataclasses.replace(rec, xy_px=turn(rec.xy_px), legs=legs, to_ref=back)


def test_a_camera_turned_after_the_lines_frame_is_followed():
    """The lines give the camera as their frame saw it; when the phone then turns (the tracker's map to the first
    frame says how), every frame is measured in that frame's pixels, so the turn does not turn the shin reading."""
    still = _analysed(_records_with_lines(), foot_length_cm=25.0)
    recs = _records_with_lines()
    turned = [r if r.frame_index < 40 else _turned(r, 2.0) for r in recs]
    moved = _analysed(turned, foot_length_cm=25.0)
    assert moved.view["camera_model"]["source"] == "upright_lines"
    assert moved.best.shin_angle_deg == pytest.approx(still.best.shin_angle_deg, abs=0.15)
    assert moved.best.knee_past_toe_cm == pytest.approx(still.best.knee_past_toe_cm, abs=0.1)


def test_the_lines_used_are_reported_and_drawn():
    from vision.draw import LILAC, OverlayState, draw_overlay

    cam = _analysed(_records_with_lines(), foot_length_cm=25.0).view["camera_model"]
    lines = np.asarray(cam["upright_lines_px"], float)
    assert lines.shape == (5, 4) and cam["upright_lines_frame"] == 0  # the five posts, in their frame's pixels
    x0, y0, x1, y1 = lines[0]
    img = draw_overlay(np.zeros((640, 640, 3), np.uint8), OverlayState(upright_lines_px=lines))
    r, c = int(round((y0 + y1) / 2)), int(round((x0 + x1) / 2))
    near = img[r - 1: r + 2, c - 1: c + 2].reshape(-1, 3).max(axis=0)  # anti-aliased: the line's brightest pixel
    assert np.all(near >= 0.85 * np.array(LILAC)) and np.all(near <= np.array(LILAC))
    assert not draw_overlay(np.zeros((640, 640, 3), np.uint8), OverlayState()).any()
