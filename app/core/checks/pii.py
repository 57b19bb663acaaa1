"""pii, pii_unscanned: unmasked personal data in page text and in attachments.

Flags 18-digit 身份证号 with a valid ISO 7064 MOD 11-2 check digit, a known province code and a
plausible birth date; 15-digit legacy ones with a plausible date; 11-digit mobiles (1[3-9]x, not
inside longer digit runs); Luhn-valid 16–19 digit bank cards only near card words (银行卡/卡号/
账号/开户…), or anywhere in a table whose header row names a card column. Masked forms such as
110101********1234 and 138****1234 never match. Attachments that cannot be read become
``pii_unscanned`` findings (same indicator) so the inspector knows what to open by hand; the
reviewer confirms one if the file does leak data, or marks it 误报 once checked.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from .attachment_text import extract
from .attachments import LIMITS, Unscanned, attachment_name, file_name, type_hint
from .base import CheckContext, CheckFinding, Page
from .budget import TIMEOUT, Budget, ParseAborted
from .html import text_of
from .text import norm, visible

file_name = file_name                # re-exported: the catalog names files it did not download with it

KIND = "pii"
KIND_UNSCANNED = "pii_unscanned"
INDICATOR = "web.ded.publish.privacy"
DEFAULTS = {"allow": [], "card_context_chars": 40, "limits": {}}

ID = "身份证号"
MOBILE = "手机号"
CARD = "银行卡号"

PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                       50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_ID18_RE = re.compile(r"(?<![\d])(\d{17}[\dXx])(?![\dXx])")
_ID15_RE = re.compile(r"(?<![\d])(\d{15})(?!\d)")
_MOBILE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[- ]?)?(1[3-9]\d)([- ]?)(\d{4})\2(\d{4})(?![\d])")
_CARD_RE = re.compile(r"(?<![\d])(\d{16,19}|\d{4}(?: \d{4}){3}(?: \d{1,3})?)(?![\d])")
_HEADER_LINE_RE = re.compile(r"^[^\n]{0,80}$", re.M)
_TABLE_HEAD_RE = re.compile(r"银行卡|卡号|账号|帐号|账户|帐户|身份证|证件号|身份号码|手机|电话|姓名|序号")
_COLUMN_WORDS_RE = re.compile(r"姓名|户名|序号|名称|身份证|手机|电话|金额|地址|村|组")
_RUN_RE = re.compile(r"(?<![\d*])\d{27,80}(?![\d*])")
CARD_WORDS_RE = re.compile(r"银行卡|卡号|账号|帐号|账户|帐户|开户|储蓄卡|信用卡|借记卡|社保卡|银行|收款")


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def _birth(y: int, m: int, d: int, as_of: dt.date) -> bool:
    try:
        born = dt.date(y, m, d)
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= as_of


def valid_id18(number: str, as_of: dt.date | None = None) -> bool:
    """A plausible 18-digit 居民身份证号: province code, birth date, check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if int(number[:2]) not in PROVINCES:
        return False
    if not _birth(int(number[6:10]), int(number[10:12]), int(number[12:14]), as_of or dt.date.today()):
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def valid_id15(number: str) -> bool:
    """A plausible legacy 15-digit number: province code and a 19YYMMDD birth date."""
    if len(number) != 15 or not number.isdigit() or int(number[:2]) not in PROVINCES:
        return False
    return _birth(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), dt.date(1999, 12, 31))


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mask(kind: str, number: str) -> str:
    """身份证号 110101********1234, 手机号 138****1234, 银行卡号 6222*********0123."""
    n = re.sub(r"\D", "", number) if kind != ID else number
    if kind == MOBILE:
        return f"{n[:3]}****{n[-4:]}"
    if kind == ID:
        return f"{n[:6]}{'*' * (len(n) - 10)}{n[-4:]}"
    return f"{n[:4]}{'*' * (len(n) - 8)}{n[-4:]}"


@dataclass(frozen=True, slots=True)
class PiiHit:
    kind: str                        # 身份证号 | 手机号 | 银行卡号
    number: str                      # normalised digits (full: evidence only)
    start: int
    end: int

    @property
    def masked(self) -> str:
        return mask(self.kind, self.number)


