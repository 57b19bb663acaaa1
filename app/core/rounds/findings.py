"""Findings of a round: add, review (确认/误报/存疑), whitelist, import, export — all audited.

A finding belongs to one frozen round target. A 误报 can be remembered as a whitelist
rule; active rules mark matching 待审核 findings as 误报 in later rounds.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from operator import itemgetter
from typing import Iterable, NamedTuple

import sqlite_utils

from ..errors import ValidationError
from ..registry import vocab
from ..registry.validation import text as cell_text
from ..store import audit
from ..store.db import transaction
from . import profiles
from .rounds import ensure_open, get_target, mark_checked

STATUSES = vocab.FINDING_STATUSES
SOURCES = ["自动", "人工", "导入"]
WHITELIST_NOTE = "白名单自动标记"
WHITELIST_REVIEWER = "白名单"
_STATUS_ALIASES = {"已确认": "确认", "属实": "确认", "是": "确认", "有效": "确认",
                   "不属实": "误报", "无效": "误报", "否": "误报",
                   "待确认": "待审核", "未审核": "待审核", "待定": "存疑", "疑似": "存疑"}
KIND_NAME = {"site": "网站", "account": "政务新媒体"}
TARGET_TYPES = ("site", "account")


@dataclass(frozen=True)
class Finding:
    id: int
    round_id: int
    target_id: int
    indicator_id: str
    kind: str
    source: str
    status: str
    count: int
    deduct: float | None
    url: str
    page: str
    detail: str
    snippet: str
    evidence_text: str
    screenshot_path: str
    detected_at: str
    reviewer: str
    reviewer_note: str
    reviewed_at: str | None
    whitelist_rule_id: int | None
    run_id: int | None
    fingerprint: str
    # From the round target (joined on read).
    target_type: str = ""
    target_key: str = ""
    target_name: str = ""
    region_name: str = ""
    unit_name: str = ""


@dataclass(frozen=True)
class WhitelistRule:
    id: int
    target_key: str
    kind: str
    url: str
    text: str
    note: str
    active: bool
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str                    # Chinese name
    applies_to: str              # 'site' or 'account'


# ---------------------------------------------------------------- indicators

def _name_key(text: str) -> str:
    return vocab._key(text or "").replace("“", "").replace("”", "").replace('"', "")


def _short_name(name: str) -> str:
    """The name without a trailing note in brackets: 可用性（首页及链接可用性） -> 可用性."""
    return re.sub(r"\([^()]*\)$", "", _name_key(name))


class IndicatorIndex:
    """Items of a round's rule set, found by id or Chinese name, per target type.

    Any item below the parts (an indicator, a veto clause, a deduction rule, a
    non-scoring issue) can carry findings; the part nodes themselves cannot.
    """

    def __init__(self, profile_set: dict[str, "profiles.Profile"]):
        self.by_id: dict[str, Indicator] = {}
        self.by_name: dict[tuple[str, str], list[Indicator]] = {}
        self.by_short: dict[tuple[str, str], list[Indicator]] = {}
        for target_type, profile in profile_set.items():
            for item in profile.walk():
                if item.level < 1:
                    continue
                ind = Indicator(item.id, item.name, target_type)
                self.by_id.setdefault(item.id, ind)
                self.by_name.setdefault((target_type, _name_key(item.name)), []).append(ind)
                self.by_short.setdefault((target_type, _short_name(item.name)), []).append(ind)

    @classmethod
    def for_round(cls, db: sqlite_utils.Database, round_id: int) -> "IndicatorIndex":
        """The rule set frozen with the round, else the current one of its profile id."""
        row = db.conn.execute("SELECT profile_id, profile_snapshot FROM rounds WHERE id = ?", (round_id,)).fetchone()
        if row is None:
            raise ValidationError({"检查轮次": f"编号 {round_id} 不存在"})
        profile_id, snapshot = row
        return cls(profiles.profiles_from_snapshot(snapshot) if snapshot else profiles.profile_set(db, profile_id))

    def get(self, item_id: str) -> Indicator | None:
        return self.by_id.get(item_id)

    def resolve(self, text: str, target_type: str | None) -> tuple[Indicator | None, str]:
        """(indicator, problem) for ``text`` on a target of ``target_type`` (None: not known)."""
        text = (text or "").strip()
        if not text:
            return None, "不能为空"
        ind = self.by_id.get(text)
        if ind is None:
            types = [target_type] if target_type else TARGET_TYPES
            for t in types:
                for index, key in ((self.by_name, _name_key(text)), (self.by_short, _short_name(text))):
                    hits = index.get((t, key), [])
                    if len(hits) > 1:
                        return None, f"指标名称“{text}”对应多个指标（{'、'.join(h.id for h in hits)}），请填写指标编号"
                    if hits:
                        ind = hits[0]
                        break
                if ind:
                    break
        if ind is None and target_type:
            other = self.resolve(text, None)[0]
            if other is not None and other.applies_to != target_type:
                ind = other
        if ind is None:
            return None, f"未知的指标“{text}”：应为本轮指标体系中的指标编号（如 web.veto.unreachable）或中文名称"
        if target_type and ind.applies_to != target_type:
            return None, (f"指标“{text}”用于{KIND_NAME[ind.applies_to]}，"
                          f"而该检查对象是{KIND_NAME[target_type]}")
        return ind, ""


# ---------------------------------------------------------------- reading

_FINDING_FIELDS = {f.name for f in fields(Finding)}
_SELECT = """SELECT f.*, t.target_type, t.target_key, t.name AS target_name, t.region_name, t.unit_name
             FROM findings f JOIN round_targets t ON t.id = f.target_id"""


def _to_finding(row: dict) -> Finding:
    return Finding(**{k: v for k, v in row.items() if k in _FINDING_FIELDS})


def _query(db: sqlite_utils.Database, where: str, args: list) -> list[Finding]:
    cur = db.conn.execute(f"{_SELECT} WHERE {where} ORDER BY t.sort_order, t.id, f.id", args)
    cols = [c[0] for c in cur.description]
    return [_to_finding(dict(zip(cols, r))) for r in cur.fetchall()]


def get_finding(db: sqlite_utils.Database, finding_id: int) -> Finding:
    rows = _query(db, "f.id = ?", [finding_id])
    if not rows:
        raise ValidationError({"问题": f"编号 {finding_id} 不存在"})
    return rows[0]


def list_findings(db: sqlite_utils.Database, round_id: int, status: str | None = None, kind: str | None = None,
                  region: str | None = None, target_id: int | None = None,
                  indicator_id: str | None = None) -> list[Finding]:
    """Findings of a round in target order, optionally filtered; each carries its target."""
    where, args = ["f.round_id = ?"], [round_id]
    for column, value in (("f.status", status), ("f.kind", kind), ("t.region_name", region),
                          ("f.target_id", target_id), ("f.indicator_id", indicator_id)):
        if value is not None and value != "":
            where.append(f"{column} = ?")
            args.append(value)
    return _query(db, " AND ".join(where), args)


def get_findings(db: sqlite_utils.Database, finding_ids: Iterable[int]) -> list[Finding]:
    """Several findings by id in one query (missing ids are left out), in target order."""
    ids = list(dict.fromkeys(int(i) for i in finding_ids))
    out: list[Finding] = []
    for start in range(0, len(ids), 500):          # stay under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        out += _query(db, f"f.id IN ({', '.join('?' * len(chunk))})", chunk)
    return out


# ---------------------------------------------------------------- review queue (bulk reading)

class QueueField:
    """Positions in a review-queue row.

    Queue rows are plain tuples, not dataclasses: 50,000 of them must load in well under
    300 ms for the review page, and building an object per row costs a third of that.
    """
    ID, TARGET_ID, STATUS, INDICATOR_ID, KIND, COUNT, URL, TEXT, SOURCE, WHITELIST_RULE_ID, REVIEWER_NOTE = range(11)


class QueueTarget(NamedTuple):
    """The round target a queue row points at (one per target, not per finding)."""
    id: int
    target_type: str
    target_key: str
    name: str
    region_name: str
    unit_name: str
    url: str
    review_state: str


@dataclass(frozen=True)
class ReviewQueue:
    """All findings of a round as rows (see QueueField) plus their targets by id."""
    round_id: int | None
    rows: list[tuple]
    targets: dict[int, QueueTarget]


# TEXT is the detail, else the snippet: what the reviewer reads in one line.
_QUEUE_SELECT = ("SELECT id, target_id, status, indicator_id, kind, count, url, "
                 "CASE WHEN detail != '' THEN detail ELSE snippet END, source, whitelist_rule_id, reviewer_note "
                 "FROM findings")


def review_queue(db: sqlite_utils.Database, round_id: int) -> ReviewQueue:
    """Every finding of a round for the review queue: two queries, rows ordered by target then id.

    Targets are numbered in round order when the round is created, so ordering by
    target_id keeps one target's findings together without joining the targets table.
    """
    targets = {r[0]: QueueTarget(*r) for r in db.conn.execute(
        "SELECT id, target_type, target_key, name, region_name, unit_name, url, review_state "
        "FROM round_targets WHERE round_id = ?", (round_id,))}
    rows = db.conn.execute(f"{_QUEUE_SELECT} WHERE round_id = ?", (round_id,)).fetchall()
    # Sorted here, not by ORDER BY: SQLite sorts all rows in a temp B-tree, while two stable
    # sorts on one int each take ~10 ms (and less on the usual input: a check run writes
    # its findings site by site).
    rows.sort(key=itemgetter(QueueField.ID))
    rows.sort(key=itemgetter(QueueField.TARGET_ID))
    return ReviewQueue(round_id, rows, targets)


def review_rows(db: sqlite_utils.Database, finding_ids: Iterable[int] = (),
                target_ids: Iterable[int] = ()) -> list[tuple]:
    """Queue rows (see QueueField) of some findings and/or of every finding of some targets."""
    out: dict[int, tuple] = {}
    for column, values in (("id", list(finding_ids)), ("target_id", list(target_ids))):
        for start in range(0, len(values), 500):
            chunk = [int(v) for v in values[start:start + 500]]
            for row in db.conn.execute(f"{_QUEUE_SELECT} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk):
                out[row[0]] = row
    return sorted(out.values(), key=lambda r: (r[QueueField.TARGET_ID], r[QueueField.ID]))


# ---------------------------------------------------------------- whitelist

def list_whitelist_rules(db: sqlite_utils.Database, active_only: bool = False) -> list[WhitelistRule]:
    sql = "SELECT * FROM whitelist_rules" + (" WHERE active = 1" if active_only else "") + " ORDER BY id"
    cur = db.conn.execute(sql)
    cols = [c[0] for c in cur.description]
    out = []
    for r in cur.fetchall():
        d = dict(zip(cols, r))
        d["active"] = bool(d["active"])
        out.append(WhitelistRule(**d))
    return out


def add_whitelist_rule(db: sqlite_utils.Database, target_key: str, url: str = "", text: str = "",
                       kind: str = "", note: str = "", who: str | None = None) -> int:
    """Remember a false positive: findings of ``target_key`` with this url and/or text (and kind)."""
    target_key, url, text, kind = (target_key or "").strip(), (url or "").strip(), (text or "").strip(), (kind or "").strip()
    problems = {}
    if not target_key:
        problems["检查对象"] = "不能为空"
    if not url and not text:
        # A rule with neither would silence every finding of the target: too broad.
        problems["白名单"] = "链接和文字至少填写一项"
    if problems:
        raise ValidationError(problems)
    who = who or audit.current_user(db)
    values = {"target_key": target_key, "kind": kind, "url": url, "text": text, "note": note or "",
              "active": 1, "created_by": who, "created_at": audit.now()}
    with transaction(db):
        cur = db.conn.execute(f"INSERT INTO whitelist_rules({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                              list(values.values()))
        audit.log(db, "whitelist_rules", cur.lastrowid, "insert", None, values, who)
    return cur.lastrowid


def whitelist_from_finding(db: sqlite_utils.Database, finding_id: int, note: str = "", match_kind: bool = True,
                           who: str | None = None) -> int:
    """A whitelist rule from a finding (its target, url and snippet or detail); returns the rule id."""
    f = get_finding(db, finding_id)
    return add_whitelist_rule(db, f.target_key, f.url, f.snippet or f.detail, f.kind if match_kind else "",
                              note, who)


def set_rule_active(db: sqlite_utils.Database, rule_id: int, active: bool, who: str | None = None) -> None:
    """Switch a whitelist rule off (or on again); rules are never deleted."""
    row = db.conn.execute("SELECT active FROM whitelist_rules WHERE id = ?", (rule_id,)).fetchone()
    if row is None:
        raise ValidationError({"白名单": f"编号 {rule_id} 不存在"})
    with transaction(db):
        db.conn.execute("UPDATE whitelist_rules SET active = ? WHERE id = ?", (int(active), rule_id))
        audit.log(db, "whitelist_rules", rule_id, "update", {"active": bool(row[0])}, {"active": bool(active)}, who)


def _matching_rule(rules: list[WhitelistRule], target_key: str, kind: str, url: str,
                   texts: Iterable[str]) -> WhitelistRule | None:
    texts = [t for t in texts if t]
    for rule in rules:
        if rule.target_key != target_key:
            continue
        if rule.kind and rule.kind != kind:
            continue
        if rule.url and rule.url != (url or "").strip():
            continue
        if rule.text and not any(rule.text in t for t in texts):
            continue
        return rule
    return None


def apply_whitelist(db: sqlite_utils.Database, round_id: int, who: str | None = None) -> int:
    """Mark 待审核 findings of a round that match an active rule as 误报; returns how many."""
    with transaction(db):
        ensure_open(db, round_id)
        rules = list_whitelist_rules(db, active_only=True)
        if not rules:
            return 0
        at = audit.now()
        log = []
        for f in list_findings(db, round_id, status="待审核"):
            rule = _matching_rule(rules, f.target_key, f.kind, f.url, (f.snippet, f.detail, f.evidence_text))
            if rule is None:
                continue
            db.conn.execute(
                "UPDATE findings SET status = '误报', whitelist_rule_id = ?, reviewer = ?, reviewer_note = ?,"
                " reviewed_at = ? WHERE id = ?", (rule.id, WHITELIST_REVIEWER, WHITELIST_NOTE, at, f.id))
            log.append(("findings", f.id, "whitelist", {"status": f.status},
                        {"status": "误报", "whitelist_rule_id": rule.id, "reviewer_note": WHITELIST_NOTE}))
        audit.log_many(db, log, who)
    return len(log)


# ---------------------------------------------------------------- writing

def fingerprint(target_key: str, indicator_id: str, kind: str, url: str, text: str) -> str:
    """Same problem seen again (same target, item, kind, url and text) -> same fingerprint."""
    norm = re.sub(r"\s+", " ", text or "").strip()
    raw = "\x1f".join([target_key, indicator_id, kind or "", (url or "").strip(), norm])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def positive_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 1 else None
    t = cell_text(value)
    if re.fullmatch(r"\d+", t) and int(t) >= 1:
        return int(t)
    if re.fullmatch(r"\d+\.0+", t) and int(float(t)) >= 1:
        return int(float(t))
    return None


def normalise_status(text) -> str | None:
    t = cell_text(text)
    if t in STATUSES:
        return t
    return _STATUS_ALIASES.get(t)


def insert_rows(db: sqlite_utils.Database, rows: list[dict], rules: list[WhitelistRule], who: str,
            action: str) -> list[int]:
    """Insert prepared finding rows (caller's transaction), applying whitelist rules to 待审核 ones."""
    ids, log = [], []
    for row in rows:
        target_key = row.pop("_target_key")
        row.setdefault("fingerprint", "")
        if not row["fingerprint"]:
            row["fingerprint"] = fingerprint(target_key, row["indicator_id"], row["kind"], row["url"],
                                             row["snippet"] or row["detail"])
        if row["status"] == "待审核":
            rule = _matching_rule(rules, target_key, row["kind"], row["url"],
                                  (row["snippet"], row["detail"], row["evidence_text"]))
            if rule is not None:
                row.update(status="误报", whitelist_rule_id=rule.id, reviewer=WHITELIST_REVIEWER,
                           reviewer_note=WHITELIST_NOTE, reviewed_at=row["detected_at"])
        elif not row.get("reviewer"):
            row.update(reviewer=who, reviewed_at=row["detected_at"])
        cols = list(row)
        cur = db.conn.execute(f"INSERT INTO findings({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              [row[c] for c in cols])
        ids.append(cur.lastrowid)
        log.append(("findings", cur.lastrowid, action, None, {**row, "target_key": target_key}))
    audit.log_many(db, log, who)
    return ids


def add_finding(db: sqlite_utils.Database, round_id: int, target_id: int, indicator_id: str, kind: str = "",
                source: str = "人工", status: str = "待审核", count: int = 1, url: str = "", page: str = "",
                detail: str = "", snippet: str = "", evidence_text: str = "", screenshot_path: str = "",
                reviewer_note: str = "", *, deduct: float | None = None, run_id: int | None = None,
                fingerprint: str = "", detected_at: str | None = None, who: str | None = None) -> int:
    """Record one finding on a target of an open round; active whitelist rules apply to 待审核."""
    target = get_target(db, target_id)
    problems = {}
    if target.round_id != round_id:
        problems["检查对象"] = f"“{target.name}”不属于轮次 {round_id}"
    if source not in SOURCES:
        problems["来源"] = f"未知的来源“{source}”，应为：{'、'.join(SOURCES)}"
    if status not in STATUSES:
        problems["状态"] = f"未知的状态“{status}”，应为：{'、'.join(STATUSES)}"
    n = positive_int(count)
    if n is None:
        problems["数量"] = f"“{count}”应为正整数"
    ind, problem = IndicatorIndex.for_round(db, round_id).resolve(indicator_id, target.target_type)
    if problem:
        problems["指标"] = problem
    if problems:
        raise ValidationError(problems)
    who = who or audit.current_user(db)
    row = {"round_id": round_id, "target_id": target_id, "indicator_id": ind.id, "kind": kind or "",
           "source": source, "status": status, "count": n, "deduct": deduct, "url": (url or "").strip(),
           "page": page or "", "detail": detail or "", "snippet": snippet or "", "evidence_text": evidence_text or "",
           "screenshot_path": screenshot_path or "", "detected_at": detected_at or audit.now(),
           "reviewer_note": reviewer_note or "", "run_id": run_id, "fingerprint": fingerprint or "",
           "_target_key": target.target_key}
    with transaction(db):
        ensure_open(db, round_id)
        fid = insert_rows(db, [row], list_whitelist_rules(db, active_only=True), who, "insert")[0]
        if source == "人工":           # the inspector looked at the target: it counts as checked
            mark_checked(db, [target_id], "人工问题", who)
        return fid


@dataclass(frozen=True)
class BulkAdd:
    """Outcome of add_findings: ids inserted, and ids of findings already in the round."""
    added: list[int]
    existing: list[int]


def add_findings(db: sqlite_utils.Database, round_id: int, rows: Iterable[dict], run_id: int | None = None,
                 who: str | None = None) -> BulkAdd:
    """Add machine findings (自动, 待审核) of a check run in one transaction (joins the caller's).

    Each row: target_id, indicator_id, kind, and optionally url, page, detail, snippet, count,
    evidence_text, screenshot_path, fingerprint. A row whose fingerprint the target already has in this round
    (whatever its review state) is not added again, so a re-run does not duplicate findings.
    Active whitelist rules mark matching rows 误报.
    """
    rows = list(rows)
    if not rows:
        return BulkAdd([], [])
    who = who or audit.current_user(db)
    at = audit.now()
    with transaction(db):
        ensure_open(db, round_id)
        index = IndicatorIndex.for_round(db, round_id)
        keys = dict(db.conn.execute("SELECT id, target_key FROM round_targets WHERE round_id = ?", (round_id,)))
        prepared, existing, batch_seen = [], [], {}
        for r in rows:
            target_id = r["target_id"]
            if target_id not in keys:
                raise ValidationError({"检查对象": f"编号 {target_id} 不属于轮次 {round_id}"})
            if index.get(r["indicator_id"]) is None:
                raise ValidationError({"指标": f"未知的指标“{r['indicator_id']}”"})
            row = {"round_id": round_id, "target_id": target_id, "indicator_id": r["indicator_id"],
                   "kind": r.get("kind") or "", "source": "自动", "status": "待审核",
                   "count": positive_int(r.get("count", 1)) or 1, "deduct": None,
                   "url": (r.get("url") or "").strip(), "page": r.get("page") or "", "detail": r.get("detail") or "",
                   "snippet": r.get("snippet") or "", "evidence_text": r.get("evidence_text") or "",
                   "screenshot_path": r.get("screenshot_path") or "", "detected_at": r.get("detected_at") or at,
                   "reviewer_note": "",
                   "run_id": run_id, "_target_key": keys[target_id]}
            fp = r.get("fingerprint") or fingerprint(keys[target_id], row["indicator_id"], row["kind"], row["url"],
                                                     row["snippet"] or row["detail"])
            row["fingerprint"] = fp
            hit = db.conn.execute("SELECT id FROM findings WHERE round_id = ? AND fingerprint = ? AND target_id = ?"
                                  " LIMIT 1", (round_id, fp, target_id)).fetchone()
            if hit is None and (target_id, fp) in batch_seen:
                continue
            if hit is not None:
                existing.append(hit[0])
                continue
            batch_seen[(target_id, fp)] = True
            prepared.append(row)
        added = insert_rows(db, prepared, list_whitelist_rules(db, active_only=True), who, "check") if prepared else []
    return BulkAdd(added, existing)


def set_status(db: sqlite_utils.Database, finding_ids: Iterable[int], status: str, note: str = "",
               who: str | None = None) -> int:
    """Review findings in a batch (确认/误报/存疑/待审核); stamps reviewer and time; returns how many."""
    if status not in STATUSES:
        raise ValidationError({"状态": f"未知的状态“{status}”，应为：{'、'.join(STATUSES)}"})
    ids = list(dict.fromkeys(int(i) for i in finding_ids))
    who = who or audit.current_user(db)
    with transaction(db):
        found = {f.id: f for f in (_query(db, f"f.id IN ({', '.join('?' * len(ids))})", ids) if ids else [])}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise ValidationError({"问题": f"编号 {'、'.join(missing)} 不存在"})
        for round_id in sorted({f.round_id for f in found.values()}):
            ensure_open(db, round_id)
        at = audit.now()
        log = []
        for fid in ids:
            f = found[fid]
            rule_id = f.whitelist_rule_id if status == "误报" else None
            new_note = note if note else ("" if f.whitelist_rule_id and rule_id is None else f.reviewer_note)
            db.conn.execute(
                "UPDATE findings SET status = ?, reviewer = ?, reviewer_note = ?, reviewed_at = ?,"
                " whitelist_rule_id = ? WHERE id = ?", (status, who, new_note, at, rule_id, fid))
            log.append(("findings", fid, "status",
                        {"status": f.status, "reviewer": f.reviewer, "reviewer_note": f.reviewer_note,
                         "whitelist_rule_id": f.whitelist_rule_id},
                        {"status": status, "reviewer": who, "reviewer_note": new_note, "whitelist_rule_id": rule_id}))
        audit.log_many(db, log, who)
    return len(ids)
