"""From per-frame observations to a screen result: side, floor line, scale, series, attempts, verdict.

Pure: works on ``FrameRecord``s (pixels) and returns a ``ScreenResult`` (cm and degrees).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from calibration.camera import focal_from_fov
from calibration.fist import FistWidth
from calibration.lens import Lens, lens_words
from calibration.scale import (
    ASSUMED_FOOT_LENGTH_CM,
    ScaleInputs,
    scale_assumed,
    scale_from_foot_length,
    scale_from_height,
    scale_from_marker,
    with_distance_uncertainty,
)
from calibration.view import ViewConfig, ViewReport, check_view, yaw_from_side_deg
from screening.attempts import AttemptConfig, AttemptSpan, end_range_index, segment_attempts
from screening.errors import NoPersonError
from screening.floor3d import (
    CAMERA_HEIGHT,
    MARKER,
    CameraModelConfig,
    FloorModel,
    camera_measurement,
    combine_shin_2d,
    knee_past_toe_sd_cm,
    marker_corners,
    marker_only_cut_by_edge,
)
from screening.geometry import (
    distance_to_polygon_px,
    floor_up_normal,
    foot_tilt_deg,
    height_above_line_px,
    knee_past_toe_2d_px,
    shin_angle_deg,
    signed_along,
    unit,
    vertical_estimate,
)
from screening.heel_floor import HeelFloorConfig, back_floor_direction, heel_floor_check
from screening.landmarks import LEG_LANDMARK_INDEX, Landmark
from screening.records import FrameRecord
from screening.results import Attempt, Best, FrameSeries, Scale, ScreenResult
from screening.silhouette import FootKneePoints
from screening.smoothing import drop_low_spikes, zero_phase_smooth

# Height of the front-most point of the longest toe above the floor, as a fraction of foot length: 1.5 cm
# for the 25.5 cm foot of the CC0 MakeHuman average adult mesh (../shared/assets/makehuman). A model
# constant, not fitted to any benchmark error; people differ by a few millimetres (see docs/ACCURACY.md).
TOE_TIP_HEIGHT_PER_FOOT_LENGTH = 0.059
# The shin's front edge (tibial crest) leans this much further forward than the knee-to-ankle joint-centre
# line (4.3 deg on the MakeHuman mesh); subtracted when the shin angle is taken from the front edge.
TIBIAL_CREST_LEAN_DEG = 4.3


def shin_angle_from_front_edge(shin_front_dir: np.ndarray, forward: np.ndarray, up: np.ndarray | None = None
                               ) -> np.ndarray:
    """Shin angle (deg) from the direction of the shin's front edge, corrected for the crest's lean (``up``: the
    vertical, as ``shin_angle_deg`` takes it)."""
    return shin_angle_deg(shin_front_dir, np.zeros(2), forward, up) - TIBIAL_CREST_LEAN_DEG


def shin_angle_series(track: LegTrack, forward: np.ndarray, up: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Per-frame flat (2-D) shin angle (deg) and the method used.

    Two readings: the silhouette's straight front edge of the shin (minus the crest's constant lean) and the line
    through the pose model's knee and ankle points (which stands a few degrees too upright). Their errors are
    largely independent, so where most frames have a clean front edge the two are averaged, the joint-centre
    reading first corrected by its usual lean; frames without an edge take the landmark angle shifted by the
    clip's median difference as their edge reading, so the series has no jumps (``floor3d.combine_shin_2d``).
    """
    lm = shin_angle_deg(track.knee, track.ankle, forward, up)
    edge = shin_angle_from_front_edge(track.shin_front_dir, forward, up)
    return combine_shin_2d(lm, edge)


FRAME_EDGE_SHINS = 0.25  # see AnalysisConfig.frame_edge_shins
HEEL_LIFT_TOLERANCE_CM = 0.75  # see AnalysisConfig.heel_lift_tolerance_cm (the live screen uses the same)
MAX_SHIN_LENGTH_CHANGE = 0.15  # see AnalysisConfig.max_shin_length_change (the live screen uses the same)
MAX_HEEL_TURN_DEG = 20.0  # see AnalysisConfig.max_heel_turn_deg (the live screen uses the same)


@dataclass(frozen=True)
class AnalysisConfig:
    heel_lift_tolerance_cm: float = HEEL_LIFT_TOLERANCE_CM  # heel counts as down within this of its floor position
    smoothing_sigma_s: float = 0.05
    silhouette_edge_px: float = 1.5  # 1-sigma error of a silhouette edge at the processing resolution
    half_kneel_knee_gap: float = 0.3  # knee height gap (in shin lengths) that marks a half-kneeling stance
    half_kneel_knee_floor_gap: float = 0.45  # ...with the lower knee at most this far above the feet (shins)
    max_shin_length_change: float = MAX_SHIN_LENGTH_CHANGE  # knee-ankle length this far off the median: a glitch
    # nearer than this (m, by the foot's length in the picture and the lens) the result notes that the camera was close
    min_camera_distance_m: float = 1.2
    max_heel_turn_deg: float = MAX_HEEL_TURN_DEG  # ...and frames whose heel point swung more about the ankle
    # a knee or toe landmark this close to the frame's edge (shin lengths) with its silhouette point missing or on
    # the edge: the kneecap or toes are out of the picture in that frame
    frame_edge_shins: float = FRAME_EDGE_SHINS
    # with the marker's 3-D model, the foot measured against the length the user gave: a foot this much longer
    # gets a note (cm); one read shorter than ``camera_model.toe_lost_cm`` has lost its toes' tip (floor3d)
    foot_longer_warn_cm: float = 2.5
    # a photo whose shin leans no more than this (deg) is taken for one shot at rest, not at the end range (a resting
    # half-kneeling shin is rarely tilted more: the live screen's ``LiveConfig.rest_cap_deg``)
    photo_rest_shin_deg: float = 15.0
    heel_glitch_drop_foot_lm: float = 0.1  # heel readings dipping this far below their neighbours (heel-to-toe
    # landmark distances) for a few frames are mask glitches, not the heel going down
    view: ViewConfig = field(default_factory=ViewConfig)
    attempts: AttemptConfig = field(default_factory=AttemptConfig)
    heel_floor: HeelFloorConfig = field(default_factory=HeelFloorConfig)  # heel up throughout (back-leg floor)
    # foot points this close to the printed marker's outline are not used (marker side fraction, at least px)
    marker_clearance_fraction: float = 0.1
    marker_clearance_min_px: float = 2.0
    marker_touching_warn_fraction: float = 0.2  # ... and in this share of frames or more the user is told
    camera_model: CameraModelConfig = field(default_factory=CameraModelConfig)  # 3-D measurement with the marker


