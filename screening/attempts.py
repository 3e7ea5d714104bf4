"""Attempt segmentation: each forward drive of the knee and its return, and its end range."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AttemptConfig:
    min_range_deg: float = 6.0  # below this the clip is one held attempt
    level_fraction: float = 0.5  # an attempt is where travel is above low + fraction * (high - low)
    merge_gap_s: float = 0.35
    min_duration_s: float = 0.12


@dataclass(frozen=True)
class AttemptSpan:
    start: int  # first frame index into the series (inclusive)
    stop: int  # last frame index (inclusive)


def segment_attempts(time_s: np.ndarray, travel: np.ndarray, cfg: AttemptConfig = AttemptConfig()) -> list[AttemptSpan]:
    """Split a knee-travel series (e.g. shin angle, deg) into attempts.

    An attempt is a run of frames where travel is in the upper part of the clip's range; runs closer
    than ``merge_gap_s`` are merged. Runs touching the clip's start or end count (a clip may begin or
    end at the bottom of a rep). Each span is widened to the nearest low points either side.
    """
    t = np.asarray(time_s, dtype=float)
    y = np.asarray(travel, dtype=float)
    ok = np.isfinite(y)
    if ok.sum() == 0:
        return []
    lo, hi = np.percentile(y[ok], [5, 95])
    idx_ok = np.where(ok)[0]
    if hi - lo < cfg.min_range_deg:
        return [AttemptSpan(int(idx_ok[0]), int(idx_ok[-1]))]
    level = lo + cfg.level_fraction * (hi - lo)
    above = ok & (y >= level)
    runs: list[list[int]] = []
    i = 0
    n = len(y)
    while i < n:
        if above[i]:
            j = i
            while j + 1 < n and (above[j + 1] or not ok[j + 1]):
                j += 1
            while not ok[j]:
                j -= 1
            runs.append([i, j])
            i = j + 1
        else:
            i += 1
    merged: list[list[int]] = []
    for r in runs:
        if merged and t[r[0]] - t[merged[-1][1]] < cfg.merge_gap_s:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    merged = [r for r in merged if t[r[1]] - t[r[0]] >= cfg.min_duration_s or len(merged) == 1]
    spans: list[AttemptSpan] = []
    valley = lo + 0.25 * (hi - lo)
    for k, (a, b) in enumerate(merged):
        left_limit = merged[k - 1][1] + 1 if k > 0 else 0
        right_limit = merged[k + 1][0] - 1 if k + 1 < len(merged) else n - 1
        s = a
        while s - 1 >= left_limit and (not ok[s - 1] or y[s - 1] > valley):
            s -= 1
        e = b
        while e + 1 <= right_limit and (not ok[e + 1] or y[e + 1] > valley):
            e += 1
        spans.append(AttemptSpan(s, e))
    return spans


def end_range_index(span: AttemptSpan, travel: np.ndarray, usable: np.ndarray) -> int | None:
    """Index of the usable (heel-down, measured) frame with the greatest travel inside ``span``."""
    sl = slice(span.start, span.stop + 1)
    y = np.asarray(travel, dtype=float)[sl]
    u = np.asarray(usable, dtype=bool)[sl] & np.isfinite(y)
    if not u.any():
        return None
    cand = np.where(u, y, -np.inf)
    return span.start + int(np.argmax(cand))
