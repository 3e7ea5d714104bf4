"""Knee past toe and shin angle measured in 3-D with a camera model from the printed floor marker (pure).

The 2-D measurement reads distances along the image of the floor line and the shin against that line's
perpendicular; under camera yaw and pitch the image of the floor line is not perpendicular to the image
of a vertical, which costs 1-5 cm and 1-6 deg (docs/ACCURACY.md). With the marker's four corners the
camera is known (``calibration.camera``: focal length from an assumed phone lens, pose from the corners),
so the screen is measured in floor centimetres instead (SPEC 3 definitions):

* the heel contact lies on the floor and the toe tip a known height above it: both are back-projected;
  forward is the horizontal heel-to-toe direction;
* the leg's sagittal plane is the vertical plane through the toe tip along forward; the kneecap front,
  the knee and ankle points and the shin's front edge are found where their viewing rays meet it;
* knee past toe = forward distance from the toe tip to the kneecap front; shin angle = angle of the tibia
  in that plane from the floor normal (the front-edge method keeps its constant crest-lean correction).

The model is a still camera (the phone propped up, as the marker set-up asks): points are measured in each
frame's own pixels, not in the first frame's (``FrameRecord.to_ref``, the 2-D path's motion compensation). The
camera from upright background lines is the camera of the one frame searched for them: every frame's points are
taken into that frame's pixels (with the motion compensation), so a phone that turns later is followed.
Everything is None/NaN plus a reason when the marker is missing or the model is ill-conditioned; the caller
then keeps the 2-D measurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from calibration.camera import (
    FloorCamera,
    RollEstimate,
    fit_floor_camera,
    focal_from_fov,
    level_camera,
    line_direction_in_plane,
    orientation_from_upright_lines,
    principal_point,
    roll_from_upright_lines,
    vertical_plane,
)
from calibration.lens import Lens
from calibration.scale import USER_TAPE_SD_CM, ScaleInputs
from screening.records import FrameRecord

# Half the heel's breadth, as a fraction of foot length: heel breadth is about a quarter of foot length in adult
# anthropometry (e.g. 6.5 cm for a 26 cm foot). The silhouette's lowest heel point is the near edge of the heel's
# floor contact, this far to the camera's side of the foot's long axis. A model constant, not fitted.
HEEL_HALF_BREADTH_PER_FOOT_LENGTH = 0.12
# Where the heel touches the floor behind which the heel's back still rounds up (fallback only, when the heel's
# back point is missing): the contact lies about this fraction of the foot length ahead of the back of the heel.
HEEL_CONTACT_BEHIND_BACK_PER_FOOT_LENGTH = 0.13


# The tibia through MediaPipe's knee and ankle centres, measured in 3-D, stands this much more upright than the
# true tibia: mean over 34 rendered stills of an independent seed (777; the benchmark sweep uses 2024) with the
# marker's camera model in use. Its error is independent of the front edge's, so the two readings are averaged, in
# 3-D and (stop 19) in the flat reading, where the same seed's stills put the joint-centre line 4.2 deg too upright.
LANDMARK_TIBIA_LEAN_3D_DEG = 4.4

Arr7 = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


# where the camera model came from (``FloorModel.source``)
MARKER = "marker"  # the printed marker's corners
CAMERA_HEIGHT = "camera_height"  # the camera height given, the pitch from the foot length
UPRIGHT_LINES = "upright_lines"  # roll and pitch from upright background lines, the height from the foot length


@dataclass(frozen=True)
class CameraModelConfig:
    # lens assumed for the focal length (a 26 mm-equivalent phone main camera: 67 deg across the long side of a
    # 4:3 or 16:9 frame) unless one is known (``for_lens``); a 10 cm marker seen obliquely is far too small to
    # measure the focal length itself
    assumed_fov_long_side_deg: float = 67.0
    fov_sd_deg: float = 4.0  # spread of phone and webcam lenses around it (1 sigma)
    # a lens the user or the file names (``for_lens``): 1-sigma error of its field of view (a video's stabilisation
    # crops a few per cent of the picture; phones round the focal length to the mm)
    known_lens_fov_sd_deg: float = 2.0
    corner_sd_px: float = 0.25  # 1-sigma error of a detected marker corner (0.26 px RMS measured on renders)
    max_reprojection_rms_px: float = 1.5  # larger: the corners do not fit a flat square (a bent or wrong marker)
    min_marker_long_side_px: float = 25.0  # smaller markers give a pose too uncertain to use
    max_camera_height_cm: float = 300.0
    uncertainty_draws: int = 24  # Monte-Carlo draws over corner noise and lens for the uncertainty
    edge_px: float = 1.5  # 1-sigma error of a silhouette point (px), as in the 2-D path
    # the foot measured in 3-D this much shorter than the user's foot length: the toes' tip was lost (cm)
    toe_lost_cm: float = 1.5
    # without a marker: the camera from its height above the floor (the user's tape) and a level phone, its pitch
    # solved so that the foot measures the user's foot length (``height_model``)
    camera_height_sd_cm: float = 2.0  # 1-sigma error of a camera height measured with a tape to the lens
    level_roll_sd_deg: float = 1.0  # 1-sigma sideways tilt of a phone levelled by eye or with its camera's level
    # the tilt read from upright background lines instead (``calibration.camera.roll_from_upright_lines``): within
    # 0.25 deg on the rendered stills that have such lines; they must agree to this, at least 2 of them, covering
    # this share of the picture's height
    upright_roll_sd_deg: float = 0.3
    upright_tol_deg: float = 0.5
    upright_min_support_per_height: float = 0.1
    upright_search_deg: float = 10.0
    # no camera height either: the pitch read from the upright lines too (``orientation_from_upright_lines``) and the
    # camera's height from the foot length; on the rendered stills the pitch came within 0.66 deg (0.24 MAE); its
    # 1-sigma error is taken as this, or half the spread over the lines left out when that is larger
    upright_pitch_sd_deg: float = 0.5
    upright_min_lines: int = 4
    upright_max_pitch_spread_deg: float = 2.5  # measured: 0-1.65 where the pitch came within 0.9 deg
    height_search_cm: tuple[float, float] = (5.0, 300.0)
    # the foot placed with the lines' camera turned further than this from side-on: the lines were not upright
    # (the renders' feet, yaw up to 20 deg, read <= 23 deg)
    upright_max_foot_turn_deg: float = 35.0
    # 1-sigma error of the foot's length as the silhouette shows it (heel back to toe tip, measured in 3-D on the
    # marker stills: SD 0.8 cm); without a marker it sets the camera's pitch or height, so it joins the uncertainty
    foot_silhouette_sd_cm: float = 0.8
    pitch_search_deg: tuple[float, float] = (-40.0, 70.0)  # pitches (down positive) searched for the camera
    # the foot's turn from side-on to the camera before it is measured (1 sigma, deg; ``toward_side_on``); None: the
    # heel and toe points alone
    side_on_sd_deg: float | None = 6.0

    @property
    def side_on(self) -> SideOnPrior | None:
        return None if self.side_on_sd_deg is None else SideOnPrior(self.side_on_sd_deg, self.edge_px)

    def for_lens(self, lens: Lens | None) -> CameraModelConfig:
        """This configuration with a known lens in place of the assumed one (unchanged for None)."""
        if lens is None:
            return self
        return replace(self, assumed_fov_long_side_deg=lens.fov_long_side_deg, fov_sd_deg=self.known_lens_fov_sd_deg)


@dataclass(frozen=True)
class FloorModel:
    """The camera over the floor, fitted once per clip from the marker."""

    camera: FloorCamera | None
    corners_px: np.ndarray | None  # median corners (reference-frame pixels) the camera was fitted to
    frames: int
    rms_px: float
    reason: str  # why there is no camera (empty when there is one)
    source: str = MARKER  # MARKER, CAMERA_HEIGHT or UPRIGHT_LINES
    pitch_deg: float = math.nan  # the camera's pitch, down positive (not with the marker)
    roll_deg: float = 0.0  # its sideways tilt (not with the marker): 0 assumed level, unless read from upright lines
    roll_from_lines: bool = False  # the roll was read from upright lines in the background
    pitch_sd_deg: float = math.nan  # 1-sigma error of a pitch read from upright lines (UPRIGHT_LINES only)
    # the upright lines the tilt was read from (N, 4, in their frame's pixels) and that frame's index, to show them
    upright_lines_px: np.ndarray | None = None
    upright_frame_index: int = -1


def marker_corners(rec: FrameRecord) -> np.ndarray | None:
    """The printed marker's corners (4, 2) in this frame's pixels, None where it was not found."""
    c = rec.marker_corners_px
    return None if c is None else np.asarray(c, dtype=float).reshape(4, 2)


def marker_only_cut_by_edge(records: list[FrameRecord]) -> bool:
    """Whether the marker was seen only running off the picture's edge (so not used): the easiest set-up to mend."""
    return any(r.marker_cut_by_edge for r in records) and not any(r.marker_corners_px is not None for r in records)


