"""新媒体审核: the keyboard grid (dates typed + Enter, flag keys), the editor, menu tests against a
local site, the monitoring import (all or nothing), filters, and the grid model."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.rounds import findings
from app.core.followup import media_review as mr, media_rules
from app.ui.pages import PageContext
from app.ui.table_models.registry_model import ID_ROLE
from app.ui.table_models.review_model import ReviewColumn, ReviewTableModel, parse_typed_date

from reviewsetup import AS_OF, make_round, press, site_server, type_text


@pytest.fixture
def page(qtbot, db, db_path, settings):
    from app.ui.pages.media_page import MediaPage
    rid = make_round(db)
    p = MediaPage(PageContext(db, db_path, settings))
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    qtbot.waitExposed(p)
    p.activateWindow()
    p.open_round(rid)
    p.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is p.view, timeout=2000)
    p.round_id = rid
    return p


def obs_row(db, tid):
    return db.conn.execute("SELECT last_update, interaction_ok, ads_seen, unrelated_content FROM media_observations"
                           " WHERE target_id = ?", (tid,)).fetchone()


def test_typed_dates_follow_the_round_year():
    assert parse_typed_date("2025-08-01", AS_OF) == "2025-08-01"
    assert parse_typed_date("8-1", AS_OF) == "2025-08-01"
    assert parse_typed_date("0801", AS_OF) == "2025-08-01"
    assert parse_typed_date("7/31", AS_OF) == "2025-07-31"
    assert parse_typed_date("8月1日", AS_OF) == "2025-08-01"
    assert parse_typed_date("20250801", AS_OF) == "2025-08-01"
    assert parse_typed_date("12-28", "2026-01-05") == "2025-12-28"      # typed in January about December
    assert parse_typed_date("", AS_OF) is None
    with pytest.raises(ValueError):
        parse_typed_date("1340", AS_OF)


def test_review_20_accounts_by_keyboard_alone(page, qtbot, db):
    """The issue's flow: dates typed + Enter down the grid, then flag keys; the DB holds it all."""
    rid, model = page.round_id, page.model
    rows = list(model.rows)[:20]
    assert len(rows) == 20
    assert page.view.currentIndex().column() == ReviewColumn.LAST_UPDATE
    typed = {}
    for i, r in enumerate(rows):
        text = ("0720", "8-10", "2025-07-31", "0801")[i % 4]          # 25, 4, 14 and 13 days before 08-14
        typed[r.target_id] = parse_typed_date(text, AS_OF)
        with qtbot.waitSignal(model.row_saved, timeout=2000):
            type_text(text)
            press(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda i=i: page.view.currentIndex().row() == min(i + 1, model.rowCount() - 1), timeout=2000)
    # Back to the first row with the arrow keys; flag keys act on the current row.
    for _ in range(20):
        press(Qt.Key.Key_Up)
    assert page.current_target_id() == rows[0].target_id
    press(Qt.Key.Key_H)                      # 互动 无 → proposes 互动回应差
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_H)
    press(Qt.Key.Key_H)                      # 无 → 有: withdrawn again
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_A)                      # 广告
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_U)                      # 无关内容
    press(Qt.Key.Key_Right)
    press(Qt.Key.Key_Tab)
    assert page.view.currentIndex().column() == ReviewColumn.INTERACTION
    press(Qt.Key.Key_C)                      # 已检查 → 待检查 (toggle)

    for r in rows:
        assert obs_row(db, r.target_id)[0] == typed[r.target_id]
    assert obs_row(db, rows[0].target_id)[1] == 0
    assert obs_row(db, rows[1].target_id)[1] == 1
    assert obs_row(db, rows[2].target_id)[2] == 1 and obs_row(db, rows[3].target_id)[3] == 1
    found = findings.list_findings(db, rid)
    stale = {f.target_id for f in found if f.indicator_id == "nm.veto.not_updated"}
    assert stale == {r.target_id for i, r in enumerate(rows) if i % 4 in (0, 2)}       # ≥ 14 days only
    assert all(f.status == "待审核" and f.source == "人工" for f in found)
    poor = [f for f in found if f.indicator_id == "nm.veto.interaction_poor"]
    assert [f.target_id for f in poor] == [rows[0].target_id]
    kinds = {(f.target_id, f.kind) for f in found}
    assert (rows[2].target_id, media_rules.K_ADS) in kinds and (rows[3].target_id, media_rules.K_UNRELATED) in kinds
    states = dict(db.conn.execute("SELECT id, review_state FROM round_targets WHERE round_id = ?", (rid,)))
    assert [states[r.target_id] for r in rows] == ["已检查"] * 3 + ["待检查"] + ["已检查"] * 16
    # The proposals show in the row at once.
    first = model.index(model.row_of_id(rows[0].target_id), ReviewColumn.PROPOSALS)
    assert first.data() == "内容不更新、互动回应差"
    assert model.index(model.row_of_id(rows[1].target_id), ReviewColumn.PROPOSALS).data() == ""
    assert model.index(model.row_of_id(rows[0].target_id), ReviewColumn.DAYS).data() == "25"
    assert "已检查 19" in page.counts.text()


