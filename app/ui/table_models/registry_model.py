"""Registry table model (sites or accounts) holding frozen rows built from core records."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QCollator, QLocale, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.registry import vocab
from app.core.registry.fields import FIELDS, LABEL

from .base import SortedRowsModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

_MUTED = QColor("#9aa0a6")     # closed/cancelled rows: still listed, visibly out of service
_NO_ORDER = 1 << 30


class SiteColumn(IntEnum):
    NAME = 0
    SITE_CODE = 1
    URL = 2
    HOST_UNIT = 3
    REGION = 4
    CATEGORY = 5
    STATUS = 6
    STATUS_DATE = 7


class AccountColumn(IntEnum):
    NAME = 0
    PLATFORM = 1
    ACCOUNT_ID = 2
    HOST_UNIT = 3
    REGION = 4
    STATUS = 5
    STATUS_DATE = 6


COLUMNS: dict[str, type[IntEnum]] = {"site": SiteColumn, "account": AccountColumn}
# Field key behind each column (column enum names are the upper-cased keys).
COLUMN_KEYS = {kind: tuple(c.name.lower() for c in cols) for kind, cols in COLUMNS.items()}
# Default widths in pixels; the header state saved in QSettings overrides them.
COLUMN_WIDTHS = {
    "name": 230, "site_code": 100, "url": 190, "host_unit": 200, "region": 84,
    "category": 168, "platform": 96, "account_id": 150, "status": 100, "status_date": 96,
}
RUNNING = {"site": vocab.RUNNING_SITE_STATUSES, "account": vocab.RUNNING_ACCOUNT_STATUSES}
# The column the category/platform filter looks at.
GROUP_KEY = {"site": "category", "account": "platform"}


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)


@dataclass(frozen=True, slots=True)
class RegistryRow:
    """One record as the table shows it; built once per reload."""

    id: int
    seq: int                    # position in registry order (the unsorted order)
    texts: tuple[str, ...]      # display text per column
    sort_keys: tuple            # raw value per column (SORT_ROLE)
    region: str
    group: str                  # category (sites) or platform (accounts)
    status: str
    running: bool
    haystack: str               # lower-cased text of every field, for instant search


def row_from_record(kind: str, record: dict, seq: int) -> RegistryRow:
    keys = COLUMN_KEYS[kind]
    texts = tuple(_text(record.get(k)) for k in keys)
    sort_keys = []
    for key, text in zip(keys, texts):
        if key == "region":   # registry order of regions, not pinyin
            order = record.get("region_order")
            sort_keys.append(_NO_ORDER if order is None else int(order))
        else:
            sort_keys.append(text)
    # \x1f keeps a search term from matching across two fields.
    hay = "\x1f".join(_text(record.get(f.key)) for f in FIELDS[kind] if f.kind != "flag")
    status = record.get("status") or "正常"
    return RegistryRow(
        id=int(record["id"]),
        seq=seq,
        texts=texts,
        sort_keys=tuple(sort_keys),
        region=_text(record.get("region")),
        group=_text(record.get(GROUP_KEY[kind])),
        status=status,
        running=status in RUNNING[kind],
        haystack=hay.lower(),
    )


class RegistryTableModel(SortedRowsModel):
    """Read-only table of registry records; reload by reset, one row by dataChanged.

    The model sorts itself (the proxy forwards sort() here): one Python sort on collation
    keys costs a few ms for 5,000 rows.
    """

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.columns = COLUMNS[kind]
        self._headers = tuple(LABEL[kind][k] for k in COLUMN_KEYS[kind])
        self._rows: list[RegistryRow] = []
        # Pinyin order for Chinese names whatever the system locale; numbers by value.
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._collator.setNumericMode(True)
        # Bumped on every change so the proxy knows its cached filter mask is stale.
        self.generation = 0

    # --- loading -------------------------------------------------------------
    def set_records(self, records: list[dict]) -> None:
        rows = [row_from_record(self.kind, r, seq) for seq, r in enumerate(records)]
        self.beginResetModel()
        self._rows = self._sorted(rows)
        self._index()
        self.endResetModel()

    def upsert_record(self, record: dict) -> int:
        """Replace the row of this record (dataChanged) or append it; returns its row."""
        at = self._row_of_id.get(int(record["id"]))
        if at is None:
            seq = max((r.seq for r in self._rows), default=-1) + 1
            at = len(self._rows)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.append(row_from_record(self.kind, record, seq))
            self._row_of_id[self._rows[at].id] = at
            self.generation += 1
            self.endInsertRows()
        else:
            self._rows[at] = row_from_record(self.kind, record, self._rows[at].seq)
            self.generation += 1
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.columns) - 1))
        if self._sort_column >= 0:
            self._resort()
        return self._row_of_id[int(record["id"])]

    # --- sorting ---------------------------------------------------------------------
    def _sorted(self, rows: list[RegistryRow]) -> list[RegistryRow]:
        col = self._sort_column
        if col < 0:
            return sorted(rows, key=lambda r: r.seq)
        sample = rows[0].sort_keys[col] if rows else ""
        if isinstance(sample, str):
            keys = {r.id: (self._collator.sortKey(r.sort_keys[col]), r.seq) for r in rows}
        else:
            keys = {r.id: (r.sort_keys[col], r.seq) for r in rows}
        return sorted(rows, key=lambda r: keys[r.id],
                      reverse=self._sort_order == Qt.SortOrder.DescendingOrder)

    def _index(self) -> None:
        super()._index()
        self.generation += 1

    # --- Qt interface ----------------------------------------------------------------
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[col]
        if role == SORT_ROLE:
            return row.sort_keys[col]
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ForegroundRole and not row.running:
            return _MUTED
        if role == Qt.ItemDataRole.ToolTipRole and row.texts[col]:
            return row.texts[col]
        return None

