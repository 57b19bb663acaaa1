"""A figure with its caption, for statistics panels (受理 12, 按期办结率 91.67% …)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

CARD_STYLE = """
QFrame#statCard { background: #f6f7f9; border: 1px solid #e6e8eb; border-radius: 6px; }
QFrame#statCard[clickable="true"]:hover { background: #e8f0fe; border-color: #aecbfa; }
QLabel#statValue { font-size: 17pt; font-weight: bold; color: #202124; }
QLabel#statCaption { color: #5f6368; }
"""


class StatCard(QFrame):
    """``clicked`` fires on a click once ``set_clickable()`` made the card a way to the list behind it."""

    clicked = Signal()

    def __init__(self, caption: str, tooltip: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("statCard")
        self.setStyleSheet(CARD_STYLE)
        self.value = QLabel("—")
        self.value.setObjectName("statValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("statCaption")
        for label in (self.value, self.caption):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        if tooltip:
            self.setToolTip(tooltip)

    def set_value(self, text: str, colour: str | None = None) -> None:
        self.value.setText(text)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")

    def text(self) -> str:
        return self.value.text()

    def set_clickable(self, on: bool = True) -> None:
        self.setProperty("clickable", "true" if on else "false")
        self.setCursor(Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor)
        self.setStyleSheet(CARD_STYLE)          # re-polish for the property

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.property("clickable") == "true":
            self.clicked.emit()
        super().mousePressEvent(event)
