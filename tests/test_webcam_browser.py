"""End to end: the live page in headless Chromium with a fake webcam fed from a real clip.

Chromium plays a Y4M file as its camera (--use-file-for-fake-video-capture); streamlit-webrtc sends
it to the app over a local WebRTC connection (no ICE servers), the processor analyses every frame and
the page shows the live numbers. The screenshot goes to artifacts/webcam_screenshot.png.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
CLIP = Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "side_squat_pexels_6980032.mp4"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def write_y4m(src: Path, out: Path, first: int = 100, count: int = 120, size: tuple[int, int] = (360, 640)) -> int:
    """A few seconds of ``src`` as a 30 fps yuv420p Y4M (the header and planes written by hand)."""
    import av

    w, h = size
    n = 0
    with av.open(str(src)) as inp, open(out, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        for i, frame in enumerate(inp.decode(video=0)):
            if i < first:
                continue
            if n >= count:
                break
            f = frame.reformat(width=w, height=h, format="yuv420p")
            fh.write(b"FRAME\n")
            for k, (pw, ph) in enumerate(((w, h), (w // 2, h // 2), (w // 2, h // 2))):
                plane = f.planes[k]
                fh.write(np.frombuffer(plane, np.uint8).reshape(ph, plane.line_size)[:, :pw].tobytes())
            n += 1
    return n


@contextlib.contextmanager
def app_in_browser(tmp_path: Path, extra_args: tuple[str, ...] = (), window: str = "1400,1300"):
    """``streamlit run app.py`` on a free local port and a headless Chromium driver; both torn down after.

    Yields (driver, base_url, log_path)."""
    from selenium import webdriver

    port = free_port()
    log_path = tmp_path / "streamlit.log"
    log = open(log_path, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    driver = None
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.25)
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  f"--user-data-dir={tmp_path / 'chrome'}", f"--window-size={window}", *extra_args):
            opts.add_argument(a)
        driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=opts)
        yield driver, f"http://127.0.0.1:{port}", log_path
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.timeout(240)
def test_live_page_with_a_fake_webcam_shows_live_numbers(tmp_path):
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)")
    if not CLIP.exists():
        pytest.skip(f"real clip {CLIP} is missing (CI has ../shared/realdata)")
    from selenium.webdriver.common.by import By

    y4m = tmp_path / "clip.y4m"
    assert write_y4m(CLIP, y4m) == 120
    fake_cam = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={y4m}")
    with app_in_browser(tmp_path, fake_cam) as (driver, base, _log):
        driver.get(f"{base}/Live_webcam")

        def wait_for(fn, timeout_s: float, what: str):
            t0 = time.time()
            while time.time() - t0 < timeout_s:
                v = fn()
                if v:
                    return v
                time.sleep(0.5)
            raise AssertionError(f"timed out waiting for {what}; page text:\n" +
                                 driver.find_element(By.TAG_NAME, "body").text[-2000:])

        frame = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "iframe"), 60, "the webrtc component")[0]
        driver.switch_to.frame(frame)
        start = wait_for(lambda: [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.upper() == "START"],
                         30, "the START button")[0]
        start.click()
        driver.switch_to.default_content()
        pat = re.compile(r"shin angle (-?\d+\.\d) deg")
        wait_for(lambda: pat.search(driver.find_element(By.TAG_NAME, "body").text), 90, "live numbers")
        time.sleep(6)  # let a few attempts of the looping clip go by
        text = driver.find_element(By.TAG_NAME, "body").text
        shin = float(pat.findall(text)[-1])
        assert -30 < shin < 70
        assert "knee past toe" in text and "person found" in text
        assert re.search(r"(left|right) ankle", text)
        fps = float(re.findall(r"(\d+\.\d) fps", text)[-1])
        print(f"live fps in the browser run: {fps:.1f}")
        assert fps >= 8  # >= 15 measured on an idle 2-core machine; Chromium shares those cores here
        out = REPO / "artifacts" / "webcam_screenshot.png"
        out.parent.mkdir(exist_ok=True)
        driver.save_screenshot(str(out))
        assert out.stat().st_size > 10_000


@pytest.mark.timeout(240)
def test_upload_page_in_a_real_browser_shows_snapshot_and_video(tmp_path):
    """AppTest cannot see whether media load: a browser uploads a sample clip and checks that the end-range
    snapshot image and the annotated video are actually served (a starlette/streamlit mismatch once broke
    them with HTTP 500s while every AppTest passed)."""
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)")
    from selenium.webdriver.common.by import By

    sample = REPO / "sample_videos" / "fail_left.mp4"
    with app_in_browser(tmp_path, window="1400,2000") as (driver, base, log_path):
        driver.get(f"{base}/Upload_video")
        t0 = time.time()
        while not driver.find_elements(By.CSS_SELECTOR, 'input[type="file"]') and time.time() - t0 < 60:
            time.sleep(0.5)
        driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(sample))

        def loaded_image_width() -> int:
            widths = [driver.execute_script("return arguments[0].naturalWidth", i)
                      for i in driver.find_elements(By.CSS_SELECTOR, "img[src*='/media/']")]
            return max(widths, default=0)

        t0 = time.time()
        while time.time() - t0 < 150 and loaded_image_width() == 0:
            time.sleep(1)
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "knee past toe" in text.lower(), text[-1500:]
        assert loaded_image_width() > 100, "the end-range snapshot did not load"
        video_state = driver.execute_script(
            "const v = document.querySelector('video'); return v ? [v.readyState, v.duration] : null")
        t0 = time.time()
        while (video_state is None or video_state[0] < 1) and time.time() - t0 < 30:
            time.sleep(1)
            video_state = driver.execute_script(
                "const v = document.querySelector('video'); return v ? [v.readyState, v.duration] : null")
        assert video_state is not None and video_state[0] >= 1 and video_state[1] > 3, video_state
        assert "Exception in ASGI" not in log_path.read_text()
