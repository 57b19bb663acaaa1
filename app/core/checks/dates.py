"""Publication dates in every common form, and dated links (list items) of a page.

Forms: 2025-11-03, 2025/11/03, 2025.11.03, 2025年11月3日, 二〇二五年十一月三日, and month-day
forms ([11-03], 11-03 at the end of a row) whose year comes from the 监测时间点 (a month-day
later than as_of is last year's). Footer lines, copyright/ICP lines, header clocks (今天是…)
and dates after as_of are ignored.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


from .base import Page
from .html import text_of
from .text import base_url, join_url, norm, visible

MIN_YEAR = 1949

_FULL_RE = re.compile(
    r"(?<!\d)(?<!\d\.)((?:19|20)\d{2})\s*"
    r"(?:([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)(?![\d])")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_RE = re.compile(r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
# Month-day: bracketed anywhere, or bare at the end of a row / before whitespace.
_MD_BRACKET_RE = re.compile(r"[\[【(（]\s*(\d{2})-(\d{2})\s*[\]】)）]")
_MD_BARE_RE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[\u4e00-\u9fff]))(\d{2})-(\d{2})(?=\s|$)")
_LABEL_RE = re.compile(r"(?:发布|发表|公开|更新|印发|信息|上传)?(?:时间|日期)\s*[:：]\s*$")
_PUBLISH_LABEL_RE = re.compile(r"(?:发布|发表|公开)(?:时间|日期)\s*[:：]\s*$")
# Lines that carry dates which are not publication dates.
SKIP_LINE_RE = re.compile(
    r"©|\(c\)|版权所有|版权|copyright|ICP备|ICP证|公网安备|网站标识码|标识码|技术支持|主办单位|承办单位|维护单位|"
    r"建议使用|分辨率|今天是|今日是|当前时间|农历", re.I)
# A date followed by the weekday in the header/nav area is a clock, not a publication.
_CLOCK_RE = re.compile(r"日\s*(?:星期|周)[一二三四五六日天]")


@dataclass(frozen=True)
class FoundDate:
    date: dt.date
    text: str
    start: int
    end: int
    labeled: bool = False            # right after 发布时间/发布日期/日期/时间：
    inferred_year: bool = False      # month-day form; year from the 监测时间点


def _cn_number(s: str) -> int | None:
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    return _CN_DIGITS.get(s) if len(s) == 1 else None


def _make(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def infer_year(month: int, day: int, as_of: dt.date) -> dt.date | None:
    """Month-day → date in the year of as_of, or the year before when it would be after as_of."""
    date = _make(as_of.year, month, day)
    if date is not None and date <= as_of:
        return date
    return _make(as_of.year - 1, month, day)


def find_dates(text: str, as_of: dt.date | None = None, *, month_day: bool = True) -> list[FoundDate]:
    """All dates in a text, in order. With as_of: future dates dropped, month-day years inferred."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def add(date: dt.date | None, m: re.Match, inferred: bool = False) -> None:
        if date is None or date.year < MIN_YEAR or (as_of is not None and date > as_of):
            return
        start, end = m.span()
        labeled = bool(_LABEL_RE.search(text, max(0, start - 12), start))
        found.append(FoundDate(date, m.group(0), start, end, labeled, inferred))
        taken.append((start, end))

    for m in _FULL_RE.finditer(text):
        y = int(m.group(1))
        if m.group(2):
            add(_make(y, int(m.group(3)), int(m.group(4))), m)
        else:
            add(_make(y, int(m.group(5)), int(m.group(6))), m)
    if "年" in text:
        for m in _CN_RE.finditer(text):
            digits = [_CN_DIGITS.get(c) for c in m.group(1)]
            month, day = _cn_number(m.group(2)), _cn_number(m.group(3))
            if None not in digits and month and day:
                add(_make(int("".join(map(str, digits))), month, day), m)
    if month_day and as_of is not None and "-" in text:
        for regex in (_MD_BRACKET_RE, _MD_BARE_RE):
            for m in regex.finditer(text):
                if any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
                    continue
                month, day = int(m.group(1)), int(m.group(2))
                if 1 <= month <= 12 and 1 <= day <= 31:
                    add(infer_year(month, day, as_of), m, inferred=True)
    found.sort(key=lambda f: f.start)
    return found


def is_date_line(text: str) -> bool:
    """False for footer-ish lines whose dates are not publication dates (copyright, ICP, clock)."""
    return not SKIP_LINE_RE.search(text)


def page_dates(page: Page, as_of: dt.date) -> list[FoundDate]:
    """Dates on an HTML page outside its footer, copyright/ICP lines and header clock; cached."""
    cache = page.__dict__.setdefault("_gi_dates", {})
    if as_of in cache:
        return cache[as_of]
    dates: list[FoundDate] = []
    for line in visible(page).main_lines:
        if line.nav and _CLOCK_RE.search(line.text):
            continue
        if is_date_line(line.text) and any(ch.isdigit() for ch in line.text):
            dates.extend(find_dates(line.text, as_of))
    cache[as_of] = dates
    return dates


