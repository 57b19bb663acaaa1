"""“我为政府网站找错” messages: import from the platform's export, manual entry, and statistics.

Rules:
* Deadline = the N-th working day after 转办时间 (提交时间 when not forwarded), N from the
  setting ``messages.deadline_workdays`` (default 3), on the official calendar (workdays.py).
* 办结 = has a 答复时间. 按期办结 = answered on or before the deadline day (same day counts).
* 按期办结率 = 按期办结 / 受理, in percent, rounded half-up to 2 decimals (Decimal).
* 平均办理时长 = mean working days from 转办 (or 提交) to 答复 over 办结 messages; an answer on
  the same day takes 0 working days.
* 受理 in a period = messages whose 提交时间 falls in it. Overdue = answered after the
  deadline, or unanswered while the deadline has passed (as of ``today``).
* Import is all or nothing like the registry: row-numbered Chinese problems, one transaction,
  a 留言编号 twice in the file is an error, a known 留言编号 is updated.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import sqlite_utils

from ..errors import ValidationError
from ..office.tabular import match_columns
from ..office.tabular import CheckedImport, RowProblem, SheetData, note_match, read_table, refuse_unclean, unreadable
from ..registry import vocab
from ..registry.validation import BadValue, date as parse_date, site_code as parse_site_code, text as cell_text
from ..store import audit
from ..store.db import transaction
from .workdays import (WorkCalendar, as_date, calendar_note, load_calendar, set_setting_workdays,
                       setting_workdays)

DEADLINE_SETTING = "messages.deadline_workdays"
DEFAULT_DEADLINE_WORKDAYS = 3
UNMATCHED_UNIT = "（未匹配名录网站）"
CLOSED_STATES = {"已办结", "办结", "已答复", "已回复", "已完成", "已处理", "已反馈", "已结办"}
_VALID = {"属实": 1, "部分属实": 1, "基本属实": 1, "不属实": 0, "待核实": None, "未核实": None}

# key -> accepted headers; the first is the label in messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "message_no": ("留言编号", "编号", "留言ID", "留言id", "问题编号", "工单编号", "留言序号"),
    "site_name": ("网站名称", "网站", "被反映网站", "被留言网站", "网站名"),
    "site_code": ("网站标识码", "标识码", "网站识别码"),
    "submitted_at": ("提交时间", "留言时间", "反映时间", "提交日期", "留言日期"),
    "problem_type": ("问题类型", "留言类型", "问题分类"),
    "description": ("问题描述", "留言内容", "描述", "内容", "问题详情"),
    "forwarded_at": ("转办时间", "交办时间", "转办日期"),
    "state": ("办理状态", "状态", "处理状态"),
    "answered_at": ("答复时间", "回复时间", "办结时间", "答复日期"),
    "is_valid": ("是否属实", "属实情况", "属实", "核实情况"),
}
LABELS = {k: v[0] for k, v in COLUMNS.items()}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


# ---------------------------------------------------------------- values

def parse_datetime(value, *, required: bool = False) -> str | None:
    """'YYYY-MM-DD HH:MM:SS' (or 'YYYY-MM-DD' without a time) from text, a cell or an Excel serial."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
        moment = (moment + dt.timedelta(seconds=0.5)).replace(microsecond=0)
        return moment.isoformat(sep=" ") if moment.time() != dt.time() else moment.date().isoformat()
    raw = cell_text(value).replace("T", " ")
    if not raw:
        if required:
            raise BadValue("不能为空")
        return None
    parts = raw.split()
    day = parse_date(parts[0], required=True)
    if len(parts) == 1:
        return day
    m = _TIME.match(parts[1]) if len(parts) == 2 else None
    if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59:
        raise BadValue(f"时间“{raw}”格式不正确，应如 2025-10-09 14:30")
    return f"{day} {int(m[1]):02d}:{m[2]}:{int(m[3] or 0):02d}"


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.datetime.fromisoformat(text + " 00:00:00")


