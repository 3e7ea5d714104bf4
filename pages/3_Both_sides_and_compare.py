"""Both sides and compare: left/right asymmetry, and before/after of any two results."""

from __future__ import annotations

import streamlit as st

from app_support.bundle import bundle_from_history, png_bytes
from app_support.settings import sidebar_settings
from app_support.view import latest_by_side, render_save, session_results, user_errors

st.set_page_config(page_title="Both sides and compare - ankle screen", page_icon="⚖️", layout="wide")
sidebar_settings()
st.title("Both sides and compare")


def _cm(v) -> str:
    return "not measured" if not isinstance(v, (int, float)) else f"{v:+.1f} cm"


# ------------------------------------------------------------------ both sides
st.header("Left and right")
st.markdown("Screen each side on the **Live webcam** or **Upload a phone video or photo** page (set the side in the "
            "sidebar or leave it on auto). The latest result of each side in this session is used here.")
sides = latest_by_side()
c1, c2 = st.columns(2)
for col, side in ((c1, "left"), (c2, "right")):
    with col:
        st.subheader(f"{side.capitalize()} ankle")
        b = sides.get(side)
        if b is None:
            st.info(f"No {side} result in this session yet.")
            continue
        best = b.best
        st.metric("Knee past toe", _cm(best.get("knee_past_toe_cm")),
                  help=f"{best.get('verdict', '')}: {best.get('reason', '')}")
        st.caption(f"{b.label}; verdict: {best.get('verdict', '').replace('_', ' ')}")
        if b.snapshot_png:
            st.image(b.snapshot_png, width=320)
        render_save(b, key=f"side_{side}_{b.id}")

if len(sides) == 2:
    from screening.compare import asymmetry

    with user_errors():
        asym = asymmetry(sides["left"].result_json, sides["right"].result_json)
        (st.warning if asym.flagged else st.success)(
            f"**Asymmetry: {'flagged' if asym.flagged else 'not flagged'}** - {asym.reason}"
        )
        st.session_state["asymmetry"] = asym

# ------------------------------------------------------------------ before / after
st.header("Before and after")
st.markdown("Pick two results - from this session or your saved history - to see the change in knee travel "
            "and shin angle, judged against the minimal detectable change (MDC).")
choices = {f"session: {b.title()}": b for b in session_results()}
with user_errors():
    from screening.history import HistoryStore, resolve_db_path

    if resolve_db_path(None).exists():
        with HistoryStore.open(None) as store:
            for e in store.entries():
                hb = bundle_from_history(e)
                choices[f"history: {hb.title()}"] = hb
if len(choices) < 2:
    st.info("Two results are needed: analyse another clip, or save results to the history.")
    st.stop()
labels = list(choices)
cb, ca = st.columns(2)
before_label = cb.selectbox("Before", labels, index=0, key="cmp_before")
after_label = ca.selectbox("After", labels, index=len(labels) - 1, key="cmp_after")
before, after = choices[before_label], choices[after_label]
if before_label == after_label:
    st.info("Pick two different results.")
    st.stop()
with user_errors():
    from screening.compare import compare_results

    cmp = compare_results(before.result_json, after.result_json)
    verdict = cmp.overall
    box = {"real_improvement": st.success, "real_decline": st.error, "within_noise": st.info}.get(verdict, st.warning)
    box(f"**{verdict.replace('_', ' ').capitalize()}** - {cmp.summary}")
    m1, m2, m3 = st.columns(3)
    m1.metric("Knee past toe", _cm(cmp.after_cm), None if cmp.change_cm is None else f"{cmp.change_cm:+.1f} cm")
    m2.metric("Shin angle", "not measured" if cmp.after_deg is None else f"{cmp.after_deg:.1f} deg",
              None if cmp.change_deg is None else f"{cmp.change_deg:+.1f} deg")
    m3.metric("MDC (95 %)", f"{cmp.mdc.cm:.1f} cm / {cmp.mdc.deg:.1f} deg")
    st.caption(cmp.mdc.explanation)
    for w in cmp.warnings:
        st.info(w)
    a_img, b_img = before.snapshot_rgb(), after.snapshot_rgb()
    if a_img is not None and b_img is not None:
        from screening.compare import side_by_side

        st.image(png_bytes(side_by_side(a_img, b_img)), caption="End range: before (left) and after (right)")
    else:
        st.caption("Side-by-side snapshots need two results analysed in this session (the history keeps numbers, "
                   "not pictures).")
