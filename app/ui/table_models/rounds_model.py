"""Rounds and round targets as Qt tables (frozen core records; reload by reset, one row by dataChanged)."""
from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from app.core.rounds.round_scores import TargetResult
from app.core.rounds.rounds import Round, RoundTarget
from app.core.rounds.scoring import CHECKED, FAILED_ZH, NOT_CHECKED, PASSED_ZH

from .base import RowsModel
from .registry_model import ID_ROLE, SORT_ROLE

_MUTED = QColor("#80868b")
_AMBER = QColor("#a15c00")
TYPE_ZH = {"site": "网站", "account": "新媒体"}


def period_text(r: Round) -> str:
    if r.period_from and r.period_to:
        return f"{r.period_from} 至 {r.period_to}"
    if r.period_from:
        return f"{r.period_from} 起"
    if r.period_to:
        return f"至 {r.period_to}"
    return ""


class RoundColumn(IntEnum):
    NAME = 0
    KIND = 1
    AS_OF = 2
    PERIOD = 3
    SITES = 4
    ACCOUNTS = 5
    FINDINGS = 6
    STATUS = 7


ROUND_HEADERS = ("名称", "类型", "监测时间点", "检查时间段", "网站数", "新媒体数", "问题数", "状态")
ROUND_WIDTHS = (220, 56, 90, 190, 60, 70, 100, 80)


