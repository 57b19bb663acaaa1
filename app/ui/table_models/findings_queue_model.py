"""The findings review queue: every finding of one round as a plain-tuple row (see findings.QueueField).

Built for 50,000 findings: loading is the core's two queries plus a list; filtering and
sorting happen here in Python on an index list (one pass, no per-row proxy callbacks from
C++, which at this size cost more than the load itself), and text is formatted in data()
for the visible cells only. A review replaces the changed rows and emits dataChanged.
"""
from __future__ import annotations

import functools
import logging
from collections import Counter
from enum import IntEnum
from operator import itemgetter
from typing import Iterable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor

from app.core.rounds.findings import STATUSES, WHITELIST_NOTE, QueueField as Q, QueueTarget, ReviewQueue

from .base import RowsModel
from .registry_model import ID_ROLE, SORT_ROLE

TARGET_ID_ROLE = Qt.ItemDataRole.UserRole + 5
TYPE_ZH = {"site": "网站", "account": "新媒体"}
STATUS_COLORS = {"确认": QColor("#c5221f"), "误报": QColor("#80868b"), "存疑": QColor("#a15c00")}
_MUTED = QColor("#80868b")
_STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}

log = logging.getLogger(__name__)


@functools.cache
def kind_labels() -> dict[str, str]:
    """Chinese labels of the check kinds (loaded once, on the first load of a round)."""
    labels = {"manual": "人工检查"}
    try:
        from app.core.checks.catalog import CHECKS
        labels.update({k: spec.label_zh for k, spec in CHECKS.items()})
    except ImportError:                 # pragma: no cover - a build without the checks
        log.warning("check catalogue not available; kinds shown as codes")
    from app.core.followup.media_rules import KIND_ZH
    labels.update(KIND_ZH)
    return labels


class QueueColumn(IntEnum):
    """问题描述 third: at 1366×768 the queue's half of the page shows status, target and description."""
    STATUS = 0
    TARGET = 1
    TEXT = 2
    INDICATOR = 3
    KIND = 4
    COUNT = 5
    TYPE = 6
    REGION = 7
    URL = 8
    SOURCE = 9
    NOTE = 10


HEADERS = ("状态", "检查对象", "问题描述", "指标", "问题类型", "数量", "类型", "地区", "链接", "来源", "审核备注")
COLUMN_WIDTHS = (70, 160, 280, 170, 96, 44, 56, 80, 200, 48, 150)


def status_text(row: tuple) -> str:
    return "误报·白名单" if row[Q.STATUS] == "误报" and row[Q.WHITELIST_RULE_ID] else row[Q.STATUS]