def floor_model(records: list[FrameRecord], marker_cm: float | None, cfg: CameraModelConfig) -> FloorModel:
    """Fit the camera to the marker's corners (median over the frames it was found in)."""
    if marker_cm is None:
        return FloorModel(None, None, 0, math.nan, "no marker size given")
    found = [c for c in (marker_corners(r) for r in records) if c is not None]
    if not found:
        return FloorModel(None, None, 0, math.nan, "the marker runs off the edge of the picture"
                          if marker_only_cut_by_edge(records) else "the marker was not found")
    corners = np.median(np.stack(found), axis=0)
    long_side = float(np.max(np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)))
    if long_side < cfg.min_marker_long_side_px:
        return FloorModel(None, corners, len(found), math.nan,
                          f"the marker is only {long_side:.0f} px wide: too small for a camera model")
    w, h = records[0].width_px, records[0].height_px
    fit = fit_floor_camera(corners, marker_cm, w, h, focal_from_fov(cfg.assumed_fov_long_side_deg, w, h))
    if fit is None:
        return FloorModel(None, corners, len(found), math.nan, "the marker's corners gave no camera pose")
    cam, rms = fit
    if rms > cfg.max_reprojection_rms_px:
        return FloorModel(None, corners, len(found), rms,
                          f"the marker's corners do not fit a flat square ({rms:.1f} px): is it lying flat?")
    if not 0.0 < float(cam.center_cm[2]) <= cfg.max_camera_height_cm:
        return FloorModel(None, corners, len(found), rms, "the camera pose from the marker is implausible")
    return FloorModel(cam, corners, len(found), rms, "")


def _heel_down_or_all(heel_down: np.ndarray) -> np.ndarray:
    """The frames the foot is placed from: the heel-down ones, or all when none is known to be down."""
    return heel_down if np.any(heel_down) else np.ones(len(heel_down), dtype=bool)


def _foot_points_px(legs: Arr7, heel_down: np.ndarray) -> np.ndarray:
    """(heel contact, toe tip, heel back) image points (3, 2): medians over the heel-down frames."""
    sel = _heel_down_or_all(heel_down)
    return np.stack([_median_point(legs[2], sel), _median_point(legs[1], sel), _median_point(legs[3], sel)])


def _foot_3d(cam: FloorCamera, foot_px: np.ndarray, toe_tip_height_per_foot_length: float) -> Floor3D | None:
    """The foot placed on the floor as ``measure_3d`` places it, from its (heel contact, toe tip, heel back) image
    points ``foot_px`` (3, 2)."""
    one = [foot_px[i][None, :] for i in range(3)]
    return measure_3d(cam, one[1], one[1], one[0], one[2], one[1], one[1], np.full((1, 2), np.nan), np.ones(1, bool),
                      toe_tip_height_per_foot_length, 0.0, with_edge=False)


