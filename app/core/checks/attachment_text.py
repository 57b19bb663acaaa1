"""Text of attachments under a budget: .pdf, .docx, .xlsx, .pptx, .csv/.txt, also inside .zip.

Pure Python, run in whatever process calls it; the run engine calls it in a helper process
with a hard wall-clock and memory limit (crawl/parse_pool.py). Readers stream: Word, PowerPoint
and Excel XML goes through lxml iterparse (no entities, no DTD, each element dropped once read),
PDFs page by page (a content stream shared by many pages is read once). Every reader stops at
the caps of ``limits`` (attachments.LIMITS: members, decompressed bytes, rows, cells,
characters, pages) and at the budget's deadline, keeps what it read, and names what it did not.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
import zlib

from lxml import etree

from ..office.xlsx_read import XlsxBook, XlsxError, XlsxLimits, raise_if_out_of_memory
from .attachments import LIMITS, NO_TEXT_LAYER, TEXT_EXTS, UNREADABLE, Extracted, Segment, Unscanned, decode_text, sniff
from .budget import BOMB, TIMEOUT, Budget

logging.getLogger("pypdf").setLevel(logging.ERROR)

_MB = 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_OPTS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _mb(n: int) -> int:
    return n // _MB


def _zip_guard(zf: zipfile.ZipFile, limits: dict, package: bool = False) -> str:
    """Chinese reason when an archive (or, ``package``, an OOXML file) looks unsafe to expand, else ''."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    cap = limits["max_package_total"] if package else limits["max_zip_total"]
    if total > cap:
        return f"解压后超过{_mb(cap)}MB，未扫描"
    if total > _MB and total / packed > limits["max_ratio"]:
        return f"{BOMB}，未扫描"
    return ""


def _drop(el) -> None:
    """Forget an element iterparse has handed over, and the siblings before it."""
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]


# ---------------------------------------------------------------- PDF

def _contents_key(page):
    """Identity of a page's content stream(s) (None when it has no indirect one)."""
    from pypdf.generic import ArrayObject, IndirectObject
    try:
        raw = page.raw_get("/Contents")
    except KeyError:
        return None
    if isinstance(raw, IndirectObject):
        return ((raw.idnum, raw.generation),)
    if isinstance(raw, ArrayObject) and raw and all(isinstance(x, IndirectObject) for x in raw):
        return tuple((x.idnum, x.generation) for x in raw)
    return None


def _pdf(raw: bytes, name: str, limits: dict, budget: Budget, out: Extracted) -> None:
    from pypdf import PdfReader
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    out.unscanned.append(Unscanned(name, "PDF已加密，无法读取"))
                    return
            except Exception:                   # pypdf raises several types for unsupported crypto
                out.unscanned.append(Unscanned(name, "PDF已加密，无法读取"))
                return
        parts: list[str] = []
        seen: set = set()
        pages = reader.pages
        count = 0
        for i, page in enumerate(pages):
            count = i + 1
            if i >= limits["max_pdf_pages"]:
                out.unscanned.append(Unscanned(name, f"PDF超过{limits['max_pdf_pages']}页，其余页未扫描"))
                break
            why = budget.exhausted()
            if why:
                out.unscanned.append(Unscanned(name, f"{why}，第{i + 1}页起未扫描"))
                break
            # Pages that share one content stream show the same text: read it once (an 82 KB
            # file whose 500 pages share one stream otherwise parses it 500 times).
            key = _contents_key(page)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            text = page.extract_text() or ""
            parts.append(text)
            budget.spend_chars(len(text))
    except RecursionError:
        out.unscanned.append(Unscanned(name, "PDF结构嵌套过深，无法解析"))
        return
    except MemoryError:
        raise
    except Exception as exc:                    # malformed PDFs raise anything from pypdf's parser
        out.unscanned.append(Unscanned(name, f"PDF无法解析（{type(exc).__name__}）"))
        return
    text = "\n".join(parts)
    if len(text.strip()) < 20 and count > 0:
        out.unscanned.append(Unscanned(name, f"{NO_TEXT_LAYER}，无法识别文字"))
        return
    out.segments.append(Segment(name, text))


# ---------------------------------------------------------------- Word

_P, _TC, _TR, _TBL = _W + "p", _W + "tc", _W + "tr", _W + "tbl"


def _text(el) -> str:
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _row_cells(tr) -> list[str]:
    """Cell texts of a table row, paragraphs of a cell on lines of their own (one C call a row:
    a Word file of 100 MB of table XML holds millions of cells)."""
    for p in tr.iter(_P):
        p.tail = "\n"
    for tc in tr.iterchildren(_TC):
        tc.tail = "\t"
    cells = []
    for text in _text(tr).split("\t")[:-1]:
        text = text.strip()
        if not cells or cells[-1] != text:              # merged cells repeat their text
            cells.append(text)
    return cells


ROWS_PER_SEGMENT = 20_000
_HEAD_LINES = 6                              # the lines scan_pii looks in for a table's header


