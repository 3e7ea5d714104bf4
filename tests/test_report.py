"""PDF report: builds a valid PDF with the expected text; trend plots build."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from screening.compare import compare_results
from screening.history import HistoryStore
from screening.plan import PlanInput, make_plan, side_input_from_result
from screening.report import build_report, knee_travel_png
from screening.step2 import classify_step2
from screening.trend import trend_figure, trend_png, trend_series


def sample_result(kpt: float = 3.5, deg: float = 32.0, fist: float = 10.2, n: int = 120) -> dict:
    t = [i / 30 for i in range(n)]
    k = [kpt * math.sin(math.pi * x / (n / 30)) for x in t]
    return {
        "source": "/videos/clip.mp4", "side": "left", "side_reason": "", "facing": "right",
        "scale": {"px_per_cm": 12.3, "source": "marker", "uncertainty_cm": 0.2, "relative_uncertainty": 0.01},
        "fist_width_cm": fist, "fist_source": "measured",
        "attempts": [{"index": 0, "end_range_time_s": 2.0, "knee_past_toe_cm": kpt, "shin_angle_deg": deg,
                      "heel_down": True}],
        "best": {"knee_past_toe_cm": kpt, "fist_widths": kpt / fist, "shin_angle_deg": deg,
                 "verdict": "pass" if kpt >= fist else "fail", "reason": "", "knee_past_toe_uncertainty_cm": 0.3},
        "frames": {"time_s": t, "knee_past_toe_cm": k, "shin_angle_deg": [20.0] * n, "heel_lift_cm": [0.0] * n,
                   "heel_down": [not (50 < i < 55) for i in range(n)]},
        "warnings": [], "retest_spread_cm": 0.2,
    }


def _pdf_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(path: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def _entries(tmp_path: Path):
    t0 = dt.datetime(2025, 1, 6)
    with HistoryStore.open(tmp_path / "h.db") as s:
        for w in range(6):
            s.add(sample_result(3.0 + w), timestamp=t0 + dt.timedelta(weeks=w))
        return s.entries()


def test_full_report(tmp_path: Path) -> None:
    r = sample_result()
    s2 = classify_step2("back", "front")
    plan = make_plan(PlanInput(sides=(side_input_from_result(r),), step2=s2))
    snap = np.zeros((360, 640, 3), np.uint8)
    snap[:, :, 1] = 150
    out = build_report(r, tmp_path / "r.pdf", snapshot_rgb=snap, plan=plan, step2=s2,
                       trend_png=trend_png(_entries(tmp_path)),
                       comparison=compare_results(sample_result(2.0), r))
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    pages = _pages(out)
    if pages is not None:
        assert pages <= 2
    text = _pdf_text(out)
    if text is None:
        pytest.skip("pdftotext not installed; checked the PDF structure only")
    for needle in ("Ankle screen: left ankle", "BELOW THE MARK", "Knee past toe", "3.5 cm", "marker",
                   "32.0\u00b0", "Calf raise pyramid", "seed 000", "seed 002", "seed 004",
                   "soft-tissue and joint limit", "Progress over weeks", "Before / after", "not a diagnosis",
                   "4-6 weeks"):
        assert needle in text, needle


def test_minimal_report_and_pass(tmp_path: Path) -> None:
    r = sample_result(12.0)
    r["frames"] = {}
    out = build_report(r, tmp_path / "p.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    text = _pdf_text(out)
    if text is not None:
        assert "PASS" in text and "not a diagnosis" in text


def test_a_photo_report_names_the_photo_in_words_without_a_plot(tmp_path: Path) -> None:
    """A photo's report: "photo:" not "clip:", the scale and fist sources in words, the verdict's reason as its own
    sentence, and no knee-travel plot (one moment)."""
    r = sample_result(3.2, n=1)
    r["source"] = "/photos/end_range.jpg"
    r["video"] = {"is_still": True}
    r["scale"]["source"] = "foot_length"
    r["fist_source"] = "default_unknown"
    r["best"]["reason"] = "the kneecap reached 3.2 cm past the toe, 7.0 cm short of the 10.2 cm fist"
    out = build_report(r, tmp_path / "photo.pdf")
    text = _pdf_text(out)
    if text is None:
        pytest.skip("pdftotext not installed; checked the PDF structure only")
    flat = " ".join(text.split())
    assert "photo: end_range.jpg" in flat and "clip:" not in flat
    assert "your foot length" in flat and "foot_length" not in flat
    assert "sex not given" in flat and "default_unknown" not in flat
    assert "(seed 000 Step 1). The kneecap reached 3.2 cm past the toe" in flat
    assert "Knee travel over the clip" not in flat
    clip = _pdf_text(build_report(sample_result(), tmp_path / "clip.pdf"))
    assert clip is not None and "Knee travel over the clip" in clip and "clip: clip.mp4" in clip


def test_knee_travel_plot() -> None:
    assert knee_travel_png(sample_result()).startswith(b"\x89PNG")  # type: ignore[union-attr]
    assert knee_travel_png({"frames": {}}) is None


def test_trend(tmp_path: Path) -> None:
    es = _entries(tmp_path)
    series = trend_series(es)
    assert set(series) == {"left"}
    s = series["left"]
    assert s.weeks[0] == 0 and s.weeks[-1] == pytest.approx(5.0) and s.baseline_cm == 3.0
    fig = trend_figure(es, mdc_cm=1.9)
    assert len(fig.data) == 2
    png = trend_png(es, tmp_path / "t.png")
    assert png.startswith(b"\x89PNG") and (tmp_path / "t.png").exists()
    assert trend_png([]).startswith(b"\x89PNG")
