"""Totals across the rounds of a year (``score --year``): rounds held, how many covered every
running target, and the targets that failed in any of them."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from ..errors import ValidationError
from .round_scores import score_round


@dataclass(frozen=True)
class YearRound:
    id: int
    name: str
    as_of: str
    full: bool                  # every running site and account was a target (no sample)


@dataclass
class YearKind:
    latest_total: int = 0       # targets of the year's last round (纳入管理的数量)
    checked: int = 0            # target checks counted over the year (已检查, all rounds)
    failing: list[str] = field(default_factory=list)   # keys failing in any round, first seen first
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class YearTotals:
    year: int
    rounds: list[YearRound]
    sites: YearKind
    accounts: YearKind

    @property
    def full_rounds(self) -> int:
        return sum(1 for r in self.rounds if r.full)

    def to_dict(self) -> dict:
        def kind(k: YearKind) -> dict:
            return {"latest_total": k.latest_total, "checks": k.checked, "failing": len(k.failing),
                    "failing_keys": list(k.failing), "failing_names": [k.names[x] for x in k.failing]}
        return {"year": self.year, "rounds": len(self.rounds), "full_coverage_rounds": self.full_rounds,
                "round_list": [{"id": r.id, "name": r.name, "as_of": r.as_of, "full": r.full} for r in self.rounds],
                "sites": kind(self.sites), "accounts": kind(self.accounts)}


def year_totals(db: sqlite_utils.Database, year: int, until: str | None = None) -> YearTotals:
    """Rounds whose 监测时间点 falls in ``year`` (up to ``until``, a date, if given), in date order."""
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"年度": f"“{year}”不是有效的年份"})
    last = until or f"{year}-12-31"
    rows = db.conn.execute(
        """SELECT r.id, r.name, r.as_of,
                  NOT EXISTS (SELECT 1 FROM round_targets t WHERE t.round_id = r.id AND t.reason IN ('抽样', '普查'))
           FROM rounds r WHERE r.as_of BETWEEN ? AND ? ORDER BY r.as_of, r.id""",
        (f"{year}-01-01", last)).fetchall()
    totals = YearTotals(int(year), [YearRound(i, n, a, bool(f)) for i, n, a, f in rows], YearKind(), YearKind())
    for r in totals.rounds:
        scores = score_round(db, r.id)
        for ttype, acc in (("site", totals.sites), ("account", totals.accounts)):
            targets = [t for t in scores.targets if t.target_type == ttype]
            acc.latest_total = len(targets)
            for t in targets:
                if not t.checked:
                    continue
                acc.checked += 1
                if not t.score.passed and t.key not in acc.names:
                    acc.failing.append(t.key)
                    acc.names[t.key] = t.name
    return totals
