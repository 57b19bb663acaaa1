"""Pieces the dialogs share: the OK/cancel buttons and the message line beside them, the
error line, and the base of a dialog whose OK writes through the core."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.errors import GovInspectError, ValidationError

from .. import style


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


def with_footer(dialog: QDialog, body: QWidget, ok_text: str) -> tuple[QLabel, QDialogButtonBox, QPushButton]:
    """The dialog's layout: ``body`` taking the height, under it a message line beside OK
    (``ok_text``) and 取消; returns the message line, the buttons and the OK button."""
    message = QLabel()
    message.setWordWrap(True)
    buttons = ok_cancel(dialog, ok_text)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body, 1)
    layout.addLayout(message_row(message, buttons))
    return message, buttons, buttons.button(QDialogButtonBox.StandardButton.Ok)


class ErrorLine(QLabel):
    """A red line, hidden until say() has something to report."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(style.ERROR)
        self.setVisible(False)

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(True)


def refusal_text(exc: GovInspectError) -> str:
    """What the core refused, field by field for a ValidationError."""
    if isinstance(exc, ValidationError):
        return "；".join(f"{k}：{v}" for k, v in exc.problems.items())
    return str(exc)


class CoreDialog(QDialog):
    """A dialog whose OK writes through the core: accept() calls ``save()``. If the core refuses
    (GovInspectError), ``self.error`` (an ErrorLine) says why after ``refusal`` and the dialog
    stays open; else the signal named ``done_signal`` carries save()'s result and it closes."""

    refusal = "未保存"
    done_signal = "saved"
    error: ErrorLine

    def save(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def accept(self) -> None:
        try:
            result = self.save()
        except GovInspectError as exc:
            self.error.say(f"{self.refusal}：{refusal_text(exc)}")
            return
        getattr(self, self.done_signal).emit(result)
        super().accept()
