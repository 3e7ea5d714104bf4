"""Pure geometry: parametrised tables and Hypothesis properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.geometry import (
    angle_between_deg,
    distance_to_polygon_px,
    floor_up_normal,
    foot_tilt_deg,
    height_above_line_px,
    knee_past_toe_2d_px,
    knee_past_toe_px,
    median_direction,
    rotate_deg,
    shin_angle_deg,
    unit,
    vertical_estimate,
)


def rot(theta_deg: float) -> np.ndarray:
    t = math.radians(theta_deg)
    return np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])


@pytest.mark.parametrize(
    "knee, ankle, forward, expected",
    [
        ((100, 0), (100, 100), (1, 0), 0.0),  # vertical shin
        ((200, 0), (100, 100), (1, 0), 45.0),  # knee ahead of ankle, facing right
        ((0, 0), (100, 100), (-1, 0), 45.0),  # facing left, knee ahead (to the left)
        ((0, 0), (100, 100), (1, 0), -45.0),  # knee behind the ankle
        ((100 + 100 * math.tan(math.radians(30)), 0), (100, 100), (1, 0), 30.0),
        ((173.2, 100), (100, 200), (1, 0), 36.2),
    ],
)
def test_shin_angle_table(knee, ankle, forward, expected):
    assert shin_angle_deg(np.array(knee, float), np.array(ankle, float), np.array(forward, float)) == pytest.approx(
        expected, abs=0.05
    )


@pytest.mark.parametrize(
    "kneecap, toe, forward, expected",
    [
        ((120, 0), (100, 200), (1, 0), 20.0),
        ((80, 0), (100, 200), (1, 0), -20.0),
        ((80, 0), (100, 200), (-1, 0), 20.0),
        ((100, 0), (100, 200), (1, 0), 0.0),
    ],
)
def test_knee_past_toe_table(kneecap, toe, forward, expected):
    assert knee_past_toe_px(np.array(kneecap, float), np.array(toe, float), np.array(forward, float)) == pytest.approx(
        expected
    )


def test_up_normal_points_up_for_both_facings():
    for f in ((1, 0), (-1, 0), (0.99, 0.1), (-0.98, -0.2)):
        n = floor_up_normal(np.array(f, float))
        assert n[1] < 0
        assert abs(float(np.dot(n, f))) < 1e-9


coord = st.floats(-2000, 2000, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    kx=coord, ky=coord, ax=coord, ay=coord,
    theta=st.floats(-40, 40), facing=st.sampled_from([1.0, -1.0]),
)
def test_shin_angle_invariant_to_rotating_everything(kx, ky, ax, ay, theta, facing):
    knee, ankle = np.array([kx, ky]), np.array([ax, ay])
    if np.linalg.norm(knee - ankle) < 1:
        return
    f = np.array([facing, 0.0])
    a0 = shin_angle_deg(knee, ankle, f)
    if abs(abs(a0) - 180) < 1e-3:
        return
    r = rot(theta)
    a1 = shin_angle_deg(r @ knee, r @ ankle, r @ f)
    assert a1 == pytest.approx(a0, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(d=st.floats(-300, 300), h=st.floats(-50, 600), theta=st.floats(-30, 30), s=st.floats(0.1, 10))
def test_knee_past_toe_sign_rotation_and_scale(d, h, theta, s):
    toe = np.array([500.0, 800.0])
    f = rot(theta) @ np.array([1.0, 0.0])
    up = floor_up_normal(f)
    kneecap = toe + d * f + h * up
    v = float(knee_past_toe_px(kneecap, toe, f))
    assert v == pytest.approx(d, abs=1e-6)
    # scaling the whole picture scales the distance
    assert float(knee_past_toe_px(kneecap * s, toe * s, f)) == pytest.approx(d * s, abs=1e-6 * max(1, s))
    # crossing the toe line flips the sign
    if abs(d) > 1e-6:
        mirrored = toe - d * f + h * up
        assert np.sign(knee_past_toe_px(mirrored, toe, f)) == -np.sign(v)
    # height above the floor line is the perpendicular part
    assert float(height_above_line_px(kneecap, toe, f)) == pytest.approx(h, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(theta=st.floats(-170, 170), noise=st.lists(st.floats(-5, 5), min_size=3, max_size=30))
def test_median_direction_recovers_angle(theta, noise):
    vecs = np.array([rot(theta + e) @ np.array([1.0, 0.0]) * 50 for e in noise])
    d = median_direction(vecs)
    got = math.degrees(math.atan2(d[1], d[0]))
    assert abs((got - (theta + float(np.median(noise))) + 180) % 360 - 180) < 0.5


SQUARE = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])


@pytest.mark.parametrize(("point", "expected"), [
    ((5.0, 5.0), -5.0),  # centre: inside, 5 px from every side
    ((5.0, 1.0), -1.0),
    ((5.0, -2.0), 2.0),  # above the top side
    ((13.0, 14.0), 5.0),  # off a corner
    ((10.0, 5.0), 0.0),  # on a side
])
def test_distance_to_polygon_table(point, expected):
    assert distance_to_polygon_px(np.array([point]), SQUARE)[0] == pytest.approx(expected, abs=1e-9)
    assert distance_to_polygon_px(np.array([point]), SQUARE[::-1])[0] == pytest.approx(expected, abs=1e-9)


def test_distance_to_polygon_nan_point_is_nan():
    assert math.isnan(distance_to_polygon_px(np.array([[np.nan, 1.0]]), SQUARE)[0])


@settings(max_examples=60, deadline=None)
@given(st.floats(-50, 50), st.floats(-50, 50), st.floats(0, 2 * math.pi), st.floats(-20, 20), st.floats(-20, 20))
def test_distance_to_polygon_invariant_to_moving_everything(px, py, theta, tx, ty):
    c, s = math.cos(theta), math.sin(theta)
    rot = np.array([[c, -s], [s, c]])
    p = np.array([[px, py]])
    d0 = distance_to_polygon_px(p, SQUARE)[0]
    d1 = distance_to_polygon_px(p @ rot.T + [tx, ty], SQUARE @ rot.T + [tx, ty])[0]
    assert d1 == pytest.approx(d0, abs=1e-6)


@pytest.mark.parametrize(("kneecap", "toe", "forward", "expected"), [
    ((110.0, 0.0), (100.0, 50.0), (1.0, 0.0), 10.0),  # level floor line: both readings agree
    ((90.0, 0.0), (100.0, 50.0), (-1.0, 0.0), 10.0),  # facing left
    ((80.0, 0.0), (100.0, 50.0), (1.0, 0.0), -20.0),  # knee behind the toes
])
def test_knee_past_toe_2d_table_on_a_level_floor_line(kneecap, toe, forward, expected):
    assert knee_past_toe_2d_px(np.array(kneecap), np.array(toe), np.array(forward)) == pytest.approx(expected)


def test_knee_past_toe_2d_splits_along_the_floor_line_and_the_given_vertical():
    f = unit(np.array([1.0, math.tan(math.radians(10))]))  # floor line sloping 10 deg down to the toes
    knee, toe = np.array([150.0, 0.0]), np.array([100.0, 100.0])
    along = float(knee_past_toe_px(knee, toe, f))
    split = 50.0 / f[0]  # 50 px to the right in the picture, along a floor line that slopes
    assert knee_past_toe_2d_px(knee, toe, f, floor_up_normal(f)) == pytest.approx(along)
    assert knee_past_toe_2d_px(knee, toe, f, np.array([0.0, -1.0])) == pytest.approx(split)
    # by default the vertical lies 3:1 between the floor line's perpendicular and the picture's up: the reading
    # lies between the two, nearly 3:1 (the split is not linear in the vertical's angle)
    got = float(knee_past_toe_2d_px(knee, toe, f))
    assert min(along, split) < got < max(along, split)
    assert got == pytest.approx(0.75 * along + 0.25 * split, abs=0.05 * abs(split - along))
    steep = unit(np.array([0.3, 1.0]))  # a nonsense floor line: the picture's vertical is not used
    assert knee_past_toe_2d_px(knee, toe, steep) == pytest.approx(float(knee_past_toe_px(knee, toe, steep)))


@pytest.mark.parametrize(("front_deg", "back_deg", "expected_tilt_deg"), [
    (0.0, None, 0.0),  # level floor line, no back leg: straight up
    (8.0, None, 6.0),  # 3:1 between the floor line's perpendicular (8 deg) and the picture's up (0)
    (8.0, 8.0, 6.0),  # the back leg agrees
    (8.0, 0.0, 2.0),  # 0.25 x 8 + 0.5 x 0 + 0.25 x 0
    (-4.0, 4.0, 1.0),  # -1 + 2 + 0
])
def test_vertical_estimate_table(front_deg, back_deg, expected_tilt_deg):
    """The vertical's tilt from the picture's up, for floor lines sloping by the given angles (positive: down
    towards the toes of a person facing right; the perpendicular then leans forward by the same angle)."""
    def line(deg):
        return np.array([math.cos(math.radians(deg)), math.sin(math.radians(deg))])

    up = vertical_estimate(line(front_deg), None if back_deg is None else line(back_deg))
    assert float(np.linalg.norm(up)) == pytest.approx(1.0)
    assert angle_between_deg(np.array([0.0, -1.0]), up) == pytest.approx(expected_tilt_deg, abs=1e-9)
    assert np.all(np.isnan(vertical_estimate(np.array([np.nan, np.nan]))))


@settings(max_examples=60, deadline=None)
@given(st.floats(-40, 40), st.floats(-15, 15), st.sampled_from([1, -1]))
def test_shin_angle_against_a_given_vertical(lean_deg, tilt_deg, facing):
    """A shin leaning ``lean_deg`` from a vertical tilted by ``tilt_deg`` reads ``lean_deg`` against that vertical,
    whichever way the person faces; against the floor line's perpendicular it is the default reading."""
    up = np.array([math.sin(math.radians(tilt_deg)), -math.cos(math.radians(tilt_deg))])
    fwd = np.array([facing * 1.0, 0.0])
    shin = rotate_deg(up, facing * lean_deg) * 40.0  # leaning towards the toes
    ankle = np.array([100.0, 200.0])
    assert float(shin_angle_deg(ankle + shin, ankle, fwd, up)) == pytest.approx(lean_deg, abs=1e-6)
    assert float(shin_angle_deg(ankle + shin, ankle, fwd, floor_up_normal(fwd))) == pytest.approx(
        float(shin_angle_deg(ankle + shin, ankle, fwd)), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(-30, 30), st.floats(20, 80), st.floats(-20, 20), st.floats(0.5, 3.0))
