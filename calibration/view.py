"""Camera-view checks: side-on, leg visible, big enough, light enough. Pure functions over landmarks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ViewConfig:
    max_yaw_fail_deg: float = 35.0  # beyond this the clip is not a side view: no numbers
    max_yaw_warn_deg: float = 15.0  # SPEC 3: side-on within about 15 deg
    min_visibility: float = 0.5  # median visibility of knee, ankle, heel, toe of the screened leg
    min_shin_px: float = 60.0  # knee-to-ankle length in pixels; smaller = too far away
    min_luma: float = 35.0  # mean luma (0-255); darker = too dark
    min_pose_fraction: float = 0.3  # of frames with a person
    # a planted foot's heel-to-toe line runs within a few degrees of level in a level, knee-high camera's
    # picture; sloping down to the toes by more than this earns a warning (heel up throughout, or the camera)
    max_toe_down_tilt_deg: float = 6.0
    # the front heel's lowest point above the back-leg floor line (screening.heel_floor), in foot lengths:
    # beyond this the heel never touched down, and the floor line through it is not the floor. A 2 cm lift on a
    # 25 cm foot is 0.08; rendered flat heels read at most 0.05 over a clip (docs/BAD_INPUTS.md)
    max_heel_height_foot_lengths: float = 0.065
    # ...and only when the heel-to-toe line also slopes down towards the toes in the picture by more than this: a
    # raised heel tilts it that way; where it rises to the toes the reading is doubted (a small, far figure's
    # blurred silhouette under the back toes read a flat heel 0.088 up, its foot line rising 3.8 deg)
    heel_up_min_toe_down_tilt_deg: float = 0.0
    front_shoulder_ratio: float = 0.75  # shoulder/hip spread over torso length seen from the front


@dataclass(frozen=True)
class ViewReport:
    ok: bool
    yaw_deg: float | None
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)


def yaw_from_side_deg(
    shoulder_l: np.ndarray, shoulder_r: np.ndarray, hip_l: np.ndarray, hip_r: np.ndarray, front_ratio: float = 0.75
) -> float:
    """Estimated turn away from a pure side view, deg, from how far apart the two shoulders and hips
    appear horizontally relative to torso length (0 when they overlap, as in a true side view).
    Arrays are (n, 2) pixel positions over frames."""
    torso = np.linalg.norm((shoulder_l + shoulder_r) / 2 - (hip_l + hip_r) / 2, axis=1)
    spread = (np.abs(shoulder_l[:, 0] - shoulder_r[:, 0]) + np.abs(hip_l[:, 0] - hip_r[:, 0])) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        r = spread / torso
    r = r[np.isfinite(r)]
    if len(r) == 0:
        return math.nan
    return math.degrees(math.asin(min(1.0, float(np.median(r)) / front_ratio)))


def heel_held_up(heel_height_foot_lengths: float, foot_tilt_deg: float, cfg: ViewConfig = ViewConfig()) -> bool:
    """The front heel was off the floor: its height above the back-leg floor (foot lengths, NaN = not measured)
    is above the limit and the foot line slopes down towards the toes in the picture (``foot_tilt_deg``), as a
    raised heel makes it; a high reading with the line rising to the toes came from the silhouette instead."""
    return (math.isfinite(heel_height_foot_lengths)
            and heel_height_foot_lengths > cfg.max_heel_height_foot_lengths
            and math.isfinite(foot_tilt_deg)
            and foot_tilt_deg > cfg.heel_up_min_toe_down_tilt_deg)


def check_view(
    yaw_deg: float,
    leg_visibility: float,
    shin_px: float,
    luma: float,
    pose_fraction: float,
    cfg: ViewConfig = ViewConfig(),
    similar_people: int = 0,
    foot_tilt_deg: float = math.nan,
    heel_height_foot_lengths: float = math.nan,
) -> ViewReport:
    """Judge the filming set-up; each failure names what to change. ``foot_tilt_deg``: how far the floor line
    (heel contact to toe) slopes down towards the toes in the picture, deg. ``similar_people``: how many other people
    about as tall as the measured one were seen (any -> not measured; a smaller one only earns a note).
    ``heel_height_foot_lengths``: the front heel's height above the floor over the clip, measured against the back
    leg's floor line (NaN when no kneeling back leg was seen); too high -> not measured (heel up throughout)."""
    failures: list[str] = []
    warnings: list[str] = []
    checks: dict[str, bool] = {}
    checks["light"] = not (math.isfinite(luma) and luma < cfg.min_luma)
    if not checks["light"]:
        failures.append("The clip is too dark: film in a brighter room or turn a light towards the person.")
    checks["person"] = pose_fraction >= cfg.min_pose_fraction
    if not checks["person"]:
        failures.append(
            f"A person was found in only {pose_fraction:.0%} of frames: keep the whole body in frame for the whole clip."
        )
    checks["one_person"] = similar_people == 0
    if not checks["one_person"]:
        failures.append(
            "Two people of similar size are in the picture, so the measurement could follow the wrong one: "
            "film with only the person being screened in view."
        )
    heel_measured = math.isfinite(heel_height_foot_lengths)
    leg_seen = leg_visibility >= cfg.min_visibility
    checks["foot_level"] = not (math.isfinite(foot_tilt_deg) and foot_tilt_deg > cfg.max_toe_down_tilt_deg)
    # (not for a foot out of the picture: the pose model's guessed foot says nothing about the heel)
    if not checks["foot_level"] and not heel_measured and leg_seen:
        # a warning only, and only when the back leg gave no floor reference: a high or turned camera tilts a flat
        # foot's line this much too (rendered flat feet reached 6-28 deg), so it cannot prove the heel was up
        warnings.append(
            f"The foot slopes down towards the toes by {foot_tilt_deg:.0f} deg in the picture. If the heel stayed "
            "off the floor the whole time, the result does not count: keep the whole foot flat and film again "
            "with the camera level, at knee height."
        )
    checks["side_view"] = not (math.isfinite(yaw_deg) and yaw_deg > cfg.max_yaw_fail_deg)
    if not checks["side_view"]:
        failures.append(
            f"The camera sees the person from the front or back (about {yaw_deg:.0f} deg off side-on): "
            "place the camera at the side, level with the knee, so the foot points across the picture."
        )
    elif math.isfinite(yaw_deg) and yaw_deg > cfg.max_yaw_warn_deg:
        warnings.append(
            f"The view is about {yaw_deg:.0f} deg off side-on; for the best accuracy turn the camera square to the side."
        )
    checks["leg_visible"] = leg_seen
    if not leg_seen:
        failures.append(
            "The front knee, ankle, heel or toes are hidden or out of frame: keep the whole front leg and foot in view."
        )
    checks["size"] = not (math.isfinite(shin_px) and shin_px < cfg.min_shin_px)
    if not checks["size"]:
        failures.append("The person is too small in the picture: move the camera closer (about 1.5-3 m) or zoom in.")
    # last: a wrong view or a tiny figure is named first, as it also spoils this reading
    checks["heel_on_floor"] = not heel_held_up(heel_height_foot_lengths, foot_tilt_deg, cfg)
    if not checks["heel_on_floor"]:
        failures.append(
            "The front heel stayed off the floor the whole time, so the floor line and the knee travel cannot be "
            "measured: keep the heel down on the floor while the knee drives forward, and film again."
        )
    return ViewReport(ok=not failures, yaw_deg=None if not math.isfinite(yaw_deg) else yaw_deg,
                      failures=failures, warnings=warnings, checks=checks)
