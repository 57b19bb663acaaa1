"""Findings in and out of files: import from .xlsx/.csv (all or nothing) and export as jsonl/.xlsx."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import sqlite_utils

from ..office.tabular import CheckedImport, match_columns, unreadable
from ..registry import vocab
from ..registry.importing import RowProblem, SheetData, read_table
from ..registry.validation import text as cell_text
from ..store import audit
from ..store.db import transaction
from .findings import (
    STATUSES, Finding, IndicatorIndex, insert_rows, positive_int, list_whitelist_rules, normalise_status,
)
from .rounds import ensure_open, get_round, mark_checked


# ---------------------------------------------------------------- import

# Column key -> (label, accepted headers). The first header is the label shown in errors.
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "target_key": ("网站标识码", "标识码", "网站识别码", "检查对象标识", "对象标识"),
    "platform": ("平台", "账号类型", "平台类型", "新媒体类型"),
    "account_name": ("账号名称", "新媒体名称", "政务新媒体名称", "公众号名称", "账号"),
    "indicator": ("指标", "指标编号", "指标ID", "指标名称", "指标项", "问题指标"),
    "detail": ("问题描述", "描述", "问题详情", "详情", "问题"),
    "count": ("数量", "个数", "次数", "问题数量"),
    "url": ("链接", "问题链接", "网址", "URL", "页面地址", "地址"),
    "status": ("状态", "审核状态"),
    "kind": ("问题类型", "检查类型"),
    "page": ("页面", "页面标题", "所在页面"),
    "snippet": ("片段", "原文", "错误内容", "问题片段"),
    "reviewer_note": ("审核备注", "备注"),
}
LABELS = {k: v[0] for k, v in IMPORT_COLUMNS.items()}


def match_import_headers(headers: list[str]) -> dict[int, str]:
    """Column index -> import key (first matching column wins)."""
    return match_columns(IMPORT_COLUMNS, headers)


def _is_header(texts: list[str]) -> bool:
    keys = set(match_import_headers(texts).values())
    return "indicator" in keys and ("target_key" in keys or {"platform", "account_name"} <= keys)


@dataclass
class FindingsImport(CheckedImport):
    """Outcome of import_findings: problems (nothing written) or the ids added."""
    path: Path
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    dry_run: bool = False
    refusal = "未导入任何问题记录"

    def outcome(self) -> str:
        if self.dry_run:
            return f"检查通过：{self.rows} 条问题记录可以导入（试运行，未写入）。"
        return f"已导入 {len(self.added)} 条问题记录。"


class _Targets:
    """Round targets by key for import matching."""

    def __init__(self, db: sqlite_utils.Database, round_id: int):
        self.by_key: dict[str, dict] = {}
        self.by_account: dict[str, list[dict]] = {}
        for tid, ttype, key, name, platform in db.conn.execute(
                "SELECT id, target_type, target_key, name, platform FROM round_targets WHERE round_id = ?",
                (round_id,)):
            t = {"id": tid, "target_type": ttype, "target_key": key, "name": name}
            self.by_key[key] = t
            self.by_key.setdefault(key.lower(), t)
            if ttype == "account":
                self.by_account.setdefault(f"{platform}:{name}", []).append(t)


def _plan_rows(db: sqlite_utils.Database, round_id: int, sheet: SheetData, result: FindingsImport) -> list[dict]:
    mapping = match_import_headers(sheet.headers)
    keys = set(mapping.values())
    result.problems.extend(sheet.problems)
    need = [n for n, ok in (("网站标识码（新媒体账号为：平台、账号名称）",
                             "target_key" in keys or {"platform", "account_name"} <= keys),
                            ("指标", "indicator" in keys)) if not ok]
    if (stop := unreadable(sheet, need)) is not None:
        result.problems.append(stop)
        return []
    index = IndicatorIndex.for_round(db, round_id)
    targets = _Targets(db, round_id)
    at = audit.now()
    out = []
    for number, cells in sheet.rows:
        result.rows += 1
        v = {key: cell_text(cells[i]) if i < len(cells) else "" for i, key in mapping.items()}
        row_problems = []
        target = None
        code = v.get("target_key", "")
        if code:
            target = targets.by_key.get(code) or targets.by_key.get(code.lower())
            if target is None:
                row_problems.append((LABELS["target_key"], f"“{code}”不在本轮检查对象中"))
        elif v.get("platform") or v.get("account_name"):
            platform = vocab.normalise_platform(v.get("platform", ""))
            name = v.get("account_name", "")
            if not v.get("platform"):
                row_problems.append((LABELS["platform"], "不能为空"))
            elif platform is None:
                row_problems.append((LABELS["platform"], f"未知的平台“{v['platform']}”"))
            elif not name:
                row_problems.append((LABELS["account_name"], "不能为空"))
            else:
                hits = targets.by_account.get(f"{platform}:{name}", [])
                if len(hits) > 1:
                    row_problems.append((LABELS["account_name"],
                                         f"本轮有 {len(hits)} 个同名的{platform}账号“{name}”，请在“{LABELS['target_key']}”列"
                                         f"填写对象标识（{'、'.join(h['target_key'] for h in hits)}）"))
                elif not hits:
                    row_problems.append((LABELS["account_name"], f"{platform}账号“{name}”不在本轮检查对象中"))
                else:
                    target = hits[0]
        else:
            row_problems.append((LABELS["target_key"], "不能为空（新媒体账号请填写平台和账号名称）"))
        ind = None
        if target is not None:
            ind, problem = index.resolve(v.get("indicator", ""), target["target_type"])
        elif v.get("indicator"):
            ind, problem = index.resolve(v["indicator"], None)
        else:
            problem = "不能为空"
        if problem:
            row_problems.append((LABELS["indicator"], problem))
        count = positive_int(v["count"]) if v.get("count") else 1
        if count is None:
            row_problems.append((LABELS["count"], f"“{v['count']}”应为正整数"))
        status = normalise_status(v["status"]) if v.get("status") else "确认"
        if status is None:
            row_problems.append((LABELS["status"], f"未知的状态“{v['status']}”，应为：{'、'.join(STATUSES)}"))
        if row_problems:
            result.problems.extend(RowProblem(number, label, reason) for label, reason in row_problems)
            continue
        out.append({"round_id": round_id, "target_id": target["id"], "indicator_id": ind.id,
                    "kind": v.get("kind", ""), "source": "导入", "status": status, "count": count, "deduct": None,
                    "url": v.get("url", ""), "page": v.get("page", ""), "detail": v.get("detail", ""),
                    "snippet": v.get("snippet", ""), "evidence_text": "", "screenshot_path": "",
                    "detected_at": at, "reviewer_note": v.get("reviewer_note", ""), "run_id": None,
                    "_target_key": target["target_key"]})
    result.problems.sort(key=lambda p: p.row)
    return out


def import_findings(db: sqlite_utils.Database, round_id: int, path: Path | str, dry_run: bool = False,
                    who: str | None = None) -> FindingsImport:
    """Import findings from .xlsx/.csv, all or nothing: any bad row means nothing is written.

    Columns: 网站标识码 (or 平台 + 账号名称), 指标 (item id or Chinese name), 问题描述,
    数量 (default 1), 链接, 状态 (default 确认); optional 问题类型, 页面, 片段, 审核备注.
    """
    ensure_open(db, round_id)
    sheet = read_table(path, is_header=_is_header)        # read before taking the write lock
    result = FindingsImport(Path(path), dry_run=dry_run)
    who = who or audit.current_user(db)
    with transaction(db):
        ensure_open(db, round_id)
        rows = _plan_rows(db, round_id, sheet, result)
        if result.problems or dry_run:
            return result
        targets = {r["target_id"] for r in rows}
        result.added = insert_rows(db, rows, list_whitelist_rules(db, active_only=True), who, "import")
        mark_checked(db, targets, "导入问题", who)
        audit.log(db, "rounds", round_id, "import_findings", None,
                  {"file": str(result.path), "findings": len(result.added)}, who)
    return result


# ---------------------------------------------------------------- export

def finding_record(f: Finding, indicator_name: str = "") -> dict:
    """The export form of a finding (JSONL line, also the xlsx row source)."""
    return {
        "id": f.id,
        "round_id": f.round_id,
        "target": f.target_key,
        "target_type": f.target_type,
        "name": f.target_name,
        "region": f.region_name,
        "unit": f.unit_name,
        "indicator": f.indicator_id,
        "indicator_name": indicator_name,
        "kind": f.kind,
        "count": f.count,
        "url": f.url,
        "page": f.page,
        "detail": f.detail,
        "snippet": f.snippet,
        "status": f.status,
        "source": f.source,
        "detected_at": f.detected_at,
        "reviewer": f.reviewer,
        "reviewer_note": f.reviewer_note,
        "reviewed_at": f.reviewed_at,
        "whitelist_rule_id": f.whitelist_rule_id,
        "screenshot_path": f.screenshot_path,
        "fingerprint": f.fingerprint,
        "evidence": f.evidence_text,
        "evidence_items": evidence_items(f.evidence_text),
    }


def evidence_items(text: str) -> list[dict]:
    """The itemised part of a finding's evidence: lines ``value｜context`` (a PII finding lists each
    number so, masked as in the GUI, with its masked context) as [{"value", "context"}]."""
    items = []
    for line in (text or "").splitlines():
        value, sep, context = line.partition("｜")
        if sep:
            items.append({"value": value.strip(), "context": context.strip()})
    return items


def _indicator_names(db: sqlite_utils.Database, round_id: int) -> dict[str, str]:
    return {i: ind.name for i, ind in IndicatorIndex.for_round(db, round_id).by_id.items()}


def write_jsonl(db: sqlite_utils.Database, findings: list[Finding], out: TextIO) -> int:
    """One JSON object per line (UTF-8 text, Chinese unescaped); returns the number written."""
    names: dict[str, str] = {}
    for rid in {f.round_id for f in findings}:
        names.update(_indicator_names(db, rid))
    for f in findings:
        out.write(json.dumps(finding_record(f, names.get(f.indicator_id, "")), ensure_ascii=False) + "\n")
    return len(findings)


XLSX_COLUMNS = [
    ("序号", 6), ("检查对象标识", 16), ("名称", 26), ("地区", 10), ("指标", 26), ("指标名称", 20),
    ("问题类型", 12), ("问题描述", 36), ("数量", 6), ("链接", 36), ("页面", 20), ("片段", 24),
    ("状态", 8), ("来源", 6), ("发现时间", 19), ("审核人", 10), ("审核备注", 20),
]


def export_xlsx(db: sqlite_utils.Database, round_id: int, findings: list[Finding], path: Path | str) -> int:
    """Write findings to .xlsx: title row, bold frozen header, text never becomes a formula.

    The column names are those import_findings reads, so a reviewed sheet can go back in.
    """
    from ..office.xlsx import save_table

    rnd = get_round(db, round_id)
    names = _indicator_names(db, round_id)
    rows = ([n, f.target_key, f.target_name, f.region_name, f.indicator_id, names.get(f.indicator_id, ""),
             f.kind, f.detail, f.count, f.url, f.page, f.snippet, f.status, f.source, f.detected_at,
             f.reviewer, f.reviewer_note] for n, f in enumerate(findings, start=1))
    return save_table(path, "问题清单", f"{rnd.name} 问题清单", XLSX_COLUMNS, rows,
                      subtitle=f"监测时间点 {rnd.as_of}　共 {len(findings)} 条　导出时间 {audit.now()}")
