"""Fetching one URL for the checks: byte caps, redirects, deadlines, file sniffing -> Page.

Sessions and pacing live in transport.py, text decoding in decoding.py, error words in
net_errors.py, the HTTPS probe in tls_probe.py. Thread use: each worker thread passes its own
Session (transport.new_http_session); a HostGate is shared by all workers of a run.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from ..checks.attachments import is_file_response, magic_type
from ..checks.base import Page
from .decoding import decode_body
from .net_errors import classify_error, error_text
from .transport import FetchOptions, Flight, HostGate, host_key, in_flight, is_cancelled

REDIRECT_CODES = {301, 302, 303, 307, 308}
# Text-like responses we read as pages; anything else is a download we do not read as HTML.
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json", "application/javascript")
_CHUNK = 64 * 1024


# ---------------------------------------------------------------- fetch

def _now() -> str:
    """Fetch time in the audit log's form (local time, seconds)."""
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


@dataclass
class _Body:
    data: bytes = b""
    truncated: bool = False
    complete: bool = True
    rejected: bool = False                    # ``keep`` refused the first bytes: reading stopped there


_HEAD = 8                                     # bytes a ``keep`` test looks at (magic numbers)


def _read_body(resp: requests.Response, cap: int, deadline: float, flight: Flight, keep=None) -> _Body:
    """Decoded body up to ``cap`` bytes; stops at the deadline (bombs stop at the cap).

    ``keep(head) -> bool``, when given, is asked once the first bytes are in: False stops reading.
    """
    raw = resp.raw
    parts, size = [], 0
    while True:
        if flight.aborted or time.monotonic() >= deadline:
            return _Body(b"".join(parts), truncated=False, complete=False)
        # read1 returns after one socket read, and urllib3 bounds the decoded output by amt,
        # so a drip returns every second and a gzip bomb is counted as it inflates.
        chunk = raw.read1(min(_CHUNK, cap - size + 1), decode_content=True)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
        if keep is not None and size >= _HEAD:
            if not keep(b"".join(parts)[:_HEAD]):
                return _Body(b"".join(parts), rejected=True)
            keep = None
        if size > cap:
            data = b"".join(parts)[:cap]
            return _Body(data, truncated=True)
    if flight.aborted:
        return _Body(b"".join(parts), complete=False)
    data = b"".join(parts)
    if keep is not None and not keep(data[:_HEAD]):
        return _Body(data, rejected=True)
    return _Body(data)


def _proxies_for(session: requests.Session, url: str) -> dict | None:
    """None (the session's proxies), or no proxy for hosts listed in no_proxy."""
    if not session.proxies:
        return None
    no_proxy = getattr(session, "no_proxy", "")
    host = urlsplit(url).hostname or ""
    if no_proxy and urllib.request.proxy_bypass_environment(host, {"no": no_proxy}):
        return {"http": None, "https": None}
    return None


def _is_text_type(content_type: str) -> bool:
    ct = content_type.split(";")[0].strip().lower()
    return not ct or ct.startswith(_TEXT_TYPES) or ct.endswith("+xml")


def _is_document_head(head: bytes) -> bool:
    return bool(magic_type(head))


