"""Visible text of a page as lines tagged with their region (footer, nav), computed once per page.

Every check that reads text goes through ``visible(page)``: one walk over the page's cached
tree (lxml), skipping scripts, styles, comments and attributes. The result is cached on the Page
object itself, so 3,000 pages × all checks still walk each tree once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from .base import Page
from .html import text_of

_CACHE = "_gi_visible"
_CRUMB_CACHE = "_gi_breadcrumb"

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "object", "embed", "head",
                       "iframe", "canvas", "map", "audio", "video", "select", "textarea", "button"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "marquee", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "option", "title", "body", "html"})
# id/class words that mark page furniture. Deliberately loose: a false "footer" only hides dates.
FOOTER_RE = re.compile(r"foot|bottom|copyright|banquan|\bbq\b", re.I)
# Navigation: any token with nav/menu; a page header only as a whole token ("header", "g-top"),
# so "article-header" or "news-head" inside the content stays content.
NAV_RE = re.compile(
    r"nav|menu|daohang|^(?:[a-z]{1,6}[-_])?(?:header|head|top|topbar|banner)(?:[-_]?(?:box|bar|wrap|nav|main|\d+))?$",
    re.I)
_CONTENT_WORDS_RE = re.compile(r"article|news|content|detail|title|info|xl|wz|list|con\b", re.I)
_SPACE_RE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")

CRUMB_LABEL_RE = re.compile(
    r"^\s*(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|当前的位置|所在位置|位置)\s*[:：]\s*")
CRUMB_CLASS_RE = re.compile(r"crumb|position|location|dqwz|weizhi|bread|current-?path|curpath|lujing", re.I)
CRUMB_SEP_RE = re.compile(r"\s*(?:>>|->|>|»|›|＞|→|\\|/|\x1f|\|)\s*")
_CRUMB_HOME = {"首页", "网站首页", "主页", "返回首页", "首 页"}
_CRUMB_TAIL = {"正文", "详情", "内容", "详细内容", "正文内容", "文章", "阅读", "浏览", "详细信息", "信息内容"}


@lru_cache(maxsize=65536)
def join_url(base: str, href: str) -> str:
    """urljoin, cached: the same nav and footer links repeat on every page of a site."""
    try:
        return urljoin(base, href.strip())
    except ValueError:                  # e.g. a malformed IPv6 literal
        return ""


def base_url(page: Page) -> str:
    """The page URL, or its <base href> when it has one (cached)."""
    cached = page.__dict__.get("_gi_base")
    if cached is None:
        cached = page.url
        if page.text and page.is_html:
            head = page.tree.find("head")         # <base> belongs in <head>; avoid a whole-tree search
            tag = head.find("base[@href]") if head is not None else None
            if tag is not None:
                cached = join_url(page.url, tag.get("href")) or page.url
        page.__dict__["_gi_base"] = cached
    return cached


def norm(text: str) -> str:
    """Collapse whitespace (incl. &nbsp; and full-width spaces) to single spaces and strip."""
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True)
class Line:
    text: str
    footer: bool = False             # inside <footer> or an element whose id/class says foot/bottom/copyright
    nav: bool = False                # inside <nav>/<header> or a nav/menu element


@dataclass(frozen=True)
class Anchor:
    """An <a href> met during the walk, with the region it sits in."""

    tag: object                      # lxml element
    footer: bool
    nav: bool


@dataclass(frozen=True)
class VisibleText:
    lines: tuple[Line, ...]
    title: str
    anchors: tuple[Anchor, ...] = ()     # visible <a href> elements in document order
    text: str = ""                       # all lines joined by "\n" (footer included)

    @property
    def main_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.footer)


def tag_regions(tag) -> tuple[bool, bool]:
    """(footer, nav) as marked by this element alone."""
    name = tag.tag
    ident = tag.get("id") or ""
    tokens = ([ident] if ident else []) + (tag.get("class") or "").split()
    footer = name == "footer" or any(FOOTER_RE.search(t) for t in tokens)
    nav = name in ("nav", "header") or any(NAV_RE.search(t) and not _CONTENT_WORDS_RE.search(t) for t in tokens)
    return footer, nav


def _walk(root) -> tuple[list[Line], list[Anchor]]:
    """Visible text lines and anchors; an explicit stack keeps very deep pages safe."""
    out: list[Line] = []
    anchors: list[Anchor] = []
    buf: list[str] = []
    buf_flags = [False, False]

    def flush() -> None:
        if buf:
            text = norm("".join(buf))
            buf.clear()
            if text:
                out.append(Line(text, buf_flags[0], buf_flags[1]))

    # Stack items: (element, footer, nav) to enter, (text, footer, nav) to add, or (None, block)
    # to leave a block element. A child's tail is text of its parent's region.
    stack: list[tuple] = [(root, False, False)]
    while stack:
        node, *rest = stack.pop()
        if node is None:
            if rest[0]:
                flush()
            continue
        if isinstance(node, str):
            if not buf:
                buf_flags[0], buf_flags[1] = rest
            buf.append(node)
            continue
        name = node.tag
        if name in SKIP_TAGS:
            continue
        footer, nav = rest
        attrs = node.attrib
        if attrs:
            f, n = tag_regions(node)
            footer, nav = footer or f, nav or n
        elif name in ("footer", "nav", "header"):
            footer, nav = footer or name == "footer", nav or name != "footer"
        block = name in BLOCK_TAGS
        if block:
            flush()
        if name == "br":
            continue
        if attrs:
            if "hidden" in attrs and name not in ("html", "body"):
                continue
            if name == "a" and attrs.get("href"):
                anchors.append(Anchor(node, footer, nav))
        stack.append((None, block))
        for child in reversed(node):
            if child.tail:
                stack.append((child.tail, footer, nav))
            stack.append((child, footer, nav))
        if node.text:
            stack.append((node.text, footer, nav))
    flush()
    return out, anchors


def visible(page: Page) -> VisibleText:
    """The page's visible text, cached on the page (HTML pages only; others give nothing)."""
    cached = page.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    if not page.text or not page.is_html:
        result = VisibleText((), "")
    else:
        root = page.tree
        title_el = root.find("head/title")
        if title_el is None:
            title_el = root.find(".//title")
        title = norm(text_of(title_el)) if title_el is not None else ""
        body = root.find("body")
        lines, anchors = _walk(body if body is not None else root)
        result = VisibleText(tuple(lines), title, tuple(anchors), "\n".join(line.text for line in lines))
    page.__dict__[_CACHE] = result
    return result


