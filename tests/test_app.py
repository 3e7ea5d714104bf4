"""The Streamlit app through streamlit.testing (AppTest): every page renders; upload -> verdict; errors."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CLIP = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "side_squat_pexels_6980032.mp4"
PAGES = ["app.py", "pages/1_Live_webcam.py", "pages/2_Upload_video.py", "pages/3_Both_sides_and_compare.py",
         "pages/4_History.py", "pages/5_Plan.py"]


def page(name: str, timeout: float = 30) -> AppTest:
    return AppTest.from_file(str(REPO / name), default_timeout=timeout)


def sidebar_captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.sidebar.caption)


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "header", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_without_exception(name):
    at = page(name)
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.radio, "the settings sidebar is drawn"
    assert not at.error


def test_home_page_links_every_page_and_gives_the_filming_guidance():
    at = page("app.py")
    at.run()
    t = texts(at)
    for words in ("side-on", "knee height", "1.5-3 m", "Barefoot", "Hands off the knee"):
        assert words in t


def test_upload_page_states_the_limit_and_marker_download_appears():
    at = page("pages/2_Upload_video.py")
    at.run()
    assert "200 MB" in texts(at) and "2 minutes" in texts(at)
    assert "No scale given" in sidebar_captions(at)
    models = at.session_state["clip_models"]  # built while the user picks a file, so the first upload runs warm
    assert models.pose._pose is not None and models.people._pose is not None
    assert not any("marker" in b.label.lower() for b in at.get("download_button"))
    at.sidebar.checkbox(key="cfg_use_marker").check()
    at.sidebar.number_input(key="cfg_foot_cm").set_value(24.5)
    at.run()
    assert not at.exception
    assert any("marker" in b.label.lower() for b in at.get("download_button"))
    assert "No scale given" not in sidebar_captions(at)


def test_camera_height_asks_for_the_foot_length_too():
    at = page("pages/2_Upload_video.py")
    at.run()
    at.sidebar.number_input(key="cfg_camera_height_cm").set_value(55.0)
    at.run()
    assert not at.exception
    assert "needs your foot length too" in sidebar_captions(at)
    at.sidebar.number_input(key="cfg_foot_cm").set_value(25.0)
    at.run()
    assert "needs your foot length too" not in sidebar_captions(at)


def test_the_lens_setting_reaches_the_clip_and_the_webcam():
    """The lens the user picks (a phone's zoom, or a 35 mm-equivalent focal length) reaches both analyses; auto
    leaves it to the file's own data."""
    from app_support.settings import Settings
    from calibration.lens import Lens

    at = page("pages/2_Upload_video.py")
    at.run()
    assert at.sidebar.selectbox(key="cfg_lens").value == "auto"
    assert not [n for n in at.sidebar.number_input if n.key == "cfg_lens_mm"]
    at.sidebar.selectbox(key="cfg_lens").set_value("other")
    at.run()
    at.sidebar.number_input(key="cfg_lens_mm").set_value(18.0)
    at.run()
    assert not at.exception and not at.sidebar.error
    s = Settings("auto", "m", None, 24.5, None, 10.0, None, 13.0)
    assert s.analyze_options().scale_inputs().lens == Lens(13.0)
    assert s.live_settings().scale_inputs().lens == Lens(13.0)
    assert "lens 13 mm" in s.describe()
    assert Settings("auto", "m", None, 24.5, None, 10.0).analyze_options().scale_inputs().lens is None


def test_marker_and_foot_length_are_given_together():
    """The recommended set-up: marker and foot length both reach the analysis (the marker when found, else the foot
    length; with both, the tape places a toe tip the floor hides)."""
    from app_support.settings import Settings

    s = Settings("auto", "m", None, 24.5, None, 10.0)
    opts = s.analyze_options()
    assert opts.marker_cm == pytest.approx(10.0) and opts.foot_length_cm == pytest.approx(24.5)
    assert opts.scale_inputs().marker_cm == pytest.approx(10.0)
    assert opts.scale_inputs().foot_length_cm == pytest.approx(24.5)
    assert "marker 10 cm + foot 24.5 cm" in s.describe()
    assert "average foot length (assumed)" in Settings("auto", "m", None, None, None, None).describe()


@pytest.fixture(scope="module")
def analysed():
    """The upload page with the real clip analysed through to a verdict (once for the module)."""
    if not CLIP.exists():
        pytest.skip(f"real clip {CLIP} is missing (CI has ../shared/realdata)")
    at = page("pages/2_Upload_video.py", timeout=150)
    at.session_state["cfg_foot_cm"] = 24.0
    at.run()
    at.file_uploader(key="upload_file").set_value((CLIP.name, CLIP.read_bytes(), "video/mp4"))
    at.run()
    return at


def test_upload_real_clip_gives_a_verdict_numbers_and_downloads(analysed):
    at = analysed
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    verdict = [str(e.value) for e in (*at.success, *at.warning)]
    assert any("Pass" in v or "Not yet" in v for v in verdict), verdict
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Knee past toe"].endswith(" cm") or " cm ± " in metrics["Knee past toe"]
    assert "±" in metrics["Knee past toe"]
    assert "°" in metrics["Shin angle"]
    assert "your foot length" in texts(at)
    labels = [b.label for b in at.get("download_button")]
    assert {"JSON", "CSV (per frame)", "Annotated video (mp4)"} <= set(labels)
    assert at.get("plotly_chart") and at.get("imgs") is not None
    assert at.dataframe, "the per-attempt table"
    results = at.session_state["results"]
    assert len(results) == 1 and results[0].video_mp4 and results[0].snapshot_png


def test_rerun_uses_the_cached_analysis_and_saves_to_history(analysed, tmp_path, monkeypatch):
    import time

    db = tmp_path / "h.sqlite3"
    monkeypatch.setenv("ANKLE_SCREEN_DB", str(db))
    at = analysed
    t0 = time.perf_counter()
    at.run()
    assert time.perf_counter() - t0 < 10, "a rerun must not analyse again"
    assert len(at.session_state["results"]) == 1
    save = [c for c in at.checkbox if "history" in c.label]
    save[0].check()
    at.run()
    assert not at.exception
    assert any("Saved" in str(s.value) for s in at.success)
    from screening.history import HistoryStore

    with HistoryStore.open(db) as store:
        assert len(store.entries()) == 1


def test_pdf_report_button_builds_the_report(analysed):
    at = analysed
    btn = [b for b in at.button if b.label == "Make PDF report"]
    btn[0].click()
    at.run()
    assert not at.exception
    assert any(b.label == "PDF report" for b in at.get("download_button"))
    assert at.session_state["results"][0].pdf[:4] == b"%PDF"


def test_invalid_upload_shows_a_clear_error():
    at = page("pages/2_Upload_video.py")
    at.run()
    at.file_uploader(key="upload_file").set_value(("clip.mp4", b"this is text, not a video\n" * 20, "video/mp4"))
    at.run()
    assert not at.exception
    errs = [e.value for e in at.error]
    assert len(errs) == 1 and "clip.mp4" in errs[0] and "not a readable video" in errs[0]
    assert "Traceback" not in texts(at)


def test_upload_a_photo_gives_its_verdict_and_the_annotated_photo(tmp_path):
    """A photo taken at the end range (a frame of a bundled sample, saved as jpg): measured as one moment, with the
    annotated photo as its snapshot and no video."""
    import io
    import json

    from PIL import Image

    from vision.video import read_frames_at

    clip = REPO / "sample_videos" / "fail_left.mp4"
    truth = json.loads(clip.with_suffix(".json").read_text())
    end = truth["attempts"][1]["end_range_frame"]
    buf = io.BytesIO()
    Image.fromarray(read_frames_at(clip, {end})[end]).save(buf, format="JPEG", quality=95)
    at = page("pages/2_Upload_video.py", timeout=120)
    at.session_state["cfg_foot_cm"] = round(truth["foot_length_cm"], 1)
    at.run()
    at.file_uploader(key="upload_file").set_value(("end_range.jpg", buf.getvalue(), "image/jpeg"))
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    kpt = float(metrics["Knee past toe"].split()[0])
    assert kpt == pytest.approx(truth["attempts"][1]["end_range_knee_past_toe_cm"], abs=1.5)
    assert any("Not yet" in str(v.value) for v in (*at.success, *at.warning))  # the sample fails
    (res,) = at.session_state["results"]
    assert res.video_mp4 is None and res.snapshot_png is not None
    snap = Image.open(io.BytesIO(res.snapshot_png))
    assert snap.size == (640, 360)  # the photo itself, annotated
    captions = " ".join(str(getattr(i, "proto", i)) for i in at.get("image"))
    assert "The photo, annotated" in captions and "End range (heel down)" not in captions, captions
    assert not at.get("plotly_chart")  # one moment: no knee travel over time


def test_too_big_or_wrong_type_upload_is_refused_with_the_limit():
    from app_support.bundle import check_upload
    from screening.errors import AnkleScreenError

    with pytest.raises(AnkleScreenError, match="limit is 200 MB"):
        check_upload("big.mp4", 201 * 1024 * 1024, 200)
    with pytest.raises(AnkleScreenError, match="not a video or photo"):
        check_upload("notes.txt", 10, 200)
    check_upload("end_range.JPG", 10, 200)  # a photo is taken


def test_compare_and_plan_pages_use_session_results(analysed):
    """Carry the analysed session into the other pages: both sides, before/after and the plan."""
    import copy

    bundle = analysed.session_state["results"][0]
    other = copy.deepcopy(bundle)
    other.id, other.label = "second", "retest.mp4"
    other.saved_history_id = None
    side = bundle.side
    flip = "left" if side == "right" else "right"
    other.result_json = {**other.result_json, "side": flip}

    at = page("pages/3_Both_sides_and_compare.py")
    at.session_state["results"] = [bundle, other]
    at.session_state["by_side"] = {side: bundle.id, flip: other.id}
    at.run()
    assert not at.exception, at.exception
    t = texts(at)
    assert "Asymmetry" in t
    assert any("MDC" in m.label for m in at.metric)
    assert "within noise" in t.lower() or "Within noise" in t  # identical numbers: no real change

    at = page("pages/5_Plan.py")
    at.session_state["results"] = [bundle, other]
    at.session_state["by_side"] = {side: bundle.id, flip: other.id}
    at.run()
    assert not at.exception, at.exception
    at.radio(key="plan_feel_straight_knee").set_value("back")
    at.radio(key="plan_feel_bent_knee").set_value("back")
    at.run()
    assert not at.exception, at.exception
    t = texts(at)
    assert "soft-tissue" in t.lower()
    assert "Mode:" in t
    assert any(b.label == "Plan as text" for b in at.get("download_button"))


def test_history_page_shows_saved_entries_and_the_trend(tmp_path, monkeypatch):
    import datetime as dt

    from screening.history import HistoryStore

    if not CLIP.exists():
        pytest.skip("needs a real result")
    from tests.conftest import cached_analysis

    res = cached_analysis(CLIP, sex="f", foot_length_cm=24.0).result.to_json_dict()
    db = tmp_path / "hist.sqlite3"
    monkeypatch.setenv("ANKLE_SCREEN_DB", str(db))
    with HistoryStore.open(db) as store:
        for weeks in (0, 2, 5):
            store.add(res, timestamp=dt.datetime(2025, 1, 1) + dt.timedelta(weeks=weeks))
    at = page("pages/4_History.py")
    at.run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart")
    assert at.dataframe
    assert str(db) in texts(at)


def test_live_page_without_a_camera_explains_how_to_start():
    at = page("pages/1_Live_webcam.py")
    at.run()
    assert not at.exception
    t = texts(at)
    assert "START" in t and "side-on" in t and "Hands off the knee" in t
