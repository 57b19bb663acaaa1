"""Inspection rounds: scope (全量/抽样/回头看), frozen targets, review state, close/reopen.

Targets are copied out of the registry when a round is created, so later registry
edits never rewrite a past round. Every write is audited and runs in one transaction.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field, fields

import sqlite_utils

from ..errors import GovInspectError, ValidationError
from ..registry import registry, vocab
from ..registry.stats import status_as_of
from ..registry.validation import BadValue, date as parse_date
from ..store import audit
from ..store.db import transaction
from . import profiles
from .sampling import CensusChoice, census_choices as _census_choices, census_terms, in_census, sample as _sample

KINDS = vocab.ROUND_KINDS
REVIEW_STATES = ["待检查", "已检查", "未检查"]       # scoring.PENDING, CHECKED, NOT_CHECKED
REASONS = ["全量", "抽样", "普查", "回头看"]      # 普查: the census part of a sampled round
DEFAULT_PROFILE = vocab.DEFAULT_PROFILE
FIXED_ITEM_STATUSES = {"已整改", "无需整改"}


class RoundClosedError(GovInspectError):
    """An edit was attempted on a closed (read-only) round."""


@dataclass(frozen=True)
class Round:
    id: int
    name: str
    kind: str
    as_of: str
    period_from: str | None
    period_to: str | None
    profile_id: str
    profile_version: str
    sample_sites_pct: float | None
    sample_accounts_pct: float | None
    stratify_by_region: bool
    seed: int | None
    recheck_round_id: int | None
    status: str                      # open/closed
    closed_at: str | None
    notes: str
    created_at: str
    site_count: int = 0
    account_count: int = 0
    finding_count: int = 0
    confirmed_count: int = 0
    sample_sites_count: int | None = None      # a fixed sample size instead of a percentage
    sample_accounts_count: int | None = None
    census_sites: str = ""                     # 地区/分组/级别 taken whole before sampling the rest
    census_accounts: str = ""
    veto_only: bool = False                    # only the 单项否决 items were checked

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    def sample_count(self, kind: str) -> int | None:
        return self.sample_sites_count if kind == "site" else self.sample_accounts_count

    def census(self, kind: str) -> str:
        return self.census_sites if kind == "site" else self.census_accounts


@dataclass(frozen=True)
class RoundTarget:
    """One frozen target of a round (id and round_id are None in a preview)."""
    id: int | None
    round_id: int | None
    target_type: str                 # site/account
    site_id: int | None
    account_id: int | None
    target_key: str                  # 网站标识码, or 平台:账号名称
    name: str
    url: str
    platform: str
    category: str
    level: str
    is_portal: bool
    has_external_service: bool
    region_id: int | None
    region_name: str
    unit_name: str
    snapshot: dict
    reason: str                      # 全量/抽样/回头看
    review_state: str = "待检查"
    review_note: str = ""
    sort_order: int = 0


@dataclass(frozen=True)
class SkippedTarget:
    """A 回头看 target left out, with the reason (shown in the preview)."""
    target_key: str
    name: str
    reason: str


@dataclass(frozen=True)
class RoundPlan:
    """What create_round would include: the sample preview."""
    as_of: str
    seed: int
    targets: list[RoundTarget]
    running_sites: int               # pool sizes: running as of the date
    running_accounts: int
    skipped: list[SkippedTarget] = field(default_factory=list)
    census: dict = field(default_factory=dict)      # kind -> targets taken whole (普查)

    def count(self, target_type: str, reason: str | None = None) -> int:
        return sum(1 for t in self.targets
                   if t.target_type == target_type and (reason is None or t.reason == reason))

    @property
    def recheck_count(self) -> int:
        return sum(1 for t in self.targets if t.reason == "回头看")


# ---------------------------------------------------------------- validation

def _date(problems: dict, label: str, value, required: bool = False) -> str | None:
    try:
        return parse_date(value, required=required)
    except BadValue as exc:
        problems[label] = str(exc)
        return None


def _pct(problems: dict, label: str, value) -> float | None:
    if value is None or value == "":
        return None
    try:
        pct = float(str(value).strip().rstrip("%"))
    except ValueError:
        problems[label] = f"“{value}”不是数字"
        return None
    if not (0 < pct <= 100) or math.isnan(pct):
        problems[label] = f"抽样比例应大于 0 且不超过 100，实际为 {value}"
        return None
    return pct


def _count(problems: dict, label: str, value) -> int | None:
    if value is None or value == "":
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        problems[label] = f"“{value}”不是整数"
        return None
    if n < 1:
        problems[label] = f"抽样数量应为正整数，实际为 {value}"
        return None
    return n


def _seed(problems: dict, value) -> int | None:
    if value is None or value == "":
        return None
    try:
        seed = int(str(value).strip())
    except ValueError:
        problems["随机种子"] = f"“{value}”不是整数"
        return None
    if not (0 <= seed < 2 ** 63):
        problems["随机种子"] = "随机种子应为非负整数"
        return None
    return seed


def new_seed() -> int:
    """A fresh seed that fits SQLite INTEGER and is short enough to read out."""
    return random.SystemRandom().randrange(1, 10 ** 9)


def _profile_info(db: sqlite_utils.Database, profile_id: str) -> tuple[str, str | None, str | None]:
    """(version, snapshot JSON, problem) of a rule set (or single profile) id."""
    try:
        snapshot, version = profiles.round_snapshot(db, profile_id)
    except GovInspectError as exc:
        return "", None, str(exc)
    return version, snapshot, None


# ---------------------------------------------------------------- scope

def _running(db: sqlite_utils.Database, kind: str, day: str) -> list[dict]:
    """Registry records of a kind running on ``day``, in registry order."""
    # Same rule as the registry statistics, so a 全量 round matches the 截至 counts.
    statuses = status_as_of(db, kind, day)
    allowed = vocab.RUNNING_SITE_STATUSES if kind == "site" else vocab.RUNNING_ACCOUNT_STATUSES
    return [rec for rec in registry.list_records(db, kind) if statuses.get(rec["id"]) in allowed]


def _target_key(kind: str, rec: dict) -> str:
    return rec["site_code"] if kind == "site" else f"{rec['platform']}:{rec['name']}"


def _make_target(kind: str, rec: dict, reason: str, key: str, order: int) -> RoundTarget:
    snapshot = {k: v for k, v in rec.items() if k != "region_order"}
    site = kind == "site"
    return RoundTarget(
        id=None, round_id=None, target_type=kind,
        site_id=rec["id"] if site else None,
        account_id=None if site else rec["id"],
        target_key=key,
        name=rec["name"],
        url=(rec.get("url") if site else rec.get("home_url")) or "",
        platform="" if site else rec.get("platform") or "",
        category=(rec.get("category") or "") if site else "",
        level=(rec.get("level") or "") if site else "",
        is_portal=bool(rec.get("is_portal")) if site else False,
        has_external_service=bool(rec.get("has_external_service", 1)) if site else True,
        region_id=rec.get("region_id"),
        region_name=rec.get("region") or "",
        unit_name=rec.get("host_unit") or "",
        snapshot=snapshot,
        reason=reason,
        sort_order=order,
    )


def _open_problem_targets(db: sqlite_utils.Database, round_id: int) -> list[tuple[str, int, str, str]]:
    """(kind, registry id, key, name) of targets of a round with confirmed, unfixed findings.

    A finding counts as fixed when its 整改 recheck says 已整改, or, before any recheck,
    when the item is 已整改/无需整改. A recheck of 未整改/无法访问 overrides the unit's
    own claim: that is what 回头看 exists to catch.
    """
    rows = db.conn.execute(
        """SELECT t.target_type, t.site_id, t.account_id, t.target_key, t.name,
                  ri.status, ri.recheck_result
           FROM findings f
           JOIN round_targets t ON t.id = f.target_id
           LEFT JOIN rectify_items ri ON ri.finding_id = f.id
           WHERE f.round_id = ? AND f.status = '确认'
           ORDER BY t.sort_order, t.id""", (round_id,)).fetchall()
    out: dict[tuple[str, int], tuple] = {}
    for kind, site_id, account_id, key, name, item_status, recheck in rows:
        recheck = (recheck or "").strip()
        fixed = recheck == "已整改" if recheck else (item_status or "") in FIXED_ITEM_STATUSES
        if not fixed:
            rid = site_id if kind == "site" else account_id
            out.setdefault((kind, rid), (kind, rid, key, name))
    return list(out.values())


def _validate(db, *, name, as_of, period_from, period_to, kind, profile_id,
              sample_sites_pct, sample_accounts_pct, seed, recheck_round_id, for_preview=False,
              sample_sites_count=None, sample_accounts_count=None, census_sites=None, census_accounts=None) -> dict:
    problems: dict[str, str] = {}
    values: dict = {}
    if not for_preview:
        values["name"] = (name or "").strip()
        if not values["name"]:
            problems["名称"] = "不能为空"
        values["kind"] = (kind or "").strip()
        if values["kind"] not in KINDS:
            problems["类型"] = f"未知的类型“{kind}”，应为：{'、'.join(KINDS)}"
        values["period_from"] = _date(problems, "起始日期", period_from)
        values["period_to"] = _date(problems, "截止日期", period_to)
        if values["period_from"] and values["period_to"] and values["period_from"] > values["period_to"]:
            problems["截止日期"] = f"截止日期 {values['period_to']} 早于起始日期 {values['period_from']}"
        values["profile_id"] = (profile_id or "").strip()
        if not values["profile_id"]:
            problems["指标体系"] = "不能为空"
        else:
            version, snapshot, problem = _profile_info(db, values["profile_id"])
            if problem:
                problems["指标体系"] = problem
            values["profile_version"], values["profile_snapshot"] = version, snapshot
    values["as_of"] = _date(problems, "监测时间点", as_of, required=True)
    values["sample_sites_pct"] = _pct(problems, "网站抽样比例", sample_sites_pct)
    values["sample_accounts_pct"] = _pct(problems, "新媒体抽样比例", sample_accounts_pct)
    values["sample_sites_count"] = _count(problems, "网站抽样数量", sample_sites_count)
    values["sample_accounts_count"] = _count(problems, "新媒体抽样数量", sample_accounts_count)
    for noun, pct_key, n_key in (("网站", "sample_sites_pct", "sample_sites_count"),
                                 ("新媒体", "sample_accounts_pct", "sample_accounts_count")):
        if values[pct_key] is not None and values[n_key] is not None:
            problems[f"{noun}抽样数量"] = "抽样比例和抽样数量只能填一个"
    values["census_sites"] = "、".join(census_terms(census_sites))
    values["census_accounts"] = "、".join(census_terms(census_accounts))
    values["seed"] = _seed(problems, seed)
    values["recheck_round_id"] = None
    if recheck_round_id not in (None, ""):
        try:
            rid = int(recheck_round_id)
        except (TypeError, ValueError):
            rid = None
        if rid is None or db.conn.execute("SELECT 1 FROM rounds WHERE id = ?", (rid,)).fetchone() is None:
            problems["回头看轮次"] = f"检查轮次“{recheck_round_id}”不存在"
        else:
            values["recheck_round_id"] = rid
    if problems:
        raise ValidationError(problems)
    return values


def _region_terms(db) -> dict[str, tuple[str, str]]:
    return {n: ((g or "").strip(), (lv or "").strip()) for n, g, lv in
            db.conn.execute("SELECT name, group_name, level FROM regions ORDER BY sort_order, id")}


def census_choices(db: sqlite_utils.Database, kind: str, as_of: str) -> list[CensusChoice]:
    """What a census of ``kind`` can name, with the targets running on ``as_of`` (a valid date) it takes."""
    return _census_choices(_running(db, kind, as_of), kind, _region_terms(db))


def _plan(db, as_of: str, sites_pct, accounts_pct, stratify: bool, seed: int,
          recheck_round_id: int | None, counts: dict | None = None, census: dict | None = None) -> RoundPlan:
    """Census first (every running record whose 地区, 分组 or 级别 is named), then the sample of
    the rest (a count or a percentage), then 回头看."""
    counts, census = counts or {}, census or {}
    regions = _region_terms(db) if any(census.values()) else {}
    by_kind: dict[str, list[tuple[dict, str]]] = {}
    running: dict[str, list[dict]] = {}
    census_n: dict[str, int] = {}
    for kind, pct in (("site", sites_pct), ("account", accounts_pct)):
        running[kind] = _running(db, kind, as_of)
        terms = census_terms(census.get(kind))
        whole = [r for r in running[kind] if in_census(r, terms, regions)]
        rest = [r for r in running[kind] if not in_census(r, terms, regions)] if whole else running[kind]
        if whole and pct is None and counts.get(kind) is None:
            pct = 0.0                     # a census alone: the rest is left out
        sampled = [] if pct == 0.0 else _sample(rest, pct, seed, kind, stratify, counts.get(kind))
        partial = len(whole) + len(sampled) < len(running[kind])
        census_n[kind] = len(whole) if partial else 0
        by_kind[kind] = ([(rec, "普查" if partial else "全量") for rec in whole]
                         + [(rec, "抽样" if partial else "全量") for rec in sampled])
    skipped: list[SkippedTarget] = []
    running_by_id = {k: {r["id"]: r for r in recs} for k, recs in running.items()}
    if recheck_round_id is not None:
        for kind, rid, key, name in _open_problem_targets(db, recheck_round_id):
            rec = running_by_id[kind].get(rid)
            if rec is None:
                # A record closed or cancelled since cannot be rechecked online; list it
                # in the preview instead of inspecting a site that is no longer in scope.
                skipped.append(SkippedTarget(key, name, f"截至 {as_of} 已不在运行"))
                continue
            chosen = by_kind[kind]
            for i, (r, _reason) in enumerate(chosen):
                if r["id"] == rid:
                    chosen[i] = (r, "回头看")
                    break
            else:
                chosen.append((rec, "回头看"))
    targets: list[RoundTarget] = []
    order = 0
    for kind in ("site", "account"):
        position = {r["id"]: i for i, r in enumerate(running[kind])}
        seen: dict[str, int] = {}
        for rec, reason in sorted(by_kind[kind], key=lambda p: position[p[0]["id"]]):
            order += 1
            key = _target_key(kind, rec)
            if key in seen:
                # Same 平台:账号名称 twice (different 账号ID): keep keys unique per round.
                key = f"{key}#{rec.get('account_id') or rec['id']}"
            seen[key] = rec["id"]
            targets.append(_make_target(kind, rec, reason, key, order))
    return RoundPlan(as_of=as_of, seed=seed, targets=targets, running_sites=len(running["site"]),
                     running_accounts=len(running["account"]), skipped=skipped, census=census_n)


def _scope_args(v: dict) -> dict:
    return {"counts": {"site": v["sample_sites_count"], "account": v["sample_accounts_count"]},
            "census": {"site": v["census_sites"], "account": v["census_accounts"]}}


def preview_sample(db: sqlite_utils.Database, as_of, sample_sites_pct=None, sample_accounts_pct=None,
                   stratify_by_region: bool = False, seed: int | None = None,
                   recheck_round_id: int | None = None, sample_sites_count=None, sample_accounts_count=None,
                   census_sites: str = "", census_accounts: str = "") -> RoundPlan:
    """The targets create_round would freeze, without writing (plan.seed reproduces it)."""
    v = _validate(db, name=None, as_of=as_of, period_from=None, period_to=None, kind=None, profile_id=None,
                  sample_sites_pct=sample_sites_pct, sample_accounts_pct=sample_accounts_pct,
                  seed=seed, recheck_round_id=recheck_round_id, for_preview=True,
                  sample_sites_count=sample_sites_count, sample_accounts_count=sample_accounts_count,
                  census_sites=census_sites, census_accounts=census_accounts)
    seed_ = v["seed"] if v["seed"] is not None else new_seed()
    return _plan(db, v["as_of"], v["sample_sites_pct"], v["sample_accounts_pct"], bool(stratify_by_region),
                 seed_, v["recheck_round_id"], **_scope_args(v))


def create_round(db: sqlite_utils.Database, name: str, as_of, period_from=None, period_to=None,
                 kind: str = "月度", profile_id: str = DEFAULT_PROFILE, sample_sites_pct=None,
                 sample_accounts_pct=None, stratify_by_region: bool = False, seed: int | None = None,
                 recheck_round_id: int | None = None, notes: str = "", who: str | None = None,
                 sample_sites_count=None, sample_accounts_count=None, census_sites: str = "",
                 census_accounts: str = "", veto_only: bool = False) -> int:
    """Create a round and freeze its targets; returns the new round id.

    ``census_*``: 地区/分组/级别 names whose running targets are all taken before the rest is
    sampled (``sample_*_pct`` or ``sample_*_count``); ``veto_only``: only the 单项否决 items are checked."""
    v = _validate(db, name=name, as_of=as_of, period_from=period_from, period_to=period_to, kind=kind,
                  profile_id=profile_id, sample_sites_pct=sample_sites_pct,
                  sample_accounts_pct=sample_accounts_pct, seed=seed, recheck_round_id=recheck_round_id,
                  sample_sites_count=sample_sites_count, sample_accounts_count=sample_accounts_count,
                  census_sites=census_sites, census_accounts=census_accounts)
    v["seed"] = v["seed"] if v["seed"] is not None else new_seed()
    v["stratify_by_region"] = int(bool(stratify_by_region))
    v["veto_only"] = int(bool(veto_only))
    v["notes"] = notes or ""
    v["created_at"] = audit.now()
    with transaction(db):
        plan = _plan(db, v["as_of"], v["sample_sites_pct"], v["sample_accounts_pct"],
                     bool(v["stratify_by_region"]), v["seed"], v["recheck_round_id"], **_scope_args(v))
        cols = list(v)
        cur = db.conn.execute(f"INSERT INTO rounds({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              [v[c] for c in cols])
        round_id = cur.lastrowid
        log = [("rounds", round_id, "insert", None, {
            **{k: val for k, val in v.items() if k != "profile_snapshot"},
            "sites": plan.count("site"), "accounts": plan.count("account"),
            "recheck": plan.recheck_count,
        })]
        for t in plan.targets:
            cur = db.conn.execute(
                """INSERT INTO round_targets(round_id, target_type, site_id, account_id, target_key, name, url,
                       platform, category, level, is_portal, has_external_service, region_id, region_name,
                       unit_name, snapshot, reason, sort_order)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (round_id, t.target_type, t.site_id, t.account_id, t.target_key, t.name, t.url, t.platform,
                 t.category, t.level, int(t.is_portal), int(t.has_external_service), t.region_id,
                 t.region_name, t.unit_name, json.dumps(t.snapshot, ensure_ascii=False, default=str),
                 t.reason, t.sort_order))
            log.append(("round_targets", cur.lastrowid, "insert", None,
                        {"round_id": round_id, "target_key": t.target_key, "reason": t.reason}))
        audit.log_many(db, log, who)
    return round_id