class RoundsTableModel(RowsModel):
    numbered_rows = False
    _headers = ROUND_HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Round] = []

    def set_rounds(self, rows: list[Round]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace_round(self, r: Round) -> None:
        for i, old in enumerate(self._rows):
            if old.id == r.id:
                self._rows[i] = r
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(RoundColumn) - 1))
                return

    def round_at(self, row: int) -> Round:
        return self._rows[row]

    def row_of_id(self, round_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == round_id), None)

    @property
    def rounds(self) -> list[Round]:
        return self._rows

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == RoundColumn.NAME:
                return r.name
            if col == RoundColumn.KIND:
                return r.kind
            if col == RoundColumn.AS_OF:
                return r.as_of
            if col == RoundColumn.PERIOD:
                return period_text(r)
            if col == RoundColumn.SITES:
                return str(r.site_count)
            if col == RoundColumn.ACCOUNTS:
                return str(r.account_count)
            if col == RoundColumn.FINDINGS:
                return f"{r.finding_count}（确认 {r.confirmed_count}）" if r.finding_count else "0"
            if col == RoundColumn.STATUS:
                return f"已关闭 {r.closed_at[:10]}" if r.closed and r.closed_at else ("已关闭" if r.closed else "进行中")
        if role == SORT_ROLE:
            return (r.name, r.kind, r.as_of, period_text(r), r.site_count, r.account_count, r.finding_count,
                    r.status)[col]
        if role == ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.ForegroundRole and r.closed:
            return _MUTED
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (RoundColumn.SITES, RoundColumn.ACCOUNTS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TargetColumn(IntEnum):
    NAME = 0
    TYPE = 1
    REGION = 2
    STATE = 3
    RESULT = 4
    SCORE = 5
    PROBLEMS = 6
    KEY = 7
    REASON = 8
    NOTE = 9


TARGET_HEADERS = ("名称", "类型", "地区", "检查状态", "结果", "得分", "问题", "标识", "纳入方式", "说明")
TARGET_WIDTHS = (230, 56, 84, 70, 60, 56, 110, 150, 70, 200)
PREVIEW_COLUMNS = (TargetColumn.NAME, TargetColumn.TYPE, TargetColumn.REGION, TargetColumn.KEY, TargetColumn.REASON)
RESULT_FILTERS = (PASSED_ZH, FAILED_ZH)
_RESULT_COLOURS = {PASSED_ZH: QColor("#137333"), FAILED_ZH: QColor("#c5221f")}
_NUMERIC = (TargetColumn.SCORE,)


def problems_text(r: TargetResult | None) -> str:
    if r is None or not (r.confirmed or r.to_review):
        return "" if r is None else "无"
    parts = [f"确认 {r.confirmed}"] if r.confirmed else []
    if r.to_review:
        parts.append(f"待审 {r.to_review}")
    return " · ".join(parts)


def target_texts(t: RoundTarget, r: TargetResult | None = None) -> tuple[str, ...]:
    """Text of every TargetColumn (the result columns empty until the scores are in)."""
    checked = t.review_state == CHECKED
    result = r.result if (r is not None and checked) else ""
    if r is None or not checked:
        score = ""
    else:                       # a veto, or an account (new media pass or fail on vetoes only): no score
        score = "—" if r.final_score is None else f"{r.final_score:.2f}"
    return (t.name, TYPE_ZH.get(t.target_type, t.target_type), t.region_name, t.review_state, result, score,
            problems_text(r), t.target_key, t.reason, t.review_note)


class TargetsTableModel(RowsModel):
    """Frozen targets of one round with their results (set_results, after scoring on a worker),
    or of a preview (``show_state`` False: ids are None, no state and no results)."""

    numbered_rows = False

    def __init__(self, parent=None, show_state: bool = True):
        super().__init__(parent)
        self._rows: list[RoundTarget] = []
        self._texts: list[tuple[str, ...]] = []
        self._results: dict[int, TargetResult] = {}
        self._cols = tuple(TargetColumn) if show_state else PREVIEW_COLUMNS
        self._headers = tuple(TARGET_HEADERS[c] for c in self._cols)

    def set_targets(self, targets: list[RoundTarget]) -> None:
        self.beginResetModel()
        self._rows = list(targets)
        self._results = {}
        self._texts = [target_texts(t) for t in self._rows]
        self.endResetModel()

    def set_results(self, results: dict[int, TargetResult]) -> None:
        """Scores and problem counts by target id (the rows keep their order)."""
        self._results = dict(results)
        self._texts = [target_texts(t, self._results.get(t.id)) for t in self._rows]
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._cols) - 1))

    def replace_target(self, t: RoundTarget) -> None:
        for i, old in enumerate(self._rows):
            if old.id == t.id:
                self._rows[i] = t
                self._texts[i] = target_texts(t, self._results.get(t.id))
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self._cols) - 1))
                return

    def target_at(self, row: int) -> RoundTarget:
        return self._rows[row]

    def result_at(self, row: int) -> str:
        """合格/不合格 of a checked target whose score is in, else ''."""
        return self._texts[row][TargetColumn.RESULT]

    def text_at(self, row: int) -> tuple[str, ...]:
        return self._texts[row]

    def row_of_id(self, target_id: int) -> int | None:
        return next((i for i, t in enumerate(self._rows) if t.id == target_id), None)

    def column_of(self, column: TargetColumn) -> int:
        return self._cols.index(column)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t, texts = self._rows[index.row()], self._texts[index.row()]
        col = self._cols[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return texts[col]
        if role == SORT_ROLE:
            if col == TargetColumn.SCORE:
                r = self._results.get(t.id)
                return -1.0 if r is None or r.final_score is None or not texts[col] else r.final_score
            return texts[col]
        if role == ID_ROLE:
            return t.id
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == TargetColumn.RESULT:
                return _RESULT_COLOURS.get(texts[col])
            if t.review_state == NOT_CHECKED:
                return _MUTED
            if col == TargetColumn.REASON and t.reason == "回头看":
                return _AMBER
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TargetsFilterProxy(QSortFilterProxyModel):
    """Type / 检查状态 or result (合格/不合格) / search filter over a TargetsTableModel (a few
    thousand rows at most)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._type: str | None = None
        self._state: str | None = None
        self._terms: tuple[str, ...] = ()

    def set_filters(self, target_type: str | None, state: str | None, text: str) -> None:
        """``state``: 待检查/已检查/未检查, or 合格/不合格 (checked targets with that result)."""
        terms = tuple(t for t in text.lower().split() if t)
        if (target_type, state, terms) != (self._type, self._state, self._terms):
            self.beginFilterChange()
            self._type, self._state, self._terms = target_type, state, terms
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        model: TargetsTableModel = self.sourceModel()
        t = model.target_at(source_row)
        if self._type is not None and t.target_type != self._type:
            return False
        if self._state in RESULT_FILTERS:
            if model.result_at(source_row) != self._state:
                return False
        elif self._state is not None and t.review_state != self._state:
            return False
        if self._terms:
            hay = " ".join(model.text_at(source_row)).lower() + " " + t.unit_name.lower()
            return all(term in hay for term in self._terms)
        return True
