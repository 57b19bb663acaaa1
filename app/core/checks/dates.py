"""Publication dates in every common form, and dated links (list items) of a page.

Forms: 2025-11-03, 2025/11/03, 2025.11.03, 2025年11月3日, 二〇二五年十一月三日, and month-day
forms ([11-03], 11-03 at the end of a row) whose year comes from the 监测时间点 (a month-day
later than as_of is last year's). Footer lines, copyright/ICP lines, header clocks (今天是…)
and dates after as_of are ignored.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

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
_MD_BRACKET_RE = re.compile(r"[\[【(（]\s*(\d{2})[-/.](\d{2})\s*[\]】)）]")
_MD_BARE_RE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[\u4e00-\u9fff]))(\d{2})-(\d{2})(?=\s|$)")
# Only in list rows, where they cannot be a date cited in prose: 10月02日 without a year, and a
# card's split date (the day in big type beside or below the year-month: "02 2025-10", "2025.10 02",
# or the year apart: "10-02 2025", "2025 10-02").
_MD_CN_RE = re.compile(r"(?<![年\d])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_SPLIT_DAY_FIRST_RE = re.compile(r"(?<![\d\-/.:])(\d{1,2})\s+((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*月?(?![\d\-/.])")
_SPLIT_YM_FIRST_RE = re.compile(r"(?<![\d\-/.])((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*月?\s+(\d{1,2})\s*日?(?![\d\-/.:])")
_SPLIT_MD_Y_RE = re.compile(r"(?<![\d\-/.:])(\d{1,2})[-/.](\d{1,2})\s+((?:19|20)\d{2})(?![\d\-/.年])")
_SPLIT_Y_MD_RE = re.compile(r"(?<![\d\-/.])((?:19|20)\d{2})\s+(\d{1,2})[-/.](\d{1,2})(?![\d\-/.:])")
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


def find_dates(text: str, as_of: dt.date | None = None, *, month_day: bool = True,
               row: bool = False) -> list[FoundDate]:
    """All dates in a text, in order. With as_of: future dates dropped, month-day years inferred.
    ``row``: the text of a list row, where 10月02日 and split card dates are read too."""
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
    if row:
        for regex, order in ((_SPLIT_DAY_FIRST_RE, (2, 3, 1)), (_SPLIT_YM_FIRST_RE, (1, 2, 3)),
                             (_SPLIT_MD_Y_RE, (3, 1, 2)), (_SPLIT_Y_MD_RE, (1, 2, 3))):
            for m in regex.finditer(text):
                if not any(s <= m.start() < e or s < m.end() <= e for s, e in taken):
                    y, mo, d = (int(m.group(k)) for k in order)
                    add(_make(y, mo, d), m)
    if month_day and as_of is not None and ("-" in text or "/" in text or "." in text or (row and "月" in text)):
        regexes = (_MD_BRACKET_RE, _MD_BARE_RE, _MD_CN_RE) if row else (_MD_BRACKET_RE, _MD_BARE_RE)
        for regex in regexes:
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
    if any(f.inferred_year for f in dates):
        dates = _list_years(page, as_of, dates)
    cache[as_of] = dates
    return dates


def _list_years(page: Page, as_of: dt.date, dates: list[FoundDate]) -> list[FoundDate]:
    """Month-day dates of list items take the year their item got (URL, list order)."""
    years: dict[tuple[int, int], list[dt.date]] = {}
    for link in dated_links(page, as_of):
        if link.month_day:
            years.setdefault((link.date.month, link.date.day), []).append(link.date)
    out = []
    for f in dates:
        queue = years.get((f.date.month, f.date.day)) if f.inferred_year else None
        out.append(replace(f, date=queue.pop(0)) if queue else f)
    return out


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


# ---------------------------------------------------------------- years of month-day dates

def _latest_on_or_before(month: int, day: int, ceiling: dt.date) -> dt.date | None:
    """The latest date with this month and day that is not after ceiling (Feb 29 may go back 4 years)."""
    for year in range(ceiling.year, ceiling.year - 5, -1):
        date = _make(year, month, day)
        if date is not None and date <= ceiling:
            return date
    return None


def _earliest_on_or_after(month: int, day: int, floor: dt.date) -> dt.date | None:
    for year in range(floor.year, floor.year + 5):
        date = _make(year, month, day)
        if date is not None and date >= floor:
            return date
    return None


def resolve_years(items: list[tuple[int, int, dt.date | None]], as_of: dt.date) -> list[dt.date | None]:
    """Dates of a list's items in page order. Each item is (month, day, date when its year is known).

    A list in descending order (the usual) carries the year: an item without a year is no later
    than the item above it and no earlier than the next item below with a known year, and takes
    the earliest year that fits, so an old list never looks new by "this year". Other lists give
    each item the latest year that is not after as_of.
    """
    md = [(m, d) for m, d, _ in items]
    ups = sum(1 for a, b in zip(md, md[1:]) if b > a)
    downs = len(md) - 1 - ups
    descending = len(items) > 1 and downs >= 2 * ups
    out: list[dt.date | None] = []
    if not descending:
        for m, d, known in items:
            out.append(known if known is not None else infer_year(m, d, as_of))
        return out
    # Nearest known date below each item (the floor), scanning from the end.
    floors: list[dt.date | None] = [None] * len(items)
    below = None
    for i in range(len(items) - 1, -1, -1):
        floors[i] = below
        if items[i][2] is not None:
            below = items[i][2]
    ceiling = as_of
    for i, (m, d, known) in enumerate(items):
        if known is not None:
            date = known
        else:
            date = None
            if floors[i] is not None:
                date = _earliest_on_or_after(m, d, floors[i])
                if date is not None and date > ceiling:
                    date = None
            if date is None:
                date = _latest_on_or_before(m, d, ceiling)
        out.append(date)
        if date is not None:
            ceiling = min(ceiling, date)
    return out


_URL_YMD_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})([01]\d)([0-3]\d)(?!\d)")
_URL_Y_M_D_RE = re.compile(r"(?<![\d])((?:19|20)\d{2})[-/_]([01]?\d)[-/_]([0-3]?\d)(?![\d])")
_URL_YM_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?([01]\d)(?!\d)")
_URL_Y_RE = re.compile(r"/((?:19|20)\d{2})/")


def url_year(url: str, month: int, day: int, as_of: dt.date) -> dt.date | None:
    """The date a link's URL gives for a month-day (…/202310/t20231002_1.html, /art/2023/10/2/…)."""
    path = urlsplit(url).path
    if not any(ch.isdigit() for ch in path):
        return None
    candidates: list[dt.date] = []
    for regex in (_URL_YMD_RE, _URL_Y_M_D_RE):
        for m in regex.finditer(path):
            if (int(m.group(2)), int(m.group(3))) == (month, day):
                date = _make(int(m.group(1)), month, day)
                if date is not None and date <= as_of:
                    candidates.append(date)
    if not candidates:
        for m in _URL_YM_RE.finditer(path):
            if int(m.group(2)) == month:
                date = _make(int(m.group(1)), month, day)
                if date is not None and date <= as_of:
                    candidates.append(date)
    if not candidates:
        years = {int(m.group(1)) for m in _URL_Y_RE.finditer(path)}
        if len(years) == 1:
            date = _make(years.pop(), month, day)
            if date is not None and date <= as_of:
                candidates.append(date)
    return candidates[0] if candidates else None


