"""A page that says what will come here (until the real page replaces it in PAGES)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    def __init__(self, title: str, text: str, parent=None):
        super().__init__(parent)
        heading = QLabel(title)
        heading.setObjectName("placeholderTitle")
        body = QLabel(text)
        body.setObjectName("placeholderText")
        body.setWordWrap(True)
        note = QLabel("此功能正在开发中，将在后续版本中提供。")
        note.setObjectName("placeholderNote")
        for label in (heading, body, note):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column = QVBoxLayout()
        column.addStretch(2)
        column.addWidget(heading)
        column.addSpacing(6)
        column.addWidget(body)
        column.addSpacing(14)
        column.addWidget(note)
        column.addStretch(3)
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(520)
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(holder, 4)
        layout.addStretch(1)
        self.body_text = text
