"""Live webcam processor: every frame -> fixed size -> ``observe_frame`` -> ``LiveScreen`` -> overlay.

Used by the Streamlit page through streamlit-webrtc (``recv`` runs in the WebRTC worker thread) and by
tests directly on decoded clip frames (``process``). Every incoming frame is fitted to ONE fixed size
chosen from the first frame (long side ``long_side_px``, orientation kept, letterboxed if the aspect
ratio later changes): WebRTC may shrink the stream mid-session, and MediaPipe Pose with segmentation
aborts when the frame size changes under it. The pose model is created once per processor (= once
per webcam session) and reused for every frame. Status goes to the UI thread through a queue.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from calibration.fist import fist_width
from calibration.scale import SubjectSettings
from screening.errors import AnkleScreenError
from screening.live import CHECK_LABELS, LiveAttempt, LiveConfig, LiveFrame, LiveScreen
from screening.records import FrameRecord
from screening.results import Attempt, ScreenResult, measured_how
from vision.annotate import nearest_record, overlay_for
from vision.draw import OverlayState, _text, draw_overlay
from vision.pipeline import mark_upright_lines, observe_frame
from vision.pose import MediaPipePose, PoseEstimator
from vision.upright_lines import lines_wanted

LONG_SIDE_PX = 1280  # as a clip's frames: the session's result is measured on them (640 px read worse, see docs)


@dataclass(frozen=True)
class LiveSettings(SubjectSettings):
    """The subject's settings and how webcam frames are handled."""

    long_side_px: int = LONG_SIDE_PX
    marker_every: int = 5  # look for the printed marker in every n-th frame (when a marker size is given)
    # search the first frame with a person for upright background lines (the phone's tilt, for the 3-D measurement
    # without a marker); None: when a foot length or a camera height is given (as for a clip)
    upright_lines: bool | None = None
    snapshot_frames_around: int = 15  # frames kept either side of an attempt's live best, for the result's snapshot
    snapshot_peak_deg: float = 4.0  # ... and every frame whose shin leaned within this of the attempt's peak


@dataclass(frozen=True)
class LiveStatus:
    """A small, thread-safe summary of the latest processed frame for the UI."""

    frame_index: int
    time_s: float
    checks: dict[str, bool]
    hints: list[str]
    ready: bool
    side: str | None
    shin_angle_deg: float | None
    knee_past_toe_cm: float | None
    fist_widths: float | None
    heel_down: bool | None
    heel_lift_cm: float | None
    in_attempt: bool
    n_attempts: int
    scale_source: str | None
    fps: float
    frame_size: tuple[int, int]
    attempts: list[LiveAttempt] = field(default_factory=list)
    # the captured attempts measured by the clip analysis so far (``LiveProcessor.measured``), and how
    measured_attempts: list[Attempt] = field(default_factory=list)
    measured_how: str | None = None


def fixed_size_for(width: int, height: int, long_side: int = LONG_SIDE_PX) -> tuple[int, int]:
    """(w, h) with the frame's orientation and aspect ratio, both even: its own size, or smaller to the given long
    side (a smaller stream is not enlarged: that adds pixels to process, not detail)."""
    s = min(1.0, long_side / max(width, height))
    w = max(2, int(round(width * s / 2)) * 2)
    h = max(2, int(round(height * s / 2)) * 2)
    return w, h


