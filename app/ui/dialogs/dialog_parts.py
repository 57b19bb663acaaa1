"""Pieces the dialogs share: the OK/cancel buttons and the message line beside them."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel


def ok_cancel(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    """OK (named ``ok_text``) and 取消, wired to the dialog's accept/reject."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def message_row(message: QLabel, buttons: QDialogButtonBox) -> QHBoxLayout:
    """A bottom row: the message taking the spare width, the buttons on the right."""
    row = QHBoxLayout()
    row.addWidget(message, 1)
    row.addWidget(buttons)
    return row
