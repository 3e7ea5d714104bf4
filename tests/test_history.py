"""History store: round trip, path overrides, refusal of foreign/corrupt files, crash safety, CLI."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.errors import HistoryError
from screening.history import (
    APPLICATION_ID,
    DEFAULT_PATH,
    ENV_VAR,
    SCHEMA_VERSION,
    HistoryStore,
    history_points,
    resolve_db_path,
)

REPO = Path(__file__).resolve().parents[1]


def result(side: str = "left", cm: float | None = 3.5, verdict: str = "fail") -> dict:
    return {"source": "clip.mp4", "side": side, "fist_width_cm": 10.2,
            "scale": {"px_per_cm": 11.0, "source": "marker", "uncertainty_cm": 0.25, "relative_uncertainty": 0.01},
            "best": {"knee_past_toe_cm": cm, "fist_widths": None if cm is None else cm / 10.2,
                     "shin_angle_deg": 31.0, "verdict": verdict, "reason": ""},
            "attempts": [], "frames": {}}


def test_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    t0 = dt.datetime(2025, 3, 1, 9, 30)
    with HistoryStore.open(db) as s:
        a = s.add(result(), timestamp=t0, notes="baseline")
        b = s.add(result("right", 12.0, "pass"), timestamp=t0 + dt.timedelta(days=7), source_file="r.mp4")
        s.add(result("left", None, "not_measured"), timestamp=t0 + dt.timedelta(days=8))
    with HistoryStore.open(db) as s:
        es = s.entries()
        assert [e.id for e in es] == [a, b, b + 1]
        e = es[0]
        assert (e.side, e.verdict, e.knee_past_toe_cm, e.shin_angle_deg) == ("left", "fail", 3.5, 31.0)
        assert (e.scale_source, e.scale_uncertainty_cm, e.notes) == ("marker", 0.25, "baseline")
        assert e.timestamp == "2025-03-01T09:30:00" and e.result()["best"]["knee_past_toe_cm"] == 3.5
        assert es[1].source_file == "r.mp4" and es[0].source_file == "clip.mp4"
        assert [x.id for x in s.entries("right")] == [b]
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert s.integrity_check() == "ok"
        pts = history_points(es)
        assert len(pts) == 3 and pts[0].date == dt.date(2025, 3, 1)
        n = s.to_csv(tmp_path / "h.csv", "left")
        assert n == 2 and (tmp_path / "h.csv").read_text().startswith("id,timestamp,side")

        assert s.delete(a) and not s.delete(a)
        with pytest.raises(HistoryError):
            s.get(a)


def test_path_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_db_path() == DEFAULT_PATH.expanduser()
    assert str(resolve_db_path()).endswith(".ankle_screen/history.sqlite3")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    assert resolve_db_path() == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "opt.db") == tmp_path / "opt.db"  # option beats env
    with HistoryStore.open() as s:
        s.add(result())
    assert (tmp_path / "env.db").exists()


def test_default_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with HistoryStore.open() as s:
        s.add(result())
    assert (tmp_path / ".ankle_screen" / "history.sqlite3").exists()


def _refused(path: Path) -> None:
    before = path.read_bytes()
    with pytest.raises(HistoryError) as ei:
        HistoryStore.open(path)
    assert str(path) in ei.value.message
    assert path.read_bytes() == before
    assert not Path(str(path) + "-wal").exists()


def test_text_file_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("my precious notes\n" * 50)
    _refused(p)


def test_foreign_sqlite_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "other.db"
    c = sqlite3.connect(p)
    c.execute("CREATE TABLE t (a)")
    c.execute("INSERT INTO t VALUES (1)")
    c.commit()
    c.close()
    _refused(p)


def test_corrupt_sqlite_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "h.sqlite3"
    with HistoryStore.open(p) as s:
        for _ in range(30):
            s.add(result())
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray(p.read_bytes())
    raw[100:4096] = os.urandom(3996)  # smash the schema page, keep the header
    p.write_bytes(bytes(raw))
    _refused(p)


def test_newer_schema_refused(tmp_path: Path) -> None:
    p = tmp_path / "h.sqlite3"
    with HistoryStore.open(p) as s:
        s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer"):
        HistoryStore.open(p)


def test_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(HistoryError):
        HistoryStore.open(tmp_path)


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {repo!r})
    from screening.history import HistoryStore
    s = HistoryStore.open(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        s.add({{"side": "left", "best": {{"verdict": "fail", "knee_past_toe_cm": i * 0.01}}, "pad": "x" * 2000}})
    """
)


def test_killed_writer_never_corrupts(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(repo=str(REPO)))
    rng = random.Random(1234)
    counts = []
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, str(script), str(db)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.08))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with HistoryStore.open(db) as s:
            assert s.integrity_check() == "ok"
            counts.append(len(s.entries()))
    assert counts == sorted(counts) and counts[-1] > 0


# ---- CLI ------------------------------------------------------------------------------------
def _app():
    import ankle_cli.history  # noqa: F401
    from ankle_cli.main import app

    return app


def test_cli_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    db = tmp_path / "opt.db"
    runner = CliRunner()
    r = runner.invoke(_app(), ["history", "--db", str(db)])
    assert r.exit_code == 0 and "No history yet" in r.output and not db.exists()
    rj = tmp_path / "r.json"
    rj.write_text(json.dumps(result()))
    r = runner.invoke(_app(), ["history", "--db", str(db), "--add", str(rj), "--notes", "first"])
    assert r.exit_code == 0, r.output
    assert "Saved as entry 1" in r.output
    r = runner.invoke(_app(), ["history", "--db", str(db), "--side", "left", "--csv", str(tmp_path / "o.csv"),
                               "--plot", str(tmp_path / "t.png")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o.csv").read_text().count("\n") == 2
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "env.db").exists()  # --db beats the env var
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    r = runner.invoke(_app(), ["history", "--db", str(bad)])
    assert isinstance(r.exception, HistoryError)


def test_each_entry_says_how_it_was_measured(tmp_path: Path) -> None:
    """A trend mixing flat (2-D) and 3-D entries mixes methods: each row and the CSV say which it was."""
    flat, lines = result(), result()
    lines["view"] = {"camera_model": {"used": True, "source": "upright_lines"}}
    with HistoryStore.open(tmp_path / "h.sqlite3") as s:
        s.add(flat)
        s.add(lines)
        assert [e.row()["measured"] for e in s.entries()] == ["2d", "upright_lines"]
        s.to_csv(tmp_path / "h.csv")
    head, first, second = (tmp_path / "h.csv").read_text().splitlines()[:3]
    col = head.split(",").index("measured")
    assert first.split(",")[col] == "2d" and second.split(",")[col] == "upright_lines"
