"""The floor camera model (calibration.camera) and the 3-D screen measurement (screening.floor3d) on synthetic
cameras: known 3-D points projected with a known camera must come back within tight tolerances."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calibration.camera import (
    FloorCamera,
    apply_homography,
    camera_from_square,
    fit_floor_camera,
    focal_from_fov,
    focal_from_homography,
    homography_dlt,
    level_camera,
    line_direction_in_plane,
    orientation_from_upright_lines,
    principal_point,
    roll_from_upright_lines,
    square_corners_cm,
    vertical_plane,
)
from calibration.scale import ScaleInputs
from screening.floor3d import (
    HEEL_HALF_BREADTH_PER_FOOT_LENGTH,
    LANDMARK_TIBIA_LEAN_3D_DEG,
    CameraModelConfig,
    SideOnPrior,
    floor_model,
    foot_turn_deg,
    height_model,
    lines_model,
    measure_3d,
    solve_height_cm,
    solve_pitch_deg,
    toward_side_on,
)
from screening.records import FrameRecord


def side_camera(distance_cm: float, height_cm: float, yaw_deg: float, roll_deg: float, focal_px: float,
                size=(1280, 720), aim=(0.0, 0.0, 40.0)) -> FloorCamera:
    """A camera on the -y side of the floor origin looking at ``aim`` (floor frame: x forward along the foot,
    z up), swung by ``yaw_deg`` towards +x and rolled about its axis; the principal point is the image centre."""
    y = math.radians(yaw_deg)
    c = np.array([distance_cm * math.sin(y), -distance_cm * math.cos(y), height_cm])
    f = np.asarray(aim, float) - c
    f /= np.linalg.norm(f)
    r = np.cross(f, [0.0, 0.0, 1.0])
    r /= np.linalg.norm(r)
    d = np.cross(f, r)
    ro = math.radians(roll_deg)
    r2, d2 = math.cos(ro) * r + math.sin(ro) * d, -math.sin(ro) * r + math.cos(ro) * d
    rot = np.stack([r2, d2, f])
    cx, cy = principal_point(*size)
    return FloorCamera(focal_px, cx, cy, rot, -rot @ c)


def marker_floor_corners(center=(0.0, -15.0), side=10.0, turn_deg=0.0) -> np.ndarray:
    """Floor (x, y) of a square marker's corners in ArUco order for a marker lying face up."""
    local = square_corners_cm(side) - np.array([side / 2, -side / 2])
    a = math.radians(turn_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return local @ rot.T + np.asarray(center)


def on_floor(xy: np.ndarray) -> np.ndarray:
    return np.c_[xy, np.zeros(len(xy))]


# ------------------------------------------------------------------------------------------------ homography
@pytest.mark.parametrize("n", [4, 6, 12])
def test_dlt_recovers_a_known_homography(n):
    rng = np.random.default_rng(n)
    h = np.array([[1.2, 0.1, 300.0], [-0.05, 0.4, 500.0], [1e-4, 8e-4, 1.0]])
    src = rng.uniform(-20, 20, (n, 2))
    dst = apply_homography(h, src)
    got = homography_dlt(src, dst)
    assert got is not None
    np.testing.assert_allclose(got / got[2, 2], h, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(apply_homography(got, src), dst, atol=1e-6)


def test_dlt_refuses_degenerate_input():
    collinear = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    assert homography_dlt(collinear, collinear * 2) is None
    assert homography_dlt(square_corners_cm(10)[:3], square_corners_cm(10)[:3]) is None
    bad = square_corners_cm(10).copy()
    bad[0, 0] = np.nan
    assert homography_dlt(bad, square_corners_cm(10)) is None


# ------------------------------------------------------------------------------------- focal length and pose
CAMERAS = [  # distance cm, height cm, yaw deg, roll deg, focal px
    (200.0, 60.0, 0.0, 0.0, 1000.0),
    (250.0, 30.0, 10.0, 3.0, 1200.0),
    (150.0, 120.0, 15.0, -5.0, 900.0),
    (350.0, 90.0, 5.0, 2.0, 1500.0),
]


@pytest.mark.parametrize("dist, height, yaw, roll, focal", CAMERAS)
def test_focal_and_pose_from_exact_corners(dist, height, yaw, roll, focal):
    cam = side_camera(dist, height, yaw, roll, focal)
    xy = marker_floor_corners(turn_deg=20.0, side=30.0)  # a large square: the focal length is observable
    uv = cam.project(on_floor(xy))
    h = homography_dlt(xy, uv)
    assert h is not None
    f = focal_from_homography(h, cam.cx_px, cam.cy_px)
    assert f == pytest.approx(focal, rel=1e-4)
    got = camera_from_square(uv, 30.0, cam.cx_px, cam.cy_px)
    assert got is not None
    # the fitted floor frame is the marker's own; heights above the floor and distances are frame-free
    assert got.center_cm[2] == pytest.approx(height, abs=0.05)
    assert np.linalg.norm(got.center_cm - got.to_height(uv[:1])[0]) == pytest.approx(
        np.linalg.norm(cam.center_cm - on_floor(xy[:1])[0]), rel=1e-4)


@pytest.mark.parametrize("dist, height, yaw, roll, focal", CAMERAS)
def test_fit_with_known_focal_reprojects_and_measures_the_floor(dist, height, yaw, roll, focal):
    cam = side_camera(dist, height, yaw, roll, focal)
    xy = marker_floor_corners()
    uv = cam.project(on_floor(xy))
    fit = fit_floor_camera(uv, 10.0, 1280, 720, focal)
    assert fit is not None
    got, rms = fit
    assert rms < 1e-3
    assert got.center_cm[2] == pytest.approx(height, abs=0.1)
    # two floor points 25 cm apart come back 25 cm apart
    pts = cam.project(on_floor(np.array([[-12.0, 0.0], [13.0, 0.0]])))
    back = got.to_height(pts)
    assert np.linalg.norm(back[1] - back[0]) == pytest.approx(25.0, abs=0.02)


def test_the_small_oblique_square_survives_corner_noise_when_refined():
    """0.25 px of corner noise on a 10 cm marker seen from 2.5 m at 30 cm height: the decomposition alone is
    badly off, the refined pose keeps the camera height within a few cm."""
    cam = side_camera(250.0, 30.0, 10.0, 0.0, 1000.0)
    uv = cam.project(on_floor(marker_floor_corners()))
    rng = np.random.default_rng(3)
    heights = []
    for _ in range(20):
        fit = fit_floor_camera(uv + rng.normal(0, 0.25, uv.shape), 10.0, 1280, 720, 1000.0)
        assert fit is not None
        heights.append(fit[0].center_cm[2])
    assert np.median(np.abs(np.array(heights) - 30.0)) < 3.0


def test_implausible_lens_is_refused():
    cam = side_camera(200.0, 60.0, 5.0, 0.0, 1000.0)
    uv = cam.project(on_floor(marker_floor_corners()))
    assert camera_from_square(uv, 10.0, cam.cx_px, cam.cy_px, focal_px=50.0) is None  # a 170 deg lens


# -------------------------------------------------------------------------------------- rays and planes
@settings(max_examples=60, deadline=None)
@given(
    dist=st.floats(150, 350), height=st.floats(25, 130), yaw=st.floats(-15, 15), roll=st.floats(-5, 5),
    focal=st.floats(800, 1600), px=st.floats(-30, 30), pz=st.floats(0, 60), py=st.floats(-5, 5),
)
def test_back_projection_inverts_projection(dist, height, yaw, roll, focal, px, pz, py):
    cam = side_camera(dist, height, yaw, roll, focal)
    p = np.array([[px, py, pz]])
    uv = cam.project(p)
    n, off = vertical_plane(np.array([0.0, py, 0.0]), np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(cam.to_plane(uv, n, off), p, atol=1e-6)
    if abs(pz - height) > 5.0:  # a point at the camera's own height has a ray parallel to its horizontal plane
        np.testing.assert_allclose(cam.to_height(uv, pz), p, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(dist=st.floats(150, 350), height=st.floats(25, 130), yaw=st.floats(-15, 15), roll=st.floats(-5, 5),
       angle=st.floats(-40, 60))
def test_a_line_in_the_plane_is_recovered_from_its_image(dist, height, yaw, roll, angle):
    cam = side_camera(dist, height, yaw, roll, 1000.0)
    a = math.radians(angle)
    d = np.array([math.sin(a), 0.0, math.cos(a)])  # in the plane y = 0, angle from vertical
    p0 = np.array([-5.0, 0.0, 10.0])
    uv = cam.project(np.stack([p0 + 10 * d, p0 + 30 * d]))
    n, _ = vertical_plane(p0, np.array([1.0, 0.0, 0.0]))
    v = line_direction_in_plane(cam, uv[0], uv[1] - uv[0], n)
    np.testing.assert_allclose(v, d, atol=1e-6)


# ------------------------------------------------------------------------------------ the screen in 3-D
def _screen_points(cam: FloorCamera, shin_deg: float, knee_lateral_cm: float = 0.0):
    """A synthetic front leg in the plane y = 0 (camera on the -y side): the heel contact's near edge, toe tip
    1.5 cm up, ankle, knee, kneecap."""
    a = math.radians(shin_deg)
    ankle = np.array([-7.0, 0.0, 7.5])
    tib = np.array([math.sin(a), 0.0, math.cos(a)])
    knee = ankle + 40.0 * tib
    kneecap = knee + np.array([4.0 * math.cos(a), knee_lateral_cm, -4.0 * math.sin(a)])
    toe = np.array([13.0, 0.0, 1.5])
    heel = np.array([-10.0, -HEEL_HALF_BREADTH_PER_FOOT_LENGTH * 26.0, 0.0])  # near edge of the heel's contact
    heel_back = np.array([-13.0, 0.0, 2.0])
    crest = np.stack([ankle + 15 * tib, ankle + 30 * tib])
    pts = cam.project(np.stack([kneecap, toe, heel, heel_back, knee, ankle, *crest]))
    truth_kpt = float(kneecap[0] - toe[0])
    return pts, truth_kpt


@pytest.mark.parametrize("dist, height, yaw, roll, shin", [
    (200.0, 60.0, 0.0, 0.0, 30.0), (250.0, 30.0, 10.0, 3.0, 20.0), (150.0, 120.0, 15.0, -5.0, 45.0),
    (300.0, 90.0, -10.0, 2.0, 38.0),
])
def test_measure_3d_recovers_knee_past_toe_and_shin(dist, height, yaw, roll, shin):
    cam = side_camera(dist, height, yaw, roll, 1100.0)
    pts, truth_kpt = _screen_points(cam, shin)
    kc, toe, heel, back, knee, ankle, c0, c1 = (p[None] for p in pts)
    edge = (c1 - c0) / np.linalg.norm(c1 - c0)
    # toe height 1.5 cm = 0.059 x the 25.4 cm foot (heel back -13 to toe 13 minus nothing: 26 cm along x)
    got = measure_3d(cam, kc, toe, heel, back, knee, ankle, edge, np.array([True]), 1.5 / 26.0, 0.0)
    assert got is not None
    assert got.knee_past_toe_cm[0] == pytest.approx(truth_kpt, abs=0.05)
    assert got.shin_landmarks_deg[0] == pytest.approx(shin, abs=0.05)
    assert got.shin_front_edge_deg[0] == pytest.approx(shin, abs=0.05)
    assert got.foot_length_cm == pytest.approx(26.0, abs=0.1)
    assert got.camera_height_cm == pytest.approx(height, abs=1e-6)


def test_measure_3d_where_a_flat_2d_reading_fails():
    """Yaw 15 deg and the camera 1.2 m up: the 3-D figure stays exact while a flat image reading would not."""
    cam = side_camera(150.0, 120.0, 15.0, 0.0, 1000.0)
    pts, truth_kpt = _screen_points(cam, 35.0)
    kc, toe, heel = pts[0], pts[1], pts[2]
    f2 = (toe - heel) / np.linalg.norm(toe - heel)
    px_per_cm = np.linalg.norm(cam.project(np.array([[1.0, 0, 0]]))[0] - cam.project(np.zeros((1, 3)))[0])
    flat = float((kc - toe) @ f2) / px_per_cm
    got = measure_3d(cam, *(p[None] for p in pts[:6]), np.full((1, 2), np.nan), np.array([True]), 1.5 / 26.0, 0.0)
    assert got is not None
    assert abs(flat - truth_kpt) > 1.0
    assert got.knee_past_toe_cm[0] == pytest.approx(truth_kpt, abs=0.05)


def _measured_with_toe_off(cam: FloorCamera, toe_off_px: float, prior: SideOnPrior | None):
    """``measure_3d`` of the synthetic leg (shin 38 deg) with the toe tip's point ``toe_off_px`` down the picture."""
    pts, truth_kpt = _screen_points(cam, 38.0)
    pts = pts.copy()
    pts[1, 1] += toe_off_px
    kc, toe, heel, back, knee, ankle, c0, c1 = (p[None] for p in pts)
    edge = (c1 - c0) / np.linalg.norm(c1 - c0)
    got = measure_3d(cam, kc, toe, heel, back, knee, ankle, edge, np.array([True]), 1.5 / 26.0, 0.0, side_on=prior)
    assert got is not None
    return got, truth_kpt


def test_side_on_prior_steadies_a_grazing_view():
    """A telephoto 30 cm up and 5 m away sees the floor at 3 deg: the toe's point 1.5 px off turns the measured foot
    ~24 deg and the shin reading by 2 deg; drawn toward side-on (the user was asked to film side-on) it stays within
    0.3 deg, and the knee past toe within 0.2 cm."""
    cam = side_camera(500.0, 30.0, 0.0, 0.0, 2800.0, size=(1920, 1080))
    raw, truth_kpt = _measured_with_toe_off(cam, 1.5, None)
    held, _ = _measured_with_toe_off(cam, 1.5, SideOnPrior(6.0, 1.5))
    assert abs(raw.shin_landmarks_deg[0] - 38.0) > 1.5
    assert abs(held.shin_landmarks_deg[0] - 38.0) < 0.3 and abs(held.shin_front_edge_deg[0] - 38.0) < 0.3
    assert held.knee_past_toe_cm[0] == pytest.approx(truth_kpt, abs=0.2)
    assert held.foot_length_cm == pytest.approx(raw.foot_length_cm)  # the tape check keeps the points' own length


@pytest.mark.parametrize("dist, height, yaw", [(150.0, 120.0, 15.0), (250.0, 60.0, 10.0), (200.0, 90.0, -12.0)])
def test_side_on_prior_leaves_a_well_seen_turned_foot_alone(dist, height, yaw):
    """Seen from higher up the foot's direction is measured to a few degrees: a camera turned 10-15 deg from side-on
    keeps most of its turn and its reading (measured: within 0.41 deg and 0.05 cm of the reading without the
    prior)."""
    cam = side_camera(dist, height, yaw, 0.0, 1100.0, size=(1920, 1080))
    raw, truth_kpt = _measured_with_toe_off(cam, 1.5, None)
    held, _ = _measured_with_toe_off(cam, 1.5, SideOnPrior(6.0, 1.5))
    assert held.shin_landmarks_deg[0] == pytest.approx(raw.shin_landmarks_deg[0], abs=0.5)
    assert held.knee_past_toe_cm[0] == pytest.approx(raw.knee_past_toe_cm[0], abs=0.15)
    assert held.shin_landmarks_deg[0] == pytest.approx(38.0, abs=0.9)
    assert held.knee_past_toe_cm[0] == pytest.approx(truth_kpt, abs=0.2)


@settings(max_examples=60, deadline=None)
@given(st.floats(150.0, 500.0), st.floats(20.0, 120.0), st.floats(-15.0, 15.0), st.floats(-30.0, 30.0),
       st.floats(1.0, 12.0))
def test_side_on_prior_only_shrinks_the_turn(dist, height, yaw, turn_deg, sd_deg):
    """The foot's direction after the prior is a horizontal unit vector turned from side-on the same way as measured
    and no further."""
    cam = side_camera(dist, height, yaw, 0.0, 1100.0, size=(1920, 1080))
    toe_cm = np.array([13.0, 0.0, 1.5])
    sight = toe_cm - cam.center_cm
    side = np.array([-sight[1], sight[0], 0.0]) / math.hypot(sight[0], sight[1])
    side = side if side[0] > 0 else -side
    a = math.radians(turn_deg)
    fwd = np.array([math.cos(a) * side[0] - math.sin(a) * side[1], math.sin(a) * side[0] + math.cos(a) * side[1], 0.0])
    heel_px, toe_px = cam.project(np.stack([toe_cm - 26.0 * fwd, toe_cm]))
    out = toward_side_on(cam, heel_px, toe_px, 1.5, toe_cm, fwd, SideOnPrior(sd_deg, 1.5))
    assert out[2] == 0.0 and np.linalg.norm(out) == pytest.approx(1.0)
    kept = math.degrees(math.atan2(side[0] * out[1] - side[1] * out[0], float(side @ out)))
    assert -1e-6 <= kept * math.copysign(1.0, turn_deg) <= abs(turn_deg) + 1e-6


def _record(i: int, corners: np.ndarray | None, size=(1280, 720)) -> FrameRecord:
    return FrameRecord(i, i / 30, size[0], size[1], 120.0, marker_corners_px=corners)


def test_floor_model_from_records_and_its_refusals():
    cfg = CameraModelConfig()
    w, h = 1280, 720
    cam = side_camera(200.0, 60.0, 5.0, 0.0, focal_from_fov(cfg.assumed_fov_long_side_deg, w, h))
    uv = cam.project(on_floor(marker_floor_corners()))
    m = floor_model([_record(0, uv), _record(1, None), _record(2, uv + 0.1)], 10.0, cfg)
    assert m.camera is not None and m.frames == 2 and m.reason == ""
    assert m.camera.center_cm[2] == pytest.approx(60.0, abs=1.0)
    assert floor_model([_record(0, uv)], None, cfg).reason == "no marker size given"
    assert "not found" in floor_model([_record(0, None)], 10.0, cfg).reason
    tiny = uv.mean(axis=0) + (uv - uv.mean(axis=0)) * 0.2
    assert "too small" in floor_model([_record(0, tiny)], 10.0, cfg).reason
    warped = uv.copy()
    warped[0] += (8.0, -6.0)  # not the image of a square on the floor
    bent = floor_model([_record(0, warped)], 10.0, cfg)
    assert bent.camera is None and bent.reason


def test_camera_measurement_uses_each_frame_s_own_pixels():
    """The analysis keeps points in the first frame's pixels (``to_ref``); the still camera of the marker model
    measures them where they were seen, so a tracked shift must not change the result."""
    from types import SimpleNamespace

    from screening.floor3d import camera_measurement

    cfg = CameraModelConfig()
    w, h = 1280, 720
    cam = side_camera(220.0, 60.0, 8.0, 0.0, focal_from_fov(cfg.assumed_fov_long_side_deg, w, h))
    corners = cam.project(on_floor(marker_floor_corners()))
    pts, truth_kpt = _screen_points(cam, 32.0)
    c0, c1 = pts[6], pts[7]
    edge = (c1 - c0) / np.linalg.norm(c1 - c0)
    shift = np.array([[1.0, 0.0, 17.0], [0.0, 1.0, -12.0]])  # a (spurious or real) tracked camera motion

    def run(to_ref):
        off = np.zeros(2) if to_ref is None else to_ref[:, 2]
        track = SimpleNamespace(**{k: (pts[i] + off)[None] for i, k in enumerate(
            ("kneecap_front", "toe_tip", "heel_bottom", "heel_back", "knee", "ankle"))}, shin_front_dir=edge[None])
        rec = FrameRecord(0, 0.0, w, h, 120.0, marker_corners_px=corners, to_ref=to_ref)
        return camera_measurement([rec], track, np.array([True]), 10.0, cfg, 1.5 / 26.0, 0.0)

    still, moved = run(None), run(shift)
    assert still.ok and moved.ok
    assert still.knee_past_toe_cm is not None and moved.knee_past_toe_cm is not None
    assert still.knee_past_toe_cm[0] == pytest.approx(truth_kpt, abs=0.05)  # lens assumed = lens used here
    assert moved.knee_past_toe_cm[0] == pytest.approx(still.knee_past_toe_cm[0], abs=1e-6)
    assert moved.shin_angle_deg is not None and still.shin_angle_deg is not None
    assert moved.shin_angle_deg[0] == pytest.approx(still.shin_angle_deg[0], abs=1e-6)
    # both 3-D readings recover the true tibia exactly here (exact joints, no crest lean); the reported angle
    # averages them after adding MediaPipe's measured joint-line lean to the joint-centre reading
    assert still.floor is not None
    assert still.floor.shin_landmarks_deg[0] == pytest.approx(32.0, abs=0.05)
    assert still.floor.shin_front_edge_deg[0] == pytest.approx(32.0, abs=0.05)
    assert still.shin_angle_deg[0] == pytest.approx(32.0 + LANDMARK_TIBIA_LEAN_3D_DEG / 2, abs=0.05)


@pytest.mark.parametrize("seed", range(6))
def test_a_thin_noisy_marker_never_gives_an_upside_down_floor(seed):
    """A 10 cm marker 3 m away seen from 50 cm up is ~33 x 5 px at 960 px wide; with 0.5 px corner noise the
    mirror pose of the planar ambiguity can fit as well: only the pose with the floor's up pointing up the
    picture is kept, and it stays near the truth."""
    w, h = 960, 540
    f = focal_from_fov(67.0, w, h)
    cam = side_camera(300.0, 50.0, 10.0, 0.0, f, size=(w, h))
    uv = cam.project(on_floor(marker_floor_corners()))
    rng = np.random.default_rng(seed)
    for _ in range(10):
        fit = fit_floor_camera(uv + rng.normal(0, 0.5, uv.shape), 10.0, w, h, f)
        assert fit is not None
        got = fit[0]
        assert got.rot_floor_to_cam[1, 2] < 0
        cos = float(got.rot_floor_to_cam[:, 2] @ cam.rot_floor_to_cam[:, 2])
        assert math.degrees(math.acos(min(1.0, cos))) < 8.0


def test_the_reported_uncertainty_grows_with_corner_noise():
    from types import SimpleNamespace

    from screening.floor3d import camera_measurement, knee_past_toe_sd_cm

    w, h = 1280, 720
    base = CameraModelConfig()
    cam = side_camera(250.0, 60.0, 8.0, 0.0, focal_from_fov(base.assumed_fov_long_side_deg, w, h))
    corners = cam.project(on_floor(marker_floor_corners()))
    pts, _ = _screen_points(cam, 35.0)
    edge = (pts[7] - pts[6]) / np.linalg.norm(pts[7] - pts[6])
    track = SimpleNamespace(**{k: pts[i][None] for i, k in enumerate(
        ("kneecap_front", "toe_tip", "heel_bottom", "heel_back", "knee", "ankle"))}, shin_front_dir=edge[None])
    rec = [FrameRecord(0, 0.0, w, h, 120.0, marker_corners_px=corners)]
    sds = []
    for corner_sd in (0.05, 0.5):
        cfg = CameraModelConfig(corner_sd_px=corner_sd, fov_sd_deg=0.0)
        m = camera_measurement(rec, track, np.array([True]), 10.0, cfg, 1.5 / 26.0, 0.0)
        sds.append(knee_past_toe_sd_cm(m, track, np.array([True]), 0, ScaleInputs(marker_cm=10.0), w, h, cfg, 1.5 / 26.0,
                                       0.0))
    edge_only = math.sqrt(2) * base.edge_px / 5.0  # ~5 px per cm at 2.5 m: the floor of the uncertainty
    assert all(math.isfinite(x) for x in sds)
    assert sds[1] > sds[0] > 0.5 * edge_only


@pytest.mark.parametrize(
    "lm, edge, expect",
    [
        (30.0, 36.0, 0.5 * (36.0 + 30.0 + 4.4)),  # both: the mean of the edge and the corrected joint-centre line
        (30.0, float("nan"), 34.4),  # no clean front edge: the corrected joint-centre line
        (float("nan"), 36.0, 36.0),  # no joint centres: the edge alone
    ],
)
def test_3d_shin_averages_front_edge_and_corrected_joint_line(lm, edge, expect):
    from screening.floor3d import combine_shin_3d

    assert LANDMARK_TIBIA_LEAN_3D_DEG == pytest.approx(4.4)
    out, method = combine_shin_3d(np.array([lm]), np.array([edge]))
    assert out[0] == pytest.approx(expect, abs=1e-9)
    assert method == ("landmarks" if math.isnan(edge) else "front_edge_and_landmarks")



L = 4.4  # LANDMARK_TIBIA_LEAN_3D_DEG, asserted above


@pytest.mark.parametrize(
    "lm, edge, expect, method",
    [
        # every frame with both readings: their mean, the joint-centre line corrected by its lean
        ([30.0, 40.0], [36.0, 45.0], [0.5 * (36 + 30 + L), 0.5 * (45 + 40 + L)], "front_edge_and_landmarks"),
        # a frame without a front edge takes the joint line shifted by the usual difference (median 6) as its edge
        ([30.0, 31.0, 40.0, 20.0], [36.0, 37.0, 46.0, np.nan],
         [0.5 * (36 + 30 + L), 0.5 * (37 + 31 + L), 0.5 * (46 + 40 + L), 0.5 * (26 + 20 + L)],
         "front_edge_and_landmarks"),
        # too few front edges (1 of 3 frames): the corrected joint line alone
        ([30.0, 31.0, 32.0], [36.0, np.nan, np.nan], [30 + L, 31 + L, 32 + L], "landmarks"),
        # a frame without joint centres keeps its front edge
        ([30.0, np.nan, 32.0], [36.0, 37.0, 38.0], [0.5 * (36 + 30 + L), 37.0, 0.5 * (38 + 32 + L)],
         "front_edge_and_landmarks"),
    ],
)
def test_flat_shin_averages_front_edge_and_corrected_joint_line(lm, edge, expect, method):
    from screening.floor3d import combine_shin_2d

    out, got = combine_shin_2d(np.array(lm), np.array(edge))
    assert got == method
    assert out == pytest.approx(np.array(expect), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(5.0, 55.0), st.floats(-3.0, 3.0), st.floats(-3.0, 3.0), st.integers(0, 7))
def test_flat_shin_reads_the_true_angle_when_both_readings_carry_only_their_known_leans(true_deg, noise_a, noise_b,
                                                                                        missing):
    """Readings that differ from the truth only by the joint line's known lean (and opposite errors) average back to
    the truth, and a frame that loses its front edge reads like its neighbours (no jump)."""
    from screening.floor3d import combine_shin_2d

    n = 8
    lm = np.full(n, true_deg - L + noise_a)
    edge = np.full(n, true_deg - noise_a)
    edge[missing] = np.nan
    out, method = combine_shin_2d(lm, edge)
    assert method == "front_edge_and_landmarks"
    assert out == pytest.approx(np.full(n, true_deg), abs=1e-6)
    lm2 = lm + noise_b  # every frame's joint line off by the same amount: the series stays flat
    out2, _ = combine_shin_2d(lm2, edge + noise_b)
    assert float(np.ptp(out2)) < 1e-6

# ---- without a marker: the camera from its height, a level phone and the foot length ------------------------------
TOE_H = 1.5 / 26.0  # toe tip height per foot length, as the pipeline's constant


@pytest.mark.parametrize(("pitch", "roll"), [(0.0, 0.0), (12.0, 0.0), (-8.0, 0.0), (12.0, 3.0)])
def test_level_camera_sits_at_its_height_and_keeps_floor_rows_level(pitch, roll):
    cam = level_camera(60.0, pitch, roll, 900.0, 639.5, 359.5)
    assert cam.center_cm == pytest.approx([0.0, 0.0, 60.0], abs=1e-9)
    # two floor points at the same distance, left and right of the axis
    uv = cam.project(np.array([[-40.0, 250.0, 0.0], [40.0, 250.0, 0.0]]))
    tilt = math.degrees(math.atan2(uv[1, 1] - uv[0, 1], uv[1, 0] - uv[0, 0]))
    assert tilt == pytest.approx(-roll, abs=1e-6)  # a level phone: the floor's rows stay level in the picture
    # the optical axis meets the floor where the pitch says (when it points down at all)
    if pitch > 0:
        hit = cam.to_height(np.array([[639.5, 359.5]]))[0]
        assert hit[1] == pytest.approx(60.0 / math.tan(math.radians(pitch)), rel=1e-9)


def _foot_pixels(cam: FloorCamera, along: np.ndarray, centre: np.ndarray, foot_cm: float) -> np.ndarray:
    """(heel contact, toe tip, heel back) pixels of a ``foot_cm`` foot whose axis runs along ``along`` (floor
    frame) through ``centre``, built the way ``measure_3d`` reads them back."""
    fwd = along / np.linalg.norm(along)
    away = np.array([fwd[1], -fwd[0], 0.0])
    if float(away @ (cam.center_cm - centre)) > 0:
        away = -away
    heel_axis = centre - 0.37 * foot_cm * fwd
    heel_near = heel_axis - HEEL_HALF_BREADTH_PER_FOOT_LENGTH * foot_cm * away
    back = heel_axis - 0.13 * foot_cm * fwd + np.array([0.0, 0.0, 3.0])
    toe = heel_axis + 0.87 * foot_cm * fwd + np.array([0.0, 0.0, TOE_H * foot_cm])
    return cam.project(np.stack([heel_near, toe, back]))


@given(
    height=st.floats(25.0, 140.0),
    pitch=st.floats(-10.0, 30.0),
    distance=st.floats(150.0, 350.0),
    yaw=st.floats(-15.0, 15.0),
    offset=st.floats(-60.0, 60.0),
)
@settings(max_examples=60, deadline=None)
def test_camera_pitch_is_recovered_from_its_height_and_the_foot_length(height, pitch, distance, yaw, offset):
    """A foot seen side-on (turned up to 15 deg, the view check's limit, off to one side) by a level camera at a known
    height: the pitch at which it measures its true length is the camera's pitch. (Turned 19 deg, 47 cm off the
    axis and seen from 25 cm up at 1.5 m, measure_3d's heel-breadth model reads the foot long enough to move the
    pitch 0.41 deg: outside the set-up the screen asks for.)"""
    cam = level_camera(height, pitch, 0.0, 900.0, 639.5, 359.5)
    along = np.array([math.cos(math.radians(yaw)), math.sin(math.radians(yaw)), 0.0])
    px = _foot_pixels(cam, along, np.array([offset, distance, 0.0]), 25.0)
    if not (np.all(np.isfinite(px)) and np.all((px >= 0) & (px <= [1279, 719]))):
        return  # the foot is outside this picture
    got = solve_pitch_deg(height, 0.0, 900.0, 639.5, 359.5, px, 25.0, TOE_H, (-40.0, 70.0))
    assert got is not None
    # within 0.4 deg: measure_3d's heel-breadth model reads a turned foot seen from low down up to ~0.4 cm long
    assert got == pytest.approx(pitch, abs=0.4)


def test_no_pitch_is_made_up_outside_the_search_range():
    cam = level_camera(60.0, 10.0, 0.0, 900.0, 639.5, 359.5)
    px = _foot_pixels(cam, np.array([1.0, 0.0, 0.0]), np.array([0.0, 250.0, 0.0]), 25.0)
    assert solve_pitch_deg(60.0, 0.0, 900.0, 639.5, 359.5, px, 25.0, TOE_H, (-40.0, 70.0)) == pytest.approx(10.0, abs=0.1)
    assert solve_pitch_deg(60.0, 0.0, 900.0, 639.5, 359.5, px, 25.0, TOE_H, (20.0, 40.0)) is None


# ---- the camera's sideways tilt from upright lines in the background ----------------------------------------------
F, CX, CY = 900.0, 639.5, 359.5


def _segments(cam: FloorCamera, bottoms_cm: np.ndarray, tops_cm: np.ndarray) -> np.ndarray:
    """Image segments (N, 4) of 3-D segments from ``bottoms_cm`` to ``tops_cm`` (floor frame)."""
    return np.hstack([cam.project(bottoms_cm), cam.project(tops_cm)])


def _uprights(cam: FloorCamera, xs_cm, ys_cm, z0_cm: float = 40.0, z1_cm: float = 190.0) -> np.ndarray:
    """Vertical edges (a door frame, shelves) standing at floor points (x, y), from ``z0_cm`` to ``z1_cm`` up."""
    b = np.array([[x, y, z0_cm] for x, y in zip(xs_cm, ys_cm, strict=True)])
    return _segments(cam, b, b + [0.0, 0.0, z1_cm - z0_cm])


@pytest.mark.parametrize("pitch", [-8.0, 0.0, 12.0, 25.0])
@pytest.mark.parametrize("roll", [-6.0, 0.0, 3.5, 8.0])
def test_roll_is_read_from_upright_lines(pitch, roll):
    cam = level_camera(60.0, pitch, roll, F, CX, CY)
    segs = _uprights(cam, [-180.0, -60.0, 90.0, 200.0], [420.0, 400.0, 380.0, 450.0])
    est = roll_from_upright_lines(segs, F, CX, CY, pitch)
    assert est is not None and est.lines == 4
    assert est.roll_deg == pytest.approx(roll, abs=0.06)  # the search's step is 0.05 deg


@given(pitch=st.floats(-10.0, 30.0), roll=st.floats(-9.0, 9.0), xs=st.lists(st.floats(-200.0, 200.0), min_size=2,
                                                                           max_size=6))
@settings(max_examples=60, deadline=None)
def test_roll_from_any_upright_lines(pitch, roll, xs):
    cam = level_camera(80.0, pitch, roll, F, CX, CY)
    ys = [350.0 + 13.0 * i for i in range(len(xs))]
    segs = _uprights(cam, xs, ys, 90.0, 220.0)  # all above the camera, so above the horizon
    est = roll_from_upright_lines(segs, F, CX, CY, pitch)
    assert est is not None
    assert est.roll_deg == pytest.approx(roll, abs=0.06)


def test_floor_boards_running_away_are_not_taken_for_uprights():
    """Boards on the floor running away from the camera look upright near the picture's middle; they lie below the
    horizon, so they are left out: alone they give no roll, beside two real uprights they change nothing."""
    cam = level_camera(60.0, 10.0, 4.0, F, CX, CY)
    xs = (-3.0, -1.5, 0.0, 1.5, 3.0)  # under the camera: their images pass through its vertical vanishing point too
    boards = _segments(cam, np.array([[x, 150.0, 0.0] for x in xs]), np.array([[x, 600.0, 0.0] for x in xs]))
    assert np.all(np.abs(boards[:, 2] - boards[:, 0]) < np.abs(boards[:, 3] - boards[:, 1]))  # they look upright
    assert roll_from_upright_lines(boards, F, CX, CY, 10.0) is None
    both = np.vstack([boards, _uprights(cam, [-150.0, 160.0], [400.0, 420.0])])
    est = roll_from_upright_lines(both, F, CX, CY, 10.0)
    assert est is not None and est.lines == 2 and est.roll_deg == pytest.approx(4.0, abs=0.06)


def test_slanted_lines_are_outvoted_and_too_little_gives_none():
    cam = level_camera(60.0, 5.0, -2.0, F, CX, CY)
    uprights = _uprights(cam, [-150.0, -40.0, 120.0], [400.0, 420.0, 380.0])
    slanted = np.array([[100.0, 50.0, 130.0, 250.0], [900.0, 40.0, 930.0, 200.0]])  # ~8.5 and ~10.6 deg off upright
    est = roll_from_upright_lines(np.vstack([uprights, slanted]), F, CX, CY, 5.0)
    assert est is not None and est.lines == 3 and est.roll_deg == pytest.approx(-2.0, abs=0.06)
    assert roll_from_upright_lines(uprights[:1], F, CX, CY, 5.0) is None  # one line: not enough
    assert roll_from_upright_lines(uprights, F, CX, CY, 5.0, min_support_px=1e5) is None  # too short in all


def _height_model_with_lines(roll: float, lines: np.ndarray | None):
    pitch = 9.0
    cam = level_camera(60.0, pitch, roll, F, CX, CY)
    foot = _foot_pixels(cam, np.array([1.0, 0.0, 0.0]), np.array([20.0, 260.0, 0.0]), 25.0)
    one = [p[None, :] for p in foot]
    nan = np.full((1, 2), np.nan)
    legs = (one[1], one[1], one[0], one[2], nan, nan, nan)
    rec = FrameRecord(0, 0.0, 1280, 720, 120.0, upright_lines_px=lines)
    cfg = CameraModelConfig(assumed_fov_long_side_deg=math.degrees(2 * math.atan(640.0 / F)))
    return height_model([rec], legs, np.ones(1, bool), 60.0, 25.0, cfg, TOE_H), pitch


def test_the_camera_height_model_takes_the_roll_from_upright_lines():
    """With upright lines in the picture the camera-height model reads the phone's tilt from them (and solves the
    pitch at that tilt); without them it takes the phone as level."""
    roll = 4.0
    cam = level_camera(60.0, 9.0, roll, F, CX, CY)
    lines = _uprights(cam, [-170.0, 150.0, 190.0], [420.0, 400.0, 440.0])
    model, pitch = _height_model_with_lines(roll, lines)
    assert model.roll_from_lines and model.roll_deg == pytest.approx(roll, abs=0.1)
    assert model.pitch_deg == pytest.approx(pitch, abs=0.3)
    level, _ = _height_model_with_lines(roll, None)
    assert not level.roll_from_lines and level.roll_deg == 0.0
    few, _ = _height_model_with_lines(roll, lines[:1])
    assert not few.roll_from_lines and few.roll_deg == 0.0



# ---- no camera height either: roll and pitch from upright lines, the height from the foot length ------------------
SPREAD_XS = [-220.0, -120.0, 60.0, 170.0, 260.0]  # posts across the picture (cm, at 3.5-4.5 m)


def _in_frame(segs: np.ndarray, w: int = 1280, h: int = 720) -> np.ndarray:
    """Near-upright segments cut to the picture (what a line detector sees of them)."""
    out = segs.copy()
    for k in range(len(out)):
        x0, y0, x1, y1 = out[k]
        for j, y in ((0, y0), (1, y1)):
            yc = min(max(y, 0.0), h - 1.0)
            t = (yc - y0) / (y1 - y0)
            out[k, 2 * j: 2 * j + 2] = [x0 + t * (x1 - x0), yc]
    return out


@pytest.mark.parametrize(("pitch", "roll"), [(0.0, 0.0), (8.0, -3.0), (-6.0, 4.5), (12.0, 1.0), (5.0, -7.0)])
def test_roll_and_pitch_are_read_from_upright_lines_across_the_picture(pitch, roll):
    cam = level_camera(70.0, pitch, roll, F, CX, CY)
    ys = [400.0, 450.0, 380.0, 420.0, 440.0]
    segs = _in_frame(_uprights(cam, SPREAD_XS, ys, 80.0, 230.0))
    assert np.all(np.abs(segs[:, 3] - segs[:, 1]) > 60)  # at least 60 px of each post is in the picture
    est = roll_from_upright_lines(segs, F, CX, CY, pitch)
    both = orientation_from_upright_lines(segs, F, CX, CY)
    assert est is not None and both is not None and both.lines == 5
    assert both.roll_deg == pytest.approx(roll, abs=0.03) and both.pitch_deg == pytest.approx(pitch, abs=0.06)
    assert both.pitch_spread_deg <= 0.2


def test_the_pitch_is_not_read_from_lines_in_one_or_two_places():
    """Upright lines lean in towards the vanishing point by their distance from the picture's middle: lines all in
    one or two places leave the pitch undetermined (any roll and pitch pair along a line fit them), so no answer."""
    cam = level_camera(70.0, 10.0, 2.0, F, CX, CY)
    two_places = _uprights(cam, [-150.0, -148.0, 120.0, 122.0], [400.0, 400.0, 420.0, 420.0], 100.0, 230.0)
    assert orientation_from_upright_lines(two_places, F, CX, CY) is None
    three_lines = _uprights(cam, [-150.0, 0.0, 120.0], [400.0, 400.0, 420.0], 100.0, 230.0)
    assert orientation_from_upright_lines(three_lines, F, CX, CY) is None  # fewer than 4 agree
    four = _uprights(cam, [-150.0, -60.0, 40.0, 120.0], [400.0, 400.0, 420.0, 420.0], 100.0, 230.0)
    est = orientation_from_upright_lines(four, F, CX, CY)
    assert est is not None and est.pitch_deg == pytest.approx(10.0, abs=0.1)


@given(height=st.floats(25.0, 140.0), pitch=st.floats(-10.0, 25.0), roll=st.floats(-6.0, 6.0),
       distance=st.floats(150.0, 350.0), yaw=st.floats(-15.0, 15.0))
@settings(max_examples=60, deadline=None)
def test_camera_height_is_recovered_from_the_foot_length(height, pitch, roll, distance, yaw):
    cam = level_camera(height, pitch, roll, F, CX, CY)
    along = np.array([math.cos(math.radians(yaw)), math.sin(math.radians(yaw)), 0.0])
    px = _foot_pixels(cam, along, np.array([0.0, distance, 0.0]), 25.0)
    if not (np.all(np.isfinite(px)) and np.all((px >= 0) & (px <= [1279, 719]))):
        return  # the foot is outside this picture
    got = solve_height_cm(roll, pitch, F, CX, CY, px, 25.0, TOE_H, (5.0, 300.0))
    assert got is not None and got == pytest.approx(height, rel=0.02)  # the heel-breadth model, as for the pitch


def test_lines_model_gives_the_camera_without_its_height():
    roll, pitch, height = -3.0, 8.0, 70.0
    cam = level_camera(height, pitch, roll, F, CX, CY)
    foot = _foot_pixels(cam, np.array([1.0, 0.0, 0.0]), np.array([20.0, 260.0, 0.0]), 25.0)
    one = [p[None, :] for p in foot]
    nan = np.full((1, 2), np.nan)
    legs = (one[1], one[1], one[0], one[2], nan, nan, nan)
    lines = _uprights(cam, SPREAD_XS, [400.0, 450.0, 380.0, 420.0, 440.0], 100.0, 230.0)
    cfg = CameraModelConfig(assumed_fov_long_side_deg=math.degrees(2 * math.atan(640.0 / F)))
    rec = FrameRecord(0, 0.0, 1280, 720, 120.0, upright_lines_px=lines)
    model = lines_model([rec], legs, np.ones(1, bool), 25.0, cfg, TOE_H)
    assert model.source == "upright_lines" and model.camera is not None and model.roll_from_lines
    assert model.roll_deg == pytest.approx(roll, abs=0.05) and model.pitch_deg == pytest.approx(pitch, abs=0.1)
    assert float(model.camera.center_cm[2]) == pytest.approx(height, rel=0.02)
    none = lines_model([FrameRecord(0, 0.0, 1280, 720, 120.0, upright_lines_px=lines[:2])], legs, np.ones(1, bool),
                       25.0, cfg, TOE_H)
    assert none.camera is None and "upright lines" in none.reason
    assert lines_model([rec], legs, np.ones(1, bool), None, cfg, TOE_H).camera is None  # needs the foot length


def test_slanted_lines_that_turn_the_foot_away_are_not_taken_as_upright():
    """Parallel lines leaning 8 deg (a slanted pattern), in three places, read as a phone tilted 8 deg; with a camera
    at knee height that would put the side-on foot ~40 deg off side-on, which the screen's set-up rules out: the
    lines are refused (2-D instead), while the true uprights of the same scene are taken."""
    level = level_camera(45.0, 2.0, 0.0, F, CX, CY)
    foot = _foot_pixels(level, np.array([1.0, 0.0, 0.0]), np.array([0.0, 260.0, 0.0]), 25.0)
    one = [p[None, :] for p in foot]
    nan = np.full((1, 2), np.nan)
    legs = (one[1], one[1], one[0], one[2], nan, nan, nan)
    cfg = CameraModelConfig(assumed_fov_long_side_deg=math.degrees(2 * math.atan(640.0 / F)))
    ys = [400.0, 450.0, 380.0, 420.0, 440.0]

    def model(cam):
        lines = _in_frame(_uprights(cam, SPREAD_XS, ys, 80.0, 230.0))
        return lines_model([FrameRecord(0, 0.0, 1280, 720, 120.0, upright_lines_px=lines)], legs, np.ones(1, bool),
                           25.0, cfg, TOE_H)

    true = model(level)
    assert true.camera is not None and abs(true.roll_deg) < 0.1
    assert foot_turn_deg(true.camera, foot, TOE_H) < 2.0
    slanted = model(level_camera(45.0, 2.0, 8.0, F, CX, CY))
    assert slanted.camera is None and "not taken as upright" in slanted.reason
