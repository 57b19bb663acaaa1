"""Files behind page URLs without an extension (/download?id=1 answering application/pdf, octet-stream
with a Content-Disposition file name): read as attachments, scanned for personal data, counted as
attachments, listed as 未扫描 when unreadable, and replayed as attachments by a resumed run."""
from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import openpyxl
import pytest

from app.core.rounds import findings
from app.core.crawl import jobs
from app.core.checks.attachments import attachment_type, disposition_filename, is_file_response
from app.core.checks.base import CheckContext, Page
from app.core.checks.pii import pii
from app.core.crawl.fetching import fetch
from app.core.crawl.transport import FetchOptions, new_http_session

from .sites import FixtureSite, Resp, html, make_round

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checks"))
from checkpages import make_pdf  # noqa: E402

QUICK = dict(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=5.0, probe_threshold=5.0)

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id18(first17: str) -> str:
    """An ID number with its ISO 7064 MOD 11-2 check character (independent of the code under test)."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _W)) % 11]


PERSON = id18("11010519900307123")
OTHER = id18("44030619851122004")
MOBILE = "13912345678"
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


# Bigger than the page byte cap of the runs below: only the attachment cap lets it through whole.
PDF = make_pdf(["Subsidy list", f"ID number: {PERSON}"] + [f"Row {i}: approved" for i in range(120)])


def make_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "联系电话"])
    ws.append(["张三", MOBILE])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def gbk_header(text: str) -> str:
    """A header value carrying raw GBK bytes (as many servers send Chinese file names)."""
    return text.encode("gbk").decode("latin-1")


def download_site() -> dict:
    return {
        "/": Resp(body=html('<a href="/news/1.html">公示公告</a>', title="首页")),
        "/news/1.html": Resp(body=html(
            '<p>名单公示</p><a href="/download?id=1">补贴名单</a><a href="/file/2">联系人名单</a>'
            '<a href="/get?f=3">申请表</a><a href="/attach/8f3a">公示表</a><a href="/exe?id=5">客户端下载</a>',
            title="关于补贴名单的公示")),
        "/download?id=1": Resp(body=PDF, content_type="application/pdf"),
        "/file/2": Resp(body=make_xlsx(), content_type="application/octet-stream",
                        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx"}),
        "/get?f=3": Resp(body=OLE_DOC, content_type="application/msword"),
        "/attach/8f3a": Resp(body=f"姓名,身份证号\n李四,{OTHER}\n".encode("gbk"),
                             content_type="application/octet-stream",
                             headers={"Content-Disposition": 'attachment; filename="' + gbk_header("公示.csv") + '"'}),
        "/exe?id=5": Resp(body=b"MZ\x90\x00" + b"\x00" * 200, content_type="application/octet-stream"),
    }


FILES = ("/download?id=1", "/file/2", "/get?f=3", "/attach/8f3a")



def opts(**over) -> jobs.CheckOptions:
    return jobs.CheckOptions(**{**QUICK, "max_page_bytes": 4000, **over})


def _found(db, rid: int) -> set[tuple]:
    return {(f.kind, f.url, f.page, f.detail) for f in findings.list_findings(db, rid)}


# ---------------------------------------------------------------- headers

@pytest.mark.parametrize("value, name", [
    ("attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx", "名单.xlsx"),
    ('attachment; filename="fallback.xlsx"; filename*=utf-8\'\'%E5%90%8D%E5%8D%95.xlsx', "名单.xlsx"),
    ('attachment; filename="' + gbk_header("名单.xlsx") + '"', "名单.xlsx"),
    ('attachment; filename="' + "名单.xlsx".encode("utf-8").decode("latin-1") + '"', "名单.xlsx"),
    ("attachment; filename=%E5%90%8D%E5%8D%95.xls", "名单.xls"),
    ("attachment; filename=%C3%FB%B5%A5.xls", "名单.xls"),               # percent-encoded GBK
    ('attachment; filename="=?UTF-8?B?5ZCN5Y2VLnhsc3g=?="', "名单.xlsx"),  # RFC 2047
    ("attachment;filename=report.pdf", "report.pdf"),
    ('inline; filename="C:\\upload\\a;b.pdf"', "a;b.pdf"),
    ("attachment", ""),
    ("", ""),
])
def test_disposition_filename(value, name):
    assert disposition_filename(value) == name


@pytest.mark.parametrize("content_type, disposition, verdict", [
    ("application/pdf", "", True),
    ("application/msword", "", True),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", True),
    ("application/vnd.ms-excel; charset=gbk", "", True),
    ("application/zip", "", True),
    ("image/jpeg", "", True),
    ("application/octet-stream", "attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx", True),
    ("application/octet-stream", 'attachment; filename="data.bin"', True),
    ("text/plain", 'attachment; filename="名单.txt"', True),
    ("application/octet-stream", "", None),                      # the bytes must tell
    ("application/octet-stream", "attachment", None),
    ("text/html; charset=utf-8", "", False),
    ("text/html", 'attachment; filename="index.html"', False),
    ("text/html; charset=utf-8", 'inline; filename="notice.pdf"', False),
    ("text/html", 'attachment; filename="export.xls"', True),      # an HTML table saved as .xls
    ("text/plain", "", False),
    ("application/json", "", False),
])
def test_is_file_response(content_type, disposition, verdict):
    assert is_file_response(content_type, disposition) is verdict


# ---------------------------------------------------------------- fetching

def test_fetch_reads_a_file_behind_a_page_url():
    options = FetchOptions(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=5.0, max_page_bytes=1000)
    with FixtureSite(download_site()) as site:
        session = new_http_session(options)
        base = site.url

        def get(path, **kw):
            return fetch(session, base + path, options=options, **kw)

        read = get("/download?id=1", files="read")
        assert (read.purpose, read.raw, read.truncated, read.size) == ("attachment", PDF, False, len(PDF))
        assert len(PDF) > options.max_page_bytes                  # read under the attachment cap
        plain = get("/download?id=1")                             # the default: a page, body not read
        assert (plain.purpose, plain.raw, plain.text) == ("page", b"", "")
        noted = get("/download?id=1", files="note")               # known to be a file, not read
        assert (noted.purpose, noted.raw, noted.ok) == ("attachment", b"", True)
        named = get("/file/2", files="read")
        assert named.purpose == "attachment" and named.raw[:2] == b"PK" and attachment_type(named) == "xlsx"
        gbk = get("/attach/8f3a", files="read")
        assert gbk.purpose == "attachment" and attachment_type(gbk) == "csv"
        program = get("/exe?id=5", files="read")                  # octet-stream, not a document
        assert (program.purpose, program.raw, program.size) == ("page", b"", 0)
        html_page = get("/news/1.html", files="read")
        assert html_page.purpose == "page" and "名单公示" in html_page.text
        capped = fetch(session, base + "/download?id=1", options=FetchOptions(
            delay=0.0, deadline=5.0, max_attachment_bytes=500), files="read")
        assert capped.purpose == "attachment" and capped.truncated and len(capped.raw) == 500


# ---------------------------------------------------------------- the check on its own

def test_pii_takes_the_file_type_from_the_headers():
    ctx = CheckContext(dt.date(2025, 6, 30), {"site_code": "3699020001", "url": "http://x.gov.cn/"})
    referrer = "http://x.gov.cn/news/1.html"
    csv_page = Page(url="http://x.gov.cn/download.jsp?id=9", status=200, raw=f"身份证号\n{PERSON}\n".encode(),
                    content_type="text/csv", referrer=referrer, purpose="attachment")
    (found,) = pii(csv_page, ctx)                                 # not “未知文件类型（jsp）”
    assert (found.kind, found.url, found.page) == ("pii", csv_page.url, referrer)
    assert found.detail.startswith("附件“download.jsp”中身份证号")
    named = Page(url="http://x.gov.cn/file/2", status=200, raw=make_xlsx(), content_type="application/octet-stream",
                 headers={"content-disposition": "attachment; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx"},
                 referrer=referrer, purpose="attachment")
    assert [f.detail for f in pii(named, ctx)] == ["附件“名单.xlsx”中手机号 139****5678未脱敏"]
    doc = Page(url="http://x.gov.cn/get?f=3", status=200, raw=OLE_DOC, content_type="application/msword",
               referrer=referrer, purpose="attachment")
    (unscanned,) = pii(doc, ctx)
    assert unscanned.kind == "pii_unscanned" and "旧版Word（.doc）格式" in unscanned.detail
    # A page URL that answered with no file (an empty body, a program download) is nothing to list.
    assert pii(Page(url="http://x.gov.cn/exe?id=5", status=200, content_type="application/octet-stream"), ctx) == []


# ---------------------------------------------------------------- a run

def test_files_behind_page_urls_are_scanned_counted_and_replayed(db, db_path):
    with FixtureSite(download_site()) as site:
        base = site.url
        news = base + "/news/1.html"
        rid = make_round(db, {"3699020001": base + "/"})
        s = jobs.run_checks(db_path, rid, options=opts())
        for path in FILES + ("/exe?id=5",):
            assert site.gets(path) == 1, path
        pii_found = {f.url: f for f in findings.list_findings(db, rid, kind="pii")}
        assert {(u, f.page) for u, f in pii_found.items()} == {
            (base + "/download?id=1", news), (base + "/file/2", news), (base + "/attach/8f3a", news)}
        assert pii_found[base + "/download?id=1"].detail.startswith("附件“download”中身份证号 110105")
        assert pii_found[base + "/file/2"].detail == "附件“名单.xlsx”中手机号 139****5678未脱敏"
        assert pii_found[base + "/attach/8f3a"].detail.startswith("附件“公示.csv”中身份证号 440306")
        unscanned = findings.list_findings(db, rid, kind="pii_unscanned")
        assert [(f.url, f.page) for f in unscanned] == [(base + "/get?f=3", news)]
        assert "旧版Word（.doc）格式" in unscanned[0].detail
        r = s.sites[0]
        assert (r.pages, r.attachments, r.unscanned) == (2, 4, 1)
        rows = {url: (kind, mime, json.loads(note)) for url, kind, mime, note in db.conn.execute(
            "SELECT url, kind, mime, note FROM evidence WHERE run_id = ? AND kind IN ('page', 'file')", (s.run_id,))}
        assert {u for u, row in rows.items() if row[0] == "file"} == {base + p for p in FILES}
        assert rows[base + "/exe?id=5"][0] == "page"
        kind, mime, note = rows[base + "/file/2"]
        assert mime == "application/octet-stream" and note["purpose"] == "attachment"
        assert (note["file_type"], note["filename"], note["scanned"]) == ("xlsx", "名单.xlsx", True)
        assert rows[base + "/download?id=1"][1] == "application/pdf"
        assert rows[base + "/get?f=3"][2]["file_type"] == "doc" and rows[base + "/get?f=3"][2]["scanned"] is False
        assert rows[base + "/attach/8f3a"][2]["filename"] == "公示.csv"
        before = _found(db, rid)
        evidence_rows = db.conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]

        # As if the process had been killed just before the site finished: a resume replays every
        # stored row (the files as attachments, not HTML) without fetching anything again.
        summary = json.loads(db.conn.execute("SELECT summary FROM check_runs WHERE id = ?", (s.run_id,)).fetchone()[0])
        summary["sites"]["3699020001"]["state"] = "running"
        db.conn.execute("UPDATE check_runs SET state = 'running', summary = ? WHERE id = ?",
                        (json.dumps(summary, ensure_ascii=False), s.run_id))
        db.conn.commit()
        s2 = jobs.resume_run(db_path, s.run_id)
        assert s2.state == "done" and s2.run_id == s.run_id
        for path in FILES + ("/exe?id=5", "/", "/news/1.html"):
            assert site.gets(path) == 1, path
    assert _found(db, rid) == before                              # nothing new, no 未下载 for the replays
    r2 = s2.sites[0]
    assert (r2.pages, r2.attachments, r2.unscanned) == (2, 4, 1)
    assert db.conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == evidence_rows


def test_files_noted_but_not_read_without_the_pii_check(db, db_path):
    with FixtureSite(download_site()) as site:
        base = site.url
        rid = make_round(db, {"3699020001": base + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(kinds=("pii_unscanned", "broken_link")))
    assert not findings.list_findings(db, rid, kind="pii")
    unscanned = {f.url: f for f in findings.list_findings(db, rid, kind="pii_unscanned")}
    assert set(unscanned) == {base + p for p in FILES}             # listed like files not downloaded
    assert all(f.page == base + "/news/1.html" and "未下载文件内容" in f.detail for f in unscanned.values())
    r = s.sites[0]
    assert (r.pages, r.attachments, r.unscanned) == (2, 4, 4)
    sizes = dict(db.conn.execute("SELECT url, bytes FROM evidence WHERE run_id = ? AND kind = 'file'", (s.run_id,)))
    assert set(sizes) == {base + p for p in FILES} and not any(sizes.values())
