"""整改 (rectification): notices per unit from a round's confirmed findings, item status and
feedback, 复核 (automatic re-fetch or by hand), and the exports (整改台账, 整改通知单).

One notice per (round, 主办单位 = the target's unit_name); one item per confirmed finding.
Works on closed rounds too: rectification follows the round's close.

复核 rules (``recheck_round``), per item with an http(s) link (items marked 无需整改 are left alone):
* no response (DNS, refused, timeout) → 无法访问;
* link-type problems (broken links, unreachable, failed menus): 2xx/3xx now → 已整改, else 未整改;
* wording problems: the wrong text still on the page → 未整改; gone → 需人工复核 (the page may
  have moved);
* anything else → 需人工复核 (noted in recheck_note, result left empty).
Items without a link need ``record_recheck`` by hand. rounds.py reads the results for 回头看.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path

import sqlite_utils

from ..checks.pii import mask_text
from ..crawl import linkcheck
from ..errors import ValidationError
from ..office.names import safe_filename, xml_text
from ..registry.validation import BadValue, date as parse_date
from ..rounds.findings import IndicatorIndex
from ..rounds.rounds import get_round
from ..store import audit
from ..store.db import get_setting, transaction
from .workdays import (WorkCalendar, as_date, calendar_note, load_calendar, set_setting_workdays,
                       setting_workdays)

ITEM_STATUSES = ["待整改", "已整改", "无需整改"]
RECHECK_RESULTS = ["已整改", "未整改", "无法访问"]
NEEDS_MANUAL = "需人工复核"
DEADLINE_SETTING = "rectify.deadline_workdays"
DEFAULT_DEADLINE_WORKDAYS = 10
ISSUER_SETTING = "office_name"
NO_UNIT = "（未填主办单位）"
LINK_KINDS = {"broken_link", "dead_link", "error_link", "unreachable", "menu_broken", "media.menu_broken"}
LINK_INDICATORS = ("web.ded.function.availability", "web.veto.unreachable", "nm.issue.menu_broken")
TEXT_KINDS = {"typo", "media.typo", "grave_typo", "wording"}
TEXT_INDICATORS = ("web.ded.publish.accuracy", "web.veto.security.c1", "nm.issue.typo", "nm.veto.security.c1")


@dataclass(frozen=True)
class RectifyItem:
    id: int
    notice_id: int
    finding_id: int
    status: str                      # 待整改/已整改/无需整改 (the unit's answer)
    feedback: str
    recheck_result: str              # 已整改/未整改/无法访问 or ''
    rechecked_at: str | None
    recheck_note: str
    updated_at: str
    # From the finding and its target.
    target_id: int = 0
    target_type: str = ""
    target_key: str = ""
    target_name: str = ""
    target_url: str = ""
    platform: str = ""
    region_name: str = ""
    unit_name: str = ""
    indicator_id: str = ""
    kind: str = ""
    url: str = ""
    page: str = ""
    detail: str = ""
    snippet: str = ""
    evidence_text: str = ""
    screenshot_path: str = ""
    count: int = 1
    detected_at: str = ""
    finding_status: str = ""

    @property
    def is_link_problem(self) -> bool:
        return self.kind in LINK_KINDS or _under(self.indicator_id, LINK_INDICATORS)

    @property
    def is_text_problem(self) -> bool:
        return self.kind in TEXT_KINDS or _under(self.indicator_id, TEXT_INDICATORS)

    @property
    def recheck_url(self) -> str:
        """The URL 复核 fetches ('' → by hand).

        Link problems: the broken target itself (never the page that links to it, which
        would answer 200 and look fixed); a site's homepage for 站点无法访问. Other
        problems: the page they were seen on, else their URL, else the site's homepage.
        """
        home = self.target_url if self.target_type == "site" and linkcheck.is_http(self.target_url) else ""
        if self.is_link_problem:
            if linkcheck.is_http(self.url):
                return self.url
            return home if (self.kind == "unreachable" or _under(self.indicator_id, ("web.veto.unreachable",))) else ""
        for u in (self.page, self.url):
            if linkcheck.is_http(u):
                return u
        return home

    @property
    def open(self) -> bool:
        """Still to fix: a recheck result wins over the unit's own status (as in 回头看)."""
        if self.recheck_result:
            return self.recheck_result != "已整改"
        return self.status == "待整改"


def _under(item_id: str, ids: tuple[str, ...]) -> bool:
    return any(item_id == i or item_id.startswith(i + ".") for i in ids)


