"""A screen result with everything the result view shows and offers for download (no Streamlit here).

``analyze_upload`` is the whole upload flow behind the page (limits, analysis, annotated video,
snapshots); the page only feeds it the uploaded bytes and draws progress.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from screening.errors import InvalidSettingError
from screening.results import ScreenResult

Progress = Callable[[str, float], None]  # (stage text, fraction 0..1)

VIDEO_TYPES = ("mp4", "mov", "webm", "m4v")
PHOTO_TYPES = ("jpg", "jpeg", "png", "heic", "heif")  # a photo taken at the end range measures one moment
UPLOAD_TYPES = VIDEO_TYPES + PHOTO_TYPES


@dataclass
class ResultBundle:
    """One screen: the result, its pictures and the downloadable files (kept in session_state)."""

    id: str
    label: str
    origin: str  # "upload" | "webcam" | "history"
    result: ScreenResult | None
    result_json: dict[str, Any]
    created: str
    snapshot_png: bytes | None = None  # best attempt's end range, with overlay
    attempt_snapshots: dict[int, bytes] = field(default_factory=dict)
    video_mp4: bytes | None = None
    pdf: bytes | None = None
    saved_history_id: int | None = None

    @property
    def side(self) -> str | None:
        return self.result_json.get("side")

    @property
    def best(self) -> dict[str, Any]:
        return self.result_json.get("best") or {}

    def csv_text(self) -> str:
        if self.result is None:
            return ""
        from ankle_cli.analyze import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "frames.csv"
            write_csv(self.result, p)
            return p.read_text()

    def json_text(self) -> str:
        return json.dumps(self.result_json, indent=1)

    def snapshot_rgb(self) -> np.ndarray | None:
        return png_to_rgb(self.snapshot_png) if self.snapshot_png else None

    def title(self) -> str:
        b = self.best
        cm = b.get("knee_past_toe_cm")
        num = f"{cm:+.1f} cm" if isinstance(cm, (int, float)) else b.get("verdict", "")
        return f"{self.label} - {self.side or '?'} - {num}"


def png_bytes(rgb: np.ndarray) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]))
    return buf.tobytes() if ok else b""


def png_to_rgb(data: bytes) -> np.ndarray | None:
    import cv2

    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return None if img is None else np.ascontiguousarray(img[:, :, ::-1])


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def check_upload(name: str, size_bytes: int, max_mb: float) -> None:
    """Refuse an upload that is too big or not a video or photo type, with what to do."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in UPLOAD_TYPES:
        raise InvalidSettingError(
            f"'{name}' is not a video or photo this page takes ({', '.join(VIDEO_TYPES)}; {', '.join(PHOTO_TYPES)}): "
            "export the clip as mp4 (or the photo as jpg) and retry."
        )
    if size_bytes > max_mb * 1024 * 1024:
        raise InvalidSettingError(
            f"'{name}' is {size_bytes / 1024 / 1024:.0f} MB; the limit is {max_mb:.0f} MB. "
            "Trim the clip to the attempts or film at 1080p and retry."
        )
    if size_bytes == 0:
        raise InvalidSettingError(f"'{name}' is empty: upload the video file again.")


def upload_key(name: str, data: bytes, options: Any) -> str:
    h = hashlib.sha1(data).hexdigest()[:16]
    return f"{name}:{len(data)}:{h}:{options!r}"


def analyze_upload(
    name: str,
    data: bytes,
    options: Any,
    workdir: str | Path,
    max_mb: float,
    progress: Progress | None = None,
    annotate: bool = True,
    models: Any = None,
) -> ResultBundle:
    """Analyse uploaded video or photo bytes: result, end-range snapshots, annotated mp4 (videos), PDF report. A
    photo's snapshot is the annotated photo even when nothing was measured on it (it shows what was seen).

    ``models``: a ``vision.pipeline.ClipModels`` kept between uploads (else the models are built for this one).
    Raises ``AnkleScreenError`` subclasses (with ``.message``) for bad input.
    """
    from vision.annotate import end_range_snapshots, result_picture, write_annotated
    from vision.pipeline import analyze_clip

    check_upload(name, len(data), max_mb)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    bid = uuid.uuid4().hex[:10]
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name) or "upload.mp4"
    (workdir / bid).mkdir(parents=True, exist_ok=True)
    path = workdir / bid / safe
    path.write_bytes(data)

    def prog(stage: str, lo: float, hi: float) -> Callable[[int, int], None]:
        def cb(done: int, total: int) -> None:
            if progress is not None:
                progress(f"{stage} {done}/{total}", lo + (hi - lo) * min(1.0, done / max(total, 1)))

        return cb

    try:
        analysis = analyze_clip(
            path, options, progress=prog("Analysing frame", 0.0, 0.7 if annotate else 0.95),
            models=models,
        )
        result = analysis.result
        video = None
        still = analysis.info.is_still
        if annotate and not still:  # one more decode pass writes the video and takes the snapshots
            out = workdir / bid / "annotated.mp4"
            snaps = write_annotated(
                analysis, out, options.max_side_px, prog("Writing annotated video frame", 0.7, 0.97),
                spares=None if models is None else models.helpers,
            )
            video = out.read_bytes()
            out.unlink(missing_ok=True)
        else:
            snaps = end_range_snapshots(analysis, options.max_side_px)
        picture = result_picture(analysis, options.max_side_px, snaps, first_frame_fallback=still)
    finally:
        import shutil

        shutil.rmtree(workdir / bid, ignore_errors=True)
    bundle = ResultBundle(
        id=bid,
        label=Path(name).name,
        origin="upload",
        result=result,
        result_json=result.to_json_dict(),
        created=_now(),
        attempt_snapshots={k: png_bytes(v) for k, v in snaps.items()},
        video_mp4=video,
    )
    bundle.snapshot_png = None if picture is None else png_bytes(picture)
    if progress is not None:
        progress("Done", 1.0)
    return bundle


