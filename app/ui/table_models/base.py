"""The parts every row table shares: counts and headers over its rows, and rows the model sorts
itself, found by id."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


class RowsModel(QAbstractTableModel):
    """A table of ``self._rows`` (one item per row) under the column titles ``self._headers``.

    Subclasses fill both and add ``data()``; ``numbered_rows`` gives the vertical header 1, 2, 3 …
    A model that shows only some of its rows counts them in ``row_count()``."""

    numbered_rows = True
    _headers: Sequence[str] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def row_count(self) -> int:
        return len(self._rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            return self._headers[section]
        if self.numbered_rows and orientation == Qt.Orientation.Vertical and 0 <= section < self.row_count():
            return str(section + 1)
        return None


class SortedRowsModel(RowsModel):
    """Rows the model sorts itself, each found by its id (``row_id()``) through ``_row_of_id``.

    A proxy sort would call data() from C++ for every comparison, and again whenever a filter
    adds rows back; one Python sort on prepared keys costs a few ms. Subclasses give the order
    in ``_sorted(rows)`` (column -1: the original order)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._row_of_id: dict = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    @staticmethod
    def row_id(row):
        return row.id

    @property
    def rows(self) -> list:
        return self._rows

    def row_at(self, row: int):
        return self._rows[row]

    def row_of_id(self, row_id) -> int | None:
        return self._row_of_id.get(row_id)

    def _index(self) -> None:
        self._row_of_id = {self.row_id(r): i for i, r in enumerate(self._rows)}

    def _sorted(self, rows: list) -> list:  # pragma: no cover - overridden
        raise NotImplementedError

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Column -1 restores the original order (the header's sort indicator was cleared)."""
        self._sort_column = column if 0 <= column < len(self._headers) else -1
        self._sort_order = order
        self._resort()

    def _resort(self) -> None:
        """Sort the rows again, keeping persistent indexes (current cell, selection) on their rows."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [(self.row_id(self._rows[i.row()]), i.column()) for i in old]
        self._rows = self._sorted(self._rows)
        self._index()
        self.changePersistentIndexList(old, [self.index(self._row_of_id[k], c) for k, c in old_ids])
        self.layoutChanged.emit()
