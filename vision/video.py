"""Reading clips and stills: PyAV decoding that honours the display-rotation tag, real timestamps
(variable frame rate), and streams frames one at a time (never the whole clip in memory)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np

from calibration.lens import PHOTO_EXIF, VIDEO_METADATA, Lens, lens_from_metadata
from screening.errors import UnreadableInputError

log = logging.getLogger(__name__)

HEIF_SUFFIXES = {".heic", ".heif"}  # an iPhone's photos (decoded by pillow-heif: libheif inside its wheel)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", *HEIF_SUFFIXES}
REFILM = "Record or export it again as an mp4/mov/webm video (or a jpg/png photo) and retry."


@dataclass(frozen=True)
class VideoInfo:
    """What a clip is, in display orientation (after the rotation tag is applied)."""

    path: str
    width_px: int
    height_px: int
    fps: float
    duration_s: float
    frame_count_estimate: int
    rotation_deg: int  # display rotation tag as PyAV reports it (e.g. -90); 0 when absent
    codec: str
    is_still: bool = False
    lens: Lens | None = None  # the lens the file names (a photo's EXIF, an iPhone video's metadata), if any

    def as_dict(self) -> dict[str, object]:
        return asdict(self)  # the lens, a dataclass too, as its own dict


class Frame:
    """One decoded frame: its index, presentation time (s), upright RGB pixels ((H, W, 3) uint8) and, when
    camera motion is tracked, the 2x3 map from its pixels to the first frame's.

    The pixels may be made on first use (``make_rgb``): a frame the analysis skips is never converted."""

    __slots__ = ("index", "time_s", "to_ref", "_rgb", "_make_rgb")

    def __init__(
        self,
        index: int,
        time_s: float,
        rgb: np.ndarray | None = None,
        to_ref: np.ndarray | None = None,
        make_rgb: Callable[[], np.ndarray] | None = None,
    ) -> None:
        if rgb is None and make_rgb is None:
            raise ValueError("a Frame needs its pixels or a way to make them")
        self.index = index
        self.time_s = time_s
        self.to_ref = to_ref
        self._rgb = rgb
        self._make_rgb = make_rgb

    @property
    def rgb(self) -> np.ndarray:
        if self._rgb is None:
            assert self._make_rgb is not None
            self._rgb, self._make_rgb = self._make_rgb(), None
        return self._rgb


def is_still_image(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def _upright_view(img: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Stored pixels turned upright, as a view (no copy). PyAV reports e.g. -90 for a phone portrait clip;
    rot90 k=-1 is right."""
    k = int(round(rotation_deg / 90.0)) % 4
    return np.rot90(img, k=k) if k else img