@dataclass(frozen=True)
class LegTrack:
    """The screened leg's landmarks and silhouette points per frame, (n, 2) arrays, NaN where missing."""

    side: str | None
    reason: str
    knee: np.ndarray
    ankle: np.ndarray
    heel: np.ndarray
    toe: np.ndarray
    visibility: np.ndarray  # (n,) mean visibility of knee, ankle, heel, toe
    kneecap_front: np.ndarray
    toe_tip: np.ndarray
    heel_back: np.ndarray
    heel_bottom: np.ndarray
    toe_bottom: np.ndarray
    toe_front_floor: np.ndarray
    shin_front_dir: np.ndarray  # (n, 2) unit direction of the shin's front edge (ankle to knee)
    # (n,) True where the kneecap or the toes run out of the picture: the knee or toe landmark lies within
    # ``AnalysisConfig.frame_edge_shins`` shin lengths of the frame's edge and its silhouette point there is
    # missing or on the edge (``cut_by_frame_edge``)
    cut_by_edge: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _lm(rec: FrameRecord, side: str, name: str) -> np.ndarray:
    assert rec.xy_px is not None
    return rec.xy_px[LEG_LANDMARK_INDEX[side][name]]


def kneel_evidence(xy_px: np.ndarray, knee_gap: float, knee_floor_gap: float) -> tuple[float, bool]:
    """(knee height gap in shin lengths, positive = left knee higher; whether this frame looks half-kneeling).

    Half-kneeling: one knee clearly higher than the other, and the lower knee resting on the floor (level
    with the feet) - not a squat or a lunge, and not a far leg the pose model misplaced.
    """
    idx = LEG_LANDMARK_INDEX
    shin = max(float(np.linalg.norm(xy_px[idx["left"]["knee"]] - xy_px[idx["left"]["ankle"]])), 1.0)
    gap = float(xy_px[idx["right"]["knee"]][1] - xy_px[idx["left"]["knee"]][1]) / shin
    floor_y = max(float(xy_px[idx[s][k]][1]) for s in ("left", "right") for k in ("heel", "toe"))
    lower_knee_y = max(float(xy_px[idx["left"]["knee"]][1]), float(xy_px[idx["right"]["knee"]][1]))
    return gap, abs(gap) > knee_gap and (floor_y - lower_knee_y) / shin < knee_floor_gap


def heel_turn_deg(ankle_px: np.ndarray, heel_px: np.ndarray, toe_px: np.ndarray) -> float:
    """Signed angle (deg) at the ankle from the ankle-to-toe to the ankle-to-heel landmark direction. The foot is
    rigid enough that it hardly changes (a heel lift turns heel, ankle and toes together): a jump of it is the
    heel point misplaced."""
    a, b = np.asarray(toe_px) - ankle_px, np.asarray(heel_px) - ankle_px
    return math.degrees(math.atan2(float(a[0] * b[1] - a[1] * b[0]), float(a @ b)))


def leg_misplaced(shin_px: float, usual_shin_px: float, heel_turn: float, usual_heel_turn: float,
                  max_shin_change: float, max_heel_turn_deg: float) -> bool:
    """Whether the pose model misplaced the screened leg in one frame, against the clip's or session's usual
    values: the knee-to-ankle length is off by more than ``max_shin_change`` (a fraction; the shin's length
    hardly changes in a side view), or the heel point has swung about the ankle by more than
    ``max_heel_turn_deg`` (``heel_turn_deg``; wrapped to +-180 deg). A NaN value skips its test."""
    if math.isfinite(shin_px) and math.isfinite(usual_shin_px) and usual_shin_px > 0 \
            and abs(shin_px / usual_shin_px - 1.0) > max_shin_change:
        return True
    return (math.isfinite(heel_turn) and math.isfinite(usual_heel_turn)
            and abs((heel_turn - usual_heel_turn + 180.0) % 360.0 - 180.0) > max_heel_turn_deg)


def _heel_angle_deg(rec: FrameRecord, lab: str) -> float:
    return heel_turn_deg(_lm(rec, lab, "ankle"), _lm(rec, lab, "heel"), _lm(rec, lab, "toe"))


def _drop_implausible_frames(
    records: list[FrameRecord], labels: list[str | None], max_change: float, max_heel_turn_deg: float
) -> list[str | None]:
    """Unlabel frames where the pose model misplaced the screened leg, so that its points are not used.

    * The knee-to-ankle length differs from the clip's median by more than ``max_change`` (a fraction): the
      shin's length hardly changes in a side view, so such a frame is the pose model still searching (first
      frames) or misplacing the leg, and its angle would be a glitch, not a movement.
    * The heel point has swung about the ankle, relative to the toes, by more than ``max_heel_turn_deg`` from
      its usual place: the foot is rigid (a heel lift turns heel, ankle and toes together, a few degrees at the
      toe joint), so the heel point has jumped, typically up the Achilles tendon, and the silhouette search
      around it finds the back of the heel instead of its floor contact (a rendered clip read a 2.3 cm heel lift
      on a flat heel from three such frames).
    """
    used = [(i, lab) for i, lab in enumerate(labels) if lab is not None]
    if not used:
        return labels
    lengths = np.array([float(np.linalg.norm(_lm(records[i], lab, "knee") - _lm(records[i], lab, "ankle")))
                        for i, lab in used])
    turn = np.array([_heel_angle_deg(records[i], lab) for i, lab in used])
    usual_length = float(np.nanmedian(lengths)) if np.isfinite(lengths).any() else math.nan
    usual_turn = float(np.nanmedian(turn)) if np.isfinite(turn).sum() >= 3 else math.nan
    bad = np.zeros(len(labels), dtype=bool)
    for k, (i, _) in enumerate(used):
        bad[i] = leg_misplaced(float(lengths[k]), usual_length, float(turn[k]), usual_turn, max_change,
                               max_heel_turn_deg)
    return [None if b else lab for lab, b in zip(labels, bad, strict=True)]


def cut_by_frame_edge(landmark_px: np.ndarray, silhouette_px: np.ndarray, width_px: int, height_px: int,
                      near_px: float, on_edge_px: float = 2.0) -> bool:
    """Whether a body part runs out of the picture: its landmark (a joint centre, inside the part) lies within
    ``near_px`` of the frame's edge and the silhouette point at its front is missing (the mask stops at the
    edge) or within ``on_edge_px`` of the edge. All in the frame's own pixels."""

    def margin(p: np.ndarray) -> float:
        return float(min(p[0], width_px - 1 - p[0], p[1], height_px - 1 - p[1]))

    if not np.all(np.isfinite(landmark_px)) or margin(landmark_px) >= near_px:
        return False
    return not np.all(np.isfinite(silhouette_px)) or margin(silhouette_px) < on_edge_px


def leg_out_of_picture(knee_px: np.ndarray, ankle_px: np.ndarray, toe_px: np.ndarray,
                       points: FootKneePoints | None, width_px: int, height_px: int, frame_edge_shins: float) -> bool:
    """The screened leg's kneecap or toes run out of the picture in this frame (``cut_by_frame_edge`` on the knee
    and on the toes, "near" being ``frame_edge_shins`` knee-to-ankle lengths)."""
    if points is None:
        return False
    near = frame_edge_shins * float(np.linalg.norm(np.asarray(knee_px) - np.asarray(ankle_px)))
    return (cut_by_frame_edge(knee_px, points.kneecap_front_px, width_px, height_px, near)
            or cut_by_frame_edge(toe_px, points.toe_tip_px, width_px, height_px, near))


