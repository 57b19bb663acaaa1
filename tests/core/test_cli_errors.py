"""One error path for every CLI failure: `错误：…` naming the file and the cause, a non-zero status,
no traceback (unless --debug), broken pipes ending quietly, read-only databases readable."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import registry_cmds
from app.cli.main import main
from app.core.registry import demo
from app.core.store import db as store

ROOT = Path(__file__).resolve().parents[2]


def _demo_db(path: Path) -> Path:
    d = store.connect(path)
    demo.build_demo(d)
    d.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_file_opens_for_reading_commands_and_is_left_untouched(tmp_path, monkeypatch, capsys):
    path = _demo_db(tmp_path / "ro.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")           # as a file copied off a share would be
    conn.close()
    before = _digest(path)
    monkeypatch.setattr(store, "writable", lambda p: False)   # tests run as root: simulate the read-only share
    assert main(["--db", str(path), "registry", "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sites"]["total"] == 60
    assert _digest(path) == before and not Path(str(path) + "-wal").exists()
    assert main(["--db", str(path), "demo"]) == 1                 # a writing command: refused, in words
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "不可写" in err and "Traceback" not in err
    assert _digest(path) == before


def test_read_only_connection_refuses_writes(tmp_path):
    path = _demo_db(tmp_path / "q.sqlite")
    d = store.connect_read_only(path)
    assert d.conn.execute("SELECT COUNT(*) FROM sites").fetchone()[0] > 0
    with pytest.raises(sqlite3.OperationalError):
        d.conn.execute("DELETE FROM sites")
    d.close()
    with pytest.raises(store.DatabaseError, match="不存在"):
        store.connect_read_only(tmp_path / "missing.sqlite")


def test_db_under_a_file_or_a_folder_says_so(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert main(["--db", str(blocker / "sub" / "g.sqlite"), "registry", "stats"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "路径中有一段是文件" in err and "Traceback" not in err
    assert main(["--db", str(tmp_path), "registry", "stats"]) == 1
    assert "是一个文件夹" in capsys.readouterr().err


def test_new_or_empty_db_file_is_announced(tmp_path, capsys):
    new = tmp_path / "new" / "folder" / "n.sqlite"
    assert main(["--db", str(new), "registry", "stats"]) == 0
    assert "不存在，将新建一个空数据库（并建立文件夹" in capsys.readouterr().err
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    assert main(["--db", str(empty), "registry", "stats"]) == 0
    assert "是空文件，将初始化为新的数据库" in capsys.readouterr().err


def test_internal_error_is_one_line_and_logged_and_debug_shows_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOVINSPECT_HOME", str(tmp_path / "home"))

    def boom(args, db):
        raise RuntimeError("意外")
    monkeypatch.setattr(registry_cmds, "cmd_stats", boom)
    path = str(tmp_path / "e.sqlite")
    assert main(["--db", path, "registry", "stats"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("错误：程序内部错误（RuntimeError：意外）") and "Traceback" not in err
    log = tmp_path / "home" / "logs" / "govinspect-cli.log"
    assert "RuntimeError: 意外" in log.read_text(encoding="utf-8")
    with pytest.raises(RuntimeError):
        main(["--db", path, "--debug", "registry", "stats"])


def test_disk_errors_name_the_file(tmp_path, monkeypatch, capsys):
    import errno

    def full(args, db):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.xlsx"))
    monkeypatch.setattr(registry_cmds, "cmd_stats", full)
    assert main(["--db", str(tmp_path / "d.sqlite"), "registry", "stats"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"错误：“{tmp_path / 'out.xlsx'}”：磁盘空间不足。"


def test_broken_pipe_ends_quietly(tmp_path):
    path = _demo_db(tmp_path / "p.sqlite")
    # A reader that leaves after the first line, as `| head -1` does.
    proc = subprocess.run(f'"{sys.executable}" -m app --db "{path}" registry export /dev/stdout | head -c 1',
                          shell=True, cwd=ROOT, capture_output=True, timeout=60)
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr
    proc = subprocess.run(f'"{sys.executable}" -m app --db "{path}" registry stats | head -1',
                          shell=True, cwd=ROOT, capture_output=True, timeout=60)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
