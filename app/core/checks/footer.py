"""footer_missing: the identity marks a government homepage must show (发展指引 footer items)."""
from __future__ import annotations

import re

from .base import CheckContext, CheckFinding, Page
from .html import text_of
from .text import norm, visible

KIND = "footer_missing"
INDICATOR = "web.ded.function.domain_marks"
ZHAOCUO_INDICATOR = "web.ded.function.zhaocuo"
DEFAULTS: dict = {}

SITE_CODE_RE = re.compile(r"(?:网站标识码|标识码)\s*[:：]?\s*([A-Za-z0-9]{6,14})")
ICP_RE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]\s*ICP\s*备\s*\d{4,}\s*号(?:\s*-\s*\d+)?", re.I)
PSB_RE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]?\s*公网安备\s*\d{8,}\s*号?")
_DZJG_URL_RE = re.compile(r"dzjg|conac", re.I)
_ZHAOCUO_URL_RE = re.compile(r"pucha|zhaocuo|zfwzzc|jiucuo", re.I)


def _marks(home: Page) -> tuple[bool, bool]:
    """(党政机关 mark found, 找错 entrance found) from links, images and scripts."""
    dzjg = zhaocuo = False
    for el in home.tree.iter("a", "img", "script", "area", "iframe"):
        attrs = " ".join(el.get(k) or "" for k in ("href", "src", "alt", "title"))
        text = norm(text_of(el, " ")) if el.tag == "a" else ""
        if not dzjg and (_DZJG_URL_RE.search(attrs) or "党政机关" in attrs or "党政机关" in text):
            dzjg = True
        if not zhaocuo and (_ZHAOCUO_URL_RE.search(attrs) or "找错" in attrs or "找错" in text):
            zhaocuo = True
        if dzjg and zhaocuo:
            break
    return dzjg, zhaocuo


def footer_missing(home: Page, ctx: CheckContext) -> list[CheckFinding]:
    """One finding per missing footer item on the homepage (detail names the item)."""
    if not home.text:
        return []
    text = visible(home).text
    compact = re.sub(r"\s+", "", text)
    site = ctx.site or {}
    findings: list[CheckFinding] = []

    def miss(detail: str, indicator: str = INDICATOR, snippet: str = "", evidence: str = "") -> None:
        findings.append(CheckFinding(KIND, indicator, url=home.url, page=home.url, detail=detail,
                                     snippet=snippet, evidence=evidence))

    expected = str(site.get("site_code") or "").strip()
    codes = SITE_CODE_RE.findall(text)
    if not codes:
        miss("首页未展示网站标识码", evidence=f"登记的网站标识码：{expected}" if expected else "")
    elif expected and expected.upper() not in {c.upper() for c in codes}:
        miss(f"首页网站标识码“{codes[0]}”与登记的“{expected}”不一致", snippet=codes[0])
    dzjg, zhaocuo = _marks(home)
    if not dzjg:
        miss("首页未展示党政机关网站标识")
    if not ICP_RE.search(text):
        miss("首页未展示ICP备案编号", evidence=f"登记的ICP备案号：{site['icp']}" if site.get("icp") else "")
    if not PSB_RE.search(text):
        miss("首页未展示公安机关备案标识（公网安备号）",
             evidence=f"登记的公安备案号：{site['psb']}" if site.get("psb") else "")
    host = norm(str(site.get("host_unit") or ""))
    if host:
        if re.sub(r"\s+", "", host) not in compact:
            miss(f"首页未展示主办单位“{host}”")
    elif "主办" not in text:
        miss("首页未展示主办单位")
    if not zhaocuo:
        miss("首页未设置“我为政府网站找错”入口", indicator=ZHAOCUO_INDICATOR)
    return findings
