"""footer_missing: the identity marks a government homepage must show (发展指引 footer items)."""
from __future__ import annotations

import re
from urllib.parse import unquote

from .base import CheckContext, CheckFinding, Page
from .html import text_of
from .text import norm, visible

KIND = "footer_missing"
INDICATOR = "web.ded.function.domain_marks"
ZHAOCUO_INDICATOR = "web.ded.function.zhaocuo"
DEFAULTS: dict = {}

# Labels: 网站标识码 (official), 网站识别码 and 标识码/识别码 alone (common); the code is 10 digits or bm + 8.
SITE_CODE_RE = re.compile(r"(?:网站标识码|网站识别码|标识码|识别码)\s*[:：]?\s*((?:bm|BM)\d{8}|\d{10}|[A-Za-z0-9]{6,14})(?!\d)")
_CODE_LABEL_RE = re.compile(r"网站标识码|网站识别码|标识码|识别码")
ICP_RE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]\s*ICP\s*[备证]\s*\d{4,}\s*号(?:\s*-\s*\d+)?", re.I)
PSB_RE = re.compile(r"公网安备\s*[:：]?\s*\d{8,}|公安(?:机关)?(?:网站|联网|网)?备案?(?:号|编号)?\s*[:：]?\s*\d{8,}")
_PSB_URL_RE = re.compile(r"beian\.(?:mps\.)?gov\.cn/.*recordcode=\d{8,}", re.I)
# Used as a yes/no test: two characters before 主办 say as much as more, and \S{2,} was quadratic
# on a long line without spaces (100,000 characters: 3 minutes).
_HOST_LABEL_RE = re.compile(r"主办(?:单位|机关)?\s*[:：]\s*\S|\S{2}\s*主办(?![\u4e00-\u9fff])")
_DZJG_URL_RE = re.compile(r"dzjg|conac", re.I)
_ZHAOCUO_URL_RE = re.compile(r"pucha|zhaocuo|zfwzzc|jiucuo", re.I)
# A footer brought in by a script or a frame (footer.js, bottom.html): its marks are not in the page.
_LOADED_FOOTER_RE = re.compile(r"foot|bottom|copyright|banquan|dibu|\bbq\b", re.I)


def _marks(home: Page) -> tuple[bool, bool]:
    """(党政机关 mark found, 找错 entrance found) from links, images, scripts (also the text of
    inline scripts that write them: document.write(unescape(…conac…))) and their placeholders."""
    dzjg = zhaocuo = False
    for el in home.tree.iter("a", "img", "script", "area", "iframe", "span", "div"):
        attrs = " ".join(el.get(k) or "" for k in ("href", "src", "alt", "title", "id"))
        if el.tag == "a":
            text = norm(text_of(el, " "))
        elif el.tag == "script":
            text = unquote(el.text or "")
        else:
            text = ""
        if not dzjg and (_DZJG_URL_RE.search(attrs) or "党政机关" in attrs or "_ideConac" in attrs
                         or _DZJG_URL_RE.search(text) or "党政机关" in text):
            dzjg = True
        if not zhaocuo and (_ZHAOCUO_URL_RE.search(attrs) or "找错" in attrs or _ZHAOCUO_URL_RE.search(text)
                            or "找错" in text):
            zhaocuo = True
        if dzjg and zhaocuo:
            break
    return dzjg, zhaocuo


def _loaded_footer(home: Page) -> str:
    """The source a footer is loaded from (script, frame or an inline .load()), '' when none."""
    for el in home.tree.iter("script", "iframe"):
        src = el.get("src") or ""
        if src and _LOADED_FOOTER_RE.search(src.rsplit("/", 1)[-1]):
            return src
        if el.tag == "script" and not src:
            m = re.search(r"""\.load\(\s*['"]([^'"]+)['"]""", el.text or "")
            if m and _LOADED_FOOTER_RE.search(m.group(1)):
                return m.group(1)
    return ""


def _attr_text(home: Page, keys: tuple[str, ...]) -> str:
    """Attribute texts of images and links: alt/title show a code or number drawn as an image,
    href holds a record number of the 公安 filing link."""
    parts = []
    for el in home.tree.iter("img", "a"):
        parts.extend(el.get(k) or "" for k in keys)
    return " ".join(parts)


def footer_missing(home: Page, ctx: CheckContext) -> list[CheckFinding]:
    """One finding per missing footer item on the homepage (detail names the item)."""
    if not home.text:
        return []
    text = visible(home).text
    compact = re.sub(r"\s+", "", text)
    attrs = _attr_text(home, ("alt", "title"))
    hrefs = _attr_text(home, ("href",))
    site = ctx.site or {}
    findings: list[CheckFinding] = []

    def miss(detail: str, indicator: str = INDICATOR, snippet: str = "", evidence: str = "") -> None:
        findings.append(CheckFinding(KIND, indicator, url=home.url, page=home.url, detail=detail,
                                     snippet=snippet, evidence=evidence))

    expected = str(site.get("site_code") or "").strip()
    codes = SITE_CODE_RE.findall(text)
    code_shown = bool(expected) and (expected.upper() in compact.upper() or expected.upper() in attrs.upper())
    code_label = bool(_CODE_LABEL_RE.search(text))
    icp = bool(ICP_RE.search(text) or ICP_RE.search(attrs))
    psb = bool(PSB_RE.search(text) or PSB_RE.search(attrs) or _PSB_URL_RE.search(hrefs))
    host = norm(str(site.get("host_unit") or ""))
    host_shown = bool(host and re.sub(r"\s+", "", host) in compact) or bool(_HOST_LABEL_RE.search(text))
    if not (code_shown or code_label or icp or psb or host_shown):
        source = _loaded_footer(home)
        if source:
            miss("首页页脚由脚本或框架加载，未能自动核对网站标识码、党政机关网站标识、ICP备案编号、公安机关备案标识、"
                 "主办单位和“我为政府网站找错”入口，请人工查看", evidence=f"页脚来源：{source}")
            return findings
    if not code_shown:
        if not code_label:
            miss("首页未展示网站标识码", evidence=f"登记的网站标识码：{expected}" if expected else "")
        elif expected and codes and expected.upper() not in {c.upper() for c in codes}:
            miss(f"首页网站标识码“{codes[0]}”与登记的“{expected}”不一致", snippet=codes[0])
    dzjg, zhaocuo = _marks(home)
    if not dzjg:
        miss("首页未展示党政机关网站标识")
    if not icp:
        miss("首页未展示ICP备案编号", evidence=f"登记的ICP备案号：{site['icp']}" if site.get("icp") else "")
    if not psb:
        miss("首页未展示公安机关备案标识（公网安备号）",
             evidence=f"登记的公安备案号：{site['psb']}" if site.get("psb") else "")
    if host:
        if not host_shown:
            miss(f"首页未展示主办单位“{host}”")
    elif "主办" not in text:
        miss("首页未展示主办单位")
    if not zhaocuo:
        miss("首页未设置“我为政府网站找错”入口", indicator=ZHAOCUO_INDICATOR)
    return findings
