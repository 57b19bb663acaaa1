"""整改: notices with a working-day deadline, an item set 已整改 in place, 复核 on a worker against a
fixture site served from the test (results shown), cancel, manual 复核, and the exports."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app.core.followup import rectify
from app.ui.pages import PageContext

from reviewsetup import confirmed, fast_fetcher, make_round, site_server


@pytest.fixture
def page(qtbot, db, db_path, settings):
    from app.ui.pages.rectify_page import RectifyPage
    p = RectifyPage(PageContext(db, db_path, settings))
    p.today = dt.date(2025, 10, 20)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    return p


def cell(view, row, col):
    return view.model().index(row, col).data()


def items_by_target(page):
    m = page.items_model
    return {m.record(r).target_name: m.record(r) for r in range(m.rowCount())}


def notices_of_two_broken_links(page, db) -> int:
    """A round with two confirmed broken links (never fetched: a.test), notices issued, shown on the page."""
    rid = make_round(db)
    confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url="http://a.test/x")
    confirmed(db, rid, "3699020002", "web.ded.function.availability", kind="broken_link", url="http://a.test/y")
    rectify.create_notices(db, rid, issued_on="2025-09-01")
    page.load_round(rid)
    return rid


def test_create_notices_edit_status_and_recheck_against_a_local_site(page, qtbot, db):
    routes = {"/fixed": (404, ""), "/still": (404, ""), "/typo": (200, "<p>热烈庆祝中国入民代表大会</p>")}
    with site_server(routes) as (base, routes):
        rid = make_round(db)
        confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url=f"{base}/fixed",
                  detail="链接打不开")
        confirmed(db, rid, "3699020002", "web.ded.function.availability", kind="broken_link", url=f"{base}/still")
        confirmed(db, rid, "3699020003", "web.ded.publish.accuracy", kind="typo", page=f"{base}/typo",
                  snippet="中国入民")
        confirmed(db, rid, "新浪微博:西湖发布1", "nm.issue.typo", detail="错别字")           # no link: by hand
        page.load_round(rid)
        assert page.content.state == "no_notices" and "还没有整改通知" in page.content.text("no_notices")

        # 生成整改通知: issued Friday 2025-09-26, 10 working days across National Day → 10-16.
        dialog = page.open_create_dialog()
        dialog.issued.setText("2025-09-26")
        dialog.days.setValue(10)
        assert dialog.deadline.text().startswith("2025-10-16")
        with qtbot.waitSignal(page.notices_created, timeout=2000) as blocker:
            dialog.accept()
        assert (blocker.args[0].created, blocker.args[0].items_added) == (4, 4)
        notices = page.notices_view.model()
        assert notices.rowCount() == 5 and cell(page.notices_view, 0, 0) == "全部单位"
        assert cell(page.notices_view, 1, 1) == "2025-10-16"
        assert cell(page.notices_view, 1, 4) == "逾期 2 个工作日"          # today 10-20: 10-17, 10-20
        assert "新建 4 份" in page.message.text()

        # The unit says it fixed the first link: 整改状态 edited in place.
        items = items_by_target(page)
        fixed = items["西湖区网站1"]
        page.select_item(fixed.id, 2)
        index = page.items_view.currentIndex()
        assert page.items_proxy.setData(index, "已整改", Qt.ItemDataRole.EditRole)
        assert rectify.get_item(db, fixed.id).status == "已整改"
        assert page.notices_title.text() == "整改通知（4 份，未完成事项 3 条）"

        # The site really fixes it; 复核 runs on a worker against the local server.
        routes["/fixed"] = (200, "<html>恢复</html>")
        page.fetcher = fast_fetcher()
        with qtbot.waitSignal(page.recheck_finished, timeout=20000) as blocker:
            page.start_recheck()
            assert page.cancel_button.isVisible()
    result = blocker.args[0]
    assert not result.cancelled
    items = items_by_target(page)
    got = {name: (i.recheck_result, i.recheck_note[:6]) for name, i in items.items()}
    assert got["西湖区网站1"][0] == "已整改" and got["东湖区网站2"][0] == "未整改"
    assert got["西湖区网站3"] == ("未整改", "复核：页面 ")
    assert got["西湖发布1"] == ("", "")
    shown = {cell(page.items_view, r, 0): cell(page.items_view, r, 4) for r in range(page.items_proxy.rowCount())}
    assert shown["西湖区网站1"] == "已整改" and shown["东湖区网站2"] == "未整改"
    assert "复核完成：已整改 1，未整改 2，无法访问 0" in page.message.text()
    assert "1 条没有链接" in page.message.text()

    # Manual 复核 of the account's item.
    page.select_item(items["西湖发布1"].id)
    dialog = page.open_manual_recheck()
    dialog.result.setCurrentText("已整改")
    dialog.note.setText("人工核对，已删除原文")
    dialog.accept()
    assert rectify.get_item(db, items["西湖发布1"].id).recheck_result == "已整改"
    assert page.notices_title.text() == "整改通知（4 份，未完成事项 2 条）"


def test_cancelled_recheck_writes_nothing(page, qtbot, db):
    rid = notices_of_two_broken_links(page, db)

    def cancelling(url):                # as if 取消复核 were pressed while the links are fetched
        page._recheck.cancel()          # (the worker's cancel() is thread-safe; the button calls it too)
        return (404, "")
    page.fetcher = cancelling
    with qtbot.waitSignal(page.recheck_finished, timeout=10000) as blocker:
        page.start_recheck()
    assert blocker.args[0].cancelled and "已取消" in page.message.text()
    assert all(i.recheck_result == "" and not i.recheck_note for n in rectify.list_notices(db, rid) for i in n.items)
    assert page.recheck_button.isEnabled()


def test_export_ledger_and_notices(page, qtbot, db, tmp_path):
    rid = make_round(db)
    confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url="http://a.example.gov.cn/x")
    confirmed(db, rid, "3699020002", "web.ded.publish.accuracy", detail="错别字")
    rectify.create_notices(db, rid, issued_on="2025-09-01")
    page.load_round(rid)
    with qtbot.waitSignal(page.exported, timeout=20000) as blocker:
        page.export_to(tmp_path / "out")
    result = blocker.args[0]
    assert result.ledger.exists() and len(result.notices) == 2 and all(p.exists() for p in result.notices)
    assert page.open_folder_button.isVisible() and "已导出整改台账（2 条）" in page.message.text()


def test_notice_dates_dialog_and_models(page, qtmodeltester, db):
    rid = make_round(db)
    confirmed(db, rid, "3699020001", "web.ded.publish.accuracy")
    rectify.create_notices(db, rid, issued_on="2025-09-01", days=10)
    page.load_round(rid)
    page.notices_view.selectRow(1)
    dialog = page.open_dates_dialog()
    dialog.deadline.setText("2025-08-01")
    dialog.accept()
    assert dialog.isVisible() and "早于" in dialog.error.text()
    dialog.deadline.setText("2025-10-31")
    dialog.accept()
    assert rectify.list_notices(db, rid)[0].deadline == "2025-10-31"
    assert cell(page.notices_view, 1, 1) == "2025-10-31"
    qtmodeltester.check(page.notices_model)
    qtmodeltester.check(page.items_model)


def test_closing_the_window_during_a_recheck_cancels_it(page, qtbot, db):
    rid = notices_of_two_broken_links(page, db)

    def stalling(url):                  # a server that never answers, until the run is cancelled
        page._recheck._cancel.wait(30)
        return (None, "已取消")
    page.fetcher = stalling
    page.start_recheck()
    threads = [t for t, _w in page._jobs._running]
    page.close()                        # the window closes: the recheck is cancelled and waited for
    assert threads and all(t.isFinished() for t in threads)
    assert all(i.recheck_result == "" for n in rectify.list_notices(db, rid) for i in n.items)
