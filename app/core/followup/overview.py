"""The round at a glance (the 总览 page): every figure it shows, computed here; the GUI only draws.

One call, ``round_overview``: the round's scores (round_scores, the same as ``score --json``),
then a few grouped queries: problems (confirmed findings) by indicator, by kind and by 地区, the
review backlog, crawl coverage (the latest run per site), 整改 (open and overdue items) and the
找错 messages of the round's period. Read-only.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from ..crawl.check_overview import kind_label, site_overview
from ..crawl.run_options import FINISHED_STATES
from ..rounds.findings import STATUSES
from ..rounds.round_scores import RoundInfo, RoundScores, score_round
from ..rounds.scoring import CONFIRMED, UNKNOWN_REGION, TypeSummary
from . import media_rules
from .messages import message_stats
from .workdays import as_date

TYPE_ZH = {"site": "网站", "account": "政务新媒体"}
NO_KIND = "人工或导入"        # findings recorded by hand or imported carry no check kind
KIND_EXTRA = {"manual": "人工检查"}


@dataclass(frozen=True)
class TypeFigures:
    """Coverage and results of one target type (as TypeSummary, plus its confirmed problems)."""
    target_type: str
    total: int
    checked: int
    passed: int
    failed: int
    outstanding: int
    pending: int                   # 待检查
    not_checked: int               # 未检查 (left out on purpose)
    pass_rate: Decimal | None      # of the checked ones only
    coverage: str                  # "检查 57 个中的 4 个" / "全部 57 个已检查"
    problems: int

    @property
    def label(self) -> str:
        return TYPE_ZH.get(self.target_type, self.target_type)

    @property
    def complete(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True)
class RegionFigures:
    region: str
    site_checked: int
    site_passed: int
    site_rate: Decimal | None
    account_checked: int
    account_passed: int
    account_rate: Decimal | None
    problems: int


@dataclass(frozen=True)
class FailedTarget:
    """A checked target that failed: what the 不合格 list shows, and where a click leads."""
    target_id: int
    target_type: str
    key: str
    name: str
    region: str
    final_score: float | None      # None: failed on a veto item (no score) or scored without points
    reasons: tuple[str, ...]       # veto items hit, else the note on the score


@dataclass(frozen=True)
class Tally:
    """One bar: a filter value (indicator id, kind, 地区, status), its label and its count."""
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class CrawlFigures:
    sites: int
    finished: int                  # the latest run got through the site (done or unreachable)
    unreachable: int
    failed: int
    unfinished: int                # in a run that stopped before the site finished
    never: int                     # no run has included the site yet


@dataclass(frozen=True)
class RectifyFigures:
    notices: int
    items: int
    open: int
    overdue: int                   # still open after the notice's deadline
    fixed: int
    today: str


@dataclass(frozen=True)
class MessageFigures:
    period_from: str
    period_to: str
    received: int
    closed: int
    on_time_rate: Decimal | None
    overdue: int


@dataclass(frozen=True)
class RoundOverview:
    round: RoundInfo
    sites: TypeFigures
    accounts: TypeFigures
    regions: tuple[RegionFigures, ...]
    failed: tuple[FailedTarget, ...]
    by_indicator: tuple[Tally, ...]    # confirmed problems, most first
    by_kind: tuple[Tally, ...]
    review: tuple[Tally, ...]          # findings by review status (STATUSES order)
    crawl: CrawlFigures
    rectify: RectifyFigures
    messages: MessageFigures
    unverified_used: bool

    def type_figures(self, target_type: str) -> TypeFigures:
        return self.sites if target_type == "site" else self.accounts

    def review_count(self, status: str) -> int:
        return next((t.count for t in self.review if t.key == status), 0)


# ---------------------------------------------------------------- pieces

def _type_figures(s: TypeSummary, problems: int) -> TypeFigures:
    o = s.overall
    return TypeFigures(s.target_type, s.total, o.checked, o.passed, o.failed, o.outstanding, len(s.pending),
                       len(s.not_checked), o.pass_rate, s.coverage, problems)


def _regions(scores: RoundScores, problems: Counter) -> tuple[RegionFigures, ...]:
    sites, accounts = scores.summary.sites.by_region, scores.summary.accounts.by_region
    names = list(dict.fromkeys([*sites, *accounts, *problems]))
    out = []
    for name in names:
        s, a = sites.get(name), accounts.get(name)
        out.append(RegionFigures(name, s.checked if s else 0, s.passed if s else 0, s.pass_rate if s else None,
                                 a.checked if a else 0, a.passed if a else 0, a.pass_rate if a else None,
                                 problems.get(name, 0)))
    return tuple(out)


def _failed(db: sqlite_utils.Database, scores: RoundScores) -> tuple[FailedTarget, ...]:
    ids = {(t, k): i for i, t, k in db.conn.execute(
        "SELECT id, target_type, target_key FROM round_targets WHERE round_id = ?", (scores.round.id,))}
    names = {i.id: i.name for p in scores.profiles.values() for i in p.walk()}
    out = []
    for t in scores.targets:
        if not t.checked or t.score.passed:
            continue
        vetoes = tuple(names.get(v, v) for v in t.score.veto_ids)
        out.append(FailedTarget(ids.get((t.target_type, t.key), 0), t.target_type, t.key, t.name,
                                t.region or UNKNOWN_REGION, t.score.final_score, vetoes or t.score.notes[:1]))
    return tuple(out)


def _scored_item(profiles: dict) -> dict[str, tuple[str, str]]:
    """indicator id -> (id, name) of the item a problem is counted under: the veto item (level 1)
    or the deduction/bonus item (level 2), so clauses and sub-rules roll up."""
    out: dict[str, tuple[str, str]] = {}
    for profile in profiles.values():
        for part in profile.items:
            depth = 1 if part.kind in ("veto", "group") else 2

            def walk(item, anchor):
                here = (item.id, item.name) if item.level <= depth else anchor
                out[item.id] = here
                for child in item.children:
                    walk(child, here)
            walk(part, (part.id, part.name))
    return out


def _kind_text(kind: str) -> str:
    if not kind:
        return NO_KIND
    return KIND_EXTRA.get(kind) or media_rules.KIND_ZH.get(kind) or kind_label(kind)


def _tallies(counts: Counter, labels) -> tuple[Tally, ...]:
    return tuple(Tally(k, labels(k), n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], labels(kv[0]))))


def _crawl(db: sqlite_utils.Database, round_id: int) -> CrawlFigures:
    states = Counter(s.state for s in site_overview(db, round_id, with_kinds=False))
    finished = states["done"] + states["unreachable"]
    unfinished = sum(n for s, n in states.items() if s and s not in FINISHED_STATES)
    return CrawlFigures(sum(states.values()), finished, states["unreachable"], states["failed"], unfinished,
                        states[""])


# An item is open as RectifyItem.open says: a recheck result wins over the unit's own status.
_OPEN = "(CASE WHEN ri.recheck_result != '' THEN ri.recheck_result != '已整改' ELSE ri.status = '待整改' END)"


def _rectify(db: sqlite_utils.Database, round_id: int, today: dt.date) -> RectifyFigures:
    """Counted in SQL: a round of 50,000 findings can hold tens of thousands of items."""
    notices = db.conn.execute("SELECT COUNT(*) FROM rectify_notices WHERE round_id = ?", (round_id,)).fetchone()[0]
    items, open_items, overdue = db.conn.execute(
        f"SELECT COUNT(ri.id), COALESCE(SUM({_OPEN}), 0), COALESCE(SUM({_OPEN} AND n.deadline < ?), 0) "
        "FROM rectify_items ri JOIN rectify_notices n ON n.id = ri.notice_id WHERE n.round_id = ?",
        (today.isoformat(), round_id)).fetchone()
    return RectifyFigures(notices, items, open_items, overdue, items - open_items, today.isoformat())


def message_period(info: RoundInfo, period_from: str | None, period_to: str | None) -> tuple[str, str]:
    """The round's 检查时间段, else the month of its 监测时间点 up to that day."""
    end = period_to or info.as_of
    start = period_from or (period_to or info.as_of)[:8] + "01"
    return start, end


