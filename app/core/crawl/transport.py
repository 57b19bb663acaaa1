"""HTTP sessions for the checks: honest User-Agent, timeouts, a deadline watchdog that cuts dripping
servers, and per-host pacing (HostGate).

Thread use: each worker thread calls new_http_session() and keeps its own Session; a HostGate and
the deadline watchdog are shared by all workers of a run.
"""
from __future__ import annotations

import socket
import threading
import time
import urllib.request
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InsecureRequestWarning

from ... import __version__


DEFAULT_CONTACT = "ask the inspecting office"

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

def is_cancelled(cancel) -> bool:
    return cancel is not None and cancel.cancelled


def _sleep(seconds: float, cancel) -> bool:
    """Sleep unless cancelled first; False when cancelled."""
    if seconds <= 0:
        return not is_cancelled(cancel)
    if cancel is None:
        time.sleep(seconds)
        return True
    return not cancel.wait(seconds)


# ---------------------------------------------------------------- deadline watchdog

class Flight:
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
_flights: set[Flight] = set()
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
            if is_cancelled(f.cancel):
                f.abort("cancelled")
            elif now >= f.deadline:
                f.abort("deadline")


@contextmanager
def in_flight(deadline: float, cancel) -> Iterator[Flight]:
    global _watchdog
    f = Flight(deadline, cancel)
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


class _Tracked:
    """Pool mixin: the connection a request takes is noted on the calling thread's flight."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        f = getattr(_local, "flight", None)
        if f is not None:
            f.conn = conn
        return conn


class _TrackedHTTPPool(_Tracked, HTTPConnectionPool):
    pass


class _TrackedHTTPSPool(_Tracked, HTTPSConnectionPool):
    pass


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
                if is_cancelled(cancel):
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
