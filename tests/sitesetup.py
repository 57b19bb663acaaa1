"""Helpers the core and UI tests share: a local fixture site, a fast fetcher, round targets and findings."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.core.rounds import findings
from app.core.crawl.transport import FetchOptions
from app.core.crawl.linkcheck import default_fetcher


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.routes``: path -> (status, html). Unknown paths are 404."""

    def _reply(self, body: bool) -> None:
        status, html = self.server.routes.get(self.path, (404, "<html><body>未找到</body></html>"))
        data = html.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server API)
        self._reply(True)

    def do_HEAD(self):  # noqa: N802
        self._reply(False)

    def log_message(self, *args):  # quiet
        pass


@contextmanager
def site_server(routes: dict[str, tuple[int, str]] | None = None):
    """A ThreadingHTTPServer on 127.0.0.1, any free port; yields (base_url, routes dict)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes = dict(routes or {})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server.routes
    finally:
        server.shutdown()
        server.server_close()


def refused_url() -> str:
    """A URL on a local port nobody listens on (connection refused at once)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/gone"


def fast_fetcher():
    """The real fetcher without the per-host pause (all fixture URLs share one host)."""
    return default_fetcher(FetchOptions(delay=0.0, connect_timeout=2, read_timeout=5, deadline=10))


def target(db, round_id: int, key: str) -> int:
    return db.conn.execute("SELECT id FROM round_targets WHERE round_id = ? AND target_key = ?",
                           (round_id, key)).fetchone()[0]


def confirmed(db, round_id: int, target_key: str, indicator: str, **kw) -> int:
    """A confirmed finding on a target of the round; returns its id."""
    fid = findings.add_finding(db, round_id, target(db, round_id, target_key), indicator, who="test", **kw)
    findings.set_status(db, [fid], "确认", who="test")
    return fid


def db_file(path, build):
    """A database file at ``path`` filled by ``build(db)``, closed again; returns the path."""
    from app.core.store import db as dbmod
    d = dbmod.connect(path)
    try:
        build(d)
    finally:
        d.close()
    return path


def run_cli(capsys, *args):
    """``python -m app ARGS`` in process: (exit code, stdout, stderr)."""
    from app.cli.main import main
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