def _messages(db: sqlite_utils.Database, start: str, end: str, today: dt.date) -> MessageFigures:
    report = message_stats(db, start, end, today=today, by_unit=False)
    o = report.overall
    return MessageFigures(start, end, o.received, o.closed, o.on_time_rate, o.overdue)


# ---------------------------------------------------------------- the overview

def round_overview(db: sqlite_utils.Database, round_id: int, today=None,
                   scores: RoundScores | None = None) -> RoundOverview:
    """Every figure of the 总览 for one round. ``today`` decides what is overdue (default: today);
    ``scores`` (the round's RoundScores, if already computed) saves scoring it again."""
    scores = scores or score_round(db, round_id, explain=False)
    day = as_date(today) if today else dt.date.today()
    review = Counter(dict(db.conn.execute(
        "SELECT status, COUNT(*) FROM findings WHERE round_id = ? GROUP BY status", (round_id,)).fetchall()))
    by_type, by_region, by_item, by_kind = Counter(), Counter(), Counter(), Counter()
    items = _scored_item(scores.profiles)
    # Counted in SQL: a few hundred groups instead of 50,000 rows in Python.
    for ttype, region, indicator, kind, n in db.conn.execute(
            "SELECT t.target_type, t.region_name, f.indicator_id, f.kind, COUNT(*) FROM findings f "
            "JOIN round_targets t ON t.id = f.target_id WHERE f.round_id = ? AND f.status = ? GROUP BY 1, 2, 3, 4",
            (round_id, CONFIRMED)):
        by_type[ttype] += n
        by_region[region or UNKNOWN_REGION] += n
        by_item[items.get(indicator, (indicator, indicator))] += n
        by_kind[kind or ""] += n
    period = db.conn.execute("SELECT period_from, period_to FROM rounds WHERE id = ?", (round_id,)).fetchone()
    start, end = message_period(scores.round, *period)
    return RoundOverview(
        scores.round,
        _type_figures(scores.summary.sites, by_type["site"]),
        _type_figures(scores.summary.accounts, by_type["account"]),
        _regions(scores, by_region),
        _failed(db, scores),
        tuple(Tally(item_id, name, n) for (item_id, name), n in
              sorted(by_item.items(), key=lambda kv: (-kv[1], kv[0][1]))),
        _tallies(by_kind, _kind_text),
        tuple(Tally(s, s, review.get(s, 0)) for s in STATUSES),
        _crawl(db, round_id),
        _rectify(db, round_id, day),
        _messages(db, start, end, day),
        scores.unverified_used,
    )
