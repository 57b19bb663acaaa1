"""Annex workbooks: one 附件N-<标题>.xlsx per annex and one workbook with every annex as a sheet."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from openpyxl import Workbook

from ..office.xlsx import SheetStyle, write_sheet
from .annex_data import Annex, safe_filename

Progress = Callable[[int, int, str], None]


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", text)[:31] or "Sheet"
    base, n = name, 1
    while name in used:
        n += 1
        suffix = f"({n})"
        name = base[:31 - len(suffix)] + suffix
    used.add(name)
    return name


def _workbook(title: str) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    wb.properties.creator = "政网巡检 GovInspect"
    return wb


def write_annex(annex: Annex, out_dir: Path | str, style: SheetStyle = SheetStyle()) -> Path:
    """Write one annex workbook into ``out_dir``; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wb = _workbook(annex.title)
    used: set[str] = set()
    for sheet, table in annex.sheets:
        write_sheet(wb.create_sheet(_sheet_name(sheet, used)), table, style)
    path = out_dir / annex.filename
    wb.save(path)
    return path


def write_combined(annexes: list[Annex], path: Path | str, style: SheetStyle = SheetStyle()) -> Path:
    """All annexes in one workbook, one sheet per annex table (附件1, 附件3-检查结果 …)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = _workbook("全部附件")
    used: set[str] = set()
    for annex in annexes:
        for sheet, table in annex.sheets:
            name = f"附件{annex.number}" if len(annex.sheets) == 1 else f"附件{annex.number}-{sheet}"
            write_sheet(wb.create_sheet(_sheet_name(name, used)), table, style)
    wb.save(path)
    return path


def combined_filename(round_name: str) -> str:
    return f"全部附件-{safe_filename(round_name)}.xlsx"


def write_annexes(annexes: list[Annex], out_dir: Path | str, style: SheetStyle = SheetStyle(),
                  combined_name: str | None = "全部附件.xlsx", progress: Progress | None = None) -> list[Path]:
    """Each annex as its own file, then (unless ``combined_name`` is None) the combined workbook."""
    paths = []
    total = len(annexes) + (1 if combined_name and annexes else 0)
    for i, annex in enumerate(annexes, start=1):
        if progress:
            progress(i - 1, total, annex.filename)
        paths.append(write_annex(annex, out_dir, style))
    if combined_name and annexes:
        if progress:
            progress(total - 1, total, combined_name)
        paths.append(write_combined(annexes, Path(out_dir) / combined_name, style))
    if progress:
        progress(total, total, "")
    return paths
