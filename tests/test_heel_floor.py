"""Heel up throughout (screening.heel_floor): the front heel against the back leg's floor line, which shares the
camera's tilt, so a flat foot seen sloping (high or turned camera) reads flat and a raised heel reads raised."""

from __future__ import annotations

import math

import numpy as np
import pytest

from calibration.view import ViewConfig, check_view
from screening.geometry import floor_up_normal
from screening.heel_floor import back_floor_reading, heel_floor_check
from screening.landmarks import LEG_LANDMARK_INDEX
from screening.records import FrameRecord
from screening.silhouette import NAN2, FootKneePoints, knee_floor_contact

FOOT_PX = 100.0
ORIGIN = np.array([300.0, 400.0])  # the front heel's back edge on the floor


def legs(floor_tilt_deg: float, heel_lift_px: float = 0.0, facing: int = 1) -> tuple[FootKneePoints, FootKneePoints]:
    """Front and back leg points on a floor that runs at ``floor_tilt_deg`` in the picture (down to the right)."""
    a = math.radians(floor_tilt_deg)
    d = np.array([math.cos(a), math.sin(a)]) * facing  # forward along the floor
    up = floor_up_normal(d)
    o = ORIGIN

    def at(along: float, height: float) -> np.ndarray:
        return o + (along * d + height * up) * FOOT_PX

    lift = heel_lift_px / FOOT_PX
    front = FootKneePoints(
        kneecap_front_px=at(1.2, 2.0), toe_tip_px=at(1.0, 0.06), heel_back_px=at(0.0, 0.05 + lift),
        heel_bottom_px=at(0.05, lift), toe_bottom_px=at(0.9, 0.0), toe_front_floor_px=at(0.95, 0.0),
    )
    back = FootKneePoints(
        kneecap_front_px=NAN2, toe_tip_px=NAN2, heel_back_px=NAN2, heel_bottom_px=NAN2, toe_bottom_px=NAN2,
        knee_floor_px=at(-0.3, 0.0), toe_floor_px=at(-1.45, 0.0),
    )
    return front, back


@pytest.mark.parametrize("tilt", [-8.0, 0.0, 6.0, 12.0, 18.0])
@pytest.mark.parametrize("facing", [1, -1])
def test_flat_heel_reads_flat_however_the_floor_slopes_in_the_picture(tilt: float, facing: int) -> None:
    front, back = legs(tilt, facing=facing)
    h = back_floor_reading(front, back).heel_height_foot_lengths
    assert abs(h) < 0.01, h
    assert check_view(0.0, 1.0, 200.0, 120.0, 1.0, heel_height_foot_lengths=h).ok


@pytest.mark.parametrize("tilt", [-5.0, 0.0, 12.0])
def test_raised_heel_reads_its_height_in_foot_lengths(tilt: float) -> None:
    front, back = legs(tilt, heel_lift_px=12.0)  # 3 cm on a 25 cm foot
    h = back_floor_reading(front, back).heel_height_foot_lengths
    assert h == pytest.approx(0.12, abs=0.01)
    report = check_view(0.0, 1.0, 200.0, 120.0, 1.0, foot_tilt_deg=tilt + 7.0, heel_height_foot_lengths=h)
    assert not report.ok and not report.checks["heel_on_floor"]
    assert "heel stayed off the floor" in report.failures[0]
    assert "keep the heel down" in report.failures[0]


def test_reading_not_trusted_when_the_foot_line_rises_to_the_toes() -> None:
    """A raised heel tilts the heel-to-toe line down towards the toes; a high reading with the line rising to the
    toes in the picture came from the silhouette (blurred back toes of a small, far figure), so it is measured."""
    report = check_view(0.0, 1.0, 200.0, 120.0, 1.0, foot_tilt_deg=-3.8, heel_height_foot_lengths=0.088)
    assert report.ok and report.checks["heel_on_floor"]
    assert not check_view(0.0, 1.0, 200.0, 120.0, 1.0, foot_tilt_deg=0.5, heel_height_foot_lengths=0.088).ok


def test_back_leg_not_along_the_floor_gives_no_reading() -> None:
    front, back = legs(0.0)
    steep = FootKneePoints(**{**back.__dict__, "knee_floor_px": back.toe_floor_px + np.array([60.0, -60.0])})
    assert math.isnan(back_floor_reading(front, steep).heel_height_foot_lengths)
    missing = FootKneePoints(**{**back.__dict__, "knee_floor_px": NAN2})
    assert math.isnan(back_floor_reading(front, missing).heel_height_foot_lengths)


def _record(i: int, front: FootKneePoints, back: FootKneePoints) -> FrameRecord:
    xy = np.zeros((33, 2))
    xy[LEG_LANDMARK_INDEX["left"]["knee"]] = (420.0, 250.0)  # the front (left) knee is the higher one
    xy[LEG_LANDMARK_INDEX["right"]["knee"]] = (270.0, 390.0)
    return FrameRecord(i, i / 30, 640, 480, 120.0, xy, np.ones(33), np.zeros(33), {"left": front, "right": back})


