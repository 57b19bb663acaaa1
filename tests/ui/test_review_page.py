"""审核评分 page: keyboard review with a live scorecard, batch review, whitelist, manual findings."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QGuiApplication

from app.core.rounds import findings, rounds
from app.core.rounds.findings import WHITELIST_NOTE
from app.ui.pages.review_page import ReviewPage
from app.ui.table_models.findings_queue_model import QueueColumn

from scoresetup import PORTAL, context, round_with_findings, status, target_id


def _page(qtbot, db, db_path, settings) -> ReviewPage:
    page = ReviewPage(context(db, db_path, settings))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.summary_ready, timeout=10_000):
        page.show()                     # the queue loads when the page is first shown
    return page


def test_keyboard_review_rescores_the_target(qtbot, filled_db, db_path, settings):
    rid, ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    assert page.model.rowCount() == 5 and page.current_finding_id() == ids["typo"]
    card = page.scorecard
    assert card.target.target_key == PORTAL
    assert (card.score_label.text(), card.badge.text()) == ("100分", "合格")

    qtbot.keyClick(page.view, "y")                       # 确认 the typo, move on to the broken link
    assert status(filled_db, ids["typo"]) == "确认"
    assert page.current_finding_id() == ids["broken"]
    assert (card.score_label.text(), card.badge.text()) == ("99.5分", "合格")
    assert "1处 × 0.5分" in card.explain.toPlainText()
    qtbot.keyClick(page.view, "n")                       # 误报
    assert status(filled_db, ids["broken"]) == "误报"
    assert page.current_finding_id() == ids["veto"]
    qtbot.keyClick(page.view, "?")                       # 存疑: still 合格
    assert status(filled_db, ids["veto"]) == "存疑" and card.badge.text() == "合格"
    assert page.current_finding_id() == ids["second"]    # the next target now
    assert card.target.target_key != PORTAL

    page.select_finding(ids["veto"])
    qtbot.keyClick(page.view, "1")                       # confirming the veto fails the portal
    assert status(filled_db, ids["veto"]) == "确认"
    assert page.current_finding_id() == ids["second"]
    page.select_finding(ids["veto"])
    assert card.target.target_key == PORTAL and card.badge.text() == "不合格"
    assert "单项否决" in card.explain.toPlainText()
    vetoed = card.model.index_for_key("web.veto.unreachable", 3)
    assert vetoed.data() == "否决"
    page.select_finding(ids["veto"])
    qtbot.keyClick(page.view, "u")                       # back to 待审核: 合格 again
    assert status(filled_db, ids["veto"]) == "待审核"
    page.select_finding(ids["veto"])
    assert card.badge.text() == "合格"
    assert page.counts_label.text().startswith("共 5 条：待审核 3 · 确认 1 · 误报 1 · 存疑 0")
    sel = page.view.selectionModel()                     # a batch does not move: the card turns at once
    sel.select(page.model.index(page.model.row_of_id(ids["typo"]), 0),
               QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(page.view, "y")
    assert status(filled_db, ids["veto"]) == "确认" and page.current_finding_id() == ids["veto"]
    assert card.badge.text() == "不合格" and card.score_label.text() == "否决"
    page.select_finding(ids["veto"])
    qtbot.keyClick(page.view, "0")
    with qtbot.waitSignal(page.summary_ready, timeout=10_000) as done:
        page.compute_summary()
    assert done.args[0].summary.sites.overall.passed == 6
    assert "网站 6/6 合格" in page.summary_label.text()


def test_batch_review_of_a_selection(qtbot, filled_db, db_path, settings):
    rid, ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    sel = page.view.selectionModel()
    sel.clear()
    for row in (0, 1, 3):
        sel.select(page.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    page.confirm_action.trigger()
    assert [status(filled_db, ids[k]) for k in ("typo", "broken", "veto", "second")] == ["确认", "确认", "待审核", "确认"]
    assert len(sel.selectedRows()) == 3                  # a batch keeps its selection
    assert [page.model.index(r, QueueColumn.STATUS).data() for r in range(4)] == ["确认", "确认", "待审核", "确认"]
    page.status_filter.setCurrentIndex(page.status_filter.findData("待审核"))
    assert page.model.rowCount() == 2 and "（显示 2 条）" in page.counts_label.text()


def test_whitelist_on_false_positive_marks_later_rounds(qtbot, filled_db, db_path, settings):
    rid, ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    page.remember_action.setChecked(True)
    page.select_finding(ids["typo"])
    qtbot.keyClick(page.view, "n")
    [rule] = findings.list_whitelist_rules(filled_db)
    assert (rule.target_key, rule.url) == (PORTAL, "http://s0001.example.gov.cn/a.html")
    assert status(filled_db, ids["typo"]) == "误报"
    assert "已记住 1 条白名单规则" in page.message.text()

    later = rounds.create_round(filled_db, "七月检查", "2025-07-31")
    again = findings.add_finding(filled_db, later, target_id(filled_db, later, PORTAL), "web.ded.publish.accuracy",
                                 kind="typo", source="自动", url="http://s0001.example.gov.cn/a.html",
                                 detail="错别字：“既然”误为“即然”")
    with qtbot.waitSignal(page.queue_loaded, timeout=5_000):
        assert page.show_round(later)
    row = page.model.row_of_id(again)
    assert page.model.index(row, QueueColumn.STATUS).data() == "误报·白名单"
    assert page.model.index(row, QueueColumn.NOTE).data() == f"{WHITELIST_NOTE}（规则 {rule.id}）"
    page.select_finding(again)
    assert "白名单" in page.detail.toPlainText() and "审核“六月检查”时记住" in page.detail.toPlainText()


def test_manual_finding_from_the_scorecard(qtbot, filled_db, db_path, settings):
    rid, ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    card = page.scorecard
    card.tree.setCurrentIndex(card.model.index_for_key("web.ded.publish.privacy"))
    card.add_button.click()
    dialog = page.finding_dialog
    assert dialog.target_id() == target_id(filled_db, rid, PORTAL)
    assert dialog.picker.chosen_id() == "web.ded.publish.privacy"        # the item selected on the card
    dialog.count.setValue(2)
    dialog.url.setText("http://s0001.example.gov.cn/gs.html")
    dialog.detail.setPlainText("公示名单含未脱敏身份证号")
    dialog.evidence.setPlainText("张三 360102198503120011")
    dialog.screenshot.setText("/tmp/shot.png")
    with qtbot.waitSignal(page.queue_loaded, timeout=5_000):
        dialog.ok_button.click()
    made = findings.get_finding(filled_db, dialog.finding_id)
    assert (made.source, made.status, made.count, made.evidence_text, made.screenshot_path) == \
        ("人工", "确认", 2, "张三 360102198503120011", "/tmp/shot.png")
    assert page.current_finding_id() == made.id and page.model.rowCount() == 6
    assert card.score_label.text() == "98分"                # 2 处 × 1 分
    assert card.model.index_for_key(made.id).parent().data(0).startswith("个人信息保护")

    page.copy_evidence()
    copied = QGuiApplication.clipboard().text()
    assert "http://s0001.example.gov.cn/gs.html" in copied and "张三 360102198503120011" in copied


def test_closed_round_is_read_only(qtbot, filled_db, db_path, settings):
    rid, ids = round_with_findings(filled_db)
    rounds.close_round(filled_db, rid)
    page = _page(qtbot, filled_db, db_path, settings)
    assert page.closed_banner.isVisibleTo(page) and not page.confirm_action.isEnabled()
    qtbot.keyClick(page.view, "y")
    assert status(filled_db, ids["typo"]) == "待审核"
    assert not page.scorecard.add_button.isEnabled() and page.open_finding_dialog(None) is None


def test_review_page_follows_rounds_made_elsewhere(qtbot, window, filled_db):
    page = window.pages["scores"]
    window.show_page("scores")
    assert page.model.rowCount() == 0 and page.content.state == "no_round"          # the next step: a round
    window.show_page("rounds")
    rid, ids = round_with_findings(filled_db)            # e.g. made on the rounds page or by a check run
    with qtbot.waitSignal(page.queue_loaded, timeout=5_000):
        window.show_page("scores")
    assert page.round.id == rid and page.model.rowCount() == len(ids)
    window.show_page("rounds")                          # it re-reads when shown again
    assert window.pages["rounds"].model.rowCount() == 1
