"""What is left of a column page once its furniture is set aside, to tell a blank column.

A blank column's page still carries the site's template: header, welcome line, a sidebar menu of
its sibling columns (the current one among them), breadcrumb, scripts (clock, statistics),
footer. ``residual_lines`` drops what one page can tell is furniture (nav and footer regions, the
menu that links to the page itself, breadcrumb, pager, the column's own name); the columns check
then drops lines repeated on most column pages of the site (the template) before judging.
"""
from __future__ import annotations

import re
import zlib

from .base import Page
from .html import text_of
from .links import url_key
from .text import _walk, base_url, join_url, norm, tag_regions, visible

# Inline scripts that fetch and draw the list: the page may look empty without being so.
LOADER_RE = re.compile(r"\$\.(?:ajax|get|post|getJSON)\s*\(|\.load\s*\(|\bfetch\s*\(|XMLHttpRequest|axios\.|jsonp",
                       re.I)
PAGER_LINE_RE = re.compile(r"^(?:[\s|｜]*(?:首\s*页|上一页|下一页|尾\s*页|末\s*页|跳转|转到|GO|确定|共\s*\d+\s*(?:页|条)|"
                           r"第\s*\d+\s*(?:/\s*\d+\s*)?页|\d+\s*/\s*\d+|\d+|[<>«»‹›]+)[\s|｜]*)+$", re.I)
MEDIA_TAGS = ("iframe", "video", "embed", "object", "audio")
_MENU_TEXT_MAX = 16
_MENU_OTHER_TEXT = 12          # a menu is links and little else (a heading)


def loader_script(page: Page) -> bool:
    """An inline script that loads data (ajax, fetch …), not a clock or a statistics snippet."""
    for script in page.tree.iter("script"):
        if not script.get("src") and (script.get("type") or "").lower() != "text/xml" \
                and LOADER_RE.search(script.text or ""):
            return True
    return False


def _menu_of(a, cache: dict):
    """The smallest ancestor holding ≥ 3 links that are all short (a menu), or None."""
    node, depth = a.getparent(), 0
    while node is not None and node.tag not in ("body", "html") and depth < 5:
        anchors = cache.get(node)
        if anchors is None:
            anchors = cache[node] = [norm(text_of(x, " ")) for x in node.iter("a")]
        if len(anchors) >= 3:
            if not all(len(t) <= _MENU_TEXT_MAX for t in anchors):
                return None
            other = len(norm(text_of(node, " ")).replace(" ", "")) - sum(len(t.replace(" ", "")) for t in anchors)
            return node if other <= _MENU_OTHER_TEXT else None
        node, depth = node.getparent(), depth + 1
    return None


def menus(page: Page, names: set[str]) -> list:
    """Menus that link to the page itself or name the column: the sidebar of sibling columns."""
    own = url_key(page.url)
    base = base_url(page)
    cache: dict = {}
    found: list = []
    for anchor in visible(page).anchors:
        if anchor.nav or anchor.footer:
            continue
        a = anchor.tag
        text = norm(text_of(a, " "))
        if text in names or url_key(join_url(base, a.get("href") or "")) == own:
            menu = _menu_of(a, cache)
            if menu is not None and all(menu is not m for m in found):
                found.append(menu)
    return found


def residual(page: Page, names: set[str], crumbs: tuple[str, ...]) -> tuple[list[str], list[int]]:
    """(main-area lines, keys of main-area links) that are no furniture this page can tell."""
    drop: dict[str, int] = {}
    found = menus(page, names)
    for menu in found:
        lines, _ = _walk(menu)
        for line in lines:
            drop[line.text] = drop.get(line.text, 0) + 1
    out = []
    for line in visible(page).lines:
        text = line.text
        if line.footer or line.nav or text in names:
            continue
        if drop.get(text):
            drop[text] -= 1
            continue
        if crumbs and (crumbs[-1] in text and ("位置" in text or ">" in text or "›" in text)):
            continue
        if PAGER_LINE_RE.match(text):
            continue
        out.append(text)
    links = []
    for anchor in visible(page).anchors:
        if anchor.nav or anchor.footer:
            continue
        text = norm(text_of(anchor.tag, " ")) or norm(anchor.tag.get("title") or "")
        if len(text) < 2 or text in names or text in _CRUMB_WORDS or PAGER_LINE_RE.match(text):
            continue
        if any(_inside(anchor.tag, menu) for menu in found):
            continue
        links.append(link_key(anchor.tag, text))
    return out, links


_CRUMB_WORDS = {"首页", "网站首页", "返回首页", "主页", "更多", "more", "MORE"}


def _inside(el, ancestor) -> bool:
    node = el.getparent()
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def has_media(page: Page) -> bool:
    """An embedded player or frame in the main area (a video or a framed list is content)."""
    body = page.tree.find("body")
    if body is None:
        return False
    for el in body.iter(*MEDIA_TAGS):
        style = (el.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or el.get("width") in ("0", "1") or el.get("height") in ("0", "1"):
            continue
        node, furniture = el, False
        while node is not None and node.tag != "body":
            footer, nav = tag_regions(node)
            if footer or nav:
                furniture = True
                break
            node = node.getparent()
        if not furniture:
            return True
    return False


def link_key(a, text: str) -> int:
    """A link's text and where it sits (tags and classes of four ancestors): the same words in a
    sidebar and in the main area are different links."""
    parts, node = [text], a.getparent()
    for _ in range(4):
        if node is None:
            break
        parts.append(f"{node.tag}.{node.get('class') or ''}")
        node = node.getparent()
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def line_key(text: str) -> int:
    """A small stable number for a line (template lines are counted across pages)."""
    return zlib.crc32(text.encode("utf-8"))
