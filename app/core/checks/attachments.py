"""Text of attachments (.pdf, .docx, .xlsx, .pptx, .csv, .txt, also inside .zip) with size caps.

Returns text segments plus the files that could not be read (旧版 .doc/.xls, images, encrypted
or image-only PDFs, RAR/7z, oversize files, zip-bomb-like archives) so the inspector knows what
remains to be looked at by hand. Every library call sits behind byte and entry caps.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import charset_normalizer

logging.getLogger("pypdf").setLevel(logging.ERROR)

LIMITS = {
    "max_bytes": 30 * 1024 * 1024,        # one file (or one zip entry) after decompression
    "max_zip_entries": 300,
    "max_zip_total": 120 * 1024 * 1024,   # all entries of one archive, uncompressed
    "max_ratio": 150,                     # uncompressed/compressed above this looks like a bomb
    "max_depth": 2,                       # zip inside zip inside zip stops here
    "max_pdf_pages": 500,
    "max_cells": 2_000_000,
    "max_chars": 20_000_000,
}

TEXT_EXTS = {"txt", "csv", "tsv", "log", "json", "xml", "html", "htm"}
UNREADABLE = {
    "doc": "旧版Word（.doc）格式，无法自动读取",
    "xls": "旧版Excel（.xls）格式，无法自动读取",
    "wps": "WPS文字格式，无法自动读取",
    "et": "WPS表格格式，无法自动读取",
    "dps": "WPS演示格式，无法自动读取",
    "ppt": "旧版PowerPoint（.ppt）格式，无法自动读取",
    "rtf": "RTF格式，无法自动读取",
    "rar": "RAR压缩包，无法自动解压",
    "7z": "7z压缩包，无法自动解压",
    "ofd": "OFD版式文件，无法自动读取",
    "ceb": "CEB版式文件，无法自动读取",
    "odt": "ODF文档，无法自动读取",
    "ods": "ODF表格，无法自动读取",
    "jpg": "图片文件，无法识别文字", "jpeg": "图片文件，无法识别文字", "png": "图片文件，无法识别文字",
    "gif": "图片文件，无法识别文字", "bmp": "图片文件，无法识别文字", "tif": "图片文件，无法识别文字",
    "tiff": "图片文件，无法识别文字", "webp": "图片文件，无法识别文字",
}
_CONTENT_TYPES = {
    "application/pdf": "pdf", "application/x-pdf": "pdf", "application/zip": "zip",
    "application/x-zip-compressed": "zip", "application/x-zip": "zip", "application/zip-compressed": "zip",
    "application/msword": "doc", "application/vnd.ms-word": "doc", "application/vnd.ms-excel": "xls",
    "application/x-excel": "xls", "application/x-msexcel": "xls", "application/vnd.ms-powerpoint": "ppt",
    "text/csv": "csv", "application/csv": "csv", "text/comma-separated-values": "csv",
    "text/tab-separated-values": "tsv", "text/plain": "txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/rtf": "rtf", "text/rtf": "rtf", "application/ofd": "ofd", "application/vnd.ofd": "ofd",
    "application/kswps": "wps", "application/wps-office.wps": "wps", "application/kset": "et",
    "application/wps-office.et": "et", "application/ksdps": "dps", "application/wps-office.dps": "dps",
    "application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "image/jpeg": "jpg", "image/pjpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/bmp": "bmp",
    "image/tiff": "tif", "image/webp": "webp", "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar", "application/x-rar": "rar", "application/x-7z-compressed": "7z",
}
# File types the extractor reads; every other type is listed as 未扫描.
READABLE = frozenset({"pdf", "docx", "xlsx", "xlsm", "pptx", "zip", "csv", "tsv"}) | TEXT_EXTS
# Extensions that name a file (not a page) in a URL or a Content-Disposition file name.
FILE_EXTS = (READABLE - {"html", "htm", "xml", "json"}) | frozenset(UNREADABLE) | {"tar", "gz", "tgz"}
# Extensions of pages and scripts: such a name says nothing about the file served.
_PAGE_EXTS = frozenset({"", "html", "htm", "shtml", "xhtml", "jsp", "jspx", "asp", "aspx", "php", "do",
                        "action", "cgi", "ashx"})
# Content types servers send for "some file": only the bytes tell what it is.
_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "application/x-octet-stream",
                            "application/download", "application/x-download", "application/force-download",
                            "application/unknown", "application/x-unknown", "application/binary"})
# Magic numbers of the files worth reading or listing (executables and media are not among them).
_MAGIC = ((b"%PDF", "pdf"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\xd0\xcf\x11\xe0", "ole"),
          (b"Rar!", "rar"), (b"7z\xbc\xaf", "7z"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG", "png"),
          (b"GIF8", "gif"), (b"II*\x00", "tif"), (b"MM\x00*", "tif"), (b"{\\rtf", "rtf"))


@dataclass(frozen=True)
class Segment:
    """A piece of text from one file; ``table`` means tab-separated rows under a header row."""

    name: str                        # file name, or "a.zip/b.xlsx" for archive entries
    text: str
    table: bool = False
    part: str = ""                   # sheet or table within the file ("补贴名单", "表1")


@dataclass(frozen=True)
class Unscanned:
    name: str
    reason: str                      # Chinese


@dataclass
class Extracted:
    segments: list[Segment] = field(default_factory=list)
    unscanned: list[Unscanned] = field(default_factory=list)


def file_name(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return path.rsplit("/", 1)[-1] or path


def ext_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


# ---------------------------------------------------------------- files behind download URLs

def _decode_name(data: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


_DISPOSITION_PARAM_RE = re.compile(r';\s*([A-Za-z0-9_.*\-]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)')


def disposition_filename(value: str) -> str:
    """The file name a Content-Disposition header gives ('' when none).

    RFC 6266 ``filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx`` wins over ``filename=``; a plain
    ``filename=`` may be percent-encoded, RFC 2047-encoded or raw UTF-8/GBK bytes (which
    http.client hands over as Latin-1 text). Folders in the name are dropped.
    """
    if not value or "filename" not in value.lower():
        return ""
    params: dict[str, str] = {}
    _, has_type, params_text = value.partition(";")
    for m in _DISPOSITION_PARAM_RE.finditer(";" + (params_text if has_type else value)):
        key, val = m.group(1).lower(), m.group(2).strip()
        if val.startswith('"'):
            val = re.sub(r'\\(["\\])', r"\1", val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:])
        params.setdefault(key, val)
    name = ""
    star = params.get("filename*", "")
    if star:
        charset, quoted, lang_and_text = star.partition("'")
        if quoted:                              # charset'language'percent-encoded-text
            data = unquote_to_bytes(lang_and_text.partition("'")[2])
            try:
                name = data.decode(charset.strip() or "utf-8")
            except (LookupError, UnicodeDecodeError):
                name = _decode_name(data)
        else:
            name = _decode_name(unquote_to_bytes(star))
    if not name and params.get("filename"):
        plain = params["filename"]
        if plain.startswith("=?") and plain.endswith("?="):
            try:
                from email.header import decode_header, make_header
                plain = str(make_header(decode_header(plain)))
            except Exception:                   # a malformed encoded word: keep the text as sent
                pass
        try:
            data = plain.encode("latin-1")      # raw bytes of the header as the server sent them
        except UnicodeEncodeError:
            data = None
        if data is not None:
            if re.search(rb"%[0-9A-Fa-f]{2}", data):
                data = unquote_to_bytes(data)
            plain = _decode_name(data)
        name = plain
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip("\x00")
    return name


def _base_type(content_type: str) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def magic_type(head: bytes) -> str:
    """'pdf', 'zip', 'ole' (old Office), 'rar', '7z', 'jpg', 'png', 'gif', 'tif', 'rtf' or ''."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return ""


