"""Hostile attachments: every read ends within its budget, in bounded memory, with the file's
numbers found or a pii_unscanned reason — never a stall. Reads are measured in a subprocess;
the helper-process limits (time, memory, cancel) through the run engine's ParsePool."""
from __future__ import annotations

import datetime as dt
import io
import threading
import time
import zipfile

import pytest

from app.core.checks.attachments import LIMITS
from app.core.checks.budget import MEMORY, TIMEOUT, ParseAborted
from app.core.checks.pii import scan_attachment
from app.core.crawl.parse_pool import ParsePool
from app.core.crawl.run_tokens import Cancelled, CancelToken

from . import files
from .measure import run

AS_OF = dt.date(2025, 6, 30)
URL, PAGE = "http://www.example.gov.cn/upload/a", "http://www.example.gov.cn/list.html"
SCAN = "app.core.checks.pii:scan_attachment"
BOUND_MB = 300


def _args(raw: bytes, name: str, **limits) -> tuple:
    merged = dict(LIMITS, **limits)
    return (raw, name, "", name.rsplit(".", 1)[-1], URL + name, PAGE, AS_OF, 40, [], merged)


def scan(raw: bytes, name: str, **limits) -> list:
    return scan_attachment(*_args(raw, name, **limits))


def scan_measured(tmp_path, raw: bytes, name: str, timeout: float = 120):
    """scan_attachment of one file in a fresh process: (findings as (kind, detail, count), Outcome)."""
    path = tmp_path / name
    path.write_bytes(raw)
    code = f"""
import datetime as dt, json, sys
from app.core.checks.attachments import LIMITS
from app.core.checks.pii import scan_attachment
raw = open(sys.argv[1], "rb").read()
found = scan_attachment(raw, {name!r}, "", {name.rsplit('.', 1)[-1]!r}, "{URL}", "{PAGE}", dt.date(2025, 6, 30), 40,
                        [], dict(LIMITS))
print(json.dumps([(f.kind, f.detail, f.count) for f in found], ensure_ascii=False))
"""
    import json
    o = run(["-c", code, str(path)], timeout=timeout, python=True)
    assert o.code == 0 and "Traceback" not in o.err, o.err[-2000:]
    return [tuple(x) for x in json.loads(o.out)], o


# ---------------------------------------------------------------- read in this process, measured

@pytest.mark.slow
@pytest.mark.timeout(300)
def test_docx_inflating_to_116_mb_of_xml_is_streamed(tmp_path):
    raw = files.docx_inflating(116)
    assert len(raw) < 2_000_000                                # 1.2 MB on the wire
    found, o = scan_measured(tmp_path, raw, "名单.docx")
    print(f"\ndocx 116 MB XML: {o.seconds:.1f} s, peak {o.peak_mb:.0f} MB, {found}")
    assert o.peak_mb < BOUND_MB                                # python-docx took 1.9 GB
    assert o.seconds < LIMITS["seconds"] + 20
    kinds = {k for k, _, _ in found}
    assert "pii" in kinds or any(TIMEOUT in d for _, d, _ in found)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_workbook_of_400_000_mobile_numbers_is_scanned_in_linear_time(tmp_path):
    raw = files.xlsx_phone_list(400_000)
    assert len(raw) < 10_000_000                               # under the download cap
    found, o = scan_measured(tmp_path, raw, "名单.xlsx")
    print(f"\nxlsx 400k numbers: {o.seconds:.1f} s, peak {o.peak_mb:.0f} MB")
    assert o.peak_mb < BOUND_MB and o.seconds < LIMITS["seconds"] + 20
    (hit,) = [f for f in found if f[0] == "pii"]
    assert hit[2] == 400_000 and "139****0000等400000个" in hit[1]


def test_pdf_whose_500_pages_share_one_content_stream(tmp_path):
    raw = files.pdf_shared_stream(pages=500, lines=20_000)
    assert len(raw) < 100_000                                  # the 82 KB file
    found, o = scan_measured(tmp_path, raw, "公示.pdf")
    assert o.seconds < 30 and o.peak_mb < BOUND_MB             # was > 900 s: the stream parsed 500 times
    assert [k for k, _, _ in found] == ["pii"]


def test_zip_bomb_workbook_is_refused_from_its_directory(tmp_path):
    raw = files.xlsx_bomb(60)
    found, o = scan_measured(tmp_path, raw, "炸弹.xlsx")
    assert found == [("pii_unscanned", "附件“炸弹.xlsx”未扫描：压缩比异常，疑似压缩炸弹，未扫描，请人工查看是否含个人信息", 1)]
    assert o.seconds < 10 and o.peak_mb < 150


def test_entity_bombs_and_external_entities_in_office_xml_are_not_expanded():
    secret = "/etc/hostname"
    doctype = files.LAUGHS[:-2] + f'<!ENTITY x SYSTEM "file://{secret}">]>'
    body = (f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{files.W_NS}"><w:body>'
            '<w:p><w:r><w:t>&i;&x;联系电话 13907971234</w:t></w:r></w:p></w:body></w:document>')
    raw = files._zip({"[Content_Types].xml": files._DOCX_CT, "word/document.xml": body})
    started = time.monotonic()
    found = scan(raw, "laughs.docx")
    assert time.monotonic() - started < 5
    assert [f.kind for f in found] in (["pii"], ["pii_unscanned"])
    assert all("哈哈哈哈哈哈哈哈哈哈哈" not in (f.evidence + f.snippet) for f in found)


