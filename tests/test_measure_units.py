"""Silhouette points, attempts, smoothing, scale, fist width and view checks on synthetic inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calibration.fist import fist_width
from calibration.scale import ScaleInputs, scale_from_foot_length, scale_from_height, scale_from_marker
from calibration.view import check_view, yaw_from_side_deg
from screening.attempts import AttemptSpan, end_range_index, segment_attempts
from screening.errors import InvalidSettingError
from screening.silhouette import extreme_point, shin_front_direction
from screening.smoothing import OneEuroFilter, zero_phase_smooth


def disc_mask(h, w, cx, cy, r):
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    return np.clip(r + 0.5 - d, 0, 1).astype(np.float32)  # anti-aliased edge: 0.5 at radius r


@pytest.mark.parametrize("direction, expected", [((1, 0), (70.0, 50.0)), ((-1, 0), (30.0, 50.0)), ((0, 1), (50.0, 70.0))])
def test_extreme_point_subpixel(direction, expected):
    m = disc_mask(100, 100, 50, 50, 20)
    p = extreme_point(m, np.array([50.0, 50.0]), 40, np.array(direction, float))
    assert p == pytest.approx(expected, abs=0.3)


def test_extreme_point_empty_and_constrained():
    m = np.zeros((50, 50), np.float32)
    assert np.all(np.isnan(extreme_point(m, np.array([25.0, 25.0]), 10, np.array([1.0, 0.0]))))
    m2 = disc_mask(100, 100, 50, 50, 20)
    up = np.array([0.0, -1.0])
    # only pixels no higher than 5 px above y=60 -> the rightmost point is lower on the circle
    p = extreme_point(m2, np.array([50.0, 50.0]), 40, np.array([1.0, 0.0]), constraint_dir=up, constraint_max_px=-5,
                      constraint_origin=np.array([50.0, 60.0]))
    assert p[1] >= 64 and p[0] < 70


def heel_with_spur(spur_width_px: int, spur_len_px: int = 12, tilt_deg: float = 0.0) -> np.ndarray:
    """A foot-like slab (flat sole at y = 60 before ``tilt_deg``) with a thin spur hanging below its rear part, as the
    segmentation leaks onto a printed marker under the heel (rendered clip: 4-13 px too low)."""
    yy, xx = np.mgrid[0:120, 0:160].astype(float)
    a = math.radians(tilt_deg)
    x, y = (xx - 80) * math.cos(a) + (yy - 60) * math.sin(a), -(xx - 80) * math.sin(a) + (yy - 60) * math.cos(a)
    body = (x > -40) & (x < 40) & (y > -30) & (y <= 0)
    spur = (np.abs(x + 20) <= spur_width_px / 2) & (y > 0) & (y <= spur_len_px) & (spur_width_px > 0)
    return (body | spur).astype(np.float32)


@pytest.mark.parametrize("spur_width_px", [0, 2, 4, 6])
def test_the_heel_bottom_ignores_a_thin_spur_below_the_sole(spur_width_px):
    """The heel's lowest point is the level the outline holds over a stretch of the sole (``support_px``): a spur
    narrower than that is not taken, and without one it is the plain lowest point."""
    m = heel_with_spur(spur_width_px)
    down = np.array([0.0, 1.0])
    plain = extreme_point(m, np.array([60.0, 50.0]), 40, down)
    held = extreme_point(m, np.array([60.0, 50.0]), 40, down, support_px=10.0, spur_px=3.0)
    # a spur shorter than ``spur_px`` is taken as the outline (ordinary frames keep the plain lowest point)
    short = extreme_point(heel_with_spur(spur_width_px, 2), np.array([60.0, 50.0]), 40, down, support_px=10.0,
                          spur_px=3.0)
    assert short == pytest.approx(extreme_point(heel_with_spur(spur_width_px, 2), np.array([60.0, 50.0]), 40, down))
    assert held[1] == pytest.approx(60.5, abs=0.6)  # the sole's edge (pixel rows 31-60 of the slab)
    if spur_width_px:
        assert plain[1] > 70  # the plain lowest point is the spur's tip
    else:
        assert plain[1] == pytest.approx(held[1], abs=0.6)


@settings(max_examples=40, deadline=None)
@given(st.floats(-12.0, 12.0), st.integers(1, 6), st.integers(5, 16))
def test_the_supported_heel_bottom_is_on_the_sole_for_any_tilt(tilt_deg, spur_width_px, spur_len_px):
    m = heel_with_spur(spur_width_px, spur_len_px, tilt_deg)
    a = math.radians(tilt_deg)
    down = np.array([-math.sin(a), math.cos(a)])  # the sole's outward normal
    p = extreme_point(m, np.array([60.0, 50.0]), 45, down, support_px=10.0, spur_px=3.0)
    depth = (p[0] - 80) * down[0] + (p[1] - 60) * down[1]  # distance below the sole's line
    assert -1.5 <= depth <= 1.5


@pytest.mark.parametrize("lean_deg", [5.0, 20.0, 35.0, 50.0])
def test_shin_front_edge_direction_of_a_leaning_bar(lean_deg):
    h, w = 600, 600
    a = math.radians(lean_deg)
    ankle = np.array([250.0, 500.0])
    knee = ankle + 300 * np.array([math.sin(a), -math.cos(a)])
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    d = (knee - ankle) / 300
    t = np.clip((xx - ankle[0]) * d[0] + (yy - ankle[1]) * d[1], -50, 350)
    dist = np.hypot(xx - (ankle[0] + t * d[0]), yy - (ankle[1] + t * d[1]))
    mask = np.clip(30 - dist + 0.5, 0, 1).astype(np.float32)  # a 60 px thick bar along the shin
    v = shin_front_direction(mask, knee, ankle, np.array([1.0, 0.0]))
    assert math.degrees(math.atan2(v[0], -v[1])) == pytest.approx(lean_deg, abs=0.3)


def synthetic_drives(peaks_s=(1.0, 3.5, 6.0), duration_s=7.5, fps=30.0, amp=20.0):
    t = np.arange(0, duration_s, 1 / fps)
    y = 10 + sum(amp * np.exp(-0.5 * ((t - p) / 0.35) ** 2) for p in peaks_s)
    return t, y


@pytest.mark.parametrize("peaks", [(1.0,), (1.0, 3.5), (1.0, 3.5, 6.0), (0.0, 3.5, 7.4)])
def test_segment_attempts_counts_drives_including_at_clip_edges(peaks):
    t, y = synthetic_drives(peaks)
    spans = segment_attempts(t, y)
    assert len(spans) == len(peaks)
    for span, p in zip(spans, peaks, strict=False):
        assert t[span.start] <= p + 0.05 and t[span.stop] >= p - 0.05


def test_a_shallow_drive_between_deep_ones_is_its_own_attempt():
    t = np.arange(0, 7.5, 1 / 30)
    y = 12 + sum(a * np.exp(-0.5 * ((t - p) / 0.35) ** 2) for p, a in [(1.0, 30.0), (3.5, 30.0), (6.0, 14.0)])
    spans = segment_attempts(t, y)
    assert len(spans) == 3
    assert t[spans[2].start] < 6.0 < t[spans[2].stop]


@pytest.mark.parametrize("stride", [2, 3, 4])
def test_strided_sampling_finds_the_same_attempts(stride):
    """Sparse frames away from the end range, every frame near it (how a strided analysis samples)."""
    t, y = synthetic_drives((1.0, 3.5, 6.0))
    keep = (np.arange(len(t)) % stride == 0) | (y > y.max() - 8.0)
    spans = segment_attempts(t[keep], y[keep])
    assert len(spans) == 3
    tk = t[keep]
    for span, p in zip(spans, (1.0, 3.5, 6.0), strict=True):
        assert tk[span.start] <= p <= tk[span.stop]


def test_a_one_frame_spike_is_not_an_attempt():
    t, y = synthetic_drives((1.0, 3.5))
    y = y.copy()
    y[150] += 25.0  # a glitch at 5 s
    assert len(segment_attempts(t, y)) == 2


def test_held_position_is_one_attempt_and_noise_is_not_split():
    t = np.arange(0, 3, 1 / 30)
    rng = np.random.default_rng(0)
    spans = segment_attempts(t, 30 + rng.normal(0, 1.0, len(t)))
    assert len(spans) == 1


def test_end_range_skips_heel_lift_frames():
    y = np.array([1, 2, 5, 9, 7, 3], float)
    usable = np.array([1, 1, 1, 0, 1, 1], bool)
    assert end_range_index(AttemptSpan(0, 5), y, usable) == 4
    assert end_range_index(AttemptSpan(0, 5), y, np.zeros(6, bool)) is None


def test_zero_phase_smoothing_does_not_shift_the_peak():
    t, y = synthetic_drives((2.0,), 4.0)
    rng = np.random.default_rng(1)
    ys = zero_phase_smooth(t, y + rng.normal(0, 0.5, len(y)), 0.05)
    assert abs(t[int(np.argmax(ys))] - 2.0) < 0.05
    assert abs(ys.max() - y.max()) < 1.0


def test_one_euro_follows_a_step_without_long_lag():
    f = OneEuroFilter()
    out = [float(f(i / 30, 0.0 if i < 30 else 10.0)) for i in range(60)]
    assert out[29] == pytest.approx(0.0)
    assert out[45] > 9.0


@settings(max_examples=60, deadline=None)
@given(foot_cm=st.floats(18, 32), ppc=st.floats(1.5, 20))
def test_scale_from_foot_length_recovers_px_per_cm(foot_cm, ppc):
    rng = np.random.default_rng(2)
    s = scale_from_foot_length(foot_cm * ppc + rng.normal(0, 0.5, 50), foot_cm, 1.0)
    assert s is not None and s.source == "foot_length"
    assert s.px_per_cm == pytest.approx(ppc, rel=0.02)
    assert 0 < s.relative_uncertainty < 0.1


def test_scale_sources_and_uncertainty_order():
    marker = scale_from_marker(np.full(10, 200.0), 10.0)
    foot = scale_from_foot_length(np.full(10, 250.0), 25.0, 1.5)
    height = scale_from_height(np.full(10, 0.152 * 170 * 10), np.full(10, 0.246 * 170 * 10), 170.0, 1.5)
    assert marker and foot and height
    assert marker.px_per_cm == pytest.approx(20.0)
    assert height.px_per_cm == pytest.approx(10.0, rel=0.01)
    assert marker.relative_uncertainty < height.relative_uncertainty
    assert foot.relative_uncertainty < height.relative_uncertainty
    assert scale_from_foot_length(np.array([np.nan]), 25.0, 1.0) is None


@pytest.mark.parametrize(
    "kwargs, cm, source",
    [({}, 10.16, "default_unknown"), ({"sex": "m"}, 10.16, "default_m"), ({"sex": "f"}, 8.89, "default_f"),
     ({"fist_cm": 9.5, "sex": "m"}, 9.5, "measured"), ({"fist_in": 4.0}, 10.16, "measured")],
)
def test_fist_width(kwargs, cm, source):
    fw = fist_width(**kwargs)
    assert fw.width_cm == pytest.approx(cm, abs=0.01) and fw.source == source


@pytest.mark.parametrize("bad", [{"fist_cm": 40}, {"sex": "x"}, {"fist_cm": 9, "fist_in": 4}])
def test_fist_width_rejects_bad_input(bad):
    with pytest.raises(InvalidSettingError):
        fist_width(**bad)


@pytest.mark.parametrize("bad", [ScaleInputs(foot_length_cm=80), ScaleInputs(height_cm=20), ScaleInputs(marker_cm=0.1)])
def test_scale_inputs_validate(bad):
    with pytest.raises(InvalidSettingError):
        bad.validate()


def test_yaw_estimate_side_vs_front():
    n = 10
    z = np.zeros((n, 2))
    sh, hp = np.tile([100.0, 100.0], (n, 1)), np.tile([100.0, 300.0], (n, 1))
    side = yaw_from_side_deg(sh, sh + [5, 0], hp, hp + [5, 0])
    front = yaw_from_side_deg(sh, sh + [170, 0], hp, hp + [130, 0])
    assert side < 5 and front > 60
    assert math.isnan(yaw_from_side_deg(z * np.nan, z, z, z))


@pytest.mark.parametrize(
    "args, failed_check",
    [((5, 0.9, 150, 120, 1.0), None), ((60, 0.9, 150, 120, 1.0), "side_view"), ((5, 0.2, 150, 120, 1.0), "leg_visible"),
     ((5, 0.9, 20, 120, 1.0), "size"), ((5, 0.9, 150, 10, 1.0), "light"), ((5, 0.9, 150, 120, 0.1), "person")],
)
def test_view_checks_name_what_to_change(args, failed_check):
    rep = check_view(*args)
    if failed_check is None:
        assert rep.ok and not rep.failures
    else:
        assert not rep.ok and rep.checks[failed_check] is False and rep.failures


@pytest.mark.parametrize("tilt_deg, ok", [(-4.0, True), (3.0, True), (5.5, True), (7.5, False), (12.0, False)])
def test_foot_sloping_down_to_the_toes_warns_of_a_heel_up_throughout(tilt_deg, ok):
    rep = check_view(5, 0.9, 150, 120, 1.0, foot_tilt_deg=tilt_deg)
    assert rep.checks["foot_level"] is ok and rep.ok  # never refuses: a high camera tilts a flat foot too
    assert ok or "heel" in rep.warnings[0]


def test_a_foot_out_of_the_picture_gets_no_foot_slope_warning():
    """The pose model still places a foot it cannot see (a photo cut above the feet): its slope says nothing about
    the heel, so only the "out of frame" failure is given, not the heel-up warning."""
    rep = check_view(5, 0.2, 150, 120, 1.0, foot_tilt_deg=34.0)
    assert not rep.ok and rep.checks["leg_visible"] is False
    assert rep.checks["foot_level"] is False and not any("slopes down" in w for w in rep.warnings)


@pytest.mark.parametrize(
    ("camera_model", "says"),
    [
        ({"used": True, "source": "marker"}, "printed marker"),
        ({"used": True, "source": "camera_height"}, "phone assumed level"),
        ({"used": True, "source": "camera_height", "roll_from_upright_lines": True, "roll_deg": -2.04},
         "tilt, -2.0 deg, read from upright lines"),
        ({"used": True, "source": "upright_lines", "roll_from_upright_lines": True}, "from upright lines behind you"),
        ({"used": False, "source": "upright_lines", "reason": "too few upright lines"}, "2-D"),
        ({"used": False, "source": "marker", "reason": "the marker was not found"}, "2-D"),
        (None, "2-D"),
    ],
)
def test_the_result_says_how_it_was_measured(camera_model, says):
    from screening.results import measured_how

    assert says in measured_how({} if camera_model is None else {"camera_model": camera_model})
