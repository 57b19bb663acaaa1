"""Helpers for core tests: registry rows and table files written the way offices write them."""
from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

SITE_HEADERS = ["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "网站类别", "运行状态"]


def site_row(i: int, **over) -> list:
    row = {"网站名称": f"测试网站{i}", "网站标识码": f"3699{i:06d}", "首页网址": f"www.site{i}.gov.cn",
           "主办单位": f"单位{i % 7}", "地区": f"地区{i % 5}", "网站类别": "市级部门网站", "运行状态": "正常"}
    row.update(over)
    return [row[h] for h in SITE_HEADERS]



def write_xlsx(path: Path, headers: list, rows: list[list], title: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, headers: list, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return path


def snapshot(d) -> dict:
    """Everything an import could touch, to assert a failed import changed nothing."""
    out = {}
    for table in ("regions", "units", "sites", "accounts", "status_history", "audit_log"):
        out[table] = d.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    return out
