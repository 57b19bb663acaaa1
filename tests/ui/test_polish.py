"""Everyday polish: an empty state with the next step on every page, every page usable at 1366×768,
threshold names and sources in Chinese."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.table_models.findings_queue_model import QueueColumn
from app.ui.table_models.params_model import ParamsTableModel
from app.ui.widgets.profile_forms import _sources_text

from scoresetup import round_with_findings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import demo_rounds  # noqa: E402


def test_pages_without_a_round_say_how_to_get_one(qtbot, window):
    for key in ("checks", "scores", "rectify"):
        window.show_page(key)
        content = window.pages[key].content
        assert content.state == "no_round" and "检查轮次" in content.text("no_round"), key
    window.show_page("messages")
    assert window.pages["messages"].content.state == "no_messages"
    window.show_page("hygiene")
    assert window.pages["hygiene"].content.state == "not_run"
    checks = window.pages["checks"]
    window.show_page("checks")
    button = next(b for b in checks.content.currentWidget().findChildren(type(checks.start_button))
                  if b.text() == "新建检查轮次…")
    button.click()
    assert window.current_page_key() == "rounds" and window.pages["rounds"].new_round_dialog.isVisible()
    window.pages["rounds"].new_round_dialog.reject()


def test_pages_with_a_round_show_their_content(qtbot, window, filled_db):
    round_with_findings(filled_db)
    for key in ("checks", "scores", "rectify"):
        window.show_page(key)
        assert window.pages[key].content.state == ("no_notices" if key == "rectify" else None), key


def test_an_empty_registry_says_where_sites_come_from(qtbot, db, db_path, settings):
    from app.ui.main_window import MainWindow
    win = MainWindow(db, db_path, settings)
    qtbot.addWidget(win)
    win.show()
    page = win.pages["monitor"]
    with qtbot.waitSignal(page.states_loaded, timeout=10_000):
        win.show_page("monitor")
    assert page.content.state == "no_sites"


def test_every_page_fits_1366_by_768(qtbot, db, db_path, settings):
    """With the demo's three rounds loaded, every page and tab keeps the window at 1366×768."""
    from app.ui.main_window import MainWindow
    demo_rounds.build(db)
    window = MainWindow(db, db_path, settings)
    qtbot.addWidget(window)
    overview = window.pages["overview"]
    with qtbot.waitSignal(overview.overview_ready, timeout=20_000):
        window.show()
    with qtbot.waitSignal(overview.trends_ready, timeout=20_000):
        overview.tabs.setCurrentWidget(overview.trends_tab)
    window.resize(1366, 768)
    for spec in window.specs:
        window.show_page(spec.key)
        QApplication.processEvents()
        need = window.pages[spec.key].minimumSizeHint()
        assert need.width() <= window.stack.width() and need.height() <= window.stack.height(), spec.key
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert (window.width(), window.height()) == (1366, 768)
    review = window.pages["scores"]
    window.show_page("scores")
    qtbot.waitUntil(lambda: review.model.rowCount() > 0, timeout=5_000)
    view = review.view
    text_left = view.columnViewportPosition(QueueColumn.TEXT)
    assert 0 <= text_left and text_left + 120 <= view.viewport().width()     # 问题描述 is on screen


def test_thresholds_and_sources_in_chinese(qtmodeltester):
    model = ParamsTableModel()
    model.set_params({"news_window_days": 14, "custom_key": 3})
    qtmodeltester.check(model)
    name = model.index(0, 0)
    assert name.data() == "动态、要闻类栏目更新期限（天）"
    assert "news_window_days" in name.data(Qt.ItemDataRole.ToolTipRole)      # the tooltip names the key
    assert name.data(Qt.ItemDataRole.EditRole) == "news_window_days"         # editing edits the key
    assert model.index(1, 0).data() == "custom_key"                 # a key of its own stays as typed
    assert model.params() == {"news_window_days": 14, "custom_key": 3}
    assert _sources_text(("S04", "S07")).startswith("依据：S04（某民政局2022年第四季度")
    assert "S07（2015年政府网站普查" in _sources_text(("S04", "S07"))
    assert _sources_text(()) == "依据：未注明"
