"""What to fetch on one site: URL normalising, site scope, link kinds, pagination, frontier.

Pure bookkeeping, no network: the run engine (jobs.py) asks a SiteCrawl for the next
URLs, fetches them in worker threads and feeds the pages back. Used by the run thread only.
"""
from __future__ import annotations

import functools
import heapq
from collections import deque
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit, urlunsplit

# Attachments read for the PII scan; .doc/.xls are listed as 未扫描 (no reader for the old formats).
ATTACHMENT_EXTS = frozenset({".pdf", ".docx", ".xlsx", ".csv", ".txt", ".zip"})
# Documents and archives we cannot read: listed for the inspector as pii_unscanned.
UNSCANNED_EXTS = frozenset({".doc", ".xls", ".wps", ".et", ".rar", ".7z"})
# Images OCR can read (with --ocr they are fetched like attachments).
IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"})
# Downloads never read as pages (link-checked with HEAD only).
BINARY_EXTS = frozenset("""
.jpg .jpeg .png .gif .bmp .webp .svg .ico .tif .tiff .psd
.mp3 .mp4 .avi .wmv .flv .mov .mkv .m4a .wav .wma .rm .rmvb .mpg .mpeg .swf .3gp .ogg .webm
.gz .tgz .tar .bz2 .xz .cab .iso .img .dmg
.exe .msi .apk .ipa .bin .jar .dll .deb .rpm
.ppt .pptx .pps .wps .et .dps .ofd .ceb .caj .rtf .odt .ods .odp .epub .chm .dwg
.css .js .json .xml .woff .woff2 .ttf .eot .otf .map
""".split())
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "file:", "ftp:", "#")
_PAGER_TEXTS = {"下一页", "上一页", "下页", "上页", "尾页", "末页", "最后一页", "后一页", "前一页", "下一页>",
                "<上一页", "下一页>>", "<<上一页", ">", "<", ">>", "<<", "»", "«", "next", "prev", "previous",
                "last", "更多页"}
_PAGER_PARAMS = {"page", "p", "pn", "pageno", "page_no", "pagenum", "pageindex", "page_index", "curpage",
                 "currentpage", "cur_page", "start", "offset", "pagenumber", "ipage", "pg"}
_PAGER_PATH = re.compile(r"^(?P<stem>.*?)[_\-](?P<n>\d{1,5})\.(s?html?|jsp|php|aspx?)$", re.I)


def url_ext(url: str) -> str:
    """Lower-case extension of the URL path ('' when none)."""
    path = urlsplit(url).path
    ext = posixpath.splitext(unquote(path))[1].lower()
    return ext if len(ext) <= 6 else ""


def normalise_url(href: str, base: str = "") -> str | None:
    """Absolute http(s) URL without fragment and default port, path dots resolved; None to skip."""
    if not base:
        return _normalise_absolute(href)
    return _normalise(href, base)


@functools.lru_cache(maxsize=65536)
def _normalise_absolute(href: str) -> str | None:
    # Cached: a site's navigation repeats the same few hundred URLs on every page.
    return _normalise(href, "")


def _normalise(href: str, base: str) -> str | None:
    href = (href or "").strip().replace("\\", "/")
    href = re.sub(r"[\r\n\t]", "", href)
    if not href or href.lower().startswith(SKIP_SCHEMES):
        return None
    try:
        full = urljoin(base, href) if base else href
        parts = urlsplit(full)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if ":" in host:                                  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path or "/"
    if "." in path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        path = "/" if path in (".", "//") else path
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        if trailing and not path.endswith("/"):
            path += "/"
    # Non-ASCII and spaces in paths as a browser would send them; one spelling per URL.
    path = quote(path, safe="/%:@!$&'()*+,;=~-._")
    query = quote(parts.query, safe="=&%/:?@!$'()*+,;~-._[]")
    return urlunsplit((scheme, netloc, path, query, ""))


def _site_host(host: str) -> str:
    host = (host or "").lower()
    return host[4:] if host.startswith("www.") else host


# Second-level suffixes under which Chinese names are registered: below them a registrable domain
# has three labels (chengdu.gov.cn, x.sc.cn), elsewhere two (example.org).
_PROVINCES = ("bj tj he sx nm ln jl hl sh js zj ah fj jx sd ha hb hn gd gx hi cq sc gz yn xz sn gs qh nx xj "
              "tw hk mo").split()
_SECOND_LEVEL = {f"{x}.cn" for x in ("gov", "com", "net", "org", "edu", "ac", "mil", *_PROVINCES)}


