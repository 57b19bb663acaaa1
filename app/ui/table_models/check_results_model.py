"""Per-site table of the 自动检查 page: last run state, pages, findings (by kind) and errors.

Rows are frozen records; a live progress report replaces one row and emits dataChanged
for that row only.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from .base import RowsModel
from .registry_model import ID_ROLE, SORT_ROLE

STATE_TEXT = {"": "未运行", "pending": "排队中", "running": "检查中", "done": "检查完成", "unreachable": "无法访问",
              "failed": "失败", "resumable": "待继续"}
_STATE_COLOUR = {"running": QColor("#1a5fb4"), "done": QColor("#137333"), "unreachable": QColor("#c5221f"),
                 "failed": QColor("#c5221f"), "resumable": QColor("#a15c00"), "": QColor("#80868b"),
                 "pending": QColor("#80868b")}


class ResultColumn(IntEnum):
    KEY = 0
    NAME = 1
    STATE = 2
    PAGES = 3
    FINDINGS = 4
    KINDS = 5
    NOTE = 6
    CHECKED_AT = 7


HEADERS = {ResultColumn.KEY: "网站标识码", ResultColumn.NAME: "网站名称", ResultColumn.STATE: "状态",
           ResultColumn.PAGES: "页面", ResultColumn.FINDINGS: "新增问题", ResultColumn.KINDS: "本轮自动发现的问题（按类型）",
           ResultColumn.NOTE: "出错与说明", ResultColumn.CHECKED_AT: "检查时间"}
COLUMN_WIDTHS = {ResultColumn.KEY: 100, ResultColumn.NAME: 210, ResultColumn.STATE: 72, ResultColumn.PAGES: 56,
                 ResultColumn.FINDINGS: 66, ResultColumn.KINDS: 300, ResultColumn.NOTE: 200,
                 ResultColumn.CHECKED_AT: 130}
_NUMERIC = (ResultColumn.PAGES, ResultColumn.FINDINGS)


@dataclass(frozen=True, slots=True)
class SiteRow:
    target_id: int
    key: str
    name: str
    url: str
    state: str = ""
    pages: int = 0
    findings: int = 0
    by_kind: tuple[tuple[str, int], ...] = ()
    note: str = ""
    checked_at: str = ""

    @property
    def kinds_text(self) -> str:
        return "、".join(f"{label} {n}" for label, n in self.by_kind)

    @property
    def total_found(self) -> int:
        return sum(n for _, n in self.by_kind)


def row_from_overview(o) -> SiteRow:
    """From app.core.crawl.check_overview.SiteOverview."""
    return SiteRow(o.target_id, o.site_key, o.name, o.url, o.state, o.pages, o.findings, tuple(o.by_kind),
                   o.error, (o.checked_at or "")[:16])


# The text of each column, and what a column sorts by where that is not its text.
_TEXT = {
    ResultColumn.KEY: lambda r: r.key,
    ResultColumn.NAME: lambda r: r.name,
    ResultColumn.STATE: lambda r: STATE_TEXT.get(r.state, r.state),
    ResultColumn.PAGES: lambda r: str(r.pages) if r.state else "",
    ResultColumn.FINDINGS: lambda r: str(r.findings) if r.state else "",
    ResultColumn.KINDS: lambda r: r.kinds_text,
    ResultColumn.NOTE: lambda r: r.note,
    ResultColumn.CHECKED_AT: lambda r: r.checked_at,
}
_SORT_VALUE = {
    ResultColumn.PAGES: lambda r: r.pages,
    ResultColumn.FINDINGS: lambda r: r.findings,
    ResultColumn.KINDS: lambda r: r.total_found,
}


class SiteResultsModel(RowsModel):
    numbered_rows = False
    _headers = tuple(HEADERS[c] for c in ResultColumn)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[SiteRow] = []
        self._row_of: dict[str, int] = {}

    @property
    def rows(self) -> list[SiteRow]:
        return self._rows

    def set_rows(self, rows: list[SiteRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {r.key: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def row_of(self, key: str) -> int | None:
        return self._row_of.get(key)

    def get(self, key: str) -> SiteRow | None:
        i = self._row_of.get(key)
        return self._rows[i] if i is not None else None

    def update_site(self, key: str, **changes) -> None:
        """Replace one row's fields (a live report) and repaint that row only."""
        i = self._row_of.get(key)
        if i is None:
            return
        new = dataclasses.replace(self._rows[i], **changes)
        if new == self._rows[i]:
            return
        self._rows[i] = new
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(ResultColumn) - 1))

    def set_by_kind(self, by_kind: dict[int, tuple]) -> None:
        for r in list(self._rows):
            self.update_site(r.key, by_kind=tuple(by_kind.get(r.target_id, ())))

    # --- Qt ------------------------------------------------------------------------------------
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, col = self._rows[index.row()], ResultColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _TEXT[col](r)
        if role == SORT_ROLE:
            return _SORT_VALUE.get(col, _TEXT[col])(r)
        if role == ID_ROLE:
            return r.key
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == ResultColumn.NAME:
                return r.url
            if col in (ResultColumn.KINDS, ResultColumn.NOTE):
                return _TEXT[col](r) or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == ResultColumn.STATE:
            return _STATE_COLOUR.get(r.state)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
