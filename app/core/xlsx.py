"""Office-style .xlsx tables: title row, bold bordered header, frozen panes, A4 print
setup, and text that can never become a formula."""
from __future__ import annotations

from typing import Iterable, Sequence

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TEXT_FONT = "仿宋_GB2312"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
_FORMULA_START = ("=", "+", "-", "@")


def put(cell: Cell, value) -> Cell:
    """Set a value; text starting with = + - @ stays literal text, never a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def text_width(value) -> int:
    """Display width in characters: CJK counts double."""
    s = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def write_table(ws: Worksheet, title: str, headers: Sequence[str], rows: Iterable[Sequence],
                widths: Sequence[int] | None = None, subtitle: str | None = None,
                font_name: str = TEXT_FONT) -> int:
    """Write a titled table starting at A1; returns the number of data rows."""
    ncols = len(headers)
    last = get_column_letter(ncols)
    put(ws.cell(1, 1), title)
    ws.merge_cells(f"A1:{last}1")
    ws.cell(1, 1).font = Font(name=font_name, size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    header_row = 2
    if subtitle:
        put(ws.cell(2, 1), subtitle)
        ws.merge_cells(f"A2:{last}2")
        ws.cell(2, 1).font = Font(name=font_name, size=11)
        ws.cell(2, 1).alignment = Alignment(horizontal="center")
        header_row = 3
    header_font = Font(name=font_name, size=11, bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c, h in enumerate(headers, start=1):
        cell = put(ws.cell(header_row, c), h)
        cell.font, cell.alignment, cell.border = header_font, centre, BORDER
    body_font = Font(name=font_name, size=10)
    wrap = Alignment(vertical="center", wrap_text=True)
    seen = [text_width(h) for h in headers]
    n = 0
    for r, row in enumerate(rows, start=header_row + 1):
        n += 1
        for c, value in enumerate(row, start=1):
            cell = put(ws.cell(r, c), value)
            cell.font, cell.alignment, cell.border = body_font, wrap, BORDER
            if n <= 200:
                seen[c - 1] = max(seen[c - 1], text_width(value))
    for c in range(ncols):
        width = widths[c] if widths else min(max(seen[c] + 2, 6), 50)
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    setup_print(ws)
    return n


def setup_print(ws: Worksheet) -> None:
    """A4 landscape, fit to one page wide."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
