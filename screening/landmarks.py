"""The 33 BlazePose landmarks by name (pure: shared by vision/ and the analysis in screening/)."""

from __future__ import annotations

from enum import IntEnum


class Landmark(IntEnum):
    """The 33 BlazePose landmarks, by name."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


N_LANDMARKS = len(Landmark)

LEG_PARTS = ("shoulder", "hip", "knee", "ankle", "heel", "toe")

# landmark index of each part of each leg, e.g. LEG_LANDMARK_INDEX["left"]["knee"] == Landmark.LEFT_KNEE
LEG_LANDMARK_INDEX: dict[str, dict[str, int]] = {
    side: {
        part: int(Landmark[f"{side.upper()}_{'FOOT_INDEX' if part == 'toe' else part.upper()}"]) for part in LEG_PARTS
    }
    for side in ("left", "right")
}
