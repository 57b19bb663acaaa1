"""The 新媒体审核 grid: a table view typed into by keyboard alone (dates in the 最近更新日期 column,
H/A/U/C flags, Del clears), with a date editor that remembers whether its commit was accepted."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QLineEdit, QStyledItemDelegate, QTableView

from ..table_models.review_model import ReviewColumn

FLAG_KEYS = {Qt.Key.Key_H: "interaction", Qt.Key.Key_A: "ads", Qt.Key.Key_U: "unrelated", Qt.Key.Key_C: "checked"}
DATE_CHARS = set("0123456789-/.年月日 ")


class DateDelegate(QStyledItemDelegate):
    """A line editor for 最近更新日期 that remembers whether its commit was accepted."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.last_ok = True
        self.rejected_text: str | None = None
        self.retry_text: str | None = None      # put back into a reopened editor

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setPlaceholderText("如 8-1")
        return editor

    def setEditorData(self, editor, index) -> None:
        if self.retry_text is not None:
            editor.setText(self.retry_text)
            self.retry_text = None
        else:
            editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index) -> None:
        text = editor.text()
        self.last_ok = bool(model.setData(index, text, Qt.ItemDataRole.EditRole))
        self.rejected_text = None if self.last_ok else text


class ReviewGrid(QTableView):
    """The grid's keyboard: flag keys act on the current row, Enter commits a date and moves down."""

    flag_pressed = Signal(str)          # interaction / ads / unrelated / checked
    clear_pressed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.date_delegate = DateDelegate(self)
        self.setItemDelegateForColumn(ReviewColumn.LAST_UPDATE, self.date_delegate)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)

    def keyPressEvent(self, event) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            key = event.key()
            if mods == Qt.KeyboardModifier.NoModifier:
                if key in FLAG_KEYS:
                    self.flag_pressed.emit(FLAG_KEYS[key])
                    event.accept()
                    return
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.move_rows(1)
                    event.accept()
                    return
                if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                    self.clear_pressed.emit()
                    event.accept()
                    return
        super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        """Letters are commands here; jumping to a row by its first letter would lose the place."""

    def edit(self, index, trigger=None, event=None):
        if trigger is None:                       # the public slot edit(index)
            return super().edit(index)
        if trigger == QAbstractItemView.EditTrigger.AnyKeyPressed and event is not None:
            text = event.text()
            if not text or not set(text) <= DATE_CHARS:
                return False
        return super().edit(index, trigger, event)

    def closeEditor(self, editor, hint) -> None:
        delegate = self.date_delegate
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:      # Enter
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            if delegate.last_ok:
                self.move_rows(1)
            elif delegate.rejected_text is not None:
                # Keep the typed text in a reopened editor so it can be corrected.
                delegate.retry_text = delegate.rejected_text
                self.edit(self.currentIndex())
            return
        super().closeEditor(editor, hint)

    def move_rows(self, step: int) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        row = min(max(current.row() + step, 0), self.model().rowCount() - 1)
        target = self.model().index(row, current.column())
        self.selectionModel().setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(target)
