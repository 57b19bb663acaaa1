"""Editable combo for region and unit names: pick an existing name or type a new one."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter


class NameCombo(QComboBox):
    def __init__(self, names: list[str], parent=None, placeholder: str = ""):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        self.addItems(names)
        self.setCurrentIndex(-1)
        self.lineEdit().setPlaceholderText(placeholder)
        # Long unit names: match anywhere, not only at the start.
        completer = QCompleter(names, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)

    def text(self) -> str:
        return self.currentText().strip()

    def setText(self, text: str | None) -> None:
        self.setEditText(text or "")