def test_knee_past_toe_2d_mirror_and_scale(d, h, tilt_deg, s):
    """Mirroring the picture (a person facing the other way) and scaling it do not change the reading (in
    units of the scale)."""
    f = np.array([math.cos(math.radians(tilt_deg)), math.sin(math.radians(tilt_deg))])
    toe = np.array([200.0, 300.0])
    knee = toe + d * f + h * np.array([0.0, -1.0])
    v = float(knee_past_toe_2d_px(knee, toe, f))
    mirror = np.array([-1.0, 1.0])
    assert float(knee_past_toe_2d_px(knee * mirror, toe * mirror, f * mirror)) == pytest.approx(v, abs=1e-6)
    assert float(knee_past_toe_2d_px(knee * s, toe * s, f)) == pytest.approx(v * s, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize(("forward", "expected"), [
    ((1.0, 0.0), 0.0), ((-1.0, 0.0), 0.0),  # level, either facing
    ((math.cos(math.radians(8)), math.sin(math.radians(8))), 8.0),  # sloping down to the toes (image y down)
    ((-math.cos(math.radians(8)), math.sin(math.radians(8))), 8.0),  # the same, facing left
    ((1.0, -0.1), -math.degrees(math.atan(0.1))),  # rising to the toes
])
def test_foot_tilt_table(forward, expected):
    assert foot_tilt_deg(np.array(forward)) == pytest.approx(expected, abs=1e-9)


def test_foot_tilt_unknown_direction_is_nan():
    assert math.isnan(foot_tilt_deg(None)) and math.isnan(foot_tilt_deg(np.array([np.nan, np.nan])))


@settings(max_examples=80, deadline=None)
@given(st.floats(-25, 25), st.one_of(st.none(), st.floats(-25, 25)))
def test_vertical_estimate_mirrors_with_the_picture(front_deg, back_deg):
    """A person facing the other way (the picture mirrored left-right) gets the mirrored vertical; it always points
    up the picture and lies within the estimates it is a weighted mean of."""
    def line(deg, facing):
        return np.array([facing * math.cos(math.radians(deg)), math.sin(math.radians(deg))])

    right = vertical_estimate(line(front_deg, 1), None if back_deg is None else line(back_deg, 1))
    left = vertical_estimate(line(front_deg, -1), None if back_deg is None else line(back_deg, -1))
    assert left == pytest.approx(right * np.array([-1.0, 1.0]), abs=1e-9)
    assert right[1] < 0
    tilts = [front_deg, 0.0] + ([] if back_deg is None else [back_deg])
    tilt = angle_between_deg(np.array([0.0, -1.0]), right)
    assert min(tilts) - 1e-9 <= tilt <= max(tilts) + 1e-9
