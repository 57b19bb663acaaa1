"""dark_link, external_link_suspect: CSS-hidden links to gambling/porn/ads targets, and external
links whose target site now shows such content or no longer resolves.

Keywords come from resources/checks/dark_keywords.txt (editable, sections [类别]). The CSS work
only happens on pages that have a keyword-matching link at all, so clean pages cost one
Aho–Corasick pass over their link texts.
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urlsplit

import ahocorasick
from lxml.cssselect import CSSSelector

from ..store.paths import resources_dir
from .base import CheckContext, CheckFinding, Page
from .html import parse, source, text_of
from .text import base_url, join_url, norm, visible

KIND_DARK = "dark_link"
KIND_EXTERNAL = "external_link_suspect"
IND_CONTENT = "web.veto.security.c3"          # 发布或链接反动、暴力、色情等内容
IND_AVAILABILITY = "web.ded.function.availability"
DEFAULTS_DARK: dict = {"keywords_file": None}
DEFAULTS_EXTERNAL = {"min_keywords": 3, "keywords_file": None}
URL_SECTION = "网址"
_VETO_WORDS = ("赌博", "色情")


# ---------------------------------------------------------------- keywords

@dataclass(frozen=True)
class KeywordHit:
    keyword: str
    category: str


class Keywords:
    """Text keywords (matched case-insensitively in text) and URL tokens (matched in host+path)."""

    def __init__(self, sections: dict[str, list[str]]):
        self.text = ahocorasick.Automaton()
        self.url = ahocorasick.Automaton()
        n_text = n_url = 0
        for category, words in sections.items():
            target = self.url if category == URL_SECTION else self.text
            for w in words:
                w = w.strip().lower()
                if not w:
                    continue
                target.add_word(w, (w, category))
                if target is self.url:
                    n_url += 1
                else:
                    n_text += 1
        if n_text:
            self.text.make_automaton()
        if n_url:
            self.url.make_automaton()
        self._has_text, self._has_url = bool(n_text), bool(n_url)

    def in_text(self, text: str) -> list[KeywordHit]:
        if not self._has_text or not text:
            return []
        return [KeywordHit(*v) for _, v in self.text.iter(text.lower())]

    def in_href(self, href: str) -> list[KeywordHit]:
        """URL tokens in a raw href (cheap: no parsing; tokens are plain words)."""
        if not self._has_url or not href:
            return []
        return [KeywordHit(*v) for _, v in self.url.iter(href.lower())]

    def in_url(self, url: str) -> list[KeywordHit]:
        if not self._has_url or not url:
            return []
        parts = urlsplit(url.lower())
        return [KeywordHit(*v) for _, v in self.url.iter(f"{parts.netloc}{parts.path}?{parts.query}")]


def parse_keywords(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = "其他"
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip() or "其他"
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(line)
    return sections


_lock = threading.Lock()
_cache: dict[tuple, Keywords] = {}


_recent: dict[str, tuple[float, Keywords]] = {}
RECHECK_SECONDS = 5.0


def load_keywords(path: str | Path | None = None) -> Keywords:
    """The keyword lists (cached; rebuilt when the file changes, looked at every few seconds)."""
    key_path = str(path or "")
    now = time.monotonic()
    recent = _recent.get(key_path)
    if recent is not None and now - recent[0] < RECHECK_SECONDS:
        return recent[1]
    path = Path(path) if path else resources_dir() / "checks" / "dark_keywords.txt"
    st = os.stat(path)
    key = (str(path), st.st_mtime_ns, st.st_size)
    kw = _cache.get(key)
    if kw is None:
        with _lock:
            kw = _cache.get(key)
            if kw is None:
                kw = Keywords(parse_keywords(path.read_text(encoding="utf-8-sig")))
                _cache[key] = kw
    _recent[key_path] = (now, kw)
    return kw


def _indicator(hits: Iterable[KeywordHit]) -> str:
    cats = {h.category for h in hits}
    if any(any(w in c for w in _VETO_WORDS) for c in cats) or (URL_SECTION in cats and len(cats) == 1):
        return IND_CONTENT
    return IND_AVAILABILITY


def _describe(hits: list[KeywordHit]) -> str:
    by_cat: dict[str, list[str]] = {}
    for h in hits:
        words = by_cat.setdefault(h.category, [])
        if h.keyword not in words:
            words.append(h.keyword)
    return "；".join(f"{c}：{'、'.join(ws[:5])}" for c, ws in by_cat.items())


# ---------------------------------------------------------------- CSS hiding

_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_LEN_RE = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|cm|mm|in|vw|vh)?$")
_CLIP_RE = re.compile(r"rect\(\s*[01](?:px)?[\s,]+[01](?:px)?[\s,]+[01](?:px)?[\s,]+[01](?:px)?\s*\)")
_SCALE0_RE = re.compile(r"scale\(\s*0(?:\.0+)?\s*\)")
_OFFSCREEN_PROPS = ("left", "top", "right", "bottom", "margin-left", "margin-top", "text-indent")


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        if ":" in part:
            k, v = part.split(":", 1)
            out[k.strip().lower()] = v.replace("!important", "").strip().lower()
    return out


def _length(value: str) -> float | None:
    """A CSS length in px (em/rem ≈ 16px); None when not a plain length."""
    m = _LEN_RE.match(value.strip())
    if not m:
        return None
    n = float(m.group(1))
    unit = m.group(2) or "px"
    return n * {"px": 1, "pt": 1.33, "em": 16, "rem": 16, "cm": 38, "mm": 3.8, "in": 96}.get(unit, 1)


def hiding_reason(style: str) -> str:
    """Why these declarations hide an element (Chinese), or ''."""
    d = _declarations(style)
    if not d:
        return ""
    if d.get("display") == "none":
        return "display:none"
    if d.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    fs = _length(d.get("font-size", "x"))
    if fs is not None and fs <= 0:
        return "font-size:0"
    if d.get("opacity") in ("0", "0.0", ".0", "0%"):
        return "opacity:0"
    for prop in _OFFSCREEN_PROPS:
        v = _length(d.get(prop, "x"))
        if v is not None and v <= -500:
            return f"{prop}:{d[prop]}（移出可视区域）"
    overflow = d.get("overflow", "") or d.get("overflow-x", "") or d.get("overflow-y", "")
    if overflow == "hidden":
        for prop in ("width", "height", "max-width", "max-height"):
            v = _length(d.get(prop, "x"))
            if v is not None and v <= 1:
                return f"{prop}:{d[prop]}且overflow:hidden"
    clip = d.get("clip", "")
    if _CLIP_RE.fullmatch(clip):
        return "clip:rect(0 0 0 0)"
    if _SCALE0_RE.search(d.get("transform", "")):
        return "transform:scale(0)"
    return ""


def css_hiding_rules(css: str) -> list[tuple[str, str]]:
    """(selector, reason) for every rule of a stylesheet that hides what it selects."""
    rules = []
    for m in _RULE_RE.finditer(_COMMENT_RE.sub(" ", css)):
        reason = hiding_reason(m.group(2))
        if not reason:
            continue
        for sel in m.group(1).split(","):
            sel = sel.strip()
            if sel and not sel.startswith("@") and "::" not in sel:
                rules.append((sel, reason))
    return rules


def _hiding_rules(root) -> list[tuple[str, str]]:
    """(selector, reason) for every <style> rule of a page."""
    return [rule for style in root.iter("style") for rule in css_hiding_rules(style.text or "")]


_selectors = threading.local()


def _selector(sel: str) -> CSSSelector | None:
    """A compiled CSS selector, cached per thread (the same stylesheet repeats on every page of a
    site; compiled XPath objects are not shared between threads)."""
    cache = getattr(_selectors, "cache", None)
    if cache is None:
        cache = _selectors.cache = {}
    if sel not in cache:
        if len(cache) > 4096:
            cache.clear()
        try:
            cache[sel] = CSSSelector(sel, translator="html")
        except Exception:                       # cssselect rejects selectors it cannot translate
            cache[sel] = None
    return cache[sel]


class _Hidden:
    """Lazily answers whether an element (or an ancestor) is hidden, and why."""

    def __init__(self, root, rules: list[tuple[str, str]] | None = None):
        self.root = root
        self.rules = rules                       # None: the page's own <style> rules
        self._by_rule: dict | None = None        # element -> reason (elements, not id(): lxml proxies)

    def _rule_hidden(self) -> dict:
        if self._by_rule is None:
            self._by_rule = {}
            rules = self.rules if self.rules is not None else _hiding_rules(self.root)
            for sel, reason in rules:
                sel = re.sub(r":(hover|focus|active|visited|link|focus-within)\b", "", sel)
                match = _selector(sel)
                if match is None:
                    continue
                try:
                    found = match(self.root)
                except Exception:                   # e.g. a selector XPath cannot evaluate
                    continue
                for el in found:
                    self._by_rule.setdefault(el, f"{reason}（样式规则 {sel}）")
        return self._by_rule

    def reason(self, el) -> str:
        node = el
        while node is not None and node.tag != "html":
            inline = hiding_reason(node.get("style") or "")
            if inline:
                return inline if node is el else f"上级元素 <{node.tag}> {inline}"
            if node.get("hidden") is not None:
                return "hidden属性" if node is el else f"上级元素 <{node.tag}> 带hidden属性"
            if node.tag == "marquee":
                h, w = _length(str(node.get("height") or "x")), _length(str(node.get("width") or "x"))
                if (h is not None and h <= 5) or (w is not None and w <= 5):
                    return "极小尺寸的marquee滚动框"
            by_rule = self._rule_hidden().get(node)
            if by_rule:
                return by_rule if node is el else f"上级元素 <{node.tag}> {by_rule}"
            node = node.getparent()
        return ""


def _candidates(page: Page, kw: Keywords) -> list[tuple]:
    """(element, text, absolute url, keyword hits) of every link with a suspicious keyword."""
    out = []
    for a in page.tree.iter("a", "area"):                     # hidden ones too: that is the point
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        text = norm(text_of(a, " ")) if a.tag == "a" else norm(a.get("alt") or "")
        title = norm(a.get("title") or "")
        hits = kw.in_text(f"{text} {title}") + kw.in_href(href)
        if hits:
            out.append((a, text or title, join_url(base_url(page), href), hits))
    return out


def _finding(page_url: str, text: str, url: str, hits: list[KeywordHit], reason: str, html: str) -> CheckFinding:
    label = f"“{text[:40]}”" if text else "（无文字）"
    return CheckFinding(
        KIND_DARK, _indicator(hits), url=url, page=page_url,
        detail=f"隐藏链接{label}指向可疑内容（{_describe(hits)}），隐藏方式：{reason}",
        snippet=text[:100], evidence=f"链接地址：{url}\n隐藏方式：{reason}\nHTML：{html}")


def dark_link(page: Page, ctx: CheckContext) -> list[CheckFinding]:
    """Links hidden by CSS (inline styles, <style> rules) whose anchor text or target matches a
    suspicious keyword. Rules of external stylesheets: ``suspects`` and ``dark_link_by_stylesheets``."""
    if not page.text or not page.is_html:
        return []
    opts = ctx.opts(KIND_DARK, DEFAULTS_DARK)
    candidates = _candidates(page, load_keywords(opts.get("keywords_file")))
    if not candidates:
        return []
    hidden = _Hidden(page.tree)
    out = []
    seen = set()
    for a, text, url, hits in candidates:
        reason = hidden.reason(a)
        if not reason or url in seen:
            continue
        seen.add(url)
        out.append(_finding(page.url, text, url, hits, reason, source(a)))
    return out


# ---------------------------------------------------------------- external stylesheets

@dataclass(frozen=True)
class Suspect:
    """A suspicious link no inline style or <style> rule hides, kept to test external CSS on."""

    url: str
    text: str
    hits: tuple[KeywordHit, ...]
    skeleton: str                    # the link inside its ancestors (tags and attributes only)
    html: str                        # the link's own HTML, for evidence


@dataclass(frozen=True)
class SuspectPage:
    url: str
    stylesheets: tuple[str, ...]     # absolute URLs of <link rel=stylesheet>, in page order
    suspects: tuple[Suspect, ...]


def stylesheet_urls(page: Page) -> tuple[str, ...]:
    base = base_url(page)
    urls = []
    for link in page.tree.iter("link"):
        href = (link.get("href") or "").strip()
        if href and "stylesheet" in (link.get("rel") or "").lower().split():
            url = join_url(base, href).split("#", 1)[0]
            if url.startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
    return tuple(urls)


def _skeleton(a) -> str:
    """<html><body><div class=…><a data-gi-suspect …>: enough of the tree for descendant and
    child selectors (sibling selectors cannot match: the siblings are not kept)."""
    chain = []
    node = a.getparent()
    while node is not None:
        chain.append(node)
        node = node.getparent()
    opening = "".join(_open_tag(n) for n in reversed(chain))
    return f"{opening}{_open_tag(a, suspect=True)}</{a.tag}>"


def _open_tag(el, suspect: bool = False) -> str:
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in el.attrib.items() if ":" not in k)
    mark = ' data-gi-suspect="1"' if suspect else ""
    return f"<{el.tag}{attrs}{mark}>"


def suspects(page: Page, ctx: CheckContext) -> SuspectPage | None:
    """Collector: suspicious links still visible on a page that links external stylesheets."""
    if not page.text or not page.is_html or not page.ok:
        return None
    sheets = stylesheet_urls(page)
    if not sheets:
        return None
    opts = ctx.opts(KIND_DARK, DEFAULTS_DARK)
    candidates = _candidates(page, load_keywords(opts.get("keywords_file")))
    if not candidates:
        return None
    hidden = _Hidden(page.tree)
    found = tuple(Suspect(url, text, tuple(hits), _skeleton(a), source(a))
                  for a, text, url, hits in candidates if not hidden.reason(a))
    return SuspectPage(page.url, sheets, found) if found else None


def dark_link_by_stylesheets(pages: Iterable[SuspectPage], stylesheets: Mapping[str, str],
                             ctx: CheckContext) -> list[CheckFinding]:
    """dark_link for links hidden by rules of the pages' external stylesheets (CSS text by URL;
    a stylesheet that could not be fetched is simply absent)."""
    out = []
    for sp in pages:
        rules = []
        for sheet in sp.stylesheets:
            css = stylesheets.get(sheet)
            if css:
                rules.extend(css_hiding_rules(css))
        if not rules:
            continue
        for s in sp.suspects:
            root = parse(s.skeleton)
            el = root.find(".//*[@data-gi-suspect]")
            if el is None:
                continue
            reason = _Hidden(root, rules).reason(el)
            if reason:
                out.append(_finding(sp.url, s.text, s.url, list(s.hits), reason.replace("样式规则", "外部样式表规则"), s.html))
    return out


# ---------------------------------------------------------------- external links

def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def external_link_suspect(external_pages: Iterable[Page], ctx: CheckContext) -> list[CheckFinding]:
    """External link targets (fetched by the crawler) that show gambling/porn/ads content, or whose
    domain no longer resolves (an expired domain can be bought and filled with such content)."""
    opts = ctx.opts(KIND_EXTERNAL, DEFAULTS_EXTERNAL)
    kw = load_keywords(opts.get("keywords_file"))
    need = int(opts["min_keywords"])
    out = []
    seen: set[str] = set()
    for p in external_pages:
        target = p.requested_url or p.url
        if target in seen:
            continue
        seen.add(target)
        anchor = norm(p.anchor)
        label = f"外部链接“{anchor[:40]}”" if anchor else "外部链接"
        linking = p.referrer
        if p.status is None and p.error_kind == "dns":
            out.append(CheckFinding(
                KIND_EXTERNAL, IND_AVAILABILITY, url=target, page=linking,
                detail=f"{label}的域名已无法解析（{_host(target)}），可能已过期，存在被抢注挂载不良内容的风险",
                snippet=anchor[:100], evidence=p.error or "域名无法解析"))
            continue
        if not p.ok or not p.text or not p.is_html:
            continue
        vis = visible(p)
        title_hits = kw.in_text(vis.title)
        body_hits = kw.in_text(vis.text)
        url_hits = kw.in_url(p.url)
        distinct = {h.keyword for h in body_hits + title_hits}
        if not (title_hits or url_hits or len(distinct) >= need):
            continue
        hits = title_hits + url_hits + body_hits
        moved = _host(p.url) != _host(target)
        evidence = [f"链接地址：{target}", f"实际打开：{p.url}" + ("（已跳转到其他域名）" if moved else ""),
                    f"页面标题：{vis.title}", f"命中关键词：{_describe(hits)}"]
        out.append(CheckFinding(
            KIND_EXTERNAL, _indicator(hits), url=target, page=linking,
            detail=f"{label}指向的网站含可疑内容（{_describe(hits)}）",
            snippet=vis.title[:100], evidence="\n".join(evidence)))
    return out
