"""Overlay drawing (SPEC 7): landmarks, tibia line, floor line, toe line, fist mark, numbers, heel warning."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from screening.geometry import floor_up_normal, unit

GREEN = (40, 200, 90)
RED = (230, 50, 50)
AMBER = (250, 180, 30)
WHITE = (255, 255, 255)
CYAN = (40, 190, 230)
BLUE = (70, 120, 255)
GREY = (170, 170, 170)
LILAC = (200, 150, 255)


@dataclass(frozen=True, eq=False)
class OverlayState:
    """What to draw on one frame; every point is optional (None/NaN = not drawn). Pixels, upright frame."""

    knee_px: np.ndarray | None = None
    ankle_px: np.ndarray | None = None
    heel_px: np.ndarray | None = None
    toe_px: np.ndarray | None = None
    hip_px: np.ndarray | None = None
    kneecap_front_px: np.ndarray | None = None
    toe_tip_px: np.ndarray | None = None
    forward: np.ndarray | None = None
    px_per_cm: float | None = None
    fist_width_cm: float | None = None
    knee_past_toe_cm: float | None = None
    shin_angle_deg: float | None = None
    heel_down: bool | None = None
    bbox_px: tuple[float, float, float, float] | None = None
    side: str | None = None
    banner: str | None = None  # e.g. "END RANGE attempt 2"
    message: str | None = None  # e.g. a failed view check
    upright_lines_px: np.ndarray | None = None  # (N, 4) the background lines the camera's tilt was read from


def _ok(p: np.ndarray | None) -> bool:
    return p is not None and bool(np.all(np.isfinite(p)))


def _pt(p: np.ndarray | tuple[float, float]) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color: tuple[int, int, int]) -> None:
    th = max(1, int(round(scale * 2)))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), th + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, th, cv2.LINE_AA)


def draw_overlay(rgb: np.ndarray, s: OverlayState) -> np.ndarray:
    """Return a copy of ``rgb`` with the overlay drawn."""
    img = np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    unit_px = max(h, w) / 1280.0
    lw = max(1, int(round(2 * unit_px)))
    fs = 0.7 * unit_px
    if s.bbox_px is not None:
        x0, y0, x1, y1 = (int(v) for v in s.bbox_px)
        cv2.rectangle(img, (x0, y0), (x1, y1), GREY, max(1, lw // 2))
    if s.upright_lines_px is not None:  # thin, so the user sees what the 3-D measurement leaned on
        for x0, y0, x1, y1 in np.asarray(s.upright_lines_px, float).reshape(-1, 4):
            cv2.line(img, _pt((x0, y0)), _pt((x1, y1)), LILAC, max(1, lw // 2), cv2.LINE_AA)
    f = unit(s.forward) if s.forward is not None and _ok(s.forward) else None
    up = floor_up_normal(f) if f is not None else None
    # floor line through heel and toe
    if f is not None and _ok(s.toe_tip_px if _ok(s.toe_tip_px) else s.toe_px):
        base = s.toe_tip_px if _ok(s.toe_tip_px) else s.toe_px
        assert base is not None
        a, b = base - f * 2 * w, base + f * 2 * w
        cv2.line(img, _pt(a), _pt(b), CYAN, lw, cv2.LINE_AA)
        # toe line and fist mark, perpendicular to the floor
        assert up is not None
        length = 0.35 * h
        cv2.line(img, _pt(base), _pt(base + up * length), WHITE, lw, cv2.LINE_AA)
        if s.px_per_cm and s.fist_width_cm:
            fm = base + f * s.fist_width_cm * s.px_per_cm
            cv2.line(img, _pt(fm), _pt(fm + up * length), AMBER, lw, cv2.LINE_AA)
            _text(img, "fist", _pt(fm + up * (length + 10 * unit_px)), fs * 0.8, AMBER)
    # leg
    pts = [p for p in (s.hip_px, s.knee_px, s.ankle_px, s.heel_px, s.toe_px) if _ok(p)]
    for p, q in ((s.hip_px, s.knee_px), (s.ankle_px, s.heel_px), (s.heel_px, s.toe_px), (s.ankle_px, s.toe_px)):
        if _ok(p) and _ok(q):
            cv2.line(img, _pt(p), _pt(q), GREY, max(1, lw // 2), cv2.LINE_AA)  # type: ignore[arg-type]
    if _ok(s.knee_px) and _ok(s.ankle_px):
        assert s.knee_px is not None and s.ankle_px is not None
        d = s.knee_px - s.ankle_px
        cv2.line(img, _pt(s.ankle_px - 0.15 * d), _pt(s.knee_px + 0.25 * d), BLUE, lw + 1, cv2.LINE_AA)
    for p in pts:
        assert p is not None  # kept by _ok
        cv2.circle(img, _pt(p), max(2, lw + 1), WHITE, -1, cv2.LINE_AA)
    for p, col in ((s.kneecap_front_px, GREEN), (s.toe_tip_px, GREEN)):
        if _ok(p):
            cv2.circle(img, _pt(p), max(3, lw + 2), col, -1, cv2.LINE_AA)  # type: ignore[arg-type]
    # numbers panel
    lines: list[tuple[str, tuple[int, int, int]]] = []
    if s.side:
        lines.append((f"{s.side} ankle", WHITE))
    if s.knee_past_toe_cm is not None and math.isfinite(s.knee_past_toe_cm):
        fw = f"  ({s.knee_past_toe_cm / s.fist_width_cm:.2f} fists)" if s.fist_width_cm else ""
        col = GREEN if s.fist_width_cm and s.knee_past_toe_cm >= s.fist_width_cm else WHITE
        lines.append((f"knee past toe {s.knee_past_toe_cm:+.1f} cm{fw}", col))
    if s.shin_angle_deg is not None and math.isfinite(s.shin_angle_deg):
        lines.append((f"shin angle {s.shin_angle_deg:.1f} deg", WHITE))
    if s.heel_down is not None:
        lines.append(("heel down" if s.heel_down else "HEEL LIFTED - keep it down", GREEN if s.heel_down else RED))
    y = int(40 * unit_px)
    for text, col in lines:
        _text(img, text, (int(16 * unit_px), y), fs, col)
        y += int(34 * unit_px)
    if s.heel_down is False:
        cv2.rectangle(img, (0, 0), (w - 1, h - 1), RED, max(4, 3 * lw))
    if s.banner:
        _text(img, s.banner, (int(16 * unit_px), h - int(24 * unit_px)), fs, AMBER)
    if s.message:
        _text(img, s.message, (int(16 * unit_px), h - int(60 * unit_px)), fs * 0.8, RED)
    return img


def side_by_side(left: np.ndarray, right: np.ndarray, labels: tuple[str, str] = ("before", "after")) -> np.ndarray:
    """Two frames next to each other at the same height, labelled."""
    h = max(left.shape[0], right.shape[0])

    def fit(im: np.ndarray) -> np.ndarray:
        s = h / im.shape[0]
        return cv2.resize(im, (int(im.shape[1] * s), h)) if s != 1 else im

    a, b = fit(left), fit(right)
    gap = np.full((h, 12, 3), 255, np.uint8)
    out = np.ascontiguousarray(np.hstack([a, gap, b]))
    _text(out, labels[0], (12, h - 16), h / 1000, WHITE)
    _text(out, labels[1], (a.shape[1] + 24, h - 16), h / 1000, WHITE)
    return out