def choose_leg(records: list[FrameRecord], side: str = "auto", cfg: AnalysisConfig = AnalysisConfig()) -> LegTrack:
    """Pick the screened (front) leg in every frame.

    Half-kneeling (one knee clearly lower, on the floor): the front leg is the one with the higher knee,
    chosen per frame so that left/right label swaps of the pose model do no harm. Otherwise (both feet
    down, e.g. a squat): the leg nearer the camera, decided once for the clip. ``side`` overrides.
    """
    n = len(records)
    posed = [r for r in records if r.pose_found]
    evidence = [kneel_evidence(r.xy_px, cfg.half_kneel_knee_gap, cfg.half_kneel_knee_floor_gap) for r in posed if
                r.xy_px is not None]
    gaps_arr = np.array([g for g, _ in evidence]) if evidence else np.zeros(0)
    half_kneel = len(evidence) > 0 and np.mean([k for _, k in evidence]) >= 0.5
    labels: list[str | None] = [None] * n
    if half_kneel:
        k = 0
        for i, r in enumerate(records):
            if r.pose_found:
                # left knee higher (smaller y) => left is front; a frame whose knees are not clearly at different
                # heights in a half-kneeling clip is the pose model misplacing the legs (e.g. while it locks on):
                # not used. The lower knee's height above the feet is not asked of each frame (only of the clip):
                # close up, with a wide lens, the far back knee stands higher in the picture as the front knee
                # drives (0.44 -> 0.58 shin lengths on a 0.5x render at 1.4 m), and those are the deepest frames
                if abs(gaps_arr[k]) > cfg.half_kneel_knee_gap:
                    labels[i] = "left" if gaps_arr[k] > 0 else "right"
                k += 1
        counts = Counter(lab for lab in labels if lab)
        side_label = counts.most_common(1)[0][0]
        reason = "front leg of the half-kneeling stance (the knee that is off the floor)"
        if side in ("left", "right") and side != side_label:
            reason += f"; named '{side}' as you set it (the pose model labelled it '{side_label}')"
            side_label = side
    else:
        if side in ("left", "right"):
            side_label, reason = side, "set by you"
        else:
            score = {"left": 0.0, "right": 0.0}
            for r in posed:
                for s in score:
                    idx = [LEG_LANDMARK_INDEX[s][k] for k in ("knee", "ankle", "heel", "toe")]
                    assert r.depth_rel is not None and r.visibility is not None
                    score[s] += float(np.mean(r.depth_rel[idx])) - 50.0 * float(np.mean(r.visibility[idx]))
            side_label = "left" if score["left"] <= score["right"] else "right"
            reason = "the leg nearer the camera (both feet are down in this clip)"
        labels = [side_label if r.pose_found else None for r in records]
    labels = _drop_implausible_frames(records, labels, cfg.max_shin_length_change, cfg.max_heel_turn_deg)

    def series(getter, direction: bool = False) -> np.ndarray:
        """Per-frame point (or direction) of the chosen leg, mapped into the first frame's pixels so
        that camera motion (a handheld phone tilting or drifting) is not read as body motion."""
        out = np.full((n, 2), np.nan)
        for i, (r, lab) in enumerate(zip(records, labels, strict=False)):
            if lab is not None:
                out[i] = r.to_first_px(getter(r, lab), direction)
        return out

    vis = np.full(n, np.nan)
    for i, (r, lab) in enumerate(zip(records, labels, strict=False)):
        if lab is not None and r.visibility is not None:
            vis[i] = float(np.mean(r.visibility[[LEG_LANDMARK_INDEX[lab][k] for k in ("knee", "ankle", "heel", "toe")]]))

    def leg_point(r: FrameRecord, lab: str, attr: str) -> np.ndarray:
        pts = r.legs.get(lab)
        return getattr(pts, attr) if pts is not None else np.array([np.nan, np.nan])

    cut = np.array([lab is not None and leg_out_of_picture(_lm(r, lab, "knee"), _lm(r, lab, "ankle"), _lm(r, lab, "toe"),
                                                           r.legs.get(lab), r.width_px, r.height_px, cfg.frame_edge_shins)
                    for r, lab in zip(records, labels, strict=False)], dtype=bool)

    return LegTrack(
        side=side_label if posed else None,
        reason=reason if posed else "no person found",
        knee=series(lambda r, s: _lm(r, s, "knee")),
        ankle=series(lambda r, s: _lm(r, s, "ankle")),
        heel=series(lambda r, s: _lm(r, s, "heel")),
        toe=series(lambda r, s: _lm(r, s, "toe")),
        visibility=vis,
        kneecap_front=series(lambda r, s: leg_point(r, s, "kneecap_front_px")),
        toe_tip=series(lambda r, s: leg_point(r, s, "toe_tip_px")),
        heel_back=series(lambda r, s: leg_point(r, s, "heel_back_px")),
        heel_bottom=series(lambda r, s: leg_point(r, s, "heel_bottom_px")),
        toe_bottom=series(lambda r, s: leg_point(r, s, "toe_bottom_px")),
        toe_front_floor=series(lambda r, s: leg_point(r, s, "toe_front_floor_px")),
        shin_front_dir=series(lambda r, s: leg_point(r, s, "shin_front_dir"), direction=True),
        cut_by_edge=cut,
    )


def marker_quad_ref_px(records: list[FrameRecord]) -> np.ndarray | None:
    """The printed marker's corners (4, 2) in the first frame's pixels (the leg track's), median over the frames
    it was found in; None when it was not found."""
    quads = []
    for r in records:
        c = marker_corners(r)
        if c is None:
            continue
        quads.append(r.to_first_px(c))
    return np.median(np.stack(quads), axis=0) if quads else None


def drop_foot_points_on_marker(track: LegTrack, quad_px: np.ndarray | None, clearance_fraction: float,
                               min_clearance_px: float) -> tuple[LegTrack, float]:
    """The foot's silhouette points that jump onto the printed marker, set unknown.

    A marker laid against the foot can join the person in the segmentation mask in some frames: the heel's
    lowest point is then found on the marker's edge (a rendered clip read every attempt as a 2 cm heel lift).
    A point within ``clearance_fraction`` of the marker's side (at least ``min_clearance_px``) of its outline is
    dropped when the same point is clear of the marker in most frames; a point that sits there throughout (a
    still, or a foot really against the marker) is kept. Returns the track and the fraction of frames where a
    foot point touches the marker (dropped or not)."""
    if quad_px is None:
        return track, 0.0
    side_px = float(np.median(np.linalg.norm(quad_px - np.roll(quad_px, -1, axis=0), axis=1)))
    clearance = max(min_clearance_px, clearance_fraction * side_px)
    touching = np.zeros(len(track.heel_bottom), dtype=bool)
    updates = {}
    for name in ("heel_bottom", "heel_back", "toe_tip", "toe_bottom"):
        pts = getattr(track, name)
        near = np.nan_to_num(distance_to_polygon_px(pts, quad_px), nan=np.inf) <= clearance
        touching |= near
        ok = np.all(np.isfinite(pts), axis=1)
        if near.any() and ok.any():
            usual = distance_to_polygon_px(np.median(pts[ok], axis=0), quad_px)[0]
            if usual > clearance:
                pts = pts.copy()
                pts[near] = np.nan
                updates[name] = pts
    seen = np.all(np.isfinite(track.heel_bottom), axis=1) | touching
    return replace(track, **updates), float(touching.sum()) / max(int(seen.sum()), 1)