def _before(a: str, b: str) -> bool:
    """Is ``a`` earlier than ``b``? A bare date (转办时间 2025-08-01) is any moment of its day, so a
    date on the day of a timed submission is not earlier; two timed values compare exactly."""
    if len(a) <= 10 or len(b) <= 10:
        return a[:10] < b[:10]
    return _moment(a) < _moment(b)


def _valid_flag(value) -> int | None:
    t = cell_text(value)
    if t == "":
        return None
    if t in _VALID:
        return _VALID[t]
    flag = vocab.parse_flag(t)
    if flag is None:
        raise BadValue(f"“{t}”应为 是/否（属实/不属实）")
    return int(flag)


@dataclass(frozen=True)
class Message:
    id: int
    message_no: str
    site_id: int | None
    site_name: str
    submitted_at: str
    problem_type: str
    description: str
    forwarded_at: str | None
    state: str
    answered_at: str | None
    is_valid: int | None
    created_at: str
    updated_at: str
    unit_name: str = ""              # 主办单位 of the matched site (current registry)
    site_code: str = ""

    @property
    def closed(self) -> bool:
        return self.answered_at is not None


_STORED = ("message_no", "site_id", "site_name", "submitted_at", "problem_type", "description", "forwarded_at",
           "state", "answered_at", "is_valid")


class _Sites:
    """Registry sites by 网站标识码 and by name, for matching messages."""

    def __init__(self, db: sqlite_utils.Database):
        self.by_code: dict[str, tuple[int, str]] = {}
        self.by_name: dict[str, list[int]] = {}
        for sid, code, name in db.conn.execute("SELECT id, site_code, name FROM sites"):
            self.by_code[code] = (sid, name)
            self.by_name.setdefault(name, []).append(sid)


def clean_message(raw: dict, sites: _Sites, *, partial: bool = False, old: dict | None = None
                  ) -> tuple[dict, dict[str, str], dict[str, str]]:
    """(values, problems, warnings) for one message; keys of ``raw`` are COLUMNS keys.

    ``partial``: only the keys given are validated (edits); ``old`` is the stored message
    the edit applies to, for the cross-field checks.
    """
    values: dict = {}
    problems: dict[str, str] = {}
    warnings: dict[str, str] = {}
    for key in ("message_no", "problem_type", "description", "state"):
        if key in raw:
            values[key] = cell_text(raw[key])
    if (not partial or "message_no" in raw) and not values.get("message_no"):
        problems[LABELS["message_no"]] = "不能为空"
    for key in ("submitted_at", "forwarded_at", "answered_at"):
        if key in raw or (key == "submitted_at" and not partial):
            try:
                values[key] = parse_datetime(raw.get(key), required=key == "submitted_at")
            except BadValue as exc:
                problems[LABELS[key]] = str(exc)
    if "is_valid" in raw:
        try:
            values["is_valid"] = _valid_flag(raw["is_valid"])
        except BadValue as exc:
            problems[LABELS["is_valid"]] = str(exc)
    if "site_code" in raw or "site_name" in raw or not partial:
        code_text, name = cell_text(raw.get("site_code")), cell_text(raw.get("site_name"))
        if not code_text and not name:
            problems[LABELS["site_name"]] = "网站名称和网站标识码不能都为空"
        else:
            site_id = None
            if code_text:
                try:
                    code = parse_site_code(code_text)
                except BadValue as exc:
                    problems[LABELS["site_code"]] = str(exc)
                    code = None
                if code:
                    hit = sites.by_code.get(code)
                    if hit:
                        site_id, name = hit[0], name or hit[1]
                    else:
                        warnings[LABELS["site_code"]] = f"名录中没有网站标识码“{code}”，按“{UNMATCHED_UNIT}”统计"
            elif name:
                ids = sites.by_name.get(name, [])
                if len(ids) == 1:
                    site_id = ids[0]
                elif len(ids) > 1:
                    warnings[LABELS["site_name"]] = f"名录中有 {len(ids)} 个名为“{name}”的网站，请填写网站标识码；按“{UNMATCHED_UNIT}”统计"
                else:
                    warnings[LABELS["site_name"]] = f"名录中没有名为“{name}”的网站，按“{UNMATCHED_UNIT}”统计"
            values["site_id"], values["site_name"] = site_id, name
    merged = {**(old or {}), **values}
    sub, fwd, ans = merged.get("submitted_at"), merged.get("forwarded_at"), merged.get("answered_at")
    if sub and fwd and LABELS["forwarded_at"] not in problems and _before(fwd, sub):
        problems[LABELS["forwarded_at"]] = f"转办时间 {fwd} 早于提交时间 {sub}"
    start = fwd or sub
    if start and ans and LABELS["answered_at"] not in problems and _before(ans, start):
        problems[LABELS["answered_at"]] = f"答复时间 {ans} 早于{'转办' if fwd else '提交'}时间 {start}"
    if (merged.get("state") or "") in CLOSED_STATES and not ans and LABELS["answered_at"] not in problems:
        problems[LABELS["answered_at"]] = f"办理状态为“{merged['state']}”，但答复时间为空"
    return values, problems, warnings


