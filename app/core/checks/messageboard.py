"""message_unanswered: message lists (留言/信箱/咨询/互动) with overdue or stale answers.

Per page, ``extract(page, ctx)`` reads the rows of a message list: tables with 留言时间 and
答复时间/状态 columns, or rows labelled 留言时间：… 答复时间：… 状态：已回复. At the end of a
site, ``message_findings`` judges them: a message left unanswered for more than 90 days whose
overdue time overlaps the 12 months before 监测时间点 (still unanswered, or answered within
those 12 months, however long ago it was asked) proposes web.veto.interaction_poor.c2; no
answer at all in the last 60 days is a deduction candidate (web.ded.interaction.messages.r1).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urljoin

from .base import CheckContext, CheckFinding, CheckNote, Findings, Page
from .dates import anchor_title, find_dates
from .html import NO_TEXT, first, text_of
from .text import breadcrumb, norm, visible

KIND = "message_unanswered"
IND_VETO = "web.veto.interaction_poor.c2"
IND_STALE = "web.ded.interaction.messages.r1"
DEFAULTS = {"overdue_days": 90, "window_days": 365, "stale_days": 60,
            "excluded_words": ["在线访谈", "访谈", "调查", "征集", "信访", "纪检", "举报"]}

PAGE_RE = re.compile(r"留言|信箱|咨询|互动|来信|诉求|问政|建言|民意|12345")
ASK_RE = re.compile(r"(?:留言|提问|来信|咨询|提交|写信|诉求|投诉)(?:时间|日期)")
ANSWER_RE = re.compile(r"(?:答复|回复|办结|处理|反馈)(?:时间|日期)")
STATUS_HEAD_RE = re.compile(r"状态|办理情况|(?:回复|答复|处理)情况|办理结果|是否(?:答复|回复)")
TITLE_HEAD_RE = re.compile(r"标题|主题|事项|内容")
ANSWERED_RE = re.compile(r"已(?:回复|答复|办结|处理|办理|反馈|公开)|已回|(?<![未待不没])办结")
PENDING_RE = re.compile(r"未(?:回复|答复|办结|处理|办理)|待(?:回复|答复|处理|办理)|办理中|处理中|受理中|正在办理|转办中|"
                        r"已(?:受理|转办|交办)")
_ROW_ASK_RE = re.compile(ASK_RE.pattern + r"\s*[:：]\s*(\S[^\n]{0,30})")
_ROW_ANSWER_RE = re.compile(ANSWER_RE.pattern + r"\s*[:：]\s*(\S[^\n]{0,30})?")


@dataclass(frozen=True)
class Message:
    title: str
    url: str                         # detail page when linked, else the list page
    asked: dt.date | None
    answered: dt.date | None
    status: str                      # 已回复 / 未回复 / 办理中 / ''
    pending: bool                    # the list says it is not answered yet


@dataclass(frozen=True)
class MessagePage:
    url: str
    title: str
    messages: tuple[Message, ...]
    has_answer_column: bool


def _first_date(text: str, as_of: dt.date) -> dt.date | None:
    found = find_dates(text, as_of)
    return found[0].date if found else None


def _cells(tr) -> list:
    return [c for c in tr if c.tag in ("td", "th")] or [c for c in tr.iter("td", "th")]


def _table_rows(page: Page, table, as_of: dt.date) -> tuple[list[Message], bool] | None:
    rows = [tr for tr in table.iter("tr")]
    for h_index, tr in enumerate(rows[:3]):
        heads = [norm(text_of(c, " ")) for c in _cells(tr)]
        ask = next((i for i, h in enumerate(heads) if ASK_RE.search(h)), None)
        answer = next((i for i, h in enumerate(heads) if ANSWER_RE.search(h)), None)
        status = next((i for i, h in enumerate(heads) if STATUS_HEAD_RE.search(h)), None)
        if ask is None or (answer is None and status is None):
            continue
        title_col = next((i for i, h in enumerate(heads) if TITLE_HEAD_RE.search(h)), None)
        out = []
        for tr2 in rows[h_index + 1:]:
            cells = _cells(tr2)
            if len(cells) <= ask:
                continue
            texts = [norm(text_of(c, " ")) for c in cells]
            asked = _first_date(texts[ask], as_of)
            if asked is None:
                continue
            answered = _first_date(texts[answer], as_of) if answer is not None and answer < len(texts) else None
            st = texts[status] if status is not None and status < len(texts) else ""
            a = first(tr2, "a", "href")
            if a is not None:
                title = anchor_title(a)
            else:
                title = texts[title_col] if title_col is not None and title_col < len(texts) else ""
            url = urljoin(page.url, a.get("href")) if a is not None else page.url
            out.append(Message(title, url, asked, answered, st, bool(PENDING_RE.search(st)) and answered is None))
        return out, answer is not None
    return None


_ROW_TAGS = ("li", "tr", "dl", "dd", "div", "p")


def _labels(root):
    """Elements holding a 留言时间-like label in their own text (or after a child, as its tail)."""
    for el in root.iter():
        if el.text and el.tag not in NO_TEXT and ASK_RE.search(el.text):
            yield el
        if el.tail and ASK_RE.search(el.tail):
            parent = el.getparent()
            if parent is not None:
                yield parent


def _message_row(label):
    """The largest element around a 留言时间 label that holds no other message and links to one
    place at most (a card, a dl, a row; not a detail page with its breadcrumb), at most 600
    characters of text."""
    row = label
    node = label.getparent()
    while node is not None and node.tag not in ("body", "html"):
        text = text_of(node, " ")
        if len(text) > 600 or len(ASK_RE.findall(text)) > 1:
            break
        if len({a.get("href") for a in node.iter("a") if a.get("href")}) > 1:
            break
        row, node = node, node.getparent()
    return row


def _labelled_rows(page: Page, as_of: dt.date) -> tuple[list[Message], bool]:
    """Rows such as <li>标题 留言时间：2025-01-02 答复时间：2025-01-09 状态：已回复</li>, cards and
    definition lists (<dl><dt>标题</dt><dd>提问日期：…</dd><dd>办理状态：…</dd></dl>)."""
    out, has_answer = [], False
    seen: set = set()                      # elements, not id(): lxml proxies live only while referenced
    for label in _labels(page.tree):
        el = _message_row(label)
        if el in seen:
            continue
        seen.add(el)
        text = norm(text_of(el, " "))
        if len(text) > 600:
            continue
        m = _ROW_ASK_RE.search(text)
        asked = _first_date(m.group(1), as_of) if m else None
        if asked is None:
            continue
        am = _ROW_ANSWER_RE.search(text)
        answered = _first_date(am.group(1) or "", as_of) if am else None
        has_answer = has_answer or am is not None
        status_m = PENDING_RE.search(text) or ANSWERED_RE.search(text)
        st = status_m.group(0) if status_m else ""
        a = first(el, "a", "href")
        title = anchor_title(a) if a is not None else text[:40]
        url = urljoin(page.url, a.get("href")) if a is not None else page.url
        out.append(Message(title, url, asked, answered, st, bool(PENDING_RE.search(st)) and answered is None))
    return out, has_answer


def _detail_message(page: Page, as_of: dt.date) -> Message | None:
    """A message's own page: its question date, answer date and status anywhere in the main text
    (the answer sits in a box of its own), titled by its heading."""
    text = "\n".join(ln.text for ln in visible(page).lines if not ln.nav and not ln.footer)
    if len(ASK_RE.findall(text)) != 1:
        return None
    m = _ROW_ASK_RE.search(text)
    asked = _first_date(m.group(1), as_of) if m else None
    if asked is None:
        return None
    am = _ROW_ANSWER_RE.search(text)
    answered = _first_date(am.group(1) or "", as_of) if am else None
    status_m = PENDING_RE.search(text) or ANSWERED_RE.search(text)
    st = status_m.group(0) if status_m else ""
    heading = next((norm(text_of(h, " ")) for h in page.tree.iter("h1", "h2") if norm(text_of(h, " "))), "")
    title = heading or re.split(r"[_|－—-]", visible(page).title)[0].strip()
    return Message(title, page.url, asked, answered, st, bool(PENDING_RE.search(st)) and answered is None)


def extract(page: Page, ctx: CheckContext) -> MessagePage | None:
    """The messages listed on a page, or None when it is not a message list."""
    if not page.text or not page.is_html or not page.ok:
        return None
    opts = ctx.opts(KIND, DEFAULTS)
    vis = visible(page)
    if not ASK_RE.search(vis.text):            # cheap gate: a message list shows when messages came in
        return None
    crumbs = " ".join(breadcrumb(page))
    where = f"{vis.title} {crumbs} {page.anchor}"
    if not (PAGE_RE.search(where) or PAGE_RE.search(page.url) or
            any(PAGE_RE.search(ln.text) for ln in vis.lines[:60] if len(ln.text) < 30 and not ln.nav)):
        return None
    if any(w and w in f"{vis.title} {crumbs}" for w in opts["excluded_words"]):
        return None
    messages: list[Message] = []
    has_answer = False
    for table in page.tree.iter("table"):
        parsed = _table_rows(page, table, ctx.as_of)
        if parsed:
            messages.extend(parsed[0])
            has_answer = has_answer or parsed[1]
    if not messages:
        messages, has_answer = _labelled_rows(page, ctx.as_of)
        if len(messages) == 1 and messages[0].url == page.url:
            detail = _detail_message(page, ctx.as_of)     # one message on its own page
            if detail is not None:
                messages, has_answer = [detail], detail.answered is not None or has_answer
    if not messages:
        return None
    return MessagePage(page.url, vis.title, tuple(messages), has_answer)


def message_findings(pages: Iterable[MessagePage | None], ctx: CheckContext) -> Findings:
    """Veto candidates for overdue messages, a deduction candidate when answers went stale."""
    opts = ctx.opts(KIND, DEFAULTS)
    overdue, window, stale_days = int(opts["overdue_days"]), int(opts["window_days"]), int(opts["stale_days"])
    start = ctx.as_of - dt.timedelta(days=window)
    out = Findings()
    newest_answer: tuple[dt.date, Message, str] | None = None
    any_messages = any_answer_column = False
    # One message may be listed on its board and shown on its own page: merged by (url, asked),
    # the board's title kept, an answer date or a pending status taken from either.
    merged: dict[tuple, tuple[Message, MessagePage]] = {}
    for mp in pages:
        if mp is None:
            continue
        any_messages = True
        any_answer_column = any_answer_column or mp.has_answer_column
        for m in mp.messages:
            key = (m.url, m.asked)
            prev = merged.get(key)
            if prev is None:
                merged[key] = (m, mp)
            elif (m.answered and not prev[0].answered) or (m.pending and not prev[0].pending and not prev[0].answered):
                merged[key] = (Message(prev[0].title or m.title, m.url, m.asked, m.answered, m.status, m.pending),
                               prev[1])
    for m, mp in merged.values():
        if m.answered and (newest_answer is None or m.answered > newest_answer[0]):
            newest_answer = (m.answered, m, mp.url)
        if m.asked is None or m.asked > ctx.as_of:
            continue
        label = f"留言“{m.title[:40]}”" if m.title else "留言"
        if m.answered is not None:
            took = (m.answered - m.asked).days
            # Counted when the overdue time (from day 91 to the answer) reaches into the window.
            if took > overdue and m.answered >= start:
                out.append(CheckFinding(
                    KIND, IND_VETO, url=m.url, page=mp.url,
                    detail=f"{label}（留言时间 {m.asked.isoformat()}，答复时间 {m.answered.isoformat()}）"
                           f"答复用时{took}天，超过3个月",
                    snippet=m.title[:100], evidence=f"状态：{m.status or '—'}"))
        elif m.pending or (not ANSWERED_RE.search(m.status) and mp.has_answer_column):
            age = (ctx.as_of - m.asked).days
            if age > overdue:
                out.append(CheckFinding(
                    KIND, IND_VETO, url=m.url, page=mp.url,
                    detail=f"{label}（留言时间 {m.asked.isoformat()}）截至监测时间点已{age}天未答复，超过3个月",
                    snippet=m.title[:100], evidence=f"状态：{m.status or '未显示答复'}"))
    if not any_messages:
        return out
    if newest_answer is None:
        if any_answer_column:
            out.append(CheckFinding(KIND, IND_STALE, url=str((ctx.site or {}).get("url") or ""),
                                    detail="留言栏目未发现任何答复，监测时间点前2个月内无留言答复"))
        else:
            out.notes.append(CheckNote(KIND, "留言列表未显示答复时间，无法判断近2个月是否有答复，请人工查看"))
        return out
    date, m, list_url = newest_answer
    if (ctx.as_of - date).days > stale_days:
        out.append(CheckFinding(
            KIND, IND_STALE, url=list_url, page=list_url,
            detail=f"留言栏目最近一次答复日期 {date.isoformat()}，监测时间点前2个月内无新的留言答复",
            snippet=m.title[:100]))
    return out


def message_unanswered(pages: Iterable[Page], ctx: CheckContext) -> Findings:
    """Convenience for tests and small runs: extract from every page, then judge."""
    return message_findings((extract(p, ctx) for p in pages), ctx)
