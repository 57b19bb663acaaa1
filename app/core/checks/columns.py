"""column_stale, column_blank: columns (栏目) found from navigation and list pages, judged by an
editable rule table (resources/checks/column_rules.json) and per-site overrides.

Two steps so a run can stream pages: ``summarize(page, ctx)`` keeps what a page says about columns
(small), ``column_findings(summaries, ctx)`` judges them at the end of the site.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable


from ..store.paths import resources_dir
from .base import CheckContext, CheckFinding, Page
from .dates import GENERIC_ANCHORS, dated_links, list_items, publication_date, resolve_years
from .html import text_of
from .listpage import has_media, line_key, link_key, loader_script, residual
from .links import url_key
from .text import CRUMB_LABEL_RE, base_url, breadcrumb, join_url, norm, visible

KIND_STALE = "column_stale"
KIND_BLANK = "column_blank"
IND_VETO_STALE = "web.veto.columns_not_updated.c1"     # 动态要闻 + 一级通知公告/政策文件 ≥ 5
IND_VETO_IDLE = "web.veto.columns_not_updated.c2"      # 长期未更新 ≥ 10
IND_VETO_BLANK = "web.veto.columns_not_updated.c3"     # 空白 ≥ 5
IND_NEWS = "web.ded.publish.news"
IND_POLICY = "web.ded.publish.policy_docs.r1"
IND_COLUMNS = "web.ded.publish.columns"
DEFAULTS_STALE = {"min_items": 5, "veto_threshold": 5, "idle_threshold": 10, "overrides": {}, "rules": None}
DEFAULTS_BLANK = {"threshold": 5}

EMPTY_RE = re.compile(
    r"暂无(?:相关|任何)?(?:信息|数据|内容|记录|文章|留言|公告|文件|资料|新闻)|没有(?:相关|任何|找到)?(?:信息|数据|记录|内容)|"
    r"无相关(?:信息|数据|记录|内容)|共\s*0\s*条|记录数\s*[:：]?\s*0\b|总数\s*[:：]?\s*0\b|"
    r"(?:信息|内容)正在(?:更新|完善|整理)中|栏目建设中|正在建设中|页面建设中")
SEARCH_RE = re.compile(r"search|sousuo|jansouresult|/so/", re.I)
_TITLE_SPLIT_RE = re.compile(r"\s*[-_|–—－]\s*")


# ---------------------------------------------------------------- rules

@dataclass(frozen=True)
class Category:
    id: str
    label: str
    window_days: int | None
    veto_group: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnRules:
    categories: tuple[Category, ...]
    default_window_days: int = 365

    def by_id(self, cid: str) -> Category | None:
        return next((c for c in self.categories if c.id == cid), None)


def rules_from_dict(data: dict) -> ColumnRules:
    cats = tuple(Category(str(c["id"]), str(c.get("label") or c["id"]),
                          None if c.get("window_days") is None else int(c["window_days"]),
                          str(c.get("veto_group") or ""), tuple(str(k) for k in c.get("keywords") or ()))
                 for c in data.get("categories") or ())
    return ColumnRules(cats, int(data.get("default_window_days") or 365))


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> ColumnRules:
    """The rule table (cached); default resources/checks/column_rules.json."""
    path = path or resources_dir() / "checks" / "column_rules.json"
    return rules_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def classify(name: str, rules: ColumnRules, overrides: dict | None = None) -> Category:
    """Category of a column name: per-site override first, else the longest matching keyword."""
    overrides = overrides or {}
    if name in overrides:
        value = overrides[name]
        if value is None:
            return Category("exempt", "不检查", None)
        if isinstance(value, str):
            cat = rules.by_id(value)
            if cat is not None:
                return cat
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            return Category("custom", "自定义", int(value) if value > 0 else None)
    best, best_len = None, 0
    for cat in rules.categories:
        for kw in cat.keywords:
            if len(kw) > best_len and kw in name:
                best, best_len = cat, len(kw)
    return best or Category("other", "其他", rules.default_window_days)


def window_zh(days: int) -> str:
    """14 → 2周, 183 → 6个月, 365 → 1年."""
    if 360 <= days <= 366:
        return "1年"
    if days % 365 == 0:
        return f"{days // 365}年"
    for months in range(1, 12):
        if abs(days - months * 30.5) <= 2:
            return f"{months}个月"
    if days % 7 == 0:
        return f"{days // 7}周"
    return f"{days}天"


# ---------------------------------------------------------------- per-page summary

@dataclass(frozen=True)
class ColumnPage:
    url: str
    name: str                        # breadcrumb last item, else the referrer's anchor ('' if neither)
    crumbs: tuple[str, ...]
    anchor: str
    item_count: int                  # dated list items
    newest: dt.date | None
    newest_title: str
    blank: bool                      # no items and an empty marker / no content
    undated_items: int = 0           # article-like links without any date
    title_name: str = ""             # column name guessed from <title>, the last resort
    # Items whose year the page does not show (10-02): (url key, month, day, date if the year is
    # known, title) in list order, so the articles' own dates can settle the year at the end.
    yearless: tuple = ()
    # Main-area lines as (line key, length): of a blank candidate all that is left of it, of a list
    # page its short lines; lines found on most column pages of a site are its template.
    shape: tuple = ()
    marker: bool = False             # a short "暂无信息"-like line of its own


@dataclass(frozen=True)
class PageSummary:
    url: str
    is_home: bool
    nav: dict = field(default_factory=dict)          # url_key → column name, from nav regions and "更多" links
    home_links: frozenset = frozenset()              # url keys linked from the homepage (home only)
    column: ColumnPage | None = None
    published: dt.date | None = None                 # the page's own publication date (articles)


def _more_name(a, anchor: str) -> str:
    node = a.getparent()
    for _ in range(2):
        if node is None or node.tag == "body" or node.getparent() is None:
            break
        text = norm(text_of(node, " ")).replace(anchor, " ")
        text = norm(re.sub(r"[>»›+…\.]+", " ", text))
        if 2 <= len(text) <= 12:
            return text
        node = node.getparent()
    return ""


def nav_names(page: Page) -> dict[str, str]:
    """Column names by URL key: links in nav/menu regions, and headings of "更多" links."""
    names: dict[str, str] = {}
    base = base_url(page)
    for anchor in visible(page).anchors:
        a = anchor.tag
        text = norm(text_of(a, " "))
        if anchor.nav:
            text = text or norm(a.get("title") or "")
            if 2 <= len(text) <= 20 and not GENERIC_ANCHORS.match(text):
                names.setdefault(url_key(join_url(base, a.get("href"))), text)
        elif text and GENERIC_ANCHORS.match(text.replace(" ", "")):
            name = _more_name(a, text)
            if name:
                names.setdefault(url_key(join_url(base, a.get("href"))), name)
    return names


def _title_name(title: str, site_name: str) -> str:
    parts = [p for p in _TITLE_SPLIT_RE.split(title) if p]
    for part in parts:
        if site_name and (part in site_name or site_name in part):
            continue
        if 2 <= len(part) <= 20:
            return part
    return ""


def summarize(page: Page, ctx: CheckContext) -> PageSummary | None:
    """What this page tells about columns: nav names, and a ColumnPage if it is a list/blank page."""
    if not page.text or not page.is_html or not page.ok:
        return None
    opts = ctx.opts(KIND_STALE, DEFAULTS_STALE)
    nav = nav_names(page)
    if page.is_home:
        base = base_url(page)
        keys = frozenset(url_key(join_url(base, a.tag.get("href"))) for a in visible(page).anchors)
        return PageSummary(page.url, True, nav, keys)
    links = [d for d in dated_links(page, ctx.as_of) if not d.nav and not d.footer]
    vis = visible(page)
    crumbs = breadcrumb(page)
    anchor = norm(page.anchor)
    if GENERIC_ANCHORS.match(anchor.replace(" ", "")):
        anchor = ""
    name = (crumbs[-1] if crumbs else "") or anchor
    title_name = _title_name(vis.title, str((ctx.site or {}).get("name") or ""))
    content = [ln.text for ln in vis.lines if not ln.footer and not ln.nav]
    column = None
    # A short list (a yearly column with one or three reports) is a column too when the page is no
    # article: no prose, no publication date of its own, and a column's short name (not a title).
    article = bool(links) and _is_article(content, links)
    short = 1 <= len(links) < int(opts["min_items"]) and not article and len(name or title_name) <= _NAME_CHARS \
        and publication_date(page, ctx.as_of) is None
    if len(links) >= int(opts["min_items"]) or short:
        if not article:
            newest = max(links, key=lambda d: d.date)
            yearless = ()
            if any(d.month_day and not d.year_known for d in links):
                yearless = tuple((url_key(d.url), d.date.month, d.date.day, d.date if d.year_known else None,
                                  d.title[:80]) for d in links)
            column = ColumnPage(page.url, name, crumbs, anchor, len(links), newest.date, newest.title, False,
                                title_name=title_name, yearless=yearless)
    elif not links and not SEARCH_RE.search(page.url) and "搜索" not in vis.title:
        items = list_items(page)
        if items >= int(opts["min_items"]):
            column = ColumnPage(page.url, name, crumbs, anchor, 0, None, "", False, items, title_name)
        elif not loader_script(page) and not has_media(page) and publication_date(page, ctx.as_of) is None:
            names = {n for n in (name, anchor, title_name, *crumbs) if n}
            rest, rest_links = residual(page, names, crumbs)
            rest = [t for t in rest if not CRUMB_LABEL_RE.match(t)]
            # The marker is a short line of its own ("暂无信息"), on a page with little else: an
            # article that mentions "建设中" or a sidebar widget saying "暂无数据" is no blank column.
            marker = any(len(t) <= 30 and EMPTY_RE.search(t) for t in rest)
            if sum(len(t) for t in rest) < _CANDIDATE_CHARS:
                shape = tuple((line_key(t), len(t)) for t in rest) + tuple((k, -1) for k in rest_links)
                column = ColumnPage(page.url, name, crumbs, anchor, 0, None, "", True, title_name=title_name,
                                    shape=shape, marker=marker)
    if column is not None and not column.blank:
        shape = [(line_key(t), len(t)) for t in content if len(t) <= 60][:200]
        keys = {link_key(a.tag, t) for a in vis.anchors if not a.nav and not a.footer
                for t in (norm(text_of(a.tag, " ")),) if 2 <= len(t) <= 20}
        shape += [(k, -1) for k in keys][:200]
        column = replace(column, shape=tuple(shape))
    published = publication_date(page, ctx.as_of) if column is None or column.blank else None
    return PageSummary(page.url, False, nav, frozenset(), column, published)


_PUB_LABEL_RE = re.compile(r"(?:发布|发表)(?:时间|日期)\s*[:：]")
_NAME_CHARS = 12           # a column's name; longer is an article's title in the breadcrumb
_CANDIDATE_CHARS = 400     # more text than this left on a page without items: no blank column
_BLANK_CHARS = 20          # text left after template lines: headings, a stray word
_MARKER_CHARS = 300


def _is_article(content: list[str], links) -> bool:
    """A detail page with a related-items list: real prose, or a 发布时间 label plus some prose."""
    titles = [d.title[:10] for d in links]
    prose = sum(len(t) for t in content if len(t) >= 60 and not any(x in t for x in titles))
    labelled = any(_PUB_LABEL_RE.search(t) and not any(x in t for x in titles) for t in content)
    return prose >= 150 or (labelled and prose >= 60)


# ---------------------------------------------------------------- judging

@dataclass(frozen=True)
class Column:
    name: str
    url: str
    category: Category
    first_level: bool
    newest: dt.date | None
    newest_title: str
    item_count: int
    blank: bool
    stale: bool
    age_days: int | None


def analyze(summaries: Iterable[PageSummary | None], ctx: CheckContext) -> list[Column]:
    """Merge page summaries into columns and judge each against its window."""
    opts = ctx.opts(KIND_STALE, DEFAULTS_STALE)
    overrides = dict(opts.get("overrides") or {})
    overrides.update(ctx.opts(KIND_BLANK, DEFAULTS_BLANK).get("overrides") or {})
    rules = rules_from_dict(opts["rules"]) if isinstance(opts.get("rules"), dict) else load_rules()
    nav: dict[str, str] = {}
    home_nav: dict[str, str] = {}
    home_links: frozenset = frozenset()
    pages: list[ColumnPage] = []
    published: dict[str, dt.date] = {}
    for s in summaries:
        if s is None:
            continue
        if s.is_home:
            home_nav, home_links = s.nav, s.home_links
        else:
            for k, v in s.nav.items():
                nav.setdefault(k, v)
            if s.column is not None:
                pages.append(s.column)
            if s.published is not None:
                published[url_key(s.url)] = s.published
    pages = [_settle_years(cp, published, ctx.as_of) if cp.yearless else cp for cp in pages]
    pages = _judge_blank(pages)
    merged: dict[tuple, ColumnPage] = {}
    for cp in pages:
        key_url = url_key(cp.url)
        name = cp.name if cp.crumbs else (home_nav.get(key_url) or nav.get(key_url) or cp.name or cp.title_name)
        if not name:
            continue
        if name != cp.name:
            cp = replace(cp, name=name)
        if cp.blank and not (cp.crumbs or key_url in home_nav or key_url in nav or cp.anchor):
            continue                          # an empty page nobody presents as a column
        key = cp.crumbs or (name,)
        prev = merged.get(key)
        if prev is None or _better(cp, prev):
            merged[key] = cp
    columns = []
    for cp in merged.values():
        key_url = url_key(cp.url)
        first = len(cp.crumbs) == 1 if cp.crumbs else (key_url in home_nav or key_url in home_links)
        cat = classify(cp.name, rules, overrides)
        age = (ctx.as_of - cp.newest).days if cp.newest else None
        # Undated lists only count where dates are expected (news, notices, policy): a list of
        # service items or sub-columns without dates is not "not updated".
        undated = cp.newest is None and cp.undated_items > 0 and cat.id in _DATED_CATEGORIES
        stale = cat.window_days is not None and not cp.blank and (
            (age is not None and age > cat.window_days) or undated)
        blank = cp.blank and cat.id != "exempt"
        columns.append(Column(cp.name, cp.url, cat, first, cp.newest, cp.newest_title, cp.item_count,
                              blank, stale, age))
    columns.sort(key=lambda c: (c.name, c.url))
    return columns


def _judge_blank(pages: list[ColumnPage]) -> list[ColumnPage]:
    """Blank candidates stay blank when, without the site's template lines (found on at least
    half of its column pages, three or more), little text is left, or an empty marker and some."""
    candidates = [cp for cp in pages if cp.blank]
    if not candidates:
        return pages
    seen: dict[int, int] = {}
    for cp in pages:
        for key in {k for k, _ in cp.shape}:
            seen[key] = seen.get(key, 0) + 1
    template = {k for k, n in seen.items() if n >= 3 and n * 2 >= len(pages)} if len(pages) >= 3 else set()
    out = []
    for cp in pages:
        if cp.blank:
            chars = sum(n for k, n in cp.shape if n > 0 and k not in template)
            links = sum(1 for k, n in cp.shape if n < 0 and k not in template)
            if links >= 2 or not (chars < _BLANK_CHARS or (cp.marker and chars < _MARKER_CHARS)):
                continue                       # sub-column links or some text: no blank column
        out.append(cp)
    return out


def _settle_years(cp: ColumnPage, published: dict[str, dt.date], as_of: dt.date) -> ColumnPage:
    """A list without years: items whose article was fetched take that article's own date, and
    the list order carries it to the others."""
    items = []
    for key, month, day, known, _title in cp.yearless:
        own = published.get(key)
        if known is None and own is not None and (own.month, own.day) == (month, day):
            known = own
        items.append((month, day, known))
    dates = resolve_years(items, as_of)
    dated = [(d, item[4]) for d, item in zip(dates, cp.yearless) if d is not None]
    if not dated:
        return cp
    newest, title = max(dated, key=lambda x: x[0])
    return replace(cp, newest=newest, newest_title=title)


_DATED_CATEGORIES = ("news", "notice", "policy", "interpretation", "custom")


def _better(a: ColumnPage, b: ColumnPage) -> bool:
    """Prefer a page with items, then the newest, then the shorter URL (first page of a list)."""
    if (a.item_count > 0) != (b.item_count > 0):
        return a.item_count > 0
    if a.newest != b.newest:
        return (a.newest or dt.date.min) > (b.newest or dt.date.min)
    return len(a.url) < len(b.url)


def _in_c1(c: Column) -> bool:
    return c.stale and (c.category.veto_group == "news" or (c.category.veto_group == "notice_policy" and c.first_level))


def _stale_detail(c: Column) -> str:
    if c.newest is None:
        return f"栏目“{c.name}”信息均未标注发布日期（无日期视为未更新）"
    return f"栏目“{c.name}”最新信息日期 {c.newest.isoformat()}，已超过{window_zh(c.category.window_days)}未更新"


def _line(c: Column) -> str:
    level = "一级栏目" if c.first_level else "非一级栏目"
    newest = c.newest.isoformat() if c.newest else ("空白" if c.blank else "无日期")
    return f"{c.name}｜{c.category.label}｜{level}｜最新 {newest}｜{c.url}"


def column_findings(summaries: Iterable[PageSummary | None], ctx: CheckContext,
                    kinds: Iterable[str] = (KIND_STALE, KIND_BLANK)) -> list[CheckFinding]:
    """Per-column deduction candidates, plus one veto candidate per clause whose threshold is met.

    Per column: stale 动态要闻 → web.ded.publish.news; stale first-level 政策文件 → policy_docs.r1;
    other stale and blank columns → web.ded.publish.columns. Veto (thresholds inclusive): ≥5 stale in
    c1 → columns_not_updated.c1, ≥10 stale of any kind → .c2, ≥5 blank → .c3, each one finding on
    the homepage listing the columns (the per-column findings stay, for when a reviewer rejects a
    column and the count falls below the threshold).
    """
    kinds = set(kinds)
    columns = analyze(summaries, ctx)
    home = str((ctx.site or {}).get("url") or "")
    stale_opts = ctx.opts(KIND_STALE, DEFAULTS_STALE)
    out: list[CheckFinding] = []
    stale = [c for c in columns if c.stale]
    blank = [c for c in columns if c.blank]
    if KIND_STALE in kinds:
        for c in stale:
            if c.category.veto_group == "news":
                ind = IND_NEWS
            elif c.category.id == "policy" and c.first_level:
                ind = IND_POLICY
            else:
                ind = IND_COLUMNS
            out.append(CheckFinding(KIND_STALE, ind, url=c.url, page=c.url, detail=_stale_detail(c),
                                    snippet=c.newest_title[:100], evidence=_line(c)))
        c1 = [c for c in stale if _in_c1(c)]
        threshold = int(stale_opts["veto_threshold"])
        if len(c1) >= threshold:
            out.append(CheckFinding(
                KIND_STALE, IND_VETO_STALE, url=home, page=home, count=1,
                detail=f"监测时间点前2周未更新的动态要闻类栏目及6个月未更新的通知公告、政策文件类一级栏目共{len(c1)}个，"
                       f"达到单项否决阈值（{threshold}个）",
                evidence="\n".join(_line(c) for c in c1)))
        idle_threshold = int(stale_opts["idle_threshold"])
        if len(stale) >= idle_threshold:
            out.append(CheckFinding(
                KIND_STALE, IND_VETO_IDLE, url=home, page=home,
                detail=f"应更新但长期未更新的栏目共{len(stale)}个，达到单项否决阈值（{idle_threshold}个）",
                evidence="\n".join(_line(c) for c in stale)))
    if KIND_BLANK in kinds:
        for c in blank:
            out.append(CheckFinding(KIND_BLANK, IND_COLUMNS, url=c.url, page=c.url,
                                    detail=f"栏目“{c.name}”为空白栏目（无任何信息）", evidence=_line(c)))
        threshold = int(ctx.opts(KIND_BLANK, DEFAULTS_BLANK)["threshold"])
        if len(blank) >= threshold:
            out.append(CheckFinding(
                KIND_BLANK, IND_VETO_BLANK, url=home, page=home,
                detail=f"空白栏目共{len(blank)}个，达到单项否决阈值（{threshold}个）",
                evidence="\n".join(_line(c) for c in blank)))
    return out


def column_stale(pages: Iterable[Page], ctx: CheckContext) -> list[CheckFinding]:
    """Convenience for tests and small runs: summarize every page, then judge (stale only)."""
    return column_findings((summarize(p, ctx) for p in pages), ctx, kinds=(KIND_STALE,))


def column_blank(pages: Iterable[Page], ctx: CheckContext) -> list[CheckFinding]:
    return column_findings((summarize(p, ctx) for p in pages), ctx, kinds=(KIND_BLANK,))
