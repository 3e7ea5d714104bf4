"""The decoder child process: same frames as in-process decoding, clean shutdown (no process, no shared
memory left behind), a dead child reported as a clear error. (No network use in the helpers: test_privacy.)"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from screening.errors import UnreadableInputError
from vision import video
from vision.decode_process import ProcessDecoder

REPO = Path(__file__).resolve().parents[1]
PORTRAIT = REPO / "sample_videos" / "portrait_phone.mp4"  # carries a -90 rotation tag
CLIP = REPO / "sample_videos" / "fail_left.mp4"




def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie still answers kill(0); it is gone for our purposes once reaped or defunct
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("clip", [PORTRAIT, CLIP], ids=["rotation-tagged portrait", "landscape"])
def test_same_frames_as_decoding_in_process(clip: Path) -> None:
    ref = list(video.iter_frames(clip, 640))
    dec = ProcessDecoder(clip, 640, track_camera=False)
    got = [(f.index, f.time_s, f.rgb) for f in dec]
    assert len(got) == len(ref) > 10
    for (i, t, rgb), r in zip(got, ref, strict=True):
        assert i == r.index
        assert t == pytest.approx(r.time_s, abs=1e-9)
        assert rgb.shape == r.rgb.shape
        # the child hands over YUV planes converted to RGB here: the same picture within rounding of the
        # chroma upsampling (a level or two), not bit for bit
        diff = np.abs(rgb.astype(int) - r.rgb.astype(int))
        assert diff.mean() < 3.0 and np.percentile(diff, 99) <= 12
    if clip == PORTRAIT:
        assert got[0][2].shape[0] > got[0][2].shape[1]  # upright: taller than wide


def test_a_relative_path_and_another_package_in_the_working_directory(tmp_path, monkeypatch) -> None:
    """The child runs in this repository (``python -m`` would import a ``vision`` package from the caller's
    working directory first), so a clip named relative to the caller's directory is resolved before it starts."""
    (tmp_path / "vision").mkdir()
    (tmp_path / "vision" / "__init__.py").write_text("raise ImportError('not this vision')\n")
    (tmp_path / "clip.mp4").write_bytes(CLIP.read_bytes())
    monkeypatch.chdir(tmp_path)
    got = [f.index for f in ProcessDecoder(Path("clip.mp4"), 320, track_camera=False)]
    assert got == list(range(len(got))) and len(got) > 10


def test_camera_maps_come_with_the_frames() -> None:
    frames = list(ProcessDecoder(CLIP, 640))
    assert all(f.to_ref is not None and f.to_ref.shape == (2, 3) for f in frames)
    assert np.allclose(frames[0].to_ref, np.eye(3)[:2], atol=1e-9)  # the first frame is the reference


def test_stopping_early_ends_the_child_and_frees_shared_memory() -> None:
    dec = ProcessDecoder(CLIP, 640)
    pid, shm = dec._proc.pid, Path("/dev/shm", dec._shm.name.lstrip("/"))
    assert shm.exists()
    for f in dec:
        if f.index == 5:
            break
    dec.close()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    assert not shm.exists()


def test_a_child_that_dies_is_a_clear_error_not_a_hang() -> None:
    dec = ProcessDecoder(CLIP, 640)
    it = iter(dec)
    next(it)
    os.kill(dec._proc.pid, signal.SIGKILL)
    with pytest.raises(UnreadableInputError, match="stopped unexpectedly"):
        for _ in it:
            pass


def test_analysis_leaves_no_child_process_or_shared_memory(monkeypatch) -> None:
    import vision.decode_process as dp
    from vision.pipeline import AnalyzeOptions, analyze_clip
    from vision.pose import MediaPipePose

    made: list[ProcessDecoder] = []

    class Recorded(dp.ProcessDecoder):
        def __init__(self, *a, **k) -> None:
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(dp, "ProcessDecoder", Recorded)
    est = MediaPipePose()
    try:
        analyze_clip(CLIP, AnalyzeOptions(foot_length_cm=26.0), estimator=est)
    finally:
        est.reset()
    assert len(made) == 1  # the analysis really decoded in a child process
    assert not _alive(made[0]._proc.pid)
    assert not Path("/dev/shm", made[0]._shm.name.lstrip("/")).exists()


def test_real_phone_clip_with_rotation_tag_comes_upright() -> None:
    from tests.conftest import PEXELS_ROTATED, need

    clip = need(PEXELS_ROTATED)
    ref = {f.index: f.rgb for f in video.iter_frames(clip, 640) if f.index < 15}
    dec = ProcessDecoder(clip, 640, track_camera=False)
    got = {}
    for f in dec:
        if f.index >= 15:
            break
        got[f.index] = f.rgb
    dec.close()
    assert sorted(got) == sorted(ref)
    for i, rgb in got.items():
        assert rgb.shape == ref[i].shape and rgb.shape[0] > rgb.shape[1]
        assert np.abs(rgb.astype(int) - ref[i].astype(int)).mean() < 3.0


def _gone(pid: int, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_a_spare_decoder_process_is_taken_and_decodes_the_same_frames() -> None:
    from vision import decode_process, ipc

    spares = ipc.SpareHelpers()
    try:
        spares.prepare(decode_process.MODULE)
        spare_pid = spares.waiting()[decode_process.MODULE]
        spares.prepare(decode_process.MODULE)  # one is waiting already: no second one
        assert spares.waiting() == {decode_process.MODULE: spare_pid}
        dec = ProcessDecoder(CLIP, 640, spares=spares)
        assert dec._proc.pid == spare_pid and spares.waiting() == {}
        got = [(f.index, f.rgb) for f in dec]
        ref = list(video.iter_frames(CLIP, 640))
        assert [i for i, _ in got] == [r.index for r in ref]
        assert all(np.abs(rgb.astype(int) - r.rgb.astype(int)).mean() < 3.0 for (_, rgb), r in zip(got, ref, strict=True))
        assert _gone(spare_pid)
    finally:
        spares.close()


def test_a_dead_spare_is_replaced_and_close_stops_the_waiting_ones() -> None:
    from vision import decode_process, ipc, silhouette_process

    spares = ipc.SpareHelpers()
    try:
        spares.prepare(decode_process.MODULE)
        dead = spares.waiting()[decode_process.MODULE]
        os.kill(dead, signal.SIGKILL)
        assert _gone(dead)
        dec = ProcessDecoder(CLIP, 640, track_camera=False, spares=spares)
        assert dec._proc.pid != dead
        assert sum(1 for _ in dec) > 10
        spares.prepare(decode_process.MODULE)
        spares.prepare(silhouette_process.MODULE, silhouette_process.BUFFERED)
        pids = list(spares.waiting().values())
        assert len(pids) == 2
    finally:
        spares.close()
    assert spares.waiting() == {}
    assert all(_gone(p) for p in pids)


def test_the_spares_of_a_forgotten_session_are_stopped() -> None:
    import gc

    from vision import decode_process, ipc

    spares = ipc.SpareHelpers()
    spares.prepare(decode_process.MODULE)
    pid = spares.waiting()[decode_process.MODULE]
    del spares
    gc.collect()
    assert _gone(pid)
