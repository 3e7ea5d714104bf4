"""Does frame striding cost accuracy? ``python -m benchmarks.stride_accuracy [--strides 1 2 3]``.

Runs the accuracy benchmark's rendered knee-drive clips (exact truth, ``benchmarks.accuracy``) and the
real Pexels clip through the real pipeline once per stride and prints, side by side: attempts found,
end-range knee past toe / shin angle error against truth, heel-lift recall and false alarms, and the
frames the pose model ran on. Used by docs/PERFORMANCE.md to show a speed setting keeps accuracy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

import numpy as np

from benchmarks import accuracy

REAL = accuracy.REPO.parent / "shared" / "realdata" / "side_squat_pexels_6980032.mp4"


def _clip_rows(stride: int, margin_deg: float | None = None) -> list[dict]:
    import vision.pipeline as vp

    base = vp.AnalyzeOptions
    # run_clip builds its own AnalyzeOptions; give it this stride without changing anything else
    extra = {} if margin_deg is None else {"dense_margin_deg": margin_deg}
    vp.AnalyzeOptions = lambda **kw: dataclasses.replace(base(**kw), stride_frames=stride, **extra)  # type: ignore[misc]
    try:
        return [accuracy.run_clip(c) for c in accuracy.clip_cases()]
    finally:
        vp.AnalyzeOptions = base  # type: ignore[misc]


def summarize(rows: list[dict]) -> dict[str, object]:
    att = [a for r in rows if "attempts" in r for a in r["attempts"]]
    kpt = [abs(a["kpt"] - a["kpt_true"]) for a in att if math.isfinite(a["kpt"])]
    shin = [abs(a["shin"] - a["shin_true"]) for a in att if math.isfinite(a["shin"])]
    lifts = [a for a in att if accuracy.must_be_caught(a["lift_true_cm"])]
    flat = [a for a in att if a["lift_true_cm"] < accuracy.FLAT_HEEL_CM]
    return {
        "clips with all attempts found": f"{sum(r.get('n_attempts') == r.get('n_attempts_true') for r in rows)}/{len(rows)}",
        "end-range kpt MAE cm": round(float(np.mean(kpt)), 2) if kpt else None,
        "end-range shin MAE deg": round(float(np.mean(shin)), 2) if shin else None,
        "heel-lift recall": f"{sum(bool(a['lifted_detected']) for a in lifts)}/{len(lifts)}",
        "false alarms": f"{sum(bool(a['lifted_detected']) for a in flat)}/{len(flat)}",
        "posed frames": f"{sum(r.get('frames_analysed', 0) for r in rows)}/{sum(r.get('frames', 0) for r in rows)}",
    }


def real_clip(stride: int, margin_deg: float | None = None) -> dict[str, object]:
    from vision.pipeline import AnalyzeOptions, analyze_clip

    if not REAL.exists():
        return {"skipped": f"{REAL} missing"}
    opts = AnalyzeOptions(sex="f", foot_length_cm=24.0, stride_frames=stride)
    if margin_deg is not None:
        opts = dataclasses.replace(opts, dense_margin_deg=margin_deg)
    a = analyze_clip(REAL, opts)
    return {
        "attempts": len(a.result.attempts),
        "end range frames": [m.end_range_frame for m in a.result.attempts],
        "kpt cm": [round(float(m.knee_past_toe_cm), 2) for m in a.result.attempts if m.knee_past_toe_cm is not None],
        "shin deg": [round(float(m.shin_angle_deg), 2) for m in a.result.attempts if m.shin_angle_deg is not None],
        "posed frames": f"{len(a.records)}/{a.info.frame_count_estimate}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strides", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--margin-deg", type=float, help="dense_margin_deg for every stride (default: the pipeline's)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    out = {}
    for s in args.strides:
        out[f"stride {s}"] = {
            "rendered clips": summarize(_clip_rows(s, args.margin_deg)),
            "real clip": real_clip(s, args.margin_deg),
        }
        print(f"stride {s}:", json.dumps(out[f"stride {s}"], indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
