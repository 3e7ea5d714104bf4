"""The whole analysis of a clip: decode -> pose -> silhouette points per frame -> screen result.

The same ``observe_frame`` serves the offline pipeline and the live webcam worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np

from calibration.fist import fist_width
from calibration.scale import ScaleInputs, SubjectSettings
from screening.analysis import AnalysisConfig, analyze_records
from screening.errors import InvalidSettingError
from screening.records import FrameRecord
from screening.results import ScreenResult
from screening.silhouette import leg_points
from vision import decode_process, silhouette_process, video
from vision.ipc import SpareHelpers
from vision.landmarks import LEGS, PoseFrame
from vision.people import single_image_detector
from vision.pose import MediaPipePose, PoseEstimator
from vision.silhouette_process import InlineSilhouettes, SilhouetteProcess
from vision.stabilize import CameraTracker, as_box
from vision.upright_lines import lines_wanted

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]  # (frames done, frames expected)

DEFAULT_MAX_SIDE_PX = 1280
MAX_STRIDE_FRAMES = 4  # beyond this the approach to the end range is sampled too sparsely to find attempts
DEFAULT_MAX_DURATION_S = 120.0  # a screen is a few attempts of a few seconds; longer clips are refused


@dataclass(frozen=True)
class AnalyzeOptions(SubjectSettings):
    """The subject's settings (side, fist width, scale inputs) and how a clip is analysed."""

    max_side_px: int = DEFAULT_MAX_SIDE_PX  # frames are downsized to this before pose inference
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S  # refuse longer clips (None: no limit)
    marker_search_frames: int = 30  # look for the marker in this many frames (spread over the clip start)
    stride_frames: int = 2  # pose on every n-th frame away from the end range, every frame near it (1 = all)
    dense_margin_deg: float = 3.0  # every frame is analysed while the shin is within this of its maximum (deg)
    people_check_frames: int = 5  # frames (spread over the clip) searched for other people (0: no check)
    # search one frame's background for upright lines (the camera's tilt, for a 3-D measurement without the marker;
    # ~25 ms); None: only when a camera height or a foot length is given
    upright_lines: bool | None = None

    def validate(self) -> None:
        super().validate()
        if not 1 <= self.stride_frames <= MAX_STRIDE_FRAMES:
            raise InvalidSettingError(f"The frame stride must be 1-{MAX_STRIDE_FRAMES} (got {self.stride_frames}).")


def clip_pose_model(video_mode: bool = True) -> MediaPipePose:
    """The pose model for clip analysis: segmentation on, without MediaPipe's temporal smoothing of the mask.
    With frame striding that smoothing blends masks two frames apart; turning it off measured the same
    (8 rendered knee-drive clips: knee past toe 0.79 / 0.79 cm, shin 1.88 / 1.88 deg MAE; the real clip's end
    ranges within 0.02 cm and 0.02 deg) and saves ~1.2 ms of the ~14 ms a frame takes."""
    return MediaPipePose(video_mode=video_mode, smooth_segmentation=False)


@dataclass(frozen=True)
class ClipModels:
    """What a clip analysis needs ready, kept from one clip to the next (the app keeps one per user session):
    the pose model (video mode), the single-image model of the other-people check (each built on first use,
    ~0.5 s) and spare helper processes (decoder, silhouettes) started ahead of the next clip."""

    pose: MediaPipePose = field(default_factory=clip_pose_model)
    people: MediaPipePose = field(default_factory=single_image_detector)
    helpers: SpareHelpers = field(default_factory=SpareHelpers)

    def prepare_helpers(self) -> None:
        """Start the helper processes of the next clip now (they wait, idle, for it)."""
        self.helpers.prepare(decode_process.MODULE)
        self.helpers.prepare(silhouette_process.MODULE, silhouette_process.BUFFERED)

    def warm(self) -> None:
        """Build both models' graphs now (~0.5 s each), e.g. while the user picks a file, so that the first clip runs
        as fast as the next ones."""
        self.pose.warm()
        self.people.warm()

    def close(self) -> None:
        self.helpers.close()
        self.pose.reset()
        self.people.reset()


