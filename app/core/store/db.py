"""Open the GovInspect SQLite file: pragmas, integrity check, backup, migrations.

One connection per thread; WAL lets the GUI read while a worker writes.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from ..errors import DatabaseError, NewerDatabaseError
from . import migrations


_OS_REASONS = {errno.ENOSPC: "磁盘空间不足", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
               errno.ENOTDIR: "路径中有一段是文件而不是文件夹", errno.EEXIST: "同名文件已存在",
               errno.ENAMETOOLONG: "文件名太长", errno.EROFS: "磁盘只读", errno.ENOENT: "文件或文件夹不存在"}


def os_reason(exc: OSError) -> str:
    """An OSError in an inspector's words (disk full, no permission …)."""
    return _OS_REASONS.get(exc.errno, exc.strerror or str(exc))


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _newer(current: int, latest: int) -> NewerDatabaseError:
    return NewerDatabaseError(
        f"数据库文件由更新版本的政网巡检创建（结构版本 {current}，本程序支持到 {latest}），"
        "为避免损坏数据，已拒绝打开。请升级程序后再打开此文件。"
    )


def backup_file(conn: sqlite3.Connection, path: Path, old_version: int) -> Path:
    """Copy the database (consistently, via the backup API) beside itself."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.v{old_version}-{stamp}.bak{path.suffix or '.sqlite'}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.v{old_version}-{stamp}-{n}.bak{path.suffix or '.sqlite'}")
        n += 1
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target


def migrate(conn: sqlite3.Connection, path: Path | None, steps: list[list[str]] | None = None) -> Path | None:
    """Apply pending steps, each in one transaction; back up first. Returns the backup path."""
    steps = migrations.STEPS if steps is None else steps
    current = schema_version(conn)
    latest = len(steps)
    if current > latest:
        raise _newer(current, latest)
    if current == latest:
        return None
    backup = None
    if path is not None and current > 0:
        backup = backup_file(conn, path, current)
    for number in range(current + 1, latest + 1):
        # Explicit BEGIN: DDL plus the version bump commit or roll back together.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql in steps[number - 1]:
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {number}")
        except Exception:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return backup


def writable(path: Path) -> bool:
    """Can this process write the file and create its -wal/-shm companions beside it?"""
    folder = path.parent if path.parent != Path("") else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def connect_read_only(path: Path | str) -> sqlite_utils.Database:
    """Open an existing, up-to-date database without writing anything (a file on a read-only share,
    a colleague's copy): no WAL switch, no migration, writes fail."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"数据库文件“{path}”不存在。")
    # immutable: nothing may change the file meanwhile, and SQLite needs no -shm beside it
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None, check_same_thread=False)
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        version = schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"无法打开数据库文件“{path}”：文件已损坏或不是 SQLite 数据库（{exc}）。") from exc
    latest = len(migrations.STEPS)
    if result != "ok" or version != latest:
        conn.close()
        if result != "ok":
            raise DatabaseError(f"数据库文件“{path}”完整性检查未通过：{result}。请从备份恢复。")
        if version > latest:
            raise _newer(version, latest)
        raise DatabaseError(f"数据库文件“{path}”是只读的，且需要升级到新的结构版本（{version} → {latest}）才能使用。"
                            "请复制到可写的文件夹后再打开。")
    conn.execute("PRAGMA query_only=ON")
    return sqlite_utils.Database(conn)


# Files this process has found intact: the GUI's workers open the file for every job, and a
# quick_check of a large round (50,000 findings) takes ~200 ms; once per process is enough to
# refuse a damaged file before anything is written to it.
_INTACT: set[tuple[str, int]] = set()
_INTACT_LOCK = threading.Lock()


def _checked_once(conn: sqlite3.Connection, path: Path) -> str:
    """PRAGMA quick_check's answer, 'ok' without asking for a file already found intact (same
    path and inode: a file swapped in under the same name is checked again)."""
    try:
        key = (str(path.resolve()), path.stat().st_ino)
    except OSError:
        key = None
    with _INTACT_LOCK:
        if key is not None and key in _INTACT:
            return "ok"
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result == "ok" and key is not None:
        with _INTACT_LOCK:
            _INTACT.add(key)
    return result


def connect(path: Path | str, *, steps: list[list[str]] | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) and upgrade the database at ``path``."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise DatabaseError(f"“{path}”是一个文件夹，不是数据库文件。")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"无法在“{path.parent}”建立数据库文件：{os_reason(exc)}。") from exc
    if not writable(path):
        raise DatabaseError(f"数据库文件“{path}”所在位置不可写（只读文件或没有写权限的文件夹）。"
                            "只读取数据的命令可以打开它；修改数据请先复制到可写的文件夹。")
    try:
        # isolation_level=None: we manage transactions explicitly (BEGIN/COMMIT).
        conn = sqlite3.connect(str(path), timeout=10, isolation_level=None, check_same_thread=False)
        result = _checked_once(conn, path)
        version = schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"无法打开数据库文件“{path}”：文件已损坏或不是 SQLite 数据库（{exc}）。") from exc
    if result != "ok":
        conn.close()
        raise DatabaseError(f"数据库文件“{path}”完整性检查未通过：{result}。请从备份恢复。")
    latest = len(migrations.STEPS if steps is None else steps)
    if version > latest:                  # refuse before any pragma touches the file
        conn.close()
        raise _newer(version, latest)
    _pragmas(conn)
    try:
        migrate(conn, path, steps)
    except NewerDatabaseError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(f"升级数据库“{path}”失败，文件保持原状：{exc}") from exc
    return sqlite_utils.Database(conn)


def memory() -> sqlite_utils.Database:
    """An in-memory database with the full schema (tests, previews)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(conn, None)
    return sqlite_utils.Database(conn)


class transaction:
    """``with transaction(db):`` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on error.

    Nested use joins the outer transaction.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn
        self.outer = False

    def __enter__(self):
        self.outer = self.conn.in_transaction
        if not self.outer:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            return False
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
        return False


def get_setting(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def get_int_setting(db: sqlite_utils.Database, key: str, default: int) -> int:
    """A whole-number setting; ``default`` when it is missing or not a number."""
    raw = get_setting(db, key, None)
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        return default


def set_setting(db: sqlite_utils.Database, key: str, value: str) -> None:
    with transaction(db):
        db.conn.execute(
            "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
