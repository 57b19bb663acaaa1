"""HTTP fetching for the checks: sessions, pacing, deadlines, byte caps, redirects, encodings.

Thread use: each worker thread calls new_http_session() and keeps its own Session;
a HostGate and the deadline watchdog are shared by all workers of a run.
"""
from __future__ import annotations

import codecs
import hashlib
import re
import socket
import ssl
import threading
import time
import urllib.request
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InsecureRequestWarning

from .. import __version__
from .audit import now as _now
from .checks.attachments import is_file_response, magic_type
from .checks.base import Page

DEFAULT_CONTACT = "ask the inspecting office"
REDIRECT_CODES = {301, 302, 303, 307, 308}
# Text-like responses we read as pages; anything else is a download we do not read as HTML.
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json", "application/javascript")
_CHUNK = 64 * 1024
# Unverified TLS is only used for sites the inspector chose to read despite a certificate
# error, which is recorded on the page; urllib3's warning per request would only be noise.
warnings.filterwarnings("ignore", category=InsecureRequestWarning)


def user_agent(contact: str = "") -> str:
    """An honest User-Agent: names the app, its version and how to reach the operator.

    Header values must be Latin-1, so a Chinese contact is reduced to its ASCII part.
    """
    contact = (contact or "").encode("ascii", "ignore").decode().strip() or DEFAULT_CONTACT
    return (f"Mozilla/5.0 (compatible; GovInspect/{__version__}; government website inspection "
            f"crawler; contact: {contact})")


@dataclass(frozen=True)
class FetchOptions:
    """Network limits of one run (all seconds and bytes)."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0                    # total per request, redirects included
    max_page_bytes: int = 3_000_000           # decoded (decompressed) body of a page
    max_attachment_bytes: int = 10_000_000    # decoded body of an attachment
    max_redirects: int = 10
    per_host: int = 2                         # concurrent requests to one host
    delay: float = 0.25                       # minimum seconds between request starts to one host
    verify: bool | str = True                 # TLS verification (or a CA bundle path)
    contact: str = ""

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


# ---------------------------------------------------------------- cancel helpers (duck-typed tokens)

def _is_cancelled(cancel) -> bool:
    return cancel is not None and cancel.cancelled


def _sleep(seconds: float, cancel) -> bool:
    """Sleep unless cancelled first; False when cancelled."""
    if seconds <= 0:
        return not _is_cancelled(cancel)
    if cancel is None:
        time.sleep(seconds)
        return True
    return not cancel.wait(seconds)


# ---------------------------------------------------------------- deadline watchdog

class _Flight:
    """One request in progress: the watchdog shuts its socket at the deadline or on cancel.

    Timeouts bound each socket read, not the whole request: a server that sends one byte a
    second never trips a read timeout. Shutting the socket from the watchdog thread makes the
    blocked read in the worker return at once, wherever it is (headers or body).
    """

    __slots__ = ("deadline", "cancel", "conn", "aborted")

    def __init__(self, deadline: float, cancel):
        self.deadline = deadline
        self.cancel = cancel
        self.conn = None
        self.aborted = ""                     # '', 'deadline' or 'cancelled'

    def abort(self, why: str) -> None:
        if self.aborted:
            return
        self.aborted = why
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            try:
                # socket.socket.shutdown on purpose: SSLSocket.shutdown would drop its SSL
                # object under the reading thread's feet.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


_local = threading.local()
_flights: set[_Flight] = set()
_flights_lock = threading.Lock()
_watchdog: threading.Thread | None = None
_TICK = 0.1


def _watch() -> None:
    while True:
        time.sleep(_TICK)
        now = time.monotonic()
        with _flights_lock:
            flights = list(_flights)
        for f in flights:
            if _is_cancelled(f.cancel):
                f.abort("cancelled")
            elif now >= f.deadline:
                f.abort("deadline")


@contextmanager
def _flight(deadline: float, cancel) -> Iterator[_Flight]:
    global _watchdog
    f = _Flight(deadline, cancel)
    with _flights_lock:
        if _watchdog is None:
            _watchdog = threading.Thread(target=_watch, name="fetch-watchdog", daemon=True)
            _watchdog.start()
        _flights.add(f)
    _local.flight = f
    try:
        yield f
    finally:
        _local.flight = None
        with _flights_lock:
            _flights.discard(f)


class _TrackedHTTPPool(HTTPConnectionPool):
    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        f = getattr(_local, "flight", None)
        if f is not None:
            f.conn = conn
        return conn


class _TrackedHTTPSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        f = getattr(_local, "flight", None)
        if f is not None:
            f.conn = conn
        return conn


class _Adapter(HTTPAdapter):
    """Adapter whose pools tell the watchdog which connection a request uses."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        # A new dict: the default one is shared module state of urllib3.
        self.poolmanager.pool_classes_by_scheme = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}