def scan_pii(text: str, as_of: dt.date | None = None, *, table: bool = False,
             card_context_chars: int = 40, columns: bool = False) -> list[PiiHit]:
    """PII hits in a text, in order. ``table``: tab-separated rows whose line 1 is a header; a
    header naming a card/account column makes Luhn-valid numbers in that column cards.
    ``columns``: plain text that may hold a table laid out in columns (a PDF's text layer): after
    a header line naming a card column, Luhn-valid numbers are cards."""
    if not text or not any(c.isdigit() for c in text):
        return []
    as_of = as_of or dt.date.today()
    hits: list[PiiHit] = []
    # Characters already claimed by a hit: one byte per character, so a test is as long as the
    # number, not as long as the list of hits (20k numbers took 9 s with a list).
    taken = bytearray(len(text))

    def free(s: int, e: int) -> bool:
        return taken.find(1, s, e) < 0

    def take(s: int, e: int) -> None:
        taken[s:e] = b"\x01" * (e - s)

    for m in _ID18_RE.finditer(text):
        number = m.group(1).upper()
        if valid_id18(number, as_of):
            hits.append(PiiHit(ID, number, *m.span(1)))
            take(*m.span(1))
    card_cols: set[int] = set()
    header_end = 0
    if table:
        # The header is the first of the top lines that names a column (a title row may come first).
        lines = text[:100_000].split("\n", 6)[:6]
        pos = 0
        for line in lines:
            cells = line.split("\t")
            if len(cells) >= 2 and any(len(c) <= 12 and _TABLE_HEAD_RE.search(c) for c in cells):
                card_cols = {i for i, h in enumerate(cells) if len(h) <= 12 and CARD_WORDS_RE.search(h)}
                header_end = pos + len(line)
                break
            pos += len(line) + 1

    def line_before(s: int) -> str:
        """Up to card_context_chars before s, within the same line (and the same table cell)."""
        start = max(0, s - card_context_chars)
        start = max(start, text.rfind("\n", start, s) + 1)
        if table:
            start = max(start, text.rfind("\t", start, s) + 1)
        return text[start:s]

    column = _ColumnIndex(text) if card_cols else None

    def in_card_column(s: int) -> bool:
        if column is None or s <= header_end:
            return False
        return column.of(s) in card_cols

    # Plain text laid out in columns (a PDF table): after a header line naming a card column,
    # Luhn-valid numbers on the rows below are cards.
    card_from = -1
    if columns and not table:
        for m in _HEADER_LINE_RE.finditer(text):
            line = m.group(0)
            if CARD_WORDS_RE.search(line) and _COLUMN_WORDS_RE.search(line) and len(line.split()) >= 3:
                card_from = m.end()
                break
    for m in _CARD_RE.finditer(text):
        s, e = m.span(1)
        number = m.group(1).replace(" ", "")
        if not free(s, e) or not 16 <= len(number) <= 19 or not luhn_ok(number):
            continue
        if in_card_column(s) or (0 <= card_from <= s) or CARD_WORDS_RE.search(line_before(s)):
            hits.append(PiiHit(CARD, number, s, e))
            take(s, e)
    for m in _ID15_RE.finditer(text):
        s, e = m.span(1)
        if free(s, e) and valid_id15(m.group(1)) and not CARD_WORDS_RE.search(line_before(s)) \
                and not in_card_column(s):
            hits.append(PiiHit(ID, m.group(1), s, e))
            take(s, e)
    for m in _MOBILE_RE.finditer(text):
        s, e = m.start(1), m.end(4)
        if free(s, e):
            hits.append(PiiHit(MOBILE, m.group(1) + m.group(3) + m.group(4), s, e))
            take(s, e)
    # Cells that ran together in a PDF's text layer: a long digit run made exactly of numbers.
    for m in _RUN_RE.finditer(text):
        s, e = m.span()
        if free(s, e):
            for kind, offset, length in _split_run(m.group(0), as_of):
                number = m.group(0)[offset:offset + length]
                hits.append(PiiHit(kind, number, s + offset, s + offset + length))
            take(s, e)
    hits.sort(key=lambda h: h.start)
    return hits


