"""Office-style .xlsx tables: title row, bold bordered header, frozen panes, A4 print
setup, and text that can never become a formula.

``write_table`` writes a simple one-header table; ``write_sheet`` writes a ``SheetTable``
(two-level merged headers, body merges, 合计/section rows, number and percent cells in
their own font, notes under the table, page breaks).
"""
from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from .fonts import NUMBER_FONT, TEXT_FONT
from .textwidth import text_width

PERCENT_FORMAT = "0.00%"
NOT_APPLICABLE = "—"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
_FORMULA_START = ("=", "+", "-", "@")


def put(cell: Cell, value) -> Cell:
    """Set a value; text starting with = + - @ stays literal text, never a formula.

    Control characters that the xlsx format cannot hold (stray bytes in scraped pages)
    are dropped instead of failing the whole workbook.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(_FORMULA_START):
            cell.value = value
            cell.data_type = "s"
            return cell
    cell.value = value
    return cell


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


def save_table(path: Path | str, sheet: str, title: str, columns: Sequence[tuple[str, int]],
               rows: Iterable[Sequence], subtitle: str | None = None) -> int:
    """A new workbook at ``path`` whose one sheet holds a write_table() table, headers and widths
    from ``columns`` (header, width); returns the number of rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    n = write_table(ws, title, [c for c, _ in columns], rows, widths=[w for _, w in columns], subtitle=subtitle)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return n


def setup_print(ws: Worksheet) -> None:
    """A4 landscape, fit to one page wide."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


# ---------------------------------------------------------------- SheetTable: multi-level office tables

COLUMN_KINDS = ("text", "int", "number", "percent", "rate", "rate1", "rate0")
# Rates as circulars print them: 2, 1 or 0 decimals (99.80%, 98.8%, 96%), and 100% always as such.
RATE_DECIMALS = {"rate": 2, "rate1": 1, "rate0": 0}


def rate_kind(decimals: int) -> str:
    """The column kind of a 合格率 printed with 0, 1 or 2 decimals."""
    return {0: "rate0", 1: "rate1"}.get(decimals, "rate")


@dataclass(frozen=True)
class SheetStyle:
    """Fonts and sizes of an office table (what an office may want to change)."""
    text_font: str = TEXT_FONT
    number_font: str = NUMBER_FONT
    title_size: float = 16
    subtitle_size: float = 11
    header_size: float = 11
    body_size: float = 10


@dataclass(frozen=True)
class Column:
    """One column: its caption, the caption of the merged header above it (two-level
    headers; "" = the caption spans both header rows) and the kind of its values.

    Consecutive columns without a group and with the same caption share one merged
    header cell (e.g. "单位" over a group column and a name column).
    """
    caption: str
    group: str = ""
    kind: str = "text"            # text / int / number (two decimals) / percent (a fraction, 0.00%)
                                  # / rate, rate1, rate0 (a fraction, 0.00% / 0.0% / 0%, and 1 as 100%)
    width: float | None = None    # None: fitted to the text


@dataclass
class SheetTable:
    """A table as plain rows (also what a preview shows).

    ``rows`` hold body values: str, int, float/Decimal (percent: a fraction), or None.
    ``merges`` are body ranges (row, col, last_row, last_col), 0-based, inclusive.
    ``row_kinds`` marks rows: "total" (bold), "section" (bold, one merged cell), "block".
    """
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    subtitle: str = ""
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    row_kinds: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    page_breaks: list[int] = field(default_factory=list)   # body rows that start a printed page

    @property
    def header_depth(self) -> int:
        return 2 if any(c.group for c in self.columns) else 1

    def header_grid(self) -> tuple[list[list[str | None]], list[tuple[int, int, int, int]]]:
        """Header rows (None under a merge) and their merged ranges (row, col, last_row, last_col)."""
        depth, cols = self.header_depth, self.columns
        grid: list[list[str | None]] = [[None] * len(cols) for _ in range(depth)]
        merges: list[tuple[int, int, int, int]] = []
        c = 0
        while c < len(cols):
            col = cols[c]
            end = c
            if col.group:
                while end + 1 < len(cols) and cols[end + 1].group == col.group:
                    end += 1
                grid[0][c] = col.group
                if end > c:
                    merges.append((0, c, 0, end))
                for k in range(c, end + 1):
                    grid[1][k] = cols[k].caption
            else:
                while end + 1 < len(cols) and not cols[end + 1].group and cols[end + 1].caption == col.caption:
                    end += 1
                grid[0][c] = col.caption
                if end > c or depth > 1:
                    merges.append((0, c, depth - 1, end))
            c = end + 1
        return grid, merges

    def text_rows(self) -> list[list[str]]:
        """Body rows as display text (numbers as printed: 0.00% for percents)."""
        return [[display_text(v, self.columns[i].kind if i < len(self.columns) else "text")
                 for i, v in enumerate(row)] for row in self.rows]


def display_text(value, kind: str = "text") -> str:
    """How a cell value prints (for previews and the text of a draft)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "percent":
        return f"{Decimal(str(value)) * 100:.2f}%"
    if kind in RATE_DECIMALS:
        pct = Decimal(str(value)) * 100
        return "100%" if pct == 100 else f"{pct:.{RATE_DECIMALS[kind]}f}%"
    if kind == "number" and not isinstance(value, int):
        return f"{value:.2f}"
    return str(value)


