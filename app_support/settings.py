"""The settings sidebar shared by every page: side, fist width or sex, scale, printable marker."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from calibration.fist import CM_PER_IN, fist_source_words, fist_width
from calibration.lens import MAX_LENS_MM, MIN_LENS_MM, ZOOM_LENS_MM
from screening.errors import AnkleScreenError

MAX_UPLOAD_MB = 200
MAX_DURATION_S = 120.0
MARKER_PRINT_CM = 10.0  # the printable PDF draws the black square this size

# widget key -> default; kept across pages (Streamlit drops the state of widgets a page does not draw)
DEFAULTS: dict[str, object] = {
    "cfg_side": "auto",
    "cfg_fist_mode": "from sex",
    "cfg_sex": "f",
    "cfg_fist_value": 0.0,
    "cfg_fist_unit": "cm",
    "cfg_use_marker": False,
    "cfg_foot_cm": 0.0,
    "cfg_height_cm": 0.0,
    "cfg_camera_height_cm": 0.0,
    "cfg_marker_cm": MARKER_PRINT_CM,
    "cfg_lens": "auto",
    "cfg_lens_mm": ZOOM_LENS_MM["1x"],
}
LENS_CHOICES = ["auto", *ZOOM_LENS_MM, "other"]
LENS_LABELS = {"auto": "the file's own data, else 1x", "0.5x": "0.5x ultra-wide", "1x": "1x main camera / webcam",
               "other": "other (35 mm-equivalent mm)"}


@dataclass(frozen=True)
class Settings:
    side: str
    sex: str | None
    fist_width_cm: float | None
    foot_length_cm: float | None
    height_cm: float | None
    marker_cm: float | None
    camera_height_cm: float | None = None
    lens_35mm_mm: float | None = None  # None: the file's own data, else a phone's 1x camera

    def subject(self) -> dict[str, object]:
        """The subject settings both a clip and the live webcam take, named as AnalyzeOptions and LiveSettings
        name them."""
        return {
            "side": self.side,
            "fist_width_cm": self.fist_width_cm,
            "sex": self.sex,
            "foot_length_cm": self.foot_length_cm,
            "height_cm": self.height_cm,
            "marker_cm": self.marker_cm,
            "lens_35mm_mm": self.lens_35mm_mm,
        }

    def analyze_options(self):
        from vision.pipeline import AnalyzeOptions

        return AnalyzeOptions(**self.subject(), camera_height_cm=self.camera_height_cm,  # type: ignore[arg-type]
                              max_duration_s=MAX_DURATION_S)

    def live_settings(self):
        from vision.live import LiveSettings

        return LiveSettings(**self.subject())  # type: ignore[arg-type]

    def describe(self) -> str:
        fist = fist_width(self.fist_width_cm, self.sex)
        given = [f"marker {self.marker_cm:g} cm" if self.marker_cm else "",
                 f"foot {self.foot_length_cm:g} cm" if self.foot_length_cm else "",
                 f"height {self.height_cm:g} cm" if self.height_cm else "",
                 f"camera {self.camera_height_cm:g} cm up" if self.camera_height_cm else ""]
        scale = " + ".join(g for g in given if g) or "average foot length (assumed)"
        lens = f", lens {self.lens_35mm_mm:g} mm" if self.lens_35mm_mm else ""
        return f"side {self.side}, fist {fist.width_cm:.1f} cm ({fist_source_words(fist.source)}), scale: {scale}{lens}"


def _keep_widget_state() -> None:
    for k, v in DEFAULTS.items():
        st.session_state[k] = st.session_state.get(k, v)


@st.cache_data(show_spinner=False)
def marker_png() -> bytes:
    import cv2

    from vision.aruco import marker_image

    ok, buf = cv2.imencode(".png", marker_image(800))
    return buf.tobytes() if ok else b""


@st.cache_data(show_spinner=False)
def marker_pdf(side_cm: float = MARKER_PRINT_CM) -> bytes:
    """A4 page with the marker's black square exactly ``side_cm`` wide when printed at 100 %."""
    from fpdf import FPDF

    from vision.aruco import marker_image

    img = marker_image(800)  # 800 px black square inside a white border
    total_cm = side_cm * img.shape[0] / 800.0
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 6, "ankle screen - scale marker (ArUco 4x4, id 7). Print at 100 % (no 'fit to page'). "
                         f"The black square should measure {side_cm:g} cm: measure it and enter that size in the app. "
                         "Lay it flat on the floor beside the front foot, a hand's width clear of it (not under the "
                         "toes), fully in the picture.")
    import tempfile
    from pathlib import Path

    import cv2

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "marker.png"
        cv2.imwrite(str(p), img)
        x = (210 - total_cm * 10) / 2
        pdf.image(str(p), x=x, y=40, w=total_cm * 10, h=total_cm * 10)
    return bytes(pdf.output())