# ---------------------------------------------------------------- reading

_ROUND_COUNTS = """
    SELECT r.*,
        (SELECT COUNT(*) FROM round_targets t WHERE t.round_id = r.id AND t.target_type = 'site') AS site_count,
        (SELECT COUNT(*) FROM round_targets t WHERE t.round_id = r.id AND t.target_type = 'account')
            AS account_count,
        (SELECT COUNT(*) FROM findings f WHERE f.round_id = r.id) AS finding_count,
        (SELECT COUNT(*) FROM findings f WHERE f.round_id = r.id AND f.status = '确认') AS confirmed_count
    FROM rounds r"""
_ROUND_FIELDS = {f.name for f in fields(Round)}
_TARGET_FIELDS = {f.name for f in fields(RoundTarget)}


def _to_round(row: dict) -> Round:
    row = {k: v for k, v in row.items() if k in _ROUND_FIELDS}
    row["stratify_by_region"] = bool(row["stratify_by_region"])
    row["veto_only"] = bool(row.get("veto_only"))
    row["census_sites"], row["census_accounts"] = row.get("census_sites") or "", row.get("census_accounts") or ""
    return Round(**row)


def _to_target(row: dict) -> RoundTarget:
    row = {k: v for k, v in row.items() if k in _TARGET_FIELDS}
    row["snapshot"] = json.loads(row["snapshot"] or "{}")
    row["is_portal"] = bool(row["is_portal"])
    row["has_external_service"] = bool(row["has_external_service"])
    return RoundTarget(**row)