def is_file_response(content_type: str, disposition: str = "") -> bool | None:
    """Whether an HTTP answer is a file download rather than a page.

    True: a document, archive or image Content-Type, or a Content-Disposition file name with a
    file's extension (``attachment; filename=…`` with any name but a page's; an ``inline`` one
    only on a non-HTML answer). None: a generic
    binary type (application/octet-stream …) without such a name: the first bytes must tell
    (``magic_type``). False: a page (HTML, text, JSON …) or some other download.
    """
    ct = _base_type(content_type)
    name = disposition_filename(disposition)
    ext = ext_of(name)
    if name and ext not in _PAGE_EXTS and (disposition.split(";", 1)[0].strip().lower() == "attachment"
                                           or (ext in FILE_EXTS and "html" not in ct)):
        return True
    if ct == "text/plain":
        return False                            # a plain-text answer is read as before
    if ct in _CONTENT_TYPES:
        return True
    if ct in _GENERIC_TYPES:
        return None
    return False


def attachment_name(page) -> str:
    """The file's name for findings: the URL's file name when it has a file extension, else the
    Content-Disposition file name, else the URL's last path part."""
    for url in (page.url, page.requested_url):
        name = file_name(url) if url else ""
        if ext_of(name) in FILE_EXTS:
            return name
    url_name = file_name(page.url) or file_name(page.requested_url or "")
    return disposition_filename((page.headers or {}).get("content-disposition", "")) or url_name


