"""Fuzz the decoder path: seeded byte mutations (flip, insert, delete, overwrite, truncate) of a small mp4,
each through ``vision.video.probe`` + ``iter_frames``. The only exceptions allowed out are
``AnkleScreenError`` subclasses; no other exception, no crash (the worker process must not die), no hang
(each batch runs under a timeout)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from tests.badinputs.make import encode

N_CASES = 96
BATCH = 12
BATCH_TIMEOUT_S = 90

WORKER = textwrap.dedent(
    """
    import json, sys, traceback
    sys.path.insert(0, {repo!r})
    from screening.errors import AnkleScreenError
    from vision.video import iter_frames, probe
    for path in sys.argv[1:]:
        out = {{"path": path, "frames": 0, "error": None, "bad": None}}
        try:
            probe(path)
            for _ in iter_frames(path, 128):
                out["frames"] += 1
        except AnkleScreenError as exc:
            out["error"] = type(exc).__name__
            if "\\n" in exc.message or not exc.message.strip():
                out["bad"] = "message is not one line: " + repr(exc.message)
        except BaseException as exc:  # noqa: BLE001 - that is what the test looks for
            out["bad"] = f"{{type(exc).__name__}}: {{exc}}\\n" + traceback.format_exc()
        print(json.dumps(out), flush=True)
    """
)


def _mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.choice(("flip", "insert", "delete", "overwrite", "truncate", "zero_run"))
        pos = rng.randrange(len(b)) if b else 0
        if op == "flip" and b:
            b[pos] ^= 1 << rng.randrange(8)
        elif op == "insert":
            b[pos:pos] = rng.randbytes(rng.randint(1, 64))
        elif op == "delete" and b:
            del b[pos:pos + rng.randint(1, 256)]
        elif op == "overwrite" and b:
            n = rng.randint(1, 512)
            b[pos:pos + n] = rng.randbytes(min(n, len(b) - pos))
        elif op == "truncate":
            del b[pos:]
        elif op == "zero_run" and b:
            n = rng.randint(4, 64)
            b[pos:pos + n] = bytes(min(n, len(b) - pos))
    return bytes(b)


def test_fuzz_decoder(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frames = [np.clip(rng.normal(120, 40, (96, 128, 3)) + i * 4, 0, 255).astype(np.uint8) for i in range(12)]
    src = encode(tmp_path / "seed.mp4", frames, fps=12, gop=4)
    data = src.read_bytes()
    r = random.Random(20240607)
    paths = []
    for i in range(N_CASES):
        p = tmp_path / f"fuzz_{i:03d}.mp4"
        p.write_bytes(_mutate(data, r))
        paths.append(str(p))
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(repo=str(Path(__file__).resolve().parents[1])))
    results, failures = [], []
    for k in range(0, len(paths), BATCH):
        batch = paths[k:k + BATCH]
        proc = subprocess.run([sys.executable, str(script), *batch], capture_output=True, text=True,
                              timeout=BATCH_TIMEOUT_S)
        done = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        results += done
        if proc.returncode != 0 or len(done) != len(batch):
            failures.append(f"worker died (rc {proc.returncode}) after {len(done)} of {batch}: {proc.stderr[-800:]}")
        failures += [f"{d['path']}: {d['bad']}" for d in done if d["bad"]]
    print(f"fuzz cases run: {len(results)}; decoded some frames: {sum(1 for d in results if d['frames'])}; "
          f"refused with a message: {sum(1 for d in results if d['error'])}")
    assert not failures, "\n".join(failures[:5])
    assert len(results) == N_CASES
