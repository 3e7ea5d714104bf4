"""Writing upright H.264 mp4 clips with PyAV (the annotated video)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np


class Mp4Writer:
    """H.264 (yuv420p) writer; frames are RGB uint8 and are written upright (no rotation tag needed).

    Timestamps follow the source's own times so variable-frame-rate clips keep their timing.
    """

    def __init__(self, path: str | Path, fps: float, width_px: int, height_px: int, crf: int = 23) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), mode="w")
        rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width = width_px - width_px % 2
        self._stream.height = height_px - height_px % 2
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": "veryfast"}
        self._tb = Fraction(1, 90000)
        self._stream.codec_context.time_base = self._tb
        self._last_pts = -1
        self.frames_written = 0

    def write(self, rgb: np.ndarray, time_s: float | None = None) -> None:
        h, w = self._stream.height, self._stream.width
        img = np.ascontiguousarray(rgb[:h, :w])
        # OpenCV makes the encoder's YUV 4:2:0 ~10x faster than PyAV's own conversion (7.6 vs 17.8 ms a frame
        # for encoding at 676x1280, measured)
        i420 = np.asarray(cv2.cvtColor(img, cv2.COLOR_RGB2YUV_I420), dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(i420, format="yuv420p")
        if time_s is None:
            time_s = self.frames_written / float(self._stream.codec_context.framerate or 30)
        pts = int(round(time_s / self._tb))
        if pts <= self._last_pts:
            pts = self._last_pts + 1
        frame.pts, frame.time_base = pts, self._tb
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> None:
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
