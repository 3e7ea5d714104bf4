"""Before/after comparison, left/right asymmetry and side-by-side snapshots. Pure (numpy only).

Minimal detectable change (MDC, 95 %) -- see docs/MDC.md for sources and reasoning:

- Published weight-bearing lunge test (WBLT) figures, same person retested by the same rater
  (Powden, Hoch & Hoch 2015, systematic review, Man Ther 20(4):524-532): average MDC 1.9 cm and
  4.7 deg. We use these as the floor of the MDC.
- The tool's own repeatability in the two clips being compared: the SD of the attempts'
  knee-past-toe (and shin angle) within each clip, and the scale's 1-sigma uncertainty on the
  distance. For the difference of two results, ``MDC_tool = 1.96 * sqrt(var_before + var_after)``.
- The MDC used is ``max(published, tool)``: the published figure already contains the real
  day-to-day variation of a person, which one clip's attempts cannot show, and the tool's own
  number catches a clip that is noisier than a clinician's tape.

Asymmetry between sides is flagged at 1.5 cm, the MDC of the between-limb lunge difference
(Chisholm et al. 2012, Physiother Can 64(4):347-355), or 4.7 deg of shin angle (Powden 2015).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from screening.errors import InvalidSettingError
from screening.results import ScreenResult, json_clean, measurement_method

#: Published MDC95 of the weight-bearing lunge test, intra-rater, averaged over studies (Powden 2015).
PUBLISHED_MDC_CM = 1.9
PUBLISHED_MDC_DEG = 4.7
PUBLISHED_MDC_SOURCE = (
    "Powden, Hoch & Hoch 2015, Reliability and minimal detectable change of the weight-bearing lunge test: "
    "a systematic review (Man Ther 20(4):524-532): average intra-clinician MDC 1.9 cm / 4.7 deg"
)
#: Side-to-side flag thresholds.
ASYMMETRY_THRESHOLD_CM = 1.5
ASYMMETRY_THRESHOLD_DEG = 4.7
ASYMMETRY_SOURCE = (
    "Chisholm et al. 2012 (Physiother Can 64(4):347-355): MDC of the between-limb lunge difference 1.5 cm; "
    "angle: Powden et al. 2015 average MDC 4.7 deg"
)
Z95 = 1.96

ChangeVerdict = Literal["real_improvement", "real_decline", "within_noise", "not_measured"]


@dataclass(frozen=True)
class MdcConfig:
    published_mdc_cm: float = PUBLISHED_MDC_CM
    published_mdc_deg: float = PUBLISHED_MDC_DEG
    z: float = Z95


@dataclass(frozen=True)
class Repeatability:
    """One result's own 1-sigma noise on its best value."""

    attempts_sd_cm: float | None
    attempts_sd_deg: float | None
    scale_uncertainty_cm: float | None
    n_attempts: int

    @property
    def sigma_cm(self) -> float:
        return math.sqrt((self.attempts_sd_cm or 0.0) ** 2 + (self.scale_uncertainty_cm or 0.0) ** 2)

    @property
    def sigma_deg(self) -> float:
        return self.attempts_sd_deg or 0.0


@dataclass(frozen=True)
class Mdc:
    cm: float
    deg: float
    tool_cm: float
    tool_deg: float
    published_cm: float
    published_deg: float
    basis_cm: Literal["published", "tool"]
    basis_deg: Literal["published", "tool"]
    explanation: str


@dataclass(frozen=True)
class Comparison:
    side_before: str | None
    side_after: str | None
    before_cm: float | None
    after_cm: float | None
    change_cm: float | None
    before_deg: float | None
    after_deg: float | None
    change_deg: float | None
    verdict_before: str
    verdict_after: str
    mdc: Mdc
    change_cm_verdict: ChangeVerdict
    change_deg_verdict: ChangeVerdict
    overall: ChangeVerdict
    summary: str
    warnings: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return json_clean(asdict(self))