class _Rows:
    """A table's rows as segments of at most ROWS_PER_SEGMENT rows, each led by the table's first
    lines (title and header), so that scanning a list of a million numbers never holds more than
    one segment's hits; numbers seen twice are counted once per file."""

    def __init__(self, name: str, part: str, sink: list):
        self.name, self.part, self.sink = name, part, sink
        self.head: list[str] = []
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        if len(self.head) < _HEAD_LINES:
            self.head.append(line)
        self.lines.append(line)
        if len(self.lines) >= ROWS_PER_SEGMENT:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            lines = self.lines if self.lines[0] is self.head[0] else self.head + self.lines
            self.sink.append(Segment(self.name, "\n".join(lines), table=True, part=self.part))
            self.lines = []


def _docx(zf: zipfile.ZipFile, name: str, limits: dict, budget: Budget, out: Extracted) -> None:
    """Body paragraphs as one segment, each table as table segments (rows of tab-separated cells)."""
    paras: list[str] = []
    tables: list[Segment] = []
    pending: dict[int, _Rows] = {}           # tables still open, by nesting depth
    count = 0
    stopped = ""
    with zf.open("word/document.xml") as fh:
        for _, el in etree.iterparse(fh, events=("end",), tag=(_P, _TR, _TBL), **_XML_OPTS):
            tag = el.tag
            text = ""
            if tag == _P:
                if el.getparent().tag == _TC:
                    continue                        # read with its row
                text = _text(el)
                if text.strip():
                    paras.append(text)
            elif tag == _TR:
                depth = sum(1 for _ in el.iterancestors(_TBL))
                if depth not in pending:
                    count += 1
                    pending[depth] = _Rows(name, f"表{count}", tables)
                text = "\t".join(_row_cells(el))
                pending[depth].add(text)
            else:
                rows = pending.pop(sum(1 for _ in el.iterancestors(_TBL)) + 1, None)
                if rows is not None:
                    rows.flush()
            _drop(el)
            why = budget.exhausted(len(text))
            if why:
                stopped = f"{why}，其余部分未扫描"
                break
    for depth in sorted(pending, reverse=True):          # stopped inside a table: keep its rows
        pending[depth].flush()
    out.segments.append(Segment(name, "\n".join(paras)))
    out.segments.extend(tables)
    if stopped:
        out.unscanned.append(Unscanned(name, stopped))


# ---------------------------------------------------------------- Excel

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e19 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx(raw: bytes, name: str, limits: dict, budget: Budget, out: Extracted) -> None:
    xl = XlsxLimits(max_part_bytes=limits["max_package_total"], max_strings_bytes=limits["max_bytes"],
                    max_columns=limits["max_columns"])
    with XlsxBook(raw, xl) as book:
        for ref in book.sheets:
            lines = _Rows(name, ref.name, out.segments)
            stopped = ""
            rows = book.rows(ref).rows
            try:
                for _, cells in rows:
                    if not budget.spend_cells(len(cells)):
                        stopped = "单元格过多，其余部分未扫描"
                        break
                    values = [""] * cells[-1].column
                    for c in cells:
                        values[c.column - 1] = _cell(c.value)
                    line = "\t".join(values).rstrip("\t")
                    if line:
                        lines.add(line)
                    why = budget.exhausted(len(line))
                    if why:
                        stopped = f"{why}，其余部分未扫描"
                        break
            finally:
                rows.close()
            lines.flush()
            if stopped:
                out.unscanned.append(Unscanned(f"{name}（{ref.name}）", stopped))
                return


# ---------------------------------------------------------------- PowerPoint

_A_T = "{http://schemas.openxmlformats.org/drawingml/2006/main}t"
_SLIDE_RE = re.compile(r"ppt/slides/slide(\d+)\.xml$")


def _pptx(zf: zipfile.ZipFile, name: str, limits: dict, budget: Budget, out: Extracted) -> None:
    slides = sorted((int(m.group(1)), n) for n in zf.namelist() if (m := _SLIDE_RE.match(n)))
    texts = []
    for _, entry in slides:
        words = []
        with zf.open(entry) as fh:
            for _, el in etree.iterparse(fh, events=("end",), tag=_A_T, **_XML_OPTS):
                words.append(el.text or "")
                _drop(el)
        text = " ".join(words)
        texts.append(text)
        why = budget.exhausted(len(text))
        if why:
            out.unscanned.append(Unscanned(name, f"{why}，其余幻灯片未扫描"))
            break
    out.segments.append(Segment(name, "\n".join(texts)))


# ---------------------------------------------------------------- archives and text

