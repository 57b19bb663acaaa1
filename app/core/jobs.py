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
import socket
import sys
import threading
import time
import zlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import sqlite_utils

from . import audit, check_suite, findings as findings_mod, rounds
from .check_suite import Suite, link_result, params_for_round
from .checks.base import CheckContext, CheckFinding, LinkResult, Page
from .checks.catalog import NOT_SUPPLIED, SiteInputs
from .crawler import CrawlItem, SiteCrawl, is_forwarding_stub
from .db import connect, get_setting, set_setting, transaction
from .errors import ValidationError
from .fetching import (FetchOptions, HostGate, LinkStatus, check_link, fetch, host_key, new_http_session,
                       probe_tls)

log = logging.getLogger(__name__)

RETENTION_KEY = "evidence_retention_days"
DEFAULT_RETENTION_DAYS = 365
TLS_UNVERIFIED_KEY = "tls_unverified_sites"      # JSON list of 网站标识码 read without TLS verification
RUN_STATES = ("running", "paused", "cancelled", "done", "failed")
FINISHED_STATES = ("done", "unreachable", "failed")          # of a site within a run
_FLUSH_SECONDS = 1.0
_FLUSH_ROWS = 200
_PROGRESS_SECONDS = 0.1


# ---------------------------------------------------------------- tokens

class Cancelled(Exception):
    """Raised by CancelToken.check() once cancel() was called."""


class CancelToken:
    """Set from any thread; the run sees it between tasks and aborts requests in flight."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; True as soon as cancelled."""
        return self._event.wait(timeout)


class PauseToken:
    """pause()/resume() from any thread; a paused run finishes requests in flight and waits."""

    def __init__(self):
        self._running = threading.Event()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_resumed(self, timeout: float) -> bool:
        return self._running.wait(timeout)


# ---------------------------------------------------------------- options and results

@dataclass(frozen=True)
class CheckOptions:
    """Limits of a check run (the CLI flags and the GUI's run dialog)."""

    max_depth: int = 6
    max_pages: int = 1000                     # HTML pages per site (pagination included)
    max_attachments: int = 300                # attachments fetched per site for the PII scan
    concurrency: int = 8                      # requests at once, all hosts together
    per_host: int = 2                         # requests at once to one host
    delay: float = 0.25                       # seconds between request starts to one host
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0                    # total seconds per request
    max_page_bytes: int = 3_000_000
    max_attachment_bytes: int = 10_000_000
    probe_threshold: float = 15.0             # homepage slower than this (inclusive) = failed probe
    check_links: bool = True
    kinds: tuple[str, ...] | None = None      # only these check kinds (None: every one in the catalog)
    params: dict = field(default_factory=dict)   # per-kind parameter overrides (over the rule set's)
    contact: str = ""                         # shown in the User-Agent

    def fetch_options(self) -> FetchOptions:
        return FetchOptions(connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                            deadline=self.deadline, max_page_bytes=self.max_page_bytes,
                            max_attachment_bytes=self.max_attachment_bytes, per_host=self.per_host,
                            delay=self.delay, contact=self.contact)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["kinds"] = list(self.kinds) if self.kinds is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "CheckOptions":
        names = {f.name for f in dataclasses.fields(cls)}
        d = {k: v for k, v in (d or {}).items() if k in names}
        if d.get("kinds") is not None:
            d["kinds"] = tuple(d["kinds"])
        return cls(**d)


@dataclass(frozen=True)
class RunProgress:
    """One progress report (plain data, safe to hand to another thread)."""

    run_id: int
    sites_total: int
    sites_done: int
    pages: int
    findings: int                             # new findings written so far
    elapsed: float
    eta: float | None                         # seconds left, None while unknown
    site_key: str = ""                        # the site this report is about
    site_name: str = ""
    site_pages: int = 0
    site_findings: int = 0
    site_state: str = ""
    paused: bool = False
    message: str = ""
    # Sites that finished since the previous report (reports are throttled, so several sites
    # finishing at once arrive together here). SiteResult is defined below.
    finished: tuple = ()


@dataclass(frozen=True)
class SiteResult:
    """Outcome of one site in one run (also the GUI's per-site table row)."""

    target_id: int
    site_key: str
    name: str
    url: str
    state: str                   # pending/running/done/unreachable/failed
    pages: int = 0
    attachments: int = 0
    unscanned: int = 0           # .doc/.xls attachments listed as 未扫描
    links: int = 0               # distinct link targets checked
    broken: int = 0              # of which broken
    findings: int = 0            # new findings written by this run
    existing: int = 0            # findings seen again (already in the round)
    probe_ok: bool | None = None
    probe_seconds: float | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list)   # 未检测 / 样本不足 notes of the site checks
    elapsed: float = 0.0