def bundle_from_live(result: ScreenResult, snapshots: dict[int, np.ndarray], label: str = "webcam") -> ResultBundle:
    from vision.annotate import best_snapshot

    snaps = {k: png_bytes(v) for k, v in snapshots.items()}
    b = ResultBundle(
        id=uuid.uuid4().hex[:10],
        label=f"{label} {dt.datetime.now().strftime('%H:%M:%S')}",
        origin="webcam",
        result=result,
        result_json=result.to_json_dict(),
        created=_now(),
        attempt_snapshots=snaps,
    )
    b.snapshot_png = best_snapshot(snaps, result.best.attempt_index)
    return b


def bundle_from_history(entry: Any) -> ResultBundle:
    return ResultBundle(
        id=f"h{entry.id}",
        label=f"history #{entry.id} ({entry.timestamp[:16]})",
        origin="history",
        result=None,
        result_json=entry.result(),
        created=entry.timestamp,
        saved_history_id=entry.id,
    )


def report_pdf(bundle: ResultBundle, plan: Any = None, step2: Any = None, trend_png: bytes | None = None) -> bytes:
    """The PDF report (screening.report.build_report) as bytes."""
    from screening.report import build_report

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.pdf"
        build_report(bundle.result_json, out, snapshot_rgb=bundle.snapshot_rgb(), plan=plan, step2=step2,
                     trend_png=trend_png)
        return out.read_bytes()


def travel_figure(result_json: dict[str, Any]) -> Any:
    """Plotly: knee past toe (cm) and shin angle (deg) over time, heel-lift spans shaded, attempts marked."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fr = result_json.get("frames") or {}
    t = fr.get("time_s") or []
    kpt = [np.nan if v is None else v for v in fr.get("knee_past_toe_cm") or []]
    shin = [np.nan if v is None else v for v in fr.get("shin_angle_deg") or []]
    heel = fr.get("heel_down") or []
    posed = fr.get("pose_found") or []
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if any(np.isfinite(kpt)):
        fig.add_trace(go.Scatter(x=t, y=kpt, name="knee past toe (cm)", line={"color": "#1f77b4"}), secondary_y=False)
    fig.add_trace(go.Scatter(x=t, y=shin, name="shin angle (deg)", line={"color": "#ff7f0e", "dash": "dot"}),
                  secondary_y=True)
    fist = result_json.get("fist_width_cm")
    if fist and any(np.isfinite(kpt)):
        fig.add_hline(y=fist, line={"color": "#2ca02c", "dash": "dash"}, annotation_text="fist (pass mark)")
    # heel-lift spans
    start = None
    for i, ti in enumerate(t):
        lifted = bool(posed[i]) and not bool(heel[i]) if i < len(heel) and i < len(posed) else False
        if lifted and start is None:
            start = ti
        if (not lifted or i == len(t) - 1) and start is not None:
            fig.add_vrect(x0=start, x1=ti, fillcolor="red", opacity=0.15, line_width=0)
            start = None
    for a in result_json.get("attempts") or []:
        fig.add_vrect(x0=a["start_time_s"], x1=a["end_time_s"], fillcolor="#888", opacity=0.08, line_width=0)
        if a.get("end_range_time_s") is not None:
            fig.add_vline(x=a["end_range_time_s"], line={"color": "#555", "dash": "dot"},
                          annotation_text=f"#{a['index'] + 1}")
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                      title={"text": "Knee travel and shin angle over time", "font": {"size": 14}})
    fig.update_xaxes(title_text="time (s); red = heel lifted, grey = attempt")
    fig.update_yaxes(title_text="knee past toe (cm)", secondary_y=False)
    fig.update_yaxes(title_text="shin angle (deg)", secondary_y=True)
    return fig


def attempts_rows(result_json: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for a in result_json.get("attempts") or []:
        rows.append({
            "attempt": a["index"] + 1,
            "end range at (s)": _r(a.get("end_range_time_s"), 2),
            "knee past toe (cm)": _r(a.get("knee_past_toe_cm"), 1),
            "fist-widths": _r(a.get("fist_widths"), 2),
            "shin angle (deg)": _r(a.get("shin_angle_deg"), 1),
            "heel": "down" if a.get("heel_down") else "LIFTED",
            "max heel lift (cm)": _r(a.get("heel_lift_cm_max"), 1),
            "note": a.get("reason") or "",
        })
    return rows


def _r(v: Any, nd: int) -> float | None:
    return round(float(v), nd) if isinstance(v, (int, float)) else None


def bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
