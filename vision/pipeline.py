"""The whole analysis of a clip: decode -> pose -> silhouette points per frame -> screen result.

The same ``observe_frame`` serves the offline pipeline and the live webcam worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from calibration.fist import fist_width
from calibration.scale import ScaleInputs
from screening.analysis import AnalysisConfig, analyze_records
from screening.errors import InvalidSettingError
from screening.records import FrameRecord
from screening.results import ScreenResult
from screening.silhouette import leg_points
from vision import video
from vision.landmarks import LEGS
from vision.pose import MediaPipePose, PoseEstimator

ProgressFn = Callable[[int, int], None]  # (frames done, frames expected)

DEFAULT_MAX_SIDE_PX = 1280


@dataclass(frozen=True)
class AnalyzeOptions:
    side: str = "auto"  # "auto" | "left" | "right"
    fist_width_cm: float | None = None
    sex: str | None = None  # "m" | "f"
    foot_length_cm: float | None = None
    height_cm: float | None = None
    marker_cm: float | None = None
    max_side_px: int = DEFAULT_MAX_SIDE_PX  # frames are downsized to this before pose inference
    max_duration_s: float | None = None  # refuse longer clips (the app sets a limit)
    marker_search_frames: int = 30  # look for the marker in this many frames (spread over the clip start)

    def validate(self) -> None:
        if self.side not in ("auto", "left", "right"):
            raise InvalidSettingError(f"Side must be auto, left or right (got '{self.side}').")
        self.scale_inputs().validate()

    def scale_inputs(self) -> ScaleInputs:
        return ScaleInputs(self.foot_length_cm, self.height_cm, self.marker_cm, self.sex)


@dataclass(frozen=True)
class Analysis:
    """A result plus what is needed to draw it (per-frame observations, clip info)."""

    result: ScreenResult
    records: list[FrameRecord]
    info: video.VideoInfo


def observe_frame(
    rgb: np.ndarray,
    frame_index: int,
    time_s: float,
    estimator: PoseEstimator,
    find_marker: bool = False,
) -> FrameRecord:
    """Run the pose model on one upright frame and keep only small per-frame observations."""
    h, w = rgb.shape[:2]
    luma = float(rgb[::8, ::8].mean())
    marker = None
    if find_marker:
        from vision.aruco import marker_side_px

        marker = marker_side_px(rgb)
    pose = estimator(rgb, frame_index, time_s)
    if pose is None:
        return FrameRecord(frame_index, time_s, w, h, luma, marker_side_px=marker)
    legs = {}
    if pose.mask is not None:
        for name, leg in LEGS.items():
            legs[name] = leg_points(
                pose.mask, pose.point(leg.knee), pose.point(leg.ankle), pose.point(leg.heel), pose.point(leg.toe)
            )
    return FrameRecord(
        frame_index, time_s, w, h, luma, pose.xy_px, pose.visibility, pose.depth_rel, legs, marker
    )


def analyze_clip(
    path: str | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    estimator: PoseEstimator | None = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Analyse a clip or still image end to end. Raises ``AnkleScreenError`` subclasses for bad input."""
    options.validate()
    fist = fist_width(options.fist_width_cm, options.sex)
    info = video.probe(path)
    if options.max_duration_s is not None and info.duration_s > options.max_duration_s:
        raise InvalidSettingError(
            f"The clip lasts {info.duration_s:.0f} s; the limit is {options.max_duration_s:.0f} s. "
            "Trim it to the attempts (a few seconds each) and retry."
        )
    est = estimator if estimator is not None else MediaPipePose(video_mode=not info.is_still)
    est.reset()
    expected = max(info.frame_count_estimate, 1)
    records: list[FrameRecord] = []
    for fr in video.iter_frames_prefetch(path, options.max_side_px):
        find_marker = options.marker_cm is not None and fr.index < options.marker_search_frames
        records.append(observe_frame(fr.rgb, fr.index, fr.time_s, est, find_marker))
        if progress is not None:
            progress(len(records), max(expected, len(records)))
    if not records:
        raise video.UnreadableInputError(f"No frame of '{Path(path).name}' could be decoded. {video.REFILM}")
    result = analyze_records(
        records, fist, options.scale_inputs(), options.side, AnalysisConfig(), source=str(path)
    )
    result = ScreenResult(**{**result.__dict__, "video": info.as_dict()})
    return Analysis(result, records, info)
