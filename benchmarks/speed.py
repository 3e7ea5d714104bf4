"""Speed and memory benchmark (issue 8): ``python -m benchmarks.speed [--long-minutes 5] [--skip-long] [--json F]``.

1. bare MediaPipe Pose (model_complexity=1, segmentation on, the pipeline's settings) over the Pexels clip's
   frames at the resolution the pipeline feeds it (frames decoded beforehand, not timed);
2. the full ``analyze_clip`` on the same clip (everything ``ankle-screen analyze`` and the app compute, the
   other-people check included) with the models and spare helper processes an app session keeps between
   clips: the default (stride 2, median of ``--repeat`` runs), with the annotated video, stride 1 and 3; and
   once cold (models built, helpers started inside the call); each against bare inference on exactly the
   frames it posed;
3. peak memory of ``ankle-screen analyze`` (the CLI process and its helper processes) on the 10 s clip (and
   the command's wall time, Python start-up and model loading included) and on a long clip made by looping
   it (packets copied, no re-encode);
4. live mode: frames per second and latency from frame in to overlay out at 720p.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO.parent / "shared" / "realdata" / "side_squat_pexels_6980032.mp4"


def bare_inference(clip: Path, max_side_px: int, only: set[int] | None = None) -> dict[str, float]:
    """Plain ``mediapipe.solutions.pose.Pose`` (the pipeline's settings, none of its code: no adapter, no
    thread placement) on the clip's frames (all, or the frame indices ``only``), decoded beforehand."""
    import mediapipe as mp

    from vision.video import iter_frames

    frames = [(f.index, f.rgb) for f in iter_frames(clip, max_side_px) if only is None or f.index in only]
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                                  enable_segmentation=True, smooth_segmentation=False,  # as the pipeline
                                  min_detection_confidence=0.5, min_tracking_confidence=0.5)
    try:
        pose.process(frames[0][1])  # graph start, not counted
        pose.reset()
        t0 = time.perf_counter()
        for _, f in frames:
            pose.process(f)
        dt = time.perf_counter() - t0
    finally:
        pose.close()
    h, w = frames[0][1].shape[:2]
    return {"frames": len(frames), "seconds": dt, "fps": len(frames) / dt, "size": f"{w}x{h}"}


def session_models() -> Any:
    """The models and spare helper processes an app session keeps between clips (``ClipModels``), built and
    started before the clock runs, as after a user's first upload."""
    import numpy as np

    from vision.pipeline import ClipModels

    models = ClipModels()
    blank = np.zeros((64, 64, 3), np.uint8)
    models.pose(blank, 0, 0.0)
    models.people(blank, 0, 0.0)
    models.prepare_helpers()
    return models


def pipeline(clip: Path, annotated: bool, stride: int = 1, models: Any = None) -> dict[str, Any]:
    """One ``analyze_clip`` (everything the CLI and the app run: pose, silhouettes, camera tracking, the
    other-people check, the screen), with the session's ``models``; plus the annotated video if asked."""
    from vision.annotate import write_annotated
    from vision.pipeline import AnalyzeOptions, analyze_clip

    opts = AnalyzeOptions(sex="f", foot_length_cm=24.0, stride_frames=stride)
    time.sleep(1.0)  # the spare helpers started at the end of the previous clip finish starting, as between uploads
    t0 = time.perf_counter()
    a = analyze_clip(clip, opts, models=models)
    if annotated:
        with tempfile.TemporaryDirectory() as tmp:
            write_annotated(a, Path(tmp) / "a.mp4", opts.max_side_px, spares=None if models is None else models.helpers)
    dt = time.perf_counter() - t0
    n = a.info.frame_count_estimate
    return {"frames": n, "posed_frames": len(a.records), "posed": sorted(r.frame_index for r in a.records),
            "seconds": dt, "fps": n / dt, "duration_s": a.info.duration_s,
            "end_range_kpt_cm": [m.knee_past_toe_cm for m in a.result.attempts],
            "end_range_shin_deg": [m.shin_angle_deg for m in a.result.attempts]}