@dataclass(frozen=True)
class FloorLine:
    forward: np.ndarray  # unit heel-to-toe direction in the image
    heel_lift_px: np.ndarray  # per frame, heel landmark height above its heel-down level
    foot_px: np.ndarray  # per frame, heel-back to toe-tip silhouette length along forward


def contact_forward(heel_bottom_px: np.ndarray, toe_tip_px: np.ndarray) -> np.ndarray:
    """Unit floor direction (heel to toe) from the heel's floor contact and the toe tip (SPEC 3).

    The front-most point of the longest toe sits above the floor, so it is first dropped onto the floor
    by ``TOE_TIP_HEIGHT_PER_FOOT_LENGTH`` of the heel-to-toe distance.
    """
    heel = np.asarray(heel_bottom_px, dtype=float)
    toe = np.asarray(toe_tip_px, dtype=float)
    f = unit(toe - heel)
    length = float(np.linalg.norm(toe - heel))
    for _ in range(2):
        toe_floor = toe - floor_up_normal(f) * TOE_TIP_HEIGHT_PER_FOOT_LENGTH * length
        f = unit(toe_floor - heel)
    return f


def _contact_direction(track: LegTrack, sel: np.ndarray) -> np.ndarray:
    """The floor direction over the selected frames, from the median heel-contact and toe-tip positions
    (the planted foot stays put, so positions average well). The ends of the foot are used because the
    middle of the sole blends with its contact shadow in the segmentation. Falls back to the heel and
    toe landmarks."""
    both = sel & np.all(np.isfinite(track.heel_bottom), axis=1) & np.all(np.isfinite(track.toe_tip), axis=1)
    if both.sum() >= 1:
        return contact_forward(np.median(track.heel_bottom[both], axis=0), np.median(track.toe_tip[both], axis=0))
    lm = sel & np.all(np.isfinite(track.heel), axis=1) & np.all(np.isfinite(track.toe), axis=1)
    if lm.sum() >= 1:
        return unit(np.median(track.toe[lm], axis=0) - np.median(track.heel[lm], axis=0))
    return np.array([np.nan, np.nan])


def heel_reference_px(toe_tip_px: np.ndarray, toe_front_floor_px: np.ndarray) -> np.ndarray:
    """The point on the toes the heel's height is measured from (pixels, (..., 2)): the mean of the toe tip (the
    silhouette's front-most point along the frame's own heel-to-toe landmark line) and the toes' lowest point just
    behind it (straight down in the picture), or the toe tip alone where that one is missing.

    Both stay put while the heel rises (the toes keep the floor), but each frame's toe tip slides up or down the
    rounded front of the toes as the landmark line tilts with the pose model's jitter (about a pixel on a foot 80 px
    long), and the lowest point moves along the floor differently: their mean jitters less. Measured from the toe
    tip alone, the benchmark's clips driven slowly (2.5 s a drive, ``benchmarks.heel_pace``) read 4 of 34 flat
    attempts as heel lifts of 0.75-0.92 cm; from the mean none (the highest flat reading 0.75 cm, 0.68 with the heel's
    lowest point found from its back edge, ``silhouette.heel_bottom_region``), every lift of 1 cm or more caught."""
    tip = np.asarray(toe_tip_px, dtype=float)
    low = np.asarray(toe_front_floor_px, dtype=float)
    both = np.all(np.isfinite(tip), axis=-1) & np.all(np.isfinite(low), axis=-1)
    return np.where(both[..., None], 0.5 * (tip + low), tip)


def heel_height_px(track: LegTrack, forward: np.ndarray) -> np.ndarray:
    """Per-frame height (px) of the heel's lowest silhouette point above the floor line through the toes
    (``heel_reference_px``).

    The silhouette follows the heel itself; the pose model's heel point sits on the back of the heel and
    barely moves when the heel rises (it missed 1.5 cm lifts on rendered clips) and jumps on small, far
    figures. Only when most frames lack a silhouette heel is the landmark used instead.
    """
    sil = height_above_line_px(track.heel_bottom, heel_reference_px(track.toe_tip, track.toe_front_floor), forward)
    lm = height_above_line_px(track.heel, track.toe, forward)
    if np.isfinite(sil).sum() >= max(1, 0.5 * np.isfinite(lm).sum()):
        return sil  # frames without a clean silhouette heel stay unknown (never filled from the jumpy landmark)
    return lm


def floor_line(track: LegTrack, tol_px: float, glitch_drop_px: float = math.inf) -> FloorLine:
    """Heel-to-toe forward direction from heel-down frames, and the heel's rise above its down level.

    See ``_contact_direction`` for how the direction is found and ``heel_height_px`` for the heel. Heel
    readings that dip more than ``glitch_drop_px`` below their neighbours for a few frames are not used
    (``smoothing.drop_low_spikes``): they would set the heel's down level too low and a flat heel would read
    as lifted.
    """
    n = len(track.heel)
    forward = _contact_direction(track, np.ones(n, dtype=bool))
    for _ in range(2):
        h = drop_low_spikes(heel_height_px(track, forward), glitch_drop_px)
        ok = np.isfinite(h)
        if not ok.any():
            break
        base = float(np.percentile(h[ok], 20))
        down = ok & (h - base <= tol_px)
        if down.sum() >= 1:
            forward = _contact_direction(track, down)
    h = drop_low_spikes(heel_height_px(track, forward), glitch_drop_px)
    ok = np.isfinite(h)
    base = float(np.percentile(h[ok], 20)) if ok.any() else math.nan
    foot = signed_along(track.toe_tip, track.heel_back, forward)
    return FloorLine(forward=forward, heel_lift_px=h - base, foot_px=foot)


def choose_scale(
    inputs: ScaleInputs, floor: FloorLine, track: LegTrack, heel_down: np.ndarray, marker_px: np.ndarray, edge_px: float
) -> Scale | None:
    foot = floor.foot_px[heel_down]
    if inputs.marker_cm is not None and np.isfinite(marker_px).any():
        s = scale_from_marker(marker_px, inputs.marker_cm)
        if s is not None:
            return s
    if inputs.foot_length_cm is not None:
        s = scale_from_foot_length(foot, inputs.foot_length_cm, edge_px)
        if s is not None:
            return s
    if inputs.height_cm is not None:
        shank = np.linalg.norm(track.knee - track.ankle, axis=1)
        s = scale_from_height(foot, shank, inputs.height_cm, edge_px)
        if s is not None:
            return s
    return scale_assumed(foot, inputs.sex, edge_px)


