"""Opening, upgrading and refusing database files."""
import sqlite3

import pytest

from app.core.store import db as dbmod, migrations
from app.core.registry import registry
from app.core.errors import DatabaseError, NewerDatabaseError


def test_new_file_has_latest_schema_wal_and_foreign_keys(tmp_path):
    d = dbmod.connect(tmp_path / "a.sqlite")
    assert dbmod.schema_version(d.conn) == migrations.LATEST
    assert d.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert d.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    tables = set(d.table_names())
    for t in ("regions", "units", "sites", "accounts", "status_history", "rounds", "round_targets",
              "findings", "evidence", "audit_log", "settings", "profiles"):
        assert t in tables


def test_refuses_newer_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError) as exc:
        dbmod.connect(path)
    assert "更新版本" in str(exc.value)
    assert path.read_bytes() == before


def test_refuses_garbage_file(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError) as exc:
        dbmod.connect(path)
    assert "损坏" in str(exc.value)


def test_upgrade_from_version_1_keeps_data_and_backs_up(tmp_path):
    path = tmp_path / "old.sqlite"
    old = dbmod.connect(path, steps=migrations.STEPS[:1])      # a file as version 1 wrote it
    assert dbmod.schema_version(old.conn) == 1
    registry.add_record(old, "site", {"name": "旧网站", "site_code": "2101000001", "url": "www.a.gov.cn",
                                      "host_unit": "办公厅", "region": "沈阳市", "category": "市级门户"})
    old.close()
    d = dbmod.connect(path)
    assert dbmod.schema_version(d.conn) == migrations.LATEST
    assert [r["name"] for r in registry.list_records(d, "site")] == ["旧网站"]
    backups = list(tmp_path.glob("old.v1-*.bak.sqlite"))
    assert len(backups) == 1
    b = sqlite3.connect(backups[0])
    assert b.execute("PRAGMA user_version").fetchone()[0] == 1
    assert b.execute("SELECT name FROM sites").fetchall() == [("旧网站",)]


def test_failed_step_rolls_back_whole_step(tmp_path):
    path = tmp_path / "f.sqlite"
    dbmod.connect(path, steps=migrations.STEPS[:1]).close()
    broken = migrations.STEPS[:1] + [["CREATE TABLE extra (x INTEGER)", "THIS IS NOT SQL"]]
    with pytest.raises(DatabaseError):
        dbmod.connect(path, steps=broken)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchall() == []


def test_settings_roundtrip(db):
    dbmod.set_setting(db, "inspector_name", "张三")
    assert dbmod.get_setting(db, "inspector_name") == "张三"
    assert dbmod.get_setting(db, "missing", "x") == "x"


def test_step_3_backfills_what_was_checked_and_keeps_closed_rounds_as_published(tmp_path):
    """Open rounds: 已检查 for a finished crawl, a manual finding or a media observation; the rest stay
    待检查. Closed rounds: every 待检查 target becomes 已检查, so their published rates do not move."""
    path = tmp_path / "v2.sqlite"
    old = dbmod.connect(path, steps=migrations.STEPS[:2])
    c = old.conn
    c.execute("INSERT INTO sites(id, site_code, name, url, created_at, updated_at) VALUES "
              "(1, '2101000001', 'a', 'http://a.example', 'x', 'x')")
    c.execute("INSERT INTO accounts(id, name, platform, created_at, updated_at) VALUES (1, 'm', '微信公众号', 'x', 'x')")
    for rid, status in ((1, "open"), (2, "closed")):
        c.execute("INSERT INTO rounds(id, name, kind, as_of, profile_id, status, created_at) "
                  "VALUES (?, ?, '月度', '2025-06-30', 'national-2019', ?, 'x')", (rid, f"r{rid}", status))
    targets = [  # id, round, type, key, state
        (1, 1, "site", "K-crawled", "待检查"), (2, 1, "site", "K-manual", "待检查"), (3, 1, "site", "K-auto", "待检查"),
        (4, 1, "account", "微信公众号:m", "待检查"), (5, 1, "site", "K-cut", "待检查"), (6, 1, "site", "K-out", "未检查"),
        (7, 2, "site", "K-old", "待检查")]
    for tid, rid, ttype, key, state in targets:
        c.execute("INSERT INTO round_targets(id, round_id, target_type, site_id, account_id, target_key, name, "
                  "review_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (tid, rid, ttype, 1 if ttype == "site" else None, 1 if ttype == "account" else None, key, key, state))
    c.execute("INSERT INTO check_runs(round_id, started_at, state, summary) VALUES (1, 'x', 'cancelled', ?)",
              ('{"sites": {"K-crawled": {"state": "done"}, "K-cut": {"state": "running"}}}',))
    for tid, source in ((2, "人工"), (3, "自动")):
        c.execute("INSERT INTO findings(round_id, target_id, indicator_id, source, detected_at) "
                  "VALUES (1, ?, 'x', ?, 'x')", (tid, source))
    c.execute("INSERT INTO media_observations(round_id, target_id, updated_at) VALUES (1, 4, 'x')")
    old.close()
    d = dbmod.connect(path)
    states = dict(d.conn.execute("SELECT target_key, review_state FROM round_targets").fetchall())
    assert states == {"K-crawled": "已检查", "K-manual": "已检查", "K-auto": "待检查", "微信公众号:m": "已检查",
                      "K-cut": "待检查", "K-out": "未检查", "K-old": "已检查"}