def test_clip_reading_follows_the_heels_lowest_moments() -> None:
    up = [_record(i, *legs(10.0, heel_lift_px=10.0)) for i in range(20)]
    res = heel_floor_check(up)
    assert res.frames_used == 20 and res.heel_height_foot_lengths == pytest.approx(0.10, abs=0.01)
    # the heel down for half the clip and lifted mid-attempt for the rest: it did touch the floor
    mixed = [_record(i, *legs(10.0, heel_lift_px=10.0 if i % 2 else 0.0)) for i in range(20)]
    assert heel_floor_check(mixed).heel_height_foot_lengths == pytest.approx(0.0, abs=0.01)


def test_no_kneeling_back_leg_means_no_reading_and_the_slope_warning_stays() -> None:
    front, back = legs(0.0)
    squat = [_record(i, front, FootKneePoints(**{**back.__dict__, "knee_floor_px": NAN2})) for i in range(5)]
    res = heel_floor_check(squat)
    assert res.heel_height_foot_lengths is None and res.frames_used == 0
    warned = check_view(0.0, 1.0, 200.0, 120.0, 1.0, foot_tilt_deg=9.0)
    assert warned.ok and any("slopes down" in w for w in warned.warnings)
    # with the back-leg reading the heel was on the floor: no warning that it might not have been
    checked = check_view(0.0, 1.0, 200.0, 120.0, 1.0, foot_tilt_deg=9.0, heel_height_foot_lengths=0.01)
    assert checked.ok and not any("slopes down" in w for w in checked.warnings)


def test_threshold_is_configurable() -> None:
    cfg = ViewConfig(max_heel_height_foot_lengths=0.2)
    assert check_view(0.0, 1.0, 200.0, 120.0, 1.0, cfg, heel_height_foot_lengths=0.12).ok


def _kneeling_leg_mask(h: int = 240, w: int = 400) -> tuple[np.ndarray, float]:
    """A back leg lying along a floor at y = 200: a knee disc resting on it, the shin rising back to a raised
    ankle, the tucked toes standing on the floor, and the thigh going up from the knee."""
    floor_y = 200.0
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    knee = np.hypot(xx - 260, yy - (floor_y - 14)) <= 14
    t = np.clip((xx - 90) / (260 - 90), 0, 1)
    shin_centre = (floor_y - 30) + (16) * t  # ankle end 30 px up, knee end 14 px up
    shin = (xx >= 90) & (xx <= 260) & (np.abs(yy - shin_centre) <= 12)
    toes = (xx >= 70) & (xx <= 100) & (yy >= floor_y - 45) & (yy <= floor_y)
    thigh = (np.abs((xx - 260) - 0.5 * (floor_y - 14 - yy)) <= 16) & (yy < floor_y - 14) & (yy > 40)
    return (knee | shin | toes | thigh).astype(np.float32), floor_y


def test_knee_floor_contact_found_below_a_misplaced_knee_landmark() -> None:
    mask, floor_y = _kneeling_leg_mask()
    toe_floor = np.array([85.0, floor_y])
    # the pose model put the knee 30 px up the thigh
    p = knee_floor_contact(mask, np.array([285.0, 150.0]), np.array([95.0, 168.0]), toe_floor)
    assert np.all(np.isfinite(p))
    assert abs(p[1] - floor_y) <= 1.5, p
    assert 230 <= p[0] <= 290, p


def test_knee_floor_contact_nan_for_a_raised_knee() -> None:
    mask, floor_y = _kneeling_leg_mask()
    # a front leg: the knee far above the toes
    p = knee_floor_contact(mask, np.array([260.0, 20.0]), np.array([250.0, 170.0]), np.array([330.0, floor_y]))
    assert np.all(np.isnan(p))


def test_toe_contact_shadow_in_the_silhouette_does_not_raise_a_flat_heel() -> None:
    """The toes' contact shadow can join the mask below the toes; the floor point is then too low and the heel
    would read high. The toe floor is never taken as lying more than ~0.09 foot lengths below the toe tip."""
    front, back = legs(5.0)
    down = -floor_up_normal(back.knee_floor_px - back.toe_floor_px)
    shadowed = FootKneePoints(**{**front.__dict__, "toe_front_floor_px": front.toe_front_floor_px + 0.1 * FOOT_PX * down})
    h = back_floor_reading(shadowed, back).heel_height_foot_lengths
    assert h < ViewConfig().max_heel_height_foot_lengths - 0.02, h
    assert back_floor_reading(front, back).heel_height_foot_lengths == pytest.approx(0.0, abs=0.01)
