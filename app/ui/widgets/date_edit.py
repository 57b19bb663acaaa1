"""A date typed as text (2025-08-14, 2025年8月14日 …) with a calendar button; empty is allowed."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLineEdit, QMenu, QToolButton, QWidget, QWidgetAction

from app.core.registry.validation import BadValue, date as parse_date


class DateEdit(QWidget):
    """Text is validated by the caller (clean_record); the calendar only fills it in."""

    textChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.line = QLineEdit(self)
        self.line.setPlaceholderText("如 2025-08-14，可留空")
        self.line.setClearButtonEnabled(True)
        self.line.textChanged.connect(self.textChanged)
        self._calendar = QCalendarWidget()
        self._calendar.setGridVisible(False)
        self._calendar.clicked.connect(self._on_calendar_clicked)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self._calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._on_menu_about_to_show)
        self._menu = menu
        button = QToolButton(self)
        button.setText("日历")
        button.setToolTip("从日历中选择日期")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.line, 1)
        layout.addWidget(button)
        self.setFocusProxy(self.line)

    def text(self) -> str:
        return self.line.text().strip()

    def setText(self, text: str | None) -> None:
        self.line.setText(text or "")

    @Slot()
    def _on_menu_about_to_show(self) -> None:
        try:
            day = parse_date(self.text())
        except BadValue:
            day = None
        d = dt.date.fromisoformat(day) if day else dt.date.today()
        self._calendar.setSelectedDate(QDate(d.year, d.month, d.day))

    @Slot(QDate)
    def _on_calendar_clicked(self, day: QDate) -> None:
        self.line.setText(day.toString("yyyy-MM-dd"))
        self._menu.close()
