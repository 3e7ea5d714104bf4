"""Attempt segmentation: each forward drive of the knee and its return, and its end range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AttemptConfig:
    min_range_deg: float = 6.0  # a drive must rise (and a return fall) at least this much; below it the clip is one held attempt
    reversal_fraction: float = 0.3  # ... or this fraction of the clip's travel range, whichever is larger,
    max_reversal_deg: float = 8.0  # ... but never more than this (a few glitch frames must not hide real drives)
    edge_fraction: float = 0.25  # an attempt spans the frames above its valleys + this fraction of its rise
    min_duration_s: float = 0.12  # shorter excursions are glitches, not drives


@dataclass(frozen=True)
class AttemptSpan:
    start: int  # first frame index into the series (inclusive)
    stop: int  # last frame index (inclusive)


def _turning_points(y: np.ndarray, idx: np.ndarray, delta: float) -> list[tuple[int, int]]:
    """Alternating peaks (+1) and valleys (-1) of ``y`` at the indices ``idx``: an extreme counts once the
    series has moved ``delta`` away from it (a zig-zag filter, so wiggles smaller than ``delta`` never split
    a drive and a shallow drive between deep ones still counts). A rise still under way at the clip's end
    ends in a peak."""
    turns: list[tuple[int, int]] = []
    hi = lo = int(idx[0])
    trend = 0  # +1 rising, -1 falling, 0 not yet known
    for i in idx:
        i = int(i)
        if trend >= 0 and y[i] > y[hi]:
            hi = i
        if trend <= 0 and y[i] < y[lo]:
            lo = i
        if trend >= 0 and y[hi] - y[i] >= delta:
            if trend == 0 and lo < hi:
                turns.append((lo, -1))
            turns.append((hi, +1))
            trend, lo = -1, i
        elif trend <= 0 and y[i] - y[lo] >= delta:
            if trend == 0 and hi < lo:
                turns.append((hi, +1))
            turns.append((lo, -1))
            trend, hi = +1, i
    if trend == +1:
        turns.append((hi, +1))
    return turns


def segment_attempts(time_s: np.ndarray, travel: np.ndarray, cfg: AttemptConfig = AttemptConfig()) -> list[AttemptSpan]:
    """Split a knee-travel series (e.g. shin angle, deg) into attempts, one per forward drive.

    A drive is a peak that the series rises to and falls from by at least ``max(min_range_deg,
    reversal_fraction * range)`` (capped at ``max_reversal_deg``); drives at the clip's start or end count (a clip may begin or end at the
    bottom of a rep). Each attempt spans the frames between its neighbouring valleys that are above the
    higher of them plus ``edge_fraction`` of the rise. Frames need not be evenly spaced (a strided
    analysis samples the approach more sparsely than the end range); the rule uses values, not counts.
    """
    t = np.asarray(time_s, dtype=float)
    y = np.asarray(travel, dtype=float)
    ok = np.isfinite(y)
    if ok.sum() == 0:
        return []
    idx = np.where(ok)[0]
    lo, hi = np.percentile(y[ok], [5, 95])
    delta = min(max(cfg.min_range_deg, cfg.reversal_fraction * (hi - lo)), max(cfg.max_reversal_deg, cfg.min_range_deg))
    turns = _turning_points(y, idx, delta)
    peaks = [k for k, (_, kind) in enumerate(turns) if kind > 0]
    if not peaks:
        return [AttemptSpan(int(idx[0]), int(idx[-1]))]
    spans: list[AttemptSpan] = []
    for k in peaks:
        p = turns[k][0]
        left = turns[k - 1][0] if k > 0 else int(idx[0])
        right = turns[k + 1][0] if k + 1 < len(turns) else int(idx[-1])
        base = max(y[left], y[right]) if k > 0 and k + 1 < len(turns) else min(y[left], y[right])
        edge = base + cfg.edge_fraction * (y[p] - base)
        s = p
        while s - 1 >= left and (not ok[s - 1] or y[s - 1] > edge):
            s -= 1
        e = p
        while e + 1 <= right and (not ok[e + 1] or y[e + 1] > edge):
            e += 1
        half = base + 0.5 * (y[p] - base)
        above = idx[(idx >= s) & (idx <= e) & (y[idx] >= half)]
        if len(peaks) > 1 and t[above[-1]] - t[above[0]] < cfg.min_duration_s:
            continue  # a one- or two-frame spike, not a drive
        spans.append(AttemptSpan(int(s), int(e)))
    return spans or [AttemptSpan(int(idx[0]), int(idx[-1]))]


def end_range_index(span: AttemptSpan, travel: np.ndarray, usable: np.ndarray) -> int | None:
    """Index of the usable (heel-down, measured) frame with the greatest travel inside ``span``."""
    sl = slice(span.start, span.stop + 1)
    y = np.asarray(travel, dtype=float)[sl]
    u = np.asarray(usable, dtype=bool)[sl] & np.isfinite(y)
    if not u.any():
        return None
    cand = np.where(u, y, -np.inf)
    return span.start + int(np.argmax(cand))
