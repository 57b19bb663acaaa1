"""Streaming .xlsx reading under caps, for the importers and the attachment scan.

Declared dimensions are never trusted: rows and cells come as the sheet XML holds them (lxml
iterparse, each row dropped once handed out), so memory follows the rows actually present, not
the ``<dimension>`` a file claims. Every zip member is size-checked before it is opened (a
lying header cannot help: zipfile stops at the declared size). The XML parser resolves no
entities, loads no DTD and refuses text nodes over 10 MB (libxml2's default limit).
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from lxml import etree

MB = 1024 * 1024
MAX_MERGED = 10_000                        # merged ranges remembered per sheet (enough to report them)


@dataclass(frozen=True)
class XlsxLimits:
    max_part_bytes: int = 256 * MB         # one sheet's XML, uncompressed
    max_strings_bytes: int = 64 * MB       # the shared strings table (held in memory), uncompressed
    max_small_bytes: int = 16 * MB         # workbook, relationships, styles
    max_columns: int = 256                 # cells further right are not read
    max_ratio: float = 0.0                 # uncompressed/compressed of a large part above this: refused (0: off)


class XlsxError(Exception):
    """The workbook cannot be read safely; ``str()`` is the Chinese reason (no file name)."""


class NotXlsx(XlsxError):
    """Not a workbook at all (not a zip, or no workbook part): a renamed or damaged file."""


@dataclass(frozen=True)
class Cell:
    column: int                            # 1-based
    value: object                          # str, int, float, bool, datetime, timedelta or None
    formula: str = ""                      # "=SUM(A1:A3)" when the cell holds a formula

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass(frozen=True)
class SheetRef:
    name: str
    part: str                              # zip member of the sheet XML
    hidden: bool = False


@dataclass
class SheetRows:
    """Rows of one sheet as present in the file; ``merged`` fills in once the rows are read
    (the XML lists merged ranges after the cells)."""

    rows: Iterator[tuple[int, list[Cell]]]
    merged: list[str] = field(default_factory=list)
    wide: set = field(default_factory=set)    # rows with cells right of max_columns (not read)


def row_values(cells: list[Cell]) -> list:
    """Values of a row's cells as a list by column (empty columns as None)."""
    if not cells:
        return []
    out = [None] * cells[-1].column
    for c in cells:
        out[c.column - 1] = c.value
    return out