@dataclass
class RunSummary:
    """What run_checks returns; ``cancelled`` tells a cancelled run from a finished one."""

    run_id: int
    round_id: int
    state: str
    sites_total: int = 0
    sites_done: int = 0
    pages: int = 0
    links: int = 0
    findings: int = 0                     # new findings written
    existing: int = 0                     # findings seen again
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    finding_ids: list[int] = field(default_factory=list)   # new and seen-again findings of this process
    sites: list[SiteResult] = field(default_factory=list)
    skipped_kinds: list[str] = field(default_factory=list)  # checks not run: indicator not in the rule set

    @property
    def cancelled(self) -> bool:
        return self.state == "cancelled"


# ---------------------------------------------------------------- settings

def unverified_sites(db: sqlite_utils.Database) -> set[str]:
    """网站标识码 of sites the inspector chose to read despite TLS errors."""
    try:
        return set(json.loads(get_setting(db, TLS_UNVERIFIED_KEY, "[]") or "[]"))
    except ValueError:
        return set()


def set_unverified(db: sqlite_utils.Database, site_key: str, allowed: bool, who: str | None = None) -> None:
    """Per-site choice: continue without TLS verification after a certificate error (audited)."""
    keys = unverified_sites(db)
    old = site_key in keys
    (keys.add if allowed else keys.discard)(site_key)
    with transaction(db):
        set_setting(db, TLS_UNVERIFIED_KEY, json.dumps(sorted(keys), ensure_ascii=False))
        audit.log(db, "settings", None, "tls_unverified", {"site": site_key, "allowed": old},
                  {"site": site_key, "allowed": bool(allowed)}, who)


def retention_days(db: sqlite_utils.Database) -> int:
    raw = get_setting(db, RETENTION_KEY, None)
    try:
        return int(raw) if raw not in (None, "") else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def prune_evidence(db: sqlite_utils.Database, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete fetched-page 留痕 older than the retention period; returns rows deleted.

    ``days`` defaults to the evidence_retention_days setting (0 or less: keep forever).
    Kept regardless: evidence tied to a finding, pages or links a finding of the same round
    names, and the cache of runs that can still be resumed.
    """
    days = retention_days(db) if days is None else int(days)
    if days <= 0:
        return 0
    cutoff = ((now or dt.datetime.now()) - dt.timedelta(days=days)).replace(microsecond=0).isoformat(sep=" ")
    with transaction(db):
        cur = db.conn.execute(
            """DELETE FROM evidence
               WHERE kind IN ('page', 'file', 'link') AND fetched_at < ? AND finding_id IS NULL
                 AND (run_id IS NULL OR run_id NOT IN
                      (SELECT id FROM check_runs WHERE state IN ('running', 'paused', 'cancelled', 'failed')))
                 AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.round_id = evidence.round_id
                                 AND (f.url = evidence.url OR f.page = evidence.url))""", (cutoff,))
        return cur.rowcount


def page_text(db: sqlite_utils.Database, evidence_id: int) -> str:
    """The stored (留痕) text of a fetched page."""
    row = db.conn.execute("SELECT content FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    return zlib.decompress(row[0]).decode("utf-8") if row and row[0] else ""


# ---------------------------------------------------------------- worker side

_worker = threading.local()


def _init_worker(options: FetchOptions) -> None:
    _worker.session = new_http_session(options)


@dataclass(frozen=True)
class _Cached:
    """A page or file fetched earlier in this run (from the evidence table), or an external page."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    content: bytes | None
    note: dict
    elapsed: float | None
    size: int
    content_hash: str
    fetched_at: str


@dataclass(frozen=True)
class _Task:
    site_key: str
    item: CrawlItem | None = None          # GET (page, attachment, external page)
    link_url: str = ""                     # status check
    probe_host: str = ""                   # HTTPS and AAAA probe of the site
    cached: _Cached | None = None          # replay without network
    run_page_checks: bool = True


@dataclass
class _Outcome:
    task: _Task
    page: Page | None = None               # text kept only for the homepage and external pages
    status: LinkStatus | None = None
    links: list = field(default_factory=list)
    findings: list[CheckFinding] = field(default_factory=list)
    summaries: dict = field(default_factory=dict)
    check_errors: list[str] = field(default_factory=list)
    content: bytes | None = None           # zlib-compressed text for the evidence row
    tls: Any = NOT_SUPPLIED
    aaaa: Any = NOT_SUPPLIED
    cancelled: bool = False


@dataclass(frozen=True)
class _Env:
    """Read-only state shared by the workers."""

    fetch_options: FetchOptions
    gate: HostGate
    cancel: CancelToken
    suite: Suite
    contexts: dict                          # site key -> CheckContext
    unverified: frozenset
    probe_threshold: float
    # (page, ctx, links=, checks=, collect=, compress=) -> Analysis, in the worker thread. Tried in
    # helper processes too: on the benchmark corpus pickling pages and results both ways cost
    # more than the ~2 ms of checks a page needs, and runs got slower.
    analyse: Callable


