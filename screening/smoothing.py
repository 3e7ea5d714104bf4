"""Temporal smoothing that does not lag the end range.

Offline: a zero-phase (centred) Gaussian in time over real timestamps, after a short median that
removes single-frame glitches. Live: the One Euro filter (Casiez et al., 2012), which adapts its
cut-off to speed so that fast knee drives are followed with little lag.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np


def zero_phase_smooth(time_s: np.ndarray, values: np.ndarray, sigma_s: float = 0.05) -> np.ndarray:
    """Centred Gaussian smoothing over real (possibly variable-rate) timestamps; NaNs are skipped."""
    t = np.asarray(time_s, dtype=float)
    y = np.asarray(values, dtype=float)
    out = np.full_like(y, np.nan)
    ok = np.isfinite(y)
    if ok.sum() == 0 or sigma_s <= 0:
        return y.copy()
    ym = median3(y)
    tt, yy = t[ok], ym[ok]
    for i in np.where(ok)[0]:
        lo, hi = np.searchsorted(tt, [t[i] - 3 * sigma_s, t[i] + 3 * sigma_s])
        w = np.exp(-0.5 * ((tt[lo:hi] - t[i]) / sigma_s) ** 2)
        out[i] = float((w * yy[lo:hi]).sum() / w.sum())
    return out


def drop_low_spikes(values: np.ndarray, min_drop: float, half_window: int = 4) -> np.ndarray:
    """``values`` with brief downward glitches set to NaN.

    A value more than ``min_drop`` below the median of its ``half_window`` neighbours before it AND of those
    after it (each side with at least two finite values; at the ends, the one side there is) is a glitch of a
    run of at most ``half_window - 2`` samples. Rises, and steps up or down that persist, are kept (the last
    sample before a step up is below the later side only). Used on the heel's height above the floor line:
    the heel cannot sink into the floor, so a heel point a few frames below its neighbours is the segmentation
    mask running on into something on the floor (a marker, a mat's edge) for those frames."""
    y = np.asarray(values, dtype=float)
    out = y.copy()
    for i in np.where(np.isfinite(y))[0]:
        sides = [y[max(0, i - half_window): i], y[i + 1: i + 1 + half_window]]
        meds = [float(np.median(s[np.isfinite(s)])) for s in sides if np.isfinite(s).sum() >= 2]
        if meds and all(y[i] < m - min_drop for m in meds):
            out[i] = np.nan
    return out


def median3(y: np.ndarray) -> np.ndarray:
    """Median of each value with its neighbours (NaN-aware); ends are kept."""
    y = np.asarray(y, dtype=float)
    if len(y) < 3:
        return y.copy()
    stack = np.vstack([np.r_[y[0], y[:-1]], y, np.r_[y[1:], y[-1]]])
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m = np.nanmedian(stack, axis=0)
    return np.where(np.isfinite(y), m, np.nan)


class MedianOfLast:
    """Causal median of the latest ``n`` readings of a stream, NaN until ``n`` have come in, so a single wild reading
    never passes (the live heel read 2.1 cm for one frame on a flat heel, the first after the pose model found the
    person again: a rendered clip through the webcam path, ``benchmarks.live_accuracy``). Wrap it in
    ``RestartAfterGap`` to skip missing readings and start afresh after a gap."""

    def __init__(self, n: int = 3) -> None:
        self.n = n
        self._values: list[float] = []

    def __call__(self, t_s: float, x: float) -> float:
        self._values = [*self._values[-(self.n - 1):], float(x)] if self.n > 1 else [float(x)]
        return float(np.median(self._values)) if len(self._values) >= self.n else math.nan

    def reset(self) -> None:
        self._values.clear()


class StreamFilter(Protocol):
    def __call__(self, t_s: float, x: float, /) -> Any: ...

    def reset(self) -> None: ...


class RestartAfterGap:
    """Feeds a scalar stream filter (``f(t_s, x)`` with ``reset()``) its finite readings only, restarting it after a
    gap longer than ``gap_s``; a missing reading gives NaN."""

    def __init__(self, f: StreamFilter, gap_s: float) -> None:
        self._f = f
        self._gap_s = gap_s
        self._last_t: float | None = None

    def __call__(self, t_s: float, x: float) -> float:
        if not math.isfinite(x):
            return math.nan
        if self._last_t is not None and t_s - self._last_t > self._gap_s:
            self._f.reset()
        self._last_t = t_s
        return float(self._f(t_s, x))

    def reset(self) -> None:
        self._f.reset()
        self._last_t = None


class OneEuroFilter:
    """One Euro filter for a scalar or vector stream with timestamps in seconds."""

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.05, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: float, dt_s: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt_s)

    def __call__(self, t_s: float, x: np.ndarray | float) -> np.ndarray:
        xv = np.asarray(x, dtype=float)
        if self._x is None or self._t is None or not np.all(np.isfinite(self._x)):
            self._x, self._dx, self._t = xv, np.zeros_like(xv), t_s
            return xv
        dt = max(t_s - self._t, 1e-3)
        dx = (xv - self._x) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        assert self._dx is not None
        dx_hat = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = 1.0 / (1.0 + (1.0 / (2 * math.pi * cutoff)) / dt)
        x_hat = np.where(np.isfinite(xv), a * xv + (1 - a) * self._x, self._x)
        self._x, self._dx, self._t = x_hat, dx_hat, t_s
        return x_hat

    def reset(self) -> None:
        self._x = self._dx = None
        self._t = None
