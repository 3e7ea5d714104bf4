"""History safety through the real CLI (tests/test_history.py covers the store itself): a foreign or damaged
database file gets exit code 2 and ONE plain line, and is left byte-for-byte untouched."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ankle_cli", *args], capture_output=True, text=True, timeout=120)


def _foreign(p: Path) -> None:
    c = sqlite3.connect(p)
    c.execute("CREATE TABLE photos (a)")
    c.execute("INSERT INTO photos VALUES (1)")
    c.commit()
    c.close()


@pytest.mark.parametrize("kind", ["text", "foreign_sqlite", "garbage_after_header"])
def test_cli_refuses_foreign_db_with_one_line(tmp_path: Path, kind: str) -> None:
    p = tmp_path / "history.sqlite3"
    if kind == "text":
        p.write_text("my notes\n" * 100)
    elif kind == "foreign_sqlite":
        _foreign(p)
    else:
        p.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 30)
    before = p.read_bytes()
    proc = _cli("history", "--db", str(p))
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("ankle-screen: ") and "Traceback" not in proc.stderr
    assert "untouched" in lines[0] or "not" in lines[0]
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["history.sqlite3"]  # no -wal/-journal left behind