def _clean_url(url: str) -> str:
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def fetch(session: requests.Session, url: str, *, options: FetchOptions | None = None,
          purpose: str = "page", method: str = "GET", gate: HostGate | None = None, cancel=None,
          verify: bool | str | None = None, read_body: bool | None = None, deadline: float | None = None,
          timeout: tuple[float, float] | None = None, files: str = "",
          follow: Callable[[str], bool] | None = None) -> Page:
    """Fetch ``url`` politely and return a Page (never raises for network trouble).

    purpose: 'page' (HTML read as text, page byte cap), 'attachment' (raw bytes, attachment
    cap), 'link' (status only, no body). Redirects are followed here, at most
    ``options.max_redirects``, refusing loops. ``deadline`` (seconds) bounds the whole call.

    files (purpose 'page' only): what to do when the answer is a file download rather than a
    page (/download.jsp?id=1 answering application/pdf, or octet-stream with a
    ``Content-Disposition: attachment; filename=…``; a bare octet-stream only when its magic
    bytes are a document's, archive's or image's): 'read' returns it as an attachment (purpose
    'attachment', raw bytes, attachment byte cap); 'note' returns it as an attachment without
    its bytes; '' (default) leaves it a page whose body is not read.

    follow(next_url) -> bool, when given, is asked before each redirect: False stops there with
    error kind 'offsite_redirect' and the refused target last in ``redirects`` (a homepage that
    moves to another domain is reported, never crawled as the site).
    """
    options = options or FetchOptions()
    verify = options.verify if verify is None else verify
    if read_body is None:
        read_body = purpose != "link"
    cap = options.max_attachment_bytes if purpose == "attachment" else options.max_page_bytes
    total = options.deadline if deadline is None else deadline
    timeout = timeout or options.timeout
    page = Page(url=url, status=None, requested_url=url, purpose=purpose, fetched_at=_now())
    try:
        current = _clean_url(url)
    except ValueError:
        return replace(page, error=error_text("invalid_url"), error_kind="invalid_url")
    scheme = urlsplit(current).scheme
    if scheme not in ("http", "https"):           # gopher:, file:, ftp: … never go to the network
        return replace(page, error=error_text("bad_scheme", f"{scheme}:" if scheme else ""), error_kind="bad_scheme")
    if not urlsplit(current).hostname:
        return replace(page, error=error_text("invalid_url"), error_kind="invalid_url")
    visited = [current]
    started = None
    hop_method = method
    while True:
        host = host_key(current)
        if gate is not None and not gate.acquire(host, cancel):
            return replace(page, url=current, error=error_text("cancelled"), error_kind="cancelled",
                           redirects=tuple(visited[:-1]))
        try:
            if started is None:
                started = time.monotonic()
            end = started + total
            resp = None
            with in_flight(end, cancel) as flight:
                try:
                    resp = session.request(hop_method, current, stream=True, allow_redirects=False,
                                           timeout=timeout, verify=verify, proxies=_proxies_for(session, current))
                except Exception as exc:              # network trouble becomes data, never a crash
                    kind = flight.aborted or classify_error(exc)
                    detail = f"{total:g} 秒" if kind == "deadline" else ""
                    return replace(page, url=current, error=error_text(kind, detail), error_kind=kind,
                                   elapsed=round(time.monotonic() - started, 3), redirects=tuple(visited[:-1]),
                                   tls_error=kind if kind.startswith("tls") else "")
                try:
                    status = resp.status_code
                    headers = {k.lower(): v for k, v in resp.headers.items()}
                    if status in REDIRECT_CODES and headers.get("location"):
                        try:
                            nxt = _clean_url(urljoin(current, headers["location"]))
                        except ValueError:
                            nxt = ""
                        if urlsplit(nxt).scheme not in ("http", "https"):
                            kind = "bad_scheme" if nxt and urlsplit(nxt).scheme else "invalid_url"
                            return replace(page, url=current, status=status, headers=headers,
                                           error=error_text(kind, headers["location"][:200]),
                                           error_kind=kind, redirects=tuple(visited[:-1]),
                                           elapsed=round(time.monotonic() - started, 3))
                        if follow is not None and not follow(nxt):
                            return replace(page, url=current, status=status, headers=headers,
                                           error=error_text("offsite_redirect", nxt[:200]),
                                           error_kind="offsite_redirect", redirects=tuple(visited) + (nxt,),
                                           elapsed=round(time.monotonic() - started, 3))
                        if nxt in visited:
                            return replace(page, url=current, status=status, headers=headers,
                                           error=error_text("redirect_loop"), error_kind="redirect_loop",
                                           redirects=tuple(visited),
                                           elapsed=round(time.monotonic() - started, 3))
                        if len(visited) > options.max_redirects:
                            return replace(page, url=current, status=status, headers=headers,
                                           error=error_text("too_many_redirects", f"超过 {options.max_redirects} 次"),
                                           error_kind="too_many_redirects", redirects=tuple(visited),
                                           elapsed=round(time.monotonic() - started, 3))
                        visited.append(nxt)
                        current = nxt
                        if status == 303 and hop_method != "HEAD":
                            hop_method = "GET"
                        continue
                    content_type = headers.get("content-type", "")
                    body = _Body()
                    # got: what the answer turned out to be (a page may answer with a file).
                    got, hop_cap, keep = purpose, cap, None
                    if files and purpose == "page" and read_body and hop_method != "HEAD" and 200 <= status < 300:
                        is_file = is_file_response(content_type, headers.get("content-disposition", ""))
                        if is_file is not False:
                            got, hop_cap = "attachment", options.max_attachment_bytes
                        if is_file is None:          # a bare octet-stream: its first bytes tell
                            keep = _is_document_head
                            if files != "read":
                                hop_cap = _HEAD
                    if got == "attachment":
                        wanted = purpose == "attachment" or files == "read" or keep is not None
                    else:
                        wanted = _is_text_type(content_type)
                    if read_body and hop_method != "HEAD" and wanted:
                        try:
                            body = _read_body(resp, hop_cap, end, flight, keep)
                        except Exception as exc:
                            kind = flight.aborted or classify_error(exc)
                            body = _Body(b"", complete=False)
                            if kind not in ("deadline", "cancelled"):
                                return replace(page, url=current, status=status, headers=headers,
                                               content_type=content_type, error=error_text(kind),
                                               error_kind=kind, redirects=tuple(visited[:-1]),
                                               elapsed=round(time.monotonic() - started, 3))
                    elapsed = round(time.monotonic() - started, 3)
                    if not body.complete:
                        kind = flight.aborted or ("cancelled" if is_cancelled(cancel) else "deadline")
                        return replace(page, url=current, status=status, headers=headers, content_type=content_type,
                                       error=error_text(kind, f"{total:g} 秒" if kind == "deadline" else ""),
                                       error_kind=kind, elapsed=elapsed, redirects=tuple(visited[:-1]),
                                       size=len(body.data))
                    if body.rejected:                # not a file after all: a page we do not read
                        got, body = purpose, _Body()
                    elif got == "attachment" and purpose == "page" and files != "read":
                        body = _Body()               # noted as a file, not read
                    text, encoding, raw = "", "", b""
                    if body.data:
                        if got == "attachment":
                            raw = body.data
                            if content_type.startswith("text/"):
                                text, encoding = decode_body(body.data, content_type)
                        else:
                            text, encoding = decode_body(body.data, content_type)
                    return replace(page, url=current, status=status, headers=headers, content_type=content_type,
                                   purpose=got, text=text, raw=raw, encoding=encoding, elapsed=elapsed,
                                   size=len(body.data), truncated=body.truncated,
                                   content_hash=hashlib.sha256(body.data).hexdigest() if body.data else "",
                                   redirects=tuple(visited[:-1]))
                finally:
                    resp.close()
        finally:
            if gate is not None:
                gate.release(host)


def check_link(session: requests.Session, url: str, *, options: FetchOptions | None = None,
               gate: HostGate | None = None, cancel=None, verify: bool | str | None = None) -> Page:
    """Status of a link: HEAD, then GET (headers only) when HEAD is refused (405/403/501)."""
    page = fetch(session, url, options=options, purpose="link", method="HEAD", gate=gate, cancel=cancel,
                 verify=verify)
    if page.status in (405, 403, 501) or (page.status is None and page.error_kind in ("connection", "bad_body")):
        page = fetch(session, url, options=options, purpose="link", method="GET", gate=gate, cancel=cancel,
                     verify=verify, read_body=False)
    return page


@dataclass(frozen=True)
class LinkStatus:
    """The outcome of one link check, as kept per run (plain data)."""

    url: str
    status: int | None
    error: str = ""
    error_kind: str = ""
    final_url: str = ""
    elapsed: float | None = None
    content_type: str = ""
    redirects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400 and not self.error

    @classmethod
    def from_page(cls, page: Page) -> "LinkStatus":
        return cls(url=page.requested_url or page.url, status=page.status, error=page.error,
                   error_kind=page.error_kind, final_url=page.url, elapsed=page.elapsed,
                   content_type=page.content_type, redirects=tuple(page.redirects))