class _ColumnIndex:
    """Column (tab count since the line start) of positions in a table text; positions asked in
    rising order cost only the text between them, so a whole scan stays linear."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0                     # text[:pos] is accounted for
        self.col = 0                     # column at pos

    def of(self, s: int) -> int:
        if s < self.pos:                 # asked out of order (another pass): start again
            self.pos, self.col = 0, 0
        text = self.text
        nl = text.rfind("\n", self.pos, s)
        if nl >= 0:
            self.pos, self.col = nl + 1, 0
        self.col += text.count("\t", self.pos, s)
        self.pos = s
        return self.col


def _split_run(run: str, as_of: dt.date) -> list[tuple[str, int, int]]:
    """Split a run of 27+ digits into ID numbers, cards and mobiles covering it exactly (the
    first way found, IDs tried first), else nothing."""
    n = len(run)
    memo: dict[int, list | None] = {}

    def parts_from(i: int) -> list | None:
        if i == n:
            return []
        if i in memo:
            return memo[i]
        memo[i] = None
        options = []
        if i + 18 <= n and valid_id18(run[i:i + 18], as_of):
            options.append((ID, 18))
        for length in (19, 16, 17, 18):
            if i + length <= n and run[i] in "3456" and luhn_ok(run[i:i + length]):
                options.append((CARD, length))
        if i + 11 <= n and run[i] == "1" and run[i + 1] in "3456789":
            options.append((MOBILE, 11))
        for kind, length in options:
            rest = parts_from(i + length)
            if rest is not None:
                memo[i] = [(kind, i, length)] + rest
                break
        return memo[i]

    return parts_from(0) or []


_LONG_DIGITS = re.compile(r"(?<!\d)\d{11,}(?!\d)")


def mask_spans(text: str, as_of: dt.date | None = None, runs: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, masked) for every number that must not be shown in full, in order, not overlapping:
    the PII scanner's hits, then (``runs``) any other run of 11 or more digits (middle starred)."""
    spans = [(h.start, h.end, h.masked) for h in scan_pii(text, as_of or dt.date.today())]
    starts = [s for s, _, _ in spans]            # in order and apart: a bisect finds any overlap
    extra = []
    for m in _LONG_DIGITS.finditer(text if runs else ""):
        i = bisect.bisect_left(starts, m.end())
        if i and spans[i - 1][1] > m.start():
            continue
        n = m.group()
        extra.append((m.start(), m.end(), mask("银行卡号", n) if len(n) > 11 else f"{n[:3]}****{n[-4:]}"))
    return sorted(spans + extra)


def mask_text(text: str, runs: bool = True) -> str:
    """``text`` with every number of mask_spans masked (for report and notice text). For a URL pass
    ``runs=False``: only real 身份证号/手机号/card numbers, so long article ids keep the link usable."""
    out, pos = [], 0
    for s, e, masked in mask_spans(text or "", runs=runs):
        out += [text[pos:s], masked]
        pos = e
    return "".join(out) + (text or "")[pos:]


def masked_window(text: str, start: int, end: int, hits: list[PiiHit], starts: list[int] | None = None) -> str:
    """text[start:end] widened to whole numbers at its edges, every number in it masked.

    ``hits`` are in text order (as scan_pii returns them) and do not overlap; ``starts``, their
    start offsets, may be given when many windows of one text are masked."""
    if starts is None:
        starts = [h.start for h in hits]
    # Hits that may reach into the window start at most one number's length before it.
    lo = bisect.bisect_left(starts, start - _LONGEST)
    hi = bisect.bisect_left(starts, end)
    inside = [h for h in hits[lo:hi] if h.start < end and h.end > start]
    if inside:
        start, end = min(start, inside[0].start), max(end, max(h.end for h in inside))
    out, pos = [], start
    for h in inside:
        out.append(text[pos:h.start])
        out.append(h.masked)
        pos = h.end
    out.append(text[pos:end])
    return "".join(out).replace("\n", " ").replace("\t", " ")


