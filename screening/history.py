"""History of screens in SQLite (stdlib ``sqlite3``).

- Path: explicit argument / ``--db`` > env ``ANKLE_SCREEN_DB`` > ``~/.ankle_screen/history.sqlite3``.
- The file is marked with ``PRAGMA application_id`` and versioned with ``PRAGMA user_version``;
  migrations run in one ``BEGIN IMMEDIATE`` transaction.
- WAL journal, ``synchronous=FULL``, every write inside a transaction, so a process killed at any
  moment leaves a database that opens and passes ``PRAGMA integrity_check``.
- A file that is not SQLite, or SQLite that is not ours, raises :class:`HistoryError` and is never
  written to.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screening.errors import HistoryError
from screening.results import measurement_method

ENV_VAR = "ANKLE_SCREEN_DB"
DEFAULT_PATH = Path("~/.ankle_screen/history.sqlite3")
APPLICATION_ID = 0x416E6B53  # "AnkS"
SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"

_MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE screens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            timestamp TEXT NOT NULL,
            side TEXT CHECK (side IN ('left', 'right') OR side IS NULL),
            verdict TEXT NOT NULL,
            knee_past_toe_cm REAL,
            shin_angle_deg REAL,
            fist_widths REAL,
            fist_width_cm REAL,
            scale_source TEXT,
            scale_uncertainty_cm REAL,
            source_file TEXT,
            notes TEXT NOT NULL DEFAULT '',
            result_json TEXT NOT NULL
        )""",
        "CREATE INDEX screens_side_time ON screens (side, timestamp)",
    ],
}

DB_COLUMNS = ("id", "timestamp", "side", "verdict", "knee_past_toe_cm", "shin_angle_deg", "fist_widths",
              "fist_width_cm", "scale_source", "scale_uncertainty_cm", "source_file", "notes")
