"""Exact ground truth from the posed 3-D mesh (no image analysis involved).

All 3-D values are in the world frame of ``body.py`` (cm, floor ``y = 0``, forward = +x, the
front foot's forward direction, which is +x whether or not the heel is lifted, since the foot
only pitches about its lateral axis).

Definitions (SPEC section 3):

* ``shin_angle_deg``: angle between the tibia (front knee joint centre -> front ankle joint
  centre, the posed bone heads of ``lowerleg01`` and ``foot``) and the floor normal (+y), signed
  in the sagittal plane: positive when the knee is ahead (+x) of the ankle. The front leg is
  posed in a sagittal plane, so the unsigned 3-D angle is the same number
  (``shin_angle_3d_deg`` is reported as well).
* ``knee_past_toe_cm``: (front-most kneecap skin point) - (front-most toe skin point), along +x.
  Kneecap candidates are the front leg's skin vertices within 13 cm (rest mesh) of the knee
  joint centre, toe candidates the front foot's toe vertices; the other leg is excluded.
  In a perfect side view (orthographic, camera axis along the lateral axis) the front-most 3-D
  point of a body part projects to the front-most point of its silhouette, so this is also the
  silhouette quantity the screen measures. In a perspective or yawed view the extreme
  silhouette pixel may come from a slightly different vertex; ``pixel_truth`` therefore reports
  both the projection of the 3-D front-most vertex (``*_px``) and the vertex that is extreme
  along the image's forward direction (``*_silhouette_px``).
* ``heel_height_cm``: lowest heel skin point (front-foot vertices behind the ankle joint) above
  the floor. 0 (to within the mesh's sole curvature, ~0.05 cm) when the heel is down.
* ``foot_length_cm``: back-most heel point to front-most toe point along the foot's long axis,
  measured on the unposed (standing, foot flat) mesh scaled to the body height; the pose does
  not change it beyond skinning noise.
* ``body_height_cm``: the standing height of the scaled rest mesh (sole to top of head).
"""

from __future__ import annotations

import math

import numpy as np

from .body import PosedBody, body_regions, load_assets
from .camera import Camera


def _extreme(verts: np.ndarray, mask: np.ndarray, direction: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(mask)
    k = idx[np.argmax(verts[idx] @ direction)]
    return verts[k]


def foot_length_cm(body_height_cm: float, front_side: str = "left") -> float:
    a = load_assets()
    reg = body_regions(a, "L" if front_side == "left" else "R")
    z = a.verts[reg["foot"], 2]
    return float((z.max() - z.min()) * body_height_cm / a.height_dm)


def body_truth(body: PosedBody) -> dict:
    """3-D ground truth of a posed body (cm, deg) and the 3-D key points used for it."""
    v = body.verts
    r = body.region
    knee = body.joints["front_knee"]
    ankle = body.joints["front_ankle"]
    t = knee - ankle
    shin = math.degrees(math.atan2(t[0], t[1]))
    shin3d = math.degrees(math.acos(t[1] / np.linalg.norm(t)))
    fwd = np.array([1.0, 0.0, 0.0])
    kneecap = _extreme(v, r["knee"], fwd)
    toe = _extreme(v, r["toes"], fwd)
    heel_idx = np.flatnonzero(r["heel"])
    hv = v[heel_idx]
    heel_bottom = hv[np.argmin(hv[:, 1])]
    heel_back = hv[np.argmin(hv[:, 0])]
    heel_back_bottom = hv[np.argmin(hv[:, 0] + hv[:, 1])]
    floor_contact = v[r["foot"], 1].min()
    return {
        "shin_angle_deg": float(shin),
        "shin_angle_3d_deg": float(shin3d),
        "knee_past_toe_cm": float(kneecap[0] - toe[0]),
        "heel_height_cm": float(heel_bottom[1]),
        "foot_floor_contact_cm": float(floor_contact),
        "points_cm": {
            "kneecap_front": kneecap.tolist(),
            "toe_tip": toe.tolist(),
            "heel_bottom": heel_bottom.tolist(),
            "heel_back": heel_back.tolist(),
            "heel_back_bottom": heel_back_bottom.tolist(),
            **{k: np.asarray(j).tolist() for k, j in body.joints.items()},
        },
    }


def image_forward(camera: Camera, at_cm: np.ndarray | None = None) -> np.ndarray:
    """Unit image direction of world +x (the foot's forward) at a point on the floor."""
    p0 = np.zeros(3) if at_cm is None else np.asarray(at_cm, float)
    uv = camera.project(np.stack([p0 - [5.0, 0, 0], p0 + [5.0, 0, 0]]))
    d = uv[1] - uv[0]
    return d / np.linalg.norm(d)


def pixel_truth(body: PosedBody, camera: Camera, truth3d: dict | None = None) -> dict:
    """Projected key points (pixels, x right / y down, top-left pixel centre = (0, 0))."""
    t3 = truth3d or body_truth(body)
    pts = t3["points_cm"]
    names = [
        "kneecap_front", "toe_tip", "heel_bottom", "heel_back", "heel_back_bottom",
        "front_knee", "front_ankle", "front_hip", "front_ball", "back_knee", "back_ankle",
        "back_hip", "left_shoulder", "right_shoulder", "left_wrist", "right_wrist", "head",
        "left_eye", "right_eye",
    ]
    arr = np.array([pts[n] for n in names])
    uv = camera.project(arr)
    out = {n: uv[i].tolist() for i, n in enumerate(names)}
    # silhouette extremes along the image's forward direction
    fwd_img = image_forward(camera)
    v = body.verts
    r = body.region
    for name, mask in (("kneecap_front", r["knee"]), ("toe_tip", r["toes"])):
        idx = np.flatnonzero(mask)
        p = camera.project(v[idx])
        k = int(np.argmax(p @ fwd_img))
        out[f"{name}_silhouette"] = p[k].tolist()
    w, h = camera.width_px, camera.height_px
    allp = camera.project(v[body.assets.used])
    in_frame = {
        n: bool(0 <= out[n][0] <= w - 1 and 0 <= out[n][1] <= h - 1) for n in names
    }
    return {
        "points_px": out,
        "image_forward": fwd_img.tolist(),
        "knee_past_toe_px": float(
            (np.asarray(out["kneecap_front_silhouette"]) - np.asarray(out["toe_tip_silhouette"])) @ fwd_img
        ),
        "body_bbox_px": [float(np.nanmin(allp[:, 0])), float(np.nanmin(allp[:, 1])),
                         float(np.nanmax(allp[:, 0])), float(np.nanmax(allp[:, 1]))],
        "in_frame": in_frame,
        "body_fully_in_frame": bool(
            np.nanmin(allp[:, 0]) >= 0 and np.nanmin(allp[:, 1]) >= 0
            and np.nanmax(allp[:, 0]) <= w - 1 and np.nanmax(allp[:, 1]) <= h - 1
        ),
    }
