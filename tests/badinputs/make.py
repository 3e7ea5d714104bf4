"""The bad-input corpus, built at test time from the real clips in ../shared/realdata (and the synthetic
renderer in benchmarks.synth for the views no real clip shows). Nothing here is committed as media.

Each :class:`Case` says how to build one input file and what the CLI must do with it:
``expect="measured"`` (exit 0, a verdict with a number) or ``expect="refused"`` (exit 2, one plain
line on stderr containing ``message``). ``build_case`` caches the file in the given directory.

Run ``python -m tests.badinputs.make OUT_DIR`` to write the whole corpus to a folder.
"""

from __future__ import annotations

import math
import os
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parents[2]
REALDATA = Path(os.environ.get("ANKLE_SHARED", REPO.parent / "shared")) / "realdata"
PEXELS = REALDATA / "side_squat_pexels_6980032.mp4"
PEXELS_ROTATED = REALDATA / "side_squat_pexels_6980032_rotated_tag.mp4"
SPORTS2D = REALDATA / "sports2d_demo_vp9.mp4"

# the reference excerpt of the Pexels side-view squat: one full squat (down and up), frames 118-208
REF_START, REF_STOP = 118, 208
REF_MAX_SIDE = 960
FPS = 30


class MissingSource(Exception):
    """A source clip (or the renderer) is not available; the test skips the case."""


# ---- frame sources ----------------------------------------------------------------------------
def _need(path: Path) -> Path:
    if not path.exists():
        raise MissingSource(f"real clip {path} is missing (CI has ../shared/realdata)")
    return path


def real_frames(path: Path, start: int, stop: int, max_side: int | None = REF_MAX_SIDE,
                step: int = 1) -> list[np.ndarray]:
    """Upright RGB frames [start, stop) of a real clip, downsized so the long side is ``max_side``."""
    from vision.video import iter_frames

    out = []
    for fr in iter_frames(_need(path), max_side):
        if fr.index >= stop:
            break
        if fr.index >= start and (fr.index - start) % step == 0:
            out.append(fr.rgb)
    return out


def stored_frames(path: Path, start: int, stop: int) -> list[np.ndarray]:
    """Frames as stored (rotation tag NOT applied), for re-encoding with the same tag."""
    out = []
    with av.open(str(_need(path))) as c:
        for i, vf in enumerate(c.decode(video=0)):
            if i >= stop:
                break
            if i >= start:
                out.append(vf.to_ndarray(format="rgb24"))
    return out


def _synth(yaw_deg: float = 0.0, heel_lift_cm: float = 0.0, n: int = 20,
           size: tuple[int, int] = (640, 480), camera_height_m: float = 0.6) -> list[np.ndarray]:
    """A rendered half-kneeling knee drive (MakeHuman body): shin angle 12 -> 40 -> 12 deg."""
    try:
        from benchmarks.synth import RenderParams, render_still
    except ImportError as exc:  # pragma: no cover - the renderer or its assets are missing
        raise MissingSource(f"benchmarks.synth is not available ({exc})") from exc
    frames = []
    for i in range(n):
        shin = 12.0 + 28.0 * math.sin(math.pi * i / (n - 1))
        try:
            img, _ = render_still(RenderParams(width_px=size[0], height_px=size[1], yaw_deg=yaw_deg,
                                               shin_angle_deg=shin, heel_lift_cm=heel_lift_cm,
                                               camera_distance_m=2.5, camera_height_m=camera_height_m,
                                               background="room", seed=i))
        except FileNotFoundError as exc:  # pragma: no cover - MakeHuman assets missing
            raise MissingSource(f"MakeHuman assets are missing ({exc})") from exc
        frames.append(img)
    return frames


