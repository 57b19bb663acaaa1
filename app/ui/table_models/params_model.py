"""Threshold params of one indicator item as an editable two-column table (名称, 值 as JSON text).

The name shows in Chinese (resources/glossary.json) with the key in its tooltip; editing it edits the key."""
from __future__ import annotations

import json

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from app.core.rounds.glossary import param_label

HEADERS = ("名称", "值")


def value_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def parse_value(text: str):
    """JSON when it parses (14, true, ["a"]), else the plain text as a string."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


class ParamsTableModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[list[str]] = []          # [key, value text]
        self.read_only = False

    def set_params(self, params: dict) -> None:
        self.beginResetModel()
        self._rows = [[str(k), value_text(v)] for k, v in params.items()]
        self.endResetModel()

    def params(self) -> dict:
        """The table as a params dict; rows without a key are left out."""
        return {k.strip(): parse_value(v) for k, v in self._rows if k.strip()}

    def add_row(self) -> QModelIndex:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(["", ""])
        self.endInsertRows()
        self.edited.emit()
        return self.index(at, 0)

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.edited.emit()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags if self.read_only else flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if index.column() == 0 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            label = param_label(value)
            if role == Qt.ItemDataRole.DisplayRole:
                return label
            return f"{label}（参数名 {value}）" if label != value else value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            return value
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.read_only:
            return False
        text = str(value)
        if self._rows[index.row()][index.column()] == text:
            return False
        self._rows[index.row()][index.column()] = text
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < 2:
            return HEADERS[section]
        return None
