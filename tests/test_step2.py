"""Step 2 classification (seed 000, Step 2): table-driven over every answer pair."""

from __future__ import annotations

import pytest

from screening.errors import InvalidSettingError
from screening.step2 import classify_step2, instructions, parse_feel, step2_figure, step2_figure_svg

TABLE = [
    # straight, bent, class, confidence, lean
    ("back", "back", "soft_tissue", "high", None),
    ("front", "front", "joint", "high", None),
    ("back", "front", "both", "high", None),
    ("front", "back", "both", "high", None),
    ("neither", "neither", "unclear", "none", None),
    ("neither", "back", "unclear", "low", "soft_tissue"),
    ("back", "neither", "unclear", "low", "soft_tissue"),
    ("neither", "front", "unclear", "low", "joint"),
    ("front", "neither", "unclear", "low", "joint"),
]


@pytest.mark.parametrize("sk,bk,cls,conf,lean", TABLE)
def test_classification_table(sk: str, bk: str, cls: str, conf: str, lean: str | None) -> None:
    r = classify_step2(sk, bk)
    assert r.classification == cls
    assert r.confidence == conf
    assert r.lean == lean
    assert r.reason and len(r.reason) > 30
    assert "seed 000" in r.source
    assert r.effective_class == (lean if cls == "unclear" and lean else cls)
    d = r.to_json_dict()
    assert d["classification"] == cls and d["effective_class"] == r.effective_class


@pytest.mark.parametrize("alias,feel", [("Stretch", "back"), ("pinch", "front"), ("block", "front"),
                                        ("none", "neither"), (" BACK ", "back")])
def test_aliases(alias: str, feel: str) -> None:
    assert parse_feel(alias) == feel


def test_bad_answer_is_a_user_error() -> None:
    with pytest.raises(InvalidSettingError, match="back"):
        classify_step2("sideways", "back")


def test_measured_angles_are_kept() -> None:
    r = classify_step2("back", "back", straight_knee_shin_angle_deg=28.0, bent_knee_shin_angle_deg=35.5)
    assert r.straight_knee_shin_angle_deg == 28.0 and r.bent_knee_shin_angle_deg == 35.5


@pytest.mark.parametrize("position", ["straight_knee", "bent_knee"])
def test_instructions_and_figures(position: str) -> None:
    steps = instructions(position)  # type: ignore[arg-type]
    assert len(steps) >= 3 and all(s.endswith(".") for s in steps)
    png = step2_figure(position, "png", dpi=40)  # type: ignore[arg-type]
    assert png.startswith(b"\x89PNG")
    assert "<svg" in step2_figure_svg(position)  # type: ignore[arg-type]


def test_unknown_position() -> None:
    with pytest.raises(InvalidSettingError):
        instructions("sideways")  # type: ignore[arg-type]
