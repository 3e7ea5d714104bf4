"""ankle screen - Streamlit app home: what the screen is, how to film it, and where to go.

Thin UI: every number comes from the same core (vision/, screening/) the `ankle-screen` CLI uses.
Run: streamlit run app.py
"""

from __future__ import annotations

import streamlit as st

from app_support.settings import sidebar_settings

st.set_page_config(page_title="ankle screen", page_icon="🦶", layout="wide")
settings = sidebar_settings()

st.title("ankle screen")
st.markdown(
    "Measures the **half-kneeling knee-over-toe ankle screen**: barefoot, half-kneeling, front foot flat, "
    "drive the front knee forward over the toes as far as you can **without the heel lifting**. "
    "A fist placed in front of the longest toe is the pass mark. The tool replaces the fist-and-eye "
    "judgement with a number: how far the kneecap travels past the toe (cm and fist-widths), and the "
    "shin angle. Everything runs on this machine; no video or number is sent anywhere."
)

st.subheader("How to film it")
st.markdown(
    "1. **Barefoot**, half-kneeling, the screened foot in front, flat on the floor; the back knee and toes "
    "rest on the same floor (no cushion under the knee: the tool reads the floor's line from the back leg).\n"
    "2. Camera **side-on** to you, at about **knee height**, **1.5-3 m** away; the whole front foot "
    "(heel and toes) and the front knee in the picture. Good light.\n"
    "3. Give a **scale** in the sidebar: your foot length (heel to longest toe, with a tape), your height, "
    "or a printed marker laid flat on the floor beside the foot (a hand's width clear of it, fully in the "
    "picture): with the marker the tool measures in 3-D and is most accurate. No printer? With your foot "
    "length and **upright lines in view behind you** (a door frame, shelves, a wall's corner, wall panels, "
    "spread across the picture), uploaded videos are measured in 3-D too. Without any scale an average foot is "
    "assumed.\n"
    "4. **Hands off the knee.** Drive the knee forward slowly, heel down, hold a moment, come back. "
    "Do 3 attempts. The tool picks the best heel-down end range of each attempt by itself.\n"
    "5. Screen **both sides**, then retest after 4-6 weeks of the plan."
)

st.subheader("Start")
c1, c2 = st.columns(2)
with c1:
    st.page_link("pages/1_Live_webcam.py", label="Live webcam screen", icon="🎥")
    st.caption("Live checks, live overlay and numbers; each attempt's end range is captured automatically.")
    st.page_link("pages/2_Upload_video.py", label="Upload a phone video or photo", icon="📱")
    st.caption("mp4 / mov / webm / m4v, any rotation, up to 200 MB and 2 minutes.")
with c2:
    st.page_link("pages/3_Both_sides_and_compare.py", label="Both sides and compare", icon="⚖️")
    st.caption("Left vs right asymmetry; before/after with the minimal detectable change.")
    st.page_link("pages/4_History.py", label="History and trend", icon="📈")
    st.caption("Your saved screens and the trend per side over weeks.")
    st.page_link("pages/5_Plan.py", label="Plan", icon="📝")
    st.caption("Step 2 (soft tissue or joint?) and your routine with doses and retests.")

st.caption(f"Current settings: {settings.describe()}. Not a diagnosis: with pain, swelling or an injury, "
           "see a clinician.")