@dataclass(frozen=True)
class Asymmetry:
    left_cm: float | None
    right_cm: float | None
    difference_cm: float | None  # right - left
    left_deg: float | None
    right_deg: float | None
    difference_deg: float | None
    worse_side: Literal["left", "right"] | None
    flagged: bool
    threshold_cm: float
    threshold_deg: float
    reason: str

    def to_json_dict(self) -> dict[str, Any]:
        return json_clean(asdict(self))


def as_result_dict(result: dict[str, Any] | ScreenResult) -> dict[str, Any]:
    if isinstance(result, ScreenResult):
        return result.to_json_dict()
    if isinstance(result, dict):
        return result
    raise InvalidSettingError("a result must be a ScreenResult or its JSON dict; re-run analyze to get one.")


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def _sd(values: list[float]) -> float | None:
    return statistics.stdev(values) if len(values) >= 2 else None


def repeatability(result: dict[str, Any] | ScreenResult) -> Repeatability:
    """The result's own noise: SD of heel-down attempts (or ``retest_spread_cm``) and scale uncertainty."""
    r = as_result_dict(result)
    attempts = r.get("attempts") or []
    cms = [v for a in attempts if (v := _num(a.get("knee_past_toe_cm"))) is not None]
    degs = [v for a in attempts if (v := _num(a.get("shin_angle_deg"))) is not None]
    sd_cm = _sd(cms)
    if sd_cm is None:
        # Fewer than two attempts: fall back on the pipeline's own spread figure, if any.
        sd_cm = _num(r.get("retest_spread_cm"))
    scale = r.get("scale") or {}
    unc = _num(scale.get("uncertainty_cm")) if isinstance(scale, dict) else None
    best = r.get("best") or {}
    best_unc = _num(best.get("knee_past_toe_uncertainty_cm"))
    if best_unc is not None and (unc is None or best_unc > unc):
        unc = best_unc
    return Repeatability(sd_cm, _sd(degs), unc, len(attempts))


def minimal_detectable_change(
    before: dict[str, Any] | ScreenResult | None = None,
    after: dict[str, Any] | ScreenResult | None = None,
    config: MdcConfig = MdcConfig(),
) -> Mdc:
    """MDC95 for a change between two results: max(published WBLT figure, tool's own repeatability)."""
    reps = [repeatability(x) for x in (before, after) if x is not None]
    tool_cm = config.z * math.sqrt(sum(r.sigma_cm**2 for r in reps)) if reps else 0.0
    tool_deg = config.z * math.sqrt(sum(r.sigma_deg**2 for r in reps)) if reps else 0.0
    cm = max(config.published_mdc_cm, tool_cm)
    deg = max(config.published_mdc_deg, tool_deg)
    basis_cm: Literal["published", "tool"] = "tool" if tool_cm > config.published_mdc_cm else "published"
    basis_deg: Literal["published", "tool"] = "tool" if tool_deg > config.published_mdc_deg else "published"
    # a shin spread comes only from repeated attempts: a photo or a single attempt has none to offer
    own_deg = (f"{tool_deg:.1f} deg" if any(r.attempts_sd_deg is not None for r in reps)
               else "none for the shin angle (one attempt each)")
    expl = (
        f"A change must exceed {cm:.1f} cm (or {deg:.1f} deg of shin angle) to count as real. "
        f"Published lunge-test figure: {config.published_mdc_cm:.1f} cm / {config.published_mdc_deg:.1f} deg; "
        f"these screens' own repeatability: {tool_cm:.1f} cm / {own_deg}; the larger is used."
    )
    return Mdc(cm, deg, tool_cm, tool_deg, config.published_mdc_cm, config.published_mdc_deg,
               basis_cm, basis_deg, expl)


def judge_change(change: float | None, mdc: float) -> ChangeVerdict:
    if change is None:
        return "not_measured"
    if change >= mdc:
        return "real_improvement"
    if change <= -mdc:
        return "real_decline"
    return "within_noise"


