"""``ankle-screen plan``: Step-2 classification and the routine plan."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from ankle_cli.main import app
from ankle_cli.options import LegOpt as SideOpt
from ankle_cli.options import SexOpt


class VerdictOpt(str, Enum):
    pass_ = "pass"
    fail = "fail"
    not_measured = "not_measured"


class FeelOpt(str, Enum):
    back = "back"
    front = "front"
    neither = "neither"






@app.command()
def plan(
    verdict: VerdictOpt = typer.Option(None, help="Screen verdict of the side (else worked out from the cm)."),
    knee_past_toe_cm: float = typer.Option(None, "--knee-past-toe-cm", help="Best knee travel past the toe, cm."),
    fist_cm: float = typer.Option(None, "--fist-cm", help="Your fist width in cm (the pass mark)."),
    sex: SexOpt = typer.Option(None, help="m or f: default fist width 10.2 / 8.9 cm (seed 000)."),
    straight_knee: FeelOpt = typer.Option(None, help="Step 2, straight knee: back (calf stretch), front (block) or neither."),
    bent_knee: FeelOpt = typer.Option(None, help="Step 2, bent knee: back, front or neither."),
    side: SideOpt = typer.Option(SideOpt.left, help="Side the numbers belong to."),
    other_knee_past_toe_cm: float = typer.Option(
        None, "--other-knee-past-toe-cm", help="Knee past toe of the other side, cm (for asymmetry)."),
    result: Path = typer.Option(None, "--result", help="Take side, verdict and cm from a saved result JSON."),
    with_history: bool = typer.Option(False, "--with-history", help="Use saved screens to judge progress."),
    db: Path = typer.Option(None, help="History database (default $ANKLE_SCREEN_DB or ~/.ankle_screen/history.sqlite3)."),
    json_out: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Classify Step 2 (soft tissue / joint / both) and print an ordered plan: test, drill, retest."""
    from calibration.fist import fist_width
    from screening.errors import InvalidSettingError
    from screening.plan import PlanInput, SideInput, make_plan, side_input_from_result
    from screening.step2 import classify_step2

    sides: list[SideInput] = []
    if result is not None:
        try:
            data = json.loads(Path(result).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidSettingError(f"cannot read result JSON {result} ({exc}); save one with analyze --json.") from exc
        si = side_input_from_result(data)
        sides.append(si)
        this_side = si.side
        fist_val: float | None = si.fist_width_cm
    else:
        this_side = side.value
        fist_val = None
        if fist_cm is not None or sex is not None or knee_past_toe_cm is not None:
            fist_val = fist_width(fist_cm, sex.value if sex else None).width_cm
        v = verdict.value if verdict is not None else None
        if knee_past_toe_cm is not None and fist_val is not None:
            computed = "pass" if knee_past_toe_cm >= fist_val else "fail"
            if v is not None and v != "not_measured" and v != computed:
                raise InvalidSettingError(
                    f"--verdict {v} contradicts {knee_past_toe_cm:.1f} cm against a {fist_val:.1f} cm fist mark "
                    f"(that is a {computed}); drop --verdict or correct the numbers.")
            v = v or computed
        if v is None:
            raise InvalidSettingError("give --verdict or --knee-past-toe-cm (or --result RESULT.json) so the plan "
                                      "knows where you stand.")
        sides.append(SideInput(this_side, v, knee_past_toe_cm, fist_val))
    if other_knee_past_toe_cm is not None:
        other = "right" if this_side == "left" else "left"
        f = fist_val if fist_val is not None else fist_width(fist_cm, sex.value if sex else None).width_cm
        sides.append(SideInput(other, "pass" if other_knee_past_toe_cm >= f else "fail",  # type: ignore[arg-type]
                               other_knee_past_toe_cm, f))

    step2 = None
    if straight_knee is not None or bent_knee is not None:
        if straight_knee is None or bent_knee is None:
            raise InvalidSettingError("Step 2 needs both answers: --straight-knee and --bent-knee.")
        step2 = classify_step2(straight_knee.value, bent_knee.value)

    history = ()
    if with_history:
        from screening.history import HistoryStore, history_points, resolve_db_path

        if resolve_db_path(db).exists():
            with HistoryStore.open(db) as store:
                history = tuple(history_points(store.entries()))

    p = make_plan(PlanInput(sides=tuple(sides), step2=step2, step2_by_side={this_side: step2} if step2 else {},
                            history=history))
    if json_out:
        out = p.to_json_dict()
        out["step2"] = step2.to_json_dict() if step2 else None
        typer.echo(json.dumps(out, indent=1, default=str))
    else:
        typer.echo(p.to_text())
