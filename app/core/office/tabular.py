"""Read a table from .xlsx or .csv/.txt (UTF-8, UTF-8 BOM, GBK, UTF-16) for the importers.

Finds the header row under any title rows, refuses merged cells and formulas in
the data area, and reports every problem in Chinese with its row number. Reads stream
(xlsx_read for workbooks, line by line for text) under TableLimits: rows, columns and cell
lengths are capped, control characters are removed, and memory follows the rows present.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ImportFileError
from .xlsx_read import NotXlsx, SheetRef, XlsxBook, XlsxError, XlsxLimits, column_letter, range_rows, row_values

MAX_HEADER_SCAN = 15


@dataclass(frozen=True)
class TableLimits:
    """Caps of one import file (a file over them gets a message, never a long wait or a crash)."""

    max_rows: int = 200_000                 # data rows
    max_columns: int = 256                  # columns read (cells further right are ignored)
    max_cell_chars: int = 32_767            # Excel's own limit for one cell
    max_line_chars: int = 1 << 20           # one CSV line


LIMITS = TableLimits()


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


def note_match(plan, number: int, row_id: int, old: dict, changes: dict) -> None:
    """A file row that matches a stored record (every import's plan): what differs goes to
    ``plan.changed`` with the old values beside the new, else the row is ``plan.unchanged``."""
    if changes:
        plan.changed.append((number, row_id, {k: old.get(k) for k in changes}, changes))
    else:
        plan.unchanged.append((number, row_id))


def refuse_unclean(plan, what: str = "数据") -> None:
    """An import plan with problems is never written."""
    if not plan.ok:
        raise ImportFileError(f"导入文件有 {len(plan.problems)} 处问题，未写入任何{what}。")


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


# Control characters (NUL, C0 but tab/newline/CR, DEL, C1) never reach the database: cells
# copied from web pages or other systems carry them, and XML exports cannot hold them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value):
    """A cell value with control characters removed (non-text values unchanged)."""
    if isinstance(value, str) and _CONTROL_RE.search(value):
        return _CONTROL_RE.sub("", value)
    return value


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


class _Table:
    """Rows read under the limits: the header found among the first rows, then data rows, with
    over-long cells reported by row and column (their text dropped) and the row cap enforced."""

    def __init__(self, name: str, limits: TableLimits, is_header):
        self.name, self.limits, self.is_header = name, limits, is_header
        self.top: list[tuple[int, list]] = []
        self.header_row = 0
        self.headers: list[str] = []
        self.rows: list[tuple[int, list]] = []
        self.problems: list[RowProblem] = []
        self.wide: set[int] = set()            # rows with more columns than read
        self.letters = True                     # cells named B7 (workbooks) or 第2列 (text files)

    def _checked(self, number: int, values: list, letters: bool) -> list:
        cap = self.limits.max_cell_chars
        for i, v in enumerate(values):
            if isinstance(v, str):
                v = values[i] = clean_text(v)
                if len(v) > cap:
                    where = f"单元格 {column_letter(i + 1)}{number} " if letters else f"第{i + 1}列"
                    label = self.headers[i] if i < len(self.headers) else ""
                    self.problems.append(RowProblem(number, label, f"{where}超过 {cap} 个字符（{len(v)} 个），"
                                                                   "请检查内容后再导入"))
                    values[i] = None
        return values

    def add(self, number: int, values: list, letters: bool = True) -> None:
        """Take one row (the first ones are kept until the header is known)."""
        self.letters = letters
        if not self.headers and len(self.top) < MAX_HEADER_SCAN:
            self.top.append((number, [clean_text(v) for v in values]))
            return
        if not self.headers:
            self.header()
        width = len(self.headers)
        values = values[:width]
        if not any(_cell_text(v) for v in values):
            return
        if len(self.rows) >= self.limits.max_rows:
            raise ImportFileError(f"“{self.name}”第{number}行：数据超过 {self.limits.max_rows} 行的上限，"
                                  "请拆分成几个文件分批导入。")
        values = self._checked(number, values, letters)
        self.rows.append((number, values + [None] * (width - len(values))))

    def header(self) -> None:
        """Pick the header among the top rows and turn the rows below it into data rows."""
        if self.headers:
            return
        top, self.top = self.top, []
        h = _find_header([v for _, v in top], self.is_header)
        self.header_row = top[h][0]
        self.headers = [_cell_text(c) for c in _trim(self._checked(self.header_row, list(top[h][1]), self.letters))]
        for number, values in top[h + 1:]:
            self.add(number, values, self.letters)


def _pick_sheet(book: XlsxBook, is_header) -> SheetRef:
    """The first sheet whose top rows hold a header we recognise, else the active one."""
    if is_header:
        for ref in book.sheets:
            rows = book.rows(ref).rows
            try:
                for i, (_, cells) in enumerate(rows):
                    if i >= MAX_HEADER_SCAN:
                        break
                    if is_header([_cell_text(clean_text(v)) for v in row_values(cells)]):
                        return ref
            finally:
                rows.close()
    return book.sheets[book.active]


def read_xlsx(path: Path, is_header=None, limits: TableLimits | None = None) -> SheetData:
    limits = limits or LIMITS
    try:
        book = XlsxBook(path, XlsxLimits(max_columns=limits.max_columns))
    except NotXlsx as exc:
        raise ImportFileError(
                f"“{path.name}”不是有效的 Excel 文件（.xlsx），可能已损坏或只是改了扩展名（{exc}）。"
                "请在 Excel 中打开并另存为 .xlsx 后再导入。") from exc
    except XlsxError as exc:
        raise ImportFileError(f"无法读取 Excel 文件“{path.name}”：{exc}。") from exc
    except OSError as exc:
        raise ImportFileError(f"无法读取“{path.name}”：{exc.strerror or exc}。") from exc
    try:
        ref = _pick_sheet(book, is_header)
        sheet = book.rows(ref)
        table = _Table(path.name, limits, is_header)
        formulas: list[tuple[int, int, str]] = []
        for number, cells in sheet.rows:
            values = row_values(cells)
            for c in cells:
                if c.formula:
                    formulas.append((number, c.column, c.formula))
                    values[c.column - 1] = None
            table.add(number, values)
        if not table.headers:
            if not any(any(_cell_text(v) for v in vals) for _, vals in table.top):
                raise ImportFileError(f"“{path.name}”的工作表“{ref.name}”是空的。")
            table.header()
        problems: list[RowProblem] = []
        if table.header_row in sheet.wide:
            problems.append(RowProblem(table.header_row, "", f"表头超过 {limits.max_columns} 列："
                                                             f"第 {limits.max_columns} 列以后的列未读取"))
        for rng in sheet.merged:
            first, last = range_rows(rng)
            if last > table.header_row:
                problems.append(RowProblem(max(first, table.header_row + 1), "",
                                           f"含合并单元格 {rng}，请取消合并并逐行填写后再导入"))
        width = len(table.headers)
        for number, column, text in formulas:
            if number > table.header_row and column <= width:
                problems.append(RowProblem(number, table.headers[column - 1],
                                           f"单元格 {column_letter(column)}{number} 是公式（{text[:30]}），"
                                           "请复制后“粘贴为数值”再导入"))
        problems.sort(key=lambda p: p.row)
        return SheetData(path, ref.name, table.header_row, table.headers, table.rows,
                         problems + table.problems)
    except XlsxError as exc:
        raise ImportFileError(f"无法读取 Excel 文件“{path.name}”：{exc}。") from exc
    finally:
        book.close()


def _encoding(path: Path) -> str:
    """The text encoding of a CSV/TXT file from its first megabyte (BOMs, UTF-16, UTF-8, else GBK)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"                        # Excel's “Unicode 文本”: UTF-16 with a BOM, tab-separated
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if odd >= len(sample) // 2 * 0.9 and not even:
            return "utf-16-le"
        if even >= len(sample) // 2 * 0.9 and not odd:
            return "utf-16-be"
    # A stray NUL in a cell is cleaned like any control character; many NULs, or an Office or
    # PDF signature, mean a binary file under a text file's name.
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")) or sample.count(0) > len(sample) // 100 + 2:
        kind = "Excel 文件" if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) else "二进制文件"
        raise ImportFileError(f"“{path.name}”不是文本格式的 CSV 文件（可能是{kind}改了扩展名）。")
    cut = head if len(head) < (1 << 20) else head[:-4]       # a character may straddle the cut
    try:
        cut.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        cut.decode("gb18030")                 # GBK/GB2312 files, read as their superset
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"“{path.name}”的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。") from exc