# the table's columns and how each entry was measured (read from its stored result)
CSV_COLUMNS = (*DB_COLUMNS[:10], "measured", *DB_COLUMNS[10:])


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The history file to use: ``path`` if given, else ``$ANKLE_SCREEN_DB``, else the default."""
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return DEFAULT_PATH.expanduser()


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    timestamp: str
    side: str | None
    verdict: str
    knee_past_toe_cm: float | None
    shin_angle_deg: float | None
    fist_widths: float | None
    fist_width_cm: float | None
    scale_source: str | None
    scale_uncertainty_cm: float | None
    source_file: str | None
    notes: str
    result_json: str

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.timestamp)

    def result(self) -> dict[str, Any]:
        return dict(json.loads(self.result_json))

    @property
    def measured(self) -> str:
        """How the entry was measured ("marker", "camera_height", "upright_lines" in 3-D, or "2d"): a trend that
        mixes them mixes methods as well as change."""
        try:
            return measurement_method(self.result().get("view") or {})
        except (ValueError, TypeError, AttributeError):
            return "unknown"

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in CSV_COLUMNS}


def _check_file(path: Path) -> None:
    """Refuse anything that is not (empty or) an SQLite file, without writing to it."""
    if not path.exists():
        return
    if path.is_dir():
        raise HistoryError(f"history path {path} is a folder; give a file path with --db or {ENV_VAR}.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise HistoryError(f"cannot read history file {path} ({exc.strerror}); check its permissions.") from exc
    if head and head != SQLITE_MAGIC:
        raise HistoryError(f"{path} is not an ankle-screen history database (not SQLite); it was left untouched. "
                           f"Point --db or {ENV_VAR} at another file.")


class HistoryStore:
    """An open history database. Use :meth:`open` (or the ``with`` statement)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, timeout_s: float = 10.0) -> HistoryStore:
        p = resolve_db_path(path)
        _check_file(p)
        existed = p.exists() and p.stat().st_size > 0
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create the folder for {p} ({exc.strerror}); choose another --db path.") from exc
        try:
            conn = sqlite3.connect(str(p), timeout=timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open history database {p} ({exc}); choose another --db path.") from exc
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise HistoryError(f"history database {p} is damaged or not SQLite ({exc}); it was left untouched. "
                               "Restore a backup or point --db at a new file.") from exc
        if existed and app_id != APPLICATION_ID and (app_id != 0 or tables):
            conn.close()
            raise HistoryError(f"{p} is an SQLite file that belongs to something else; it was left untouched. "
                               f"Point --db or {ENV_VAR} at another file.")
        if version > SCHEMA_VERSION:
            conn.close()
            raise HistoryError(f"history database {p} was written by a newer ankle-screen (schema {version}); "
                               "update ankle-screen to read it.")
        store = cls(conn, p)
        try:
            # Read-only check first, so a damaged file is never written to.
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                conn.close()
                raise HistoryError(f"history database {p} failed its integrity check ({result}); it was left "
                                   "untouched. Restore a backup or point --db at a new file.")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            store._migrate(version)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise HistoryError(f"history database {p} cannot be used ({exc}); restore a backup or point --db at "
                               "a new file.") from exc
        return store

    def _migrate(self, version: int) -> None:
        if version >= SCHEMA_VERSION:
            return
        with self._transaction():
            # Re-read inside the lock: another process may have migrated meanwhile.
            current = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for v in range(current + 1, SCHEMA_VERSION + 1):
                for stmt in _MIGRATIONS[v]:
                    self.conn.execute(stmt)
                self.conn.execute(f"PRAGMA user_version = {v}")
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------
    def add(
        self,
        result: dict[str, Any] | Any,
        *,
        timestamp: dt.datetime | str | None = None,
        source_file: str | None = None,
        notes: str = "",
    ) -> int:
        """Store one screen result (a ScreenResult or its JSON dict); returns the new row id."""
        r: dict[str, Any] = result.to_json_dict() if hasattr(result, "to_json_dict") else dict(result)
        best = r.get("best") or {}
        scale = r.get("scale") if isinstance(r.get("scale"), dict) else {}
        if timestamp is None:
            ts = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        elif isinstance(timestamp, dt.datetime):
            ts = timestamp.isoformat(timespec="seconds")
        else:
            ts = dt.datetime.fromisoformat(timestamp).isoformat(timespec="seconds")
        side = r.get("side") if r.get("side") in ("left", "right") else None
        row = (
            ts, side, str(best.get("verdict", "not_measured")), best.get("knee_past_toe_cm"),
            best.get("shin_angle_deg"), best.get("fist_widths"), r.get("fist_width_cm"),
            (scale or {}).get("source"), (scale or {}).get("uncertainty_cm"),
            source_file if source_file is not None else r.get("source"), notes,
            json.dumps(r, allow_nan=False, default=str),
        )
        try:
            with self._transaction():
                cur = self.conn.execute(
                    "INSERT INTO screens (timestamp, side, verdict, knee_past_toe_cm, shin_angle_deg, fist_widths, "
                    "fist_width_cm, scale_source, scale_uncertainty_cm, source_file, notes, result_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                new_id = int(cur.lastrowid or 0)
        except sqlite3.Error as exc:
            raise HistoryError(f"could not save to history {self.path} ({exc}); nothing was written.") from exc
        return new_id

    add_result = add  # alias used by ``ankle-screen analyze --save``

    def delete(self, entry_id: int) -> bool:
        try:
            with self._transaction():
                cur = self.conn.execute("DELETE FROM screens WHERE id = ?", (entry_id,))
        except sqlite3.Error as exc:
            raise HistoryError(f"could not delete from history {self.path} ({exc}).") from exc
        return cur.rowcount > 0

    # -- reading ------------------------------------------------------------------------------
    def entries(self, side: str | None = None) -> list[HistoryEntry]:
        sql = f"SELECT {', '.join(DB_COLUMNS)}, result_json FROM screens"
        args: tuple[Any, ...] = ()
        if side is not None:
            sql += " WHERE side = ?"
            args = (side,)
        sql += " ORDER BY timestamp, id"
        try:
            rows = self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"could not read history {self.path} ({exc}).") from exc
        return [HistoryEntry(*row) for row in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        for e in self.entries():
            if e.id == entry_id:
                return e
        raise HistoryError(f"there is no history entry {entry_id}; list them with `ankle-screen history`.")

    def to_csv(self, out_path: str | os.PathLike[str], side: str | None = None) -> int:
        rows = self.entries(side)
        with open(out_path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS))
            w.writeheader()
            for e in rows:
                w.writerow(e.row())
        return len(rows)

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def history_points(entries: list[HistoryEntry]) -> list[Any]:
    """Entries as :class:`screening.plan.HistoryPoint` for the recommender."""
    from screening.plan import HistoryPoint

    out = []
    for e in entries:
        if e.side in ("left", "right"):
            out.append(HistoryPoint(e.when.date(), e.side, e.knee_past_toe_cm, e.shin_angle_deg))  # type: ignore[arg-type]
    return out
