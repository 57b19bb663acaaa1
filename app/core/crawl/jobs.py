"""Check runs: crawl a round's sites politely and run every catalog check on them.

Threads: run_checks() runs in the caller's thread (the run thread), which alone uses the
SQLite connection and writes in short transactions; a ThreadPoolExecutor fetches, parses
and runs the per-page checks, handing back plain data. Cancel and pause come in through
tokens; progress goes out through a plain callable, at most ten calls a second.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import logging
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable

import sqlite_utils

from ..checks import ocr
from ..checks.base import CheckContext
from ..errors import ValidationError
from ..rounds import findings as findings_mod, rounds
from ..store import audit
from ..store.db import connect, transaction
from . import check_suite
from .check_suite import Suite, params_for_round
from .fetching import LinkStatus
from .ocr_stage import OcrStage
from .parse_pool import ParsePool
from .transport import HostGate
# The pieces of a run live in their own modules; the public names are re-exported here so
# that `from app.core.crawl.jobs import X` keeps working.
from .run_options import (FINISHED_STATES, RUN_STATES, CheckOptions, RunProgress, RunSummary,
                          SiteResult)
from .run_store import (DEFAULT_RETENTION_DAYS, RETENTION_KEY, TLS_UNVERIFIED_KEY, RunInfo,
                        _Cached, _note, _RunStore, list_runs, page_text, prune_evidence, retention_days,
                        run_finding_ids, set_unverified, site_results, unverified_sites)
from .run_tokens import Cancelled, CancelToken, PauseToken
from .site_run import _SiteRun, _site_from_summary, _SiteRunner
from .site_worker import _Env, _init_worker

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_RETENTION_DAYS", "FINISHED_STATES", "RETENTION_KEY", "RUN_STATES", "SWITCH_INTERVAL",
    "TLS_UNVERIFIED_KEY", "CancelToken", "Cancelled", "CheckOptions", "PauseToken", "RunInfo", "RunProgress",
    "RunSummary", "SiteResult", "list_runs", "page_text", "prune_evidence", "rerun_site", "resume_run",
    "retention_days", "run_checks", "run_finding_ids", "set_unverified", "site_results", "start_run",
    "unverified_sites",
]

_PROGRESS_SECONDS = 0.1


class _Engine(_SiteRunner, _RunStore):
    def __init__(self, db: sqlite_utils.Database, run_id: int, progress: Callable | None,
                 cancel: CancelToken | None, pause: PauseToken | None):
        self.db = db
        self.run_id = run_id
        row = db.conn.execute("SELECT round_id, params, summary FROM check_runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValidationError({"检查任务": f"编号 {run_id} 不存在"})
        self.round_id = row[0]
        params, summary = _note(row[1]), _note(row[2])
        self.options = CheckOptions.from_dict(params.get("options") or {})
        self.site_keys = params.get("site_keys")
        self.round = rounds.ensure_open(db, self.round_id)
        self.as_of = dt.date.fromisoformat(self.round.as_of)
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self.pause = pause
        self.started = time.monotonic()
        self.elapsed_before = float(summary.get("elapsed") or 0.0)
        self.errors: list[str] = list(summary.get("errors") or [])
        self.finding_ids: list[int] = []
        targets = rounds.round_targets(db, self.round_id, "site")
        if self.site_keys:
            by_key = {t.target_key: t for t in targets}
            missing = [k for k in self.site_keys if k not in by_key]
            if missing:
                raise ValidationError({"网站": f"本轮检查对象中没有：{'、'.join(missing)}"})
            targets = [by_key[k] for k in dict.fromkeys(self.site_keys)]
        self.sites = [_SiteRun(t) for t in targets]
        saved = summary.get("sites") or {}
        for s in self.sites:
            if s.key in saved:
                _site_from_summary(s, saved[s.key])
                if s.state == "running":
                    s.state = "pending"            # resumed: carry on from the cache
        index = findings_mod.IndicatorIndex.for_round(db, self.round_id)
        snapshot = db.conn.execute("SELECT profile_snapshot FROM rounds WHERE id = ?", (self.round_id,)).fetchone()[0]
        check_params = params_for_round(snapshot, self.options.params)
        self.suite = Suite(set(index.by_id), self.options.kinds, check_params)
        self.analyser = functools.partial(check_suite.analyse, self.suite)
        self.gate = HostGate(self.options.per_host, self.options.delay)
        self.fetch_options = self.options.fetch_options()
        # Attachments are read in helper processes under a hard time and memory limit (started
        # when the first one comes; Cancel kills them).
        self.pool = ParsePool(self.options.parse_workers, self.options.parse_seconds, self.options.parse_memory_mb,
                              cancel=self.cancel)
        # Images and scanned PDFs: OCR in a helper of its own while the crawl goes on.
        self.ocr = (OcrStage(self.options, self.cancel)
                    if self.options.ocr and self.suite.wants("pii") and ocr.available() else None)
        self.ocr_inflight: dict[Future, tuple] = {}       # future -> (site, outcome, findings it replaces)
        self.contexts = {s.key: CheckContext(as_of=self.as_of, site=self._site_record(s.target), params=check_params,
                                             isolate=self.pool.run)
                         for s in self.sites}
        self.env = _Env(self.fetch_options, self.gate, self.cancel, self.suite, self.contexts,
                        frozenset(unverified_sites(db)), self.options.probe_threshold, self.analyser,
                        ocr=self.ocr is not None)
        self.check_links = self.options.check_links and self.suite.wants("broken_link")
        # Run-wide memory: every link target's status, links in flight, external pages fetched.
        self.link_status: dict[str, LinkStatus] = {}
        self.link_inflight: dict[str, set[str]] = {}
        self.externals: dict[str, _Cached] = {}
        self.external_inflight: dict[str, list] = {}      # url -> sites waiting for the same external page
        self.deferred: list[tuple] = []                    # (site, task, url) to submit on the next fill
        self._load_link_cache()
        self.active: list[_SiteRun] = []
        self.inflight: dict[Future, _SiteRun] = {}
        self.host_inflight: dict[str, int] = {}
        self.pending_evidence: list[tuple] = []
        self.pending_findings: dict[int, list[dict]] = {}
        self.pending_probes: list[tuple] = []
        self.pending_checked: list[int] = []            # targets whose crawl and site checks finished
        self.dirty_sites = False
        self.last_flush = time.monotonic()
        self.last_summary_write = 0.0
        self.last_progress = 0.0
        self.finished_since_report: list[SiteResult] = []
        self.who = audit.current_user(db)


    # ------------------------------------------------------------ progress

    def _elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.started

    def _report(self, site: _SiteRun | None = None, force: bool = False, message: str = "",
                paused: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if not force and now - self.last_progress < _PROGRESS_SECONDS:
            return                              # finished sites wait for the next report
        self.last_progress = now
        finished, self.finished_since_report = tuple(self.finished_since_report), []
        if site is None and finished:
            site = next((s for s in self.sites if s.key == finished[-1].site_key), None)
        site = site or (self.active[0] if self.active else None)
        total = len(self.sites)
        done = sum(1 for s in self.sites if s.state in FINISHED_STATES)
        frac = sum(s.fraction() for s in self.sites) / total if total else 1.0
        run_elapsed = now - self.started
        eta = None
        if frac >= 1.0:
            eta = 0.0
        elif frac > 0.02 and run_elapsed > 2:
            eta = round(run_elapsed * (1 - frac) / frac, 0)
        self.progress(RunProgress(
            run_id=self.run_id, sites_total=total, sites_done=done,
            pages=sum(s.pages for s in self.sites), findings=sum(s.findings for s in self.sites),
            elapsed=round(self._elapsed(), 1), eta=eta,
            site_key=site.key if site else "", site_name=site.target.name if site else "",
            site_pages=site.pages if site else 0, site_findings=site.findings if site else 0,
            site_state=site.state if site else "", paused=paused, message=message, finished=finished))

    # ------------------------------------------------------------ main loop

    def run(self) -> RunSummary:
        with _switch_interval(SWITCH_INTERVAL):
            return self._run()

    def _run(self) -> RunSummary:
        state = "done"
        executor = ThreadPoolExecutor(max_workers=max(1, self.options.concurrency), initializer=_init_worker,
                                      initargs=(self.fetch_options,), thread_name_prefix="check-worker")
        try:
            self._flush(force=True, state="running")
            while True:
                if self.cancel.cancelled:
                    state = "cancelled"
                    break
                if self.pause is not None and self.pause.paused:
                    if not self.inflight and not self.ocr_inflight:
                        if not self._paused_wait():
                            state = "cancelled"
                            break
                        continue
                else:
                    self._activate(executor)
                    self._fill(executor)
                if not self.inflight and not self.active:
                    if any(s.state == "pending" for s in self.sites):
                        continue
                    break
                if self.inflight or self.ocr_inflight:
                    done, _ = wait([*self.inflight, *self.ocr_inflight], timeout=0.1, return_when=FIRST_COMPLETED)
                    for fut in done:
                        if fut in self.ocr_inflight:
                            self._ocr_done(fut)
                        else:
                            self._handle(fut)
                for site in list(self.active):
                    if self._ready(site):
                        self._site_finished(site)
                self._flush()
                self._report()
        except BaseException as exc:
            state = "failed"
            self.errors.append(f"运行出错：{exc}")
            self.cancel.cancel()                        # stop the workers' requests
            try:
                self._flush(force=True, state=state, finished=True)
            except Exception:
                log.exception("could not record the failed run")
            raise
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
            self.pool.close()                           # a parse in progress is killed, not awaited
            if self.ocr is not None:
                self.ocr.close()
        if state == "cancelled" and self.inflight:
            # Requests in flight end within a watchdog tick; results that came back complete are
            # kept, so a resume need not fetch them again. Bounded: a DNS lookup cannot be aborted.
            wait(list(self.inflight), timeout=1.0)
            for fut in [f for f in self.inflight if f.done()]:
                self._handle(fut)
        for s in self.sites:
            if state == "cancelled" and s.state == "running":
                s.state = "pending"
        self._flush(force=True, state=state, finished=True)
        self._report(force=True, message="已取消" if state == "cancelled" else "完成")
        return self._result(state)

    def _paused_wait(self) -> bool:
        """Paused with nothing in flight: record it and wait. False when cancelled meanwhile."""
        self._flush(force=True, state="paused")
        self._report(force=True, paused=True, message="已暂停")
        while self.pause.paused:
            if self.cancel.cancelled:
                return False
            self.pause.wait_resumed(0.1)
        self._flush(force=True, state="running")
        return not self.cancel.cancelled

    def _result(self, state: str) -> RunSummary:
        results = [s.result() for s in self.sites]
        return RunSummary(
            run_id=self.run_id, round_id=self.round_id, state=state, sites_total=len(results),
            sites_done=sum(1 for r in results if r.state in FINISHED_STATES),
            pages=sum(r.pages for r in results), links=sum(r.links for r in results),
            findings=sum(r.findings for r in results), existing=sum(r.existing for r in results),
            elapsed=round(self._elapsed(), 1), errors=list(self.errors),
            finding_ids=list(dict.fromkeys(self.finding_ids)), sites=results, skipped_kinds=list(self.suite.skipped),
            helpers=dataclasses.asdict(self.pool.stats), ocr=self.ocr.summary() if self.ocr is not None else {})


# While a run is going, worker threads spend most of their time parsing and checking pages,
# not waiting on the network. With CPython's default 5 ms switch interval they pass the GIL
# around more than they work; 10 ms gave ~25 % more pages/s on bench/crawl.py's corpus and
# keeps the GUI thread's wait for the GIL short.
SWITCH_INTERVAL = 0.01
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.005


@contextlib.contextmanager
def _switch_interval(seconds: float):
    """Raise sys.setswitchinterval for the duration of the runs in progress (process-wide)."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(max(seconds, _switch_saved))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)



