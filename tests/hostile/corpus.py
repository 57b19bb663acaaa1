"""Every hostile server case of issue 16 as its own site on 127.0.0.1, for one whole `check`.

``serve(scale)`` starts the sites and yields {网站标识码: (case, homepage URL)}; the test suite runs
it at a small scale, bench/hostile_corpus.py at the issue's sizes. ``run_check`` runs the check in
a subprocess (tests/hostile/run_check.py) and measures it."""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from crawl.sites import FixtureSite, Resp, drip, gzip_bomb, html, huge, make_round, redirect, stall

from . import files
from .measure import Outcome, run

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Scale:
    docx_xml_mb: int = 30
    phone_numbers: int = 100_000
    links: int = 50_000
    gzip_mb: int = 200
    huge_mb: int = 50


SMALL = Scale()
FULL = Scale(docx_xml_mb=116, phone_numbers=400_000, links=50_000, gzip_mb=1024, huge_mb=200)


def _attachment(raw: bytes, content_type: str) -> Resp:
    return Resp(body=raw, content_type=content_type)


def _sites(scale: Scale, other_url: str) -> dict[str, tuple[str, dict]]:
    """网站标识码 -> (case, routes)."""
    link_list = "".join(f'<a href="/img/{i}.png">图{i}</a>' for i in range(scale.links))
    deep = "<div>" * 100_000 + "联系电话 13907971234" + "</div>" * 100_000
    files_home = html("".join(f'<a href="/files/{n}">{n}</a>' for n in (
        "慢.pdf", "共享.pdf", "炸弹.xlsx", "名单.docx", "电话.xlsx", "实体.docx", "套娃.zip", "坏.pdf")), title="附件")
    laughs = files._zip({"[Content_Types].xml": files._DOCX_CT, "word/document.xml":
                         f'<?xml version="1.0"?>{files.LAUGHS}<w:document xmlns:w="{files.W_NS}"><w:body><w:p><w:r>'
                         f'<w:t>&i;</w:t></w:r></w:p></w:body></w:document>'})
    nested = files._zip({"l1.zip": files._zip({"l2.zip": files._zip({"l3.zip": files._zip({"x.txt": "13907971234"})})})})
    pdf_type = "application/pdf"
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return {
        "3699160001": ("homepage redirects to another domain", {"/": redirect(other_url + "/admin/users")}),
        "3699160002": ("gzip bomb homepage", {"/": gzip_bomb(scale.gzip_mb * 1024 * 1024)}),
        "3699160003": ("redirect loop", {"/": redirect("/a"), "/a": redirect("/b"), "/b": redirect("/")}),
        "3699160004": ("one byte a second", {"/": drip(1.0, 1000)}),
        "3699160005": ("accepts and says nothing", {"/": stall(120)}),
        "3699160006": (f"{scale.huge_mb} MB homepage", {"/": huge(scale.huge_mb * 1024 * 1024)}),
        "3699160007": ("charset that lies", {"/": Resp(body=html("<p>欢迎访问 联系电话 13907971234</p>").encode("gb18030"),
                                                       content_type="text/html; charset=utf-8")}),
        "3699160008": (f"{scale.links} links on one page, a gopher: redirect, an IPv6 literal", {
            "/": Resp(body=html('<a href="/go">转到</a><a href="http://[::1]:9/">本机</a>' + link_list)),
            "/go": redirect("gopher://127.0.0.1:70/1")}),
        "3699160009": ("hostile attachments", {"/": Resp(body=files_home), **{quote(f"/files/{name}"): resp for name, resp in {
            "慢.pdf": _attachment(files.pdf_slow_page(400_000), pdf_type),
            "共享.pdf": _attachment(files.pdf_shared_stream(500, 20_000), pdf_type),
            "炸弹.xlsx": _attachment(files.xlsx_bomb(60), xlsx_type),
            "名单.docx": _attachment(files.docx_inflating(scale.docx_xml_mb), docx_type),
            "电话.xlsx": _attachment(files.xlsx_phone_list(scale.phone_numbers), xlsx_type),
            "实体.docx": _attachment(laughs, docx_type),
            "套娃.zip": _attachment(nested, "application/zip"),
            "坏.pdf": _attachment(b"%PDF-1.4\n1 0 obj <<" + b"\x00" * 1000, pdf_type)}.items()}}),
        "3699160010": ("100,000 nested tags and a 3 MB digit run", {
            "/": Resp(body=html(deep)), "/d.html": Resp(body=html("1" * 3_000_000))}),
    }


@contextlib.contextmanager
def serve(scale: Scale = SMALL):
    """Start every case's server; yields {网站标识码: (case, homepage URL)} and the servers."""
    with contextlib.ExitStack() as stack:
        other = stack.enter_context(FixtureSite({"/admin/users": Resp(body=html("<p>用户管理</p>"))}))
        out, servers = {}, {"other": other}
        for code, (case, routes) in _sites(scale, other.url).items():
            site = FixtureSite(routes)
            site.server.handle_error = lambda request, address: None   # clients hang up on bombs: expected
            stack.enter_context(site)
            servers[code] = site
            out[code] = (case, site.url + "/")
        yield out, servers


def make_db(path: Path, sites: dict[str, tuple[str, str]]) -> int:
    """A registry of the corpus sites and a round over them; returns the round id."""
    from app.core.store import db as store
    d = store.connect(path)
    try:
        return make_round(d, {code: url for code, (_, url) in sites.items()})
    finally:
        d.close()


def run_check(db: Path, round_id: int, options: dict, timeout: float = 600) -> tuple[dict, Outcome]:
    """The check in a subprocess (run_check.py); its JSON report and the measured outcome."""
    o = run([str(HERE / "run_check.py"), str(db), str(round_id), json.dumps(options)], timeout=timeout, python=True)
    assert o.code == 0 and "Traceback" not in o.err, o.err[-3000:]
    return json.loads(o.out.strip().splitlines()[-1]), o