def _page_from_cache(c: _Cached, item: CrawlItem) -> Page:
    text = zlib.decompress(c.content).decode("utf-8") if c.content else ""
    n = c.note
    return Page(url=c.final_url or c.url, status=c.status, text=text, content_type=c.content_type,
                encoding=n.get("encoding", ""), requested_url=c.url, depth=item.depth, is_home=item.is_home,
                referrer=item.referrer, anchor=item.anchor, error=n.get("error", ""), elapsed=c.elapsed,
                fetched_at=c.fetched_at, purpose=item.purpose, size=c.size, truncated=bool(n.get("truncated")),
                content_hash=c.content_hash, error_kind=n.get("error_kind", ""),
                redirects=tuple(n.get("redirects", ())), tls_error=n.get("tls_error", ""))


def _aaaa(host: str) -> list[str] | None:
    """IPv6 addresses of a host ([] when it has none, None when DNS could not be asked)."""
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET6, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5), getattr(socket, "EAI_ADDRFAMILY", -9)):
            return []
        return None
    except (OSError, UnicodeError):
        return None
    return list(dict.fromkeys(i[4][0] for i in infos))


def _probe_task(env: _Env, task: _Task) -> _Outcome:
    out = _Outcome(task)
    url = env.contexts[task.site_key].site.get("url") or ""
    if env.suite.wants("https_problem"):
        out.tls = probe_tls(url, env.fetch_options, _worker.session, env.gate, env.cancel)
    if env.suite.wants("ipv6_missing"):
        out.aaaa = _aaaa(task.probe_host)
    out.cancelled = env.cancel.cancelled
    return out


def _do_task(env: _Env, task: _Task) -> _Outcome:
    """Worker thread: fetch (or replay), extract links, run the per-page checks and collectors."""
    if task.probe_host:
        return _probe_task(env, task)
    session = _worker.session
    verify = False if task.site_key in env.unverified else None
    if task.link_url:
        page = check_link(session, task.link_url, options=env.fetch_options, gate=env.gate, cancel=env.cancel)
        if page.error_kind.startswith("tls") and verify is False:
            first = page.error_kind
            page = check_link(session, task.link_url, options=env.fetch_options, gate=env.gate, cancel=env.cancel,
                              verify=False)
            page = dataclasses.replace(page, tls_error=first)
        return _Outcome(task, status=LinkStatus.from_page(page), cancelled=page.error_kind == "cancelled")
    item = task.item
    if task.cached is not None:
        page = _page_from_cache(task.cached, item)
    else:
        purpose = "attachment" if item.purpose == "attachment" else "page"
        deadline = max(env.fetch_options.deadline, env.probe_threshold) if item.is_home else None
        page = fetch(session, item.url, options=env.fetch_options, purpose=purpose, gate=env.gate,
                     cancel=env.cancel, deadline=deadline)
        if page.error_kind.startswith("tls") and verify is False:
            first = page.error_kind
            page = fetch(session, item.url, options=env.fetch_options, purpose=purpose, gate=env.gate,
                         cancel=env.cancel, deadline=deadline, verify=False)
            page = dataclasses.replace(page, tls_error=first)
        if page.error_kind == "cancelled" or (env.cancel.cancelled and page.error_kind == "deadline"):
            return _Outcome(task, cancelled=True)
        page = dataclasses.replace(page, depth=item.depth, is_home=item.is_home, referrer=item.referrer,
                                   anchor=item.anchor, purpose=item.purpose)
        if page.truncated and item.purpose == "attachment":
            page = dataclasses.replace(page, raw=b"")      # a cut file cannot be read: the check lists it
    out = _Outcome(task, status=dataclasses.replace(LinkStatus.from_page(page), url=item.url))
    is_page = item.purpose == "page"
    checks = item.purpose != "external" and task.run_page_checks
    if checks and item.is_home and page.ok and is_forwarding_stub(page):
        checks = False                     # its refresh target is checked as the homepage instead
    want_links = page.ok and page.is_html and bool(page.text) and is_page
    if want_links or checks or (task.cached is None and page.text):
        res = env.analyse(page, env.contexts[task.site_key], links=want_links, checks=checks,
                          collect=checks and is_page, compress=task.cached is None)
        out.links, out.findings, out.summaries, out.content = res.links, res.findings, res.summaries, res.content
        out.check_errors.extend(res.errors)
    # Keep the text only where a site check needs it (homepage, external pages).
    page.__dict__.pop("soup", None)
    for key in [k for k in page.__dict__ if k.startswith("_gi_")]:
        page.__dict__.pop(key, None)                   # per-page caches of the checks
    keep = item.is_home or item.purpose == "external"
    out.page = page if keep else dataclasses.replace(page, text="", raw=b"")
    return out


# ---------------------------------------------------------------- run thread side

_MAX_OCCURRENCES = 60                      # linking pages remembered per link target