# ---------------------------------------------------------------- public entry points

def start_run(db: sqlite_utils.Database, round_id: int, site_keys: list[str] | None = None,
              options: CheckOptions | None = None) -> int:
    """Create the check_runs row of a new run (state running); returns its id."""
    rounds.ensure_open(db, round_id)
    if site_keys:
        known = {t.target_key for t in rounds.round_targets(db, round_id, "site")}
        missing = [k for k in site_keys if k not in known]
        if missing:
            raise ValidationError({"网站": f"本轮检查对象中没有：{'、'.join(missing)}"})
    options = options or CheckOptions()
    params = {"site_keys": list(site_keys) if site_keys else None, "options": options.to_dict()}
    with transaction(db):
        cur = db.conn.execute("INSERT INTO check_runs(round_id, started_at, state, params, summary) "
                              "VALUES (?, ?, 'running', ?, '{}')",
                              (round_id, audit.now(), json.dumps(params, ensure_ascii=False)))
        return cur.lastrowid


def _execute(db_path: Path | str, run_id: int | None, make_run, progress, cancel, pause) -> RunSummary:
    db = connect(db_path)
    try:
        try:
            prune_evidence(db)
        except Exception:                                  # housekeeping must never block a run
            log.exception("evidence pruning failed")
        run_id = run_id if run_id is not None else make_run(db)
        return _Engine(db, run_id, progress, cancel, pause).run()
    finally:
        db.close()