@dataclass(frozen=True)
class Analysis:
    """A result plus what is needed to draw it (per-frame observations, clip info)."""

    result: ScreenResult
    records: list[FrameRecord]
    info: video.VideoInfo


def feet_px(xy_px: np.ndarray) -> np.ndarray:
    """Both feet's ankle, heel and toe landmarks (6, 2) from a frame's (33, 2) landmarks: where the marker lies beside."""
    return np.array([xy_px[getattr(leg, k)] for leg in LEGS.values() for k in ("ankle", "heel", "toe")], dtype=float)


def observe_frame(
    rgb: np.ndarray,
    frame_index: int,
    time_s: float,
    estimator: PoseEstimator,
    find_marker: bool = False,
    to_ref: np.ndarray | None = None,
) -> FrameRecord:
    """Run the pose model on one upright frame and keep only small per-frame observations.

    ``to_ref`` is the frame's map to the first frame (camera motion), kept with the observations.
    """
    h, w = rgb.shape[:2]
    luma = float(rgb[::8, ::8].mean())
    pose = estimator(rgb, frame_index, time_s)
    marker = corners = None
    cut = False
    if find_marker:  # after the pose: the marker lies beside the feet, searched there first (magnified)
        from vision.aruco import search_marker, side_from_corners_px

        found = search_marker(rgb, None if pose is None else feet_px(pose.xy_px))
        corners, cut = found.corners_px, found.cut_by_edge
        marker = None if corners is None else side_from_corners_px(corners)
    if pose is None:
        return FrameRecord(frame_index, time_s, w, h, luma, marker_side_px=marker, to_ref=to_ref,
                           marker_corners_px=corners, marker_cut_by_edge=cut)
    legs = {}
    if pose.mask is not None:
        for name, leg in LEGS.items():
            legs[name] = leg_points(
                pose.mask, pose.point(leg.knee), pose.point(leg.ankle), pose.point(leg.heel), pose.point(leg.toe)
            )
    return FrameRecord(
        frame_index, time_s, w, h, luma, pose.xy_px, pose.visibility, pose.depth_rel, legs, marker, to_ref=to_ref,
        marker_corners_px=corners, marker_cut_by_edge=cut,
    )


class _MaskTaker:
    """Wraps the pose model: hands ``observe_frame`` the pose without its segmentation mask and keeps the
    full pose for ``take()``, so that the silhouette points are computed in the background instead."""

    def __init__(self, estimator: PoseEstimator) -> None:
        self.estimator = estimator
        self._last: PoseFrame | None = None

    def __call__(self, rgb: np.ndarray, frame_index: int, time_s: float) -> PoseFrame | None:
        self._last = pose = self.estimator(rgb, frame_index, time_s)
        return None if pose is None else replace(pose, mask=None)

    def reset(self) -> None:
        self.estimator.reset()

    def take(self) -> PoseFrame | None:
        pose, self._last = self._last, None
        return pose


def _silhouettes(
    info: video.VideoInfo, max_side_px: int, spares: SpareHelpers | None = None
) -> InlineSilhouettes | SilhouetteProcess:
    """Where the silhouette points are computed: in a child process beside the pose model for clips (the
    model holds the GIL while it runs, so a thread would not overlap it), here for a still."""
    if info.is_still:
        return InlineSilhouettes()
    w, h = video.scaled_size(info.width_px, info.height_px, max_side_px)
    try:
        return SilhouetteProcess(w, h, spares)
    except OSError as exc:
        log.warning("no silhouette process (%s): computing the points here", exc)
        return InlineSilhouettes()


FrameDoneFn = Callable[[int, tuple[float, ...] | None], None]  # (frame index, the person's latest box)


