"""Choices shared by the sub-commands."""

from __future__ import annotations

from enum import Enum


class SideOpt(str, Enum):
    """Screened leg, or auto-detect."""

    auto = "auto"
    left = "left"
    right = "right"


class LegOpt(str, Enum):
    """A named leg (no auto)."""

    left = "left"
    right = "right"


class SexOpt(str, Enum):
    """Picks the default fist width (seed 000)."""

    m = "m"
    f = "f"