def test_a_bad_date_is_refused_and_kept_for_correction(page, qtbot, db):
    tid = page.current_target_id()
    type_text("1340")
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "未保存" in page.message.text(), timeout=2000)
    assert obs_row(db, tid) is None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not page.view, timeout=2000)
    editor = QApplication.focusWidget()
    assert editor.text() == "1340" and page.current_target_id() == tid
    editor.selectAll()
    with qtbot.waitSignal(page.model.row_saved, timeout=2000):
        type_text("0812")
        press(Qt.Key.Key_Return)
    assert obs_row(db, tid)[0] == "2025-08-12"


def test_editor_menu_test_against_local_site(page, qtbot, db):
    routes = {"/ok": (200, "<html>办事</html>")}
    with site_server(routes) as (base, _routes):
        tid = page.current_target_id()
        press(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        dialog = page.observation_dialog
        assert dialog is not None
        m = dialog.menu_model
        m.add_row({"name": "办事服务", "url": f"{base}/ok"})
        m.add_row({"name": "政策查询", "url": f"{base}/gone"})
        dialog.wording_model.add_row({"text": "中国入民", "correction": "中国人民"})
        dialog.posts.setText("12")
        dialog.accept()
        assert page.observation_dialog is None
        row = page.model.row_at(page.model.row_of_id(tid))
        assert [mi.ok for mi in row.obs.menu_items] == [None, None] and row.obs.posts_in_period == 12
        assert media_rules.K_TYPO in row.proposals
        page.view.setFocus()
        with qtbot.waitSignal(page.menus_tested, timeout=15000) as blocker:
            press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert not blocker.args[0].cancelled
    row = page.model.row_at(page.model.row_of_id(tid))
    assert [(mi.name, mi.ok, mi.http_status) for mi in row.obs.menu_items] == [
        ("办事服务", True, 200), ("政策查询", False, 404)]
    assert page.model.index(page.model.row_of_id(tid), ReviewColumn.MENUS).data() == "2项，1项失效"
    menus = [f for f in findings.list_findings(db, page.round_id, target_id=tid) if f.kind == media_rules.K_MENU]
    assert len(menus) == 1 and "政策查询" in menus[0].detail and menus[0].indicator_id == "nm.issue.menu_broken"


def test_editor_refuses_a_missing_screenshot(page, tmp_path, qtmodeltester):
    press(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = page.observation_dialog
    dialog.wording_model.add_row({"text": "烈土", "screenshot": str(tmp_path / "none.png")})
    dialog.menu_model.add_row({"name": "办事", "url": "http://a.example.gov.cn/", "ok": True})
    dialog.menu_model.set_value(0, "url", "http://b.example.gov.cn/")          # a new link needs a new test
    assert dialog.menu_model.rows()[0]["ok"] is None
    qtmodeltester.check(dialog.menu_model)
    qtmodeltester.check(dialog.wording_model)
    dialog.accept()
    assert dialog.isVisible() and "截图文件" in dialog.error.text()
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG")
    dialog.wording_model.set_value(0, "screenshot", str(shot))
    dialog.wording_model.set_value(0, "grave", True)
    dialog.accept()
    assert not dialog.isVisible()
    row = page.current_row()
    assert row.obs.wording_errors[0].grave and row.obs.wording_errors[0].screenshot == str(shot)


def test_monitoring_import_all_or_nothing(page, qtbot, db, tmp_path):
    rows = page.model.rows
    bad = tmp_path / "bad.csv"
    bad.write_text("平台,账号名称,最近发布时间,期间发布条数\n"
                   f"{rows[0].platform},{rows[0].name},2025-07-01,3\n"
                   f"{rows[1].platform},{rows[1].name},2025-13-01,4\n", encoding="utf-8")
    with qtbot.waitSignal(page.monitoring_imported, timeout=10000) as blocker:
        page.import_monitoring(bad)
    assert not blocker.args[0].ok
    dialog = page.problems_dialog
    assert dialog is not None and "未导入任何监测数据" in dialog.banner.text()
    assert [r[0] for r in dialog.rows()] == [3]
    assert db.conn.execute("SELECT COUNT(*) FROM media_observations").fetchone()[0] == 0
    dialog.reject()

    good = tmp_path / "good.csv"
    good.write_text("平台,账号名称,最近发布时间,期间发布条数\n"
                    f"{rows[0].platform},{rows[0].name},2025-07-01,3\n"
                    f"{rows[1].platform},{rows[1].name},2025-08-11,4\n", encoding="utf-8")
    with qtbot.waitSignal(page.monitoring_imported, timeout=10000):
        page.import_monitoring(good)
    assert "已导入监测数据" in page.message.text()
    first = page.model.row_at(page.model.row_of_id(rows[0].target_id))
    assert first.obs.last_update == "2025-07-01" and media_rules.K_NOT_UPDATED in first.proposals


def test_filter_and_problems_only(page, qtbot):
    model, proxy = page.model, page.proxy
    model.save(0, {"ads_seen": True})
    page.problems_only.setChecked(True)
    assert proxy.rowCount() == 1
    # Fixing the row keeps it in view until the filter changes (the cursor does not jump).
    model.save(0, {"ads_seen": False})
    assert proxy.rowCount() == 1
    page.problems_only.setChecked(False)
    page.search.insert("西湖")          # (QTest types ASCII only)
    assert proxy.rowCount() == 10
    assert "显示 10" in page.counts.text()


def test_closed_round_is_read_only(qtbot, db, db_path, settings):
    from app.core.rounds import rounds
    from app.ui.pages.media_page import MediaPage
    rid = make_round(db)
    rounds.close_round(db, rid, who="t")
    p = MediaPage(PageContext(db, db_path, settings))
    qtbot.addWidget(p)
    p.open_round(rid)
    assert not (p.model.flags(p.model.index(0, ReviewColumn.LAST_UPDATE)) & Qt.ItemFlag.ItemIsEditable)
    assert p.model.save(0, {"ads_seen": True}) is None
    assert "已关闭" in p.message.text()


def test_review_model_passes_qt_checks(qtmodeltester, db):
    rid = make_round(db)
    model = ReviewTableModel()
    model.set_session(mr.ReviewSession(db, rid))
    model.save(1, {"last_update": "2025-07-01", "interaction_ok": False})
    qtmodeltester.check(model)
    model.sort(ReviewColumn.DAYS, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).days_since_update == 44
    qtmodeltester.check(model)


def test_findings_from_every_source_show_in_the_grid(page, qtbot, db):
    rows = mr.load_review_rows(db, page.round_id)
    imported, manual, mine = rows[4].target_id, rows[5].target_id, rows[6].target_id
    findings.add_finding(db, page.round_id, imported, "nm.issue.typo", kind="错别字", source="导入", status="确认",
                         detail="推文错别字")
    findings.add_finding(db, page.round_id, manual, "nm.issue.privacy", kind="manual", source="人工",
                         status="待审核", detail="公开了手机号")
    dropped = findings.add_finding(db, page.round_id, manual, "nm.issue.typo", source="导入", detail="误报的")
    findings.set_status(db, [dropped], "误报")                  # a 误报 is no problem
    mr.save_observation(db, mine, {"last_update": "2025-07-01"})    # the grid's own proposal stays apart
    page.open_round(page.round_id)
    model = page.model
    text = {tid: model.index(model.row_of_id(tid), ReviewColumn.OTHERS).data() for tid in (imported, manual, mine)}
    assert text[imported] == "一般错别字（导入·确认）"
    assert text[manual] == "个人信息泄露（未脱敏）（人工·待审核）"
    assert text[mine] == "" and model.index(model.row_of_id(mine), ReviewColumn.PROPOSALS).data() == "内容不更新"
    page.problems_only.setChecked(True)
    shown = {page.proxy.index(r, 0).data(ID_ROLE) for r in range(page.proxy.rowCount())}
    assert {imported, manual, mine} <= shown
    page.select_target(imported)
    assert "其他来源的问题：一般错别字（导入·确认）" in page.detail.text()