# ---------------------------------------------------------------- dated links (list items)

GENERIC_ANCHORS = re.compile(r"^(?:更多|more|查看更多|更多信息|更多>+|>+|》+|详细|详情|进入|点击查看|查看详情|\+|more\s*>+|…|\.\.\.)$", re.I)
_ROW_TAGS = ("li", "tr", "dd", "dt")
_MAX_ROW_ANCHORS = 3
_MAX_BLOCK_DEPTH = 6


@dataclass(frozen=True)
class DatedLink:
    title: str
    url: str
    date: dt.date
    date_text: str
    footer: bool = False
    nav: bool = False
    month_day: bool = False          # the list shows no year ([10-02], 10月02日)
    year_known: bool = True          # the year came from the page or the URL, not from as_of or list order


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


def _pair_text(block) -> str:
    """Text of the siblings after a list block that are not blocks like it (<dt>title</dt><dd>date</dd>,
    <h3>title</h3><span>date</span>), up to the next link."""
    parts: list[str] = []
    cls = block.get("class")
    for sib in block.itersiblings():
        if (sib.tag == block.tag and sib.get("class") == cls) or sib.tag == "a" or sib.find(".//a") is not None:
            break
        parts.append(text_of(sib, " "))
        if sum(map(len, parts)) > 80:
            break
    return norm(" ".join(parts))