def compare_results(
    before: dict[str, Any] | ScreenResult,
    after: dict[str, Any] | ScreenResult,
    config: MdcConfig = MdcConfig(),
) -> Comparison:
    """Change from ``before`` to ``after`` in knee-past-toe cm and shin angle, judged against the MDC."""
    b, a = as_result_dict(before), as_result_dict(after)
    bb, ab = b.get("best") or {}, a.get("best") or {}
    b_cm, a_cm = _num(bb.get("knee_past_toe_cm")), _num(ab.get("knee_past_toe_cm"))
    b_deg, a_deg = _num(bb.get("shin_angle_deg")), _num(ab.get("shin_angle_deg"))
    d_cm = a_cm - b_cm if a_cm is not None and b_cm is not None else None
    d_deg = a_deg - b_deg if a_deg is not None and b_deg is not None else None
    mdc = minimal_detectable_change(b, a, config)
    v_cm, v_deg = judge_change(d_cm, mdc.cm), judge_change(d_deg, mdc.deg)
    warnings: list[str] = []
    sb, sa = b.get("side"), a.get("side")
    if sb and sa and sb != sa:
        warnings.append(f"The clips show different sides ({sb} before, {sa} after); this is a left/right "
                        "comparison, not a change over time.")
    src_b = (b.get("scale") or {}).get("source") if isinstance(b.get("scale"), dict) else None
    src_a = (a.get("scale") or {}).get("source") if isinstance(a.get("scale"), dict) else None
    if src_b and src_a and src_b != src_a:
        warnings.append(f"The scale came from different sources ({src_b} vs {src_a}); use the same method "
                        "both times for a fairer comparison.")
    how_b, how_a = (measurement_method(x.get("view") or {}) for x in (b, a))
    if (how_b == "2d") != (how_a == "2d"):
        flat, deep = ("before", "after") if how_b == "2d" else ("after", "before")
        warnings.append(f"The {flat} clip was measured flat in the picture (2-D) and the {deep} clip in 3-D, so part "
                        "of the difference may be the method (the flat reading can be a few cm and degrees off): "
                        "film both in the same place with the same set-up.")
    # The distance is the primary measure (it is what the fist mark is judged on); fall back on the angle.
    overall = v_cm if v_cm != "not_measured" else v_deg
    if v_cm in ("real_improvement", "real_decline") and v_deg in ("real_improvement", "real_decline") and v_cm != v_deg:
        warnings.append("Distance and shin angle moved in opposite directions; check that both clips were "
                        "filmed the same way.")
    summary = _summary(d_cm, d_deg, mdc, overall, bb.get("verdict", "not_measured"), ab.get("verdict", "not_measured"))
    return Comparison(sb, sa, b_cm, a_cm, d_cm, b_deg, a_deg, d_deg,
                      str(bb.get("verdict", "not_measured")), str(ab.get("verdict", "not_measured")),
                      mdc, v_cm, v_deg, overall, summary, warnings)


def _summary(d_cm: float | None, d_deg: float | None, mdc: Mdc, overall: ChangeVerdict, vb: str, va: str) -> str:
    if overall == "not_measured":
        return "No change can be stated: one of the results has no measured end range."
    parts = []
    if d_cm is not None:
        parts.append(f"knee past toe {d_cm:+.1f} cm (MDC {mdc.cm:.1f} cm)")
    if d_deg is not None:
        parts.append(f"shin angle {d_deg:+.1f} deg (MDC {mdc.deg:.1f} deg)")
    word = {
        "real_improvement": "a real improvement",
        "real_decline": "a real decrease",
        "within_noise": "within measurement noise, so no real change can be claimed",
    }[overall]
    joined = "; ".join(parts)
    s = f"{joined[:1].upper()}{joined[1:]}: {word}."
    if vb != va and vb in ("pass", "fail") and va in ("pass", "fail"):
        s += f" The screen went from {vb} to {va}."
    return s


