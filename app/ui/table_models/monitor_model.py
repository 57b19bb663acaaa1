"""The live table of the 可用性监测 page: one row per monitored site (frozen SiteState records),
updated in place as probes come in."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from PySide6.QtGui import QColor

from app.core.crawl.monitor import ERROR_KINDS
from app.core.crawl.probe_store import SiteState

from .records_model import Column, RecordsTableModel

_FAILED = QColor("#c5221f")
_MUTED = QColor("#9aa0a6")
_SHORT = QColor("#a15c00")


def result_text(s: SiteState) -> str:
    if s.last_ok is None:
        return "未拨测"
    if s.last_ok:
        return "正常"
    return ERROR_KINDS.get(s.last_kind, "失败")


def _ratio(s: SiteState) -> str:
    r = s.week_ratio
    return "" if r is None else f"{r * 100:.2f}%"


COLUMNS = (
    Column("网站标识码", lambda s: s.code, width=100),
    Column("网站名称", lambda s: s.name, width=180),
    Column("最近拨测", lambda s: s.last_at[5:16] if s.last_at else "", lambda s: s.last_at or None, width=96),
    Column("结果", result_text, width=110),
    Column("用时（秒）", lambda s: "" if s.last_seconds is None else f"{s.last_seconds:.2f}",
           lambda s: s.last_seconds, width=74, centered=True),
    Column("本周拨测", lambda s: str(s.week_probes), lambda s: s.week_probes, width=66, centered=True),
    Column("本周失败", lambda s: str(s.week_failed), lambda s: s.week_failed, width=66, centered=True),
    Column("失败率", _ratio, lambda s: s.week_ratio, width=66, centered=True),
    Column("本周判定", lambda s: s.verdict, width=72, centered=True),
    Column("最近错误", lambda s: f"{s.last_error_at[5:16]} {s.last_error}" if s.last_error_at else "",
           lambda s: s.last_error_at or None, width=260),
    Column("首页", lambda s: s.url, width=220),
)
RESULT, FAILED, VERDICT = 3, 6, 8


class MonitorTableModel(RecordsTableModel):
    def __init__(self, parent=None):
        super().__init__(COLUMNS, parent, id_of=lambda s: s.site_id)
        self._rows_by_site: dict[int, int] = {}
        self.week = ("", "")                     # first and last day (ISO) counted as this week

    def set_states(self, states: Sequence[SiteState], week: tuple[str, str]) -> None:
        self.week = week
        self.set_records(states)
        self._rows_by_site = {s.site_id: i for i, s in enumerate(states)}

    def row_of_site(self, site_id: int) -> int | None:
        return self._rows_by_site.get(site_id)

    def apply_results(self, results: Iterable) -> set[int]:
        """Fold finished probes (monitor ProbeResult) into their rows; returns the site ids changed."""
        changed = set()
        first, last = self.week
        for r in results:
            row = self._rows_by_site.get(r.site_id)
            if row is None:
                continue
            s = self.record(row)
            update = {"last_at": r.at, "last_ok": r.ok, "last_seconds": r.seconds, "last_status": r.http_status,
                      "last_kind": r.kind}
            if not r.ok:
                update.update(last_error_at=r.at, last_error=r.error)
            if first and first <= r.at[:10] <= last:
                update.update(week_probes=s.week_probes + 1, week_failed=s.week_failed + (not r.ok))
            self.replace_record(row, dataclasses.replace(s, **update))
            changed.add(r.site_id)
        return changed

    def foreground(self, record: SiteState, column: int):
        if column == RESULT:
            return _MUTED if record.last_ok is None else (_FAILED if record.last_ok is False else None)
        if column == FAILED and record.week_failed:
            return _FAILED
        if column == VERDICT:
            return {"否决": _FAILED, "样本不足": _SHORT, "无记录": _MUTED}.get(record.verdict)
        return None
