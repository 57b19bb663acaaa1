"""Screenshots drawn offscreen from a kept page: the wrong word highlighted in the pixels, a hidden
link shown and marked, no full number in the drawn text, caps and the deadline on a hostile page,
no request to the network, the `report` command's .docx with its pictures, the 审核评分 action."""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument

from app.cli.main import main
from app.core.exports import shots
from app.core.exports.shot_html import MARK_BG, Marks, prepare
from app.core.followup import rectify
from app.core.rounds import findings
from app.ui.evidence_shots import RenderError, make_screenshots, render_png

from scoresetup import context
from shotsetup import ID_FULL, page_html, round_with_kept_page

URL = "http://www.example.org/tzgg/1.html"


def mark_pixels(path) -> int:
    image = QImage(str(path))
    mark = QColor(MARK_BG).rgb()
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if image.pixel(x, y) == mark)


def test_typo_screenshot_highlights_the_wrong_word(db, tmp_path):
    rid, target, by_kind = round_with_kept_page(db)
    summary = make_screenshots(db, [by_kind["typo"]], who="test")
    assert not summary.skipped and len(summary.made) == 1
    shot = summary.made[0]
    png = Path(shot.path)
    assert png.parent == shots.shot_folder(db, rid, target.target_key) and png.suffix == ".png"
    image = QImage(str(png))
    assert image.width() == 1000 and 300 < image.height() <= 1100
    assert mark_pixels(png) > 50                               # the highlight is drawn
    assert shot.png_sha256 == hashlib.sha256(png.read_bytes()).hexdigest()
    assert shot.page_sha256 == hashlib.sha256(page_html().encode("utf-8")).hexdigest() and shot.marked == 1
    assert findings.get_finding(db, by_kind["typo"]).screenshot_path == str(png)


def test_hidden_link_made_visible_and_marked_only_in_its_own_screenshot(tmp_path):
    html = page_html()
    dark = render_png(prepare(html, URL, Marks(links=("http://bad.example/casino",), link_label="隐藏链接")),
                      ["页眉"], tmp_path / "dark.png")
    assert dark.marks == 1 and "【隐藏链接】博彩娱乐平台" in dark.text_layer
    assert mark_pixels(tmp_path / "dark.png") > 50
    typo = render_png(prepare(html, URL, Marks(words=("防讯",))), ["页眉"], tmp_path / "typo.png")
    assert "博彩娱乐平台" not in typo.text_layer                 # a visitor does not see it


def test_no_full_number_is_drawn(tmp_path):
    # Split by tags, the page-side scan cannot see the number: the drawn text layer is masked too.
    split = f"<p>户主 <b>{ID_FULL[:6]}</b><i>{ID_FULL[6:14]}</i>{ID_FULL[14:]}，电话 138<span>1234</span>5678</p>"
    drawn = render_png(prepare(page_html(body_extra=split), URL, Marks(pii=True)), ["页眉"], tmp_path / "pii.png")
    digits = "".join(ch for ch in drawn.text_layer if ch.isdigit() or ch in "X*\n")
    assert ID_FULL not in drawn.text_layer and ID_FULL[:17] not in digits
    assert "13812345678" not in digits
    assert drawn.text_layer.count("110105********002X") == 2 and drawn.masked >= 2
    assert mark_pixels(tmp_path / "pii.png") > 20               # the leaked number is highlighted


def test_hostile_page_within_caps_and_deadline(tmp_path):
    deep = "<div>" * 3000 + "深处" + "</div>" * 3000
    rows = "".join(f"<tr><td>{i}</td>" + "<td>格</td>" * 80 + "</tr>" for i in range(2000))
    html = f"<html><body>{deep}<table>{rows}</table>" + "<p>填充文字</p>" * 200_000 + "</body></html>"
    prepared = prepare(html, URL, Marks(words=("防讯",)))
    drawn = render_png(prepared, ["页眉"], tmp_path / "big.png")
    assert QImage(str(tmp_path / "big.png")).height() <= 80 + 900 and drawn.notes
    with pytest.raises(RenderError, match="超时"):
        render_png(prepared, ["页眉"], tmp_path / "late.png", deadline_s=0)
    assert not (tmp_path / "late.png").exists()


class _Counting(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_drawing_never_touches_the_network(db, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        html = page_html(
            extra_head=f'<link rel="stylesheet" href="{base}/x.css"><style>@import url({base}/y.css);</style>'
                       f'<base href="{base}/">',
            body_extra=f'<img src="{base}/a.png"><img src="b.png"><iframe src="{base}/f.html"></iframe>'
                       f'<div style="background:url({base}/bg.png)">背景</div><script src="{base}/s.js"></script>'
                       f'<object data="{base}/o.swf"></object><embed src="{base}/e.swf">')
        rid, _target, by_kind = round_with_kept_page(db, html=html)
        summary = make_screenshots(db, list(by_kind.values()), who="test")
        assert len(summary.made) == 3
        # Anything the drawing asked for would have arrived by now (requests are synchronous).
        assert server.hits == []
    finally:
        server.shutdown()
        server.server_close()


def test_report_command_writes_a_docx_with_pictures(db_path, tmp_path, capsys):
    from app.core.store.db import connect
    db = connect(db_path)
    try:
        rid, target, by_kind = round_with_kept_page(db)
        rectify.create_notices(db, rid, issued_on="2025-08-20")
    finally:
        db.close()
    out = tmp_path / "报告"
    assert main(["--db", str(db_path), "report", str(rid), "--site", target.target_key, "--out", str(out)]) == 0
    paths = [Path(p) for p in capsys.readouterr().out.split()]
    assert len(paths) == 1 and paths[0].parent == out
    doc = Document(paths[0])
    assert len(doc.inline_shapes) == 3                       # typo, dark link, PII: each with its picture
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "截图说明" in text and ID_FULL[:17] not in text
    db = connect(db_path)
    try:
        notice = rectify.list_notices(db, rid)[0]
        doc = Document(rectify.export_notice(db, notice, tmp_path / "通知单.docx"))
        assert len(doc.inline_shapes) == 3                   # the 整改通知单 carries them too
    finally:
        db.close()
    assert main(["--db", str(db_path), "report", str(rid), "--site", "0000000000", "--out", str(out)]) != 0
    assert capsys.readouterr().err.startswith("错误：")


def test_review_page_makes_and_shows_a_screenshot(qtbot, db, db_path, settings):
    from app.ui.pages.review_page import ReviewPage
    rid, _target, by_kind = round_with_kept_page(db, confirm=False)
    page = ReviewPage(context(db, db_path, settings))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.summary_ready, timeout=10_000):
        page.show()
    page.select_finding(by_kind["typo"])
    assert page.make_shot_action.isEnabled()
    with qtbot.waitSignal(page.shots_made, timeout=30_000) as blocker:
        page.make_shot_action.trigger()
    assert len(blocker.args[0].made) == 1
    html = page.detail.toHtml()
    shot = shots.latest_shots(db, [by_kind["typo"]])[by_kind["typo"]]
    assert "<img" in html and Path(shot.path).name in html and "从网页留痕生成于" in page.detail.toPlainText()
    thumb = page.detail.document().resource(QTextDocument.ResourceType.ImageResource,
                                            QUrl.fromLocalFile(shot.path))
    assert thumb is not None and not thumb.isNull()              # the thumbnail really loaded
    assert "已生成 1 张截图" in page.message.text()