def analyze_records(
    records: list[FrameRecord],
    fist: FistWidth,
    scale_inputs: ScaleInputs = ScaleInputs(),
    side: str = "auto",
    cfg: AnalysisConfig = AnalysisConfig(),
    source: str = "",
    spans: list[AttemptSpan] | None = None,
) -> ScreenResult:
    """Turn per-frame observations into the screen result (raises NoPersonError when nobody is seen).

    ``spans`` (record positions, inclusive) are the attempts when they were found elsewhere (the live screen's
    attempts, measured here like a clip's); by default they are found in the shin angle series."""
    n = len(records)
    posed = [r for r in records if r.pose_found]
    luma = float(np.median([r.luma_mean for r in records])) if records else math.nan
    if not posed:
        dark = math.isfinite(luma) and luma < cfg.view.min_luma
        raise NoPersonError(
            "No person was found"
            + (" and the picture is very dark" if dark else "")
            + ": film the whole body side-on, in good light, 1.5-3 m from the camera."
        )
    t = np.array([r.time_s for r in records])
    track = choose_leg(records, side, cfg)
    track, on_marker = drop_foot_points_on_marker(track, marker_quad_ref_px(records), cfg.marker_clearance_fraction,
                                                  cfg.marker_clearance_min_px)
    shin_len_px = float(np.nanmedian(np.linalg.norm(track.knee - track.ankle, axis=1)))
    foot_lm_px = float(np.nanmedian(np.linalg.norm(track.toe - track.heel, axis=1)))
    # heel tolerance in px from a provisional scale (foot landmarks ~ 0.8 of a ~25 cm foot)
    provisional_px_per_cm = foot_lm_px / 20.0 if math.isfinite(foot_lm_px) and foot_lm_px > 0 else 1.0
    floor = floor_line(track, cfg.heel_lift_tolerance_cm * provisional_px_per_cm, cfg.heel_glitch_drop_foot_lm * foot_lm_px)
    marker_px = np.array([r.marker_side_px if r.marker_side_px else np.nan for r in records], dtype=float)
    provisional_down = np.isfinite(floor.heel_lift_px) & (
        floor.heel_lift_px <= cfg.heel_lift_tolerance_cm * provisional_px_per_cm
    )
    scale = choose_scale(scale_inputs, floor, track, provisional_down, marker_px, cfg.silhouette_edge_px)
    px_per_cm = scale.px_per_cm if scale else provisional_px_per_cm

    heel_lift_cm = zero_phase_smooth(t, floor.heel_lift_px / px_per_cm, cfg.smoothing_sigma_s)
    heel_down = np.isfinite(heel_lift_cm) & (heel_lift_cm <= cfg.heel_lift_tolerance_cm)
    # the vertical for the flat reading: from the front foot's and the back leg's floor lines and the picture's up
    back_forward = back_floor_direction(records, cfg.heel_floor)
    up = vertical_estimate(floor.forward, back_forward)
    shin_raw, shin_method = shin_angle_series(track, floor.forward, up)
    shin = zero_phase_smooth(t, shin_raw, cfg.smoothing_sigma_s)
    kpt_cm = zero_phase_smooth(
        t, knee_past_toe_2d_px(track.kneecap_front, track.toe_tip, floor.forward, up) / px_per_cm,
        cfg.smoothing_sigma_s,
    )
    if scale is None:
        kpt_cm = np.full(n, np.nan)
    # with the marker found, measure in 3-D with its camera model instead (screening.floor3d); else stay 2-D
    camera_cfg = cfg.camera_model.for_lens(scale_inputs.lens)
    cam3d = camera_measurement(records, track, heel_down, scale_inputs.marker_cm, camera_cfg,
                               TOE_TIP_HEIGHT_PER_FOOT_LENGTH, TIBIAL_CREST_LEAN_DEG, scale_inputs.foot_length_cm,
                               scale_inputs.camera_height_cm)
    if cam3d.ok and cam3d.shin_angle_deg is not None and cam3d.knee_past_toe_cm is not None:
        shin_method = "camera_model_" + cam3d.shin_method
        shin = zero_phase_smooth(t, cam3d.shin_angle_deg, cfg.smoothing_sigma_s)
        kpt_cm = zero_phase_smooth(t, cam3d.knee_past_toe_cm, cfg.smoothing_sigma_s)

    sh_l = np.array([r.xy_px[Landmark.LEFT_SHOULDER] if r.xy_px is not None else (np.nan, np.nan) for r in records])
    sh_r = np.array([r.xy_px[Landmark.RIGHT_SHOULDER] if r.xy_px is not None else (np.nan, np.nan) for r in records])
    hp_l = np.array([r.xy_px[Landmark.LEFT_HIP] if r.xy_px is not None else (np.nan, np.nan) for r in records])
    hp_r = np.array([r.xy_px[Landmark.RIGHT_HIP] if r.xy_px is not None else (np.nan, np.nan) for r in records])
    yaw = yaw_from_side_deg(sh_l, sh_r, hp_l, hp_r, cfg.view.front_shoulder_ratio)
    heel = heel_floor_check(records, cfg.heel_floor)
    view = check_view(
        yaw,
        float(np.nanmedian(track.visibility)),
        shin_len_px,
        luma,
        len(posed) / max(n, 1),
        cfg.view,
        similar_people=max((r.similar_people for r in records), default=0),
        foot_tilt_deg=foot_tilt_deg(floor.forward),
        heel_height_foot_lengths=heel.height_or_nan,
    )
    warnings = list(view.warnings)
    if on_marker >= cfg.marker_touching_warn_fraction:
        warnings.append(
            f"The printed marker touches the foot in the picture, so the heel or toes could not be read in "
            f"{on_marker:.0%} of the frames: lay the marker a hand's width in front of the foot, fully in view."
        )
    foot_note = foot_length_check(cam3d.floor.foot_length_cm if cam3d.ok and cam3d.floor is not None else None,
                                  scale_inputs.foot_length_cm, cam3d.toe_moved_cm, cfg.foot_longer_warn_cm)
    if foot_note:
        warnings.append(foot_note)
    marker_cut = marker_only_cut_by_edge(records)
    place_marker = ("move the marker (or the camera) so the whole marker is in the picture, flat beside the front "
                    "foot" if marker_cut else "lay the marker flat beside the front foot, fully in view")
    if scale_inputs.marker_cm is not None and not cam3d.ok:
        warnings.append(
            f"No camera model from the marker ({cam3d.reason}), so the knee and shin were measured flat in the "
            f"picture, which reads a few cm and degrees off when the camera is turned or high: {place_marker}, "
            "and film from 1.5-3 m."
        )
    elif scale_inputs.marker_cm is not None and cam3d.model.source != MARKER:
        missing = "runs off the edge of the picture" if marker_cut else "was not found (or too small to use)"
        warnings.append(
            f"The printed marker {missing}, so the knee and shin were measured in 3-D "
            f"{'from the camera height you gave' if cam3d.model.source == CAMERA_HEIGHT else 'from upright lines behind you'}"
            f" instead: {place_marker}, and film from 1.5-3 m."
        )
    elif scale_inputs.camera_height_cm is not None and not cam3d.ok:
        warnings.append(
            f"No camera model from the camera height ({cam3d.reason}), so the knee and shin were measured flat in "
            "the picture: give your foot length with the camera height, and film the whole foot side-on."
        )
    if scale is not None and scale.source == "assumed_foot_length":
        warnings.append(
            "No scale was given, so an average foot length was assumed: give your foot length, height or a "
            "printed marker for centimetres you can trust."
        )
    if max((r.other_people for r in records), default=0) > 0:
        warnings.append("Someone else is in the picture too; the highlighted person was measured.")
    close = too_close_note(camera_distance_m(
        float(np.nanmedian(floor.foot_px)) if np.isfinite(floor.foot_px).any() else math.nan,
        scale_inputs.foot_length_cm or ASSUMED_FOOT_LENGTH_CM.get(scale_inputs.sex, ASSUMED_FOOT_LENGTH_CM[None]),
        focal_from_fov(camera_cfg.assumed_fov_long_side_deg, records[0].width_px, records[0].height_px)),
        cfg.min_camera_distance_m)
    if close:
        warnings.append(close)

    frame_index = np.array([r.frame_index for r in records])
    # frames with a person whose front leg was not used (``choose_leg``): the deepest point must not fall among them
    untracked = np.array([r.pose_found for r in records]) & ~np.isfinite(track.knee[:, 0])
    usual_shin_px = float(np.nanmedian(np.linalg.norm(track.knee - track.ankle, axis=1))) if np.isfinite(
        track.knee).any() else math.nan
    lean_deg = landmark_lean_deg(records, track.side, floor.forward, up, usual_shin_px, cfg.max_shin_length_change)
    if spans is None:
        spans = segment_attempts(t, shin, cfg.attempts)
    travel = kpt_cm if np.isfinite(kpt_cm).any() else shin
    attempts: list[Attempt] = []
    for k, span in enumerate(spans):
        attempts.append(_attempt(k, span, t, travel, kpt_cm, shin, heel_down, heel_lift_cm, fist.width_cm, view,
                                 frame_index, track.cut_by_edge, np.all(np.isfinite(track.kneecap_front), axis=1),
                                 untracked, lean_deg))
    best = best_of_attempts(attempts, fist.width_cm, view, scale)
    note = left_out_note(attempts, best)
    if note:
        warnings.append(note)
    note = photo_at_rest_note(len(records), best.shin_angle_deg, cfg.photo_rest_shin_deg)
    if note:
        warnings.append(note)
    if scale is not None:
        scale = with_distance_uncertainty(scale, best.knee_past_toe_cm, cfg.silhouette_edge_px)
        if best.knee_past_toe_cm is not None:
            best = Best(**{**best.__dict__, "knee_past_toe_uncertainty_cm": scale.uncertainty_cm})
        if cam3d.ok and best.attempt_index is not None:
            at = attempts[best.attempt_index].end_range_frame
            sd = knee_past_toe_sd_cm(cam3d, track, heel_down, int(np.flatnonzero(frame_index == at)[0]),
                                     scale_inputs, records[0].width_px, records[0].height_px,
                                     camera_cfg, TOE_TIP_HEIGHT_PER_FOOT_LENGTH, TIBIAL_CREST_LEAN_DEG)
            scale = Scale(scale.px_per_cm, scale.source, sd, scale.relative_uncertainty,
                          scale.detail + "; " + camera_detail(cam3d.model, scale_inputs.camera_height_cm,
                                                              scale_inputs.lens))
            best = Best(**{**best.__dict__, "knee_past_toe_uncertainty_cm": sd if math.isfinite(sd) else None})
    measured = [a.knee_past_toe_cm for a in attempts if a.knee_past_toe_cm is not None]
    spread = float(np.std(measured, ddof=1)) if len(measured) >= 2 else None

    frames = FrameSeries(
        frame_index=[r.frame_index for r in records],
        time_s=[float(x) for x in t],
        knee_past_toe_cm=[float(x) for x in kpt_cm],
        shin_angle_deg=[float(x) for x in shin],
        heel_lift_cm=[float(x) for x in heel_lift_cm],
        heel_down=[bool(x) for x in heel_down],
        pose_found=[r.pose_found for r in records],
    )
    facing = None
    if np.all(np.isfinite(floor.forward)):
        facing = "right" if floor.forward[0] > 0 else "left"
    person = _person_summary(records)
    return ScreenResult(
        source=source,
        side=track.side,  # type: ignore[arg-type]
        side_reason=track.reason,
        facing=facing,  # type: ignore[arg-type]
        scale=scale,
        fist_width_cm=fist.width_cm,
        fist_source=fist.source,
        attempts=attempts,
        best=best,
        frames=frames,
        person=person,
        view={
            "ok": view.ok,
            "yaw_deg": view.yaw_deg,
            "checks": view.checks,
            "failures": view.failures,
            "floor_forward": [float(x) for x in floor.forward],
            # the flat reading's vertical (a camera model, when used, replaces the flat reading)
            "flat_vertical": [float(x) for x in up],
            "back_leg_floor_line": bool(np.all(np.isfinite(back_forward))),
            "shin_length_px": shin_len_px,
            "shin_angle_method": shin_method,
            "heel_floor": heel.__dict__,
            "camera_model": {**cam3d.summary(), **lens_summary(scale_inputs.lens)},
        },
        warnings=warnings,
        retest_spread_cm=spread,
    )