@dataclass(frozen=True)
class Notice:
    id: int
    round_id: int
    unit_name: str
    issued_on: str
    deadline: str
    notes: str
    created_at: str
    items: tuple[RectifyItem, ...] = ()

    @property
    def open_count(self) -> int:
        return sum(1 for i in self.items if i.open)


@dataclass
class CreateResult:
    notices: list[Notice] = field(default_factory=list)
    created: int = 0                 # new notices
    items_added: int = 0
    unconfirmed_years: list[int] = field(default_factory=list)

    @property
    def calendar_note(self) -> str:
        return calendar_note(self.unconfirmed_years)


@dataclass(frozen=True)
class RecheckOutcome:
    item_id: int
    target_name: str
    url: str
    result: str                      # 已整改/未整改/无法访问, or '' (需人工复核)
    note: str
    http_status: int | None = None


@dataclass
class RecheckSummary:
    outcomes: list[RecheckOutcome] = field(default_factory=list)
    manual: list[RectifyItem] = field(default_factory=list)     # no link: 复核 by hand
    skipped: list[RectifyItem] = field(default_factory=list)    # 无需整改

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def undecided(self) -> int:
        return self.count("")


# ---------------------------------------------------------------- settings

def deadline_workdays(db: sqlite_utils.Database) -> int:
    """Working days for 整改 (setting rectify.deadline_workdays, default 10)."""
    return setting_workdays(db, DEADLINE_SETTING, DEFAULT_DEADLINE_WORKDAYS)


def set_deadline_workdays(db: sqlite_utils.Database, days: int) -> None:
    set_setting_workdays(db, DEADLINE_SETTING, days, "整改期限")


# ---------------------------------------------------------------- reading

_ITEM_SQL = """
    SELECT ri.*, f.target_id, t.target_type, t.target_key, t.name AS target_name, t.url AS target_url,
           t.platform, t.region_name, t.unit_name, f.indicator_id, f.kind, f.url, f.page, f.detail, f.snippet,
           f.evidence_text, f.count, f.detected_at, f.status AS finding_status,
           -- the inspector's own file, else the newest screenshot drawn from the kept page (a closed
           -- round's findings are not edited; the evidence row holds it)
           COALESCE(NULLIF(f.screenshot_path, ''), (SELECT e.path FROM evidence e WHERE e.finding_id = f.id
                    AND e.kind = 'screenshot' ORDER BY e.id DESC LIMIT 1), '') AS screenshot_path
    FROM rectify_items ri
    JOIN findings f ON f.id = ri.finding_id
    JOIN round_targets t ON t.id = f.target_id
    JOIN rectify_notices n ON n.id = ri.notice_id"""
_ITEM_FIELDS = {f.name for f in fields(RectifyItem)}


def _items(db: sqlite_utils.Database, where: str, args) -> list[RectifyItem]:
    cur = db.conn.execute(f"{_ITEM_SQL} WHERE {where} ORDER BY n.id, t.sort_order, t.id, f.id", args)
    cols = [c[0] for c in cur.description]
    return [RectifyItem(**{k: v for k, v in zip(cols, r) if k in _ITEM_FIELDS}) for r in cur.fetchall()]


def list_notices(db: sqlite_utils.Database, round_id: int) -> list[Notice]:
    """The round's notices (unit registry order where known, else name) with their items."""
    items: dict[int, list[RectifyItem]] = {}
    for it in _items(db, "n.round_id = ?", (round_id,)):
        items.setdefault(it.notice_id, []).append(it)
    cur = db.conn.execute(
        """SELECT n.id, n.round_id, n.unit_name, n.issued_on, n.deadline, n.notes, n.created_at
           FROM rectify_notices n LEFT JOIN units u ON u.name = n.unit_name
           WHERE n.round_id = ? ORDER BY COALESCE(u.sort_order, 1e9), n.unit_name, n.id""", (round_id,))
    return [Notice(*r, items=tuple(items.get(r[0], ()))) for r in cur.fetchall()]


def get_item(db: sqlite_utils.Database, item_id: int) -> RectifyItem:
    rows = _items(db, "ri.id = ?", (item_id,))
    if not rows:
        raise ValidationError({"整改事项": f"编号 {item_id} 不存在"})
    return rows[0]


# ---------------------------------------------------------------- creating notices

