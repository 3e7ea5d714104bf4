"""ACCURACY REGRESSION GATE: a fast subset of the accuracy benchmark (benchmarks/accuracy.py) with the real model.

Twelve rendered stills (MakeHuman bodies with exact truth, ``benchmarks.synth``) across distance, camera
height, yaw <= 15 deg, roll, resolution, side and body height, and one short clip with a heel lift. The
bounds below are what the pipeline achieved when they were set (docs/ACCURACY.md) plus a margin, so a
change that makes the numbers worse fails here instead of slipping through. Tighten them when the
pipeline improves; do not loosen them without a reason in docs/ACCURACY.md.

Renders are cached in ``$TMPDIR/ankle_screen_accuracy_cache`` (shared with the benchmark).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.accuracy import FIST_CM, Case, run_case

pytestmark = pytest.mark.timeout(300)

# ---- the bounds (set from the pipeline at commit 3446dba, see docs/ACCURACY.md "Regression gate"; the flat ones
# tightened at stop 16, when the flat reading's vertical came to include the back leg's floor line) ----------------
KPT_MAE_MAX_CM = 1.05  # knee past toe, foot-length scale, MAE over the 12 stills (measured 0.79; 0.97 at stop 15)
KPT_MAX_ERR_CM = 2.5  # no still worse than this (measured 1.79; 2.79 at stop 15)
SHIN_MAE_MAX_DEG = 1.25  # measured 0.94 since stop 19 averaged the two flat readings (1.31 before; 1.82 at stop 15)
SHIN_MAX_ERR_DEG = 3.8  # measured 2.82 (3.67 before; 4.95 at stop 15)
FOOT_SCALE_MAX_ERR_PCT = 4.0  # foot-length scale vs the true px/cm at the foot (measured max 2.2)
MARKER_SCALE_MAX_ERR_PCT = 7.0  # marker beside the foot; its far edge is used since f233c31 (max 4.8 %; was 10.1 %)
MIN_MEASURED = 12  # of 12 stills must give a number (measured 12)
MAX_FAR_VERDICT_MISSES = 0  # verdicts wrong although > 1 cm from the fist line (measured 0 since stop 16; 1 before)
CLIP_KPT_MAX_ERR_CM = 1.2  # per-attempt end range in the clip (measured 0.25; 0.64 at stop 10)
CLIP_SHIN_MAX_ERR_DEG = 2.5  # measured 1.63 since stop 19 (0.89 before, with the front edge alone; 1.05 at stop 10)
# the 3-D camera model from the floor marker (screening/floor3d.py), on the stills where it is used
# (stop 17, the foot's direction drawn toward side-on: 9 stills, knee past toe 0.28 / max 0.50 cm, shin 0.73 / max
# 1.57 deg; without it 0.29 / 0.69 cm and 0.64 / 1.57 deg on these nine - over the benchmark's 69 marker stills the
# shin went 0.70 -> 0.51 deg)
MIN_CAMERA_MODEL = 7  # stills measured with it (measured 9 of 12; the others: marker too small to be found)
KPT_3D_MAE_MAX_CM = 0.45  # measured 0.28
KPT_3D_MAX_ERR_CM = 1.2  # measured 0.50
SHIN_3D_MAE_MAX_DEG = 0.85  # measured 0.73 (0.66 before the two 3-D readings were averaged)
SHIN_3D_MAX_ERR_DEG = 2.3  # measured 1.57 (2.00 before)

# (distance m, camera height m, yaw, roll, width, height, side, body cm, shin deg, background)
STILLS = [
    (2.5, 0.6, 0.0, 0.0, 1920, 1080, "left", 175.0, 38.0, "room"),
    (3.0, 0.3, 5.0, 2.0, 1280, 720, "right", 162.0, 22.0, "plain"),
    (2.0, 0.9, 10.0, -2.0, 1080, 1920, "left", 185.0, 45.0, "gradient"),
    (3.5, 0.6, 0.0, 1.0, 3840, 2160, "right", 170.0, 30.0, "studio"),
    (2.5, 0.3, 15.0, -3.0, 1920, 1080, "right", 190.0, 48.0, "clutter"),
    (2.0, 0.6, 5.0, 3.0, 2560, 1440, "left", 155.0, 27.0, 11),
    (3.0, 0.9, 10.0, 0.0, 1280, 720, "left", 180.0, 34.0, 23),
    (2.5, 0.6, 15.0, 1.5, 1080, 1920, "right", 165.0, 41.0, "room"),
    (2.0, 0.3, 0.0, -1.0, 1920, 1080, "right", 178.0, 17.0, 37),
    (3.0, 0.6, 10.0, -4.0, 1920, 1080, "left", 160.0, 49.0, "plain"),
    (2.5, 0.9, 5.0, 4.0, 1280, 720, "right", 195.0, 36.0, "studio"),
    (3.5, 0.3, 0.0, -2.5, 2560, 1440, "left", 150.0, 43.0, "gradient"),
]


def _still(i: int, spec: tuple) -> Case:
    dist, cam_h, yaw, roll, w, h, side, body, shin, bg = spec
    params = dict(
        body_height_cm=body, shin_angle_deg=shin, front_side=side, camera_distance_m=dist, camera_height_m=cam_h,
        yaw_deg=yaw, roll_deg=roll, width_px=w, height_px=h, background=bg, skin_tone=i % 6, clothing_seed=300 + i,
        seed=9000 + i, marker_cm=10.0,
    )
    return Case(f"gate_still_{i:02d}", "still", params, tags={"resolution": f"{w}x{h}"})


CLIP = Case(
    "gate_clip",
    "clip",
    dict(body_height_cm=172.0, front_side="left", camera_distance_m=2.3, camera_height_m=0.6, yaw_deg=5.0,
         roll_deg=1.0, width_px=960, height_px=540, background="room", skin_tone=3, clothing_seed=7, seed=9100),
    dict(fps=30.0, attempts=2, peak_shin_angles_deg=(34.0, 44.0), low_shin_angle_deg=12.0, attempt_s=1.0,
         rest_s=0.3, heel_lift_attempt=1, heel_lift_cm=2.5),
    tags={"resolution": "960x540"},
)


@pytest.fixture(scope="module")
def still_rows() -> list[dict]:
    return [run_case(_still(i, s)) for i, s in enumerate(STILLS)]


@pytest.fixture(scope="module")
def clip_row() -> dict:
    return run_case(CLIP)


def _finite(x) -> bool:
    return x is not None and math.isfinite(x)


def test_stills_are_measured(still_rows):
    measured = [r for r in still_rows if _finite(r.get("kpt_foot_length")) and _finite(r.get("shin"))]
    why = {r["name"]: r.get("error") or r.get("view_failures") for r in still_rows if r not in measured}
    assert len(measured) >= MIN_MEASURED, why
    assert all(r.get("side") == r["side_true"] for r in measured)


def test_knee_past_toe_error_bounds(still_rows):
    err = np.array([r["kpt_foot_length"] - r["kpt_true"] for r in still_rows if _finite(r.get("kpt_foot_length"))])
    assert np.abs(err).mean() <= KPT_MAE_MAX_CM, err.round(2)
    assert np.abs(err).max() <= KPT_MAX_ERR_CM, err.round(2)


def test_shin_angle_error_bounds(still_rows):
    err = np.array([r["shin"] - r["shin_true"] for r in still_rows if _finite(r.get("shin"))])
    assert np.abs(err).mean() <= SHIN_MAE_MAX_DEG, err.round(2)
    assert np.abs(err).max() <= SHIN_MAX_ERR_DEG, err.round(2)


def test_scale_error_bounds(still_rows):
    foot = [100 * (r["px_per_cm_foot_length"] / r["px_per_cm_true"] - 1) for r in still_rows
            if _finite(r.get("px_per_cm_foot_length"))]
    assert foot and max(abs(e) for e in foot) <= FOOT_SCALE_MAX_ERR_PCT, np.round(foot, 2)
    marker = [100 * (r["px_per_cm_marker"] / r["px_per_cm_true"] - 1) for r in still_rows
              if _finite(r.get("px_per_cm_marker"))]
    assert len(marker) >= 3  # the marker is found in the closer, larger views
    assert max(abs(e) for e in marker) <= MARKER_SCALE_MAX_ERR_PCT, np.round(marker, 2)


def test_verdicts_far_from_the_line_agree(still_rows):
    # SPEC target: every case more than 1 cm from the fist line agrees. Met since stop 16: gate_still_02 (portrait,
    # 2 m, camera 0.9 m high, yaw 10: 11.75 cm) read 9.5 cm before and reads 10.7 cm now (0.5 cm on the right side).
    misses = [
        r["name"]
        for r in still_rows
        if r.get("verdict_foot_length") in ("pass", "fail")
        and abs(r["kpt_true"] - FIST_CM) > 1.0
        and r["verdict_foot_length"] != ("pass" if r["kpt_true"] >= FIST_CM else "fail")
    ]
    assert len(misses) <= MAX_FAR_VERDICT_MISSES, misses


def test_clip_heel_lift_and_end_range(clip_row):
    assert "error" not in clip_row, clip_row.get("error")
    assert clip_row["n_attempts"] == 2
    flat, lifted = clip_row["attempts"]
    assert lifted["lift_true_cm"] >= 2.0 and lifted["lifted_detected"] is True
    assert flat["lifted_detected"] is False
    for a in (flat, lifted):
        assert abs(a["kpt"] - a["kpt_true"]) <= CLIP_KPT_MAX_ERR_CM, a
        assert abs(a["shin"] - a["shin_true"]) <= CLIP_SHIN_MAX_ERR_DEG, a


def test_marker_camera_model_error_bounds(still_rows):
    rows = [r for r in still_rows if r.get("camera_model_used")]
    assert len(rows) >= MIN_CAMERA_MODEL, [(r["name"], r.get("camera_model_reason")) for r in still_rows]
    kpt = np.array([r["kpt_marker"] - r["kpt_true"] for r in rows])
    shin = np.array([r["shin_marker"] - r["shin_true"] for r in rows])
    assert np.abs(kpt).mean() <= KPT_3D_MAE_MAX_CM, kpt.round(2)
    assert np.abs(kpt).max() <= KPT_3D_MAX_ERR_CM, kpt.round(2)
    assert np.abs(shin).mean() <= SHIN_3D_MAE_MAX_DEG, shin.round(2)
    assert np.abs(shin).max() <= SHIN_3D_MAX_ERR_DEG, shin.round(2)
    misses = [r["name"] for r in rows if abs(r["kpt_true"] - FIST_CM) > 1.0
              and r["verdict_marker"] != ("pass" if r["kpt_true"] >= FIST_CM else "fail")]
    assert not misses, misses
    # the reported uncertainty is not overconfident: most errors lie within 2 sigma
    z = np.abs(kpt) / np.array([r["kpt_unc_marker"] for r in rows])
    assert np.mean(z <= 2.0) >= 0.75, z.round(2)


def test_marker_and_tape_foot_length(still_rows):
    """The recommended set-up (marker + foot length from a tape, its error drawn per still): as good as the marker
    alone where the toes are seen (the toe is placed from the tape only when the 3-D foot reads > 1.5 cm short)."""
    rows = [r for r in still_rows if r.get("camera_model_used")]
    both = np.array([r["kpt_marker_foot"] - r["kpt_true"] for r in rows])
    assert np.isfinite(both).all()
    assert np.abs(both).mean() <= KPT_3D_MAE_MAX_CM, both.round(2)
    assert np.abs(both).max() <= KPT_3D_MAX_ERR_CM, both.round(2)
    for r in rows:
        if r["toe_moved_cm"] == 0.0:  # not corrected: exactly the marker-only figure
            assert r["kpt_marker_foot"] == pytest.approx(r["kpt_marker"], abs=1e-9)


def test_toes_lost_in_shadow_are_placed_from_the_tape():
    """still_041 of the benchmark sweep: dark toes in their own shadow on a brown floor; the mask stops ~2 cm short of
    the toe tip, and with the marker alone the knee past toe read 2.4 cm long (verdict wrong). With the foot length
    from a tape the toe tip is placed from it and the verdict is right."""
    from benchmarks.accuracy import still_cases

    case = next(c for c in still_cases(140) if c.name == "still_041")
    row = run_case(case)
    assert row.get("camera_model_used"), row.get("camera_model_reason")
    assert row["toe_moved_cm"] > 1.0
    err = row["kpt_marker_foot"] - row["kpt_true"]
    assert abs(err) <= 1.0, err
    assert abs(err) < abs(row["kpt_marker"] - row["kpt_true"])
    assert row["verdict_marker_foot"] == ("pass" if row["kpt_true"] >= FIST_CM else "fail")


# the camera-height measurement (no marker): gate stills rendered again with the camera level (roll 0)
LEVEL_GATE = (0, 2, 6, 9, 10)
CAMH_KPT_MAE_MAX_CM = 0.7  # measured 0.44 (the benchmark's 40 level twins: 0.37 cm)
CAMH_KPT_MAX_ERR_CM = 1.2  # measured 0.61
CAMH_SHIN_MAE_MAX_DEG = 1.2  # measured 0.67
CAMH_SHIN_MAX_ERR_DEG = 2.5  # measured 1.45


@pytest.fixture(scope="module")
def level_rows() -> list[dict]:
    from benchmarks.accuracy import level_twin

    return [run_case(level_twin(_still(i, STILLS[i]))) for i in LEVEL_GATE]


def test_camera_height_measurement_on_a_level_camera(level_rows):
    """No marker: the camera height and the foot length (tapes) with the phone level give the 3-D measurement, and
    it beats the 2-D one on the same pictures."""
    rows = [r for r in level_rows if _finite(r.get("kpt_camera_height"))]
    assert len(rows) == len(LEVEL_GATE), [(r["name"], r.get("camera_height_reason")) for r in level_rows]
    kpt = np.array([r["kpt_camera_height"] - r["kpt_true"] for r in rows])
    shin = np.array([r["shin_camera_height"] - r["shin_true"] for r in rows])
    print("camera height: kpt", kpt.round(2), "shin", shin.round(2))
    assert np.abs(kpt).mean() <= CAMH_KPT_MAE_MAX_CM, kpt.round(2)
    assert np.abs(kpt).max() <= CAMH_KPT_MAX_ERR_CM, kpt.round(2)
    assert np.abs(shin).mean() <= CAMH_SHIN_MAE_MAX_DEG, shin.round(2)
    assert np.abs(shin).max() <= CAMH_SHIN_MAX_ERR_DEG, shin.round(2)
    flat = np.array([r["kpt_foot_length"] - r["kpt_true"] for r in rows])
    flat_shin = np.array([r["shin"] - r["shin_true"] for r in rows])
    assert np.abs(kpt).mean() < np.abs(flat).mean() and np.abs(shin).mean() < np.abs(flat_shin).mean()
    assert all(r["verdict_camera_height"] == ("pass" if r["kpt_true"] >= FIST_CM else "fail") for r in rows
               if abs(r["kpt_true"] - FIST_CM) > 1.0)


# the camera-height measurement reads the phone's sideways tilt from upright background lines (room, clutter and
# the seeded rooms with furniture have them; plain, gradient and studio backgrounds have none)
TILT_READ_MAX_ERR_DEG = 0.6  # measured 0.10-0.25 on the four gate stills that have lines (benchmark: 0.20 MAE)
TILT_KPT_MAE_MAX_CM = 1.0  # measured 0.74 (2-D on the same: 1.50)
TILT_SHIN_MAE_MAX_DEG = 1.8  # measured 1.40 (2-D on the same: 2.48)


def test_camera_height_reads_the_phone_tilt_from_upright_lines(still_rows):
    with_lines = [r for r in still_rows if r.get("roll_from_lines")]
    assert {r["name"] for r in with_lines} >= {"gate_still_00", "gate_still_04", "gate_still_07", "gate_still_08"}
    assert not any(r["background"] in ("plain", "gradient", "studio") for r in with_lines)  # none made up
    tilt = np.array([r["camera_height_roll_deg"] - r["roll_deg"] for r in with_lines])
    assert np.abs(tilt).max() <= TILT_READ_MAX_ERR_DEG, tilt.round(2)
    kpt = np.array([r["kpt_camera_height"] - r["kpt_true"] for r in with_lines])
    shin = np.array([r["shin_camera_height"] - r["shin_true"] for r in with_lines])
    print("tilt read", tilt.round(2), "kpt", kpt.round(2), "shin", shin.round(2))
    assert np.abs(kpt).mean() <= TILT_KPT_MAE_MAX_CM and np.abs(shin).mean() <= TILT_SHIN_MAE_MAX_DEG
    flat = np.array([r["kpt_foot_length"] - r["kpt_true"] for r in with_lines])
    flat_shin = np.array([r["shin"] - r["shin_true"] for r in with_lines])
    assert np.abs(kpt).mean() < np.abs(flat).mean() and np.abs(shin).mean() < np.abs(flat_shin).mean()


# the foot length alone (no marker, no camera height): 3-D where upright background lines give the camera's roll and
# pitch. Four stills of the benchmark's sweep that have such lines (rendered with the same cache keys) and gate still
# 04 (clutter); the other gate stills have too few (plain walls, or lines in one place).
LINE_STILLS = ("still_001", "still_086", "still_101", "still_129")
LINES_PITCH_MAX_ERR_DEG = 0.8  # measured 0.03-0.42 (benchmark: 0.18 MAE, max 0.42 on 9 headline stills)
LINES_KPT_MAE_MAX_CM = 0.8  # measured 0.64 with gate still 04 (2-D on the same 1.86)
LINES_SHIN_MAE_MAX_DEG = 1.8  # measured 1.24 (2-D on the same 2.92)


@pytest.fixture(scope="module")
def line_rows(still_rows) -> list[dict]:
    from benchmarks.accuracy import still_cases

    sweep = {c.name: c for c in still_cases(140)}
    return [run_case(sweep[n]) for n in LINE_STILLS] + [r for r in still_rows if r["name"] == "gate_still_04"]


def test_foot_length_alone_measures_in_3d_from_upright_lines(line_rows):
    assert all(r.get("lines_3d") for r in line_rows), [r["name"] for r in line_rows if not r.get("lines_3d")]
    pitch = np.array([r["lines_pitch_deg"] - r["pitch_true_deg"] for r in line_rows])
    roll = np.array([r["lines_roll_deg"] - r["roll_deg"] for r in line_rows])
    kpt = np.array([r["kpt_foot_lines"] - r["kpt_true"] for r in line_rows])
    shin = np.array([r["shin_foot_lines"] - r["shin_true"] for r in line_rows])
    print("pitch", pitch.round(2), "roll", roll.round(2), "kpt", kpt.round(2), "shin", shin.round(2))
    assert np.abs(pitch).max() <= LINES_PITCH_MAX_ERR_DEG and np.abs(roll).max() <= 0.3
    assert np.abs(kpt).mean() <= LINES_KPT_MAE_MAX_CM and np.abs(shin).mean() <= LINES_SHIN_MAE_MAX_DEG
    flat = np.array([r["kpt_foot_length"] - r["kpt_true"] for r in line_rows])
    flat_shin = np.array([r["shin"] - r["shin_true"] for r in line_rows])
    assert np.abs(kpt).mean() < np.abs(flat).mean() and np.abs(shin).mean() < np.abs(flat_shin).mean()
    assert all(r["verdict_foot_lines"] == ("pass" if r["kpt_true"] >= FIST_CM else "fail") for r in line_rows
               if abs(r["kpt_true"] - FIST_CM) > 1.0)


def test_no_upright_lines_are_made_up_on_bare_walls(still_rows):
    """Plain, gradient and studio backgrounds have no upright lines: their stills stay 2-D (the same figures)."""
    bare = [r for r in still_rows if r["background"] in ("plain", "gradient", "studio")]
    assert len(bare) == 6 and not any(r.get("lines_3d") for r in bare)
    # the same 2-D measurement, only the tape's error apart (a scale error of a few %)
    assert all(abs(r["kpt_foot_lines"] - r["kpt_foot_length"]) <= 0.06 * abs(r["kpt_foot_length"]) + 0.05 for r in bare)


# the lens (benchmarks/lens.py): a still filmed through a phone's 0.5x ultra-wide (13 mm), measured in 3-D with the
# marker and with the camera height, the lens assumed (a 1x camera) and given
LENS_KPT_MAX_ERR_CM = 0.8  # the lens given (measured 0.31 with the marker, 0.43 with the camera height)
LENS_SHIN_MAX_ERR_DEG = 2.0  # measured 1.20 / 0.76


def test_an_ultra_wide_lens_given_is_measured_right():
    """Taken for the main camera, a 0.5x ultra-wide reads the knee past toe 3.4 cm and the shin 4.7 deg off with the
    marker; given, both are within the bounds and at least 1 cm / 2 deg better."""
    from benchmarks.lens import lens_cases, run_lens_still

    row = run_lens_still(next(c for c in lens_cases() if c.name == "lens_0.5x_04"))
    assert "error" not in row, row.get("error")
    for mode in ("marker", "height"):
        given = (row[f"kpt_{mode}_given"] - row["kpt_true"], row[f"shin_{mode}_given"] - row["shin_true"])
        assumed = (row[f"kpt_{mode}_assumed"] - row["kpt_true"], row[f"shin_{mode}_assumed"] - row["shin_true"])
        print(mode, "given", np.round(given, 2), "assumed", np.round(assumed, 2))
        assert abs(given[0]) <= LENS_KPT_MAX_ERR_CM and abs(given[1]) <= LENS_SHIN_MAX_ERR_DEG, given
    assert abs(row["kpt_marker_assumed"] - row["kpt_true"]) - abs(row["kpt_marker_given"] - row["kpt_true"]) >= 1.0
    assert abs(row["shin_marker_assumed"] - row["shin_true"]) - abs(row["shin_marker_given"] - row["shin_true"]) >= 2.0


def test_a_slow_drive_does_not_read_a_flat_heel_as_lifted():
    """Stop 18: the benchmark's `clip_06_marker` driven at 2.5 s a drive (``benchmarks.heel_pace``; 186 cm body 2.5 m
    away, 960x540, the marker beside the foot). Measured from the toe tip, with the heel's lowest point searched from
    the heel landmark (stop 17), its two flat attempts read 0.79 and 0.81 cm: heel lifts. Now 0.58 and 0.63 (flagged
    above 0.75); its 1.2 cm lift reads 1.34 cm and is caught."""
    from benchmarks.accuracy import FLAT_HEEL_CM, must_be_caught
    from benchmarks.heel_pace import pace_cases, run_pace_clip

    case = next(c for c in pace_cases() if c.name == "clip_06_marker_slow")
    row = run_pace_clip(case)
    flat = [a for a in row["toes"] if a["lift_true_cm"] < FLAT_HEEL_CM]
    lifted = [a for a in row["toes"] if must_be_caught(a["lift_true_cm"])]
    assert len(flat) == 2 and len(lifted) == 1
    assert not any(a["lifted_detected"] for a in flat), flat
    assert max(a["heel_lift_cm_max"] for a in flat) <= 0.7  # measured 0.63
    assert lifted[0]["lifted_detected"] and abs(lifted[0]["heel_lift_cm_max"] - lifted[0]["lift_true_cm"]) <= 0.4
    for a in flat + lifted:
        assert abs(a["kpt"] - a["kpt_true"]) <= CLIP_KPT_MAX_ERR_CM, a
