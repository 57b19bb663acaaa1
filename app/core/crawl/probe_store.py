"""The probes table: the sites the monitor probes, writing probes, pruning them by the retention
setting, and reading them back (a site's window, per-day counts in SQL, the live state per site).

Times are local ISO text with seconds ("2025-08-14 10:30:00"), so text order is time order and
the first ten characters are the day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import sqlite_utils

from ..checks.availability import DayCount, judge, parse_time
from ..checks.base import CheckContext, Probe
from ..errors import ValidationError
from ..registry import vocab
from ..store.db import get_int_setting, set_setting, transaction

RETENTION_KEY = "probe_retention_days"
DEFAULT_RETENTION_DAYS = 90
INSERT_SQL = ("INSERT INTO probes(site_id, url, at, seconds, ok, http_status, error, error_kind, source) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def stamp(when: dt.datetime) -> str:
    """A probe time as stored: local time, seconds, space between date and time."""
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when.replace(microsecond=0).isoformat(sep=" ")


# ---------------------------------------------------------------- which sites

@dataclass(frozen=True)
class MonitoredSite:
    site_id: int
    code: str                        # 网站标识码
    name: str
    url: str


def monitored_sites(db: sqlite_utils.Database, codes: Iterable[str] | None = None) -> list[MonitoredSite]:
    """The running sites of the registry (正常, 例外) in registry order, or the sites named by
    网站标识码 whatever their status (ValidationError naming the codes the registry lacks)."""
    rows = db.conn.execute(
        "SELECT s.id, s.site_code, s.name, s.url, s.status FROM sites s LEFT JOIN regions r ON r.id = s.region_id "
        "ORDER BY COALESCE(r.sort_order, 1e9), r.id, s.sort_order, s.id").fetchall()
    if codes:
        wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
        by_code = {r[1]: r for r in rows}
        missing = [c for c in wanted if c not in by_code]
        if missing:
            raise ValidationError({"网站标识码": f"名录中没有：{'、'.join(missing)}"})
        chosen = [by_code[c] for c in wanted]
    else:
        chosen = [r for r in rows if r[4] in vocab.RUNNING_SITE_STATUSES]
    return [MonitoredSite(r[0], r[1], r[2], r[3]) for r in chosen if (r[3] or "").strip()]


# ---------------------------------------------------------------- writing and pruning

def insert_probes(db: sqlite_utils.Database, rows: list[tuple]) -> None:
    """Rows (site_id, url, at, seconds, ok, http_status, error, error_kind, source) in one short
    transaction (joins the caller's)."""
    if rows:
        with transaction(db):
            db.conn.executemany(INSERT_SQL, rows)


def retention_days(db: sqlite_utils.Database) -> int:
    return get_int_setting(db, RETENTION_KEY, DEFAULT_RETENTION_DAYS)


def set_retention_days(db: sqlite_utils.Database, days: int) -> None:
    """Keep probes this many days (0: forever). At least the monitoring week plus a margin."""
    days = int(days)
    if days != 0 and days < 14:
        raise ValidationError({"保留天数": f"至少 14 天（监测周 7 天及余量），或 0 表示永久保留；实际为 {days}"})
    set_setting(db, RETENTION_KEY, str(days))


def prune_probes(db: sqlite_utils.Database, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete probes older than the retention period (the setting by default); returns how many."""
    days = retention_days(db) if days is None else int(days)
    if days <= 0:
        return 0
    cutoff = ((now or dt.datetime.now()) - dt.timedelta(days=days)).date().isoformat()
    with transaction(db):
        return db.conn.execute("DELETE FROM probes WHERE at < ?", (cutoff,)).rowcount


# ---------------------------------------------------------------- reading

def _bounds(start: dt.date, end: dt.date) -> tuple[str, str]:
    return start.isoformat(), (end + dt.timedelta(days=1)).isoformat()


def probe_rows(db: sqlite_utils.Database, site_id: int, start: dt.date, end: dt.date) -> list[dict]:
    """A site's probes from the start day to the end day (both whole), oldest first, as the
    deciders read them (url, at, seconds, ok, http_status, error)."""
    cur = db.conn.execute(
        "SELECT url, at, seconds, ok, http_status, error FROM probes WHERE site_id = ? AND at >= ? AND at < ? "
        "ORDER BY at, id", (site_id, *_bounds(start, end)))
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def window_probes(db: sqlite_utils.Database, site_id: int, start: dt.date, end: dt.date) -> list[Probe]:
    """probe_rows as Probe records (the stored time form parses without a regex)."""
    out = []
    for url, at, seconds, ok, _status, error in db.conn.execute(
            "SELECT url, at, seconds, ok, http_status, error FROM probes WHERE site_id = ? AND at >= ? AND at < ? "
            "ORDER BY at, id", (site_id, *_bounds(start, end))):
        when = parse_time(at)
        if when is not None:                 # a malformed time never breaks a verdict
            out.append(Probe(when, seconds, bool(ok), url or "", error or ""))
    return out


def day_counts(db: sqlite_utils.Database, start: dt.date, end: dt.date, timeout: float, slow_seconds: float,
               slow_timeout: float | None = None, site_ids: Iterable[int] | None = None) -> dict[int, list[DayCount]]:
    """Per site and day: probes, failed (not opened, or at/after ``timeout``) and slow (opened,
    under ``slow_timeout``, over ``slow_seconds``), counted in SQL as the deciders count them."""
    slow_timeout = timeout if slow_timeout is None else slow_timeout
    sql = ("SELECT site_id, substr(at, 1, 10) AS day, COUNT(*), "
           "SUM(CASE WHEN ok = 0 OR seconds IS NULL OR seconds >= :timeout THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN ok != 0 AND seconds IS NOT NULL AND seconds < :slow_timeout AND seconds > :slow "
           "THEN 1 ELSE 0 END) "
           # +at: not the index on `at`, whose row-by-row lookups cost several times a plain scan
           "FROM probes WHERE +at >= :start AND +at < :end AND site_id IS NOT NULL")
    start_s, end_s = _bounds(start, end)
    args = {"timeout": timeout, "slow_timeout": slow_timeout, "slow": slow_seconds, "start": start_s, "end": end_s}
    ids = None if site_ids is None else sorted(set(site_ids))
    if ids is not None and len(ids) <= 500:
        sql += f" AND site_id IN ({', '.join(str(int(i)) for i in ids)})"
    out: dict[int, list[DayCount]] = {}
    for site_id, day, n, failed, slow in db.conn.execute(sql + " GROUP BY site_id, day", args):
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:               # a malformed time never breaks a verdict
            continue
        out.setdefault(site_id, []).append(DayCount(when, n, failed or 0, slow or 0))
    if ids is not None and len(ids) > 500:
        keep = set(ids)
        out = {k: v for k, v in out.items() if k in keep}
    return out


@dataclass(frozen=True)
class SiteState:
    """One row of the monitor page: the site, its latest probe and failure, the week's counts."""

    site_id: int
    code: str
    name: str
    url: str
    status: str
    last_at: str = ""
    last_ok: bool | None = None
    last_seconds: float | None = None
    last_status: int | None = None
    last_kind: str = ""
    last_error_at: str = ""
    last_error: str = ""
    week_probes: int = 0
    week_failed: int = 0
    verdict: str = ""                # the week's 站点无法访问 verdict (否决/正常/样本不足/无记录)

    @property
    def week_ratio(self) -> float | None:
        return self.week_failed / self.week_probes if self.week_probes else None


def site_states(db: sqlite_utils.Database, start: dt.date, end: dt.date, timeout: float,
                sites: list[MonitoredSite] | None = None) -> list[SiteState]:
    """The live state of every monitored site (the running sites by default), judged over the
    week ending at ``end`` with the default rule (``timeout`` seconds)."""
    sites = monitored_sites(db) if sites is None else sites
    ctx = CheckContext(as_of=end, site={}, params={"unreachable": {"timeout_seconds": timeout}})
    status = dict(db.conn.execute("SELECT id, status FROM sites"))
    # The latest time per site comes from the index alone; only those rows are read. Ties in time:
    # the last row written.
    last = {r[0]: r[1:] for r in db.conn.execute(
        "SELECT p.site_id, p.at, p.ok, p.seconds, p.http_status, p.error_kind FROM "
        "(SELECT site_id, MAX(at) AS at FROM probes WHERE site_id IS NOT NULL GROUP BY site_id) m "
        "JOIN probes p ON p.site_id = m.site_id AND p.at = m.at ORDER BY p.id")}
    errors = {r[0]: r[1:] for r in db.conn.execute(
        "SELECT p.site_id, p.at, p.error FROM "
        "(SELECT site_id, MAX(at) AS at FROM probes WHERE site_id IS NOT NULL AND ok = 0 GROUP BY site_id) m "
        "JOIN probes p ON p.site_id = m.site_id AND p.at = m.at AND p.ok = 0 ORDER BY p.id")}
    week = day_counts(db, start, end, timeout, float("inf"))
    out = []
    for s in sites:
        at, ok, seconds, http_status, kind = last.get(s.site_id, ("", None, None, None, ""))
        err_at, err = errors.get(s.site_id, ("", ""))
        days = week.get(s.site_id, [])
        out.append(SiteState(s.site_id, s.code, s.name, s.url, status.get(s.site_id, ""), at or "",
                             None if ok is None else bool(ok), seconds, http_status, kind or "", err_at or "",
                             err or "", sum(d.probes for d in days), sum(d.failed for d in days),
                             judge(days, ctx).verdict))
    return out
