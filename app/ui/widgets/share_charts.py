"""More QPainter charts beside BarChart (charts.py, which says why no chart library):
ShareRing (a ring of shares with a figure in the middle and a clickable legend) and HBarChart
(horizontal bars, for long labels such as indicator names; stacked series; clickable rows)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from .charts import AXIS, GRID, HOVER, PALETTE, TEXT, PointedChart, Series, _number

EMPTY_RING = QColor("#e6e8eb")


@dataclass(frozen=True)
class Share:
    label: str
    value: float
    color: str = ""


def _percent(part: float, whole: float) -> str:
    return "—" if not whole else f"{100 * part / whole:.1f}%".replace(".0%", "%")


class _Clickable(PointedChart):
    """A chart whose items are ways to a list: a pointing hand over them, ``item_clicked(index)``."""

    item_clicked = Signal(int)

    def _hover_changed(self, index: int) -> None:
        self.setCursor(Qt.CursorShape.PointingHandCursor if index >= 0 else Qt.CursorShape.ArrowCursor)

    def _clicked(self, index: int) -> None:
        self.item_clicked.emit(index)


class ShareRing(_Clickable):
    """Shares of a whole as a ring, a figure in its middle (``centre``, a short ``caption`` under
    it), a legend with counts and percentages and a ``note`` under the legend. Clicking a segment
    or its legend line emits ``item_clicked(index)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._shares: list[Share] = []
        self._centre = ""
        self._caption = ""
        self._note = ""

    def set_data(self, shares: Sequence[Share], centre: str = "", caption: str = "", note: str = "") -> None:
        self._shares = [Share(s.label, max(0.0, float(s.value or 0)), s.color or PALETTE[i % len(PALETTE)])
                        for i, s in enumerate(shares)]
        self._centre, self._caption, self._note = centre, caption, note
        self._hover = -1
        self.update()

    def note(self) -> str:
        return self._note

    def shares(self) -> list[Share]:
        return list(self._shares)

    def centre_text(self) -> str:
        return self._centre

    def total(self) -> float:
        return sum(s.value for s in self._shares)

    # --- geometry ---------------------------------------------------------------------------
    def ring_rect(self) -> QRectF:
        side = max(40.0, min(self.height() - 8.0, self.width() * 0.5))
        return QRectF(4, (self.height() - side) / 2, side, side)

    def _thickness(self) -> float:
        return self.ring_rect().width() * 0.17

    def _line_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 1.45

    def legend_rect(self, index: int) -> QRectF:
        ring = self.ring_rect()
        h = self._line_height()
        top = self.height() / 2 - h * (len(self._shares) + (1 if self._note else 0)) / 2
        return QRectF(ring.right() + 12, top + index * h, max(10.0, self.width() - ring.right() - 14), h)

    def _angles(self) -> list[tuple[float, float]]:
        """(start, span) in degrees, clockwise from 12 o'clock, per share."""
        total, at, out = self.total(), 0.0, []
        for s in self._shares:
            span = 360.0 * s.value / total if total else 0.0
            out.append((at, span))
            at += span
        return out

    def item_at(self, pos: QPointF) -> int:
        for i in range(len(self._shares)):
            if self.legend_rect(i).contains(pos):
                return i
        ring = self.ring_rect()
        c = ring.center()
        dx, dy = pos.x() - c.x(), pos.y() - c.y()
        r = math.hypot(dx, dy)
        if not ring.width() / 2 - self._thickness() - 2 <= r <= ring.width() / 2 + 2:
            return -1
        angle = math.degrees(math.atan2(dx, -dy)) % 360.0
        for i, (start, span) in enumerate(self._angles()):
            if span and start <= angle < start + span:
                return i
        return -1

    def tooltip_text(self, index: int) -> str:
        if not 0 <= index < len(self._shares):
            return ""
        s = self._shares[index]
        return f"{s.label}：{_number(s.value)}（{_percent(s.value, self.total())}）"

    # --- Qt ------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(300, 150)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 110)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring, thick = self.ring_rect(), self._thickness()
        arc = ring.adjusted(thick / 2, thick / 2, -thick / 2, -thick / 2)
        total = self.total()
        if not total:
            p.setPen(QPen(EMPTY_RING, thick, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            p.drawEllipse(arc)
        for i, (s, (start, span)) in enumerate(zip(self._shares, self._angles())):
            if not span:
                continue
            width = thick + (4 if i == self._hover else 0)
            p.setPen(QPen(QColor(s.color), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            # Qt: 1/16 degree, counter-clockwise from 3 o'clock.
            p.drawArc(arc, int((90 - start) * 16), int(-span * 16))
        self._paint_centre(p, ring, thick, total)
        self._paint_legend(p, total)
        p.end()

    def _paint_centre(self, p: QPainter, ring: QRectF, thick: float, total: float) -> None:
        inner = ring.adjusted(thick, thick, -thick, -thick)
        big = p.font()
        big.setPointSizeF(max(8.0, big.pointSizeF() * (1.55 if len(self._centre) <= 7 else 1.2)))
        big.setBold(True)
        fm_big, fm = QFontMetricsF(big), QFontMetricsF(self.font())
        text = self._centre if total or self._centre else self._empty
        block = fm_big.height() + (fm.height() if self._caption else 0)
        top = inner.center().y() - block / 2
        p.setPen(TEXT)
        p.setFont(big)
        p.drawText(QRectF(inner.left(), top, inner.width(), fm_big.height()), Qt.AlignmentFlag.AlignCenter,
                   fm_big.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()))
        p.setFont(self.font())
        if self._caption:
            p.setPen(AXIS)
            p.drawText(QRectF(inner.left() - 4, top + fm_big.height(), inner.width() + 8, fm.height()),
                       Qt.AlignmentFlag.AlignCenter,
                       fm.elidedText(self._caption, Qt.TextElideMode.ElideRight, inner.width() + 8))

    def _paint_legend(self, p: QPainter, total: float) -> None:
        fm = QFontMetricsF(self.font())
        for i, s in enumerate(self._shares):
            r = self.legend_rect(i)
            if i == self._hover:
                p.fillRect(r, HOVER)
            box = fm.height() * 0.6
            p.fillRect(QRectF(r.left() + 2, r.center().y() - box / 2, box, box), QColor(s.color))
            value = f"{_number(s.value)}（{_percent(s.value, total)}）"
            vw = fm.horizontalAdvance(value)
            p.setPen(TEXT)
            label_w = max(10.0, r.width() - box - vw - 16)
            p.drawText(QRectF(r.left() + box + 8, r.top(), label_w, r.height()), Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(s.label, Qt.TextElideMode.ElideRight, label_w))
            p.setPen(AXIS)
            p.drawText(QRectF(r.right() - vw - 2, r.top(), vw + 2, r.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, value)
        if self._note:
            r = self.legend_rect(len(self._shares))
            bold = p.font()
            bold.setBold(True)
            p.setFont(bold)
            p.setPen(TEXT)
            p.drawText(r.adjusted(2, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter,
                       QFontMetricsF(bold).elidedText(self._note, Qt.TextElideMode.ElideRight, r.width() - 2))
            p.setFont(self.font())


class HBarChart(_Clickable):
    """One horizontal bar per row (label on the left, value at the end); several series stack.
    Clicking a row emits ``item_clicked(row)``. Rows keep their height: the widget asks for the
    height its rows need (put it in a scroll area, or show the top rows only)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._labels: list[str] = []
        self._tips: list[str] = []
        self._series: list[Series] = []

    def set_data(self, labels: Sequence[str], series: Sequence[Series], tips: Sequence[str] = ()) -> None:
        """``tips``: a longer text per row for its tooltip (default: the label)."""
        self._labels = [str(x) for x in labels]
        self._tips = [str(x) for x in tips] if tips else list(self._labels)
        self._series = [Series(s.name, tuple(s.values), s.color or PALETTE[i % len(PALETTE)])
                        for i, s in enumerate(series)]
        for s in self._series:
            if len(s.values) != len(self._labels):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self._labels)} rows")
        self._hover = -1
        self.updateGeometry()
        self.update()

    def labels(self) -> list[str]:
        return list(self._labels)

    def series(self) -> list[Series]:
        return list(self._series)

    def row_total(self, row: int) -> float:
        return sum(max(0.0, float(s.values[row] or 0)) for s in self._series)

    # --- geometry ---------------------------------------------------------------------------
    def _row_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 1.55

    def _legend_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 1.5 if len(self._series) > 1 else 4.0

    def _label_width(self) -> float:
        fm = QFontMetricsF(self.font())
        widest = max((fm.horizontalAdvance(x) for x in self._labels), default=0.0)
        return min(widest + 10, self.width() * 0.42)

    def row_rect(self, row: int) -> QRectF:
        h = self._row_height()
        return QRectF(0, self._legend_height() + row * h, self.width(), h)

    def bar_rect(self, row: int, series_index: int) -> QRectF:
        fm = QFontMetricsF(self.font())
        left = self._label_width() + 6
        top_value = max((self.row_total(r) for r in range(len(self._labels))), default=0.0) or 1.0
        room = max(10.0, self.width() - left - fm.horizontalAdvance(_number(top_value)) - 14)
        r = self.row_rect(row)
        before = sum(max(0.0, float(s.values[row] or 0)) for s in self._series[:series_index])
        value = max(0.0, float(self._series[series_index].values[row] or 0))
        return QRectF(left + room * before / top_value, r.top() + r.height() * 0.18, room * value / top_value,
                      r.height() * 0.64)

    def item_at(self, pos: QPointF) -> int:
        for row in range(len(self._labels)):
            if self.row_rect(row).contains(pos):
                return row
        return -1

    def tooltip_text(self, index: int) -> str:
        if not 0 <= index < len(self._labels):
            return ""
        lines = [self._tips[index]]
        if len(self._series) > 1:
            lines += [f"{s.name}：{_number(float(s.values[index] or 0))}" for s in self._series]
        lines.append(f"合计：{_number(self.row_total(index))}" if len(self._series) > 1
                     else f"{self._series[0].name}：{_number(self.row_total(index))}")
        return "\n".join(lines)

    # --- Qt ------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(360, int(self._legend_height() + max(1, len(self._labels)) * self._row_height() + 4))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, int(self._legend_height() + self._row_height() * min(3, max(1, len(self._labels)))))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetricsF(self.font())
        if not self._labels or not self._series:
            p.setPen(AXIS)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty)
            p.end()
            return
        self._paint_legend(p, fm)
        label_w = self._label_width()
        for row, label in enumerate(self._labels):
            r = self.row_rect(row)
            if row == self._hover:
                p.fillRect(r, HOVER)
            p.setPen(TEXT)
            p.drawText(QRectF(4, r.top(), label_w - 8, r.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       fm.elidedText(label, Qt.TextElideMode.ElideMiddle, label_w - 8))
            end = label_w + 6
            for k, s in enumerate(self._series):
                bar = self.bar_rect(row, k)
                if bar.width() > 0:
                    path = QPainterPath()
                    path.addRoundedRect(bar, 2, 2)
                    p.fillPath(path, QColor(s.color))
                    end = bar.right()
            p.setPen(AXIS)
            p.drawText(QRectF(end + 4, r.top(), self.width() - end - 4, r.height()), Qt.AlignmentFlag.AlignVCenter,
                       _number(self.row_total(row)))
        p.setPen(QPen(GRID, 1))
        bottom = self.row_rect(len(self._labels) - 1).bottom()
        p.drawLine(QPointF(label_w + 6, self._legend_height()), QPointF(label_w + 6, bottom))
        p.end()

    def _paint_legend(self, p: QPainter, fm: QFontMetricsF) -> None:
        if len(self._series) < 2:
            return
        x = self._label_width() + 6
        for s in self._series:
            box = fm.height() * 0.6
            p.fillRect(QRectF(x, 4 + fm.height() * 0.2, box, box), QColor(s.color))
            x += box + 4
            p.setPen(TEXT)
            w = fm.horizontalAdvance(s.name)
            p.drawText(QRectF(x, 4, w + 2, fm.height()), Qt.AlignmentFlag.AlignVCenter, s.name)
            x += w + 14
