"""The new-media review grid: a model over ReviewSession rows that saves edits through the session.

GUI thread only. Rows are the core's frozen ReviewRow records; a save replaces one row and
emits dataChanged for it, so a save costs one core save plus one row re-read (no reset).
Display text is formatted on demand in data(): only the visible cells are ever formatted,
which keeps opening a 4,000-account round to the core's load time plus a few milliseconds.
"""
from __future__ import annotations

import datetime as dt
import re
from enum import IntEnum

from PySide6.QtCore import (
    QCollator, QLocale, QSortFilterProxyModel, Qt, Signal,
)
from PySide6.QtGui import QColor, QFont

from app.core.followup import media_review as mr, media_rules
from app.core.rounds import rounds
from app.core.errors import GovInspectError
from app.core.registry.validation import BadValue, date as parse_date
from app.core.followup.workdays import as_date

from .base import SortedRowsModel
from .registry_model import ID_ROLE, SORT_ROLE


class ReviewColumn(IntEnum):
    PLATFORM = 0
    NAME = 1
    UNIT = 2
    REGION = 3
    LAST_UPDATE = 4
    DAYS = 5
    INTERACTION = 6
    MENUS = 7
    WORDING = 8
    ADS = 9
    UNRELATED = 10
    PROPOSALS = 11
    OTHERS = 12
    STATE = 13


HEADERS = {
    ReviewColumn.PLATFORM: "平台", ReviewColumn.NAME: "账号名称", ReviewColumn.UNIT: "主办单位",
    ReviewColumn.REGION: "地区", ReviewColumn.LAST_UPDATE: "最近更新日期", ReviewColumn.DAYS: "距监测点天数",
    ReviewColumn.INTERACTION: "互动功能", ReviewColumn.MENUS: "服务菜单", ReviewColumn.WORDING: "表述错误",
    ReviewColumn.ADS: "广告", ReviewColumn.UNRELATED: "无关内容", ReviewColumn.PROPOSALS: "提出的问题",
    ReviewColumn.OTHERS: "其他来源的问题", ReviewColumn.STATE: "状态",
}
COLUMN_WIDTHS = {   # fit a 1366-pixel window without a horizontal scroll bar
    ReviewColumn.PLATFORM: 76, ReviewColumn.NAME: 112, ReviewColumn.UNIT: 118, ReviewColumn.REGION: 58,
    ReviewColumn.LAST_UPDATE: 94, ReviewColumn.DAYS: 80, ReviewColumn.INTERACTION: 60, ReviewColumn.MENUS: 80,
    ReviewColumn.WORDING: 60, ReviewColumn.ADS: 40, ReviewColumn.UNRELATED: 60, ReviewColumn.PROPOSALS: 110,
    ReviewColumn.OTHERS: 120, ReviewColumn.STATE: 56,
}
# Short labels of what a row proposes (the stored kinds; a 严重 typo is stored as a typo).
PROPOSAL_LABELS = {
    media_rules.K_NOT_UPDATED: "内容不更新", media_rules.K_NO_INTERACTION: "互动回应差", media_rules.K_MENU: "服务菜单失效",
    media_rules.K_TYPO: "错别字", media_rules.K_ADS: "商业广告", media_rules.K_UNRELATED: "无关内容",
}
VETO_KINDS = {media_rules.K_NOT_UPDATED, media_rules.K_NO_INTERACTION}
CENTERED = {ReviewColumn.DAYS, ReviewColumn.INTERACTION, ReviewColumn.WORDING, ReviewColumn.ADS,
            ReviewColumn.UNRELATED, ReviewColumn.STATE}
_PROBLEM = QColor("#c5221f")
_WARN = QColor("#a15c00")
_OK = QColor("#137333")
_MUTED = QColor("#9aa0a6")
_STATE_ORDER = {"待检查": 0, "未检查": 1, "已检查": 2}

# Dates as inspectors type them: 8-1, 8/1, 8.1, 8月1日, 0801 (month and day; the year comes from
# the round). Full dates (2025-08-01, 20250801, 2025年8月1日) go to the core parser.
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MMDD = re.compile(r"^(\d{2})(\d{2})$")


