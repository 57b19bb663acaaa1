"""Display width of text (CJK counts double): the column widths of .xlsx tables and of the CLI's
plain-text tables. Free of openpyxl, so that the CLI can align a table without loading it."""
from __future__ import annotations

import re

_WIDE = re.compile("[\u2e81-\U0010ffff]")


def text_width(value) -> int:
    """Display width in characters: CJK counts double."""
    s = "" if value is None else str(value)
    return len(s) + len(_WIDE.findall(s))
