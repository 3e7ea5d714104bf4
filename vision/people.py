"""Who else is in the picture, and is anybody there at all: checks run on a few sampled frames.

MediaPipe Pose follows ONE person. Two checks guard against a silent wrong number:

- **Other people** (:func:`count_other_people`): the measured person is painted over and the same pose
  model (single-image mode, bundled in the wheel) looks again, up to ``max_others`` times. A second
  person at least ``similar_ratio`` as tall as the measured one counts as *similar in size*: the tracker
  could jump between the two, so the analysis refuses to measure; a clearly smaller person (in the
  background) only earns a note naming who was measured.

It is cheap: a handful of single-image inferences per clip. (A search for people too small for the model,
in enlarged tiles, was tried and dropped: the face-based person detector of BlazePose hallucinated people
in empty rooms and still missed a masked face 120 px tall; OpenCV's HOG people detector fired on chairs
and ropes. So a person too small to be found gets "No person was found ... 1.5-3 m from the camera".)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.pose import MediaPipePose, PoseEstimator

MIN_VISIBILITY = 0.5  # landmarks that count towards a person's box
MIN_VISIBLE_LANDMARKS = 12  # fewer visible landmarks: not a person (a shadow, a coat on a chair...)


@dataclass(frozen=True)
class PersonBox:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def grown(self, frac: float, w: int, h: int) -> PersonBox:
        dx, dy = self.width * frac, self.height * frac
        return PersonBox(max(0.0, self.x0 - dx), max(0.0, self.y0 - dy), min(float(w), self.x1 + dx),
                         min(float(h), self.y1 + dy))

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def as_list(self) -> list[float]:
        return [round(self.x0, 1), round(self.y0, 1), round(self.x1, 1), round(self.y1, 1)]


def person_box(xy_px: np.ndarray | None, visibility: np.ndarray | None) -> PersonBox | None:
    """Box around the visible landmarks of one pose (None if too few are visible)."""
    if xy_px is None or visibility is None:
        return None
    sel = visibility >= MIN_VISIBILITY
    if int(sel.sum()) < MIN_VISIBLE_LANDMARKS:
        return None
    pts = xy_px[sel]
    return PersonBox(float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


def _paint_out(rgb: np.ndarray, box: PersonBox) -> np.ndarray:
    """A copy of the frame with ``box`` filled by the frame's median colour (the person disappears)."""
    out = rgb.copy()
    fill = np.median(rgb[::8, ::8].reshape(-1, 3), axis=0).astype(np.uint8)
    out[int(box.y0): int(np.ceil(box.y1)), int(box.x0): int(np.ceil(box.x1))] = fill
    return out


@dataclass(frozen=True)
class OtherPeople:
    boxes: list[PersonBox]
    similar: int  # how many are at least ``similar_ratio`` as tall as the measured person


def count_other_people(
    rgb: np.ndarray,
    main: PersonBox,
    detector: PoseEstimator,
    max_others: int = 2,
    similar_ratio: float = 0.7,
) -> OtherPeople:
    """Other people in one frame, found by painting out the measured person and looking again."""
    h, w = rgb.shape[:2]
    hidden = [main.grown(0.08, w, h)]
    img = _paint_out(rgb, hidden[0])
    found: list[PersonBox] = []
    for _ in range(max_others):  # a single-image detector: no reset between images (it would rebuild its graph)
        pose = detector(img, 0, 0.0)
        box = person_box(pose.xy_px, pose.visibility) if pose is not None else None
        if box is None:
            break
        cx, cy = box.centre
        if any(b.contains(cx, cy) for b in hidden):  # the model re-found a painted-out region
            break
        found.append(box)
        hidden.append(box.grown(0.08, w, h))
        img = _paint_out(img, hidden[-1])
    similar = sum(1 for b in found if b.height >= similar_ratio * main.height)
    return OtherPeople(found, similar)


def single_image_detector() -> MediaPipePose:
    """The pose model in single-image mode, without segmentation (for the checks above)."""
    return MediaPipePose(video_mode=False, segmentation=False)
