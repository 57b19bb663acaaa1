"""The region structure (地区 → 分组, 级别, 排序) as data: import from .xlsx/.csv all or nothing,
and edit one region. Annex rows follow 排序 within 分组; the area a circular names (全省/全市)
is the top region (级别 省 or 市 without a 分组).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..errors import ImportFileError, ValidationError
from ..office.tabular import CheckedImport, RowProblem, SheetData, match_columns, note_match, read_table, refuse_unclean
from ..store import audit
from ..store.db import transaction
from . import validation as v

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("地区", "地区名称", "名称", "单位", "地区/部门"),
    "group_name": ("分组", "地区分组", "组别", "分类", "所属分组"),
    "level": ("级别", "层级", "地区级别"),
    "sort_order": ("排序", "序号", "顺序", "排序号"),
    "code": ("行政区划代码", "区划代码", "代码"),
}
LABELS = {k: names[0] for k, names in COLUMNS.items()}
LEVELS = ("省", "市", "县", "乡镇", "部门")
_LEVEL_ALIASES = {"省级": "省", "地级市": "市", "地市": "市", "市级": "市", "区": "县", "县级": "县", "区县": "县",
                  "县(区)": "县", "街镇": "乡镇", "乡": "乡镇", "镇": "乡镇", "街道": "乡镇", "省直": "部门",
                  "省直部门": "部门", "市直部门": "部门", "部门单位": "部门"}


@dataclass
class RegionsPlan(CheckedImport):
    sheet: SheetData | None
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    new: list[tuple[int, dict]] = field(default_factory=list)
    changed: list[tuple[int, int, dict, dict]] = field(default_factory=list)    # row, id, old, new
    unchanged: list[tuple[int, int]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    refusal = "未写入任何地区"

    def outcome(self) -> str:
        return f"地区：新增 {len(self.new)}，变更 {len(self.changed)}，未变 {len(self.unchanged)}"


def level(value) -> str:
    """'地级市' -> '市'; BadValue for a level we do not know."""
    text = v.text(value)
    if not text:
        return ""
    text = _LEVEL_ALIASES.get(text, text)
    if text not in LEVELS:
        raise v.BadValue(f"未知的级别“{value}”，应为：{'、'.join(LEVELS)}")
    return text


def _order(value) -> int:
    text = v.text(value)
    try:
        number = float(text)
    except ValueError:
        raise v.BadValue(f"“{value}”不是整数") from None
    if not number.is_integer():
        raise v.BadValue(f"“{value}”不是整数")
    return int(number)


_CLEAN = {"name": v.text, "group_name": v.text, "level": level, "sort_order": _order, "code": v.region_code}


def clean_region(raw: dict) -> tuple[dict, dict[str, str]]:
    """(values, problems by column label) of one region; empty cells are left out."""
    values, problems = {}, {}
    for key, value in raw.items():
        if value is None or str(value).strip() == "":
            continue
        try:
            values[key] = _CLEAN[key](value)
        except v.BadValue as exc:
            problems[LABELS[key]] = str(exc)
    return values, problems


def _is_header(texts: list[str]) -> bool:
    mapped = set(match_columns(COLUMNS, texts).values())
    return "name" in mapped and len(mapped) >= 2


def list_regions(db: sqlite_utils.Database) -> list[dict]:
    """Regions in annex order: 排序, then id."""
    cur = db.conn.execute("SELECT id, name, group_name, level, sort_order, code FROM regions ORDER BY sort_order, id")
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def plan_regions_import(db: sqlite_utils.Database, source: Path | str | SheetData) -> RegionsPlan:
    """Validate every row and compute new/changed/unchanged regions. Writes nothing."""
    sheet = source if isinstance(source, SheetData) else read_table(source, is_header=_is_header)
    plan = RegionsPlan(sheet)
    plan.problems.extend(sheet.problems)
    mapping = match_columns(COLUMNS, sheet.headers)
    plan.unmapped = [h for i, h in enumerate(sheet.headers) if i not in mapping and h]
    if "name" not in mapping.values():
        plan.problems.append(RowProblem(sheet.header_row, "", "表头缺少“地区”列（也可写作：地区名称/名称）。"
                                                              f"识别到的列：{'、'.join(sheet.headers) or '无'}"))
        return plan
    if not sheet.rows:
        plan.problems.append(RowProblem(sheet.header_row, "", "表头下面没有数据行"))
        return plan
    existing = {r["name"]: r for r in list_regions(db)}
    codes = {r["code"]: r["name"] for r in existing.values() if r["code"]}
    seen: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for number, cells in sheet.rows:
        raw = {key: cells[i] for i, key in mapping.items() if i < len(cells)}
        values, problems = clean_region(raw)
        for label, reason in problems.items():
            plan.problems.append(RowProblem(number, label, reason))
        name = values.get("name", "")
        if not name:
            if "地区" not in problems:
                plan.problems.append(RowProblem(number, LABELS["name"], "不能为空"))
            continue
        if name in seen:
            plan.problems.append(RowProblem(number, LABELS["name"], f"与第{seen[name]}行重复（{name}）"))
            continue
        seen[name] = number
        code = values.get("code")
        if code:
            if code in seen_codes:
                plan.problems.append(RowProblem(number, LABELS["code"], f"与第{seen_codes[code]}行相同（{code}）"))
            elif codes.get(code, name) != name:
                plan.problems.append(RowProblem(number, LABELS["code"], f"名录中“{codes[code]}”已使用此代码"))
            seen_codes.setdefault(code, number)
        if problems:
            continue
        record = existing.get(name)
        if record is None:
            plan.new.append((number, values))
            continue
        changes = {k: val for k, val in values.items() if k != "name" and (record.get(k) or "") != (val or "")
                   and str(record.get(k)) != str(val)}
        note_match(plan, number, record["id"], record, changes)
    plan.problems.sort(key=lambda p: p.row)
    return plan


def apply_regions_import(db: sqlite_utils.Database, plan: RegionsPlan, who: str | None = None) -> RegionsPlan:
    """Write a clean plan in one transaction (re-checked under the write lock)."""
    refuse_unclean(plan)
    with transaction(db):
        fresh = plan_regions_import(db, plan.sheet)
        if not fresh.ok or len(fresh.new) != len(plan.new) or len(fresh.changed) != len(plan.changed):
            raise ImportFileError("预览之后地区已被修改，请重新检查导入文件后再导入。")
        log = []
        for _, values in fresh.new:
            row = {"group_name": "", "level": "", "sort_order": 0, **values}
            row["code"] = row.get("code") or None
            cur = db.conn.execute("INSERT INTO regions(name, group_name, level, sort_order, code) VALUES (?, ?, ?, ?, ?)",
                                  (row["name"], row["group_name"], row["level"], row["sort_order"], row["code"]))
            log.append(("regions", cur.lastrowid, "insert", None, row))
        for _, rid, old, new in fresh.changed:
            sets = ", ".join(f"{k} = ?" for k in new)
            db.conn.execute(f"UPDATE regions SET {sets} WHERE id = ?", [*new.values(), rid])
            log.append(("regions", rid, "update", old, new))
        log.append(("regions", None, "import", None, {"file": str(plan.sheet.path), "new": len(fresh.new),
                                                      "changed": len(fresh.changed)}))
        audit.log_many(db, log, who)
    return fresh


def edit_region(db: sqlite_utils.Database, region_id: int, raw: dict, who: str | None = None) -> dict:
    """Change a region's name, 分组, 级别 or 排序 (the GUI's region table); returns the changes."""
    old = next((r for r in list_regions(db) if r["id"] == region_id), None)
    if old is None:
        raise ValidationError({"地区": f"编号 {region_id} 不存在"})
    values, problems = clean_region({k: val for k, val in raw.items() if k in _CLEAN})
    for key in ("group_name", "level", "code"):       # clearing these is allowed here, unlike in imports
        if key in raw and (raw[key] is None or str(raw[key]).strip() == ""):
            values[key] = "" if key != "code" else None
    if "name" in raw and not values.get("name"):
        problems[LABELS["name"]] = "不能为空"
    name = values.get("name")
    if name and name != old["name"] and db.conn.execute("SELECT 1 FROM regions WHERE name = ?", (name,)).fetchone():
        problems[LABELS["name"]] = f"已有名为“{name}”的地区"
    if problems:
        raise ValidationError(problems)
    changes = {k: val for k, val in values.items() if old.get(k) != val}
    if changes:
        with transaction(db):
            db.conn.execute(f"UPDATE regions SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                            [*changes.values(), region_id])
            audit.log(db, "regions", region_id, "update", {k: old.get(k) for k in changes}, changes, who)
    return changes
