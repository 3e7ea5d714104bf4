"""The camera's lens: the 35 mm-equivalent focal length, how users write it, where files carry it, and where the 3-D
measurement takes it (pure functions and file reading; the rendered-pixel test is in test_accuracy_subset.py)."""

from __future__ import annotations

import math
from fractions import Fraction

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calibration.camera import focal_from_fov
from calibration.lens import (
    GIVEN,
    MAX_LENS_MM,
    MIN_LENS_MM,
    PHOTO_EXIF,
    VIDEO_METADATA,
    ZOOM_LENS_MM,
    Lens,
    focal_35mm_from_fov_long_side,
    fov_long_side_deg_from_35mm,
    lens_from_metadata,
    parse_lens,
)
from calibration.scale import SubjectSettings
from screening.errors import InvalidSettingError
from screening.floor3d import CameraModelConfig


@pytest.mark.parametrize("mm, fov_deg", [(13.0, 106.1), (26.0, 67.3), (52.0, 36.8), (77.0, 25.3), (120.0, 16.4)])
def test_field_of_view_of_phone_lenses(mm, fov_deg):
    """26 mm (a phone's 1x camera) gives the 67 deg the 3-D measurement assumed; the others follow the diagonal rule."""
    assert fov_long_side_deg_from_35mm(mm) == pytest.approx(fov_deg, abs=0.1)


@given(st.floats(MIN_LENS_MM, MAX_LENS_MM))
def test_focal_length_and_field_of_view_invert_each_other(mm):
    fov = fov_long_side_deg_from_35mm(mm)
    assert 0.0 < fov < 180.0
    assert focal_35mm_from_fov_long_side(fov) == pytest.approx(mm, rel=1e-9)


@given(st.floats(MIN_LENS_MM, 100.0), st.floats(1.01, 3.0))
def test_a_longer_lens_sees_less(mm, factor):
    assert fov_long_side_deg_from_35mm(mm * factor) < fov_long_side_deg_from_35mm(mm)


@pytest.mark.parametrize("text, mm", [("0.5x", 13.0), ("1x", 26.0), ("2X", 52.0), ("3 x", 77.0), ("5x", 120.0),
                                      ("26mm", 26.0), ("13 mm", 13.0), ("28", 28.0), (" 24MM ", 24.0), ("1.0x", 26.0)])
def test_lens_as_users_write_it(text, mm):
    lens = parse_lens(text)
    assert lens.focal_35mm_mm == pytest.approx(mm) and lens.source == GIVEN


@pytest.mark.parametrize("text, words", [("7x", "not a zoom"), ("wide", "not a lens"), ("", "not a lens"),
                                         ("5mm", "outside"), ("400", "outside"), ("-2x", "not a lens")])
def test_a_lens_that_is_not_one_says_what_to_write(text, words):
    with pytest.raises(InvalidSettingError, match=words):
        parse_lens(text)


@pytest.mark.parametrize("value, mm", [(26, 26.0), ("26", 26.0), ("26 mm", 26.0), (b"13", 13.0),
                                       (Fraction(77, 1), 77.0), (0, None), ("", None), ("unknown", None),
                                       (None, None), (float("nan"), None), (2000, None)])
def test_lens_from_a_files_tag(value, mm):
    lens = lens_from_metadata(value, PHOTO_EXIF)
    assert (lens is None) if mm is None else (lens is not None and lens.focal_35mm_mm == pytest.approx(mm))


def test_the_3d_measurement_takes_a_known_lens_with_a_tighter_spread():
    cfg = CameraModelConfig()
    assert cfg.for_lens(None) is cfg
    wide = cfg.for_lens(Lens(ZOOM_LENS_MM["0.5x"]))
    assert wide.assumed_fov_long_side_deg == pytest.approx(106.1, abs=0.1)
    assert wide.fov_sd_deg < cfg.fov_sd_deg
    # the same focal length in pixels as the phone's own: 1920 px across 106 deg
    assert focal_from_fov(wide.assumed_fov_long_side_deg, 1920, 1080) == pytest.approx(
        960 / math.tan(math.radians(106.1) / 2), rel=2e-3)


def test_settings_carry_the_lens_and_check_it():
    assert SubjectSettings().scale_inputs().lens is None
    s = SubjectSettings(foot_length_cm=25.0, lens_35mm_mm=13.0)
    assert s.scale_inputs().lens == Lens(13.0, GIVEN)
    with pytest.raises(InvalidSettingError, match="outside"):
        SubjectSettings(lens_35mm_mm=3.0).validate()


def _jpeg_with_lens(path, mm):
    from PIL import Image

    im = Image.fromarray(np.full((60, 80, 3), 120, np.uint8))
    exif = Image.Exif()
    if mm is not None:
        exif.get_ifd(0x8769)[0xA405] = mm
    im.save(path, exif=exif)
    return path


