"""policy_metadata_missing: a policy-document page lacks 索引号, 发文机关, 成文日期, 发文字号 or 发布日期.

A page counts as a policy document when it shows a metadata block (two or more of the labels),
its breadcrumb names 政策文件/规范性文件/政府文件, or a line of its own is a 发文字号 such as
京政发〔2025〕12号 (a 文号 merely cited inside a sentence does not count). List pages are skipped.
"""
from __future__ import annotations

import re

from .base import CheckContext, CheckFinding, Page
from .dates import dated_links
from .text import breadcrumb, visible

KIND = "policy_metadata_missing"
INDICATOR = "web.ded.publish.policy_docs.r2"
DEFAULTS = {"required": ["索引号", "发文机关", "成文日期", "发文字号", "发布日期"], "max_list_links": 8}

# Label aliases seen on gov.cn-style headers; the first is the name used in findings.
LABELS = {
    "索引号": ("索引号", "索 引 号", "信息索引号"),
    "发文机关": ("发文机关", "发布机构", "发文单位", "发布机关", "制发机关", "发文机构", "发布单位", "信息来源单位"),
    "成文日期": ("成文日期", "成文时间", "生成日期", "形成日期"),
    "发文字号": ("发文字号", "文号", "发文号", "文件编号"),
    "发布日期": ("发布日期", "发布时间", "公开日期", "公布日期", "发文日期"),
    "主题分类": ("主题分类", "分类"),
}
_ALIAS = {alias.replace(" ", ""): name for name, aliases in LABELS.items() for alias in aliases}
_LABEL_RE = re.compile(       # label characters may be spaced out: 索 引 号, 发文机关
    r"(" + "|".join(r"[\s\u3000]*".join(map(re.escape, a))
                    for a in sorted(_ALIAS, key=len, reverse=True)) + r")\s*([:：]?)")
DOC_NO_RE = re.compile(r"[\u4e00-\u9fff]{1,16}\s*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,5}\s*号")
_DOC_NO_LINE_RE = re.compile(r"^\s*" + DOC_NO_RE.pattern + r"\s*$")
_POLICY_CRUMB_RE = re.compile(r"政策文件|规范性文件|政府文件|行政规范性|部门文件|政府令|政策法规")


def _label_matches(text: str) -> list[re.Match]:
    """Label occurrences that stand as labels: at the line start or after a separator, and in a
    long line only when a colon follows."""
    out = []
    for m in _LABEL_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] not in "：:|｜ \t】]）)":
            continue
        if len(text) > 60 and not m.group(2):
            continue
        out.append(m)
    return out


def _labels(lines: list[str]) -> dict[str, bool]:
    """Label name → has a value. Values sit after the label or on the next line (table cells)."""
    found: dict[str, bool] = {}
    for i, text in enumerate(lines):
        matches = _label_matches(text)
        for j, m in enumerate(matches):
            name = _ALIAS[re.sub(r"[\s\u3000]", "", m.group(1))]
            end = matches[j + 1].start() if j + 1 < len(matches) else len(text)
            value = text[m.end():end].strip(" ：:|｜-—/")
            if not value and len(matches) == 1 and m.start() == 0 and i + 1 < len(lines):   # a label cell
                nxt = lines[i + 1]
                if not _label_matches(nxt) or _label_matches(nxt)[0].start() > 0:
                    value = lines[i + 1].strip(" ：:|｜-—/")
            found[name] = found.get(name, False) or bool(value)
    return found


def is_policy_page(page: Page, lines: list[str], found: dict[str, bool]) -> bool:
    core = {"索引号", "发文机关", "成文日期", "发文字号"}
    if len(core & found.keys()) >= 2:
        return True
    if any(_POLICY_CRUMB_RE.search(c) for c in breadcrumb(page)):
        return True
    return any(_DOC_NO_LINE_RE.match(t) for t in lines[:80])


def policy_metadata_missing(page: Page, ctx: CheckContext) -> list[CheckFinding]:
    """One finding per policy-document page listing its missing metadata items."""
    if not page.text or not page.is_html or not page.ok or page.is_home:
        return []
    opts = ctx.opts(KIND, DEFAULTS)
    lines = [ln.text for ln in visible(page).lines if not ln.footer and not ln.nav]
    if not lines:
        return []
    found = _labels(lines[:200])
    if not is_policy_page(page, lines, found):
        return []
    if len([d for d in dated_links(page, ctx.as_of) if not d.nav and not d.footer]) > int(opts["max_list_links"]):
        return []                                 # a list of documents, not one document
    missing = [name for name in opts["required"] if not found.get(name)]
    if not missing:
        return []
    title = visible(page).title
    return [CheckFinding(KIND, INDICATOR, url=page.url, page=page.url,
                         detail=f"政策文件公开要素不完整，缺少：{'、'.join(missing)}",
                         snippet=title[:100],
                         evidence="已有要素：" + ("、".join(k for k, v in found.items() if v) or "无"))]
