"""Upload a phone video or photo: analyse it (progress bar), then the result view. Cached in session_state."""

from __future__ import annotations

import tempfile

import streamlit as st

from app_support.bundle import PHOTO_TYPES, UPLOAD_TYPES, VIDEO_TYPES, analyze_upload, upload_key
from app_support.settings import MAX_DURATION_S, MAX_UPLOAD_MB, sidebar_settings
from app_support.view import add_session_result, find_result, render_result, session_models, user_errors

st.set_page_config(page_title="Upload a video or photo - ankle screen", page_icon="📱", layout="wide")
settings = sidebar_settings()
st.title("Upload a phone video or photo")
st.markdown(
    f"Film the half-kneeling screen side-on (camera at knee height, 1.5-3 m away, whole front foot and "
    f"knee in frame), then upload it here. **Limit: {MAX_UPLOAD_MB} MB and {MAX_DURATION_S / 60:.0f} minutes** "
    f"({', '.join(VIDEO_TYPES)}; any rotation). The video is analysed on this machine and not kept. A photo "
    f"({', '.join(PHOTO_TYPES)}) taken at the end range, heel down, measures that one moment."
)

models = session_models()
models.prepare_helpers()  # the decoder and silhouette processes start while the user picks a file (idle until then)
up = st.file_uploader("Video or photo of the screen", type=list(UPLOAD_TYPES), key="upload_file")
annotate = st.checkbox("Also write the annotated video", value=True, key="upload_annotate",
                       help="Takes about as long again as the analysis. A photo gets its annotated picture either way.")

if up is None:
    st.info("Choose a video or photo to analyse. Set the side, fist width and scale in the sidebar first.")
    models.warm()  # the pose models are built while the user picks a file (once per session), not in the first upload
    st.stop()

data = up.getvalue()
cache: dict[str, str] = st.session_state.setdefault("upload_cache", {})
options = settings.analyze_options()
key = upload_key(up.name, data, (options, annotate))
bundle = find_result(cache.get(key))
if bundle is None:
    workdir = st.session_state.setdefault("workdir", tempfile.mkdtemp(prefix="ankle_screen_"))
    bar = st.progress(0.0, text="Reading the video")
    with user_errors():
        bundle = analyze_upload(
            up.name, data, options, workdir, MAX_UPLOAD_MB,
            progress=lambda text, frac: bar.progress(min(1.0, max(0.0, frac)), text=text),
            annotate=annotate, models=models,
        )
        add_session_result(bundle)
        cache[key] = bundle.id
    bar.empty()

if bundle is not None:
    st.caption(f"Analysed with {settings.describe()}. Change a setting to analyse again.")
    render_result(bundle, key=f"res_{bundle.id}")