@dataclass
class _SiteRun:
    target: rounds.RoundTarget
    crawl: SiteCrawl | None = None
    state: str = "pending"
    inflight: int = 0
    awaiting: set = field(default_factory=set)     # link urls checked for another site, still in flight
    cached: dict = field(default_factory=dict)     # url -> _Cached
    home: Page | None = None
    page_findings: list = field(default_factory=list)   # HTML page findings, merged at the end of the site
    summaries: dict = field(default_factory=dict)       # collector -> per-page summaries
    occurrences: dict = field(default_factory=dict)     # link url -> [(page, anchor, link_type)]
    external_pages: list = field(default_factory=list)
    tls: Any = NOT_SUPPLIED
    aaaa: Any = NOT_SUPPLIED
    probe_pending: bool = False
    pages: int = 0
    attachments: int = 0
    findings: int = 0
    existing: int = 0
    probed: bool = False
    probe_ok: bool | None = None
    probe_seconds: float | None = None
    error: str = ""
    notes: list = field(default_factory=list)
    started: float = 0.0
    elapsed_before: float = 0.0
    links: int = 0
    broken: int = 0
    unscanned: int = 0

    @property
    def key(self) -> str:
        return self.target.target_key

    def result(self) -> SiteResult:
        return SiteResult(
            target_id=self.target.id, site_key=self.key, name=self.target.name, url=self.target.url,
            state=self.state, pages=self.pages, attachments=self.attachments, unscanned=self.unscanned,
            links=self.links, broken=self.broken, findings=self.findings, existing=self.existing,
            probe_ok=self.probe_ok, probe_seconds=self.probe_seconds, error=self.error, notes=list(self.notes),
            elapsed=round(self.elapsed_before + (time.monotonic() - self.started if self.started else 0.0), 1))

    def fraction(self) -> float:
        """Share of this site done, for the ETA."""
        if self.state in FINISHED_STATES:
            return 1.0
        if self.crawl is None:
            return 0.0
        done = self.pages + self.attachments
        left = min(self.crawl.pending(), max(0, self.crawl.max_pages - self.crawl.pages_claimed) + 50)
        return min(0.95, done / max(1, done + left + self.inflight))


def _site_from_summary(site: _SiteRun, d: dict) -> None:
    for k in ("state", "pages", "attachments", "findings", "existing", "probe_ok", "probe_seconds", "error",
              "links", "broken", "unscanned", "notes"):
        if k in d:
            setattr(site, k, d[k])
    site.probed = bool(d.get("probed"))
    site.elapsed_before = float(d.get("elapsed") or 0.0)