def latest_date(page: Page, as_of: dt.date) -> dt.date | None:
    dates = page_dates(page, as_of)
    return max((f.date for f in dates), default=None)


def publication_date(page: Page, as_of: dt.date) -> dt.date | None:
    """The page's own publication date: a 发布时间/发布日期 label, else the first labeled date."""
    labeled = None
    for line in visible(page).main_lines:
        if not is_date_line(line.text):
            continue
        for f in find_dates(line.text, as_of, month_day=False):
            if _PUBLISH_LABEL_RE.search(line.text, max(0, f.start - 12), f.start):
                return f.date
            if f.labeled and labeled is None:
                labeled = f.date
    return labeled


# ---------------------------------------------------------------- dated links (list items)

GENERIC_ANCHORS = re.compile(r"^(?:更多|more|查看更多|更多信息|更多>+|>+|》+|详细|详情|进入|点击查看|查看详情|\+|more\s*>+|…|\.\.\.)$", re.I)
_ROW_TAGS = ("li", "tr", "dd", "dt")
_MAX_ROW_ANCHORS = 3


@dataclass(frozen=True)
class DatedLink:
    title: str
    url: str
    date: dt.date
    date_text: str
    footer: bool = False
    nav: bool = False


def _row_container(a):
    parent = a.getparent()
    node, depth = parent, 0
    while node is not None and depth < 4 and node.tag != "body":
        if node.tag in _ROW_TAGS:
            return node
        node, depth = node.getparent(), depth + 1
    return parent if parent is not None and parent.tag != "body" and parent.getparent() is not None else None


def _sibling_text(a) -> str:
    """Text after the link up to the next link (a date beside it: <a>…</a><span>2025-11-03</span>)."""
    parts: list[str] = [a.tail] if a.tail else []
    if sum(map(len, parts)) > 80:
        return norm(" ".join(parts))
    for sib in a.itersiblings():
        if sib.tag == "a" or sib.find(".//a") is not None:
            break
        parts.append(text_of(sib, " "))
        if sib.tail:
            parts.append(sib.tail)
        if sum(map(len, parts)) > 80:
            break
    return norm(" ".join(parts))


def anchor_title(a) -> str:
    text = norm(text_of(a, " "))
    title = norm(a.get("title") or "")
    if title and (not text or text.endswith(("...", "…")) or len(title) > len(text)) and len(title) < 200:
        return title
    return text


def dated_links(page: Page, as_of: dt.date) -> list[DatedLink]:
    """Links with a publication date in their row (list items), in page order; cached per as_of."""
    cache = page.__dict__.setdefault("_gi_dated_links", {})
    if as_of in cache:
        return cache[as_of]
    result: list[DatedLink] = []
    if page.text and page.is_html:
        vis = visible(page)
        base = base_url(page)
        # Group anchors by their row (li/tr/dd/dt, else the parent) in one pass: a row with more
        # than three links is a block, not a list item; in a row keep the longest-titled link.
        # Keys are the elements themselves: lxml proxies are unique only while referenced.
        rows: dict = {}
        entries = []
        for anchor in vis.anchors:
            href = (anchor.tag.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            container = _row_container(anchor.tag)
            entries.append((anchor, href, container))
            if container is not None:
                rows.setdefault(container, []).append(anchor.tag)
        best: dict = {}
        for anchor, href, container in entries:
            a = anchor.tag
            if container is not None:
                group = rows[container]
                if len(group) > _MAX_ROW_ANCHORS:
                    container = None
                else:
                    if container not in best:
                        best[container] = max(group, key=lambda x: len(anchor_title(x)))
                    if best[container] is not a:
                        continue
            full_text = norm(text_of(a, " "))
            if container is not None:
                row = norm(text_of(container, " "))
                rest = row.replace(full_text, " ", 1) if full_text else row
            else:
                rest = _sibling_text(a)
            date = None
            if rest and is_date_line(rest):
                dates = find_dates(rest, as_of)
                date = dates[0] if dates else None
            title = anchor_title(a)
            if date is None and full_text:
                # Date inside the anchor after the title: <a><span>标题</span><span>2025-11-03</span></a>
                dates = find_dates(full_text, as_of)
                if dates and dates[-1].end >= len(full_text) - 1 and dates[-1].start > 0:
                    date = dates[-1]
                    title = norm(full_text[:date.start]).rstrip("[【(（ ")
            if date is None or not title or GENERIC_ANCHORS.match(title):
                continue
            result.append(DatedLink(title, join_url(base, href), date.date, date.text, anchor.footer, anchor.nav))
    cache[as_of] = result
    return result