_EVIDENCE_LINES = 200
_LONGEST = 80                        # longest hit (a card written in groups, a split digit run)


def _context(text: str, hit: PiiHit, hits: list[PiiHit], starts: list[int] | None = None) -> str:
    """15 characters either side of a hit, every number in it masked."""
    return masked_window(text, max(0, hit.start - 15), min(len(text), hit.end + 15), hits, starts)


class _Groups:
    """One finding per PII type of one file or page, built hit by hit: the detail shows the first
    number masked and the true count of distinct numbers (``count`` too); evidence has one line per
    number, masked as in the detail, with its context, for the first 200. Only counts and those
    lines are kept, not the texts: a list of a million numbers stays small."""

    def __init__(self):
        self.kinds: dict[str, dict] = {}

    def add(self, h: PiiHit, text: str, hits: list[PiiHit], starts: list[int]) -> None:
        g = self.kinds.get(h.kind)
        if g is None:
            g = self.kinds[h.kind] = {"numbers": set(), "lines": [], "first": None}
        key = int(h.number) if h.number.isdigit() else h.number
        if key in g["numbers"]:
            return
        g["numbers"].add(key)
        if g["first"] is None or len(g["lines"]) < _EVIDENCE_LINES:
            context = _context(text, h, hits, starts)
            if g["first"] is None:
                g["first"] = (h.masked, context)
            if len(g["lines"]) < _EVIDENCE_LINES:
                g["lines"].append(f"{h.masked}｜{context}")

    def add_all(self, hits: list[PiiHit], text: str, keep=lambda h: True) -> None:
        starts = [h.start for h in hits]
        for h in hits:
            if keep(h):
                self.add(h, text, hits, starts)

    def findings(self, url: str, page: str, where: str) -> list[CheckFinding]:
        out = []
        for kind in (ID, MOBILE, CARD):
            g = self.kinds.get(kind)
            if not g:
                continue
            n = len(g["numbers"])
            masked, context = g["first"]
            more = f"等{n}个" if n > 1 else ""
            rest = n - len(g["lines"])
            tail = f"\n…另有{rest}个" if rest else ""
            out.append(CheckFinding(KIND, INDICATOR, url=url, page=page, detail=f"{where}{kind} {masked}{more}未脱敏",
                                    snippet=context, count=n,
                                    evidence=f"{kind}（{n}个）：\n" + "\n".join(g["lines"]) + tail))
        return out


def _allowed(hit: PiiHit, text: str, allow: list[str]) -> bool:
    if not allow:
        return False
    window = text[max(0, hit.start - 15): hit.end + 15]
    return any(a and (a == hit.number or a in window) for a in allow)


def pii(page: Page, ctx: CheckContext) -> list[CheckFinding]:
    """Unmasked ID/mobile/card numbers in an HTML page's visible text or in an attachment's content.

    Attachments (non-HTML pages with ``raw`` bytes) that cannot be read give ``pii_unscanned``
    findings with the reason. The file type comes from the URL's extension or, for download
    URLs without one, from the Content-Disposition file name or the Content-Type
    (``attachments.type_hint``); magic bytes win over all of them.
    """
    opts = ctx.opts(KIND, DEFAULTS)
    allow = [str(a) for a in opts.get("allow") or ()]
    near = int(opts["card_context_chars"])
    if not page.ok:
        return []
    if page.is_html and page.text:
        text = visible(page).text
        found = scan_pii(text, ctx.as_of, card_context_chars=near)
        groups = _Groups()
        groups.add_all(found, text, lambda h: not _allowed(h, text, allow))
        seen = {(h.kind, h.number) for h in found}
        for table_text in html_tables(page):
            in_table = scan_pii(table_text, ctx.as_of, table=True, card_context_chars=near)
            fresh = [h for h in in_table if (h.kind, h.number) not in seen and not _allowed(h, table_text, allow)]
            seen.update((h.kind, h.number) for h in fresh)
            fresh_ids = {id(h) for h in fresh}
            groups.add_all(in_table, table_text, lambda h: id(h) in fresh_ids)
        return groups.findings(page.url, page.url, "")
    linking = page.referrer or page.url
    # A download URL without an extension (/download.jsp?id=1) names its file in the
    # Content-Disposition header or only says what it is in the Content-Type.
    name = attachment_name(page)
    kind = type_hint(page)
    limits = dict(LIMITS)
    limits.update(opts.get("limits") or {})
    if page.raw:
        raw = page.raw
    elif page.text:                              # a text/plain or text/csv body the fetcher decoded
        raw = page.text.encode("utf-8")
    elif page.purpose == "page" and not kind:
        return []                                # no file: an empty answer or a program download
    else:
        return [_unscanned(page.url, linking, f"附件“{name}”", "未下载文件内容（可能超过下载大小上限）")]
    args = (raw, name, page.content_type, kind, page.url, linking, ctx.as_of, near, allow, limits)
    if ctx.isolate is None:
        return scan_attachment(*args)
    try:                                         # in a helper process with a hard time and memory limit
        return ctx.isolate(f"{__name__}:scan_attachment", *args)
    except ParseAborted as exc:
        return [_unscanned(page.url, linking, f"附件“{name}”", exc.reason)]


