"""Synthetic renderer (benchmarks/synth): truth self-consistency, clip format, MediaPipe sanity."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.synth import PoseParams, RenderParams, pose_half_kneel, render_clip, render_still
from benchmarks.synth.render import Renderer, rasterise_body
from benchmarks.synth.truth import body_truth, foot_length_cm

pytestmark = pytest.mark.skipif(
    not __import__("pathlib").Path("/work/shared/assets/makehuman/base.obj").exists(),
    reason="MakeHuman assets not available",
)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("angle", [15.0, 27.5, 50.0])
def test_shin_angle_is_exact(side, angle):
    t = body_truth(pose_half_kneel(PoseParams(shin_angle_deg=angle, front_side=side)))
    assert abs(t["shin_angle_deg"] - angle) < 0.1
    assert abs(t["shin_angle_3d_deg"] - angle) < 0.1


def test_knee_past_toe_grows_with_shin_angle():
    angles = np.arange(15.0, 51.0, 5.0)
    kpt = [body_truth(pose_half_kneel(PoseParams(shin_angle_deg=a)))["knee_past_toe_cm"] for a in angles]
    assert np.all(np.diff(kpt) > 0)
    assert kpt[0] < 0 < kpt[-1]  # covers both sides of the toe line
    assert -12 < kpt[0] and kpt[-1] < 20


@pytest.mark.parametrize("lift", [0.0, 1.0, 3.0])
def test_heel_lift_gives_that_heel_height(lift):
    b = pose_half_kneel(PoseParams(shin_angle_deg=35.0, heel_lift_cm=lift))
    t = body_truth(b)
    assert abs(t["heel_height_cm"] - lift) < 0.1
    assert abs(t["shin_angle_deg"] - 35.0) < 0.1
    # the front foot still touches the floor, nothing sinks far into it
    assert abs(b.verts[b.region["foot"], 1].min()) < 1e-6
    assert b.verts[b.assets.used, 1].min() > -1.0


def test_scale_and_static_truth():
    b150 = pose_half_kneel(PoseParams(body_height_cm=150.0))
    b195 = pose_half_kneel(PoseParams(body_height_cm=195.0))
    h150 = np.ptp(b150.assets.verts[b150.assets.used, 1]) * b150.scale_cm_per_dm
    assert abs(h150 - 150.0) < 1e-6
    fl150, fl195 = foot_length_cm(150.0), foot_length_cm(195.0)
    assert abs(fl195 / fl150 - 195.0 / 150.0) < 1e-9
    assert 0.13 < fl150 / 150.0 < 0.17  # a human foot is ~15 % of the body height
    # foot flat: heel to toe along +x equals the static foot length within skinning noise
    v = b195.verts[b195.region["foot"]]
    assert abs(np.ptp(v[:, 0]) - fl195) < 1.0
    # the front leg is ahead of the back knee, the pelvis between
    j = b195.joints
    assert j["back_knee"][0] < j["front_hip"][0] < j["front_knee"][0]


def test_pixel_truth_matches_rendered_silhouette():
    p = RenderParams(width_px=1280, height_px=720, shin_angle_deg=40.0, supersample=1, noise_sigma=0.0,
                     camera_distance_m=2.0, camera_height_m=0.5, background="plain")
    body = pose_half_kneel(p.pose_params())
    r = Renderer(p, aim_body=body)
    _, truth = render_still(p)
    attrs = np.zeros((len(body.verts), 1), np.float32)
    yy, xx, _, (x0, y0, _, _) = rasterise_body(body, r.camera, attrs)
    cov = np.zeros((p.height_px, p.width_px), bool)
    cov[yy + y0, xx + x0] = True
    fwd = np.asarray(truth["image_forward"])
    for name in ("kneecap_front", "toe_tip"):
        tx, ty = truth["points_px"][f"{name}_silhouette"]
        win = cov[int(ty) - 12:int(ty) + 13, int(tx) - 40:int(tx) + 41]
        wy, wx = np.nonzero(win)
        ext = np.max((wx + int(tx) - 40) * fwd[0] + (wy + int(ty) - 12) * fwd[1])
        assert abs(ext - (tx * fwd[0] + ty * fwd[1])) < 1.5, name
    assert truth["body_fully_in_frame"]
    assert abs(truth["knee_past_toe_cm"] - body_truth(body)["knee_past_toe_cm"]) < 1e-9


@pytest.mark.parametrize("rotate", [False, True])
def test_clip_is_readable_h264(tmp_path, rotate):
    av = pytest.importorskip("av")
    p = RenderParams(width_px=320, height_px=240, camera_distance_m=3.0, background="studio")
    out = tmp_path / "clip.mp4"
    truth = render_clip(p, out, fps=10, attempts=2, peak_shin_angles_deg=(30.0, 40.0), attempt_s=1.0,
                        rest_s=0.2, heel_lift_attempt=1, heel_lift_cm=2.0, rotate_tag=rotate)
    n = truth["video"]["n_frames"]
    assert n == len(truth["frames"]) and n > 20
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["video"]["n_frames"] == n and len(saved["attempts"]) == 2
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert (s.width, s.height) == ((240, 320) if rotate else (320, 240))
        frames = list(c.decode(s))
        assert frames[0].format.name == "yuv420p"
        assert len(frames) == n
        assert int(getattr(frames[0], "rotation", 0) or 0) == (-90 if rotate else 0)
    a0, a1 = saved["attempts"]
    assert not a0["heel_lifted"] and a1["heel_lifted"]
    assert abs(a1["max_heel_height_cm"] - 2.0) < 0.1
    assert abs(a0["end_range_shin_angle_deg"] - 30.0) < 0.5
    # the heel-down end range of the lifted attempt is before the heel came up
    assert a1["end_range_knee_past_toe_cm"] < a1["max_knee_past_toe_cm_any"]


MP_IDX = {"left": dict(knee=25, ankle=27, heel=29, foot=31), "right": dict(knee=26, ankle=28, heel=30, foot=32)}


@pytest.mark.parametrize(
    "params",
    [
        dict(width_px=1280, height_px=720, front_side="left", camera_distance_m=2.5, shin_angle_deg=35.0),
        dict(width_px=720, height_px=1280, front_side="right", camera_distance_m=2.0, camera_height_m=0.9,
             shin_angle_deg=25.0, yaw_deg=12.0, roll_deg=-4.0, skin_tone=5, background="clutter", seed=3),
    ],
)
def test_mediapipe_detects_rendered_person(params):
    mp = pytest.importorskip("mediapipe")
    p = RenderParams(**params)
    img, truth = render_still(p)
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=True) as pose:
        res = pose.process(img)
    assert res.pose_landmarks is not None, "MediaPipe found no person"
    h, w = img.shape[:2]
    lm = res.pose_landmarks.landmark
    pts = truth["points_px"]
    cm = truth["points_cm"]
    px_per_cm = np.linalg.norm(np.subtract(pts["toe_tip"], pts["heel_back"])) / (cm["toe_tip"][0] - cm["heel_back"][0])
    ref = dict(knee=pts["front_knee"], ankle=pts["front_ankle"], heel=pts["heel_back_bottom"], foot=pts["toe_tip"])
    tol_cm = dict(knee=6.0, ankle=5.0, heel=6.0, foot=7.0)

    def errs(side):
        return {k: np.hypot(lm[i].x * w - ref[k][0], lm[i].y * h - ref[k][1]) / px_per_cm
                for k, i in MP_IDX[side].items()}

    # MediaPipe may label the near leg left or right in a side view; take its better match
    e = min((errs(s) for s in ("left", "right")), key=lambda d: d["knee"] + d["ankle"])
    for k, v in e.items():
        assert v < tol_cm[k], f"{k} landmark {v:.1f} cm from truth"
    m = res.segmentation_mask
    mid = (np.asarray(pts["front_knee"]) + np.asarray(pts["front_ankle"])) / 2
    for q in (mid, pts["front_ankle"], pts["front_ball"]):
        assert m[int(round(q[1])), int(round(q[0]))] > 0.5
