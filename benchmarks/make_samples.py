"""Regenerate ``sample_videos/``: small rendered clips with exact ground truth (``benchmarks.synth``).

    python -m benchmarks.make_samples [--out sample_videos] [--check]

Each clip is 640x360 (or 360x640 portrait with a rotation tag), 30 fps, H.264 crf 28, a few seconds,
and gets a compact ``<name>.json`` with its truth (per-attempt end range, heel lift, foot length,
height, camera). ``--check`` runs ``ankle-screen analyze`` on each and prints what it reports next
to the truth (the table in ``sample_videos/README.md``).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from calibration.lens import ZOOM_LENS_MM, fov_long_side_deg_from_35mm

REPO = Path(__file__).resolve().parents[1]

# the same person (body, clothes, skin, room) in every clip, so they can be compared
PERSON = dict(body_height_cm=178.0, skin_tone=2, clothing_seed=4, background="room", seed=77)
SAMPLES: dict[str, dict] = {
    "fail_left": dict(
        what="restricted left ankle: the knee stops well short of the fist (fail)",
        params=dict(front_side="left", camera_distance_m=2.3, camera_height_m=0.6),
        clip=dict(attempts=2, peak_shin_angles_deg=(28.0, 29.0)),
    ),
    "pass_left": dict(
        what="the same left ankle after 'improvement': the knee passes the fist (pass); compare with fail_left",
        params=dict(front_side="left", camera_distance_m=2.3, camera_height_m=0.6),
        clip=dict(attempts=2, peak_shin_angles_deg=(46.0, 47.0)),
    ),
    "right_side": dict(
        what="the same person's right side (mirror set-up), for both-sides asymmetry",
        params=dict(front_side="right", camera_distance_m=2.3, camera_height_m=0.6, yaw_deg=5.0),
        clip=dict(attempts=2, peak_shin_angles_deg=(36.0, 38.0)),
    ),
    "heel_lift": dict(
        what="three attempts, the heel lifts 2.5 cm in the middle one (flagged; its heel-down maximum is used)",
        params=dict(front_side="right", camera_distance_m=2.5, camera_height_m=0.7, background="studio"),
        clip=dict(attempts=3, peak_shin_angles_deg=(34.0, 46.0, 38.0), heel_lift_attempt=1, heel_lift_cm=2.5),
    ),
    "upright_lines": dict(
        what="the phone tilted 3 deg sideways in a room with shelves behind: upright lines give the 3-D measurement "
             "from the foot length alone",
        params=dict(front_side="left", camera_distance_m=2.3, camera_height_m=0.6, roll_deg=3.0, background="clutter"),
        clip=dict(attempts=2, peak_shin_angles_deg=(36.0, 39.0)),
    ),
    "marker": dict(
        what="the printed 10 cm marker on the floor beside the front foot, the camera turned 8 deg off "
             "side-on: the marker's corners give the 3-D measurement (clip or live webcam)",
        params=dict(front_side="right", camera_distance_m=2.4, camera_height_m=0.8, yaw_deg=8.0, roll_deg=-2.0,
                    marker_cm=10.0, width_px=960, height_px=540),
        clip=dict(attempts=2, peak_shin_angles_deg=(41.0, 37.0)),
        cli=["--marker-cm", "10"],
    ),
    "ultrawide_marker": dict(
        what="filmed close with a phone's 0.5x ultra-wide (13 mm equivalent, named in the video's iPhone-style "
             "metadata), the 10 cm marker beside the foot: the lens is read from the file for the 3-D measurement",
        params=dict(front_side="left", camera_distance_m=1.4, camera_height_m=0.6, yaw_deg=5.0, marker_cm=10.0,
                    width_px=1280, height_px=720, focal_px=640.0 / math.tan(math.radians(
                        fov_long_side_deg_from_35mm(ZOOM_LENS_MM["0.5x"])) / 2.0)),
        clip=dict(attempts=2, peak_shin_angles_deg=(38.0, 44.0)),
        cli=["--marker-cm", "10"],
        lens_tag_mm=ZOOM_LENS_MM["0.5x"],
    ),
    "portrait_phone": dict(
        what="portrait phone clip stored sideways with a -90 rotation tag (display 360x640)",
        params=dict(front_side="left", camera_distance_m=1.8, camera_height_m=0.9, roll_deg=2.0,
                    width_px=360, height_px=640),
        clip=dict(attempts=2, peak_shin_angles_deg=(33.0, 37.0), rotate_tag=True),
    ),
}
CLIP_DEFAULTS = dict(fps=30.0, low_shin_angle_deg=12.0, attempt_s=1.6, rest_s=0.5, crf=28)


def compact_truth(full: dict, name: str, what: str) -> dict:
    frames = full["frames"]
    return {
        "clip": f"{name}.mp4",
        "what": what,
        "side": full["side"],
        "foot_length_cm": round(full["foot_length_cm"], 2),
        "body_height_cm": full["body_height_cm"],
        "fist_width_cm_default_m": 10.16,
        "best_attempt": full["best_attempt"],
        "best_knee_past_toe_cm": round(full["attempts"][full["best_attempt"]]["end_range_knee_past_toe_cm"], 2),
        "best_shin_angle_deg": round(full["attempts"][full["best_attempt"]]["end_range_shin_angle_deg"], 2),
        "attempts": [
            {
                k: (round(v, 3) if isinstance(v, float) else v)
                for k, v in a.items()
                if k not in ("max_any_frame",)
            }
            for a in full["attempts"]
        ],
        "video": full["video"],
        "params": full["params"],
        "camera": full["camera"],
        "per_frame": {
            "time_s": [round(f["time_s"], 4) for f in frames],
            "knee_past_toe_cm": [round(f["knee_past_toe_cm"], 3) for f in frames],
            "shin_angle_deg": [round(f["shin_angle_deg"], 3) for f in frames],
            "heel_height_cm": [round(f["heel_height_cm"], 3) for f in frames],
        },
        "conventions": full["conventions"],
        "made_by": "python -m benchmarks.make_samples (benchmarks.synth.render_clip)",
    }


def tag_lens(path: Path, focal_35mm_mm: float) -> None:
    """Write the lens into the clip's metadata as an iPhone does (QuickTime key, 35 mm-equivalent focal length):
    the packets are copied into a new file, not re-encoded."""
    import av

    from vision.video import VIDEO_FOCAL_35MM_KEY

    tagged = path.with_suffix(".tagged.mp4")
    with av.open(str(path)) as src, av.open(str(tagged), "w", options={"movflags": "use_metadata_tags"}) as dst:
        dst.metadata[VIDEO_FOCAL_35MM_KEY] = f"{focal_35mm_mm:g}"
        s_in = src.streams.video[0]
        s_out = dst.add_stream_from_template(s_in)
        for packet in src.demux(s_in):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = s_out
            dst.mux(packet)
    tagged.replace(path)


def make(out: Path, only: list[str] | None = None) -> None:
    from benchmarks.synth import RenderParams, render_clip

    out.mkdir(parents=True, exist_ok=True)
    for name, spec in SAMPLES.items():
        if only and name not in only:
            continue
        params = RenderParams(**{"width_px": 640, "height_px": 360, **PERSON, **spec["params"]})
        with tempfile.TemporaryDirectory() as tmp:
            full = render_clip(params, Path(tmp) / f"{name}.mp4", **{**CLIP_DEFAULTS, **spec["clip"]})
            if spec.get("lens_tag_mm"):
                tag_lens(Path(tmp) / f"{name}.mp4", spec["lens_tag_mm"])
            (Path(tmp) / f"{name}.mp4").replace(out / f"{name}.mp4")
        (out / f"{name}.json").write_text(json.dumps(compact_truth(full, name, spec["what"]), indent=1))
        print(f"{name}: {(out / f'{name}.mp4').stat().st_size / 1e3:.0f} kB", file=sys.stderr)


def check(out: Path, only: list[str] | None = None) -> list[dict]:
    rows = []
    for name in SAMPLES:
        if only and name not in only:
            continue
        truth = json.loads((out / f"{name}.json").read_text())
        with tempfile.TemporaryDirectory() as tmp:
            js = Path(tmp) / "r.json"
            cmd = ["ankle-screen", "analyze", str(out / f"{name}.mp4"), "--foot-length-cm",
                   f"{truth['foot_length_cm']:.1f}", "--sex", "m", "--json", str(js), "-q",
                   *SAMPLES[name].get("cli", [])]
            p = subprocess.run(cmd, capture_output=True, text=True)
            res = json.loads(js.read_text()) if js.exists() else {}
        best = res.get("best", {})
        rows.append({
            "name": name,
            "exit": p.returncode,
            "side": (res.get("side"), truth["side"]),
            "kpt": (best.get("knee_past_toe_cm"), truth["best_knee_past_toe_cm"]),
            "shin": (best.get("shin_angle_deg"), truth["best_shin_angle_deg"]),
            "verdict": (best.get("verdict"), "pass" if truth["best_knee_past_toe_cm"] >= 10.16 else "fail"),
            "heel_down": ([a.get("heel_down") for a in res.get("attempts", [])],
                          [not a["heel_lifted"] for a in truth["attempts"]]),
            "attempts_kpt": [a.get("knee_past_toe_cm") for a in res.get("attempts", [])],
            "attempts_kpt_true": [a["end_range_knee_past_toe_cm"] for a in truth["attempts"]],
            "scale": res.get("scale"),
            "stdout": p.stdout,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "sample_videos")
    ap.add_argument("--check", action="store_true", help="only run the CLI on the existing clips")
    ap.add_argument("--only", action="append", help="regenerate only this sample (repeatable)")
    ns = ap.parse_args(argv)
    if not ns.check:
        make(ns.out, ns.only)
    for r in check(ns.out, ns.only):
        print(json.dumps({k: v for k, v in r.items() if k != "stdout"}))
        print(r["stdout"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
