"""Typed results of a screen. Units are in field names; unmeasurable values are ``None`` plus a reason."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from calibration.lens import GIVEN, Lens, lens_words

Side = Literal["left", "right"]
Verdict = Literal["pass", "fail", "not_measured"]


def measurement_method(view: dict[str, Any]) -> str:
    """How a result was measured, as a key: "marker", "camera_height", "upright_lines" (3-D) or "2d"."""
    cam = view.get("camera_model") or {}
    return str(cam.get("source") or "marker") if cam.get("used") else "2d"


def is_photo(video: dict[str, Any] | None) -> bool:
    """Whether a result (its ``video`` summary) was measured on a photo: one moment, no time series."""
    return bool((video or {}).get("is_still"))


def measured_how(view: dict[str, Any]) -> str:
    """How the knee and shin were measured, in words, from a result's ``view`` (its ``camera_model`` summary)."""
    cam = view.get("camera_model") or {}
    how = measurement_method(view)
    mm = cam.get("lens_35mm_mm")
    lens = "; " + lens_words(Lens(float(mm), str(cam.get("lens_source") or GIVEN)) if mm else None)
    if how == "upright_lines":
        return "in 3-D, from upright lines behind you (the phone's tilt) and your foot length (its height)" + lens
    if how == "camera_height":
        if cam.get("roll_from_upright_lines"):
            return (f"in 3-D, from the camera height you gave (the phone's sideways tilt, "
                    f"{float(cam.get('roll_deg', 0.0)):.1f} deg, read from upright lines behind you)" + lens)
        return "in 3-D, from the camera height you gave (the phone assumed level)" + lens
    if how == "marker":
        return "in 3-D, with the camera model from the printed marker" + lens
    return ("flat in the picture (2-D); a printed marker, the camera height, or door frames and shelves in view behind "
            "you measure in 3-D")


@dataclass(frozen=True)
class Scale:
    """Pixel-to-centimetre scale of the screened foot's plane.

    ``uncertainty_cm`` is the 1-sigma uncertainty this scale puts on a knee-past-toe figure of the
    best attempt (scale error times distance, plus silhouette edge error); ``relative_uncertainty``
    is the 1-sigma relative error of ``px_per_cm`` itself.
    """

    px_per_cm: float
    source: str  # "marker" | "foot_length" | "height" | "assumed_foot_length"
    uncertainty_cm: float
    relative_uncertainty: float
    detail: str = ""


@dataclass(frozen=True)
class Attempt:
    """One forward drive of the knee and its return, with its heel-down end range."""

    index: int
    start_time_s: float
    end_time_s: float
    end_range_time_s: float | None
    end_range_frame: int | None
    knee_past_toe_cm: float | None
    fist_widths: float | None
    shin_angle_deg: float | None
    heel_down: bool  # False when the heel lifted at some point during the attempt
    heel_lift_cm_max: float | None
    reason: str = ""  # why a value is None


@dataclass(frozen=True)
class Best:
    knee_past_toe_cm: float | None
    fist_widths: float | None
    shin_angle_deg: float | None
    verdict: Verdict
    reason: str
    attempt_index: int | None = None
    knee_past_toe_uncertainty_cm: float | None = None


@dataclass(frozen=True)
class FrameSeries:
    """Per-frame measurements (NaN where a frame was not measurable)."""

    frame_index: list[int]
    time_s: list[float]
    knee_past_toe_cm: list[float]
    shin_angle_deg: list[float]
    heel_lift_cm: list[float]
    heel_down: list[bool]
    pose_found: list[bool]


@dataclass(frozen=True)
class ScreenResult:
    source: str
    side: Side | None
    side_reason: str
    facing: Literal["left", "right"] | None  # direction the toes point in the displayed image
    scale: Scale | None
    fist_width_cm: float
    fist_source: str
    attempts: list[Attempt]
    best: Best
    frames: FrameSeries
    video: dict[str, Any] = field(default_factory=dict)
    person: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    retest_spread_cm: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready dict; NaN becomes null. Keys of the issue-3 contract are stable."""
        return json_clean(asdict(self))


def json_clean(obj: Any) -> Any:
    """JSON-ready copy: NaN/inf become None, floats rounded to 4 places, tuples become lists."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else round(obj, 4)
    if isinstance(obj, dict):
        return {k: json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_clean(v) for v in obj]
    return obj
