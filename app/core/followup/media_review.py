"""New-media review (政务新媒体检查): the per-account observations of a round and their findings.

GUI thread: ``ReviewSession.rows()`` loads the grid, ``ReviewSession.save()`` stores one edit
and syncs that account's findings. Menu URL tests fetch, so they run in a worker
(``check_menu_items``) and the result is saved like any edit. The rules live in media_rules.py.

Each proposal becomes a 待审核 finding (source 人工 or 导入) with a fingerprint per account and
entry, so saving again updates it; a 待审核 finding whose entry was removed is withdrawn
(deleted); a reviewed one is kept as the reviewer left it.
"""
from __future__ import annotations

from dataclasses import replace

import sqlite_utils

from ..crawl import linkcheck
from ..errors import ValidationError
from ..rounds import findings as findings_mod
from ..rounds.rounds import RoundClosedError, mark_checked as mark_targets_checked
from ..store import audit
from ..store.db import transaction
from .media_rules import (
    INDICATORS, OBS_FIELDS, MenuItem, Observation, Proposal, ReviewRow, SaveResult, menu_from, obs_columns, stored_kind,
    apply_changes, days_since_update, observation_from_row, proposal_fingerprint, propose,
)


# ---------------------------------------------------------------- the session

_ROWS_SQL = """
    SELECT t.id, t.round_id, t.sort_order, t.target_key, t.name, t.platform,
           COALESCE(json_extract(t.snapshot, '$.account_id'), '') AS platform_account_id,
           t.region_name, t.unit_name, t.url, t.review_state, t.review_note,
           o.id AS obs_id, o.last_update, o.posts_in_period, o.interaction_ok, o.ads_seen, o.unrelated_content,
           o.menu_items, o.wording_errors, o.notes, o.updated_at
    FROM round_targets t
    LEFT JOIN media_observations o ON o.round_id = t.round_id AND o.target_id = t.id
    WHERE t.round_id = ? AND t.target_type = 'account'"""
_COUNT_SQL = """SELECT target_id, COUNT(*) FROM findings
                WHERE round_id = ? AND kind LIKE 'media.%' AND status != '误报' {extra} GROUP BY target_id"""
# Findings the grid did not propose: automatic checks, imports, manual entries, 名录规范.
_OTHERS_SQL = """SELECT target_id, indicator_id, source, status FROM findings
                 WHERE round_id = ? AND kind NOT LIKE 'media.%' AND status != '误报' {extra} ORDER BY id"""


