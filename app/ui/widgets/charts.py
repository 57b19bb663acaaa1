"""Small charts drawn with QPainter: BarChart (categories × series, grouped or stacked, an optional
reference line, hover tooltips, clicks per category) on PointedChart (the mouse handling every chart
shares; share_charts.py holds the ring and the horizontal bars).

Why not a chart library: QtCharts ships only in the PySide6-Addons wheel (and is deprecated since
Qt 6.10 in favour of Qt Graphs, which needs Qt Quick); matplotlib adds ~40 MB and seconds of
start-up. A few hundred lines of QPainter need no extra package, no extra files in the
PyInstaller build, and render offscreen for tests.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

AXIS = QColor("#5f6368")
GRID = QColor("#e6e8eb")
TEXT = QColor("#202124")
HOVER = QColor(26, 115, 232, 28)
SELECTED = QColor(26, 115, 232, 48)
PALETTE = ("#1a73e8", "#d93025", "#f9ab00", "#188038", "#9334e6", "#e8710a", "#12b5cb", "#80868b")


@dataclass(frozen=True)
class Series:
    """One set of bars: a value per category (None or NaN draws nothing), a legend name, a colour."""

    name: str
    values: tuple
    color: str = ""


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) that covers ``top`` in about ``ticks`` steps."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _number(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


class PointedChart(QWidget):
    """What the charts share about the mouse: the item under it (``item_at``) is highlighted and
    explained in a tooltip (``tooltip_text``); ``_hover_changed`` and ``_clicked`` tell subclasses."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._hover = -1
        self._empty = "暂无数据"
        self.setMouseTracking(True)

    def item_at(self, pos: QPointF) -> int:          # pragma: no cover - overridden
        return -1

    def tooltip_text(self, index: int) -> str:       # pragma: no cover - overridden
        return ""

    def _hover_changed(self, index: int) -> None:
        pass

    def _clicked(self, index: int) -> None:         # pragma: no cover - overridden
        pass

    def set_empty_text(self, text: str) -> None:
        self._empty = text
        self.update()

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            index = self.item_at(QPointF(e.pos()))
            if index >= 0:
                QToolTip.showText(e.globalPos(), self.tooltip_text(index), self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def mouseMoveEvent(self, e) -> None:
        index = self.item_at(e.position())
        if index != self._hover:
            self._hover = index
            self._hover_changed(index)
            self.update()
        super().mouseMoveEvent(e)

    def leaveEvent(self, e) -> None:
        if self._hover != -1:
            self._hover = -1
            self._hover_changed(-1)
            self.update()
        super().leaveEvent(e)

    def mousePressEvent(self, e) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            index = self.item_at(e.position())
            if index >= 0:
                self._clicked(index)
        super().mousePressEvent(e)


class BarChart(PointedChart):
    """Bars per category for one or more series.

    ``set_data(categories, series, stacked=...)`` draws them; ``set_reference_line(value, label)``
    adds a dashed line (a threshold, a target); hovering a category shows its values in a tooltip,
    clicking it emits ``bar_clicked(index)``. Category labels may hold a line break.
    """

    bar_clicked = Signal(int)
    hovered = Signal(int)                       # -1 when the mouse leaves the bars

    def __init__(self, parent=None):
        super().__init__(parent)
        self._categories: list[str] = []
        self._series: list[Series] = []
        self._stacked = False
        self._title = ""
        self._ref: float | None = None
        self._ref_label = ""
        self._ref_color = QColor("#d93025")
        self._format: Callable[[float], str] = _number
        self._top: float | None = None
        self._selected = -1
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    # --- data --------------------------------------------------------------------------------
    def set_data(self, categories: Sequence[str], series: Sequence[Series], *, stacked: bool = False) -> None:
        self._categories = [str(c) for c in categories]
        self._series = [Series(s.name, tuple(s.values), s.color or PALETTE[i % len(PALETTE)])
                        for i, s in enumerate(series)]
        for s in self._series:
            if len(s.values) != len(self._categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self._categories)} categories")
        self._stacked = stacked
        self._hover = -1
        if self._selected >= len(self._categories):
            self._selected = -1
        self.update()

    def clear(self) -> None:
        self.set_data([], [])

    def set_title(self, text: str) -> None:
        self._title = text
        self.update()

    def set_reference_line(self, value: float | None, label: str = "", color: str = "#d93025") -> None:
        self._ref, self._ref_label, self._ref_color = value, label, QColor(color)
        self.update()

    def set_value_format(self, fmt: Callable[[float], str]) -> None:
        self._format = fmt
        self.update()

    def set_axis_top(self, value: float | None) -> None:
        """Fix the top of the axis (100 for percentages) unless the data go higher; None: automatic."""
        self._top = value
        self.update()

    def set_selected(self, index: int) -> None:
        """Mark one category (e.g. the one a table shows); -1 for none."""
        self._selected = index if 0 <= index < len(self._categories) else -1
        self.update()

    def categories(self) -> list[str]:
        return list(self._categories)

    def series(self) -> list[Series]:
        return list(self._series)

    @property
    def stacked(self) -> bool:
        return self._stacked

    # --- geometry ---------------------------------------------------------------------------
    @staticmethod
    def _value(v) -> float:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return 0.0
        return 0.0 if math.isnan(f) else f

    def _top_value(self) -> float:
        if self._stacked:
            top = max((sum(max(0.0, self._value(s.values[i])) for s in self._series)
                       for i in range(len(self._categories))), default=0.0)
        else:
            top = max((self._value(v) for s in self._series for v in s.values), default=0.0)
        return max(top, self._ref or 0.0)

    def _fixed_top(self) -> float | None:
        return self._top if self._top is not None and self._top >= self._top_value() else None

    def _step(self) -> float:
        if self._fixed_top() is not None:
            return nice_step(self._fixed_top())
        return nice_step(self._top_value() * 1.08)   # headroom: the tallest bar and the line's label fit

    def axis_max(self) -> float:
        """The value at the top of the axis (a whole number of ticks above the data and the line)."""
        if self._fixed_top() is not None:
            return self._fixed_top()
        top, step = self._top_value() * 1.08, self._step()
        return math.ceil(top / step) * step if top > 0 else step * 5

    def _header_height(self, fm: QFontMetricsF) -> float:
        return fm.height() * (2.4 if self._title else 1.4)

    def plot_rect(self) -> QRectF:
        fm = QFontMetricsF(self.font())
        step = self._step()
        labels = [self._format(step * k) for k in range(int(round(self.axis_max() / step)) + 1)]
        left = max((fm.horizontalAdvance(t) for t in labels), default=0.0) + 12
        lines = max((c.count("\n") + 1 for c in self._categories), default=1)
        bottom = fm.height() * lines + 10
        top = self._header_height(fm)
        return QRectF(left, top, max(10.0, self.width() - left - 12), max(10.0, self.height() - top - bottom))

    def _slot(self, index: int, plot: QRectF) -> QRectF:
        w = plot.width() / max(1, len(self._categories))
        return QRectF(plot.left() + index * w, plot.top(), w, plot.height())

    def bar_rect(self, index: int, series_index: int) -> QRectF:
        """Where one bar (or one segment of a stacked bar) is drawn; empty for a zero value."""
        plot = self.plot_rect()
        slot = self._slot(index, plot)
        scale = plot.height() / self.axis_max()
        group = slot.width() * 0.66
        x0 = slot.left() + (slot.width() - group) / 2
        value = max(0.0, self._value(self._series[series_index].values[index]))
        if self._stacked:
            below = sum(max(0.0, self._value(s.values[index])) for s in self._series[:series_index])
            return QRectF(x0, plot.bottom() - (below + value) * scale, group, value * scale)
        w = group / max(1, len(self._series))
        return QRectF(x0 + series_index * w + 1, plot.bottom() - value * scale, max(1.0, w - 2), value * scale)

    def category_at(self, pos: QPointF) -> int:
        """The category under a point of the plot area, else -1."""
        plot = self.plot_rect()
        if not self._categories or not plot.adjusted(0, -4, 0, 4).contains(pos):
            return -1
        i = int((pos.x() - plot.left()) / (plot.width() / len(self._categories)))
        return i if 0 <= i < len(self._categories) else -1

    def tooltip_text(self, index: int) -> str:
        if not 0 <= index < len(self._categories):
            return ""
        lines = [self._categories[index].replace("\n", " ")]
        lines += [f"{s.name}：{self._format(self._value(s.values[index]))}" for s in self._series]
        if self._stacked and len(self._series) > 1:
            lines.append(f"合计：{self._format(sum(self._value(s.values[index]) for s in self._series))}")
        if self._ref is not None and self._ref_label:
            lines.append(f"{self._ref_label}：{self._format(self._ref)}")
        return "\n".join(lines)

    # --- Qt ------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(480, 240)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 150)

    def item_at(self, pos: QPointF) -> int:
        return self.category_at(pos)

    def _hover_changed(self, index: int) -> None:
        self.hovered.emit(index)

    def _clicked(self, index: int) -> None:
        self.bar_clicked.emit(index)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetricsF(self.font())
        if self._title:
            p.setPen(TEXT)
            f = p.font()
            f.setBold(True)
            p.setFont(f)
            p.drawText(QRectF(8, 4, self.width() - 16, fm.height() * 1.2),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       QFontMetricsF(f).elidedText(self._title, Qt.TextElideMode.ElideRight, self.width() - 16))
            p.setFont(self.font())
        if not self._categories or not self._series:
            p.setPen(AXIS)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty)
            p.end()
            return
        plot = self.plot_rect()
        self._paint_legend(p, fm)
        self._paint_axis(p, fm, plot)
        for i in range(len(self._categories)):
            if i in (self._hover, self._selected):
                p.fillRect(self._slot(i, plot), SELECTED if i == self._selected else HOVER)
            for k, s in enumerate(self._series):
                r = self.bar_rect(i, k)
                if r.height() > 0:
                    p.fillRect(r, QColor(s.color))
            label = self._slot(i, plot)
            p.setPen(TEXT)
            p.drawText(QRectF(label.left(), plot.bottom() + 4, label.width(), self.height() - plot.bottom() - 4),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self._categories[i])
        self._paint_reference(p, fm, plot)
        p.end()

    def _paint_axis(self, p: QPainter, fm: QFontMetricsF, plot: QRectF) -> None:
        top = self.axis_max()
        step = self._step()
        scale = plot.height() / top
        for k in range(int(round(top / step)) + 1):
            v = k * step
            y = plot.bottom() - v * scale
            p.setPen(QPen(GRID if k else AXIS, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(AXIS)
            p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._format(v))

    def _paint_reference(self, p: QPainter, fm: QFontMetricsF, plot: QRectF) -> None:
        if self._ref is None:
            return
        y = plot.bottom() - self._ref * plot.height() / self.axis_max()
        pen = QPen(self._ref_color, 1.5, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        if self._ref_label:
            text = f"{self._ref_label} {self._format(self._ref)}"
            w = fm.horizontalAdvance(text) + 8
            box = QRectF(plot.right() - w, y - fm.height() - 2, w, fm.height())
            p.fillRect(box, QColor(255, 255, 255, 210))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_legend(self, p: QPainter, fm: QFontMetricsF) -> None:
        y = (fm.height() * 1.3) if self._title else 4
        x = self.width() - 8
        for s in reversed(self._series):
            w = fm.horizontalAdvance(s.name)
            x -= w
            p.setPen(TEXT)
            p.drawText(QRectF(x, y, w + 2, fm.height()), Qt.AlignmentFlag.AlignVCenter, s.name)
            x -= fm.height() * 0.7 + 4
            p.fillRect(QRectF(x, y + fm.height() * 0.2, fm.height() * 0.6, fm.height() * 0.6), QColor(s.color))
            x -= 14