def create_notices(db: sqlite_utils.Database, round_id: int, issued_on=None, days: int | None = None,
                   who: str | None = None, calendar: WorkCalendar | None = None) -> CreateResult:
    """One 整改通知 per unit for the round's confirmed findings; deadline = ``days`` working days
    after ``issued_on`` (default today and the setting, 10).

    Running again adds items for findings confirmed since, to the unit's existing notice
    (whose dates stay as issued), and never duplicates an item.
    """
    get_round(db, round_id)                       # raises when the round does not exist
    problems = {}
    try:
        issued = parse_date(issued_on) or dt.date.today().isoformat()
    except BadValue as exc:
        problems["通知日期"] = str(exc)
    if days is not None and (not isinstance(days, int) or days < 1):
        problems["整改期限"] = "应为不小于1的整数（工作日）"
    if problems:
        raise ValidationError(problems)
    days = days or deadline_workdays(db)
    cal = calendar or load_calendar()
    deadline = cal.add_workdays(issued, days).isoformat()
    result = CreateResult(unconfirmed_years=cal.unconfirmed_years(issued, deadline))
    who = who or audit.current_user(db)
    at = audit.now()
    with transaction(db):
        rows = db.conn.execute(
            """SELECT f.id, t.unit_name FROM findings f JOIN round_targets t ON t.id = f.target_id
               LEFT JOIN rectify_items ri ON ri.finding_id = f.id
               WHERE f.round_id = ? AND f.status = '确认' AND ri.id IS NULL
               ORDER BY t.sort_order, t.id, f.id""", (round_id,)).fetchall()
        notice_ids = {u: i for i, u in db.conn.execute(
            "SELECT id, unit_name FROM rectify_notices WHERE round_id = ?", (round_id,)).fetchall()}
        log = []
        for finding_id, unit in rows:
            unit = unit or NO_UNIT
            if unit not in notice_ids:
                cur = db.conn.execute(
                    "INSERT INTO rectify_notices(round_id, unit_name, issued_on, deadline, notes, created_at)"
                    " VALUES (?, ?, ?, ?, '', ?)", (round_id, unit, issued, deadline, at))
                notice_ids[unit] = cur.lastrowid
                result.created += 1
                log.append(("rectify_notices", cur.lastrowid, "insert", None,
                            {"round_id": round_id, "unit_name": unit, "issued_on": issued, "deadline": deadline,
                             "workdays": days}))
            cur = db.conn.execute(
                "INSERT INTO rectify_items(notice_id, finding_id, status, updated_at) VALUES (?, ?, '待整改', ?)",
                (notice_ids[unit], finding_id, at))
            log.append(("rectify_items", cur.lastrowid, "insert", None,
                        {"notice_id": notice_ids[unit], "finding_id": finding_id}))
            result.items_added += 1
        audit.log_many(db, log, who)
    result.notices = list_notices(db, round_id)
    return result


def set_notice_dates(db: sqlite_utils.Database, notice_id: int, issued_on=None, deadline=None,
                     who: str | None = None) -> None:
    """Correct a notice's 通知日期 and/or 整改期限 by hand."""
    row = db.conn.execute("SELECT issued_on, deadline FROM rectify_notices WHERE id = ?", (notice_id,)).fetchone()
    if row is None:
        raise ValidationError({"整改通知": f"编号 {notice_id} 不存在"})
    problems, new = {}, {}
    for key, label, value in (("issued_on", "通知日期", issued_on), ("deadline", "整改期限", deadline)):
        if value is not None:
            try:
                new[key] = parse_date(value, required=True)
            except BadValue as exc:
                problems[label] = str(exc)
    merged = {"issued_on": row[0], "deadline": row[1], **new}
    if not problems and merged["deadline"] < merged["issued_on"]:
        problems["整改期限"] = f"整改期限 {merged['deadline']} 早于通知日期 {merged['issued_on']}"
    if problems:
        raise ValidationError(problems)
    if new:
        with transaction(db):
            db.conn.execute(f"UPDATE rectify_notices SET {', '.join(f'{k} = ?' for k in new)} WHERE id = ?",
                            [*new.values(), notice_id])
            audit.log(db, "rectify_notices", notice_id, "update",
                      {k: v for k, v in zip(("issued_on", "deadline"), row) if k in new}, new, who)


# ---------------------------------------------------------------- item updates

