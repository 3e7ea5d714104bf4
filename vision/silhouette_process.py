"""Silhouette points computed in a child process while the pose model runs on the next frame.

MediaPipe's ``process`` holds the GIL while it infers, so a Python thread computing the silhouette points
(``screening.silhouette.leg_points``) never overlapped it (measured: a thread and the same work inline took the
same 6.1 s on the Pexels clip; without the work, 5.0 s). A child process runs them on the other core.

Per posed frame the parent writes the legs' part of the segmentation mask (a crop around both legs, as 8-bit:
the 0.5 crossing moves by under 0.02 px) into a shared-memory slot and sends the landmarks; the child answers
with the points in full-frame pixels. Results are collected as they come and at the end. If no child can be
started, the points are computed in this process instead.
"""

from __future__ import annotations

import logging
import os
import select
import sys
from dataclasses import fields, replace

import numpy as np

from screening.records import FrameRecord
from screening.silhouette import FootKneePoints, leg_points
from vision import ipc
from vision.landmarks import LEGS, PoseFrame

log = logging.getLogger(__name__)

MODULE = "vision.silhouette_process"
BUFFERED = False  # the parent polls the child's answers with select
SLOTS = 6
CROP_MARGIN_SHINS = 0.8  # the crop reaches this many shin lengths beyond the legs' landmarks (searches stay inside)
_POINT_FIELDS = [f.name for f in fields(FootKneePoints) if f.name.endswith("_px")]


def leg_crop(pose: PoseFrame) -> tuple[int, int, int, int]:
    """(y0, x0, y1, x1): the part of the frame the silhouette searches of both legs can reach."""
    pts = np.array([pose.point(getattr(leg, k)) for leg in LEGS.values() for k in ("knee", "ankle", "heel", "toe")])
    h, w = pose.mask.shape if pose.mask is not None else (pose.height_px, pose.width_px)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) == 0:
        return 0, 0, h, w
    shin = max(float(np.linalg.norm(pose.point(leg.knee) - pose.point(leg.ankle))) for leg in LEGS.values())
    m = CROP_MARGIN_SHINS * (shin if np.isfinite(shin) else max(h, w))
    x0, y0 = np.floor(pts.min(axis=0) - m)
    x1, y1 = np.ceil(pts.max(axis=0) + m)
    return max(0, int(y0)), max(0, int(x0)), min(h, max(1, int(y1))), min(w, max(1, int(x1)))


def shifted(p: FootKneePoints, offset_xy: np.ndarray) -> FootKneePoints:
    """The same points moved by ``offset_xy`` (directions unchanged)."""
    return replace(p, **{name: getattr(p, name) + offset_xy for name in _POINT_FIELDS})


def legs_from_crop(mask_u8: np.ndarray, origin_yx: tuple[int, int], landmarks: dict[str, np.ndarray]) -> dict[str, FootKneePoints]:
    """``leg_points`` for each leg on an 8-bit mask crop whose top-left pixel is ``origin_yx`` in the frame;
    ``landmarks[leg]`` holds knee, ankle, heel, toe (4, 2) in frame pixels. Points come back in frame pixels."""
    mask = mask_u8.astype(np.float32) * np.float32(1.0 / 255.0)
    off = np.array([origin_yx[1], origin_yx[0]], dtype=float)
    out = {}
    for name, pts in landmarks.items():
        k, a, h, t = (np.asarray(p, dtype=float) - off for p in pts)
        out[name] = shifted(leg_points(mask, k, a, h, t), off)
    return out


def _landmarks(pose: PoseFrame) -> dict[str, np.ndarray]:
    return {name: np.array([pose.point(leg.knee), pose.point(leg.ankle), pose.point(leg.heel), pose.point(leg.toe)])
            for name, leg in LEGS.items()}


class InlineSilhouettes:
    """The same interface, computed at once in this process (a still, or no child process)."""

    def submit(self, records: list[FrameRecord], i: int, pose: PoseFrame | None) -> None:
        if pose is not None and pose.mask is not None:
            records[i] = replace(records[i], legs=legs_here(pose))

    def finish(self, records: list[FrameRecord]) -> None:
        pass

    def close(self) -> None:
        pass