def _foot_length_cm(cam: FloorCamera, foot_px: np.ndarray, toe_tip_height_per_foot_length: float) -> float:
    """The foot's length in 3-D (heel back to toe tip along forward); NaN where it cannot be placed."""
    f3 = _foot_3d(cam, foot_px, toe_tip_height_per_foot_length)
    return math.nan if f3 is None or not f3.heel_back_found else f3.foot_length_cm


def foot_turn_deg(cam: FloorCamera, foot_px: np.ndarray, toe_tip_height_per_foot_length: float) -> float:
    """How far (deg, 0-90) the foot placed on the floor is turned from side-on to the camera: the angle between its
    forward direction and the picture's horizontal (the camera's right) laid on the floor."""
    f3 = _foot_3d(cam, foot_px, toe_tip_height_per_foot_length)
    right = np.array(cam.rot_floor_to_cam[0], dtype=float)
    right[2] = 0.0
    if f3 is None or not np.all(np.isfinite(f3.forward_cm)) or float(np.linalg.norm(right)) < 1e-9:
        return math.nan
    c = abs(float(f3.forward_cm @ right)) / float(np.linalg.norm(f3.forward_cm) * np.linalg.norm(right))
    return math.degrees(math.acos(min(1.0, c)))


def solve_pitch_deg(height_cm: float, roll_deg: float, focal_px: float, cx_px: float, cy_px: float,
                    foot_px: np.ndarray, foot_length_cm: float, toe_tip_height_per_foot_length: float,
                    search_deg: tuple[float, float]) -> float | None:
    """The camera pitch (deg, down positive) at which the foot, seen at ``foot_px`` (heel contact, toe tip, heel
    back), measures ``foot_length_cm`` on the floor (a camera ``height_cm`` up, level to ``roll_deg``): a 2-deg scan
    for sign changes, then bisection; of several solutions the one nearest level. None when there is none.

    The foot's image length fixes its distance from the camera (with the lens), and the camera height and the
    foot's place in the picture then fix the pitch; on the rendered stills with the true height and roll this
    recovers the pitch to 0.4 deg (mean)."""
    def gap(p: float) -> float:
        cam = level_camera(height_cm, p, roll_deg, focal_px, cx_px, cy_px)
        return _foot_length_cm(cam, foot_px, toe_tip_height_per_foot_length) - foot_length_cm

    grid = np.arange(search_deg[0], search_deg[1] + 1e-9, 2.0)
    vals = [gap(float(p)) for p in grid]
    roots = []
    for lo, hi, glo, ghi in zip(grid[:-1], grid[1:], vals[:-1], vals[1:], strict=True):
        if not (math.isfinite(glo) and math.isfinite(ghi)) or glo * ghi > 0:
            continue
        a, b, ga = float(lo), float(hi), glo
        for _ in range(25):
            m = 0.5 * (a + b)
            gm = gap(m)
            if not math.isfinite(gm):
                break
            if (gm > 0) == (ga > 0):
                a, ga = m, gm
            else:
                b = m
        roots.append(0.5 * (a + b))
    return min(roots, key=abs) if roots else None


FOOT_UNSEEN = "the heel and toe tips were not seen clearly"


def _foot_and_lens(records: list[FrameRecord], legs: Arr7, heel_down: np.ndarray,
                   cfg: CameraModelConfig) -> tuple[np.ndarray, float, float, float] | None:
    """For a marker-less camera: the foot's (heel contact, toe tip, heel back) pixels and the assumed lens (focal
    length, principal point); None when the foot's ends were not seen."""
    foot_px = _foot_points_px(legs, heel_down)
    if not np.all(np.isfinite(foot_px)):
        return None
    w, h = records[0].width_px, records[0].height_px
    cx, cy = principal_point(w, h)
    return foot_px, focal_from_fov(cfg.assumed_fov_long_side_deg, w, h), cx, cy


def height_model(
    records: list[FrameRecord], legs: Arr7, heel_down: np.ndarray, camera_height_cm: float | None,
    foot_length_cm: float | None, cfg: CameraModelConfig, toe_tip_height_per_foot_length: float,
) -> FloorModel:
    """The camera without a marker: ``camera_height_cm`` above the floor, the assumed lens, and the pitch at which
    the foot measures the user's ``foot_length_cm`` (``solve_pitch_deg``). Its sideways tilt is read from upright
    lines in the background where a frame has enough of them (``upright_roll``), else the phone is taken as level."""
    if camera_height_cm is None or foot_length_cm is None:
        return FloorModel(None, None, 0, math.nan, "needs the camera height and the foot length", CAMERA_HEIGHT)
    seen = _foot_and_lens(records, legs, heel_down, cfg)
    if seen is None:
        return FloorModel(None, None, 0, math.nan, FOOT_UNSEEN, CAMERA_HEIGHT)
    foot_px, f, cx, cy = seen

    def pitch_at(roll: float) -> float | None:
        return solve_pitch_deg(camera_height_cm, roll, f, cx, cy, foot_px, foot_length_cm,
                               toe_tip_height_per_foot_length, cfg.pitch_search_deg)

    roll, pitch, used = 0.0, pitch_at(0.0), None
    for _ in range(2):  # the horizon (which lines count) and the vanishing point depend on the pitch: refine once
        est = None if pitch is None else upright_roll(records, f, cx, cy, pitch, cfg)
        again = None if est is None else pitch_at(est.roll_deg)
        if est is None or again is None:
            break
        roll, pitch, used = est.roll_deg, again, est
    if pitch is None:
        return FloorModel(None, None, 0, math.nan, "no camera pitch fits the camera height and the foot length given",
                          CAMERA_HEIGHT)
    return FloorModel(level_camera(camera_height_cm, pitch, roll, f, cx, cy), None, 0, math.nan, "", CAMERA_HEIGHT,
                      pitch, roll, used is not None, upright_lines_px=None if used is None else used.used_px,
                      upright_frame_index=_upright_frame_index(records))


