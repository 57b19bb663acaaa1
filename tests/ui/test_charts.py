"""BarChart: geometry of grouped and stacked bars, the reference line, hover text, clicks, and
what it paints offscreen."""
from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor

from app.ui.widgets.charts import BarChart, Series, nice_step
from app.ui.widgets.share_charts import HBarChart, Share, ShareRing

DAYS = ["8/8\n周五", "8/9\n周六", "8/10\n周日"]


@pytest.fixture
def chart(qtbot):
    c = BarChart()
    c.resize(420, 240)
    qtbot.addWidget(c)
    c.show()
    return c


def test_nice_steps():
    assert [nice_step(v) for v in (0, 4, 21.6, 51.84, 120, 2300)] == [1.0, 1.0, 5.0, 20.0, 25.0, 500.0]


def test_stacked_bars_share_a_scale_and_the_line_fits(chart):
    chart.set_data(DAYS, [Series("成功", (46, 12, 30), "#34a853"), Series("失败", (2, 3, 18), "#d93025")], stacked=True)
    chart.set_reference_line(20, "每天至少")
    plot = chart.plot_rect()
    assert chart.axis_max() >= 48 * 1.08
    ok, fail = chart.bar_rect(0, 0), chart.bar_rect(0, 1)
    assert ok.bottom() == pytest.approx(plot.bottom()) and fail.bottom() == pytest.approx(ok.top())
    assert ok.height() / fail.height() == pytest.approx(23)
    assert chart.bar_rect(2, 1).top() == pytest.approx(chart.bar_rect(0, 1).top())     # both 48 in all
    assert chart.tooltip_text(1) == "8/9 周六\n成功：12\n失败：3\n合计：15\n每天至少：20"


def test_grouped_bars_sit_side_by_side(chart):
    chart.set_data(["甲", "乙"], [Series("拨测", (10, 0)), Series("失败", (5, None))])
    a, b = chart.bar_rect(0, 0), chart.bar_rect(0, 1)
    assert a.right() <= b.left() and a.bottom() == pytest.approx(b.bottom())
    assert a.height() == pytest.approx(2 * b.height())
    assert chart.bar_rect(1, 0).height() == 0 and chart.bar_rect(1, 1).height() == 0
    with pytest.raises(ValueError):
        chart.set_data(["甲"], [Series("x", (1, 2))])


def test_clicks_and_hover_name_the_category(chart, qtbot):
    chart.set_data(DAYS, [Series("成功", (46, 12, 30))])
    centre = chart.bar_rect(2, 0).center().toPoint()
    assert chart.category_at(QPointF(centre)) == 2
    assert chart.category_at(QPointF(2, 2)) == -1
    with qtbot.waitSignal(chart.bar_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=centre)
    assert clicked.args == [2]
    with qtbot.waitSignal(chart.hovered, timeout=2000) as hovered:
        qtbot.mouseMove(chart, chart.bar_rect(1, 0).center().toPoint())
    assert hovered.args == [1]


def test_it_paints_the_bars_and_the_empty_text(chart):
    chart.set_data(DAYS, [Series("成功", (46, 12, 30), "#34a853"), Series("失败", (2, 3, 18), "#d93025")], stacked=True)
    chart.set_selected(1)
    image = chart.grab().toImage()
    assert QColor(image.pixel(chart.bar_rect(0, 0).center().toPoint())) == QColor("#34a853")
    assert QColor(image.pixel(chart.bar_rect(2, 1).center().toPoint())) == QColor("#d93025")
    chart.clear()
    blank = chart.grab().toImage()
    assert QColor(blank.pixel(QPoint(210, 120))) != QColor("#34a853")
    assert chart.categories() == [] and chart.series() == []


def test_axis_top_for_percentages(chart):
    chart.set_data(["甲", "乙"], [Series("合格率", (100.0, 85.71))])
    assert chart.axis_max() > 100                           # automatic: headroom above the tallest bar
    chart.set_axis_top(100)
    assert chart.axis_max() == 100 and chart.bar_rect(0, 0).top() == pytest.approx(chart.plot_rect().top())
    chart.set_data(["甲"], [Series("x", (140,))])
    assert chart.axis_max() > 140                           # data above the fixed top still fit


def test_share_ring_segments_legend_and_clicks(qtbot):
    ring = ShareRing()
    ring.resize(360, 160)
    qtbot.addWidget(ring)
    ring.show()
    ring.set_data([Share("合格", 12, "#188038"), Share("不合格", 2), Share("待检查", 42), Share("未检查", 0)],
                  "85.71%", "合格率", "检查 57 个中的 14 个")
    assert ring.total() == 56 and ring.tooltip_text(1) == "不合格：2（3.6%）"
    centre = ring.ring_rect().center()
    radius = ring.ring_rect().width() / 2 - 4
    # Clockwise from 12 o'clock: 合格 takes the first 77°, so 45° is 合格, 180° (bottom) 待检查.
    at = lambda deg: QPointF(centre.x() + radius * math.sin(math.radians(deg)),  # noqa: E731
                             centre.y() - radius * math.cos(math.radians(deg)))
    assert ring.item_at(at(45)) == 0 and ring.item_at(at(180)) == 2
    assert ring.item_at(centre) == -1                       # the hole is no segment
    assert ring.item_at(ring.legend_rect(3).center()) == 3  # a legend line, even of an empty share
    with qtbot.waitSignal(ring.item_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(ring, Qt.MouseButton.LeftButton, pos=ring.legend_rect(1).center().toPoint())
    assert clicked.args == [1]
    image = ring.grab().toImage()
    green = image.pixelColor(at(45).toPoint())
    assert (green.red(), green.green(), green.blue()) == (0x18, 0x80, 0x38)
    ring.set_data([], "")
    assert ring.total() == 0 and ring.item_at(at(45)) == -1
    ring.grab()                                              # an empty ring paints without failing


def test_horizontal_bars_stack_and_click(qtbot):
    bars = HBarChart()
    bars.resize(400, 200)
    qtbot.addWidget(bars)
    bars.show()
    bars.set_data(["东湖区人民政府", "临川县龙溪镇"], [Series("新发现", (2, 1)), Series("已整改", (1, 0))],
                  ["东湖区人民政府（网站）", "临川县龙溪镇（网站）"])
    a, b = bars.bar_rect(0, 0), bars.bar_rect(0, 1)
    assert a.right() == pytest.approx(b.left()) and a.width() == pytest.approx(2 * b.width())
    assert bars.bar_rect(1, 0).width() == pytest.approx(b.width()) and bars.bar_rect(1, 1).width() == 0
    assert bars.tooltip_text(0) == "东湖区人民政府（网站）\n新发现：2\n已整改：1\n合计：3"
    assert bars.sizeHint().height() > bars.row_rect(1).bottom()
    with qtbot.waitSignal(bars.item_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(bars, Qt.MouseButton.LeftButton, pos=bars.row_rect(1).center().toPoint())
    assert clicked.args == [1]
    with pytest.raises(ValueError):
        bars.set_data(["甲"], [Series("x", (1, 2))])
