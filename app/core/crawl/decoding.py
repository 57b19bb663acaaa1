"""Page text from bytes: header charset, BOM, meta charset and detection, with GBK read as GB18030
and a lying meta charset caught."""
from __future__ import annotations

import codecs
import re




# ---------------------------------------------------------------- encodings

_LEGACY_CN = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "ms936", "csgb2312", "euc-cn", "gb18030",
              "windows-936", "hz-gb-2312"}
_WEAK = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_META_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([a-zA-Z0-9_\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def normalise_encoding(name: str | None) -> str | None:
    """A Python codec name; GB2312/GBK read as their superset GB18030. None when unknown."""
    n = (name or "").strip().strip("\"'").lower()
    if not n:
        return None
    if n in _LEGACY_CN:
        return "gb18030"
    if n in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        codecs.lookup(n)
    except LookupError:
        return None
    return n


def _bad_decode(text: str) -> bool:
    """Many replacement characters: the declared charset does not fit the bytes."""
    bad = text.count("\ufffd")
    return bad > max(2, len(text) // 2000)


def _is_multibyte_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_body(data: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, encoding) of an HTML/text body.

    Order: BOM, HTTP header charset, meta charset, then detection. A declaration that
    produces many replacement characters is not trusted (a GBK page with a wrong meta
    charset must come out readable); valid multi-byte UTF-8 beats a declared legacy or
    Latin-1 charset, since non-trivial GBK text is practically never valid UTF-8.
    """
    if not data:
        return "", ""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace").lstrip("\ufeff"), enc
    utf8 = None
    m = _HEADER_CHARSET_RE.search(content_type or "")
    declared = [m.group(1)] if m else []
    m = _META_RE.search(data[:4096]) or _META_RE.search(data[:65536])
    if m:
        declared.append(m.group(1).decode("ascii", "ignore"))
    for name in declared:
        enc = normalise_encoding(name)
        if enc is None:
            continue
        if enc != "utf-8" and (enc == "gb18030" or name.lower() in _WEAK):
            if utf8 is None:
                utf8 = _is_multibyte_utf8(data)
            if utf8:
                return data.decode("utf-8"), "utf-8"
        if name.lower() in _WEAK and not data.isascii():
            continue                                    # servers' default, rarely the truth
        text = data.decode(enc, errors="replace")
        if not _bad_decode(text):
            return text, enc
    if utf8 is None:
        utf8 = data.isascii() or _is_multibyte_utf8(data)
    if utf8:
        return data.decode("utf-8"), "utf-8"
    return _detect(data)


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = normalise_encoding(best.encoding) if best is not None else None
    if enc is None:
        enc = "gb18030"                                  # the usual legacy charset of our sites
    # Mainland sites: Big5 guesses on short GBK texts are mostly wrong; prefer GB18030 if clean.
    if enc in ("big5", "big5hkscs", "cp950"):
        text = data.decode("gb18030", errors="replace")
        if not _bad_decode(text):
            return text, "gb18030"
    return data.decode(enc, errors="replace"), enc