def _repeated(node) -> bool:
    """A block with a like sibling (same tag and class): one item of a list."""
    parent = node.getparent()
    if parent is None:
        return False
    cls = node.get("class")
    tag = node.tag
    for sib in parent:
        if sib is not node and sib.tag == tag and sib.get("class") == cls:
            return True
    return False


def _few_anchors(node, cache: dict) -> bool:
    got = cache.get(node)
    if got is None:
        n = 0
        for _ in node.iter("a"):
            n += 1
            if n > _MAX_ROW_ANCHORS:
                break
        got = cache[node] = n <= _MAX_ROW_ANCHORS
    return got


def row_dates(text: str, as_of: dt.date) -> list[FoundDate]:
    """Dates in the text of a list row: every form, plus 10月02日 and split day / year-month."""
    if not text or not _DIGIT_RE.search(text) or not is_date_line(text):
        return []
    return find_dates(text, as_of, row=True)


_DIGIT_RE = re.compile(r"\d")


def _item_date(a, title_text: str, as_of: dt.date, cache: dict):
    """(item block or None, first date of the item or None) for an anchor.

    The item is the smallest block around the link that is a list row (li/tr/dd/dt) or repeats
    like its siblings (cards: <div class=item><h3><a>…</a></h3><p class=time>…</p></div>) and
    holds no more than three links; its date is the first one in its text besides the title, or
    in the blocks paired with it (<dt>…</dt><dd>date</dd>).
    """
    node, depth, first_block = a.getparent(), 0, None
    while node is not None and node.tag not in ("body", "html") and depth < _MAX_BLOCK_DEPTH:
        if not _few_anchors(node, cache):
            break
        if node.tag in _ROW_TAGS or _repeated(node):
            row = norm(text_of(node, " "))
            rest = row.replace(title_text, " ", 1) if title_text else row
            dates = row_dates(rest, as_of)
            if dates:
                return node, dates[0]
            if first_block is None:
                first_block = node
        node, depth = node.getparent(), depth + 1
    if first_block is not None:
        dates = row_dates(_pair_text(first_block), as_of)
        return first_block, (dates[0] if dates else None)
    dates = row_dates(_sibling_text(a), as_of)
    return None, (dates[0] if dates else None)


def anchor_title(a, text: str | None = None) -> str:
    """The link's text, or its title attribute when that is longer (a cut-short title)."""
    text = norm(text_of(a, " ")) if text is None else text
    title = norm(a.get("title") or "")
    if title and (not text or text.endswith(("...", "…")) or len(title) > len(text)) and len(title) < 200:
        return title
    return text


