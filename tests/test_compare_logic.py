"""Before/after comparison against the MDC, asymmetry, side-by-side image, compare CLI (JSON inputs)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from screening.compare import (
    ASYMMETRY_THRESHOLD_CM,
    PUBLISHED_MDC_CM,
    PUBLISHED_MDC_DEG,
    asymmetry,
    compare_results,
    minimal_detectable_change,
    repeatability,
    side_by_side,
)
from screening.errors import InvalidSettingError


def res(cm: float | None = 4.0, deg: float | None = 32.0, attempts: list[float] | None = None,
        scale_unc: float = 0.2, side: str = "left", verdict: str = "fail") -> dict:
    atts = attempts if attempts is not None else [cm - 0.2, cm] if cm is not None else []
    return {
        "side": side, "fist_width_cm": 10.2,
        "scale": {"px_per_cm": 10.0, "source": "marker", "uncertainty_cm": scale_unc, "relative_uncertainty": 0.02},
        "attempts": [{"knee_past_toe_cm": a, "shin_angle_deg": (deg or 0) + i * 0.5} for i, a in enumerate(atts)],
        "best": {"knee_past_toe_cm": cm, "shin_angle_deg": deg, "verdict": verdict, "fist_widths": None, "reason": ""},
        "retest_spread_cm": None, "frames": {},
    }


def test_identical_results_are_within_noise() -> None:
    r = res()
    c = compare_results(r, copy.deepcopy(r))
    assert c.change_cm == 0 and c.change_deg == 0
    assert c.overall == "within_noise" and c.change_cm_verdict == "within_noise"
    assert "within measurement noise" in c.summary
    assert c.mdc.cm == pytest.approx(PUBLISHED_MDC_CM) and c.mdc.basis_cm == "published"
    assert c.mdc.deg == pytest.approx(PUBLISHED_MDC_DEG)


def test_large_difference_is_real_change() -> None:
    c = compare_results(res(3.0, 30.0), res(9.0, 42.0))
    assert c.change_cm == pytest.approx(6.0) and c.change_deg == pytest.approx(12.0)
    assert c.overall == "real_improvement" and c.change_deg_verdict == "real_improvement"
    c = compare_results(res(9.0, 42.0), res(3.0, 30.0))
    assert c.overall == "real_decline"


def test_change_just_below_mdc_is_noise() -> None:
    c = compare_results(res(3.0), res(3.0 + PUBLISHED_MDC_CM - 0.05))
    assert c.overall == "within_noise"


def test_noisy_clips_raise_the_mdc() -> None:
    noisy = res(5.0, attempts=[1.0, 5.0, 3.0], scale_unc=1.0)
    rep = repeatability(noisy)
    assert rep.attempts_sd_cm == pytest.approx(2.0)
    mdc = minimal_detectable_change(noisy, noisy)
    assert mdc.basis_cm == "tool" and mdc.cm > PUBLISHED_MDC_CM
    assert mdc.tool_cm == pytest.approx(1.96 * np.sqrt(2 * (4.0 + 1.0)))
    # a 3 cm change is real against the published MDC but not against these noisy clips
    assert compare_results(noisy, res(8.0, attempts=[4.0, 8.0, 6.0], scale_unc=1.0)).overall == "within_noise"


def test_retest_spread_used_when_single_attempt() -> None:
    r = res(5.0, attempts=[5.0])
    r["retest_spread_cm"] = 0.7
    assert repeatability(r).attempts_sd_cm == pytest.approx(0.7)


def test_single_attempts_claim_no_shin_repeatability() -> None:
    """Two photos (one attempt each) have no attempt-to-attempt spread: the explanation says so for the shin instead
    of printing a repeatability of 0.0 deg; with repeated attempts it gives the figure."""
    photos = minimal_detectable_change(res(3.0, attempts=[3.0]), res(9.0, attempts=[9.0]))
    assert "none for the shin angle (one attempt each)" in photos.explanation and "0.0 deg;" not in photos.explanation
    clips = minimal_detectable_change(res(3.0), res(9.0))
    assert f"{clips.tool_deg:.1f} deg; the larger" in clips.explanation


def test_not_measured_and_warnings() -> None:
    c = compare_results(res(None, None, attempts=[]), res(5.0))
    assert c.overall == "not_measured"
    c = compare_results(res(4.0, side="left"), res(4.0, side="right"))
    assert any("different sides" in w for w in c.warnings)
    b, a = res(3.0), res(8.0, verdict="fail")
    a["scale"]["source"] = "height"
    assert any("scale" in w for w in compare_results(b, a).warnings)
    assert json.dumps(compare_results(b, a).to_json_dict())


@pytest.mark.parametrize(("before", "after", "warned"), [
    ("2d", "upright_lines", True), ("marker", "2d", True), ("2d", "2d", False), ("marker", "upright_lines", False)])
def test_a_change_of_method_between_clips_is_named(before: str, after: str, warned: bool) -> None:
    """One clip measured in 3-D (marker, camera height or upright lines) and the other flat: the user is told that
    part of the difference may be the method."""
    def view(how: str) -> dict:
        return {"camera_model": {"used": how != "2d", "source": "marker" if how == "2d" else how}}

    b, a = res(3.0), res(8.0)
    b["view"], a["view"] = view(before), view(after)
    said = [w for w in compare_results(b, a).warnings if "measured flat in the picture" in w]
    assert bool(said) is warned
    if warned:
        assert ("The before clip" in said[0]) is (before == "2d")


def test_asymmetry() -> None:
    a = asymmetry(5.0, 5.0 + ASYMMETRY_THRESHOLD_CM + 0.1)
    assert a.flagged and a.worse_side == "left"
    a = asymmetry(res(6.0), res(5.0, side="right"))
    assert not a.flagged and a.worse_side == "right" and a.difference_cm == pytest.approx(-1.0)
    a = asymmetry(4.0, 4.0, left_deg=30.0, right_deg=40.0)
    assert a.flagged and a.worse_side == "left"
    assert not asymmetry(None, 3.0).flagged


def test_side_by_side() -> None:
    a = np.full((40, 30, 3), 10, np.uint8)
    b = np.full((20, 50, 3), 200, np.uint8)
    out = side_by_side(a, b, pad_px=5)
    assert out.shape == (50, 95, 3) and out.dtype == np.uint8
    assert (out[5:45, 5:35] == 10).all()
    assert (out[15:35, 40:90] == 200).all()
    assert (out[0:5] == 255).all() and (out[5:15, 40:90] == 255).all()
    gray = side_by_side(np.zeros((10, 10)), np.ones((10, 10, 4), dtype=float), pad_px=0)
    assert gray.shape == (10, 20, 3) and gray[0, 15, 0] == 255
    with pytest.raises(InvalidSettingError):
        side_by_side(np.zeros((3,)), a)


def _app():
    import ankle_cli.compare  # noqa: F401
    from ankle_cli.main import app

    return app


def test_cli_compare_json_files(tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    b, a = tmp_path / "before.json", tmp_path / "after.json"
    b.write_text(json.dumps(res(3.0, 30.0)))
    a.write_text(json.dumps(res(9.0, 41.0)))
    runner = CliRunner()
    r = runner.invoke(_app(), ["compare", str(b), str(a), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["overall"] == "real_improvement" and data["change_cm"] == pytest.approx(6.0)
    r = runner.invoke(_app(), ["compare", str(b), str(b)])
    assert r.exit_code == 0 and "within measurement noise" in r.output
    # --image needs snapshots; without them it is a clear user error
    r = runner.invoke(_app(), ["compare", str(b), str(a), "--image", str(tmp_path / "x.png")])
    assert isinstance(r.exception, InvalidSettingError)
    mpimg.imsave(tmp_path / "before.png", np.full((60, 40, 3), 50, np.uint8))
    mpimg.imsave(tmp_path / "after.png", np.full((50, 40, 3), 150, np.uint8))
    r = runner.invoke(_app(), ["compare", str(b), str(a), "--image", str(tmp_path / "x.png"),
                               "--report", str(tmp_path / "c.pdf")])
    assert r.exit_code == 0, r.output
    img = mpimg.imread(tmp_path / "x.png")
    assert img.shape[0] == 60 + 32 and img.shape[1] == 80 + 48
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    r = runner.invoke(_app(), ["compare", str(tmp_path / "missing.json"), str(a)])
    assert isinstance(r.exception, InvalidSettingError)
