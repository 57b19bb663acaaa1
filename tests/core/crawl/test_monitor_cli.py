"""`monitor` on the command line: one cycle, the refusal of a second monitor, and the scheduled
task's command lines (schtasks built, never run; the cron line printed, crontab untouched)."""
from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from app.cli import monitor_cmds
from app.core.crawl import monitor_task
from app.core.crawl.monitor_lock import MonitorLock

from sitesetup import run_cli

from .sites import FixtureSite, Resp, make_round, refused_port



@pytest.fixture
def no_subprocess(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError(f"no program may run: {a}")
    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_once_probes_every_running_site(db, db_path, capsys):
    with FixtureSite({"/": Resp(body="ok")}) as site:
        make_round(db, {"3699020001": f"{site.url}/", "3699020002": f"http://127.0.0.1:{refused_port()}/"})
        code, out, err = run_cli(capsys, "--db", db_path, "monitor", "--once", "--timeout", "2")
    assert code == 0, err
    assert "可用性监测：2 个网站，每30分钟一轮，超时 2 秒，运行一轮" in out
    assert "拨测 2/2 个网站，失败 1 个（连接被拒绝 1）" in out
    assert db.conn.execute("SELECT ok, error_kind FROM probes ORDER BY site_id").fetchall() == [(1, ""), (0, "refused")]


def test_chosen_sites_and_bad_options(db, db_path, capsys):
    make_round(db, {"3699020001": "http://a.example/"})
    code, _out, err = run_cli(capsys, "--db", db_path, "monitor", "--once", "--site", "3699020001", "3699029999")
    assert code == 2 and "名录中没有：3699029999" in err
    code, _out, err = run_cli(capsys, "--db", db_path, "monitor", "--interval", "20s")
    assert code == 2 and "至少 1 分钟" in err
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, "--db", db_path, "monitor", "--interval", "30")
    assert stop.value.code == 2 and "请写数字加单位" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli(capsys, "--db", db_path, "monitor", "--once", "--for", "7d")
    assert "not allowed with" in capsys.readouterr().err


def test_a_second_monitor_on_the_database_is_refused(db, db_path, capsys):
    make_round(db, {"3699020001": "http://a.example/"})
    with MonitorLock(db_path):
        code, _out, err = run_cli(capsys, "--db", db_path, "monitor", "--once")
    assert code == 1 and "此数据库的可用性监测已在运行" in err and "同一数据库同时只能运行一个监测" in err
    assert db.conn.execute("SELECT COUNT(*) FROM probes").fetchone()[0] == 0


def test_spans():
    assert [monitor_task.parse_span(t) for t in ("30m", "2h", "7d", "90s", "30分钟", "1.5h")] == \
        [1800, 7200, 604800, 90, 1800, 5400]
    for bad in ("30", "m", "-5m", "0m", "3 weeks"):
        with pytest.raises(ValueError):
            monitor_task.parse_span(bad)
    assert [monitor_task.format_span(s) for s in (1800, 7200, 604800, 90)] == ["30分钟", "2小时", "7天", "90秒"]


def test_the_command_the_task_runs(tmp_path):
    db = tmp_path / "政网 巡检.sqlite"
    assert monitor_task.monitor_command(db, frozen=False, executable="/usr/bin/python3") == [
        "/usr/bin/python3", "-m", "app", "--db", str(db.resolve()), "monitor", "--once"]
    frozen = monitor_task.monitor_command(db, frozen=True, executable=r"C:\Program Files\GovInspect\GovInspect.exe")
    assert frozen[0] == r"C:\Program Files\GovInspect\govinspect-cli.exe" and frozen[1:] == [
        "--db", str(db.resolve()), "monitor", "--once"]
    argv = monitor_task.schtasks_create(db, 1800, frozen)
    assert argv[:8] == ["schtasks", "/Create", "/TN", monitor_task.task_name(db), "/SC", "MINUTE", "/MO", "30"]
    assert argv[8:] == ["/TR", subprocess.list2cmdline(frozen), "/F"]
    assert argv[9].startswith('"C:\\Program Files\\GovInspect\\govinspect-cli.exe" --db "')
    assert monitor_task.task_name(db) != monitor_task.task_name(tmp_path / "other.sqlite")
    assert monitor_task.cron_line(db, 1800, ["/usr/bin/python3", "-m", "app"]) == "*/30 * * * * /usr/bin/python3 -m app"
    assert monitor_task.cron_line(db, 7200, ["x"]).startswith("0 */2 * * * ")
    with pytest.raises(ValueError, match="cron 无法精确表示"):
        monitor_task.cron_line(db, 45 * 60)
    with pytest.raises(ValueError, match="1 到 1439"):
        monitor_task.schtasks_create(db, 90)


def test_install_on_windows_registers_the_task_it_prints(db_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(monitor_cmds, "PLATFORM", "win32")
    monkeypatch.setattr(monitor_cmds, "run_schtasks",
                        lambda argv: calls.append(argv) or SimpleNamespace(returncode=0, stdout="成功", stderr=""))
    code, out, err = run_cli(capsys, "--db", db_path, "monitor", "install", "--every", "30m")
    assert code == 0, err
    argv = calls[0]
    assert argv[:8] == ["schtasks", "/Create", "/TN", monitor_task.task_name(db_path), "/SC", "MINUTE", "/MO", "30"]
    tr = argv[argv.index("/TR") + 1]
    assert tr == subprocess.list2cmdline([sys.executable, "-m", "app", "--db", str(db_path.resolve()), "monitor", "--once"])
    assert f"运行的命令：{tr}" in out and subprocess.list2cmdline(argv) in out and "每30分钟运行一次" in out
    code, out, err = run_cli(capsys, "--db", db_path, "monitor", "uninstall")
    assert code == 0 and calls[1] == ["schtasks", "/Delete", "/TN", monitor_task.task_name(db_path), "/F"]
    monkeypatch.setattr(monitor_cmds, "run_schtasks",
                        lambda argv: SimpleNamespace(returncode=1, stdout="", stderr="拒绝访问。"))
    code, out, err = run_cli(capsys, "--db", db_path, "monitor", "install", "--every", "30m")
    assert code == 1 and "注册计划任务失败：拒绝访问。" in err


def test_install_elsewhere_prints_the_cron_line_and_touches_nothing(db_path, capsys, monkeypatch, no_subprocess):
    monkeypatch.setattr(monitor_cmds, "PLATFORM", "linux")
    code, out, err = run_cli(capsys, "--db", db_path, "monitor", "install", "--every", "15m")
    assert code == 0, err
    line = out.splitlines()[-1]
    assert line.startswith(f"*/15 * * * * {sys.executable} -m app --db {db_path.resolve()} monitor --once >> ")
    assert "未改动 crontab" in out
    code, out, err = run_cli(capsys, "--db", db_path, "monitor", "install", "--every", "45m")
    assert code == 2 and "cron 无法精确表示" in err
    code, out, err = run_cli(capsys, "--db", db_path, "monitor", "uninstall")
    assert code == 0 and "crontab -e" in out
