"""``ankle-screen compare BEFORE AFTER``: real change or noise, side-by-side snapshots, report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import typer

from ankle_cli.main import app
from ankle_cli.options import SexOpt, SideOpt


def _load_png(path: Path) -> np.ndarray:
    import matplotlib.image as mpimg

    img = np.asarray(mpimg.imread(str(path)))
    if img.dtype != np.uint8:
        img = np.clip(img * 255.0, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return img[..., :3]


def _snapshot_for_json(path: Path, data: dict[str, Any]) -> np.ndarray | None:
    """A saved end-range snapshot next to a result JSON: ``snapshot_png`` key or a sibling PNG."""
    cands = []
    if data.get("snapshot_png"):
        p = Path(str(data["snapshot_png"]))
        cands.append(p if p.is_absolute() else path.parent / p)
    stem = path.with_suffix("")
    cands += [stem.with_suffix(".png"), Path(f"{stem}_snapshot.png"), Path(f"{stem}.snapshot.png")]
    for c in cands:
        if c.is_file():
            return _load_png(c)
    return None


def load_input(
    arg: str, opts: Any, db: Path | None, want_snapshot: bool, models: Any = None
) -> tuple[dict[str, Any], np.ndarray | None, str]:
    """A result dict (+ snapshot if asked and available) from a result JSON, a history id, or a clip (analysed
    with ``models``, a ``vision.pipeline.ClipModels`` shared by both clips, when given)."""
    from screening.errors import InvalidSettingError

    p = Path(arg)
    if not p.exists() and re.fullmatch(r"#?\d+", arg):
        from screening.history import HistoryStore

        with HistoryStore.open(db) as store:
            e = store.get(int(arg.lstrip("#")))
        return e.result(), None, f"history #{e.id} ({e.timestamp[:10]})"
    if not p.exists():
        raise InvalidSettingError(f"{arg} does not exist; give a result JSON, a video clip or a history entry id.")
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidSettingError(f"cannot read result JSON {p} ({exc}); save one with analyze --json.") from exc
        if not isinstance(data, dict) or "best" not in data:
            raise InvalidSettingError(f"{p} is not a screen result (no 'best' entry); save one with analyze --json.")
        return data, _snapshot_for_json(p, data) if want_snapshot else None, p.name
    from vision.pipeline import analyze_clip  # lazy: heavy, only for clips

    analysis: Any = analyze_clip(p, opts, models=models)
    result: Any = analysis.result if hasattr(analysis, "result") else analysis
    snap = None
    if want_snapshot and hasattr(analysis, "records"):
        from vision.annotate import end_range_snapshots

        snaps = end_range_snapshots(analysis, opts.max_side_px)
        idx = result.best.attempt_index
        snap = snaps.get(idx) if idx is not None else None
        if snap is None and snaps:
            snap = next(iter(snaps.values()))
    return result.to_json_dict(), snap, p.name


@app.command()
def compare(
    before: str = typer.Argument(..., help="Earlier result JSON, clip, or history entry id."),
    after: str = typer.Argument(..., help="Later result JSON, clip, or history entry id."),
    json_out: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    image: Path = typer.Option(None, help="Write the two end-range snapshots side by side (PNG)."),
    report: Path = typer.Option(None, help="Write a PDF report of AFTER with the comparison."),
    side: SideOpt = typer.Option(SideOpt.auto, help="Screened leg in the clips."),
    fist_cm: float = typer.Option(None, "--fist-cm", help="Fist width in cm (clips only)."),
    sex: SexOpt = typer.Option(None, help="m or f: default fist width (clips only)."),
    foot_length_cm: float = typer.Option(None, help="Foot length in cm for the scale (clips only)."),
    height_cm: float = typer.Option(None, help="Height in cm for the scale (clips only)."),
    marker_cm: float = typer.Option(None, help="ArUco marker side in cm (clips only)."),
    db: Path = typer.Option(None, help="History database for entry ids."),
) -> None:
    """Change in knee-past-toe and shin angle, judged against the minimal detectable change."""
    from screening.compare import compare_results, save_png, side_by_side
    from screening.errors import InvalidSettingError

    opts: Any = None
    if not (before.lower().endswith(".json") and after.lower().endswith(".json")):
        try:
            from vision.pipeline import AnalyzeOptions

            opts = AnalyzeOptions(side=side.value, fist_width_cm=fist_cm, sex=sex.value if sex else None,
                                  foot_length_cm=foot_length_cm, height_cm=height_cm, marker_cm=marker_cm)
        except ImportError:
            opts = None
    want = image is not None or report is not None
    models = None
    if opts is not None and before != after:  # two clips share the pose models and helper processes
        from vision.pipeline import ClipModels

        models = ClipModels()
    try:
        b, b_snap, b_name = load_input(before, opts, db, want, models)
        if after == before:  # the same input twice: analyse once
            a, a_snap, a_name = b, b_snap, b_name
        else:
            a, a_snap, a_name = load_input(after, opts, db, want, models)
    finally:
        if models is not None:
            models.close()
    comp = compare_results(b, a)
    if json_out:
        out = comp.to_json_dict()
        out["before_name"], out["after_name"] = b_name, a_name
        typer.echo(json.dumps(out, indent=1))
    else:
        typer.echo(f"Before: {b_name}  ->  After: {a_name}")
        typer.echo(comp.summary)
        typer.echo(comp.mdc.explanation)
        for w in comp.warnings:
            typer.echo(f"Note: {w}")
    if image is not None:
        if b_snap is None or a_snap is None:
            raise InvalidSettingError(
                "--image needs both end-range snapshots: compare the clips themselves, or save each result's "
                "snapshot next to its JSON as NAME.png (analyze --json NAME.json --snapshot NAME.png).")
        save_png(side_by_side(b_snap, a_snap), str(image))
        typer.echo(f"Wrote {image}.", err=json_out)
    if report is not None:
        from screening.report import build_report_with_context

        build_report_with_context(a, report, snapshot_rgb=a_snap, comparison=comp, db_path=db)
        typer.echo(f"Wrote {report}.", err=json_out)
