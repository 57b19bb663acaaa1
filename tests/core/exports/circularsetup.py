"""Helpers for the five published circulars as end-to-end cases: registries written as the files an
office keeps (regions, sites, accounts, findings, 找错 messages), everything else through the CLI
alone, and the transcribed expectations read from tests/fixtures/circulars/."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from openpyxl import load_workbook

from app.cli.main import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "circulars"
REGION_HEADERS = ["地区", "分组", "级别", "排序"]
SITE_HEADERS = ["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "网站类别", "门户网站"]
ACCOUNT_HEADERS = ["账号名称", "平台", "主办单位", "地区", "已备案"]
FINDING_HEADERS = ["网站标识码", "平台", "账号名称", "指标", "问题描述", "数量", "状态"]
MESSAGE_HEADERS = ["留言编号", "网站标识码", "提交时间", "问题类型", "答复时间", "是否属实"]


def case(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def write_csv(path: Path, headers: list[str], rows: list[list], shuffle_seed: int | None = None) -> Path:
    """UTF-8 CSV as offices export it; ``shuffle_seed`` writes the rows in a random order (an import
    file's order must never decide an annex's row order)."""
    rows = list(rows)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(rows)
    with open(path, "w", encoding="utf-8-sig", newline="") as fp:
        w = csv.writer(fp)
        w.writerow(headers)
        w.writerows(["" if v is None else v for v in r] for r in rows)
    return path


class Cli:
    """``python -m app --db FILE …`` in-process; each call must succeed and returns its stdout lines."""

    def __init__(self, db_path: Path, capsys):
        self.db, self.capsys = db_path, capsys

    def __call__(self, *args: str, expect: int = 0) -> list[str]:
        self.capsys.readouterr()
        code = main(["--db", str(self.db), *map(str, args)])
        out = self.capsys.readouterr()
        assert code == expect, (args, code, out.out, out.err)
        self.err = out.err
        return out.out.splitlines()

    def json(self, *args: str) -> dict:
        return json.loads("\n".join(self(*args)))

    def new_round(self, *args: str) -> int:
        return int(self("round", "create", *args)[-1])


def sheet_values(path: Path) -> tuple[list[list], set[str], object]:
    """(rows as values, merged ranges, the worksheet) of a one-sheet annex workbook."""
    ws = load_workbook(path).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows, {str(m) for m in ws.merged_cells.ranges}, ws


def rate_shown(cell) -> str:
    """A rate cell as Excel prints it (value and number format)."""
    decimals = cell.number_format.split(".")[1].count("0") if "." in cell.number_format else 0
    return f"{cell.value * 100:.{decimals}f}%"