def new_http_session(options: FetchOptions | None = None) -> requests.Session:
    """A Session for one worker thread: honest User-Agent, TLS verification, no retries."""
    options = options or FetchOptions()
    s = requests.Session()
    s.headers.update({
        "User-Agent": user_agent(options.contact),
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
    })
    s.verify = options.verify
    s.max_redirects = options.max_redirects
    # Proxies from the environment, read once: with trust_env every request would look up
    # ~/.netrc and the proxy variables again, a noticeable share of a fetch's CPU time.
    s.trust_env = False
    s.proxies = {k: v for k, v in urllib.request.getproxies().items() if k in ("http", "https")}
    s.no_proxy = urllib.request.getproxies().get("no", "")
    adapter = _Adapter(pool_connections=16, pool_maxsize=max(2, options.per_host), max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


# ---------------------------------------------------------------- per-host pacing

def host_key(url: str) -> str:
    """Lower-case host plus a non-default port: the unit of politeness."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        return f"{host}:{port}"
    return host


class HostGate:
    """At most ``per_host`` requests at once to one host, starts at least ``delay`` apart.

    Shared by every worker of a run; the global limit is the worker count.
    """

    def __init__(self, per_host: int = 2, delay: float = 0.25):
        self.per_host = max(1, int(per_host))
        self.delay = max(0.0, float(delay))
        self._cond = threading.Condition()
        self._active: dict[str, int] = {}
        self._next_start: dict[str, float] = {}

    def acquire(self, host: str, cancel=None) -> bool:
        """Wait for a slot; False when cancelled while waiting."""
        with self._cond:
            while True:
                if _is_cancelled(cancel):
                    return False
                now = time.monotonic()
                wait_for = self._next_start.get(host, 0.0) - now
                if self._active.get(host, 0) < self.per_host and wait_for <= 0:
                    self._active[host] = self._active.get(host, 0) + 1
                    self._next_start[host] = now + self.delay
                    return True
                self._cond.wait(min(0.1, wait_for) if wait_for > 0 else 0.1)

    def release(self, host: str) -> None:
        with self._cond:
            self._active[host] = max(0, self._active.get(host, 0) - 1)
            self._cond.notify_all()

    def active(self, host: str) -> int:
        with self._cond:
            return self._active.get(host, 0)


# ---------------------------------------------------------------- errors

ERROR_TEXT = {
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "connect_timeout": "连接超时",
    "read_timeout": "读取超时",
    "deadline": "超过总时限",
    "cancelled": "已取消",
    "connection": "连接失败",
    "redirect_loop": "重定向循环",
    "too_many_redirects": "重定向次数过多",
    "invalid_url": "链接地址无效",
    "bad_body": "响应内容损坏",
    "tls_expired": "证书已过期",
    "tls_not_yet_valid": "证书尚未生效",
    "tls_untrusted": "证书不受信任",
    "tls_name_mismatch": "证书域名不匹配",
    "tls_error": "TLS 握手失败",
}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (cause, context, urllib3 reason, args)."""
    seen, stack = set(), [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(x for x in (e.__cause__, e.__context__, getattr(e, "reason", None))
                     if isinstance(x, BaseException))
        stack.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))