def _entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    try:                                        # Windows zip tools write GBK names without the UTF-8 flag
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _zip(raw: bytes, name: str, limits: dict, depth: int, budget: Budget, out: Extracted) -> None:
    if depth >= limits["max_depth"]:
        out.unscanned.append(Unscanned(name, "压缩包嵌套层数过多，未扫描"))
        return
    zf = zipfile.ZipFile(io.BytesIO(raw))
    reason = _zip_guard(zf, limits)
    if reason:
        out.unscanned.append(Unscanned(name, reason))
        return
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits["max_zip_entries"]:
        out.unscanned.append(Unscanned(name, f"压缩包条目超过{limits['max_zip_entries']}个，其余条目未扫描"))
        infos = infos[: limits["max_zip_entries"]]
    too_big = f"文件超过{_mb(limits['max_bytes'])}MB，未扫描"
    for n, info in enumerate(infos):
        inner = f"{name}/{_entry_name(info)}"
        if budget.expired:
            out.unscanned.append(Unscanned(name, f"{TIMEOUT}，其余{len(infos) - n}个条目未扫描"))
            return
        if info.flag_bits & 0x1:
            out.unscanned.append(Unscanned(inner, "压缩包条目已加密，无法读取"))
            continue
        if info.file_size > limits["max_bytes"]:
            out.unscanned.append(Unscanned(inner, too_big))
            continue
        if not budget.spend_unpacked(info.file_size):
            out.unscanned.append(Unscanned(name, f"解压总量超过{_mb(limits['max_unpacked'])}MB，"
                                                 f"其余{len(infos) - n}个条目未扫描"))
            return
        try:
            with zf.open(info) as fh:
                data = fh.read(limits["max_bytes"] + 1)          # bounded even if the header lies
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError) as exc:
            out.unscanned.append(Unscanned(inner, f"压缩包条目损坏，无法读取（{type(exc).__name__}）"))
            continue
        if len(data) > limits["max_bytes"]:
            out.unscanned.append(Unscanned(inner, too_big))
            continue
        _extract(data, inner, "", limits, depth + 1, budget, out)


def _csv(raw: bytes, name: str, tabs: bool, limits: dict, budget: Budget, out: Extracted) -> None:
    text = decode_text(raw)[: max(0, budget.chars)]
    budget.spend_chars(len(text))
    lines = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter="\t" if tabs else ","):
            lines.append("\t".join(row))
            if len(lines) % 1000 == 0 and budget.expired:
                out.unscanned.append(Unscanned(name, f"{TIMEOUT}，其余部分未扫描"))
                break
    except csv.Error:                           # an over-long field or a stray quote: read it as text
        out.segments.append(Segment(name, text))
        return
    out.segments.append(Segment(name, "\n".join(lines), table=True))


def _extract(raw: bytes, name: str, content_type: str, limits: dict, depth: int, budget: Budget, out: Extracted,
             hint: str = "") -> None:
    kind = sniff(raw, name, content_type, hint)
    if len(raw) > limits["max_bytes"]:
        out.unscanned.append(Unscanned(name, f"文件超过{_mb(limits['max_bytes'])}MB，未扫描"))
        return
    if budget.expired:
        out.unscanned.append(Unscanned(name, f"{TIMEOUT}，未扫描"))
        return
    try:
        if kind == "pdf":
            _pdf(raw, name, limits, budget, out)
        elif kind in ("docx", "xlsx", "pptx"):
            zf = zipfile.ZipFile(io.BytesIO(raw))
            reason = _zip_guard(zf, limits, package=True)
            if reason:
                out.unscanned.append(Unscanned(name, reason))
            elif kind == "docx":
                _docx(zf, name, limits, budget, out)
            elif kind == "xlsx":
                _xlsx(raw, name, limits, budget, out)
            else:
                _pptx(zf, name, limits, budget, out)
        elif kind == "zip":
            _zip(raw, name, limits, depth, budget, out)
        elif kind in ("csv", "tsv"):
            _csv(raw, name, kind == "tsv", limits, budget, out)
        elif kind in TEXT_EXTS:
            text = decode_text(raw)[: max(0, budget.chars)]
            budget.spend_chars(len(text))
            out.segments.append(Segment(name, text))
        elif kind in UNREADABLE:
            out.unscanned.append(Unscanned(name, UNREADABLE[kind]))
        else:
            out.unscanned.append(Unscanned(name, f"未知文件类型（{kind or '无扩展名'}），未扫描"))
    except MemoryError:
        raise                                   # the helper process reports it as 超出内存限制
    except XlsxError as exc:
        out.unscanned.append(Unscanned(name, f"{exc}，未扫描"))
    except etree.XMLSyntaxError as exc:
        raise_if_out_of_memory(exc, name)
        why = "有超长的文字段（超过1000万字符）" if "too long" in str(exc) else "XML已损坏"
        out.unscanned.append(Unscanned(name, f"文件{why}，无法读取"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error) as exc:
        out.unscanned.append(Unscanned(name, f"文件损坏或格式不符，无法读取（{type(exc).__name__}）"))
    except Exception as exc:                    # third-party parsers raise their own types
        out.unscanned.append(Unscanned(name, f"文件无法读取（{type(exc).__name__}）"))


def extract(raw: bytes, name: str, content_type: str = "", limits: dict | None = None, kind: str = "",
            budget: Budget | None = None) -> Extracted:
    """Text segments and unscanned files of one downloaded attachment, read under ``limits``
    (attachments.LIMITS overlaid) and ``budget`` (made from the limits when not given).

    ``kind``: the file type when the name does not tell (``type_hint`` of a download URL
    without an extension); magic bytes still win.
    """
    merged = dict(LIMITS)
    merged.update(limits or {})
    out = Extracted()
    _extract(raw, name, content_type, merged, 0, budget or Budget.from_limits(merged), out, kind)
    return out
