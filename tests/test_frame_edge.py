"""A kneecap or toes out of the picture at the deepest point: the attempt is not measured, with the reason (pure).

Seen on a rendered portrait clip (a tall body 1.8 m from the camera): at the deepest point of one drive the knee
left the frame, the kneecap point was missing for those frames, and the end range was silently taken a few
frames earlier, 2.1 cm short of the truth."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from calibration.fist import fist_width
from calibration.scale import ScaleInputs
from screening.analysis import OUT_OF_PICTURE, AnalysisConfig, analyze_records, choose_leg, cut_by_frame_edge
from tests.test_live import FOOT_CM, drive, record

NAN2 = np.array([np.nan, np.nan])


@pytest.mark.parametrize(
    ("landmark", "silhouette", "cut"),
    [
        ((390.0, 300.0), NAN2, True),  # knee 9 px from the right edge, its front not found: out of the picture
        ((390.0, 300.0), (398.5, 300.0), True),  # ...or found on the edge itself
        ((390.0, 300.0), (396.0, 300.0), False),  # found 3 px inside the edge: in the picture
        ((200.0, 300.0), NAN2, False),  # far from the edge: a missing point is another matter
        ((200.0, 395.0), NAN2, True),  # near the bottom edge (toes cut off below)
        ((5.0, 300.0), NAN2, True),  # near the left edge
        (NAN2, NAN2, False),  # no landmark: nothing to say
    ],
)
def test_cut_by_frame_edge(landmark, silhouette, cut):
    got = cut_by_frame_edge(np.asarray(landmark, float), np.asarray(silhouette, float), 400, 400, near_px=20.0)
    assert got is cut


def _clip(frame_width_px: int) -> list:
    """Two drives (peaks 30 and 40 deg) filmed in a frame ``frame_width_px`` wide; the kneecap point is missing
    wherever the kneecap front would lie beyond the right edge."""
    out = []
    for i, s in enumerate(drive([30.0, 40.0])):
        r = replace(record(i, s), width_px=frame_width_px)
        leg = r.legs["left"]
        if leg.kneecap_front_px[0] > frame_width_px - 1:
            r = replace(r, legs={**r.legs, "left": replace(leg, kneecap_front_px=NAN2.copy())})
        out.append(r)
    return out


def _screen(recs):
    return analyze_records(recs, fist_width(None, "f"), ScaleInputs(foot_length_cm=FOOT_CM, sex="f"), "auto",
                           AnalysisConfig())


def test_the_deeper_drive_out_of_the_picture_is_not_measured_and_said():
    wide, cut = _screen(_clip(640)), _screen(_clip(400))  # the kneecap reaches x = 410 at 40 deg
    assert [a.knee_past_toe_cm is not None for a in wide.attempts] == [True, True]
    assert not np.any(choose_leg(_clip(640)).cut_by_edge)
    first, second = cut.attempts
    assert first.knee_past_toe_cm == pytest.approx(wide.attempts[0].knee_past_toe_cm, abs=1e-6)  # in view: kept
    assert second.knee_past_toe_cm is None and second.reason == OUT_OF_PICTURE
    # the best is the drive seen whole, and the user is told the deeper one was not counted
    assert cut.best.knee_past_toe_cm == pytest.approx(first.knee_past_toe_cm)
    assert any("#2" in w and "out of the picture" in w for w in cut.warnings)
    assert not any("out of the picture" in w for w in wide.warnings)


def test_every_drive_out_of_the_picture_leaves_the_screen_unmeasured_with_the_reason():
    res = _screen(_clip(380))  # the kneecap passes x = 379 in both drives
    assert all(a.knee_past_toe_cm is None for a in res.attempts)
    assert res.best.verdict == "not_measured" and res.best.reason == OUT_OF_PICTURE


def test_the_live_screen_leaves_out_the_drive_that_went_out_of_the_picture():
    from tests.test_live import screen

    wide, cut = screen(), screen()
    for r in _clip(640):
        wide.update(r)
    for r in _clip(400):
        cut.update(r)
    assert [a.knee_past_toe_cm is not None for a in wide.attempts] == [True, True]
    assert [a.reason for a in cut.attempts] == ["", OUT_OF_PICTURE]
    assert cut.attempts[0].knee_past_toe_cm == pytest.approx(wide.attempts[0].knee_past_toe_cm, abs=1e-6)
    res = cut.to_result()
    assert res.best.attempt_index == 0
    assert any("#2" in w and "out of the picture" in w for w in res.warnings)
    assert not any("out of the picture" in w for w in wide.to_result().warnings)


@pytest.mark.parametrize(
    ("measured", "given", "says"),
    [
        (22.5, 24.6, "less than"),  # toes lost against the floor: the toe tip was placed from the tape
        (23.4, 24.6, None),  # within the 3-D measurement's spread
        (27.3, 24.6, "more than"),
        (26.8, 24.6, None),
        (None, 24.6, None),  # no camera model
        (22.0, None, None),  # no foot length given
        (float("nan"), 24.6, None),
    ],
)
def test_foot_length_check_against_the_tape(measured, given, says):
    from screening.analysis import foot_length_check
    from screening.floor3d import toe_shortfall_cm

    moved = 0.0
    if measured is not None:
        f3 = SimpleNamespace(foot_length_cm=measured, heel_back_found=True)
        moved = toe_shortfall_cm(f3, given, 1.5)  # type: ignore[arg-type]
    note = foot_length_check(measured, given, moved, 2.5)
    assert (note is None) if says is None else (says in note and f"{given:.1f} cm" in note)


@pytest.mark.parametrize(
    ("measured", "given", "back_found", "moved"),
    [
        (22.5, 24.6, True, 2.1),  # the toes' tip lost: moved forward by the shortfall
        (23.2, 24.6, True, 0.0),  # within the tolerance (1.5 cm): the silhouette's own toe is kept
        (27.0, 24.6, True, 0.0),  # read long: never "corrected" (only a note)
        (22.5, 24.6, False, 0.0),  # the foot length was estimated from the heel contact: not trusted for this
        (22.5, None, True, 0.0),  # no tape figure
        (float("nan"), 24.6, True, 0.0),
    ],
)
def test_toe_shortfall_from_the_tape(measured, given, back_found, moved):
    from screening.floor3d import toe_shortfall_cm

    f3 = SimpleNamespace(foot_length_cm=measured, heel_back_found=back_found)
    assert toe_shortfall_cm(f3, given, 1.5) == pytest.approx(moved, abs=1e-9)  # type: ignore[arg-type]
