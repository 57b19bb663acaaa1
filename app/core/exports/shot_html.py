"""Evidence screenshots, the page side (no Qt): a kept page (留痕) made safe to draw, the problem marked.

app/ui/evidence_shots.py draws what ``prepare`` returns with Qt's rich-text engine. Here:
* nothing that could fetch survives: scripts, styles, stylesheets, frames, objects, images (a grey
  [图片] placeholder stands in), ``url()`` in styles and every attribute but a few layout ones;
* caps, so a hostile page cannot stall the drawing: characters read, nesting depth, table shape,
  and a budget of elements and text kept around the first mark (the rest is cut with a note);
* elements hidden by inline styles are dropped (a visitor does not see them), except a hidden
  link that is the problem: it is shown and labelled;
* the problem wrapped in highlight spans (MARK_BG); every 身份证号, 手机号 and 银行卡号 masked,
  and any other long digit run too (a screenshot never shows a full number).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag

from lxml import etree
from lxml import html as lxml_html

from ..checks.darklinks import hiding_reason
from ..checks.html import parse
from ..checks.pii import mask_spans, mask_text
from ..checks.text import join_url

MARK_BG = "#ffd400"            # highlight behind the problem (tests look for it in the pixels)
MARK_FG = "#b00000"
LABEL_BG = "#c00000"
MAX_HTML_CHARS = 1_500_000     # characters of the kept copy read at all
MAX_TEXT_NODE = 4_000          # characters of one text node
MAX_DEPTH = 40                 # deeper elements are unwrapped (their text stays)
MAX_TABLE_DEPTH = 2            # tables nested deeper become plain blocks
MAX_ROWS, MAX_CELLS = 200, 30
BUDGET = 2_500                 # weight kept around the first mark: 1 per element + 1 per 100 characters

_DROP = {"script", "style", "link", "meta", "noscript", "template", "iframe", "frame", "frameset", "object",
         "embed", "applet", "svg", "math", "canvas", "video", "audio", "source", "track", "input", "button",
         "select", "textarea", "base", "head", "title", "map", "area", "param", "picture", "dialog"}
_KEEP_ATTRS = {"colspan", "rowspan", "align", "valign", "width", "bgcolor", "color", "size", "href", "style",
               "border", "cellpadding", "cellspacing"}
_STYLE_PROPS = {"color", "background-color", "font-weight", "font-style", "text-align", "text-decoration",
                "font-size"}
_SAFE_VALUE = re.compile(r"^[#a-zA-Z0-9(),.%\s-]{1,40}$")
_NUMBER_ATTR = re.compile(r"^\d{1,4}%?$")
_FONT_PX = re.compile(r"^(\d+(?:\.\d+)?)(px|pt)$")
_TABLE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"}
_WRONG_RE = re.compile(r"“(.+?)”应为")


@dataclass(frozen=True)
class Marks:
    """What to highlight on a page."""
    words: tuple[str, ...] = ()          # text to highlight wherever it appears (a wrong word)
    links: tuple[str, ...] = ()          # absolute URLs whose <a>/<img> to mark (shown even when hidden)
    link_label: str = "问题链接"
    pii: bool = False                     # highlight the masked numbers (they are masked in any case)

    @property
    def empty(self) -> bool:
        return not (self.words or self.links or self.pii)


@dataclass
class Prepared:
    html: str                             # safe HTML with the marks
    title: str = ""
    marked: int = 0                       # highlights placed
    masked: int = 0                       # numbers masked
    notes: list[str] = field(default_factory=list)    # caps that applied, in Chinese


def marks_for(kind: str, detail: str, url: str, page: str, snippet: str) -> Marks:
    """The marks for a finding, by its check kind (typo words, hidden or broken links, PII, else the snippet)."""
    if kind in ("typo", "grave_error", "media.typo"):
        m = _WRONG_RE.search(detail or "")
        if m:
            return Marks(words=(m.group(1),))
    if kind == "pii":
        return Marks(pii=True)
    labels = {"dark_link": "隐藏链接", "broken_link": "不可用链接", "external_link_suspect": "可疑外链"}
    if url and url != page:
        return Marks(links=(url,), link_label=labels.get(kind, "问题链接"))
    text = (snippet or "").strip("…. \n")
    if len(text) >= 4 and "*" not in text:
        return Marks(words=(text[:40],))
    return Marks()


# ---------------------------------------------------------------- cleaning

def _style(value: str) -> str:
    keep = []
    for part in value.split(";"):
        if ":" not in part:
            continue
        k, v = (x.strip() for x in part.split(":", 1))
        k, v = k.lower(), v.replace("!important", "").strip()
        if k not in _STYLE_PROPS or not _SAFE_VALUE.match(v) or "url" in v.lower():
            continue
        if k == "font-size":
            m = _FONT_PX.match(v.lower())
            if not m or not 6 <= float(m.group(1)) <= 40:
                continue
        keep.append(f"{k}:{v}")
    return ";".join(keep)


def _clean_attrs(el, base: str) -> None:
    for name in list(el.attrib):
        value = el.attrib[name]
        low = name.lower()
        if low not in _KEEP_ATTRS:
            del el.attrib[name]
        elif low == "style":
            el.attrib[name] = _style(value)
        elif low == "href":
            target = join_url(base, value)
            if target.startswith(("http://", "https://")):
                el.attrib[name] = target[:500]
            else:
                del el.attrib[name]
        elif low in ("width", "colspan", "rowspan", "size", "border", "cellpadding", "cellspacing") and not _NUMBER_ATTR.match(value.strip()):
            del el.attrib[name]
        elif low in ("bgcolor", "color") and not _SAFE_VALUE.match(value):
            del el.attrib[name]


def _same_url(a: str, b: str) -> bool:
    return urldefrag(a)[0].rstrip("/") == urldefrag(b)[0].rstrip("/")


def _span(text: str, style: str):
    el = lxml_html.Element("span", style=style)
    el.text = text
    return el


def _label(text: str) -> etree._Element:
    return _span(f"【{text}】", f"background-color:{LABEL_BG};color:#ffffff;font-weight:bold")


def _mark_style() -> str:
    return f"background-color:{MARK_BG};color:{MARK_FG};font-weight:bold"


class _Cleaner:
    def __init__(self, base: str, marks: Marks, out: Prepared):
        self.base, self.marks, self.out = base, marks, out
        self.first_mark = None

    def run(self, body) -> None:
        targets = self._link_targets(body)
        # The elements themselves, not id()s: lxml makes element proxies on demand, so only
        # a proxy that stays referenced keeps its identity.
        keep = {a for t in targets for a in t.iterancestors()} | set(targets)
        for el in list(body.iter()):
            if not isinstance(el.tag, str):
                el.drop_tree()
                continue
            tag = el.tag.lower()
            if tag in _DROP and el not in keep:
                el.drop_tree()
            elif el not in keep and (el.get("hidden") is not None or hiding_reason(el.get("style") or "")):
                el.drop_tree()
            elif tag == "img":
                self._image(el, el in targets)
        for el in targets:
            if el.tag == "a" and el.getparent() is not None:
                self._mark_link(el)
        for el in body.iter():
            _clean_attrs(el, self.base)
        self._shape(body)
        self._text(body)

    def _link_targets(self, body) -> list:
        if not self.marks.links:
            return []
        found = []
        for el in body.iter("a", "img"):
            ref = el.get("href") if el.tag == "a" else el.get("src")
            if ref and any(_same_url(join_url(self.base, ref), u) for u in self.marks.links):
                found.append(el)
        return found

    def _image(self, el, marked: bool) -> None:
        alt = (el.get("alt") or el.get("title") or "").strip()[:40]
        holder = _span(f"[图片{'：' + alt if alt else ''}]", "background-color:#e8eaed;color:#5f6368")
        holder.tail = el.tail
        el.getparent().replace(el, holder)
        if marked:
            self._mark_link(holder)

    def _mark_link(self, el) -> None:
        el.set("style", _mark_style())
        label = _label(self.marks.link_label)
        el.addprevious(label)
        target = _span(f"（指向 {self.marks.links[0][:160]}）", "color:#5f6368")
        target.tail, el.tail = el.tail, None
        el.addnext(target)
        self.out.marked += 1
        if self.first_mark is None:
            self.first_mark = label

    def _shape(self, body) -> None:
        """Depth and table caps (Qt lays out deep nesting and huge tables slowly)."""
        deep, tables = [], []
        depth = tables_open = 0
        for event, el in etree.iterwalk(body, events=("start", "end")):       # depths in one pass
            if event == "end":
                depth -= 1
                tables_open -= el.tag == "table"
                continue
            depth += 1
            if depth > MAX_DEPTH + 1:
                deep.append(el)
            elif el.tag == "table":
                (deep if tables_open >= MAX_TABLE_DEPTH else tables).append(el)
            tables_open += el.tag == "table"
        for el in reversed(deep):
            if el.tag in _TABLE_TAGS:
                el.tag = "div"
                for sub in el.iter(*_TABLE_TAGS):
                    sub.tag = "div" if sub.tag in ("tr", "table", "tbody", "thead", "tfoot") else "span"
            elif el.getparent() is not None and el is not body:
                el.drop_tag()
        if deep:
            self.out.notes.append("页面嵌套过深，已简化版式")
        for table in tables:
            rows = [r for r in table.iter("tr") if next(r.iterancestors("table"), None) is table]
            for r in rows[MAX_ROWS:]:
                r.getparent().remove(r)
            for r in rows[:MAX_ROWS]:
                for c in [c for c in r if c.tag in ("td", "th")][MAX_CELLS:]:
                    r.remove(c)
            if len(rows) > MAX_ROWS:
                self.out.notes.append(f"表格超过 {MAX_ROWS} 行，只显示前 {MAX_ROWS} 行")

    def _text(self, body) -> None:
        words = [w for w in self.marks.words if w]
        for el in list(body.iter()):
            if el.get("data-gi") is not None:
                continue
            for attr in ("text", "tail"):
                if attr == "tail" and el is body:
                    continue
                value = getattr(el, attr)
                if value:
                    self._split(el, attr, value[:MAX_TEXT_NODE], words)

    def _split(self, el, attr: str, text: str, words: list[str]) -> None:
        cuts = [(s, e, m, self.marks.pii) for s, e, m in mask_spans(text)]
        self.out.masked += len(cuts)
        for w in words:
            start = 0
            while (i := text.find(w, start)) >= 0:
                if not any(s < i + len(w) and i < e for s, e, _, _ in cuts):
                    cuts.append((i, i + len(w), w, True))
                start = i + len(w)
        if not cuts:
            setattr(el, attr, text)
            return
        cuts.sort()
        pieces, pos = [], 0
        for s, e, shown, marked in cuts:
            span = _span(shown, _mark_style() if marked else "")
            span.set("data-gi", "1")
            pieces.append((text[pos:s], span))
            pos = e
        setattr(el, attr, pieces[0][0])
        if attr == "text":
            parent, at = el, 0
        else:
            parent, at = el.getparent(), el.getparent().index(el) + 1
        prev = None
        for i, (before, span) in enumerate(pieces):
            if prev is not None:
                prev.tail = before
            parent.insert(at + i, span)
            prev = span
        prev.tail = text[pos:]
        for s, e, shown, marked in cuts:
            if marked:
                self.out.marked += 1
        if self.first_mark is None:
            self.first_mark = next((sp for _, sp in pieces if "background" in (sp.get("style") or "")), None)


def _window(body, anchor, out: Prepared) -> None:
    """Keep a budget of elements and text around ``anchor`` (or the top); cut the rest with a note."""
    els = list(body.iter())
    weight = [1 + (len(e.text or "") + len(e.tail or "")) // 100 for e in els]
    if sum(weight) <= BUDGET:
        return
    index = {id(e): i for i, e in enumerate(els)}
    size = [1] * len(els)
    for i in range(len(els) - 1, 0, -1):
        parent = els[i].getparent()
        if parent is not None and id(parent) in index:
            size[index[id(parent)]] += size[i]
    at = index.get(id(anchor), 0) if anchor is not None else 0
    lo = hi = at
    used = weight[at]
    while used < BUDGET and (lo > 0 or hi < len(els) - 1):
        if hi < len(els) - 1:
            hi += 1
            used += weight[hi]
        if lo > 0 and used < BUDGET:
            lo -= 1
            used += weight[lo]
    cut_before = cut_after = False
    for i in range(len(els) - 1, 0, -1):
        if i + size[i] - 1 < lo or i > hi:
            e = els[i]
            if e.getparent() is not None:
                cut_before |= i < lo
                cut_after |= i > hi
                e.getparent().remove(e)
    if cut_before:
        body.insert(0, _span("……（前文从略）", "color:#80868b"))
    if cut_after:
        body.append(_span("……（后文从略）", "color:#80868b"))
    out.notes.append("页面较长，只绘制问题附近的部分")


def prepare(text: str, page_url: str, marks: Marks) -> Prepared:
    """The kept page as safe HTML with ``marks`` highlighted and every long number masked."""
    out = Prepared("")
    if len(text or "") > MAX_HTML_CHARS:
        text = text[:MAX_HTML_CHARS]
        out.notes.append(f"网页留痕超过 {MAX_HTML_CHARS // 10000} 万字符，只读取前一部分")
    root = parse(text)
    title = root.find(".//title")
    out.title = mask_text(" ".join((title.text_content() if title is not None else "").split()))[:120]
    base = page_url
    tag = root.find(".//base[@href]")
    if tag is not None:
        base = join_url(page_url, tag.get("href")) or page_url
    body = root.find("body")
    if body is None:
        body = lxml_html.Element("body")
    cleaner = _Cleaner(base, marks, out)
    cleaner.run(body)
    _window(body, cleaner.first_mark, out)
    body.attrib.clear()
    body.tag, body.tail = "div", None
    out.html = "<html><body>" + etree.tostring(body, encoding="unicode", method="html") + "</body></html>"
    return out
