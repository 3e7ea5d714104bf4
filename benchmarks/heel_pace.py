"""Heel lifts at two paces: the benchmark's clips (1 s a drive) and the same clips driven slowly (2.5 s a drive,
0.8 s apart), with and without the printed marker; every lift of 1 cm or more should be caught and no flat attempt
flagged.

Each clip is analysed once by the real pipeline; its records are then scored twice: with the heel's height measured
from the toes as the pipeline does (``screening.analysis.heel_reference_px``: the mean of the toe tip and the
toes' lowest point) and, for comparison, from the toe tip alone (stop 17's reference; the heel's lowest point is
found as now, from the heel's back edge, ``screening.silhouette.heel_bottom_region``).

    python -m benchmarks.heel_pace [--json out.json]   # ~12 min from an empty render cache, ~6 min warm
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from benchmarks.accuracy import (
    FLAT_HEEL_CM,
    MARKER_CM,
    Case,
    _match_attempts,
    _scored,
    clip_cases,
    marker_clip_cases,
    must_be_caught,
    render_case,
    report,
    run_all,
)
from calibration.scale import ScaleInputs

SLOW = {"attempt_s": 2.5, "rest_s": 0.8}


def pace_cases() -> list[Case]:
    """The benchmark's clips (plain and with the marker) at their own pace and driven slowly."""
    base = clip_cases() + marker_clip_cases()
    slow = [dataclasses.replace(c, name=c.name + "_slow", clip={**c.clip, **SLOW}, tags={**c.tags, "slow": True})
            for c in base]
    return base + slow


@contextmanager
def _toe_tip_reference() -> Iterator[None]:
    """The heel's height measured from the toe tip alone (stop 17's reference), for comparison."""
    import screening.analysis as analysis

    kept = analysis.heel_reference_px
    analysis.heel_reference_px = lambda toe_tip_px, toe_front_floor_px: np.asarray(toe_tip_px, dtype=float)
    try:
        yield
    finally:
        analysis.heel_reference_px = kept


def run_pace_clip(case: Case) -> dict:
    """One clip: its attempts matched to the truth, scored with the marker (marker clips) or the foot length, with
    the heel measured from the toes and from the toe tip alone."""
    from vision.pipeline import AnalyzeOptions, analyze_clip

    media, truth = render_case(case)
    marker = bool(case.params.get("marker_cm"))
    inputs = (ScaleInputs(marker_cm=MARKER_CM, sex="m") if marker
              else ScaleInputs(foot_length_cm=truth["foot_length_cm"], sex="m"))
    records = analyze_clip(media, AnalyzeOptions(marker_cm=inputs.marker_cm, foot_length_cm=inputs.foot_length_cm,
                                                 sex="m", upright_lines=True)).records
    row: dict[str, Any] = {"name": case.name, "marker": marker, "slow": bool(case.tags.get("slow")),
                           "toes": _match_attempts(_scored(records, inputs), truth)}
    with _toe_tip_reference():
        row["toe_tip"] = _match_attempts(_scored(records, inputs), truth)
    return row


def summarize(rows: list[dict]) -> dict[str, dict[str, Any]]:
    """Per pace, set and heel reference: lifts caught, flat attempts flagged, the lifts' read heights."""
    out: dict[str, dict[str, Any]] = {}
    for slow in (False, True):
        for marker in (False, True):
            sel = [r for r in rows if r["slow"] == slow and r["marker"] == marker]
            for ref in ("toes", "toe_tip"):
                atts = [(r["name"], a) for r in sel for a in r[ref]]
                big = [a for _, a in atts if must_be_caught(a["lift_true_cm"])]
                flat = [(n, a) for n, a in atts if a["lift_true_cm"] < FLAT_HEEL_CM]
                err = [a["heel_lift_cm_max"] - a["lift_true_cm"] for a in big if math.isfinite(a["heel_lift_cm_max"])]
                out[f"{'slow' if slow else 'default'} pace, {'marker' if marker else 'plain'}, {ref}"] = dict(
                    lifts_caught=sum(bool(a["lifted_detected"]) for a in big), lifts=len(big),
                    false_alarms=sum(bool(a["lifted_detected"]) for _, a in flat), flat=len(flat),
                    flagged=[f"{n}: {a['heel_lift_cm_max']:.2f} cm" for n, a in flat if a["lifted_detected"]],
                    lift_read_mae_cm=float(np.mean(np.abs(err))) if err else math.nan,
                    lowest_big_lift_read_cm=min((a["heel_lift_cm_max"] for a in big), default=math.nan),
                )
    return out


def markdown(summary: dict[str, dict[str, Any]]) -> str:
    lines = ["| pace, clips, heel measured from | lifts >= 1 cm caught | flat attempts flagged | lift read MAE (cm) "
             "| lowest 1+ cm lift read (cm) | flagged |", "| --- | --- | --- | --- | --- | --- |"]
    for k, s in summary.items():
        lines.append(f"| {k} | {s['lifts_caught']}/{s['lifts']} | {s['false_alarms']}/{s['flat']} | "
                     f"{s['lift_read_mae_cm']:.2f} | {s['lowest_big_lift_read_cm']:.2f} | {'; '.join(s['flagged'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None, log: Callable[[str], None] = print) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the rows and the summary here")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    rows = run_all(pace_cases(), args.workers, log=lambda s: None, run=run_pace_clip)
    summary = summarize(rows)
    report(markdown(summary), rows, summary, args.json, log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
