"""Trends across rounds: 合格率 per round and, per target, problems new / fixed / recurring (回头看).

A problem is a confirmed finding. A target is the same across rounds when its type and key
(网站标识码, 平台:账号名称) are. Comparing a target's problems with those of the previous round
(the latest earlier 监测时间点): first the same fingerprint (same item, kind, link and text), then,
for what is left, the same indicator, one for one — a typo on another page is the same problem
coming back, not a new one plus a fixed one. What stays of the current round is new; what stays
of the previous round is fixed, but only when the target was checked again (已检查) this round:
a target not checked yet, or not in the round, tells nothing about fixing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from ..errors import GovInspectError
from .round_scores import score_round
from .scoring import CHECKED, CONFIRMED

DEFAULT_ROUNDS = 6


@dataclass(frozen=True)
class RoundPoint:
    """One round on the trend line."""
    round_id: int
    name: str
    as_of: str
    site_checked: int
    site_passed: int
    site_rate: Decimal | None       # 合格率 (%), None when nothing was checked
    account_checked: int
    account_passed: int
    account_rate: Decimal | None
    problems: int                   # confirmed findings

    @property
    def label(self) -> str:
        return f"{self.name}（{self.as_of}）"


@dataclass(frozen=True)
class TargetChange:
    """One target's problems against the previous round."""
    target_type: str
    key: str
    name: str
    region: str
    new: int
    fixed: int
    recurring: int
    recurring_indicators: tuple[str, ...] = ()    # indicator ids seen again
    compared: bool = True          # False: not in the previous round (all its problems are new)
    target_id: int = 0             # in the round compared

    @property
    def total(self) -> int:
        return self.new + self.fixed + self.recurring


@dataclass(frozen=True)
class RoundTrends:
    round_id: int
    previous_id: int | None
    points: tuple[RoundPoint, ...]          # oldest first, ending with the round itself
    changes: tuple[TargetChange, ...]       # targets with any new, fixed or recurring problem

    @property
    def previous(self) -> RoundPoint | None:
        return next((p for p in self.points if p.round_id == self.previous_id), None)

    def totals(self, target_type: str | None = None) -> tuple[int, int, int]:
        """(new, fixed, recurring) over the targets (of one type)."""
        rows = [c for c in self.changes if target_type is None or c.target_type == target_type]
        return sum(c.new for c in rows), sum(c.fixed for c in rows), sum(c.recurring for c in rows)


def rounds_before(db: sqlite_utils.Database, round_id: int, limit: int = DEFAULT_ROUNDS) -> list[tuple]:
    """(id, name, as_of) of the round and the ``limit - 1`` rounds before it (by 监测时间点), oldest first."""
    row = db.conn.execute("SELECT as_of FROM rounds WHERE id = ?", (round_id,)).fetchone()
    if row is None:
        raise GovInspectError(f"未找到检查轮次“{round_id}”。")
    rows = db.conn.execute(
        "SELECT id, name, as_of FROM rounds WHERE as_of < ? OR (as_of = ? AND id <= ?) "
        "ORDER BY as_of DESC, id DESC LIMIT ?", (row[0], row[0], round_id, max(1, limit))).fetchall()
    return list(reversed(rows))


def round_point(db: sqlite_utils.Database, round_id: int, scores=None) -> RoundPoint:
    """合格率 of one round (scored now unless ``scores`` is given) and its confirmed problems."""
    scores = scores or score_round(db, round_id, explain=False)
    s, a = scores.summary.sites.overall, scores.summary.accounts.overall
    problems = db.conn.execute("SELECT COUNT(*) FROM findings WHERE round_id = ? AND status = ?",
                               (round_id, CONFIRMED)).fetchone()[0]
    r = scores.round
    return RoundPoint(r.id, r.name, r.as_of, s.checked, s.passed, s.pass_rate, a.checked, a.passed, a.pass_rate,
                      problems)


