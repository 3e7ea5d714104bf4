"""Fist width: the pass mark of the half-kneeling screen (seed 000, Step 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from screening.errors import InvalidSettingError

Sex = Literal["m", "f"]

# Seed 000 (Rusin, "Fix Your Ankle Mobility In Five Minutes"): about 4 in for men, 3.5 in for women.
FIST_DEFAULT_CM: dict[str, float] = {"m": 4.0 * 2.54, "f": 3.5 * 2.54}
FIST_UNKNOWN_CM = 4.0 * 2.54  # the stricter mark when sex is not given
CM_PER_IN = 2.54


@dataclass(frozen=True)
class FistWidth:
    width_cm: float
    source: str  # "measured" | "default_m" | "default_f" | "default_unknown"


def fist_width(fist_cm: float | None = None, sex: str | None = None, fist_in: float | None = None) -> FistWidth:
    """The user's measured fist width, else the seed-000 default for their sex, else the men's default."""
    if fist_cm is not None and fist_in is not None:
        raise InvalidSettingError("Give the fist width in cm or in inches, not both.")
    if fist_in is not None:
        fist_cm = fist_in * CM_PER_IN
    if fist_cm is not None:
        if not 5.0 <= fist_cm <= 15.0:
            raise InvalidSettingError(
                f"A fist width of {fist_cm:.1f} cm is outside 5-15 cm. Measure across the knuckles and retry."
            )
        return FistWidth(float(fist_cm), "measured")
    if sex is not None:
        s = sex.strip().lower()[:1]
        if s not in FIST_DEFAULT_CM:
            raise InvalidSettingError(f"Sex must be 'm' or 'f' (got '{sex}').")
        return FistWidth(FIST_DEFAULT_CM[s], f"default_{s}")
    return FistWidth(FIST_UNKNOWN_CM, "default_unknown")


FIST_SOURCE_WORDS: dict[str, str] = {
    "measured": "your measured fist",
    "default_m": "the usual men's fist, about 4 in",
    "default_f": "the usual women's fist, about 3.5 in",
    "default_unknown": "the men's 4 in fist, the stricter mark: sex not given",
}


def fist_source_words(source: str | None) -> str:
    """How a result's fist width was chosen, in words (``FistWidth.source``; a saved result may carry none)."""
    return FIST_SOURCE_WORDS.get(source or "", "given")