def parse_typed_date(text: str, as_of) -> str | None:
    """A date typed into the grid as YYYY-MM-DD ('' → None); BadValue with a Chinese reason.

    Month-and-day forms take the year of the 监测时间点 ``as_of``; a result more than a month
    after it is taken as last year's (typed in January about December's last post).
    """
    raw = (text or "").strip()
    if not raw:
        return None
    m = _MONTH_DAY.match(raw) or _MMDD.match(raw)
    if m is None:
        return parse_date(raw)
    point = as_date(as_of)
    month, day = int(m[1]), int(m[2])
    try:
        value = dt.date(point.year, month, day)
    except ValueError:
        raise BadValue(f"日期“{raw}”不存在") from None
    if value > point + dt.timedelta(days=31):
        try:
            value = dt.date(point.year - 1, month, day)
        except ValueError:           # 2-29 typed in a leap year: keep this year's
            pass
    return value.isoformat()


def _flag_text(value: bool | None) -> str:
    return "" if value is None else ("有" if value else "无")


def menus_text(row: media_rules.ReviewRow) -> str:
    items = row.obs.menu_items
    if not items:
        return ""
    parts = [f"{len(items)}项"]
    if row.menus_failed:
        parts.append(f"{row.menus_failed}项失效")
    untested = len(items) - row.menus_tested
    if untested:
        parts.append(f"{untested}项未测")
    return "，".join(parts)


def proposals_text(row: media_rules.ReviewRow) -> str:
    return "、".join(PROPOSAL_LABELS.get(k, media_rules.KIND_ZH.get(k, k)) for k in dict.fromkeys(row.proposals))


def _count_text(n: int) -> str:
    return f"{n}处" if n else ""


# The text of each column, and what a column sorts by where that is not its text (empty and
# None sort last).
_TEXT = {
    ReviewColumn.PLATFORM: lambda r: r.platform,
    ReviewColumn.NAME: lambda r: r.name,
    ReviewColumn.UNIT: lambda r: r.unit_name,
    ReviewColumn.REGION: lambda r: r.region_name,
    ReviewColumn.LAST_UPDATE: lambda r: r.obs.last_update or "",
    ReviewColumn.DAYS: lambda r: "" if r.days_since_update is None else str(r.days_since_update),
    ReviewColumn.INTERACTION: lambda r: _flag_text(r.obs.interaction_ok),
    ReviewColumn.MENUS: menus_text,
    ReviewColumn.WORDING: lambda r: _count_text(len(r.obs.wording_errors)),
    ReviewColumn.ADS: lambda r: "有" if r.obs.ads_seen else "",
    ReviewColumn.UNRELATED: lambda r: "有" if r.obs.unrelated_content else "",
    ReviewColumn.PROPOSALS: proposals_text,
    ReviewColumn.OTHERS: lambda r: "、".join(r.others),
    ReviewColumn.STATE: lambda r: r.review_state,
}
_SORT_VALUE = {
    ReviewColumn.REGION: lambda r: r.sort_order,      # registry order of regions, as on the registry pages
    ReviewColumn.DAYS: lambda r: r.days_since_update,
    ReviewColumn.INTERACTION: lambda r: None if r.obs.interaction_ok is None else int(r.obs.interaction_ok),
    ReviewColumn.MENUS: lambda r: r.menus_failed * 1000 + len(r.obs.menu_items),
    ReviewColumn.WORDING: lambda r: len(r.obs.wording_errors),
    ReviewColumn.ADS: lambda r: int(r.obs.ads_seen),
    ReviewColumn.UNRELATED: lambda r: int(r.obs.unrelated_content),
    ReviewColumn.PROPOSALS: lambda r: len(r.proposals),
    ReviewColumn.OTHERS: lambda r: len(r.others),
    ReviewColumn.STATE: lambda r: _STATE_ORDER.get(r.review_state, 3),
}


def has_problem(row: media_rules.ReviewRow) -> bool:
    """Shown by 只看有问题: something proposed now, open media findings, or findings from other sources."""
    return bool(row.proposals) or row.open_findings > 0 or bool(row.others)


