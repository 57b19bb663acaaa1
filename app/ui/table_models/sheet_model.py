"""Read-only models of an annex table (app.core.office.xlsx.SheetTable): its body rows and its header grid."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from .base import RowsModel

NUMERIC_KINDS = ("int", "number", "percent", "rate", "rate1", "rate0")
_BOLD_KINDS = ("total", "section", "block")
_ROW_BACKGROUND = {"section": QColor("#eef3fb"), "block": QColor("#eef3fb"), "total": QColor("#f6f7f9")}
_HEADER_BACKGROUND = QColor("#f0f2f5")


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class _OneTable:
    """Mixin (before the Qt model class) of a model showing one SheetTable, which ``_set()`` reads."""

    def __init__(self, table=None, parent=None):
        super().__init__(parent)
        self._bold = _bold()
        self._set(table)

    def set_table(self, table) -> None:
        self.beginResetModel()
        self._set(table)
        self.endResetModel()


class SheetTableModel(_OneTable, RowsModel):
    """The body of a SheetTable as printed text (0.00% for percents, — for 不适用)."""

    def _set(self, table) -> None:
        self.table = table
        self._columns = list(table.columns) if table is not None else []
        self._rows: list[list[str]] = table.text_rows() if table is not None else []
        self._kinds: dict[int, str] = dict(table.row_kinds) if table is not None else {}
        self._headers = self._leaf_captions(table)

    @staticmethod
    def _leaf_captions(table) -> list[str]:
        if table is None:
            return []
        grid, _ = table.header_grid()
        out = []
        for c, col in enumerate(table.columns):
            bottom = grid[-1][c]
            out.append(f"{col.group}／{col.caption}" if col.group else (bottom or col.caption))
        return out

    def merges(self) -> list[tuple[int, int, int, int]]:
        return list(self.table.merges) if self.table is not None else []

    def row_kind(self, row: int) -> str:
        return self._kinds.get(row, "")

    def text(self, row: int, column: int) -> str:
        values = self._rows[row]
        return values[column] if column < len(values) else ""

    # --- Qt ------------------------------------------------------------------------------------
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.text(row, col)
            return text if len(text) > 12 else None
        kind = self._kinds.get(row, "")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind in ("section", "block") or (kind == "" and self._columns[col].kind not in NUMERIC_KINDS):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if self._columns[col].kind in NUMERIC_KINDS and self.text(row, col) not in ("", "—"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and kind in _BOLD_KINDS:
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole:
            return _ROW_BACKGROUND.get(kind)
        return None


class SheetHeaderModel(_OneTable, QAbstractTableModel):
    """The one- or two-level header of a SheetTable as table cells (merged by the view's spans)."""

    def _set(self, table) -> None:
        if table is None:
            self._grid, self._merges = [], []
        else:
            self._grid, self._merges = table.header_grid()

    def merges(self) -> list[tuple[int, int, int, int]]:
        return list(self._merges)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._grid)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or not self._grid else len(self._grid[0])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._grid[index.row()][index.column()] or ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole:
            return _HEADER_BACKGROUND
        return None