def scale_inputs(sb) -> tuple[float | None, float | None, float | None, float | None]:
    """The scale inputs (foot length, height, marker size, camera height; None where not given). All can be given at
    once: the analysis uses the marker when it finds it in the video (measured in 3-D), else the foot length, else the
    height, else an average foot; with the marker, the foot length also checks the toe tip; without it, the camera
    height with the foot length gives a 3-D measurement too (a level phone; see screening.floor3d)."""
    sb.markdown("**Scale** (for centimetres): give what you have")
    sb.number_input("Foot length, heel to longest toe (cm; 0 = not measured)", 0.0, 36.0, step=0.5, key="cfg_foot_cm",
                    help="Measured barefoot with a tape. The most trusted scale after the printed marker. With door "
                         "frames, shelves or a wall's corner in view behind you, it also lets the knee and shin be "
                         "measured in 3-D (the phone's tilt is read from those upright lines).")
    sb.number_input("Your height (cm; 0 = not given)", 0.0, 230.0, step=1.0, key="cfg_height_cm",
                    help="Used only without a foot length or a marker found in the video (less exact).")
    sb.checkbox("A printed marker lies on the floor beside the front foot", key="cfg_use_marker",
                help="The most exact set-up: the knee and shin are then measured in 3-D. Give the foot length too: it "
                     "is the scale if the marker is not found, and it places the toe tip if the floor hides it.")
    marker = None
    if st.session_state["cfg_use_marker"]:
        sb.number_input("Printed marker: black square side (cm)", 2.0, 40.0, step=0.1, key="cfg_marker_cm")
        marker = float(st.session_state["cfg_marker_cm"])
        sb.download_button("Printable marker (PDF, A4)", marker_pdf(), "ankle_screen_marker.pdf",
                           "application/pdf", key="dl_marker_pdf")
        sb.download_button("Marker image (PNG)", marker_png(), "ankle_screen_marker.png", "image/png",
                           key="dl_marker_png")
    sb.number_input("Camera height: floor to the middle of the lens (cm; 0 = not measured)", 0.0, 250.0, step=1.0,
                    key="cfg_camera_height_cm",
                    help="With your foot length and the phone level (not tilted sideways: turn on the level or grid "
                         "in your camera app), the knee and shin are measured in 3-D without a marker. Each degree "
                         "of sideways tilt turns the shin reading by about a degree; with a door frame, shelves or a "
                         "wall's corner in view behind you, the tilt is read from them instead. Not used by the live "
                         "webcam.")
    foot = float(st.session_state["cfg_foot_cm"]) or None
    height = float(st.session_state["cfg_height_cm"]) or None
    camera = float(st.session_state["cfg_camera_height_cm"]) or None
    if camera is not None and foot is None and marker is None:
        sb.caption("The camera height needs your foot length too.")
    if foot is None and height is None and marker is None:
        sb.caption("No scale given: an average foot length will be assumed (centimetres less exact).")
    return foot, height, marker, camera


def lens_setting(sb) -> float | None:
    """The camera's lens (35 mm-equivalent focal length, mm; None: the file's own data, else a phone's 1x camera)."""
    sb.selectbox("Camera lens (for the 3-D measurement)", LENS_CHOICES, key="cfg_lens",
                 format_func=lambda k: LENS_LABELS.get(k, f"{k} ({ZOOM_LENS_MM.get(k, 0):g} mm)"),
                 help="Which of the phone's cameras filmed: the marker, the camera height and upright lines measure "
                      "in 3-D with it. Photos and iPhone videos usually carry it (auto reads it). An ultra-wide "
                      "(0.5x) or zoom lens taken for the main camera reads the knee past toe centimetres off (4 cm "
                      "on rendered 0.5x pictures with the marker, 0.5 cm with the lens given).")
    choice = st.session_state["cfg_lens"]
    if choice == "other":
        sb.number_input("Lens: 35 mm-equivalent focal length (mm)", MIN_LENS_MM, MAX_LENS_MM, step=1.0,
                        key="cfg_lens_mm")
        return float(st.session_state["cfg_lens_mm"])
    return ZOOM_LENS_MM.get(choice)


def sidebar_settings() -> Settings:
    """Draw the settings sidebar and return the current settings."""
    _keep_widget_state()
    sb = st.sidebar
    sb.header("Settings")
    sb.radio("Screened side (front leg)", ["auto", "left", "right"], key="cfg_side", horizontal=True,
             help="auto: the front leg of the half-kneeling stance.")
    sb.radio("Pass mark (fist width)", ["from sex", "measured"], key="cfg_fist_mode", horizontal=True)
    fist_cm: float | None = None
    sex: str | None = st.session_state["cfg_sex"]
    if st.session_state["cfg_fist_mode"] == "from sex":
        sb.radio("Sex", ["f", "m"], key="cfg_sex", horizontal=True,
                 format_func=lambda s: {"f": "female (8.9 cm fist)", "m": "male (10.2 cm fist)"}[s])
        sex = st.session_state["cfg_sex"]
    else:
        c1, c2 = sb.columns([2, 1])
        c1.number_input("Your fist width (across the knuckles)", 0.0, 40.0, step=0.1, key="cfg_fist_value")
        c2.radio("unit", ["cm", "in"], key="cfg_fist_unit")
        v = float(st.session_state["cfg_fist_value"])
        if v > 0:
            fist_cm = v * CM_PER_IN if st.session_state["cfg_fist_unit"] == "in" else v
    foot, height, marker, camera = scale_inputs(sb)
    lens = lens_setting(sb)
    settings = Settings(st.session_state["cfg_side"], sex, fist_cm, foot, height, marker, camera, lens)
    try:
        settings.analyze_options().validate()
        fist_width(fist_cm, sex)
    except AnkleScreenError as exc:
        sb.error(exc.message)
    sb.caption("Everything runs on this machine; no video or number is sent anywhere.")
    return settings
