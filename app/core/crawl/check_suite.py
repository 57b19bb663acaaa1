"""The catalog's checks (app/core/checks/catalog.py) behind the interface the run engine uses.

Page checks and collectors run in worker threads, site checks in the run thread; a Suite
holds no state that changes after it is built.
"""
from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from typing import Any

from ..checks import catalog
from ..checks import links as links_mod
from ..checks.base import CheckContext, CheckFinding, LinkResult, Page
from .crawler import Link, extract_meta_refresh, normalise_url
from .run_tokens import Cancelled

log = logging.getLogger(__name__)

# Fetch error codes of fetching.py -> the link error words the broken-link check knows.
_LINK_ERRORS = {"dns": "dns", "refused": "refused", "connection": "refused", "invalid_url": "invalid_url", "bad_scheme": "bad_scheme",
                "connect_timeout": "timeout", "read_timeout": "timeout", "deadline": "timeout",
                "redirect_loop": "redirect_loop", "too_many_redirects": "redirect_loop"}
_TAGS = {"link": "a", "attachment": "a", "image": "img", "frame": "iframe"}


def link_error(error_kind: str) -> str:
    """The LinkResult.error word for a fetch error code ('' when none)."""
    if not error_kind:
        return ""
    if error_kind.startswith("tls"):
        return "tls"
    return _LINK_ERRORS.get(error_kind, "refused")


def link_result(url: str, page: str, anchor: str, link_type: str, status: int | None, error_kind: str) -> LinkResult:
    return LinkResult(url=url, page=page, anchor=anchor, status=status, error=link_error(error_kind),
                      link_type=link_type)


class Suite:
    """The enabled checks of one run, filtered by kind and by the round's rule set."""

    def __init__(self, allowed_indicators: set[str] | None, kinds: tuple[str, ...] | None, params: dict):
        chosen = catalog.specs(kinds, allowed_indicators)
        self.kinds = {s.kind for s in chosen}
        wanted = set(kinds) if kinds is not None else set(catalog.CHECKS)
        self.skipped = sorted(wanted - self.kinds)        # not run: indicator absent from the rule set
        self.page_specs = [s for s in chosen if s.scope == "page"]
        self.site_steps = catalog.site_steps(chosen)
        self.collectors = catalog.collectors_for(chosen)
        self.params = params
        self.allowed = allowed_indicators

    # ------------------------------------------------------------ what the crawl must gather

    def wants(self, kind: str) -> bool:
        return kind in self.kinds

    # ------------------------------------------------------------ worker side

    def extract_links(self, page: Page) -> list[Link]:
        """The catalog's links of a page (normalised for the crawl) plus a meta refresh target."""
        out, seen = [], set()
        for link in links_mod.extract_links(page):
            url = normalise_url(link.url)
            if url is None or url in seen:
                continue
            seen.add(url)
            out.append(Link(url, _TAGS.get(link.link_type, "a"), link.anchor or "", link.link_type))
        for url in extract_meta_refresh(page):
            if url not in seen:
                seen.add(url)
                out.append(Link(url, "refresh", "", "link"))
        return out

    def page_findings(self, page: Page, ctx: CheckContext) -> tuple[list[CheckFinding], list[str]]:
        out, errors = [], []
        for spec in self.page_specs:
            try:
                out.extend(spec.func(page, ctx) or ())
            except Cancelled:                       # the run stopped during a helper's parse
                raise
            except Exception as exc:                # one broken check must not stop the others
                log.exception("check %s failed on %s", spec.kind, page.url)
                errors.append(f"检查“{spec.label_zh}”在 {page.url} 出错：{exc}")
        return out, errors

    def collect(self, page: Page, ctx: CheckContext) -> tuple[dict[str, Any], list[str]]:
        out, errors = {}, []
        for name in self.collectors:
            try:
                value = catalog.COLLECTORS[name](page, ctx)
            except Exception as exc:
                log.exception("collector %s failed on %s", name, page.url)
                errors.append(f"收集“{name}”在 {page.url} 出错：{exc}")
                continue
            if value is not None:
                out[name] = value
        return out, errors

    # ------------------------------------------------------------ run thread side

    def site_findings(self, site: catalog.SiteInputs, ctx: CheckContext) -> tuple[list[CheckFinding], list[str], list[str]]:
        """(findings, notes, errors) of the site checks."""
        out, notes, errors = [], [], []
        for spec, func in self.site_steps:
            try:
                result = func(site, ctx)
            except Exception as exc:
                log.exception("site check %s failed on %s", spec.kind, site.home_url)
                errors.append(f"检查“{spec.label_zh}”出错：{exc}")
                continue
            out.extend(result or ())
            notes.extend(n.text for n in getattr(result, "notes", ()) or ())
        return out, notes, errors

    def finish(self, findings: list[CheckFinding]) -> tuple[list[CheckFinding], int]:
        """Merge template repeats; drop findings whose indicator the rule set lacks (counted)."""
        merged = catalog.dedupe(findings)
        if self.allowed is None:
            return merged, 0
        kept = [f for f in merged if f.indicator_id in self.allowed]
        return kept, len(merged) - len(kept)


def finding_row(target_id: int, f: CheckFinding) -> dict:
    """The row add_findings takes for a machine finding: the run engine and the probe verdicts
    (probe_verdicts.py) record their findings through this one function."""
    return {"target_id": target_id, "indicator_id": f.indicator_id, "kind": f.kind, "url": f.url, "page": f.page,
            "detail": f.detail, "snippet": f.snippet, "count": f.count, "evidence_text": f.evidence,
            "fingerprint": f.fingerprint, "screenshot_path": f.screenshot}


def load(allowed_indicators: set[str] | None, kinds: tuple[str, ...] | None, params: dict) -> Suite:
    return Suite(allowed_indicators, kinds, params)


def params_for_round(profile_snapshot: str | None, overrides: dict | None) -> dict:
    """Check params: what the round's rule set states, overlaid with the run's overrides."""
    params: dict[str, dict] = {}
    if profile_snapshot:
        from ..rounds import profiles
        try:
            site_profile = profiles.profiles_from_snapshot(profile_snapshot).get("site")
        except Exception:                            # a damaged snapshot: fall back to the defaults
            log.exception("profile snapshot unreadable")
            site_profile = None
        if site_profile is not None:
            params = catalog.params_from_profile(profiles.to_dict(site_profile))
    for kind, values in (overrides or {}).items():
        params.setdefault(kind, {}).update(values or {})
    return params


# ---------------------------------------------------------------- per-page analysis (thread or process)

@dataclass
class Analysis:
    """What the per-page work hands back to the run thread (plain, picklable data)."""

    links: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    summaries: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    content: bytes | None = None             # zlib-compressed text for the evidence row


def analyse(suite: Suite, page: Page, ctx: CheckContext, *, links: bool, checks: bool, collect: bool,
            compress: bool) -> Analysis:
    """Links, page checks, collectors and the compressed text of one fetched page."""
    out = Analysis()
    if links:
        try:
            out.links = suite.extract_links(page)
        except Exception as exc:                       # a malformed page must not stop the run
            log.exception("link extraction failed on %s", page.url)
            out.errors.append(f"提取链接失败 {page.url}：{exc}")
    if checks:
        out.findings, errors = suite.page_findings(page, ctx)
        out.errors.extend(errors)
    if collect:
        out.summaries, errors = suite.collect(page, ctx)
        out.errors.extend(errors)
    if compress and page.text:
        out.content = zlib.compress(page.text.encode("utf-8"), 6)
    return out
