"""Messages between this process and its helper processes (decoder, silhouettes): length-prefixed pickles
on a pipe. Only our own processes are at either end; nothing leaves the machine."""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
import weakref
from multiprocessing import shared_memory
from pathlib import Path
from typing import IO, Any

import numpy as np

_HEADER = struct.Struct("<I")


def send(pipe: IO[bytes], msg: Any) -> None:
    blob = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_HEADER.pack(len(blob)) + blob)
    pipe.flush()


def _read_exact(pipe: IO[bytes], n: int) -> bytes | None:
    chunks = []
    while n > 0:
        chunk = pipe.read(n)
        if not chunk:
            return None  # the other side has gone
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(pipe: IO[bytes]) -> Any:
    """The next message, or None when the other side has closed its end."""
    head = _read_exact(pipe, _HEADER.size)
    if head is None:
        return None
    blob = _read_exact(pipe, _HEADER.unpack(head)[0])
    return None if blob is None else pickle.loads(blob)


def start_helper(module: str, buffered: bool = True) -> subprocess.Popen[bytes]:
    """``python -m module`` as a plain child process (nothing of the caller's main module is re-run), with
    this repository importable, talking on its stdin/stdout. ``buffered=False`` lets the parent poll the
    child's stdout with ``select`` without data hiding in a Python buffer."""
    env = dict(os.environ)
    # one thread for numpy's BLAS: its worker threads, started when numpy is imported (before the child moves to
    # its core), otherwise spin after each small matrix product and took a whole core from the pose model
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.Popen(
        [sys.executable, "-m", module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=root,  # `-m` puts the working directory first on the path: this repository's modules, not another's
        bufsize=-1 if buffered else 0,
    )


def stop_helper(proc: subprocess.Popen[bytes], send_stop: bool = True) -> None:
    """Ask a helper to stop, close its pipes and reap it (killed if it does not stop within 2 s)."""
    if send_stop and proc.stdin is not None:
        try:
            send(proc.stdin, ("stop",))
        except (BrokenPipeError, OSError, ValueError):
            pass
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:
                pass
    try:
        proc.wait(timeout=2.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=2.0)


def keep_shared_memory_of_parent() -> None:
    """In a child: attaching to the parent's shared memory must not register it with this process's resource
    tracker (which would unlink it when the child exits)."""
    try:
        from multiprocessing import resource_tracker

        resource_tracker.register = lambda *a, **k: None
    except ImportError:
        pass


class SpareHelpers:
    """Helper processes started before they are needed, one per (module, buffering): a new interpreter and its
    imports take ~0.15-0.3 s of the core the pose model leaves free, which otherwise delays the first frame and
    competes with decoding at the start of every clip. A spare waits (no CPU) for its first message; ``take``
    hands it over and ``prepare`` starts the next one after a clip. If its parent goes, a spare reads the end
    of its stdin and exits."""

    def __init__(self) -> None:
        self._spare: dict[tuple[str, bool], subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        weakref.finalize(self, _stop_all, self._spare)  # e.g. an app session that ends without close()

    def prepare(self, module: str, buffered: bool = True) -> None:
        """Start a spare for ``module`` unless one is waiting."""
        with self._lock:
            proc = self._spare.get((module, buffered))
            if proc is None or proc.poll() is not None:
                self._spare[(module, buffered)] = start_helper(module, buffered)

    def take(self, module: str, buffered: bool = True) -> subprocess.Popen[bytes]:
        """A started helper: the spare if one is alive, else a new one."""
        with self._lock:
            proc = self._spare.pop((module, buffered), None)
        if proc is not None and proc.poll() is None:
            return proc
        return start_helper(module, buffered)

    def waiting(self) -> dict[str, int]:
        """Module -> process id of each spare that is alive and waiting."""
        with self._lock:
            return {m: p.pid for (m, _), p in self._spare.items() if p.poll() is None}

    def close(self) -> None:
        """Stop the waiting spares (idempotent)."""
        with self._lock:
            _stop_all(self._spare)


def _stop_all(spares: dict[tuple[str, bool], subprocess.Popen[bytes]]) -> None:
    procs = list(spares.values())
    spares.clear()
    for proc in procs:
        stop_helper(proc, send_stop=False)


class Helper:
    """A helper process (``python -m module``) and a block of ``slots`` x ``slot_shape`` uint8 shared with it.

    The child gets ``args`` plus the block's name, its layout and the core to run on (the one the pose model
    leaves free, ``vision.pose.decoder_core``) as its first message; ``attach`` is the child's side. The child
    is taken from ``spares`` when given (already started), else started now."""

    def __init__(self, module: str, slots: int, slot_shape: tuple[int, ...], args: dict[str, Any],
                 buffered: bool = True, spares: SpareHelpers | None = None) -> None:
        from vision.pose import decoder_core

        self._closed = False
        self._shm = shared_memory.SharedMemory(create=True, size=slots * int(np.prod(slot_shape)))
        self._slots: np.ndarray | None = np.ndarray((slots, *slot_shape), dtype=np.uint8, buffer=self._shm.buf)
        self._proc = spares.take(module, buffered) if spares is not None else start_helper(module, buffered)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._to_child, self._from_child = self._proc.stdin, self._proc.stdout
        send(self._to_child, {**args, "shm": self._shm.name, "slots": slots, "slot_shape": tuple(slot_shape),
                              "core": decoder_core()})

    def close(self) -> None:
        """Stop the child and free the shared block (idempotent)."""
        if self._closed:
            return
        self._closed = True
        stop_helper(self._proc)
        self._slots = None
        self._shm.close()
        try:
            self._shm.unlink()
        except FileNotFoundError:
            pass


def attach(inp: IO[bytes]) -> tuple[dict[str, Any], shared_memory.SharedMemory, np.ndarray] | None:
    """In a child: read the parent's first message, move to the given core and map the shared slots.
    None if the parent has already gone."""
    args = receive(inp)
    if args is None:
        return None
    if args.get("core") is not None:
        try:
            os.sched_setaffinity(0, {int(args["core"])})
        except (AttributeError, OSError):
            pass
    keep_shared_memory_of_parent()
    shm = shared_memory.SharedMemory(name=args["shm"])
    slots: np.ndarray = np.ndarray((args["slots"], *args["slot_shape"]), dtype=np.uint8, buffer=shm.buf)
    return args, shm, slots