def test_archives_nested_traversing_encrypted_and_damaged():
    inner3 = files._zip({"深.txt": "联系电话 13907971234"})
    inner2 = files._zip({"l3.zip": inner3})
    inner1 = files._zip({"l2.zip": inner2})
    nested = scan(files._zip({"l1.zip": inner1}), "套娃.zip")
    assert any("嵌套层数过多" in f.detail for f in nested)
    evil = files._zip({"../../etc/cron.d/x.txt": "联系电话 13907971234", "/abs/名单.csv": "手机,13907971235"})
    found = {f.detail for f in scan(evil, "路径.zip")}
    assert "附件“路径.zip”内“../../etc/cron.d/x.txt”中手机号 139****1234未脱敏" in found
    whole = files._zip({"a.txt": "联系电话 13907971234"}, level=0)
    broken = scan(whole[: len(whole) // 2], "坏.zip")
    assert [f.kind for f in broken] == ["pii_unscanned"] and "无法读取" in broken[0].detail
    for name, raw in (("坏.docx", b"PK\x03\x04" + b"\x00" * 200), ("坏.pdf", b"%PDF-1.4\n1 0 obj <<"),
                      ("坏.xlsx", files.xlsx_declaring(1000, 5)[:-200])):
        out = scan(raw, name)
        assert [f.kind for f in out] == ["pii_unscanned"], (name, out)


def test_csv_attachment_with_a_field_over_the_csv_limit_is_read_as_text():
    raw = ("姓名,备注\n张三," + "长" * 200_000 + " 联系电话 13907971234\n").encode("utf-8")
    assert [f.detail for f in scan(raw, "名单.csv")] == ["附件“名单.csv”中手机号 139****1234未脱敏"]


def test_time_budget_stops_a_read_between_pages_and_keeps_what_it_read():
    raw = files.pdf([files.text_ops(40, f"联系电话 1390797{i:04d}") for i in range(60)])
    found = scan(raw, "长.pdf", seconds=0.0)                   # out of time before the first page
    assert [f.kind for f in found] == ["pii_unscanned"] and TIMEOUT in found[0].detail


# ---------------------------------------------------------------- the helper processes

@pytest.fixture
def pool():
    cancel = CancelToken()
    p = ParsePool(workers=1, seconds=3.0, memory_mb=80, cancel=cancel)
    p.token = cancel
    yield p
    p.close()


def test_a_page_pypdf_would_parse_for_minutes_is_killed_at_the_deadline():
    slow = files.pdf_slow_page(400_000)
    assert len(slow) < 40_000
    # Memory enough for the 3 s: what stops the parse here is the wall clock alone.
    pool = ParsePool(workers=1, seconds=3.0, memory_mb=600)
    try:
        _killed_at_the_deadline(pool, slow)
    finally:
        pool.close()


def _killed_at_the_deadline(pool, slow: bytes) -> None:
    pool.run(SCAN, *_args(files.pdf([files.text_ops(2)]), "热身.pdf"))     # the helper is up
    started = time.monotonic()
    with pytest.raises(ParseAborted) as exc:
        pool.run(SCAN, *_args(slow, "慢.pdf"))
    assert exc.value.reason == TIMEOUT and time.monotonic() - started < 6.0
    assert pool.stats.timeouts == 1
    found = pool.run(SCAN, *_args(files.pdf([files.text_ops(2, "联系电话 13907971234")]), "好.pdf"))
    assert [f.kind for f in found] == ["pii"]                  # a fresh helper took over


def test_a_helper_over_its_memory_limit_is_reported_not_the_machine():
    names = "".join(f"<si><t>居民{i:07d}</t></si>" for i in range(1_200_000))
    shared = f'<sst xmlns="{files.S_NS}">{names}</sst>'.encode()           # 34 MB: 1.2 M strings held
    raw = files.xlsx_from_rows([(1, [("A", 0)])], shared=shared, strings_in="A")
    with ParsePool(workers=1, seconds=60, memory_mb=30) as small:
        with pytest.raises(ParseAborted) as exc:
            small.run(SCAN, *_args(raw, "大.xlsx", max_bytes=60 * 1024 * 1024))
        assert exc.value.reason == MEMORY and small.stats.memory == 1
        found = small.run(SCAN, *_args(files.pdf([files.text_ops(2, "联系电话 13907971234")]), "小.pdf"))
        assert [f.kind for f in found] == ["pii"]              # the next file gets a fresh helper


def test_cancel_kills_a_helper_in_the_middle_of_a_parse(pool):
    pool.run(SCAN, *_args(files.pdf([files.text_ops(2)]), "热身.pdf"))
    helper_pids = []
    threading.Timer(1.0, lambda: (helper_pids.extend(h.proc.pid for h in pool._busy), pool.token.cancel())).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        pool.run(SCAN, *_args(files.pdf_slow_page(400_000), "慢.pdf"), seconds=600)
    assert time.monotonic() - started < 2.5
    import os
    for pid in helper_pids:
        with pytest.raises(OSError):
            os.kill(pid, 0)                                    # gone, not left parsing


def test_only_check_functions_run_in_helpers(pool):
    with pytest.raises(ValueError):
        pool.run("os:system", "echo hi")
