"""Heel up throughout: was the front heel on the floor at all? Pure (numpy + dataclasses).

The per-attempt heel-lift check measures the heel against its own lowest position in the clip, and the floor
line (SPEC 3) runs through the heel contact, so a heel held up for the whole clip looks "down" to both. The
front foot's own slope in the picture cannot tell: a high, pitched or turned camera tilts a flat foot's line
as much as a 3 cm heel lift does (docs/ACCURACY.md). The half-kneel carries its own floor reference: the back
knee and the back leg's tucked toes rest on the floor, side by side in depth, so the line through their floor
contacts runs parallel (in 3-D) to the front foot and shares the camera's pitch, yaw and roll. The heel's
lowest silhouette point is measured against that direction, through the front toes' floor contact, in foot
lengths (scale-free), on every frame where both legs are seen; a low percentile over the frames is kept, so a
clip where the heel is down part of the time (a lift mid-attempt) reads as down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from screening.geometry import floor_up_normal, median_direction, unit
from screening.landmarks import LEG_LANDMARK_INDEX
from screening.records import FrameRecord
from screening.silhouette import FootKneePoints


@dataclass(frozen=True)
class HeelFloorConfig:
    """Which frames give a reading; the refusal threshold is ``ViewConfig.max_heel_height_foot_lengths``."""

    low_percentile: float = 25.0  # of the per-frame heights: the heel's lowest moments decide
    max_floor_disagreement_deg: float = 20.0  # back-leg floor line vs the front foot's line: beyond, a bad frame
    min_back_line_foot_lengths: float = 0.6  # back knee to back toes contacts, in front-foot lengths
    max_back_line_foot_lengths: float = 1.5
    min_foot_px: float = 8.0
    # the toes' floor contact lies about 0.059 foot lengths below the toe tip (analysis.TOE_TIP_HEIGHT_PER_FOOT_
    # LENGTH); deeper than this, the toes' contact shadow has joined the silhouette and the excess is not counted
    max_toe_floor_below_tip_foot_lengths: float = 0.09


@dataclass(frozen=True)
class HeelFloorCheck:
    heel_height_foot_lengths: float | None  # None: not measurable (no kneeling back leg seen), see reason
    frames_used: int
    reason: str

    @property
    def height_or_nan(self) -> float:
        """The reading in foot lengths, NaN when not measurable (as the view check takes it)."""
        return math.nan if self.heel_height_foot_lengths is None else self.heel_height_foot_lengths


def back_floor_dir(front: FootKneePoints, back: FootKneePoints, cfg: HeelFloorConfig = HeelFloorConfig()
                   ) -> np.ndarray | None:
    """The floor's direction (unit, (2,), heel-to-toe sense of the front foot) along the back leg's knee-to-toes
    floor contacts on one frame; None where the back leg is not lying along the floor beside the foot (its line
    more than ``max_floor_disagreement_deg`` off the foot's, or not 0.6-1.5 foot lengths long) or a point is
    missing."""
    pts = (back.knee_floor_px, back.toe_floor_px, front.heel_bottom_px, front.toe_tip_px, front.heel_back_px)
    if not all(np.all(np.isfinite(p)) for p in pts):
        return None
    foot_dir = unit(front.toe_tip_px - front.heel_bottom_px)
    back_vec = back.knee_floor_px - back.toe_floor_px
    floor_dir = unit(back_vec)
    if float(floor_dir @ foot_dir) < 0:
        floor_dir = -floor_dir
    if float(floor_dir @ foot_dir) < math.cos(math.radians(cfg.max_floor_disagreement_deg)):
        return None  # the back leg is not lying along the floor beside the foot, or a point is off
    foot_px = float((front.toe_tip_px - front.heel_back_px) @ floor_dir)
    if foot_px < cfg.min_foot_px:
        return None
    back_len = float(np.linalg.norm(back_vec)) / foot_px
    if not cfg.min_back_line_foot_lengths <= back_len <= cfg.max_back_line_foot_lengths:
        return None
    return floor_dir


def heel_height_along(front: FootKneePoints, floor_dir: np.ndarray, cfg: HeelFloorConfig = HeelFloorConfig()) -> float:
    """The front heel's height in foot lengths above the floor line of direction ``floor_dir`` (the back leg's,
    ``back_floor_dir``) through the front toes' floor contact; NaN without that contact."""
    if not np.all(np.isfinite(front.toe_front_floor_px)):
        return math.nan
    foot_px = float((front.toe_tip_px - front.heel_back_px) @ floor_dir)
    up = floor_up_normal(floor_dir)
    toe_floor_depth = float((front.toe_tip_px - front.toe_front_floor_px) @ up) / foot_px
    shadow = max(0.0, toe_floor_depth - cfg.max_toe_floor_below_tip_foot_lengths)
    return float((front.heel_bottom_px - front.toe_front_floor_px) @ up) / foot_px - shadow