def classify_tls(exc: BaseException) -> str:
    """'tls_expired', 'tls_not_yet_valid', 'tls_untrusted', 'tls_name_mismatch' or 'tls_error'."""
    texts = []
    for e in _causes(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            code = getattr(e, "verify_code", None)
            if code == 10:
                return "tls_expired"
            if code == 9:
                return "tls_not_yet_valid"
            if code in (62, 64):                      # host name / IP address mismatch
                return "tls_name_mismatch"
            if code in (2, 18, 19, 20, 21, 27, 28):
                return "tls_untrusted"
            texts.append(str(getattr(e, "verify_message", "") or ""))
        texts.append(str(e))
    text = " ".join(texts).lower()
    if "expired" in text:
        return "tls_expired"
    if "not yet valid" in text:
        return "tls_not_yet_valid"
    if "mismatch" in text or "doesn't match" in text or "not valid for" in text:
        return "tls_name_mismatch"
    if any(s in text for s in ("self-signed", "self signed", "unable to get local issuer", "unknown ca",
                               "unable to verify")):
        return "tls_untrusted"
    return "tls_error"


def classify_error(exc: BaseException) -> str:
    """A machine code (key of ERROR_TEXT) for a requests/urllib3/socket exception."""
    if isinstance(exc, requests.exceptions.SSLError) or any(
            isinstance(e, ssl.SSLError) for e in _causes(exc)):
        return classify_tls(exc)
    for e in _causes(exc):
        name = type(e).__name__
        if isinstance(e, socket.gaierror) or name == "NameResolutionError":
            return "dns"
        if isinstance(e, ConnectionRefusedError):
            return "refused"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, (requests.exceptions.ReadTimeout, socket.timeout, TimeoutError)):
        return "read_timeout"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader,
                        UnicodeError, ValueError)):
        return "invalid_url"
    if isinstance(exc, (requests.exceptions.ContentDecodingError, requests.exceptions.ChunkedEncodingError)):
        return "bad_body"
    if any(type(e).__name__ in ("ReadTimeoutError",) for e in _causes(exc)):
        return "read_timeout"
    if any(type(e).__name__ in ("ConnectTimeoutError",) for e in _causes(exc)):
        return "connect_timeout"
    return "connection"


def error_text(kind: str, detail: str = "") -> str:
    base = ERROR_TEXT.get(kind, "请求失败")
    return f"{base}（{detail}）" if detail else base


# ---------------------------------------------------------------- encodings

_LEGACY_CN = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "ms936", "csgb2312", "euc-cn", "gb18030",
              "windows-936", "hz-gb-2312"}
