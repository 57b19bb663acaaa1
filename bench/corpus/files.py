"""Attachments of the corpus: tables of names and numbers as .csv, .xlsx, .docx and PDF (a table
laid out in columns, CJK text), plus files nobody can read (.doc, .xls, .rar)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
import openpyxl

# The tests' PDF table builder: one writer of CJK table PDFs for tests and bench.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "core" / "checks"))
from checkpages import make_table_pdf  # noqa: E402


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
    return make_table_pdf(rows, widths, title=title)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000       # old .doc/.xls header
RAR = b"Rar!\x1a\x07\x00" + b"\0" * 500

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
                 "rar": "application/x-rar-compressed", "txt": "text/plain; charset=utf-8"}
