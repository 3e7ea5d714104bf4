"""Heel up throughout: how often a flat heel is refused, and how often a heel held up is caught.

Runs the real pipeline (``vision.pipeline.analyze_clip``, MediaPipe) on rendered MakeHuman bodies with exact
truth (``benchmarks.synth``) and reads the view check ``heel_on_floor`` and its reading
(``result.view["heel_floor"]``, screening/heel_floor.py):

* the accuracy-sweep stills (``benchmarks.accuracy.still_cases``, flat heel, marker beside the foot), and the
  same views at 1280x720 without the marker;
* stills of the first 30 sweep views with yaw <= 15 deg and the heel held up 1, 2 and 3 cm;
* knee-drive clips (shin 12 deg -> peak -> 12 deg, 14 frames, 960x540) from a seeded sweep of views (camera
  1.5-3.5 m, 0.3-1.2 m high, yaw 0-15 deg, roll +-5 deg, both sides) and the bad-input view (tests/badinputs),
  each with the heel flat and held up 1, 2 and 3 cm for the whole clip;
* the accuracy clips (``benchmarks.accuracy.clip_cases``: heel flat, one attempt lifted mid-way).

    python -m benchmarks.heel_up [--quick] [--out results.json]

Renders of stills are cached with the accuracy benchmark's (``$ANKLE_ACCURACY_CACHE``); clips are rendered
afresh into a temporary folder (about 5 s each on 2 cores). Full run: about 10 minutes.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import accuracy as acc

BACKGROUNDS: tuple[str | int, ...] = ("plain", "gradient", "room", "studio", "clutter", 11, 23, 37)
LIFTS_CM = (0.0, 1.0, 2.0, 3.0)


def clip_views(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Seeded camera/body views for the clips (RenderParams fields plus ``peak`` shin angle)."""
    rng = np.random.default_rng(seed)
    views = []
    for _ in range(n):
        v: dict[str, Any] = dict(
            body_height_cm=round(float(rng.uniform(150, 195)), 1),
            front_side=str(rng.choice(["left", "right"])),
            camera_distance_m=float(rng.choice([1.5, 2.0, 2.5, 3.0, 3.5])),
            camera_height_m=float(rng.choice([0.3, 0.6, 0.9, 1.2])),
            yaw_deg=float(rng.choice([0.0, 5.0, 10.0, 15.0])),
            roll_deg=round(float(rng.uniform(-5, 5)), 2),
            background=BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))],
            skin_tone=int(rng.integers(6)),
            clothing_seed=int(rng.integers(1000)),
            width_px=960,
            height_px=540,
        )
        v["peak"] = round(float(rng.uniform(30, 48)), 1)
        views.append(v)
    return views


BAD_INPUT_VIEW: dict[str, Any] = dict(camera_distance_m=2.5, background="room", width_px=640, height_px=480, peak=40.0,
                                      front_side="left", camera_height_m=0.6, yaw_deg=0.0, roll_deg=0.0)


def _encode(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    import av

    with av.open(str(path), mode="w") as c:
        s = c.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        s.pix_fmt = "yuv420p"
        s.options = {"preset": "veryfast", "crf": "20"}
        s.codec_context.gop_size = 15
        h, w = frames[0].shape[:2]
        s.height, s.width = h - h % 2, w - w % 2
        for img in frames:
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[: s.height, : s.width]), format="rgb24")
            for pkt in s.encode(vf):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def _reading(media: Path) -> dict[str, Any]:
    """Run the pipeline; the heel reading, whether the heel check refused, and any error."""
    from screening.errors import AnkleScreenError
    from vision.pipeline import AnalyzeOptions, analyze_clip

    try:
        res = analyze_clip(media, AnalyzeOptions(sex="m", people_check_frames=0)).result
    except AnkleScreenError as exc:
        return {"error": exc.message, "height_fl": None, "refused": False}
    heel = res.view.get("heel_floor") or {}
    return {
        "error": None,
        "height_fl": heel.get("heel_height_foot_lengths"),
        "frames_used": heel.get("frames_used"),
        "refused": not res.view.get("checks", {}).get("heel_on_floor", True),
    }