def run_checks(db_path: Path | str, round_id: int, site_keys: list[str] | None = None,
               options: CheckOptions | None = None, progress: Callable[[RunProgress], None] | None = None,
               cancel: CancelToken | None = None, pause: PauseToken | None = None) -> RunSummary:
    """Crawl the round's sites (or only ``site_keys``) and run every check; a new check run.

    Opens its own connection (call it from the worker thread). Findings go in as 待审核;
    a finding the round already has (same fingerprint) is not added again. Returns a
    RunSummary; ``summary.cancelled`` tells a cancelled run, which resume_run continues.
    """
    return _execute(db_path, None, lambda db: start_run(db, round_id, site_keys, options), progress, cancel, pause)


def resume_run(db_path: Path | str, run_id: int, progress: Callable[[RunProgress], None] | None = None,
               cancel: CancelToken | None = None, pause: PauseToken | None = None) -> RunSummary:
    """Continue a cancelled, failed, paused or killed run: stored pages are not fetched again."""
    db = connect(db_path)
    try:
        row = db.conn.execute("SELECT state FROM check_runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValidationError({"检查任务": f"编号 {run_id} 不存在"})
        if row[0] == "done":
            raise ValidationError({"检查任务": f"编号 {run_id} 已完成，无需继续"})
    finally:
        db.close()
    return _execute(db_path, run_id, None, progress, cancel, pause)


def rerun_site(db_path: Path | str, round_id: int, site_key: str, options: CheckOptions | None = None,
               progress: Callable[[RunProgress], None] | None = None, cancel: CancelToken | None = None,
               pause: PauseToken | None = None) -> RunSummary:
    """Check one site again (a new run of that site alone); existing findings are not duplicated."""
    return run_checks(db_path, round_id, [site_key], options, progress, cancel, pause)
