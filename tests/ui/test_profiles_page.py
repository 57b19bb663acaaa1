"""指标体系 page: 待核对 marks, confirming and editing values, saving bumps the version, xlsx round trip."""
from __future__ import annotations

import openpyxl

from app.core.rounds import profiles as pf
from app.ui.pages.profiles_page import ProfilesPage
from app.ui.widgets.indicator_tree import UNVERIFIED

from scoresetup import context

ITEM = "web.ded.publish.accuracy"          # 内容准确性: unverified in the built-in profile


def _page(qtbot, db, db_path, settings) -> ProfilesPage:
    page = ProfilesPage(context(db, db_path, settings))
    qtbot.addWidget(page)
    page.show()
    return page


def _mark_text(page, key) -> str:
    return page.tree_model.index_for_key(key, 6).data()


def test_confirm_and_edit_clear_marks_and_save_bumps_version(qtbot, db, db_path, settings):
    page = _page(qtbot, db, db_path, settings)
    assert page.profile_id() == "national-2019-web"
    assert page.unverified_label.text() == "待核对 35 项（指标 32 项，评分规则 3 项）"
    assert page.select_key(ITEM)
    assert _mark_text(page, ITEM) == UNVERIFIED
    assert page.item_form.number_marks["points"].isVisibleTo(page) and page.item_form.number_marks["per_occurrence"].isVisibleTo(page)
    assert not page.item_form.number_marks["cap"].isVisibleTo(page)            # no number, nothing to check
    assert page.item_form.confirm_button.text() == "确认数值" and not page.save_button.isEnabled()

    page.item_form.number_edits["per_occurrence"].setText("0.3")
    page.item_form.number_edits["per_occurrence"].textEdited.emit("0.3")
    assert page.item_form.confirm_button.text() == "应用修改并确认"
    assert page.confirm_current()
    assert _mark_text(page, ITEM) == "" and not page.item_form.number_marks["points"].isVisibleTo(page)
    assert page.unverified_label.text().startswith("待核对 34 项")
    assert page.dirty_label.text() == "有未保存的修改" and page.save_button.isEnabled()

    assert page.select_key(("rule", "score_decimals"))
    assert page.rule_form.mark.isVisibleTo(page)
    assert page.confirm_current()                                  # confirm without change
    assert _mark_text(page, ("rule", "score_decimals")) == ""

    page.item_form.number_edits["points"].setText("abc")
    page.select_key(ITEM)
    page.item_form.number_edits["points"].setText("x")
    assert not page.confirm_current() and "不是数字" in page.message.text()

    with qtbot.waitSignal(page.saved, timeout=2_000) as saved:
        page.save_button.click()
    assert saved.args[0].version == "2019.2"
    stored = pf.load_profile(db, "national-2019-web")
    item = stored.item(ITEM)
    assert (stored.version, item.per_occurrence, item.verified) == ("2019.2", 0.3, True)
    assert stored.rule("score_decimals").verified
    assert "版本 2019.1 → 2019.2" in page.message.text() and not page.save_button.isEnabled()
    assert "内置（已修改）" in page.combo.currentText()


def test_params_edit_and_discard(qtbot, db, db_path, settings):
    page = _page(qtbot, db, db_path, settings)
    page.select_key("web.veto.columns_not_updated.c2")
    assert page.item_form.params_mark.isVisibleTo(page)
    page.item_form.params_model.setData(page.item_form.params_model.index(0, 1), "8")
    assert page.confirm_current()
    assert page.profile.item("web.veto.columns_not_updated.c2").params["threshold"] == 8
    page.discard()
    assert page.profile.item("web.veto.columns_not_updated.c2").params["threshold"] == 10
    assert not page.save_button.isEnabled()


def test_xlsx_round_trip_and_row_errors(qtbot, db, db_path, settings, tmp_path):
    page = _page(qtbot, db, db_path, settings)
    path = tmp_path / "web.xlsx"
    with qtbot.waitSignal(page.exported, timeout=10_000):
        page.export_to(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["指标"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == ITEM)
    ws.cell(row, 7).value = 0.25                       # 扣分标准(每次)
    ws.cell(row, 10).value = "是（S04）"                 # 已核对
    wb.save(path)
    with qtbot.waitSignal(page.imported, timeout=10_000) as imported:
        page.import_from(path)
    assert imported.args[0].version == "2019.2"
    stored = pf.load_profile(db, "national-2019-web")
    assert stored.item(ITEM).per_occurrence == 0.25 and stored.item(ITEM).verified
    assert page.profile.version == "2019.2" and "版本 2019.2" in page.message.text()

    ws.cell(row, 5).value = "两分"                       # 分值 not a number
    ws.cell(row + 1, 4).value = "加减分"                  # 类型 unknown
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with qtbot.waitSignal(page.import_failed, timeout=10_000) as failed:
        page.import_from(bad)
    message = failed.args[0]
    assert "有 2 处问题" in message
    assert f"第{row}行：分值“两分”不是数字" in message and f"第{row + 1}行：类型“加减分”" in message
    assert f"第{row}行" in page.last_message.informativeText()
    assert pf.load_profile(db, "national-2019-web").version == "2019.2"       # nothing written
    page.last_message.close()