def _video_with_metadata(path, meta: dict[str, str]):
    out = av.open(str(path), "w", options={"movflags": "use_metadata_tags"})
    out.metadata.update(meta)
    stream = out.add_stream("libx264", rate=30)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    for i in range(5):
        for packet in stream.encode(av.VideoFrame.from_ndarray(np.full((48, 64, 3), 40 * i, np.uint8), "rgb24")):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def test_a_photos_exif_names_its_lens(tmp_path):
    from vision.video import probe

    assert probe(_jpeg_with_lens(tmp_path / "wide.jpg", 13)).lens == Lens(13.0, PHOTO_EXIF)
    assert probe(_jpeg_with_lens(tmp_path / "none.jpg", None)).lens is None
    assert probe(_jpeg_with_lens(tmp_path / "zero.jpg", 0)).lens is None  # 0 = unknown in EXIF


@pytest.mark.parametrize("suffix", ["mov", "mp4"])
def test_an_iphone_videos_metadata_names_its_lens(tmp_path, suffix):
    from vision.video import VIDEO_FOCAL_35MM_KEY, probe

    clip = _video_with_metadata(tmp_path / f"v.{suffix}", {VIDEO_FOCAL_35MM_KEY: "13"})
    info = probe(clip)
    assert info.lens == Lens(13.0, VIDEO_METADATA)
    assert info.as_dict()["lens"] == {"focal_35mm_mm": 13.0, "source": VIDEO_METADATA}
    assert probe(_video_with_metadata(tmp_path / f"n.{suffix}", {"title": "x"})).lens is None


def test_the_users_lens_wins_over_the_files(tmp_path):
    from vision.pipeline import AnalyzeOptions, scale_inputs_for
    from vision.video import probe

    info = probe(_jpeg_with_lens(tmp_path / "wide.jpg", 13))
    assert scale_inputs_for(AnalyzeOptions(), info).lens == Lens(13.0, PHOTO_EXIF)
    assert scale_inputs_for(AnalyzeOptions(lens_35mm_mm=26.0), info).lens == Lens(26.0, GIVEN)
    plain = probe(_jpeg_with_lens(tmp_path / "none.jpg", None))
    assert scale_inputs_for(AnalyzeOptions(), plain).lens is None


def test_the_result_says_which_lens_the_3d_measurement_took():
    from screening.analysis import camera_detail
    from screening.floor3d import FloorModel

    model = FloorModel(None, None, 0, math.nan, "")
    assert "lens assumed: a phone's 1x camera" in camera_detail(model, None)
    assert "lens 13 mm (35 mm equivalent) from the photo's EXIF data" in camera_detail(model, None,
                                                                                       Lens(13.0, PHOTO_EXIF))
    assert "as you set it" in camera_detail(model, None, Lens(52.0))


def test_the_measured_line_names_the_lens_of_a_3d_reading():
    from screening.results import measured_how

    def view(**lens):
        return {"camera_model": {"used": True, "source": "marker", **lens}}

    assert measured_how(view(lens_35mm_mm=None, lens_source=None)).endswith("lens assumed: a phone's 1x camera "
                                                                           "(set the lens if you filmed with 0.5x or a zoom)")
    assert "lens 13 mm (35 mm equivalent) from the video's own data" in measured_how(
        view(lens_35mm_mm=13.0, lens_source=VIDEO_METADATA))
    assert "lens" not in measured_how({"camera_model": {"used": False}})  # a flat reading takes no lens


@pytest.mark.parametrize("foot_px, foot_cm, focal_px, metres", [(100.0, 25.0, 1000.0, 2.5), (260.0, 26.0, 700.0, 0.7),
                                                               (0.0, 25.0, 1000.0, math.nan)])
def test_camera_distance_from_the_foot_and_the_lens(foot_px, foot_cm, focal_px, metres):
    from screening.analysis import camera_distance_m

    got = camera_distance_m(foot_px, foot_cm, focal_px)
    assert (math.isnan(got) and math.isnan(metres)) or got == pytest.approx(metres)


def test_a_camera_too_close_gets_a_note():
    """A 0.5x lens 0.9 m from the foot (a render read 0.7 m to the foot) tilts the foot's line 20 deg in the picture and
    the heel read as held up: the result says the camera was close and to film from 1.5-3 m; from 1.2 m on, nothing."""
    from screening.analysis import too_close_note

    note = too_close_note(0.7, 1.2)
    assert note is not None and "about 0.7 m" in note and "1.5-3 m" in note
    assert too_close_note(1.5, 1.2) is None and too_close_note(math.nan, 1.2) is None


def test_the_close_camera_note_reaches_the_result():
    """The synthetic half-kneel of the live tests: a 25 cm foot 125 px long in a 640 px picture is ~1.0 m from a 1x
    camera (the note), ~2 m from a 2x zoom (no note)."""
    from calibration.fist import fist_width
    from calibration.scale import ScaleInputs
    from screening.analysis import AnalysisConfig, analyze_records
    from tests.test_live import FOOT_CM, drive, record

    recs = [record(i, s) for i, s in enumerate(drive([34.0]))]
    for lens, noted in ((None, True), (Lens(ZOOM_LENS_MM["2x"]), False)):
        res = analyze_records(recs, fist_width(None, "f"), ScaleInputs(foot_length_cm=FOOT_CM, sex="f", lens=lens),
                              "auto", AnalysisConfig())
        assert any("only about 1.0 m" in w for w in res.warnings) is noted, res.warnings
