"""``ankle-screen history``: list, export and plot saved screens."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ankle_cli.main import app
from ankle_cli.options import LegOpt as SideOpt


def _f(v: float | None, nd: int = 1) -> str:
    return "--" if v is None else f"{v:.{nd}f}"


@app.command()
def history(
    side: SideOpt = typer.Option(None, help="Only this side."),
    csv_out: Path = typer.Option(None, "--csv", help="Export the entries as CSV."),
    db: Path = typer.Option(None, help="History database (default $ANKLE_SCREEN_DB or ~/.ankle_screen/history.sqlite3)."),
    plot: Path = typer.Option(None, help="Write the trend plot per side (PNG)."),
    add: Path = typer.Option(None, "--add", help="Save a result JSON (from analyze --json) to the history first."),
    notes: str = typer.Option("", help="Notes stored with --add."),
    json_out: bool = typer.Option(False, "--json", help="Print the entries as JSON."),
) -> None:
    """Show saved screens per side with the trend over weeks."""
    from screening.errors import InvalidSettingError
    from screening.history import HistoryStore, history_points, resolve_db_path
    from screening.plan import PlanConfig, assess_history

    path = resolve_db_path(db)
    if add is None and not path.exists():
        typer.echo(f"No history yet ({path}). Save screens with `ankle-screen analyze CLIP --save` or "
                   "`ankle-screen history --add RESULT.json`.")
        return
    with HistoryStore.open(path) as store:
        if add is not None:
            try:
                data = json.loads(Path(add).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InvalidSettingError(f"cannot read result JSON {add} ({exc}); save one with analyze --json.") from exc
            new_id = store.add(data, source_file=str(data.get("source") or add), notes=notes)
            typer.echo(f"Saved as entry {new_id} in {path}.")
        entries = store.entries(side.value if side else None)
        if json_out:
            typer.echo(json.dumps([{**e.row()} for e in entries], indent=1))
        else:
            typer.echo(f"History: {path} ({len(entries)} entries)")
            typer.echo(f"{'id':>4}  {'date':<19}  {'side':<5}  {'verdict':<12}  {'knee>toe cm':>11}  "
                       f"{'shin deg':>8}  {'scale':<12}  source")
            for e in entries:
                typer.echo(f"{e.id:>4}  {e.timestamp[:19]:<19}  {e.side or '?':<5}  {e.verdict:<12}  "
                           f"{_f(e.knee_past_toe_cm):>11}  {_f(e.shin_angle_deg):>8}  {(e.scale_source or '-'):<12}  "
                           f"{Path(e.source_file).name if e.source_file else '-'}")
            pts = history_points(entries)
            for s in ("left", "right"):
                if any(p.side == s for p in pts):
                    typer.echo(assess_history(pts, s, PlanConfig()).text)
        if csv_out is not None:
            n = store.to_csv(csv_out, side.value if side else None)
            typer.echo(f"Wrote {n} rows to {csv_out}.")
        if plot is not None:
            from screening.trend import trend_png

            trend_png(entries, plot)
            typer.echo(f"Wrote the trend plot to {plot}.")
