"""A fake pose landmarker: a drawn leg with exact geometry, injected instead of MediaPipe."""

from __future__ import annotations

import math

import numpy as np

from screening.analysis import TIBIAL_CREST_LEAN_DEG
from screening.floor3d import LANDMARK_TIBIA_LEAN_3D_DEG
from vision.landmarks import Landmark, PoseFrame

W, H = 640, 960
PX_PER_CM = 5.0
FLOOR_Y = 800.0
HEEL_X = 200.0
FOOT_CM = 25.0
SHIN_CM = 42.0
KNEECAP_CM = 5.0
TOE_TIP_CM = 0.059 * FOOT_CM  # height of the toe's front-most point (as the analysis assumes)  # kneecap front ahead of the knee joint centre


def knee_landmark_px(ankle_px: np.ndarray, shin_len_px: float, shin_angle_deg: float, facing: int = 1) -> np.ndarray:
    """Where a pose model puts the knee of a shin at ``shin_angle_deg``: MediaPipe's knee-to-ankle line stands
    ``LANDMARK_TIBIA_LEAN_3D_DEG`` more upright than the tibia (measured on rendered bodies), which the analysis
    corrects; the fakes' landmarks do the same, so the shin they report is the true one."""
    a = math.radians(shin_angle_deg - LANDMARK_TIBIA_LEAN_3D_DEG)
    return np.asarray(ankle_px, dtype=float) + shin_len_px * np.array([facing * math.sin(a), -math.cos(a)])


def scene(shin_angle_deg: float, heel_lift_cm: float = 0.0, facing: int = 1):
    """Landmarks (33, 2), mask and truth for a half-kneeling pose with the given shin angle."""
    s = PX_PER_CM
    heel_x = HEEL_X if facing > 0 else W - HEEL_X
    toe_x = heel_x + facing * FOOT_CM * s
    ankle = np.array([heel_x + facing * 4 * s, FLOOR_Y - 7 * s - heel_lift_cm * s * 0.8])
    a = math.radians(shin_angle_deg)
    knee = ankle + SHIN_CM * s * np.array([facing * math.sin(a), -math.cos(a)])
    hip = knee + np.array([-facing * 40 * s, -5 * s])
    shoulder = hip + np.array([0, -50 * s])
    xy = np.zeros((33, 2))
    vis = np.full(33, 0.95)
    for lm in Landmark:
        xy[lm] = shoulder + np.array([0, -20 * s])  # head and arms parked above the shoulders
    front, back = "LEFT", "RIGHT"
    for name, p in {"SHOULDER": shoulder, "HIP": hip}.items():
        xy[Landmark[f"{front}_{name}"]] = p
        xy[Landmark[f"{back}_{name}"]] = p + np.array([facing * 2.0, 0])
    xy[Landmark[f"{front}_KNEE"]] = knee_landmark_px(ankle, SHIN_CM * s, shin_angle_deg, facing)
    xy[Landmark[f"{front}_ANKLE"]] = ankle
    xy[Landmark[f"{front}_HEEL"]] = np.array([heel_x + facing * 1 * s, FLOOR_Y - 3 * s - heel_lift_cm * s])
    xy[Landmark[f"{front}_FOOT_INDEX"]] = np.array([toe_x - facing * 3 * s, FLOOR_Y - 3 * s])
    back_knee = np.array([heel_x - facing * 15 * s, FLOOR_Y - 4 * s])
    xy[Landmark[f"{back}_KNEE"]] = back_knee
    xy[Landmark[f"{back}_ANKLE"]] = back_knee - np.array([facing * 38 * s, 0])
    xy[Landmark[f"{back}_HEEL"]] = back_knee - np.array([facing * 40 * s, 6 * s])
    xy[Landmark[f"{back}_FOOT_INDEX"]] = back_knee - np.array([facing * 45 * s, -2 * s])
    mask = draw_mask(heel_x, toe_x, ankle, knee, heel_lift_cm, facing)
    kneecap_front = knee[0] + facing * KNEECAP_CM * s
    truth = {"knee_past_toe_cm": facing * (kneecap_front - toe_x) / s, "shin_angle_deg": shin_angle_deg}
    return xy, vis, mask, truth


