"""Privacy: the analysis runs with the network blocked, the model comes from the mediapipe wheel, and the CLI
writes nothing except the files asked for (HOME, TMPDIR and the working folder stay empty)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.badinputs.make import MissingSource, encode, real_frames
from tests.conftest import PEXELS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> Path:
    try:
        frames = real_frames(PEXELS, 140, 170, max_side=480)
    except MissingSource as exc:
        pytest.skip(str(exc))
    return encode(tmp_path_factory.mktemp("privacy") / "clip.mp4", frames)


def _no_network(*_a, **_k):
    raise OSError("network access attempted during analysis")


def test_analysis_runs_offline_with_the_bundled_model(short_clip: Path, monkeypatch) -> None:
    import mediapipe

    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    from vision.pipeline import analyze_clip

    a = analyze_clip(short_clip)
    assert 0 < len(a.records) <= 30 and any(r.pose_found for r in a.records)
    wheel = Path(mediapipe.__file__).parent
    models = list(wheel.glob("modules/pose_landmark/pose_landmark_full.tflite"))
    assert models, "the pose model must ship inside the mediapipe wheel"
    assert list(wheel.glob("modules/pose_detection/pose_detection.tflite"))


def test_cli_writes_only_what_was_asked(short_clip: Path, tmp_path: Path) -> None:
    home, tmp, cwd, out = (tmp_path / n for n in ("home", "tmp", "cwd", "out"))
    for d in (home, tmp, cwd, out):
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ANKLE_SCREEN_DB",)}
    env.update(HOME=str(home), TMPDIR=str(tmp), XDG_CACHE_HOME=str(home / ".cache"), PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "ankle_cli", "analyze", str(short_clip), "-q", "--json", str(out / "r.json")],
        capture_output=True, text=True, timeout=180, cwd=cwd, env=env,
    )
    assert proc.returncode in (0, 2), proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]
    # the one exception: importing mediapipe.solutions imports matplotlib, which keeps a font-list cache
    # (no personal data, no video content) under ~/.cache/matplotlib and makes ~/.config/matplotlib
    allowed = {".cache", ".config", ".cache/matplotlib", ".config/matplotlib"}
    for d in (home, tmp, cwd):
        written = [p for p in d.rglob("*") if str(p.relative_to(d)) not in allowed
                   and not (d == home and p.parent == home / ".cache" / "matplotlib" and p.name.startswith("fontlist"))]
        assert written == [], f"{d.name} got {written}"


_GUARD = '''
import os, socket
_log = os.environ["ANKLE_TEST_NET_LOG"]
open(_log, "a").write(f"guard {os.getpid()}\\n")
def _blocked(*a, **k):
    open(_log, "a").write("network attempt\\n")
    raise OSError("network access attempted")
socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
'''


def test_helper_processes_run_offline_too(short_clip: Path, tmp_path: Path, monkeypatch) -> None:
    """The decoder and silhouette helpers are separate interpreters: block the network in them as well (via
    sitecustomize) and check that both really ran under the block, and none tried to connect."""
    from tests.fakes import FakePose, drives
    from vision.pipeline import analyze_clip

    (tmp_path / "sitecustomize.py").write_text(_GUARD)
    log = tmp_path / "net.log"
    monkeypatch.setenv("ANKLE_TEST_NET_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    a = analyze_clip(short_clip, estimator=FakePose(drives()))
    assert a.records and any(r.legs for r in a.records)
    lines = log.read_text().splitlines()
    helpers = {line for line in lines if line.startswith("guard ")}
    assert len(helpers) >= 2, lines  # the decoder and the silhouette process both started under the guard
    assert "network attempt" not in lines
