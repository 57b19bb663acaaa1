"""pii and grave_error findings in what OCR read from an image file or a scanned PDF page.

The recognised lines are laid out again as rows and cells (a 公示名单 is a table: the header row
tells which column holds card numbers), digit strings are repaired for OCR's usual confusions
(O/0, l/1, S/5, B/8, spaces dropped or inserted), and the text goes through the same PII rules as
page text (pii.scan_pii: 身份证 check digit, Luhn, card words) and the same grave-error dictionary
(typos). Each finding names the image and the region (box in the file's pixels) of every hit;
every number in it is masked as pii.mask masks. Pure functions apart from ``scan_image``, which
calls the engine (ocr.py).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Callable

from . import ocr, ocr_picture
from .attachments import NO_TEXT_LAYER, file_name
from .base import CheckContext, CheckFinding
from .pii import (CARD, DEFAULTS as PII_DEFAULTS, ID, INDICATOR, KIND, KIND_UNSCANNED, MOBILE, PiiHit, _allowed,
                  mask, scan_pii)
from .typos import IND_GRAVE, KIND_GRAVE, context as text_context, scan_text

# Characters OCR reads for digits inside a number (never X: it is the 身份证 check character).
_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
                             "!": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6",
                             "g": "9", "q": "9"})
_LOOKALIKES = frozenset("OoDQIl|i!ZzSsBGbgq")
_TOKEN_RE = re.compile(r"[0-9A-Za-z|!]+")
_DASH_RE = re.compile(r"(?<=\d)\s*[一—－‐–]\s*(?=\d)")
_GROUPS_RE = re.compile(r"\d(?:[\d ]*\d)?")
_LONG_DIGITS_RE = re.compile(r"\d{7,}[Xx]?")
HEADER_WORDS = re.compile(r"序号|姓名|名称|身份证|证件|电话|手机|联系|卡号|账号|帐号|账户|金额|地址|性别|备注|日期"
                          r"|编号|号码")


def normalise(text: str) -> str:
    """A cell's text with full-width forms folded and digit look-alikes repaired inside numbers."""
    text = unicodedata.normalize("NFKC", text).replace("×", "X")

    def fix(m: re.Match) -> str:
        token = m.group(0)
        body = token[:-1] if token[-1:] in "Xx" else token
        digits = sum(c.isdigit() for c in body)
        if digits >= 6 and digits >= 0.6 * len(body) and all(c.isdigit() or c in _LOOKALIKES for c in body):
            return body.translate(_CONFUSABLE) + token[len(body):]
        return token

    return _DASH_RE.sub("-", _TOKEN_RE.sub(fix, text))


def join_groups(text: str) -> str:
    """Digits split by spaces joined again (11010119900307 1234 → 110101199003071234)."""
    return _GROUPS_RE.sub(lambda m: m.group(0).replace(" ", ""), text)


# ---------------------------------------------------------------- rows and cells

@dataclass
class Block:
    """Text rebuilt from OCR lines; ``spans`` maps character ranges back to the lines."""

    text: str = ""
    table: bool = False
    spans: list[tuple[int, int, ocr.OcrLine]] = field(default_factory=list)
    rows: list[tuple[int, int, int]] = field(default_factory=list)   # start, end, row number

    def add(self, piece: str, line: ocr.OcrLine | None) -> None:
        if line is not None and piece:
            self.spans.append((len(self.text), len(self.text) + len(piece), line))
        self.text += piece

    def lines_at(self, start: int, end: int) -> list[ocr.OcrLine]:
        return [ln for s, e, ln in self.spans if s < end and e > start]