def _upright_lines(records: list[FrameRecord]) -> tuple[np.ndarray, int, int] | None:
    """The upright background lines of the first frame searched for them, that frame's height (px) and index."""
    for r in records:
        if r.upright_lines_px is not None:
            return r.upright_lines_px, r.height_px, r.frame_index
    return None


def _upright_frame_index(records: list[FrameRecord]) -> int:
    found = _upright_lines(records)
    return -1 if found is None else found[2]


def upright_roll(records: list[FrameRecord], focal_px: float, cx_px: float, cy_px: float, pitch_down_deg: float,
                 cfg: CameraModelConfig) -> RollEstimate | None:
    """The camera's roll from the first frame searched for upright background lines (``FrameRecord``), or None."""
    found = _upright_lines(records)
    if found is None:
        return None
    return roll_from_upright_lines(found[0], focal_px, cx_px, cy_px, pitch_down_deg, cfg.upright_search_deg,
                                   cfg.upright_tol_deg, min_support_px=cfg.upright_min_support_per_height * found[1])


def solve_height_cm(roll_deg: float, pitch_down_deg: float, focal_px: float, cx_px: float, cy_px: float,
                    foot_px: np.ndarray, foot_length_cm: float, toe_tip_height_per_foot_length: float,
                    search_cm: tuple[float, float]) -> float | None:
    """The camera height (cm) at which the foot, seen at ``foot_px`` (heel contact, toe tip, heel back) by a camera of
    this roll and pitch, measures ``foot_length_cm``: secant steps (the foot's measured length is nearly proportional
    to the height). None when no height in ``search_cm`` fits."""
    def gap(h: float) -> float:
        cam = level_camera(h, pitch_down_deg, roll_deg, focal_px, cx_px, cy_px)
        return _foot_length_cm(cam, foot_px, toe_tip_height_per_foot_length) - foot_length_cm

    lo, hi = search_cm
    # everything seen on the floor scales with the camera's height, so the foot's length nearly does too: a few
    # secant steps from 100 cm
    h0, g0 = 100.0, gap(100.0)
    if math.isfinite(g0):
        h1 = min(max(h0 * foot_length_cm / (g0 + foot_length_cm), lo), hi)
        for _ in range(8):
            g1 = gap(h1)
            if not math.isfinite(g1):
                break
            if abs(g1) < 1e-3:  # cm
                return h1
            if g1 == g0:
                break
            h0, g0, h1 = h1, g1, min(max(h1 - g1 * (h1 - h0) / (g1 - g0), lo), hi)
    return None


def lines_model(
    records: list[FrameRecord], legs: Arr7, heel_down: np.ndarray, foot_length_cm: float | None,
    cfg: CameraModelConfig, toe_tip_height_per_foot_length: float,
) -> FloorModel:
    """The camera without a marker or its height: its roll and pitch from upright background lines (the vertical
    vanishing point, ``orientation_from_upright_lines``), the assumed lens, and the height at which the foot measures
    the user's ``foot_length_cm``."""
    if foot_length_cm is None:
        return FloorModel(None, None, 0, math.nan, "needs the foot length", UPRIGHT_LINES)
    found = _upright_lines(records)
    seen = _foot_and_lens(records, legs, heel_down, cfg)
    if seen is None:
        return FloorModel(None, None, 0, math.nan, FOOT_UNSEEN, UPRIGHT_LINES)
    foot_px, f, cx, cy = seen
    est = None if found is None else orientation_from_upright_lines(
        found[0], f, cx, cy, cfg.upright_search_deg, cfg.pitch_search_deg, cfg.upright_tol_deg, cfg.upright_min_lines,
        cfg.upright_min_support_per_height * found[1], cfg.upright_max_pitch_spread_deg)
    if est is None:
        return FloorModel(None, None, 0, math.nan, "too few upright lines (door frames, shelves) behind the person to "
                          "read the camera's tilt", UPRIGHT_LINES)
    height = solve_height_cm(est.roll_deg, est.pitch_deg, f, cx, cy, foot_px, foot_length_cm,
                             toe_tip_height_per_foot_length, cfg.height_search_cm)
    if height is None:
        return FloorModel(None, None, 0, math.nan, "no camera height fits the foot length given", UPRIGHT_LINES)
    cam = level_camera(height, est.pitch_deg, est.roll_deg, f, cx, cy)
    turn = foot_turn_deg(cam, foot_px, toe_tip_height_per_foot_length)
    if not turn <= cfg.upright_max_foot_turn_deg:  # NaN too
        # the screen is filmed side-on (the view check allows 15 deg); a foot this turned means the "upright" lines
        # were not vertical (a slanted pattern) or not straight, and the tilt read from them is wrong
        return FloorModel(None, None, 0, math.nan, f"the lines behind the person put the foot {turn:.0f} deg off "
                          "side-on, so they are not taken as upright", UPRIGHT_LINES)
    return FloorModel(cam, None, 0, math.nan, "", UPRIGHT_LINES, est.pitch_deg, est.roll_deg, True,
                      max(cfg.upright_pitch_sd_deg, 0.5 * est.pitch_spread_deg), est.used_px,
                      _upright_frame_index(records))