def _dicts(cursor) -> list[dict]:
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


def list_rounds(db: sqlite_utils.Database) -> list[Round]:
    """All rounds, newest first, with target and finding counts."""
    return [_to_round(r) for r in _dicts(db.conn.execute(_ROUND_COUNTS + " ORDER BY r.as_of DESC, r.id DESC"))]


def get_round(db: sqlite_utils.Database, round_id: int) -> Round:
    """One round; ValidationError when it does not exist."""
    rows = _dicts(db.conn.execute(_ROUND_COUNTS + " WHERE r.id = ?", (round_id,)))
    if not rows:
        raise ValidationError({"检查轮次": f"编号 {round_id} 不存在"})
    return _to_round(rows[0])


def find_round(db: sqlite_utils.Database, text: str | int) -> Round:
    """A round by id, or by its exact name when that is unique (CLI arguments)."""
    s = str(text).strip()
    if s.isdigit():
        return get_round(db, int(s))
    ids = [r[0] for r in db.conn.execute("SELECT id FROM rounds WHERE name = ?", (s,))]
    if len(ids) == 1:
        return get_round(db, ids[0])
    if ids:
        raise ValidationError({"检查轮次": f"名称“{s}”对应多个轮次，请用编号（{'、'.join(map(str, ids))}）"})
    raise ValidationError({"检查轮次": f"“{s}”不存在"})