def _lines(fh, limit: int, name: str):
    """Lines of a text file, refusing one longer than ``limit`` characters (a file without line
    breaks must not be read into memory whole)."""
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise ImportFileError(f"“{name}”第{number}行超过 {limit} 个字符：可能不是表格文件，无法读取。")
        yield line


def _read_csv_as(path: Path, encoding: str, is_header, limits: TableLimits) -> SheetData:
    table = _Table(path.name, limits, is_header)
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(4096)
        if not sample.strip():
            raise ImportFileError(f"“{path.name}”是空文件。")
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        fh.seek(0)
        reader = csv.reader(_lines(fh, limits.max_line_chars, path.name), dialect)
        number = 0
        while True:
            try:
                r = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                why = (f"单元格超过 {csv.field_size_limit()} 个字符" if "field larger" in str(exc)
                       else f"格式错误（{exc}）")
                raise ImportFileError(f"“{path.name}”第{number + 1}行：{why}，无法读取。请检查该行"
                                      "（常见原因：引号没有成对）。") from exc
            number += 1
            values = [c if c.strip() else None for c in r[: limits.max_columns]]
            table.add(number, values, letters=False)
            if len(r) > limits.max_columns and not table.headers:
                table.wide.add(number)
    if not table.headers:
        if not any(any(_cell_text(v) for v in vals) for _, vals in table.top):
            raise ImportFileError(f"“{path.name}”是空文件。")
        table.header()
    problems = list(table.problems)
    if table.header_row in table.wide:
        problems.insert(0, RowProblem(table.header_row, "", f"表头超过 {limits.max_columns} 列："
                                                            f"第 {limits.max_columns} 列以后的列未读取"))
    return SheetData(path, "CSV", table.header_row, table.headers, table.rows, problems)


def read_csv(path: Path, is_header=None, limits: TableLimits | None = None) -> SheetData:
    limits = limits or LIMITS
    encoding = _encoding(path)
    try:
        return _read_csv_as(path, encoding, is_header, limits)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":
            try:                               # UTF-8 at the start, something else further on
                return _read_csv_as(path, "gb18030", is_header, limits)
            except UnicodeDecodeError:
                pass
        raise ImportFileError(f"“{path.name}”的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。") from exc


def read_table(path: Path | str, is_header: Callable[[list[str]], bool] | None = None,
               limits: TableLimits | None = None) -> SheetData:
    """Read the first sheet of an .xlsx or a .csv; raise ImportFileError on an unreadable file."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"文件“{path}”不存在。")
    if path.stat().st_size == 0:
        raise ImportFileError(f"“{path.name}”是空文件。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, is_header, limits)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, is_header, limits)
    if suffix in (".xls", ".et", ".wps"):
        raise ImportFileError(f"“{path.name}”是旧版 Excel/WPS 格式，请另存为 .xlsx 后再导入。")
    raise ImportFileError(f"不支持的文件类型“{path.suffix}”：请使用 .xlsx 或 .csv。")
