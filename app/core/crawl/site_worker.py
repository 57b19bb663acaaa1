"""Worker-thread side of a check run: fetch or replay one task, extract links, run the page checks."""
from __future__ import annotations

import dataclasses
import functools
import socket
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

from ..checks.attachments import READABLE, attachment_name, attachment_type, disposition_filename
from ..checks.base import CheckFinding, Page
from ..checks.catalog import NOT_SUPPLIED
from ..checks.ocr_scan import answerable
from .check_suite import Suite
from .crawler import CrawlItem, is_forwarding_stub, same_site
from .fetching import LinkStatus, check_link, fetch
from .tls_probe import probe_tls
from .transport import FetchOptions, HostGate, new_http_session
from .run_tokens import Cancelled, CancelToken

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
    # A page URL that answers with a file (/download.jsp?id=1 → PDF): "read" it as an attachment,
    # or only "note" it as one (attachments not wanted or over their cap); see fetching.fetch.
    files: str = "read"


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
    file_note: dict = field(default_factory=dict)   # attachments: file type, name, scanned (evidence note)
    file_unscanned: bool = False           # an attachment whose content could not be scanned
    ocr_raw: bytes = b""                   # an image or scanned PDF for the OCR stage (run option ocr)
    ocr_name: str = ""


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
    # more than the ~1 ms of checks a page needs, and runs got slower.
    analyse: Callable
    ocr: bool = False                       # keep images and scanned PDFs for the OCR stage


def _page_from_cache(c: _Cached, item: CrawlItem) -> Page:
    text = zlib.decompress(c.content).decode("utf-8") if c.content else ""
    n = c.note
    # A page URL that answered with a file was stored as an attachment: it stays one (no HTML).
    purpose = "attachment" if n.get("purpose") == "attachment" else item.purpose
    headers = {"content-disposition": n["disposition"]} if n.get("disposition") else {}
    return Page(url=c.final_url or c.url, status=c.status, text=text, content_type=c.content_type,
                headers=headers,
                encoding=n.get("encoding", ""), requested_url=c.url, depth=item.depth, is_home=item.is_home,
                referrer=item.referrer, anchor=item.anchor, error=n.get("error", ""), elapsed=c.elapsed,
                fetched_at=c.fetched_at, purpose=purpose, size=c.size, truncated=bool(n.get("truncated")),
                content_hash=c.content_hash, error_kind=n.get("error_kind", ""),
                redirects=tuple(n.get("redirects", ())), tls_error=n.get("tls_error", ""))


def _note_file(out: _Outcome, page: Page, cached: _Cached | None) -> None:
    """File type and name of an attachment for its evidence row, and whether its content was scanned
    (bytes read and a readable type); a replay takes them from the stored row."""
    if cached is not None:
        out.file_unscanned = page.ok and cached.note.get("scanned") is False
        return
    kind = attachment_type(page)
    scanned = bool(page.raw or page.text) and kind in READABLE
    out.file_unscanned = page.ok and not scanned
    disposition = (page.headers or {}).get("content-disposition", "")
    out.file_note = {"file_type": kind, "scanned": scanned}
    if disposition:
        out.file_note["disposition"] = disposition[:500]
        name = disposition_filename(disposition)
        if name:
            out.file_note["filename"] = name[:200]


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
        # Site pages may turn out to be files behind URLs without an extension (/download?id=1).
        files = task.files if item.purpose == "page" else ""
        deadline = max(env.fetch_options.deadline, env.probe_threshold) if item.is_home else None
        # A homepage redirect may not take the crawl to another domain (an admin service, say).
        follow = functools.partial(same_site, item.url) if item.is_home else None
        page = fetch(session, item.url, options=env.fetch_options, purpose=purpose, gate=env.gate,
                     cancel=env.cancel, deadline=deadline, files=files, follow=follow)
        if page.error_kind.startswith("tls") and verify is False:
            first = page.error_kind
            page = fetch(session, item.url, options=env.fetch_options, purpose=purpose, gate=env.gate,
                         cancel=env.cancel, deadline=deadline, verify=False, files=files, follow=follow)
            page = dataclasses.replace(page, tls_error=first)
        if page.error_kind == "cancelled" or (env.cancel.cancelled and page.error_kind == "deadline"):
            return _Outcome(task, cancelled=True)
        page = dataclasses.replace(page, depth=item.depth, is_home=item.is_home, referrer=item.referrer,
                                   anchor=item.anchor,
                                   purpose="attachment" if page.purpose == "attachment" else item.purpose)
        if page.truncated and page.purpose == "attachment":
            page = dataclasses.replace(page, raw=b"")      # a cut file cannot be read: the check lists it
    out = _Outcome(task, status=dataclasses.replace(LinkStatus.from_page(page), url=item.url))
    if page.purpose == "attachment":
        _note_file(out, page, task.cached)
    is_page = page.purpose == "page"
    checks = item.purpose not in ("external", "stylesheet") and task.run_page_checks
    if task.cached is not None and page.purpose == "attachment":
        checks = False                     # its findings were written when it was first read
    if checks and item.is_home and page.ok and is_forwarding_stub(page):
        checks = False                     # its refresh target is checked as the homepage instead
    want_links = page.ok and page.is_html and bool(page.text) and is_page
    if want_links or checks or (task.cached is None and page.text):
        try:
            res = env.analyse(page, env.contexts[task.site_key], links=want_links, checks=checks,
                              collect=checks and is_page, compress=task.cached is None)
        except Cancelled:                  # not recorded: a resume fetches and reads it again
            return _Outcome(task, cancelled=True)
        out.links, out.findings, out.summaries, out.content = res.links, res.findings, res.summaries, res.content
        out.check_errors.extend(res.errors)
        if env.ocr and page.purpose == "attachment" and page.raw and answerable(out.findings, page.url):
            out.ocr_raw, out.ocr_name = page.raw, attachment_name(page)
    # Keep the text only where a site check needs it (homepage, external pages, stylesheets).
    for key in [k for k in page.__dict__ if k.startswith("_gi_")]:
        page.__dict__.pop(key, None)                   # per-page caches of the checks
    keep = item.is_home or item.purpose in ("external", "stylesheet")
    out.page = page if keep else dataclasses.replace(page, text="", raw=b"")
    return out


def evidence_note(page: Page) -> dict:
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