def round_targets(db: sqlite_utils.Database, round_id: int, target_type: str | None = None) -> list[RoundTarget]:
    """The frozen targets of a round in registry order."""
    sql, args = "SELECT * FROM round_targets WHERE round_id = ?", [round_id]
    if target_type:
        sql += " AND target_type = ?"
        args.append(target_type)
    return [_to_target(r) for r in _dicts(db.conn.execute(sql + " ORDER BY sort_order, id", args))]


def get_target(db: sqlite_utils.Database, target_id: int) -> RoundTarget:
    rows = _dicts(db.conn.execute("SELECT * FROM round_targets WHERE id = ?", (target_id,)))
    if not rows:
        raise ValidationError({"检查对象": f"编号 {target_id} 不存在"})
    return _to_target(rows[0])


# ---------------------------------------------------------------- writing

def ensure_open(db: sqlite_utils.Database, round_id: int) -> Round:
    """The round, or RoundClosedError when it is closed (read-only)."""
    rnd = get_round(db, round_id)
    if rnd.closed:
        raise RoundClosedError(f"检查轮次“{rnd.name}”已关闭，不能修改。如需修改，请先重新打开并说明原因。")
    return rnd


def set_review_state(db: sqlite_utils.Database, target_id: int, state: str, note: str = "",
                     who: str | None = None) -> None:
    """Mark a target 待检查/已检查/未检查 (未检查 with a note on why, e.g. 无法访问)."""
    if state not in REVIEW_STATES:
        raise ValidationError({"检查状态": f"未知的状态“{state}”，应为：{'、'.join(REVIEW_STATES)}"})
    target = get_target(db, target_id)
    with transaction(db):
        ensure_open(db, target.round_id)
        db.conn.execute("UPDATE round_targets SET review_state = ?, review_note = ? WHERE id = ?",
                        (state, note or "", target_id))
        audit.log(db, "round_targets", target_id, "review",
                  {"review_state": target.review_state, "review_note": target.review_note},
                  {"review_state": state, "review_note": note or ""}, who)


