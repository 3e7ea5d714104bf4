"""The MakeHuman base body, skinned and posed in the half-kneeling knee-over-toe screen.

Assets are read in place from ``/work/shared/assets/makehuman`` (override with the environment
variable ``ANKLE_SCREEN_MAKEHUMAN_DIR``); nothing is copied into the repository.

Frames
------
*Mesh frame* (the asset): decimetres, +y up, the body faces +z, the body's left is +x.
*World frame* (everything this module returns): centimetres, the floor is ``y = 0`` with +y up,
the front foot points along +x (world forward), and +z is the body's right side
(``z = x cross y``), so the body's left side faces -z. The front foot's heel-to-toe midpoint
sits at ``x = 0``, ``z = 0``.

Posing
------
Linear blend skinning: every bone rotates about its head. A pose is written as one *global*
rotation per bone (relative to the rest pose, in mesh axes); a bone without an entry inherits
its parent's global rotation (it stays rigid with its parent). The posed head of a bone is its
parent's transform applied to its rest head, so joint centres follow the chain exactly.

``pose_half_kneel`` solves the legs geometrically: the front foot is placed flat on the floor
(or rotated about its metatarsal (ball) joints to lift the heel by ``heel_lift_cm``), the tibia
(knee joint centre -> ankle joint centre) is set exactly to ``shin_angle_deg`` from the floor
normal, the hip sits where the front thigh and the back thigh (back knee on the floor) meet,
and the back shin lies back along the floor with the toes tucked. The torso stays upright.
"""

from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ASSET_DIR = Path(os.environ.get("ANKLE_SCREEN_MAKEHUMAN_DIR", "/work/shared/assets/makehuman"))

SIDE_SUFFIX = {"left": "L", "right": "R"}


# --------------------------------------------------------------------------------------------
# assets
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assets:
    """The rest mesh (body faces only) with its skeleton and skin weights, mesh units (dm)."""

    verts: np.ndarray  # (N, 3) float64 rest positions, all OBJ vertices (helpers unused)
    tris: np.ndarray  # (T, 3) int32, triangles of group `body`, counter-clockwise = outward
    used: np.ndarray  # (U,) indices of the vertices the body triangles use
    bone_names: tuple[str, ...]  # topological order (parents first)
    bone_index: dict[str, int]
    parent: np.ndarray  # (B,) int, -1 for the root
    head: np.ndarray  # (B, 3) rest head positions
    tail: np.ndarray  # (B, 3) rest tail positions
    weights: np.ndarray  # (N, B) float32, rows sum to 1
    dominant_bone: np.ndarray  # (N,) index of the largest weight
    height_dm: float  # rest body height (top of head - sole)
    floor_dm: float  # rest sole height (min y of the body)

    def bone(self, name: str) -> int:
        return self.bone_index[name]

    def joint(self, bone: str, end: str = "head") -> np.ndarray:
        return (self.head if end == "head" else self.tail)[self.bone_index[bone]]


def _parse_obj(path: Path) -> tuple[np.ndarray, np.ndarray]:
    verts: list[list[float]] = []
    quads: list[list[int]] = []
    group = None
    with open(path) as fh:
        for line in fh:
            if line.startswith("v "):
                verts.append([float(t) for t in line.split()[1:4]])
            elif line.startswith("g "):
                group = line.split()[1]
            elif line.startswith("f ") and group == "body":
                quads.append([int(t.split("/")[0]) - 1 for t in line.split()[1:]])
    tris: list[list[int]] = []
    for f in quads:
        for k in range(1, len(f) - 1):
            tris.append([f[0], f[k], f[k + 1]])
    return np.asarray(verts, dtype=np.float64), np.asarray(tris, dtype=np.int32)


