"""Pixel-per-centimetre scale of the screened foot's plane, with its uncertainty.

Sources in order of trust: a printed ArUco marker of known size; the user's measured foot length
against the foot silhouette; the user's body height via segment proportions; an assumed average
foot length (flagged, wide uncertainty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from calibration.lens import GIVEN, Lens
from screening.errors import InvalidSettingError
from screening.results import Scale

# Drillis & Contini (1966) segment proportions of body height H.
FOOT_LENGTH_PER_HEIGHT = 0.152
SHANK_LENGTH_PER_HEIGHT = 0.246  # knee joint centre to ankle joint centre
# Between-person spread of those ratios (relative SD), and of foot length for an assumed average.
FOOT_RATIO_REL_SD = 0.05
SHANK_RATIO_REL_SD = 0.07
ASSUMED_FOOT_LENGTH_CM = {"m": 26.3, "f": 23.8, None: 25.0}
ASSUMED_FOOT_REL_SD = 0.08
USER_TAPE_SD_CM = 0.4  # typical error of a person measuring their own foot or height with a tape
MARKER_DEPTH_REL_SD = 0.04  # the marker's far edge lies a few cm nearer the camera than the foot's plane


@dataclass(frozen=True)
class ScaleInputs:
    """What the user told us about scale (all optional)."""

    foot_length_cm: float | None = None
    height_cm: float | None = None
    marker_cm: float | None = None
    sex: str | None = None
    # the camera's lens above the floor (cm): with the foot length and a level phone, a camera model without marker
    camera_height_cm: float | None = None
    # the camera's lens when known (the user's setting, or the file's own data); else a phone's 1x camera is assumed
    lens: Lens | None = None

    def validate(self) -> None:
        if self.lens is not None:
            self.lens.validate()
        if self.foot_length_cm is not None and not 12.0 <= self.foot_length_cm <= 36.0:
            raise InvalidSettingError(
                f"A foot length of {self.foot_length_cm:g} cm is outside 12-36 cm. Measure heel to longest toe."
            )
        if self.height_cm is not None and not 90.0 <= self.height_cm <= 230.0:
            raise InvalidSettingError(f"A height of {self.height_cm:g} cm is outside 90-230 cm.")
        if self.marker_cm is not None and not 2.0 <= self.marker_cm <= 40.0:
            raise InvalidSettingError(f"A marker size of {self.marker_cm:g} cm is outside 2-40 cm.")
        if self.camera_height_cm is not None and not 5.0 <= self.camera_height_cm <= 250.0:
            raise InvalidSettingError(
                f"A camera height of {self.camera_height_cm:g} cm is outside 5-250 cm. Measure from the floor to the "
                "middle of the lens.")


@dataclass(frozen=True)
class SubjectSettings:
    """Who is screened and how the picture gets its scale: the settings clip analysis and the live screen
    share (each adds its own)."""

    side: str = "auto"  # "auto" | "left" | "right"
    fist_width_cm: float | None = None
    sex: str | None = None  # "m" | "f"
    foot_length_cm: float | None = None
    height_cm: float | None = None
    marker_cm: float | None = None
    camera_height_cm: float | None = None  # floor to the lens; a clip's and a webcam session's result (not the live preview)
    # the lens's 35 mm-equivalent focal length (a phone's 0.5x is ~13 mm, 1x ~26 mm); None: a clip's own data, else 1x
    lens_35mm_mm: float | None = None

    def scale_inputs(self) -> ScaleInputs:
        lens = Lens(self.lens_35mm_mm, GIVEN) if self.lens_35mm_mm is not None else None
        return ScaleInputs(self.foot_length_cm, self.height_cm, self.marker_cm, self.sex, self.camera_height_cm, lens)

    def validate(self) -> None:
        if self.side not in ("auto", "left", "right"):
            raise InvalidSettingError(f"Side must be auto, left or right (got '{self.side}').")
        self.scale_inputs().validate()


SCALE_SOURCE_WORDS: dict[str, str] = {
    "marker": "the printed marker",
    "foot_length": "your foot length",
    "height": "your height",
    "assumed_foot_length": "an assumed average foot length (give yours for trustworthy cm)",
}


def scale_source_words(source: str | None) -> str:
    """Where a result's scale came from, in words (``Scale.source``)."""
    return SCALE_SOURCE_WORDS.get(source or "", (source or "none").replace("_", " "))


