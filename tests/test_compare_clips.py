"""``ankle-screen compare`` on real and generated clips (real model)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PEXELS, PEXELS_ROTATED, need


def run_cli(*args, timeout=400):
    return subprocess.run([sys.executable, "-m", "ankle_cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def test_real_clip_against_its_rotated_twin_is_within_noise(tmp_path):
    """The same performance stored two ways (plain and rotation-tagged re-encode): no real change."""
    img = tmp_path / "side_by_side.png"
    proc = run_cli("compare", need(PEXELS), need(PEXELS_ROTATED), "--sex", "f", "--foot-length-cm", "24", "--json",
                   "--image", img)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["overall"] == "within_noise", d
    assert abs(d["change_cm"]) < 1.0 and abs(d["change_deg"]) < 1.5, d
    assert img.stat().st_size > 20_000


def test_sample_clips_before_after_is_a_real_improvement():
    """Rendered 'before' (restricted, truth 2.7 cm) and 'after' (truth 12.2 cm) of the same body."""
    from pathlib import Path

    samples = Path(__file__).resolve().parents[1] / "sample_videos"
    proc = run_cli("compare", samples / "fail_left.mp4", samples / "pass_left.mp4", "--foot-length-cm", "25.95",
                   "--sex", "m", "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["overall"] == "real_improvement", d
    assert d["verdict_before"] == "fail" and d["verdict_after"] == "pass"
    assert 6.5 < d["change_cm"] < 12.5, d  # truth +9.5 cm
