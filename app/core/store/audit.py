"""The audit log: who changed which row when, with old and new values."""
from __future__ import annotations

import datetime as dt
import getpass
import json

import sqlite_utils


def now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


def current_user(db: sqlite_utils.Database | None = None) -> str:
    """The inspector's name from settings, else the OS login name."""
    if db is not None:
        row = db.conn.execute("SELECT value FROM settings WHERE key = 'inspector_name'").fetchone()
        if row and row[0]:
            return row[0]
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service contexts
        return "unknown"


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def log(db: sqlite_utils.Database, table: str, row_id: int | None, action: str,
        old: dict | None = None, new: dict | None = None, who: str | None = None) -> None:
    """Append one audit entry (inside the caller's transaction)."""
    db.conn.execute(
        "INSERT INTO audit_log(at, who, table_name, row_id, action, old, new) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (now(), who or current_user(db), table, row_id, action, _dump(old), _dump(new)),
    )


def log_many(db: sqlite_utils.Database, entries: list[tuple], who: str | None = None) -> None:
    """Bulk form of log(): entries are (table, row_id, action, old, new)."""
    at, who = now(), who or current_user(db)
    db.conn.executemany(
        "INSERT INTO audit_log(at, who, table_name, row_id, action, old, new) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(at, who, t, r, a, _dump(o), _dump(n)) for t, r, a, o, n in entries],
    )


def last_id(db: sqlite_utils.Database) -> int:
    """Id of the newest audit entry (0 when empty): every audited write moves it, so a view
    can tell cheaply whether the data it shows may be stale."""
    return db.conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]


def entries(db: sqlite_utils.Database, table: str | None = None, row_id: int | None = None) -> list[dict]:
    sql, args = "SELECT * FROM audit_log", []
    where = []
    if table:
        where.append("table_name = ?")
        args.append(table)
    if row_id is not None:
        where.append("row_id = ?")
        args.append(row_id)
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.conn.execute(sql + " ORDER BY id", args)
    cols = [c[0] for c in rows.description]
    out = []
    for r in rows.fetchall():
        d = dict(zip(cols, r))
        d["old"] = json.loads(d["old"]) if d["old"] else None
        d["new"] = json.loads(d["new"]) if d["new"] else None
        out.append(d)
    return out