def run_stills(n_views: int, lifted_views: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
    rows = []
    stills = acc.still_cases(140)[:n_views]
    lifted = [c for c in acc.still_cases(140) if c.params["yaw_deg"] <= 15][:lifted_views]
    cases: list[tuple[str, float, acc.Case]] = [("accuracy stills (marker)", 0.0, c) for c in stills]
    for c in stills:
        p = dict(c.params, width_px=1280, height_px=720, marker_cm=None)
        cases.append(("stills 1280x720, no marker", 0.0, acc.Case(f"flatnm_{c.name}", "still", p)))
    for lift in LIFTS_CM[1:]:
        for c in lifted:
            p = dict(c.params, heel_lift_cm=lift, width_px=1280, height_px=720, marker_cm=None)
            cases.append(("stills 1280x720, no marker", lift, acc.Case(f"lift{lift:g}_{c.name}", "still", p)))
    for group, lift, case in cases:
        media, _ = acc.render_case(case)
        r = _reading(media)
        rows.append({"group": group, "lift_cm": lift, "name": case.name, "yaw_deg": case.params["yaw_deg"], **r})
        log(f"{case.name}: {r['height_fl']} refused={r['refused']} {r['error'] or ''}")
    return rows


def run_clips(n_views: int, n_frames: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
    from benchmarks.synth import RenderParams, render_still

    rows = []
    views = [*clip_views(n_views), BAD_INPUT_VIEW]
    with tempfile.TemporaryDirectory() as tmp:
        for vi, view in enumerate(views):
            params = dict(view)
            peak = float(params.pop("peak"))
            nf = 20 if view is BAD_INPUT_VIEW else n_frames
            for lift in LIFTS_CM:
                frames = []
                for i in range(nf):
                    shin = 12.0 + (peak - 12.0) * math.sin(math.pi * i / (nf - 1))
                    img, _ = render_still(RenderParams(shin_angle_deg=shin, heel_lift_cm=lift, seed=i, **params))
                    frames.append(img)
                r = _reading(_encode(Path(tmp) / "clip.mp4", frames))
                name = f"{'bad_input_view' if view is BAD_INPUT_VIEW else f'view{vi:02d}'}_lift{lift:g}"
                rows.append({"group": "knee-drive clips (heel flat, or up the whole clip)", "lift_cm": lift, "name": name,
                             "yaw_deg": view["yaw_deg"], **r})
                log(f"{name}: {r['height_fl']} refused={r['refused']} {r['error'] or ''}")
    for case in acc.clip_cases():
        media, _ = acc.render_case(case)
        r = _reading(media)
        rows.append({"group": "accuracy clips (flat, one attempt lifted mid-way)", "lift_cm": 0.0, "name": case.name,
                     "yaw_deg": case.params["yaw_deg"], **r})
        log(f"{case.name}: {r['height_fl']} refused={r['refused']}")
    return rows


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    keys = sorted({(r["group"], r["lift_cm"]) for r in rows}, key=lambda k: (k[0], k[1]))
    for group, lift in keys:
        g = [r for r in rows if r["group"] == group and r["lift_cm"] == lift]
        hs = [r["height_fl"] for r in g if r["height_fl"] is not None]
        out.append({
            "group": group, "lift_cm": lift, "n": len(g), "refused": sum(r["refused"] for r in g),
            "no_reading": sum(r["height_fl"] is None for r in g),
            "max_reading": max(hs) if hs else None, "median_reading": float(np.median(hs)) if hs else None,
            "refused_names": [r["name"] for r in g if r["refused"]] if lift == 0 else [],
        })
    return out


def markdown(summary: list[dict[str, Any]]) -> str:
    lines = ["| input (rendered) | heel up (cm) | n | refused as heel up | no reading | median / max reading (foot lengths) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for s in summary:
        pct = 100.0 * s["refused"] / max(s["n"], 1)
        med = "-" if s["median_reading"] is None else f"{s['median_reading']:.3f} / {s['max_reading']:.3f}"
        lines.append(f"| {s['group']} | {s['lift_cm']:g} | {s['n']} | {s['refused']} ({pct:.0f} %) | "
                     f"{s['no_reading']} | {med} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="40 stills, 10 lifted views, 6 clip views")
    ap.add_argument("--out", type=Path, help="write rows and summary as JSON")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    log = print if a.verbose else (lambda _m: None)
    t0 = time.perf_counter()
    rows = run_stills(40 if a.quick else 140, 10 if a.quick else 30, log)
    rows += run_clips(6 if a.quick else 20, 14, log)
    summary = summarize(rows)
    print(markdown(summary))
    print(f"\n{time.perf_counter() - t0:.0f} s")
    if a.out:
        a.out.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
