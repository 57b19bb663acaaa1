"""Per-site table of the 自动检查 page: last run state, pages, findings (by kind) and errors.

Rows are frozen records; a live progress report replaces one row and emits dataChanged
for that row only.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from .registry_model import ID_ROLE, SORT_ROLE

STATE_TEXT = {"": "未检查", "pending": "待检查", "running": "检查中", "done": "完成", "unreachable": "无法访问",
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


class SiteResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[SiteRow] = []
        self._row_of: dict[str, int] = {}

    def set_rows(self, rows: list[SiteRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._row_of = {r.key: i for i, r in enumerate(self.rows)}
        self.endResetModel()

    def row_of(self, key: str) -> int | None:
        return self._row_of.get(key)

    def get(self, key: str) -> SiteRow | None:
        i = self._row_of.get(key)
        return self.rows[i] if i is not None else None

    def update_site(self, key: str, **changes) -> None:
        """Replace one row's fields (a live report) and repaint that row only."""
        i = self._row_of.get(key)
        if i is None:
            return
        new = dataclasses.replace(self.rows[i], **changes)
        if new == self.rows[i]:
            return
        self.rows[i] = new
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(ResultColumn) - 1))

    def set_by_kind(self, by_kind: dict[int, tuple]) -> None:
        for r in list(self.rows):
            self.update_site(r.key, by_kind=tuple(by_kind.get(r.target_id, ())))

    # --- Qt ------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ResultColumn)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, col = self.rows[index.row()], ResultColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == SORT_ROLE:
            if col == ResultColumn.PAGES:
                return r.pages
            if col == ResultColumn.FINDINGS:
                return r.findings
            if col == ResultColumn.KINDS:
                return r.total_found
            return self._text(r, col)
        if role == ID_ROLE:
            return r.key
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == ResultColumn.NAME:
                return r.url
            if col in (ResultColumn.KINDS, ResultColumn.NOTE):
                return self._text(r, col) or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == ResultColumn.STATE:
            return _STATE_COLOUR.get(r.state)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(r: SiteRow, col: ResultColumn) -> str:
        if col == ResultColumn.KEY:
            return r.key
        if col == ResultColumn.NAME:
            return r.name
        if col == ResultColumn.STATE:
            return STATE_TEXT.get(r.state, r.state)
        if col == ResultColumn.PAGES:
            return str(r.pages) if r.state else ""
        if col == ResultColumn.FINDINGS:
            return str(r.findings) if r.state else ""
        if col == ResultColumn.KINDS:
            return r.kinds_text
        if col == ResultColumn.NOTE:
            return r.note
        return r.checked_at

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(ResultColumn):
            return HEADERS[ResultColumn(section)]
        return None
