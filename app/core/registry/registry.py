"""Registry records (sites and accounts): read, add, edit, change status — all audited.

Records are dicts keyed by the field keys of ``fields.py`` plus ``id``; region and
units travel by name and are resolved (created when new) on write.
"""
from __future__ import annotations

import datetime as dt

import sqlite_utils

from ..errors import ValidationError
from ..store import audit
from ..store.db import transaction
from . import vocab
from .fields import FIELDS, clean_record

TABLE = {"site": "sites", "account": "accounts"}
NAME_KEYS = ("region", "host_unit", "supervisor_unit")
_COLUMNS = {
    kind: [f.key for f in fs if f.key not in NAME_KEYS] for kind, fs in FIELDS.items()
}

_SELECT = {
    "site": """SELECT s.*, r.name AS region, hu.name AS host_unit, su.name AS supervisor_unit,
                      r.sort_order AS region_order
               FROM sites s
               LEFT JOIN regions r ON r.id = s.region_id
               LEFT JOIN units hu ON hu.id = s.host_unit_id
               LEFT JOIN units su ON su.id = s.supervisor_unit_id""",
    "account": """SELECT a.*, r.name AS region, hu.name AS host_unit, r.sort_order AS region_order
                  FROM accounts a
                  LEFT JOIN regions r ON r.id = a.region_id
                  LEFT JOIN units hu ON hu.id = a.host_unit_id""",
}
_ORDER = " ORDER BY COALESCE(r.sort_order, 1e9), r.id, {p}.sort_order, {p}.id"


def _rows(cursor) -> list[dict]:
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


def list_records(db: sqlite_utils.Database, kind: str) -> list[dict]:
    """All records of a kind in registry order (地区 order, then entry order)."""
    p = "s" if kind == "site" else "a"
    return _rows(db.conn.execute(_SELECT[kind] + _ORDER.format(p=p)))


def get_record(db: sqlite_utils.Database, kind: str, record_id: int) -> dict | None:
    p = "s" if kind == "site" else "a"
    rows = _rows(db.conn.execute(_SELECT[kind] + f" WHERE {p}.id = ?", (record_id,)))
    return rows[0] if rows else None


def _public(record: dict, kind: str) -> dict:
    """Only the field keys (for audit entries and diffs)."""
    return {f.key: record.get(f.key) for f in FIELDS[kind]}


class NameCache:
    """Region and unit name -> id, creating missing ones (inside a transaction)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.regions = {n: i for i, n in db.conn.execute("SELECT id, name FROM regions")}
        self.units = {n: i for i, n in db.conn.execute("SELECT id, name FROM units")}
        self.created_regions: list[str] = []
        self.created_units: list[str] = []

    def region(self, name: str) -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        if name not in self.regions:
            order = self.db.conn.execute("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM regions").fetchone()[0]
            cur = self.db.conn.execute("INSERT INTO regions(name, sort_order) VALUES (?, ?)", (name, order))
            self.regions[name] = cur.lastrowid
            self.created_regions.append(name)
        return self.regions[name]

    def unit(self, name: str, region_id: int | None) -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        if name not in self.units:
            order = self.db.conn.execute("SELECT COALESCE(MAX(sort_order), 0) + 1 FROM units").fetchone()[0]
            cur = self.db.conn.execute(
                "INSERT INTO units(name, region_id, sort_order) VALUES (?, ?, ?)", (name, region_id, order)
            )
            self.units[name] = cur.lastrowid
            self.created_units.append(name)
        return self.units[name]


def _row_values(kind: str, values: dict, names: NameCache) -> dict:
    """Field values -> table columns (names resolved to ids)."""
    row = {k: values[k] for k in _COLUMNS[kind] if k in values}
    if "region" in values:
        row["region_id"] = names.region(values["region"])
    region_id = row.get("region_id")
    if "host_unit" in values:
        row["host_unit_id"] = names.unit(values["host_unit"], region_id)
    if kind == "site" and "supervisor_unit" in values:
        row["supervisor_unit_id"] = names.unit(values["supervisor_unit"], region_id)
    return row


def insert_records(db: sqlite_utils.Database, kind: str, records: list[dict],
                   names: NameCache | None = None, who: str | None = None) -> list[int]:
    """Insert cleaned records with their 开设 history and audit entries (caller's transaction)."""
    names = names or NameCache(db)
    table = TABLE[kind]
    stamp = audit.now()
    today = dt.date.today().isoformat()
    order = db.conn.execute(f"SELECT COALESCE(MAX(sort_order), 0) FROM {table}").fetchone()[0]
    ids: list[int] = []
    history, log = [], []
    for values in records:
        order += 1
        row = _row_values(kind, values, names)
        row.setdefault("status", "正常")
        row.update(created_at=stamp, updated_at=stamp, sort_order=order)
        cols = list(row)
        cur = db.conn.execute(
            f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row[c] for c in cols],
        )
        rid = cur.lastrowid
        ids.append(rid)
        history.append((kind, rid, "开设", "正常", row.get("opened_on"), "", stamp))
        if row["status"] != "正常":
            history.append((kind, rid, vocab.STATUS_EVENT[row["status"]], row["status"],
                            row.get("status_date") or today, "", stamp))
        log.append((table, rid, "insert", None, values))
    db.conn.executemany(
        "INSERT INTO status_history(target_type, target_id, event, status, on_date, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", history)
    audit.log_many(db, log, who)
    return ids


