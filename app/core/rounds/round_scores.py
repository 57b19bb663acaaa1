"""Score a whole round from the DB: one query per table, then the pure scorer.

Reads rounds (profile_snapshot if present, else the named rule set), round_targets and
the round's confirmed findings; writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from ..errors import GovInspectError
from . import profiles as pf
from .scoring import (CHECKED, CONFIRMED, Counts, RoundSummary, Scorer, ScoredTarget,
                      TargetSpec, TypeSummary, summarize)


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    kind: str
    as_of: str
    status: str
    profile_id: str
    profile_version: str


@dataclass(frozen=True)
class RoundScores:
    round: RoundInfo
    targets: tuple[ScoredTarget, ...]
    summary: RoundSummary
    profiles: dict            # target_type -> Profile used
    unverified_used: bool     # some counted target used an unverified number


_ROUND_SQL = ("SELECT id, name, kind, as_of, status, profile_id, profile_version, profile_snapshot "
              "FROM rounds WHERE id = ?")
_TARGETS_SQL = ("SELECT id, target_type, target_key, name, platform, category, is_portal, has_external_service, "
                "region_name, review_state FROM round_targets WHERE round_id = ? "
                "ORDER BY CASE target_type WHEN 'site' THEN 0 ELSE 1 END, sort_order, id")
_FINDINGS_SQL = "SELECT target_id, indicator_id, count, deduct FROM findings WHERE round_id = ? AND status = ?"


def round_profiles(db: sqlite_utils.Database, profile_id: str, snapshot: str | None) -> dict[str, pf.Profile]:
    """The profiles a round scores with: its snapshot, else the current rule set."""
    if snapshot:
        return pf.profiles_from_snapshot(snapshot)
    return pf.profile_set(db, profile_id)


def profiles_for_round(db: sqlite_utils.Database, round_id: int) -> dict[str, pf.Profile]:
    """target_type -> profile a round scores with (its frozen snapshot, else the current rule set)."""
    row = db.conn.execute("SELECT profile_id, profile_snapshot FROM rounds WHERE id = ?", (round_id,)).fetchone()
    if row is None:
        raise GovInspectError(f"未找到检查轮次“{round_id}”。")
    return round_profiles(db, row[0], row[1])


def score_round(db: sqlite_utils.Database, round_id: int, confirmed: list[tuple] | None = None,
                explain: bool = True) -> RoundScores:
    """Per-target scores and the summary of one round. ``confirmed``: the round's confirmed findings
    as (target_id, indicator_id, count, deduct) rows, when the caller has read them already;
    ``explain`` False: no explanation lines (figures over the whole round need none, and it is quicker)."""
    row = db.conn.execute(_ROUND_SQL, (round_id,)).fetchone()
    if row is None:
        raise GovInspectError(f"未找到检查轮次“{round_id}”。")
    info = RoundInfo(row[0], row[1], row[2], row[3], row[4], row[5], row[6] or "")
    profiles = round_profiles(db, row[5], row[7])
    scorers = {t: Scorer(p, explain) for t, p in profiles.items()}
    targets = db.conn.execute(_TARGETS_SQL, (round_id,)).fetchall()
    # Plain tuples in FindingInput's order: 50,000 of them are built here.
    findings: dict[int, list[tuple]] = {}
    if confirmed is None:
        confirmed = db.conn.execute(_FINDINGS_SQL, (round_id, CONFIRMED))
    for target_id, indicator_id, count, deduct, *_rest in confirmed:
        rows = findings.get(target_id)
        if rows is None:
            rows = findings[target_id] = []
        rows.append((indicator_id, count, deduct, CONFIRMED))
    specs: dict[tuple, TargetSpec] = {}
    by_type: dict[str, list[int]] = {}
    for n, (tid, ttype, _key, _name, _platform, _category, portal, service, _region, _review) in enumerate(targets):
        if ttype not in scorers:
            raise GovInspectError(f"轮次使用的规则集“{info.profile_id}”没有适用于{pf.TARGET_ZH[ttype]}的指标，无法计分。")
        by_type.setdefault(ttype, []).append(n)
    scores: list = [None] * len(targets)
    for ttype, positions in by_type.items():
        items = []
        for n in positions:
            tid, _t, _key, _name, _platform, _category, portal, service, _region, _review = targets[n]
            spec_key = (ttype, bool(portal), bool(service))
            spec = specs.get(spec_key) or specs.setdefault(spec_key, TargetSpec(*spec_key))
            items.append((spec, findings.get(tid, ())))
        for n, score in zip(positions, scorers[ttype].score_all(items)):
            scores[n] = score
    scored, unverified = [], False
    for (tid, ttype, key, name, platform, category, portal, service, region, review), score in zip(targets, scores):
        scored.append(ScoredTarget(key, name, ttype, region, category, platform, review, score))
        unverified |= score.unverified_used and review == CHECKED
    return RoundScores(info, tuple(scored), summarize(scored), profiles, unverified)


@dataclass(frozen=True)
class TargetResult:
    """One target's line on the 检查轮次 page: its result, score and problem counts."""
    target_id: int
    result: str                      # 合格/不合格 once checked, else 待检查/未检查
    final_score: float | None        # None until checked (and for targets scored on vetoes only)
    confirmed: int                   # confirmed findings
    to_review: int                   # 待审核 and 存疑 findings