def _apply_rotation(img: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Turn stored pixels upright (a contiguous array)."""
    return np.ascontiguousarray(_upright_view(img, rotation_deg))


def _scaled_size(w: int, h: int, max_side_px: int | None) -> tuple[int, int]:
    if not max_side_px or max(w, h) <= max_side_px:
        return w, h
    s = max_side_px / max(w, h)
    return max(2, int(round(w * s / 2)) * 2), max(2, int(round(h * s / 2)) * 2)


def scaled_size(w: int, h: int, max_side_px: int | None, even: bool = False) -> tuple[int, int]:
    """(width, height) after downsizing to ``max_side_px`` on the long side; ``even`` rounds both down to
    even numbers (YUV 4:2:0 planes need them)."""
    w, h = _scaled_size(w, h, max_side_px)
    return (max(2, w - w % 2), max(2, h - h % 2)) if even else (w, h)


def read_still(path: str | Path, max_side_px: int | None = None) -> np.ndarray:
    """A still image as upright RGB (EXIF orientation applied), downsized to ``max_side_px`` if given."""
    import cv2

    path = Path(path)
    if path.suffix.lower() in HEIF_SUFFIXES:
        rgb = _read_heif(path)
    else:
        data = np.fromfile(str(path), dtype=np.uint8)
        bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if bgr is None:
            raise UnreadableInputError(f"'{path.name}' is not a readable image. {REFILM}")
        rgb = bgr[:, :, ::-1]
    h, w = rgb.shape[:2]
    nw, nh = _scaled_size(w, h, max_side_px)
    if (nw, nh) != (w, h):
        rgb = cv2.resize(np.ascontiguousarray(rgb), (nw, nh), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def _heif_opener() -> None:
    """Let Pillow open HEIC/HEIF photos (idempotent)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _read_heif(path: Path) -> np.ndarray:
    """An iPhone's HEIC photo as upright RGB: pillow-heif applies the picture's own rotation (and resets the EXIF
    orientation it mirrors); ``exif_transpose`` covers a file that carries only the EXIF tag."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    _heif_opener()
    try:
        with Image.open(path) as im:
            return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        raise UnreadableInputError(f"'{path.name}' is not a readable image ({type(exc).__name__}). {REFILM}") from exc


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise UnreadableInputError(f"'{path}' does not exist. Check the file name and path.")
    if path.is_dir():
        raise UnreadableInputError(f"'{path}' is a folder, not a video. Give the path of a video file.")
    if path.stat().st_size == 0:
        raise UnreadableInputError(f"'{path.name}' is empty (0 bytes). {REFILM}")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise UnreadableInputError(f"'{path.name}' is not a readable video ({type(exc).__name__}). {REFILM}") from exc
    if not container.streams.video:
        container.close()
        raise UnreadableInputError(f"'{path.name}' has no video track (audio only?). {REFILM}")
    return container


def _stream_rotation(stream: av.video.stream.VideoStream) -> int:
    try:
        first = stream.side_data.get("DISPLAYMATRIX")  # type: ignore[attr-defined]
        if first is not None:
            return int(round(float(first)))
    except (AttributeError, TypeError, ValueError):
        pass
    return 0


def probe(path: str | Path) -> VideoInfo:
    """Read the header and the first frame: size in display orientation, rate, duration, rotation."""
    path = Path(path)
    if is_still_image(path):
        img = read_still(path)
        return VideoInfo(str(path), img.shape[1], img.shape[0], 0.0, 0.0, 1, 0, "image", True, photo_lens(path))
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rotation = 0
        first: av.VideoFrame | None = None
        try:
            first = next(iter(_decode_safely(container, stream, limit_errors=50)), None)
        except UnreadableInputError:
            first = None
        if first is None:
            raise UnreadableInputError(f"'{path.name}' has a video track but no frame could be decoded. {REFILM}")
        rotation = int(getattr(first, "rotation", 0) or 0)
        w, h = first.width, first.height
        if rotation % 180:
            w, h = h, w
        fps = float(stream.average_rate or stream.guessed_rate or 30.0)
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        count = int(stream.frames or round(duration * fps))
        return VideoInfo(str(path), w, h, fps, duration, count, rotation, stream.codec_context.name, False,
                         video_lens(container))
    finally:
        container.close()


EXIF_IFD = 0x8769  # the EXIF sub-IFD of a picture's tags
EXIF_FOCAL_35MM = 0xA405  # FocalLengthIn35mmFilm (mm)
# an iPhone's QuickTime metadata key (FFmpeg's mov demuxer lists "mdta" keys under their own names)
VIDEO_FOCAL_35MM_KEY = "com.apple.quicktime.camera.focal_length.35mm_equivalent"


def photo_lens(path: str | Path) -> Lens | None:
    """The lens a photo's EXIF names (its 35 mm-equivalent focal length), None without one."""
    from PIL import Image, UnidentifiedImageError

    if Path(path).suffix.lower() in HEIF_SUFFIXES:
        _heif_opener()
    try:
        with Image.open(path) as im:
            value = im.getexif().get_ifd(EXIF_IFD).get(EXIF_FOCAL_35MM)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:  # no or damaged EXIF: no lens
        log.debug("no EXIF lens in %s: %s", path, exc)
        return None
    return lens_from_metadata(value, PHOTO_EXIF)


def video_lens(container: av.container.InputContainer) -> Lens | None:
    """The lens a video's metadata names (iPhones write the 35 mm-equivalent focal length), None without one."""
    for meta in (container.metadata, container.streams.video[0].metadata):
        for key, value in meta.items():
            if key.lower() == VIDEO_FOCAL_35MM_KEY:
                return lens_from_metadata(value, VIDEO_METADATA)
    return None


def _decode_safely(container, stream, limit_errors: int = 200) -> Iterator[av.VideoFrame]:
    """Decode packet by packet; skip corrupt packets (e.g. damaged first frames) rather than abort."""
    errors = 0
    try:
        packets = container.demux(stream)
        for packet in packets:
            try:
                frames = packet.decode()
            except (av.InvalidDataError, av.FFmpegError) as exc:
                errors += 1
                log.debug("skipping undecodable packet: %s", exc)
                if errors > limit_errors:
                    raise UnreadableInputError(
                        f"'{Path(container.name).name}' is too damaged to decode. {REFILM}"
                    ) from exc
                continue
            yield from frames
    except (av.InvalidDataError, av.FFmpegError) as exc:
        # demuxing stopped early (e.g. a truncated file): keep what was decoded
        log.info("stopped reading at a damaged part of the file: %s", exc)


def iter_decoded(path: Path, codec_threads: bool = True) -> Iterator[tuple[int, float, av.VideoFrame]]:
    """(index, presentation time in s, decoded frame) of a clip, time strictly increasing.

    ``codec_threads=False`` decodes on one thread (beside the pose model, extra decoder threads only
    compete with it for the cores)."""
    container = _open(path)
    try:
        stream = container.streams.video[0]
        if codec_threads:
            stream.thread_type = "AUTO"
        else:  # one decoding thread, said explicitly (PyAV's default is slice threading, a thread per core)
            stream.thread_type = "NONE"
            stream.codec_context.thread_count = 1
        fps = float(stream.average_rate or 30.0)
        index = 0
        last_t = -1.0
        for vf in _decode_safely(container, stream):
            t = float(vf.time) if vf.time is not None else (last_t + 1.0 / fps if last_t >= 0 else 0.0)
            if t <= last_t:  # broken or repeated timestamps: keep time strictly increasing
                t = last_t + 1e-3
            last_t = t
            yield index, t, vf
            index += 1
    finally:
        container.close()


def upright_rgb(vf: av.VideoFrame, max_side_px: int | None) -> np.ndarray:
    """The frame as upright RGB, downsized to ``max_side_px`` with area averaging (sharp, and ~3x faster
    than the default bicubic)."""
    w, h = _scaled_size(vf.width, vf.height, max_side_px)
    if (w, h) != (vf.width, vf.height):
        img = vf.to_ndarray(width=w, height=h, format="rgb24", interpolation="AREA")
    else:
        img = vf.to_ndarray(format="rgb24")
    return _apply_rotation(img, int(getattr(vf, "rotation", 0) or 0))


def _plane(p: av.video.plane.VideoPlane, h: int, w: int) -> np.ndarray:
    return np.frombuffer(memoryview(p), np.uint8).reshape(h, p.line_size)[:, :w]


def upright_i420(vf: av.VideoFrame, max_side_px: int | None, out: np.ndarray | None = None) -> np.ndarray:
    """The frame as upright, downsized YUV 4:2:0 planes packed one after another in a (H*3/2, W) uint8
    array (OpenCV's I420 layout; ``cv2.COLOR_YUV2RGB_I420`` makes it RGB). Half the bytes of RGB and
    cheaper to make; sizes are even. ``out``: an array of that shape to write into (e.g. a shared-memory slot:
    each plane is copied once, straight from the scaler's buffer); a new one is made if it is None or another
    shape (the stream changed size)."""
    w, h = scaled_size(vf.width, vf.height, max_side_px, even=True)
    small = vf.reformat(width=w, height=h, format="yuv420p", interpolation="AREA")
    rotation = int(getattr(vf, "rotation", 0) or 0)
    planes = [_upright_view(_plane(small.planes[i], hh, ww), rotation)
              for i, (hh, ww) in enumerate(((h, w), (h // 2, w // 2), (h // 2, w // 2)))]
    y_h, y_w = planes[0].shape
    shape = (y_h * 3 // 2, y_w)
    if out is None or out.shape != shape:
        out = np.empty(shape, np.uint8)
    flat = out.reshape(-1)  # a view: ``out`` is contiguous
    start = 0
    for p in planes:
        flat[start : start + p.size].reshape(p.shape)[...] = p
        start += p.size
    return out


def iter_frames(path: str | Path, max_side_px: int | None = None, codec_threads: bool = True) -> Iterator[Frame]:
    """Yield upright RGB frames with their presentation time in seconds.

    A still image is a one-frame clip at t=0. ``max_side_px`` downsizes while decoding.
    """
    path = Path(path)
    if is_still_image(path):
        yield Frame(0, 0.0, read_still(path, max_side_px))
        return
    for index, t, vf in iter_decoded(path, codec_threads):
        yield Frame(index, t, upright_rgb(vf, max_side_px))


def iter_frames_prefetch(
    path: str | Path,
    max_side_px: int | None = None,
    depth: int = 6,
    prepare: Callable[[Frame], Frame] | None = None,
) -> Generator[Frame, None, None]:
    """``iter_frames`` decoded in a background thread, ``depth`` frames ahead (memory stays bounded).

    Decoding (and ``prepare``, e.g. camera-motion tracking) then overlaps pose inference on the other
    core. Errors raised in the thread are re-raised here.
    """
    import queue
    import threading

    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for fr in iter_frames(path, max_side_px):
                if prepare is not None:
                    fr = prepare(fr)
                while not stop.is_set():
                    try:
                        q.put(fr, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer, re-raised there
            q.put(exc)

    t = threading.Thread(target=work, name="ankle-decode", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Frame)
            yield item
    finally:
        stop.set()
        while t.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                t.join(timeout=0.05)


def read_frames_at(path: str | Path, indices: set[int], max_side_px: int | None = None) -> dict[int, np.ndarray]:
    """Decode the clip up to the last wanted frame and keep the frames with the given indices as upright RGB
    (snapshots; the marker searched at full size). Only the wanted frames are converted."""
    out: dict[int, np.ndarray] = {}
    if not indices:
        return out
    path = Path(path)
    if is_still_image(path):
        return {0: read_still(path, max_side_px)} if 0 in indices else out
    last = max(indices)
    for index, _t, vf in iter_decoded(path):
        if index in indices:
            out[index] = upright_rgb(vf, max_side_px)
        if index >= last:
            break
    return out