def perturbed_level_cameras(model: FloorModel, legs: Arr7, heel_down: np.ndarray, camera_height_cm: float | None,
                            foot_length_cm: float, width_px: int, height_px: int, cfg: CameraModelConfig,
                            toe_tip_height_per_foot_length: float, seed: int = 0) -> list[FloorCamera]:
    """Cameras of a marker-less model redone with its inputs drawn from their uncertainty (for Monte-Carlo errors):
    the lens, the foot length (the tape's and the silhouette's error) and the roll (levelled by eye, or read from upright lines) always; with the
    camera height given (``CAMERA_HEIGHT``) that height too, the pitch solved again; else (``UPRIGHT_LINES``) the pitch
    read from the lines, the height solved again."""
    if model.camera is None:
        return []
    foot_px = _foot_points_px(legs, heel_down)
    rng = np.random.default_rng(seed)
    cx, cy = principal_point(width_px, height_px)
    near = (model.pitch_deg - 15.0, model.pitch_deg + 15.0)  # the draws stay near the solution
    out = []
    for _ in range(cfg.uncertainty_draws):
        f = focal_from_fov(cfg.assumed_fov_long_side_deg + cfg.fov_sd_deg * float(rng.standard_normal()), width_px,
                           height_px)
        roll = model.roll_deg + (cfg.upright_roll_sd_deg if model.roll_from_lines else cfg.level_roll_sd_deg) * float(
            rng.standard_normal())
        # the tape's error and the silhouette's: the foot's image length is what sets the pitch (or the height)
        foot = foot_length_cm + math.hypot(USER_TAPE_SD_CM, cfg.foot_silhouette_sd_cm) * float(rng.standard_normal())
        h: float | None
        if model.source == CAMERA_HEIGHT and camera_height_cm is not None:
            h = camera_height_cm + cfg.camera_height_sd_cm * float(rng.standard_normal())
            pitch = solve_pitch_deg(h, roll, f, cx, cy, foot_px, foot, toe_tip_height_per_foot_length, near)
        else:
            pitch = model.pitch_deg + model.pitch_sd_deg * float(rng.standard_normal())
            h = solve_height_cm(roll, pitch, f, cx, cy, foot_px, foot, toe_tip_height_per_foot_length,
                                cfg.height_search_cm)
        if pitch is not None and h is not None:
            out.append(level_camera(h, pitch, roll, f, cx, cy))
    return out


@dataclass(frozen=True)
class Floor3D:
    """Per-frame 3-D measurements (NaN where unmeasurable) and the clip's floor geometry."""

    knee_past_toe_cm: np.ndarray
    shin_landmarks_deg: np.ndarray
    shin_front_edge_deg: np.ndarray  # crest lean already removed
    foot_length_cm: float  # heel back to toe tip along forward (a check against the user's tape)
    camera_height_cm: float
    forward_cm: np.ndarray  # unit, floor frame
    toe_cm: np.ndarray  # the toe tip, floor frame
    heel_back_found: bool = True  # the foot length runs from the heel's back point (else estimated from the contact)


@dataclass(frozen=True)
class SideOnPrior:
    """What is known of the foot's direction before it is measured: the user was asked to film side-on, so its turn
    from side-on to the camera is taken as N(0, ``sd_deg``); the heel and toe points' 1-sigma error (px)."""

    sd_deg: float
    point_sd_px: float


def _turn_deg(fwd: np.ndarray, ref: np.ndarray) -> float:
    """Signed angle (deg) from ``ref`` to ``fwd`` about the floor's up axis (both horizontal)."""
    return math.degrees(math.atan2(float(ref[0] * fwd[1] - ref[1] * fwd[0]), float(ref[:2] @ fwd[:2])))


def toward_side_on(cam: FloorCamera, heel_px: np.ndarray, toe_px: np.ndarray, toe_height_cm: float,
                   toe_cm: np.ndarray, forward: np.ndarray, prior: SideOnPrior) -> np.ndarray:
    """The foot's forward direction (unit, horizontal, floor frame) turned toward side-on to the camera: the
    measured turn from side-on, weighted against the prior by their variances.

    Where the camera looks along the floor at a grazing angle (low down, far away) the heel and toe points fix the
    foot's direction in depth poorly: a pixel's error up or down the picture moves the toe centimetres nearer or
    further, and the foot turns by tens of degrees (a phone 30 cm up, 5 m away: 20-35 deg on the renders, which
    turned the shin reading by 3 deg). The measurement's spread is the turn caused by each point moving
    ``point_sd_px`` along each picture axis; seen from higher up it is a degree or two and the prior barely moves
    the reading."""
    sight = toe_cm - cam.center_cm
    side = np.array([-sight[1], sight[0], 0.0])
    if not (np.all(np.isfinite(side)) and float(np.linalg.norm(side)) > 0):
        return forward
    side /= np.linalg.norm(side)
    if float(side @ forward) < 0:
        side = -side

    def turn(h_px: np.ndarray, t_px: np.ndarray) -> float:
        d = cam.to_height(t_px[None], toe_height_cm)[0] - cam.to_height(h_px[None], 0.0)[0]
        return _turn_deg(d, side) if np.all(np.isfinite(d)) else math.nan

    base = turn(heel_px, toe_px)
    steps = np.eye(2) * prior.point_sd_px
    var = sum((turn(heel_px, toe_px + s) - base) ** 2 + (turn(heel_px + s, toe_px) - base) ** 2 for s in steps)
    if not math.isfinite(var):
        return forward
    measured = _turn_deg(forward, side)
    kept = measured * prior.sd_deg**2 / (prior.sd_deg**2 + var)
    a = math.radians(kept - measured)
    c, s_ = math.cos(a), math.sin(a)
    return np.array([c * forward[0] - s_ * forward[1], s_ * forward[0] + c * forward[1], 0.0])


def _median_point(points: np.ndarray, sel: np.ndarray) -> np.ndarray:
    ok = sel & np.all(np.isfinite(points), axis=1)
    return np.median(points[ok], axis=0) if ok.any() else np.array([np.nan, np.nan])


