"""The scheduled monitor: the command line that runs one cycle against a database, the Windows
Task Scheduler (schtasks) commands that register and remove it, and the equivalent cron line.

Pure string building (no subprocess here), so the command lines are tested on any system.
"""
from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
import sys
from pathlib import Path, PureWindowsPath

CLI_EXE = "govinspect-cli.exe"             # the console program of the PyInstaller build (pyinstaller.spec)
SCHTASKS_TR_LIMIT = 261                    # schtasks refuses a longer /TR command

_SPAN_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z\u4e00-\u9fff]*)\s*$")
_UNITS = {"s": 1, "sec": 1, "秒": 1, "m": 60, "min": 60, "分": 60, "分钟": 60,
          "h": 3600, "hr": 3600, "时": 3600, "小时": 3600, "d": 86400, "day": 86400, "days": 86400, "天": 86400}


def parse_span(text: str) -> float:
    """Seconds of a span written 90s, 30m, 2h, 7d (or 30分钟, 2小时, 7天); ValueError in Chinese."""
    m = _SPAN_RE.match(text or "")
    unit = (m.group(2) or "").lower() if m else ""
    if not m or unit not in _UNITS:
        raise ValueError(f"“{text}”不是时长：请写数字加单位，如 30m（分钟）、2h（小时）、7d（天）、90s（秒）")
    seconds = float(m.group(1)) * _UNITS[unit]
    if seconds <= 0:
        raise ValueError(f"“{text}”应大于 0")
    return seconds


def format_span(seconds: float) -> str:
    """30分钟, 2小时, 7天, 90秒."""
    s = int(round(seconds))
    for size, unit in ((86400, "天"), (3600, "小时"), (60, "分钟")):
        if s >= size and s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}秒"


def monitor_command(db_path: Path | str, *, frozen: bool | None = None, executable: str | None = None) -> list[str]:
    """The argv that runs one monitor cycle (``monitor --once``) against ``db_path``: the build's
    govinspect-cli.exe beside the running program, else this Python with ``-m app``."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    executable = executable or sys.executable
    db = str(Path(db_path).resolve())
    if frozen:
        # A Windows path stays one even when the command is built (and tested) elsewhere.
        exe = PureWindowsPath(executable) if "\\" in executable else Path(executable)
        return [str(exe.with_name(CLI_EXE)), "--db", db, "monitor", "--once"]
    return [executable, "-m", "app", "--db", db, "monitor", "--once"]


def task_name(db_path: Path | str) -> str:
    """One task per database: the same file always gets the same name."""
    digest = hashlib.sha1(str(Path(db_path).resolve()).lower().encode("utf-8")).hexdigest()[:8]
    return f"GovInspect monitor {digest}"


def every_minutes(seconds: float) -> int:
    """Whole minutes of a task interval (1 to 1439, what schtasks /SC MINUTE takes)."""
    minutes = seconds / 60
    if minutes != int(minutes) or not 1 <= minutes <= 1439:
        raise ValueError(f"计划任务的间隔应为 1 到 1439 之间的整分钟数，实际为 {format_span(seconds)}")
    return int(minutes)


def schtasks_create(db_path: Path | str, every: float, command: list[str] | None = None) -> list[str]:
    """schtasks /Create arguments: every ``every`` seconds, from now on, replacing an older task."""
    tr = subprocess.list2cmdline(command or monitor_command(db_path))
    return ["schtasks", "/Create", "/TN", task_name(db_path), "/SC", "MINUTE", "/MO", str(every_minutes(every)),
            "/TR", tr, "/F"]


def schtasks_delete(db_path: Path | str) -> list[str]:
    return ["schtasks", "/Delete", "/TN", task_name(db_path), "/F"]


def cron_line(db_path: Path | str, every: float, command: list[str] | None = None, log_file: Path | None = None) -> str:
    """The crontab line running one cycle every ``every`` seconds (which cron must be able to say)."""
    minutes = every_minutes(every)
    if 60 % minutes == 0:
        when = f"*/{minutes} * * * *" if minutes > 1 else "* * * * *"
    elif minutes % 60 == 0 and 24 % (minutes // 60) == 0:
        when = f"0 */{minutes // 60} * * *"
    else:
        raise ValueError(f"cron 无法精确表示“每{format_span(every)}”：请选能整除 60 的分钟数（如 10m、15m、30m）"
                         "或能整除 24 的小时数")
    line = f"{when} {shlex.join(command or monitor_command(db_path))}"
    if log_file is not None:
        line += f" >> {shlex.quote(str(log_file))} 2>&1"
    return line
