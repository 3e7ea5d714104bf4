"""``ankle-screen analyze``: measure the screen on a clip or photo."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer

from ankle_cli.main import app
from ankle_cli.options import SexOpt, SideOpt
from calibration.fist import fist_source_words
from calibration.scale import scale_source_words
from screening.results import is_photo, measured_how


def _fmt(v: float | None, unit: str, digits: int = 1) -> str:
    return "not measured" if v is None else f"{v:.{digits}f} {unit}"


def summary_lines(result) -> list[str]:
    """Plain-text summary of a ``ScreenResult`` (shared with compare/report)."""
    r = result
    lines = [f"Source:      {Path(r.source).name}"]
    if r.person.get("description"):
        lines.append(f"Person:      {r.person['description']}")
    lines.append(f"Side:        {r.side or 'unknown'} ({r.side_reason})")
    if r.scale:
        lines.append(
            f"Scale:       {r.scale.px_per_cm:.2f} px/cm from {scale_source_words(r.scale.source)}"
            f" (+/- {r.scale.relative_uncertainty * 100:.1f} %; +/- {r.scale.uncertainty_cm:.1f} cm on the result)"
        )
    else:
        lines.append("Scale:       none (centimetres not measured)")
    lines.append(f"Measured:    {measured_how(r.view)}")
    lines.append(f"Fist width:  {r.fist_width_cm:.1f} cm ({fist_source_words(r.fist_source)})")
    if r.view.get("yaw_deg") is not None:
        lines.append(f"View:        about {r.view['yaw_deg']:.0f} deg off side-on")
    lines.append(f"Attempts:    {len(r.attempts)}")
    still = is_photo(r.video)
    for a in r.attempts:
        t = "the photo" if still else (f"{a.end_range_time_s:5.2f} s" if a.end_range_time_s is not None else "   --  ")
        fw = f"{a.fist_widths:.2f} fists" if a.fist_widths is not None else "--"
        heel = "heel down" if a.heel_down else "HEEL LIFTED"
        lines.append(
            f"  #{a.index + 1}  end range at {t}  knee past toe {_fmt(a.knee_past_toe_cm, 'cm'):>12}"
            f"  ({fw})  shin {_fmt(a.shin_angle_deg, 'deg'):>10}  {heel}" + (f"  - {a.reason}" if a.reason else "")
        )
    b = r.best
    verdict = {"pass": "PASS", "fail": "FAIL", "not_measured": "NOT MEASURED"}[b.verdict]
    lines.append(f"Verdict:     {verdict} - {b.reason}")
    if b.knee_past_toe_cm is not None:
        unc = f" +/- {b.knee_past_toe_uncertainty_cm:.1f}" if b.knee_past_toe_uncertainty_cm else ""
        lines.append(
            f"Best:        knee past toe {b.knee_past_toe_cm:.1f}{unc} cm = {b.fist_widths:.2f} fist-widths,"
            f" shin angle {_fmt(b.shin_angle_deg, 'deg')}"
        )
    if r.retest_spread_cm is not None:
        lines.append(f"Repeatability: attempts spread {r.retest_spread_cm:.1f} cm (SD)")
    for w in r.warnings:
        lines.append(f"Note:        {w}")
    return lines


def write_csv(result, path: Path) -> None:
    f = result.frames
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["frame_index", "time_s", "knee_past_toe_cm", "shin_angle_deg", "heel_lift_cm", "heel_down", "pose_found"])
        for row in zip(f.frame_index, f.time_s, f.knee_past_toe_cm, f.shin_angle_deg, f.heel_lift_cm, f.heel_down,
                       f.pose_found, strict=False):
            w.writerow([row[0], f"{row[1]:.4f}", *(("" if v != v else f"{v:.3f}") for v in row[2:5]), int(row[5]),
                        int(row[6])])


VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _write_picture(path: Path, rgb) -> None:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), rgb[:, :, ::-1])


@app.command()
def analyze(
    clip: Path = typer.Argument(..., help="Side-view video (mp4/mov/webm...) or photo of the half-kneeling screen."),
    side: SideOpt = typer.Option(SideOpt.auto, help="Screened (front) leg; auto finds it."),
    fist_cm: float = typer.Option(None, "--fist-cm", help="Your fist width in cm (else the default for --sex)."),
    sex: SexOpt = typer.Option(None, help="m or f: picks the default fist width (10.2 / 8.9 cm)."),
    foot_length_cm: float = typer.Option(None, help="Your foot length, heel to longest toe, cm (scale)."),
    height_cm: float = typer.Option(None, help="Your height in cm (scale, less exact than foot length)."),
    marker_cm: float = typer.Option(None, help="Side length of the printed ArUco marker on the floor, cm."),
    camera_height_cm: float = typer.Option(None, help="Camera height, floor to the middle of the lens, cm. With "
                                           "--foot-length-cm and the phone held level, the knee and shin are "
                                           "measured in 3-D without a marker (the phone's tilt is read from "
                                           "upright lines behind you where there are some: a door frame, "
                                           "shelves)."),
    lens: str = typer.Option(None, help="The camera's lens: the phone's zoom (0.5x, 1x, 2x, 3x, 5x) or its 35 mm-"
                             "equivalent focal length (e.g. 13mm). Only the 3-D measurement uses it (marker, camera "
                             "height, upright lines). Default: what the file says (a photo's EXIF, an iPhone video), "
                             "else a phone's 1x camera."),
    json_out: Path = typer.Option(None, "--json", help="Write the full result (with per-frame series) as JSON."),
    annotated: Path = typer.Option(None, help="Write the annotated video (.mp4, .mov, .mkv), or, named .png or .jpg, "
                                   "the annotated picture of the best attempt's end range (a photo: the photo)."),
    snapshot: Path = typer.Option(None, help="Write the end-range snapshot of the best attempt (PNG)."),
    csv_out: Path = typer.Option(None, "--csv", help="Write per-frame measurements as CSV."),
    report: Path = typer.Option(None, help="Write a PDF report."),
    save: bool = typer.Option(False, "--save", help="Save this result to the local history database."),
    db: Path = typer.Option(None, help="History database path (default ~/.ankle_screen/history.sqlite3)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    stride: int = typer.Option(2, min=1, max=4, help="Run the pose model on every n-th frame away from the end "
                               "range and on every frame near it (2: ~1.35x faster than 1, same accuracy on the "
                               "benchmark; 1: every frame)."),
    max_duration_s: float = typer.Option(120.0, "--max-duration-s",
                                         help="Refuse clips longer than this many seconds (0: no limit)."),
) -> None:
    """Measure knee travel past the toe (cm, fist-widths) and shin angle, and give the verdict."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from calibration.lens import parse_lens
    from vision.pipeline import AnalyzeOptions, analyze_clip

    picture_out = annotated is not None and annotated.suffix.lower() in PICTURE_SUFFIXES
    if annotated is not None and not picture_out and annotated.suffix.lower() not in VIDEO_SUFFIXES:
        raise typer.BadParameter(f"name the file .mp4 (a video) or .png (a picture), not '{annotated.name}'.",
                                 param_hint="--annotated")

    opts = AnalyzeOptions(
        side=side.value,
        fist_width_cm=fist_cm,
        sex=sex.value if sex else None,
        foot_length_cm=foot_length_cm,
        height_cm=height_cm,
        marker_cm=marker_cm,
        camera_height_cm=camera_height_cm,
        lens_35mm_mm=parse_lens(lens).focal_35mm_mm if lens else None,
        max_duration_s=max_duration_s if max_duration_s > 0 else None,
        stride_frames=stride,
    )
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(), disable=quiet, transient=True,
    ) as bar:
        task = bar.add_task("Analysing", total=None)
        analysis = analyze_clip(clip, opts, progress=lambda d, n: bar.update(task, completed=d, total=n))
        snaps = None  # end-range snapshots, taken while writing the annotated video if there is one
        if annotated is not None and not picture_out:
            from vision.annotate import write_annotated

            t2 = bar.add_task("Writing video", total=len(analysis.records))
            snaps = write_annotated(
                analysis, annotated, opts.max_side_px, lambda d, n: bar.update(t2, completed=d, total=n)
            )
    result = analysis.result
    typer.echo("\n".join(summary_lines(result)))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json_dict(), indent=1))
    if csv_out is not None:
        write_csv(result, csv_out)
    snap = None
    if snapshot is not None or report is not None or picture_out:
        from vision.annotate import end_range_snapshots, result_picture

        if snaps is None:
            snaps = end_range_snapshots(analysis, opts.max_side_px)
        snap = result_picture(analysis, opts.max_side_px, snaps)
        if snapshot is not None:
            if snap is not None:
                _write_picture(snapshot, snap)
            else:
                typer.echo(f"No snapshot written to {snapshot}: no attempt's end range was measured.", err=True)
        if picture_out:
            picture = snap if snap is not None else result_picture(analysis, opts.max_side_px, snaps, True)
            if picture is not None:
                _write_picture(annotated, picture)
            else:
                typer.echo(f"No picture written to {annotated}: nobody was found in it.", err=True)
    if save:  # saved before the report is built, so the report's trend includes this screen
        from screening.history import HistoryStore

        with HistoryStore.open(db) as store:
            store.add(result.to_json_dict(), source_file=str(clip))
    if report is not None:
        from screening.report import build_report_with_context

        build_report_with_context(result.to_json_dict(), report, snapshot_rgb=snap, db_path=db)
    if result.best.verdict == "not_measured" and not result.view.get("ok", True):
        from screening.errors import ViewCheckError

        raise ViewCheckError(f"Not measured: {result.best.reason}")
