"""policy_metadata_missing: a policy-document page lacks one of its public elements (索引号, 发文机关,
成文日期, 发文字号, 发布日期, 主题分类 by default; the profile's ``elements`` of
web.ded.publish.policy_docs.r2 replace the list).

Metadata is read by structure first: label/value cells (<th>索引号</th><td>…</td>, also a header
row over one value row), <span>label</span> + value, definition lists (<dt>/<dd>); then by lines
such as "索引号：… 发布机构：…". A label whose value is empty is missing: a value is never taken
from the next line. A page counts as a policy document when it shows two core labels, its
breadcrumb names 政策文件/规范性文件/政府文件, or a line of its own is a 发文字号 such as
京政发〔2025〕12号 (a 文号 cited inside a sentence does not count). List pages never count: pages
of list items (also short lists, last pages, card lists), pages with a pager, and pages where the
same label repeats item after item.
"""
from __future__ import annotations

import re

from .base import CheckContext, CheckFinding, Page
from .dates import dated_links, list_items
from .html import NO_TEXT, text_of
from .text import breadcrumb, norm, tag_regions, visible

KIND = "policy_metadata_missing"
INDICATOR = "web.ded.publish.policy_docs.r2"
ELEMENTS = ["索引号", "发文机关", "成文日期", "发文字号", "发布日期", "主题分类"]
DEFAULTS = {"required": ELEMENTS, "max_list_links": 8}

# Label aliases seen on gov.cn-style headers; the first is the name used in findings.
LABELS = {
    "索引号": ("索引号", "信息索引号", "索引编号"),
    "发文机关": ("发文机关", "发布机构", "发文单位", "发布机关", "制发机关", "发文机构", "发布单位", "信息来源单位",
             "成文机关", "发布部门"),
    "成文日期": ("成文日期", "成文时间", "生成日期", "形成日期"),
    "发文字号": ("发文字号", "文号", "发文号", "文件编号", "发文文号"),
    "发布日期": ("发布日期", "发布时间", "公开日期", "公布日期", "发文日期", "公开时间"),
    "主题分类": ("主题分类", "分类", "信息分类", "主题类别", "主题分类名称"),
}
_ALIAS = {alias: name for name, aliases in LABELS.items() for alias in aliases}
_LABEL_RE = re.compile(       # label characters may be spaced out: 索 引 号, 发文机关
    r"(" + "|".join(r"[\s\u3000]*".join(map(re.escape, a))
                    for a in sorted(_ALIAS, key=len, reverse=True)) + r")\s*([:：】\]]?)")
_STRIP = " ：:|｜-—–/／\\【】[]"
_LABEL_CLEAN_RE = re.compile(r"[\s\u3000\u00a0:：【】\[\]]")
CORE = {"索引号", "发文机关", "成文日期", "发文字号"}
_CORE_TEXT_RE = re.compile("|".join(r"[\s\u3000]*".join(map(re.escape, a)) for a, n in _ALIAS.items() if n in CORE))
DOC_NO_RE = re.compile(r"[\u4e00-\u9fff]{1,16}\s*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,5}\s*号")
_DOC_NO_LINE_RE = re.compile(r"^\s*" + DOC_NO_RE.pattern + r"\s*$")
_POLICY_CRUMB_RE = re.compile(r"政策文件|规范性文件|政府文件|行政规范性|部门文件|政府令|政策法规")
PAGER_RE = re.compile(r"下一页|上一页|尾\s*页|末\s*页|共\s*\d+\s*页|第\s*\d+\s*/\s*\d+\s*页|\d+\s*/\s*\d+\s*页")
_PAGER_SCRIPT_RE = re.compile(r"createPageHTML|pageNav|setPage|jpage|paging\(|pagination", re.I)
_CELLS = ("td", "th")
_LABEL_TAGS = ("th", "td", "dt", "span", "strong", "b", "label", "em", "i", "font", "p", "div", "li", "h4", "h5", "h6")


def label_name(text: str) -> str:
    """The element a label-only text names ('' when the text is not just a label)."""
    return _ALIAS.get(_LABEL_CLEAN_RE.sub("", text), "") if len(text) <= 16 else ""


def _label_of(el) -> str:
    if len(el) > 3 or el.tag in NO_TEXT:
        return ""
    text = el.text_content()                  # C-fast; a label's element holds no script
    return label_name(text) if len(text) <= 24 else ""