class ReviewSession:
    """The review grid's access to one round: load rows, save one edit (GUI thread, own connection)."""

    def __init__(self, db: sqlite_utils.Database, round_id: int):
        self.db = db
        row = db.conn.execute("SELECT as_of, name FROM rounds WHERE id = ?", (round_id,)).fetchone()
        if row is None:
            raise ValidationError({"检查轮次": f"编号 {round_id} 不存在"})
        self.round_id = round_id
        self.as_of: str = row[0]
        self.round_name: str = row[1]
        self._indicators: dict[str, str | None] | None = None

    # ---- reading
    def _others(self, extra: str = "", args: tuple = ()) -> dict[int, tuple[str, ...]]:
        """target id -> "指标（来源·状态）" of its findings from other sources."""
        rows = self.db.conn.execute(_OTHERS_SQL.format(extra=extra), (self.round_id, *args)).fetchall()
        if not rows:
            return {}
        index = findings_mod.IndicatorIndex.for_round(self.db, self.round_id)
        out: dict[int, list[str]] = {}
        for tid, indicator, source, status in rows:
            ind = index.get(indicator)
            out.setdefault(tid, []).append(f"{ind.name if ind else indicator}（{source}·{status}）")
        return {tid: tuple(labels) for tid, labels in out.items()}

    def _row(self, r: tuple, counts: dict[int, int], others: dict | None = None) -> ReviewRow:
        (tid, rid, order, key, name, platform, pid, region, unit, url, state, note,
         obs_id, *obs_cols, updated_at) = r
        obs = observation_from_row(dict(zip(
            ("last_update", "posts_in_period", "interaction_ok", "ads_seen", "unrelated_content",
             "menu_items", "wording_errors", "notes"), obs_cols))) if obs_id else Observation()
        return ReviewRow(tid, rid, order, key, name, platform, pid or "", region, unit, url, state, note,
                         obs_id is not None, obs, updated_at or "", days_since_update(obs, self.as_of),
                         tuple(stored_kind(p.kind) for p in propose(obs, self.as_of)), counts.get(tid, 0),
                         (others or {}).get(tid, ()))

    def rows(self) -> list[ReviewRow]:
        """Every account target of the round with its observation, in registry order."""
        counts = dict(self.db.conn.execute(_COUNT_SQL.format(extra=""), (self.round_id,)).fetchall())
        others = self._others()
        cur = self.db.conn.execute(_ROWS_SQL + " ORDER BY t.sort_order, t.id", (self.round_id,))
        return [self._row(r, counts, others) for r in cur.fetchall()]

    def row(self, target_id: int) -> ReviewRow:
        """One row again (after a save, for the model's dataChanged)."""
        r = self.db.conn.execute(_ROWS_SQL + " AND t.id = ?", (self.round_id, target_id)).fetchone()
        if r is None:
            raise ValidationError({"检查对象": f"编号 {target_id} 不是本轮的新媒体账号"})
        counts = dict(self.db.conn.execute(_COUNT_SQL.format(extra="AND target_id = ?"),
                                           (self.round_id, target_id)).fetchall())
        return self._row(r, counts, self._others("AND target_id = ?", (target_id,)))

    def observation(self, target_id: int) -> Observation:
        r = self.db.conn.execute(
            "SELECT * FROM media_observations WHERE round_id = ? AND target_id = ?", (self.round_id, target_id))
        cols = [c[0] for c in r.description]
        row = r.fetchone()
        return observation_from_row(dict(zip(cols, row)) if row else None)

    # ---- writing
    def indicators(self) -> dict[str, str | None]:
        """Kind -> indicator id in the round's rule set (None: no matching item)."""
        if self._indicators is None:
            index = findings_mod.IndicatorIndex.for_round(self.db, self.round_id)
            out = {}
            for kind, candidates in INDICATORS.items():
                hit = next((c for c in candidates if (i := index.get(c)) and i.applies_to == "account"), None)
                out[kind] = hit
            self._indicators = out
        return self._indicators

    def _ensure_open(self) -> None:
        row = self.db.conn.execute("SELECT status FROM rounds WHERE id = ?", (self.round_id,)).fetchone()
        if row and row[0] == "closed":
            raise RoundClosedError(f"检查轮次“{self.round_name}”已关闭，不能修改。如需修改，请先重新打开并说明原因。")

    def save(self, target_id: int, changes: dict | Observation, *, source: str = "人工",
             mark_checked: bool = True, who: str | None = None) -> SaveResult:
        """Store one edit (a dict of changed fields, or a whole Observation) and sync findings."""
        who = who or audit.current_user(self.db)
        with transaction(self.db):
            self._ensure_open()
            target = self.db.conn.execute(
                "SELECT target_key, review_state FROM round_targets WHERE id = ? AND round_id = ?"
                " AND target_type = 'account'", (target_id, self.round_id)).fetchone()
            if target is None:
                raise ValidationError({"检查对象": f"编号 {target_id} 不是本轮的新媒体账号"})
            old = self.observation(target_id)
            if isinstance(changes, Observation):      # a whole observation is validated field by field too
                changes = {k: getattr(changes, k) for k in OBS_FIELDS}
            new = apply_changes(old, changes)
            sync = self._store(target_id, target[0], old, new, source, who)
            if mark_checked:
                mark_targets_checked(self.db, [target_id], "新媒体审核", who)
        return SaveResult(self.row(target_id), *sync)

    def _store(self, target_id: int, target_key: str, old: Observation, new: Observation, source: str,
               who: str, rules=None) -> tuple[tuple, tuple, tuple, tuple]:
        """Write the observation (if changed) and sync findings (caller's transaction)."""
        at = audit.now()
        cols = obs_columns(new)
        old_cols = obs_columns(old)
        changed = {k: v for k, v in cols.items() if old_cols[k] != v}
        exists = self.db.conn.execute("SELECT 1 FROM media_observations WHERE round_id = ? AND target_id = ?",
                                      (self.round_id, target_id)).fetchone()
        if changed or not exists:
            names = list(cols)
            self.db.conn.execute(
                f"INSERT INTO media_observations(round_id, target_id, {', '.join(names)}, updated_at)"
                f" VALUES (?, ?, {', '.join('?' * len(names))}, ?)"
                f" ON CONFLICT(round_id, target_id) DO UPDATE SET "
                + ", ".join(f"{n} = excluded.{n}" for n in names) + ", updated_at = excluded.updated_at",
                [self.round_id, target_id, *cols.values(), at])
            audit.log(self.db, "media_observations", target_id, "update" if exists else "insert",
                      {k: old_cols[k] for k in changed} if exists else None, changed or cols, who)
        return self._sync_findings(target_id, target_key, new, source, who, at, rules)

    def _sync_findings(self, target_id: int, target_key: str, obs: Observation, source: str, who: str,
                       at: str, rules=None) -> tuple[tuple, tuple, tuple, tuple]:
        indicators = self.indicators()
        desired: dict[str, tuple[Proposal, str]] = {}
        unmapped: list[str] = []
        for p in propose(obs, self.as_of):
            ind = indicators.get(p.kind)
            if ind is None:
                unmapped.append(stored_kind(p.kind))
                continue
            desired[proposal_fingerprint(target_key, p)] = (p, ind)
        cur = self.db.conn.execute(
            "SELECT id, fingerprint, status, indicator_id, detail, url, snippet, evidence_text, screenshot_path"
            " FROM findings WHERE target_id = ? AND kind LIKE 'media.%'", (target_id,))
        existing = {r[1]: r for r in cur.fetchall()}
        added, updated, withdrawn, log = [], [], [], []
        new_rows = []
        for fp, (p, ind) in desired.items():
            values = {"indicator_id": ind, "detail": p.detail, "url": p.url, "snippet": p.snippet,
                      "evidence_text": p.evidence_text, "screenshot_path": p.screenshot_path}
            row = existing.get(fp)
            if row is None:
                new_rows.append({"round_id": self.round_id, "target_id": target_id, "kind": stored_kind(p.kind),
                                 "source": source, "status": "待审核", "count": 1, "deduct": None, "page": "",
                                 "detected_at": at, "reviewer_note": "", "run_id": None, "fingerprint": fp,
                                 "_target_key": target_key, **values})
                continue
            old = dict(zip(("indicator_id", "detail", "url", "snippet", "evidence_text", "screenshot_path"), row[3:]))
            diff = {k: v for k, v in values.items() if old[k] != v}
            if diff:
                self.db.conn.execute(f"UPDATE findings SET {', '.join(f'{k} = ?' for k in diff)} WHERE id = ?",
                                     [*diff.values(), row[0]])
                log.append(("findings", row[0], "update", {k: old[k] for k in diff}, diff))
                updated.append(row[0])
        for fp, row in existing.items():
            if fp not in desired and row[2] == "待审核":
                self.db.conn.execute("DELETE FROM findings WHERE id = ?", (row[0],))
                log.append(("findings", row[0], "withdraw", {"fingerprint": fp, "detail": row[4]}, None))
                withdrawn.append(row[0])
        if new_rows:
            if rules is None:
                rules = findings_mod.list_whitelist_rules(self.db, active_only=True)
            # insert_rows applies whitelist rules and writes the audit entries, like add_finding.
            added = findings_mod.insert_rows(self.db, new_rows, rules, who, "insert")
        audit.log_many(self.db, log, who)
        return tuple(added), tuple(updated), tuple(withdrawn), tuple(dict.fromkeys(unmapped))


