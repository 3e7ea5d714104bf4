"""Routine recommender: every rule branch, Hypothesis properties, and the plan CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from screening.errors import InvalidSettingError
from screening.plan import (
    JOINT_BLOCK,
    SOFT_TISSUE_BLOCK,
    HistoryPoint,
    Plan,
    PlanInput,
    SideInput,
    assess_history,
    make_plan,
    side_input_from_result,
)
from screening.routines import TARGETS, load_library
from screening.step2 import classify_step2

LIB = load_library()


def fail(side: str = "left", cm: float = 3.5, fist: float = 10.2) -> SideInput:
    return SideInput(side, "fail", cm, fist)  # type: ignore[arg-type]


def ids(plan: Plan) -> list[str]:
    return [s.drill_id for s in plan.steps if s.kind == "drill" and s.drill_id]


def session(plan: Plan, sid: str):
    return next(s for s in plan.sessions if s.id == sid)


# ---- library --------------------------------------------------------------------------------
def test_library_covers_spec_drills() -> None:
    needed = {"calf_rolling", "deep_flexor_release", "biphasic_stretch_straight", "biphasic_stretch_bent",
              "manual_talus_mobilisation", "three_way_ankle_mobilisation", "posterior_glide_taping",
              "towel_glide_dorsiflexion", "anchored_band_step_down", "calf_pyramid", "foot_ball_toe_arch_release",
              "barefoot_walking", "ankle_four_directions", "toe_elevated_rdl", "agility_drills",
              "loaded_three_plane_movement", "shin_and_calf_release", "gait_retraining"}
    assert needed <= set(LIB.drills)
    for d in LIB.drills.values():
        assert d.target in TARGETS and d.how_to and d.dose.text and d.frequency.text
        assert d.source.seed in LIB.sources
    assert {s.seed for s in (d.source for d in LIB.drills.values())} == {"000", "002", "004"}
    assert LIB.drill("three_way_ankle_mobilisation").dose.reps_min == 15
    assert LIB.drill("calf_pyramid").dose.rest_s_max == 30
    assert LIB.drill("calf_rolling").dose.time_s_max == 90
    assert LIB.drill("agility_drills").dose.rounds_max == 5
    per_week = {m.text for m in LIB.maintenance}
    assert {"at least 3 times a week", "at least once a week", "2-3 times a week"} <= per_week


# ---- rule branches -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sk,bk,present,absent",
    [
        ("back", "back", SOFT_TISSUE_BLOCK, JOINT_BLOCK),
        ("front", "front", JOINT_BLOCK, SOFT_TISSUE_BLOCK),
        ("back", "front", JOINT_BLOCK + SOFT_TISSUE_BLOCK, ()),
        ("neither", "back", SOFT_TISSUE_BLOCK, JOINT_BLOCK),
        ("front", "neither", JOINT_BLOCK, SOFT_TISSUE_BLOCK),
        ("neither", "neither", (), JOINT_BLOCK + SOFT_TISSUE_BLOCK),
    ],
)
def test_targeted_block_by_class(sk: str, bk: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    s2 = classify_step2(sk, bk)
    plan = make_plan(PlanInput(sides=(fail(),), step2=s2))
    got = ids(plan)
    assert plan.mode == "corrective"
    assert plan.classification == s2.classification
    for d in present:
        assert d in got
    for d in absent:
        assert d not in got
    # always-on work for a failing side
    for d in ("foot_ball_toe_arch_release", "ankle_four_directions", "calf_pyramid", "toe_elevated_rdl",
              "agility_drills", "loaded_three_plane_movement"):
        assert d in got
    habits = [s.drill_id for s in plan.steps if s.kind == "habit"]
    assert "barefoot_walking" in habits
    assert ("posterior_glide_taping" in habits) == (s2.effective_class in ("joint", "both"))


def test_both_puts_joint_work_before_soft_tissue() -> None:
    plan = make_plan(PlanInput(sides=(fail(),), step2=classify_step2("front", "back")))
    got = ids(plan)
    assert max(got.index(d) for d in JOINT_BLOCK) < min(got.index(d) for d in SOFT_TISSUE_BLOCK)
    assert any("joint work comes first" in n for n in plan.notes)


def test_half_answered_step2_is_low_confidence() -> None:
    plan = make_plan(PlanInput(sides=(fail(),), step2=classify_step2("neither", "front")))
    assert plan.classification == "unclear"
    assert any("low confidence" in n for n in plan.notes)


@pytest.mark.parametrize("step2", [None, classify_step2("neither", "neither")])
def test_no_step2_answer_asks_for_step2(step2) -> None:
    plan = make_plan(PlanInput(sides=(fail(),), step2=step2))
    assess = [s for s in plan.steps if s.kind == "assess"]
    assert assess and "Step 2" in assess[0].text
    assert plan.classification == ("not_tested" if step2 is None else "unclear")


def test_pass_gives_maintenance_only() -> None:
    plan = make_plan(PlanInput(sides=(SideInput("right", "pass", 12.0, 10.2),)))
    assert plan.mode == "maintenance"
    assert plan.classification == "not_needed"
    got = set(ids(plan))
    assert not got & set(JOINT_BLOCK + SOFT_TISSUE_BLOCK)
    assert {"foot_ball_toe_arch_release", "shin_and_calf_release", "toe_elevated_rdl",
            "loaded_three_plane_movement"} <= got
    strength = session(plan, "strength")
    assert [s.drill_id for s in strength.steps if s.kind == "drill"][0] == "calf_pyramid"
    assert any("3 times a week" in r for r in plan.schedule_rules)
    assert any("once a week" in r for r in plan.schedule_rules)
    assert any("2-3 times a week" in r for r in plan.schedule_rules)


def test_pass_even_with_step2_answers_stays_maintenance() -> None:
    plan = make_plan(PlanInput(sides=(SideInput("left", "pass", 11.0, 10.2),), step2=classify_step2("front", "front")))
    assert plan.mode == "maintenance" and not set(ids(plan)) & set(JOINT_BLOCK)


def test_not_measured_only_asks_to_remeasure() -> None:
    plan = make_plan(PlanInput(sides=(SideInput("left", "not_measured"),)))
    assert plan.mode == "remeasure"
    assert plan.steps[0].kind == "test" and not ids(plan)


def test_calf_pyramid_first_in_training_session() -> None:
    plan = make_plan(PlanInput(sides=(fail(),), step2=classify_step2("back", "back")))
    training = session(plan, "training")
    assert training.steps[0].kind == "test"
    assert [s.drill_id for s in training.steps if s.kind == "drill"][0] == "calf_pyramid"
    assert any("3-4 weeks" in r for r in plan.schedule_rules)


def test_weekly_schedule_and_texts() -> None:
    plan = make_plan(PlanInput(sides=(fail(),), step2=classify_step2("back", "back")))
    assert len(plan.weekly_schedule) == 7
    assert sum("mobility" in d.sessions for d in plan.weekly_schedule) == 3
    assert plan.judge_after_weeks == (4, 6) and "4-6 weeks" in plan.judge_text
    assert "not a diagnosis" in plan.safety_text and "swelling" in plan.safety_text
    assert any("bone" in c.lower() or "bones" in c.lower() for c in plan.caveats)


def test_asymmetry_prioritises_worse_side() -> None:
    left, right = fail("left", 6.0), fail("right", 3.0)  # 3 cm apart
    plan = make_plan(PlanInput(sides=(left, right), step2=classify_step2("back", "back")))
    assert plan.asymmetry is not None and plan.asymmetry.flagged
    assert plan.priority_side == "right"
    assert plan.steps[0].side == "right"
    assert any("right side reaches less far" in n for n in plan.notes)


def test_small_asymmetry_not_flagged() -> None:
    plan = make_plan(PlanInput(sides=(fail("left", 4.0), fail("right", 3.0))))
    assert plan.asymmetry is not None and not plan.asymmetry.flagged


def test_asymmetry_by_angle() -> None:
    sides = (SideInput("left", "fail", 4.0, 10.2, 30.0), SideInput("right", "fail", 4.2, 10.2, 36.0))
    plan = make_plan(PlanInput(sides=sides))
    assert plan.asymmetry is not None and plan.asymmetry.flagged and plan.priority_side == "left"


def test_both_pass_but_asymmetric_keeps_maintenance_and_names_side() -> None:
    sides = (SideInput("left", "pass", 14.0, 10.2), SideInput("right", "pass", 11.0, 10.2))
    plan = make_plan(PlanInput(sides=sides))
    assert plan.mode == "maintenance" and plan.priority_side == "right"
    assert plan.steps[0].side == "right"


def test_borderline_fail_note() -> None:
    plan = make_plan(PlanInput(sides=(fail(cm=9.5),)))
    assert any("borderline" in n for n in plan.notes)
    plan = make_plan(PlanInput(sides=(fail(cm=2.0),)))
    assert any("8.2 cm short" in n for n in plan.notes)


D0 = dt.date(2025, 1, 6)


def hist(values: list[float], side: str = "left", step_days: int = 7) -> tuple[HistoryPoint, ...]:
    return tuple(HistoryPoint(D0 + dt.timedelta(days=i * step_days), side, v) for i, v in enumerate(values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "values,step,status",
    [
        ([3.0], 7, "too_little_data"),
        ([3.0, 3.5, 4.0], 7, "too_early"),
        ([3.0, 3.2, 2.9, 3.1, 3.0, 3.3], 7, "plateau"),
        ([3.0, 4.0, 5.0, 6.0, 7.0], 7, "improving"),
        ([6.0, 5.0, 4.0, 3.5, 3.0], 7, "declining"),
    ],
)
def test_history_branches(values: list[float], step: int, status: str) -> None:
    assert assess_history(hist(values, step_days=step), "left").status == status


def test_same_day_retests_are_not_read_as_a_trend() -> None:
    """Test, drill, retest on one day (seed 000's routine): two saved screens the same day are named as such, not
    "0.0 weeks of data (+0.0 cm)"."""
    h = assess_history(hist([3.2, 11.9], step_days=0), "left")
    assert h.status == "too_early" and h.change_cm is None
    assert "2 screens, all on one day (3.2 -> 11.9 cm: same-day retests, not a trend yet)" in h.text
    assert "+0.0 cm" not in h.text


def test_plateau_suggests_professional_and_bony_limit() -> None:
    plan = make_plan(PlanInput(sides=(fail(),), step2=classify_step2("front", "front"),
                               history=hist([3.0, 3.2, 2.9, 3.1, 3.0, 3.3])))
    text = " ".join(plan.notes)
    assert "physiotherapist" in text and "bone" in text
    assert plan.history[0].status == "plateau"


def test_input_validation() -> None:
    with pytest.raises(InvalidSettingError):
        make_plan(PlanInput(sides=()))
    with pytest.raises(InvalidSettingError):
        make_plan(PlanInput(sides=(fail("left"), fail("left"))))


def test_side_input_from_result() -> None:
    si = side_input_from_result({"side": "right", "fist_width_cm": 8.9,
                                 "best": {"verdict": "fail", "knee_past_toe_cm": 4.0, "shin_angle_deg": 33.0}})
    assert si.side == "right" and si.below_mark_cm == pytest.approx(4.9)


# ---- Hypothesis properties ----------------------------------------------------------------
feels = st.sampled_from(["back", "front", "neither"])
side_inputs = st.builds(
    SideInput,
    side=st.just("left"),
    verdict=st.sampled_from(["pass", "fail", "not_measured"]),
    knee_past_toe_cm=st.one_of(st.none(), st.floats(-10, 25)),
    fist_width_cm=st.one_of(st.none(), st.floats(7, 13)),
    shin_angle_deg=st.one_of(st.none(), st.floats(0, 60)),
)


@st.composite
def plan_inputs(draw):
    left = draw(side_inputs)
    sides = [left]
    if draw(st.booleans()):
        sides.append(SideInput("right", draw(st.sampled_from(["pass", "fail", "not_measured"])),
                               draw(st.one_of(st.none(), st.floats(-10, 25))), left.fist_width_cm,
                               draw(st.one_of(st.none(), st.floats(0, 60)))))
    step2 = draw(st.one_of(st.none(), st.builds(classify_step2, feels, feels)))
    n = draw(st.integers(0, 6))
    history = tuple(HistoryPoint(D0 + dt.timedelta(days=draw(st.integers(0, 80))),
                                 draw(st.sampled_from(["left", "right"])), draw(st.floats(-5, 20)))
                    for _ in range(n))
    return PlanInput(sides=tuple(sides), step2=step2, history=history)


@settings(max_examples=150, deadline=None)
@given(plan_inputs())
def test_plan_properties(inp: PlanInput) -> None:
    plan = make_plan(inp)
    steps = plan.steps
    assert steps and steps[0].kind == "test"
    for sess in plan.sessions:
        if any(s.kind == "drill" for s in sess.steps):
            assert sess.steps[0].kind == "test"
    for i, s in enumerate(steps):
        if s.kind == "drill":
            assert i + 1 < len(steps) and steps[i + 1].kind == "retest", f"no retest after {s.drill_id}"
            assert s.drill_id in LIB.drills
            assert s.source == str(LIB.drill(s.drill_id).source)
            assert LIB.drill(s.drill_id).source.seed in LIB.sources
        if s.kind in ("drill", "habit"):
            assert s.source.startswith("seed 0")
    if all(x.verdict == "pass" for x in inp.sides):
        assert plan.mode == "maintenance"
        assert not set(ids(plan)) & set(JOINT_BLOCK + SOFT_TISSUE_BLOCK)
    assert "not a diagnosis" in plan.safety_text
    json.dumps(plan.to_json_dict())


# ---- CLI ------------------------------------------------------------------------------------
def _app():
    import ankle_cli.plan  # noqa: F401
    from ankle_cli.main import app

    return app


def test_cli_plan_json() -> None:
    r = CliRunner().invoke(_app(), ["plan", "--verdict", "fail", "--knee-past-toe-cm", "3.5", "--fist-cm", "10.2",
                                    "--straight-knee", "back", "--bent-knee", "front", "--side", "left", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["classification"] == "both"
    assert data["drills"] and all({"name", "dose", "source"} <= set(d) for d in data["drills"])
    assert data["steps"][0]["kind"] == "test"


def test_cli_plan_text_and_sex_default() -> None:
    r = CliRunner().invoke(_app(), ["plan", "--knee-past-toe-cm", "9.5", "--sex", "f"])
    assert r.exit_code == 0, r.output
    assert "maintenance" in r.output and "not a diagnosis" in r.output


def test_cli_plan_contradiction_is_user_error() -> None:
    r = CliRunner().invoke(_app(), ["plan", "--verdict", "pass", "--knee-past-toe-cm", "3", "--fist-cm", "10"])
    assert isinstance(r.exception, InvalidSettingError)
    r = CliRunner().invoke(_app(), ["plan", "--straight-knee", "back"])
    assert isinstance(r.exception, InvalidSettingError)
