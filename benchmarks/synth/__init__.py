"""Synthetic half-kneeling bodies with exact ground truth (MakeHuman mesh, software renderer).

Public API: ``RenderParams``, ``render_still``, ``render_clip``; lower level: ``body``
(``PoseParams``, ``pose_half_kneel``), ``camera``, ``truth``. See README.md here.

Names are loaded lazily so that ``python -m benchmarks.synth.render`` runs cleanly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["PoseParams", "PosedBody", "RenderParams", "pose_half_kneel", "render_clip", "render_still"]

_WHERE = {
    "PoseParams": "body",
    "PosedBody": "body",
    "pose_half_kneel": "body",
    "RenderParams": "render",
    "render_clip": "render",
    "render_still": "render",
}

if TYPE_CHECKING:
    from .body import PosedBody, PoseParams, pose_half_kneel
    from .render import RenderParams, render_clip, render_still


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