def loop_clip(src: Path, dst: Path, minutes: float) -> float:
    """Concatenate ``src`` with itself by copying packets (no re-encode) to about ``minutes`` long."""
    with av.open(str(src)) as probe:
        dur = float(probe.streams.video[0].duration * probe.streams.video[0].time_base)
    loops = max(1, int(round(minutes * 60 / dur)))
    with av.open(str(dst), "w") as out:
        ost = None
        offset = 0
        for _ in range(loops):
            with av.open(str(src)) as inp:
                ist = inp.streams.video[0]
                if ost is None:
                    ost = out.add_stream_from_template(ist)
                last = 0
                for pkt in inp.demux(ist):
                    if pkt.dts is None:
                        continue
                    pkt.pts = (pkt.pts or 0) + offset
                    pkt.dts = pkt.dts + offset
                    last = max(last, pkt.pts + (pkt.duration or 0))
                    pkt.stream = ost
                    out.mux(pkt)
                offset = last
    return loops * dur


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """Memory of a process and all its descendants (the decoder child included), kB: the proportional
    set size, which counts a page shared by both (the frame slots, the same libraries) once, not twice;
    and the plain sum of resident set sizes, which counts shared pages in each process."""
    pss = rss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return pss, rss


def peak_memory_mb(clip: Path) -> tuple[float, float, float]:
    """Run the CLI in a child process; return peak memory of it and its decoder process (PSS MB, summed RSS
    MB) and the wall seconds.

    The process tree's proportional set size is sampled every 20 ms (``ru_maxrss`` would carry over the
    parent's peak across fork+exec, and would miss the decoder child)."""
    code = (
        "import sys;from ankle_cli.main import main;sys.argv=['ankle-screen','analyze',sys.argv[1],'-q',"
        "'--foot-length-cm','24','--max-duration-s','0'];\ntry:\n main()\nexcept SystemExit:\n pass\n"
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(clip)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=REPO)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss, rss = _tree_memory_kb(proc.pid)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.02)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.read().decode()[-2000:] if proc.stderr else "CLI failed")
    return peak_pss / 1024.0, peak_rss / 1024.0, dt


