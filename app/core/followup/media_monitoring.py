"""New-media monitoring data: the import of a monitoring platform's export (last update, posts,
interaction) into a round's observations, and the activity table (新媒体发布情况统计) built from them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlite_utils

from ..office.tabular import CheckedImport, RowProblem, SheetData, match_columns, read_table, unreadable
from ..registry.fields import (
    ListedAccount, account_identity_columns, account_identity_problems, account_repeat_problems,
)
from ..registry.validation import BadValue, date as parse_date, text as cell_text
from ..rounds import findings as findings_mod
from ..store import audit
from ..store.db import transaction
from .media_review import ReviewSession


# ---------------------------------------------------------------- monitoring import

MONITOR_COLUMNS: dict[str, tuple[str, ...]] = {
    **account_identity_columns(),
    "last_update": ("最近发布时间", "最近更新时间", "最近更新日期", "最后发布时间", "最新发布时间", "最近发文时间"),
    "posts": ("期间发布条数", "发布条数", "发文量", "发布数量", "更新条数", "发文数", "期间发文量"),
}
MONITOR_LABELS = {k: v[0] for k, v in MONITOR_COLUMNS.items()}


@dataclass(frozen=True)
class MonitoringRow(ListedAccount):
    last_update: str | None
    posts: int | None
    owner: str = ""


def _monitor_header(texts: list[str]) -> bool:
    keys = set(match_columns(MONITOR_COLUMNS, texts).values())
    return "platform" in keys and bool(keys & {"name", "account_id"}) and bool(keys & {"last_update", "posts"})


def parse_monitoring(sheet: SheetData) -> tuple[list[MonitoringRow], list[RowProblem]]:
    """Validate a monitoring table (平台, 账号名称/账号ID, 最近发布时间, 期间发布条数)."""
    mapping = match_columns(MONITOR_COLUMNS, sheet.headers)
    keys = set(mapping.values())
    problems = list(sheet.problems)
    need = [] if _monitor_header(sheet.headers) else [
        n for n, ok in (("平台", "platform" in keys), ("账号名称或账号ID", bool(keys & {"name", "account_id"})),
                        ("最近发布时间或期间发布条数", bool(keys & {"last_update", "posts"}))) if not ok]
    if (stop := unreadable(sheet, need)) is not None:
        return [], problems + [stop]
    out, seen = [], {}
    for number, cells in sheet.rows:
        v = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        name, acc_id = cell_text(v.get("name")), cell_text(v.get("account_id"))
        platform, row_problems = account_identity_problems(number, cell_text(v.get("platform")), name, acc_id,
                                                           MONITOR_LABELS)
        last = None
        try:
            last = parse_date(v.get("last_update"))
        except BadValue as exc:
            row_problems.append(RowProblem(number, MONITOR_LABELS["last_update"], str(exc)))
        posts = None
        t = cell_text(v.get("posts"))
        if t:
            if t.isdigit():
                posts = int(t)
            else:
                row_problems.append(RowProblem(number, MONITOR_LABELS["posts"], f"“{t}”应为不小于0的整数"))
        if last is None and posts is None and not row_problems:
            row_problems.append(RowProblem(number, MONITOR_LABELS["last_update"], "最近发布时间和期间发布条数不能都为空"))
        row_problems += account_repeat_problems(number, platform, name, acc_id, MONITOR_LABELS, seen)
        if row_problems:
            problems.extend(row_problems)
            continue
        out.append(MonitoringRow(number, platform, name, acc_id, last, posts, cell_text(v.get("owner"))))
    problems.sort(key=lambda p: p.row)
    return out, problems


def read_monitoring(path: Path | str) -> tuple[SheetData, list[MonitoringRow], list[RowProblem]]:
    """Read and validate a monitoring file; ImportFileError when it cannot be read at all."""
    sheet = read_table(path, is_header=_monitor_header)
    rows, problems = parse_monitoring(sheet)
    return sheet, rows, problems


@dataclass
class MonitoringImport(CheckedImport):
    """Outcome of import_monitoring: problems (nothing written), or what changed."""
    path: Path
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)     # accounts not in this round
    matched: int = 0
    changed: int = 0                                             # observations written
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    unmapped: list[str] = field(default_factory=list)
    dry_run: bool = False
    refusal = "未导入任何监测数据"

    def outcome(self) -> str:
        skipped = f"；不在本轮检查对象中、已跳过 {len(self.skipped)} 个" if self.skipped else ""
        if self.dry_run:
            return f"检查通过：{self.matched} 个账号的监测数据可以导入（试运行，未写入）{skipped}。"
        return (f"已导入监测数据：匹配账号 {self.matched} 个，更新 {self.changed} 个；"
                f"提出问题 新增 {self.added}、更新 {self.updated}、撤回 {self.withdrawn}{skipped}。")


def _round_accounts(db: sqlite_utils.Database, round_id: int):
    by_id: dict[tuple, int] = {}
    by_name: dict[tuple, list[int]] = {}
    keys: dict[int, str] = {}
    for tid, key, name, platform, acc_id in db.conn.execute(
            "SELECT id, target_key, name, platform, COALESCE(json_extract(snapshot, '$.account_id'), '')"
            " FROM round_targets WHERE round_id = ? AND target_type = 'account'", (round_id,)):
        keys[tid] = key
        if acc_id:
            by_id[(platform, acc_id)] = tid
        by_name.setdefault((platform, name), []).append(tid)
    return by_id, by_name, keys


def import_monitoring(db: sqlite_utils.Database, round_id: int, path: Path | str, dry_run: bool = False,
                      who: str | None = None) -> MonitoringImport:
    """Fill the review grid from a monitoring export, all or nothing (one transaction).

    Matching: (平台, 账号ID) first, else (平台, 账号名称) among the round's accounts. Rows of
    accounts outside this round are skipped and listed, not errors (a sampled round does not
    hold every account of the export). An empty cell never overwrites a value already entered.
    """
    result = MonitoringImport(Path(path), dry_run=dry_run)
    sheet, rows, problems = read_monitoring(path)           # read before taking the write lock
    result.rows = len(sheet.rows)
    result.problems.extend(problems)
    session = ReviewSession(db, round_id)
    who = who or audit.current_user(db)
    with transaction(db):
        session._ensure_open()
        by_id, by_name, keys = _round_accounts(db, round_id)
        plan: dict[int, MonitoringRow] = {}
        for r in rows:
            tid = by_id.get((r.platform, r.account_id)) if r.account_id else None
            if tid is None and r.name:
                hits = by_name.get((r.platform, r.name), [])
                if len(hits) > 1:
                    result.problems.append(RowProblem(r.row, MONITOR_LABELS["name"],
                                                      f"本轮有 {len(hits)} 个同名的{r.platform}账号“{r.name}”，请填写账号ID"))
                    continue
                tid = hits[0] if hits else None
            if tid is None:
                result.skipped.append(RowProblem(r.row, MONITOR_LABELS["name"],
                                                  f"{r.platform}账号“{r.name or r.account_id}”不在本轮检查对象中，已跳过"))
                continue
            if tid in plan:
                result.problems.append(RowProblem(r.row, MONITOR_LABELS["name"],
                                                  f"与第{plan[tid].row}行是同一个账号（{keys[tid]}）"))
                continue
            plan[tid] = r
        result.problems.sort(key=lambda p: p.row)
        result.matched = len(plan)
        if result.problems or dry_run:
            return result
        rules = findings_mod.list_whitelist_rules(db, active_only=True)
        unmapped: dict[str, None] = {}
        for tid, r in plan.items():
            old = session.observation(tid)
            changes = {}
            if r.last_update is not None:
                changes["last_update"] = r.last_update
            if r.posts is not None:
                changes["posts_in_period"] = r.posts
            new = replace(old, **changes)
            if new != old:
                result.changed += 1
            a, u, w, un = session._store(tid, keys[tid], old, new, "导入", who, rules)
            result.added += len(a)
            result.updated += len(u)
            result.withdrawn += len(w)
            unmapped.update(dict.fromkeys(un))
        result.unmapped = list(unmapped)
        audit.log(db, "rounds", round_id, "import_monitoring", None,
                  {"file": str(result.path), "matched": result.matched, "changed": result.changed,
                   "skipped": len(result.skipped), "findings_added": result.added}, who)
    return result


# ---------------------------------------------------------------- activity statistics

@dataclass(frozen=True)
class ActivityRow:
    """主办单位 | 新媒体名称 | 发布条数 for the exports (posts None: no data)."""
    unit_name: str
    account_name: str
    platform: str
    region_name: str
    posts: int | None
    last_update: str | None


def activity_rows(db: sqlite_utils.Database, round_id: int) -> list[ActivityRow]:
    """Posts per account in the round's period, in registry order (all account targets)."""
    cur = db.conn.execute(
        """SELECT t.unit_name, t.name, t.platform, t.region_name, o.posts_in_period, o.last_update
           FROM round_targets t
           LEFT JOIN media_observations o ON o.round_id = t.round_id AND o.target_id = t.id
           WHERE t.round_id = ? AND t.target_type = 'account' ORDER BY t.sort_order, t.id""", (round_id,))
    return [ActivityRow(*r) for r in cur.fetchall()]
