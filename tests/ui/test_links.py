"""Links are data, not commands: the review page hands only http(s) links and viewable evidence
files to the desktop; anything else is shown as text with a warning and never opened."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl

from app.core.rounds import findings
from app.ui import links
from app.ui.pages.review_page import ReviewPage

from scoresetup import PORTAL, context, round_with_findings, target_id


@pytest.fixture
def opened(monkeypatch):
    calls = []
    monkeypatch.setattr(links.QDesktopServices, "openUrl", lambda url: calls.append(url.toString()) or True)
    return calls


def _page(qtbot, db, db_path, settings):
    page = ReviewPage(context(db, db_path, settings))
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    return page


@pytest.mark.parametrize("url", ["file:///C:/Windows/System32/calc.exe", "ms-msdt:/id PCWDiagnostic",
                                 "javascript:alert(1)", "\\\\server\\share\\run.exe"])
def test_o_never_opens_a_non_web_link(qtbot, filled_db, db_path, settings, opened, url):
    rid, _ = round_with_findings(filled_db)
    fid = findings.add_finding(filled_db, rid, target_id(filled_db, rid, PORTAL), "web.ded.publish.accuracy",
                               source="导入", url=url, detail="导入的问题")
    page = _page(qtbot, filled_db, db_path, settings)
    page.select_finding(fid)
    qtbot.keyClick(page.view, "o")
    assert opened == []
    assert "只能在浏览器中打开 http/https 网址" in page.message.text()
    assert "不是网页链接" in page.detail.toPlainText()             # shown as text, not as an anchor
    assert "<a href" not in page.detail.toHtml().split("链接")[1].split("</tr>")[0]


def test_o_opens_an_http_link(qtbot, filled_db, db_path, settings, opened):
    rid, ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    page.select_finding(ids["typo"])
    qtbot.keyClick(page.view, "o")
    assert opened == ["http://s0001.example.gov.cn/a.html"]


def test_screenshots_only_of_viewable_types(qtbot, filled_db, db_path, settings, opened, tmp_path):
    rid, _ = round_with_findings(filled_db)
    exe = tmp_path / "shot.exe"
    exe.write_bytes(b"MZ")
    png = tmp_path / "shot.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    tid = target_id(filled_db, rid, PORTAL)
    bad = findings.add_finding(filled_db, rid, tid, "web.ded.publish.accuracy", source="导入", detail="a",
                               screenshot_path=str(exe))
    good = findings.add_finding(filled_db, rid, tid, "web.ded.publish.accuracy", source="导入", detail="b",
                                screenshot_path=str(png))
    page = _page(qtbot, filled_db, db_path, settings)
    page.select_finding(bad)
    page.open_screenshot()
    assert opened == [] and "未打开" in page.message.text()
    page.detail._on_anchor_clicked(QUrl.fromLocalFile(str(exe)))        # a crafted anchor: refused too
    assert opened == []
    page.select_finding(good)
    page.open_screenshot()
    assert opened == [QUrl.fromLocalFile(str(png)).toString()]