# ---------------------------------------------------------------- reading

_SELECT = """SELECT m.*, COALESCE(u.name, '') AS unit_name, COALESCE(s.site_code, '') AS site_code
             FROM messages m LEFT JOIN sites s ON s.id = m.site_id LEFT JOIN units u ON u.id = s.host_unit_id"""
_MSG_FIELDS = {f.name for f in fields(Message)}


def _messages(db: sqlite_utils.Database, where: str = "", args=()) -> list[Message]:
    cur = db.conn.execute(f"{_SELECT} {where} ORDER BY m.submitted_at, m.message_no", args)
    cols = [c[0] for c in cur.description]
    return [Message(**{k: v for k, v in zip(cols, r) if k in _MSG_FIELDS}) for r in cur.fetchall()]


def list_messages(db: sqlite_utils.Database, period_from=None, period_to=None) -> list[Message]:
    """Messages submitted in [from, to] (dates, both optional), oldest first."""
    where, args = [], []
    if period_from:
        where.append("substr(m.submitted_at, 1, 10) >= ?")
        args.append(as_date(period_from).isoformat())
    if period_to:
        where.append("substr(m.submitted_at, 1, 10) <= ?")
        args.append(as_date(period_to).isoformat())
    return _messages(db, ("WHERE " + " AND ".join(where)) if where else "", args)


def get_message(db: sqlite_utils.Database, message_id: int) -> Message:
    rows = _messages(db, "WHERE m.id = ?", (message_id,))
    if not rows:
        raise ValidationError({"留言": f"编号 {message_id} 不存在"})
    return rows[0]


def find_message(db: sqlite_utils.Database, message_no: str) -> Message | None:
    rows = _messages(db, "WHERE m.message_no = ?", (message_no.strip(),))
    return rows[0] if rows else None


# ---------------------------------------------------------------- manual entry

def add_message(db: sqlite_utils.Database, raw: dict, who: str | None = None) -> int:
    """Enter one message by hand (keys as COLUMNS); ValidationError with per-field reasons."""
    values, problems, _warnings = clean_message(raw, _Sites(db))
    if not problems and find_message(db, values["message_no"]) is not None:
        problems[LABELS["message_no"]] = f"留言编号“{values['message_no']}”已存在"
    if problems:
        raise ValidationError(problems)
    with transaction(db):
        return _insert(db, [values], who)[0]