def camera_distance_m(foot_px: float, foot_length_cm: float, focal_px: float) -> float:
    """The camera's distance (m) from the front foot by the pinhole: the foot's length across the picture (px, heel
    back to toe tip) against its length (cm) and the lens's focal length (px). A foot turned from side-on looks
    shorter, so the camera reads further away (the safe side for ``too_close_note``)."""
    return focal_px * foot_length_cm / foot_px / 100.0 if foot_px > 0 else math.nan


def too_close_note(distance_m: float, min_distance_m: float) -> str | None:
    """The note for a camera nearer the foot than ``min_distance_m``, where the floor's perspective tilts the foot in
    the picture (a 0.5x lens 0.9 m away: the foot's line sloped 20 deg and the heel read as held up)."""
    if not math.isfinite(distance_m) or distance_m >= min_distance_m:
        return None
    return (f"The camera was only about {distance_m:.1f} m from the front foot: this close the floor's perspective "
            "tilts the foot in the picture and the heel and toes are hard to place. Film from 1.5-3 m (with a wide "
            "lens too; set the lens if you used the 0.5x camera).")


def lens_summary(lens: Lens | None) -> dict[str, object]:
    """The lens the 3-D measurement took, for the result's ``view["camera_model"]`` (None: the assumed 1x camera)."""
    return {"lens_35mm_mm": None if lens is None else lens.focal_35mm_mm,
            "lens_source": None if lens is None else lens.source}


def camera_detail(model: FloorModel, camera_height_cm: float | None, lens: Lens | None = None) -> str:
    """How the 3-D camera was had, in words, for the scale's detail (and the lens it took)."""
    return _camera_words(model, camera_height_cm) + "; " + lens_words(lens)


def _camera_words(model: FloorModel, camera_height_cm: float | None) -> str:
    if model.source == MARKER:
        return "measured in 3-D with the camera model from the marker"
    tilt = (f"tilted {model.roll_deg:.1f} deg sideways (read from upright lines behind you)" if model.roll_from_lines
            else "held level (a sideways tilt of the phone turns the shin reading by as much)")
    if model.source == CAMERA_HEIGHT:
        return f"measured in 3-D with the camera {camera_height_cm:g} cm above the floor, {tilt}"
    return (f"measured in 3-D with the camera's tilt ({model.roll_deg:.1f} deg sideways, {abs(model.pitch_deg):.1f} deg "
            f"{'down' if model.pitch_deg >= 0 else 'up'}) read from upright lines behind you and its height from your "
            "foot length")