def _decoded_frames(
    path: str | Path, info: video.VideoInfo, max_side_px: int, spares: SpareHelpers | None = None
) -> tuple[Iterable[video.Frame], FrameDoneFn]:
    """Upright, downsized frames with camera motion tracked, and a callback to call after every frame with the
    person's latest box (it keeps body motion out of the background tracker).

    Clips are decoded in a child process (``vision.decode_process``: decoding beside the pose model in a
    thread of this process costs pose time through the GIL); if no child process can be started, in a
    background thread instead. A still is read directly."""
    if info.is_still:
        return video.iter_frames(path, max_side_px), lambda index, box: None
    try:
        dec = decode_process.ProcessDecoder(path, max_side_px, info=info, spares=spares, answers=True)
        return dec, dec.frame_done
    except OSError as exc:
        log.warning("no decoder process (%s): decoding in a thread", exc)
    # the same lagged person boxes as the decoder process (the prefetch queue is shallower than the lag)
    boxes = decode_process.PersonBoxes()
    tracker = CameraTracker()

    def prepare(fr: video.Frame) -> video.Frame:
        return video.Frame(fr.index, fr.time_s, fr.rgb, tracker.update(fr.rgb, partial(boxes.box_for, fr.index)))

    def frames() -> Iterator[video.Frame]:
        inner = video.iter_frames_prefetch(path, max_side_px, prepare=prepare)
        try:
            yield from inner
        finally:
            boxes.close()  # a decode thread waiting for a box gives up, so the prefetch can stop
            inner.close()

    def frame_done(index: int, box: tuple[float, ...] | None) -> None:
        boxes.answer(index, as_box(box))

    return frames(), frame_done


class FramePlanner:
    """Chooses which frames get the pose model: every ``stride``-th frame while the knee is away from its
    end range, every frame near it (where the end range is picked), so the heavy model runs on far fewer
    frames without coarsening the measurement. Frames skipped just before a dense stretch starts are
    handed back so the approach to the end range is complete."""

    def __init__(self, stride: int, margin_deg: float) -> None:
        self.stride = max(1, stride)
        self.margin_deg = margin_deg
        self.max_deg = -np.inf
        self.dense = True
        self._skipped: list[video.Frame] = []
        self._recent: list[float] = []  # the last three readings: their median ignores a one-frame glitch

    @staticmethod
    def travel_deg(rec: FrameRecord) -> float:
        """Quick forward lean (deg from image vertical) of the shin whose knee is higher (the front leg)."""
        if rec.xy_px is None:
            return float("nan")
        best = None
        for leg in LEGS.values():
            knee, ankle = rec.xy_px[leg.knee], rec.xy_px[leg.ankle]
            if best is None or knee[1] < best[0][1]:
                best = (knee, ankle)
        assert best is not None
        d = best[0] - best[1]
        return float(np.degrees(np.arctan2(abs(d[0]), -d[1])))

    def wants(self, fr: video.Frame, force: bool = False) -> bool:
        """Whether ``fr`` gets the pose model; ``force``: it does anyway (and is never handed back later)."""
        if force or self.dense or self.stride == 1 or fr.index % self.stride == 0:
            return True
        self._skipped = [*self._skipped[-(self.stride - 2) :], fr] if self.stride > 2 else [fr]
        return False

    def observed(self, rec: FrameRecord) -> list[video.Frame]:
        """Update with a processed frame; return skipped frames to process now (entering a dense stretch)."""
        a = self.travel_deg(rec)
        was_dense = self.dense
        if np.isfinite(a):
            self._recent = [*self._recent[-2:], a]
            m = float(np.median(self._recent))
            self.max_deg = max(self.max_deg, m)  # a misplaced leg in one frame must not raise it for good
            self.dense = m >= self.max_deg - self.margin_deg
        else:
            self.dense = True  # lost the person: look at every frame until found again
        back = self._skipped if (self.dense and not was_dense) else []
        self._skipped = []
        return back


