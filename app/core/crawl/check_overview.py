"""Where a round's automated checks stand, per site: the latest run result and machine findings by kind.

Read-only helpers for the 自动检查 page (and anyone else who wants the same view); the
runs themselves are in jobs.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from ..checks.catalog import CHECKS
from ..rounds import rounds
from .jobs import FINISHED_STATES, RunInfo, list_runs

UNFINISHED_RUN_STATES = ("running", "paused", "cancelled", "failed")


@dataclass(frozen=True)
class SiteOverview:
    """One site of a round as the latest check run that included it left it."""

    target_id: int
    site_key: str
    name: str
    url: str
    state: str = ""             # "" never checked; pending/running/done/unreachable/failed; "resumable"
    run_id: int | None = None
    checked_at: str = ""        # start of that run
    pages: int = 0
    findings: int = 0           # new findings written by that run
    error: str = ""
    elapsed: float = 0.0
    by_kind: tuple[tuple[str, int], ...] = ()   # (check label, count) of the round's machine findings


def kind_label(kind: str) -> str:
    spec = CHECKS.get(kind)
    return spec.label_zh if spec else (kind or "其他")


def findings_by_kind(db: sqlite_utils.Database, round_id: int,
                     target_id: int | None = None) -> dict[int, tuple[tuple[str, int], ...]]:
    """Machine findings (自动, not 误报) of a round per target: ((label, count), …), most frequent first."""
    sql = ("SELECT target_id, kind, COUNT(*) FROM findings WHERE round_id = ? AND source = '自动' "
           "AND status != '误报'")
    args: list = [round_id]
    if target_id is not None:
        sql += " AND target_id = ?"
        args.append(target_id)
    per: dict[int, dict[str, int]] = {}
    for tid, kind, n in db.conn.execute(sql + " GROUP BY target_id, kind", args):
        label = kind_label(kind)
        d = per.setdefault(tid, {})
        d[label] = d.get(label, 0) + n
    return {tid: tuple(sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))) for tid, d in per.items()}


def unfinished_run(db: sqlite_utils.Database, round_id: int) -> RunInfo | None:
    """The round's latest run when it did not finish (cancelled, failed, paused or killed)."""
    runs = list_runs(db, round_id)
    return runs[0] if runs and runs[0].state in UNFINISHED_RUN_STATES else None


def site_overview(db: sqlite_utils.Database, round_id: int, max_runs: int = 50,
                  with_kinds: bool = True) -> list[SiteOverview]:
    """Every site target of the round (round order) with the latest run that included it, and
    (``with_kinds``) its machine findings by kind.

    A site the latest unfinished run has not reached yet shows as "resumable".
    """
    targets = rounds.round_targets(db, round_id, "site")
    kinds = findings_by_kind(db, round_id) if with_kinds else {}
    latest: dict[str, tuple] = {}
    rows = db.conn.execute("SELECT id, started_at, state, params, summary FROM check_runs WHERE round_id = ? "
                           "ORDER BY id DESC LIMIT ?", (round_id, max_runs)).fetchall()
    all_keys = [t.target_key for t in targets]
    for run_id, started, run_state, params, summary in rows:
        p, s = _json(params), _json(summary)
        sites = s.get("sites") or {}
        for key in p.get("site_keys") or all_keys:
            if key not in latest:
                latest[key] = (run_id, started, run_state, sites.get(key) or {})
        if len(latest) == len(all_keys):
            break
    out = []
    for t in targets:
        if t.target_key not in latest:
            out.append(SiteOverview(t.id, t.target_key, t.name, t.url, by_kind=kinds.get(t.id, ())))
            continue
        run_id, started, run_state, d = latest[t.target_key]
        state = d.get("state") or "pending"
        if state not in FINISHED_STATES and run_state in UNFINISHED_RUN_STATES:
            state = "resumable"
        out.append(SiteOverview(
            t.id, t.target_key, t.name, t.url, state=state, run_id=run_id, checked_at=started or "",
            pages=int(d.get("pages") or 0), findings=int(d.get("findings") or 0), error=d.get("error") or "",
            elapsed=float(d.get("elapsed") or 0.0), by_kind=kinds.get(t.id, ())))
    return out


def _json(text: str | None) -> dict:
    try:
        d = json.loads(text or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}