# ---- encoders ---------------------------------------------------------------------------------
def _even(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return np.ascontiguousarray(img[: h - h % 2, : w - w % 2])


def encode(path: Path, frames: list[np.ndarray] | Iterator[np.ndarray], fps: float = FPS, codec: str = "libx264",
           pts_ms: list[int] | None = None, rotation: int | None = None, faststart: bool = False,
           options: dict[str, str] | None = None, gop: int = 15) -> Path:
    """Encode RGB frames. ``pts_ms`` gives each frame's own time in ms (variable frame rate)."""
    opts = {"libx264": {"preset": "veryfast", "crf": "20"}, "libx265": {"preset": "ultrafast", "crf": "26",
            "x265-params": "log-level=none"}, "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "crf": "32",
            "b": "0"}}.get(codec, {})
    opts.update(options or {})
    container_opts = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), mode="w", options=container_opts) as c:
        s = c.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        s.pix_fmt = "yuv420p"
        s.options = opts
        s.codec_context.gop_size = gop  # a key frame every half second, as phones do (1 s or less)
        if rotation is not None:
            s.set_display_rotation(rotation)
        if pts_ms is not None:
            s.codec_context.time_base = Fraction(1, 1000)
        first = True
        for i, img in enumerate(frames):
            img = _even(img)
            if first:
                s.height, s.width = img.shape[:2]
                first = False
            vf = av.VideoFrame.from_ndarray(img, format="rgb24")
            if pts_ms is not None:
                vf.pts = pts_ms[i]
                vf.time_base = Fraction(1, 1000)
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def encode_audio_only(path: Path, seconds: float = 2.0) -> Path:
    rate = 44100
    with av.open(str(path), mode="w") as c:
        s = c.add_stream("aac", rate=rate)
        s.layout = "mono"
        t = np.arange(int(rate * seconds)) / rate
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        pts = 0
        for k in range(0, len(tone), 1024):
            chunk = tone[k:k + 1024][None, :]
            af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            af.sample_rate = rate
            af.pts = pts
            pts += chunk.shape[1]
            for p in s.encode(af):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


# ---- the reference excerpt and its derivatives -------------------------------------------------
_FRAMES: dict[str, list[np.ndarray]] = {}


def ref_frames() -> list[np.ndarray]:
    if "ref" not in _FRAMES:
        _FRAMES["ref"] = real_frames(PEXELS, REF_START, REF_STOP)
    return _FRAMES["ref"]


def _reference(p: Path) -> Path:
    return encode(p, ref_frames())


def _truncated(frac: float, faststart: bool = True) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        full = p.with_name(p.stem + "_full.mp4")
        encode(full, ref_frames(), faststart=faststart)
        data = full.read_bytes()
        full.unlink()
        p.write_bytes(data[: int(len(data) * frac)])
        return p
    return build


def _corrupt_first_packets(p: Path) -> Path:
    """Overwrite the payload of the first 6 video packets (the key frame and what follows) with noise."""
    encode(p, ref_frames(), faststart=True)
    spans = []
    with av.open(str(p)) as c:
        for pkt in c.demux(video=0):
            if pkt.pos is not None and pkt.pos >= 0 and pkt.size > 0:
                spans.append((int(pkt.pos), int(pkt.size)))
            if len(spans) >= 6:
                break
    data = bytearray(p.read_bytes())
    rng = random.Random(7)
    for pos, size in spans:
        for k in range(pos + 8, pos + size, 3):  # keep the NAL length prefix, garble the rest
            data[k] = rng.randrange(256)
    p.write_bytes(bytes(data))
    return p


def _vfr(p: Path) -> Path:
    frames = ref_frames()
    rng = random.Random(3)
    t, pts = 0, []
    for _ in frames:
        pts.append(t)
        t += rng.choice((16, 25, 33, 33, 50, 67))  # 15-60 fps jitter, like a phone under load
    return encode(p, frames, pts_ms=pts)


def _rotated(p: Path) -> Path:
    stored = stored_frames(PEXELS_ROTATED, REF_START, REF_STOP)
    small = [_resize(f, REF_MAX_SIDE) for f in stored]
    return encode(p, small, rotation=-90)


def _resize(img: np.ndarray, max_side: int) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    s = max_side / max(h, w)
    return cv2.resize(img, (int(round(w * s / 2)) * 2, int(round(h * s / 2)) * 2), interpolation=cv2.INTER_AREA)


def _uhd(p: Path) -> Path:
    """Portrait 4K (2160x3840) upscaled from the real clip: every 2nd frame at 15 fps, same motion."""
    import cv2

    src = real_frames(PEXELS, REF_START, REF_STOP, max_side=1280, step=2)

    def gen() -> Iterator[np.ndarray]:
        for f in src:
            yield cv2.resize(f, (2160, 3840), interpolation=cv2.INTER_LINEAR)

    return encode(p, gen(), fps=15, options={"preset": "ultrafast", "crf": "28"})