# ---------------------------------------------------------------- module-level API

def load_review_rows(db: sqlite_utils.Database, round_id: int) -> list[ReviewRow]:
    """All account rows of a round for the review grid."""
    return ReviewSession(db, round_id).rows()


def save_observation(db: sqlite_utils.Database, target_id: int, changes: dict | Observation, *,
                     source: str = "人工", mark_checked: bool = True, who: str | None = None) -> SaveResult:
    """Store one account's edit and sync its findings (one transaction)."""
    row = db.conn.execute("SELECT round_id FROM round_targets WHERE id = ?", (target_id,)).fetchone()
    if row is None:
        raise ValidationError({"检查对象": f"编号 {target_id} 不存在"})
    return ReviewSession(db, row[0]).save(target_id, changes, source=source, mark_checked=mark_checked, who=who)


def check_menu_items(items, fetch=None, cancel=None) -> tuple[MenuItem, ...]:
    """Fetch the http(s) menu links (worker thread, no DB): 2xx/3xx → ok, else failed.

    Items without an http(s) link keep the inspector's own result.
    """
    items = tuple(menu_from(m) for m in items)
    urls = [m.url for m in items if linkcheck.is_http(m.url)]
    if not urls:
        return items
    results = linkcheck.fetch_all(urls, fetch, cancel=cancel)
    out = []
    for m in items:
        r = results.get(m.url)
        if r is None:
            out.append(m)
        else:
            out.append(replace(m, ok=r.ok, http_status=r.status, checked_at=r.fetched_at,
                               error="" if r.ok else (r.error or f"HTTP {r.status}")))
    return tuple(out)


def run_menu_tests(db: sqlite_utils.Database, target_id: int, fetch=None, who: str | None = None) -> SaveResult:
    """Fetch the account's http(s) menu links and save the results (CLI and tests; the GUI splits it)."""
    row = db.conn.execute("SELECT round_id FROM round_targets WHERE id = ?", (target_id,)).fetchone()
    if row is None:
        raise ValidationError({"检查对象": f"编号 {target_id} 不存在"})
    session = ReviewSession(db, row[0])
    items = check_menu_items(session.observation(target_id).menu_items, fetch)
    return session.save(target_id, {"menu_items": items}, who=who)
