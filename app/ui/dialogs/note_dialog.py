"""Ask for a short text: the reason to reopen a round, the note on a target left unchecked."""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from .. import style
from .dialog_parts import ok_cancel


class NoteDialog(QDialog):
    submitted = Signal(str)

    def __init__(self, title: str, prompt: str, placeholder: str = "", ok_text: str = "确定",
                 required: bool = True, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._required = required
        info = QLabel(prompt)
        info.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(placeholder)
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(84)
        self.hint = QLabel("必须填写。" if required else "可留空。")
        self.hint.setStyleSheet(style.HINT)
        self.buttons = ok_cancel(self, ok_text)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.text)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._on_text_changed)
        self.resize(460, self.sizeHint().height())
        self._on_text_changed()

    def value(self) -> str:
        return self.text.toPlainText().strip()

    @Slot()
    def _on_text_changed(self) -> None:
        self.ok_button.setEnabled(bool(self.value()) or not self._required)

    def accept(self) -> None:
        if self._required and not self.value():
            return
        self.submitted.emit(self.value())
        super().accept()