def measure_3d(
    cam: FloorCamera,
    kneecap_front: np.ndarray,
    toe_tip: np.ndarray,
    heel_bottom: np.ndarray,
    heel_back: np.ndarray,
    knee: np.ndarray,
    ankle: np.ndarray,
    shin_front_dir: np.ndarray,
    heel_down: np.ndarray,
    toe_tip_height_per_foot_length: float,
    crest_lean_deg: float,
    with_edge: bool = True,
    side_on: SideOnPrior | None = None,
) -> Floor3D | None:
    """3-D knee past toe and shin angle per frame from image points (n, 2) in the camera's pixels.

    The floor line (heel contact, toe tip) is taken from the median over the heel-down frames; None when
    it cannot be placed on the floor. With ``side_on``, the leg's plane (the foot's direction on the floor) is drawn
    toward side-on to the camera as far as the heel and toe points leave it uncertain (``toward_side_on``); the
    foot's length is still measured along the direction the points give (the check against the user's tape was set
    on it, and a prior toward side-on shortens a foot turned from side-on)."""
    heel_px = _median_point(heel_bottom, heel_down)
    toe_px = _median_point(toe_tip, heel_down)
    back_px = _median_point(heel_back, heel_down)
    if not (np.all(np.isfinite(heel_px)) and np.all(np.isfinite(toe_px))):
        return None
    heel_near = cam.to_height(heel_px[None], 0.0)[0]
    heel = heel_near
    toe_h = 0.0
    toe = cam.to_height(toe_px[None], toe_h)[0]
    foot_len = math.nan
    fwd = np.full(3, np.nan)
    for _ in range(3):  # the toe height and the heel's half width scale with the foot length, measured along forward
        if not (np.all(np.isfinite(heel)) and np.all(np.isfinite(toe))):
            return None
        d = toe - heel
        d[2] = 0.0
        if not float(np.linalg.norm(d)) > 1.0:
            return None
        fwd = d / np.linalg.norm(d)
        n, off = vertical_plane(toe, fwd)
        back = cam.to_plane(back_px[None], n, off)[0] if np.all(np.isfinite(back_px)) else np.full(3, np.nan)
        foot_len = (float((toe - back) @ fwd) if np.all(np.isfinite(back))
                    else float(np.linalg.norm(d)) / (1.0 - HEEL_CONTACT_BEHIND_BACK_PER_FOOT_LENGTH))
        toe_h = toe_tip_height_per_foot_length * foot_len
        toe = cam.to_height(toe_px[None], toe_h)[0]
        # the heel's lowest point in the picture is the near edge of its contact patch: the foot's axis runs half a
        # heel breadth further from the camera
        away = np.array([fwd[1], -fwd[0], 0.0])
        if float(away @ (cam.center_cm - heel_near)) > 0:
            away = -away
        heel = heel_near + HEEL_HALF_BREADTH_PER_FOOT_LENGTH * foot_len * away
    if side_on is not None:  # the leg's plane; the foot's length (checked against a tape) stays as the points put it
        fwd = toward_side_on(cam, heel_px, toe_px, toe_h, toe, fwd, side_on)
    n, off = vertical_plane(toe, fwd)
    up = np.array([0.0, 0.0, 1.0])

    kc = cam.to_plane(kneecap_front, n, off)
    kpt = (kc - toe[None, :]) @ fwd
    kn = cam.to_plane(knee, n, off)
    an = cam.to_plane(ankle, n, off)
    tib = kn - an
    shin_lm = np.degrees(np.arctan2(tib @ fwd, tib @ up))
    edge = np.full(len(knee), np.nan)
    for i in range(len(knee) if with_edge else 0):
        dvec = shin_front_dir[i]
        mid = 0.5 * (knee[i] + ankle[i])
        if not (np.all(np.isfinite(dvec)) and np.all(np.isfinite(mid))):
            continue
        v = line_direction_in_plane(cam, mid, dvec, n)  # dvec points ankle -> knee, so v points up the shin
        if np.all(np.isfinite(v)):
            edge[i] = math.degrees(math.atan2(float(v @ fwd), float(v @ up))) - crest_lean_deg
    return Floor3D(
        knee_past_toe_cm=kpt,
        shin_landmarks_deg=shin_lm,
        shin_front_edge_deg=edge,
        foot_length_cm=foot_len,
        camera_height_cm=float(cam.center_cm[2]),
        forward_cm=fwd,
        toe_cm=toe,
        heel_back_found=bool(np.all(np.isfinite(back_px))),
    )


def perturbed_cameras(model: FloorModel, marker_cm: float, width_px: int, height_px: int, cfg: CameraModelConfig,
                      seed: int = 0) -> list[FloorCamera]:
    """Cameras refitted with the corners and the lens drawn from their uncertainty (for Monte-Carlo errors)."""
    if model.corners_px is None or model.camera is None:
        return []
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(cfg.uncertainty_draws):
        fov = cfg.assumed_fov_long_side_deg + cfg.fov_sd_deg * float(rng.standard_normal())
        # not divided by the number of frames: on a still camera the corner errors repeat frame to frame
        corners = model.corners_px + rng.normal(0.0, cfg.corner_sd_px, (4, 2))
        fit = fit_floor_camera(corners, marker_cm, width_px, height_px, focal_from_fov(fov, width_px, height_px))
        if fit is not None:
            out.append(fit[0])
    return out


def combine_shin_3d(landmarks_deg: np.ndarray, edge_deg: np.ndarray) -> tuple[np.ndarray, str]:
    """3-D shin angle series (deg): the mean of the front-edge reading and the joint-centre reading corrected by
    ``LANDMARK_TIBIA_LEAN_3D_DEG`` where both exist, else the corrected joint-centre reading. On the rendered
    benchmark's marker stills this averaging brings the shin error from 1.08 to 0.75 deg (docs/ACCURACY.md)."""
    lm = landmarks_deg + LANDMARK_TIBIA_LEAN_3D_DEG
    have_edge = np.isfinite(edge_deg)
    if not have_edge.any():
        return lm, "landmarks"
    both = have_edge & np.isfinite(lm)
    return np.where(both, 0.5 * (edge_deg + lm), np.where(have_edge, edge_deg, lm)), "front_edge_and_landmarks"