def update_item(db: sqlite_utils.Database, item_id: int, status: str | None = None, feedback: str | None = None,
                who: str | None = None) -> RectifyItem:
    """Record the unit's answer: 待整改/已整改/无需整改 and/or its feedback text."""
    if status is not None and status not in ITEM_STATUSES:
        raise ValidationError({"整改状态": f"未知的状态“{status}”，应为：{'、'.join(ITEM_STATUSES)}"})
    item = get_item(db, item_id)
    new = {}
    if status is not None and status != item.status:
        new["status"] = status
    if feedback is not None and feedback.strip() != item.feedback:
        new["feedback"] = feedback.strip()
    if new:
        with transaction(db):
            db.conn.execute(f"UPDATE rectify_items SET {', '.join(f'{k} = ?' for k in new)}, updated_at = ?"
                            " WHERE id = ?", [*new.values(), audit.now(), item_id])
            audit.log(db, "rectify_items", item_id, "update", {k: getattr(item, k) for k in new}, new, who)
    return get_item(db, item_id)


def record_recheck(db: sqlite_utils.Database, item_id: int, result: str, note: str = "", at: str | None = None,
                   who: str | None = None) -> RectifyItem:
    """Manual 复核: 已整改/未整改/无法访问 with a note ('' clears the result)."""
    if result not in RECHECK_RESULTS and result != "":
        raise ValidationError({"复核结果": f"未知的结果“{result}”，应为：{'、'.join(RECHECK_RESULTS)}"})
    item = get_item(db, item_id)
    who = who or audit.current_user(db)
    at = at or audit.now()
    note = (note or "").strip() or (f"人工复核（{who}）" if result else "")
    with transaction(db):
        _write_recheck(db, [(item, result, note, None)], at, who, "recheck_manual")
    return get_item(db, item_id)


def _write_recheck(db: sqlite_utils.Database, rows: list[tuple[RectifyItem, str, str, linkcheck.FetchOutcome | None]],
                   at: str, who: str, action: str) -> None:
    log = []
    for item, result, note, outcome in rows:
        db.conn.execute("UPDATE rectify_items SET recheck_result = ?, rechecked_at = ?, recheck_note = ?,"
                        " updated_at = ? WHERE id = ?", (result, at if result or note else None, note, at, item.id))
        log.append(("rectify_items", item.id, action,
                    {"recheck_result": item.recheck_result, "rechecked_at": item.rechecked_at,
                     "recheck_note": item.recheck_note},
                    {"recheck_result": result, "rechecked_at": at, "recheck_note": note}))
        if outcome is not None:
            # 留痕: what the re-fetch saw, tied to the finding.
            db.conn.execute(
                "INSERT INTO evidence(round_id, target_id, finding_id, kind, url, http_status, fetched_at, elapsed,"
                " note) SELECT f.round_id, f.target_id, f.id, 'page', ?, ?, ?, ?, ? FROM findings f WHERE f.id = ?",
                (outcome.url, outcome.status, outcome.fetched_at or at, outcome.elapsed,
                 f"整改复核：{outcome.describe()}", item.finding_id))
    audit.log_many(db, log, who)


# ---------------------------------------------------------------- automatic 复核

def decide(item: RectifyItem, outcome: linkcheck.FetchOutcome) -> tuple[str, str]:
    """(recheck_result, note) for an item from a fresh fetch of its recheck_url ('' = 需人工复核)."""
    if not outcome.responded:
        return "无法访问", f"复核时无法访问 {outcome.url}：{outcome.error or '无响应'}"
    if item.is_link_problem:
        if outcome.ok:
            return "已整改", f"复核：{outcome.url} 现可访问（HTTP {outcome.status}）"
        return "未整改", f"复核：{outcome.url} 仍无法正常打开（HTTP {outcome.status}{'，' + outcome.error if outcome.error else ''}）"
    if item.is_text_problem and item.snippet and outcome.ok and outcome.text:
        if item.snippet in outcome.text:
            return "未整改", f"复核：页面 {outcome.url} 仍含“{item.snippet}”"
        return "", f"{NEEDS_MANUAL}：原错误文字“{item.snippet}”已不在页面上，请人工确认是否已更正"
    if not outcome.ok:
        return "", f"{NEEDS_MANUAL}：页面返回 HTTP {outcome.status}，可能已删除或迁移"
    return "", f"{NEEDS_MANUAL}：页面可访问（HTTP {outcome.status}），此类问题需人工确认"