def registrable_domain(host: str) -> str:
    """chengdu.gov.cn for www.chengdu.gov.cn, example.org for a.b.example.org; an IP or a single-label
    host is its own domain."""
    host = (host or "").lower().strip("[]").rstrip(".")
    labels = host.split(".")
    if ":" in host or re.fullmatch(r"[\d.]+", host) or len(labels) < 2:
        return host
    n = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-n:])


def same_site(home_url: str, url: str) -> bool:
    """May the registered homepage ``home_url`` move to ``url`` and still be crawled as the site?
    Yes within its registrable domain (http→https, www. or not, another sub-domain); an IP or a
    single-label host only to itself on the same port (or a default port for the other scheme)."""
    a, b = urlsplit(home_url), urlsplit(url)
    ha, hb = (a.hostname or "").lower(), (b.hostname or "").lower()
    if not ha or not hb:
        return False
    da, db = registrable_domain(ha), registrable_domain(hb)
    if da != db:
        return False
    if "." in da and ":" not in da and not re.fullmatch(r"[\d.]+", da):
        return True               # a named domain: any host and port under it
    try:
        pa, pb = a.port, b.port
    except ValueError:
        return False
    default = {"http": 80, "https": 443}
    return (pa or default.get(a.scheme)) == (pb or default.get(b.scheme)) or (pa is None and pb is None)


@dataclass
class SiteScope:
    """Which URLs belong to the site: the homepage host (with or without www.) and port."""

    home_url: str
    hosts: set[str] = field(default_factory=set)     # normalised netlocs (www. dropped)

    def __post_init__(self):
        self.add(self.home_url)

    @staticmethod
    def _key(url: str) -> str:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        host = _site_host(parts.hostname or "")
        return host if port in (None, 80, 443) else f"{host}:{port}"

    def add(self, url: str) -> None:
        """Also accept this URL's host (the homepage redirected there)."""
        self.hosts.add(self._key(url))

    def is_internal(self, url: str) -> bool:
        return self._key(url) in self.hosts

    def is_related(self, url: str) -> bool:
        """Same site, or a sub-domain of it (file servers such as file.x.gov.cn)."""
        if self.is_internal(url):
            return True
        host = _site_host(urlsplit(url).hostname or "")
        return any(host.endswith("." + h.split(":")[0]) for h in self.hosts)


def resource_kind(url: str) -> str:
    """'page', 'attachment' (scanned), 'unscanned' (.doc/.xls) or 'binary' (other downloads)."""
    ext = url_ext(url)
    if ext in ATTACHMENT_EXTS:
        return "attachment"
    if ext in UNSCANNED_EXTS:
        return "unscanned"
    if ext in BINARY_EXTS:
        return "binary"
    return "page"


def is_pagination(from_url: str, to_url: str, anchor: str = "") -> bool:
    """A list's next/previous page (index_1.html, ?page=2, 下一页): not one level deeper."""
    text = re.sub(r"\s+", "", anchor or "").lower()
    a, b = urlsplit(from_url), urlsplit(to_url)
    if a.netloc != b.netloc:
        return False
    if text in _PAGER_TEXTS or re.fullmatch(r"[\[(（【]?第?\d{1,4}页?[\])）】]?", text or "x"):
        # Page numbers and 下一页 only count within the same list (same folder).
        if posixpath.dirname(a.path) == posixpath.dirname(b.path):
            return True
    params = {k.lower(): v for k, v in parse_qsl(b.query)}
    if a.path == b.path and any(k in _PAGER_PARAMS and v.isdigit() for k, v in params.items()):
        return True
    m = _PAGER_PATH.match(posixpath.basename(b.path))
    if m and posixpath.dirname(a.path) == posixpath.dirname(b.path):
        stem = m.group("stem")
        base_a = posixpath.basename(a.path) or "index.html"
        ma = _PAGER_PATH.match(base_a)
        stem_a = ma.group("stem") if ma else posixpath.splitext(base_a)[0]
        return stem == stem_a or stem in ("index", "list", "default")
    return False


@dataclass(frozen=True)
class Link:
    """One link found on a page (a, img, script, stylesheet, frame …)."""

    url: str
    tag: str = "a"
    text: str = ""
    link_type: str = "link"          # link | image | attachment | frame (as the broken-link check names them)


MAX_STYLESHEETS = 30                   # per site; real sites use a handful


@dataclass(frozen=True)
class CrawlItem:
    """A URL the crawl wants fetched."""

    url: str
    depth: int
    purpose: str                      # page / attachment / external / stylesheet
    referrer: str = ""
    anchor: str = ""
    is_home: bool = False