def analyze_clip(
    path: str | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    estimator: PoseEstimator | None = None,
    progress: ProgressFn | None = None,
    models: ClipModels | None = None,
) -> Analysis:
    """Analyse a clip or still image end to end. Raises ``AnkleScreenError`` subclasses for bad input.

    ``models``: kept by a caller analysing clip after clip (built once, helpers started ahead; see
    ``ClipModels``); without it the models are built for this call and closed after it. ``estimator`` replaces
    the pose model (a fake in unit tests). The other-people check runs with the real model only (a fake
    estimator draws a single person)."""
    options.validate()
    fist = fist_width(options.fist_width_cm, options.sex)
    info = video.probe(path)
    if options.max_duration_s is not None and info.duration_s > options.max_duration_s:
        raise InvalidSettingError(
            f"The clip lasts {info.duration_s:.0f} s; the limit is {options.max_duration_s:.0f} s. "
            "Trim it to the attempts (a few seconds each) and retry."
        )
    session_pose = models is not None and not info.is_still  # a still gets a single-image model of its own
    own_model = estimator is None and not session_pose
    est = estimator if estimator is not None else models.pose if session_pose and models is not None else (
        clip_pose_model(video_mode=not info.is_still))
    spares = None if models is None else models.helpers
    # the decoder starts first: its process starts up while the pose model's graph is (re)built
    frames, frame_done = _decoded_frames(path, info, options.max_side_px, spares)
    silhouettes = _silhouettes(info, options.max_side_px, spares)
    try:
        est.reset()
        warm = getattr(est, "warm", None)
        if warm is not None:
            warm()
        expected = max(info.frame_count_estimate, 1)
        records: list[FrameRecord] = []
        real_model = models is not None or isinstance(est, MediaPipePose)
        n_check = options.people_check_frames if real_model else 0
        check_at = {int(round(x)) for x in np.linspace(0, expected - 1, n_check)} if n_check else set()
        samples: dict[int, np.ndarray] = {}
        taker = _MaskTaker(est)
        planner = FramePlanner(1 if info.is_still else options.stride_frames, options.dense_margin_deg)
        decoded_s = 0.0
        person_box: tuple[float, ...] | None = None
        for fr in frames:
            decoded_s = fr.time_s
            if options.max_duration_s is not None and fr.time_s > options.max_duration_s + 1.0:
                # the header understated the length (or had none): stop at the limit, never stream on for ever
                raise InvalidSettingError(
                    f"The clip runs longer than the {options.max_duration_s:.0f} s limit. "
                    "Trim it to the attempts (a few seconds each) and retry."
                )
            todo = [fr] if planner.wants(fr, force=fr.index in check_at) else []
            while todo:
                cur = todo.pop(0)
                find_marker = options.marker_cm is not None and cur.index < options.marker_search_frames
                records.append(observe_frame(cur.rgb, cur.index, cur.time_s, taker, find_marker, cur.to_ref))
                silhouettes.submit(records, len(records) - 1, taker.take())
                if records[-1].xy_px is not None:
                    person_box = tuple(records[-1].xy_px.min(axis=0)) + tuple(records[-1].xy_px.max(axis=0))
                if cur.index in check_at and records[-1].pose_found:
                    samples[cur.index] = cur.rgb
                todo = planner.observed(records[-1]) + todo
            frame_done(fr.index, person_box)  # for every frame, posed or not (decode_process.PersonBoxes)
            if progress is not None:
                progress(fr.index + 1, max(expected, fr.index + 1))
        silhouettes.finish(records)
    finally:
        silhouettes.close()
        close = getattr(frames, "close", None)
        if close is not None:  # stop the decoder (process or thread) now, also when the clip was refused
            close()
        if own_model:  # a model this call created is closed (it holds ~140 MB of native memory)
            est.reset()
    if not records:
        raise video.UnreadableInputError(f"No frame of '{Path(path).name}' could be decoded. {video.REFILM}")
    records.sort(key=lambda r: r.frame_index)
    if info.duration_s > 1.0 and decoded_s < 0.9 * info.duration_s - 0.2:
        # a truncated file (interrupted copy/upload) decodes up to the cut: never measure half a clip silently
        raise video.UnreadableInputError(
            f"'{Path(path).name}' is cut short: only {decoded_s:.1f} s of its {info.duration_s:.1f} s could be read "
            "(an interrupted copy or upload?). Copy or export the whole clip again and retry."
        )
    if options.marker_cm is not None:
        records = markers_at_full_resolution(path, records, info, options.marker_search_frames)
    if samples:
        by_frame = {r.frame_index: i for i, r in enumerate(records)}
        at_record = {by_frame[k]: v for k, v in samples.items()}
        records = mark_other_people(records, at_record, None if models is None else models.people)
        if lines_wanted(options.upright_lines, options.camera_height_cm, options.foot_length_cm):
            records = mark_upright_lines(records, at_record)
    result = analyze_records(
        records, fist, scale_inputs_for(options, info), options.side, AnalysisConfig(), source=str(path)
    )
    result = ScreenResult(**{**result.__dict__, "video": info.as_dict()})
    if models is not None and not info.is_still:
        models.prepare_helpers()
    return Analysis(result, records, info)


