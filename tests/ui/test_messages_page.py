"""找错留言: import (problems listed, nothing written), the list and search, the add/edit dialog, and the
statistics panel's figures for a period across the National Day holiday."""
from __future__ import annotations

import csv
import datetime as dt

import pytest

from app.core.followup import messages as M
from app.ui.pages import PageContext

from reviewsetup import build_registry

H = ["留言编号", "网站标识码", "网站名称", "提交时间", "问题类型", "问题描述", "转办时间", "办理状态", "答复时间", "是否属实"]
SITE1, SITE2 = "3699020001", "3699020002"


def row(no, code=SITE1, sub="2025-09-29 09:00", fwd="2025-09-30 10:00", state="已办结", ans="2025-10-09 15:00",
        valid="是"):
    return [no, code, "", sub, "错别字", "首页有错别字", fwd, state, ans, valid]


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(H)
        w.writerows(rows)
    return path


@pytest.fixture
def page(qtbot, db, db_path, settings):
    from app.ui.pages.messages_page import MessagesPage
    build_registry(db)
    p = MessagesPage(PageContext(db, db_path, settings))
    p.today = dt.date(2025, 10, 20)
    qtbot.addWidget(p)
    p.show()
    return p


def import_file(qtbot, page, path):
    with qtbot.waitSignal(page.plan_ready, timeout=10000) as blocker:
        page.import_file(path)
    return blocker.args[0]


def test_import_problems_write_nothing_then_import_and_stats(page, qtbot, db, tmp_path):
    bad = write(tmp_path / "bad.csv", [row("T0"), row("T0"), row("T9", sub="2025-09-31 09:00")])
    plan = import_file(qtbot, page, bad)
    assert not plan.ok
    dialog = page.import_dialog
    assert "没有写入任何留言" in dialog.banner.text() and dialog.action_button is None
    assert sorted({r[0] for r in dialog.rows()}) == [3, 4]
    assert db.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    dialog.reject()

    # Forwarded 2025-09-30: 3 working days → 10-09, 10-10, 10-11 (a working Saturday).
    good = write(tmp_path / "good.csv", [
        row("T0", ans="2025-10-11 17:59"),                    # on the deadline day: on time
        row("T1", ans="2025-10-13 09:00"),                    # one working day late
        row("T2", ans="2025-09-30 16:00"),                    # same day: 0 working days
        row("T3", state="办理中", ans="", valid=""),            # unanswered, deadline passed
        row("U1", code=SITE2, valid="否"),                     # another unit, on time (10-09)
    ])
    plan = import_file(qtbot, page, good)
    assert plan.ok and len(plan.new) == 5
    with qtbot.waitSignal(page.imported, timeout=10000):
        page.import_dialog.accept()
    assert page.model.rowCount() == 5 and "导入完成" in page.message.text()

    page.period_from.setText("2025-09-01")
    page.period_to.setText("2025-09-30")
    page.refresh_stats()
    cards = {k: c.text() for k, c in page.cards.items()}
    assert cards == {"received": "5", "valid": "3", "closed": "4", "closed_on_time": "3", "on_time_rate": "60.00%",
                     "avg_workdays": "2.00", "overdue": "2"}          # (3 + 4 + 0 + 1) / 4 working days
    units = [[page.unit_model.index(r, c).data() for c in range(8)] for r in range(page.unit_model.rowCount())]
    assert units == [["西湖区单位1", "4", "3", "3", "2", "50.00%", "2.33", "2"],
                     ["东湖区单位2", "1", "0", "1", "1", "100.00%", "1.00", "0"]]
    overdue = [(page.overdue_model.index(r, 0).data(), page.overdue_model.index(r, 5).data(),
                page.overdue_model.index(r, 7).data()) for r in range(page.overdue_model.rowCount())]
    assert overdue == [("T1", "2025-10-11", "1"), ("T3", "2025-10-11", "6")]
    assert page.tabs.tabText(1) == "超期留言（2）"
    assert not page.calendar_note.isVisible()

    page.search.setText("T3")
    assert page.proxy.rowCount() == 1 and "显示 1" in page.count_label.text()


def test_calendar_note_for_an_unconfirmed_year(page, qtbot, tmp_path):
    path = write(tmp_path / "y.csv",
                 [row("Y1", sub="2027-03-01 09:00", fwd="2027-03-01 10:00", ans="2027-03-03 10:00")])
    import_file(qtbot, page, path)
    with qtbot.waitSignal(page.imported, timeout=10000):
        page.import_dialog.accept()
    page.period_from.setText("2027-01-01")
    page.period_to.setText("2027-12-31")
    page.refresh_stats()
    assert page.cards["received"].text() == "1"
    assert page.calendar_note.isVisibleTo(page) and "2027年" in page.calendar_note.text()


def test_bad_period_is_reported(page):
    page.period_from.setText("2025-10-01")
    page.period_to.setText("2025-09-01")
    page.refresh_stats()
    assert "无法统计" in page.message.text()


def test_add_and_edit_dialog(page, db):
    dialog = page.add_message()
    dialog.fields["message_no"].setText("M1")
    dialog.accept()                                    # no 提交时间 / 网站: refused with the reasons
    assert dialog.isVisible() and "提交时间" in dialog.error.text()
    dialog.fields["site_code"].setText(SITE1)
    dialog.fields["submitted_at"].setText("2025-09-29 09:00")
    dialog.fields["forwarded_at"].setText("2025-09-30")
    dialog.accept()
    assert not dialog.isVisible()
    m = M.find_message(db, "M1")
    assert m.site_name == "西湖区网站1" and m.unit_name == "西湖区单位1"
    assert page.model.rowCount() == 1 and page.selected_message().message_no == "M1"
    edit = page.edit_selected()
    edit.fields["answered_at"].setText("2025-10-09 10:00")
    edit.fields["state"].setCurrentText("已办结")
    edit.fields["is_valid"].setCurrentIndex(edit.fields["is_valid"].findData("属实"))
    edit.accept()
    m = M.find_message(db, "M1")
    assert m.closed and m.is_valid == 1 and m.state == "已办结"


def test_messages_model_passes_qt_checks(qtmodeltester, page, qtbot, tmp_path):
    import_file(qtbot, page, write(tmp_path / "m.csv", [row("A1"), row("A2", code=SITE2)]))
    with qtbot.waitSignal(page.imported, timeout=10000):
        page.import_dialog.accept()
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.unit_model)