def recheck_round(db: sqlite_utils.Database, round_id: int, fetch=None, who: str | None = None,
                  cancel=None, progress=None) -> RecheckSummary:
    """Re-fetch the links of every item of the round and record the results (see module rules).

    Fetching happens outside any transaction (worker thread, its own connection); results are
    written in one short transaction at the end. An undecided item keeps an earlier manual
    result and only gets a 需人工复核 note when it has none. ``cancel`` (jobs.CancelToken):
    a cancelled recheck raises jobs.Cancelled and writes nothing.
    """
    summary = RecheckSummary()
    todo: list[RectifyItem] = []
    for it in _items(db, "n.round_id = ?", (round_id,)):
        if it.status == "无需整改":
            summary.skipped.append(it)
        elif it.recheck_url:
            todo.append(it)
        else:
            summary.manual.append(it)
    results = linkcheck.fetch_all([it.recheck_url for it in todo], fetch, cancel=cancel, progress=progress)
    who = who or audit.current_user(db)
    at = audit.now()
    writes = []
    for it in todo:
        outcome = results[it.recheck_url]
        result, note = decide(it, outcome)
        summary.outcomes.append(RecheckOutcome(it.id, it.target_name, outcome.url, result, note, outcome.status))
        if result == "" and it.recheck_result:
            writes.append((it, it.recheck_result, it.recheck_note, outcome))   # keep the manual result
        else:
            writes.append((it, result, note, outcome))
    if writes:
        with transaction(db):
            _write_recheck(db, writes, at, who, "recheck")
    return summary


# ---------------------------------------------------------------- exports

LEDGER_COLUMNS = [
    ("序号", 6), ("主办单位", 22), ("地区", 10), ("检查对象", 24), ("类型", 8), ("标识", 16), ("问题类别", 20),
    ("问题描述", 36), ("问题链接", 30), ("发现时间", 18), ("通知日期", 11), ("整改期限", 11), ("整改状态", 9),
    ("单位反馈", 24), ("复核结果", 9), ("复核时间", 18), ("复核说明", 30), ("是否逾期", 8),
]
TYPE_ZH = {"site": "网站", "account": "新媒体"}


def _indicator_names(db: sqlite_utils.Database, round_id: int) -> dict[str, str]:
    return {i: ind.name for i, ind in IndicatorIndex.for_round(db, round_id).by_id.items()}


def _overdue(item: RectifyItem, notice: Notice, today: dt.date) -> bool:
    return item.open and today > as_date(notice.deadline)


def ledger_rows(db: sqlite_utils.Database, round_id: int, today=None) -> list[list]:
    """The 整改台账 rows (also for the exports engineer's own layouts)."""
    names = _indicator_names(db, round_id)
    day = as_date(today) if today else dt.date.today()
    out, n = [], 0
    for notice in list_notices(db, round_id):
        for it in notice.items:
            n += 1
            out.append([n, notice.unit_name, it.region_name, it.target_name, TYPE_ZH.get(it.target_type, ""),
                        it.target_key, names.get(it.indicator_id, it.indicator_id), it.detail, it.url or it.page,
                        it.detected_at, notice.issued_on, notice.deadline, it.status, it.feedback,
                        it.recheck_result or ("待复核" if not it.recheck_note else NEEDS_MANUAL),
                        it.rechecked_at or "", it.recheck_note, "是" if _overdue(it, notice, day) else "否"])
    return out


def export_ledger(db: sqlite_utils.Database, round_id: int, path: Path | str, today=None) -> int:
    """整改台账 (.xlsx): one row per item, office layout; returns the number of rows."""
    from ..office.xlsx import save_table

    rnd = get_round(db, round_id)
    rows = ledger_rows(db, round_id, today)
    return save_table(path, "整改台账", f"{rnd.name} 整改台账", LEDGER_COLUMNS, rows,
                      subtitle=f"监测时间点 {rnd.as_of}　整改事项 {len(rows)} 条　导出时间 {audit.now()}")


def _issuer(db: sqlite_utils.Database) -> str:
    return get_setting(db, ISSUER_SETTING) or "检查工作组"


NOTICE_COLUMNS = [("序号", 6), ("检查对象", 24), ("问题类别", 18), ("问题描述", 36), ("链接及佐证", 34), ("整改情况", 24)]


