"""The only module that imports MediaPipe: turns its output into pixel-space ``PoseFrame``s."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from vision.landmarks import N_LANDMARKS, PoseFrame


class PoseEstimator(Protocol):
    """Anything that turns an upright RGB frame into a ``PoseFrame`` (or None when nobody is found)."""

    def __call__(self, rgb: np.ndarray, frame_index: int, time_s: float) -> PoseFrame | None: ...

    def reset(self) -> None: ...


_STDERR_LOCK = threading.RLock()  # fd 2 is process-wide: two threads must not swap it at once


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """MediaPipe's C++ side logs start-up chatter on fd 2; keep it off the user's terminal."""
    with _STDERR_LOCK:
        yield from _quiet_native_stderr_unlocked()


def _quiet_native_stderr_unlocked() -> Iterator[None]:
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _allowed_cores() -> set[int]:
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return set()


def decoder_core() -> int | None:
    """The core kept for decoding (the last allowed one) when there are at least two, else None."""
    cores = _allowed_cores()
    return max(cores) if len(cores) >= 2 else None


@contextlib.contextmanager
def _threads_created_on(cores: set[int]) -> Iterator[None]:
    """Threads started inside this block (MediaPipe's graph and inference threads) may run only on ``cores``:
    Linux threads inherit the affinity of the thread that creates them. The calling thread gets its own
    affinity back afterwards. Without this, the pose model's helper thread and the decoder process fight
    over one core and inference slows by a third (measured on 2 cores)."""
    tid = threading.get_native_id()
    try:
        before = os.sched_getaffinity(tid)
        os.sched_setaffinity(tid, cores)
    except (AttributeError, OSError):
        yield
        return
    try:
        yield
    finally:
        os.sched_setaffinity(tid, before)


class MediaPipePose:
    """MediaPipe Pose (BlazePose full, ``model_complexity=1``; bundled in the wheel, works offline).

    ``video_mode=True`` tracks across frames (use for clips); ``False`` treats every frame alone.
    The model is created lazily and reused; ``reset()`` starts a new track for a new clip.
    """

    def __init__(
        self,
        video_mode: bool = True,
        segmentation: bool = True,
        min_detection_confidence: float = 0.5,
        smooth_segmentation: bool = True,
    ):
        self.video_mode = video_mode
        self.segmentation = segmentation
        self.smooth_segmentation = smooth_segmentation
        self.min_detection_confidence = min_detection_confidence
        self._pose = None
        self._calls = 0
        self._lock = threading.Lock()

    def _model(self):
        if self._pose is None:
            import mediapipe as mp  # imported here so importing vision stays light

            keep = decoder_core()
            cores = _allowed_cores() - {keep} if keep is not None else _allowed_cores()
            with _threads_created_on(cores) if cores else contextlib.nullcontext():
                self._pose = self._create(mp)
        return self._pose

    def _create(self, mp):
        return mp.solutions.pose.Pose(
            static_image_mode=not self.video_mode,
            model_complexity=1,
            smooth_landmarks=True,
            enable_segmentation=self.segmentation,
            smooth_segmentation=self.smooth_segmentation,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=0.5,
        )

    def warm(self) -> None:
        """Build the model's graph now (a clip's first frame would otherwise wait for it)."""
        with self._lock, _quiet_native_stderr():
            graph = getattr(self._model(), "_graph", None)
            if graph is not None:  # its calculators open (and log) on their own threads: wait for them here
                graph.wait_until_idle()

    def reset(self) -> None:
        with self._lock:
            if self._pose is not None:
                self._pose.close()
            self._pose = None
            self._calls = 0

    def __call__(self, rgb: np.ndarray, frame_index: int, time_s: float) -> PoseFrame | None:
        rgb = np.ascontiguousarray(rgb)
        with self._lock:
            # MediaPipe's C++ side logs to fd 2 at start-up and on some frames later (e.g. "Using NORM_RECT
            # without IMAGE_DIMENSIONS" when a detection is lost): keep every call off the user's terminal
            with _quiet_native_stderr():
                res = self._model().process(rgb)
            self._calls += 1
        if res.pose_landmarks is None:
            return None
        h, w = rgb.shape[:2]
        arr = np.array([(p.x, p.y, p.z, p.visibility) for p in res.pose_landmarks.landmark], dtype=np.float64)
        assert arr.shape[0] == N_LANDMARKS
        xy = arr[:, :2] * np.array([w, h], dtype=np.float64)
        mask = None
        if res.segmentation_mask is not None:
            mask = np.asarray(res.segmentation_mask, dtype=np.float32)
        return PoseFrame(
            frame_index=frame_index,
            time_s=time_s,
            width_px=w,
            height_px=h,
            xy_px=xy,
            visibility=arr[:, 3].copy(),
            depth_rel=arr[:, 2] * w,
            mask=mask,
        )
