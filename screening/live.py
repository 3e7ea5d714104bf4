"""Live screening state machine: one ``FrameRecord`` at a time -> live numbers, checks and attempts.

Pure (numpy only; no cv2, mediapipe or streamlit). The webcam worker (``vision/live.py``) turns each
frame into a ``FrameRecord`` with the same ``observe_frame`` the offline pipeline uses, feeds it to
:class:`LiveScreen` and draws what :meth:`LiveScreen.update` returns.

What it keeps, per session:

- **Side**: the user's choice, else the front leg of a half-kneeling stance (the knee that is off the
  floor), else the leg nearer the camera, switched only when the other leg is clearly nearer.
- **Floor line**: a running estimate over the last ``floor_window_s`` seconds: the median
  heel-contact-to-toe direction in heel-down frames (else heel-to-toe landmarks), and the heel's heel-down
  level (a low percentile of its height above the line through the toe).
- **Scale**: the same sources in the same order as the offline analysis (marker, foot length, height,
  assumed foot length), from running samples of the foot silhouette, shank and marker.
- **Smoothing**: One Euro filters on the shin angle, knee travel and heel height (little lag on fast
  drives, steady numbers while holding).
- **Attempts**: hysteresis on the shin angle above the resting angle: an attempt starts when the shin
  tilts ``start_deg`` past rest and ends when it comes back below ``rest + max(end_min_deg,
  end_fraction * (peak - rest))`` (or the person is lost). During an attempt, the heel-down frame with
  the greatest knee travel is its end range; frames with the heel lifted never count and flag the
  attempt.
- **Result**: everything above is the live preview; the session's frames are kept, and ``to_result`` measures the
  captured attempts with the clip analysis (``screening.analysis.analyze_records``), 3-D when it can be.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from calibration.fist import FistWidth, fist_width
from calibration.scale import (
    ScaleInputs,
    scale_assumed,
    scale_from_foot_length,
    scale_from_height,
    scale_from_marker,
)
from calibration.view import ViewConfig, heel_held_up, yaw_from_side_deg
from screening.analysis import (
    FRAME_EDGE_SHINS,
    HEEL_LIFT_TOLERANCE_CM,
    MAX_HEEL_TURN_DEG,
    MAX_SHIN_LENGTH_CHANGE,
    OUT_OF_PICTURE,
    UNSEEN_AT_DEPTH,
    AnalysisConfig,
    analyze_records,
    contact_forward,
    end_range_out_of_picture,
    end_range_unseen,
    heel_reference_px,
    heel_turn_deg,
    kneel_evidence,
    leg_misplaced,
    leg_out_of_picture,
    shin_angle_from_front_edge,
)
from screening.attempts import AttemptSpan
from screening.floor3d import blend_shin_2d
from screening.geometry import (
    foot_tilt_deg,
    height_above_line_px,
    knee_past_toe_2d_px,
    median_direction,
    shin_angle_deg,
    signed_along,
    unit,
    vertical_estimate,
)
from screening.heel_floor import HeelFloorConfig, frame_back_floor, heel_floor_from_heights
from screening.landmarks import LEG_LANDMARK_INDEX, Landmark
from screening.records import FrameRecord
from screening.results import Scale, ScreenResult
from screening.smoothing import MedianOfLast, OneEuroFilter, RestartAfterGap

CHECK_LABELS: dict[str, str] = {
    "person": "person found",
    "side_view": "side view",
    "leg_visible": "foot and knee visible",
    "light": "enough light",
    "size": "close enough",
    "hands_clear": "hands off the knee",
    "heel_on_floor": "front heel on the floor",
}

CHECK_HINTS: dict[str, str] = {
    "person": "Step into the picture: the whole body side-on, 1.5-3 m from the camera.",
    "side_view": "Turn side-on to the camera so the front foot points across the picture.",
    "leg_visible": "Keep the whole front foot (heel and toes) and the front knee in the picture.",
    "light": "Too dark: turn on a light or face a window.",
    "size": "Too small in the picture: move the camera closer (about 1.5-3 m) or zoom in.",
    "hands_clear": "Take your hands off the front knee; rest them on your hips or the other knee.",
    "heel_on_floor": "Put the front heel down and keep it on the floor while the knee drives forward.",
}

WRISTS = (15, 16)
SHOULDERS = (11, 12)
HIPS = (23, 24)


@dataclass(frozen=True)
class LiveConfig:
    heel_lift_tolerance_cm: float = HEEL_LIFT_TOLERANCE_CM  # as the offline AnalysisConfig (was 0.8, left behind)
    floor_window_s: float = 12.0
    floor_percentile: float = 20.0
    start_deg: float = 8.0  # an attempt starts this far above the resting shin angle
    end_min_deg: float = 4.0
    end_fraction: float = 0.35  # ... and ends below rest + max(end_min_deg, end_fraction * (peak - rest))
    rearm_fraction: float = 0.5  # after an attempt the shin must come back below rest + this * start_deg
    # ... or ends once the shin has stayed this far below its peak for return_hold_s: a resting angle misread low
    # (frames misread as the person comes into view) can then not hold one attempt open through the next drives
    return_deg: float = 15.0
    return_hold_s: float = 0.5
    rest_window_s: float = 10.0
    rest_percentile: float = 10.0
    rest_cap_deg: float = 15.0  # a resting half-kneeling shin is rarely tilted more than this
    rest_floor_deg: float = -5.0  # ... nor leaning back more than this
    min_attempt_s: float = 0.3
    lost_s: float = 1.0  # an attempt ends when the person is not seen for this long
    gap_reset_s: float = 0.5  # smoothing restarts after a gap this long
    half_kneel_knee_gap: float = 0.3  # knee height gap, in shin lengths, of a half-kneeling stance
    half_kneel_knee_floor_gap: float = 0.45  # ... with the lower knee this close to the feet (as offline)
    stance_window_s: float = 3.0  # half-kneeling when most frames of this window show the knee gap
    side_switch_margin: float = 10.0
    side_settle_frames: int = 8  # frames scored before the nearer leg is first chosen  # nearer-leg score margin before switching legs
    check_window_s: float = 1.0  # checks are judged over this much recent time
    heel_check_window_s: float = 2.0  # the heel-on-floor check: this much recent time ...
    heel_check_min_readings: int = 10  # ... with at least this many back-leg floor readings
    min_visibility: float = 0.5
    min_shin_fraction: float = 60.0 / 1280.0  # shin length over the frame's long side
    hands_clear_shins: float = 0.3  # a wrist nearer the knee than this many shin lengths = hands on the knee
    frame_edge_shins: float = FRAME_EDGE_SHINS  # knee or toes out of the picture (as offline: cut_by_frame_edge)
    # a knee-to-ankle length this far off the session's median: the pose model misplaced the leg (as offline)
    max_shin_length_change: float = MAX_SHIN_LENGTH_CHANGE
    max_heel_turn_deg: float = MAX_HEEL_TURN_DEG  # ... or a heel point swung about the ankle this far (as offline)
    min_shin_samples: int = 10  # ... judged once this many frames give the medians
    edge_px: float = 1.5
    scale_every: int = 10  # recompute the scale every this many frames
    scale_samples: int = 300
    max_log: int = 18000  # frames kept for the session result (10 min at 30 fps, ~5 kB each; the latest are kept)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)  # how the session's frames are measured
    euro_min_cutoff_hz: float = 1.5
    euro_beta: float = 0.05
    view: ViewConfig = field(default_factory=ViewConfig)
    heel_floor: HeelFloorConfig = field(default_factory=HeelFloorConfig)  # heel up throughout (back-leg floor)


@dataclass(frozen=True)
class LiveAttempt:
    """One attempt captured live. ``end_range_frame`` is the frame index of its best heel-down moment."""

    index: int
    start_time_s: float
    end_time_s: float
    end_range_time_s: float | None
    end_range_frame: int | None
    knee_past_toe_px: float | None
    knee_past_toe_cm: float | None
    fist_widths: float | None
    shin_angle_deg: float | None
    peak_shin_angle_deg: float
    heel_down: bool  # False when the heel lifted at some moment of the attempt
    heel_lift_cm_max: float | None
    reason: str = ""


@dataclass(frozen=True, eq=False)
class LiveFrame:
    """What the live screen knows after one frame (pixels are those of the processed frame)."""

    frame_index: int
    time_s: float
    person: bool
    side: str | None
    checks: dict[str, bool]
    hints: list[str]
    ready: bool
    forward: np.ndarray | None
    px_per_cm: float | None
    scale_source: str | None
    fist_width_cm: float
    shin_angle_deg: float | None
    knee_past_toe_cm: float | None
    heel_lift_cm: float | None
    heel_down: bool | None
    in_attempt: bool
    attempt_index: int | None
    attempt_best_cm: float | None
    new_best: bool  # this frame is the running attempt's best heel-down end range so far
    finished: LiveAttempt | None  # the attempt that ended on this frame
    n_attempts: int
    points: dict[str, np.ndarray] = field(default_factory=dict)  # hip/knee/ankle/heel/toe/kneecap_front/toe_tip

    @property
    def fist_widths(self) -> float | None:
        return None if self.knee_past_toe_cm is None else self.knee_past_toe_cm / self.fist_width_cm


def _finite(p: np.ndarray | None) -> bool:
    return p is not None and bool(np.all(np.isfinite(p)))


def _opt(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass
class _Running:
    """The attempt in progress."""

    index: int
    start_t: float
    rest: float
    peak: float
    lifted: bool = False
    lift_max: float = -math.inf
    best_key: tuple[int, float] | None = None
    best_t: float | None = None
    best_frame: int | None = None
    best_kpt_px: float | None = None
    best_shin: float | None = None
    last_seen_t: float = 0.0
    cut_lean: float = -math.inf  # the furthest shin lean seen with the knee or toes out of the picture
    unseen_lean: float = -math.inf  # the furthest shin lean without a knee past toe reading (heel not known up)
    returned_since: float | None = None  # since when the shin has stayed return_deg or more below its peak


class LiveScreen:
    """The live screen of one webcam session. Feed it ``FrameRecord``s in time order."""

    def __init__(
        self,
        fist: FistWidth | None = None,
        scale_inputs: ScaleInputs = ScaleInputs(),
        side: str = "auto",
        cfg: LiveConfig = LiveConfig(),
    ) -> None:
        if side not in ("auto", "left", "right"):
            raise ValueError(f"side must be auto, left or right (got {side!r})")
        scale_inputs.validate()
        self.fist = fist if fist is not None else fist_width(None, scale_inputs.sex)
        self.scale_inputs = scale_inputs
        self.side_setting = side
        self.cfg = cfg
        self.attempts: list[LiveAttempt] = []
        self._side: str | None = None
        self._side_score = {"left": 0.0, "right": 0.0}
        self._scored = 0
        self._gaps: deque[tuple[float, float]] = deque()
        self._labels = {"left": 0, "right": 0}
        # floor window: (t, heel xy, toe xy, sole direction xy, heel-down flag at insertion)
        self._floor: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray, bool]] = deque()
        self._forward: np.ndarray | None = None
        self._rest: deque[tuple[float, float]] = deque()
        self._recent: deque[tuple[float, FrameRecord]] = deque()
        self._foot_px: deque[float] = deque(maxlen=cfg.scale_samples)
        self._shank_px: deque[float] = deque(maxlen=cfg.scale_samples)
        self._marker_px: deque[float] = deque(maxlen=cfg.scale_samples)
        self._foot_lm_px: deque[float] = deque(maxlen=cfg.scale_samples)
        self.scale: Scale | None = None
        self._frames = 0
        self._shin_f, self._kpt_f, self._heel_f = (
            RestartAfterGap(OneEuroFilter(cfg.euro_min_cutoff_hz, cfg.euro_beta), cfg.gap_reset_s) for _ in range(3))
        # before the heel's smoother: one wild frame never passes
        self._heel_median = RestartAfterGap(MedianOfLast(3), cfg.gap_reset_s)
        self._running: _Running | None = None
        self._last_person_t: float | None = None
        # the session's frames for the result (measured like a clip's at the end; the latest max_log are kept)
        self._records: deque[FrameRecord] = deque(maxlen=cfg.max_log)
        self._shin_len: deque[float] = deque(maxlen=600)
        self._heel_turn: deque[float] = deque(maxlen=600)
        self._edge_minus_lm: deque[float] = deque(maxlen=300)  # shin front-edge angle minus landmark angle
        self._armed = True  # False after an attempt until the shin returns near rest (hysteresis)
        self._posed = 0
        self._recent_heel: deque[tuple[float, float]] = deque()  # (t, the same reading) for the live check
        # the back leg's floor direction on recent frames: with the front foot's it gives the flat reading's vertical
        # (``geometry.vertical_estimate``, as a clip's analysis takes it)
        self._back_dirs: deque[np.ndarray] = deque(maxlen=300)

    # ------------------------------------------------------------------ side
    def _choose_side(self, rec: FrameRecord) -> str:
        assert rec.xy_px is not None
        xy = rec.xy_px
        if self.side_setting in ("left", "right"):
            self._side = self.side_setting
            return self.side_setting
        gap, kneel_frame = kneel_evidence(xy, self.cfg.half_kneel_knee_gap, self.cfg.half_kneel_knee_floor_gap)
        t = float(rec.time_s)
        self._gaps.append((t, float(kneel_frame)))
        while self._gaps and t - self._gaps[0][0] > self.cfg.stance_window_s:
            self._gaps.popleft()
        kneeling = np.mean([k for _, k in self._gaps]) >= 0.5
        if kneeling:
            # half-kneeling: the front leg is the one whose knee is off the floor (higher), per frame,
            # so that left/right label swaps of the pose model do no harm
            label = "left" if gap > 0 else "right"
            self._labels[label] += 1
            self._side = label
            return label
        for s in ("left", "right"):
            idx = [LEG_LANDMARK_INDEX[s][k] for k in ("knee", "ankle", "heel", "toe")]
            score = 0.0
            if rec.depth_rel is not None:
                score += float(np.mean(rec.depth_rel[idx]))
            if rec.visibility is not None:
                score -= 50.0 * float(np.mean(rec.visibility[idx]))
            self._side_score[s] = 0.8 * self._side_score[s] + 0.2 * score
        near = "left" if self._side_score["left"] <= self._side_score["right"] else "right"
        other = "right" if near == "left" else "left"
        self._scored += 1
        if self._scored < self.cfg.side_settle_frames and self._side is None:
            return near  # not settled yet: nothing is accumulated until the choice is made
        if self._side is None:
            self._side = near
        elif self._side != near and self._side_score[other] - self._side_score[near] > self.cfg.side_switch_margin:
            self._side = near
            self._reset_leg_state()  # the floor, rest angle and smoothing belong to the other leg
        return self._side

    def _reset_leg_state(self) -> None:
        self._floor.clear()
        self._forward = None
        self._rest.clear()
        for f in (self._shin_f, self._kpt_f, self._heel_f, self._heel_median):
            f.reset()
        self._running = None

    # ------------------------------------------------------------------ floor
    def _update_floor(self, t: float, heel: np.ndarray, toe: np.ndarray, sole_deg: float) -> np.ndarray | None:
        while self._floor and t - self._floor[0][0] > self.cfg.floor_window_s:
            self._floor.popleft()
        sole = (
            np.array([math.cos(math.radians(sole_deg)), math.sin(math.radians(sole_deg))])
            if math.isfinite(sole_deg)
            else np.array([np.nan, np.nan])
        )
        if _finite(heel) and _finite(toe):
            down = self._heel_down_now(heel, toe)
            self._floor.append((t, heel, toe, sole, down))
        if not self._floor:
            return self._forward
        soles = np.array([e[3] for e in self._floor])
        downs = np.array([e[4] for e in self._floor])
        fwd = np.array([np.nan, np.nan])
        for sel in (downs & np.all(np.isfinite(soles), axis=1), np.all(np.isfinite(soles), axis=1)):
            if sel.any():
                fwd = median_direction(soles[sel])
                break
        if not _finite(fwd):
            heels = np.array([e[1] for e in self._floor])
            toes = np.array([e[2] for e in self._floor])
            fwd = median_direction(toes - heels)
        if _finite(fwd):
            self._forward = unit(fwd)
        return self._forward

    def _heel_heights(self) -> np.ndarray:
        assert self._forward is not None
        heels = np.array([e[1] for e in self._floor])
        toes = np.array([e[2] for e in self._floor])
        return height_above_line_px(heels, toes, self._forward)

    def _heel_base_px(self) -> float:
        if self._forward is None or not self._floor:
            return math.nan
        h = self._heel_heights()
        h = h[np.isfinite(h)]
        return float(np.percentile(h, self.cfg.floor_percentile)) if len(h) else math.nan

    def _tolerance_px(self) -> float:
        return self.cfg.heel_lift_tolerance_cm * self._px_per_cm_or_provisional()

    def _heel_down_now(self, heel: np.ndarray, toe: np.ndarray) -> bool:
        if self._forward is None:
            return True
        base = self._heel_base_px()
        if not math.isfinite(base):
            return True
        h = float(height_above_line_px(heel, toe, self._forward))
        return h - base <= self._tolerance_px()

    # ------------------------------------------------------------------ scale
    def _px_per_cm_or_provisional(self) -> float:
        if self.scale is not None:
            return self.scale.px_per_cm
        if self._foot_lm_px:
            return max(float(np.median(self._foot_lm_px)) / 20.0, 1e-3)  # as analyze_records' provisional scale
        return 1.0

    def _update_scale(self) -> None:
        foot = np.array(self._foot_px, dtype=float)
        si = self.scale_inputs
        s: Scale | None = None
        if si.marker_cm is not None and self._marker_px:
            s = scale_from_marker(np.array(self._marker_px, dtype=float), si.marker_cm)
        if s is None and si.foot_length_cm is not None:
            s = scale_from_foot_length(foot, si.foot_length_cm, self.cfg.edge_px)
        if s is None and si.height_cm is not None:
            s = scale_from_height(foot, np.array(self._shank_px, dtype=float), si.height_cm, self.cfg.edge_px)
        if s is None:
            s = scale_assumed(foot, si.sex, self.cfg.edge_px)
        if s is not None:
            self.scale = s

    # ------------------------------------------------------------------ checks
    def _checks(self, t: float, rec: FrameRecord, side: str | None) -> dict[str, bool]:
        cfg = self.cfg
        while self._recent and t - self._recent[0][0] > cfg.check_window_s:
            self._recent.popleft()
        self._recent.append((t, rec))
        recs = [r for _, r in self._recent]
        posed = [r for r in recs if r.pose_found]
        luma = float(np.median([r.luma_mean for r in recs]))
        checks = {
            "person": len(posed) >= max(1, len(recs) // 2) and rec.pose_found,
            "light": luma >= cfg.view.min_luma,
        }
        if not posed or side is None:
            checks.update(side_view=False, leg_visible=False, size=False, hands_clear=False)
            return checks
        xy = np.array([r.xy_px for r in posed])
        yaw = yaw_from_side_deg(xy[:, Landmark.LEFT_SHOULDER], xy[:, Landmark.RIGHT_SHOULDER], xy[:, Landmark.LEFT_HIP],
                                xy[:, Landmark.RIGHT_HIP], cfg.view.front_shoulder_ratio)
        checks["side_view"] = not (math.isfinite(yaw) and yaw > cfg.view.max_yaw_fail_deg)
        names = LEG_LANDMARK_INDEX[side]
        idx = [names[k] for k in ("knee", "ankle", "heel", "toe")]
        vis = [float(np.mean(r.visibility[idx])) for r in posed if r.visibility is not None]
        cur = rec.xy_px if rec.xy_px is not None else posed[-1].xy_px
        assert cur is not None
        w, h = rec.width_px, rec.height_px
        inside = bool(np.all((cur[idx, 0] >= 0) & (cur[idx, 0] < w) & (cur[idx, 1] >= 0) & (cur[idx, 1] < h)))
        checks["leg_visible"] = bool(vis) and float(np.median(vis)) >= cfg.min_visibility and inside
        shin_len = float(np.linalg.norm(cur[names["knee"]] - cur[names["ankle"]]))
        checks["size"] = shin_len >= cfg.min_shin_fraction * max(w, h)
        knee = cur[names["knee"]]
        d = min(float(np.linalg.norm(cur[i] - knee)) for i in WRISTS)
        checks["hands_clear"] = d > cfg.hands_clear_shins * max(shin_len, 1.0)
        checks["heel_on_floor"] = not self._heel_up_now()
        if rec.pose_found:
            self._shin_len.append(shin_len)
            turn = heel_turn_deg(cur[names["ankle"]], cur[names["heel"]], cur[names["toe"]])
            if math.isfinite(turn):
                self._heel_turn.append(turn)
        return checks

    def _leg_misplaced(self, rec: FrameRecord, side: str) -> bool:
        """The pose model has misplaced the leg in this frame, as the clip analysis judges it
        (``analysis._drop_implausible_frames``): the knee-to-ankle length is off the session's median by more than
        ``max_shin_length_change`` (a knee point sliding down the shin), or the heel point has swung about the
        ankle by more than ``max_heel_turn_deg`` from its median (a heel point jumping up the Achilles tendon,
        which would read as a heel lift)."""
        cfg = self.cfg
        if rec.xy_px is None or len(self._shin_len) < cfg.min_shin_samples:
            return False
        names = LEG_LANDMARK_INDEX[side]
        xy = rec.xy_px
        usual_turn = float(np.median(self._heel_turn)) if len(self._heel_turn) >= cfg.min_shin_samples else math.nan
        return leg_misplaced(float(np.linalg.norm(xy[names["knee"]] - xy[names["ankle"]])),
                             float(np.median(self._shin_len)),
                             heel_turn_deg(xy[names["ankle"]], xy[names["heel"]], xy[names["toe"]]), usual_turn,
                             cfg.max_shin_length_change, cfg.max_heel_turn_deg)

    def _heel_up_now(self) -> bool:
        """The front heel has been off the floor for the recent window (read against the back leg's floor line,
        as the session result is judged); False when there are too few readings to tell."""
        cfg = self.cfg
        if len(self._recent_heel) < cfg.heel_check_min_readings:
            return False
        heel = heel_floor_from_heights([h for _, h in self._recent_heel], cfg.heel_floor)
        return heel_held_up(heel.height_or_nan, foot_tilt_deg(self._forward), cfg.view)

    # ------------------------------------------------------------------ main
    def update(self, rec: FrameRecord) -> LiveFrame:
        """Take one frame's observations; return the live numbers, checks and any finished attempt."""
        cfg = self.cfg
        t = float(rec.time_s)
        self._frames += 1
        if rec.marker_side_px:
            self._marker_px.append(float(rec.marker_side_px))
        back_floor = frame_back_floor(rec, cfg.heel_floor)
        heel_over_floor = back_floor.heel_height_foot_lengths
        if math.isfinite(heel_over_floor):
            self._recent_heel.append((t, heel_over_floor))
        while self._recent_heel and t - self._recent_heel[0][0] > cfg.heel_check_window_s:
            self._recent_heel.popleft()
        if back_floor.direction is not None:
            self._back_dirs.append(back_floor.direction)
        side = self._choose_side(rec) if rec.pose_found else self._side
        checks = self._checks(t, rec, side)
        hints = [CHECK_HINTS[k] for k in CHECK_LABELS if k in checks and not checks[k]]

        shin = kpt_px = lift_px = math.nan
        cut = False
        points: dict[str, np.ndarray] = {}
        forward = self._forward
        if rec.pose_found and side is not None and self._side is not None and self._leg_misplaced(rec, side):
            self._posed += 1  # the person is seen, but this frame's leg points are not used
            self._last_person_t = t
        elif rec.pose_found and side is not None and self._side is not None:
            assert rec.xy_px is not None
            self._posed += 1
            self._last_person_t = t
            names = LEG_LANDMARK_INDEX[side]
            knee, ankle = rec.xy_px[names["knee"]], rec.xy_px[names["ankle"]]
            heel, toe = rec.xy_px[names["heel"]], rec.xy_px[names["toe"]]
            for k in ("hip", "knee", "ankle", "heel", "toe"):
                points[k] = rec.xy_px[names[k]]
            legs = rec.legs.get(side)
            cut = leg_out_of_picture(knee, ankle, toe, legs, rec.width_px, rec.height_px, cfg.frame_edge_shins)
            sole = math.nan
            if legs is not None and _finite(legs.heel_bottom_px) and _finite(legs.toe_tip_px):
                cf = contact_forward(legs.heel_bottom_px, legs.toe_tip_px)
                sole = math.degrees(math.atan2(float(cf[1]), float(cf[0])))
            # the heel's height is judged from the silhouette's heel bottom and toes (``heel_reference_px``, as in a
            # clip's analysis), the landmarks standing in when the silhouette has no clean edge there
            sil = legs is not None and _finite(legs.heel_bottom_px) and _finite(legs.toe_tip_px)
            heel_pt = legs.heel_bottom_px if sil and legs is not None else heel
            toe_pt = heel_reference_px(legs.toe_tip_px, legs.toe_front_floor_px) if sil and legs is not None else toe
            forward = self._update_floor(t, heel_pt, toe_pt, sole)
            foot_lm = float(np.linalg.norm(toe - heel))
            if math.isfinite(foot_lm) and foot_lm > 0:
                self._foot_lm_px.append(foot_lm)
            if forward is not None:
                # same definition as a clip's analysis (shin_angle_series): the front edge's and the corrected
                # joint-centre readings averaged, a frame without a front edge taking the landmark angle shifted by
                # the recent edge-landmark difference as its edge reading (no jumps)
                up = vertical_estimate(forward, median_direction(np.array(self._back_dirs)) if self._back_dirs else None)
                lm = float(shin_angle_deg(knee, ankle, forward, up))
                edge = (float(shin_angle_from_front_edge(legs.shin_front_dir, forward, up))
                        if legs is not None and _finite(legs.shin_front_dir) else math.nan)
                if math.isfinite(edge) and math.isfinite(lm):
                    self._edge_minus_lm.append(edge - lm)
                usual = float(np.median(self._edge_minus_lm)) if self._edge_minus_lm else math.nan
                shin = float(blend_shin_2d(np.array([lm]), np.array([edge]), usual)[0])
                base = self._heel_base_px()
                h = float(height_above_line_px(heel_pt, toe_pt, forward))
                lift_px = h - base
                if legs is not None:
                    points["kneecap_front"] = legs.kneecap_front_px
                    points["toe_tip"] = legs.toe_tip_px
                    kpt_px = float(knee_past_toe_2d_px(legs.kneecap_front_px, legs.toe_tip_px, forward, up))
                    if math.isfinite(lift_px) and lift_px <= self._tolerance_px():
                        foot = float(signed_along(legs.toe_tip_px, legs.heel_back_px, forward))
                        if math.isfinite(foot) and foot > 0:
                            self._foot_px.append(foot)
                        shank = float(np.linalg.norm(knee - ankle))
                        if math.isfinite(shank):
                            self._shank_px.append(shank)
        if self._frames % cfg.scale_every == 1 or (self.scale is None and self._foot_px):
            self._update_scale()

        shin = self._shin_f(t, shin)
        kpt_px = self._kpt_f(t, kpt_px)
        lift_px = self._heel_f(t, self._heel_median(t, lift_px))
        ppc = self._px_per_cm_or_provisional()
        lift_cm = lift_px / ppc if math.isfinite(lift_px) else math.nan
        heel_down: bool | None = bool(lift_cm <= cfg.heel_lift_tolerance_cm) if math.isfinite(lift_cm) else None
        kpt_cm = kpt_px / self.scale.px_per_cm if self.scale is not None and math.isfinite(kpt_px) else math.nan

        self._records.append(rec)

        finished, new_best = self._step_attempt(t, rec, shin, kpt_px, lift_cm, heel_down, cut)
        run = self._running
        best_cm = None
        if run is not None and run.best_kpt_px is not None and self.scale is not None:
            best_cm = run.best_kpt_px / self.scale.px_per_cm
        return LiveFrame(
            frame_index=rec.frame_index,
            time_s=t,
            person=rec.pose_found,
            side=side,
            checks=checks,
            hints=hints,
            ready=all(checks.values()),
            forward=forward,
            px_per_cm=self.scale.px_per_cm if self.scale else None,
            scale_source=self.scale.source if self.scale else None,
            fist_width_cm=self.fist.width_cm,
            shin_angle_deg=_opt(shin),
            knee_past_toe_cm=_opt(kpt_cm),
            heel_lift_cm=_opt(lift_cm),
            heel_down=heel_down,
            in_attempt=run is not None,
            attempt_index=run.index if run is not None else None,
            attempt_best_cm=best_cm,
            new_best=new_best,
            finished=finished,
            n_attempts=len(self.attempts),
            points=points,
        )

    def _rest_level(self) -> float:
        if not self._rest:
            return self.cfg.rest_cap_deg
        v = np.array([s for _, s in self._rest])
        rest = float(np.percentile(v, self.cfg.rest_percentile))
        return min(max(rest, self.cfg.rest_floor_deg), self.cfg.rest_cap_deg)

    def _step_attempt(
        self,
        t: float,
        rec: FrameRecord,
        shin: float,
        kpt_px: float,
        lift_cm: float,
        heel_down: bool | None,
        cut: bool = False,
    ) -> tuple[LiveAttempt | None, bool]:
        cfg = self.cfg
        run = self._running
        if run is None:
            if math.isfinite(shin):
                rest = self._rest_level()
                if not self._armed and shin <= rest + cfg.rearm_fraction * cfg.start_deg:
                    self._armed = True  # back near rest: the next drive is a new attempt
                if self._armed and shin >= rest + cfg.start_deg:
                    run = self._running = _Running(len(self.attempts), t, rest, shin, last_seen_t=t)
                else:
                    self._rest.append((t, shin))
                    while self._rest and t - self._rest[0][0] > cfg.rest_window_s:
                        self._rest.popleft()
                    return None, False
            else:
                return None, False
        # an attempt is running
        if cut:
            run.cut_lean = max(run.cut_lean, shin if math.isfinite(shin) else math.inf)
        if not math.isfinite(shin):
            if t - run.last_seen_t > cfg.lost_s:
                return self._finish(t), False
            return None, False
        run.last_seen_t = t
        run.peak = max(run.peak, shin)
        new_best = False
        if heel_down is False:
            run.lifted = True
        if math.isfinite(lift_cm):
            run.lift_max = max(run.lift_max, lift_cm)
        if heel_down is not False and not math.isfinite(kpt_px):  # the heel down or unread
            run.unseen_lean = max(run.unseen_lean, shin)
        if heel_down:
            key = (1, kpt_px) if math.isfinite(kpt_px) else (0, shin)
            if run.best_key is None or key > run.best_key:
                run.best_key = key
                run.best_t, run.best_frame = t, rec.frame_index
                run.best_kpt_px = kpt_px if math.isfinite(kpt_px) else None
                run.best_shin = shin
                new_best = True
        end_level = run.rest + max(cfg.end_min_deg, cfg.end_fraction * (run.peak - run.rest))
        if shin > run.peak - cfg.return_deg:
            run.returned_since = None
        elif run.returned_since is None:
            run.returned_since = t
        if shin <= end_level or (run.returned_since is not None and t - run.returned_since >= cfg.return_hold_s):
            return self._finish(t), False
        return None, new_best

    def _finish(self, t: float) -> LiveAttempt | None:
        run = self._running
        self._running = None
        if run is None or t - run.start_t < self.cfg.min_attempt_s:
            return None  # a blip, not an attempt: stay armed
        self._armed = False
        self._rest.clear()  # the resting angle is learnt again from the return (misread frames do not outlast one attempt)
        a = self._make_attempt(run, t)
        self.attempts.append(a)
        return a

    def _make_attempt(self, run: _Running, t_end: float) -> LiveAttempt:
        ppc = self.scale.px_per_cm if self.scale else None
        cm = run.best_kpt_px / ppc if run.best_kpt_px is not None and ppc else None
        if end_range_out_of_picture(run.cut_lean, run.best_shin):
            cm, reason = None, OUT_OF_PICTURE
            run.best_kpt_px = run.best_shin = None
        elif run.best_kpt_px is not None and end_range_unseen(run.unseen_lean, run.best_shin):
            cm, reason = None, UNSEEN_AT_DEPTH
            run.best_kpt_px = run.best_shin = None
        elif run.best_frame is None:
            reason = "the heel was off the floor for the whole attempt"
        elif cm is None:
            reason = "the kneecap or toe tip was not found in the silhouette"
        elif run.lifted:
            reason = "the heel lifted during this attempt; its best heel-down moment is used"
        else:
            reason = ""
        return LiveAttempt(
            index=run.index,
            start_time_s=run.start_t,
            end_time_s=t_end,
            end_range_time_s=run.best_t,
            end_range_frame=run.best_frame,
            knee_past_toe_px=run.best_kpt_px,
            knee_past_toe_cm=cm,
            fist_widths=cm / self.fist.width_cm if cm is not None else None,
            shin_angle_deg=run.best_shin,
            peak_shin_angle_deg=run.peak,
            heel_down=not run.lifted,
            heel_lift_cm_max=run.lift_max if math.isfinite(run.lift_max) else None,
            reason=reason,
        )

    def finish(self) -> LiveAttempt | None:
        """End the session: close an attempt still in progress (e.g. the user stopped at end range)."""
        if self._running is None:
            return None
        t = self._records[-1].time_s if self._records else self._running.start_t
        return self._finish(t)

    # ------------------------------------------------------------------ session result
    @property
    def records(self) -> list[FrameRecord]:
        """The session's kept frames (the latest ``max_log``), in time order."""
        return list(self._records)

    def attempt_spans(self, records: list[FrameRecord] | None = None,
                      attempts: list[LiveAttempt] | None = None) -> list[AttemptSpan]:
        """Each captured attempt as positions (inclusive) in the session's kept frames (default: this session's)."""
        recs = self.records if records is None else records
        t = np.array([r.time_s for r in recs])
        spans = []
        for a in self.attempts if attempts is None else attempts:
            if not len(t) or a.start_time_s < t[0]:  # begun before the kept frames (a session over max_log): left out
                continue
            lo = int(np.searchsorted(t, a.start_time_s, side="left"))
            hi = int(np.searchsorted(t, a.end_time_s, side="right")) - 1
            spans.append(AttemptSpan(lo, max(lo, hi)))
        return spans

    def to_result(self, source: str = "webcam") -> ScreenResult:
        """The session as a ``ScreenResult`` (closing an attempt still running): see ``measure``."""
        self.finish()
        return self.measure(self.records, list(self.attempts), self.session_side(), source)

    def measure(self, records: list[FrameRecord], attempts: list[LiveAttempt], side: str | None,
                source: str = "webcam") -> ScreenResult:
        """The attempts captured live, each measured by the clip analysis over the session's frames.

        ``analyze_records`` reads the frames exactly as a recorded clip's (floor line, scale, zero-phase smoothing,
        the end range and the heel within each attempt, and the 3-D camera model when a marker, a camera height or
        upright lines give one); only the attempts' time spans come from the live screen, so the result lists the
        attempts the user saw captured. Reads nothing but its arguments and the session's settings, so it can run
        on copies beside the live stream. Raises ``NoPersonError`` when nobody was seen."""
        # "close enough" as the live check judges it (the shin's share of the frame, ``min_shin_fraction``): the
        # webcam's frames are smaller than a clip's 1280 px, so the clip's minimum in pixels is scaled to them
        long_side = max((max(r.width_px, r.height_px) for r in records), default=1280)
        acfg = self.cfg.analysis
        acfg = replace(acfg, view=replace(acfg.view, min_shin_px=self.cfg.min_shin_fraction * long_side))
        res = analyze_records(records, self.fist, self.scale_inputs, side=side or "auto", cfg=acfg, source=source,
                              spans=self.attempt_spans(records, attempts))
        t = [r.time_s for r in records]
        dropped = len(attempts) - len(res.attempts)
        left_out = [f"The first {dropped} attempt(s) began before the last {len(records)} frames this session keeps "
                    "and are left out: stop and start a new session every few minutes."] if dropped > 0 else []
        return replace(
            res,
            warnings=[*res.warnings, *left_out],
            side_reason="set by you" if self.side_setting != "auto" else "chosen live (front leg / leg nearer the camera)",
            video={"live": True, "frames": len(records), "duration_s": (t[-1] - t[0]) if t else 0.0},
        )

    def session_side(self) -> str | None:
        """The screened side of the session: the user's choice, else the most frequent front-leg label."""
        if self.side_setting in ("left", "right"):
            return self.side_setting
        if sum(self._labels.values()) > self._posed / 2:
            return max(self._labels, key=lambda k: self._labels[k])
        return self._side
