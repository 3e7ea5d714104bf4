"""Decoding in a child process, frames handed over through shared memory.

MediaPipe's pose graph keeps one core busy and holds the GIL while it runs; decoding, scaling and
camera-motion tracking in a Python thread of the same process then wait for each other (measured on
the Pexels clip: pose 4.3 s alone, 4.8 s beside a decode thread, 4.4 s beside a decode process). A
child process has its own interpreter, so it decodes on the second core while the pose model runs.

The child (``python -m vision.decode_process``, a plain subprocess: nothing of the caller's main
module is re-run) writes each upright, downsized frame as YUV 4:2:0 planes (half the bytes of RGB, and
cheaper to scale) into one of a ring of shared-memory slots
and reports (index, time, slot, camera map) on its stdout; the parent copies the slot out, hands it back
on the child's stdin and, once done with the frame, says so with the person's latest box, which keeps the
body out of the camera tracker (``PersonBoxes``: taken at a fixed lag, so every run of a clip gives the same
numbers). Errors in the child reach the parent as the same ``UnreadableInputError`` message.
Nothing leaves the machine: the only channels are two pipes and a shared-memory block.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from screening.errors import UnreadableInputError
from vision import ipc, video
from vision.stabilize import Box, as_box

log = logging.getLogger(__name__)

MODULE = "vision.decode_process"
SLOTS = 6


class PersonBoxes:
    """The child's side of the person's box for the camera tracker, the same on every run of a clip.

    The tracker leaves the person out when it picks background corners (every ~20 frames). It takes the box the
    analysis had after frame ``index - LAG_FRAMES`` (the analysis answers every frame, in order, with
    ``ProcessDecoder.frame_done``), waiting for that answer if need be - never "whatever box had arrived by
    then", which depended on how far ahead the child happened to be and made two runs of the same clip differ
    in the second decimal. The child is at most its slots ahead of the analysis, fewer than ``LAG_FRAMES``."""

    LAG_FRAMES = SLOTS + 2

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._boxes: dict[int, Box | None] = {}
        self._closed = False

    def answer(self, index: int, box: Box | None) -> None:
        with self._cond:
            self._boxes[index] = box
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def box_for(self, index: int) -> Box | None:
        target = index - self.LAG_FRAMES
        if target < 0:
            return None
        with self._cond:
            while target not in self._boxes and not self._closed:
                self._cond.wait(1.0)
            return self._boxes.get(target)


class ProcessDecoder(ipc.Helper):
    """Iterate a clip's frames decoded in a child process. With ``answers``, the caller tells it the person's box
    after every frame (``frame_done``), for the camera tracker."""

    def __init__(
        self, path: str | Path, max_side_px: int | None, track_camera: bool = True, info: video.VideoInfo | None = None,
        spares: ipc.SpareHelpers | None = None, answers: bool = False,
    ) -> None:
        """``answers``: the caller calls ``frame_done`` for every frame it takes, in order (the tracker then leaves
        the person out, the same way on every run); without it the tracker uses the whole picture."""
        self.path = Path(path)
        info = info if info is not None else video.probe(path)
        w, h = video.scaled_size(info.width_px, info.height_px, max_side_px, even=True)
        self.shape = (h * 3 // 2, w)  # I420: Y plane, then the quarter-size U and V planes
        super().__init__(MODULE, SLOTS, self.shape,
                         dict(path=str(self.path.resolve()), max_side_px=max_side_px, track_camera=track_camera,
                              answers=answers),
                         spares=spares)  # absolute: the child runs in the repository's directory
        assert self._slots is not None
        self._slots.flags.writeable = False

    def frame_done(self, index: int, person_box: tuple[float, ...] | None) -> None:
        """The caller is done with frame ``index``; ``person_box`` (x0, y0, x1, y1): the person's latest box."""
        self._tell(("done", int(index), as_box(person_box)))

    def _tell(self, msg: Any) -> None:
        try:
            ipc.send(self._to_child, msg)
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child has finished or died; __iter__ reports what matters

    def __iter__(self) -> Iterator[video.Frame]:
        """Upright frames; a frame's YUV planes are copied out of its slot (which goes straight back to the
        child) and converted to RGB here (OpenCV) only if the frame's pixels are used."""
        import cv2

        try:
            while True:
                item = ipc.receive(self._from_child)
                if item is None:
                    raise UnreadableInputError(f"Decoding '{self.path.name}' stopped unexpectedly. {video.REFILM}")
                kind = item[0]
                if kind == "done":
                    return
                if kind == "error":
                    raise UnreadableInputError(item[1])
                if kind == "crash":
                    log.error("decoder process failed: %s", item[1])
                    raise UnreadableInputError(f"'{self.path.name}' could not be decoded. {video.REFILM}")
                _, index, time_s, slot, to_ref, i420 = item
                if slot is not None:
                    assert self._slots is not None
                    i420 = self._slots[slot].copy()  # half the bytes of RGB; the slot goes straight back
                    self._tell(("free", slot))
                yield video.Frame(index, time_s, to_ref=to_ref, make_rgb=partial(cv2.cvtColor, i420, cv2.COLOR_YUV2RGB_I420))
        finally:
            self.close()

# ---------------------------------------------------------------------------------------------------
# the child
# ---------------------------------------------------------------------------------------------------
def _child_main() -> int:

    import cv2

    from vision.stabilize import CameraTracker

    cv2.setNumThreads(1)  # this process keeps to one core: the others are the pose model's

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    attached = ipc.attach(inp)
    if attached is None:
        return 1
    args, shm, slots = attached
    shape = tuple(args["slot_shape"])
    free: queue.Queue[int | None] = queue.Queue()
    for i in range(SLOTS):
        free.put(i)
    boxes = PersonBoxes()

    def listen() -> None:  # slot releases, the analysis's per-frame answers and stop requests from the parent
        while True:
            msg = ipc.receive(inp)
            if msg is None or msg[0] == "stop":
                boxes.close()
                free.put(None)
                return
            if msg[0] == "free":
                free.put(msg[1])
            elif msg[0] == "done":
                boxes.answer(msg[1], msg[2])

    threading.Thread(target=listen, daemon=True).start()
    tracker = CameraTracker() if args["track_camera"] else None
    try:
        for index, time_s, vf in video.iter_decoded(Path(args["path"]), codec_threads=False):
            slot = free.get()
            if slot is None:
                return 0
            i420 = video.upright_i420(vf, args["max_side_px"], out=slots[slot])  # scaled straight into the slot
            luma = i420[: i420.shape[0] * 2 // 3]
            box = partial(boxes.box_for, index) if args.get("answers") else None
            to_ref = tracker.update(luma, box) if tracker is not None else None
            if i420.shape == shape:
                ipc.send(out, ("frame", index, time_s, slot, to_ref, None))
            else:  # the stream changed size mid-clip: send this frame by value
                free.put(slot)
                ipc.send(out, ("frame", index, time_s, None, to_ref, i420))
        ipc.send(out, ("done",))
    except UnreadableInputError as exc:
        ipc.send(out, ("error", str(exc)))
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides what the user sees
        import traceback

        ipc.send(out, ("crash", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        del slots
        shm.close()
    return 0


if __name__ == "__main__":
    code = _child_main()
    sys.stdout.flush()
    # leave at once: a normal interpreter shutdown would wait on the listener thread's blocked stdin read
    os._exit(code)