def target_results(db: sqlite_utils.Database, round_id: int, scores: RoundScores | None = None
                   ) -> dict[int, TargetResult]:
    """target id -> TargetResult for every target of the round (scored now unless ``scores`` is given)."""
    scores = scores or score_round(db, round_id, explain=False)
    ids = {(t, k): i for i, t, k in db.conn.execute(
        "SELECT id, target_type, target_key FROM round_targets WHERE round_id = ?", (round_id,))}
    counts: dict[int, list[int]] = {}
    for tid, status, n in db.conn.execute(
            "SELECT target_id, status, COUNT(*) FROM findings WHERE round_id = ? GROUP BY 1, 2", (round_id,)):
        c = counts.setdefault(tid, [0, 0])
        if status == CONFIRMED:
            c[0] += n
        elif status in ("待审核", "存疑"):
            c[1] += n
    out = {}
    for t in scores.targets:
        tid = ids[(t.target_type, t.key)]
        confirmed, to_review = counts.get(tid, (0, 0))
        out[tid] = TargetResult(tid, t.result, t.score.final_score if t.checked else None, confirmed, to_review)
    return out


# ---------------------------------------------------------------- JSON document (CLI --json, exports)

def _rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _counts(c: Counts) -> dict:
    return {"checked": c.checked, "passed": c.passed, "failed": c.failed, "outstanding": c.outstanding,
            "pass_rate": _rate(c.pass_rate)}


def _type_doc(s: TypeSummary) -> dict:
    return {"total": s.total, **_counts(s.overall), "not_checked": len(s.not_checked),
            "not_checked_keys": list(s.not_checked), "pending": len(s.pending), "pending_keys": list(s.pending),
            "coverage": s.coverage,
            "by_region": {k: _counts(v) for k, v in s.by_region.items()},
            "by_category": {k: _counts(v) for k, v in s.by_category.items()},
            "by_platform": {k: _counts(v) for k, v in s.by_platform.items()}}


def _target_doc(t: ScoredTarget) -> dict:
    s, checked = t.score, t.checked
    return {
        "key": t.key, "name": t.name, "type": t.target_type, "region": t.region, "category": t.category,
        "platform": t.platform, "review_state": t.review_state,
        "result": t.result, "passed": s.passed if checked else None,
        "final_score": s.final_score if checked else None,
        "deduction_score": s.deduction_score if checked else None,
        "bonus_score": s.bonus_score if checked else None,
        "veto_ids": list(s.veto_ids), "scaled": s.scaled, "unverified_used": s.unverified_used,
        "deductions": [{"indicator_id": d.indicator_id, "name": d.name, "role": d.role, "count": d.count,
                        "points": d.points, "explanation": d.explanation, "unverified": d.unverified}
                       for d in s.deductions],
        "notes": list(s.notes),
    }


def to_document(scores: RoundScores) -> dict:
    """One JSON-ready dict: round, profiles, targets, summary {sites, accounts}."""
    r = scores.round
    return {
        "round": {"id": r.id, "name": r.name, "kind": r.kind, "as_of": r.as_of, "status": r.status,
                  "profile_id": r.profile_id, "profile_version": r.profile_version},
        "profiles": {t: {"id": p.id, "version": p.version, "name": p.name} for t, p in scores.profiles.items()},
        "unverified_used": scores.unverified_used,
        "targets": [_target_doc(t) for t in scores.targets],
        "summary": {"sites": _type_doc(scores.summary.sites), "accounts": _type_doc(scores.summary.accounts)},
    }