_WEAK = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_META_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([a-zA-Z0-9_\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def normalise_encoding(name: str | None) -> str | None:
    """A Python codec name; GB2312/GBK read as their superset GB18030. None when unknown."""
    n = (name or "").strip().strip("\"'").lower()
    if not n:
        return None
    if n in _LEGACY_CN:
        return "gb18030"
    if n in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        codecs.lookup(n)
    except LookupError:
        return None
    return n


def _bad_decode(text: str) -> bool:
    """Many replacement characters: the declared charset does not fit the bytes."""
    bad = text.count("\ufffd")
    return bad > max(2, len(text) // 2000)


def _is_multibyte_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_body(data: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, encoding) of an HTML/text body.

    Order: BOM, HTTP header charset, meta charset, then detection. A declaration that
    produces many replacement characters is not trusted (a GBK page with a wrong meta
    charset must come out readable); valid multi-byte UTF-8 beats a declared legacy or
    Latin-1 charset, since non-trivial GBK text is practically never valid UTF-8.
    """
    if not data:
        return "", ""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace").lstrip("\ufeff"), enc
    utf8 = None
    m = _HEADER_CHARSET_RE.search(content_type or "")
    declared = [m.group(1)] if m else []
    m = _META_RE.search(data[:4096]) or _META_RE.search(data[:65536])
    if m:
        declared.append(m.group(1).decode("ascii", "ignore"))
    for name in declared:
        enc = normalise_encoding(name)
        if enc is None:
            continue
        if enc != "utf-8" and (enc == "gb18030" or name.lower() in _WEAK):
            if utf8 is None:
                utf8 = _is_multibyte_utf8(data)
            if utf8:
                return data.decode("utf-8"), "utf-8"
        if name.lower() in _WEAK and not data.isascii():
            continue                                    # servers' default, rarely the truth
        text = data.decode(enc, errors="replace")
        if not _bad_decode(text):
            return text, enc
    if utf8 is None:
        utf8 = data.isascii() or _is_multibyte_utf8(data)
    if utf8:
        return data.decode("utf-8"), "utf-8"
    return _detect(data)


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = normalise_encoding(best.encoding) if best is not None else None
    if enc is None:
        enc = "gb18030"                                  # the usual legacy charset of our sites
    # Mainland sites: Big5 guesses on short GBK texts are mostly wrong; prefer GB18030 if clean.
    if enc in ("big5", "big5hkscs", "cp950"):
        text = data.decode("gb18030", errors="replace")
        if not _bad_decode(text):
            return text, "gb18030"
    return data.decode(enc, errors="replace"), enc


# ---------------------------------------------------------------- fetch

@dataclass
class _Body:
    data: bytes = b""
    truncated: bool = False
    complete: bool = True
    rejected: bool = False                    # ``keep`` refused the first bytes: reading stopped there


_HEAD = 8                                     # bytes a ``keep`` test looks at (magic numbers)


def _read_body(resp: requests.Response, cap: int, deadline: float, flight: _Flight, keep=None) -> _Body:
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
          timeout: tuple[float, float] | None = None, files: str = "") -> Page:
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
    if urlsplit(current).scheme not in ("http", "https") or not urlsplit(current).hostname:
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
            with _flight(end, cancel) as flight:
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
                            return replace(page, url=current, status=status, headers=headers,
                                           error=error_text("invalid_url", headers["location"][:200]),
                                           error_kind="invalid_url", redirects=tuple(visited[:-1]),
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
                        kind = flight.aborted or ("cancelled" if _is_cancelled(cancel) else "deadline")
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


# ---------------------------------------------------------------- HTTPS probe

_TLS_VERIFY_WORDS = {"tls_expired": "expired", "tls_not_yet_valid": "not_yet_valid", "tls_untrusted": "untrusted",
                     "tls_name_mismatch": "name_mismatch"}


def _not_after_from_der(der: bytes | None):
    """Expiry date of a DER certificate (needs the optional cryptography package)."""
    if not der:
        return None
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    end = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
    return end.date()


_ssl_contexts: dict = {}
_ssl_lock = threading.Lock()


def _ssl_context(cafile: str | None) -> ssl.SSLContext:
    """A verifying client context per CA file, built once: loading the CA store is slow."""
    with _ssl_lock:
        ctx = _ssl_contexts.get(cafile)
        if ctx is None:
            ctx = _ssl_contexts[cafile] = ssl.create_default_context(cafile=cafile)
        return ctx


def probe_tls(url: str, options: FetchOptions | None = None, session: requests.Session | None = None,
              gate: HostGate | None = None, cancel=None):
    """What the site's HTTPS looks like: handshake, verification error, expiry, http→https.

    The handshake goes to the URL's own port for https:// addresses and to 443 otherwise.
    Returns a checks.base.TlsInfo.
    """
    import datetime as _dt

    from .checks.base import TlsInfo

    options = options or FetchOptions()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port if parts.scheme == "https" and parts.port else 443
    except ValueError:
        port = 443
    if not host:
        return TlsInfo(host=host, https_ok=False, error=error_text("invalid_url"))
    verify = options.verify
    ctx = _ssl_context(verify if isinstance(verify, str) else None)
    not_after, verify_error, https_ok, error = None, "", False, ""
    if gate is not None and not gate.acquire(host_key(f"https://{host}:{port}/"), cancel):
        return TlsInfo(host=host, https_ok=False, error=error_text("cancelled"))
    try:
        try:
            with socket.create_connection((host, port), timeout=options.connect_timeout) as sock:
                sock.settimeout(options.read_timeout)
                with ctx.wrap_socket(sock, server_hostname=host) as ss:
                    https_ok = True
                    cert = ss.getpeercert() or {}
                    if cert.get("notAfter"):
                        not_after = _dt.datetime.utcfromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"])).date()
        except ssl.SSLCertVerificationError as exc:
            kind = classify_tls(exc)
            verify_error = _TLS_VERIFY_WORDS.get(kind, str(getattr(exc, "verify_message", "") or exc)[:200])
            loose = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            loose.check_hostname = False
            loose.verify_mode = ssl.CERT_NONE
            try:
                with socket.create_connection((host, port), timeout=options.connect_timeout) as sock:
                    sock.settimeout(options.read_timeout)
                    with loose.wrap_socket(sock, server_hostname=host) as ss:
                        https_ok = True
                        not_after = _not_after_from_der(ss.getpeercert(binary_form=True))
            except (OSError, ssl.SSLError) as exc2:
                error = f"HTTPS 连接失败：{error_text(classify_error(exc2))}"
        except (OSError, ssl.SSLError) as exc:
            kind = classify_error(exc)
            error = f"HTTPS 连接失败：{error_text(kind)}"
    finally:
        if gate is not None:
            gate.release(host_key(f"https://{host}:{port}/"))
    redirects = None
    if https_ok and session is not None and parts.scheme == "https" and port == 443:
        page = fetch(session, f"http://{host}/", options=options, purpose="link", gate=gate, cancel=cancel,
                     read_body=False, verify=False)
        if page.status is not None:
            redirects = page.url.startswith("https://")
    return TlsInfo(host=host, https_ok=https_ok, not_after=not_after, verify_error=verify_error,
                   http_redirects_to_https=redirects, error=error)
