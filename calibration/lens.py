"""The camera's lens: its 35 mm-equivalent focal length and the field of view it gives.

Phones name their lenses by zoom (0.5x ultra-wide, 1x main, 2x/3x telephoto) and write the 35 mm-equivalent
focal length into a photo's EXIF (``FocalLengthIn35mmFilm``) and, on iPhones, into a video's QuickTime metadata.
The 35 mm equivalent is defined by the diagonal (CIPA DC-008): the frame's diagonal is scaled to the 43.27 mm of a
36 x 24 mm frame. A phone's sensor is 4:3 and its 16:9 video and photos crop the sensor's height, keeping its
width, so the long side is taken as that of a 4:3 frame with the full-frame diagonal (34.6 mm) whatever the
picture's own shape: 26 mm (a phone's 1x camera) then gives 67 deg across the long side, the lens assumed when
none is known.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import SupportsFloat

from screening.errors import InvalidSettingError

FULL_FRAME_DIAGONAL_MM = math.hypot(36.0, 24.0)  # 43.27 mm
LONG_SIDE_MM = FULL_FRAME_DIAGONAL_MM * 4.0 / 5.0  # the long side of a 4:3 frame with that diagonal: 34.6 mm
MIN_LENS_MM = 10.0  # wider than any phone's ultra-wide (13-14 mm): 120 deg across the long side
MAX_LENS_MM = 250.0
# the zooms phones name their cameras by, as 35 mm-equivalent focal lengths (mm); 1x is a phone's main camera
ZOOM_LENS_MM: dict[str, float] = {"0.5x": 13.0, "1x": 26.0, "2x": 52.0, "3x": 77.0, "5x": 120.0}

# where a lens came from (``Lens.source``)
GIVEN = "given"  # the user's setting
PHOTO_EXIF = "photo_exif"  # the photo's EXIF FocalLengthIn35mmFilm
VIDEO_METADATA = "video_metadata"  # the video's QuickTime metadata (iPhone)
_SOURCE_WORDS = {GIVEN: "as you set it", PHOTO_EXIF: "from the photo's EXIF data",
                 VIDEO_METADATA: "from the video's own data"}


@dataclass(frozen=True)
class Lens:
    """A known lens: its 35 mm-equivalent focal length (mm) and where it came from."""

    focal_35mm_mm: float
    source: str = GIVEN

    @property
    def fov_long_side_deg(self) -> float:
        return fov_long_side_deg_from_35mm(self.focal_35mm_mm)

    def describe(self) -> str:
        return f"lens {self.focal_35mm_mm:g} mm (35 mm equivalent) {_SOURCE_WORDS.get(self.source, self.source)}"

    def validate(self) -> None:
        if not MIN_LENS_MM <= self.focal_35mm_mm <= MAX_LENS_MM:
            raise InvalidSettingError(
                f"A lens of {self.focal_35mm_mm:g} mm is outside {MIN_LENS_MM:g}-{MAX_LENS_MM:g} mm (35 mm "
                "equivalent: a phone's ultra-wide is about 13 mm, its main camera about 26 mm).")


def lens_words(lens: Lens | None) -> str:
    """The lens a 3-D measurement took, in words (the assumed one when none was known)."""
    return lens.describe() if lens is not None else (
        "lens assumed: a phone's 1x camera (set the lens if you filmed with 0.5x or a zoom)")


def fov_long_side_deg_from_35mm(focal_35mm_mm: float) -> float:
    """Field of view (deg) across the picture's long side of a lens of this 35 mm-equivalent focal length (mm)."""
    return 2.0 * math.degrees(math.atan(0.5 * LONG_SIDE_MM / focal_35mm_mm))


def focal_35mm_from_fov_long_side(fov_long_side_deg: float) -> float:
    """The inverse of ``fov_long_side_deg_from_35mm`` (mm)."""
    return 0.5 * LONG_SIDE_MM / math.tan(math.radians(fov_long_side_deg) / 2.0)


_LENS_TEXT = re.compile(r"^\s*(?:(?P<zoom>\d+(?:\.\d+)?)\s*x|(?P<mm>\d+(?:\.\d+)?)\s*(?:mm)?)\s*$", re.IGNORECASE)


def parse_lens(text: str) -> Lens:
    """A lens as a user writes it: a phone zoom ("0.5x", "1x", "2x", "3x", "5x") or a 35 mm-equivalent focal length
    ("13mm", "26"). Raises InvalidSettingError with what to write instead."""
    m = _LENS_TEXT.match(text or "")
    if m is None:
        raise InvalidSettingError(
            f"'{text}' is not a lens. Write the phone camera's zoom (0.5x, 1x, 2x, 3x or 5x) or its 35 mm-equivalent "
            "focal length in mm (e.g. 26mm).")
    if m.group("zoom") is not None:
        zoom = f"{float(m.group('zoom')):g}x"
        if zoom not in ZOOM_LENS_MM:
            raise InvalidSettingError(
                f"'{text}' is not a zoom phones name a camera by: write one of {', '.join(ZOOM_LENS_MM)}, or the "
                "35 mm-equivalent focal length in mm.")
        lens = Lens(ZOOM_LENS_MM[zoom])
    else:
        lens = Lens(float(m.group("mm")))
    lens.validate()
    return lens


def lens_from_metadata(value: str | bytes | SupportsFloat | None, source: str) -> Lens | None:
    """A lens from a file's 35 mm-equivalent focal length tag (a number, a fraction or text like "26" or "26 mm");
    None when absent, unreadable or implausible (0 means "unknown" in EXIF)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="ignore")
    try:
        mm = float(value.lower().replace("mm", "").strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(mm) and MIN_LENS_MM <= mm <= MAX_LENS_MM):
        return None
    return Lens(mm, source)
