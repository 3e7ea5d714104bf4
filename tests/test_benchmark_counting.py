"""How the benchmarks count heel lifts (pure: fake rows, no rendering)."""

from __future__ import annotations

import pytest

from benchmarks.accuracy import FLAT_HEEL_CM, must_be_caught
from benchmarks.heel_pace import markdown, pace_cases, summarize


@pytest.mark.parametrize(("lift_cm", "caught"), [(0.9999998, True), (1.0, True), (2.5, True), (0.99, False),
                                                 (0.499997, False), (0.0, False)])
def test_a_rendered_1_cm_lift_must_be_caught(lift_cm, caught):
    assert must_be_caught(lift_cm) is caught


def _attempt(lift_cm: float, detected: bool, read_cm: float) -> dict:
    return {"lift_true_cm": lift_cm, "lifted_detected": detected, "heel_lift_cm_max": read_cm}


def test_heel_pace_summary_counts_lifts_false_alarms_and_readings():
    rows = [
        {"name": "clip_00_slow", "marker": False, "slow": True,
         "toes": [_attempt(0.04, False, 0.4), _attempt(0.9999998, True, 0.86), _attempt(0.03, False, 0.5)],
         "toe_tip": [_attempt(0.04, True, 0.92), _attempt(0.9999998, True, 1.2), _attempt(0.03, False, 0.7)]},
        {"name": "clip_01_slow", "marker": False, "slow": True,
         "toes": [_attempt(0.5, False, 0.6), _attempt(2.0, False, 0.5), _attempt(0.0, False, 0.1)],
         "toe_tip": [_attempt(0.5, True, 0.8), _attempt(2.0, True, 1.9), _attempt(0.0, False, 0.1)]},
    ]
    s = summarize(rows)
    toes, tip = s["slow pace, plain, toes"], s["slow pace, plain, toe_tip"]
    assert (toes["lifts_caught"], toes["lifts"], toes["false_alarms"], toes["flat"]) == (1, 2, 0, 3)
    assert (tip["lifts_caught"], tip["lifts"], tip["false_alarms"], tip["flat"]) == (2, 2, 1, 3)
    assert tip["flagged"] == ["clip_00_slow: 0.92 cm"]  # the 0.5 cm lift is neither required nor a false alarm
    assert toes["lowest_big_lift_read_cm"] == pytest.approx(0.5)
    assert toes["lift_read_mae_cm"] == pytest.approx((0.1400002 + 1.5) / 2)
    assert s["default pace, marker, toes"]["lifts"] == 0
    assert "| slow pace, plain, toe_tip | 2/2 | 1/3 |" in markdown(s)
    assert 0.0 < FLAT_HEEL_CM < 0.5


def test_heel_pace_renders_each_clip_at_both_paces():
    cases = pace_cases()
    slow = [c for c in cases if c.tags.get("slow")]
    assert len(slow) == len(cases) // 2 == 16
    assert all(c.clip["attempt_s"] == pytest.approx(2.5) for c in slow)
    assert {c.name.removesuffix("_slow") for c in slow} == {c.name for c in cases if not c.tags.get("slow")}


def test_the_recommended_set_up_takes_the_marker_reading_where_its_camera_was_used_else_the_foot_length_alone():
    from benchmarks.accuracy import RECOMMENDED, with_recommended

    nan = float("nan")
    base = {"kpt_marker_foot": 10.2, "shin_marker": 33.0, "verdict_marker_foot": "pass",
            "kpt_foot_lines": 8.9, "shin_foot_lines": 36.0, "verdict_foot_lines": "fail"}
    used = with_recommended({**base, "camera_model_used": True})
    assert (used[f"kpt_{RECOMMENDED}"], used[f"shin_{RECOMMENDED}"], used[f"verdict_{RECOMMENDED}"]) == (
        10.2, 33.0, "pass")
    for r in ({**base, "camera_model_used": False}, {**base, "camera_model_used": True, "shin_marker": nan}, base):
        got = with_recommended(r)
        assert (got[f"kpt_{RECOMMENDED}"], got[f"shin_{RECOMMENDED}"], got[f"verdict_{RECOMMENDED}"]) == (
            8.9, 36.0, "fail")
        assert f"kpt_{RECOMMENDED}" not in r  # the row itself is left as it was
