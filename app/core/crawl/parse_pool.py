"""A few persistent helper processes for parsing that can run away: attachments, and OCR in a
pool of its own (crawl/ocr_stage.py).

A job names a pure function by ``"module:function"`` (only under app.core.checks) and passes
plain, picklable arguments; a helper runs it and sends the result back. The caller's thread
waits with a wall-clock limit and the run's cancel token: past the limit, or on cancel, the
helper is killed (a fresh one starts when next needed) and the caller gets
ParseAborted(解析超时) or Cancelled. Each helper caps its own memory (proc_limits); running out
becomes ParseAborted(超出内存限制). Helpers start lazily, live for one run and ignore Ctrl-C
(the run decides); they leave on their own if the run's process disappears.

Thread-safe: the run engine's worker threads share one pool. Pure bookkeeping otherwise: the
parsing itself lives in app.core.checks.
"""
from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass, field

from ..checks.budget import CRASHED, MEMORY, TIMEOUT, ParseAborted
from .proc_limits import close_job, limit_own_memory, limit_process_memory, peak_rss_mb, rss_mb
from .run_tokens import Cancelled

log = logging.getLogger(__name__)

ALLOWED_PREFIX = "app.core.checks."
PRELOAD = ("app.core.checks.pii", "app.core.checks.attachment_text", "pypdf", "openpyxl.styles.numbers")
_POLL = 0.1                         # seconds between looks at the clock and the cancel token
# A helper that holds more than this after a job is replaced: Python keeps what a big parse
# allocated, and the next job would start from there.
RECYCLE_MB = 150


# ---------------------------------------------------------------- inside a helper