def edit_message(db: sqlite_utils.Database, message_id: int, raw: dict, who: str | None = None) -> dict:
    """Change fields of one message (keys as COLUMNS); returns the changed values."""
    old = get_message(db, message_id)
    old_values = {k: getattr(old, k) for k in _STORED}
    values, problems, _warnings = clean_message(raw, _Sites(db), partial=True, old=old_values)
    if "message_no" in values and values["message_no"] != old.message_no:
        other = find_message(db, values["message_no"])
        if other is not None:
            problems[LABELS["message_no"]] = f"留言编号“{values['message_no']}”已被另一条留言使用"
    if problems:
        raise ValidationError(problems)
    changed = {k: v for k, v in values.items() if old_values.get(k) != v}
    if changed:
        with transaction(db):
            _update(db, [(message_id, {k: old_values.get(k) for k in changed}, changed)], who)
    return changed


def _insert(db: sqlite_utils.Database, rows: list[dict], who: str | None) -> list[int]:
    at = audit.now()
    ids, log = [], []
    for values in rows:
        row = {k: values.get(k) for k in _STORED}
        for k in ("site_name", "problem_type", "description", "state"):
            row[k] = row[k] or ""
        row.update(created_at=at, updated_at=at)
        cur = db.conn.execute(f"INSERT INTO messages({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                              list(row.values()))
        ids.append(cur.lastrowid)
        log.append(("messages", cur.lastrowid, "insert", None, row))
    audit.log_many(db, log, who)
    return ids


def _update(db: sqlite_utils.Database, changes: list[tuple[int, dict, dict]], who: str | None) -> None:
    at = audit.now()
    log = []
    for mid, old, new in changes:
        row = {k: ("" if v is None and k in ("site_name", "problem_type", "description", "state") else v)
               for k, v in new.items()}
        db.conn.execute(f"UPDATE messages SET {', '.join(f'{k} = ?' for k in row)}, updated_at = ? WHERE id = ?",
                        [*row.values(), at, mid])
        log.append(("messages", mid, "update", old, row))
    audit.log_many(db, log, who)


# ---------------------------------------------------------------- import

def match_headers(headers: list[str]) -> dict[int, str]:
    return match_columns(COLUMNS, headers)


def _is_header(texts: list[str]) -> bool:
    keys = set(match_headers(texts).values())
    return {"message_no", "submitted_at"} <= keys and bool(keys & {"site_name", "site_code"})


@dataclass
class MessagesImport(CheckedImport):
    """Plan (and after apply, result) of a messages import."""
    path: Path
    sheet: SheetData | None = None
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    new: list[tuple[int, dict]] = field(default_factory=list)
    changed: list[tuple[int, int, dict, dict]] = field(default_factory=list)   # row, id, old, new
    unchanged: list[tuple[int, int]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    applied: bool = False
    refusal = "未导入任何留言"

    def outcome(self) -> str:
        text = f"新增 {len(self.new)}，变更 {len(self.changed)}，未变 {len(self.unchanged)}"
        return f"导入完成：{text}。" if self.applied else f"检查通过：{text}（未写入）。"


def plan_messages_import(db: sqlite_utils.Database, source: Path | str | SheetData) -> MessagesImport:
    """Validate every row and compute new/changed/unchanged. Writes nothing."""
    sheet = source if isinstance(source, SheetData) else read_table(source, is_header=_is_header)
    plan = MessagesImport(Path(sheet.path), sheet)
    plan.problems.extend(sheet.problems)
    mapping = match_headers(sheet.headers)
    plan.unmapped = [h for i, h in enumerate(sheet.headers) if i not in mapping and h]
    keys = set(mapping.values())
    need = [] if _is_header(sheet.headers) else [
        n for n, ok in (("留言编号", "message_no" in keys), ("提交时间", "submitted_at" in keys),
                        ("网站名称或网站标识码", bool(keys & {"site_name", "site_code"}))) if not ok]
    if (stop := unreadable(sheet, need)) is not None:
        plan.problems.append(stop)
        return plan
    sites = _Sites(db)
    existing = {m.message_no: m for m in _messages(db)}
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        raw = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        values, problems, warnings = clean_message(raw, sites)
        plan.problems.extend(RowProblem(number, label, reason) for label, reason in problems.items())
        plan.warnings.extend(RowProblem(number, label, reason) for label, reason in warnings.items())
        no = values.get("message_no")
        if no:
            if no in seen:
                plan.problems.append(RowProblem(number, LABELS["message_no"], f"与第{seen[no]}行重复（{no}）"))
                continue
            seen[no] = number
        if problems:
            continue
        old = existing.get(no)
        if old is None:
            plan.new.append((number, values))
            continue
        # An empty cell never overwrites what is stored (e.g. a 是否属实 entered by hand).
        given = {k: v for k, v in values.items()
                 if v not in (None, "") or (k == "site_id" and values.get("site_name"))}
        old_values = {k: getattr(old, k) for k in _STORED}
        note_match(plan, number, old.id, old_values, {k: v for k, v in given.items() if old_values.get(k) != v})
    plan.problems.sort(key=lambda p: p.row)
    return plan


def apply_messages_import(db: sqlite_utils.Database, plan: MessagesImport, who: str | None = None) -> MessagesImport:
    """Write a clean plan in one transaction (re-checked under the write lock)."""
    refuse_unclean(plan, "留言")
    with transaction(db):
        fresh = plan_messages_import(db, plan.sheet or read_table(plan.path, is_header=_is_header))
        refuse_unclean(fresh, "留言")
        _insert(db, [v for _, v in fresh.new], who)
        _update(db, [(mid, old, new) for _, mid, old, new in fresh.changed], who)
        audit.log(db, "messages", None, "import", None,
                  {"file": str(plan.path), "new": len(fresh.new), "changed": len(fresh.changed),
                   "unchanged": len(fresh.unchanged)}, who)
    fresh.applied = True
    return fresh


def import_messages(db: sqlite_utils.Database, path: Path | str, dry_run: bool = False,
                    who: str | None = None) -> MessagesImport:
    """Plan and (unless dry_run or problems) apply a messages import."""
    plan = plan_messages_import(db, path)
    if not plan.ok or dry_run:
        return plan
    return apply_messages_import(db, plan, who)


# ---------------------------------------------------------------- statistics

def deadline_workdays(db: sqlite_utils.Database) -> int:
    """Working days allowed for an answer (setting messages.deadline_workdays, default 3)."""
    return setting_workdays(db, DEADLINE_SETTING, DEFAULT_DEADLINE_WORKDAYS)


def set_deadline_workdays(db: sqlite_utils.Database, days: int) -> None:
    set_setting_workdays(db, DEADLINE_SETTING, days, "办理时限")


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole in percent, rounded half-up to 2 decimals; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MessageStats:
    received: int = 0            # 受理
    valid: int = 0               # 属实
    closed: int = 0              # 办结
    closed_on_time: int = 0      # 按期办结
    on_time_rate: Decimal | None = None        # 按期办结率 (%)
    avg_workdays: Decimal | None = None        # 平均办理时长（工作日）
    overdue: int = 0             # 超期（含超期未办结）


@dataclass(frozen=True)
class OverdueMessage:
    message_no: str
    site_name: str
    unit_name: str
    submitted_at: str
    forwarded_at: str | None
    deadline: str
    answered_at: str | None
    state: str
    late_workdays: int           # working days past the deadline (to the answer, or to today)


@dataclass(frozen=True)
class UnitStats:
    unit_name: str
    stats: MessageStats


@dataclass(frozen=True)
class MessageReport:
    period_from: str
    period_to: str
    deadline_workdays: int
    today: str
    overall: MessageStats
    by_unit: list[UnitStats]
    overdue: list[OverdueMessage]
    unconfirmed_years: list[int]

    @property
    def calendar_note(self) -> str:
        return calendar_note(self.unconfirmed_years)

    def to_dict(self) -> dict:
        def stats(s: MessageStats) -> dict:
            d = asdict(s)
            for k in ("on_time_rate", "avg_workdays"):
                d[k] = None if d[k] is None else float(d[k])
            return d
        return {"period_from": self.period_from, "period_to": self.period_to,
                "deadline_workdays": self.deadline_workdays, "today": self.today,
                "overall": stats(self.overall),
                "by_unit": [{"unit": u.unit_name, **stats(u.stats)} for u in self.by_unit],
                "overdue": [asdict(o) for o in self.overdue],
                "calendar_unconfirmed_years": self.unconfirmed_years, "calendar_note": self.calendar_note}


def message_deadline(m: Message, days: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The last day for an answer: ``days`` working days after 转办时间 (or 提交时间)."""
    cal = calendar or load_calendar()
    return cal.add_workdays(as_date(m.forwarded_at or m.submitted_at), days)


def _stats(msgs: list[Message], days: int, today: dt.date, cal: WorkCalendar
           ) -> tuple[MessageStats, list[OverdueMessage]]:
    valid = closed = on_time = 0
    durations: list[int] = []
    overdue: list[OverdueMessage] = []
    for m in msgs:
        valid += m.is_valid == 1
        start = as_date(m.forwarded_at or m.submitted_at)
        deadline = cal.add_workdays(start, days)
        if m.closed:
            closed += 1
            answered = as_date(m.answered_at)
            durations.append(cal.workdays_between(start, answered))
            late_to = answered if answered > deadline else None
            on_time += late_to is None
        else:
            late_to = today if today > deadline else None
        if late_to is not None:
            overdue.append(OverdueMessage(m.message_no, m.site_name, m.unit_name or UNMATCHED_UNIT, m.submitted_at,
                                          m.forwarded_at, deadline.isoformat(), m.answered_at, m.state,
                                          cal.workdays_between(deadline, late_to)))
    return MessageStats(len(msgs), valid, closed, on_time, percent(on_time, len(msgs)), _mean(durations),
                        len(overdue)), overdue


def message_stats(db: sqlite_utils.Database, period_from, period_to, *, days: int | None = None,
                  today=None, calendar: WorkCalendar | None = None, by_unit: bool = True) -> MessageReport:
    """受理/属实/办结/按期办结/按期办结率/平均办理时长/超期 for messages submitted in the period,
    overall and (unless ``by_unit`` is False) per 主办单位 (registry unit order; unmatched sites last)."""
    problems = {}
    try:
        start = parse_date(period_from, required=True)
    except BadValue as exc:
        problems["起始日期"] = str(exc)
    try:
        end = parse_date(period_to, required=True)
    except BadValue as exc:
        problems["截止日期"] = str(exc)
    if not problems and start > end:
        problems["截止日期"] = f"截止日期 {end} 早于起始日期 {start}"
    if problems:
        raise ValidationError(problems)
    cal = calendar or load_calendar()
    days = days or deadline_workdays(db)
    today_d = as_date(today) if today else dt.date.today()
    msgs = list_messages(db, start, end)
    overall, overdue = _stats(msgs, days, today_d, cal)
    order = {name: i for i, (name,) in enumerate(db.conn.execute("SELECT name FROM units ORDER BY sort_order, id"))}
    groups: dict[str, list[Message]] = {}
    for m in msgs if by_unit else ():
        groups.setdefault(m.unit_name or UNMATCHED_UNIT, []).append(m)
    by_unit = [UnitStats(u, _stats(groups[u], days, today_d, cal)[0])
               for u in sorted(groups, key=lambda u: (u == UNMATCHED_UNIT, order.get(u, 1 << 30), u))]
    overdue.sort(key=lambda o: (o.deadline, o.message_no))
    # Deadlines can run into the next year: check the calendar up to the last deadline too.
    last = max([as_date(end)] + [as_date(o.deadline) for o in overdue] +
               [cal.add_workdays(as_date(m.forwarded_at or m.submitted_at), days) for m in msgs])
    unconfirmed = cal.unconfirmed_years(start, last)
    return MessageReport(start, end, days, today_d.isoformat(), overall, by_unit, overdue, unconfirmed)
