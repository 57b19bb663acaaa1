"""Helpers for the check tests: saved pages, the round's as-of date and a registry record."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.checks.base import CheckContext, Page

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
AS_OF = dt.date(2025, 11, 15)
HOME = "https://www.yunxi.gov.cn/"
SITE = {"site_code": "3607000001", "name": "云溪市人民政府", "url": HOME, "host_unit": "云溪市人民政府办公室",
        "icp": "赣ICP备05001234号-1", "psb": "赣公网安备 36070202000123号"}


def page_from(name: str, url: str = "", *, is_home: bool = False, encoding: str = "utf-8", **kw) -> Page:
    """A Page as the crawler would hand it over (text decoded, HTML content type)."""
    raw = (PAGES / name).read_bytes()
    return Page(url=url or HOME + name, status=200, text=raw.decode(encoding), content_type="text/html",
                encoding=encoding, is_home=is_home, **kw)


def html_page(html: str, url: str = HOME + "x.html", **kw) -> Page:
    return Page(url=url, status=200, text=html, content_type="text/html", **kw)


def make_ctx(**params) -> CheckContext:
    return CheckContext(AS_OF, dict(SITE), params)


# ---------------------------------------------------------------- attachment builders (PII tests)

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id18(first17: str) -> str:
    """Complete an ID number with its ISO 7064 MOD 11-2 check character (written independently
    of the code under test)."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _W)) % 11]


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit."""
    for d in "0123456789":
        digits = [int(c) for c in prefix + d][::-1]
        total = sum(x if i % 2 == 0 else (x * 2 - 9 if x * 2 > 9 else x * 2) for i, x in enumerate(digits))
        if total % 10 == 0:
            return prefix + d
    raise AssertionError("unreachable")


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ASCII text lines in Helvetica (no lines: an image-only-like PDF)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({esc(x)}) '" for x in lines) + " ET" if lines else ""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_file(objects)


def make_table_pdf(rows: list[list[str]], widths: list[int] | None = None, title: str = "") -> bytes:
    """A one-page PDF with a table laid out in columns, each cell placed on its own (as office
    programs write them), in STSong-Light with the UniGB-UCS2-H encoding (CJK text, no font
    embedded, so pypdf can read it back); ``title`` is a line above the table (bench corpus)."""
    widths = widths or [110] * max(len(r) for r in rows)

    def hexs(s: str) -> str:
        return "<" + s.encode("utf-16-be").hex().upper() + ">"
    ops = ["BT /F1 12 Tf", f"1 0 0 1 60 800 Tm {hexs(title)} Tj", "/F1 9 Tf"] if title else ["BT /F1 9 Tf"]
    top = 770 if title else 800
    for r, row in enumerate(rows):
        x = 30
        for c, cell in enumerate(row):
            ops.append(f"1 0 0 1 {x} {top - 18 * r} Tm {hexs(cell)} Tj")
            x += widths[c]
    ops.append("ET")
    content = " ".join(ops)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 >>",
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    return pdf_file(objects)


def pdf_file(objects: list[str]) -> bytes:
    """A PDF file from its numbered objects (1 0 obj …), with the cross-reference table."""
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