def _value_text(el) -> str:
    return norm(text_of(el, " ")).strip(_STRIP)


def _cell_value(cell, labels: dict) -> str:
    """The value beside a label cell, or under it when its row is a header row over one value row."""
    row = cell.getparent()
    cells = [c for c in row if c.tag in _CELLS]
    header = sum(1 for c in cells if c in labels) >= 2 and all(c in labels or c.tag == "th" for c in cells)
    if not header:
        sib = cell.getnext()
        while sib is not None and sib.tag not in _CELLS:
            sib = sib.getnext()
        return "" if sib is None or sib in labels else _value_text(sib)
    rows = [r for r in row.itersiblings() if r.tag == "tr"]
    if len(rows) != 1:                     # a header over many rows is a list, not one document
        return ""
    values = [c for c in rows[0] if c.tag in _CELLS]
    index = cells.index(cell)
    return _value_text(values[index]) if index < len(values) else ""


def _sibling_value(el, labels: dict) -> str:
    """The text after a label element up to the next label, inside a pair container only: a label
    alone in a paragraph never takes the next paragraph (a title) as its value."""
    parts = [el.tail or ""]
    parent = el.getparent()
    n_labels = sum(1 for c in parent if c in labels) if parent is not None else 0
    if parent is not None and len(parent) <= 2 * n_labels + 1:
        for sib in el.itersiblings():
            if sib in labels:
                break
            parts.append(text_of(sib, " "))
            parts.append(sib.tail or "")
    else:
        for sib in el.itersiblings():          # inline pieces of the same line: <span>label</span><em>value</em>
            if sib in labels or sib.tag in ("p", "div", "li", "tr", "table", "dl", "ul", "br", "h1", "h2", "h3"):
                break
            parts.append(text_of(sib, " "))
            parts.append(sib.tail or "")
    return norm(" ".join(parts)).strip(_STRIP)


_MENU_RE = re.compile(r"nav|menu|daohang", re.I)


def _in_furniture(el) -> bool:
    """In the footer or a menu (a metadata box classed "xxgk-top" is no furniture here)."""
    node = el
    while node is not None and node.tag != "body":
        footer, _ = tag_regions(node)
        if footer or node.tag == "nav" or _MENU_RE.search(f"{node.get('id') or ''} {node.get('class') or ''}"):
            return True
        node = node.getparent()
    return False


def _structured(page: Page) -> tuple[dict[str, bool], dict[str, int]]:
    """Element → has a value, and element → how many label elements name it, from the tree."""
    body = page.tree.find("body")
    if body is None:
        return {}, {}
    labels: dict = {}
    for el in body.iter(*_LABEL_TAGS):
        name = _label_of(el)
        if name:
            labels[el] = name
    found: dict[str, bool] = {}
    counts: dict[str, int] = {}
    for el, name in labels.items():
        parent = el.getparent()
        if parent in labels or _in_furniture(el):
            continue                           # the outer label element speaks for both
        if el.tag in _CELLS:
            value = _cell_value(el, labels)
        elif el.tag == "dt":
            nxt = el.getnext()
            value = _value_text(nxt) if nxt is not None and nxt.tag == "dd" else ""
        else:
            value = _sibling_value(el, labels)
        found[name] = found.get(name, False) or bool(value)
        counts[name] = counts.get(name, 0) + 1
    return found, counts


def _label_matches(text: str) -> list[re.Match]:
    """Label occurrences that stand as labels: at the line start or after a separator, and in a
    long line only when a colon follows."""
    out = []
    for m in _LABEL_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] not in "：:|｜ \t】]）)【[":
            continue
        if len(text) > 60 and not m.group(2):
            continue
        out.append(m)
    return out


def _inline(lines: list[str]) -> tuple[dict[str, bool], dict[str, int]]:
    """Element → has a value, from lines such as "索引号：… 发布机构：… 发文字号： 成文日期：…"."""
    found: dict[str, bool] = {}
    counts: dict[str, int] = {}
    for text in lines:
        matches = _label_matches(text)
        for j, m in enumerate(matches):
            name = _ALIAS[re.sub(r"[\s\u3000]", "", m.group(1))]
            end = matches[j + 1].start() if j + 1 < len(matches) else len(text)
            value = text[m.end():end].strip(_STRIP)
            found[name] = found.get(name, False) or bool(value)
            counts[name] = counts.get(name, 0) + 1
    return found, counts


