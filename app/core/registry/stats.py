"""Registry counts as they stood on a date, rebuilt from the status history."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlite_utils

from . import registry, vocab


@dataclass
class KindStats:
    total: int = 0                 # records that existed on the date
    running: int = 0               # of which 正常/例外 (sites) or 正常 (accounts)
    by_status: dict[str, int] = field(default_factory=dict)
    # region -> column (category or platform) -> running count; regions in registry order
    by_region: dict[str, dict[str, int]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)


def status_as_of(db: sqlite_utils.Database, kind: str, day: str) -> dict[int, str]:
    """record id -> status on ``day``; records not yet opened on that day are absent."""
    result: dict[int, str] = {}
    opened_later: set[int] = set()
    rows = db.conn.execute(
        "SELECT target_id, event, status, on_date FROM status_history WHERE target_type = ?"
        " ORDER BY target_id, COALESCE(on_date, ''), id", (kind,))
    for rid, event, status, on_date in rows:
        if on_date is not None and on_date > day:
            if event == "开设":
                opened_later.add(rid)
            continue
        result[rid] = status
    for rid in opened_later:
        result.pop(rid, None)
    return result


def registry_stats(db: sqlite_utils.Database, as_of: str | None = None) -> dict[str, KindStats]:
    """Counts by 地区 × category (sites), 地区 × 平台 (accounts) and by status on ``as_of``."""
    day = as_of or dt.date.today().isoformat()
    out: dict[str, KindStats] = {}
    for kind, column, order, running in (
        ("site", "category", vocab.SITE_CATEGORIES, vocab.RUNNING_SITE_STATUSES),
        ("account", "platform", vocab.PLATFORMS, vocab.RUNNING_ACCOUNT_STATUSES),
    ):
        statuses = status_as_of(db, kind, day)
        stats = KindStats()
        region_names = [r["name"] for r in registry.regions(db)]
        grid: dict[str, dict[str, int]] = {}
        used: set[str] = set()
        for rec in registry.list_records(db, kind):
            status = statuses.get(rec["id"])
            if status is None:
                continue
            stats.total += 1
            stats.by_status[status] = stats.by_status.get(status, 0) + 1
            if status in running:
                stats.running += 1
                region = rec.get("region") or "（未填地区）"
                col = rec.get(column) or "（未分类）"
                cell = grid.setdefault(region, {})
                cell[col] = cell.get(col, 0) + 1
                used.add(col)
        stats.columns = [c for c in order if c in used] + sorted(used - set(order))
        ordered = [r for r in region_names if r in grid] + [r for r in grid if r not in region_names]
        stats.by_region = {r: grid[r] for r in ordered}
        all_statuses = vocab.SITE_STATUSES if kind == "site" else vocab.ACCOUNT_STATUSES
        stats.by_status = {s: stats.by_status[s] for s in all_statuses if s in stats.by_status}
        out[kind] = stats
    return out