def asymmetry(
    left: dict[str, Any] | ScreenResult | float | None,
    right: dict[str, Any] | ScreenResult | float | None,
    *,
    left_deg: float | None = None,
    right_deg: float | None = None,
    threshold_cm: float = ASYMMETRY_THRESHOLD_CM,
    threshold_deg: float = ASYMMETRY_THRESHOLD_DEG,
) -> Asymmetry:
    """Left vs right. Accepts two results (dicts / ScreenResult) or two knee-past-toe values in cm."""

    def pick(x: Any) -> tuple[float | None, float | None]:
        if x is None or isinstance(x, (int, float)):
            return _num(x), None
        best = as_result_dict(x).get("best") or {}
        return _num(best.get("knee_past_toe_cm")), _num(best.get("shin_angle_deg"))

    l_cm, l_deg0 = pick(left)
    r_cm, r_deg0 = pick(right)
    l_deg = left_deg if left_deg is not None else l_deg0
    r_deg = right_deg if right_deg is not None else r_deg0
    d_cm = r_cm - l_cm if l_cm is not None and r_cm is not None else None
    d_deg = r_deg - l_deg if l_deg is not None and r_deg is not None else None
    flag_cm = d_cm is not None and abs(d_cm) >= threshold_cm
    flag_deg = d_deg is not None and abs(d_deg) >= threshold_deg
    worse: Literal["left", "right"] | None = None
    if d_cm is not None and d_cm != 0:
        worse = "left" if d_cm > 0 else "right"
    elif d_deg is not None and d_deg != 0:
        worse = "left" if d_deg > 0 else "right"
    flagged = flag_cm or flag_deg
    if d_cm is None and d_deg is None:
        reason = "Both sides are needed to judge asymmetry."
    elif flagged:
        reason = (f"The {worse} side reaches less far ("
                  + (f"{abs(d_cm):.1f} cm" if d_cm is not None else f"{abs(d_deg or 0):.1f} deg")
                  + f" difference, flag at {threshold_cm:.1f} cm / {threshold_deg:.1f} deg); work on it first.")
    else:
        reason = (f"The sides differ by less than the flag threshold ({threshold_cm:.1f} cm / "
                  f"{threshold_deg:.1f} deg), which is within measurement noise.")
    return Asymmetry(l_cm, r_cm, d_cm, l_deg, r_deg, d_deg, worse, flagged, threshold_cm, threshold_deg, reason)


def side_by_side(
    before_rgb: np.ndarray,
    after_rgb: np.ndarray,
    *,
    pad_px: int = 16,
    background: tuple[int, int, int] = (255, 255, 255),
) -> np.ndarray:
    """Two RGB uint8 images next to each other, vertically centred, with padding around and between."""
    imgs = []
    for im in (before_rgb, after_rgb):
        arr = np.asarray(im)
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4):
            raise InvalidSettingError("a snapshot must be an RGB image array (height x width x 3).")
        arr = arr[..., :3]
        if arr.dtype != np.uint8:
            arr = np.clip(arr * (255.0 if arr.max(initial=0) <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        imgs.append(arr)
    pad = max(0, int(pad_px))
    h = max(im.shape[0] for im in imgs) + 2 * pad
    w = sum(im.shape[1] for im in imgs) + 3 * pad
    out = np.empty((h, w, 3), dtype=np.uint8)
    out[:, :] = np.asarray(background, dtype=np.uint8)
    x = pad
    for im in imgs:
        y = pad + (h - 2 * pad - im.shape[0]) // 2
        out[y : y + im.shape[0], x : x + im.shape[1]] = im
        x += im.shape[1] + pad
    return out


def save_png(rgb: np.ndarray, path: str) -> None:
    """Write an RGB array as PNG (matplotlib, no cv2)."""
    import matplotlib.image as mpimg

    mpimg.imsave(path, np.asarray(rgb, dtype=np.uint8))