def _notice_rows(notice: Notice, names: dict[str, str]) -> list[list]:
    rows = []
    for n, it in enumerate(notice.items, start=1):
        what = f"{it.target_name}（{TYPE_ZH.get(it.target_type, '')}{'·' + it.platform if it.platform else ''}）"
        proof = "；".join(x for x in (it.url or it.page, mask_text(it.evidence_text),
                                      f"截图：{Path(it.screenshot_path).name}" if it.screenshot_path else "") if x)
        rows.append([n, what, names.get(it.indicator_id, it.indicator_id), mask_text(it.detail), proof, it.feedback])
    return rows


def _intro(rnd, notice: Notice) -> str:
    return (f"在{rnd.name}（监测时间点 {rnd.as_of}）中，你单位主办的政府网站和政务新媒体存在以下 {len(notice.items)} 个问题。"
            f"请对照问题清单逐项整改，于 {notice.deadline} 前完成，并将整改情况（逐项说明整改结果，"
            f"无需整改的请说明理由）书面报送。")


PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")


def _add_pictures(doc, notice: Notice) -> None:
    """The items' screenshots under the table, numbered as in it (a file that will not load is named)."""
    from docx.shared import Cm

    items = [(n, it) for n, it in enumerate(notice.items, start=1) if it.screenshot_path
             and Path(it.screenshot_path).suffix.lower() in PICTURE_SUFFIXES and Path(it.screenshot_path).is_file()]
    if not items:
        return
    doc.add_paragraph("问题截图：")
    for n, it in items:
        doc.add_paragraph(xml_text(f"{n}. {it.target_name}：{mask_text(it.detail)}"))
        try:
            doc.add_picture(it.screenshot_path, width=Cm(15))
        except Exception as exc:          # a damaged image must not lose the notice
            doc.add_paragraph(f"（截图“{Path(it.screenshot_path).name}”无法插入：{type(exc).__name__}）")


def export_notice(db: sqlite_utils.Database, notice: Notice, path: Path | str) -> Path:
    """One 整改通知单 as .docx (default) or .xlsx, chosen by the file suffix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rnd = get_round(db, notice.round_id)
    names = _indicator_names(db, notice.round_id)
    rows = _notice_rows(notice, names)
    issuer = _issuer(db)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        from ..office.xlsx import write_table

        wb = Workbook()
        ws = wb.active
        ws.title = "整改通知单"
        write_table(ws, f"整改通知单（{notice.unit_name}）", [c for c, _ in NOTICE_COLUMNS], rows,
                    widths=[w for _, w in NOTICE_COLUMNS],
                    subtitle=f"{rnd.name}　通知日期 {notice.issued_on}　整改期限 {notice.deadline}")
        wb.save(path)
        return path
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("整改通知单")
    run.bold, run.font.size = True, Pt(22)
    run.font.name = "方正小标宋简体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    doc.add_paragraph(f"编号：{rnd.id}-{notice.id}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(xml_text(f"{notice.unit_name}："))
    doc.add_paragraph(xml_text(_intro(rnd, notice))).paragraph_format.first_line_indent = Pt(24)
    table = doc.add_table(rows=1, cols=len(NOTICE_COLUMNS))
    table.style = "Table Grid"
    for cell, (label, _w) in zip(table.rows[0].cells, NOTICE_COLUMNS):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    for r in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, r):
            cell.text = xml_text(value)
    _add_pictures(doc, notice)
    doc.add_paragraph()
    doc.add_paragraph(f"整改期限：{notice.deadline}（通知日期 {notice.issued_on}）")
    sign = doc.add_paragraph(xml_text(f"{issuer}\n{notice.issued_on}"))
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(path)
    return path


@dataclass(frozen=True)
class ExportResult:
    ledger: Path
    notices: tuple[Path, ...]
    items: int


def export_round(db: sqlite_utils.Database, round_id: int, out_dir: Path | str, notice_format: str = "docx",
                 today=None) -> ExportResult:
    """整改台账.xlsx plus 整改通知单/<单位>.docx (or .xlsx) for every notice of the round."""
    if notice_format not in ("docx", "xlsx"):
        raise ValueError(notice_format)
    out = Path(out_dir)
    rnd = get_round(db, round_id)
    ledger = out / f"{safe_filename(rnd.name)}_整改台账.xlsx"
    n = export_ledger(db, round_id, ledger, today)
    paths, used = [], set()
    for notice in list_notices(db, round_id):
        stem = safe_filename(notice.unit_name, "未命名单位", 120)
        while stem in used:
            stem += "_"
        used.add(stem)
        paths.append(export_notice(db, notice, out / "整改通知单" / f"{stem}.{notice_format}"))
    return ExportResult(ledger, tuple(paths), n)
