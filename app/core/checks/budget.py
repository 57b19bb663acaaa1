"""Budgets of a parse: a deadline and counters that readers spend as they go, and the reasons a
parse stops early. Pure Python; the run engine's helper processes (crawl/parse_pool.py) add the
hard wall-clock and memory limits that a pure-Python check cannot enforce on a C parser."""
from __future__ import annotations

import time

# Why a file was not (fully) read, as the pii_unscanned finding says it.
TIMEOUT = "解析超时"
BOMB = "压缩比异常，疑似压缩炸弹"
MEMORY = "超出内存限制"
CRASHED = "解析进程异常退出（可能超出内存限制）"


class ParseAborted(Exception):
    """A parse was stopped from outside (helper process killed or out of memory); ``reason`` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Budget:
    """Time and volume a parse may spend. Readers ask ``expired`` between pages, rows and
    paragraphs and stop there, keeping what they read; the counters are shared by every file
    of one attachment (entries of an archive included)."""

    def __init__(self, seconds: float, chars: int, cells: int, unpacked: int):
        self.deadline = time.monotonic() + seconds
        self.max_chars = chars
        self.chars = chars                   # characters of text still allowed
        self.cells = cells                   # spreadsheet cells still allowed
        self.unpacked = unpacked             # bytes still allowed out of archives (all levels)

    @classmethod
    def from_limits(cls, limits: dict) -> "Budget":
        return cls(float(limits["seconds"]), int(limits["max_chars"]), int(limits["max_cells"]),
                   int(limits["max_unpacked"]))

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def exhausted(self, chars: int = 0) -> str:
        """Spend ``chars`` characters; '' while time and text remain, else why the read stops."""
        if not self.spend_chars(chars):
            return f"文字超过{self.max_chars}字"
        return TIMEOUT if self.expired else ""

    def spend_chars(self, n: int) -> bool:
        """Take ``n`` characters; False once the text allowance is used up."""
        self.chars -= n
        return self.chars >= 0

    def spend_cells(self, n: int) -> bool:
        self.cells -= n
        return self.cells >= 0

    def spend_unpacked(self, n: int) -> bool:
        self.unpacked -= n
        return self.unpacked >= 0
