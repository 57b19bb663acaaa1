"""The 历次趋势 tab of the 总览: 合格率 and problems per round (bars), and 回头看 per target
(stacked bars of new / fixed / recurring problems against the previous round)."""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGroupBox, QLabel, QWidget

from app.core.rounds.trends import RoundTrends

from .. import style
from ..parts import hbox, vbox
from .charts import BarChart, Series
from .share_charts import HBarChart

TOP_TARGETS = 15
SITE_COLOUR, ACCOUNT_COLOUR = "#1a73e8", "#12b5cb"
NEW, FIXED, AGAIN = "#d93025", "#188038", "#f9ab00"


def _rate(value) -> float | None:
    return None if value is None else float(value)


def _percent(v: float) -> str:
    return f"{v:.2f}%".replace(".00%", "%")


def group(title: str, *parts) -> QGroupBox:
    """A titled box holding ``parts`` in a column (the overview's panels)."""
    box = QGroupBox(title)
    vbox(*parts, parent=box, margins=(8, 6, 8, 8))
    return box


class TrendsPanel(QWidget):
    """Draws a RoundTrends; ``target_activated(target id)`` when a target's bar is clicked,
    ``round_activated(round id)`` when a round's bars are."""

    target_activated = Signal(int)
    round_activated = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.trends: RoundTrends | None = None
        self._targets: list = []
        self.rates = BarChart()
        self.rates.set_value_format(_percent)
        self.rates.set_axis_top(100)
        self.rates.set_empty_text("还没有检查轮次")
        self.rates.setMinimumHeight(210)
        self.rates.bar_clicked.connect(self._on_round_clicked)
        self.problems = BarChart()
        self.problems.setMinimumHeight(210)
        self.problems.bar_clicked.connect(self._on_round_clicked)
        self.changes = HBarChart()
        self.changes.set_empty_text("与上一轮相比没有新发现、已整改或重复出现的问题")
        self.changes.item_clicked.connect(self._on_target_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(style.HINT)
        self.changes_box = group("回头看：与上一轮相比", self.summary, self.changes)
        vbox(hbox((group("合格率（只计已检查的对象）", self.rates), 1), (group("确认问题（条）", self.problems), 1)),
             (self.changes_box, 1), parent=self, margins=(0, 0, 0, 0))

    def show_trends(self, trends: RoundTrends) -> None:
        self.trends = trends
        labels = [f"{p.name}\n{p.as_of}" for p in trends.points]
        self.rates.set_data(labels, [Series("网站", tuple(_rate(p.site_rate) for p in trends.points), SITE_COLOUR),
                                     Series("新媒体", tuple(_rate(p.account_rate) for p in trends.points),
                                            ACCOUNT_COLOUR)])
        self.rates.set_selected(len(labels) - 1)
        self.problems.set_data(labels, [Series("确认问题", tuple(p.problems for p in trends.points), NEW)])
        self.problems.set_selected(len(labels) - 1)
        before = trends.previous
        self._targets = sorted(trends.changes, key=lambda c: (-c.total, c.target_type, c.key))[:TOP_TARGETS]
        if before is None:
            self.changes_box.setTitle("回头看")
            self.summary.setText("这是最早的检查轮次，没有可比较的上一轮。")
            self.changes.set_data([], [])
            return
        new, fixed, again = trends.totals()
        self.changes_box.setTitle(f"回头看：与“{before.name}”（{before.as_of}）相比")
        shown = f"（下图为变化最多的 {len(self._targets)} 个对象，点击查看评分）" if self._targets else ""
        self.summary.setText(f"新发现 {new} 条，已整改 {fixed} 条，重复出现 {again} 条{shown}。"
                             "同一问题或同一指标的问题再次出现为重复出现；本轮已检查且不再出现的为已整改。")
        self.changes.set_data([c.name for c in self._targets], [
            Series("新发现", tuple(c.new for c in self._targets), NEW),
            Series("已整改", tuple(c.fixed for c in self._targets), FIXED),
            Series("重复出现", tuple(c.recurring for c in self._targets), AGAIN)])
        self.changes.setMinimumHeight(self.changes.sizeHint().height())

    def clear(self, text: str) -> None:
        self.trends, self._targets = None, []
        for chart in (self.rates, self.problems):
            chart.set_data([], [])
            chart.set_empty_text(text)
        self.changes.set_data([], [])
        self.summary.setText("")

    @Slot(int)
    def _on_target_clicked(self, row: int) -> None:
        if 0 <= row < len(self._targets):
            self.target_activated.emit(self._targets[row].target_id)

    @Slot(int)
    def _on_round_clicked(self, index: int) -> None:
        if self.trends is not None and 0 <= index < len(self.trends.points):
            self.round_activated.emit(self.trends.points[index].round_id)