def _problems(db: sqlite_utils.Database, round_id: int) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(type, key) -> [(fingerprint, indicator id)] of the round's confirmed findings."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for ttype, key, fp, indicator in db.conn.execute(
            "SELECT t.target_type, t.target_key, f.fingerprint, f.indicator_id FROM findings f "
            "JOIN round_targets t ON t.id = f.target_id WHERE f.round_id = ? AND f.status = ? ORDER BY f.id",
            (round_id, CONFIRMED)):
        out[(ttype, key)].append((fp or "", indicator))
    return out


def _targets(db: sqlite_utils.Database, round_id: int) -> dict[tuple[str, str], tuple[str, str, str, int]]:
    """(type, key) -> (name, region, review state, id), in round order."""
    return {(t, k): (n, r, s, i) for t, k, n, r, s, i in db.conn.execute(
        "SELECT target_type, target_key, name, region_name, review_state, id FROM round_targets WHERE round_id = ? "
        "ORDER BY CASE target_type WHEN 'site' THEN 0 ELSE 1 END, sort_order, id", (round_id,))}


def compare(current: list[tuple[str, str]], previous: list[tuple[str, str]]) -> tuple[int, int, int, tuple[str, ...]]:
    """(new, left over from before, recurring, recurring indicator ids) of two lists of
    (fingerprint, indicator id): by fingerprint first, then by indicator, one for one."""
    before: dict[str, int] = defaultdict(int)
    for fp, _ind in previous:
        before[fp] += 1
    rest_now, rest_before = [], list(previous)
    recurring_ind: list[str] = []
    for fp, ind in current:
        if fp and before[fp] > 0:
            before[fp] -= 1
            rest_before.remove(next(p for p in rest_before if p[0] == fp))
            recurring_ind.append(ind)
        else:
            rest_now.append((fp, ind))
    by_indicator: dict[str, int] = defaultdict(int)
    for _fp, ind in rest_before:
        by_indicator[ind] += 1
    new = 0
    for _fp, ind in rest_now:
        if by_indicator[ind] > 0:
            by_indicator[ind] -= 1
            recurring_ind.append(ind)
        else:
            new += 1
    return new, sum(by_indicator.values()), len(recurring_ind), tuple(dict.fromkeys(recurring_ind))


def target_changes(db: sqlite_utils.Database, round_id: int, previous_id: int | None) -> list[TargetChange]:
    """Per target of the round: new / fixed / recurring problems against ``previous_id``. Only
    targets with something to say are listed."""
    now_targets, now_problems = _targets(db, round_id), _problems(db, round_id)
    if previous_id is None:
        before_targets, before_problems = {}, {}
    else:
        before_targets, before_problems = _targets(db, previous_id), _problems(db, previous_id)
    out = []
    for tk, (name, region, state, tid) in now_targets.items():
        mine, theirs = now_problems.get(tk, []), before_problems.get(tk, [])
        compared = tk in before_targets
        new, left, recurring, inds = compare(mine, theirs)
        fixed = left if state == CHECKED else 0
        if new or fixed or recurring:
            out.append(TargetChange(tk[0], tk[1], name, region, new, fixed, recurring, inds, compared, tid))
    return out


def round_trends(db: sqlite_utils.Database, round_id: int, limit: int = DEFAULT_ROUNDS,
                 scores=None) -> RoundTrends:
    """The round and up to ``limit - 1`` rounds before it: 合格率 and problems per round, and each
    target's new / fixed / recurring problems against the previous round. ``scores`` (the
    round's RoundScores, if already computed) saves scoring it again."""
    chain = rounds_before(db, round_id, limit)
    points = tuple(round_point(db, rid, scores if rid == round_id else None) for rid, _n, _d in chain)
    previous_id = chain[-2][0] if len(chain) > 1 else None
    return RoundTrends(round_id, previous_id, points, tuple(target_changes(db, round_id, previous_id)))
