"""Fetch a handful of URLs for 复核 and menu tests, with any fetcher behind one small interface.

A *fetcher* is a callable ``fetch(url)`` returning either a ``(status, error)`` tuple, a
``(status, error, text)`` tuple, or an object with ``.status``, ``.error`` (and optionally
``.text``, ``.elapsed``) such as ``checks.base.Page``. ``status`` is None when no response
came back (DNS failure, refused, timeout). Tests pass a fake; ``default_fetcher()`` gives
the real one. Runs in a worker thread; every thread gets its own HTTP session.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from ..store import audit

Fetcher = Callable[[str], Any]


@dataclass(frozen=True)
class FetchOutcome:
    url: str
    status: int | None            # HTTP status after redirects; None: no response
    error: str = ""               # Chinese reason when no response
    text: str = ""                # body text when the fetcher gives it
    elapsed: float | None = None
    fetched_at: str = ""

    @property
    def responded(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        """2xx or 3xx now (a redirect that ends in a loop or an error is not ok)."""
        if self.status is None:
            return False
        return 200 <= self.status < 300 or (300 <= self.status < 400 and not self.error)

    def describe(self) -> str:
        if self.status is None:
            return f"无法访问（{self.error or '无响应'}）"
        return f"HTTP {self.status}"


def is_http(url: str) -> bool:
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def normalise(url: str, result: Any, elapsed: float | None = None) -> FetchOutcome:
    """Any fetcher's answer as a FetchOutcome."""
    at = audit.now()
    if isinstance(result, FetchOutcome):
        return result
    if isinstance(result, tuple):
        status, error = (list(result) + [None, ""])[:2]
        text = result[2] if len(result) > 2 else ""
        return FetchOutcome(url, None if status is None else int(status), error or "", text or "", elapsed, at)
    status = getattr(result, "status", None)
    text = getattr(result, "text", "") or ""
    own = getattr(result, "elapsed", None)
    return FetchOutcome(url, None if status is None else int(status), getattr(result, "error", "") or "",
                        text if isinstance(text, str) else "", own if isinstance(own, (int, float)) else elapsed, at)


def fetch_one(fetch: Fetcher, url: str) -> FetchOutcome:
    """Call the fetcher; an exception it raises counts as no response."""
    t0 = time.perf_counter()
    try:
        result = fetch(url)
    except Exception as exc:  # a fetcher bug or network error must not stop a whole recheck
        return FetchOutcome(url, None, f"{type(exc).__name__}: {exc}", "", time.perf_counter() - t0, audit.now())
    return normalise(url, result, time.perf_counter() - t0)


def _check(cancel) -> None:
    """Raise jobs.Cancelled if the token (jobs.CancelToken or alike) was cancelled."""
    if hasattr(cancel, "check"):
        cancel.check()
    elif getattr(cancel, "cancelled", False):
        from .jobs import Cancelled
        raise Cancelled


def fetch_all(urls: Iterable[str], fetch: Fetcher | None = None, workers: int = 4,
              cancel=None, progress: Callable[[int, int, str], None] | None = None) -> dict[str, FetchOutcome]:
    """Fetch each distinct URL once (a few in parallel); returns url -> outcome.

    ``cancel``: a jobs.CancelToken; checked as each result comes in (raises jobs.Cancelled,
    nothing is returned) and handed to the default fetcher, which aborts requests in flight.
    """
    fetch = fetch or default_fetcher(cancel=cancel)
    todo = list(dict.fromkeys(u for u in urls if u))
    out: dict[str, FetchOutcome] = {}
    if not todo:
        return out
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
        futures = {pool.submit(fetch_one, fetch, u): u for u in todo}
        for done, fut in enumerate(futures, start=1):
            if cancel is not None:
                try:
                    _check(cancel)
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
            out[futures[fut]] = fut.result()
            if progress:
                progress(done, len(todo), futures[fut])
    return out


# ---------------------------------------------------------------- the real fetcher

def default_fetcher(options=None, cancel=None) -> Fetcher:
    """The checks' polite fetcher (app.core.crawl.fetching): a session per thread, one HostGate
    shared by the threads (per-host pacing), TLS verified, timeouts, byte caps.

    ``cancel`` is passed on when it is a fetching-style token (``.cancelled``, ``.wait``).
    """
    from . import fetching, transport

    options = options or transport.FetchOptions()
    gate = transport.HostGate(options.per_host, options.delay)
    token = cancel if hasattr(cancel, "cancelled") and hasattr(cancel, "wait") else None
    local = threading.local()

    def fetch(url: str):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = transport.new_http_session(options)
        return fetching.fetch(session, url, options=options, purpose="page", gate=gate, cancel=token)

    return fetch
