"""Attachments of the corpus: tables of names and numbers as .csv, .xlsx, .docx and PDF (a table
laid out in columns, CJK text), plus files nobody can read (.doc, .xls, .rar)."""
from __future__ import annotations

import io

import docx
import openpyxl


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(r) for r in rows).encode(encoding)


def xlsx_bytes(rows: list[list[str]], title: str = "") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_bytes(rows: list[list[str]], title: str) -> bytes:
    d = docx.Document()
    d.add_paragraph(title)
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def pdf_bytes(title: str, rows: list[list[str]], widths: list[int]) -> bytes:
    """One page: a title line and a table whose cells are placed one by one (as office programs
    write them), STSong-Light with the UniGB-UCS2-H encoding, no font embedded."""
    def hexs(s: str) -> str:
        return "<" + s.encode("utf-16-be").hex().upper() + ">"
    ops = ["BT /F1 12 Tf", f"1 0 0 1 60 800 Tm {hexs(title)} Tj", "/F1 9 Tf"]
    for r, row in enumerate(rows):
        x = 30
        for c, cell in enumerate(row):
            ops.append(f"1 0 0 1 {x} {770 - 18 * r} Tm {hexs(cell)} Tj")
            x += widths[c]
    ops.append("ET")
    content = " ".join(ops)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 >>",
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000       # old .doc/.xls header
RAR = b"Rar!\x1a\x07\x00" + b"\0" * 500

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
                 "rar": "application/x-rar-compressed", "txt": "text/plain; charset=utf-8"}
