"""homepage_down, homepage_offsite: what happened to the homepage during this check run.

A homepage that did not open (refused, DNS, timeout, 5xx …) is a candidate on the 站点无法访问 item,
with the error and the time, for the inspector to see in the review queue; it never vetoes by itself
(the weekly probes decide 站点无法访问). A homepage that redirects to another registrable domain is
reported with its target and is not crawled as the site.
"""
from __future__ import annotations

from .base import CheckContext, CheckFinding, Findings, Page

KIND_DOWN = "homepage_down"
KIND_OFFSITE = "homepage_offsite"
INDICATOR = "web.veto.unreachable"
DEFAULTS: dict = {}


def homepage_down(home: Page | None, ctx: CheckContext, home_url: str = "") -> Findings:
    """The run's homepage fetch failed: one candidate (its fingerprint is stable across runs that
    fail the same way; the time goes to the evidence)."""
    if home is None or home.ok or home.error_kind in ("offsite_redirect", "cancelled"):
        return Findings()
    why = home.error or (f"HTTP {home.status}" if home.status else "无响应")
    url = home.requested_url or home.url or home_url
    return Findings([CheckFinding(
        KIND_DOWN, INDICATOR, url=url, page=url,
        detail=f"首页本次检查无法访问：{why}（是否单项否决以监测周首页拨测结果为准）",
        evidence=f"检查时间 {home.fetched_at or '—'}；{why}" + (f"；用时 {home.elapsed:g} 秒" if home.elapsed else ""))])


def homepage_offsite(home: Page | None, ctx: CheckContext, home_url: str = "") -> Findings:
    """The homepage redirected to another domain: reported with the target, never crawled there."""
    if home is None or home.error_kind != "offsite_redirect" or not home.redirects:
        return Findings()
    target = home.redirects[-1]
    url = home.requested_url or home_url or home.url
    return Findings([CheckFinding(
        KIND_OFFSITE, INDICATOR, url=url, page=url,
        detail=f"首页跳转到其他域名：{target}（未按本网站检查，请核实是否被劫持或已迁移）",
        evidence=f"检查时间 {home.fetched_at or '—'}；HTTP {home.status} → {target}")])
