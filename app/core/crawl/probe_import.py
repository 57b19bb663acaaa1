"""Probe logs from elsewhere (a vendor's monitoring export, another inspector's monitor): .csv or
.xlsx rows of time, URL or 网站标识码, seconds, ok — all or nothing, every problem as 第N行 列：原因.

Rows are read by checks/availability.probe_from_cells (the same reader as the CSV probe log),
matched to registry sites by 网站标识码 or by homepage URL, and stored with source 'import'.
A row already stored (same site, time, result and seconds) is skipped, so importing a file
twice changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..checks.availability import COLUMN_LABELS, parse_time, probe_columns, probe_from_cells
from ..checks.links import url_key
from ..office.tabular import RowProblem, read_table
from ..store.db import transaction
from .probe_store import INSERT_SQL, stamp

SOURCE = "import"
_LABELS = {**COLUMN_LABELS, "target": "网址或网站标识码"}


@dataclass
class ProbeImportPlan:
    path: Path
    rows: list[tuple] = field(default_factory=list)        # ready for INSERT_SQL
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: int = 0                                      # rows already stored (or twice in the file)
    sites: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"拨测记录有 {len(self.problems)} 处问题，未导入任何记录"
        dup = f"，跳过已有 {self.duplicates} 条" if self.duplicates else ""
        return f"可导入 {len(self.rows)} 条拨测记录（{self.sites} 个网站）{dup}"


def _is_header(texts: list[str]) -> bool:
    cols = probe_columns(texts)
    return cols is not None and ("url" in cols or "site" in cols)


def _site_maps(db: sqlite_utils.Database) -> tuple[dict[str, int], dict[str, list[int]], dict[int, str]]:
    by_code, by_url, homes = {}, {}, {}
    for sid, code, url in db.conn.execute("SELECT id, site_code, url FROM sites"):
        by_code[code] = sid
        homes[sid] = url or ""
        if url:
            by_url.setdefault(url_key(url.strip()), []).append(sid)
    return by_code, by_url, homes


def plan_probe_import(db: sqlite_utils.Database, path: Path | str) -> ProbeImportPlan:
    """Read and check a probe log; nothing is written (ImportFileError when unreadable)."""
    sheet = read_table(path, is_header=_is_header)
    plan = ProbeImportPlan(Path(path), problems=list(sheet.problems))
    cols = probe_columns(sheet.headers)
    data = list(sheet.rows)
    if cols is None and sheet.headers and parse_time(str(sheet.headers[0])) is not None:
        # No header row: columns are time, URL or 网站标识码, seconds, ok.
        cols = {"time": 0, "target": 1, "seconds": 2, "ok": 3}
        data.insert(0, (sheet.header_row, list(sheet.headers)))
    if cols is None or not ({"url", "site", "target"} & cols.keys()):
        plan.problems.append(RowProblem(sheet.header_row, "", "无法识别表头：应有“时间”“网址”或“网站标识码”“耗时（秒）”"
                                                              "“是否成功”列"))
        return plan
    by_code, by_url, homes = _site_maps(db)
    seen: set[tuple] = set()
    found: list[tuple] = []
    for number, values in data:
        cells = {name: values[i] for name, i in cols.items() if i < len(values)}
        probe, problems = probe_from_cells(cells, "ok" in cols)
        target_col, target = _target(cells)
        site_id, why = _resolve(target, target_col, by_code, by_url)
        if why:
            plan.problems.append(RowProblem(number, _LABELS.get(target_col, "网址"), why))
        for label, reason in problems:
            plan.problems.append(RowProblem(number, label, reason))
        if problems or why:
            continue
        url = probe.url if "://" in probe.url else homes.get(site_id, "")
        at = stamp(probe.time)
        key = (site_id, at, int(probe.ok), probe.seconds)
        if key in seen:
            plan.duplicates += 1
            continue
        seen.add(key)
        found.append((site_id, url, at, probe.seconds, int(probe.ok), None, probe.error, "", SOURCE))
    if plan.problems:
        return plan
    if found:
        lo, hi = min(r[2] for r in found), max(r[2] for r in found)
        stored = set(db.conn.execute("SELECT site_id, at, ok, seconds FROM probes WHERE at >= ? AND at <= ?", (lo, hi)))
        for row in found:
            if (row[0], row[2], row[4], row[3]) in stored:
                plan.duplicates += 1
            else:
                plan.rows.append(row)
    plan.sites = len({r[0] for r in plan.rows})
    return plan


def _target(cells: dict) -> tuple[str, str]:
    """(column, text) naming the site: 网站标识码 first, else the URL."""
    for col in ("site", "target", "url"):
        text = "" if cells.get(col) is None else str(cells.get(col)).strip()
        if text:
            return col, text
    return ("site" if "site" in cells else "url" if "url" in cells else "target"), ""


def _resolve(text: str, col: str, by_code: dict, by_url: dict) -> tuple[int | None, str]:
    if not text:
        return None, "缺少网址或网站标识码"
    if text in by_code:
        return by_code[text], ""
    if col == "site" or (col == "target" and "://" not in text and "." not in text):
        return None, f"名录中没有网站标识码“{text}”"
    hits = by_url.get(url_key(text if "://" in text else f"http://{text}"), [])
    if not hits:
        return None, f"名录中没有首页为“{text}”的网站"
    if len(hits) > 1:
        return None, f"名录中有 {len(hits)} 个网站的首页都是“{text}”，请改用网站标识码"
    return hits[0], ""


def apply_probe_import(db: sqlite_utils.Database, plan: ProbeImportPlan) -> int:
    """Store a clean plan in one transaction; returns the rows written."""
    if not plan.ok:
        raise ValueError("a probe import with problems cannot be applied")
    with transaction(db):
        db.conn.executemany(INSERT_SQL, plan.rows)
    return len(plan.rows)
