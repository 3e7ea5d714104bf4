"""Synthetic half-kneeling bodies with exact ground truth (MakeHuman mesh, software renderer).

Public API: ``RenderParams``, ``render_still``, ``render_clip``; lower level: ``body``
(``PoseParams``, ``pose_half_kneel``), ``camera``, ``truth``.
"""

from .body import PosedBody, PoseParams, pose_half_kneel
from .render import RenderParams, render_clip, render_still

__all__ = ["PoseParams", "PosedBody", "RenderParams", "pose_half_kneel", "render_clip", "render_still"]