def edge_minus_landmarks_deg(landmarks_deg: np.ndarray, edge_deg: np.ndarray, min_share: float = 0.6) -> float:
    """The usual difference (deg, median) between the front-edge and the joint-centre shin readings over the
    frames with both, when at least ``min_share`` of the posed frames have a front edge; else NaN."""
    lm, edge = np.asarray(landmarks_deg, dtype=float), np.asarray(edge_deg, dtype=float)
    have = np.isfinite(edge) & np.isfinite(lm)
    posed = int(np.isfinite(lm).sum())
    if posed == 0 or have.sum() < min_share * posed:
        return math.nan
    return float(np.median(edge[have] - lm[have]))


def blend_shin_2d(landmarks_deg: np.ndarray, edge_deg: np.ndarray, edge_minus_landmarks: float) -> np.ndarray:
    """Flat (2-D) shin angle (deg), per frame: the mean of the front-edge reading and the joint-centre reading
    corrected by ``LANDMARK_TIBIA_LEAN_3D_DEG``. A frame without a front edge takes the joint-centre reading shifted
    by ``edge_minus_landmarks`` (their usual difference, ``edge_minus_landmarks_deg``) as its edge reading, so the
    series has no jumps; with that NaN (too few front edges) the front edges are not used and the corrected
    joint-centre reading stands alone. A frame without joint centres keeps its front edge.

    The two readings' errors are largely independent, as in 3-D (``combine_shin_3d``): on the benchmark's flat
    stills the mean read 1.69 deg MAE against the front edge's 1.94, and 2.22 against 2.66 on the independent seed
    (777) that gave the constant; the 2-D joint-centre reading alone stands 4.6 / 4.2 deg too upright on them
    (docs/ACCURACY.md, stop 19)."""
    lm, edge = np.asarray(landmarks_deg, dtype=float), np.asarray(edge_deg, dtype=float)
    corrected = lm + LANDMARK_TIBIA_LEAN_3D_DEG
    if not math.isfinite(edge_minus_landmarks):
        return corrected
    edge = np.where(np.isfinite(edge), edge, lm + edge_minus_landmarks)
    return np.where(np.isfinite(lm), 0.5 * (edge + corrected), edge)


def combine_shin_2d(landmarks_deg: np.ndarray, edge_deg: np.ndarray) -> tuple[np.ndarray, str]:
    """Flat (2-D) shin angle series (deg) and its method: ``blend_shin_2d`` with the clip's usual difference."""
    offset = edge_minus_landmarks_deg(landmarks_deg, edge_deg)
    method = "landmarks" if math.isnan(offset) else "front_edge_and_landmarks"
    return blend_shin_2d(landmarks_deg, edge_deg, offset), method


@dataclass(frozen=True)
class CameraMeasurement:
    """The screen measured with the marker's camera model, or why it could not be (``ok`` False)."""

    ok: bool
    reason: str
    model: FloorModel
    knee_past_toe_cm: np.ndarray | None = None  # per frame, unsmoothed
    shin_angle_deg: np.ndarray | None = None
    shin_method: str = ""
    floor: Floor3D | None = None
    leg_px: Arr7 | None = None  # the leg's points in each frame's own pixels, as measured
    toe_moved_cm: float = 0.0  # the toe tip was lost: placed this much further forward, from the user's foot length

    def summary(self) -> dict[str, object]:
        """Small JSON-ready description for the result's ``view``."""
        out: dict[str, object] = {"used": self.ok, "reason": self.reason, "source": self.model.source,
                                  "marker_frames": self.model.frames}
        if self.model.source in (CAMERA_HEIGHT, UPRIGHT_LINES) and math.isfinite(self.model.pitch_deg):
            out.update(pitch_deg=self.model.pitch_deg, roll_deg=self.model.roll_deg,
                       roll_from_upright_lines=self.model.roll_from_lines)
        if self.model.upright_lines_px is not None:  # the lines the tilt was read from, to show them
            out.update(upright_lines_px=np.round(self.model.upright_lines_px, 1).tolist(),
                       upright_lines_frame=self.model.upright_frame_index)
        cam = self.model.camera
        if cam is not None:
            out.update(focal_px=cam.focal_px, reprojection_rms_px=self.model.rms_px,
                       camera_height_cm=float(cam.center_cm[2]))
        if self.floor is not None:
            out.update(foot_length_cm=self.floor.foot_length_cm)
        if self.toe_moved_cm > 0:
            out.update(toe_moved_cm=self.toe_moved_cm)
        return out


def _in_frame_pixels(records: list[FrameRecord], ref_px: np.ndarray, direction: bool = False,
                     frame: int | None = None) -> np.ndarray:
    """Points (n, 2) from the first frame's pixels (where the analysis keeps them, see ``FrameRecord.to_ref``)
    back into each frame's own pixels: the camera model is a still camera, the one that saw the marker. With
    ``frame`` (a record index), into that one frame's pixels instead: the camera as it was when that frame was taken
    (the upright lines' frame), wherever it turned later."""
    out = np.array(ref_px, dtype=float, copy=True)
    for i, r in enumerate(records):
        into = r if frame is None else records[frame]
        if into.to_ref is not None and np.all(np.isfinite(out[i])):
            out[i] = into.from_first_px(out[i], direction)
            if direction:
                out[i] /= np.linalg.norm(out[i])
    return out


def _leg_arrays(records: list[FrameRecord], track, frame: int | None = None) -> Arr7:
    pts = [_in_frame_pixels(records, a, frame=frame) for a in (track.kneecap_front, track.toe_tip, track.heel_bottom,
                                                               track.heel_back, track.knee, track.ankle)]
    return (pts[0], pts[1], pts[2], pts[3], pts[4], pts[5],
            _in_frame_pixels(records, track.shin_front_dir, True, frame))


