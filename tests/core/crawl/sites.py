"""Fixture web sites served on 127.0.0.1 from the tests themselves (never the internet).

A FixtureSite maps paths to responses (static tuples or handler functions), counts
requests per path and method, and records how many requests it served at once.
"""
from __future__ import annotations

import gzip
import io
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from app.core.registry import registry
from app.core.rounds import rounds
from app.core.store.db import transaction
from app.core.registry.fields import clean_record


@dataclass
class Resp:
    status: int = 200
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0               # seconds before answering (inside the server only)


def html(body: str, title: str = "测试页面", charset: str = "utf-8", head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
            f"<body>{body}</body></html>")


class FixtureSite:
    """One HTTP server with its own routes; use as a context manager."""

    def __init__(self, routes: dict[str, Resp | Callable] | None = None, default: Resp | None = None):
        self.routes: dict[str, Resp | Callable] = dict(routes or {})
        self.default = default or Resp(404, "<html><body>404 Not Found</body></html>")
        self.hits: Counter = Counter()          # (method, path) -> count
        self.user_agents: set[str] = set()
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()           # ends stalled/dripping handlers at shutdown
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True      # headers and body must not wait for a delayed ACK

            def log_message(self, *args):
                pass

            def _serve(self):
                with site.lock:
                    site.hits[(self.command, self.path)] += 1
                    site.user_agents.add(self.headers.get("User-Agent", ""))
                    site.active += 1
                    site.max_active = max(site.max_active, site.active)
                self.counted = True
                try:
                    route = site.routes.get(self.path, site.default)
                    if callable(route):
                        route(self, site)
                    else:
                        site.send(self, route)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    site.done(self)

            do_GET = _serve
            do_HEAD = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    # ------------------------------------------------------------ serving

    def done(self, h: BaseHTTPRequestHandler) -> None:
        """The request stops counting as active (once)."""
        if getattr(h, "counted", False):
            h.counted = False
            with self.lock:
                self.active -= 1

    def send(self, h: BaseHTTPRequestHandler, r: Resp) -> None:
        if r.delay:
            self.stop.wait(r.delay)
        # Stop counting before the answer goes out: once the client has it, its next request
        # may arrive before this thread runs again, which is not a concurrent request.
        self.done(h)
        body = r.body.encode("utf-8") if isinstance(r.body, str) else r.body
        h.send_response(r.status)
        if r.content_type:
            h.send_header("Content-Type", r.content_type)
        for k, v in r.headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def gets(self, path: str) -> int:
        return self.hits[("GET", path)]

    def heads(self, path: str) -> int:
        return self.hits[("HEAD", path)]

    def __enter__(self) -> "FixtureSite":
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- special handlers

def _trickle(h, site, data: bytes, seconds_per_byte: float) -> None:
    """Send ``data`` one byte per ``seconds_per_byte`` (until the site stops)."""
    for ch in data:
        h.wfile.write(bytes([ch]))
        h.wfile.flush()
        if site.stop.wait(seconds_per_byte):
            return


def drip(seconds_per_byte: float = 1.0, length: int = 1000) -> Callable:
    """Headers at once, then one byte per ``seconds_per_byte``."""
    def handler(h, site):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(length))
        h.end_headers()
        _trickle(h, site, b"a" * length, seconds_per_byte)
    return handler


def drip_headers(seconds_per_byte: float = 1.0) -> Callable:
    """The status line itself arrives one byte per second."""
    def handler(h, site):
        _trickle(h, site, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", seconds_per_byte)
    return handler


def stall(seconds: float = 30.0) -> Callable:
    """Accept the request and say nothing (until the test ends)."""
    def handler(h, site):
        site.stop.wait(seconds)
    return handler


def gzip_bomb(decompressed: int = 200 * 1024 * 1024) -> Callable:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as g:
        block = b"\0" * (1 << 20)
        for _ in range(decompressed >> 20):
            g.write(block)
    data = buf.getvalue()

    def handler(h, site):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)
    handler.compressed_size = len(data)
    return handler


def huge(size: int) -> Callable:
    def handler(h, site):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        if h.command == "HEAD":
            return
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        sent = 0
        while sent < size:
            n = min(len(chunk), size - sent)
            h.wfile.write(chunk[:n])
            sent += n
    return handler


def redirect(to: str, status: int = 302) -> Resp:
    return Resp(status, b"", content_type="", headers={"Location": to})


def refused_port() -> int:
    """A local port nobody listens on (bound then closed)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- registry and round

def make_round(db, site_urls: dict[str, str], as_of: str = "2025-06-30") -> int:
    """Registry sites (网站标识码 -> url) and a 全量 round over them; returns the round id."""
    values = []
    for i, (code, url) in enumerate(site_urls.items(), start=1):
        raw = {"name": f"测试网站{i}", "site_code": code, "url": url, "host_unit": f"测试单位{i}",
               "region": "东湖区", "category": "县级部门网站", "opened_on": "2015-01-01"}
        values.append(clean_record("site", raw).values)
    with transaction(db):
        registry.insert_records(db, "site", values, registry.NameCache(db), who="test")
    return rounds.create_round(db, "自动检查测试", as_of, period_from="2025-06-01", period_to=as_of)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` (for conditions no event reports); True once it holds."""
    end = time.monotonic() + timeout
    ev = threading.Event()
    while time.monotonic() < end:
        if predicate():
            return True
        ev.wait(0.02)
    return predicate()
