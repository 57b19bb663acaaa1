"""Export the registry to .xlsx in the import columns, so the file re-imports unchanged."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils
from openpyxl import Workbook

from ..office.xlsx import write_table
from . import registry
from .fields import FIELDS

SHEET_TITLE = {"site": "政府网站名录", "account": "政务新媒体名录"}


def _cell(key: str, value):
    if key in ("is_portal", "has_external_service", "filed"):
        return "是" if value else "否"
    return "" if value is None else value


def export_registry(db: sqlite_utils.Database, path: Path | str) -> dict[str, int]:
    """Write one sheet per kind; returns the row counts."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    counts = {}
    for kind in ("site", "account"):
        ws = wb.create_sheet(SHEET_TITLE[kind])
        fields = FIELDS[kind]
        rows = ([_cell(f.key, r.get(f.key)) for f in fields] for r in registry.list_records(db, kind))
        counts[kind] = write_table(ws, SHEET_TITLE[kind], [f.label for f in fields], rows,
                                   widths=[f.width for f in fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)   # never leave a half-written workbook under the real name
    return counts