# A dateline: a date with its time or its source beside it (a date alone may be a table value).
_DATELINE_RE = re.compile(r"^\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                          r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:$|(?:来源|作者|浏览|点击|阅读|字号|字体|【|\[)[^\n]{0,50}$)"
                          r"|\s*(?:来源|作者|浏览|点击|阅读|字号|字体)[^\n]{0,50}$)")


def metadata(page: Page, lines: list[str]) -> tuple[dict[str, bool], int]:
    """(element → has a value, the most times one core label appears) of a page."""
    found, counts = _structured(page)
    inline, inline_counts = _inline(lines)
    for name, has in inline.items():
        found[name] = found.get(name, False) or has
    if not found.get("发布日期") and any(_DATELINE_RE.match(t) for t in lines[:60]):
        found["发布日期"] = True              # "2025-09-26 16:00 来源：…" under the title
    repeats = max([max(counts.get(n, 0), inline_counts.get(n, 0)) for n in CORE] or [0])
    return found, repeats


_NOT_POLICY_CRUMB_RE = re.compile(r"解读|图解|问答|回应|访谈|新闻|动态")


def is_policy_page(page: Page, lines: list[str], found: dict[str, bool]) -> bool:
    if len(CORE & found.keys()) >= 2:
        return True
    # The page's own column names it (the last crumb, or the one before a title-like last crumb):
    # 政策法规 › 政策解读 holds interpretations, not documents.
    crumbs = [c for c in breadcrumb(page) if c]
    if crumbs:
        own = crumbs[-1] if len(crumbs[-1]) <= 12 or len(crumbs) == 1 else crumbs[-2]
        if _POLICY_CRUMB_RE.search(own) and not _NOT_POLICY_CRUMB_RE.search(own):
            return True
    return any(_DOC_NO_LINE_RE.match(t) for t in lines[:80])


def _has_pager(page: Page, lines: list[str]) -> bool:
    if any(len(t) < 80 and PAGER_RE.search(t) for t in lines[-40:]):
        return True
    return any(_PAGER_SCRIPT_RE.search(s.text or "") for s in page.tree.iter("script"))


def is_list_page(page: Page, ctx: CheckContext, lines: list[str], found: dict[str, bool], repeats: int) -> bool:
    """A column's list page (any length, any layout), not one document."""
    links = [d for d in dated_links(page, ctx.as_of) if not d.nav and not d.footer]
    items = max(len(links), list_items(page))
    if items > int(ctx.opts(KIND, DEFAULTS)["max_list_links"]) or repeats >= 2:
        return True
    if items == 0:
        return False
    titles = [d.title[:10] for d in links]
    prose = sum(len(t) for t in lines if len(t) >= 60 and not any(x in t for x in titles))
    if prose >= 150:
        return False                          # a document (with a related-documents box)
    if _has_pager(page, lines):
        return True                           # a list's page, however short (the last one)
    with_values = sum(1 for name in CORE if found.get(name))
    return items >= 2 and with_values < 2


def policy_metadata_missing(page: Page, ctx: CheckContext) -> list[CheckFinding]:
    """One finding per policy-document page listing its missing metadata items."""
    if not page.text or not page.is_html or not page.ok or page.is_home:
        return []
    opts = ctx.opts(KIND, DEFAULTS)
    lines = [ln.text for ln in visible(page).main_lines]
    if not lines:
        return []
    # Cheap gate first: a document shows a core label, sits in a policy column or shows its 文号.
    inline, _ = _inline(lines[:200])
    if not (_CORE_TEXT_RE.search(visible(page).text) or is_policy_page(page, lines, inline)):
        return []
    found, repeats = metadata(page, lines[:200])
    if not is_policy_page(page, lines, found):
        return []
    if is_list_page(page, ctx, lines, found, repeats):
        return []
    missing = [name for name in opts["required"] if not found.get(name)]
    if not missing:
        return []
    title = visible(page).title
    return [CheckFinding(KIND, INDICATOR, url=page.url, page=page.url,
                         detail=f"政策文件公开要素不完整，缺少：{'、'.join(missing)}",
                         snippet=title[:100],
                         evidence="已有要素：" + ("、".join(k for k, v in found.items() if v) or "无"))]