class _StyleCache:
    """Styles set once per kind of cell, then copied: assigning Font/Border objects
    cell by cell hashes them each time, which dominates the time of big sheets."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.arrays: dict[tuple, object] = {}

    def apply(self, cell: Cell, key: tuple, make) -> None:
        arr = self.arrays.get(key)
        if arr is None:
            font, alignment, border, number_format = make()
            cell.font, cell.alignment = font, alignment
            if border is not None:
                cell.border = border
            if number_format:
                cell.number_format = number_format
            self.arrays[key] = copy(cell._style)
        else:
            cell._style = copy(arr)   # the way openpyxl's own copy_worksheet copies styles


def merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int) -> None:
    """Merge a range of already styled cells; the covered cells take the top-left cell's style.

    Worksheet.merge_cells checks every existing range for overlap and rebuilds edge borders
    cell by cell, which grows with the square of the number of merges (a 700-site checklist
    has one per site). Ranges written here never overlap and every cell has its border
    already, so this is linear; the result is the same merge record and MergedCells.
    """
    if r1 == r2 and c1 == c2:
        return
    anchor = ws.cell(r1, c1)
    # MergedCellRange(ws, coord) would also re-derive the anchor's border (another style lookup).
    mcr = MergedCellRange.__new__(MergedCellRange)
    CellRange.__init__(mcr, min_col=c1, min_row=r1, max_col=c2, max_row=r2)
    mcr.ws, mcr.start_cell = ws, anchor
    ws.merged_cells.ranges.add(mcr)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            if r != r1 or c != c1:
                cell = MergedCell(ws, r, c)
                cell._style = copy(anchor._style)
                ws._cells[(r, c)] = cell


_NUMBER_FORMATS = {"int": "0", "number": "0.00", "percent": PERCENT_FORMAT, "rate": PERCENT_FORMAT, "rate1": "0.0%",
                   "rate0": "0%"}
_LINE_HEIGHT = {10: 13.5, 11: 14.5}
MIN_ROW_HEIGHT = 16      # body rows: a little air around the figures, yet a 20-odd row summary fits one page


def _line_height(size: float) -> float:
    return _LINE_HEIGHT.get(int(size), size * 1.35)


def _cell_value(value, kind: str):
    if isinstance(value, Decimal):
        value = float(value)
    if kind == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def write_sheet(ws: Worksheet, table: SheetTable, style: SheetStyle = SheetStyle()) -> int:
    """Write ``table`` from A1: merged title, subtitle, bold bordered wrapped headers (two levels
    when columns have groups), body, notes; widths fitted to CJK text; frozen under the headers;
    A4 landscape, fit to width, header rows repeated. Returns the first body row (1-based)."""
    ncols = len(table.columns)
    styles = _StyleCache(ws)
    row = 1
    put(ws.cell(row, 1), table.title)
    ws.cell(1, 1).font = Font(name=style.text_font, size=style.title_size, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    merge(ws, 1, 1, 1, ncols)
    ws.row_dimensions[1].height = max(30, style.title_size * 2)
    if table.subtitle:
        row += 1
        put(ws.cell(row, 1), table.subtitle)
        ws.cell(row, 1).font = Font(name=style.text_font, size=style.subtitle_size)
        ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")
        merge(ws, row, 1, row, ncols)
        ws.row_dimensions[row].height = 20
    first_header = row + 1
    grid, header_merges = table.header_grid()
    seen = [0] * ncols
    header_make = lambda: (Font(name=style.text_font, size=style.header_size, bold=True),  # noqa: E731
                           Alignment(horizontal="center", vertical="center", wrap_text=True), BORDER, None)
    for r, cells in enumerate(grid):
        for c, text in enumerate(cells):
            cell = ws.cell(first_header + r, c + 1)
            if text is not None:
                put(cell, text)
            styles.apply(cell, ("header",), header_make)
    for r1, c1, r2, c2 in header_merges:
        merge(ws, first_header + r1, c1 + 1, first_header + r2, c2 + 1)
    for c, col in enumerate(table.columns):
        # A caption widens its column up to a limit, then wraps: figures need narrow columns.
        spanned = any(m[1] <= c <= m[3] and m[3] > m[1] for m in header_merges if m[0] == 0 and not col.group)
        if not spanned:
            seen[c] = max(seen[c], min(text_width(col.caption), 8 if col.kind != "text" else 24))
    first_body = first_header + len(grid)
    body_merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for m in table.merges:
        for rr in range(m[0], m[2] + 1):
            for cc in range(m[1], m[3] + 1):
                body_merged[(rr, cc)] = m
    kinds = [c.kind for c in table.columns]

    def make(kind: str, row_kind: str, numeric: bool, centre: bool):
        bold = row_kind in ("total", "section", "block")
        font = Font(name=style.number_font if numeric else style.text_font, size=style.body_size, bold=bold)
        horizontal = "center" if centre else "left"
        align = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        return font, align, BORDER, _NUMBER_FORMATS.get(kind) if numeric else None

    heights: dict[int, int] = {}
    for i, values in enumerate(table.rows):
        r = first_body + i
        row_kind = table.row_kinds.get(i, "data")
        for c in range(ncols):
            value = values[c] if c < len(values) else None
            kind = kinds[c]
            value = _cell_value(value, kind)
            if kind in RATE_DECIMALS and value == 1:
                kind = "rate0"                     # 100% as circulars print it, not 100.00%
            cell = ws.cell(r, c + 1)
            if value is not None:
                put(cell, value)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            merged = body_merged.get((i, c))
            centre = (numeric or value == NOT_APPLICABLE or kind != "text" or row_kind == "total"
                      or (merged is not None and row_kind not in ("section", "block") and merged[3] < ncols - 1))
            styles.apply(cell, (kind, row_kind, numeric, centre), lambda: make(kind, row_kind, numeric, centre))
            if merged is None or (merged[1] == merged[3] and merged[0] == merged[2]):
                if i < 500 or numeric:
                    seen[c] = max(seen[c], min(text_width(value), 60) if not numeric else len(display_text(value, kind)))
    for m in table.merges:
        merge(ws, first_body + m[0], m[1] + 1, first_body + m[2], m[3] + 1)
    widths = []
    for c, col in enumerate(table.columns):
        width = col.width if col.width else min(max(seen[c] + 2, 6), 50)
        widths.append(width)
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    # Row heights: Excel does not grow wrapped rows by itself on opening a file.
    def lines_for(text: str, span: float) -> int:
        # A CJK character of a 10-11 pt font is a little under two width units.
        return sum(math.ceil(max(text_width(part), 1) * 0.95 / max(span - 0.8, 1)) for part in text.split("\n"))

    header_lines = [1] * len(grid)
    spans = {(m[0], m[1]): m for m in header_merges}
    for r, cells in enumerate(grid):
        for c, text in enumerate(cells):
            if not text:
                continue
            m = spans.get((r, c), (r, c, r, c))
            need = lines_for(text, sum(widths[m[1]:m[3] + 1]))
            rows_spanned = m[2] - m[0] + 1
            if rows_spanned == 1:
                header_lines[r] = max(header_lines[r], need)
            elif need > rows_spanned:
                header_lines[m[2]] = max(header_lines[m[2]], need - rows_spanned + 1)
    for r, lines in enumerate(header_lines):
        ws.row_dimensions[first_header + r].height = round(max(lines, 1) * _line_height(style.header_size) + 6, 1)
    line = _line_height(style.body_size)
    for i, values in enumerate(table.rows):
        lines = 1
        for c, value in enumerate(values[:ncols]):
            if isinstance(value, str) and value:
                m = body_merged.get((i, c))
                span = widths[c] if m is None else sum(widths[m[1]:m[3] + 1])
                if m is not None and (m[0] != i or m[1] != c):
                    continue
                need = lines_for(value, span)
                if m is not None and m[2] > m[0]:
                    need = math.ceil(need / (m[2] - m[0] + 1))
                lines = max(lines, need)
        heights[first_body + i] = lines
    for r, lines in heights.items():
        ws.row_dimensions[r].height = max(MIN_ROW_HEIGHT, round(lines * line + 2.5, 1))
    r = first_body + len(table.rows)
    for note in table.notes:
        put(ws.cell(r, 1), note)
        ws.cell(r, 1).font = Font(name=style.text_font, size=style.body_size)
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        merge(ws, r, 1, r, ncols)
        ws.row_dimensions[r].height = round(lines_for(note, sum(widths)) * line + 6, 1)
        r += 1
    for i in table.page_breaks:
        if 0 < i < len(table.rows):
            ws.row_breaks.append(Break(id=first_body + i - 1))
    ws.freeze_panes = ws.cell(first_body, 1)
    ws.print_title_rows = f"{first_header}:{first_body - 1}"
    setup_print(ws)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = style.text_font
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    return first_body
