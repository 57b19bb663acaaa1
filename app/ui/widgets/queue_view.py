"""The 审核评分 queue's table: review keys typed in it become signals instead of keyboard search.

Keys: Y/1 确认, N/2 误报, ?/3 存疑, U/0 back to 待审核 (plain keys, no Ctrl/Alt), O opens the link,
Ctrl+C copies the evidence.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QTableView

# Review keys: plain keys typed in the queue (no Ctrl/Alt), several per status.
REVIEW_KEYS = {"y": "确认", "1": "确认", "n": "误报", "2": "误报", "?": "存疑", "？": "存疑", "3": "存疑",
               "u": "待审核", "0": "待审核"}


class QueueView(QTableView):
    """The queue table: review keys become signals instead of keyboard search."""

    review_key = Signal(str)        # status
    open_key = Signal()
    copy_key = Signal()

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_key.emit()
            return
        mods = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
        text = event.text().lower()
        if mods == Qt.KeyboardModifier.NoModifier and text:
            if text in REVIEW_KEYS:
                self.review_key.emit(REVIEW_KEYS[text])
                return
            if text == "o":
                self.open_key.emit()
                return
        super().keyPressEvent(event)
