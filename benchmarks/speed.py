"""Speed and memory benchmark (issue 8): ``python -m benchmarks.speed [--long-minutes 5] [--write-docs]``.

1. bare MediaPipe Pose (model_complexity=1, segmentation on) over the Pexels clip's frames at the
   resolution the pipeline feeds it (frames decoded beforehand, not timed);
2. the full ``analyze`` pipeline on the same clip, without and with the annotated video;
3. peak resident memory of ``ankle-screen analyze`` on the 10 s clip and on a long clip made by
   looping it (packets copied, no re-encode), each in its own process;
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

import av

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO.parent / "shared" / "realdata" / "side_squat_pexels_6980032.mp4"


def bare_inference(clip: Path, max_side_px: int) -> dict[str, float]:
    from vision.pose import MediaPipePose
    from vision.video import iter_frames

    frames = [f.rgb for f in iter_frames(clip, max_side_px)]
    est = MediaPipePose(video_mode=True)
    est(frames[0], 0, 0.0)  # model load and graph start, not counted
    est.reset()
    est(frames[0], 0, 0.0)
    t0 = time.perf_counter()
    for i, f in enumerate(frames):
        est(f, i, i / 30.0)
    dt = time.perf_counter() - t0
    return {"frames": len(frames), "seconds": dt, "fps": len(frames) / dt, "size": f"{frames[0].shape[1]}x{frames[0].shape[0]}"}


def pipeline(clip: Path, annotated: bool, stride: int = 1) -> dict[str, float]:
    from vision.annotate import write_annotated
    from vision.pipeline import AnalyzeOptions, analyze_clip
    from vision.pose import MediaPipePose

    est = MediaPipePose(video_mode=True)
    est(__import__("numpy").zeros((64, 64, 3), "uint8"), 0, 0.0)  # model load, not counted (cached per session)
    opts = AnalyzeOptions(sex="f", foot_length_cm=24.0, stride_frames=stride)
    t0 = time.perf_counter()
    a = analyze_clip(clip, opts, estimator=est)
    if annotated:
        with tempfile.TemporaryDirectory() as tmp:
            write_annotated(a, Path(tmp) / "a.mp4", opts.max_side_px)
    dt = time.perf_counter() - t0
    n = a.info.frame_count_estimate
    return {"frames": n, "posed_frames": len(a.records), "seconds": dt, "fps": n / dt, "duration_s": a.info.duration_s}


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


def peak_rss_mb(clip: Path) -> tuple[float, float]:
    """Run the CLI in a child process; return (peak RSS MB, wall seconds).

    VmHWM of the child's own address space is used: ``ru_maxrss`` would carry over the parent's peak
    across fork+exec."""
    code = (
        "import sys;from ankle_cli.main import main;sys.argv=['ankle-screen','analyze',sys.argv[1],'-q',"
        "'--foot-length-cm','24','--max-duration-s','0'];\ntry:\n main()\nexcept SystemExit:\n pass\n"
        "print('RSS', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(clip)], capture_output=True, text=True, cwd=REPO)
    dt = time.perf_counter() - t0
    rss = [line for line in proc.stdout.splitlines() if line.startswith("RSS")]
    if not rss:
        raise RuntimeError(proc.stderr[-2000:])
    return int(rss[-1].split()[1]) / 1024.0, dt


def live(clip: Path, seconds: float = 10.0) -> dict[str, float]:
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
        from vision.live import LiveProcessor  # built for the app

        proc = LiveProcessor()
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
    return {"frames": n, "fps": n / dt, "latency_ms_median": 1000 * lat_sorted[len(lat) // 2],
            "latency_ms_p95": 1000 * lat_sorted[int(len(lat) * 0.95)]}


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
    args = ap.parse_args()
    from vision.pipeline import DEFAULT_MAX_SIDE_PX

    out: dict[str, object] = {"machine": machine(), "clip": args.clip.name}
    print("machine:", out["machine"])
    bare = bare_inference(args.clip, DEFAULT_MAX_SIDE_PX)
    print(f"1. bare MediaPipe: {bare['frames']} frames at {bare['size']} in {bare['seconds']:.2f} s = {bare['fps']:.1f} fps")
    p0 = pipeline(args.clip, annotated=False)
    p1 = pipeline(args.clip, annotated=True)
    p2 = pipeline(args.clip, annotated=False, stride=2)
    p3 = pipeline(args.clip, annotated=False, stride=3)
    dur = p0["duration_s"]
    for name, p in (("pipeline", p0), ("pipeline + annotated video", p1), ("pipeline --stride 2", p2), ("pipeline --stride 3", p3)):
        print(f"2. {name}: {p['seconds']:.2f} s = {p['fps']:.1f} fps ({p['posed_frames']} frames posed); "
              f"{dur / p['seconds']:.2f}x real time; {p['seconds'] / bare['seconds']:.2f}x bare inference time")
    out.update(bare=bare, pipeline=p0, pipeline_annotated=p1, pipeline_stride2=p2, pipeline_stride3=p3)
    rss10, t10 = peak_rss_mb(args.clip)
    print(f"3. peak RSS, {dur:.0f} s clip: {rss10:.0f} MB ({t10:.1f} s wall incl. start-up)")
    out["rss_10s_mb"] = rss10
    if not args.skip_long:
        with tempfile.TemporaryDirectory() as tmp:
            long_clip = Path(tmp) / "long.mp4"
            long_s = loop_clip(args.clip, long_clip, args.long_minutes)
            rss_long, t_long = peak_rss_mb(long_clip)
        print(f"3. peak RSS, {long_s / 60:.1f} min clip: {rss_long:.0f} MB ({t_long:.0f} s wall, "
              f"{long_s / t_long:.2f}x real time)")
        out.update(rss_long_mb=rss_long, long_minutes=long_s / 60, long_wall_s=t_long)
    lv = live(args.clip)
    print(f"4. live 720p: {lv['fps']:.1f} fps, latency median {lv['latency_ms_median']:.0f} ms, "
          f"p95 {lv['latency_ms_p95']:.0f} ms")
    out["live"] = lv
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
