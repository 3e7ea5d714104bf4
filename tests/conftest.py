"""Shared fixtures: real clips from ../shared/realdata and analyses cached once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ANKLE_SHARED", REPO.parent / "shared"))
REALDATA = SHARED / "realdata"
PEXELS = REALDATA / "side_squat_pexels_6980032.mp4"
PEXELS_ROTATED = REALDATA / "side_squat_pexels_6980032_rotated_tag.mp4"
SPORTS2D = REALDATA / "sports2d_demo_vp9.mp4"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real clip {path} is missing (CI has ../shared/realdata)")
    return path


_CACHE: dict[tuple, object] = {}


def cached_analysis(path: Path, **opts):
    """Analyse a real clip with the real model once per session per option set."""
    from vision.pipeline import AnalyzeOptions, analyze_clip

    key = (str(path), tuple(sorted(opts.items())))
    if key not in _CACHE:
        _CACHE[key] = analyze_clip(need(path), AnalyzeOptions(**opts))
    return _CACHE[key]


@pytest.fixture(autouse=True)
def _isolated_history(tmp_path, monkeypatch):
    """Never touch the user's real history database from tests."""
    monkeypatch.setenv("ANKLE_SCREEN_DB", str(tmp_path / "history.sqlite3"))
