"""PDF report of one screen (fpdf2): verdict, numbers with scale source and uncertainty, end-range
snapshot, knee travel over time, Step-2 class, plan, trend and before/after comparison."""

from __future__ import annotations

import io
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from calibration.fist import fist_source_words
from calibration.scale import scale_source_words
from screening.compare import Comparison
from screening.plan import Plan
from screening.results import is_photo, measured_how
from screening.step2 import CLASS_LABELS, Step2Result

FONT_DIR_ENV = "ANKLE_SCREEN_FONT_DIR"
DEG = "\u00b0"
VERDICT_TEXT = {
    "pass": ("PASS", (30, 130, 60), "The kneecap travelled past the fist mark: ankle dorsiflexion is in the "
             "functionally normal range (seed 000 Step 1)."),
    "fail": ("BELOW THE MARK", (190, 60, 40), "The kneecap stopped short of the fist mark; this distance is "
             "your baseline to improve (seed 000 Step 1)."),
    "not_measured": ("NOT MEASURED", (110, 110, 110), "The end range could not be measured from this clip."),
}


def _fonts() -> tuple[str, str]:
    import matplotlib

    base = Path(os.environ.get(FONT_DIR_ENV) or Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    return str(base / "DejaVuSans.ttf"), str(base / "DejaVuSans-Bold.ttf")


def _fmt(v: Any, unit: str = "", nd: int = 1) -> str:
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "-"
    return f"{float(v):.{nd}f}{unit}"


def knee_travel_png(result_json: dict[str, Any], *, width_in: float = 7.0, height_in: float = 2.1,
                    dpi: int = 120) -> bytes | None:
    """Knee past toe over time from ``result_json['frames']``, with heel-lift frames and the fist mark."""
    frames = result_json.get("frames") or {}
    t = frames.get("time_s") or []
    k = frames.get("knee_past_toe_cm") or []
    if not t or not k:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    tt = np.array([np.nan if v is None else v for v in t], dtype=float)
    kk = np.array([np.nan if v is None else v for v in k], dtype=float)
    heel = frames.get("heel_down") or [True] * len(tt)
    hd = np.array([bool(h) if h is not None else True for h in heel], dtype=bool)
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(tt, np.where(hd, kk, np.nan), color="#1f5fa8", lw=1.5, label="heel down")
    if (~hd).any():
        ax.plot(tt, np.where(~hd, kk, np.nan), color="#d08020", lw=1.5, label="heel lifted (not counted)")
    fist = result_json.get("fist_width_cm")
    if fist is not None:
        ax.axhline(float(fist), color="#2a8a3a", ls="--", lw=1, label=f"fist mark {float(fist):.1f} cm")
    ax.axhline(0, color="#888", lw=0.8)
    for a in result_json.get("attempts") or []:
        if a.get("end_range_time_s") is not None and a.get("knee_past_toe_cm") is not None:
            ax.plot([a["end_range_time_s"]], [a["knee_past_toe_cm"]], "v", color="#b02020", ms=6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("knee past toe (cm)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _short_source(src: str) -> str:
    """"seed 000: Rusin, Fix ... (Step 4)" -> "seed 000, Step 4"."""
    m = re.match(r"\s*(seed \d+)[^(]*(?:\((.*)\))?\s*$", src)
    if not m:
        return src
    return f"{m.group(1)}, {m.group(2)}" if m.group(2) else m.group(1)


def _png_of_rgb(rgb: np.ndarray) -> io.BytesIO:
    import matplotlib.image as mpimg

    buf = io.BytesIO()
    mpimg.imsave(buf, np.asarray(rgb, dtype=np.uint8), format="png")
    buf.seek(0)
    return buf


def build_report(
    result_json: dict[str, Any],
    out_path: str | os.PathLike[str],
    *,
    snapshot_rgb: np.ndarray | None = None,
    plot_png: bytes | str | os.PathLike[str] | None = None,
    plan: Plan | None = None,
    step2: Step2Result | None = None,
    trend_png: bytes | str | os.PathLike[str] | None = None,
    comparison: Comparison | None = None,
) -> Path:
    """Write the PDF report to ``out_path`` and return its path."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = _fonts()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    pdf.set_title("Ankle screen report")
    pdf.set_creator("ankle-screen")
    pdf.add_page()
    W = pdf.epw

    def h1(text: str) -> None:
        pdf.set_font("DejaVu", "B", 15)
        pdf.cell(W, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def h2(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11.5)
        pdf.cell(W, 6.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(text: str, size: float = 9.5) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(W, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def kv(rows: list[tuple[str, str]]) -> None:
        pdf.set_font("DejaVu", "", 9.5)
        for k, v in rows:
            pdf.set_font("DejaVu", "B", 9.5)
            pdf.cell(58, 5, k)
            pdf.set_font("DejaVu", "", 9.5)
            pdf.multi_cell(W - 58, 5, v, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    best = result_json.get("best") or {}
    side = result_json.get("side") or "unknown"
    verdict = best.get("verdict", "not_measured")
    vword, vcol, vtext = VERDICT_TEXT.get(verdict, VERDICT_TEXT["not_measured"])

    h1(f"Ankle screen: {side} ankle")
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(90, 90, 90)
    src = result_json.get("source") or ""
    kind = "photo" if is_photo(result_json.get("video")) else "clip"
    pdf.cell(W, 4.5, f"Half-kneeling knee-over-toe screen{(f' - {kind}: ' + Path(str(src)).name) if src else ''}",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)
    # verdict banner
    pdf.set_fill_color(*vcol)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(W, 9, f"  {vword}", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)
    reason = str(best.get("reason") or "")
    end = "" if reason.endswith((".", "!", "?")) else "."
    para(vtext + (f" {reason[:1].upper()}{reason[1:]}{end}" if reason else ""))

    # numbers (left column) and snapshot (right column)
    h2("Measurements")
    y0 = pdf.get_y()
    snap_h = 0.0
    if snapshot_rgb is not None:
        img = np.asarray(snapshot_rgb)
        h_px, w_px = img.shape[:2]
        max_w, max_h = W * 0.42, 62.0
        scale_mm = min(max_w / w_px, max_h / h_px)
        snap_w, snap_h = w_px * scale_mm, h_px * scale_mm
        pdf.image(_png_of_rgb(img), x=pdf.l_margin + W - snap_w, y=y0, w=snap_w, h=snap_h)
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_xy(pdf.l_margin + W - snap_w, y0 + snap_h + 0.5)
        pdf.cell(snap_w, 3.5, "end-range snapshot", align="C")
        pdf.set_xy(pdf.l_margin, y0)
        snap_h += 4.5
    col_w = W * 0.56 if snapshot_rgb is not None else W
    scale = result_json.get("scale") or {}
    fist = result_json.get("fist_width_cm")
    kpt = best.get("knee_past_toe_cm")
    unc = best.get("knee_past_toe_uncertainty_cm") or scale.get("uncertainty_cm")
    below = (float(fist) - float(kpt)) if (fist is not None and kpt is not None) else None
    rows = [
        ("Knee past toe", f"{_fmt(kpt, ' cm')}" + (f"  (\u00b1{_fmt(unc, ' cm')}, 1 sigma)" if unc is not None else "")),
        ("Fist widths", _fmt(best.get("fist_widths"), "", 2)),
        ("Fist mark", f"{_fmt(fist, ' cm')} ({fist_source_words(result_json.get('fist_source'))})"),
        ("Distance to the mark", "-" if below is None else (f"{below:.1f} cm short" if below > 0
                                                             else f"{-below:.1f} cm past")),
        ("Shin angle at end range", _fmt(best.get("shin_angle_deg"), DEG)),
        ("Scale from", f"{scale_source_words(scale.get('source'))}" + (
            f", \u00b1{100 * float(scale['relative_uncertainty']):.1f} %"
            if scale.get("relative_uncertainty") is not None else "")),
        ("Measured", measured_how(result_json.get("view") or {})),
        ("Attempts", f"{len(result_json.get('attempts') or [])}" + (
            f"; retest spread {_fmt(result_json.get('retest_spread_cm'), ' cm')}"
            if result_json.get("retest_spread_cm") is not None else "")),
    ]
    for k, v in rows:
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(col_w * 0.45, 4.8, k)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(col_w * 0.55, 4.8, v, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    warns = result_json.get("warnings") or []
    if warns:
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(col_w, 4, "Warnings: " + " ".join(str(w) for w in warns), new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y0 + snap_h))

    plot = plot_png if plot_png is not None else knee_travel_png(result_json)
    if plot is not None and kind == "clip":  # a photo has one moment: nothing to plot over time
        h2("Knee travel over the clip")
        pdf.image(io.BytesIO(plot) if isinstance(plot, bytes) else str(plot), x=pdf.l_margin, w=W * 0.9)

    # comparison
    if comparison is not None:
        h2("Before / after")
        kv([
            ("Knee past toe", f"{_fmt(comparison.before_cm, ' cm')} \u2192 {_fmt(comparison.after_cm, ' cm')}"
                              f"  ({_fmt(comparison.change_cm, ' cm')} change)"),
            ("Shin angle", f"{_fmt(comparison.before_deg, DEG)} \u2192 {_fmt(comparison.after_deg, DEG)}"),
            ("Minimal detectable change", f"{comparison.mdc.cm:.1f} cm / {comparison.mdc.deg:.1f}\u00b0"),
        ])
        para(comparison.summary)
        for w in comparison.warnings:
            para("Note: " + w, 8.5)

    # Step 2
    if step2 is not None or (plan is not None and plan.classification not in ("not_needed",)):
        h2("Soft tissue or joint? (Step 2)")
        if step2 is not None:
            para(f"Straight knee: {step2.straight_knee}; bent knee: {step2.bent_knee}. "
                 f"Result: {CLASS_LABELS[step2.classification]}. {step2.reason} ({step2.source})")
        elif plan is not None:
            para(f"{plan.classification_reason}")

    # plan
    if plan is not None:
        h2(f"Your plan ({plan.mode})")
        for note in plan.notes:
            para("\u2022 " + note, 8.5)
        for sess in plan.sessions:
            pdf.set_font("DejaVu", "B", 9)
            pdf.multi_cell(W, 4.8, f"{sess.title} ({sess.when})", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            n = 0
            for st in sess.steps:
                if st.kind in ("drill", "habit"):
                    n += 1
                    para(f"  {n}. {st.name}{' [' + st.side + ']' if st.side else ''}: {st.dose} "
                         f"({_short_source(st.source)})", 8)
                elif st.kind == "assess":
                    para(f"  \u2192 {st.text}", 8)
            if any(st.kind == "retest" for st in sess.steps):
                para("  Test first; retest after every drill and keep what moves the number (seed 000).", 7.5)
        if plan.weekly_schedule:
            para("Week: " + "; ".join(f"{d.day} {', '.join(d.sessions)}" for d in plan.weekly_schedule), 8)
        para(plan.judge_text, 8.5)
        for c in plan.caveats:
            para(c, 8.5)
        para("Sources: seed 000: Rusin, Fix Your Ankle Mobility In Five Minutes; seed 002: Mullins, Progressing "
             "Ankle Mobility beyond SMR; seed 004: Reddy (b-reddy.org), front-of-ankle jamming and the talus "
             "glide, with readers' comments.", 7.5)

    # trend
    if trend_png is not None:
        h2("Progress over weeks")
        pdf.image(io.BytesIO(trend_png) if isinstance(trend_png, bytes) else str(trend_png), x=pdf.l_margin,
                  w=W * 0.85)

    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(W, 5, "Safety", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    para(plan.safety_text if plan is not None else (
        "This is a movement screen, not a diagnosis. If you have pain, swelling, a recent injury, numbness or "
        "tingling, stop and have a physiotherapist or doctor look at the ankle."), 8.5)
    out = Path(out_path)
    pdf.output(str(out))
    return out


def build_report_with_context(
    result_json: dict[str, Any],
    out_path: str | os.PathLike[str],
    *,
    snapshot_rgb: np.ndarray | None = None,
    comparison: Comparison | None = None,
    db_path: str | os.PathLike[str] | None = None,
) -> Path:
    """``build_report`` with what the CLI knows beyond the clip: the plan for this verdict (Step 2 not
    asked, so its class is unknown) and, when a history database already exists, the trend of this side.
    A missing database is not created (nothing is written that the user did not ask for)."""
    from screening.history import HistoryStore, history_points, resolve_db_path
    from screening.plan import PlanInput, make_plan, side_input_from_result
    from screening.trend import trend_png

    entries: list[Any] = []
    path = resolve_db_path(db_path)
    side = result_json.get("side")
    if path.exists() and side in ("left", "right"):
        with HistoryStore.open(path) as store:
            entries = store.entries(side)
    plan = None
    if side in ("left", "right"):
        plan = make_plan(PlanInput(sides=(side_input_from_result(result_json),), history=tuple(history_points(entries))))
    trend = trend_png(entries) if len(entries) >= 2 else None
    return build_report(result_json, out_path, snapshot_rgb=snapshot_rgb, plan=plan, trend_png=trend,
                        comparison=comparison)