def column_letter(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


_RANGE_RE = re.compile(r"[A-Z]{1,3}(\d+)(?::[A-Z]{1,3}(\d+))?$")


def range_rows(ref: str) -> tuple[int, int]:
    """First and last row of a range such as B3:D5 ((0, 0) when unreadable)."""
    m = _RANGE_RE.match(ref or "")
    if not m:
        return 0, 0
    first = int(m.group(1))
    return first, int(m.group(2) or first)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class XlsxBook:
    """An open .xlsx (path or bytes). Use as a context manager; not shared between threads."""

    def __init__(self, source: Path | str | bytes | IO[bytes], limits: XlsxLimits | None = None):
        import io
        self.limits = limits or XlsxLimits()
        fileobj = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
        try:
            self.zf = zipfile.ZipFile(fileobj)
        except zipfile.BadZipFile as exc:
            raise NotXlsx("不是 zip 压缩包") from exc
        try:
            self._names = {i.filename: i for i in self.zf.infolist()}
            self.sheets, self.active = self._workbook()
            self._strings: list[str] | None = None
            self._date_styles: dict[int, str] | None = None
        except BaseException:
            self.zf.close()
            raise

    def __enter__(self) -> "XlsxBook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zf.close()

    # ------------------------------------------------------------ parts

    def _info(self, part: str, cap: int, what: str) -> zipfile.ZipInfo | None:
        info = self._names.get(part)
        if info is None:
            return None
        if info.file_size > cap:
            raise XlsxError(f"{what}解压后约 {info.file_size // MB} MB，超过 {cap // MB} MB 的上限"
                            "（可能含超长的单元格或大量空白格式），未读取")
        ratio = self.limits.max_ratio
        if ratio and info.file_size > MB and info.file_size > ratio * max(1, info.compress_size):
            raise XlsxError("压缩比异常，疑似压缩炸弹")
        return info

    def _small_xml(self, part: str, what: str):
        info = self._info(part, self.limits.max_small_bytes, what)
        if info is None:
            return None
        try:
            return etree.fromstring(self.zf.read(info), _parser())
        except etree.XMLSyntaxError as exc:
            raise_if_out_of_memory(exc, what)
            raise XlsxError(f"{what}已损坏（{exc.msg}）") from exc

    def _workbook(self) -> tuple[list[SheetRef], int]:
        root = self._small_xml("xl/workbook.xml", "工作簿结构")
        if root is None:
            raise NotXlsx("缺少工作簿结构 xl/workbook.xml")
        rels = self._small_xml("xl/_rels/workbook.xml.rels", "工作簿关系表")
        targets: dict[str, str] = {}
        for rel in (rels if rels is not None else ()):
            if _local(rel.tag) == "Relationship" and (rel.get("Type") or "").endswith("/worksheet"):
                target = rel.get("Target") or ""
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
                targets[rel.get("Id") or ""] = part
        sheets, active = [], 0
        for el in root.iter():
            name = _local(el.tag)
            if name == "workbookPr":
                self.epoch_1904 = el.get("date1904") in ("1", "true")
            elif name == "workbookView":
                try:
                    active = int(el.get("activeTab") or 0)
                except ValueError:
                    active = 0
            elif name == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                if rid in targets:
                    sheets.append(SheetRef(el.get("name") or f"Sheet{len(sheets) + 1}", targets[rid],
                                           (el.get("state") or "visible") != "visible"))
        if not sheets:
            raise XlsxError("工作簿中没有工作表")
        return sheets, min(max(active, 0), len(sheets) - 1)

    epoch_1904 = False

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            info = self._info("xl/sharedStrings.xml", self.limits.max_strings_bytes, "共享字符串表")
            strings: list[str] = []
            if info is not None:
                with self.zf.open(info) as fh:
                    try:
                        for _, si in etree.iterparse(fh, events=("end",), tag="{*}si", resolve_entities=False,
                                                     no_network=True, load_dtd=False, huge_tree=False):
                            strings.append(_string_item(si))
                            si.clear()
                            while si.getprevious() is not None:
                                del si.getparent()[0]
                    except etree.XMLSyntaxError as exc:
                        raise XlsxError(_syntax_reason(exc, "共享字符串表")) from exc
            self._strings = strings
        return self._strings

    def _date_formats(self) -> dict[int, str]:
        """Style index -> 'date' or 'timedelta' for styles whose number format shows a date or time."""
        if self._date_styles is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
            out: dict[int, str] = {}
            root = self._small_xml("xl/styles.xml", "样式表")
            if root is not None:
                custom = {}
                for el in root.iter("{*}numFmt"):
                    try:
                        custom[int(el.get("numFmtId") or -1)] = el.get("formatCode") or ""
                    except ValueError:
                        pass
                xfs = next(root.iter("{*}cellXfs"), None)
                for i, xf in enumerate(xfs if xfs is not None else ()):
                    try:
                        fid = int(xf.get("numFmtId") or 0)
                    except ValueError:
                        continue
                    code = custom.get(fid) or BUILTIN_FORMATS.get(fid) or ""
                    if code and is_timedelta_format(code):
                        out[i] = "timedelta"
                    elif code and is_date_format(code):
                        out[i] = "date"
            self._date_styles = out
        return self._date_styles

    # ------------------------------------------------------------ rows

    def rows(self, sheet: SheetRef) -> SheetRows:
        """The sheet's rows as present: (row number, cells with a value or a formula)."""
        info = self._info(sheet.part, self.limits.max_part_bytes, f"工作表“{sheet.name}”")
        if info is None:
            raise XlsxError(f"工作表“{sheet.name}”的数据缺失（{sheet.part}）")
        out = SheetRows(iter(()))
        out.rows = self._iter_rows(info, sheet, out)
        return out

    def _iter_rows(self, info: zipfile.ZipInfo, sheet: SheetRef, out: SheetRows):
        merged = out.merged
        strings = self._shared_strings()
        dates = self._date_formats()
        max_col = self.limits.max_columns
        row_no, cells, col, in_row, ordered = 0, [], 0, 0, True
        names: dict[str, str] = {}
        with self.zf.open(info) as fh:
            try:
                for _, el in etree.iterparse(fh, events=("end",), tag=("{*}c", "{*}row", "{*}mergeCell"),
                                             resolve_entities=False, no_network=True, load_dtd=False,
                                             huge_tree=False):
                    tag = el.tag
                    name = names.get(tag) or names.setdefault(tag, _local(tag))
                    if name == "c":
                        ref = el.get("r")
                        letters = ref.rstrip("0123456789") if ref else ""
                        last = col
                        col = _COLUMNS.get(letters) or (_column(letters) if letters else col + 1)
                        ordered = ordered and col > last
                        if col <= max_col:
                            cell = _cell(el, col, strings, dates, self.epoch_1904, names)
                            if cell is not None:
                                cells.append(cell)
                        elif len(out.wide) < 100:
                            out.wide.add(int(ref[len(letters):] or 0) if ref and ref[len(letters):].isdigit()
                                         else row_no + 1)
                        in_row += 1
                        if in_row >= 512:                    # a row of a million cells stays small
                            el.clear()
                            while el.getprevious() is not None:
                                del el.getparent()[0]
                            in_row = 0
                        continue
                    if name == "row":
                        try:
                            row_no = int(el.get("r") or 0) or row_no + 1
                        except ValueError:
                            row_no += 1
                        if cells:
                            if not ordered:
                                cells.sort(key=lambda c: c.column)
                            yield row_no, cells
                        cells, col, in_row, ordered = [], 0, 0, True
                    elif name == "mergeCell" and len(merged) < MAX_MERGED:
                        merged.append(el.get("ref") or "")
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]
            except etree.XMLSyntaxError as exc:
                raise XlsxError(_syntax_reason(exc, f"工作表“{sheet.name}”第{row_no + 1}行附近")) from exc


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    """Column number of A, B … XFD (remembered: a sheet repeats the same few)."""
    n = column_number(letters) if letters.isalpha() and letters.isupper() and len(letters) <= 3 else 0
    if n and len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = n
    return n or 1