class FindingsQueueModel(RowsModel):
    _headers = HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self.round_id: int | None = None
        self._rows: list[tuple] = []
        self._targets: dict[int, QueueTarget] = {}
        self._names: dict[str, str] = {}          # indicator id -> name
        self._order: dict[str, int] = {}          # indicator id -> profile order
        self._kind_labels: dict[str, str] = {}
        self._pos: dict[int, int] = {}            # finding id -> index in _rows
        self._visible: list[int] = []             # indices into _rows, in view order
        self._vis_row: dict[int, int] | None = None
        self._haystacks: list[str] | None = None
        self._filters: dict[str, str | None] = {"status": None, "kind": None, "region": None, "target_type": None,
                                                "indicator": None}
        self._terms: tuple[str, ...] = ()
        self._sort_column, self._sort_order = -1, Qt.SortOrder.AscendingOrder
        self.counts: Counter = Counter()
        self._retired = None

    # --- loading ------------------------------------------------------------------------------
    def set_queue(self, queue: ReviewQueue, indicator_names: dict[str, str],
                  kind_labels: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        # Freeing 50,000 old rows takes tens of ms: do it after the new queue is on screen.
        self._retired = (self._rows, self._pos, self._haystacks)
        QTimer.singleShot(0, self._release_retired)
        self.round_id = queue.round_id
        self._rows = queue.rows
        self._targets = queue.targets
        self._names = indicator_names
        self._order = {k: i for i, k in enumerate(indicator_names)}
        self._kind_labels = kind_labels or {}
        self._pos = dict(zip(map(itemgetter(Q.ID), self._rows), range(len(self._rows))))
        self._haystacks = None
        self._compute_visible()
        self.counts = Counter(map(itemgetter(Q.STATUS), self._rows))
        self.endResetModel()

    def _release_retired(self) -> None:
        self._retired = None

    def clear(self) -> None:
        self.set_queue(ReviewQueue(None, [], {}), {})

    def update_rows(self, rows: Iterable[tuple]) -> list[int]:
        """Replace rows (re-read after a review); returns the finding ids not in the model."""
        missing = []
        for row in rows:
            at = self._pos.get(row[Q.ID])
            if at is None:
                missing.append(row[Q.ID])
                continue
            old = self._rows[at]
            self.counts[old[Q.STATUS]] -= 1
            self.counts[row[Q.STATUS]] += 1
            self._rows[at] = row
            if self._haystacks is not None:
                self._haystacks[at] = self._haystack(row)
            vis = self._visible_row_of(at)
            if vis is not None:
                self.dataChanged.emit(self.index(vis, 0), self.index(vis, len(QueueColumn) - 1))
        return missing

    # --- filters and sorting ----------------------------------------------------------------
    def set_filter(self, name: str, value: str | None) -> None:
        """name: status / kind / region / target_type / indicator (an item and the clauses under it);
        None shows all."""
        if self._filters[name] != (value or None):
            self._filters[name] = value or None
            self._refilter()

    def set_search(self, text: str) -> None:
        terms = tuple(t for t in text.lower().split() if t)
        if terms != self._terms:
            self._terms = terms
            self._refilter()

    @property
    def is_filtered(self) -> bool:
        return bool(self._terms) or any(v is not None for v in self._filters.values())

    def _refilter(self) -> None:
        self.beginResetModel()
        self._compute_visible()
        self.endResetModel()

    def _compute_visible(self) -> None:
        rows, f = self._rows, self._filters
        status, kind, item = f["status"], f["kind"], f["indicator"]
        under = item + "." if item else None
        wanted_targets = None
        if f["region"] is not None or f["target_type"] is not None:
            wanted_targets = {tid for tid, t in self._targets.items()
                              if (f["region"] is None or t.region_name == f["region"])
                              and (f["target_type"] is None or t.target_type == f["target_type"])}
        if status is None and kind is None and item is None and wanted_targets is None and not self._terms:
            visible = list(range(len(rows)))
        else:
            visible = [i for i, r in enumerate(rows)
                       if (status is None or r[Q.STATUS] == status) and (kind is None or r[Q.KIND] == kind)
                       and (item is None or r[Q.INDICATOR_ID] == item or r[Q.INDICATOR_ID].startswith(under))
                       and (wanted_targets is None or r[Q.TARGET_ID] in wanted_targets)]
            if self._terms:
                if self._haystacks is None:
                    self._haystacks = [self._haystack(r) for r in rows]
                hay = self._haystacks
                visible = [i for i in visible if all(t in hay[i] for t in self._terms)]
        self._visible = self._sorted(visible)
        self._vis_row = None

    def _haystack(self, r: tuple) -> str:
        t = self._targets.get(r[Q.TARGET_ID])
        target = f"{t.name} {t.target_key} {t.unit_name}" if t else ""
        return f"{target} {self._names.get(r[Q.INDICATOR_ID], r[Q.INDICATOR_ID])} {r[Q.TEXT]} {r[Q.URL]} " \
               f"{r[Q.REVIEWER_NOTE]}".lower()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Column -1 restores queue order (target by target)."""
        self._sort_column = column if 0 <= column < len(QueueColumn) else -1
        self._sort_order = order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_pos = [(self._visible[i.row()], i.column()) for i in old]
        self._visible = self._sorted(self._visible)
        self._vis_row = None
        self.changePersistentIndexList(old, [self.index(self._visible_row_of(p), c) for p, c in old_pos])
        self.layoutChanged.emit()

    def _sorted(self, visible: list[int]) -> list[int]:
        col = self._sort_column
        if col < 0:
            return sorted(visible)
        rows = self._rows
        key = self._sort_key(col)
        return sorted(visible, key=lambda i: (key(rows[i]), i), reverse=self._sort_order == Qt.SortOrder.DescendingOrder)

    def _sort_key(self, col: int):
        targets = self._targets
        if col == QueueColumn.STATUS:
            return lambda r: (_STATUS_ORDER.get(r[Q.STATUS], 9), bool(r[Q.WHITELIST_RULE_ID]))
        if col == QueueColumn.TARGET:
            return lambda r: r[Q.TARGET_ID]            # registry order of the round
        if col == QueueColumn.TYPE:
            return lambda r: targets[r[Q.TARGET_ID]].target_type
        if col == QueueColumn.REGION:
            return lambda r: targets[r[Q.TARGET_ID]].region_name
        if col == QueueColumn.INDICATOR:
            return lambda r: self._order.get(r[Q.INDICATOR_ID], 1 << 20)
        if col == QueueColumn.KIND:
            return lambda r: self._kind_labels.get(r[Q.KIND], r[Q.KIND])
        if col == QueueColumn.COUNT:
            return lambda r: r[Q.COUNT]
        field_of = {QueueColumn.TEXT: Q.TEXT, QueueColumn.URL: Q.URL, QueueColumn.SOURCE: Q.SOURCE,
                    QueueColumn.NOTE: Q.REVIEWER_NOTE}[QueueColumn(col)]
        return lambda r: r[field_of] or ""

    def _visible_row_of(self, pos: int) -> int | None:
        if self._vis_row is None:
            self._vis_row = {p: i for i, p in enumerate(self._visible)}
        return self._vis_row.get(pos)

    # --- access for the page ------------------------------------------------------------------
    def row_data(self, row: int) -> tuple:
        return self._rows[self._visible[row]]

    def finding_id(self, row: int) -> int:
        return self._rows[self._visible[row]][Q.ID]

    def target(self, target_id: int) -> QueueTarget | None:
        return self._targets.get(target_id)

    def targets(self) -> dict[int, QueueTarget]:
        return self._targets

    def row_of_id(self, finding_id: int) -> int | None:
        pos = self._pos.get(finding_id)
        return None if pos is None else self._visible_row_of(pos)

    def all_rows(self) -> list[tuple]:
        return self._rows

    def indicator_name(self, indicator_id: str) -> str:
        return self._names.get(indicator_id, indicator_id)

    def kind_label(self, kind: str) -> str:
        return self._kind_labels.get(kind, kind)

    # --- Qt interface -------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._visible)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[self._visible[index.row()]]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.ToolTipRole:
            if role == Qt.ItemDataRole.ToolTipRole and col not in (QueueColumn.TARGET, QueueColumn.INDICATOR,
                                                                 QueueColumn.TEXT, QueueColumn.URL, QueueColumn.NOTE):
                return None
            return self._text(r, col, role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.ForegroundRole:
            if r[Q.WHITELIST_RULE_ID] and r[Q.STATUS] == "误报":
                return _MUTED
            if col == QueueColumn.STATUS:
                return STATUS_COLORS.get(r[Q.STATUS])
            return _MUTED if r[Q.STATUS] == "误报" else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == QueueColumn.COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return r[Q.ID]
        if role == TARGET_ID_ROLE:
            return r[Q.TARGET_ID]
        if role == SORT_ROLE:
            return r[Q.COUNT] if col == QueueColumn.COUNT else self._text(r, col, False)
        return None

    def _text(self, r: tuple, col: int, full: bool) -> str:
        if col == QueueColumn.STATUS:
            return status_text(r)
        if col == QueueColumn.COUNT:
            return str(r[Q.COUNT])
        if col == QueueColumn.TEXT:
            return r[Q.TEXT] if full else r[Q.TEXT].replace("\n", " ")
        if col == QueueColumn.URL:
            return r[Q.URL]
        if col == QueueColumn.SOURCE:
            return r[Q.SOURCE]
        if col == QueueColumn.NOTE:
            note = r[Q.REVIEWER_NOTE]
            if r[Q.WHITELIST_RULE_ID] and not note:
                note = WHITELIST_NOTE
            return f"{note}（规则 {r[Q.WHITELIST_RULE_ID]}）" if r[Q.WHITELIST_RULE_ID] else note
        if col == QueueColumn.INDICATOR:
            return self._names.get(r[Q.INDICATOR_ID], r[Q.INDICATOR_ID])
        if col == QueueColumn.KIND:
            return self._kind_labels.get(r[Q.KIND], r[Q.KIND])
        t = self._targets.get(r[Q.TARGET_ID])
        if t is None:
            return ""
        if col == QueueColumn.TARGET:
            return t.name
        if col == QueueColumn.TYPE:
            return TYPE_ZH.get(t.target_type, t.target_type)
        if col == QueueColumn.REGION:
            return t.region_name
        return ""

