"""Add, edit, change status and view history through the page's dialogs."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.registry import registry
from app.ui.dialogs.history_dialog import HistoryDialog
from app.ui.dialogs.record_dialog import RecordDialog
from app.ui.dialogs.status_dialog import StatusDialog
from app.ui.table_models.registry_model import SiteColumn


def _dialog(page, cls):
    dialogs = [d for d in page.findChildren(cls) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _select(page, name):
    for r in range(page.proxy.rowCount()):
        if page.proxy.index(r, 0).data() == name:
            page.view.selectRow(r)
            return
    raise AssertionError(name)


def _act_on(page, name, action, cls):
    """Select the record ``name``, trigger ``action``; the record id and the dialog it opened."""
    _select(page, name)
    record_id = page.selected_id()
    action.trigger()
    return record_id, _dialog(page, cls)


def test_add_site_with_inline_validation(window, qtbot, filled_db):
    page = window.pages["sites"]
    page.add_action.trigger()
    dialog = _dialog(page, RecordDialog)
    assert not dialog.ok_button.isEnabled()
    # Untouched required fields stay quiet; the summary says what is missing.
    assert not dialog.rows["name"].message.isVisibleTo(dialog)
    assert "网站名称" in dialog.summary.text()

    dialog.rows["name"].editor.insert("东湖区司法局网站")
    qtbot.keyClicks(dialog.rows["site_code"].editor, "12345")
    code_message = dialog.rows["site_code"].message
    assert code_message.isVisibleTo(dialog)
    assert "10位" in code_message.text()
    qtbot.keyClicks(dialog.rows["url"].editor, "sfj.donghu.gov.cn")
    category = dialog.rows["category"].editor
    category.setCurrentIndex(category.findData("县级部门网站"))
    assert dialog.rows["level"].value() == "县"          # follows the category
    dialog.rows["region"].editor.lineEdit().insert("东湖区")
    dialog.rows["host_unit"].editor.lineEdit().insert("东湖区司法局")
    assert not dialog.ok_button.isEnabled()               # the code is still wrong

    dialog.rows["site_code"].editor.clear()
    qtbot.keyClicks(dialog.rows["site_code"].editor, "3601020009")
    assert not code_message.isVisibleTo(dialog)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=2000) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    record = registry.get_record(filled_db, "site", saved.args[0])
    assert record["name"] == "东湖区司法局网站" and record["url"] == "http://sfj.donghu.gov.cn/"
    assert record["level"] == "县" and record["region"] == "东湖区"
    assert page.model.rowCount() == 8
    assert page.selected_id() == saved.args[0]
    assert window.counts_label.text().startswith("网站 8 个")


def test_duplicate_code_is_reported_on_the_field(window, qtbot):
    page = window.pages["sites"]
    page.add_action.trigger()
    dialog = _dialog(page, RecordDialog)
    for key, text in (("name", "重复网站"), ("site_code", "3601020001"), ("url", "cf.gov.cn")):
        dialog.rows[key].editor.insert(text)
    dialog.rows["category"].editor.setCurrentIndex(0)
    dialog.rows["region"].editor.setText("东湖区")
    dialog.rows["host_unit"].editor.setText("某单位")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.isVisible()
    assert "已被" in dialog.rows["site_code"].message.text()
    assert page.model.rowCount() == 7


def test_edit_record_updates_db_and_row(window, qtbot, filled_db):
    page = window.pages["sites"]
    record_id, dialog = _act_on(page, "东湖区教育局网站", page.edit_action, RecordDialog)
    assert dialog.ok_button.isEnabled()
    name = dialog.rows["name"].editor
    name.selectAll()
    name.insert("东湖区教育体育局网站")
    qtbot.keyClicks(dialog.rows["contact1_phone"].editor, "0791-86661234")
    with qtbot.waitSignal(page.model.dataChanged, timeout=2000):
        dialog.accept()
    record = registry.get_record(filled_db, "site", record_id)
    assert record["name"] == "东湖区教育体育局网站"
    assert record["contact1_phone"] == "0791-86661234"
    row = page.model.row_of_id(record_id)
    assert page.model.index(row, SiteColumn.NAME).data() == "东湖区教育体育局网站"
    assert page.selected_id() == record_id


def test_close_site_with_date_then_history(window, qtbot, filled_db):
    page = window.pages["sites"]
    record_id, dialog = _act_on(page, "东湖区卫生健康委网站", page.status_action, StatusDialog)
    assert dialog.chosen_status() == "关停"
    dialog.on_date.setText("2025-13-01")
    assert not dialog.ok_button.isEnabled()
    assert dialog.message.text()
    dialog.on_date.setText("2025年8月14日")
    assert dialog.ok_button.isEnabled()
    dialog.note.setText("整合至区政府门户")
    with qtbot.waitSignal(dialog.saved, timeout=2000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    record = registry.get_record(filled_db, "site", record_id)
    assert (record["status"], record["status_date"]) == ("关停", "2025-08-14")
    events = registry.history(filled_db, "site", record_id)
    assert events[-1]["event"] == "关停" and events[-1]["on_date"] == "2025-08-14"
    assert events[-1]["note"] == "整合至区政府门户"
    row = page.model.row_of_id(record_id)
    assert page.model.index(row, SiteColumn.STATUS).data() == "关停"
    assert page.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None   # greyed

    page.history_action.trigger()
    history = _dialog(page, HistoryDialog)
    cells = [history.model.index(r, 1).data() for r in range(history.model.rowCount())]
    assert cells == ["开设", "关停"]
    history.reject()


def test_account_dialog_fields(window, qtbot, filled_db):
    window.show_page("accounts")
    page = window.pages["accounts"]
    page.add_action.trigger()
    dialog = _dialog(page, RecordDialog)
    assert "site_code" not in dialog.rows and dialog.rows["filed"].value() is True
    dialog.rows["name"].editor.insert("西湖教育")
    platform = dialog.rows["platform"].editor
    platform.setCurrentIndex(platform.findData("抖音"))
    dialog.rows["region"].editor.setText("西湖区")
    dialog.rows["host_unit"].editor.setText("西湖区教育局")
    qtbot.keyClicks(dialog.rows["home_url"].editor, "not a url")
    assert not dialog.ok_button.isEnabled()
    dialog.rows["home_url"].editor.clear()
    with qtbot.waitSignal(dialog.saved, timeout=2000) as saved:
        dialog.accept()
    assert registry.get_record(filled_db, "account", saved.args[0])["platform"] == "抖音"
    assert page.model.rowCount() == 5