def _unscanned(url: str, linking: str, what: str, reason: str) -> CheckFinding:
    return CheckFinding(KIND_UNSCANNED, INDICATOR, url=url, page=linking,
                        detail=f"{what}未扫描：{reason}，请人工查看是否含个人信息")


def scan_attachment(raw: bytes, name: str, content_type: str, kind: str, url: str, linking: str,
                    as_of: dt.date, near: int, allow: list[str], limits: dict) -> list[CheckFinding]:
    """Findings of one attachment: its text read under ``limits`` (attachment_text.extract), then
    scanned; what could not be read becomes ``pii_unscanned``. Pure: safe to run in a helper process."""
    budget = Budget.from_limits(limits)
    result = extract(raw, name, content_type, limits, kind=kind, budget=budget)
    del raw
    by_file: dict[str, _Groups] = {}
    for n, seg in enumerate(result.segments):
        if budget.expired and n:
            result.unscanned.append(Unscanned(seg.name, f"{TIMEOUT}，部分内容未扫描"))
            break
        found = scan_pii(seg.text, as_of, table=seg.table, card_context_chars=near, columns=True)
        if found:
            by_file.setdefault(seg.name, _Groups()).add_all(found, seg.text, lambda h: not _allowed(h, seg.text, allow))
        result.segments[n] = None                       # its text is no longer needed
    findings: list[CheckFinding] = []
    for file_key, groups in by_file.items():
        findings.extend(groups.findings(url, linking, _where(name, file_key) + "中"))
    for u in dict.fromkeys(result.unscanned):
        findings.append(_unscanned(url, linking, _where(name, u.name), u.reason))
    return findings


_HEAD_RE = re.compile(CARD_WORDS_RE.pattern + r"|身份证|证件号|手机|电话")


def html_tables(page: Page) -> list[str]:
    """Tables of an HTML page whose header row names a number column (银行卡号, 身份证号 …), as
    tab-separated rows from the header on (the form ``scan_pii(table=True)`` reads)."""
    out = []
    for table in page.tree.iter("table"):
        rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
        for i, tr in enumerate(rows[:3]):
            cells = [norm(text_of(c, " ")) for c in tr if c.tag in ("td", "th")]
            if 2 <= len(cells) <= 30 and any(len(c) <= 12 and _HEAD_RE.search(c) for c in cells):
                lines = ["\t".join(cells)]
                for row in rows[i + 1:]:
                    lines.append("\t".join(norm(text_of(c, " ")) for c in row if c.tag in ("td", "th")))
                out.append("\n".join(lines))
                break
    return out


def _where(name: str, inner: str) -> str:
    """附件“a.zip” or 附件“a.zip”内“b.xlsx” (inner is "a.zip/b.xlsx" for archive entries)."""
    if inner == name or not inner.startswith(name + "/"):
        return f"附件“{inner}”"
    return f"附件“{name}”内“{inner[len(name) + 1:]}”"