def camera_measurement(
    records: list[FrameRecord],
    track,
    heel_down: np.ndarray,
    marker_cm: float | None,
    cfg: CameraModelConfig,
    toe_tip_height_per_foot_length: float,
    crest_lean_deg: float,
    given_foot_length_cm: float | None = None,
    camera_height_cm: float | None = None,
) -> CameraMeasurement:
    """Knee past toe and shin angle per frame in 3-D (``track`` is the analysis' ``LegTrack``).

    ``given_foot_length_cm``: the user's tape measure of the foot. Where the foot measured in 3-D from the back
    of the heel reads more than ``cfg.toe_lost_cm`` shorter, the silhouette lost the tip of the toes (dark toes in
    their own shadow, a dark floor), and the toe tip is placed that foot length ahead of the heel's back instead
    (``toe_moved_cm``; see ``toe_shortfall_cm``).

    Without a camera from the marker, ``camera_height_cm`` (floor to lens) with the foot length gives one from a
    level phone (``height_model``; its tilt read from upright background lines where there are some), and without
    the camera height, upright background lines with the foot length give one (``lines_model``). The foot length then
    sets the camera's pitch or height, so it cannot also place the toe."""
    model = floor_model(records, marker_cm, cfg)
    by_lines = camera_height_cm is None and given_foot_length_cm is not None and _upright_lines(records) is not None
    if model.camera is None and camera_height_cm is None and not by_lines:
        return CameraMeasurement(False, model.reason, model)
    # each frame's own pixels (a loop over the clip, done only when needed); with the upright lines, the camera as
    # their frame saw it: every frame's points in that frame's pixels, wherever the camera turned later
    lines_at = (None if model.camera is not None or camera_height_cm is not None else
                next(i for i, r in enumerate(records) if r.upright_lines_px is not None))
    legs = _leg_arrays(records, track, lines_at)
    if model.camera is None:
        other = (height_model(records, legs, heel_down, camera_height_cm, given_foot_length_cm, cfg,
                              toe_tip_height_per_foot_length) if camera_height_cm is not None else
                 lines_model(records, legs, heel_down, given_foot_length_cm, cfg, toe_tip_height_per_foot_length))
        model = other if other.camera is not None or marker_cm is None else model
    if model.camera is None:
        return CameraMeasurement(False, model.reason, model)
    sel = _heel_down_or_all(heel_down)
    f3 = measure_3d(model.camera, *legs, sel, toe_tip_height_per_foot_length, crest_lean_deg, side_on=cfg.side_on)
    if f3 is None:
        return CameraMeasurement(False, "the heel and toe could not be placed on the floor", model)
    shin, method = combine_shin_3d(f3.shin_landmarks_deg, f3.shin_front_edge_deg)
    moved = toe_shortfall_cm(f3, given_foot_length_cm, cfg.toe_lost_cm) if model.source == MARKER else 0.0
    return CameraMeasurement(True, "", model, f3.knee_past_toe_cm - moved, shin, method, f3, legs, moved)


def toe_shortfall_cm(f3: Floor3D, given_foot_length_cm: float | None, toe_lost_cm: float) -> float:
    """How far (cm, >= 0) the toe tip must move forward so the foot measures the length the user gave: the
    shortfall when it exceeds ``toe_lost_cm`` and the foot was measured from the heel's back point, else 0.

    The heel's back stands out against the floor behind it; the toes' tip is the point the silhouette loses
    (on the rendered marker stills it reads 0.37 cm short on average and 2.1 cm short on the one still whose
    dark toes lie in their own shadow, where the knee past toe then read 2.4 cm long). A foot read too LONG is
    not corrected (a wrong tape figure is as likely as a wrong silhouette): it only gets a note."""
    if given_foot_length_cm is None or not f3.heel_back_found or not math.isfinite(f3.foot_length_cm):
        return 0.0
    short = given_foot_length_cm - f3.foot_length_cm
    return float(short) if short > toe_lost_cm else 0.0


def knee_past_toe_sd_cm(
    m: CameraMeasurement,
    track,
    heel_down: np.ndarray,
    frame: int,
    inputs: ScaleInputs,
    width_px: int,
    height_px: int,
    cfg: CameraModelConfig,
    toe_tip_height_per_foot_length: float,
    crest_lean_deg: float,
) -> float:
    """1-sigma error (cm) of the knee past toe figure at ``frame``: Monte-Carlo over the camera's inputs (the marker
    corners and the lens; or the camera height, foot length, roll and lens), plus the silhouette edge error of the
    kneecap and toe points at the foot's image scale."""
    if not m.ok or m.floor is None or m.model.camera is None or m.knee_past_toe_cm is None:
        return math.nan
    sel = _heel_down_or_all(heel_down)
    arrays = m.leg_px if m.leg_px is not None else _leg_arrays([], track)
    if m.model.source in (CAMERA_HEIGHT, UPRIGHT_LINES):
        assert inputs.foot_length_cm is not None
        cams = perturbed_level_cameras(m.model, arrays, heel_down, inputs.camera_height_cm, inputs.foot_length_cm,
                                       width_px, height_px, cfg, toe_tip_height_per_foot_length)
    else:
        assert inputs.marker_cm is not None
        cams = perturbed_cameras(m.model, inputs.marker_cm, width_px, height_px, cfg)
    draws = []
    for cam in cams:
        f3 = measure_3d(cam, *arrays, sel, toe_tip_height_per_foot_length, crest_lean_deg, with_edge=False,
                        side_on=cfg.side_on)
        if f3 is not None and math.isfinite(float(f3.knee_past_toe_cm[frame])):
            draws.append(float(f3.knee_past_toe_cm[frame]))
    model_sd = float(np.std(draws, ddof=1)) if len(draws) >= 3 else math.nan
    cam = m.model.camera
    toe = m.floor.toe_cm
    uv = cam.project(np.stack([toe, toe + m.floor.forward_cm]))  # 1 cm along forward at the toe
    px_per_cm = float(np.linalg.norm(uv[1] - uv[0]))
    edge_cm = math.sqrt(2.0) * cfg.edge_px / px_per_cm if px_per_cm > 0 else math.nan
    tape_cm = USER_TAPE_SD_CM if m.toe_moved_cm > 0 else 0.0  # the toe placed from the user's foot length
    return math.sqrt(model_sd**2 + edge_cm**2 + tape_cm**2)
