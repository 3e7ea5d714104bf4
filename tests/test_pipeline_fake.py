"""The whole pipeline with an injected fake landmarker whose geometry is known exactly."""

from __future__ import annotations

import pytest

from screening.errors import NoPersonError
from tests.fakes import FOOT_CM, FakePose, blank_clip, drives, scene
from vision.pipeline import AnalyzeOptions, analyze_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    p = tmp_path_factory.mktemp("fake") / "blank.mp4"
    blank_clip(p, seconds=4.0)
    return p


@pytest.mark.parametrize("facing", [1, -1])
def test_two_attempts_measured_exactly(clip, facing):
    est = FakePose(drives((25.0, 35.0)), facing=facing)
    res = analyze_clip(clip, AnalyzeOptions(foot_length_cm=FOOT_CM, sex="m"), estimator=est).result
    assert res.side == "left"
    assert res.facing == ("right" if facing > 0 else "left")
    assert res.scale is not None and res.scale.source == "foot_length"
    assert res.scale.px_per_cm == pytest.approx(5.0, rel=0.03)
    assert len(res.attempts) == 2
    for a, peak in zip(res.attempts, (25.0, 35.0), strict=False):
        truth = scene(peak)[3]
        assert a.heel_down
        assert a.shin_angle_deg == pytest.approx(peak, abs=1.0)
        assert a.knee_past_toe_cm == pytest.approx(truth["knee_past_toe_cm"], abs=0.6)
        assert a.fist_widths == pytest.approx(a.knee_past_toe_cm / 10.16, rel=1e-6)
    assert res.best.attempt_index == 1
    expected = "pass" if scene(35.0)[3]["knee_past_toe_cm"] >= 10.16 else "fail"
    assert res.best.verdict == expected


def test_heel_lift_attempt_is_flagged_and_its_heel_down_maximum_used(clip):
    sched = drives((30.0, 40.0))
    lift = lambda t: 2.0 if 2.6 < t < 3.4 else 0.0  # noqa: E731  heel up around the second end range
    res = analyze_clip(clip, AnalyzeOptions(foot_length_cm=FOOT_CM), estimator=FakePose(sched, lift)).result
    a1, a2 = res.attempts
    assert a1.heel_down and not a2.heel_down
    assert a2.heel_lift_cm_max == pytest.approx(2.0, abs=0.5)
    assert a2.end_range_time_s is not None and not 2.6 < a2.end_range_time_s < 3.4
    assert a2.shin_angle_deg < 39.0  # the heel-up peak of 40 deg is not counted


def test_no_person_raises_clear_error(clip):
    with pytest.raises(NoPersonError, match="No person"):
        analyze_clip(clip, AnalyzeOptions(), estimator=FakePose(drives(), person_from_s=99))


def test_json_contract_keys(clip):
    res = analyze_clip(clip, AnalyzeOptions(foot_length_cm=FOOT_CM), estimator=FakePose(drives())).result
    d = res.to_json_dict()
    assert d["side"] in ("left", "right")
    assert set(d["scale"]) >= {"px_per_cm", "source", "uncertainty_cm"}
    assert d["attempts"] and set(d["attempts"][0]) >= {
        "end_range_time_s", "knee_past_toe_cm", "fist_widths", "shin_angle_deg", "heel_down"}
    assert set(d["best"]) >= {"knee_past_toe_cm", "fist_widths", "shin_angle_deg", "verdict", "reason"}
    assert d["best"]["verdict"] in ("pass", "fail", "not_measured")
    idx = d["frames"]["frame_index"]
    assert 60 <= len(idx) <= 120 and idx == sorted(set(idx)) and len(d["frames"]["time_s"]) == len(idx)
    every = analyze_clip(clip, AnalyzeOptions(foot_length_cm=FOOT_CM, stride_frames=1),
                         estimator=FakePose(drives())).result.to_json_dict()
    assert every["frames"]["frame_index"] == list(range(120))  # stride 1: every frame analysed


@pytest.mark.parametrize(("frames", "shin", "noted"), [(1, 11.0, True), (1, 15.0, True), (1, 15.5, False),
                                                       (1, None, False), (90, 11.0, False)])
def test_photo_at_rest_note_table(frames, shin, noted):
    from screening.analysis import AnalysisConfig, photo_at_rest_note

    note = photo_at_rest_note(frames, shin, AnalysisConfig().photo_rest_shin_deg)
    assert (note is not None) is noted
    if noted:
        assert f"only {shin:.0f} deg forward" in note