def _scaled(factor: float) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        return encode(p, [np.clip(f.astype(np.float32) * factor, 0, 255).astype(np.uint8) for f in ref_frames()])
    return build


def _black(p: Path) -> Path:
    f = np.zeros_like(ref_frames()[0])
    return encode(p, [f] * 45)


def _no_person_clip(p: Path) -> Path:
    """The real room without anyone: the top of the Pexels frame (wall, lamps, rope), full width."""
    frames = [f[: f.shape[0] * 3 // 10] for f in ref_frames()]
    return encode(p, [_resize(f, REF_MAX_SIDE) for f in frames])


def _no_person_still(p: Path) -> Path:
    import cv2

    f = ref_frames()[0]
    cv2.imwrite(str(p), _resize(f[: f.shape[0] * 3 // 10], REF_MAX_SIDE)[:, :, ::-1])
    return p


def _far(div: int) -> Callable[[Path], Path]:
    """The real clip scaled to 1/div and placed in the bottom-left corner of a 1280x720 grey canvas."""
    def build(p: Path) -> Path:
        import cv2

        out = []
        for f in ref_frames():
            small = cv2.resize(f, (f.shape[1] // div, f.shape[0] // div), interpolation=cv2.INTER_AREA)
            canvas = np.full((720, 1280, 3), 128, np.uint8)
            canvas[720 - small.shape[0] - 20: 720 - 20, 30: 30 + small.shape[1]] = small
            out.append(canvas)
        return encode(p, out)
    return build


def _two_people(p: Path) -> Path:
    """Two people of the same size: the clip beside its own mirror image (as if a partner films alongside)."""
    return encode(p, [np.hstack([f, f[:, ::-1]]) for f in ref_frames()])


def _front_view_real(p: Path) -> Path:
    """A real front view: Sports2D's man standing on a box facing the camera (first 2 s), cropped, 2x."""
    import cv2

    frames = real_frames(SPORTS2D, 0, 60, max_side=None)
    out = [cv2.resize(f[0:480, 480:840], (720, 960), interpolation=cv2.INTER_LINEAR) for f in frames]
    return encode(p, out)


def _synth_clip(yaw: float = 0.0, heel: float = 0.0, cam_h: float = 0.6) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        frames = _synth(yaw, heel, camera_height_m=cam_h)
        return encode(p, frames + frames[::-1][1:], fps=10)  # down and up, 3.9 s at 10 fps
    return build


def _ten_minutes(p: Path) -> Path:
    """10 minutes at 160x304 and 10 fps (6000 frames): the excerpt looped, tiny so it builds in seconds."""
    small = [_resize(f, 304) for f in ref_frames()[::3]]
    loop = small + small[::-1]

    def gen() -> Iterator[np.ndarray]:
        for i in range(6000):
            yield loop[i % len(loop)]

    return encode(p, gen(), fps=10, options={"preset": "ultrafast", "crf": "35"})


def _bytes(content: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(p: Path) -> Path:
        p.write_bytes(content() if callable(content) else content)
        return p
    return build


# ---- the corpus -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    what: str  # plain description (docs/BAD_INPUTS.md)
    build: Callable[[Path], Path]
    expect: str  # "measured", "refused", or "known_gap" (the product does not catch it yet: documented)
    message: str = ""  # substring of the one stderr line when refused
    args: tuple[str, ...] = ()  # extra CLI arguments


CASES: list[Case] = [
    Case("reference", "reference.mp4", "Reference: 3 s real side-view squat (Pexels), H.264 506x960",
         _reference, "measured"),
    Case("zero_bytes", "zero.mp4", "Zero-byte file", _bytes(b""), "refused", "is empty (0 bytes)"),
    Case("text_as_mp4", "notes.mp4", "A text file renamed .mp4", _bytes(b"shopping list: eggs, milk\n" * 40),
         "refused", "not a readable video"),
    Case("random_bytes", "random.mp4", "200 kB of random bytes named .mp4",
         _bytes(lambda: random.Random(11).randbytes(200_000)), "refused", "not a readable video"),
    Case("truncated_10", "trunc10.mp4", "mp4 (index at the front) cut at 10 %", _truncated(0.10), "refused",
         "cut short"),
    Case("truncated_50", "trunc50.mp4", "mp4 (index at the front) cut at 50 %", _truncated(0.50), "refused", "cut short"),
    Case("truncated_99", "trunc99.mp4", "mp4 (index at the front) cut at 99 %", _truncated(0.99), "measured"),
    Case("truncated_50_index_at_end", "trunc50_moov_end.mp4", "mp4 (index at the end, as most cameras) cut at 50 %",
         _truncated(0.50, faststart=False), "refused", "not a readable video"),
    Case("audio_only", "audio.mp4", "Audio-only mp4 (AAC tone)", encode_audio_only, "refused", "no video track"),
    Case("still_no_person", "room.jpg", "A photo of an empty room", _no_person_still, "refused", "No person"),
    Case("black", "black.mp4", "1.5 s of black frames", _black, "refused", "very dark"),
    Case("very_dark", "dark.mp4", "The reference darkened to 8 % brightness", _scaled(0.08), "refused", "dark"),
    Case("no_person", "empty_room.mp4", "The real room with nobody in it (top of the frame)", _no_person_clip,
         "refused", "No person"),
    Case("small_person", "small.mp4", "The person at 1/3 size (shin ~35 px) in a corner of a 1280x720 frame",
         _far(3), "refused", "too small"),
    Case("tiny_person", "tiny.mp4", "The person at 1/8 size (~100 px tall) in a corner of a 1280x720 frame",
         _far(8), "refused", "No person"),
    Case("front_view_real", "front_real.mp4", "A real person facing the camera (Sports2D, man on a box)",
         _front_view_real, "refused", "front or back"),
    Case("front_view_synth", "front_synth.mp4", "Rendered half-kneeling knee drive, camera in front (yaw 90)",
         _synth_clip(yaw=90), "refused", "front or back"),
    Case("back_view_synth", "back_synth.mp4", "Rendered half-kneeling knee drive, camera behind (yaw -90)",
         _synth_clip(yaw=-90), "refused", "front or back"),
    Case("side_view_synth", "side_synth.mp4", "Rendered half-kneeling knee drive, side view (control)",
         _synth_clip(), "measured"),
    Case("heel_lifted_synth", "heel_synth.mp4", "Rendered knee drive with the heel 3 cm up throughout",
         _synth_clip(heel=3.0), "refused", "heel stayed off the floor"),
    Case("heel_lifted_2cm_high_synth", "heel2_high_synth.mp4",
         "Rendered knee drive with the heel 2 cm up throughout, camera 1.2 m high", _synth_clip(heel=2.0, cam_h=1.2),
         "refused", "heel stayed off the floor"),
    Case("side_view_high_synth", "side_high_synth.mp4",
         "Rendered knee drive, heel flat, camera 1.2 m high (the flat foot slopes in the picture; control)",
         _synth_clip(cam_h=1.2), "measured"),
    Case("two_people", "two.mp4", "Two people of the same size side by side", _two_people, "refused",
         "two people"),
    Case("uhd_4k", "uhd.mp4", "4K portrait (2160x3840) upscaled, 15 fps", _uhd, "measured"),
    Case("ten_minutes", "ten_min.mp4", "A 10-minute clip (looped, 160x304, 10 fps)", _ten_minutes, "refused",
         "the limit is"),
    Case("vfr", "vfr.mp4", "Variable frame rate (irregular timestamps 16-67 ms)", _vfr, "measured"),
    Case("rotation_tag", "rotated.mp4", "Portrait stored sideways with a -90 rotation tag (as phones do)",
         _rotated, "measured"),
    Case("hevc", "hevc.mp4", "HEVC (H.265) encode", lambda p: encode(p, ref_frames(), codec="libx265"), "measured"),
    Case("vp9_webm", "vp9.webm", "VP9 in WebM", lambda p: encode(p, ref_frames(), codec="libvpx-vp9"), "measured"),
    Case("corrupt_first_frames", "corrupt_head.mp4", "First 6 video packets overwritten with noise",
         _corrupt_first_packets, "measured"),
]
BY_NAME = {c.name: c for c in CASES}


def build_case(case: Case, out_dir: Path) -> Path:
    """Build (once) the input file of ``case`` in ``out_dir``; raises MissingSource when a source is missing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    p = out_dir / case.filename
    done = out_dir / (case.filename + ".done")
    if not done.exists():
        case.build(p)
        done.write_text("ok")
    return p


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "badinputs_out")
    for c in CASES:
        try:
            print(c.name, build_case(c, out))
        except MissingSource as exc:
            print(c.name, "skipped:", exc)
