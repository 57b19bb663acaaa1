"""检查批次 page: new round through the dialog (preview = what gets created), close/reopen, targets."""
from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from app.core.store import audit
from app.core.rounds import findings, rounds
from app.ui.pages.rounds_page import RoundsPage

from scoresetup import PORTAL, context, round_with_findings, target_id


def _page(qtbot, db, db_path, settings) -> RoundsPage:
    page = RoundsPage(context(db, db_path, settings))
    qtbot.addWidget(page)
    page.show()
    return page


def test_new_round_dialog_previews_what_it_creates(qtbot, filled_db, db_path, settings):
    page = _page(qtbot, filled_db, db_path, settings)
    assert page.stack.currentIndex() == 1                 # no rounds yet: the empty state
    dialog = page.open_new_round_dialog()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    assert dialog.counts_model.rowCount() == 2
    assert dialog.plan.count("site") == 6 and dialog.plan.count("account") == 4     # 全量: running only

    dialog.name.setText("七月抽查")
    dialog.kind.setCurrentIndex(dialog.kind.findData("专项"))
    dialog.as_of.setText("2025-07-31")
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000) as blocker:
        dialog.sites_scope.set_percent(50)
        dialog.stratify.setChecked(True)
        dialog.seed.setText("20250731")
    plan = blocker.args[0]
    assert plan.seed == 20250731 and plan.count("site", "抽样") == 4     # 3 of 东湖区 and 3 of 西湖区: 2 + 2
    assert dialog.counts_model.row_values(0)[1:] == (6, 0, 0, 4, 0, 4)
    assert dialog.counts_model.row_values(1)[1:] == (4, 4, 0, 0, 0, 4)
    assert dialog.targets_model.rowCount() == 8
    previewed = [t.target_key for t in plan.targets]

    old_seed = dialog.seed.text()
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000):
        dialog.reseed()
    assert dialog.seed.text() != old_seed
    with qtbot.waitSignal(dialog.preview_ready, timeout=10_000):
        dialog.seed.setText("20250731")
    assert [t.target_key for t in dialog.plan.targets] == previewed

    with qtbot.waitSignal(page.round_created, timeout=10_000) as created:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    rid = created.args[0]
    made = rounds.get_round(filled_db, rid)
    assert (made.name, made.kind, made.as_of, made.seed, made.sample_sites_pct, made.stratify_by_region) == \
        ("七月抽查", "专项", "2025-07-31", 20250731, 50, True)
    assert [t.target_key for t in rounds.round_targets(filled_db, rid)] == previewed
    assert page.stack.currentIndex() == 0 and page.selected_round_id() == rid
    assert page.targets_model.rowCount() == 8
    assert "网站 4 个，新媒体 4 个" in page.message.text()


def test_dialog_reports_a_bad_date_and_blocks_create(qtbot, filled_db, db_path, settings):
    page = _page(qtbot, filled_db, db_path, settings)
    dialog = page.open_new_round_dialog()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    with qtbot.waitSignal(dialog.preview_failed, timeout=10_000) as failed:
        dialog.as_of.setText("2025-13-45")
    assert "监测时间点" in failed.args[0] and "监测时间点" in dialog.preview_status.text()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


def test_close_and_reopen_with_a_reason(qtbot, filled_db, db_path, settings):
    rid, _ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    assert page.selected_round_id() == rid
    assert page.close_action.isEnabled() and not page.reopen_action.isEnabled()
    box = page.close_selected()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert rounds.get_round(filled_db, rid).closed
    assert page.reopen_action.isEnabled() and not page.close_action.isEnabled()
    assert page.model.index(0, 7).data().startswith("已关闭")
    page.targets_view.selectRow(0)
    assert not page.unchecked_action.isEnabled() and not page.add_finding_action.isEnabled()   # read-only

    dialog = page.reopen_selected()
    assert not dialog.ok_button.isEnabled()              # the reason is required
    dialog.text.setPlainText("复核发现漏检，需补充问题")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert not rounds.get_round(filled_db, rid).closed
    entry = audit.entries(filled_db, "rounds", rid)[-1]
    assert entry["action"] == "reopen" and entry["new"]["reason"] == "复核发现漏检，需补充问题"
    assert page.model.index(0, 7).data() == "进行中"


def test_targets_unchecked_with_note_restore_and_manual_finding(qtbot, filled_db, db_path, settings):
    rid, _ids = round_with_findings(filled_db)
    page = _page(qtbot, filled_db, db_path, settings)
    portal = target_id(filled_db, rid, PORTAL)
    page.select_targets([portal])
    dialog = page.mark_unchecked_selected()
    dialog.text.setPlainText("检查期间无法访问")
    dialog.ok_button.click()
    t = rounds.get_target(filled_db, portal)
    assert (t.review_state, t.review_note) == ("未检查", "检查期间无法访问")
    row = page.targets_proxy.mapFromSource(page.targets_model.index(page.targets_model.row_of_id(portal), 0)).row()
    assert page.targets_proxy.index(row, 5).data() == "未检查"
    page.select_targets([portal])
    assert page.restore_action.isEnabled()
    page.restore_selected()
    assert rounds.get_target(filled_db, portal).review_state == "待检查"

    page.select_targets([portal])
    finding_dialog = page.add_finding_selected()
    assert finding_dialog.target_id() == portal
    assert finding_dialog.picker.choose("web.ded.publish.privacy")
    finding_dialog.detail.setPlainText("公示名单含身份证号")
    finding_dialog.ok_button.click()
    made = findings.get_finding(filled_db, finding_dialog.finding_id)
    assert (made.source, made.status, made.indicator_id, made.target_id) == \
        ("人工", "确认", "web.ded.publish.privacy", portal)
    assert page.model.index(0, 6).data() == "6（确认 1）"