class ReviewTableModel(SortedRowsModel):
    """The review grid. ``save()`` writes through the session; failures come back as ``save_failed``."""

    row_saved = Signal(object)           # SaveResult (or a ReviewRow after a state change)
    save_failed = Signal(str)            # Chinese message
    _headers = tuple(HEADERS[c] for c in ReviewColumn)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: mr.ReviewSession | None = None
        self.read_only = False
        self._rows: list[media_rules.ReviewRow] = []
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._bold = QFont()
        self._bold.setBold(True)
        self.generation = 0              # bumped on reload: the proxy's accepted ids are stale

    # --- loading -----------------------------------------------------------------------------
    def set_session(self, session: mr.ReviewSession | None, read_only: bool = False,
                    rows: list[media_rules.ReviewRow] | None = None) -> None:
        """Load every account row of the session's round (or clear the grid)."""
        if rows is None:
            rows = session.rows() if session is not None else []
        self.beginResetModel()
        self.session, self.read_only = session, read_only
        self._rows = self._sorted(rows) if self._sort_column >= 0 else list(rows)
        self._index()
        self.generation += 1
        self.endResetModel()

    @staticmethod
    def row_id(row: media_rules.ReviewRow) -> int:
        return row.target_id

    # --- saving ----------------------------------------------------------------------------------
    def _check_writable(self) -> bool:
        if self.session is None:
            return False
        if self.read_only:
            self.save_failed.emit(f"检查轮次“{self.session.round_name}”已关闭，只能查看，不能修改。")
            return False
        return True

    def replace_row(self, new: media_rules.ReviewRow) -> int | None:
        at = self._row_of_id.get(new.target_id)
        if at is None:
            return None
        self._rows[at] = new
        self.dataChanged.emit(self.index(at, 0), self.index(at, len(ReviewColumn) - 1))
        return at

    def save(self, row: int, changes: dict, mark_checked: bool = True):
        """Save ``changes`` (observation fields) of one row; SaveResult, or None after save_failed."""
        if not self._check_writable():
            return None
        target_id = self._rows[row].target_id
        try:
            result = self.session.save(target_id, changes, mark_checked=mark_checked)
        except GovInspectError as exc:
            self.save_failed.emit(str(exc))
            return None
        self.replace_row(result.row)
        self.row_saved.emit(result)
        return result

    def set_review_state(self, row: int, state: str) -> bool:
        if not self._check_writable():
            return False
        target_id = self._rows[row].target_id
        try:
            rounds.set_review_state(self.session.db, target_id, state)
            new = self.session.row(target_id)
        except GovInspectError as exc:
            self.save_failed.emit(str(exc))
            return False
        self.replace_row(new)
        self.row_saved.emit(new)
        return True

    def refresh_row(self, target_id: int) -> None:
        if self.session is not None and target_id in self._row_of_id:
            self.replace_row(self.session.row(target_id))

    # --- sorting -----------------------------------------------------------------------------------
    def _sorted(self, rows: list[media_rules.ReviewRow]) -> list[media_rules.ReviewRow]:
        col = self._sort_column
        if col < 0:
            return sorted(rows, key=lambda r: (r.sort_order, r.target_id))
        keyed, empty = [], []
        for r in rows:
            value = self.sort_value(r, col)
            if value is None or value == "":
                empty.append(r)            # blanks (nothing entered yet) stay last either way
            else:
                key = self._collator.sortKey(value) if isinstance(value, str) else value
                keyed.append((key, r.sort_order, r.target_id, r))
        keyed.sort(key=lambda k: k[:3], reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return [k[3] for k in keyed] + sorted(empty, key=lambda r: (r.sort_order, r.target_id))

    @staticmethod
    def sort_value(r: media_rules.ReviewRow, col: int):
        c = ReviewColumn(col)
        return _SORT_VALUE.get(c, _TEXT[c])(r)

    # --- Qt interface ------------------------------------------------------------------------------
    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == ReviewColumn.LAST_UPDATE and not self.read_only:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    @staticmethod
    def display(r: media_rules.ReviewRow, col: int) -> str:
        return _TEXT.get(col, _TEXT[ReviewColumn.STATE])(r)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.EditRole:
            return self.display(r, col)
        if role == SORT_ROLE:
            return self.sort_value(r, col)
        if role == ID_ROLE:
            return r.target_id
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(r, col)
        if role == Qt.ItemDataRole.FontRole:
            if col == ReviewColumn.PROPOSALS and any(k in VETO_KINDS for k in r.proposals):
                return self._bold
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in CENTERED:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        return None

    @staticmethod
    def _foreground(r: media_rules.ReviewRow, col: int):
        if col == ReviewColumn.DAYS and r.days_since_update is not None:
            return _PROBLEM if r.days_since_update >= media_rules.NOT_UPDATED_DAYS else None
        if col == ReviewColumn.INTERACTION and r.obs.interaction_ok is False:
            return _PROBLEM
        if col == ReviewColumn.MENUS and r.menus_failed:
            return _PROBLEM
        if col in (ReviewColumn.WORDING, ReviewColumn.ADS, ReviewColumn.UNRELATED, ReviewColumn.PROPOSALS,
                   ReviewColumn.OTHERS):
            return _PROBLEM
        if col == ReviewColumn.STATE:
            return {"已检查": _OK, "未检查": _WARN}.get(r.review_state, _MUTED)
        return None

    def _tooltip(self, r: media_rules.ReviewRow, col: int) -> str | None:
        if col == ReviewColumn.LAST_UPDATE:
            return "输入日期后按回车保存并移到下一行，如 2025-08-01、8-1 或 0801（年份取监测时间点所在年）"
        if col == ReviewColumn.MENUS and r.obs.menu_items:
            return "\n".join(f"{m.name or m.url}：{menu_state(m)}" for m in r.obs.menu_items)
        if col == ReviewColumn.WORDING and r.obs.wording_errors:
            return "\n".join(f"“{w.text}”" + (f" → “{w.correction}”" if w.correction else "")
                             + ("（严重）" if w.grave else "") for w in r.obs.wording_errors)
        if col == ReviewColumn.PROPOSALS and r.proposals:
            return "保存后已作为“待审核”问题提出，在“审核评分”中确认或排除。"
        if col == ReviewColumn.OTHERS and r.others:
            return "来自自动检查、导入、人工录入或名录规范的问题（在“审核评分”中审核）：\n" + "\n".join(r.others)
        if col == ReviewColumn.STATE and r.review_note:
            return r.review_note
        text = self.display(r, col)
        return text or None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != ReviewColumn.LAST_UPDATE:
            return False
        if not self._check_writable():
            return False
        try:
            day = parse_typed_date(str(value or ""), self.session.as_of)
        except BadValue as exc:
            self.save_failed.emit(f"最近更新日期：{exc}")
            return False
        return self.save(index.row(), {"last_update": day}) is not None



def menu_state(m: media_rules.MenuItem) -> str:
    if m.ok is None:
        return "未测试"
    if m.ok:
        return "可用" + (f"（HTTP {m.http_status}）" if m.http_status else "")
    return "失效" + (f"（{m.error or ('HTTP ' + str(m.http_status) if m.http_status else '人工测试')}）")


class ReviewFilterProxy(QSortFilterProxyModel):
    """Name/unit search and 只看有问题 over the review model.

    The accepted set is computed when a filter changes (by target id), not on every edit:
    a row that stops having a problem while the inspector is on it stays in view until the
    filter changes, so the keyboard cursor never jumps.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)
        self._terms: tuple[str, ...] = ()
        self._problems_only = False
        self._accepted: set[int] | None = None
        self._generation = -1

    @property
    def is_filtered(self) -> bool:
        return bool(self._terms or self._problems_only)

    def set_search(self, text: str) -> None:
        terms = tuple(t for t in text.lower().split() if t)
        if terms != self._terms:
            self._terms = terms
            self._refilter()

    def set_problems_only(self, on: bool) -> None:
        if bool(on) != self._problems_only:
            self._problems_only = bool(on)
            self._refilter()

    def _refilter(self) -> None:
        self.beginFilterChange()
        self._generation = -1
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _rebuild(self) -> None:
        model: ReviewTableModel = self.sourceModel()
        self._generation = model.generation
        if not self.is_filtered:
            self._accepted = None
            return
        accepted = set()
        for r in model.rows:
            if self._problems_only and not has_problem(r):
                continue
            if self._terms:
                hay = f"{r.name}\x1f{r.unit_name}\x1f{r.platform}\x1f{r.platform_account_id}\x1f{r.region_name}".lower()
                if not all(t in hay for t in self._terms):
                    continue
            accepted.add(r.target_id)
        self._accepted = accepted

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        model: ReviewTableModel = self.sourceModel()
        if self._generation != model.generation:      # a filter change or a reload
            self._rebuild()
        return self._accepted is None or model.rows[source_row].target_id in self._accepted

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)