def type_hint(page) -> str:
    """File type a downloaded Page claims ('pdf', 'xlsx', 'doc' …; '' when nothing says): the
    extension of the URL (or the URL redirected from) when it names a file, else of the
    Content-Disposition file name, else the Content-Type. Magic bytes still win (``sniff``)."""
    for url in (page.url, page.requested_url):
        ext = ext_of(file_name(url)) if url else ""
        if ext in FILE_EXTS:
            return ext
    ext = ext_of(disposition_filename((page.headers or {}).get("content-disposition", "")))
    if ext not in _PAGE_EXTS:
        return ext
    return _CONTENT_TYPES.get(_base_type(page.content_type), "")


def attachment_type(page) -> str:
    """File type of a downloaded Page: the bytes when it carries them, else what it claims."""
    hint = type_hint(page)
    if page.raw:
        return sniff(page.raw, attachment_name(page), page.content_type, hint)
    return hint


def sniff(raw: bytes, name: str, content_type: str = "", hint: str = "") -> str:
    """File type from magic bytes, then the extension (``hint`` when given), then the Content-Type."""
    head = raw[:8]
    ext = hint or ext_of(name)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if ext in ("docx", "xlsx", "xlsm", "pptx", "zip"):
            return "xlsx" if ext == "xlsm" else ext
        return _ooxml_kind(raw) or "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ext if ext in ("doc", "xls", "ppt", "wps", "et", "dps") else "doc"
    if head.startswith(b"Rar!"):
        return "rar"
    if head.startswith(b"7z\xbc\xaf"):
        return "7z"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM")):
        return ext if ext in UNREADABLE else "jpg"
    if ext:
        return ext
    return _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), "")