def visible_text(page: Page) -> str:
    """All visible text of an HTML page ('' for attachments)."""
    return visible(page).text


def _split_crumbs(text: str) -> tuple[str, ...]:
    text = CRUMB_LABEL_RE.sub("", text)
    items = [norm(part) for part in CRUMB_SEP_RE.split(text)]
    items = [item for item in items if item and not CRUMB_LABEL_RE.match(item + "：")]
    while items and items[0] in _CRUMB_HOME:
        items.pop(0)
    while items and items[-1] in _CRUMB_TAIL:
        items.pop()
    return tuple(items)


def breadcrumb(page: Page) -> tuple[str, ...]:
    """Breadcrumb items after 首页, e.g. ('政务公开', '通知公告'); () when none is found."""
    cached = page.__dict__.get(_CRUMB_CACHE)
    if cached is not None:
        return cached
    result: tuple[str, ...] = ()
    for line in visible(page).lines:
        if CRUMB_LABEL_RE.match(line.text):
            rest = CRUMB_LABEL_RE.sub("", line.text)
            if rest:
                result = _split_crumbs(rest)
                break
    if not result and page.text and page.is_html:
        el = _crumb_element(page.tree)
        if el is not None:
            text = text_of(el, "\x1f")
            if len(text) < 300:
                result = _split_crumbs(text)
    page.__dict__[_CRUMB_CACHE] = result
    return result


def _crumb_element(root):
    """The first element below <body> whose id/class names a breadcrumb."""
    for el in root.xpath("//body//*[@id or @class]"):
        if CRUMB_CLASS_RE.search(f"{el.get('id') or ''} {el.get('class') or ''}"):
            return el
    return None