def _watch_parent(parent: int) -> None:
    """Leave when the process that started us is gone (killed with -9, say)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)


def _resolve(target: str):
    module, _, name = target.partition(":")
    if not module.startswith(ALLOWED_PREFIX) or not name:
        raise ValueError(f"not a parse function: {target}")
    return getattr(importlib.import_module(module), name)


def serve(conn, memory_mb: int, preload: tuple[str, ...], parent: int) -> None:
    """Helper process main loop: (target, args) in, ("ok", result) / ("abort", reason) /
    ("error", text) out, until None or the pipe closes."""
    import signal
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the run's to handle
    except (ValueError, OSError):
        pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    for name in preload:                                   # loaded before the limit: not counted in it
        try:
            importlib.import_module(name)
        except ImportError:                                # the job itself says what is missing
            log.warning("parse helper could not preload %s", name)
    limit_own_memory(memory_mb)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        target, args = job
        try:
            reply = ("ok", _resolve(target)(*args))
        except MemoryError:
            reply = ("abort", MEMORY)
        except ParseAborted as exc:
            reply = ("abort", exc.reason)
        except RecursionError:
            reply = ("abort", "文件结构嵌套过深，无法解析")
        except Exception as exc:                           # a bug in the parse function: report it
            reply = ("error", f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn.send(reply)
        except MemoryError:
            reply = ("abort", MEMORY)
            conn.send(reply)
        if reply == ("abort", MEMORY):
            return                                         # a fresh helper for the next job


# ---------------------------------------------------------------- in the run's process

class _Helper:
    def __init__(self, ctx, memory_mb: int, preload: tuple[str, ...]):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(child, memory_mb, preload, os.getpid()), daemon=True,
                                name="govinspect-parse")
        self.proc.start()
        child.close()
        self.job = limit_process_memory(self.proc.pid, memory_mb + 200)   # Windows; POSIX limits itself
        self.peak_mb: float | None = None
        self.ended = False

    def _sample(self) -> None:
        peak = peak_rss_mb(self.proc.pid)
        if peak is not None:
            self.peak_mb = max(self.peak_mb or 0.0, peak)

    def kill(self) -> None:
        if self.ended:
            return
        self.ended = True
        self._sample()
        try:
            self.proc.kill()
        except (OSError, AttributeError):
            pass
        self.proc.join(2)
        self.conn.close()
        close_job(self.job)

    def stop(self) -> None:
        if self.ended:
            return
        self._sample()
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(1)
        self.kill()


@dataclass
class PoolStats:
    jobs: int = 0
    timeouts: int = 0
    memory: int = 0
    crashed: int = 0
    starts: int = 0
    helper_peak_mb: list = field(default_factory=list)      # peak RSS of each helper that ended


class ParsePool:
    """``run("app.core.checks.pii:scan_attachment", *args)`` in one of ``workers`` helpers, each
    job under ``seconds`` of wall clock and each helper under ``memory_mb`` of memory."""

    def __init__(self, workers: int = 2, seconds: float = 60.0, memory_mb: int = 768, cancel=None,
                 preload: tuple[str, ...] = PRELOAD, recycle_mb: float = RECYCLE_MB):
        self.seconds, self.memory_mb, self.cancel, self.preload = seconds, memory_mb, cancel, preload
        self.recycle_mb = recycle_mb
        self._ctx = multiprocessing.get_context("spawn")     # no fork of a threaded process; as on Windows
        self._slots: queue.LifoQueue = queue.LifoQueue()
        for _ in range(max(1, workers)):
            self._slots.put(None)                            # a slot whose helper is not started yet
        self._busy: set[_Helper] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.stats = PoolStats()

    # ------------------------------------------------------------ public

    def run(self, target: str, *args, seconds: float | None = None):
        """The function's result; raises ParseAborted (time, memory, helper died) or Cancelled."""
        if not target.startswith(ALLOWED_PREFIX):
            raise ValueError(f"not a parse function: {target}")
        helper = self._acquire()
        reusable = False
        try:
            helper = self._send(helper, (target, args))
            with self._lock:
                self._busy.add(helper)
                self.stats.jobs += 1
            status, value = self._wait(helper, time.monotonic() + (seconds or self.seconds))
            reusable = status in ("ok", "error")
            if value == MEMORY:
                with self._lock:
                    self.stats.memory += 1
            if status == "ok":
                return value
            if status == "error":
                raise ParseAborted(f"解析出错（{value}）")
            raise ParseAborted(value)
        finally:
            self._release(helper, reusable)

    def close(self) -> None:
        """End every helper (busy ones are killed: their callers get Cancelled or ParseAborted)."""
        with self._lock:
            self._closed = True
            busy = list(self._busy)
        for helper in busy:
            helper.kill()
        while True:
            try:
                helper = self._slots.get_nowait()
            except queue.Empty:
                break
            if helper is not None:
                helper.stop()
                self._ended(helper)

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ helpers

    def _cancelled(self) -> bool:
        return self._closed or bool(getattr(self.cancel, "cancelled", False))

    def _acquire(self):
        while True:
            if self._cancelled():
                raise Cancelled
            try:
                return self._slots.get(timeout=_POLL)
            except queue.Empty:
                continue

    def _start(self) -> _Helper:
        helper = _Helper(self._ctx, self.memory_mb, self.preload)
        with self._lock:
            self.stats.starts += 1
        return helper

    def _send(self, helper: _Helper | None, job) -> _Helper:
        for attempt in (1, 2):
            if helper is None or not helper.proc.is_alive():
                if helper is not None:
                    helper.kill()
                    self._ended(helper)
                helper = self._start()
            try:
                helper.conn.send(job)
                return helper
            except (BrokenPipeError, OSError):
                if attempt == 2:
                    raise ParseAborted(CRASHED) from None
                helper.kill()
                self._ended(helper)
                helper = None
        raise AssertionError("unreachable")

    def _wait(self, helper: _Helper, deadline: float) -> tuple[str, object]:
        while True:
            try:
                ready = helper.conn.poll(_POLL)
            except (EOFError, OSError):
                ready = True
            if ready:
                try:
                    return helper.conn.recv()
                except (EOFError, OSError):
                    return "abort", self._death_reason(helper)
            if self._cancelled():
                raise Cancelled
            if time.monotonic() >= deadline:
                with self._lock:
                    self.stats.timeouts += 1
                return "abort", TIMEOUT

    def _death_reason(self, helper: _Helper) -> str:
        helper.proc.join(1)
        code = helper.proc.exitcode
        with self._lock:
            if code == -9:                                  # the system's out-of-memory killer
                self.stats.memory += 1
                return MEMORY
            self.stats.crashed += 1
        log.warning("parse helper ended with exit code %s", code)
        return CRASHED

    def _release(self, helper: _Helper | None, reusable: bool) -> None:
        if helper is not None:
            with self._lock:
                self._busy.discard(helper)
                closed = self._closed
            if reusable and (rss_mb(helper.proc.pid) or 0) > self.recycle_mb:
                reusable = False
            if not reusable or closed:
                helper.kill()
                self._ended(helper)
                helper = None
        self._slots.put(helper)

    def _ended(self, helper: _Helper) -> None:
        with self._lock:
            if helper.peak_mb is not None:
                self.stats.helper_peak_mb.append(round(helper.peak_mb, 1))