class SilhouetteProcess(ipc.Helper):
    """Hand each posed frame's mask to the child (``submit``); ``finish`` fills in every record's legs.

    If the child dies, the frames it had are done from their slots here, and so is every later frame."""

    def __init__(self, width_px: int, height_px: int, spares: ipc.SpareHelpers | None = None) -> None:
        self._local = False  # True once the child has failed
        self._size = width_px * height_px
        self._free = list(range(SLOTS))
        self._pending: dict[int, tuple[int, tuple[int, ...], tuple[int, int], dict[str, np.ndarray]]] = {}
        super().__init__(MODULE, SLOTS, (self._size,), {}, buffered=BUFFERED, spares=spares)

    def submit(self, records: list[FrameRecord], i: int, pose: PoseFrame | None) -> None:
        if pose is None or pose.mask is None:
            return
        if self._local or pose.mask.size > self._size:  # no child, or a frame larger than the slots
            records[i] = replace(records[i], legs=legs_here(pose))
            return
        self._collect(records, block=False)
        while not self._free and self._pending:
            self._collect(records, block=True)
        if not self._free:  # the child failed while we waited
            records[i] = replace(records[i], legs=legs_here(pose))
            return
        y0, x0, y1, x1 = leg_crop(pose)
        crop = pose.mask[y0:y1, x0:x1]
        slot = self._free.pop()
        assert self._slots is not None
        self._slots[slot, : crop.size] = (crop * 255.0 + 0.5).astype(np.uint8).ravel()  # rounded, not truncated
        job = (i, crop.shape, (y0, x0), _landmarks(pose))
        self._pending[slot] = job
        try:
            ipc.send(self._to_child, ("job", slot, job[1], job[2], job[3]))
        except (BrokenPipeError, OSError, ValueError):
            self._fail(records, "the silhouette process is gone")

    def _collect(self, records: list[FrameRecord], block: bool) -> None:
        """Take finished results: every one that is ready, and (``block``) at least one."""
        got = False
        while self._pending and not self._local:
            if (not block or got) and not select.select([self._from_child], [], [], 0)[0]:
                return
            msg = ipc.receive(self._from_child)
            if msg is None or msg[0] != "legs":
                self._fail(records, msg[1] if msg else "it stopped")
                return
            _, slot, legs = msg
            i = self._pending.pop(slot)[0]
            records[i] = replace(records[i], legs=legs)
            self._free.append(slot)
            got = True

    def _fail(self, records: list[FrameRecord], why: str) -> None:
        log.warning("silhouette process failed (%s): computing the points here", why)
        self._local = True
        assert self._slots is not None
        for slot, (i, shape, origin, landmarks) in list(self._pending.items()):
            crop = self._slots[slot, : shape[0] * shape[1]].reshape(shape)
            records[i] = replace(records[i], legs=legs_from_crop(crop, origin, landmarks))
            self._free.append(slot)
        self._pending.clear()

    def finish(self, records: list[FrameRecord]) -> None:
        while self._pending and not self._local:
            self._collect(records, block=True)

def legs_here(pose: PoseFrame) -> dict[str, FootKneePoints]:
    """``leg_points`` of both legs on the full mask, in this process."""
    assert pose.mask is not None
    return {name: leg_points(pose.mask, *pts) for name, pts in _landmarks(pose).items()}


# ---------------------------------------------------------------------------------------------------
# the child
# ---------------------------------------------------------------------------------------------------
def _child_main() -> int:
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    attached = ipc.attach(inp)
    if attached is None:
        return 1
    _, shm, slots = attached
    try:
        while True:
            msg = ipc.receive(inp)
            if msg is None or msg[0] == "stop":
                return 0
            _, slot, shape, origin, landmarks = msg
            crop = slots[slot, : shape[0] * shape[1]].reshape(shape)
            try:
                legs = legs_from_crop(crop, origin, landmarks)
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides what happens
                ipc.send(out, ("crash", f"{type(exc).__name__}: {exc}"))
                return 1
            ipc.send(out, ("legs", slot, legs))
    except BrokenPipeError:
        return 0
    finally:
        del slots
        shm.close()


if __name__ == "__main__":
    code = _child_main()
    sys.stdout.flush()
    os._exit(code)
