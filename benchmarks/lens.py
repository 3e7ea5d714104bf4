"""The lens: what measuring in 3-D with the assumed phone main camera costs when another lens filmed, and what
giving the lens (``--lens``, the app's setting, or the file's own data) wins back.

Stills rendered through a 0.5x ultra-wide (13 mm, 35 mm equivalent), a 1x main camera (26 mm) and a 2x telephoto
(52 mm), each at the distances such a lens is used from, the camera level (roll 0, as the camera-height measurement
asks), the printed marker beside the foot. Each still is analysed once by the real pipeline and scored with the
marker + a taped foot length and with the camera height + a taped foot length, the lens assumed (a phone's 1x
camera) and given.

    python -m benchmarks.lens [--json out.json]      # ~3 min from an empty render cache, ~1 min warm
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.accuracy import (
    MARKER_CM,
    Case,
    _camera_tape_cm,
    _num,
    _scored,
    _tape_cm,
    err_stats,
    render_case,
    report,
    run_all,
)
from calibration.lens import ZOOM_LENS_MM, Lens, fov_long_side_deg_from_35mm
from screening.floor3d import CAMERA_HEIGHT, MARKER

# zoom -> camera distances (m) such a lens films the screen from
LENS_DISTANCES_M: dict[str, tuple[float, ...]] = {"0.5x": (1.2, 1.5, 1.8), "1x": (2.0, 2.5, 3.0),
                                                  "2x": (3.5, 4.0, 5.0)}
PER_LENS = 8
SIZES = ((1920, 1080), (1080, 1920))


def lens_cases(per_lens: int = PER_LENS, seed: int = 31) -> list[Case]:
    """``per_lens`` seeded stills for each of the zooms in ``LENS_DISTANCES_M``, the camera level."""
    rng = np.random.default_rng(seed)
    out = []
    for zoom, distances in LENS_DISTANCES_M.items():
        fov = fov_long_side_deg_from_35mm(ZOOM_LENS_MM[zoom])
        for i in range(per_lens):
            w, h = SIZES[i % len(SIZES)]
            params = dict(
                body_height_cm=round(float(rng.uniform(155, 192)), 1),
                shin_angle_deg=round(float(rng.uniform(20, 48)), 2),
                front_side=str(rng.choice(["left", "right"])),
                camera_distance_m=float(rng.choice(distances)),
                camera_height_m=float(rng.choice([0.3, 0.5, 0.7, 0.9])),
                yaw_deg=float(rng.choice([0.0, 5.0, 10.0, 15.0])),
                roll_deg=0.0,
                width_px=w,
                height_px=h,
                focal_px=0.5 * max(w, h) / math.tan(math.radians(fov) / 2.0),
                background=str(rng.choice(["plain", "gradient", "studio"])),
                skin_tone=int(rng.integers(6)),
                clothing_seed=int(rng.integers(1000)),
                seed=5000 + 100 * list(LENS_DISTANCES_M).index(zoom) + i,
                marker_cm=MARKER_CM,
            )
            out.append(Case(f"lens_{zoom}_{i:02d}", "still", params, tags={"zoom": zoom}))
    return out


def run_lens_still(case: Case) -> dict[str, Any]:
    import cv2

    from calibration.scale import ScaleInputs

    cv2.setNumThreads(1)
    from vision.pipeline import AnalyzeOptions, analyze_clip

    media, truth = render_case(case)
    row: dict[str, Any] = {"name": case.name, "zoom": case.tags["zoom"], "kpt_true": truth["knee_past_toe_cm"],
                           "shin_true": truth["shin_angle_deg"]}
    try:
        a = analyze_clip(media, AnalyzeOptions(marker_cm=MARKER_CM, sex="m", upright_lines=False))
    except Exception as e:  # noqa: BLE001 - a refusal is a result too
        row["error"] = f"{type(e).__name__}: {e}"
        return row
    tape = _tape_cm(case, truth)
    lens = Lens(ZOOM_LENS_MM[case.tags["zoom"]])
    for mode, source, base in (
        ("marker", MARKER, ScaleInputs(marker_cm=MARKER_CM, foot_length_cm=tape, sex="m")),
        ("height", CAMERA_HEIGHT, ScaleInputs(foot_length_cm=tape, camera_height_cm=_camera_tape_cm(case), sex="m")),
    ):
        for given, inputs in (("assumed", base), ("given", ScaleInputs(**{**base.__dict__, "lens": lens}))):
            r = _scored(a.records, inputs)
            cm = r.view.get("camera_model", {})
            used = bool(cm.get("used")) and cm.get("source") == source
            row[f"kpt_{mode}_{given}"] = _num(r.best.knee_past_toe_cm) if used else math.nan
            row[f"shin_{mode}_{given}"] = _num(r.best.shin_angle_deg) if used else math.nan
            row[f"unc_{mode}_{given}"] = _num(r.best.knee_past_toe_uncertainty_cm) if used else math.nan
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for zoom in LENS_DISTANCES_M:
        z = [r for r in rows if r.get("zoom") == zoom]
        for mode in ("marker", "height"):
            for given in ("assumed", "given"):
                k = [r[f"kpt_{mode}_{given}"] - r["kpt_true"] for r in z if math.isfinite(r.get(f"kpt_{mode}_{given}",
                                                                                               math.nan))]
                s = [r[f"shin_{mode}_{given}"] - r["shin_true"] for r in z
                     if math.isfinite(r.get(f"shin_{mode}_{given}", math.nan))]
                out[f"{zoom}/{mode}/{given}"] = {"n": len(k), "kpt": err_stats(k), "shin": err_stats(s),
                                                 "kpt_bias": float(np.mean(k)) if k else math.nan}
    return out


def markdown(summary: dict[str, Any], n_stills: int) -> str:
    lines = [f"Lens benchmark: {n_stills} stills (`python -m benchmarks.lens`), camera level, marker beside the foot, "
             "foot length and camera height from a tape.", "",
             "| lens (35 mm equiv.) | measured with | n | knee past toe MAE, lens assumed (1x) -> given (cm) | "
             "bias assumed -> given (cm) | shin MAE assumed -> given (deg) |", "| --- | --- | --- | --- | --- | --- |"]
    for zoom in LENS_DISTANCES_M:
        for mode, words in (("marker", "marker + foot length"), ("height", "camera height + foot length")):
            a, g = summary[f"{zoom}/{mode}/assumed"], summary[f"{zoom}/{mode}/given"]
            lines.append(f"| {zoom} ({ZOOM_LENS_MM[zoom]:g} mm) | {words} | {a['n']} / {g['n']} | "
                         f"{a['kpt']['mae']:.2f} -> **{g['kpt']['mae']:.2f}** | {a['kpt_bias']:+.2f} -> "
                         f"{g['kpt_bias']:+.2f} | {a['shin']['mae']:.2f} -> **{g['shin']['mae']:.2f}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None, log: Callable[[str], None] = print) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the rows and the summary here")
    ap.add_argument("--per-lens", type=int, default=PER_LENS)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    cases = lens_cases(args.per_lens)
    rows = run_all(cases, args.workers, log=lambda s: None, run=run_lens_still)
    summary = summarize(rows)
    report(markdown(summary, len(cases)), rows, summary, args.json, log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
