"""ankle screen - Streamlit app (thin: every number comes from the same core the CLI uses)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from screening.errors import AnkleScreenError

MAX_UPLOAD_MB = 200

st.set_page_config(page_title="ankle screen", layout="wide")
st.title("ankle screen")
st.caption("Half-kneeling knee-over-toe ankle screen. Everything runs on this machine.")

sex = st.radio("Sex (sets the default fist width)", ["f", "m"], horizontal=True)
foot = st.number_input("Foot length, heel to longest toe (cm, 0 = unknown)", 0.0, 36.0, 0.0, 0.5)
up = st.file_uploader(f"Side-view video or photo (up to {MAX_UPLOAD_MB} MB)",
                      type=["mp4", "mov", "webm", "m4v", "avi", "mkv", "jpg", "jpeg", "png"])
if up is not None:
    from vision.pipeline import AnalyzeOptions, analyze_clip

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(up.name).name
        path.write_bytes(up.getbuffer())
        bar = st.progress(0.0, text="Analysing")
        try:
            analysis = analyze_clip(
                path,
                AnalyzeOptions(sex=sex, foot_length_cm=foot or None),
                progress=lambda d, n: bar.progress(min(1.0, d / max(n, 1)), text=f"Analysing frame {d}/{n}"),
            )
        except AnkleScreenError as exc:
            st.error(exc.message)
        else:
            best = analysis.result.best
            st.subheader({"pass": "Pass", "fail": "Fail", "not_measured": "Not measured"}[best.verdict])
            st.write(best.reason)
