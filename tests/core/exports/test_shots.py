"""Screenshots without Qt: the page made safe and marked (shot_html), the kept copy found and the
screenshot recorded (shots), the per-site report and the 整改通知单 carrying the pictures."""
from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from docx import Document

from app.core.exports import shot_html, shots
from app.core.exports.shot_html import MARK_BG, Marks, marks_for, prepare
from app.core.exports.site_report import report_targets, write_site_report
from app.core.followup import rectify
from app.core.rounds import findings, rounds

from shotsetup import ID_FULL, page_html, round_with_kept_page

URL = "http://www.example.org/tzgg/1.html"


def tiny_png(path: Path, rgb=(255, 212, 0)) -> Path:
    """A 4×4 PNG written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(4))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def marked_spans(html: str) -> int:
    return html.count(f"background-color:{MARK_BG}")


# ---------------------------------------------------------------- the page side

def test_nothing_that_could_fetch_survives():
    html = page_html(
        extra_head='<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><style>@import "http://127.0.0.1:9/y.css";'
                   '.a{background:url(http://127.0.0.1:9/bg.png)}</style><base href="http://www.example.org/">',
        body_extra='<img src="http://127.0.0.1:9/a.png" alt="标志"><iframe src="http://127.0.0.1:9/f"></iframe>'
                   '<div style="background-image:url(http://127.0.0.1:9/b.png);color:#333">正文</div>'
                   '<object data="http://127.0.0.1:9/o.swf"></object><script src="http://127.0.0.1:9/s.js"></script>'
                   '<video src="http://127.0.0.1:9/v.mp4"></video>')
    out = prepare(html, URL, Marks()).html
    for bad in ("<script", "<link", "<style", "<iframe", "<object", "<video", "<img", "src=", "url(", "@import",
                "127.0.0.1:9/x.css", "127.0.0.1:9/a.png"):
        assert bad not in out, bad
    assert "[图片：标志]" in out and "color:#333" in out          # a placeholder; harmless styles stay


def test_the_wrong_word_is_marked_and_its_decoys_are_not():
    page = page_html()
    rid_marks = marks_for("typo", "错别字：“防讯”应为“防汛”", URL, URL, "")
    assert rid_marks.words == ("防讯",)
    p = prepare(page, URL, rid_marks)
    assert p.marked == 1 and marked_spans(p.html) == 1
    assert f'{MARK_BG};color:{shot_html.MARK_FG};font-weight:bold" data-gi="1">防讯</span>' in p.html
    assert "防汛" in p.html and "博彩娱乐平台" not in p.html        # the hidden block stays hidden


def test_a_hidden_link_is_shown_labelled_and_other_hidden_content_dropped():
    html = page_html(body_extra='<div style="visibility:hidden">另一段隐藏文字</div>'
                                '<a href="http://ok.example/">正常外链</a>')
    m = marks_for("dark_link", "隐藏链接…", "http://bad.example/casino", URL, "博彩娱乐平台")
    p = prepare(html, URL, m)
    assert p.marked == 1
    assert "【隐藏链接】" in p.html and "博彩娱乐平台" in p.html and "指向 http://bad.example/casino" in p.html
    assert "另一段隐藏文字" not in p.html and "display" not in p.html
    assert "正常外链" in p.html and marked_spans(p.html) == 1            # the visible link is not marked


def test_every_long_number_is_masked_in_the_html_and_title():
    html = page_html(body_extra="<p>手机 13812345678，编号 62220212345678901234</p>").replace(
        "<title>关于做好防汛工作的通知", f"<title>名单 {ID_FULL}")
    p = prepare(html, URL, marks_for("pii", "身份证号 110105********002X未脱敏", URL, URL, ""))
    digits = ID_FULL[:17]
    assert digits not in p.html and digits not in p.title and "13812345678" not in p.html
    assert "110105********002X" in p.html and "138****5678" in p.html and "62220212345678901234" not in p.html
    assert p.marked >= 1 and p.masked >= 3


def test_hostile_page_is_cut_to_the_caps_around_the_problem():
    deep = "<div>" * 3000 + "深处文字" + "</div>" * 3000
    rows = "".join(f"<tr><td>{i}</td>" + "<td>x</td>" * 60 + "</tr>" for i in range(3000))
    spam = "<p>填充内容填充内容</p>" * 150_000                          # about 3 MB of text
    html = f"<html><body>{deep}<table>{rows}</table>{spam}<p>这里有防讯两字</p>{spam}</body></html>"
    assert len(html) > shot_html.MAX_HTML_CHARS
    p = prepare(html, URL, Marks(words=("防讯",)))
    assert any("只读取前一部分" in n for n in p.notes)                 # the size cap
    assert len(p.html) < 600_000                                       # the element and text budget
    rows = "".join(f"<tr><td>{i}</td>" + "<td>x</td>" * 40 + "</tr>" for i in range(400))
    p2 = prepare(f"<html><body>{deep}<table>{rows}</table>" + "<p>填充</p>" * 20_000
                 + "<p>这里有防讯两字</p></body></html>", URL, Marks(words=("防讯",)))
    assert p2.marked == 1 and any("问题附近" in n for n in p2.notes)   # the window keeps the mark
    assert "……（前文从略）" in p2.html and "表格超过 200 行，只显示前 200 行" in p2.notes
    assert p2.html.count("<p>填充</p>") < 3_000


# ---------------------------------------------------------------- the database side

def test_kept_pages_found_and_a_screenshot_recorded(db, tmp_path):
    rid, target, by_kind = round_with_kept_page(db)
    manual = findings.add_finding(db, rid, target.id, "web.ded.publish.accuracy", kind="", source="人工",
                                  detail="人工记录的问题")
    sources, skipped = shots.shot_sources(db, [*by_kind.values(), manual])
    assert {s.finding.kind for s in sources} == {"typo", "dark_link", "pii"}
    assert skipped == [(manual, shots.NO_PAGE)]
    src = next(s for s in sources if s.finding.kind == "typo")
    assert src.text_sha256 == hashlib.sha256(page_html().encode("utf-8")).hexdigest()
    assert src.marks.words == ("防讯",)
    folder = shots.shot_folder(db, rid, target.target_key)
    assert folder == tmp_path / "screenshots" / f"round-{rid}" / target.target_key
    png = tiny_png(folder / "a.png")
    shot = shots.record_shot(db, src, png, "ab" * 32, "2025-08-20 10:00:00", 1, [], who="test")
    assert findings.get_finding(db, src.finding.id).screenshot_path == str(png)
    row = db.conn.execute("SELECT kind, content_hash, fetched_at, path FROM evidence WHERE finding_id = ?",
                          (src.finding.id,)).fetchone()
    assert row == ("screenshot", src.text_sha256, "2025-08-20 10:00:00", str(png))
    assert shots.latest_shots(db, [src.finding.id]) == {src.finding.id: shot}


def test_closed_round_keeps_its_findings_but_the_notice_still_gets_the_picture(db, tmp_path):
    rid, target, by_kind = round_with_kept_page(db)
    rectify.create_notices(db, rid, issued_on="2025-08-20")
    rounds.close_round(db, rid)
    src = next(s for s in shots.shot_sources(db, [by_kind["typo"]])[0])
    png = tiny_png(tmp_path / "shots" / "typo.png")
    shots.record_shot(db, src, png, "cd" * 32, "2025-08-21 10:00:00", 1, [], who="test")
    assert findings.get_finding(db, by_kind["typo"]).screenshot_path == ""
    notice = rectify.list_notices(db, rid)[0]
    assert [it.screenshot_path for it in notice.items if it.finding_id == by_kind["typo"]] == [str(png)]
    out = rectify.export_notice(db, notice, tmp_path / "notice.docx")
    doc = Document(out)
    assert len(doc.inline_shapes) == 1
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(c.text for t in doc.tables for r in t.rows
                                                               for c in r.cells)
    assert "问题截图" in text and ID_FULL[:17] not in text


def test_site_report_has_score_deductions_evidence_and_pictures(db, tmp_path):
    rid, target, by_kind = round_with_kept_page(db)
    # A manual finding typed with a full number: masked in the report all the same.
    manual = findings.add_finding(db, rid, target.id, "web.ded.publish.accuracy", source="人工",
                                  detail=f"公示名单含身份证号 {ID_FULL}")
    findings.set_status(db, [manual], "确认", who="test")
    made = {}
    for fid in by_kind.values():
        src = shots.shot_sources(db, [fid])[0][0]
        made[fid] = shots.record_shot(db, src, tiny_png(tmp_path / "s" / f"{fid}.png"), "ef" * 32,
                                      "2025-08-21 10:00:00", 1, [], who="test")
    assert [t.target_key for t in report_targets(db, rid)] == [target.target_key]
    report = write_site_report(db, rid, target, tmp_path / "out", made)
    assert report.screenshots == 3 and report.findings == 4
    doc = Document(report.path)
    assert len(doc.inline_shapes) == 3
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert f"{target.name} 检查报告" in text
    assert "监测时间点" in cells and "2025-08-14" in cells and "不合格" in cells and "本轮覆盖" in cells
    assert "一、单项否决" in text and "博彩娱乐平台" in text              # the dark link vetoes
    assert "二、扣分项" in text and "防讯" in text and "截图说明" in text
    assert next(iter(made.values())).page_sha256 in text                 # the kept copy's hash, whole
    assert ID_FULL[:17] not in text + "".join(cells) and "110105********002X" in text
