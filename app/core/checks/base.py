"""Shared types of the checks: a fetched Page, the run's context, a finding candidate."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Page:
    """One fetched resource. HTML pages carry ``text``; attachments carry ``raw`` bytes."""

    url: str                         # final URL after redirects
    status: int | None               # HTTP status; None when no response (DNS, refused, timeout)
    text: str = ""                   # decoded body (HTML/text)
    raw: bytes = b""                 # body bytes for attachments the checks must read
    headers: dict[str, str] = field(default_factory=dict)   # lower-case names
    content_type: str = ""
    encoding: str = ""
    requested_url: str = ""
    depth: int = 0
    is_home: bool = False
    referrer: str = ""               # page that linked here
    anchor: str = ""                 # link text on the referrer
    error: str = ""                  # fetch error in Chinese ('' when fine)
    elapsed: float | None = None     # seconds
    fetched_at: str = ""             # ISO time
    # Added by the fetcher (app/core/crawl/fetching.py):
    purpose: str = "page"            # page / attachment / link / external
    size: int = 0                    # body bytes read (after decompression)
    truncated: bool = False          # body cut at the byte cap
    content_hash: str = ""           # sha256 of the body bytes
    error_kind: str = ""             # machine code of ``error`` (dns, refused, deadline, tls_expired …)
    redirects: tuple = ()            # URLs passed through before ``url``
    tls_error: str = ""              # TLS problem (tls_expired …) even when the site is read unverified

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400 and not self.error

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or (not self.content_type and self.text.lstrip()[:1] == "<")

    @property
    def tree(self):
        """The parsed HTML's <html> root (lxml), built once per page on first use.

        A plain cache in the instance dict: functools.cached_property locks per class on 3.11,
        which would make every worker thread wait for any other thread's parse.
        """
        tree = self.__dict__.get("_gi_tree")
        if tree is None:
            from .html import parse
            tree = self.__dict__["_gi_tree"] = parse(self.text)
        return tree


@dataclass(frozen=True)
class CheckContext:
    """What every check may know besides the pages."""

    as_of: dt.date                   # 监测时间点
    site: dict                       # frozen registry record of the target (site_code, name, url, host_unit, icp, psb …)
    params: dict = field(default_factory=dict)   # thresholds from the profile/settings, by check kind
    # Runs a parse that may run away (an attachment's text) in a helper process under a hard time
    # and memory limit: isolate("module:function", *args) -> its result, or raises
    # budget.ParseAborted. None: the check calls the function itself (tests, single pages).
    isolate: Callable | None = field(default=None, compare=False, repr=False)

    def opts(self, kind: str, defaults: dict) -> dict:
        """The check's defaults overlaid with ``params[kind]`` (unknown keys are kept)."""
        merged = dict(defaults)
        merged.update(self.params.get(kind) or {})
        return merged


@dataclass(frozen=True)
class CheckFinding:
    """A machine finding candidate; becomes a 待审核 finding in the review queue."""

    kind: str                        # exact check id, e.g. broken_link (appears in `findings list`)
    indicator_id: str                # profile item id, e.g. web.ded.function.availability
    url: str = ""                    # the problem resource (broken target, attachment, column list page)
    page: str = ""                   # the page where it was seen
    detail: str = ""                 # Chinese, one line: what is wrong and the suggested correction
    snippet: str = ""                # context text
    count: int = 1
    evidence: str = ""               # longer evidence text
    screenshot: str = ""             # a picture of the evidence (OCR: the image, hits marked); not in the fingerprint

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs (same problem → same fingerprint)."""
        key = "\x1f".join((self.kind, self.url, self.page, self.detail))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class CheckNote:
    """Something the inspector must know that is not a finding (未检测, 样本不足)."""

    kind: str
    text: str                        # Chinese, one line
    url: str = ""


class Findings(list):
    """A list of CheckFinding that may also carry CheckNotes (deciders use it)."""

    def __init__(self, items=(), notes=()):
        super().__init__(items)
        self.notes: list[CheckNote] = list(notes)


# ---------------------------------------------------------------- inputs the crawler/prober supplies

LINK_ERRORS = ("4xx", "5xx", "dns", "refused", "timeout", "redirect_loop", "tls")


@dataclass(frozen=True)
class LinkResult:
    """Outcome of the crawler's HEAD/GET of one link target as seen on one page."""

    url: str                         # link target (absolute)
    page: str                        # page that links to it
    anchor: str = ""                 # anchor text / img alt
    status: int | None = None        # HTTP status of the final response; None when none
    error: str = ""                  # one of LINK_ERRORS, '' when fine ('' + status>=400 → derived)
    link_type: str = "link"          # link | image | attachment | frame (from extract_links)


@dataclass(frozen=True)
class TlsInfo:
    """What the prober learnt about the site's HTTPS."""

    host: str
    https_ok: bool = True            # a TLS handshake on :443 succeeded (verified or not)
    not_after: dt.date | None = None  # certificate expiry
    verify_error: str = ""           # '' | expired | untrusted | name_mismatch | other text
    http_redirects_to_https: bool | None = None   # None: http:// not tried
    error: str = ""                  # Chinese text when https could not be tried at all


@dataclass(frozen=True)
class Probe:
    """One availability probe of the homepage."""

    time: dt.datetime
    seconds: float | None            # time to open; None when it never opened
    ok: bool                         # opened (2xx/3xx) before the client gave up
    url: str = ""
    error: str = ""
