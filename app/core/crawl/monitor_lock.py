"""One monitor per database: an OS file lock on ``<db>.monitor.lock``.

The operating system drops the lock when the process ends, however it ends (killed, crashed,
power cut), so a stale lock never blocks the next start. The file also says who holds it (pid,
computer, since when) for the message the second monitor shows. The file is never deleted:
unlinking a lock file lets two processes lock two different files under one name.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path

from ..errors import GovInspectError

# Windows locks a byte range, and a locked range cannot be read by others: lock one byte far
# past the holder's note so that the note stays readable.
_WIN_OFFSET = 1 << 20


class MonitorBusy(GovInspectError):
    """Another monitor holds the database's lock."""


def lock_path(db_path: Path | str) -> Path:
    return Path(f"{Path(db_path).resolve()}.monitor.lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl
    try:
        # flock, not lockf: flock locks conflict between two opens in the same process too,
        # so the GUI's monitor and a second one started in the same process also exclude.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_note(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        info = json.loads(text[: text.index("}") + 1]) if "}" in text else {}
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def holder(db_path: Path | str) -> dict:
    """What the lock file says about its last holder ({} when nothing readable)."""
    return _read_note(lock_path(db_path))


def busy_message(info: dict) -> str:
    who = []
    if info.get("pid"):
        who.append(f"进程 {info['pid']}")
    if info.get("host"):
        who.append(f"计算机 {info['host']}")
    if info.get("since"):
        who.append(f"{info['since']} 开始")
    detail = f"（{'，'.join(who)}）" if who else ""
    return (f"此数据库的可用性监测已在运行{detail}。同一数据库同时只能运行一个监测，"
            "请先停止正在运行的监测（或等待计划任务的这一次结束）再启动。")


class MonitorLock:
    """``with MonitorLock(db_path):`` — raises MonitorBusy when another monitor holds it."""

    def __init__(self, db_path: Path | str):
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise MonitorBusy(busy_message(_read_note(self.path)))
        self._fd = fd
        note = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "since": dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")},
                          ensure_ascii=False).encode("utf-8")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, note + b"\n")

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "MonitorLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