@functools.lru_cache(maxsize=1)
def load_assets(asset_dir: str | None = None) -> Assets:
    d = Path(asset_dir) if asset_dir else ASSET_DIR
    verts, tris = _parse_obj(d / "base.obj")
    skel = json.loads((d / "default.mhskel").read_text())
    wdata = json.loads((d / "default_weights.mhw").read_text())["weights"]
    joints = {k: verts[np.asarray(v, dtype=int)].mean(axis=0) for k, v in skel["joints"].items()}
    bones = skel["bones"]
    # topological order
    order: list[str] = []
    seen: set[str] = set()

    def visit(b: str) -> None:
        if b in seen:
            return
        p = bones[b]["parent"]
        if p:
            visit(p)
        seen.add(b)
        order.append(b)

    for b in bones:
        visit(b)
    index = {b: i for i, b in enumerate(order)}
    parent = np.array([index[bones[b]["parent"]] if bones[b]["parent"] else -1 for b in order])
    head = np.array([joints[bones[b]["head"]] for b in order])
    tail = np.array([joints[bones[b]["tail"]] for b in order])
    n = len(verts)
    w = np.zeros((n, len(order)), dtype=np.float32)
    for b, lst in wdata.items():
        if b not in index or not lst:
            continue
        arr = np.asarray(lst, dtype=np.float64)
        w[arr[:, 0].astype(int), index[b]] += arr[:, 1]
    s = w.sum(axis=1)
    w[s == 0, index["root"]] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    used = np.unique(tris)
    floor = float(verts[used, 1].min())
    top = float(verts[used, 1].max())
    return Assets(
        verts=verts,
        tris=tris,
        used=used,
        bone_names=tuple(order),
        bone_index=index,
        parent=parent,
        head=head,
        tail=tail,
        weights=w,
        dominant_bone=w.argmax(axis=1),
        height_dm=top - floor,
        floor_dm=floor,
    )


# --------------------------------------------------------------------------------------------
# rotations
# --------------------------------------------------------------------------------------------
def rot_axis(axis: np.ndarray | tuple[float, float, float], deg: float) -> np.ndarray:
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    t = math.radians(deg)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * (k @ k)


def rot_x(deg: float) -> np.ndarray:
    return rot_axis((1.0, 0.0, 0.0), deg)


def rot_y(deg: float) -> np.ndarray:
    return rot_axis((0.0, 1.0, 0.0), deg)


def rot_z(deg: float) -> np.ndarray:
    return rot_axis((0.0, 0.0, 1.0), deg)


