"""Trend of the best knee-past-toe per side over weeks, with an MDC band around the baseline.

``trend_series`` is pure; ``trend_figure`` builds a plotly figure for the app; ``trend_png``
draws the same with matplotlib for reports and the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
from dataclasses import dataclass
from typing import Any

from screening.compare import PUBLISHED_MDC_CM
from screening.history import HistoryEntry

SIDE_COLOURS = {"left": "#1f77b4", "right": "#d62728"}


@dataclass(frozen=True)
class TrendSeries:
    side: str
    dates: tuple[dt.datetime, ...]
    weeks: tuple[float, ...]  # since the first entry of any side
    knee_past_toe_cm: tuple[float, ...]
    verdicts: tuple[str, ...]
    baseline_cm: float  # median of the first week's values
    fist_width_cm: float | None


def trend_series(entries: list[HistoryEntry], *, baseline_days: int = 7) -> dict[str, TrendSeries]:
    """Per-side series of measured entries, ordered by time."""
    measured = [e for e in entries if e.side in ("left", "right") and e.knee_past_toe_cm is not None]
    if not measured:
        return {}
    t0 = min(_naive(e.when) for e in measured)
    out: dict[str, TrendSeries] = {}
    for side in ("left", "right"):
        es = sorted((e for e in measured if e.side == side), key=lambda e: _naive(e.when))
        if not es:
            continue
        first = _naive(es[0].when)
        base_vals = [e.knee_past_toe_cm for e in es if (_naive(e.when) - first).days < baseline_days]
        fists = [e.fist_width_cm for e in es if e.fist_width_cm is not None]
        out[side] = TrendSeries(
            side=side,
            dates=tuple(_naive(e.when) for e in es),
            weeks=tuple((_naive(e.when) - t0).total_seconds() / (7 * 86400) for e in es),
            knee_past_toe_cm=tuple(float(e.knee_past_toe_cm) for e in es if e.knee_past_toe_cm is not None),
            verdicts=tuple(e.verdict for e in es),
            baseline_cm=float(statistics.median(v for v in base_vals if v is not None)),
            fist_width_cm=fists[-1] if fists else None,
        )
    return out


def _naive(t: dt.datetime) -> dt.datetime:
    """Timestamps in one frame: aware ones are converted to local time, then made naive."""
    return t.astimezone().replace(tzinfo=None) if t.tzinfo is not None else t


def trend_figure(entries: list[HistoryEntry], *, mdc_cm: float = PUBLISHED_MDC_CM) -> Any:
    """A plotly figure: one line per side, a shaded +/- MDC band around each side's baseline."""
    import plotly.graph_objects as go

    series = trend_series(entries)
    fig = go.Figure()
    for side, s in series.items():
        c = SIDE_COLOURS[side]
        x = list(s.weeks)
        x_band = [min(x), max(x) if max(x) > min(x) else min(x) + 1]
        fig.add_trace(go.Scatter(
            x=x_band + x_band[::-1],
            y=[s.baseline_cm + mdc_cm] * 2 + [s.baseline_cm - mdc_cm] * 2,
            fill="toself", fillcolor=c, opacity=0.12, line={"width": 0}, hoverinfo="skip",
            name=f"{side}: baseline +/- MDC ({mdc_cm:.1f} cm)"))
        fig.add_trace(go.Scatter(
            x=x, y=list(s.knee_past_toe_cm), mode="lines+markers", name=f"{side} knee past toe",
            line={"color": c}, text=[f"{d:%Y-%m-%d} {v}" for d, v in zip(s.dates, s.verdicts, strict=True)]))
        if s.fist_width_cm is not None:
            fig.add_hline(y=s.fist_width_cm, line_dash="dot", line_color=c, opacity=0.6,
                          annotation_text=f"{side} fist mark", annotation_position="top left")
    fig.update_layout(xaxis_title="weeks since first screen", yaxis_title="knee past toe (cm)",
                      template="plotly_white", legend={"orientation": "h", "y": -0.25},
                      margin={"l": 50, "r": 20, "t": 30, "b": 40})
    return fig


def trend_png(entries: list[HistoryEntry], out_path: str | os.PathLike[str] | None = None, *,
              mdc_cm: float = PUBLISHED_MDC_CM, width_in: float = 6.5, height_in: float = 3.0,
              dpi: int = 120) -> bytes:
    """The trend drawn with matplotlib; returns PNG bytes and writes them to ``out_path`` if given."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    series = trend_series(entries)
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_subplot(1, 1, 1)
    if not series:
        ax.text(0.5, 0.5, "no measured screens in the history yet", ha="center", va="center",
                transform=ax.transAxes)
    for side, s in series.items():
        c = SIDE_COLOURS[side]
        x = list(s.weeks)
        x0, x1 = min(x), max(x) if max(x) > min(x) else min(x) + 1
        ax.fill_between([x0, x1], s.baseline_cm - mdc_cm, s.baseline_cm + mdc_cm, color=c, alpha=0.12,
                        label=f"{side} baseline \u00b1 MDC ({mdc_cm:.1f} cm)")
        ax.plot(x, list(s.knee_past_toe_cm), "-o", color=c, label=f"{side} knee past toe")
        if s.fist_width_cm is not None:
            ax.axhline(s.fist_width_cm, color=c, ls=":", lw=1, label=f"{side} fist mark")
    ax.set_xlabel("weeks since first screen")
    ax.set_ylabel("knee past toe (cm)")
    ax.grid(alpha=0.3)
    if series:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    data = buf.getvalue()
    if out_path is not None:
        with open(out_path, "wb") as fh:
            fh.write(data)
    return data
