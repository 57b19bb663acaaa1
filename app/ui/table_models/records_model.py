"""A read-only table over frozen core records (messages, hygiene issues, notices, 整改 items).

Columns are described once (header, how to format, how to sort); the model keeps the records
and a lower-cased haystack per row for the search proxy. Editable tables subclass it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from .base import RowsModel
from .registry_model import ID_ROLE, SORT_ROLE


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None      # raw value for sorting (default: the text)
    width: int = 120
    centered: bool = False
    searchable: bool = True


class RecordsTableModel(RowsModel):
    def __init__(self, columns: Sequence[Column], parent=None, id_of: Callable[[Any], Any] | None = None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self._headers = tuple(c.header for c in self.columns)
        self._hay: list[str] | None = None
        self._id_of = id_of or (lambda r: getattr(r, "id", None))

    def set_records(self, records: Sequence) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self._hay = None
        self.endResetModel()

    def replace_record(self, row: int, record) -> None:
        self._rows[row] = record
        self._hay = None
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    @property
    def records(self) -> list:
        return self._rows

    def record(self, row: int):
        return self._rows[row]

    def row_of_id(self, record_id) -> int | None:
        for i, r in enumerate(self._rows):
            if self._id_of(r) == record_id:
                return i
        return None

    def haystack(self, row: int) -> str:
        if self._hay is None:
            self._hay = ["\x1f".join(c.text(r) for c in self.columns if c.searchable).lower()
                         for r in self._rows]
        return self._hay[row]

    # --- hooks for subclasses --------------------------------------------------------------
    def foreground(self, record, column: int):
        return None

    def tooltip(self, record, column: int) -> str | None:
        text = self.columns[column].text(record)
        return text or None

    # --- Qt interface ------------------------------------------------------------------------
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        col = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return col.text(record)
        if role == SORT_ROLE:
            return col.sort(record) if col.sort else col.text(record)
        if role == ID_ROLE:
            return self._id_of(record)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(record, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and col.centered:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class SearchProxy(QSortFilterProxyModel):
    """Words typed in a search box, all of which must appear in a row; sorts on SORT_ROLE."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._terms: tuple[str, ...] = ()

    def set_search(self, text: str) -> None:
        terms = tuple(t for t in text.lower().split() if t)
        if terms != self._terms:
            self.beginFilterChange()
            self._terms = terms
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def is_filtered(self) -> bool:
        return bool(self._terms)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self._terms:
            return True
        hay = self.sourceModel().haystack(source_row)
        return all(t in hay for t in self._terms)

    def lessThan(self, left, right) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:          # empty values sort last in ascending order
            return a is not None and b is None
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
