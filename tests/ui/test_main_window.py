"""Main window: pages, remembered layout, demo registry, export, about."""
from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt

from app import __version__
from app.core.registry import registry
from app.ui.main_window import MainWindow
from app.ui.pages import PAGES, PageSpec
from app.ui.pages.placeholder import PlaceholderPage


def test_navigation_lists_every_page(window):
    labels = [window.nav_model.item(r).text() for r in range(window.nav_model.rowCount())]
    assert labels == [spec.label for spec in PAGES]
    assert labels[:3] == ["总览", "网站", "新媒体"] and "导出" in labels
    assert window.current_page_key() == "overview"           # the home page
    placeholders = [key for key, page in window.pages.items() if isinstance(page, PlaceholderPage)]
    for key in placeholders[:1]:          # unfinished sections say what is coming
        window.show_page(key)
        assert window.stack.currentWidget() is window.pages[key]
        assert "后续版本" in window.stack.currentWidget().findChildren(type(window.counts_label))[-1].text()
    window.nav.setCurrentIndex(window.nav_model.index(2, 0))
    assert window.current_page_key() == "accounts"


def test_adding_a_page_is_one_spec(qtbot, filled_db, db_path, settings):
    from PySide6.QtWidgets import QLabel
    specs = [*PAGES, PageSpec("extra", "新页面", lambda ctx: QLabel("hello"))]
    win = MainWindow(filled_db, db_path, settings, pages=specs)
    qtbot.addWidget(win)
    win.show_page("extra")
    assert win.stack.currentWidget().text() == "hello"


def test_layout_is_remembered(qtbot, filled_db, db_path, settings):
    first = MainWindow(filled_db, db_path, settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(first.minimumSizeHint().width(), 540)     # fits the 800×600 offscreen screen
    header = first.pages["sites"].view.horizontalHeader()
    header.resizeSection(0, 333)
    first.pages["sites"].view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    first.show_page("accounts")
    first.close()

    second = MainWindow(filled_db, db_path, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.size() == first.size() and first.size().height() == 540
    page = second.pages["sites"]
    header = page.view.horizontalHeader()
    assert header.sectionSize(0) == 333
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (1, Qt.SortOrder.DescendingOrder)
    codes = [page.proxy.index(r, 1).data() for r in range(page.proxy.rowCount())]
    assert codes == sorted(codes, reverse=True)          # the sort itself is restored, not only the arrow
    assert second.current_page_key() == "overview"         # it opens on the home page, not the last one


def test_load_demo_into_empty_registry(qtbot, db, db_path, settings):
    pytest.importorskip("app.core.registry.demo")
    win = MainWindow(db, db_path, settings)
    qtbot.addWidget(win)
    win.demo_action.trigger()
    counts = registry.counts(db)
    assert counts["sites"] > 0
    assert win.pages["sites"].model.rowCount() == counts["sites"]
    assert win.counts_label.text() == f"网站 {counts['sites']} 个 · 新媒体 {counts['accounts']} 个"
    assert win.pages["sites"].stack.currentIndex() == 0


def test_demo_refused_on_a_filled_registry(window, filled_db):
    pytest.importorskip("app.core.registry.demo")
    window.demo_action.trigger()
    assert "只能载入到空名录" in window.last_message.text()
    assert registry.counts(filled_db)["sites"] == 7
    window.last_message.close()


def test_export_writes_workbook(window, qtbot, tmp_path):
    target = tmp_path / "导出" / "名录"
    window.export_to(target)
    qtbot.waitUntil(lambda: window.export_action.isEnabled(), timeout=10_000)
    path = target.with_name("名录.xlsx")
    assert path.exists()
    wb = openpyxl.load_workbook(path, read_only=True)
    assert len(wb.sheetnames) == 2
    assert "已导出 7 个网站" in window.statusBar().currentMessage()


def test_about_shows_version_and_db_path(window, db_path):
    box = window.show_about()
    assert __version__ in box.text() and str(db_path) in box.text()
    box.close()
