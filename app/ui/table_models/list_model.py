"""An editable table of small dicts (a dialog's list: menu items, wording errors).

Columns are text, a check box, or a choice among labels (edited with ChoiceDelegate).
The dialog reads ``rows()`` back as plain dicts when it saves.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt

from .base import RowsModel


@dataclass(frozen=True)
class ListColumn:
    key: str
    header: str
    kind: str = "text"                       # text / check / choice
    choices: tuple[tuple[str, object], ...] = ()   # (label, value) for kind == "choice"
    width: int = 140

    def label_of(self, value) -> str:
        for label, v in self.choices:
            if v == value:
                return label
        return "" if value is None else str(value)

    def value_of(self, label: str):
        for lab, v in self.choices:
            if lab == label:
                return v
        return None


class EditableListModel(RowsModel):
    def __init__(self, columns: Sequence[ListColumn], rows: Sequence[dict] = (), parent=None,
                 on_edit: Callable[[dict, str], None] | None = None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self._headers = tuple(c.header for c in self.columns)
        self._rows: list[dict] = [dict(r) for r in rows]
        self._on_edit = on_edit             # adjusts a row after one of its fields changed

    def rows(self) -> list[dict]:
        return [dict(r) for r in self._rows]

    def row_dict(self, row: int) -> dict:
        return self._rows[row]

    def add_row(self, values: dict | None = None) -> int:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(dict(values or {}))
        self.endInsertRows()
        return at

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def set_value(self, row: int, key: str, value) -> None:
        col = next(i for i, c in enumerate(self.columns) if c.key == key)
        self.setData(self.index(row, col), value, Qt.ItemDataRole.EditRole)

    # --- Qt interface --------------------------------------------------------------------
    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()].kind == "check":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        value = self._rows[index.row()].get(col.key)
        if col.kind == "check":
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            if col.kind == "choice":
                return col.label_of(value)
            return "" if value is None else str(value)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        col = self.columns[index.column()]
        row = self._rows[index.row()]
        if col.kind == "check":
            if role != Qt.ItemDataRole.CheckStateRole and role != Qt.ItemDataRole.EditRole:
                return False
            if role == Qt.ItemDataRole.CheckStateRole:
                state = value.value if hasattr(value, "value") else value
                new = state == Qt.CheckState.Checked.value
            else:
                new = bool(value)
        elif role == Qt.ItemDataRole.EditRole:
            new = col.value_of(str(value)) if col.kind == "choice" and isinstance(value, str) else value
            if col.kind == "text":
                new = "" if value is None else str(value).strip()
        else:
            return False
        if row.get(col.key) == new:
            return True
        row[col.key] = new
        if self._on_edit is not None:
            self._on_edit(row, col.key)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(self.columns) - 1))
        return True
