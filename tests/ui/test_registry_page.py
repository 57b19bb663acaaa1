"""Registry pages inside the main window: search, combo filters, status bar counts."""
from __future__ import annotations

from PySide6.QtCore import Qt


def _choose(combo, data):
    at = combo.findData(data)
    assert at >= 0, data
    combo.setCurrentIndex(at)


def test_status_bar_counts_follow_filters(window, qtbot):
    page = window.pages["sites"]
    assert window.counts_label.text() == "网站 7 个 · 新媒体 4 个"
    page.search.insert("教育")
    assert page.proxy.rowCount() == 2
    assert window.counts_label.text() == "网站 7 个（显示 2） · 新媒体 4 个"
    page.search.clear()
    assert window.counts_label.text() == "网站 7 个 · 新媒体 4 个"


def test_region_category_and_status_filters(window):
    page = window.pages["sites"]
    regions = [page.region_filter.itemText(i) for i in range(page.region_filter.count())]
    assert regions == ["全部地区", "东湖区", "西湖区"]
    _choose(page.region_filter, "西湖区")
    assert page.proxy.rowCount() == 4
    _choose(page.group_filter, "县级部门网站")
    assert page.proxy.rowCount() == 2
    _choose(page.status_filter, "关停")
    assert page.proxy.rowCount() == 1
    assert page.proxy.index(0, 0).data() == "西湖区文化旅游局网站"
    assert "（显示 1）" in window.counts_label.text()
    _choose(page.region_filter, None)
    _choose(page.group_filter, None)
    from app.ui.table_models.registry_proxy import RUNNING_ONLY
    _choose(page.status_filter, RUNNING_ONLY)
    assert page.proxy.rowCount() == 6


def test_account_platform_filter_and_search(window, qtbot):
    window.show_page("accounts")
    page = window.pages["accounts"]
    assert window.current_page_key() == "accounts"
    _choose(page.group_filter, "微信公众号")
    assert page.proxy.rowCount() == 2
    qtbot.keyClicks(page.search, "gh_0002")
    assert page.proxy.rowCount() == 1
    assert window.counts_label.text() == "网站 7 个 · 新媒体 4 个（显示 1）"


def test_actions_need_a_selection(window):
    page = window.pages["sites"]
    assert not page.edit_action.isEnabled()
    page.view.selectRow(0)
    assert page.edit_action.isEnabled() and page.status_action.isEnabled()
    assert page.selected_id() == page.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 2)


def test_empty_registry_shows_guidance(qtbot, db, db_path, settings):
    from app.ui.main_window import MainWindow
    win = MainWindow(db, db_path, settings)
    qtbot.addWidget(win)
    page = win.pages["sites"]
    assert page.stack.currentIndex() == 1
    with qtbot.waitSignal(page.import_requested, timeout=1000) as blocker:
        page._on_import_clicked()
    assert blocker.args == ["site"]
    win.import_wizard.reject()