def draw_mask(heel_x, toe_x, ankle, knee, heel_lift_cm, facing):
    s = PX_PER_CM
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    lo, hi = sorted((heel_x, toe_x))
    # foot: a slab whose sole rises towards the heel when it lifts
    frac = (xx - heel_x) / (toe_x - heel_x)
    sole = FLOOR_Y - heel_lift_cm * s * np.clip(1 - frac / 0.7, 0, 1)
    foot = np.clip(np.minimum(sole - yy, xx - lo) + 0.5, 0, 1) * np.clip(hi - xx + 0.5, 0, 1) * (yy > FLOOR_Y - 9 * s)
    # the toes: the slab ends in a rounded toe whose front-most point is TOE_TIP_CM above the floor
    r = TOE_TIP_CM * s
    cx = toe_x - facing * r
    beyond = (xx - cx) * facing > 0
    toe_disc = np.clip(r - np.hypot(xx - cx, yy - (FLOOR_Y - r)) + 0.5, 0, 1)
    foot = np.where(beyond, toe_disc, foot)
    # shin: 3 cm behind the joint axis; its front edge 1.5 cm ahead at the ankle and leaning
    # TIBIAL_CREST_LEAN_DEG further forward than the axis (like the tibial crest); knee: a disc
    d = knee - ankle
    length = float(np.hypot(*d))
    u = d / length
    n = np.array([u[1], -u[0]]) * facing  # forward normal of the shin
    if n @ np.array([facing, 0.0]) < 0:
        n = -n
    t = (xx - ankle[0]) * u[0] + (yy - ankle[1]) * u[1]
    off = (xx - ankle[0]) * n[0] + (yy - ankle[1]) * n[1]
    front = 1.5 * s + t * math.tan(math.radians(TIBIAL_CREST_LEAN_DEG))
    inside_len = np.clip(np.minimum(t + 2 * s, length - t) + 0.5, 0, 1)
    shin = np.clip(np.minimum(front - off, off + 3 * s) + 0.5, 0, 1) * inside_len
    kneedisc = np.clip(KNEECAP_CM * s - np.hypot(xx - knee[0], yy - knee[1]) + 0.5, 0, 1)
    thigh_y = (yy > knee[1] - 6 * s) & (yy < knee[1] + 6 * s) & ((xx - knee[0]) * facing < 0)
    return np.maximum.reduce([foot, shin, kneedisc, thigh_y.astype(np.float32)]).astype(np.float32)


class FakePose:
    """Drives the knee forward and back: shin angle follows ``schedule(t)``; optional heel lift."""

    def __init__(self, schedule, heel_lift=lambda t: 0.0, facing: int = 1, person_from_s: float = 0.0):
        self.schedule, self.heel_lift, self.facing, self.person_from_s = schedule, heel_lift, facing, person_from_s
        self.calls = 0

    def reset(self) -> None:
        self.calls = 0

    def __call__(self, rgb, frame_index, time_s):
        self.calls += 1
        if time_s < self.person_from_s:
            return None
        xy, vis, mask, _ = scene(self.schedule(time_s), self.heel_lift(time_s), self.facing)
        return PoseFrame(frame_index, time_s, W, H, xy, vis, np.zeros(33), mask)


def drives(peaks_deg=(25.0, 35.0), period_s=2.0, rest_deg=10.0):
    """Shin angle schedule: one smooth drive per period, peaking at each of ``peaks_deg``."""

    def f(t: float) -> float:
        k = int(t // period_s)
        if k >= len(peaks_deg):
            return rest_deg
        phase = (t % period_s) / period_s
        return rest_deg + (peaks_deg[k] - rest_deg) * math.sin(math.pi * phase) ** 2

    return f


def blank_clip(path, seconds: float = 4.0, fps: float = 30.0) -> None:
    from vision.writer import Mp4Writer

    with Mp4Writer(path, fps, W, H) as w:  # the fake's landmarks and mask are in a W x H frame
        for i in range(int(seconds * fps)):
            w.write(np.full((H, W, 3), 120, np.uint8), i / fps)
