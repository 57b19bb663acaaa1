"""Read a table from .xlsx or .csv (UTF-8, UTF-8 BOM, GBK) for the importers.

Finds the header row under any title rows, refuses merged cells and formulas in
the data area, and reports every problem in Chinese with its row number.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ImportFileError

MAX_HEADER_SCAN = 15


@dataclass(frozen=True)
class RowProblem:
    row: int          # row number as the spreadsheet shows it (1-based)
    field: str        # column label, '' for the whole row
    reason: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where} {self.field}：{self.reason}" if self.field else f"{where}：{self.reason}"


class CheckedImport:
    """Base of an import's plan or outcome: any of its row ``problems`` stops the whole import.

    Subclasses (dataclasses with a ``problems`` list) name what was not written in ``refusal``
    and say what was done in ``outcome()``."""

    problems: list[RowProblem]
    refusal = "未导入任何记录"

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"发现 {len(self.problems)} 处问题，{self.refusal}。"
        return self.outcome()

    def outcome(self) -> str:
        return ""


@dataclass
class SheetData:
    path: Path
    sheet: str
    header_row: int                       # 1-based
    headers: list[str]
    rows: list[tuple[int, list]]          # (row number, cell values) for non-empty rows
    problems: list[RowProblem] = field(default_factory=list)   # merged cells, formulas


def unreadable(sheet: SheetData, missing: list[str]) -> RowProblem | None:
    """Why no row of ``sheet`` can be imported: its header lacks required columns (``missing``
    names them) or no data rows follow it; None when the rows can be read."""
    if missing:
        return RowProblem(sheet.header_row, "", f"表头缺少必需的列：{'、'.join(missing)}。"
                                                f"识别到的列：{'、'.join(sheet.headers) or '无'}")
    if not sheet.rows:
        return RowProblem(sheet.header_row, "", "表头下面没有数据行")
    return None


def header_key(header) -> str:
    """Normalised header text: brackets, spaces, case, '*' and colons do not matter."""
    return (str(header or "").strip().replace("（", "(").replace("）", ")").replace(" ", "")
            .replace("\u3000", "").replace("*", "").replace("：", "").replace(":", "").lower())


def match_columns(names, headers: list[str]) -> dict[int, str]:
    """Column index -> key for headers equal to an accepted name (first column wins).

    ``names``: {key: (accepted headers, …)} or an ordered list of (key, header) pairs;
    a header accepted for several keys belongs to the first that names it.
    """
    pairs = [(k, n) for k, ns in names.items() for n in ns] if isinstance(names, dict) else names
    lookup: dict[str, str] = {}
    for key, name in pairs:
        lookup.setdefault(header_key(name), key)
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for i, h in enumerate(headers):
        key = lookup.get(header_key(h))
        if key and key not in used:
            mapping[i] = key
            used.add(key)
    return mapping


def _cell_text(v) -> str:
    return "" if v is None else str(v).strip()


def _find_header(rows: list[list], is_header: Callable[[list[str]], bool] | None) -> int:
    """Index of the header row: the first that ``is_header`` accepts, else the first with ≥2 texts."""
    for i, r in enumerate(rows[:MAX_HEADER_SCAN]):
        texts = [_cell_text(c) for c in r]
        if is_header and is_header(texts):
            return i
    for i, r in enumerate(rows[:MAX_HEADER_SCAN]):
        if sum(1 for c in r if _cell_text(c)) >= 2:
            return i
    raise ImportFileError("文件中找不到表头行（前15行内没有至少两个列名）。")


def _trim(values: list) -> list:
    while values and (values[-1] is None or _cell_text(values[-1]) == ""):
        values.pop()
    return values


def _pick_sheet(wb, is_header):
    """The first sheet whose top rows hold a header we recognise, else the active one."""
    if is_header:
        for ws in wb.worksheets:
            for r in ws.iter_rows(max_row=MAX_HEADER_SCAN, values_only=True):
                if is_header([_cell_text(c) for c in r]):
                    return ws
    return wb.active or wb.worksheets[0]


def read_xlsx(path: Path, is_header=None) -> SheetData:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            f"“{path.name}”不是有效的 Excel 文件（.xlsx），可能已损坏或只是改了扩展名（{type(exc).__name__}）。"
            "请在 Excel 中打开并另存为 .xlsx 后再导入。"
        ) from exc
    except Exception as exc:  # openpyxl raises assorted errors on malformed XML
        raise ImportFileError(f"无法读取 Excel 文件“{path.name}”：{exc}") from exc
    try:
        ws = _pick_sheet(wb, is_header)
        raw = [list(r) for r in ws.iter_rows(values_only=True)]
        if not any(any(_cell_text(c) for c in r) for r in raw):
            raise ImportFileError(f"“{path.name}”的工作表“{ws.title}”是空的。")
        h = _find_header(raw, is_header)
        header_row = h + 1
        problems: list[RowProblem] = []
        for rng in ws.merged_cells.ranges:
            if rng.max_row > header_row:
                problems.append(RowProblem(max(rng.min_row, header_row + 1), "",
                                           f"含合并单元格 {rng.coord}，请取消合并并逐行填写后再导入"))
        headers = [_cell_text(c) for c in _trim(raw[h])]
        rows: list[tuple[int, list]] = []
        for number, ws_row in enumerate(ws.iter_rows(min_row=header_row + 1), start=header_row + 1):
            values = []
            for cell in ws_row[: len(headers)]:
                if cell.data_type == "f":
                    problems.append(RowProblem(number, headers[cell.column - 1] if cell.column <= len(headers) else "",
                                               f"单元格 {cell.coordinate} 是公式（{str(cell.value)[:30]}），请复制后“粘贴为数值”再导入"))
                    values.append(None)
                else:
                    values.append(cell.value)
            if any(_cell_text(v) for v in values):
                rows.append((number, values + [None] * (len(headers) - len(values))))
        return SheetData(path, ws.title, header_row, headers, rows, problems)
    finally:
        wb.close()


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")       # GBK/GB2312 files, read as their superset
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"“{name}”的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。") from exc


def read_csv(path: Path, is_header=None) -> SheetData:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ImportFileError(f"“{path.name}”不是文本格式的 CSV 文件（可能是 Excel 文件改了扩展名）。")
    text = _decode(data, path.name)
    if not text.strip():
        raise ImportFileError(f"“{path.name}”是空文件。")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    raw = [r for r in csv.reader(io.StringIO(text), dialect)]
    h = _find_header(raw, is_header)
    headers = [_cell_text(c) for c in _trim(list(raw[h]))]
    rows = []
    for number, r in enumerate(raw[h + 1:], start=h + 2):
        values = [c if c.strip() else None for c in r[: len(headers)]]
        if any(values):
            rows.append((number, values + [None] * (len(headers) - len(values))))
    return SheetData(path, "CSV", h + 1, headers, rows, [])


def read_table(path: Path | str, is_header: Callable[[list[str]], bool] | None = None) -> SheetData:
    """Read the first sheet of an .xlsx or a .csv; raise ImportFileError on an unreadable file."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"文件“{path}”不存在。")
    if path.stat().st_size == 0:
        raise ImportFileError(f"“{path.name}”是空文件。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, is_header)
    if suffix in (".csv", ".txt"):
        return read_csv(path, is_header)
    if suffix in (".xls", ".et", ".wps"):
        raise ImportFileError(f"“{path.name}”是旧版 Excel/WPS 格式，请另存为 .xlsx 后再导入。")
    raise ImportFileError(f"不支持的文件类型“{path.suffix}”：请使用 .xlsx 或 .csv。")
