"""History: saved screens per side, the trend over weeks with the MDC band, CSV export, delete."""

from __future__ import annotations

import streamlit as st

from app_support.settings import sidebar_settings
from app_support.view import user_errors

st.set_page_config(page_title="History - ankle screen", page_icon="📈", layout="wide")
sidebar_settings()
st.title("History and trend")

from screening.history import HistoryStore, resolve_db_path  # noqa: E402

st.caption(f"History file: {resolve_db_path(None)} (set ANKLE_SCREEN_DB to use another file). "
           "Save a result from its result view ('Save this result to my history').")
entries = []
with user_errors():
    if resolve_db_path(None).exists():
        with HistoryStore.open(None) as store:
            entries = store.entries()
if not entries:
    st.info("No saved screens yet.")
    st.stop()

side = st.radio("Side", ["both", "left", "right"], horizontal=True, key="hist_side")
shown = [e for e in entries if side == "both" or e.side == side]
with user_errors():
    from screening.trend import trend_figure

    st.plotly_chart(trend_figure(shown), width="stretch", key="hist_trend")
    st.caption("Judge change over 4-6 weeks; the band is the minimal detectable change around your baseline.")
rows = [e.row() for e in shown]
st.dataframe(rows, hide_index=True, width="stretch")

import csv  # noqa: E402
import io  # noqa: E402

buf = io.StringIO()
if rows:
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
st.download_button("History as CSV", buf.getvalue(), "ankle_screen_history.csv", "text/csv", key="hist_csv")

with st.expander("Delete an entry"):
    ids = [e.id for e in entries]
    pick = st.selectbox("Entry", ids, key="hist_del_id")
    if st.button("Delete", key="hist_del"):
        with user_errors():
            with HistoryStore.open(None) as store:
                store.delete(int(pick))
            st.success(f"Deleted entry #{pick}.")
            st.rerun()