def foot_length_check(measured_cm: float | None, given_cm: float | None, toe_moved_cm: float,
                      longer_warn_cm: float) -> str | None:
    """The note on the foot measured in 3-D with the marker's camera model against the foot length the user gave.

    ``toe_moved_cm`` > 0: the foot read that much short, the toes' tip was lost against the floor, and the toe tip
    was placed from the given length (``floor3d.toe_shortfall_cm``): say so, since the figure now rests on the
    tape. A foot read more than ``longer_warn_cm`` long: ask to check the length (not corrected)."""
    if measured_cm is None or given_cm is None or not math.isfinite(measured_cm):
        return None
    if toe_moved_cm > 0:
        return (f"The foot measures {measured_cm:.1f} cm heel to toe in the picture, {toe_moved_cm:.1f} cm less than "
                f"the {given_cm:.1f} cm you gave: the tip of the toes was lost against the floor (dark feet or shoes "
                "on a dark floor, or in shadow), so the knee past toe was measured from a toe tip placed "
                f"{given_cm:.1f} cm ahead of the heel. If that length is not right, correct it; next time, film "
                "on a floor that contrasts with the foot, in even light.")
    if measured_cm - given_cm > longer_warn_cm:
        return (f"The foot measures {measured_cm:.1f} cm heel to toe in the picture, {measured_cm - given_cm:.1f} cm "
                f"more than the {given_cm:.1f} cm you gave: check the foot length (heel to the tip of the longest "
                "toe), or film on a floor that contrasts with the foot.")
    return None


OUT_OF_PICTURE = ("the knee or toes went out of the picture at the deepest point: place the camera further back so "
                  "the whole front leg stays in view")
OUT_OF_PICTURE_TOL_DEG = 1.0


def end_range_out_of_picture(deepest_cut_lean_deg: float, best_lean_deg: float | None) -> bool:
    """Whether an attempt's end range was out of the picture: the shin leaned as far (within
    ``OUT_OF_PICTURE_TOL_DEG``) or further in frames with the knee or toes cut by the frame's edge than at the
    best frame in view (``best_lean_deg`` None: no frame in view; ``-inf`` cut lean: no cut frame)."""
    if deepest_cut_lean_deg == -math.inf:
        return False
    return best_lean_deg is None or not math.isfinite(best_lean_deg) or (
        deepest_cut_lean_deg >= best_lean_deg - OUT_OF_PICTURE_TOL_DEG)


UNSEEN_AT_DEPTH = ("the kneecap or toe tip was not seen at the deepest point (clothing, a hand or the other leg in the "
                   "way, or a poor silhouette): keep the front knee and foot clear, in good light, and film again")
UNSEEN_TOL_DEG = 1.0


def end_range_unseen(deepest_unseen_lean_deg: float, best_lean_deg: float | None) -> bool:
    """Whether the attempt went deeper than its measured end range where the knee past toe could not be read: in a
    frame without a kneecap or toe-tip point (its heel not known to be up) the shin leaned more than
    ``UNSEEN_TOL_DEG`` further than at the best measured frame (``-inf``: no such frame). The end range would
    otherwise be read early, short by ~0.9 cm a degree, without a word."""
    if deepest_unseen_lean_deg == -math.inf or best_lean_deg is None or not math.isfinite(best_lean_deg):
        return False
    return deepest_unseen_lean_deg > best_lean_deg + UNSEEN_TOL_DEG


UNTRACKED_AT_DEPTH = ("the front leg was not tracked at the deepest point (the pose model lost it there): film again "
                      "side-on with the whole body in view and the back leg clear of the front one")
UNTRACKED_RUN_FRAMES = 2  # analysed frames in a row with a person but without the front leg


def landmark_lean_deg(records: list[FrameRecord], side: str | None, forward: np.ndarray, up: np.ndarray,
                      usual_shin_px: float, max_change: float) -> np.ndarray:
    """Per frame, the shin's lean (deg, as ``shin_angle_deg``) from the ``side`` leg's knee and ankle landmarks alone,
    in every frame with a person, also those the leg track does not use; NaN where the knee-to-ankle length is off
    the usual by more than ``max_change`` (a misplaced leg, whose angle means nothing)."""
    out = np.full(len(records), np.nan)
    if side is None or not math.isfinite(usual_shin_px):
        return out
    for i, r in enumerate(records):
        if r.xy_px is None:
            continue
        knee, ankle = _lm(r, side, "knee"), _lm(r, side, "ankle")
        if not leg_misplaced(float(np.linalg.norm(knee - ankle)), usual_shin_px, math.nan, math.nan, max_change,
                             math.inf):
            out[i] = float(shin_angle_deg(knee, ankle, forward, up))
    return out


def end_range_untracked(untracked: np.ndarray, lean_deg: np.ndarray, idx: int, start: int, stop: int,
                        run_frames: int = UNTRACKED_RUN_FRAMES, tol_deg: float = UNSEEN_TOL_DEG) -> bool:
    """Whether the attempt's measured end range (index ``idx`` in ``start..stop``) borders a run of at least
    ``run_frames`` analysed frames in which a person was found but the front leg was not used (``untracked``: the
    frame did not show which knee was the front one, or the leg looked misplaced) and in which the knee and ankle
    landmarks alone (``landmark_lean_deg``) lean more than ``tol_deg`` further than at the end range: the deepest
    point fell among them, and the frame beside them would understate the attempt without a word (a 0.5x render at
    1.4 m read 1.8 cm for 10.8 that way). Runs whose landmarks are all implausible give no evidence either way."""
    for step in (1, -1):
        run = []
        i = idx + step
        while start <= i <= stop and bool(untracked[i]):
            run.append(i)
            i += step
        lean = lean_deg[run] if run else np.zeros(0)
        if len(run) >= run_frames and np.isfinite(lean).any() and math.isfinite(lean_deg[idx]) \
                and float(np.nanmax(lean)) > float(lean_deg[idx]) + tol_deg:
            return True
    return False


def photo_at_rest_note(n_frames: int, shin_angle_deg: float | None, rest_shin_deg: float) -> str | None:
    """A photo (one frame) whose shin leans no further forward than a resting half-kneel's: it was most likely taken
    before the knee drove forward, so its numbers are not the end range. Clips find their end range themselves."""
    if n_frames != 1 or shin_angle_deg is None or shin_angle_deg > rest_shin_deg:
        return None
    return (f"In this photo the shin leans only {shin_angle_deg:.0f} deg forward, about as at rest: take it with the "
            "knee driven as far forward as it goes, heel down, or film the attempts instead.")


def left_out_note(attempts: list[Attempt], best: Best) -> str | None:
    """The note naming attempts left out because their end range was out of the picture or not seen (when others
    count)."""
    notes = []
    for why in (OUT_OF_PICTURE, UNSEEN_AT_DEPTH, UNTRACKED_AT_DEPTH):
        left_out = [a.index + 1 for a in attempts if a.reason == why]
        if left_out and best.knee_past_toe_cm is not None:
            notes.append(f"Attempt {', '.join(f'#{i}' for i in left_out)}: {why}; not counted.")
    return " ".join(notes) or None


