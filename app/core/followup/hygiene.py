"""Registry hygiene (名录规范性): report rows for the clean-up problems circulars name, and
optionally the same problems as findings on the targets of a round.

Rules (records "running" = 正常/例外 sites, 正常 accounts, on the as-of date):
* multi_account — one 主办单位 runs several running accounts on the same platform
  (国办发〔2018〕123号: in principle one per platform); platform 其他 is left out.
* unfiled — an account in a discovery list (平台, 账号名称, 账号ID, 主体) that the registry
  does not hold (matched by 平台+账号ID, else 平台+账号名称); also running registry accounts
  marked 已备案 = 否.
* closed_still_publishing — an account 注销/已发关停公告 whose latest post (review
  observations of any round, or a monitoring file) is after the status date.
* owner_mismatch — 账号主体 filled and different from the 主办单位 (spaces and bracket
  widths ignored).
* non_gov_domain — a running site whose 首页网址 host is not under .gov.cn or .政务 (an IP
  address counts as not under them).
* closed_unit_active — a running site or account whose 主办单位 is 撤销/合并.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from ..office.tabular import RowProblem, SheetData, match_columns, read_table, unreadable
from ..registry import registry, vocab
from ..registry.fields import (
    ListedAccount, account_identity_columns, account_identity_problems, account_repeat_problems,
)
from ..registry.stats import status_as_of
from ..registry.validation import text as cell_text
from ..rounds import findings as findings_mod
from ..store import audit
from ..store.db import transaction
from .media_monitoring import MonitoringRow, read_monitoring

RULES = {
    "multi_account": "同一平台多个账号",
    "unfiled": "未备案开设",
    "closed_still_publishing": "注销或关停后仍在发布",
    "owner_mismatch": "账号主体与主办单位不一致",
    "non_gov_domain": "网站域名不在 .gov.cn/.政务 下",
    "closed_unit_active": "单位已撤销/合并但网站或账号未关停",
}
CLOSED_ACCOUNT_STATUSES = ("注销", "已发关停公告")
CLOSED_UNIT_STATUSES = ("撤销", "合并")
GOV_SUFFIXES = (".gov.cn", ".政务", ".xn--zfr164b")
# (rule, target type) -> indicator ids to try in the round's rule set. The national profiles
# have no item for account management yet; until one is added (suggested id below) those
# issues stay report rows and record_findings lists them as skipped.
INDICATORS = {
    ("non_gov_domain", "site"): ("web.ded.function.domain_marks",),
    ("closed_unit_active", "site"): ("web.issue.registry",),
    **{(rule, "account"): ("nm.issue.account_management",)
       for rule in ("multi_account", "unfiled", "closed_still_publishing", "owner_mismatch", "closed_unit_active")},
}


@dataclass(frozen=True)
class HygieneIssue:
    rule: str
    target_type: str             # site / account
    record_id: int | None        # registry id; None for an account the registry does not hold
    key: str                     # 网站标识码, or 平台:账号名称
    name: str
    platform: str
    unit_name: str
    region_name: str
    detail: str                  # Chinese, one line
    evidence: str = ""

    @property
    def rule_name(self) -> str:
        return RULES[self.rule]


@dataclass
class HygieneReport:
    as_of: str
    issues: list[HygieneIssue] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)      # discovery/monitoring file rows
    discovered_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_rule(self) -> dict[str, list[HygieneIssue]]:
        out = {r: [] for r in self.rules_run}
        for i in self.issues:
            out.setdefault(i.rule, []).append(i)
        return out

    def to_dict(self) -> dict:
        return {"as_of": self.as_of, "rules_run": self.rules_run,
                "counts": {r: len(v) for r, v in self.by_rule().items()},
                "issues": [{**asdict(i), "rule_name": i.rule_name} for i in self.issues]}


# ---------------------------------------------------------------- discovery list

DISCOVERY_COLUMNS: dict[str, tuple[str, ...]] = account_identity_columns()
DISCOVERY_LABELS = {k: v[0] for k, v in DISCOVERY_COLUMNS.items()}


@dataclass(frozen=True)
class DiscoveredAccount(ListedAccount):
    owner: str


def _discovery_header(texts: list[str]) -> bool:
    keys = set(match_columns(DISCOVERY_COLUMNS, texts).values())
    return "platform" in keys and bool(keys & {"name", "account_id"})


def parse_discovered(sheet: SheetData) -> tuple[list[DiscoveredAccount], list[RowProblem]]:
    """Validate a discovery list; every bad row is reported, duplicates are errors."""
    mapping = match_columns(DISCOVERY_COLUMNS, sheet.headers)
    problems = list(sheet.problems)
    need = [] if _discovery_header(sheet.headers) else ["平台、账号名称或账号ID"]
    if (stop := unreadable(sheet, need)) is not None:
        return [], problems + [stop]
    out, seen = [], {}
    for number, cells in sheet.rows:
        v = {k: cell_text(cells[i] if i < len(cells) else None) for i, k in mapping.items()}
        name, acc_id = v.get("name", ""), v.get("account_id", "")
        platform, row_problems = account_identity_problems(number, v.get("platform", ""), name, acc_id,
                                                           DISCOVERY_LABELS)
        row_problems += account_repeat_problems(number, platform, name, acc_id, DISCOVERY_LABELS, seen)
        if row_problems:
            problems.extend(row_problems)
            continue
        out.append(DiscoveredAccount(number, platform, name, acc_id, v.get("owner", "")))
    problems.sort(key=lambda p: p.row)
    return out, problems


def read_discovered(path: Path | str) -> tuple[list[DiscoveredAccount], list[RowProblem]]:
    """Read a discovery list (.xlsx/.csv); ImportFileError when the file cannot be read."""
    return parse_discovered(read_table(path, is_header=_discovery_header))


# ---------------------------------------------------------------- the rules

def _norm(name: str) -> str:
    return vocab._key(name or "")


def host_of(url: str) -> str:
    try:
        return (urlsplit(url if "://" in url else "http://" + url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def is_gov_host(host: str) -> bool:
    return any(host.endswith(s) for s in GOV_SUFFIXES)


class _Registry:
    def __init__(self, db: sqlite_utils.Database, as_of: str):
        self.sites = registry.list_records(db, "site")
        self.accounts = registry.list_records(db, "account")
        self.site_status = status_as_of(db, "site", as_of)
        self.account_status = status_as_of(db, "account", as_of)
        self.by_id = {(a["platform"], a["account_id"]): a for a in self.accounts if a.get("account_id")}
        self.by_name: dict[tuple, list[dict]] = {}
        for a in self.accounts:
            self.by_name.setdefault((a["platform"], a["name"]), []).append(a)

    def running_sites(self) -> list[dict]:
        return [s for s in self.sites if self.site_status.get(s["id"]) in vocab.RUNNING_SITE_STATUSES]

    def running_accounts(self) -> list[dict]:
        return [a for a in self.accounts if self.account_status.get(a["id"]) in vocab.RUNNING_ACCOUNT_STATUSES]

    def match(self, platform: str, name: str, account_id: str) -> dict | None:
        if account_id:
            hit = self.by_id.get((platform, account_id))
            if hit:
                return hit
            # The registry may lack the ID: a same-named account without one is the same account.
            same = [a for a in self.by_name.get((platform, name), []) if not a.get("account_id")] if name else []
            return same[0] if len(same) == 1 else None
        same = self.by_name.get((platform, name), [])
        return same[0] if same else None


def _account_issue(rule: str, a: dict, detail: str, evidence: str = "") -> HygieneIssue:
    return HygieneIssue(rule, "account", a["id"], f"{a['platform']}:{a['name']}", a["name"], a["platform"],
                        a.get("host_unit") or "", a.get("region") or "", detail, evidence)


def _site_issue(rule: str, s: dict, detail: str, evidence: str = "") -> HygieneIssue:
    return HygieneIssue(rule, "site", s["id"], s["site_code"], s["name"], "", s.get("host_unit") or "",
                        s.get("region") or "", detail, evidence)


def _multi_account(reg: _Registry) -> list[HygieneIssue]:
    groups: dict[tuple, list[dict]] = {}
    for a in reg.running_accounts():
        if a.get("host_unit_id") and a["platform"] != "其他":
            groups.setdefault((a["host_unit_id"], a["platform"]), []).append(a)
    out = []
    for (_unit, platform), accs in groups.items():
        if len(accs) < 2:
            continue
        names = "、".join(f"“{a['name']}”" for a in accs)
        for a in accs:
            out.append(_account_issue("multi_account", a,
                                      f"{a.get('host_unit')}在{platform}平台开设了 {len(accs)} 个账号：{names}"))
    return out


def _unfiled(reg: _Registry, discovered: list[DiscoveredAccount]) -> list[HygieneIssue]:
    out = []
    for d in discovered:
        if reg.match(d.platform, d.name, d.account_id) is None:
            ident = d.name or d.account_id
            detail = f"监测发现{d.platform}账号“{ident}”" + (f"（账号ID {d.account_id}）" if d.account_id and d.name else "") \
                + (f"，主体为“{d.owner}”" if d.owner else "") + "，但名录中没有该账号（未备案开设）"
            out.append(HygieneIssue("unfiled", "account", None, f"{d.platform}:{ident}", ident, d.platform, d.owner,
                                    "", detail, f"发现清单第{d.row}行"))
    for a in reg.running_accounts():
        if a.get("filed") == 0:
            out.append(_account_issue("unfiled", a, "名录中标记为未备案（已备案 = 否）"))
    return out


def _closing_dates(db: sqlite_utils.Database, as_of: str) -> dict[int, tuple[str, str]]:
    """account id -> (status, date) of its latest 注销/已发关停公告 event on or before as_of."""
    out = {}
    rows = db.conn.execute(
        "SELECT target_id, status, on_date FROM status_history WHERE target_type = 'account'"
        " AND on_date IS NOT NULL AND on_date <= ? ORDER BY target_id, on_date, id", (as_of,))
    for rid, status, on_date in rows:
        if status in CLOSED_ACCOUNT_STATUSES:
            out[rid] = (status, on_date)
        else:
            out.pop(rid, None)
    return out


def _latest_posts(db: sqlite_utils.Database, reg: _Registry,
                  monitoring: list[MonitoringRow]) -> dict[int, tuple[str, str]]:
    """registry account id -> (latest post date, where it was seen)."""
    out: dict[int, tuple[str, str]] = {}
    for acc_id, last, round_name in db.conn.execute(
            """SELECT t.account_id, MAX(o.last_update), r.name FROM media_observations o
               JOIN round_targets t ON t.id = o.target_id JOIN rounds r ON r.id = o.round_id
               WHERE t.account_id IS NOT NULL AND o.last_update IS NOT NULL GROUP BY t.account_id"""):
        out[acc_id] = (last, f"检查轮次“{round_name}”的检查记录")
    for m in monitoring:
        a = reg.match(m.platform, m.name, m.account_id)
        if a and m.last_update and m.last_update > out.get(a["id"], ("", ""))[0]:
            out[a["id"]] = (m.last_update, f"监测数据第{m.row}行")
    return out


def _closed_still_publishing(db, reg: _Registry, as_of: str, monitoring: list[MonitoringRow]) -> list[HygieneIssue]:
    closing = _closing_dates(db, as_of)
    latest = _latest_posts(db, reg, monitoring)
    out = []
    for a in reg.accounts:
        status = reg.account_status.get(a["id"])
        if status not in CLOSED_ACCOUNT_STATUSES or a["id"] not in closing or a["id"] not in latest:
            continue
        _status, on = closing[a["id"]]
        last, where = latest[a["id"]]
        if last > on:
            out.append(_account_issue("closed_still_publishing", a,
                                      f"账号已于 {on} {status}，但 {last} 仍有更新", f"更新日期来源：{where}"))
    return out


def _owner_mismatch(reg: _Registry) -> list[HygieneIssue]:
    out = []
    for a in reg.running_accounts():
        owner, unit = a.get("certified_owner") or "", a.get("host_unit") or ""
        if owner and unit and _norm(owner) != _norm(unit):
            out.append(_account_issue("owner_mismatch", a, f"账号主体“{owner}”与主办单位“{unit}”不一致"))
    return out


def _non_gov_domain(reg: _Registry) -> list[HygieneIssue]:
    out = []
    for s in reg.running_sites():
        host = host_of(s.get("url") or "")
        if host and not is_gov_host(host):
            what = "使用IP地址" if host.replace(".", "").isdigit() else f"域名“{host}”"
            out.append(_site_issue("non_gov_domain", s, f"首页网址{what}，不在 .gov.cn 或 .政务 下",
                                   f"首页网址 {s.get('url')}"))
    return out


def _closed_unit_active(db: sqlite_utils.Database, reg: _Registry, as_of: str) -> list[HygieneIssue]:
    closed = {}
    for uid, status, on in db.conn.execute("SELECT id, status, status_date FROM units"):
        if status in CLOSED_UNIT_STATUSES and (on is None or on <= as_of):
            closed[uid] = (status, on)
    out = []
    for s in reg.running_sites():
        if s.get("host_unit_id") in closed:
            status, on = closed[s["host_unit_id"]]
            when = f"（{on}）" if on else ""
            out.append(_site_issue("closed_unit_active", s, f"主办单位“{s.get('host_unit')}”已{status}{when}，"
                                                            f"网站仍为“{reg.site_status.get(s['id'])}”状态"))
    for a in reg.running_accounts():
        if a.get("host_unit_id") in closed:
            status, on = closed[a["host_unit_id"]]
            out.append(_account_issue("closed_unit_active", a,
                                      f"主办单位“{a.get('host_unit')}”已{status}{f'（{on}）' if on else ''}，账号仍为“正常”状态"))
    return out


def check_registry(db: sqlite_utils.Database, as_of: str | None = None, discovered: Path | str | None = None,
                   monitoring: Path | str | None = None) -> HygieneReport:
    """Run every rule on the registry as of a date (default today).

    ``discovered``: a discovery list for 未备案开设; ``monitoring``: a monitoring export whose
    最近发布时间 also counts for 注销后仍在发布. A bad file fills ``problems`` (every row) and
    no issues are reported.
    """
    day = as_of or audit.now()[:10]
    report = HygieneReport(day)
    found: list[DiscoveredAccount] = []
    monitor_rows: list[MonitoringRow] = []
    if discovered is not None:
        found, problems = read_discovered(discovered)
        report.discovered_rows = len(found)
        report.problems.extend(problems)
    if monitoring is not None:
        _sheet, monitor_rows, problems = read_monitoring(monitoring)
        report.problems.extend(problems)
    if report.problems:
        return report
    reg = _Registry(db, day)
    report.issues += _multi_account(reg)
    report.issues += _unfiled(reg, found)
    report.issues += _closed_still_publishing(db, reg, day, monitor_rows)
    report.issues += _owner_mismatch(reg)
    report.issues += _non_gov_domain(reg)
    report.issues += _closed_unit_active(db, reg, day)
    report.rules_run = list(RULES)
    return report


# ---------------------------------------------------------------- findings in a round

@dataclass
class HygieneFindings:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    skipped: list[tuple[HygieneIssue, str]] = field(default_factory=list)   # issue, reason


def record_findings(db: sqlite_utils.Database, round_id: int, report: HygieneReport,
                    who: str | None = None) -> HygieneFindings:
    """Turn issues on targets of the round into 待审核 findings (source 自动, kind hygiene.<rule>).

    Running again updates them (fingerprint per target and rule); a 待审核 one whose issue is
    gone is withdrawn. Issues outside the round, or without an indicator in the round's rule
    set, are listed in ``skipped``.
    """
    from ..rounds.rounds import ensure_open

    result = HygieneFindings()
    who = who or audit.current_user(db)
    with transaction(db):
        ensure_open(db, round_id)
        index = findings_mod.IndicatorIndex.for_round(db, round_id)
        targets = {}
        for tid, ttype, site_id, account_id, key in db.conn.execute(
                "SELECT id, target_type, site_id, account_id, target_key FROM round_targets WHERE round_id = ?",
                (round_id,)):
            targets[(ttype, site_id if ttype == "site" else account_id)] = (tid, key)
        at = audit.now()
        desired: dict[str, tuple[HygieneIssue, int, str, str]] = {}
        for issue in report.issues:
            target = targets.get((issue.target_type, issue.record_id)) if issue.record_id else None
            if target is None:
                result.skipped.append((issue, "不在本轮检查对象中"))
                continue
            candidates = INDICATORS.get((issue.rule, issue.target_type), ())
            ind = next((c for c in candidates if (i := index.get(c)) and i.applies_to == issue.target_type), None)
            if ind is None:
                result.skipped.append((issue, f"本轮指标体系中没有对应指标（建议增加 {candidates[0] if candidates else '—'}）"))
                continue
            fp = findings_mod.fingerprint(target[1], "hygiene", f"hygiene.{issue.rule}", "", "")
            desired[fp] = (issue, target[0], target[1], ind)
        existing = {r[1]: r for r in db.conn.execute(
            "SELECT id, fingerprint, status, detail, evidence_text, indicator_id, kind FROM findings"
            " WHERE round_id = ? AND kind LIKE 'hygiene.%'", (round_id,))}
        new_rows, log = [], []
        for fp, (issue, tid, key, ind) in desired.items():
            row = existing.get(fp)
            if row is None:
                new_rows.append({"round_id": round_id, "target_id": tid, "indicator_id": ind,
                                 "kind": f"hygiene.{issue.rule}", "source": "自动", "status": "待审核", "count": 1,
                                 "deduct": None, "url": "", "page": "", "detail": f"{issue.rule_name}：{issue.detail}",
                                 "snippet": "", "evidence_text": issue.evidence, "screenshot_path": "",
                                 "detected_at": at, "reviewer_note": "", "run_id": None, "fingerprint": fp,
                                 "_target_key": key})
                continue
            new = {"detail": f"{issue.rule_name}：{issue.detail}", "evidence_text": issue.evidence, "indicator_id": ind}
            old = {"detail": row[3], "evidence_text": row[4], "indicator_id": row[5]}
            diff = {k: v for k, v in new.items() if old[k] != v}
            if diff:
                db.conn.execute(f"UPDATE findings SET {', '.join(f'{k} = ?' for k in diff)} WHERE id = ?",
                                [*diff.values(), row[0]])
                log.append(("findings", row[0], "update", {k: old[k] for k in diff}, diff))
                result.updated.append(row[0])
        for fp, row in existing.items():
            rule = row[6].split(".", 1)[1]
            if fp not in desired and row[2] == "待审核" and rule in report.rules_run:
                db.conn.execute("DELETE FROM findings WHERE id = ?", (row[0],))
                log.append(("findings", row[0], "withdraw", {"fingerprint": fp, "detail": row[3]}, None))
                result.withdrawn.append(row[0])
        if new_rows:
            result.added = findings_mod.insert_rows(db, new_rows, findings_mod.list_whitelist_rules(db, active_only=True),
                                                who, "insert")
        audit.log_many(db, log, who)
        audit.log(db, "rounds", round_id, "hygiene_findings", None,
                  {"added": len(result.added), "updated": len(result.updated), "withdrawn": len(result.withdrawn),
                   "skipped": len(result.skipped)}, who)
    return result


def report_json(report: HygieneReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