class SiteCrawl:
    """Frontier and memory of one site's crawl.

    Pages are fetched breadth first (lower depth first; list pagination keeps its
    list's depth). Every other link is checked once; attachments within the site are
    fetched for the PII scan; external links on the homepage are fetched once, shallow.
    """

    def __init__(self, home_url: str, max_depth: int = 6, max_pages: int = 1000, max_attachments: int = 300,
                 fetch_attachments: bool = True, fetch_external: bool = True, max_links_per_page: int = 1000,
                 ocr_images: int = 0):
        self.home_url = normalise_url(home_url) or home_url
        # Images of the site (<img>, links to .jpg …) fetched for OCR, at most this many; the rest
        # are only link-checked and counted in images_skipped.
        self.ocr_images = ocr_images
        self.images_taken = 0
        self.images_skipped = 0
        self.fetch_attachments = fetch_attachments
        self.fetch_external = fetch_external
        self.scope = SiteScope(self.home_url)
        self.max_depth = max_depth
        self.max_pages = max_pages
        self.max_attachments = max_attachments
        self.max_links_per_page = max_links_per_page
        self.skipped_links = 0                # new URLs of over-long pages left out (max_links_per_page)
        self.crowded = 0                      # pages that had more new URLs than that
        self.crowded_pages: list[str] = []    # the first few of them
        self._heap: list[tuple[int, int, CrawlItem]] = []
        self._heap_pages = 0                  # page items in the heap (the rest: files, externals, CSS)
        self._seq = 0
        self.queued: set[str] = set()         # URLs ever queued for GET
        self.link_targets: set[str] = set()   # URLs to check with HEAD (not fetched with GET)
        self.link_queue: deque[str] = deque() # link_targets not yet handed out
        self.pages_claimed = 0
        self.attachments_claimed = 0
        self.unscanned: dict[str, str] = {}   # attachment not downloaded (.doc/.xls, over the cap) -> page
        self.stylesheets_claimed = 0
        # url -> (referrer page, anchor, tag) of the first place a link was seen
        self.referrers: dict[str, tuple[str, str, str]] = {}
        self._push(CrawlItem(self.home_url, 0, "page", is_home=True))

    # -------------------------------------------------------------- frontier

    def _push(self, item: CrawlItem) -> None:
        self.queued.add(item.url)
        self._heap_pages += item.purpose == "page"
        self._seq += 1
        rank = -2 if item.is_home else (item.depth if item.purpose == "page" else -1)
        heapq.heappush(self._heap, (rank, self._seq, item))

    def _link(self, url: str) -> None:
        if url not in self.link_targets:
            self.link_targets.add(url)
            self.link_queue.append(url)

    def peek_item(self) -> CrawlItem | None:
        """The next URL to GET without taking it; None when none is left (or the cap is reached)."""
        while self._heap:
            item = self._heap[0][2]
            if item.purpose == "page" and not item.is_home and self.pages_claimed >= self.max_pages:
                heapq.heappop(self._heap)
                self._heap_pages -= 1
                self._link(item.url)          # over the cap: the link still gets its status check
                continue
            return item
        return None

    def next_item(self) -> CrawlItem | None:
        """Take the next URL to GET (see peek_item)."""
        item = self.peek_item()
        if item is None:
            return None
        heapq.heappop(self._heap)
        if item.purpose == "page":
            self.pages_claimed += 1
            self._heap_pages -= 1
        return item

    @property
    def can_read_attachment(self) -> bool:
        return self.fetch_attachments and self.attachments_claimed < self.max_attachments

    def page_was_file(self) -> None:
        """A page URL answered with a file: it takes an attachment's place under the caps."""
        self.pages_claimed = max(0, self.pages_claimed - 1)
        self.attachments_claimed += 1

    def stop(self) -> int:
        """Drop everything still queued (the site ran out of time); returns how many URLs."""
        dropped = self.pending()
        self._heap.clear()
        self._heap_pages = 0
        self.link_queue.clear()
        return dropped

    def pending(self) -> int:
        """URLs still queued for GET or for a status check."""
        return len(self._heap) + len(self.link_queue)

    def work_left(self) -> int:
        """Requests this crawl will still make as it stands: queued pages up to the page cap (those
        over it become status checks), queued files and other GETs, and queued status checks."""
        pages = self._heap_pages
        fetched = min(pages, max(0, self.max_pages - self.pages_claimed))
        return fetched + (pages - fetched) + (len(self._heap) - pages) + len(self.link_queue)

    # -------------------------------------------------------------- feeding pages back

    def note_redirect(self, item: CrawlItem, final_url: str) -> None:
        """The homepage moved (e.g. to www. or https): its new host belongs to the site too."""
        if item.is_home and final_url:
            self.scope.add(final_url)

    def peek_is_home(self) -> bool:
        return bool(self._heap) and self._heap[0][2].is_home

    def add_stylesheets(self, page_url: str, urls) -> None:
        """Queue stylesheets a dark-link suspect needs (each once, at most MAX_STYLESHEETS a site)."""
        for url in urls:
            if url in self.queued or self.stylesheets_claimed >= MAX_STYLESHEETS:
                continue
            self.stylesheets_claimed += 1
            self._push(CrawlItem(url, 0, "stylesheet", page_url))

    def add_links(self, page_url: str, depth: int, links: list[Link], is_home: bool = False) -> None:
        """Queue what a fetched page links to; everything not fetched is link-checked.

        At most ``max_links_per_page`` new URLs are taken from one page (a page of 50,000 links
        would otherwise keep a site busy for hours); the rest are counted in ``skipped_links``."""
        taken = 0
        for link in links:
            url = link.url
            if not url or url == page_url:
                continue
            if url in self.queued or url in self.link_targets:
                self.referrers.setdefault(url, (page_url, link.text[:200], link.tag))
                continue
            if taken >= self.max_links_per_page:
                if taken == self.max_links_per_page:
                    taken += 1                          # counted once per page
                    self.crowded += 1
                    if len(self.crowded_pages) < 5:
                        self.crowded_pages.append(page_url)
                self.skipped_links += 1
                continue
            taken += 1
            if url not in self.referrers:
                self.referrers[url] = (page_url, link.text[:200], link.tag)
            kind = resource_kind(url)
            internal = self.scope.is_internal(url)
            if link.tag == "refresh" and is_home and internal and kind == "page":
                # The homepage only forwards (index.html -> main.html): the target is the homepage.
                self._push(CrawlItem(url, depth, "page", page_url, "", is_home=True))
                continue
            if link.tag in ("a", "area", "frame", "iframe", "refresh") and kind == "page":
                if internal:
                    # A meta refresh (index.html -> main.html) is the same page level, like pagination.
                    pager = link.tag == "refresh" or is_pagination(page_url, url, link.text)
                    d = depth if pager else depth + 1
                    if d <= self.max_depth:
                        self._push(CrawlItem(url, d, "page", page_url, link.text[:200]))
                        continue
                elif is_home and self.fetch_external:
                    self._push(CrawlItem(url, depth + 1, "external", page_url, link.text[:200]))
                    continue
            elif (kind == "binary" and self.ocr_images and url_ext(url) in IMAGE_EXTS
                  and self.scope.is_related(url)):
                if self.images_taken < self.ocr_images:
                    self.images_taken += 1
                    self._push(CrawlItem(url, depth + 1, "attachment", page_url, link.text[:200]))
                    continue
                self.images_skipped += 1
            elif kind == "attachment" and self.scope.is_related(url):
                if self.can_read_attachment:
                    self.attachments_claimed += 1
                    self._push(CrawlItem(url, depth + 1, "attachment", page_url, link.text[:200]))
                    continue
                self.unscanned.setdefault(url, page_url)     # over the cap: listed, not read
            elif kind == "unscanned" and self.scope.is_related(url):
                self.unscanned.setdefault(url, page_url)
            self._link(url)


# ---------------------------------------------------------------- meta refresh (a homepage's usual forward)

_REFRESH_RE = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)
_HAS_REFRESH = re.compile(r"http-equiv\s*=\s*[\"']?\s*refresh", re.I)


def _base_url(page) -> str:
    tag = page.tree.find(".//base[@href]")
    return urljoin(page.url, tag.get("href").strip()) if tag is not None else page.url


def is_forwarding_stub(page) -> bool:
    """A page that only forwards with a meta refresh (little else to read)."""
    text = page.text or ""
    return len(text) < 4000 and bool(_HAS_REFRESH.search(text)) and bool(extract_meta_refresh(page))


def extract_meta_refresh(page) -> list[str]:
    """Targets of <meta http-equiv="refresh" content="0;url=…"> (a homepage's usual redirect)."""
    if not _HAS_REFRESH.search(page.text or ""):
        return []                                   # the usual case, without walking the tree
    base = _base_url(page)
    out = []
    for meta in page.tree.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        m = _REFRESH_RE.search(meta.get("content") or "")
        url = normalise_url(m.group(1).strip(), base) if m else None
        if url:
            out.append(url)
    return out
