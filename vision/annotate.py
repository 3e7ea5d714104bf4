"""The annotated video and end-range snapshots of an analysed clip."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from screening.landmarks import LEG_LANDMARK_INDEX
from screening.records import FrameRecord
from screening.results import ScreenResult
from vision import decode_process, video
from vision.draw import OverlayState, draw_overlay
from vision.ipc import SpareHelpers
from vision.pipeline import Analysis
from vision.writer import Mp4Writer

T = TypeVar("T")


def overlay_for(res: ScreenResult, records: Sequence[FrameRecord], i: int) -> OverlayState:
    """Overlay of frame ``i`` (position in ``records``, the analysed series) from the final result."""
    rec = records[i]
    fr = res.frames
    side = res.side
    banner = None
    for a in res.attempts:
        if a.end_range_frame == rec.frame_index:
            banner = f"END RANGE - attempt {a.index + 1}"
    kw: dict[str, object] = {}
    if rec.xy_px is not None and side is not None:
        names = LEG_LANDMARK_INDEX[side]
        # the half-kneeling rule may pick the other label in a frame; draw the leg that was measured
        kw = {k + "_px": rec.xy_px[names[k]] for k in ("hip", "knee", "ankle", "heel", "toe")}
        pts = rec.legs.get(side)
        if pts is not None:
            kw["kneecap_front_px"] = pts.kneecap_front_px
            kw["toe_tip_px"] = pts.toe_tip_px
    kpt = fr.knee_past_toe_cm[i]
    shin = fr.shin_angle_deg[i]
    forward = np.array(res.view.get("floor_forward", [math.nan, math.nan]))
    forward = rec.from_first_px(forward, direction=True)  # the floor direction is in the first frame's pixels
    return OverlayState(
        upright_lines_px=_upright_lines_in(res, records, rec),
        forward=forward,
        px_per_cm=res.scale.px_per_cm if res.scale else None,
        fist_width_cm=res.fist_width_cm,
        knee_past_toe_cm=kpt if math.isfinite(kpt) else None,
        shin_angle_deg=shin if math.isfinite(shin) else None,
        heel_down=fr.heel_down[i] if rec.pose_found else None,
        bbox_px=tuple(res.person["bbox_px"]) if res.person.get("bbox_px") else None,
        side=side,
        banner=banner,
        message=None if res.view.get("ok", True) else "not measured: " + str(res.best.reason)[:70],
        **kw,  # type: ignore[arg-type]
    )


def _upright_lines_in(res: ScreenResult, records: Sequence[FrameRecord], rec: FrameRecord) -> np.ndarray | None:
    """The upright background lines the camera's tilt was read from (when it was), in ``rec``'s pixels: from their
    own frame's pixels through the first frame's (the tracker's maps), so a turning phone keeps them in place."""
    cam = res.view.get("camera_model") or {}
    if not cam.get("used") or not cam.get("upright_lines_px"):
        return None
    ends = np.asarray(cam["upright_lines_px"], float).reshape(-1, 2)
    src = next((r for r in records if r.frame_index == cam.get("upright_lines_frame")), None)
    if src is not None:
        ends = src.to_first_px(ends)
    return rec.from_first_px(ends).reshape(-1, 4)


def nearest_record(frame_indices: list[int], frame_index: int) -> int:
    """Position of the analysed frame nearest to ``frame_index`` (frames between strides reuse it)."""
    k = bisect.bisect_left(frame_indices, frame_index)
    if k == 0:
        return 0
    if k >= len(frame_indices):
        return len(frame_indices) - 1
    return k if frame_indices[k] - frame_index < frame_index - frame_indices[k - 1] else k - 1


def _frames_again(analysis: Analysis, max_side_px: int, spares: SpareHelpers | None = None) -> Iterator[video.Frame]:
    """The clip decoded once more, in a decoder process beside the drawing and encoding (a thread if no
    process can be started); frames as the analysis saw them."""
    if analysis.info.is_still:
        yield from video.iter_frames(analysis.info.path, max_side_px)
        return
    try:
        dec = decode_process.ProcessDecoder(analysis.info.path, max_side_px, track_camera=False, info=analysis.info,
                                            spares=spares)
    except OSError:
        yield from video.iter_frames(analysis.info.path, max_side_px)
        return
    try:
        yield from dec
    finally:
        dec.close()
        if spares is not None:  # the next clip's decoder
            spares.prepare(decode_process.MODULE)


def write_annotated(
    analysis: Analysis,
    out_path: str | Path,
    max_side_px: int,
    progress: Callable[[int, int], None] | None = None,
    spares: SpareHelpers | None = None,
) -> dict[int, np.ndarray]:
    """Decode the clip again (the decoder process taken from ``spares`` when given) and write every frame with
    its overlay, at the clip's own timing.

    Frames the pose model skipped (see ``FramePlanner``) carry the overlay of the nearest analysed frame.
    Returns the annotated end-range frame of each attempt (keyed by attempt index), taken in the same pass.
    """
    n = max(analysis.info.frame_count_estimate, len(analysis.records))
    indices = [r.frame_index for r in analysis.records]
    wanted = _end_range_frames(analysis)
    snaps: dict[int, np.ndarray] = {}
    written = 0
    writer: Mp4Writer | None = None
    try:
        for fr in _frames_again(analysis, max_side_px, spares):
            i = nearest_record(indices, fr.index)
            if writer is None:
                h, w = fr.rgb.shape[:2]
                writer = Mp4Writer(out_path, analysis.info.fps or 30.0, w, h)
            img = draw_overlay(fr.rgb, overlay_for(analysis.result, analysis.records, i))
            writer.write(img, fr.time_s)
            if fr.index in wanted:
                snaps[wanted[fr.index]] = img
            written += 1
            if progress is not None:
                progress(written, n)
    finally:
        if writer is not None:
            writer.close()
    return snaps


def _end_range_frames(analysis: Analysis) -> dict[int, int]:
    """Video frame index of each attempt's end range -> attempt index."""
    return {a.end_range_frame: a.index for a in analysis.result.attempts if a.end_range_frame is not None}


def best_snapshot(snaps: Mapping[int, T], best_index: int | None) -> T | None:
    """The best attempt's snapshot (any form: an array, PNG bytes), else another attempt's, else None."""
    if best_index is not None and best_index in snaps:
        return snaps[best_index]
    return next(iter(snaps.values()), None)


def result_picture(analysis: Analysis, max_side_px: int, snaps: dict[int, np.ndarray] | None = None,
                   first_frame_fallback: bool = False) -> np.ndarray | None:
    """The one annotated picture that shows the result: the best attempt's end range (else another attempt's),
    from ``snaps`` (``end_range_snapshots``/``write_annotated``) when given. Without any end range: None, or with
    ``first_frame_fallback`` the first analysed frame with its overlay (a photo: the photo itself)."""
    snaps = end_range_snapshots(analysis, max_side_px) if snaps is None else snaps
    best = best_snapshot(snaps, analysis.result.best.attempt_index)
    if best is not None:
        return best
    if not first_frame_fallback or not analysis.records:
        return None
    fid = analysis.records[0].frame_index
    raw = video.read_frames_at(analysis.info.path, {fid}, max_side_px)
    return draw_overlay(raw[fid], overlay_for(analysis.result, analysis.records, 0)) if fid in raw else None


def end_range_snapshots(analysis: Analysis, max_side_px: int) -> dict[int, np.ndarray]:
    """Annotated end-range frame of each attempt, keyed by attempt index (one decode pass, stopping after
    the last end range). ``write_annotated`` returns the same when the video is written anyway."""
    wanted = _end_range_frames(analysis)
    if not wanted:
        return {}
    pos = {r.frame_index: i for i, r in enumerate(analysis.records)}
    raw = video.read_frames_at(analysis.info.path, set(wanted), max_side_px)
    return {wanted[fid]: draw_overlay(img, overlay_for(analysis.result, analysis.records, pos[fid])) for fid, img in raw.items()}
