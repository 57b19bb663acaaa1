"""Registry import: plan (validate + diff, writes nothing), then apply all-or-nothing.

Matching: sites by 网站标识码; accounts by (平台, 账号ID), else (平台, 账号名称).
An empty cell never overwrites a value already in the registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..errors import ImportFileError
from ..office.tabular import CheckedImport, RowProblem, SheetData, read_table, refuse_unclean, unreadable
from ..office.tabular import note_match
from ..store import audit
from ..store.db import transaction
from . import registry
from .fields import FIELDS, LABEL, clean_record, match_headers

__all__ = ["RowProblem", "SheetData", "read_table", "ImportPlan", "ImportResult",
           "plan_import", "apply_import", "KIND_NAME"]

KIND_NAME = {"site": "网站", "account": "新媒体账号"}


@dataclass
class ImportPlan(CheckedImport):
    kind: str
    sheet: SheetData
    mapping: dict[int, str]
    unmapped: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    new: list[tuple[int, dict]] = field(default_factory=list)
    changed: list[tuple[int, int, dict, dict]] = field(default_factory=list)
    unchanged: list[tuple[int, int]] = field(default_factory=list)
    new_regions: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)

    @property
    def refusal(self) -> str:
        return f"未写入任何{KIND_NAME[self.kind]}"

    def outcome(self) -> str:
        text = f"{KIND_NAME[self.kind]}：新增 {len(self.new)}，变更 {len(self.changed)}，未变 {len(self.unchanged)}"
        if self.new_regions:
            text += f"；新建地区 {len(self.new_regions)}"
        if self.new_units:
            text += f"；新建单位 {len(self.new_units)}"
        return text


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    unchanged: int


def _key_of(kind: str, values: dict) -> tuple:
    if kind == "site":
        return ("code", values.get("site_code"))
    if values.get("account_id"):
        return ("id", values.get("platform"), values["account_id"])
    return ("name", values.get("platform"), values.get("name"))


def _same(a, b) -> bool:
    norm = (lambda x: "" if x is None else str(x))
    return norm(a) == norm(b)


class _Existing:
    """Index of the registry for matching."""

    def __init__(self, db: sqlite_utils.Database, kind: str):
        self.records = registry.list_records(db, kind)
        self.by_code = {r["site_code"]: r for r in self.records} if kind == "site" else {}
        self.by_id = {(r["platform"], r["account_id"]): r for r in self.records
                      if kind == "account" and r.get("account_id")}
        self.by_name: dict[tuple, list[dict]] = {}
        self.by_url: dict[str, dict] = {}
        for r in self.records:
            if kind == "account":
                self.by_name.setdefault((r["platform"], r["name"]), []).append(r)
            else:
                self.by_url.setdefault(r["url"], r)

    def match(self, kind: str, values: dict) -> tuple[dict | None, str | None]:
        """(matched record, conflict reason)."""
        if kind == "site":
            return self.by_code.get(values.get("site_code")), None
        platform, acc_id, name = values.get("platform"), values.get("account_id"), values.get("name")
        if acc_id:
            hit = self.by_id.get((platform, acc_id))
            if hit:
                return hit, None
            same_name = [r for r in self.by_name.get((platform, name), []) if not r.get("account_id")]
            if len(same_name) == 1:
                return same_name[0], None   # the registry lacked the ID so far
            return None, None
        same_name = self.by_name.get((platform, name), [])
        if len(same_name) > 1:
            return None, f"名录中有 {len(same_name)} 个同名的{platform}账号“{name}”，请填写账号ID以区分"
        return (same_name[0] if same_name else None), None


_IDENTITY = {"site": {"site_code"}, "account": {"name", "platform"}}


def _is_header(kind: str, texts: list[str]) -> bool:
    return _IDENTITY[kind] <= set(match_headers(kind, texts).values())


def plan_import(db: sqlite_utils.Database, kind: str, source: Path | str | SheetData,
                mapping: dict[int, str] | None = None) -> ImportPlan:
    """Validate every row and compute new/changed/unchanged. Writes nothing."""
    if kind not in FIELDS:
        raise ValueError(kind)
    sheet = source if isinstance(source, SheetData) else read_table(source, is_header=lambda t: _is_header(kind, t))
    mapping = dict(match_headers(kind, sheet.headers) if mapping is None else mapping)
    plan = ImportPlan(kind, sheet, mapping)
    plan.unmapped = [h for i, h in enumerate(sheet.headers) if i not in mapping and h]
    plan.problems.extend(sheet.problems)
    labels = LABEL[kind]
    mapped = set(mapping.values())
    missing = [f for f in FIELDS[kind] if f.required and f.key not in mapped]
    need = [] if _IDENTITY[kind] <= mapped else [f"{f.label}（也可写作：{'/'.join(f.aliases[:3])}）" for f in missing]
    if (stop := unreadable(sheet, need)) is not None:
        plan.problems.append(stop)
        return plan

    existing = _Existing(db, kind)
    known_regions = {r["name"] for r in registry.regions(db)}
    known_units = {n for (n,) in db.conn.execute("SELECT name FROM units")}
    seen: dict[tuple, int] = {}
    seen_urls: dict[str, int] = {}
    new_regions: dict[str, None] = {}
    new_units: dict[str, None] = {}
    for number, cells in sheet.rows:
        raw = {key: cells[i] for i, key in mapping.items()
               if i < len(cells) and cells[i] is not None and str(cells[i]).strip() != ""}
        cleaned = clean_record(kind, raw, partial=True)
        for label, reason in cleaned.problems.items():
            plan.problems.append(RowProblem(number, label, reason))
        for label, reason in cleaned.warnings.items():
            plan.warnings.append(RowProblem(number, label, reason))
        values = cleaned.values
        key = _key_of(kind, values)
        if None in key[1:] or "" in key[1:]:
            if not cleaned.problems:
                plan.problems.append(RowProblem(number, labels["site_code" if kind == "site" else "name"], "不能为空"))
            continue
        if key in seen:
            what = labels["site_code"] if kind == "site" else "账号"
            plan.problems.append(RowProblem(number, what, f"与第{seen[key]}行重复（{' '.join(map(str, key[1:]))}）"))
            continue
        seen[key] = number
        if cleaned.problems:
            continue
        record, conflict = existing.match(kind, values)
        if conflict:
            plan.problems.append(RowProblem(number, labels["name"], conflict))
            continue
        if kind == "site" and values.get("url"):
            other = existing.by_url.get(values["url"])
            if other and (record is None or other["id"] != record["id"]):
                plan.warnings.append(RowProblem(number, labels["url"], f"与名录中的“{other['name']}”（{other['site_code']}）网址相同"))
            if values["url"] in seen_urls:
                plan.warnings.append(RowProblem(number, labels["url"], f"与第{seen_urls[values['url']]}行网址相同"))
            seen_urls.setdefault(values["url"], number)
        if record is None:
            absent = [f.label for f in FIELDS[kind] if f.required and f.key not in values]
            if absent:
                for label in absent:
                    plan.problems.append(RowProblem(number, label, "新增记录时不能为空"))
                continue
            plan.new.append((number, values))
        else:
            changes = {k: val for k, val in values.items() if not _same(record.get(k), val)}
            note_match(plan, number, record["id"], record, changes)
        if values.get("region") and values["region"] not in known_regions:
            new_regions[values["region"]] = None
        for unit_key in ("host_unit", "supervisor_unit"):
            if values.get(unit_key) and values[unit_key] not in known_units:
                new_units[values[unit_key]] = None
    plan.new_regions = list(new_regions)
    plan.new_units = list(new_units)
    plan.problems.sort(key=lambda p: p.row)
    return plan


def _signature(plan: ImportPlan) -> tuple:
    return (len(plan.new), [c[1] for c in plan.changed], [u[1] for u in plan.unchanged])


def apply_import(db: sqlite_utils.Database, plan: ImportPlan, who: str | None = None) -> ImportResult:
    """Write a clean plan in one transaction; nothing is written if anything fails."""
    refuse_unclean(plan)
    with transaction(db):
        fresh = plan_import(db, plan.kind, plan.sheet, plan.mapping)   # re-check under the write lock
        if not fresh.ok or _signature(fresh) != _signature(plan):
            raise ImportFileError("预览之后名录已被修改，请重新检查导入文件后再导入。")
        names = registry.NameCache(db)
        registry.insert_records(db, plan.kind, [v for _, v in fresh.new], names, who)
        registry.update_records(db, plan.kind, [(rid, old, new) for _, rid, old, new in fresh.changed], names, who)
        audit.log(db, registry.TABLE[plan.kind], None, "import", None,
                  {"file": str(plan.sheet.path), "new": len(fresh.new), "changed": len(fresh.changed),
                   "unchanged": len(fresh.unchanged)}, who)
    return ImportResult(len(fresh.new), len(fresh.changed), len(fresh.unchanged))
