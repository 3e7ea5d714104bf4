"""Live webcam screen: setup guidance with live checks, live overlay, automatic end-range capture."""

from __future__ import annotations

import time

import streamlit as st

from app_support.bundle import bundle_from_live
from app_support.settings import sidebar_settings
from app_support.view import add_session_result, find_result, render_result, user_errors

st.set_page_config(page_title="Live webcam - ankle screen", page_icon="🎥", layout="wide")
settings = sidebar_settings()
st.title("Live webcam screen")

with st.expander("Before you start", expanded=True):
    st.markdown(
        "- **Barefoot**, half-kneeling, the screened foot in front and flat; back knee and toes on the same "
        "floor (no cushion under the knee).\n"
        "- Camera **side-on**, at about **knee height**, **1.5-3 m** away; the **whole front foot and knee** "
        "in the picture; good light.\n"
        "- A **scale** in the sidebar: foot length, height, or the printed marker on the floor beside the foot. "
        "The numbers on the video are a quick flat (2-D) preview; when you stop, the session's frames are "
        "measured like a recorded clip, in 3-D when the printed marker is found, a camera height is given, or "
        "upright lines such as door frames are in view behind you (with your foot length).\n"
        "- **Hands off the knee.** When every check below is green, drive the knee forward slowly with the "
        "heel down, hold a moment, come back. Do 3 attempts; each attempt's best heel-down end range is "
        "captured by itself. Then press **STOP** and **Show the result**."
    )
    st.caption(f"Settings for this session: {settings.describe()} (change them before START).")

try:
    from streamlit_webrtc import WebRtcMode, webrtc_streamer
except ImportError:  # pragma: no cover - it is a dependency
    st.error("The live webcam needs the package streamlit-webrtc: pip install streamlit-webrtc")
    st.stop()

from vision.live import LiveProcessor, attempt_rows, check_rows, fmt_cm  # noqa: E402  (after the import check)

live_settings = settings.live_settings()


def _factory() -> LiveProcessor:
    # one processor (and so one pose model) per webcam session, created when START is pressed
    return LiveProcessor(live_settings)


col_video, col_info = st.columns([3, 2])
with col_video:
    try:
        ctx = webrtc_streamer(
            key="ankle-live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": []},  # local only: nothing outside this machine is contacted
            media_stream_constraints={"video": {"width": {"ideal": 1280}, "height": {"ideal": 720}}, "audio": False},
            video_processor_factory=_factory,
            async_processing=True,
            video_html_attrs={"style": {"width": "100%", "maxHeight": "620px", "objectFit": "contain"},
                              "autoPlay": True, "controls": False, "muted": True},
        )
    except Exception as exc:  # noqa: BLE001 - e.g. no Streamlit server (scripted runs): explain instead
        st.warning("The live camera needs the app served by `streamlit run app.py` and opened in a browser "
                   f"({type(exc).__name__}). Press START there. Meanwhile, use Upload a phone video or photo.")
        st.stop()

with col_info:
    st.markdown("**Live checks**")
    checks_box = st.empty()
    numbers_box = st.empty()
    attempts_box = st.empty()

if ctx.video_processor is not None:
    st.session_state["live_proc"] = ctx.video_processor


def _show(proc: LiveProcessor) -> None:
    s = proc.latest_status(timeout_s=0.5)
    if s is None:
        return
    with checks_box.container():
        st.markdown("  \n".join(f":{'green' if ok else 'red'}[● {label}]" for label, ok in check_rows(s.checks)))
        if s.hints and not s.ready:
            st.caption(s.hints[0])
    with numbers_box.container():
        heel = "--" if s.heel_down is None else ("heel down" if s.heel_down else "HEEL LIFTED - keep it down")
        fw = f" ({s.fist_widths:.2f} fist-widths)" if s.fist_widths is not None else ""
        shin = "--" if s.shin_angle_deg is None else f"{s.shin_angle_deg:.1f} deg"
        st.markdown(
            f"**{s.side or '?'} ankle**  \nknee past toe **{fmt_cm(s.knee_past_toe_cm)}**{fw}  \n"
            f"shin angle **{shin}**  \n{heel}  \n"
            f"{'in an attempt' if s.in_attempt else 'resting'} - attempts captured: {s.n_attempts}  \n"
            f"{s.fps:.1f} fps (frames analysed per second)"
        )
    if s.attempts:
        with attempts_box.container():
            st.dataframe(attempt_rows(s), hide_index=True)
            if s.measured_how:
                st.caption(f"Captured attempts measured like a recorded clip: {s.measured_how} (a newer attempt "
                           "shows its preview until it is measured, a moment after it ends).")
        if proc.error:
            st.error("The live analysis hit a problem on a frame; it keeps going. " + proc.error[:120])


if ctx.state.playing:
    st.session_state.pop("live_bundle", None)
    while ctx.state.playing:
        proc = ctx.video_processor
        if proc is None:
            checks_box.caption("Starting the camera ...")
            time.sleep(0.2)
            continue
        _show(proc)
else:
    proc = st.session_state.get("live_proc")
    if proc is not None and proc.frames_processed > 0:
        st.caption(f"Last session: {proc.frames_processed} frames at {proc.fps():.1f} fps, "
                   f"{len(proc.attempts())} attempt(s) captured.")
        if st.button("Show the result of the last session", type="primary", key="live_show"):
            with user_errors():
                result = proc.result(source="webcam")
                bundle = bundle_from_live(result, proc.snapshot_images())
                add_session_result(bundle)
                st.session_state["live_bundle"] = bundle.id
    bundle = find_result(st.session_state.get("live_bundle"))
    if bundle is not None:
        render_result(bundle, key=f"live_{bundle.id}")
    elif proc is None:
        st.info("Press START to turn on the camera (the browser asks for permission).")