class _Engine:
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
        self.contexts = {s.key: CheckContext(as_of=self.as_of, site=self._site_record(s.target), params=check_params)
                         for s in self.sites}
        self.env = _Env(self.fetch_options, self.gate, self.cancel, self.suite, self.contexts,
                        frozenset(unverified_sites(db)), self.options.probe_threshold, self.analyser)
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
        self.dirty_sites = False
        self.last_flush = time.monotonic()
        self.last_summary_write = 0.0
        self.last_progress = 0.0
        self.finished_since_report: list[SiteResult] = []
        self.who = audit.current_user(db)

    # ------------------------------------------------------------ set-up helpers

    @staticmethod
    def _site_record(t: rounds.RoundTarget) -> dict:
        rec = dict(t.snapshot or {})
        rec.setdefault("site_code", t.target_key)
        rec.setdefault("name", t.name)
        rec.setdefault("url", t.url)
        rec.setdefault("host_unit", t.unit_name)
        rec.setdefault("region", t.region_name)
        rec.setdefault("is_portal", t.is_portal)
        return rec

    def _load_link_cache(self) -> None:
        for url, status, note in self.db.conn.execute(
                "SELECT url, http_status, note FROM evidence WHERE run_id = ? AND kind = 'link'", (self.run_id,)):
            n = _note(note)
            self.link_status[url] = LinkStatus(url=url, status=status, error=n.get("error", ""),
                                               error_kind=n.get("error_kind", ""), final_url=n.get("final", url))

    def _load_site_cache(self, site: _SiteRun) -> None:
        rows = self.db.conn.execute(
            """SELECT url, http_status, mime, content, note, elapsed, bytes, content_hash, fetched_at
               FROM evidence WHERE run_id = ? AND target_id = ? AND kind IN ('page', 'file')""",
            (self.run_id, site.target.id))
        for url, status, mime, content, note, elapsed, size, chash, at in rows:
            n = _note(note)
            if n.get("unscanned"):
                continue
            site.cached[url] = _Cached(url, n.get("final", url), status, mime or "", content, n, elapsed,
                                       size or 0, chash or "", at)

    # ------------------------------------------------------------ scheduling

    def _activate(self, executor: ThreadPoolExecutor) -> None:
        want = max(2, self.options.concurrency)
        for site in self.sites:
            if len(self.active) >= want:
                break
            if site.state != "pending":
                continue
            site.state = "running"
            site.started = time.monotonic()
            if not site.target.url:
                site.state, site.error = "failed", "未登记网址"
                self._site_finished(site, run_checks=False)
                continue
            site.crawl = SiteCrawl(site.target.url, self.options.max_depth, self.options.max_pages,
                                   self.options.max_attachments, fetch_attachments=self.suite.wants("pii"),
                                   fetch_external=self.suite.wants("external_link_suspect"))
            self._load_site_cache(site)
            site.pages = site.attachments = 0           # recounted while replaying the cache
            self.active.append(site)
            self.dirty_sites = True
            if self.suite.wants("https_problem") or self.suite.wants("ipv6_missing"):
                host = urlsplit(site.crawl.home_url).hostname or ""
                if host:
                    site.probe_pending = True
                    self._submit(executor, site, _Task(site.key, probe_host=host), "")

    def _host_free(self, url: str) -> bool:
        return self.host_inflight.get(host_key(url), 0) < self.options.per_host

    def _submit(self, executor: ThreadPoolExecutor, site: _SiteRun, task: _Task, url: str) -> None:
        host = host_key(url) if url and task.cached is None else ""
        if host:
            self.host_inflight[host] = self.host_inflight.get(host, 0) + 1
        fut = executor.submit(_do_task, self.env, task)
        fut.host = host
        self.inflight[fut] = site
        site.inflight += 1

    def _next_task(self, site: _SiteRun) -> tuple[_Task, str] | None:
        crawl = site.crawl
        while True:
            item = crawl.peek_item()
            if item is None:
                break
            cached = site.cached.get(item.url)
            if cached is not None:
                crawl.next_item()
                # Replayed: page checks run again (their findings are merged at the end of the site),
                # attachments' findings were written when they were first read.
                return _Task(site.key, item, cached=cached, run_page_checks=item.purpose == "page"), item.url
            if item.purpose == "external":
                if item.url in self.externals:
                    # Fetched for another site already: replay it for this one.
                    crawl.next_item()
                    return _Task(site.key, item, cached=self.externals[item.url]), item.url
                if item.url in self.external_inflight:
                    crawl.next_item()                   # being fetched for another site: wait for it
                    self.external_inflight[item.url].append((site, item))
                    site.awaiting.add(("external", item.url))
                    continue
                st = self.link_status.get(item.url)
                if st is not None and not st.ok:
                    crawl.next_item()                   # known dead from a link check: nothing to read
                    site.external_pages.append(Page(
                        url=st.final_url or item.url, status=st.status, requested_url=item.url, error=st.error,
                        error_kind=st.error_kind, referrer=item.referrer, anchor=item.anchor, purpose="external"))
                    continue
            if self._host_free(item.url):
                crawl.next_item()
                if item.purpose == "external":
                    self.external_inflight[item.url] = []
                return _Task(site.key, item), item.url
            break
        if not self.check_links:
            crawl.link_queue.clear()
            return None
        q = crawl.link_queue
        for _ in range(min(len(q), 32)):
            url = q.popleft()
            if url in self.link_status:
                continue
            if url in self.link_inflight:
                self.link_inflight[url].add(site.key)
                site.awaiting.add(url)
                continue
            if self._host_free(url):
                self.link_inflight[url] = {site.key}
                site.awaiting.add(url)
                return _Task(site.key, link_url=url), url
            q.append(url)
        return None

    def _fill(self, executor: ThreadPoolExecutor) -> None:
        limit = max(1, self.options.concurrency) * 2       # a little queue keeps the workers busy
        while self.deferred:
            site, task, url = self.deferred.pop()
            site.awaiting.discard(("external", url))
            self._submit(executor, site, task, url)
        progress = True
        while progress and len(self.inflight) < limit:
            progress = False
            for site in list(self.active):
                if len(self.inflight) >= limit:
                    break
                nxt = self._next_task(site)
                if nxt is not None:
                    self._submit(executor, site, *nxt)
                    progress = True

    # ------------------------------------------------------------ results

    def _handle(self, fut: Future) -> None:
        site = self.inflight.pop(fut)
        site.inflight -= 1
        if fut.host:
            self.host_inflight[fut.host] -= 1
        if fut.cancelled():
            return
        try:
            out: _Outcome = fut.result()
        except Exception as exc:                       # a bug in a worker: record it, keep going
            log.exception("task failed")
            self._error(site, str(exc))
            return
        task = out.task
        if task.probe_host:
            site.probe_pending = False
            site.tls, site.aaaa = out.tls, out.aaaa
            return
        if out.cancelled:
            if task.link_url:
                self.link_inflight.pop(task.link_url, None)
            if task.item is not None and task.item.purpose == "external":
                self.external_inflight.pop(task.item.url, None)
            return
        for e in out.check_errors:
            self._error(site, e)
        if task.link_url:
            self._link_done(site, task.link_url, out.status)
            return
        item, page = task.item, out.page
        crawl = site.crawl
        if item.url not in self.link_status or task.cached is None:
            self.link_status[item.url] = out.status
        if item.is_home:
            crawl.note_redirect(item, page.url)
            if site.home is None or page.ok:
                site.home = page           # a forwarding stub's target replaces it
                site.error = "" if page.ok else (page.error or f"首页返回 HTTP {page.status}")
            if not site.probed and task.cached is None:
                self._probe(site, page)
        if item.purpose == "page":
            site.pages += int(page.ok and page.is_html)
        elif item.purpose == "attachment":
            site.attachments += int(page.ok)
        elif item.purpose == "external":
            site.external_pages.append(page)
            if task.cached is None:
                if out.content is not None:
                    self.externals[item.url] = _Cached(item.url, page.url, page.status, page.content_type,
                                                       out.content, _evidence_note(page), page.elapsed, page.size,
                                                       page.content_hash, page.fetched_at)
                self._release_external_waiters(item.url, page)
        if task.cached is None:
            self.pending_evidence.append(self._evidence_row(site, page, out.content))
        for name, value in out.summaries.items():
            site.summaries.setdefault(name, []).append(value)
        if out.findings:
            if item.purpose == "attachment":
                self._queue_findings(site, out.findings)          # written with the file's evidence row
            else:
                site.page_findings.extend(out.findings)
        if out.links:
            self._remember_links(site, page.url, out.links)
            crawl.add_links(page.url, item.depth, out.links, item.is_home)

    def _release_external_waiters(self, url: str, page: Page) -> None:
        """Sites that link the same external page get it replayed with their own referrer."""
        for other, item in self.external_inflight.pop(url, []):
            if url in self.externals:
                # Still awaited until _fill submits the replay, so the site cannot finish before it.
                self.deferred.append((other, _Task(other.key, item, cached=self.externals[url]), url))
            else:                                        # nothing to read (dead, not HTML): the status is enough
                other.awaiting.discard(("external", url))
                other.external_pages.append(dataclasses.replace(
                    page, referrer=item.referrer, anchor=item.anchor, text="", raw=b""))

    def _remember_links(self, site: _SiteRun, page_url: str, found: list) -> None:
        """Where each link appears, for the broken-link findings (dropped once a target is known fine)."""
        occ = site.occurrences
        for link in found:
            st = self.link_status.get(link.url)
            if st is not None and st.ok:
                continue
            places = occ.setdefault(link.url, [])
            if len(places) < _MAX_OCCURRENCES:
                places.append((page_url, link.text[:200], link.link_type))

    def _link_done(self, site: _SiteRun, url: str, status: LinkStatus) -> None:
        self.link_status[url] = status
        waiting = self.link_inflight.pop(url, set())
        for s in self.active:
            if s.key in waiting:
                s.awaiting.discard(url)
                if status.ok:
                    s.occurrences.pop(url, None)
        site.awaiting.discard(url)
        if status.ok:
            site.occurrences.pop(url, None)
        note = {"final": status.final_url}
        for k in ("error", "error_kind"):
            if getattr(status, k):
                note[k] = getattr(status, k)
        if status.redirects:
            note["redirects"] = list(status.redirects)
        self.pending_evidence.append((self.round_id, site.target.id, self.run_id, "link", url, status.status,
                                      audit.now(), status.elapsed, None, "", status.content_type, None,
                                      json.dumps(note, ensure_ascii=False)))

    def _probe(self, site: _SiteRun, page: Page) -> None:
        seconds = page.elapsed
        ok = page.ok and seconds is not None and seconds < self.options.probe_threshold
        error = page.error
        if page.ok and not ok:
            error = f"首页打开用时 {seconds:.1f} 秒，达到 {self.options.probe_threshold:g} 秒阈值"
        elif not page.ok and not error:
            error = f"HTTP {page.status}"
        site.probed, site.probe_ok, site.probe_seconds = True, ok, seconds
        if site.target.site_id is not None:
            self.pending_probes.append((site.target.site_id, page.requested_url or page.url, page.fetched_at,
                                        seconds, int(ok), page.status, error, "probe"))
        self.dirty_sites = True

    def _evidence_row(self, site: _SiteRun, page: Page, content: bytes | None) -> tuple:
        kind = "file" if page.purpose == "attachment" else "page"
        return (self.round_id, site.target.id, self.run_id, kind, page.requested_url or page.url, page.status,
                page.fetched_at or audit.now(), page.elapsed, page.size, page.content_hash, page.content_type,
                content, json.dumps(_evidence_note(page), ensure_ascii=False))

    def _queue_findings(self, site: _SiteRun, found: list[CheckFinding]) -> None:
        kept, dropped = self.suite.finish(found) if found else ([], 0)
        if dropped:
            self._error(site, f"{dropped} 条问题的指标不在本轮指标体系中，未记录")
        rows = self.pending_findings.setdefault(site.target.id, [])
        for f in kept:
            rows.append({"target_id": site.target.id, "indicator_id": f.indicator_id, "kind": f.kind, "url": f.url,
                         "page": f.page, "detail": f.detail, "snippet": f.snippet, "count": f.count,
                         "evidence_text": f.evidence, "fingerprint": f.fingerprint})

    def _error(self, site: _SiteRun | None, text: str) -> None:
        if len(self.errors) < 200:
            self.errors.append(f"{site.key}：{text}" if site else text)

    # ------------------------------------------------------------ finishing a site

    def _ready(self, site: _SiteRun) -> bool:
        crawl = site.crawl
        if site.inflight or site.awaiting or site.probe_pending:
            return False
        if crawl.peek_item() is not None:
            return False
        if self.check_links:
            return not any(u not in self.link_status for u in crawl.link_queue)
        return True

    def _link_results(self, site: _SiteRun) -> list[LinkResult]:
        out = []
        for url, places in site.occurrences.items():
            st = self.link_status.get(url)
            if st is None or st.ok:
                continue
            out.extend(link_result(url, page, anchor, link_type, st.status, st.error_kind)
                       for page, anchor, link_type in places)
        return out

    def _site_finished(self, site: _SiteRun, run_checks: bool = True) -> None:
        crawl = site.crawl
        if run_checks and crawl is not None:
            if site.home is None or not site.home.ok:
                site.state = "unreachable"
            checked = [u for u in crawl.referrers if u in self.link_status]
            site.links = len(checked)
            site.broken = sum(1 for u in checked if not self.link_status[u].ok)
            unscanned = {u: ref for u, ref in crawl.unscanned.items()
                         if u in self.link_status and self.link_status[u].ok}
            host = urlsplit(crawl.home_url).hostname or ""
            home_url = site.home.url if site.home is not None and site.home.ok else crawl.home_url
            inputs = SiteInputs(
                home_url=home_url, home=site.home, summaries=site.summaries,
                link_results=self._link_results(site) if self.check_links else NOT_SUPPLIED,
                external_pages=site.external_pages if crawl.fetch_external else NOT_SUPPLIED,
                tls=site.tls, aaaa=site.aaaa, host=host,
                probes=self._probes(site) if site.target.site_id is not None else NOT_SUPPLIED,
                unscanned=unscanned)
            found, notes, errors = self.suite.site_findings(inputs, self.contexts[site.key])
            for e in errors:
                self._error(site, e)
            site.notes = notes
            self._queue_findings(site, site.page_findings + found)
            site.unscanned = len(unscanned)
            for url, ref in unscanned.items():
                st = self.link_status[url]
                self.pending_evidence.append((
                    self.round_id, site.target.id, self.run_id, "file", url, st.status, audit.now(),
                    None, None, "", st.content_type, None,
                    json.dumps({"unscanned": True, "referrer": ref, "note": "未扫描"}, ensure_ascii=False)))
        if site.state == "running":
            site.state = "done"
        # Drop what the site kept in memory.
        site.home, site.cached, site.page_findings, site.summaries = None, {}, [], {}
        site.occurrences, site.external_pages, site.crawl = {}, [], None
        if site in self.active:
            self.active.remove(site)
        self.dirty_sites = True
        self._flush(force=True)
        self.finished_since_report.append(site.result())
        self._report(site)

    def _probes(self, site: _SiteRun) -> list[dict]:
        start = (self.as_of - dt.timedelta(days=31)).isoformat()
        end = self.as_of.isoformat() + " 23:59:59"
        self._flush(force=True)                         # this run's probe is part of the history
        cur = self.db.conn.execute(
            "SELECT url, at, seconds, ok, http_status, error FROM probes WHERE site_id = ? AND at >= ? "
            "AND at <= ? ORDER BY at", (site.target.site_id, start, end))
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    # ------------------------------------------------------------ writing

    def _summary(self) -> dict:
        sites = {}
        for s in self.sites:
            d = dataclasses.asdict(s.result())
            for k in ("target_id", "site_key", "name", "url"):
                d.pop(k)
            d["probed"] = s.probed
            sites[s.key] = d
        return {"elapsed": round(self._elapsed(), 1), "pages": sum(s.pages for s in self.sites),
                "findings": sum(s.findings for s in self.sites),
                "existing": sum(s.existing for s in self.sites),
                "sites_done": sum(1 for s in self.sites if s.state in FINISHED_STATES),
                "sites_total": len(self.sites), "skipped_kinds": self.suite.skipped,
                "errors": self.errors[-200:], "sites": sites}

    def _flush(self, force: bool = False, state: str | None = None, finished: bool = False) -> None:
        now = time.monotonic()
        n = len(self.pending_evidence) + sum(len(v) for v in self.pending_findings.values()) + len(self.pending_probes)
        if not force and n < _FLUSH_ROWS and (now - self.last_flush) < _FLUSH_SECONDS:
            return
        if not n and not self.dirty_sites and state is None:
            self.last_flush = now
            return
        write_summary = self.dirty_sites or state is not None or (now - self.last_summary_write) > 5.0
        by_id = {s.target.id: s for s in self.sites}
        with transaction(self.db):
            if self.pending_evidence:
                self.db.conn.executemany(
                    """INSERT INTO evidence(round_id, target_id, run_id, kind, url, http_status, fetched_at, elapsed,
                           bytes, content_hash, mime, content, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    self.pending_evidence)
            if self.pending_probes:
                self.db.conn.executemany(
                    "INSERT INTO probes(site_id, url, at, seconds, ok, http_status, error, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.pending_probes)
            for target_id, rows in self.pending_findings.items():
                if not rows:
                    continue
                res = findings_mod.add_findings(self.db, self.round_id, rows, self.run_id, who=self.who)
                site = by_id[target_id]
                site.findings += len(res.added)
                site.existing += len(res.existing)
                self.finding_ids.extend(res.added)
                self.finding_ids.extend(res.existing)
            if write_summary:
                sets, args = ["summary = ?"], [json.dumps(self._summary(), ensure_ascii=False)]
                if state is not None:
                    sets.append("state = ?")
                    args.append(state)
                if finished:
                    sets.append("finished_at = ?")
                    args.append(audit.now())
                self.db.conn.execute(f"UPDATE check_runs SET {', '.join(sets)} WHERE id = ?", args + [self.run_id])
        self.pending_evidence, self.pending_findings, self.pending_probes = [], {}, []
        self.last_flush = now
        if write_summary:
            self.dirty_sites = False
            self.last_summary_write = now

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
                    if not self.inflight:
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
                if self.inflight:
                    done, _ = wait(list(self.inflight), timeout=0.1, return_when=FIRST_COMPLETED)
                    for fut in done:
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
            finding_ids=list(dict.fromkeys(self.finding_ids)), sites=results, skipped_kinds=list(self.suite.skipped))


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


def _note(text: str | None) -> dict:
    if not text:
        return {}
    try:
        d = json.loads(text)
    except ValueError:
        return {"text": text}
    return d if isinstance(d, dict) else {"text": text}


def _evidence_note(page: Page) -> dict:
    note = {"final": page.url, "depth": page.depth, "purpose": page.purpose}
    for k in ("error", "error_kind", "encoding", "tls_error", "referrer"):
        v = getattr(page, k)
        if v:
            note[k] = v
    if page.truncated:
        note["truncated"] = True
    if page.redirects:
        note["redirects"] = list(page.redirects)
    return note


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


@dataclass(frozen=True)
class RunInfo:
    id: int
    round_id: int
    started_at: str
    finished_at: str | None
    state: str
    site_keys: list[str] | None
    options: CheckOptions
    sites_total: int
    sites_done: int
    pages: int
    findings: int
    elapsed: float


def list_runs(db: sqlite_utils.Database, round_id: int) -> list[RunInfo]:
    """Check runs of a round, newest first."""
    out = []
    for rid, rnd, started, finished, state, params, summary in db.conn.execute(
            "SELECT id, round_id, started_at, finished_at, state, params, summary FROM check_runs "
            "WHERE round_id = ? ORDER BY id DESC", (round_id,)):
        p, s = _note(params), _note(summary)
        out.append(RunInfo(rid, rnd, started, finished, state, p.get("site_keys"),
                           CheckOptions.from_dict(p.get("options") or {}), int(s.get("sites_total") or 0),
                           int(s.get("sites_done") or 0), int(s.get("pages") or 0), int(s.get("findings") or 0),
                           float(s.get("elapsed") or 0.0)))
    return out


def site_results(db: sqlite_utils.Database, run_id: int) -> list[SiteResult]:
    """Per-site results of a run in round order (sites not reached yet show as pending)."""
    row = db.conn.execute("SELECT round_id, params, summary FROM check_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise ValidationError({"检查任务": f"编号 {run_id} 不存在"})
    round_id, params, summary = row[0], _note(row[1]), _note(row[2])
    saved = summary.get("sites") or {}
    targets = rounds.round_targets(db, round_id, "site")
    keys = params.get("site_keys")
    if keys:
        targets = [t for t in targets if t.target_key in set(keys)]
    names = {f.name for f in dataclasses.fields(SiteResult)}
    out = []
    for t in targets:
        d = {k: v for k, v in (saved.get(t.target_key) or {}).items() if k in names}
        d.setdefault("state", "pending")
        out.append(SiteResult(target_id=t.id, site_key=t.target_key, name=t.name, url=t.url, **d))
    return out


def run_finding_ids(db: sqlite_utils.Database, run_id: int, extra: list[int] | None = None) -> list[int]:
    """Findings a run wrote, plus ``extra`` (findings it saw again), in id order."""
    ids = {r[0] for r in db.conn.execute("SELECT id FROM findings WHERE run_id = ?", (run_id,))}
    ids.update(extra or [])
    return sorted(ids)