def scale_inputs_for(options: AnalyzeOptions, info: video.VideoInfo) -> ScaleInputs:
    """The user's scale inputs, with the lens the file names when the user set none."""
    inputs = options.scale_inputs()
    if inputs.lens is None and info.lens is not None:
        inputs = replace(inputs, lens=info.lens)
    return inputs


def markers_at_full_resolution(
    path: str | Path, records: list[FrameRecord], info: video.VideoInfo, search_frames: int, max_frames: int = 3
) -> list[FrameRecord]:
    """The records with the floor marker searched again at the picture's own resolution, when the downsized frames
    the pose model saw did not show it anywhere (a marker lying on the floor seen from low down is a sliver a few
    pixels tall at 1280 px; a phone's 1080p or 4K picture has 1.5-3x the pixels across it).

    Searched in up to ``max_frames`` frames with a person among the first ``search_frames`` (a clip's first frames
    are decoded again at full size; a photo is read again), near the feet; corners in each record's pixels.
    0.1-0.8 s a frame, and only when the marker was not found."""
    if any(r.marker_corners_px is not None for r in records):
        return records
    cands = [i for i, r in enumerate(records) if r.xy_px is not None and r.frame_index < search_frames]
    if not cands or info.width_px / records[cands[0]].width_px < 1.05:
        return records
    pick = sorted({cands[int(round(k))] for k in np.linspace(0, len(cands) - 1, min(max_frames, len(cands)))})
    full = video.read_frames_at(path, {records[i].frame_index for i in pick})
    out = list(records)
    for i in pick:
        if records[i].frame_index in full:
            out[i] = marker_in_full_frame(full[records[i].frame_index], records[i])
    return out


def marker_in_full_frame(full_rgb: np.ndarray, rec: FrameRecord) -> FrameRecord:
    """``rec`` with the marker searched near its feet in the same frame at a larger size ``full_rgb``; corners
    mapped back to the record's pixels; unchanged if not found (marked if it was seen cut by the picture's edge)."""
    from vision.aruco import search_marker, side_from_corners_px

    if rec.xy_px is None:
        return rec
    s = full_rgb.shape[1] / rec.width_px
    found = search_marker(full_rgb, (feet_px(rec.xy_px) + 0.5) * s - 0.5)
    if found.corners_px is None:
        return replace(rec, marker_cut_by_edge=True) if found.cut_by_edge else rec
    corners = (found.corners_px + 0.5) / s - 0.5
    return replace(rec, marker_corners_px=corners, marker_side_px=side_from_corners_px(corners))


def mark_upright_lines(records: list[FrameRecord], samples: dict[int, np.ndarray]) -> list[FrameRecord]:
    """Set ``upright_lines_px`` on the first sampled record with a person (its background's upright lines)."""
    from vision.people import person_box
    from vision.upright_lines import upright_lines_px

    out = list(records)
    for i, rgb in sorted(samples.items()):
        box = person_box(out[i].xy_px, out[i].visibility)
        if box is not None:
            out[i] = replace(out[i], upright_lines_px=upright_lines_px(rgb, box))
            break
    return out


def mark_other_people(
    records: list[FrameRecord], samples: dict[int, np.ndarray], detector: PoseEstimator | None = None
) -> list[FrameRecord]:
    """Set ``other_people`` / ``similar_people`` on the sampled records (see ``vision.people``), with
    ``detector`` (single-image mode) or a model built for this call and closed after it."""
    from vision.people import count_other_people, person_box

    det = detector if detector is not None else single_image_detector()
    out = list(records)
    try:
        for i, rgb in samples.items():
            box = person_box(out[i].xy_px, out[i].visibility)
            if box is None:
                continue
            found = count_other_people(rgb, box, det)
            out[i] = replace(out[i], other_people=len(found.boxes), similar_people=found.similar)
    finally:
        if detector is None:  # a model built here is closed (native memory)
            det.reset()
    return out