def front_and_back_legs(r: FrameRecord) -> tuple[FootKneePoints, FootKneePoints] | None:
    """The frame's (front, back) leg points: the front leg is the one whose knee is higher (as in the half-kneel
    side choice); None without a person or either leg's points."""
    if r.xy_px is None:
        return None
    idx = LEG_LANDMARK_INDEX
    left_higher = r.xy_px[idx["left"]["knee"]][1] < r.xy_px[idx["right"]["knee"]][1]
    front, back = ("left", "right") if left_higher else ("right", "left")
    f, b = r.legs.get(front), r.legs.get(back)
    return None if f is None or b is None else (f, b)


@dataclass(frozen=True)
class BackFloorReading:
    """One frame's reading of the floor along the back leg."""

    direction: np.ndarray | None  # the floor's direction along the back leg (``back_floor_dir``, frame pixels)
    heel_height_foot_lengths: float  # the front heel above that floor line (``heel_height_along``); NaN if unusable


def back_floor_reading(front: FootKneePoints, back: FootKneePoints, cfg: HeelFloorConfig = HeelFloorConfig()
                       ) -> BackFloorReading:
    """The back leg's floor line (``back_floor_dir``) and the front heel's height above it (``heel_height_along``)
    from one frame's leg points."""
    d = back_floor_dir(front, back, cfg)
    return BackFloorReading(None, math.nan) if d is None else BackFloorReading(d, heel_height_along(front, d, cfg))


def frame_back_floor(r: FrameRecord, cfg: HeelFloorConfig = HeelFloorConfig()) -> BackFloorReading:
    """The back leg's floor line on one frame and the front heel's height above it. The back leg counts only where
    its knee rests on the floor (``knee_floor_px`` is NaN otherwise), so squats and lunges give no reading."""
    legs = front_and_back_legs(r)
    return BackFloorReading(None, math.nan) if legs is None else back_floor_reading(*legs, cfg)


def back_floor_direction(records: list[FrameRecord], cfg: HeelFloorConfig = HeelFloorConfig()) -> np.ndarray:
    """The floor's direction along the back leg (knee and toes resting on the floor) over a clip, in the first
    frame's pixels (unit, (2,), the front foot's heel-to-toe sense): the median over the frames that show it
    (``back_floor_dir``); NaN when none does."""
    dirs = []
    for r in records:
        d = frame_back_floor(r, cfg).direction
        if d is not None:
            dirs.append(unit(r.to_first_px(d, direction=True)))
    return median_direction(np.array(dirs)) if dirs else np.array([np.nan, np.nan])


def heel_floor_from_heights(heights: list[float], cfg: HeelFloorConfig = HeelFloorConfig()) -> HeelFloorCheck:
    """The heel's height above the back-leg floor over a clip or live session: a low percentile of the frames'
    readings (``frame_back_floor``; NaN readings are skipped)."""
    hs = [h for h in heights if math.isfinite(h)]
    if not hs:
        return HeelFloorCheck(None, 0, "no frame shows the back knee and toes resting on the floor")
    return HeelFloorCheck(float(np.percentile(hs, cfg.low_percentile)), len(hs),
                          "heel measured against the back leg's floor line (knee and toes on the floor)")


def heel_floor_check(records: list[FrameRecord], cfg: HeelFloorConfig = HeelFloorConfig()) -> HeelFloorCheck:
    """The heel's height above the back-leg floor over the clip (a low percentile of the usable frames)."""
    return heel_floor_from_heights([frame_back_floor(r, cfg).heel_height_foot_lengths for r in records], cfg)