XML_ERR_NO_MEMORY = 2                # libxml2's code when its allocation failed (a memory-capped helper)


def raise_if_out_of_memory(exc: etree.XMLSyntaxError, where: str) -> None:
    """libxml2 reports a failed allocation (a memory-capped helper) as a syntax error: not damage."""
    if getattr(exc, "code", None) == XML_ERR_NO_MEMORY:
        raise MemoryError(f"{where}: libxml2 out of memory") from exc


def _syntax_reason(exc: etree.XMLSyntaxError, where: str) -> str:
    raise_if_out_of_memory(exc, where)
    msg = exc.msg or ""
    if "too long" in msg or "huge" in msg.lower():
        return f"{where}有超长的单元格（超过1000万字符），无法读取"
    if "amplification" in msg or "entity" in msg.lower():
        return f"{where}含有会层层展开的实体定义（XML炸弹），拒绝读取"
    return f"{where}的数据已损坏（{exc.msg}）"


def _string_item(si) -> str:
    """Text of a shared string: its <t>, or its rich-text runs' <t>s (phonetic guides left out)."""
    parts = []
    for child in si:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _number(text: str):
    try:
        if "." in text or "E" in text or "e" in text:
            return float(text)
        return int(text)
    except ValueError:
        return text


def _cell(el, col: int, strings: list[str], dates: dict[int, str], epoch_1904: bool,
          names: dict[str, str]) -> Cell | None:
    kind = el.get("t") or "n"
    value_text, formula, inline = None, "", None
    for child in el:
        tag = child.tag
        name = names.get(tag) or names.setdefault(tag, _local(tag))
        if name == "v":
            value_text = child.text
        elif name == "f":
            formula = "=" + (child.text or "")
        elif name == "is":
            inline = _string_item(child)
    value: object = None
    if kind == "s":
        try:
            value = strings[int(value_text)]
        except (TypeError, ValueError, IndexError):
            value = None
    elif kind == "inlineStr":
        value = inline
    elif kind in ("str", "e"):
        value = value_text
    elif kind == "b":
        value = value_text in ("1", "true") if value_text is not None else None
    elif kind == "d":
        try:
            value = dt.datetime.fromisoformat(value_text) if value_text else None
        except ValueError:
            value = value_text
    elif value_text is not None:
        value = _number(value_text)
        style = el.get("s") if dates else None
        fmt = dates.get(int(style)) if style and style.isdigit() else None
        if fmt and isinstance(value, (int, float)):
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
            try:
                value = from_excel(value, CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900,
                                   timedelta=fmt == "timedelta")
            except (ValueError, OverflowError):
                pass
    if value is None and not formula:
        return None
    return Cell(col, value, formula)
