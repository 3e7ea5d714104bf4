"""Software renderer of the posed body: stills and H.264 clips with exact ground truth.

Rasterisation: back-face culled triangles, depth-sorted far-to-near and drawn with
``cv2.fillConvexPoly`` (sub-pixel, ``shift=4``) into a triangle-id buffer at ``supersample``
times the output resolution; each covered pixel is then shaded by barycentric interpolation
of per-vertex Lambert colours (linear light, sRGB out); the floor and back wall are ray-cast
per pixel; a soft directional shadow and contact shadow darken the floor; the frame is
downsampled with area averaging (anti-aliasing) and given mild sensor noise.

CLI: ``python -m benchmarks.synth.render --out DIR --preset NAME`` (``--list`` shows presets).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import time
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from .body import PosedBody, PoseParams, load_assets, pose_half_kneel
from .camera import Camera, default_focal_px, focal_from_fov, look_at_camera
from .truth import body_truth, foot_length_cm, pixel_truth

SKIN_TONES = [  # sRGB, light to dark
    (238, 204, 180),
    (226, 185, 152),
    (205, 160, 120),
    (178, 128, 90),
    (135, 90, 62),
    (92, 62, 45),
]
HAIR_COLOURS = [(40, 30, 25), (70, 50, 35), (20, 18, 18), (120, 90, 55), (160, 130, 90), (90, 90, 95)]
CLOTH_COLOURS = [
    (30, 30, 35), (60, 70, 90), (35, 60, 120), (120, 30, 35), (40, 90, 60), (200, 200, 205),
    (90, 90, 95), (150, 120, 80), (20, 40, 70), (180, 60, 40), (70, 40, 90), (230, 230, 225),
]


@dataclass(frozen=True)
class RenderParams:
    """Everything that defines one synthetic frame. Units are in the field names.

    Camera: ``camera_distance_m`` is the horizontal distance from the front foot's heel-to-toe
    midpoint, ``camera_height_m`` the optical centre's height above the floor, ``yaw_deg`` the
    swing away from a pure side view (+ = toward the person's front), ``roll_deg`` the rotation
    about the viewing axis (+ = scene appears rotated counter-clockwise). Lens: ``focal_px`` if
    given, else ``fov_deg`` = horizontal field of view across ``width_px``, else a phone-like
    65 deg across the longer image side. ``aim`` is what the camera looks at: "body" (centre of
    the body's bounding box), "knee", "shin" (knee-ankle midpoint), "foot", or an (x, y, z) cm
    world point, or "auto" (default): "body", but when the body is too tall for the frame the
    aim is lowered so that the feet stay 4 % above the bottom edge (the head is cut first).
    Look: ``background`` is a preset name ("plain", "gradient", "room", "studio", "clutter")
    or an int seed for a random room; ``skin_tone`` an index into ``SKIN_TONES`` (None: from
    ``seed``); ``clothing_seed`` picks shirt/shorts colours and hem; ``seed`` drives lighting
    jitter and sensor noise. ``supersample`` (None: 2 up to 2000 px on the long side, else 1).
    """

    body_height_cm: float = 175.0
    shin_angle_deg: float = 30.0
    heel_lift_cm: float = 0.0
    front_side: str = "left"
    camera_distance_m: float = 2.5
    camera_height_m: float = 0.6
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    fov_deg: float | None = None
    width_px: int = 1920
    height_px: int = 1080
    background: str | int = "room"
    skin_tone: int | None = None
    clothing_seed: int = 0
    seed: int = 0
    focal_px: float | None = None
    aim: str | tuple[float, float, float] = "auto"
    arm_pose: str = "hang_back"
    stance_ratio: float = 1.0
    girth_scale: float = 1.0
    torso_lean_deg: float = 3.0
    supersample: int | None = None
    noise_sigma: float = 2.0
    light_azimuth_deg: float | None = None  # None: from seed
    marker_cm: float | None = None  # ArUco marker (black square side, cm) printed on paper, lying on the floor
    marker_center_cm: tuple[float, float] | None = None  # its (x, lateral offset toward the camera) in cm

    def marker_center_xz_cm(self) -> tuple[float, float] | None:
        """World (x, z) of the floor marker's centre: default beside the front foot's middle, on the
        camera's side, the paper's inner edge 2 cm outside the foot (whose half-width is ~6 cm)."""
        if self.marker_cm is None:
            return None
        x, off = self.marker_center_cm if self.marker_center_cm is not None else (0.0, 8.0 + 0.625 * self.marker_cm)
        return float(x), (-1.0 if self.front_side == "left" else 1.0) * float(off)

    def pose_params(self, **over) -> PoseParams:
        kw = dict(
            body_height_cm=self.body_height_cm,
            front_side=self.front_side,
            shin_angle_deg=self.shin_angle_deg,
            heel_lift_cm=self.heel_lift_cm,
            stance_ratio=self.stance_ratio,
            arm_pose=self.arm_pose,
            girth_scale=self.girth_scale,
            torso_lean_deg=self.torso_lean_deg,
        )
        kw.update(over)
        return PoseParams(**kw)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------------------------
# appearance
# --------------------------------------------------------------------------------------------
def _srgb_to_lin(c) -> np.ndarray:
    return (np.asarray(c, np.float32) / 255.0) ** 2.2


@functools.lru_cache(maxsize=4)
def _vertex_labels() -> np.ndarray:
    """Per-vertex material label on the rest mesh: 0 skin, 1 shirt, 2 shorts, 3 hair, 4 eye,
    5 lips, 6 brow, 7 sleeve (shirt on the upper arm), 8 nail. Shorts hem is resolved later."""
    a = load_assets()
    names = a.bone_names
    dom = [names[i] for i in a.dominant_bone]
    v = a.verts
    lab = np.zeros(len(v), np.int8)
    head_prefix = ("head", "jaw", "eye", "oculi", "orbicularis", "oris", "levator", "risorius",
                   "temporalis", "special", "tongue")
    torso = ("spine01", "spine02", "spine03", "spine04", "breast", "clavicle", "shoulder01")
    hips = ("root", "pelvis", "spine05", "upperleg01", "upperleg02")
    eye_l = a.joint("eye.L", "tail")
    eye_r = a.joint("eye.R", "tail")
    w = a.weights

    def wsum(prefixes: tuple[str, ...]) -> np.ndarray:
        idx = [i for i, n in enumerate(names) if n.startswith(prefixes)]
        return w[:, idx].sum(axis=1)

    y, z, x = v[:, 1], v[:, 2], v[:, 0]
    w_head = wsum(head_prefix)
    w_torso = wsum(torso)
    w_hips = wsum(hips)
    w_sleeve = wsum(("upperarm01",))
    w_neck = wsum(("neck",))
    # summed weights vary smoothly over the skin, so the garment edges come out clean
    lab[(w_torso > 0.5) | ((w_neck > 0.5) & (y < 5.75))] = 1
    lab[w_sleeve > 0.5] = 7
    lab[w_hips > 0.5] = 2
    zc = np.clip((0.75 - z) / 1.1, 0.0, 1.0)
    hair = (w_head > 0.5) & (y > 7.78 - 0.95 * zc)
    ear = (np.abs(x) > 0.72) & (y > 6.95) & (y < 7.55) & (z < 0.75) & (z > -0.1)
    lab[hair & ~ear] = 3
    del dom
    de = np.minimum(np.linalg.norm(v - eye_l, axis=1), np.linalg.norm(v - eye_r, axis=1))
    lab[de < 0.17] = 4
    # lips: front of the lower face, around the mouth
    mouth = np.array([0.0, 6.83, 1.35])
    dm = np.linalg.norm((v - mouth) * [0.8, 1.9, 1.0], axis=1)
    lab[(dm < 0.28) & (v[:, 2] > 1.15)] = 5
    # brows: a band above each eye
    for e in (eye_l, eye_r):
        db = np.abs(v[:, 1] - (e[1] + 0.3))
        lat = np.abs(v[:, 0] - e[0] * 1.1)
        lab[(db < 0.06) & (lat < 0.33) & (v[:, 2] > e[2] - 0.35) & (lab == 0)] = 6
    # waist: torso vertices below the waist are shorts, hips above it shirt
    waist_y = 1.15
    lab[(lab == 1) & (v[:, 1] < waist_y)] = 2
    lab[(lab == 2) & (v[:, 1] > waist_y + 0.25)] = 1
    return lab


@dataclass(frozen=True)
class Appearance:
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    shirt: tuple[int, int, int]
    shorts: tuple[int, int, int]
    sleeves: bool
    hem_fraction: float  # shorts hem: fraction of the thigh from the hip to the knee (0..1.1)


def make_appearance(p: RenderParams) -> Appearance:
    rng = np.random.default_rng(10_000 + p.clothing_seed)
    srng = np.random.default_rng(20_000 + p.seed)
    tone = p.skin_tone if p.skin_tone is not None else int(srng.integers(len(SKIN_TONES)))
    skin = SKIN_TONES[tone % len(SKIN_TONES)]
    jit = srng.normal(0, 5, 3)
    skin = tuple(int(np.clip(c + j, 0, 255)) for c, j in zip(skin, jit, strict=True))
    i, j = rng.choice(len(CLOTH_COLOURS), 2, replace=False)
    return Appearance(
        skin=skin,
        hair=HAIR_COLOURS[int(rng.integers(len(HAIR_COLOURS)))],
        shirt=CLOTH_COLOURS[int(i)],
        shorts=CLOTH_COLOURS[int(j)],
        sleeves=bool(rng.random() < 0.7),
        hem_fraction=float(rng.uniform(0.35, 0.75)),
    )


@functools.lru_cache(maxsize=2)
def _vertex_neighbours() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = load_assets()
    t = a.tris
    e = np.concatenate([t[:, [0, 1]], t[:, [1, 2]], t[:, [2, 0]]])
    e = np.concatenate([e, e[:, ::-1]])
    e = np.unique(e, axis=0)
    deg = np.bincount(e[:, 0], minlength=len(a.verts)).astype(np.float64)
    return e[:, 0], e[:, 1], np.maximum(deg, 1.0)


def _smooth(values: np.ndarray, iters: int) -> np.ndarray:
    """Neighbour averaging over the mesh (values (N,) or (N, C))."""
    src, dst, deg = _vertex_neighbours()
    x = values.astype(np.float64)
    for _ in range(iters):
        if x.ndim == 1:
            nb = np.bincount(src, weights=x[dst], minlength=len(x)) / deg
        else:
            nb = np.stack([np.bincount(src, weights=x[dst, c], minlength=len(x)) for c in range(x.shape[1])], 1)
            nb /= deg[:, None]
        x = 0.5 * x + 0.5 * nb
    return x


def vertex_albedo(body: PosedBody, app: Appearance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear-light albedo per vertex without garments (N, 3), the garment albedo (N, 3), and a
    smooth garment indicator (N,): a pixel is clothed where the interpolated indicator > 0.5,
    which gives clean garment edges across the mesh's triangles."""
    a = body.assets
    lab = _vertex_labels().copy()
    v = a.verts
    # shorts hem along each thigh (rest mesh), measured from the hip joint down to the knee
    for s in ("L", "R"):
        hip = a.joint(f"upperleg01.{s}")
        knee = a.joint(f"lowerleg01.{s}")
        hem_y = hip[1] + app.hem_fraction * (knee[1] - hip[1])
        side = (v[:, 0] > 0) if s == "L" else (v[:, 0] < 0)
        lab[(lab == 2) & side & (v[:, 1] < hem_y)] = 0
    if not app.sleeves:
        lab[lab == 7] = 0
    cols = {
        0: _srgb_to_lin(app.skin),
        1: _srgb_to_lin(app.shirt),
        2: _srgb_to_lin(app.shorts),
        3: _srgb_to_lin(app.hair),
        4: _srgb_to_lin((35, 28, 25)),
        5: _srgb_to_lin(np.array(app.skin) * np.array([0.85, 0.6, 0.6])),
        6: _srgb_to_lin(np.array(app.hair) * 0.9 + np.array(app.skin) * 0.1),
        7: _srgb_to_lin(app.shirt),
    }
    cloth = np.isin(lab, (1, 2, 7))
    base = np.empty((len(v), 3), np.float32)
    for k, c in cols.items():
        base[lab == k] = c
    base[cloth] = cols[0]
    ind = _smooth(cloth.astype(np.float64), 4)
    garment = np.zeros((len(v), 3))
    for k in (1, 2, 7):
        garment[lab == k] = cols[k]
    # spread garment colours outward so edge triangles interpolate a clean colour
    wsum = _smooth(cloth.astype(np.float64), 6)
    garment = _smooth(garment, 6) / np.maximum(wsum, 1e-6)[:, None]
    garment[cloth] = np.array([cols[int(k)] for k in lab[cloth]])
    return base, garment.astype(np.float32), ind.astype(np.float32)


# --------------------------------------------------------------------------------------------
# background: floor + back wall, ray-cast per pixel
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scene:
    wall_rgb: tuple[float, float, float]
    wall_gradient: float
    floor_kind: str  # plain | wood | tile | carpet
    floor_rgb: tuple[float, float, float]
    mat: bool
    mat_rgb: tuple[float, float, float]
    wall_distance_cm: float
    rects: tuple  # (x0, y0, x1, y1, rgb) on the wall plane, cm
    baseboard: bool
    light_dir: tuple[float, float, float]  # towards the light
    ambient: float


def make_scene(p: RenderParams) -> Scene:
    bg = p.background
    seed = bg if isinstance(bg, int) else {"plain": 1, "gradient": 2, "room": 3, "studio": 4, "clutter": 5}.get(
        str(bg), zlib.crc32(str(bg).encode()) % 1000
    )
    rng = np.random.default_rng(30_000 + int(seed))
    kind = bg if isinstance(bg, str) else str(rng.choice(["plain", "gradient", "room", "clutter"]))
    lrng = np.random.default_rng(40_000 + p.seed)
    az = p.light_azimuth_deg if p.light_azimuth_deg is not None else float(lrng.uniform(-50, 50))
    # light comes from above, from the camera's side, swung by `az` toward the front/back
    side = -1.0 if p.front_side == "left" else 1.0
    el = math.radians(float(lrng.uniform(40, 65)))
    azr = math.radians(az)
    ld = np.array([math.cos(el) * math.sin(azr), math.sin(el), side * math.cos(el) * math.cos(azr)])
    ld /= np.linalg.norm(ld)
    wall = tuple(float(c) for c in rng.uniform(150, 240, 3) * rng.uniform(0.85, 1.0))
    rects: list = []
    if kind in ("room", "clutter"):
        n = int(rng.integers(2, 5) if kind == "room" else rng.integers(5, 10))
        for _ in range(n):
            w = rng.uniform(40, 160)
            h = rng.uniform(40, 200)
            x0 = rng.uniform(-350, 300)
            on_floor = rng.random() < 0.5
            y0 = 0.0 if on_floor else rng.uniform(90, 180)
            col = tuple(float(c) for c in rng.uniform(30, 230, 3))
            rects.append((x0, y0, x0 + w, y0 + h, col))
    floor_kind = {"plain": "plain", "gradient": "plain", "studio": "plain"}.get(
        kind, str(rng.choice(["wood", "tile", "carpet", "plain"]))
    )
    floor_rgb = tuple(float(c) for c in (rng.uniform(90, 200, 3) * np.array([1.0, 0.9, 0.75])))
    if kind == "studio":
        wall = (200.0, 200.0, 202.0)
        floor_rgb = (185.0, 185.0, 188.0)
    return Scene(
        wall_rgb=wall,
        wall_gradient=float(rng.uniform(0.0, 0.35)) if kind != "plain" else 0.0,
        floor_kind=floor_kind,
        floor_rgb=floor_rgb,
        mat=bool(rng.random() < 0.35) and kind != "studio",
        mat_rgb=tuple(float(c) for c in rng.uniform(40, 200, 3)),
        wall_distance_cm=float(rng.uniform(120, 320)),
        rects=tuple(rects),
        baseboard=bool(rng.random() < 0.6) and kind != "studio",
        light_dir=tuple(ld.tolist()),
        ambient=float(lrng.uniform(0.35, 0.5)),
    )


def _hash_noise(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    h = (ix.astype(np.int64) * 73856093) ^ (iy.astype(np.int64) * 19349663) ^ (seed * 83492791)
    h = (h ^ (h >> 13)) * 1274126177
    return ((h & 0xFFFF).astype(np.float32) / 65535.0)


def render_background(cam: Camera, scene: Scene, p: RenderParams) -> tuple[np.ndarray, np.ndarray]:
    """sRGB-ish float32 (H, W, 3) in 0..255 and a floor mask (H, W) bool."""
    d = cam.ray_dirs()
    c = cam.center_cm.astype(np.float32)
    side = -1.0 if p.front_side == "left" else 1.0
    zw = -side * scene.wall_distance_cm  # wall beyond the person, opposite the camera
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(d[..., 1] < -1e-6, -c[1] / d[..., 1], np.inf)
        t_wall = np.where(np.abs(d[..., 2]) > 1e-6, (zw - c[2]) / d[..., 2], np.inf)
    t_wall = np.where(t_wall > 0, t_wall, np.inf)
    floor = t_floor < t_wall
    t = np.where(floor, t_floor, t_wall)
    t = np.where(np.isfinite(t), t, 1e5)
    hit = c + d * t[..., None]
    hx, hy, hz = hit[..., 0], hit[..., 1], hit[..., 2]
    img = np.empty(d.shape, np.float32)
    # wall
    wall = np.array(scene.wall_rgb, np.float32)
    g = 1.0 - scene.wall_gradient * np.clip(hy / 300.0, 0, 1) + 0.08 * np.clip(np.abs(hx) / 500, 0, 1)
    wimg = wall[None, None, :] * g[..., None]
    for x0, y0, x1, y1, col in scene.rects:
        m = (~floor) & (hx >= x0) & (hx <= x1) & (hy >= y0) & (hy <= y1)
        wimg[m] = np.array(col, np.float32) * (0.9 + 0.1 * (hy[m] - y0) / max(y1 - y0, 1))[:, None]
        edge = m & ((np.abs(hx - x0) < 1.5) | (np.abs(hx - x1) < 1.5) | (np.abs(hy - y1) < 1.5))
        wimg[edge] *= 0.6
    if scene.baseboard:
        m = (~floor) & (hy < 9.0)
        wimg[m] = wall * 0.75
    img[:] = wimg
    # floor
    fl = np.array(scene.floor_rgb, np.float32)
    fx, fz = hx, hz
    if scene.floor_kind == "wood":
        plank = np.floor(fz / 14.0)
        seg = np.floor((fx + 37.0 * plank) / 120.0)
        tone = 0.85 + 0.3 * _hash_noise(plank, seg, 7)
        grain = 0.96 + 0.04 * np.sin(fx * 0.35 + 3.0 * np.sin(fz * 0.5 + plank))
        seam = ((np.abs(fz - np.round(fz / 14.0) * 14.0) < 0.25)
                | (np.abs((fx + 37.0 * plank) - np.round((fx + 37.0 * plank) / 120.0) * 120.0) < 0.3))
        f = tone * grain * np.where(seam, 0.7, 1.0)
    elif scene.floor_kind == "tile":
        s = 40.0
        gx = np.abs(fx - np.round(fx / s) * s) < 0.5
        gz = np.abs(fz - np.round(fz / s) * s) < 0.5
        f = (0.95 + 0.1 * _hash_noise(np.floor(fx / s), np.floor(fz / s), 3)) * np.where(gx | gz, 0.75, 1.0)
    elif scene.floor_kind == "carpet":
        f = 0.9 + 0.2 * _hash_noise(np.floor(fx * 2), np.floor(fz * 2), 5)
    else:
        f = np.ones_like(fx)
    fimg = fl[None, None, :] * f[..., None]
    if scene.mat:
        m = floor & (fx > -110) & (fx < 70) & (np.abs(fz) < 32)
        fimg[m] = np.array(scene.mat_rgb, np.float32)
    # distance falloff on the floor so it does not look flat
    fimg *= (1.0 - 0.25 * np.clip((np.abs(fz) + np.abs(fx)) / 600.0, 0, 1))[..., None]
    img[floor] = fimg[floor]
    if p.marker_cm is not None:
        draw_floor_marker(img, floor, cam, p)
    return img, floor


MARKER_PAPER_PER_SIDE = 1.25  # vision.aruco.marker_image(): a white border of 1/8 side on each side


@functools.lru_cache(maxsize=1)
def _marker_texture() -> np.ndarray:
    from vision.aruco import marker_image  # cv2 only (no mediapipe)

    return marker_image(800).astype(np.float32) / 255.0


def marker_corners_cm(p: RenderParams) -> np.ndarray:
    """World corners (4, 3) of the marker's black square (texture order: top-left, top-right,
    bottom-right, bottom-left; texture right = +x, texture down = +z, i.e. read from above)."""
    cx, cz = p.marker_center_xz_cm()  # type: ignore[misc]
    h = 0.5 * float(p.marker_cm)  # type: ignore[arg-type]
    return np.array([[cx - h, 0, cz - h], [cx + h, 0, cz - h], [cx + h, 0, cz + h], [cx - h, 0, cz + h]], float)


def draw_floor_marker(img: np.ndarray, floor: np.ndarray, cam: Camera, p: RenderParams, ss: int = 4) -> None:
    """Texture the printed marker (white paper, matte) onto the floor plane in place, ray-cast at
    ``ss`` x ``ss`` samples per pixel inside its bounding box (anti-aliased edges)."""
    tex = _marker_texture()
    cx, cz = p.marker_center_xz_cm()  # type: ignore[misc]
    half = 0.5 * float(p.marker_cm) * MARKER_PAPER_PER_SIDE  # type: ignore[arg-type]
    paper = np.array([[cx - half, 0, cz - half], [cx + half, 0, cz - half], [cx + half, 0, cz + half],
                      [cx - half, 0, cz + half]])
    uv = cam.project(paper)
    if not np.isfinite(uv).all():
        return
    h, w = floor.shape
    x0, y0 = max(0, int(np.floor(uv[:, 0].min())) - 1), max(0, int(np.floor(uv[:, 1].min())) - 1)
    x1, y1 = min(w, int(np.ceil(uv[:, 0].max())) + 2), min(h, int(np.ceil(uv[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return
    xs = x0 + (np.arange((x1 - x0) * ss) + 0.5) / ss - 0.5
    ys = y0 + (np.arange((y1 - y0) * ss) + 0.5) / ss - 0.5
    xx, yy = np.meshgrid(xs, ys)
    d = np.stack([(xx - cam.cx_px) / cam.focal_px, (yy - cam.cy_px) / cam.focal_px, np.ones_like(xx)], -1) @ cam.rot
    c = cam.center_cm
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d[..., 1] < -1e-9, -c[1] / d[..., 1], np.nan)
    tu = (c[0] + t * d[..., 0] - (cx - half)) / (2 * half)
    tv = (c[2] + t * d[..., 2] - (cz - half)) / (2 * half)
    inside = np.isfinite(tu) & (tu >= 0) & (tu < 1) & (tv >= 0) & (tv < 1)
    n = tex.shape[0]
    iu = np.clip((np.nan_to_num(tu) * n).astype(int), 0, n - 1)
    iv = np.clip((np.nan_to_num(tv) * n).astype(int), 0, n - 1)
    val = np.where(inside, tex[iv, iu], 0.0).astype(np.float32)
    shape = (y1 - y0, ss, x1 - x0, ss)
    alpha = inside.astype(np.float32).reshape(shape).mean(axis=(1, 3))
    grey = val.reshape(shape).mean(axis=(1, 3))  # mean of (texture * inside)
    # matte paper: white ~ 225, ink ~ 25 (before the floor's shadows, applied later)
    col = 25.0 * alpha + 200.0 * grey
    region = img[y0:y1, x0:x1]
    a = (alpha * floor[y0:y1, x0:x1])[..., None]
    region[:] = region * (1.0 - a) + col[..., None] * a


def _shadow_mask(body: PosedBody, cam: Camera, scene: Scene, floor: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Soft shadow factor (H, W) in 0..1 for floor pixels (1 = fully shadowed)."""
    v = body.verts
    ld = np.asarray(scene.light_dir)
    sh = v - ld[None, :] * (v[:, 1:2] / max(ld[1], 0.2))
    sh[:, 1] = 0.0
    uv = cam.project(sh)
    h, w = floor.shape
    m = np.zeros((h, w), np.uint8)
    pts = np.round(uv[tris] * 16).astype(np.int32)
    ok = np.isfinite(uv[tris]).all(axis=(1, 2))
    cv2.fillPoly(m, list(pts[ok]), 255, cv2.LINE_8, 4)
    # blur ~ 3 cm on the floor at the foot
    px_per_cm = cam.focal_px / max(np.linalg.norm(cam.center_cm), 1.0)
    k = max(3, int(px_per_cm * 3.0) | 1)
    q4 = cv2.resize(m, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    q4 = cv2.GaussianBlur(q4, (0, 0), max(0.5, k / 8.0))
    soft = cv2.resize(q4, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0 * 0.45
    # contact shadow: low vertices splatted straight down
    low = v[body.assets.used]
    low = low[low[:, 1] < 6.0]
    c = np.zeros((h, w), np.float32)
    if len(low):
        fp = low.copy()
        fp[:, 1] = 0.0
        q = cam.project(fp)
        q = q[np.isfinite(q).all(axis=1)]
        qi = np.round(q).astype(int)
        ok = (qi[:, 0] >= 0) & (qi[:, 0] < w) & (qi[:, 1] >= 0) & (qi[:, 1] < h)
        np.add.at(c, (qi[ok, 1], qi[ok, 0]), 1.0)
        c4 = cv2.resize(c, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
        c4 = cv2.GaussianBlur(c4, (0, 0), max(0.5, px_per_cm * 0.5))
        c = cv2.resize(c4, (w, h), interpolation=cv2.INTER_LINEAR)
        c = np.clip(c / (c.max() + 1e-6) * 1.5, 0, 1) * 0.45
    return np.clip(soft + c, 0, 0.7) * floor


# --------------------------------------------------------------------------------------------
# body rasterisation + shading
# --------------------------------------------------------------------------------------------
def _vertex_normals(v: np.ndarray, tris: np.ndarray, n_verts: int) -> np.ndarray:
    a, b, c = v[tris[:, 0]], v[tris[:, 1]], v[tris[:, 2]]
    fn = np.cross(b - a, c - a)
    vn = np.zeros((n_verts, 3))
    for k in range(3):
        for ax in range(3):
            vn[:, ax] += np.bincount(tris[:, k], weights=fn[:, ax], minlength=n_verts)
    vn /= np.linalg.norm(vn, axis=1, keepdims=True) + 1e-12
    return vn


def _shade_vertices(body: PosedBody, albedo: np.ndarray, normals: np.ndarray, cam: Camera, scene: Scene):
    ld = np.asarray(scene.light_dir)
    lam = np.clip(normals @ ld, 0, None)
    view = cam.center_cm[None, :] - body.verts
    view /= np.linalg.norm(view, axis=1, keepdims=True) + 1e-9
    ndv = np.clip((normals * view).sum(1), 0, 1)
    sky = 0.5 + 0.5 * normals[:, 1]  # hemisphere fill: brighter facing up
    light = scene.ambient * (0.55 + 0.45 * sky) + 0.85 * lam + 0.12 * ndv
    # soft rim darkening at grazing angles helps the outline read as a 3-D body
    light *= 0.75 + 0.25 * ndv
    col = albedo * light[:, None].astype(np.float32)
    spec = (np.clip(((ld[None, :] + view) / np.linalg.norm(ld[None, :] + view, axis=1, keepdims=True)
                     * normals).sum(1), 0, 1) ** 30) * 0.06
    return col + spec[:, None].astype(np.float32)


def _depth_key(zc_tris: np.ndarray) -> np.ndarray:
    # nearest vertex first-order key: fewest visible errors where skin folds at the knee
    return zc_tris.min(axis=1)


def rasterise_body(body: PosedBody, cam: Camera, attrs: np.ndarray, align: int = 1):
    """Triangle-id raster at camera resolution with barycentric interpolation of per-vertex
    ``attrs`` (N, C), restricted to the body's bounding box. Returns (rows, cols, values (P, C)
    float32, box (x0, y0, x1, y1)); rows/cols are relative to the box's top-left corner, whose
    coordinates and size are multiples of ``align``."""
    a = body.assets
    tris = a.tris
    v = body.verts
    uv = cam.project(v)
    zc = cam.to_cam(v)[:, 2]
    p0, p1, p2 = v[tris[:, 0]], v[tris[:, 1]], v[tris[:, 2]]
    fn = np.cross(p1 - p0, p2 - p0)
    cen = (p0 + p1 + p2) / 3.0
    front = ((cam.center_cm[None, :] - cen) * fn).sum(1) > 0
    ok = front & np.isfinite(uv[tris]).all(axis=(1, 2)) & (zc[tris] > 1.0).all(axis=1)
    h, w = cam.height_px, cam.width_px
    tuv = uv[tris]
    inb = (tuv[:, :, 0].max(1) >= -1) & (tuv[:, :, 0].min(1) <= w) & (tuv[:, :, 1].max(1) >= -1) & (
        tuv[:, :, 1].min(1) <= h
    )
    sel = np.flatnonzero(ok & inb)
    depth = _depth_key(zc[tris[sel]])
    order = sel[np.argsort(-depth)]
    if len(order) == 0:
        return np.zeros(0, int), np.zeros(0, int), np.zeros((0, attrs.shape[1]), np.float32), (0, 0, 0, 0)
    # work in the body's bounding box only (aligned to `align` pixels for later downsampling)
    tsel = tuv[order]
    bx0 = max(0, int(np.floor(tsel[:, :, 0].min())) - 1)
    by0 = max(0, int(np.floor(tsel[:, :, 1].min())) - 1)
    bx1 = min(w, int(np.ceil(tsel[:, :, 0].max())) + 2)
    by1 = min(h, int(np.ceil(tsel[:, :, 1].max())) + 2)
    bx0 -= bx0 % align
    by0 -= by0 % align
    bx1 = min(w, bx1 + (-(bx1 - bx0)) % align)
    by1 = min(h, by1 + (-(by1 - by0)) % align)
    ids = np.zeros((by1 - by0, bx1 - bx0), np.int32)
    pts = np.round((tsel - np.array([bx0, by0])) * 16.0).astype(np.int32)
    fill = cv2.fillConvexPoly
    for k in range(len(order)):
        fill(ids, pts[k], int(order[k]) + 1, cv2.LINE_8, 4)
    yy, xx = np.nonzero(ids)
    t = ids[yy, xx] - 1
    # barycentric coordinates are affine in (x, y) per triangle: l = A x + B y + C
    tv = tuv.astype(np.float64)
    x0, y0 = tv[:, 0, 0], tv[:, 0, 1]
    x1, y1 = tv[:, 1, 0], tv[:, 1, 1]
    x2, y2 = tv[:, 2, 0], tv[:, 2, 1]
    den = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2)
    den = np.where(np.abs(den) < 1e-9, 1e-9, den)
    a0 = (y1 - y2) / den
    b0 = (x2 - x1) / den
    c0 = -(a0 * x2 + b0 * y2) + a0 * bx0 + b0 * by0
    a1 = (y2 - y0) / den
    b1 = (x0 - x2) / den
    c1 = -(a1 * x2 + b1 * y2) + a1 * bx0 + b1 * by0
    coef = np.stack([a0, b0, c0, a1, b1, c1], 1).astype(np.float32)[t]
    x = xx.astype(np.float32)
    y = yy.astype(np.float32)
    l0 = coef[:, 0] * x + coef[:, 1] * y + coef[:, 2]
    l1 = coef[:, 3] * x + coef[:, 4] * y + coef[:, 5]
    np.clip(l0, 0, 1, out=l0)
    l1 = np.clip(l1, 0, 1 - l0)
    l2 = 1.0 - l0 - l1
    tri_v = tris[t]
    val = attrs[tri_v[:, 0]] * l0[:, None]
    val += attrs[tri_v[:, 1]] * l1[:, None]
    val += attrs[tri_v[:, 2]] * l2[:, None]
    return yy, xx, val, (bx0, by0, bx1, by1)


def _supersample_for(p: RenderParams) -> int:
    if p.supersample is not None:
        return max(1, int(p.supersample))
    return 2 if max(p.width_px, p.height_px) <= 2000 else 1


def _lin_to_srgb255(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 1) ** (1 / 2.2) * 255.0


class Renderer:
    """Renders frames of one scene (fixed camera, background, appearance) for varying poses."""

    def __init__(self, p: RenderParams, aim_body: PosedBody | None = None):
        self.p = p
        self.assets = load_assets()
        self.scene = make_scene(p)
        self.app = make_appearance(p)
        ref = aim_body or pose_half_kneel(p.pose_params())
        self.camera = make_camera(p, ref)
        self.ss = _supersample_for(p)
        self.cam_hi = self.camera.scaled(self.ss)
        bg, floor = render_background(self.camera, self.scene, p)
        self.bg = bg
        self.floor = floor
        self._albedo = vertex_albedo(ref, self.app)
        cv2.setRNGSeed(50_000 + p.seed)

    def render(self, body: PosedBody) -> np.ndarray:
        p = self.p
        shadow = _shadow_mask(body, self.camera, self.scene, self.floor, self.assets.tris)
        bg = self.bg * (1.0 - shadow[..., None])
        normals = _vertex_normals(body.verts, self.assets.tris, len(body.verts))
        base, garment, ind = self._albedo
        # shade in linear light per vertex, interpolate and composite in sRGB (0..255)
        c0 = _lin_to_srgb255(_shade_vertices(body, base, normals, self.camera, self.scene))
        c1 = _lin_to_srgb255(_shade_vertices(body, garment, normals, self.camera, self.scene))
        attrs = np.concatenate([c0, c1, ind[:, None]], axis=1).astype(np.float32)
        ss = self.ss
        yy, xx, val, (bx0, by0, bx1, by1) = rasterise_body(body, self.cam_hi, attrs, align=ss)
        out = bg.copy()
        if len(yy):
            hc, wc = by1 - by0, bx1 - bx0
            col = np.zeros((hc, wc, 3), np.float32)
            col[yy, xx] = np.where(val[:, 6:7] > 0.5, val[:, 3:6], val[:, 0:3])
            cov = np.zeros((hc, wc), np.float32)
            cov[yy, xx] = 1.0
            if ss > 1:
                size = (wc // ss, hc // ss)
                col = cv2.resize(col, size, interpolation=cv2.INTER_AREA)
                cov = cv2.resize(cov, size, interpolation=cv2.INTER_AREA)
            oy, ox = by0 // ss, bx0 // ss
            region = out[oy:oy + cov.shape[0], ox:ox + cov.shape[1]]
            region *= (1.0 - cov)[..., None]
            region += col
        if p.noise_sigma > 0:
            noise = np.empty(out.shape, np.float32)
            cv2.randn(noise, 0.0, float(p.noise_sigma))
            out += noise
        out += 0.5
        np.clip(out, 0, 255, out=out)
        return out.astype(np.uint8)


def make_camera(p: RenderParams, body: PosedBody) -> Camera:
    if p.focal_px is not None:
        f = float(p.focal_px)
    elif p.fov_deg is not None:
        f = focal_from_fov(p.fov_deg, p.width_px)
    else:
        f = default_focal_px(p.width_px, p.height_px)
    j = body.joints
    v = body.verts[body.assets.used]
    kw = dict(
        front_side=p.front_side,
        distance_m=p.camera_distance_m,
        height_m=p.camera_height_m,
        yaw_deg=p.yaw_deg,
        roll_deg=p.roll_deg,
        width_px=p.width_px,
        height_px=p.height_px,
        focal_px=f,
    )
    if isinstance(p.aim, str):
        if p.aim in ("body", "auto"):
            aim = 0.5 * (v.min(0) + v.max(0))
        elif p.aim == "knee":
            aim = j["front_knee"]
        elif p.aim == "shin":
            aim = 0.5 * (j["front_knee"] + j["front_ankle"])
        elif p.aim == "foot":
            aim = j["front_ankle"] * np.array([1.0, 0.5, 1.0])
        else:
            raise ValueError(f"unknown aim {p.aim!r}")
    else:
        aim = np.asarray(p.aim, float)
    cam = look_at_camera(aim_cm=aim, **kw)
    if p.aim == "auto":
        # keep the lower body (the screen's region of interest) in frame when the whole body
        # does not fit: lower the aim until the lowest body point is 4 % above the bottom edge
        def lowest(c: Camera) -> float:
            return float(np.nanmax(c.project(v)[:, 1]))

        if lowest(cam) > 0.96 * (p.height_px - 1):
            lo, hi = float(v[:, 1].min()) - 50.0, float(aim[1])
            for _ in range(30):
                mid = 0.5 * (lo + hi)
                c2 = look_at_camera(aim_cm=np.array([aim[0], mid, aim[2]]), **kw)
                if lowest(c2) > 0.96 * (p.height_px - 1):
                    hi = mid
                else:
                    lo = mid
            cam = look_at_camera(aim_cm=np.array([aim[0], lo, aim[2]]), **kw)
    return cam


def frame_truth(body: PosedBody, cam: Camera) -> dict:
    t3 = body_truth(body)
    tp = pixel_truth(body, cam, t3)
    return {
        "shin_angle_deg": t3["shin_angle_deg"],
        "shin_angle_3d_deg": t3["shin_angle_3d_deg"],
        "knee_past_toe_cm": t3["knee_past_toe_cm"],
        "heel_height_cm": t3["heel_height_cm"],
        "points_cm": t3["points_cm"],
        **tp,
    }


def _marker_truth(p: RenderParams, cam: Camera) -> dict | None:
    if p.marker_cm is None:
        return None
    corners = marker_corners_cm(p)
    uv = cam.project(corners)
    sides = np.linalg.norm(uv - np.roll(uv, -1, axis=0), axis=1)
    return {
        "side_cm": float(p.marker_cm),
        "center_cm": corners.mean(axis=0).tolist(),
        "corners_px": uv.tolist(),
        "longest_side_px": float(sides.max()),
    }


def _static_truth(p: RenderParams, cam: Camera, ss: int) -> dict:
    return {
        "marker": _marker_truth(p, cam),
        "foot_length_cm": foot_length_cm(p.body_height_cm, p.front_side),
        "body_height_cm": p.body_height_cm,
        "side": p.front_side,
        "camera": cam.as_dict(),
        "params": p.to_dict(),
        "supersample": ss,
        "conventions": {
            "world": "cm; floor y=0 (+y up); front foot forward = +x; body's left faces -z",
            "pixels": "x right, y down, centre of the top-left pixel = (0, 0); display orientation",
            "knee_past_toe_cm": "front-most kneecap skin point minus front-most toe skin point along +x",
            "shin_angle_deg": "tibia (knee joint centre -> ankle joint centre) vs floor normal, + = knee ahead",
        },
    }


def render_still(params: RenderParams) -> tuple[np.ndarray, dict]:
    """One RGB uint8 frame (H, W, 3) and its ground truth."""
    body = pose_half_kneel(params.pose_params())
    r = Renderer(params, aim_body=body)
    img = r.render(body)
    truth = {**_static_truth(params, r.camera, r.ss), **frame_truth(body, r.camera)}
    return img, truth


# --------------------------------------------------------------------------------------------
# clips
# --------------------------------------------------------------------------------------------
def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def clip_schedule(
    *,
    fps: float,
    attempts: int,
    peak_shin_angles_deg: tuple[float, ...],
    low_shin_angle_deg: float,
    attempt_s: float,
    rest_s: float,
    heel_lift_attempt: int | None,
    heel_lift_cm: float,
    lead_s: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Per-frame (time_s, shin_angle_deg, heel_lift_cm, attempt index or -1) and attempt spans."""
    peaks = list(peak_shin_angles_deg)
    while len(peaks) < attempts:
        peaks.append(peaks[-1] if peaks else 38.0)
    total = lead_s + attempts * attempt_s + (attempts - 1) * rest_s + lead_s
    n = int(round(total * fps))
    t = np.arange(n) / fps
    shin = np.full(n, low_shin_angle_deg, float)
    lift = np.zeros(n)
    att = np.full(n, -1, int)
    spans = []
    for k in range(attempts):
        t0 = lead_s + k * (attempt_s + rest_s)
        u = (t - t0) / attempt_s
        inside = (u >= 0) & (u < 1)
        # forward 45 %, hold 10 % at end range, back 45 %
        prof = np.where(u < 0.45, _smoothstep(u / 0.45), np.where(u < 0.55, 1.0, _smoothstep((1 - u) / 0.45)))
        shin = np.where(inside, low_shin_angle_deg + (peaks[k] - low_shin_angle_deg) * prof, shin)
        att[inside] = k
        if heel_lift_attempt is not None and k == heel_lift_attempt and heel_lift_cm > 0:
            # the heel rises over the last 30 % of the drive, stays up in the hold
            lp = np.where(u < 0.5, _smoothstep((u - 0.3) / 0.2), np.where(u < 0.55, 1.0, _smoothstep((0.75 - u) / 0.2)))
            lift = np.where(inside, heel_lift_cm * lp, lift)
        idx = np.flatnonzero(inside)
        spans.append((int(idx[0]), int(idx[-1])) if len(idx) else (0, 0))
    return t, shin, lift, spans


def _open_writer(path: Path, width: int, height: int, fps: float, rotate_tag: bool, crf: int = 20):
    import av

    container = av.open(str(path), mode="w")
    rate = Fraction(fps).limit_denominator(1001)
    stream = container.add_stream("libx264", rate=rate)
    stream.width = width
    stream.height = height
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": str(crf), "preset": "veryfast"}
    if rotate_tag:
        # phone portrait: stored pixels are the upright image turned 90 deg counter-clockwise;
        # the display matrix says "rotate -90" (PyAV reads back frame.rotation == -90)
        stream.set_display_rotation(-90)
    return container, stream


def render_clip(
    params: RenderParams,
    path: str | Path,
    *,
    fps: float = 30,
    attempts: int = 2,
    peak_shin_angles_deg: tuple[float, ...] = (36.0, 42.0),
    low_shin_angle_deg: float = 12.0,
    attempt_s: float = 2.6,
    rest_s: float = 0.6,
    heel_lift_attempt: int | None = None,
    heel_lift_cm: float = 0.0,
    rotate_tag: bool = False,
    heel_down_tol_cm: float = 0.5,
    crf: int = 20,
    duration_s: float | None = None,
) -> dict:
    """Render a knee-drive clip as H.264 mp4 (yuv420p) and write ``path.with_suffix('.json')``.

    The front knee drives from ``low_shin_angle_deg`` up to each attempt's peak shin angle and
    back (smooth, ``attempt_s`` per attempt, ``rest_s`` between). If ``heel_lift_attempt`` is
    given, that attempt's heel lifts to ``heel_lift_cm`` around its end range.
    ``params.shin_angle_deg`` and ``params.heel_lift_cm`` are ignored (the schedule sets them).
    ``rotate_tag=True`` writes a portrait clip the way phones do: ``params.width_px`` x
    ``params.height_px`` is the upright (display) size; stored frames are turned and tagged -90.
    ``duration_s``, if given, sets ``attempt_s`` so that the whole clip lasts about that long.
    Returns the truth dict (also written as JSON); pixel truth is in display orientation.
    """
    path = Path(path)
    if duration_s is not None:
        attempt_s = max(0.5, (duration_s - 1.0 - (attempts - 1) * rest_s) / max(attempts, 1))
    w, h = params.width_px, params.height_px
    if w % 2 or h % 2:
        raise ValueError("width_px and height_px must be even for yuv420p")
    t, shin, lift, spans = clip_schedule(
        fps=fps,
        attempts=attempts,
        peak_shin_angles_deg=peak_shin_angles_deg,
        low_shin_angle_deg=low_shin_angle_deg,
        attempt_s=attempt_s,
        rest_s=rest_s,
        heel_lift_attempt=heel_lift_attempt,
        heel_lift_cm=heel_lift_cm,
    )
    mid = float(np.mean([low_shin_angle_deg, max(peak_shin_angles_deg)]))
    ref = pose_half_kneel(params.pose_params(shin_angle_deg=mid, heel_lift_cm=0.0))
    rnd = Renderer(params, aim_body=ref)
    frames_truth = []
    import av

    container, stream = _open_writer(path, h if rotate_tag else w, w if rotate_tag else h, fps, rotate_tag, crf)
    t_render = 0.0
    try:
        for i in range(len(t)):
            body = pose_half_kneel(params.pose_params(shin_angle_deg=float(shin[i]), heel_lift_cm=float(lift[i])))
            t0 = time.perf_counter()
            img = rnd.render(body)
            t_render += time.perf_counter() - t0
            ft = frame_truth(body, rnd.camera)
            ft = {"frame": i, "time_s": float(t[i]), "attempt": int(_attempt_of(i, spans)), **ft}
            ft.pop("points_cm", None)
            frames_truth.append(ft)
            stored = np.ascontiguousarray(np.rot90(img, k=1)) if rotate_tag else img
            frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
            for pkt in stream.encode(frame):
                container.mux(pkt)
        for pkt in stream.encode():
            container.mux(pkt)
    finally:
        container.close()
    per_attempt = []
    kpt = np.array([f["knee_past_toe_cm"] for f in frames_truth])
    heel = np.array([f["heel_height_cm"] for f in frames_truth])
    sh = np.array([f["shin_angle_deg"] for f in frames_truth])
    for k, (a0, a1) in enumerate(spans):
        idx = np.arange(a0, a1 + 1)
        down = idx[heel[idx] <= heel_down_tol_cm]
        best_all = int(idx[np.argmax(kpt[idx])])
        best_down = int(down[np.argmax(kpt[down])]) if len(down) else None
        per_attempt.append({
            "attempt": k,
            "start_frame": int(a0),
            "end_frame": int(a1),
            "peak_shin_angle_deg_requested": float(list(peak_shin_angles_deg)[min(k, len(peak_shin_angles_deg) - 1)]),
            "heel_lifted": bool(heel[idx].max() > heel_down_tol_cm),
            "max_heel_height_cm": float(heel[idx].max()),
            "end_range_frame": best_down,
            "end_range_time_s": float(t[best_down]) if best_down is not None else None,
            "end_range_knee_past_toe_cm": float(kpt[best_down]) if best_down is not None else None,
            "end_range_shin_angle_deg": float(sh[best_down]) if best_down is not None else None,
            "max_any_frame": best_all,
            "max_knee_past_toe_cm_any": float(kpt[best_all]),
            "max_shin_angle_deg_any": float(sh[best_all]),
        })
    cam = rnd.camera
    truth = {
        **_static_truth(params, cam, rnd.ss),
        "video": {
            "path": path.name,
            "fps": fps,
            "n_frames": len(t),
            "codec": "h264",
            "pix_fmt": "yuv420p",
            "display_width_px": w,
            "display_height_px": h,
            "stored_width_px": h if rotate_tag else w,
            "stored_height_px": w if rotate_tag else h,
            "rotation_tag_deg": -90 if rotate_tag else 0,
            "render_s_per_frame": t_render / max(len(t), 1),
        },
        "heel_down_tol_cm": heel_down_tol_cm,
        "attempts": per_attempt,
        "best_attempt": int(np.argmax([a["end_range_knee_past_toe_cm"] if a["end_range_knee_past_toe_cm"] is not None
                                        else -1e9 for a in per_attempt])) if per_attempt else None,
        "frames": frames_truth,
    }
    path.with_suffix(".json").write_text(json.dumps(truth, indent=1))
    return truth


def _attempt_of(i: int, spans: list[tuple[int, int]]) -> int:
    for k, (a0, a1) in enumerate(spans):
        if a0 <= i <= a1:
            return k
    return -1


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
PRESETS: dict[str, dict] = {
    "side_1080p": dict(kind="still", params=dict(width_px=1920, height_px=1080, camera_distance_m=2.5)),
    "side_720p_far": dict(kind="still", params=dict(width_px=1280, height_px=720, camera_distance_m=3.5,
                                                     camera_height_m=1.0, background="clutter")),
    "portrait_phone": dict(kind="still", params=dict(width_px=1080, height_px=1920, camera_distance_m=1.8,
                                                      camera_height_m=0.8, front_side="right", background="gradient")),
    "uhd_yaw": dict(kind="still", params=dict(width_px=3840, height_px=2160, yaw_deg=15, roll_deg=3,
                                              camera_distance_m=2.2, skin_tone=4, background=7)),
    "heel_lift": dict(kind="still", params=dict(heel_lift_cm=3.0, shin_angle_deg=42)),
    "clip_1080p": dict(kind="clip", params=dict(width_px=1920, height_px=1080, camera_distance_m=2.5),
                       clip=dict(attempts=2, peak_shin_angles_deg=(36.0, 44.0))),
    "clip_heel_lift": dict(kind="clip", params=dict(width_px=1280, height_px=720, front_side="right",
                                                     background="studio"),
                           clip=dict(attempts=3, peak_shin_angles_deg=(34.0, 40.0, 46.0), heel_lift_attempt=2,
                                     heel_lift_cm=2.5)),
    "clip_portrait": dict(kind="clip", params=dict(width_px=1080, height_px=1920, camera_distance_m=1.8,
                                                    camera_height_m=0.9, background="room"),
                          clip=dict(attempts=2, peak_shin_angles_deg=(38.0, 42.0), rotate_tag=True)),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("synth_out"))
    ap.add_argument("--preset", action="append", help="preset name (repeatable); default: all stills")
    ap.add_argument("--list", action="store_true")
    ns = ap.parse_args(argv)
    if ns.list:
        for k, v in PRESETS.items():
            print(f"{k:16s} {v['kind']:5s} {v['params']}")
        return 0
    names = ns.preset or [k for k, v in PRESETS.items() if v["kind"] == "still"]
    ns.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        pr = PRESETS[name]
        params = RenderParams(**pr["params"])
        t0 = time.perf_counter()
        if pr["kind"] == "still":
            img, truth = render_still(params)
            cv2.imwrite(str(ns.out / f"{name}.png"), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
            (ns.out / f"{name}.json").write_text(json.dumps(truth, indent=1))
        else:
            render_clip(params, ns.out / f"{name}.mp4", **pr.get("clip", {}))
        print(f"{name}: {time.perf_counter() - t0:.1f} s -> {ns.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