def mark_checked(db: sqlite_utils.Database, target_ids, why: str, who: str | None = None) -> list[int]:
    """Targets still 待检查 become 已检查 (a finished crawl, a review, a manual or imported finding);
    a 未检查 mark set by hand is kept. Joins the caller's transaction; returns the ids changed."""
    ids = sorted({int(t) for t in target_ids})
    if not ids:
        return []
    changed = []
    with transaction(db):
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            changed += [r[0] for r in db.conn.execute(
                f"SELECT id FROM round_targets WHERE review_state = '待检查' AND id IN ({marks})", part)]
        if changed:
            db.conn.executemany("UPDATE round_targets SET review_state = '已检查' WHERE id = ?",
                                [(t,) for t in changed])
            audit.log_many(db, [("round_targets", t, "review", {"review_state": "待检查"},
                                 {"review_state": "已检查", "why": why}) for t in changed], who)
    return changed


def close_round(db: sqlite_utils.Database, round_id: int, who: str | None = None) -> None:
    """Close a round: its targets and findings become read-only."""
    with transaction(db):
        rnd = ensure_open(db, round_id)
        at = audit.now()
        db.conn.execute("UPDATE rounds SET status = 'closed', closed_at = ? WHERE id = ?", (at, round_id))
        audit.log(db, "rounds", round_id, "close", {"status": rnd.status, "closed_at": rnd.closed_at},
                  {"status": "closed", "closed_at": at}, who)


def reopen_round(db: sqlite_utils.Database, round_id: int, reason: str, who: str | None = None) -> None:
    """Reopen a closed round; the reason is required and kept in the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"原因": "重新打开已关闭的轮次必须说明原因"})
    with transaction(db):
        rnd = get_round(db, round_id)
        if not rnd.closed:
            raise ValidationError({"检查轮次": f"“{rnd.name}”未关闭，无需重新打开"})
        db.conn.execute("UPDATE rounds SET status = 'open', closed_at = NULL WHERE id = ?", (round_id,))
        audit.log(db, "rounds", round_id, "reopen", {"status": "closed", "closed_at": rnd.closed_at},
                  {"status": "open", "reason": reason}, who)