def _robust(samples: np.ndarray) -> tuple[float, float, int]:
    """Median and the standard error of the median (from the MAD) of finite samples."""
    s = np.asarray(samples, dtype=float)
    s = s[np.isfinite(s)]
    if len(s) == 0:
        return math.nan, math.nan, 0
    med = float(np.median(s))
    mad = float(np.median(np.abs(s - med))) * 1.4826
    return med, 1.25 * mad / math.sqrt(len(s)) if len(s) > 1 else abs(med) * 0.05, len(s)


def scale_from_marker(marker_side_px: np.ndarray, marker_cm: float, edge_px: float = 1.0) -> Scale | None:
    """Scale from the printed marker's side length in pixels (the least foreshortened side per frame)."""
    med, sem, n = _robust(marker_side_px)
    if n == 0 or not med > 0:
        return None
    rel = math.sqrt((sem / med) ** 2 + (edge_px / med) ** 2 + MARKER_DEPTH_REL_SD**2)
    return Scale(med / marker_cm, "marker", math.nan, rel, f"{marker_cm:g} cm marker seen in {n} frames")


def scale_from_foot_length(foot_px: np.ndarray, foot_length_cm: float, edge_px: float) -> Scale | None:
    """Scale from the foot silhouette (heel back to toe tip, px) against the user's measured foot length."""
    med, sem, n = _robust(foot_px)
    if n == 0 or not med > 0:
        return None
    rel = math.sqrt((sem / med) ** 2 + (math.sqrt(2) * edge_px / med) ** 2 + (USER_TAPE_SD_CM / foot_length_cm) ** 2)
    return Scale(med / foot_length_cm, "foot_length", math.nan, rel, f"foot {foot_length_cm:g} cm = {med:.1f} px")


def scale_from_height(foot_px: np.ndarray, shank_px: np.ndarray, height_cm: float, edge_px: float) -> Scale | None:
    """Scale from body height via foot and shank proportions, combined by inverse variance."""
    estimates: list[tuple[float, float]] = []
    for samples, ratio, ratio_sd in (
        (foot_px, FOOT_LENGTH_PER_HEIGHT, FOOT_RATIO_REL_SD),
        (shank_px, SHANK_LENGTH_PER_HEIGHT, SHANK_RATIO_REL_SD),
    ):
        med, sem, n = _robust(samples)
        if n and med > 0:
            rel = math.sqrt((sem / med) ** 2 + (edge_px / med) ** 2 + ratio_sd**2 + (USER_TAPE_SD_CM / height_cm) ** 2)
            estimates.append((med / (ratio * height_cm), rel))
    if not estimates:
        return None
    w = np.array([1.0 / r**2 for _, r in estimates])
    v = np.array([s for s, _ in estimates])
    px_per_cm = float((w * v).sum() / w.sum())
    rel = float(1.0 / math.sqrt(w.sum()))
    return Scale(px_per_cm, "height", math.nan, rel, f"height {height_cm:g} cm via foot and shank proportions")


def scale_assumed(foot_px: np.ndarray, sex: str | None, edge_px: float) -> Scale | None:
    """Last resort: an average adult foot length for the given sex (wide uncertainty, flagged)."""
    key = sex[:1].lower() if sex else None
    length = ASSUMED_FOOT_LENGTH_CM.get(key, ASSUMED_FOOT_LENGTH_CM[None])
    s = scale_from_foot_length(foot_px, length, edge_px)
    if s is None:
        return None
    rel = math.sqrt(s.relative_uncertainty**2 + ASSUMED_FOOT_REL_SD**2)
    return Scale(
        s.px_per_cm,
        "assumed_foot_length",
        math.nan,
        rel,
        f"no foot length, height or marker given: assumed an average foot of {length:g} cm",
    )


def with_distance_uncertainty(scale: Scale, distance_cm: float | None, edge_px: float) -> Scale:
    """Fill ``uncertainty_cm``: the 1-sigma error on a knee-past-toe figure of ``distance_cm``."""
    d = abs(distance_cm) if distance_cm is not None and math.isfinite(distance_cm) else 0.0
    edge_cm = math.sqrt(2) * edge_px / scale.px_per_cm
    unc = math.sqrt((d * scale.relative_uncertainty) ** 2 + edge_cm**2)
    return Scale(scale.px_per_cm, scale.source, unc, scale.relative_uncertainty, scale.detail)
