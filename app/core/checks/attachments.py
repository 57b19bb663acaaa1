"""Attachments: file names and types (URL, Content-Disposition, Content-Type, magic bytes), the
caps of reading one (LIMITS) and the shapes of what reading gives (Segment, Unscanned, Extracted).

The readers themselves are in attachment_text.py. Files that cannot be read (旧版 .doc/.xls,
images, encrypted or image-only PDFs, RAR/7z, oversize files, zip-bomb-like archives) are named
with the reason so the inspector knows what remains to be looked at by hand.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import charset_normalizer

logging.getLogger("pypdf").setLevel(logging.ERROR)

# Caps of one attachment (attachment_text.py reads under them; the pii check's "limits" param
# overrides any of them). The helper process that runs the read adds a hard time and memory limit.
LIMITS = {
    "max_bytes": 30 * 1024 * 1024,        # one file (or one zip entry) after decompression
    "max_zip_entries": 300,
    "max_zip_total": 120 * 1024 * 1024,   # all entries of one archive, uncompressed
    "max_package_total": 400 * 1024 * 1024,   # the same for .docx/.xlsx/.pptx (read as a stream)
    "max_unpacked": 200 * 1024 * 1024,    # everything taken out of archives, all levels together
    "max_ratio": 150,                     # uncompressed/compressed above this looks like a bomb
    "max_depth": 2,                       # zip inside zip inside zip stops here
    "max_pdf_pages": 500,
    "max_cells": 2_000_000,
    "max_columns": 1024,                  # spreadsheet cells further right are not read
    "max_chars": 20_000_000,
    "seconds": 40.0,                      # reading and scanning one attachment
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
    **{ext: "图片文件，无法识别文字" for ext in ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp")},
}
IMAGE_KINDS = frozenset(k for k, why in UNREADABLE.items() if why.startswith("图片"))
NO_TEXT_LAYER = "PDF无文字层（可能为扫描件）"   # the reason OCR can answer (with an image type's)
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