def _attempt(
    k: int,
    span,
    t: np.ndarray,
    travel: np.ndarray,
    kpt_cm: np.ndarray,
    shin: np.ndarray,
    heel_down: np.ndarray,
    heel_lift_cm: np.ndarray,
    fist_cm: float,
    view: ViewReport,
    frame_index: np.ndarray,
    cut_by_edge: np.ndarray | None = None,
    kneecap_seen: np.ndarray | None = None,
    untracked: np.ndarray | None = None,
    lean_deg: np.ndarray | None = None,
) -> Attempt:
    """One attempt; ``end_range_frame`` is the video frame index of its end range.

    Where the silhouette shows no kneecap front ahead of the knee point at the end range (``kneecap_seen`` False),
    the knee point itself is in doubt (the pose model can put it on the thigh, far from the knee), so the shin angle
    is not reported either: a rendered still read -8.8 deg for a 19.7 deg shin that way.

    Not measured when the knee or toes ran out of the picture (``cut_by_edge``) where the shin leaned as far as
    (within ``OUT_OF_PICTURE_TOL_DEG``) or further than at the best frame in view: the end range itself was not
    seen, and a frame before it would understate the travel without saying so."""
    sl = slice(span.start, span.stop + 1)
    lift = heel_lift_cm[sl]
    lift_max = float(np.nanmax(lift)) if np.isfinite(lift).any() else None
    all_down = bool(np.all(heel_down[sl][np.isfinite(lift)])) if np.isfinite(lift).any() else False
    if not view.ok:
        return Attempt(k, float(t[span.start]), float(t[span.stop]), None, None, None, None, None, all_down,
                       lift_max, "not measured: " + view.failures[0])
    idx = end_range_index(span, travel, heel_down)
    cut = np.asarray(cut_by_edge, dtype=bool)[sl] if cut_by_edge is not None and len(cut_by_edge) else None
    if cut is not None and cut.any():
        lean_cut = shin[sl][cut]
        deepest_cut = float(np.max(lean_cut)) if np.isfinite(lean_cut).all() else math.inf
        if end_range_out_of_picture(deepest_cut, None if idx is None else float(shin[idx])):
            return Attempt(k, float(t[span.start]), float(t[span.stop]), None, None, None, None, None, all_down,
                           lift_max, OUT_OF_PICTURE)
    if idx is None:
        return Attempt(k, float(t[span.start]), float(t[span.stop]), None, None, None, None, None, False, lift_max,
                       "the heel was off the floor for the whole attempt, or the knee and toes were not measurable")
    if untracked is not None and lean_deg is not None and end_range_untracked(untracked, lean_deg, idx, span.start,
                                                                              span.stop):
        return Attempt(k, float(t[span.start]), float(t[span.stop]), None, None, None, None, None, all_down,
                       lift_max, UNTRACKED_AT_DEPTH)
    kpt = float(kpt_cm[idx]) if math.isfinite(kpt_cm[idx]) else None
    if kpt is not None:
        # frames without a reading whose heel is not known to be up (a missing toe leaves the heel unread too)
        not_up = heel_down[sl] | ~np.isfinite(heel_lift_cm[sl])
        unseen = not_up & np.isfinite(shin[sl]) & ~np.isfinite(kpt_cm[sl])
        deepest_unseen = float(np.max(shin[sl][unseen])) if unseen.any() else -math.inf
        if end_range_unseen(deepest_unseen, float(shin[idx])):
            return Attempt(k, float(t[span.start]), float(t[span.stop]), None, None, None, None, None, all_down,
                           lift_max, UNSEEN_AT_DEPTH)
    reason = "" if kpt is not None else "the kneecap or toe tip was not found in the silhouette"
    knee_doubtful = kpt is None and kneecap_seen is not None and len(kneecap_seen) > idx and not bool(kneecap_seen[idx])
    if knee_doubtful:
        reason = "the kneecap was not found in the silhouette, so the knee point (and the shin angle) is in doubt"
    if not all_down:
        reason = "the heel lifted during this attempt; its best heel-down moment is used"
    return Attempt(
        index=k,
        start_time_s=float(t[span.start]),
        end_time_s=float(t[span.stop]),
        end_range_time_s=float(t[idx]),
        end_range_frame=int(frame_index[idx]),
        knee_past_toe_cm=kpt,
        fist_widths=kpt / fist_cm if kpt is not None else None,
        shin_angle_deg=float(shin[idx]) if math.isfinite(shin[idx]) and not knee_doubtful else None,
        heel_down=all_down,
        heel_lift_cm_max=lift_max,
        reason=reason,
    )


def best_of_attempts(attempts: list[Attempt], fist_cm: float, view: ViewReport, scale: Scale | None) -> Best:
    if not view.ok:
        return Best(None, None, None, "not_measured", view.failures[0])
    if not attempts:
        return Best(None, None, None, "not_measured", "no knee drive was found in the clip: film one or more full attempts")
    measured = [a for a in attempts if a.knee_past_toe_cm is not None]
    if not measured:
        heel = all(a.end_range_frame is None for a in attempts)
        if any(a.reason == OUT_OF_PICTURE for a in attempts):
            reason = OUT_OF_PICTURE
        elif any(a.reason == UNSEEN_AT_DEPTH for a in attempts):
            reason = UNSEEN_AT_DEPTH
        elif any(a.reason == UNTRACKED_AT_DEPTH for a in attempts):
            reason = UNTRACKED_AT_DEPTH
        elif heel:
            reason = "the heel was off the floor in every attempt: keep the whole foot flat and film again"
        else:
            reason = "the kneecap or toe tip could not be found: keep the front knee and foot clear and in frame"
        with_angle = [a for a in attempts if a.shin_angle_deg is not None]
        shin = max((a.shin_angle_deg for a in with_angle), default=None)  # type: ignore[type-var]
        return Best(None, None, shin, "not_measured", reason)
    b = max(measured, key=lambda a: a.knee_past_toe_cm or -math.inf)
    assert b.knee_past_toe_cm is not None
    verdict = "pass" if b.knee_past_toe_cm >= fist_cm else "fail"
    if verdict == "pass":
        reason = f"the kneecap travelled {b.knee_past_toe_cm:.1f} cm past the toe, beyond the {fist_cm:.1f} cm fist"
    else:
        where = (f"reached {b.knee_past_toe_cm:.1f} cm past the toe" if b.knee_past_toe_cm >= 0 else
                 f"stayed {-b.knee_past_toe_cm:.1f} cm behind the toe")
        reason = f"the kneecap {where}, {fist_cm - b.knee_past_toe_cm:.1f} cm short of the {fist_cm:.1f} cm fist"
    return Best(b.knee_past_toe_cm, b.fist_widths, b.shin_angle_deg, verdict, reason, b.index)  # type: ignore[arg-type]


def _person_summary(records: list[FrameRecord]) -> dict[str, object]:
    boxes = []
    for r in records:
        if r.xy_px is not None and r.visibility is not None:
            sel = r.visibility >= 0.3
            pts = r.xy_px[sel] if sel.any() else r.xy_px
            boxes.append([pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()])
    if not boxes:
        return {}
    b = np.median(np.array(boxes), axis=0)
    w = records[0].width_px
    cx = (b[0] + b[2]) / 2 / max(w, 1)
    where = "left" if cx < 0.36 else "right" if cx > 0.64 else "middle"
    return {
        "bbox_px": [round(float(x), 1) for x in b],
        "description": f"the person in the {where} of the picture (boxed in the annotated video or picture)",
        "frames_with_person": len(boxes),
        "max_other_people": max((r.other_people for r in records), default=0),
    }