def live(clip: Path, seconds: float = 10.0, long_side_px: int | None = None) -> dict[str, float]:
    """Live path at 720p: a fixed-size processor step per frame (pose + live state + overlay)."""
    import numpy as np

    from vision.video import iter_frames

    frames = []
    for f in iter_frames(clip, 1280):
        img = f.rgb
        if img.shape[0] > img.shape[1]:  # make a 1280x720 landscape frame like a webcam's
            canvas = np.zeros((720, 1280, 3), np.uint8)
            small = img[:: max(1, img.shape[0] // 720)][:720, :]
            canvas[: small.shape[0], : min(1280, small.shape[1])] = small[:, :1280]
            img = canvas
        frames.append(img)
    try:
        from vision.live import LONG_SIDE_PX, LiveProcessor, LiveSettings  # built for the app

        # a foot length, as the app asks for: the first frame is searched for upright lines, attempts' frames kept
        proc = LiveProcessor(LiveSettings(sex="f", foot_length_cm=24.0, long_side_px=long_side_px or LONG_SIDE_PX))
        step = proc.process
    except ImportError:
        from vision.draw import OverlayState, draw_overlay
        from vision.pipeline import observe_frame
        from vision.pose import MediaPipePose

        est = MediaPipePose(video_mode=True)

        def step(rgb, t):  # type: ignore[no-untyped-def]
            rec = observe_frame(rgb, 0, t, est)
            return draw_overlay(rgb, OverlayState(knee_px=rec.xy_px[25] if rec.xy_px is not None else None))

    step(frames[0], 0.0)
    lat = []
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < seconds:
        img = frames[n % len(frames)]
        s = time.perf_counter()
        step(img, n / 30.0)
        lat.append(time.perf_counter() - s)
        n += 1
    dt = time.perf_counter() - t0
    lat_sorted = sorted(lat)
    out = {"frames": n, "fps": n / dt, "latency_ms_median": 1000 * lat_sorted[len(lat) // 2],
           "latency_ms_p95": 1000 * lat_sorted[int(len(lat) * 0.95)]}
    if "proc" in locals():  # the session's result: its frames measured like a clip's (STOP, then the result)
        s = time.perf_counter()
        res = proc.result()
        out["result_s"] = time.perf_counter() - s
        out["attempts"] = len(res.attempts)
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, no GPU"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clip", type=Path, default=CLIP)
    ap.add_argument("--long-minutes", type=float, default=5.0)
    ap.add_argument("--skip-long", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--repeat", type=int, default=5, help="runs of the default setting (the median is reported)")
    args = ap.parse_args()
    from vision.pipeline import DEFAULT_MAX_SIDE_PX

    out: dict[str, object] = {"machine": machine(), "clip": args.clip.name}
    print("machine:", out["machine"])
    bare = bare_inference(args.clip, DEFAULT_MAX_SIDE_PX)
    print(f"1. bare MediaPipe: {bare['frames']} frames at {bare['size']} in {bare['seconds']:.2f} s = {bare['fps']:.1f} fps")
    models = session_models()
    try:
        default = [pipeline(args.clip, annotated=False, stride=2, models=models) for _ in range(args.repeat)]
        default.sort(key=lambda p: p["seconds"])
        median = default[len(default) // 2]
        median["all_seconds"] = [round(p["seconds"], 3) for p in default]
        runs = {
            f"default (stride 2), median of {args.repeat}": median,
            "default + annotated video": pipeline(args.clip, annotated=True, stride=2, models=models),
            "--stride 1 (every frame posed)": pipeline(args.clip, annotated=False, stride=1, models=models),
            "--stride 1 + annotated video": pipeline(args.clip, annotated=True, stride=1, models=models),
            "--stride 3": pipeline(args.clip, annotated=False, stride=3, models=models),
            "default, cold (models built and helpers started inside the call)": pipeline(args.clip, annotated=False,
                                                                                          stride=2),
        }
    finally:
        models.close()
    print(f"2. default runs: {median['all_seconds']} s")
    for name, p in runs.items():
        same = bare if p["posed_frames"] == bare["frames"] else bare_inference(args.clip, DEFAULT_MAX_SIDE_PX, set(p["posed"]))
        p["bare_same_frames_s"] = same["seconds"]
        dur = p["duration_s"]
        print(f"2. {name}: {p['seconds']:.2f} s = {p['fps']:.1f} fps ({p['posed_frames']} frames posed); "
              f"{dur / p['seconds']:.2f}x real time; {p['seconds'] / same['seconds']:.2f}x bare inference on the "
              f"same {p['posed_frames']} frames ({same['seconds']:.2f} s)")
    dur = median["duration_s"]
    out.update(bare=bare, runs=runs)
    pss10, rss10, t10 = peak_memory_mb(args.clip)
    print(f"3. peak memory, {dur:.0f} s clip: {pss10:.0f} MB PSS ({rss10:.0f} MB RSS summed over the CLI and its "
          f"helper processes; {t10:.1f} s wall for the whole `ankle-screen analyze` command incl. Python start-up, "
          f"imports and model loading = {dur / t10:.2f}x real time)")
    out.update(pss_10s_mb=pss10, rss_10s_mb=rss10, cli_wall_10s=t10)
    if not args.skip_long:
        with tempfile.TemporaryDirectory() as tmp:
            long_clip = Path(tmp) / "long.mp4"
            long_s = loop_clip(args.clip, long_clip, args.long_minutes)
            pss_long, rss_long, t_long = peak_memory_mb(long_clip)
        print(f"3. peak memory, {long_s / 60:.1f} min clip: {pss_long:.0f} MB PSS ({rss_long:.0f} MB RSS summed; "
              f"{t_long:.0f} s wall, {long_s / t_long:.2f}x real time)")
        out.update(pss_long_mb=pss_long, rss_long_mb=rss_long, long_minutes=long_s / 60, long_wall_s=t_long)
    lv = live(args.clip)
    print(f"4. live 720p: {lv['fps']:.1f} fps, latency median {lv['latency_ms_median']:.0f} ms, "
          f"p95 {lv['latency_ms_p95']:.0f} ms"
          + (f"; the session's result ({lv['attempts']} attempts, {lv['frames']} frames measured like a clip) "
             f"{lv['result_s']:.2f} s" if "result_s" in lv else ""))
    out["live"] = lv
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