def update_records(db: sqlite_utils.Database, kind: str, changes: list[tuple[int, dict, dict]],
                   names: NameCache | None = None, who: str | None = None) -> None:
    """Apply (id, old, new-values) changes; status changes add history (caller's transaction)."""
    names = names or NameCache(db)
    table = TABLE[kind]
    stamp = audit.now()
    today = dt.date.today().isoformat()
    history, log = [], []
    for rid, old, new in changes:
        row = _row_values(kind, new, names)
        row["updated_at"] = stamp
        sets = ", ".join(f"{c} = ?" for c in row)
        db.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*row.values(), rid])
        if "status" in new and new["status"] != old.get("status"):
            on = new.get("status_date") or today
            history.append((kind, rid, vocab.STATUS_EVENT[new["status"]], new["status"], on, "", stamp))
        log.append((table, rid, "update", {k: old.get(k) for k in new}, new))
    db.conn.executemany(
        "INSERT INTO status_history(target_type, target_id, event, status, on_date, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", history)
    audit.log_many(db, log, who)


def _check_unique(db: sqlite_utils.Database, kind: str, values: dict, record_id: int | None) -> dict:
    problems = {}
    if kind == "site" and "site_code" in values:
        row = db.conn.execute("SELECT id, name FROM sites WHERE site_code = ?", (values["site_code"],)).fetchone()
        if row and row[0] != record_id:
            problems["网站标识码"] = f"标识码“{values['site_code']}”已被“{row[1]}”使用"
    if kind == "account" and values.get("account_id"):
        row = db.conn.execute(
            "SELECT id, name FROM accounts WHERE platform = ? AND account_id = ?",
            (values.get("platform"), values["account_id"]),
        ).fetchone()
        if row and row[0] != record_id:
            problems["账号ID"] = f"{values.get('platform')}账号ID“{values['account_id']}”已被“{row[1]}”使用"
    return problems


def add_record(db: sqlite_utils.Database, kind: str, raw: dict, who: str | None = None) -> int:
    """Validate and insert one record; raises ValidationError with per-field reasons."""
    cleaned = clean_record(kind, raw)
    problems = {**cleaned.problems, **_check_unique(db, kind, cleaned.values, None)}
    if problems:
        raise ValidationError(problems)
    with transaction(db):
        return insert_records(db, kind, [cleaned.values], who=who)[0]


def edit_record(db: sqlite_utils.Database, kind: str, record_id: int, raw: dict, who: str | None = None) -> dict:
    """Validate and apply changed fields of one record; returns the changed values."""
    old = get_record(db, kind, record_id)
    if old is None:
        raise ValidationError({"记录": f"编号 {record_id} 不存在"})
    cleaned = clean_record(kind, raw, partial=True)
    problems = {**cleaned.problems, **_check_unique(db, kind, {**old, **cleaned.values}, record_id)}
    if problems:
        raise ValidationError(problems)
    changed = {k: val for k, val in cleaned.values.items() if (old.get(k) or "") != (val or "")}
    if changed:
        with transaction(db):
            update_records(db, kind, [(record_id, old, changed)], who=who)
    return changed


def change_status(db: sqlite_utils.Database, kind: str, record_id: int, status: str, on_date: str,
                  note: str = "", who: str | None = None) -> None:
    """关停/注销/整合迁移… with a date (records are never deleted)."""
    allowed = vocab.SITE_STATUSES if kind == "site" else vocab.ACCOUNT_STATUSES
    if status not in allowed:
        raise ValidationError({"状态": f"未知的状态“{status}”"})
    from .validation import BadValue, date as parse_date
    try:
        day = parse_date(on_date, required=True)
    except BadValue as exc:
        raise ValidationError({"日期": str(exc)}) from None
    old = get_record(db, kind, record_id)
    if old is None:
        raise ValidationError({"记录": f"编号 {record_id} 不存在"})
    table = TABLE[kind]
    with transaction(db):
        db.conn.execute(f"UPDATE {table} SET status = ?, status_date = ?, updated_at = ? WHERE id = ?",
                        (status, day, audit.now(), record_id))
        db.conn.execute(
            "INSERT INTO status_history(target_type, target_id, event, status, on_date, note, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, record_id, vocab.STATUS_EVENT[status], status, day, note, audit.now()))
        audit.log(db, table, record_id, "status",
                  {"status": old["status"], "status_date": old["status_date"]},
                  {"status": status, "status_date": day, "note": note}, who)


def history(db: sqlite_utils.Database, kind: str, record_id: int) -> list[dict]:
    return _rows(db.conn.execute(
        "SELECT * FROM status_history WHERE target_type = ? AND target_id = ? ORDER BY COALESCE(on_date, ''), id",
        (kind, record_id)))


def regions(db: sqlite_utils.Database) -> list[dict]:
    return _rows(db.conn.execute("SELECT * FROM regions ORDER BY sort_order, id"))


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {
        "sites": db.conn.execute("SELECT COUNT(*) FROM sites").fetchone()[0],
        "accounts": db.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0],
    }
