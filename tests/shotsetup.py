"""A kept page (留痕) with three defects and the findings the real checks make on it, for the
screenshot, report and 整改通知单 tests: a wrong word (防讯), a dark link hidden by an inline
style (博彩), and a full 身份证号 in a table — beside decoys (防汛 spelt right, a visible link,
a masked number)."""
from __future__ import annotations

import datetime as dt
import hashlib
import sys
import zlib
from pathlib import Path

from app.core.checks.base import CheckContext, Page
from app.core.checks.darklinks import dark_link
from app.core.checks.pii import pii
from app.core.checks.typos import typo
from app.core.rounds import findings, rounds
from app.core.store.db import transaction

sys.path.insert(0, str(Path(__file__).resolve().parent / "core"))     # UI tests use it too
from roundsetup import august_round  # noqa: E402

AS_OF = dt.date(2025, 8, 14)
ID_FULL = "11010519491231002X"          # valid check digit: the PII scanner flags it
FILLER = "".join(f"<p>第{i}条：本单位认真落实政务公开各项要求，按时更新栏目内容。</p>" for i in range(40))


def page_html(extra_head: str = "", body_extra: str = "") -> str:
    return f"""<html><head><title>关于做好防汛工作的通知</title>{extra_head}
<script>document.write('<img src=/track.gif>')</script></head><body>
<div class="nav"><a href="/index.html">首页</a> <a href="/news/">新闻动态</a></div>
<h1>关于做好防汛工作的通知</h1>{FILLER}
<p>各单位要切实做好<b>防讯</b>准备，确保安全度汛。</p>
<div style="display:none"><a href="http://bad.example/casino">博彩娱乐平台</a></div>
<table border="1"><tr><th>姓名</th><th>身份证号</th></tr>
<tr><td>张三</td><td>{ID_FULL}</td></tr><tr><td>李四</td><td>110105********0011</td></tr></table>
{body_extra}{FILLER}</body></html>"""


def keep_page(db, round_id: int, target_id: int, url: str, html: str) -> int:
    """An evidence row as a check run writes it (run_store._evidence_row): zlib-compressed text."""
    body = html.encode("utf-8")
    with transaction(db):
        cur = db.conn.execute(
            """INSERT INTO evidence(round_id, target_id, kind, url, http_status, fetched_at, bytes, content_hash,
                   mime, content, note) VALUES (?, ?, 'page', ?, 200, ?, ?, ?, 'text/html', ?, ?)""",
            (round_id, target_id, url, "2025-08-14 09:30:00", len(body), hashlib.sha256(body).hexdigest(),
             zlib.compress(html.encode("utf-8")), '{"final": "%s", "purpose": "page"}' % url))
        return cur.lastrowid


def round_with_kept_page(db, html: str | None = None, url: str = "http://www.example.org/tzgg/1.html",
                         confirm: bool = True):
    """The August round, its first site with the kept page and the checks' findings on it.
    Returns (round id, target, {kind: finding id})."""
    rid, targets = august_round(db)
    target = next(t for t in targets.values() if t.target_type == "site")
    html = html or page_html()
    keep_page(db, rid, target.id, url, html)
    page = Page(url=url, status=200, text=html, content_type="text/html")
    ctx = CheckContext(as_of=AS_OF, site={})
    rows = [{"target_id": target.id, "indicator_id": f.indicator_id, "kind": f.kind, "url": f.url, "page": f.page,
             "detail": f.detail, "snippet": f.snippet, "count": f.count, "evidence_text": f.evidence,
             "fingerprint": f.fingerprint}
            for f in typo(page, ctx) + dark_link(page, ctx) + pii(page, ctx)]
    ids = findings.add_findings(db, rid, rows, who="test").added
    by_kind = {f.kind: f.id for f in findings.get_findings(db, ids)}
    if confirm:
        findings.set_status(db, ids, "确认", who="test")
        with transaction(db):
            rounds.mark_checked(db, [target.id], "test", "test")
    return rid, target, by_kind
