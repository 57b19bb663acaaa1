"""Hostile files built in memory: attachments and import files that once stalled a run, ate the
machine's memory or ended in a traceback (issue 16), and their harmless neighbours.

Each builder is deterministic and fast enough for a test; sizes are parameters so the bench can
use the issue's full-size cases."""
from __future__ import annotations

import io
import random
import zipfile
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def mobile(i: int) -> str:
    """A valid-looking 11-digit mobile number (fictional), distinct for each i."""
    return f"139{i:08d}"


# ---------------------------------------------------------------- Office packages by hand

def _zip(members: dict[str, bytes | str], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in members.items():
            z.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def _streamed_member(z: zipfile.ZipFile, name: str, chunks, level: int = 6) -> None:
    """Write a member from an iterable of byte chunks (a 1 GB part never sits in memory)."""
    info = zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = level
    with z.open(info, "w", force_zip64=True) as fh:
        for chunk in chunks:
            fh.write(chunk)


_CT_XLSX = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_ROOT_RELS_XLSX = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{S_NS}" xmlns:r="{R_NS}"><sheets>'
             '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>')


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row_xml(r: int, values, strings_in: str = "") -> str:
    cells = []
    for c, v in values:
        ref = f"{c}{r}"
        if c in strings_in and isinstance(v, int):
            cells.append(f'<c r="{ref}" t="s"><v>{v}</v></c>')
        elif isinstance(v, (int, float)):
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_esc(str(v))}</t></is></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def xlsx_from_rows(rows, dimension: str = "", shared: bytes | None = None, level: int = 6,
                   tail: str = "", strings_in: str = "") -> bytes:
    """A minimal .xlsx whose one sheet holds ``rows``: an iterable of (row number, [(column, value)]).
    ``dimension``: the <dimension ref> to declare (a lie, if wanted); ``shared``: a sharedStrings part."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, text in (("[Content_Types].xml", _CT_XLSX), ("_rels/.rels", _ROOT_RELS_XLSX),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, text)

        def sheet():
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{S_NS}">{dim}<sheetData>'.encode()
            batch = []
            for r, values in rows:
                batch.append(_row_xml(r, values, strings_in if r > 1 else ""))
                if len(batch) >= 2000:
                    yield "".join(batch).encode()
                    batch = []
            yield ("".join(batch) + f"</sheetData>{tail}</worksheet>").encode()

        _streamed_member(z, "xl/worksheets/sheet1.xml", sheet(), level)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return buf.getvalue()


def xlsx_raw_sheet(sheet_data: str, doctype: str = "") -> bytes:
    """A workbook whose sheet XML is written by hand (cells without references, entities …)."""
    return _zip({"[Content_Types].xml": _CT_XLSX, "_rels/.rels": _ROOT_RELS_XLSX, "xl/workbook.xml": _WORKBOOK,
                 "xl/_rels/workbook.xml.rels": _WB_RELS,
                 "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
                                             f'<worksheet xmlns="{S_NS}"><sheetData>{sheet_data}</sheetData></worksheet>'})


LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
          + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
          + "]>")


def xlsx_billion_laughs() -> bytes:
    """A sheet whose cell text is an entity that would expand to 10^9 characters."""
    return xlsx_raw_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>网站标识码</t></is></c>'
                          '<c r="B1" t="inlineStr"><is><t>&i;</t></is></c></row>', LAUGHS)


def xlsx_declaring(cells: int = 62_000_000, rows_present: int = 20_000) -> bytes:
    """An import workbook of a few real rows whose <dimension> and a far corner cell claim
    ``cells`` cells (openpyxl's full load walks the whole rectangle)."""
    width = 62
    height = cells // width
    headers = ["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "网站类别", "运行状态"]
    cols = "ABCDEFG"

    def rows():
        yield 1, list(zip(cols, headers))
        for i in range(rows_present):
            yield i + 2, list(zip(cols, [f"测试网站{i}", f"3699{i:06d}", f"www.site{i}.gov.cn", f"单位{i % 7}",
                                         f"地区{i % 5}", "市级部门网站", "正常"]))
        yield height, [("BJ", "")]                     # the far corner, present but empty
    return xlsx_from_rows(rows(), dimension=f"A1:BJ{height}")


def xlsx_one_huge_cell(chars: int = 1 << 30) -> bytes:
    """An import workbook whose shared strings table holds one cell of ``chars`` characters
    (compressed it is about a thousandth of that)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in (("[Content_Types].xml", _CT_XLSX), ("_rels/.rels", _ROOT_RELS_XLSX),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<worksheet xmlns="{S_NS}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
                   f'<c r="B1" t="inlineStr"><is><t>网站标识码</t></is></c></row></sheetData></worksheet>')

        def strings():
            yield f'<sst xmlns="{S_NS}" count="1" uniqueCount="1"><si><t>'.encode()
            block = b"A" * (1 << 20)
            for _ in range(chars >> 20):
                yield block
            yield b"</t></si></sst>"
        _streamed_member(z, "xl/sharedStrings.xml", strings(), level=1)
    return buf.getvalue()


def xlsx_phone_list(numbers: int = 1_400_000) -> bytes:
    """An attachment listing ``numbers`` mobile numbers as Excel writes them (numbers, names in the
    shared strings table): the issue's 8 MB workbook."""
    names = "".join(f"<si><t>居民{i}</t></si>" for i in range(100))
    shared = f'<sst xmlns="{S_NS}" count="100" uniqueCount="100">{names}</sst>'.encode()

    def rows():
        yield 1, [("A", "序号"), ("B", "姓名"), ("C", "联系电话")]
        for i in range(numbers):
            yield i + 2, [("A", i + 1), ("B", i % 100), ("C", int(mobile(i)))]
    return xlsx_from_rows(rows(), shared=shared, strings_in="B")


def xlsx_bomb(mb: int = 400) -> bytes:
    """A workbook whose one sheet part inflates to ``mb`` MB of identical blank rows (ratio ~1000)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (("[Content_Types].xml", _CT_XLSX), ("_rels/.rels", _ROOT_RELS_XLSX),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, text)

        def sheet():
            yield f'<worksheet xmlns="{S_NS}"><sheetData>'.encode()
            block = b'<row><c t="inlineStr"><is><t> </t></is></c></row>' * 20_000
            for _ in range(mb * 1024 * 1024 // len(block)):
                yield block
            yield b"</sheetData></worksheet>"
        _streamed_member(z, "xl/worksheets/sheet1.xml", sheet(), level=9)
    return buf.getvalue()


_DOCX_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>')
_DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_inflating(xml_mb: int = 116, seed: int = 1) -> bytes:
    """A .docx whose document.xml is ``xml_mb`` MB of table rows (about 1 % of that compressed):
    python-docx built it all as one tree (1.9 GB). One real mobile number sits in the last row."""
    rnd = random.Random(seed)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _DOCX_CT)
        z.writestr("_rels/.rels", _DOCX_RELS)

        def doc():
            yield f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body><w:tbl>'.encode()
            row = ("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>单元格{c}</w:t></w:r></w:p></w:tc>" for c in range(7))
                   + "<w:tc><w:p><w:r><w:t>%d</w:t></w:r></w:p></w:tc></w:tr>")
            size = len(row.encode()) + 3
            for _ in range(xml_mb * 1024 * 1024 // size):       # a serial number keeps the ratio near 100
                yield (row % rnd.randrange(1000)).encode()
            last = f"<w:tr><w:tc><w:p><w:r><w:t>联系电话 {mobile(rnd.randrange(10**6))}</w:t></w:r></w:p></w:tc></w:tr>"
            yield (last + "</w:tbl></w:body></w:document>").encode()
        _streamed_member(z, "word/document.xml", doc(), level=9)
    return buf.getvalue()


# ---------------------------------------------------------------- PDF by hand

def pdf(streams: list[bytes], pages_per_stream: int = 1, compress: bool = True) -> bytes:
    """A PDF whose pages show ``streams`` (each shared by ``pages_per_stream`` pages)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    stream_ids = []
    for content in streams:
        data = zlib.compress(content, 9) if compress else content
        filt = b" /Filter /FlateDecode" if compress else b""
        objs.append(b"<< /Length %d%s >>\nstream\n" % (len(data), filt) + data + b"\nendstream")
        stream_ids.append(len(objs))
    kids = []
    for sid in stream_ids:
        for _ in range(pages_per_stream):
            objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >>"
                        b" >> /Contents %d 0 R >>" % sid)
            kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def text_ops(lines: int, text: str = "13907971234 abc") -> bytes:
    """A content stream drawing ``lines`` lines of text (pypdf takes ~0.1 ms a line, and more)."""
    return b"BT /F1 12 Tf 72 712 Td " + f"({text}) Tj 0 -1 Td ".encode() * lines + b"ET"


def pdf_shared_stream(pages: int = 500, lines: int = 20_000) -> bytes:
    """The issue's 82 KB PDF: ``pages`` pages share one heavy content stream."""
    return pdf([text_ops(lines)], pages_per_stream=pages)


def pdf_slow_page(lines: int = 400_000) -> bytes:
    """One page whose content stream alone keeps pypdf busy for minutes."""
    return pdf([text_ops(lines)])
