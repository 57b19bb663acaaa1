"""A small read-only table of plain tuples (previews, reports, history lists)."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .base import RowsModel
from .registry_model import SORT_ROLE

_MUTED = QColor("#9aa0a6")


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class RowsTableModel(RowsModel):
    """Headers plus frozen rows; optional columns shown muted (e.g. ignored import columns)."""

    def __init__(self, headers: Sequence[str] = (), rows: Sequence[Sequence] = (), parent=None,
                 muted_columns: Sequence[int] = ()):
        super().__init__(parent)
        self._headers: tuple[str, ...] = tuple(headers)
        self._rows: list[tuple] = [tuple(r) for r in rows]
        self._muted = frozenset(muted_columns)

    def set_rows(self, headers: Sequence[str], rows: Sequence[Sequence], muted_columns: Sequence[int] = ()) -> None:
        self.beginResetModel()
        self._headers = tuple(headers)
        self._rows = [tuple(r) for r in rows]
        self._muted = frozenset(muted_columns)
        self.endResetModel()

    def row_values(self, row: int) -> tuple:
        return self._rows[row]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _display(value)
        if role == SORT_ROLE:
            return value if isinstance(value, (int, float)) else _display(value)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in self._muted:
            return _MUTED
        return None