def _ooxml_kind(raw: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except zipfile.BadZipFile:
        return ""
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return ""


def decode_text(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    # Chinese government files are UTF-8 or GBK in practice: try both strictly before guessing.
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(raw[:200_000]).best()
    encoding = best.encoding if best is not None else "gb18030"
    if encoding in ("gb2312", "gbk"):
        encoding = "gb18030"                      # a superset; avoids spurious replacement chars
    return raw.decode(encoding, errors="replace")


def _zip_guard(zf: zipfile.ZipFile, limits: dict) -> str:
    """Chinese reason when an archive (or OOXML package) looks unsafe to expand, else ''."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > limits["max_zip_total"]:
        return f"解压后超过{limits['max_zip_total'] // (1024 * 1024)}MB，未扫描"
    if total > 1024 * 1024 and total / packed > limits["max_ratio"]:
        return "压缩比异常（疑似压缩炸弹），未扫描"
    return ""


def _pdf(raw: bytes, name: str, limits: dict, out: Extracted) -> None:
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
        parts, chars = [], 0
        pages = reader.pages
        for i, page in enumerate(pages):
            if i >= limits["max_pdf_pages"]:
                out.unscanned.append(Unscanned(name, f"PDF超过{limits['max_pdf_pages']}页，其余页未扫描"))
                break
            text = page.extract_text() or ""
            parts.append(text)
            chars += len(text)
            if chars > limits["max_chars"]:
                break
    except Exception as exc:                    # malformed PDFs raise anything from pypdf's parser
        out.unscanned.append(Unscanned(name, f"PDF无法解析（{type(exc).__name__}）"))
        return
    text = "\n".join(parts)
    if len(text.strip()) < 20 and len(pages) > 0:
        out.unscanned.append(Unscanned(name, "PDF无文字层（可能为扫描件），无法识别文字"))
        return
    out.segments.append(Segment(name, text))


def _docx(raw: bytes, name: str, out: Extracted) -> None:
    import docx
    document = docx.Document(io.BytesIO(raw))
    paras = [p.text for p in document.paragraphs if p.text.strip()]
    out.segments.append(Segment(name, "\n".join(paras)))
    for t_index, table in enumerate(document.tables):
        rows = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                text = cell.text.strip()
                if not cells or cells[-1] != text:          # merged cells repeat their text
                    cells.append(text)
            rows.append("\t".join(cells))
        out.segments.append(Segment(name, "\n".join(rows), table=True, part=f"表{t_index + 1}"))


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


def _xlsx(raw: bytes, name: str, limits: dict, out: Extracted) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        cells = 0
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
                if cells > limits["max_cells"]:
                    out.unscanned.append(Unscanned(f"{name}（{ws.title}）", "单元格过多，其余部分未扫描"))
                    break
                line = "\t".join(_cell(v) for v in row).rstrip("\t")
                if line:
                    rows.append(line)
            out.segments.append(Segment(name, "\n".join(rows), table=True, part=ws.title))
            if cells > limits["max_cells"]:
                break
    finally:
        wb.close()


_PPTX_TEXT_RE = re.compile(r"<a:t>([^<]*)</a:t>")


def _pptx(zf: zipfile.ZipFile, name: str, out: Extracted) -> None:
    texts = []
    for entry in sorted(n for n in zf.namelist() if n.startswith("ppt/slides/slide") and n.endswith(".xml")):
        xml = zf.read(entry).decode("utf-8", errors="replace")
        texts.append(" ".join(_PPTX_TEXT_RE.findall(xml)))
    out.segments.append(Segment(name, "\n".join(texts)))


def _entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    try:                                        # Windows zip tools write GBK names without the UTF-8 flag
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _zip(raw: bytes, name: str, limits: dict, depth: int, out: Extracted) -> None:
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
    for info in infos:
        inner = f"{name}/{_entry_name(info)}"
        if info.flag_bits & 0x1:
            out.unscanned.append(Unscanned(inner, "压缩包条目已加密，无法读取"))
            continue
        if info.file_size > limits["max_bytes"]:
            out.unscanned.append(Unscanned(inner, f"文件超过{limits['max_bytes'] // (1024 * 1024)}MB，未扫描"))
            continue
        with zf.open(info) as fh:
            data = fh.read(limits["max_bytes"] + 1)          # bounded even if the header lies
        if len(data) > limits["max_bytes"]:
            out.unscanned.append(Unscanned(inner, f"文件超过{limits['max_bytes'] // (1024 * 1024)}MB，未扫描"))
            continue
        _extract(data, inner, "", limits, depth + 1, out)


def _extract(raw: bytes, name: str, content_type: str, limits: dict, depth: int, out: Extracted,
             hint: str = "") -> None:
    kind = sniff(raw, name, content_type, hint)
    if len(raw) > limits["max_bytes"]:
        out.unscanned.append(Unscanned(name, f"文件超过{limits['max_bytes'] // (1024 * 1024)}MB，未扫描"))
        return
    try:
        if kind == "pdf":
            _pdf(raw, name, limits, out)
        elif kind in ("docx", "xlsx", "pptx"):
            zf = zipfile.ZipFile(io.BytesIO(raw))
            reason = _zip_guard(zf, limits)
            if reason:
                out.unscanned.append(Unscanned(name, reason))
            elif kind == "docx":
                _docx(raw, name, out)
            elif kind == "xlsx":
                _xlsx(raw, name, limits, out)
            else:
                _pptx(zf, name, out)
        elif kind == "zip":
            _zip(raw, name, limits, depth, out)
        elif kind in ("csv", "tsv"):
            text = decode_text(raw)[: limits["max_chars"]]
            rows = csv.reader(io.StringIO(text), delimiter="\t" if kind == "tsv" else ",")
            out.segments.append(Segment(name, "\n".join("\t".join(r) for r in rows), table=True))
        elif kind in TEXT_EXTS:
            out.segments.append(Segment(name, decode_text(raw)[: limits["max_chars"]]))
        elif kind in UNREADABLE:
            out.unscanned.append(Unscanned(name, UNREADABLE[kind]))
        else:
            out.unscanned.append(Unscanned(name, f"未知文件类型（{kind or '无扩展名'}），未扫描"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        out.unscanned.append(Unscanned(name, f"文件损坏或格式不符，无法读取（{type(exc).__name__}）"))
    except Exception as exc:                    # third-party parsers raise their own types
        out.unscanned.append(Unscanned(name, f"文件无法读取（{type(exc).__name__}）"))


def extract(raw: bytes, name: str, content_type: str = "", limits: dict | None = None, kind: str = "") -> Extracted:
    """Text segments and unscanned files of one downloaded attachment.

    ``kind``: the file type when the name does not tell (``type_hint`` of a download URL
    without an extension); magic bytes still win.
    """
    merged = dict(LIMITS)
    merged.update(limits or {})
    out = Extracted()
    _extract(raw, name, content_type, merged, 0, out, kind)
    return out
