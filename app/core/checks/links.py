"""Links of a page (for the crawler to follow and test) and broken-link findings from its results."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

from .base import CheckFinding, LinkResult, Page
from .dates import anchor_title
from .html import first
from .text import base_url, norm

KIND = "broken_link"
INDICATOR = "web.ded.function.availability"
DEFAULTS = {"ignore_statuses": []}

ATTACHMENT_EXTS = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "csv", "txt", "zip", "rar", "7z", "wps", "et", "dps", "ppt", "pptx",
    "ofd", "odt", "ods", "rtf", "tar", "gz", "ceb", "tif", "tiff"})
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "sms:", "data:", "about:", "#", "vbscript:", "callto:", "weixin:")


@dataclass(frozen=True)
class Link:
    url: str                         # absolute, fragment removed
    anchor: str                      # link text, img alt or title
    link_type: str                   # link | image | attachment | frame


def _ext(url: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_attachment_url(url: str) -> bool:
    return _ext(url) in ATTACHMENT_EXTS


@lru_cache(maxsize=65536)
def _resolve(base: str, raw: str) -> tuple[str, bool]:
    """(absolute URL without fragment or '' when not followed, is an attachment); cached because
    nav and footer links repeat on every page of a site."""
    if not raw or raw.lower().startswith(_SKIP_SCHEMES):
        return "", False
    try:
        url = urldefrag(urljoin(base, raw)).url
    except ValueError:                       # malformed (e.g. bad IPv6 literal)
        return "", False
    if not url.startswith(("http://", "https://")):
        return "", False
    return url, is_attachment_url(url)


def extract_links(page: Page) -> list[Link]:
    """Links, images, frames and attachments of an HTML page, absolute and deduplicated by URL.

    Skips javascript:, mailto:, tel:, data: and in-page (#…) targets; honours <base href>.
    """
    if not page.text or not page.is_html:
        return []
    root = page.tree
    base = base_url(page)
    out: dict[str, Link] = {}

    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"

    def add(raw: str | None, anchor: str, link_type: str) -> None:
        raw = (raw or "").strip()
        # The cache key needs the page URL only for relative paths; "/a/b.html" and absolute
        # links resolve the same on every page of the site.
        if raw.startswith(("http://", "https://")):
            url, attachment = _resolve("", raw)
        elif raw.startswith("/") and not raw.startswith("//"):
            url, attachment = _resolve(origin, raw)
        else:
            url, attachment = _resolve(base, raw)
        if not url:
            return
        if link_type == "link" and attachment:
            link_type = "attachment"
        prev = out.get(url)
        if prev is None:
            out[url] = Link(url, anchor, link_type)
        elif len(anchor) > len(prev.anchor):            # e.g. a picture link first, the titled one later
            out[url] = Link(url, anchor, prev.link_type)

    # One walk; links are added before images, frames and media because the first type seen
    # for a URL is the one kept.
    images, frames, media = [], [], []
    for el in root.iter("a", "area", "img", "iframe", "frame", "embed", "source"):
        tag = el.tag
        if tag == "a" or tag == "area":
            href = el.get("href")
            if href is None:
                continue
            text = anchor_title(el) if tag == "a" else norm(el.get("alt") or "")
            if not text and tag == "a":
                img = first(el, "img")
                if img is not None:
                    text = norm(img.get("alt") or img.get("title") or "")
            add(href, text, "link")
        elif (src := el.get("src")) is not None:
            if tag == "img":
                images.append((src, norm(el.get("alt") or el.get("title") or "")))
            elif tag == "embed" or tag == "source":
                media.append(src)
            else:
                frames.append((src, norm(el.get("title") or "")))
    for src, text in images:
        add(src, text, "image")
    for src, text in frames:
        add(src, text, "frame")
    for src in media:
        add(src, "", "attachment" if is_attachment_url(src) else "image")
    return list(out.values())


# ---------------------------------------------------------------- broken links

_REASONS = {
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "timeout": "访问超时",
    "redirect_loop": "重定向循环",
    "tls": "HTTPS证书或加密连接错误",
    # The fetcher's finer codes (app/core/crawl/fetching.py ERROR_TEXT) map onto the same wording.
    "connect_timeout": "连接超时",
    "read_timeout": "读取超时",
    "deadline": "访问超时",
    "too_many_redirects": "重定向次数过多",
    "connection": "连接失败",
    "invalid_url": "链接地址无效",
    "bad_scheme": "不是网页链接",
    "bad_body": "响应内容损坏",
    "tls_expired": "HTTPS证书已过期",
    "tls_not_yet_valid": "HTTPS证书尚未生效",
    "tls_untrusted": "HTTPS证书不受信任",
    "tls_name_mismatch": "HTTPS证书域名不匹配",
    "tls_error": "HTTPS加密连接失败",
}
_NOT_BROKEN = {"cancelled"}             # the run stopped; says nothing about the link
_STATUS_ZH = {400: "请求错误", 401: "需要登录", 403: "禁止访问", 404: "页面不存在", 405: "不允许的请求方式",
              410: "页面已删除", 429: "请求过多", 500: "服务器内部错误", 502: "网关错误", 503: "服务不可用",
              504: "网关超时"}


def _error_kind(r: LinkResult) -> str:
    if r.error:
        return "" if r.error in _NOT_BROKEN else r.error
    if r.status is not None and 400 <= r.status < 500:
        return "4xx"
    if r.status is not None and r.status >= 500:
        return "5xx"
    return ""


def reason_zh(r: LinkResult) -> str:
    """The failure in Chinese, e.g. 页面不存在（HTTP 404）."""
    kind = _error_kind(r)
    if kind in ("4xx", "5xx") or (r.status is not None and r.status >= 400 and kind not in _REASONS):
        status = r.status
        if status is None:
            return "客户端错误（4xx）" if kind == "4xx" else "服务器错误（5xx）"
        text = _STATUS_ZH.get(status, "客户端错误" if status < 500 else "服务器错误")
        return f"{text}（HTTP {status}）"
    if kind in _REASONS:
        return _REASONS[kind]
    return f"无法访问（{kind}）" if kind else "无法访问"


_INDEX_NAMES = ("index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "index.asp", "index.aspx",
                "default.html", "default.htm", "default.aspx", "default.asp")


@lru_cache(maxsize=65536)
def url_key(url: str) -> str:
    """Comparable form of a URL: scheme-less, lower-case host, no index.html, no trailing slash."""
    parts = urlsplit(url)
    path = parts.path or "/"
    for index in _INDEX_NAMES:
        if path.lower().endswith("/" + index):
            path = path[: -len(index)]
            break
    key = f"{parts.netloc.lower()}{path.rstrip('/')}"
    return f"{key}?{parts.query}" if parts.query else key


def _same_page(a: str, b: str) -> bool:
    return bool(a) and bool(b) and url_key(a) == url_key(b)


_TYPE_ZH = {"link": "链接", "image": "图片", "attachment": "附件", "frame": "内嵌页面"}


def broken_link_findings(link_results: Iterable[LinkResult], home_url: str, *,
                         ignore_statuses: Iterable[int] = ()) -> list[CheckFinding]:
    """One finding per broken target; url = the target, page = the homepage if it links there, else
    the first linking page. The evidence lists every linking page. Homepage links get （首页链接）."""
    ignore = {int(s) for s in ignore_statuses}
    groups: dict[str, list[LinkResult]] = {}
    for r in link_results:
        kind = _error_kind(r)
        if not kind or (r.status in ignore and kind in ("4xx", "5xx")):
            continue
        groups.setdefault(r.url, []).append(r)
    findings = []
    for url, results in groups.items():
        on_home = [r for r in results if _same_page(r.page, home_url)]
        first = on_home[0] if on_home else results[0]
        anchor = next((norm(r.anchor) for r in ([first] + results) if norm(r.anchor)), "")
        what = _TYPE_ZH.get(first.link_type, "链接")
        label = f"{what}“{anchor[:40]}”" if anchor else what
        detail = f"{label}无法访问：{reason_zh(first)}" + ("（首页链接）" if on_home else "")
        pages = list(dict.fromkeys(r.page for r in results))
        evidence = "\n".join([f"目标：{url}", f"原因：{reason_zh(first)}", f"引用页面（{len(pages)}个）："]
                             + pages[:50] + ([f"…另有{len(pages) - 50}个页面"] if len(pages) > 50 else []))
        findings.append(CheckFinding(KIND, INDICATOR, url=url, page=first.page, detail=detail,
                                     snippet=anchor[:100], evidence=evidence))
    return findings