def fit_frame(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``rgb`` resized to exactly ``size`` (w, h), keeping its aspect ratio (black bars if it differs)."""
    w, h = size
    ih, iw = rgb.shape[:2]
    if (iw, ih) == (w, h):
        return np.ascontiguousarray(rgb)
    s = min(w / iw, h / ih)
    nw, nh = max(1, min(w, int(round(iw * s)))), max(1, min(h, int(round(ih * s))))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    small = cv2.resize(rgb, (nw, nh), interpolation=interp)
    if (nw, nh) == (w, h):
        return small
    out = np.zeros((h, w, 3), np.uint8)
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    out[y0 : y0 + nh, x0 : x0 + nw] = small
    return out


def overlay_state(lf: LiveFrame) -> OverlayState:
    """What to draw for one live frame (the same drawing as the annotated video)."""
    p = lf.points
    if lf.in_attempt:
        best = f" - best {lf.attempt_best_cm:+.1f} cm" if lf.attempt_best_cm is not None else ""
        banner: str | None = f"ATTEMPT {(lf.attempt_index or 0) + 1}{best}"
    elif lf.finished is not None and lf.finished.knee_past_toe_cm is not None:
        banner = f"attempt {lf.finished.index + 1} captured: {lf.finished.knee_past_toe_cm:+.1f} cm"
    elif lf.n_attempts:
        banner = f"{lf.n_attempts} attempt(s) captured - drive again or stop"
    else:
        banner = "ready: drive the knee forward, heel down" if lf.ready else None
    message = None if lf.ready else (lf.hints[0] if lf.hints else None)
    return OverlayState(
        knee_px=p.get("knee"),
        ankle_px=p.get("ankle"),
        heel_px=p.get("heel"),
        toe_px=p.get("toe"),
        hip_px=p.get("hip"),
        kneecap_front_px=p.get("kneecap_front"),
        toe_tip_px=p.get("toe_tip"),
        forward=lf.forward,
        px_per_cm=lf.px_per_cm,
        fist_width_cm=lf.fist_width_cm,
        knee_past_toe_cm=lf.knee_past_toe_cm,
        shin_angle_deg=lf.shin_angle_deg,
        heel_down=lf.heel_down,
        side=lf.side,
        banner=banner,
        message=message,
    )


class LiveProcessor:
    """One webcam session: model, live state machine, end-range snapshots, fps and a status queue."""

    def __init__(
        self,
        settings: LiveSettings = LiveSettings(),
        estimator: PoseEstimator | None = None,
        cfg: LiveConfig = LiveConfig(),
    ) -> None:
        self.settings = settings
        fist = fist_width(settings.fist_width_cm, settings.sex)
        self.screen = LiveScreen(fist, settings.scale_inputs(), settings.side, cfg)
        self.estimator: PoseEstimator = estimator if estimator is not None else MediaPipePose(video_mode=True)
        self.size: tuple[int, int] | None = None
        self.status_queue: queue.Queue[LiveStatus] = queue.Queue(maxsize=4)
        self.snapshots: dict[int, np.ndarray] = {}  # the result's end-range frames, drawn by ``result``
        # JPEG frames of the running attempt, and of finished attempts near their end range: frame -> (shin, bytes)
        self._attempt_frames: dict[int, tuple[float, bytes]] = {}
        self._kept_frames: dict[int, bytes] = {}
        self._want_lines = lines_wanted(settings.upright_lines, settings.camera_height_cm, settings.foot_length_cm)
        self._lock = threading.Lock()
        self._index = 0
        self._t0: float | None = None
        self._first_wall: float | None = None
        self._last_wall: float | None = None
        self.frames_processed = 0
        self.busy_s = 0.0
        self.input_sizes: set[tuple[int, int]] = set()
        self.last: LiveFrame | None = None
        self.error: str | None = None
        # the session so far measured by the clip analysis, redone beside the stream after each captured attempt
        self.measured: ScreenResult | None = None
        self._measuring: threading.Thread | None = None
        self._measure_again = False

    # -------------------------------------------------------------- numbers
    def fps(self) -> float:
        """Frames processed per second of wall time since the first frame."""
        if self._first_wall is None or self._last_wall is None or self.frames_processed < 2:
            return 0.0
        span = self._last_wall - self._first_wall
        return (self.frames_processed - 1) / span if span > 0 else 0.0

    def attempts(self) -> list[LiveAttempt]:
        with self._lock:
            return list(self.screen.attempts)

    def snapshot_images(self) -> dict[int, np.ndarray]:
        with self._lock:
            return dict(self.snapshots)

    def result(self, source: str = "webcam") -> ScreenResult:
        """The session so far as a ``ScreenResult`` (closes a running attempt): the attempts captured live, measured
        by the clip analysis (``LiveScreen.to_result``); ``snapshots`` become their end-range frames drawn from it."""
        with self._lock:
            self._keep_attempt_frames(self.screen.finish())
            res = self.screen.to_result(source)
            records = self.screen.records
            self.snapshots = snapshots_from_kept_frames(res, records, self._kept_frames)
            return res

    def _measure_in_background(self) -> None:
        """(Lock held.) Measure the session so far on copies of its frames and attempts in a thread of its own, so
        the attempts listed on the page show the result's numbers while the user goes on; one at a time."""
        if self._measuring is not None and self._measuring.is_alive():
            self._measure_again = True
            return
        args = (self.screen.records, list(self.screen.attempts), self.screen.session_side())
        self._measuring = threading.Thread(target=self._measure, args=args, name="ankle-live-measure", daemon=True)
        self._measuring.start()

    def _measure(self, records: list[FrameRecord], attempts: list[LiveAttempt], side: str | None) -> None:
        res: ScreenResult | None = None
        try:
            res = self.screen.measure(records, attempts, side)
        except AnkleScreenError:
            pass  # nobody measurable yet: the preview stands
        except Exception as exc:  # noqa: BLE001 - keep the stream alive; the page shows the message
            self.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            if res is not None:
                self.measured = res
            again, self._measure_again = self._measure_again, False
            if again:
                self._measure_in_background()

    def wait_measured(self, timeout_s: float = 30.0) -> ScreenResult | None:
        """The latest background measurement, once any running one has finished (tests, the page's last update)."""
        while True:
            t = self._measuring
            if t is None or not t.is_alive():
                return self.measured
            t.join(timeout_s)
            if t.is_alive():
                return self.measured

    def _keep_attempt_frames(self, finished: LiveAttempt | None) -> None:
        """Keep the frames of a finished attempt that its measured end range can fall on (near its live best heel-down
        moment, or leaning within ``snapshot_peak_deg`` of its peak); drop the rest."""
        if finished is not None:
            s = self.settings
            best = finished.end_range_frame
            for fid, (shin, jpg) in self._attempt_frames.items():
                near = best is not None and abs(fid - best) <= s.snapshot_frames_around
                if near or (math.isfinite(shin) and shin >= finished.peak_shin_angle_deg - s.snapshot_peak_deg):
                    self._kept_frames[fid] = jpg
        self._attempt_frames = {}

    # -------------------------------------------------------------- frames
    def process(self, rgb: np.ndarray, time_s: float | None = None) -> np.ndarray:
        """Process one RGB frame (any size); return the overlay frame at the fixed size."""
        wall = time.perf_counter()
        if self._first_wall is None:
            self._first_wall = wall
        self.input_sizes.add((rgb.shape[1], rgb.shape[0]))
        if self.size is None:
            self.size = fixed_size_for(rgb.shape[1], rgb.shape[0], self.settings.long_side_px)
        img = fit_frame(rgb, self.size)
        if time_s is None:
            if self._t0 is None:
                self._t0 = wall
            time_s = wall - self._t0
        find_marker = self.settings.marker_cm is not None and self._index % self.settings.marker_every == 0
        rec = observe_frame(img, self._index, float(time_s), self.estimator, find_marker)
        if self._want_lines and rec.pose_found:  # once: the first frame with a person (as for a clip)
            rec = mark_upright_lines([rec], {0: img})[0]
            self._want_lines = rec.upright_lines_px is None  # searched (found or not) unless the person had no box
        with self._lock:
            lf = self.screen.update(rec)
            out = draw_overlay(img, overlay_state(lf))
            if lf.in_attempt:
                self._attempt_frames[rec.frame_index] = (
                    math.nan if lf.shin_angle_deg is None else lf.shin_angle_deg, encode_jpeg(img))
            if lf.finished is not None or not lf.in_attempt:
                self._keep_attempt_frames(lf.finished)
            if lf.finished is not None:
                self._measure_in_background()
        self._index += 1
        self.frames_processed += 1
        self._last_wall = time.perf_counter()
        self.busy_s += self._last_wall - wall
        fps = self.fps()
        _text(out, f"{fps:4.1f} fps", (out.shape[1] - 90, 20), 0.45, (200, 200, 200))
        self.last = lf
        self._publish(lf, fps)
        return out

    def _publish(self, lf: LiveFrame, fps: float) -> None:
        st = LiveStatus(
            frame_index=lf.frame_index,
            time_s=lf.time_s,
            checks=dict(lf.checks),
            hints=list(lf.hints),
            ready=lf.ready,
            side=lf.side,
            shin_angle_deg=lf.shin_angle_deg,
            knee_past_toe_cm=lf.knee_past_toe_cm,
            fist_widths=lf.fist_widths,
            heel_down=lf.heel_down,
            heel_lift_cm=lf.heel_lift_cm,
            in_attempt=lf.in_attempt,
            n_attempts=lf.n_attempts,
            scale_source=lf.scale_source,
            fps=fps,
            frame_size=self.size or (0, 0),
            attempts=list(self.screen.attempts),
            measured_attempts=list(self.measured.attempts) if self.measured is not None else [],
            measured_how=measured_how(self.measured.view) if self.measured is not None else None,
        )
        while True:
            try:
                self.status_queue.put_nowait(st)
                return
            except queue.Full:
                try:
                    self.status_queue.get_nowait()  # keep only the newest statuses
                except queue.Empty:
                    pass

    def latest_status(self, timeout_s: float = 0.0) -> LiveStatus | None:
        """The newest status in the queue (older ones are dropped), or None."""
        st: LiveStatus | None = None
        try:
            st = self.status_queue.get(timeout=timeout_s) if timeout_s > 0 else self.status_queue.get_nowait()
            while True:
                st = self.status_queue.get_nowait()
        except queue.Empty:
            pass
        return st

    def recv(self, frame: Any) -> Any:
        """streamlit-webrtc entry point: av.VideoFrame in, overlay av.VideoFrame out."""
        import av

        rgb = frame.to_ndarray(format="rgb24")
        t = float(frame.time) if getattr(frame, "time", None) is not None else None
        try:
            out = self.process(rgb, t)
        except Exception as exc:  # keep the stream alive; the page shows the message
            self.error = f"{type(exc).__name__}: {exc}"
            out = fit_frame(rgb, self.size or fixed_size_for(rgb.shape[1], rgb.shape[0]))
        new = av.VideoFrame.from_ndarray(out, format="rgb24")
        new.pts, new.time_base = frame.pts, frame.time_base
        return new


def encode_jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    """An RGB frame as JPEG bytes (~0.7 ms and ~30 kB at 960x540)."""
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buf.tobytes() if ok else b""


def snapshots_from_kept_frames(res: ScreenResult, records: list[FrameRecord], frames: dict[int, bytes]) -> dict[int, np.ndarray]:
    """Each measured attempt's end-range frame (the kept frame nearest to it) with the result's overlay, keyed by
    attempt index: the same drawing as a clip's snapshot (``vision.annotate.overlay_for``)."""
    if not frames or not records:
        return {}
    kept = sorted(frames)
    pos = {r.frame_index: i for i, r in enumerate(records)}
    out: dict[int, np.ndarray] = {}
    for a in res.attempts:
        if a.end_range_frame is None:
            continue
        fid = kept[nearest_record(kept, a.end_range_frame)]
        if fid not in pos:
            continue
        img = cv2.imdecode(np.frombuffer(frames[fid], np.uint8), cv2.IMREAD_COLOR)
        if img is not None:
            out[a.index] = draw_overlay(np.ascontiguousarray(img[:, :, ::-1]), overlay_for(res, records, pos[fid]))
    return out


def attempt_rows(status: LiveStatus) -> list[dict[str, object]]:
    """The page's table of captured attempts: each one's numbers from the clip analysis of the session so far where
    it has been measured (``measured_attempts``), else the live preview's, saying which."""
    rows: list[dict[str, object]] = []
    for live in status.attempts:  # matched by start time (the result leaves out attempts older than its frames)
        m = next((x for x in status.measured_attempts if abs(x.start_time_s - live.start_time_s) < 0.1), None)
        a = m if m is not None else live
        rows.append({
            "attempt": live.index + 1,
            "knee past toe (cm)": None if a.knee_past_toe_cm is None else round(a.knee_past_toe_cm, 1),
            "shin angle (deg)": None if a.shin_angle_deg is None else round(a.shin_angle_deg, 1),
            "heel": "down" if a.heel_down else "LIFTED",
            "measured": "like a clip" if m is not None else "preview",
            "note": a.reason,
        })
    return rows


def check_rows(checks: dict[str, bool]) -> list[tuple[str, bool]]:
    """(label, ok) for the setup checks, in display order."""
    return [(label, bool(checks.get(k, False))) for k, label in CHECK_LABELS.items()]


def fmt_cm(v: float | None) -> str:
    return "--" if v is None or not math.isfinite(v) else f"{v:+.1f} cm"