def dated_links(page: Page, as_of: dt.date) -> list[DatedLink]:
    """Links with a publication date in their list item, in page order; cached per as_of.

    Month-day dates get their year from the link's URL, else from the order of their list
    (``resolve_years``).
    """
    cache = page.__dict__.setdefault("_gi_dated_links", {})
    if as_of in cache:
        return cache[as_of]
    result: list[DatedLink] = []
    if page.text and page.is_html:
        vis = visible(page)
        base = base_url(page)
        counts: dict = {}
        best: dict = {}                     # block → (anchor, title length): the longest title wins
        found = []
        for anchor in vis.anchors:
            if anchor.footer:
                continue                    # footer links are never list items (and cost a walk each)
            a = anchor.tag
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            full_text = norm(text_of(a, " "))
            block, date = _item_date(a, full_text, as_of, counts)
            if date is None and not (full_text and _DIGIT_RE.search(full_text)):
                continue
            title = anchor_title(a, full_text)
            if date is None and full_text:
                # Date inside the anchor after the title: <a><span>标题</span><span>2025-11-03</span></a>
                dates = find_dates(full_text, as_of, row=True)
                if dates and dates[-1].end >= len(full_text) - 1 and dates[-1].start > 0:
                    date = dates[-1]
                    title = norm(full_text[:date.start]).rstrip("[【(（ ")
                elif dates and dates[0].start <= 1 and len(full_text) - dates[0].end >= 6:
                    date = dates[0]                 # <a>2025-11-03 标题</a>
                    title = norm(full_text[date.end:]).lstrip("]】)）- ")
            if date is None or not title or GENERIC_ANCHORS.match(title):
                continue
            if block is not None:
                prev = best.get(block)
                if prev is not None and prev[1] >= len(title):
                    continue
                best[block] = (len(found), len(title))
            found.append((anchor, block, title, join_url(base, href), date))
        keep = {i for i, _ in best.values()}
        rows = [row for i, row in enumerate(found) if row[1] is None or i in keep]
        # Years of month-day dates: the URL first, then the order of the list the item sits in.
        groups: dict = {}
        for i, (_, block, _, url, date) in enumerate(rows):
            owner = block.getparent() if block is not None else rows[i][0].tag.getparent()
            groups.setdefault(owner, []).append(i)
        dates: list = [row[4].date for row in rows]
        known: list = [not row[4].inferred_year for row in rows]
        for members in groups.values():
            if not any(rows[i][4].inferred_year for i in members):
                continue
            items = []
            for i in members:
                f = rows[i][4]
                if f.inferred_year:
                    from_url = url_year(rows[i][3], f.date.month, f.date.day, as_of)
                    known[i] = from_url is not None
                    items.append((f.date.month, f.date.day, from_url))
                else:
                    items.append((f.date.month, f.date.day, f.date))
            for i, date in zip(members, resolve_years(items, as_of)):
                dates[i] = date
        for i, (anchor, _, title, url, f) in enumerate(rows):
            if dates[i] is not None:
                result.append(DatedLink(title, url, dates[i], f.text, anchor.footer, anchor.nav,
                                        f.inferred_year, known[i]))
    cache[as_of] = result
    return result


def list_items(page: Page, min_title: int = 10) -> int:
    """List items outside nav and footer whose link reads like an article title (dated or not):
    the blocks ``dated_links`` pairs dates with, counted once each; cached."""
    cached = page.__dict__.get("_gi_list_items")
    if cached is not None:
        return cached
    n = 0
    if page.text and page.is_html:
        counts: dict = {}
        blocks: set = set()
        for anchor in visible(page).anchors:
            if anchor.nav or anchor.footer or len(anchor_title(anchor.tag)) < min_title:
                continue
            node, depth = anchor.tag.getparent(), 0
            while node is not None and node.tag not in ("body", "html") and depth < _MAX_BLOCK_DEPTH:
                if not _few_anchors(node, counts):
                    node = None
                    break
                if node.tag in _ROW_TAGS or _repeated(node):
                    break
                node, depth = node.getparent(), depth + 1
            if node is not None and node.tag not in ("body", "html") and depth < _MAX_BLOCK_DEPTH:
                blocks.add(node)
        n = len(blocks)
    page.__dict__["_gi_list_items"] = n
    return n
