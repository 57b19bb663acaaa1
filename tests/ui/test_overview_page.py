"""总览: the home page draws the core's figures, and every chart, card and row leads to the list
behind it (with the filter set); trends across three rounds; the empty state."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.followup.overview import round_overview
from app.core.rounds.findings import QueueField as Q
from app.core.rounds.trends import round_trends

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import demo_rounds  # noqa: E402


@pytest.fixture
def demo(qtbot, db, db_path, settings):
    """The main window on the demo registry with three rounds, the overview's figures in."""
    from app.ui.main_window import MainWindow
    rounds = demo_rounds.build(db)
    win = MainWindow(db, db_path, settings)
    qtbot.addWidget(win)
    page = win.pages["overview"]
    with qtbot.waitSignal(page.overview_ready, timeout=20_000):
        win.show()
    win.rounds = rounds
    return win


def test_opens_on_the_overview_of_the_latest_round(demo, db):
    page = demo.pages["overview"]
    assert demo.current_page_key() == "overview" and page.round_id() == demo.rounds[-1]
    o = round_overview(db, demo.rounds[-1])
    assert page.overview.sites == o.sites and page.overview.failed == o.failed
    ring = page.site_ring
    assert [(s.label, s.value) for s in ring.shares()] == [
        ("合格", o.sites.passed), ("不合格", o.sites.failed), ("待检查", o.sites.pending), ("未检查", o.sites.not_checked)]
    assert ring.centre_text() == f"{o.sites.pass_rate}%" and ring.note() == "检查 57 个中的 14 个"
    assert "未查完" in page.site_box.title()
    assert page.cards["to_review"].text() == str(o.review_count("待审核"))
    assert page.cards["rectify_overdue"].text() == str(o.rectify.overdue)
    assert page.failed_model.rowCount() == len(o.failed) == 3
    assert sum(page.indicators.series()[0].values) == sum(t.count for t in o.by_indicator[:10])
    assert page.kinds.labels()[0] == o.by_kind[0].label
    assert page.regions.axis_max() == 100                     # rates: the axis ends at 100 %


def test_rings_and_bars_lead_to_their_filtered_lists(demo, qtbot, db):
    page = demo.pages["overview"]
    o = page.overview
    page.site_ring.item_clicked.emit(1)                       # 不合格 sites
    rounds_page = demo.pages["rounds"]
    assert demo.current_page_key() == "rounds" and rounds_page.selected_round_id() == demo.rounds[-1]
    qtbot.waitUntil(lambda: rounds_page.targets_proxy.rowCount() == o.sites.failed, timeout=10_000)
    names = {rounds_page.targets_proxy.index(r, 0).data() for r in range(rounds_page.targets_proxy.rowCount())}
    assert names == {f.name for f in o.failed if f.target_type == "site"}

    demo.show_page("overview")
    page.account_ring.item_clicked.emit(2)                    # accounts still 待检查
    assert rounds_page.targets_proxy.rowCount() == o.accounts.pending

    demo.show_page("overview")
    top = o.by_indicator[0]
    page.indicators.item_clicked.emit(0)
    review = demo.pages["scores"]
    assert demo.current_page_key() == "scores" and review.round.id == demo.rounds[-1]
    rows = [review.model.row_data(r) for r in range(review.model.rowCount())]
    assert rows and all(r[Q.STATUS] == "确认" and (r[Q.INDICATOR_ID] + ".").startswith(top.key + ".") for r in rows)
    assert review.indicator_chip.isVisible() and "指标" in review.indicator_chip.text()
    review.clear_indicator()
    assert review.model.rowCount() == o.review_count("确认")

    demo.show_page("overview")
    region = next(i for i, r in enumerate(page._regions) if r.problems)
    page.regions.bar_clicked.emit(region)
    assert review.region_filter.currentData() == page._regions[region].region
    assert review.model.rowCount() == page._regions[region].problems

    demo.show_page("overview")
    page.cards["to_review"].clicked.emit()
    assert review.status_filter.currentData() == "待审核" and review.model.rowCount() == o.review_count("待审核")

    demo.show_page("overview")
    page.cards["messages_overdue"].clicked.emit()
    messages = demo.pages["messages"]
    assert demo.current_page_key() == "messages" and messages.period_from.text() == "2025-08-01"
    assert messages.tabs.currentWidget() is messages.overdue_view and messages.report.overall.overdue == \
        o.messages.overdue

    demo.show_page("overview")
    page.cards["rectify_overdue"].clicked.emit()
    assert demo.current_page_key() == "rectify" and demo.pages["rectify"].round_combo.round_id() == demo.rounds[-1]


