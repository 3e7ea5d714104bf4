"""Silhouette points computed in the helper process agree with the same points computed in this process,
and a helper that dies mid-clip costs nothing but time."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from screening.records import FrameRecord
from screening.silhouette import FootKneePoints
from tests.fakes import FakePose, drives
from vision.landmarks import N_LANDMARKS, PoseFrame
from vision.silhouette_process import SilhouetteProcess, leg_crop, legs_here


def _poses(n: int = 12) -> list[PoseFrame]:
    fake = FakePose(drives())
    rgb = np.zeros((720, 1280, 3), np.uint8)
    out = []
    for i in range(n):
        p = fake(rgb, i * 5, i * 5 / 30.0)
        assert p is not None and p.mask is not None and p.xy_px.shape == (N_LANDMARKS, 2)
        out.append(p)
    return out


def _close(a: FootKneePoints, b: FootKneePoints) -> None:
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(np.isfinite(x), np.isfinite(y)), name
        ok = np.isfinite(x)
        assert np.allclose(x[ok], y[ok], atol=0.05), (name, x, y)  # 8-bit mask: edges within 0.05 px


def _records(poses: list[PoseFrame]) -> list[FrameRecord]:
    return [FrameRecord(p.frame_index, p.time_s, p.width_px, p.height_px, 100.0, p.xy_px, p.visibility) for p in poses]


def test_points_from_the_helper_match_points_computed_here() -> None:
    poses = _poses()
    records = _records(poses)
    sp = SilhouetteProcess(1280, 720)
    try:
        for i, p in enumerate(poses):
            sp.submit(records, i, p)
        sp.finish(records)
    finally:
        sp.close()
    for rec, p in zip(records, poses, strict=True):
        here = legs_here(p)
        assert set(rec.legs) == set(here)
        for name in here:
            _close(rec.legs[name], here[name])
        # real points, not an all-NaN agreement: the front leg's kneecap and toe tip are found
        assert any(np.isfinite(rec.legs[n].kneecap_front_px).all() and np.isfinite(rec.legs[n].toe_tip_px).all()
                   for n in here)


def test_the_crop_holds_both_legs_with_room() -> None:
    p = _poses(1)[0]
    y0, x0, y1, x1 = leg_crop(p)
    assert 0 <= y0 < y1 <= p.height_px and 0 <= x0 < x1 <= p.width_px
    assert (y1 - y0) * (x1 - x0) < p.width_px * p.height_px  # smaller than the frame
    assert p.mask is not None
    outside = p.mask.copy()
    outside[y0:y1, x0:x1] = 0
    legs = [leg_crop(q) for q in _poses(3)]
    assert legs  # the crop is recomputed per frame
    assert outside[int(p.height_px * 0.55):].max() < 0.5  # no leg silhouette below the hips is left out


def test_a_helper_that_dies_is_replaced_by_local_work() -> None:
    poses = _poses(8)
    records = _records(poses)
    sp = SilhouetteProcess(1280, 720)
    try:
        sp.submit(records, 0, poses[0])
        os.kill(sp._proc.pid, signal.SIGKILL)
        sp._proc.wait(timeout=5)
        for i in range(1, len(poses)):
            sp.submit(records, i, poses[i])
        sp.finish(records)
    finally:
        sp.close()
    for rec, p in zip(records, poses, strict=True):
        assert set(rec.legs) == set(legs_here(p))


@pytest.mark.parametrize("n", [1, 7])
def test_no_process_or_shared_memory_left(n: int) -> None:
    from pathlib import Path

    poses = _poses(n)
    records = _records(poses)
    sp = SilhouetteProcess(1280, 720)
    name, pid = sp._shm.name, sp._proc.pid
    for i, p in enumerate(poses):
        sp.submit(records, i, p)
    sp.finish(records)
    sp.close()
    assert sp._proc.poll() is not None and pid > 0
    assert not Path("/dev/shm", name.lstrip("/")).exists()
