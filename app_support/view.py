"""Streamlit pieces shared by the pages: the result view, the session's results, error display."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import streamlit as st

from app_support.bundle import ResultBundle, attempts_rows, report_pdf, travel_figure
from calibration.fist import fist_source_words
from calibration.scale import scale_source_words
from screening.errors import AnkleScreenError
from screening.results import is_photo, measured_how

log = logging.getLogger("ankle_screen.app")

VERDICT_WORDS = {
    "pass": "Pass - your ankle bends far enough",
    "fail": "Not yet - the knee stops short of the fist mark",
    "not_measured": "Not measured",
}


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Show an AnkleScreenError as one line; anything else as a short message (never a traceback)."""
    try:
        yield
    except AnkleScreenError as exc:
        st.error(exc.message)
    except Exception as exc:  # noqa: BLE001 - the page must not show a traceback
        log.exception("unexpected error in the app")
        st.error(f"Something went wrong ({type(exc).__name__}). Try again; if it repeats, run "
                 "`ankle-screen analyze` on the clip to see the details.")


# ------------------------------------------------------------------ session store
def session_models() -> Any:
    """The clip-analysis pose models of this user session (``vision.pipeline.ClipModels``): built by the first
    upload, reused by the next ones."""
    models = st.session_state.get("clip_models")
    if models is None:
        from vision.pipeline import ClipModels

        models = st.session_state["clip_models"] = ClipModels()
    return models


def session_results() -> list[ResultBundle]:
    return st.session_state.setdefault("results", [])


def add_session_result(bundle: ResultBundle) -> None:
    res = session_results()
    if not any(b.id == bundle.id for b in res):
        res.append(bundle)
    if bundle.side in ("left", "right"):
        st.session_state.setdefault("by_side", {})[bundle.side] = bundle.id


def find_result(bid: str | None) -> ResultBundle | None:
    return next((b for b in session_results() if b.id == bid), None)


def latest_by_side() -> dict[str, ResultBundle]:
    out: dict[str, ResultBundle] = {}
    ids = st.session_state.get("by_side", {})
    for side, bid in ids.items():
        b = find_result(bid)
        if b is not None:
            out[side] = b
    return out


def save_to_history(bundle: ResultBundle, notes: str = "") -> int:
    from screening.history import HistoryStore

    with HistoryStore.open(None) as store:
        new_id = store.add(bundle.result_json, source_file=bundle.label, notes=notes)
    bundle.saved_history_id = new_id
    return new_id


# ------------------------------------------------------------------ result view
def _fmt(v: Any, unit: str, nd: int = 1, sign: bool = False) -> str:
    if not isinstance(v, (int, float)):
        return "not measured"
    return f"{v:+.{nd}f} {unit}" if sign else f"{v:.{nd}f} {unit}"


def render_verdict(r: dict[str, Any]) -> None:
    best = r.get("best") or {}
    verdict = best.get("verdict", "not_measured")
    words = VERDICT_WORDS.get(verdict, verdict)
    side = r.get("side")
    head = f"**{words}**" + (f" ({side} ankle)" if side else "")
    text = f"{head}  \n{best.get('reason', '')}"
    {"pass": st.success, "fail": st.warning}.get(verdict, st.error)(text)


def render_numbers(r: dict[str, Any]) -> None:
    best = r.get("best") or {}
    scale = r.get("scale") or {}
    c1, c2, c3, c4 = st.columns(4)
    unc = best.get("knee_past_toe_uncertainty_cm")
    kpt = best.get("knee_past_toe_cm")
    c1.metric("Knee past toe", _fmt(kpt, "cm", sign=True) + (f" ± {unc:.1f}" if isinstance(unc, float) and
                                                               isinstance(kpt, float) else ""))
    c2.metric("Fist-widths", _fmt(best.get("fist_widths"), "", 2).strip())
    c3.metric("Shin angle", _fmt(best.get("shin_angle_deg"), "°"))
    c4.metric("Pass mark (fist)", _fmt(r.get("fist_width_cm"), "cm"))
    src = scale_source_words(scale.get("source"))
    if scale:
        rel = scale.get("relative_uncertainty")
        st.caption(
            f"Scale from {src}: {scale.get('px_per_cm', 0):.2f} px/cm"
            + (f" (± {rel * 100:.1f} %)" if isinstance(rel, float) else "")
            + f". Measured {measured_how(r.get('view') or {})}."
            + f" Fist width: {fist_source_words(r.get('fist_source'))}. "
            f"Side: {r.get('side') or '?'} ({r.get('side_reason', '')})."
        )
    else:
        st.caption("No scale: centimetres were not measured.")
    for w in r.get("warnings") or []:
        st.info(w)


def render_result(bundle: ResultBundle, key: str, plan: Any = None, step2: Any = None) -> None:
    """The full result view of one screen (verdict, numbers, attempts, snapshot, plot, video, downloads)."""
    r = bundle.result_json
    render_verdict(r)
    render_numbers(r)
    rows = attempts_rows(r)
    if rows:
        st.subheader("Attempts")
        st.dataframe(rows, hide_index=True, width="stretch")
    still = is_photo(r.get("video"))  # one moment: nothing to plot over time
    left, right = st.columns([2, 3])
    with left:
        if bundle.snapshot_png:
            best = r.get("best") or {}
            i = best.get("attempt_index")
            st.image(bundle.snapshot_png, width="stretch",
                     caption="The photo, annotated" if still else f"End range (heel down), attempt {(i or 0) + 1}")
        else:
            st.caption("No end-range snapshot (no measured attempt).")
    with right:
        if (r.get("frames") or {}).get("time_s") and not still:
            st.plotly_chart(travel_figure(r), width="stretch", key=f"{key}_plot")
    if bundle.video_mp4:
        st.subheader("Annotated video")
        st.video(bundle.video_mp4, format="video/mp4")
    st.subheader("Downloads")
    d1, d2, d3, d4 = st.columns(4)
    stem = bundle.label.rsplit(".", 1)[0].replace(" ", "_")
    d1.download_button("JSON", bundle.json_text(), f"{stem}.json", "application/json", key=f"{key}_json")
    if bundle.result is not None:
        d2.download_button("CSV (per frame)", bundle.csv_text(), f"{stem}.csv", "text/csv", key=f"{key}_csv")
    if bundle.video_mp4:
        d3.download_button("Annotated video (mp4)", bundle.video_mp4, f"{stem}_annotated.mp4", "video/mp4",
                           key=f"{key}_mp4")
    with d4:
        if bundle.pdf is None:
            if st.button("Make PDF report", key=f"{key}_mkpdf"):
                with st.spinner("Writing the report"), user_errors():
                    bundle.pdf = report_pdf(bundle, plan=plan, step2=step2)
        if bundle.pdf is not None:
            st.download_button("PDF report", bundle.pdf, f"{stem}_report.pdf", "application/pdf", key=f"{key}_pdf")
    render_save(bundle, key)


def render_save(bundle: ResultBundle, key: str) -> None:
    if bundle.saved_history_id is not None:
        st.caption(f"Saved in the history (entry #{bundle.saved_history_id}).")
        return
    if (bundle.result_json.get("best") or {}).get("verdict") == "not_measured":
        st.caption("Not measured, so it cannot be saved to the history.")
        return
    if st.checkbox("Save this result to my history", key=f"{key}_save"):
        with user_errors():
            new_id = save_to_history(bundle)
            st.success(f"Saved (history entry #{new_id}).")