def rows_of(image: ocr.OcrImage) -> list[list[ocr.OcrLine]]:
    """Lines grouped into rows (left to right), the scan's skew taken out."""
    def y(ln: ocr.OcrLine) -> float:
        cx, cy = (ln.box[0] + ln.box[2]) / 2, (ln.box[1] + ln.box[3]) / 2
        return cy - image.skew * cx

    items = sorted(image.lines, key=y)
    heights = sorted(ln.box[3] - ln.box[1] for ln in items) or [1]
    tolerance = max(2.0, heights[len(heights) // 2] * 0.5)
    rows: list[list[ocr.OcrLine]] = []
    last = None
    for ln in items:
        if rows and last is not None and y(ln) - last <= tolerance:
            rows[-1].append(ln)
        else:
            rows.append([ln])
        last = sum(y(x) for x in rows[-1]) / len(rows[-1])
    return [sorted(r, key=lambda ln: ln.box[0]) for r in rows]


def _is_header(row: list[ocr.OcrLine]) -> bool:
    if len(row) < 3:
        return False
    words = sum(bool(HEADER_WORDS.search(ln.text)) for ln in row)
    numeric = sum(sum(c.isdigit() for c in ln.text) >= 4 for ln in row)
    return words >= 2 and numeric == 0


def _column(ln: ocr.OcrLine, header: list[ocr.OcrLine], skew: float) -> int:
    """The header column a cell sits under (nearest by centre; the skew shifts x a little)."""
    cx = (ln.box[0] + ln.box[2]) / 2 + skew * (ln.box[1] - header[0].box[1])
    best, dist = 0, float("inf")
    for i, h in enumerate(header):
        if h.box[0] - 4 <= cx <= h.box[2] + 4:
            return i
        d = min(abs(cx - h.box[0]), abs(cx - h.box[2]))
        if d < dist:
            best, dist = i, d
    return best


def layout(image: ocr.OcrImage, fix=normalise) -> list[Block]:
    """Blocks of text: rows outside any table (plain text), and one block per table: its header
    row, then each row with one tab-separated cell per header column. Every header row found
    starts a new table (two lists on one scan)."""
    plain = Block()
    blocks = [plain]
    table: Block | None = None
    header: list[ocr.OcrLine] = []
    for r, row in enumerate(rows_of(image)):
        if _is_header(row):
            header, table = row, Block(table=True)
            blocks.append(table)
        if table is None:
            start = len(plain.text)
            for c, ln in enumerate(row):
                plain.add("\t" if c else "", None)
                plain.add(fix(ln.text), ln)
            plain.rows.append((start, len(plain.text), r))
            plain.add("\n", None)
            continue
        cells: list[list[ocr.OcrLine]] = [[] for _ in header]
        for c, ln in enumerate(row):
            cells[c if row is header else _column(ln, header, image.skew)].append(ln)
        start = len(table.text)
        for c, parts in enumerate(cells):
            table.add("\t" if c else "", None)
            for k, ln in enumerate(parts):
                piece = fix(ln.text)
                if k and not (table.text[-1:].isdigit() and piece[:1].isdigit()):
                    table.add(" ", None)                  # one number split in two boxes is joined
                table.add(piece, ln)
        table.rows.append((start, len(table.text), r))
        table.add("\n", None)
    return [b for b in blocks if b.text.strip()]


def _union(lines: list[ocr.OcrLine]) -> tuple[int, int, int, int]:
    return (min(ln.box[0] for ln in lines), min(ln.box[1] for ln in lines),
            max(ln.box[2] for ln in lines), max(ln.box[3] for ln in lines))


def region(box: tuple[int, int, int, int]) -> str:
    return f"区域({box[0]},{box[1]})-({box[2]},{box[3]})"


def mask_numbers(text: str) -> str:
    """Every run of 7 or more digits masked (身份证 / mobile / card style by length)."""
    def hide(m: re.Match) -> str:
        n = m.group(0)
        if len(n) in (15, 18):
            return mask(ID, n)
        if len(n) == 11:
            return mask(MOBILE, n)
        if len(n) >= 16:
            return mask(CARD, n)
        return n[:2] + "*" * (len(n) - 4) + n[-2:]
    return _LONG_DIGITS_RE.sub(hide, text)


@dataclass(frozen=True)
class OcrPii:
    hit: PiiHit
    image: ocr.OcrImage
    box: tuple[int, int, int, int]
    context: str                     # the hit's row, every number masked


def _row_text(block: Block, pos: int) -> str:
    for s, e, _ in block.rows:
        if s <= pos <= e:
            return block.text[s:e].replace("\t", " ")
    return ""


def pii_hits(image: ocr.OcrImage, ctx: CheckContext) -> list[OcrPii]:
    """PII read in one image: the cells as read, then with split digit groups joined."""
    opts = ctx.opts(KIND, PII_DEFAULTS)
    allow = [str(a) for a in opts.get("allow") or ()]
    near = int(opts["card_context_chars"])
    out: list[OcrPii] = []
    seen: set[tuple[str, str]] = set()
    for fix in (normalise, lambda t: join_groups(normalise(t))):
        for block in layout(image, fix):
            for h in scan_pii(block.text, ctx.as_of, table=block.table, card_context_chars=near):
                if (h.kind, h.number) in seen or _allowed(h, block.text, allow):
                    continue
                lines = block.lines_at(h.start, h.end)
                if not lines:
                    continue
                seen.add((h.kind, h.number))
                out.append(OcrPii(h, image, _union(lines), mask_numbers(_row_text(block, h.start))[:80]))
    return out


def grave_hits(image: ocr.OcrImage, ctx: CheckContext) -> list[tuple[object, tuple[int, int, int, int], str]]:
    """(typos.Hit, box, context) of grave wording errors; wrapped paragraph lines are joined."""
    text, spans = "", []
    prev_single = False
    for row in rows_of(image):
        single = len(row) == 1
        if text and not (single and prev_single):
            text += "\n"
        for c, ln in enumerate(row):
            if c:
                text += " "
            spans.append((len(text), len(text) + len(ln.text), ln))
            text += ln.text
        prev_single = single
    out = []
    for h in scan_text(text, ctx):
        if not h.entry.grave:
            continue
        lines = [ln for s, e, ln in spans if s < h.end and e > h.start]
        if lines:
            out.append((h, _union(lines), mask_numbers(text_context(text, h.start, h.end))))
    return out


# ---------------------------------------------------------------- findings

def _where(images: list[ocr.OcrImage]) -> str:
    first = images[0]
    return f"附件“{first.name}”扫描页" if first.page else f"图片“{first.name}”"


def _place(image: ocr.OcrImage, box) -> str:
    return (f"第{image.page}页 " if image.page else "") + region(box)


def findings_from(images: list[ocr.OcrImage], url: str, page: str, ctx: CheckContext,
                  picture: Callable[[ocr.OcrImage, list], str] | None = None) -> list[CheckFinding]:
    """pii / grave_error findings of one file's OCR result, and pii_unscanned for what was not read.
    ``picture(image, marks)`` may draw the evidence picture of an image with hits (marks: (box,
    is_pii)) and name it; a finding's ``screenshot`` is the picture of its first hit."""
    out: list[CheckFinding] = []
    read = [im for im in images if im.read]
    hits = [h for im in read for h in pii_hits(im, ctx)]
    by_wrong: dict[str, list] = {}
    for im in read:
        for h, box, snippet in grave_hits(im, ctx):
            by_wrong.setdefault(h.entry.wrong, []).append((h, im, box, snippet))
    shots: dict[int, str] = {}
    if picture is not None:
        marks: dict[int, tuple[ocr.OcrImage, list]] = {}
        for h in hits:
            marks.setdefault(id(h.image), (h.image, []))[1].append((h.box, True))
        for items in by_wrong.values():
            for _, im, box, _ in items:
                marks.setdefault(id(im), (im, []))[1].append((box, False))
        shots = {key: picture(im, boxes) for key, (im, boxes) in marks.items()}
    for kind in (ID, MOBILE, CARD):
        items = [h for h in hits if h.hit.kind == kind]
        if not items:
            continue
        first = items[0]
        more = f"等{len(items)}个" if len(items) > 1 else ""
        where = _where(images)
        lines = [f"{h.hit.masked}｜{_place(h.image, h.box)}｜{h.context}" for h in items[:200]]
        out.append(CheckFinding(
            KIND, INDICATOR, url=url, page=page,
            detail=f"{where}中{kind} {first.hit.masked}{more}未脱敏（图片文字识别）",
            snippet=first.context,
            evidence=f"{kind}（{len(items)}个），识别自 {url}：\n" + "\n".join(lines),
            screenshot=shots.get(id(first.image), "")))
    for wrong, items in by_wrong.items():
        entry = items[0][0].entry
        lines = [f"{_place(im, box)}：{snippet}" for _, im, box, snippet in items[:20]]
        out.append(CheckFinding(
            KIND_GRAVE, IND_GRAVE, url=url, page=page,
            detail=f"{_where(images)}中严重表述错误：“{wrong}”应为“{entry.right}”（图片文字识别）",
            snippet=items[0][3],
            evidence=f"出现{len(items)}次，识别自 {url}：\n" + "\n".join(lines),
            screenshot=shots.get(id(items[0][1]), "")))
    for im in images:
        if im.reason:
            out.append(CheckFinding(KIND_UNSCANNED, INDICATOR, url=url, page=page,
                                    detail=f"{im.where}未识别：{im.reason}，请人工查看是否含个人信息"))
    return out


@dataclass
class OcrScan:
    findings: list[CheckFinding]
    images: list[ocr.OcrImage]
    pictures: dict[str, bytes] = field(default_factory=dict)   # evidence pictures by the name findings carry

    @property
    def seconds(self) -> float:
        return sum(im.seconds for im in self.images)


def scan_image(url: str, data: bytes, ctx: CheckContext, limits: ocr.OcrLimits | None = None, *,
               page: str = "", name: str = "", stop: Callable[[], bool] | None = None) -> OcrScan:
    """OCR one downloaded image file or PDF (its pages without a text layer) and check what it
    says: ``pii`` and ``grave_error`` findings with the region of each hit, ``pii_unscanned`` for
    images that could not be read (damaged, too large, over the deadline, engine missing).
    ``page`` is the page that links to the file (defaults to ``url``); ``stop`` is asked between
    the pages of a PDF (a cancelled run)."""
    name = name or file_name(url) or "image"
    images = ocr.read_file(data, name, limits, stop)
    return OcrScan(findings_from(images, url, page or url, ctx), images)


# ---------------------------------------------------------------- beside a check run

def answerable(findings: list[CheckFinding], url: str) -> list[CheckFinding]:
    """The ``pii_unscanned`` findings of the file at ``url`` that OCR can answer (an image, a PDF
    without a text layer); OCR's own findings replace them."""
    return [f for f in findings if f.kind == KIND_UNSCANNED and f.url == url
            and ("图片文件" in f.detail or NO_TEXT_LAYER in f.detail)]


def scan_file(url: str, data: bytes, name: str, page: str, as_of, params: dict,
              limits: ocr.OcrLimits) -> OcrScan:
    """``scan_image`` with plain arguments, for the run's OCR helper process, with an evidence
    picture of each image that has hits (ocr_picture; findings name it in ``screenshot``). The
    images come back without their lines (the findings already hold what matters)."""
    ctx = CheckContext(as_of=as_of, site={}, params=params)
    name = name or file_name(url) or "image"
    images = ocr.read_file(data, name, limits)
    pictures: dict[str, bytes] = {}
    stem = hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]

    def picture(image: ocr.OcrImage, marks: list) -> str:
        png = ocr_picture.draw(data, image, marks)
        if not png:
            return ""
        key = f"ocr-{stem}" + (f"-p{image.page}" if image.page else "") + ".png"
        pictures[key] = png
        return key

    found = findings_from(images, url, page or url, ctx, picture)
    return OcrScan(found, [replace(im, lines=()) for im in images], pictures)


def unread(url: str, name: str, page: str, reason: str) -> list[CheckFinding]:
    """What a file whose OCR was stopped (time, memory, helper crash) leaves: pii_unscanned."""
    return findings_from([ocr.OcrImage(name or file_name(url) or "image", reason=reason)], url, page or url,
                         CheckContext(as_of=None, site={}))