def test_a_failed_target_opens_its_scorecard(demo, qtbot):
    page = demo.pages["overview"]
    failed = page.overview.failed[0]
    view = page.failed_view
    rect = view.visualRect(page.failed_model.index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    review = demo.pages["scores"]
    assert demo.current_page_key() == "scores"
    assert review.scorecard.target.id == failed.target_id and review.scorecard.badge.text() == "不合格"


def test_trends_of_three_rounds(demo, qtbot, db):
    page = demo.pages["overview"]
    with qtbot.waitSignal(page.trends_ready, timeout=20_000) as ready:
        page.tabs.setCurrentWidget(page.trends_tab)
    trends = ready.args[0]
    expected = round_trends(db, demo.rounds[-1])
    assert [p.round_id for p in trends.points] == demo.rounds and trends.totals() == expected.totals()
    panel = page.trends_panel
    assert len(panel.rates.categories()) == 3 and panel.rates.axis_max() == 100
    assert [s.name for s in panel.rates.series()] == ["网站", "新媒体"]
    assert panel.rates.series()[0].values == tuple(float(p.site_rate) for p in expected.points)
    assert [s.name for s in panel.changes.series()] == ["新发现", "已整改", "重复出现"]
    assert "2025年第二季度检查" in panel.changes_box.title()
    first = panel._targets[0]
    panel.changes.item_clicked.emit(0)                       # a target's bar: its scorecard
    assert demo.current_page_key() == "scores" and demo.pages["scores"].scorecard.target.id == first.target_id

    demo.show_page("overview")
    with qtbot.waitSignal(page.overview_ready, timeout=20_000):
        panel.rates.bar_clicked.emit(0)                      # a round's bars: that round's overview
    assert page.round_id() == demo.rounds[0] and page.tabs.currentIndex() == 0


def test_no_round_says_what_to_do(qtbot, window):
    page = window.pages["overview"]
    assert window.current_page_key() == "overview" and page.stack.currentIndex() == 1
    button = next(b for b in page.stack.currentWidget().findChildren(type(page.refresh_button))
                  if "新建" in b.text())
    button.click()
    assert window.current_page_key() == "rounds"
    dialog = window.pages["rounds"].new_round_dialog
    assert dialog.isVisible()
    dialog.reject()


def test_page_shortcuts_and_icon(qtbot, window):
    assert not window.windowIcon().isNull() and window.windowIcon().availableSizes()
    for n, key in ((3, "accounts"), (4, "rounds"), (1, "overview")):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0.value + n), Qt.KeyboardModifier.ControlModifier)
        assert window.current_page_key() == key
    tips = [window.nav_model.item(r).toolTip() for r in range(9)]
    assert tips[0] == "总览（Ctrl+1）" and all(f"Ctrl+{i + 1}" in t for i, t in enumerate(tips))
    assert window.nav_model.item(9).toolTip() == ""          # nine shortcuts only


def test_overview_follows_a_change_made_elsewhere(demo, qtbot, db):
    page = demo.pages["overview"]
    before = page.overview.sites.checked
    rounds_page = demo.pages["rounds"]
    demo.show_page("rounds")
    pending = next(t for t in (rounds_page.targets_model.target_at(r)
                               for r in range(rounds_page.targets_model.rowCount()))
                   if t.review_state == "待检查" and t.target_type == "site")
    rounds_page.select_targets([pending.id])
    rounds_page.mark_checked_selected()                       # checked by hand: it now counts
    with qtbot.waitSignal(page.overview_ready, timeout=20_000):
        demo.show_page("overview")
    assert page.overview.sites.checked == before + 1
