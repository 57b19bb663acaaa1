"""homepage_stale: the homepage shows nothing published within the window before 监测时间点.

Spec (web.veto.home_not_updated): no new information on the homepage within 2 weeks → veto; a
homepage that is only a navigation entry (导航页) is judged by its second-level pages instead, and
vetoed when none of them got anything new.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable

from .base import CheckContext, CheckFinding, Page
from .columns import summarize
from .dates import page_dates
from .links import extract_links, url_key

KIND = "homepage_stale"
INDICATOR = "web.veto.home_not_updated"
DEFAULTS = {"window_days": 14}

# A homepage is a navigation entry when it shows fewer than NAV_MAX_DATES dates (outside the
# footer) and fewer than NAV_MAX_ARTICLES links whose text reads like an article title (at least
# ARTICLE_TITLE_CHARS characters; record numbers such as ICP/公网安备 excluded), while linking to at
# least one other page: its links name sections or sub-sites, not information items. A homepage
# that lists undated article titles is no navigation entry; it stays "undated = not updated".
NAV_MAX_DATES = 3
NAV_MAX_ARTICLES = 3
ARTICLE_TITLE_CHARS = 16
_RECORD_RE = re.compile(r"ICP|备案|公网安备|网站标识码|版权所有|Copyright", re.I)
_EVIDENCE_PAGES = 10


@dataclass(frozen=True)
class SecondLevelPage:
    """A page linked from the homepage, with the newest date of its information list."""

    url: str
    name: str = ""
    newest: dt.date | None = None        # None: no dated information list found on the page
    newest_title: str = ""


def is_navigation_entry(home: Page, ctx: CheckContext) -> bool:
    """True when the homepage is only a navigation entry (see the rule above)."""
    if len(page_dates(home, ctx.as_of)) >= NAV_MAX_DATES:
        return False
    own = url_key(home.url)
    targets = [link for link in extract_links(home)
               if link.link_type in ("link", "frame") and url_key(link.url) != own]
    articles = sum(1 for link in targets
                   if len(link.anchor) >= ARTICLE_TITLE_CHARS and not _RECORD_RE.search(link.anchor))
    return bool(targets) and articles < NAV_MAX_ARTICLES


def second_level_pages(home: Page, summaries: Iterable[Any], ctx: CheckContext) -> list[SecondLevelPage]:
    """The second-level pages (linked from the homepage) among the columns collector's PageSummaries.

    The newest date of a page is its dated list's newest item (``PageSummary.column.newest``); a
    page without a recognised dated list has none.
    """
    summaries = [s for s in summaries if s is not None]
    homes = [s for s in summaries if s.is_home]
    if not homes:
        own = summarize(home, ctx)
        homes = [own] if own is not None else []
    linked: set[str] = set()
    names: dict[str, str] = {}
    for s in homes:
        linked.update(s.home_links)
        for key, name in s.nav.items():
            names.setdefault(key, name)
    skip = {url_key(home.url), *(url_key(s.url) for s in homes)}
    found: dict[str, SecondLevelPage] = {}
    for s in summaries:
        key = url_key(s.url)
        if s.is_home or key in skip or key not in linked:
            continue
        col = s.column
        page = SecondLevelPage(s.url, (col.name if col is not None else "") or names.get(key, ""),
                               col.newest if col is not None else None, col.newest_title if col is not None else "")
        prev = found.get(key)
        if prev is None or (page.newest or dt.date.min) > (prev.newest or dt.date.min):
            found[key] = page
    return list(found.values())


def homepage_stale(home: Page, ctx: CheckContext,
                   second_level: Iterable[SecondLevelPage] | None = None) -> list[CheckFinding]:
    """Veto candidate when the newest homepage date is more than window_days before as_of.

    Information without a date counts as not updated (spec: undated_counts_as_not_updated), so a
    homepage without any dated item is reported as well. With ``second_level`` (the pages linked
    from the homepage; None = not gathered) a navigation-entry homepage is judged by them instead:
    reported only when none of them has anything within the window.
    """
    opts = ctx.opts(KIND, DEFAULTS)
    window = int(opts["window_days"])
    if not home.ok and not home.text:
        return []                                  # unreachable is another check's business
    dates = page_dates(home, ctx.as_of)
    pages = list(second_level) if second_level is not None else []
    if pages and is_navigation_entry(home, ctx):
        return _navigation_entry(home, dates, pages, ctx, window)
    if not dates:
        return [CheckFinding(KIND, INDICATOR, url=home.url, page=home.url,
                             detail="首页未发现带日期的信息（无发布日期视为未更新）",
                             evidence=f"监测时间点 {ctx.as_of.isoformat()}；首页（页脚、版权行除外）未找到不晚于监测时间点的日期。")]
    newest = max(dates, key=lambda f: f.date)
    age = (ctx.as_of - newest.date).days
    if age <= window:
        return []
    recent = sorted({f.date for f in dates}, reverse=True)[:5]
    return [CheckFinding(
        KIND, INDICATOR, url=home.url, page=home.url,
        detail=f"首页最新信息日期 {newest.date.isoformat()}，监测时间点前{window}天内无更新（已{age}天）",
        snippet=newest.text,
        evidence=f"监测时间点 {ctx.as_of.isoformat()}；首页最近的日期：" + "、".join(d.isoformat() for d in recent))]


def _navigation_entry(home: Page, dates: list, pages: list[SecondLevelPage], ctx: CheckContext,
                      window: int) -> list[CheckFinding]:
    """A navigation homepage: fresh when it or any second-level page has something within the window."""
    home_newest = max((f.date for f in dates), default=None)
    dated = sorted((p for p in pages if p.newest is not None), key=lambda p: (p.newest, p.url), reverse=True)
    newest = dated[0] if dated else None
    for day in (home_newest, newest.newest if newest else None):
        if day is not None and (ctx.as_of - day).days <= window:
            return []
    n = len(pages)
    if newest is None:
        detail = f"首页为导航页，{n}个二级页面均未发现带日期的信息（无发布日期视为未更新）"
    else:
        detail = f"首页为导航页，{n}个二级页面在监测时间点前{window}天内均无更新（最新 {newest.newest.isoformat()}）"
    listed = dated + sorted((p for p in pages if p.newest is None), key=lambda p: p.url)
    lines = [f"{p.newest.isoformat() if p.newest else '无日期'}｜{p.name or '（未命名）'}｜{p.url}"
             for p in listed[:_EVIDENCE_PAGES]]
    if n > _EVIDENCE_PAGES:
        lines.append(f"…另有{n - _EVIDENCE_PAGES}个二级页面")
    home_line = f"首页最新日期 {home_newest.isoformat()}" if home_newest else "首页未发现带日期的信息"
    evidence = (f"监测时间点 {ctx.as_of.isoformat()}；首页带日期的信息不足{NAV_MAX_DATES}条且链接多为栏目或子站入口，"
                f"视为导航页，按首页链接的二级页面判断（{home_line}）。二级页面最新日期：\n" + "\n".join(lines))
    return [CheckFinding(KIND, INDICATOR, url=home.url, page=home.url, detail=detail,
                         snippet=newest.newest_title[:100] if newest else "", evidence=evidence)]