def align(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction u onto direction v."""
    u = np.asarray(u, float) / np.linalg.norm(u)
    v = np.asarray(v, float) / np.linalg.norm(v)
    c = float(np.clip(u @ v, -1.0, 1.0))
    ax = np.cross(u, v)
    s = np.linalg.norm(ax)
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        perp = np.cross(u, [1.0, 0, 0]) if abs(u[0]) < 0.9 else np.cross(u, [0, 1.0, 0])
        return rot_axis(perp, 180.0)
    return rot_axis(ax, math.degrees(math.atan2(s, c)))


# --------------------------------------------------------------------------------------------
# forward kinematics + skinning
# --------------------------------------------------------------------------------------------
def forward_kinematics(
    a: Assets, global_rot: dict[str, np.ndarray], root_pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Global rotation (B,3,3) and posed head (B,3) of every bone, mesh frame.

    ``root_pos`` is the posed head of the root bone; bones absent from ``global_rot`` inherit
    their parent's rotation.
    """
    nb = len(a.bone_names)
    g = np.zeros((nb, 3, 3))
    p = np.zeros((nb, 3))
    for i, name in enumerate(a.bone_names):
        par = a.parent[i]
        if par < 0:
            g[i] = global_rot.get(name, np.eye(3))
            p[i] = root_pos
        else:
            g[i] = global_rot.get(name, g[par])
            p[i] = g[par] @ (a.head[i] - a.head[par]) + p[par]
    return g, p


def skin(a: Assets, g: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Linear blend skinning of all vertices: x -> sum_b w_b (G_b (x - head_b) + P_b)."""
    t = np.zeros((len(g), 3, 4))
    t[:, :, :3] = g
    t[:, :, 3] = p - np.einsum("bij,bj->bi", g, a.head)
    m = (a.weights @ t.reshape(len(g), 12).astype(np.float32)).reshape(-1, 3, 4).astype(np.float64)
    return np.einsum("nij,nj->ni", m[:, :, :3], a.verts) + m[:, :, 3]


# --------------------------------------------------------------------------------------------
# pose
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoseParams:
    """Half-kneeling pose. Angles in degrees, lengths in cm."""

    body_height_cm: float = 175.0
    front_side: str = "left"  # "left" or "right": the screened (front) leg
    shin_angle_deg: float = 30.0  # tibia vs floor normal, + = knee ahead of the ankle
    heel_lift_cm: float = 0.0  # front heel above the floor (foot rotated about the ball)
    stance_ratio: float = 1.0  # back knee distance behind the front ankle / thigh length
    foot_lateral_ratio: float = 1.15  # front foot's lateral offset / hip joint's lateral offset
    torso_lean_deg: float = 3.0  # + = leaning forward
    back_toe_tuck_deg: float = 62.0  # back foot's long axis below horizontal (toes tucked)
    arm_pose: str = "hang_back"  # "hang_back" (arms hanging slightly behind) or "hips"
    arm_back_deg: float = 22.0  # shoulder extension for "hang_back"
    head_pitch_deg: float = 8.0  # + = looking down
    girth_scale: float = 1.0  # scales the body's width and depth (not its height)


@dataclass
class PosedBody:
    """A posed body in the world frame (cm, floor y=0, front foot along +x)."""

    params: PoseParams
    verts: np.ndarray  # (N, 3) world cm; only `assets.used` rows are meaningful
    joints: dict[str, np.ndarray]  # named joint centres, world cm
    bone_heads: np.ndarray  # (B, 3) posed bone heads, world cm
    front: str  # "L" or "R"
    back: str
    scale_cm_per_dm: float
    assets: Assets = field(repr=False)

    # handy vertex masks (over all N vertices)
    @functools.cached_property
    def region(self) -> dict[str, np.ndarray]:
        return body_regions(self.assets, self.front)


def _bone_group(a: Assets, names: list[str]) -> np.ndarray:
    return np.array([a.bone_index[n] for n in names if n in a.bone_index], dtype=int)


@functools.lru_cache(maxsize=4)
def _regions_cached(side: str) -> dict[str, np.ndarray]:
    a = load_assets()
    other = "R" if side == "L" else "L"
    w = a.weights

    def wsum(names: list[str]) -> np.ndarray:
        idx = _bone_group(a, names)
        return w[:, idx].sum(axis=1) if len(idx) else np.zeros(len(w))

    toes = [f"toe{i}-{j}.{side}" for i in range(1, 6) for j in range(1, 4)]
    used = np.zeros(len(w), bool)
    used[a.used] = True
    foot_w = wsum([f"foot.{side}"] + toes)
    toe_w = wsum(toes)
    thigh_w = wsum([f"upperleg01.{side}", f"upperleg02.{side}"])
    shin_w = wsum([f"lowerleg01.{side}", f"lowerleg02.{side}"])
    other_leg = wsum(
        [f"upperleg01.{other}", f"upperleg02.{other}", f"lowerleg01.{other}", f"lowerleg02.{other}",
         f"foot.{other}"] + [f"toe{i}-{j}.{other}" for i in range(1, 6) for j in range(1, 4)]
    )
    knee = a.joint(f"lowerleg01.{side}")
    ankle = a.joint(f"foot.{side}")
    rest = a.verts
    leg = used & (thigh_w + shin_w + foot_w > 0.5) & (other_leg < 0.05)
    near_knee = np.linalg.norm(rest - knee, axis=1) < 1.3  # 13 cm in the rest mesh
    foot = used & (foot_w + wsum([f"lowerleg02.{side}"]) > 0.5) & (rest[:, 1] < ankle[1] + 0.2) & (
        other_leg < 0.05
    )
    # the foot's long axis is +z in the rest mesh; the heel lies behind the ankle joint
    heel = foot & (rest[:, 2] < ankle[2] - 0.15)
    forefoot = foot & (rest[:, 2] > ankle[2] + 0.6)
    toe = used & (toe_w > 0.3) & (other_leg < 0.05)
    return {
        "front_leg": leg,
        "knee": leg & near_knee,
        "foot": foot,
        "heel": heel,
        "forefoot": forefoot,
        "toes": toe | (foot & (rest[:, 2] > ankle[2] + 1.3)),
    }


def body_regions(a: Assets, side: str) -> dict[str, np.ndarray]:
    return _regions_cached(side)


def _circle_intersection(c1, r1, c2, r2, upper=True):
    """Intersection of two circles in a plane (2-vectors), the one with the larger 2nd coord."""
    c1 = np.asarray(c1, float)
    c2 = np.asarray(c2, float)
    d = np.linalg.norm(c2 - c1)
    d = min(max(d, abs(r1 - r2) + 1e-9), r1 + r2 - 1e-9)
    a_ = (r1**2 - r2**2 + d**2) / (2 * d)
    h = math.sqrt(max(r1**2 - a_**2, 0.0))
    u = (c2 - c1) / np.linalg.norm(c2 - c1)
    base = c1 + a_ * u
    perp = np.array([-u[1], u[0]])
    s1, s2 = base + h * perp, base - h * perp
    return (s1 if s1[1] >= s2[1] else s2) if upper else (s1 if s1[1] < s2[1] else s2)


def _two_link(shoulder, target, l1, l2, pole):
    """Elbow position of a two-link chain reaching for target, bending toward `pole`."""
    d_vec = target - shoulder
    d = float(np.linalg.norm(d_vec))
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-6)
    u = d_vec / np.linalg.norm(d_vec)
    a_ = (l1**2 - l2**2 + d**2) / (2 * d)
    h = math.sqrt(max(l1**2 - a_**2, 0.0))
    pv = pole - (pole @ u) * u
    pv /= np.linalg.norm(pv)
    return shoulder + a_ * u + h * pv


# mesh -> world: rotate +90 deg about y (mesh +z -> world +x), then scale/translate
_MESH_TO_WORLD = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])


def _pose_mesh(a: Assets, p: PoseParams, heel_rot_deg: float, back_knee_drop: float):
    """One geometric solve of the pose in the mesh frame (dm). Returns (g, heads, root_pos)."""
    f = SIDE_SUFFIX[p.front_side]
    b = "R" if f == "L" else "L"
    fx = 1.0 if f == "L" else -1.0  # lateral sign of the front leg in mesh x
    B = a.bone
    floor = a.floor_dm
    rot: dict[str, np.ndarray] = {}

    lean = rot_x(p.torso_lean_deg)  # + about mesh x tips the top toward +z (forward)
    rot["root"] = lean
    # pelvis bones rigid with root; legs solved below
    hip_f_rest = a.head[B(f"upperleg01.{f}")]
    hip_b_rest = a.head[B(f"upperleg01.{b}")]
    root_rest = a.head[B("root")]
    knee_rest = {s: a.head[B(f"lowerleg01.{s}")] for s in (f, b)}
    ankle_rest = {s: a.head[B(f"foot.{s}")] for s in (f, b)}
    hip_rest = {f: hip_f_rest, b: hip_b_rest}
    l_thigh = {s: float(np.linalg.norm(knee_rest[s] - hip_rest[s])) for s in (f, b)}
    l_shin = {s: float(np.linalg.norm(ankle_rest[s] - knee_rest[s])) for s in (f, b)}
    toe_heads = {
        s: np.array([a.head[B(f"toe{i}-1.{s}")] for i in range(1, 6)]).mean(axis=0) for s in (f, b)
    }

    # ---- front foot: flat, or rotated about the ball (metatarsal heads) to lift the heel
    lat_f = fx * abs(hip_f_rest[0]) * p.foot_lateral_ratio
    foot_rot = rot_x(heel_rot_deg)  # + lifts the heel (the long axis, +z, tips down at the front)
    ball_rest = toe_heads[f]
    ball = np.array([lat_f + (ball_rest[0] - ankle_rest[f][0]), ball_rest[1], ball_rest[2]])
    ankle_f = ball + foot_rot @ (ankle_rest[f] - ball_rest)
    rot[f"foot.{f}"] = foot_rot
    for i in range(1, 6):
        for j in range(1, 4):
            rot[f"toe{i}-{j}.{f}"] = np.eye(3)

    # ---- front shin at the requested angle (in the sagittal y-z plane)
    th = math.radians(p.shin_angle_deg)
    knee_f = ankle_f + l_shin[f] * np.array([0.0, math.cos(th), math.sin(th)])

    # ---- back knee on the floor, behind; hip where both thighs meet
    hip_lat_f = hip_f_rest[0]  # the pelvis does not move laterally
    dxf = knee_f[0] - hip_lat_f
    r_f = math.sqrt(max(l_thigh[f] ** 2 - dxf**2, 1e-6))
    knee_b_lat = hip_b_rest[0] * 1.05
    r_b = math.sqrt(max(l_thigh[b] ** 2 - (knee_b_lat - hip_b_rest[0]) ** 2, 1e-6))
    knee_b_y = floor + 0.62 - back_knee_drop
    knee_b_z = ankle_f[2] - p.stance_ratio * 0.85 * l_thigh[f]
    hip_zy = _circle_intersection(
        (knee_f[2], knee_f[1]), r_f, (knee_b_z, knee_b_y), r_b, upper=True
    )
    # the lean rotates the pelvis about the root head; hip rest offset from root (mesh)
    hip_off_f = lean @ (hip_f_rest - root_rest)
    root_pos = np.array([0.0, hip_zy[1], hip_zy[0]]) - np.array([0.0, hip_off_f[1], hip_off_f[2]])
    root_pos[0] = root_rest[0]
    hip_f = root_pos + hip_off_f
    hip_b = root_pos + lean @ (hip_b_rest - root_rest)
    knee_b = np.array([knee_b_lat, knee_b_y, knee_b_z])
    # re-aim the front knee lateral so the thigh length is exact
    knee_f_use = knee_f.copy()

    def set_seg(bones: list[str], rest_from, rest_to, to_from, to_to, twist_ref=None):
        r = align(rest_to - rest_from, to_to - to_from)
        for bn in bones:
            rot[bn] = r
        return r

    set_seg([f"upperleg01.{f}", f"upperleg02.{f}"], hip_f_rest, knee_rest[f], hip_f, knee_f_use)
    set_seg([f"lowerleg01.{f}", f"lowerleg02.{f}"], knee_rest[f], ankle_rest[f], knee_f_use, ankle_f)

    # ---- back leg: thigh down to the knee, shin back along the floor, toes tucked
    set_seg([f"upperleg01.{b}", f"upperleg02.{b}"], hip_b_rest, knee_rest[b], hip_b, knee_b)
    tuck = rot_x(p.back_toe_tuck_deg)  # long axis (+z) turns to point down-forward
    ball_b_rest = toe_heads[b]
    ankle_from_ball = tuck @ (ankle_rest[b] - ball_b_rest)
    ball_b_y = ball_b_rest[1]  # toes flat on the floor as at rest
    ankle_b_y = ball_b_y + ankle_from_ball[1]
    dy = ankle_b_y - knee_b_y
    ankle_b_lat = knee_b_lat
    horiz = math.sqrt(max(l_shin[b] ** 2 - dy**2, 1e-6))
    ankle_b = np.array([ankle_b_lat, ankle_b_y, knee_b_z - horiz])
    set_seg([f"lowerleg01.{b}", f"lowerleg02.{b}"], knee_rest[b], ankle_rest[b], knee_b, ankle_b)
    rot[f"foot.{b}"] = tuck
    for i in range(1, 6):
        for j in range(1, 4):
            rot[f"toe{i}-{j}.{b}"] = np.eye(3)

    # ---- spine/head: upright (inherit root lean), head pitched a little
    rot["neck01"] = rot_x(p.torso_lean_deg * 0.3)
    rot["head"] = rot_x(p.head_pitch_deg)

    # ---- arms
    g0, p0 = forward_kinematics(a, rot, root_pos)
    for s, sx in (("L", 1.0), ("R", -1.0)):
        sh = p0[B(f"upperarm01.{s}")]
        el_r = a.head[B(f"lowerarm01.{s}")]
        wr_r = a.head[B(f"wrist.{s}")]
        sh_r = a.head[B(f"upperarm01.{s}")]
        l1 = float(np.linalg.norm(el_r - sh_r))
        l2 = float(np.linalg.norm(wr_r - el_r))
        if p.arm_pose == "hips":
            hip_side = p0[B(f"upperleg01.{s}")]
            target = hip_side + np.array([sx * 0.75, 0.9, -0.25])
            elbow = _two_link(sh, target, l1, l2, np.array([sx * 1.0, 0.0, -0.6]))
        else:
            ang = math.radians(p.arm_back_deg + (6.0 if s == b else 0.0))
            abd = math.radians(9.0 if s == f else 14.0)
            d1 = np.array([sx * math.sin(abd), -math.cos(abd) * math.cos(ang), -math.sin(ang)])
            elbow = sh + l1 * d1 / np.linalg.norm(d1)
            d2 = np.array([sx * 0.12, -1.0, 0.28])  # elbow slightly bent, forearm a bit forward
            target = elbow + l2 * d2 / np.linalg.norm(d2)
        r_up = align(el_r - sh_r, elbow - sh)
        for bn in (f"upperarm01.{s}", f"upperarm02.{s}"):
            rot[bn] = r_up
        r_lo = align(wr_r - el_r, target - elbow) @ np.eye(3)
        # keep the forearm twist close to the upper arm's
        for bn in (f"lowerarm01.{s}", f"lowerarm02.{s}"):
            rot[bn] = r_lo
    return rot, root_pos, knee_b, ankle_f


def _to_world(x: np.ndarray, scale: float, offset: np.ndarray) -> np.ndarray:
    return (x @ _MESH_TO_WORLD.T) * scale + offset


def pose_half_kneel(params: PoseParams | None = None) -> PosedBody:
    """Pose the body half-kneeling; see the module docstring. Deterministic."""
    p = params or PoseParams()
    if p.front_side not in SIDE_SUFFIX:
        raise ValueError(f"front_side must be 'left' or 'right', got {p.front_side!r}")
    a = load_assets()
    f = SIDE_SUFFIX[p.front_side]
    b = "R" if f == "L" else "L"
    scale = p.body_height_cm / a.height_dm  # cm per mesh dm
    reg = body_regions(a, f)
    used = np.zeros(len(a.verts), bool)
    used[a.used] = True
    b_leg_w = a.weights[:, _bone_group(a, [f"lowerleg01.{b}", f"lowerleg02.{b}", f"upperleg02.{b}"])].sum(1)
    back_knee_region = used & (b_leg_w > 0.5) & (
        np.linalg.norm(a.verts - a.joint(f"lowerleg01.{b}"), axis=1) < 1.6
    )

    def solve(heel_rot: float, drop: float):
        rot, root_pos, knee_b, ankle_f = _pose_mesh(a, p, heel_rot, drop)
        g, heads = forward_kinematics(a, rot, root_pos)
        v = skin(a, g, heads)
        return v, heads

    def heel_gap(v: np.ndarray) -> float:
        return float(v[reg["heel"], 1].min() - v[reg["forefoot"], 1].min())

    # 1) heel rotation so that heel - forefoot gap equals the requested lift (secant)
    drop = 0.0
    target = p.heel_lift_cm / scale
    x0, x1 = 0.0, 8.0 if p.heel_lift_cm > 0 else -2.0
    v, heads = solve(x0, drop)
    f0 = heel_gap(v) - target
    if abs(f0) > 1e-5:
        v1, h1 = solve(x1, drop)
        f1 = heel_gap(v1) - target
        for _ in range(12):
            if abs(f1 - f0) < 1e-12:
                break
            x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
            x0, f0 = x1, f1
            x1 = x2
            v1, h1 = solve(x1, drop)
            f1 = heel_gap(v1) - target
            if abs(f1) < 1e-5:
                break
        heel_rot = x1
    else:
        heel_rot = x0
    # 2) drop the back knee so its skin touches the front foot's floor
    for _ in range(2):
        v, heads = solve(heel_rot, drop)
        floor_y = float(v[reg["foot"], 1].min())
        knee_low = float(v[back_knee_region, 1].min())
        drop += knee_low - floor_y
    v, heads = solve(heel_rot, drop)
    floor_y = float(v[reg["foot"], 1].min())

    # world placement: floor y = 0, front foot heel-to-toe midpoint at x = z = 0
    fw = _to_world(v[reg["foot"]], scale, np.zeros(3))
    fw_floor = floor_y * scale
    mid_x = 0.5 * (fw[:, 0].min() + fw[:, 0].max())
    ank_w = _to_world(heads[a.bone(f"foot.{f}")][None], scale, np.zeros(3))[0]
    offset = np.array([-mid_x, -fw_floor, -ank_w[2]])
    verts_w = _to_world(v, scale, offset)
    heads_w = _to_world(heads, scale, offset)
    if p.girth_scale != 1.0:
        # widen/narrow about the body's vertical axis (x,z relative to the pelvis), keep legs' joints
        c = heads_w[a.bone("root")]
        verts_w[:, 2] = c[2] + (verts_w[:, 2] - c[2]) * p.girth_scale
    joints = _named_joints(a, heads_w, f, b)
    return PosedBody(
        params=p, verts=verts_w, joints=joints, bone_heads=heads_w, front=f, back=b,
        scale_cm_per_dm=scale, assets=a,
    )


def _named_joints(a: Assets, heads: np.ndarray, f: str, b: str) -> dict[str, np.ndarray]:
    B = a.bone
    j = {}
    for tag, s in (("front", f), ("back", b)):
        j[f"{tag}_hip"] = heads[B(f"upperleg01.{s}")]
        j[f"{tag}_knee"] = heads[B(f"lowerleg01.{s}")]
        j[f"{tag}_ankle"] = heads[B(f"foot.{s}")]
        j[f"{tag}_ball"] = np.mean([heads[B(f"toe{i}-1.{s}")] for i in range(1, 6)], axis=0)
    for s, name in (("L", "left"), ("R", "right")):
        j[f"{name}_shoulder"] = heads[B(f"upperarm01.{s}")]
        j[f"{name}_elbow"] = heads[B(f"lowerarm01.{s}")]
        j[f"{name}_wrist"] = heads[B(f"wrist.{s}")]
        j[f"{name}_eye"] = heads[B(f"eye.{s}")]
    j["head"] = heads[B("head")]
    j["neck"] = heads[B("neck01")]
    j["pelvis"] = heads[B("root")]
    return j
