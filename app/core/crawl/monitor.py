"""Availability monitor: probe the homepage of every running site (or a chosen set) at an
interval and store each probe (time, URL, seconds, ok, HTTP status, error kind).

Threads: Monitor.run() runs in the caller's thread (the monitor thread), which alone opens the
database and writes, one short transaction per batch; a ThreadPoolExecutor probes, each worker
thread with its own Session, all behind one HostGate. Cancel comes in through a token (aborting
requests in flight within a watchdog tick), progress goes out through a plain callable.

The schedule follows the wall clock, looked at every second: a laptop that slept through
cycles runs one cycle when it wakes and goes on with the next slot of the grid; missed cycles
are skipped (and counted), never caught up in a burst.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..checks.base import Page
from ..store.db import connect
from .fetching import fetch
from .monitor_lock import MonitorLock
from .net_errors import error_text
from .probe_store import MonitoredSite, insert_probes, monitored_sites, prune_probes, stamp
from .run_store import unverified_sites
from .run_tokens import CancelToken
from .transport import FetchOptions, HostGate, new_http_session

log = logging.getLogger(__name__)

# Error kinds of a failed probe, in an inspector's words.
ERROR_KINDS = {
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "timeout": "超时未打开",
    "tls": "证书或加密连接错误",
    "http": "HTTP 错误状态",
    "redirect": "重定向错误",
    "invalid_url": "首页地址无效",
    "connection": "连接失败",
}
_FETCH_KINDS = {"dns": "dns", "refused": "refused", "connect_timeout": "timeout", "read_timeout": "timeout",
                "deadline": "timeout", "redirect_loop": "redirect", "too_many_redirects": "redirect",
                "invalid_url": "invalid_url", "bad_scheme": "invalid_url"}
_FLUSH_ROWS, _FLUSH_SECONDS = 200, 1.0
_PROGRESS_SECONDS = 0.1
_PRUNE_SECONDS = 3600.0
WAIT_STEP = 1.0                       # seconds between looks at the wall clock while waiting


@dataclass(frozen=True)
class MonitorOptions:
    interval: float = 1800.0          # seconds between cycles (30 min: 48 probes a day)
    timeout: float = 15.0             # a probe fails when the homepage has not opened by then
    concurrency: int = 16             # probes at once, all hosts together
    per_host: int = 2                 # probes at once to one host (sites sharing a server)
    delay: float = 0.25               # seconds between probe starts to one host
    max_page_bytes: int = 3_000_000
    contact: str = ""                 # shown in the User-Agent

    def fetch_options(self) -> FetchOptions:
        return FetchOptions(connect_timeout=self.timeout, read_timeout=self.timeout, deadline=self.timeout,
                            max_page_bytes=self.max_page_bytes, per_host=self.per_host, delay=self.delay,
                            contact=self.contact)


@dataclass(frozen=True)
class ProbeResult:
    site_id: int
    code: str                         # 网站标识码
    url: str
    at: str                           # local time the probe started
    seconds: float | None
    ok: bool
    http_status: int | None = None
    kind: str = ""                    # key of ERROR_KINDS, '' when ok
    error: str = ""                   # Chinese

    def row(self, source: str = "monitor") -> tuple:
        return (self.site_id, self.url, self.at, self.seconds, int(self.ok), self.http_status, self.error,
                self.kind, source)


@dataclass(frozen=True)
class CycleSummary:
    number: int
    started_at: str
    total: int                        # sites to probe
    probed: int                       # probes stored
    failed: int
    by_kind: dict = field(default_factory=dict)
    elapsed: float = 0.0
    cancelled: bool = False


@dataclass(frozen=True)
class MonitorProgress:
    """One report (plain data): state is probing, waiting, cycle_done or stopped."""

    state: str
    cycle: int = 0
    done: int = 0
    total: int = 0
    failed: int = 0
    results: tuple[ProbeResult, ...] = ()     # probes finished since the previous report
    next_at: float | None = None               # wall-clock time of the next cycle
    skipped: int = 0                           # cycles skipped so far (sleep, overrun)
    summary: CycleSummary | None = None        # with cycle_done


@dataclass(frozen=True)
class MonitorSummary:
    cycles: int
    probes: int
    failed: int
    skipped: int
    cancelled: bool
    last: CycleSummary | None = None


def classify(page: Page, timeout: float) -> tuple[bool, str, str]:
    """(ok, error kind, Chinese error) of a homepage fetch: opened means 2xx/3xx within ``timeout``."""
    if page.error_kind:
        kind = "tls" if page.error_kind.startswith("tls") else _FETCH_KINDS.get(page.error_kind, "connection")
        text = page.error or error_text(page.error_kind)
        if kind == "timeout":
            text = f"{timeout:g} 秒内未打开（{text}）"
        return False, kind, text
    if page.status is None:
        return False, "connection", page.error or error_text("connection")
    if page.status >= 400:
        return False, "http", f"HTTP {page.status}"
    if page.elapsed is not None and page.elapsed >= timeout:
        return False, "timeout", f"用时 {page.elapsed:.1f} 秒，达到 {timeout:g} 秒"
    return True, "", ""


_local = threading.local()


def _init_worker(options: FetchOptions) -> None:
    _local.session = new_http_session(options)


class Monitor:
    """Probe cycles on a schedule. ``clock`` (wall-clock seconds) and ``sleep(seconds) -> bool``
    (True when cancelled) are injectable so tests need not wait for real minutes."""

    def __init__(self, db_path: Path | str, options: MonitorOptions | None = None,
                 site_codes: Iterable[str] | None = None, progress: Callable[[MonitorProgress], None] | None = None,
                 cancel: CancelToken | None = None, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], bool] | None = None):
        self.db_path = Path(db_path)
        self.options = options or MonitorOptions()
        if not self.options.interval > 0:
            raise ValueError("interval must be positive")
        self.codes = list(site_codes) if site_codes else None
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.clock = clock
        self.sleep = sleep or self.cancel.wait
        self.fetch_options = self.options.fetch_options()
        self._last_report = 0.0
        self._last_prune: float | None = None

    # ------------------------------------------------------------ running

    def run(self, once: bool = False, duration: float | None = None) -> MonitorSummary:
        """Cycles until cancelled, ``duration`` seconds have passed, or after one (``once``).
        Raises MonitorBusy when another monitor holds this database."""
        with MonitorLock(self.db_path):
            db = connect(self.db_path)
            try:
                return self._loop(db, once, duration)
            finally:
                db.close()

    def _loop(self, db, once: bool, duration: float | None) -> MonitorSummary:
        interval = float(self.options.interval)
        anchor = self.clock()
        end = anchor + duration if duration else None
        slot, cycles, probes, failed, skipped = 0, 0, 0, 0, 0
        last: CycleSummary | None = None
        cancelled = False
        while True:
            due = anchor + slot * interval
            if not self._wait_until(due, end, cycles, skipped):
                cancelled = self.cancel.cancelled
                break
            cycles += 1
            last = self._cycle(db, cycles)
            probes, failed = probes + last.probed, failed + last.failed
            if last.cancelled:
                cancelled = True
                break
            self._prune(db)
            if once:
                break
            now = self.clock()
            if now < due:                      # the clock went back: start a new grid from now
                anchor, slot = now, 1
                continue
            nxt = max(slot + 1, math.floor((now - anchor) / interval) + 1)
            skipped += nxt - slot - 1
            slot = nxt
            self._report(MonitorProgress("cycle_done", cycles, last.probed, last.total, last.failed,
                                         next_at=anchor + slot * interval, skipped=skipped, summary=last), force=True)
        self._report(MonitorProgress("stopped", cycles, skipped=skipped, summary=last), force=True)
        return MonitorSummary(cycles, probes, failed, skipped, cancelled, last)

    def _wait_until(self, due: float, end: float | None, cycle: int, skipped: int) -> bool:
        """Wait for the wall clock to reach ``due``; False when cancelled or past ``end``."""
        reported = False
        while True:
            if self.cancel.cancelled:
                return False
            now = self.clock()
            if end is not None and now >= end:
                return False
            if now >= due:
                return True
            if not reported:
                self._report(MonitorProgress("waiting", cycle, next_at=due, skipped=skipped), force=True)
                reported = True
            step = min(due - now, WAIT_STEP, (end - now) if end is not None else WAIT_STEP)
            if self.sleep(max(step, 0.0)):
                return False

    def _prune(self, db) -> None:
        now = self.clock()
        if self._last_prune is not None and now - self._last_prune < _PRUNE_SECONDS:
            return
        self._last_prune = now
        try:
            prune_probes(db, now=dt.datetime.fromtimestamp(now))
        except Exception:                       # housekeeping must never stop the monitor
            log.exception("probe pruning failed")

    # ------------------------------------------------------------ one cycle

    def _probe(self, site: MonitoredSite, gate: HostGate, verify: bool) -> ProbeResult | None:
        """Fetch one homepage (worker thread); None when cancelled meanwhile."""
        at = stamp(dt.datetime.fromtimestamp(self.clock()))
        page = fetch(_local.session, site.url, options=self.fetch_options, purpose="page", gate=gate,
                     cancel=self.cancel, verify=None if verify else False)
        if page.error_kind == "cancelled" or self.cancel.cancelled:
            return None
        ok, kind, error = classify(page, self.options.timeout)
        return ProbeResult(site.site_id, site.code, page.requested_url or site.url, at, page.elapsed, ok,
                           page.status, kind, error)

    def _cycle(self, db, number: int) -> CycleSummary:
        sites = monitored_sites(db, self.codes)
        unverified = unverified_sites(db)
        started_at = stamp(dt.datetime.fromtimestamp(self.clock()))
        t0 = time.monotonic()
        gate = HostGate(self.options.per_host, self.options.delay)
        workers = max(1, min(int(self.options.concurrency), len(sites) or 1))
        executor = ThreadPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(self.fetch_options,),
                                      thread_name_prefix="monitor-probe")
        rows: list[tuple] = []
        fresh: list[ProbeResult] = []
        kinds: Counter = Counter()
        done = failed = 0
        last_flush = time.monotonic()
        self._report(MonitorProgress("probing", number, 0, len(sites)), force=True)
        try:
            pending = {executor.submit(self._probe, s, gate, s.code not in unverified) for s in sites}
            while pending and not self.cancel.cancelled:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for fut in finished:
                    try:
                        result = fut.result()
                    except Exception:           # a bug in one probe must not stop the monitor
                        log.exception("probe failed")
                        continue
                    if result is None:
                        continue
                    done += 1
                    if not result.ok:
                        failed += 1
                        kinds[result.kind] += 1
                    rows.append(result.row())
                    fresh.append(result)
                if rows and (len(rows) >= _FLUSH_ROWS or time.monotonic() - last_flush >= _FLUSH_SECONDS):
                    self._flush(db, rows)
                    rows, last_flush = [], time.monotonic()
                if fresh and self._report(MonitorProgress("probing", number, done, len(sites), failed, tuple(fresh))):
                    fresh = []
        finally:
            # Queued probes are dropped; those in flight end within a watchdog tick of a cancel.
            executor.shutdown(wait=False, cancel_futures=True)
            self._flush(db, rows)
        if fresh:
            self._report(MonitorProgress("probing", number, done, len(sites), failed, tuple(fresh)), force=True)
        return CycleSummary(number, started_at, len(sites), done, failed, dict(kinds),
                            round(time.monotonic() - t0, 2), self.cancel.cancelled)

    @staticmethod
    def _flush(db, rows: list[tuple]) -> None:
        insert_probes(db, rows)

    def _report(self, p: MonitorProgress, force: bool = False) -> bool:
        """Hand a report to the progress callable (at most ten a second unless forced)."""
        if self.progress is None:
            return True
        now = time.monotonic()
        if not force and now - self._last_report < _PROGRESS_SECONDS:
            return False
        self._last_report = now
        self.progress(p)
        return True


def run_monitor(db_path: Path | str, options: MonitorOptions | None = None, site_codes: Iterable[str] | None = None,
                *, once: bool = False, duration: float | None = None,
                progress: Callable[[MonitorProgress], None] | None = None,
                cancel: CancelToken | None = None) -> MonitorSummary:
    """Run the monitor in this thread (it opens its own connection); see Monitor."""
    return Monitor(db_path, options, site_codes, progress, cancel).run(once=once, duration=duration)
