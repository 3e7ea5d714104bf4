"""Foot points on the printed marker are not used: a marker laid against the foot can join the person in the
segmentation mask, and the heel's lowest point is then found on the marker's edge (pure, no model)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from calibration.fist import fist_width
from calibration.scale import ScaleInputs
from screening.analysis import (
    AnalysisConfig,
    analyze_records,
    choose_leg,
    drop_foot_points_on_marker,
    marker_quad_ref_px,
)
from tests.test_live import FLOOR_Y, FOOT_CM, HEEL, drive, record

# a 20 px marker lying just in front of (below, in the picture) the heel: its top edge 4 px under the floor line
MARKER = np.array([[HEEL[0] - 10, FLOOR_Y + 4], [HEEL[0] + 10, FLOOR_Y + 4], [HEEL[0] + 10, FLOOR_Y + 22],
                   [HEEL[0] - 10, FLOOR_Y + 22]])


def _records(merged_every: int) -> list:
    """A drive with the marker found; in one run of ``merged_every`` frames out of three the heel's lowest point
    was found on the marker's top edge (the mask ran on into the marker), 5 px lower than the floor."""
    out = []
    for i, s in enumerate(drive([34.0])):
        r = record(i, s)
        legs = dict(r.legs)
        if merged_every and (i // merged_every) % 3 == 0:
            legs["left"] = replace(legs["left"], heel_bottom_px=legs["left"].heel_bottom_px + [0.0, 5.0])
        out.append(replace(r, legs=legs, marker_corners_px=MARKER if i < 30 else None))
    return out


def test_points_on_or_touching_the_marker_are_dropped_and_counted():
    recs = _records(merged_every=10)
    track = choose_leg(recs)
    quad = marker_quad_ref_px(recs)
    assert quad is not None and np.allclose(quad, MARKER)
    cleaned, fraction = drop_foot_points_on_marker(track, quad, 0.1, 2.0)
    merged = (np.arange(len(recs)) // 10) % 3 == 0
    assert np.all(np.isnan(cleaned.heel_bottom[merged]))
    assert np.all(np.isfinite(cleaned.heel_bottom[~merged]))  # 4 px clear of the marker: kept
    assert np.allclose(cleaned.toe_tip, track.toe_tip, equal_nan=True)  # the toes are far from it
    assert fraction == pytest.approx(merged.mean(), abs=1e-9)
    assert drop_foot_points_on_marker(track, None, 0.1, 2.0) == (track, 0.0)


def test_a_point_against_the_marker_throughout_is_kept_but_counted():
    """A still (or a foot really against the marker): nothing else to go by, so the point is measured."""
    recs = _records(merged_every=10)[:1]  # frame 0 is a merged one
    track = choose_leg(recs)
    cleaned, fraction = drop_foot_points_on_marker(track, marker_quad_ref_px(recs), 0.1, 2.0)
    assert np.allclose(cleaned.heel_bottom, track.heel_bottom) and fraction == pytest.approx(1.0)


def test_a_marker_merged_into_the_heel_no_longer_reads_as_a_heel_lift():
    fist, inputs = fist_width(None, "f"), ScaleInputs(foot_length_cm=FOOT_CM, sex="f")
    clean = analyze_records(_records(merged_every=0), fist, inputs, "auto", AnalysisConfig())
    res = analyze_records(_records(merged_every=10), fist, inputs, "auto", AnalysisConfig())
    assert clean.attempts[0].heel_down and res.attempts[0].heel_down
    assert res.attempts[0].knee_past_toe_cm == pytest.approx(clean.attempts[0].knee_past_toe_cm, abs=0.3)
    assert any("marker touches the foot" in w for w in res.warnings)
    assert not any("marker touches the foot" in w for w in clean.warnings)
    # for contrast, the clearance switched off (a negative one drops nothing): the merged frames set the heel's
    # floor level 5 px (1 cm) low, so the heel reads lifted for the whole attempt and no end range is measured
    off = analyze_records(_records(merged_every=10), fist, inputs, "auto",
                          AnalysisConfig(marker_clearance_fraction=-1.0, marker_clearance_min_px=-1e9))
    assert not off.attempts[0].heel_down
    assert not any("marker touches the foot" in w for w in off.warnings)


@pytest.mark.parametrize("cut", [True, False])
def test_a_marker_seen_only_running_off_the_picture_is_named(cut):
    """The marker was asked for and seen only cut by the picture's edge (so not used): the result says that is why
    and how to mend it, rather than that the marker was not found."""
    recs = [replace(r, marker_cut_by_edge=cut and i < 30) for i, r in enumerate(_records(merged_every=0))]
    recs = [replace(r, marker_corners_px=None) for r in recs]
    res = analyze_records(recs, fist_width(None, "f"), ScaleInputs(foot_length_cm=FOOT_CM, marker_cm=10.0, sex="f"),
                          "auto", AnalysisConfig())
    assert not res.view["camera_model"]["used"]
    said = [w for w in res.warnings if "camera model from the marker" in w]
    assert len(said) == 1
    assert ("runs off the edge of the picture" in said[0]) is cut
    assert ("so the whole marker is in the picture" in said[0]) is cut
    assert ("the marker was not found" in said[0]) is not cut
