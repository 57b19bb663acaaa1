"""The circular draft (通报): figures and problems of a round filled into an editable Word
template (resources/templates/circular.docx, docxtpl), saved as .docx and as .txt with
the same text.

Every figure comes from the RoundData the annexes are built from. What only the
inspector can write (工作亮点, 下一步工作要求 …) stays a marked 【待填写：…】 placeholder,
highlighted in the .docx.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..followup.workdays import add_workdays, calendar_note, load_calendar
from ..store.paths import resources_dir
from .annex_data import Annex, RoundData, cn_date, coverage_warning, fmt_points, rate_text, safe_filename, scope_word
from .annex_tables import problem_sections

PLACEHOLDER = re.compile(r"【待填写[^】]*】")
MESSAGES_PLACEHOLDER = "【待填写：“我为政府网站找错”网民留言受理、属实、办结条数及按期办结率】"
ISSUER_PLACEHOLDER = "【待填写：发文单位】"
ADDRESSEES_DEFAULT = "各地区、各部门："
NUMERALS = "一二三四五六七八九十"


def template_path() -> Path:
    return resources_dir() / "templates" / "circular.docx"


@dataclass
class CircularOptions:
    issuer: str = ""                      # 发文单位 ("" = placeholder)
    addressees: str = ADDRESSEES_DEFAULT  # 主送
    issue_date: dt.date | None = None     # 成文日期 (None = today)
    deadline: dt.date | None = None       # 整改 deadline (None = issue_date + deadline_workdays)
    deadline_workdays: int = 10
    max_names: int = 0                    # names listed per problem (0 = all, else "…等N家")
    template: Path | None = None          # another .docx template (same tags)


@dataclass
class CircularDraft:
    """The filled-in values (for a preview) and the paragraphs of the rendered draft."""
    context: dict
    figures: dict
    paragraphs: list[str] = field(default_factory=list)
    docx: bytes = b""
    notes: list[str] = field(default_factory=list)      # e.g. the deadline's year has no official calendar

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs) + "\n"


def _names(items: list[str], limit: int, unit: str) -> str:
    if limit and len(items) > limit:
        return "、".join(items[:limit]) + f"等{len(items)}{unit}"
    return "、".join(items)


def _quoted(t) -> str:
    return t.target.name if t.kind == "site" else f"{t.target.platform}“{t.target.name}”"


def _coverage(data: RoundData, scope: str) -> str:
    """对全市54家政府网站、229个政务新媒体开展全覆盖检查 / …中抽查…"""
    parts = []
    for kind, noun, unit in (("site", "政府网站", "家"), ("account", "政务新媒体", "个")):
        total = data.summary(kind).total
        if not total:
            continue
        s = data.summary(kind)
        done = "" if s.complete else f"（截至目前完成检查{s.overall.checked}{unit}，其余{len(s.pending)}{unit}尚未检查）"
        if data.sampled(kind):
            pool = data.pools.get(kind)
            text = (f"从{scope}{pool}{unit}在运行的{noun}中抽查{total}{unit}" if pool
                    else f"抽查{scope}{noun}{total}{unit}")
            parts.append(("sample", text + done))
        elif done:
            parts.append(("partial", f"对{scope}{total}{unit}{noun}开展检查{done}"))
        else:
            parts.append(("full", f"{total}{unit}{noun}"))
    full = [t for k, t in parts if k == "full"]
    out = []
    if full:
        out.append(f"对{scope}{'、'.join(full)}开展全覆盖检查")
    out += [t for k, t in parts if k != "full"]
    recheck = sum(1 for k in ("site", "account") for t in data.targets(k) if t.target.reason == "回头看")
    text = "，".join(out)
    if recheck:
        text += f"，其中对前期发现问题尚未整改到位的{recheck}个对象进行了回头看"
    return text


def _overview_item(data: RoundData, kind: str) -> str:
    s = data.summary(kind)
    o = s.overall
    noun, unit = ("政府网站", "家") if kind == "site" else ("政务新媒体", "个")
    if not o.checked:
        text = f"本次检查的{s.total}{unit}{noun}尚未完成检查，暂无合格率。"
    else:
        text = (f"检查{noun}{o.checked}{unit}，合格{o.passed}{unit}，不合格{o.failed}{unit}，"
                f"合格率{rate_text(o.pass_rate)}。")
        if o.outstanding != o.failed:
            text += f"存在突出问题的{o.outstanding}{unit}。"
        if s.pending:
            text += f"另有{len(s.pending)}{unit}尚未完成检查，未计入合格率。"
    if s.not_checked:
        text += f"另有{len(s.not_checked)}{unit}因故未能检查，未计入合格率。"
    return text


def _messages_text(data: RoundData) -> str:
    """受理/属实/办结/按期办结率 from app.core.followup.messages ('' when there are none to report)."""
    report = data.messages
    if report is None or not report.overall.received:
        return ""     # none imported is not the same as none received: leave it to the inspector
    s = report.overall
    text = (f"{cn_date(report.period_from, False)}至{cn_date(report.period_to, False)}，共受理网民留言{s.received}条，"
            f"经核实属实{s.valid}条，已办结{s.closed}条，其中按期办结{s.closed_on_time}条，"
            f"按期办结率{rate_text(s.on_time_rate)}。")
    if s.overdue:
        text += f"超期办理或超期未办结的{s.overdue}条。"
    return text


def _problem_section(data: RoundData, kind: str, heading: str, limit: int) -> dict | None:
    noun, unit = ("网站", "家") if kind == "site" else ("账号", "个")
    cat = data.catalogue(kind)
    sections = problem_sections(data, kind)
    veto = sections[0][1]
    other_name, other = (sections[1] if len(sections) > 1 else ("", []))
    if not veto and not other:
        return None
    lead = []
    if veto:
        lead.append(f"{len(veto)}{unit}{noun}存在单项否决问题")
    if other:
        lead.append(f"{len(other)}{unit}{noun}存在{'扣分' if other_name == '扣分' else '其他'}问题")
    text = "检查发现" + "，".join(lead) + "。"
    failed = [t for t in other if not t.scored.score.passed]
    if failed:
        rule = cat.profile.rule("fail_below") if cat.profile else None
        below = f"低于{fmt_points(rule.value)}分" if rule else "不达标"
        text += f"其中{_names([_quoted(t) for t in failed], limit, unit)}扣分后得分{below}，判定为不合格。"
    items: list[str] = []
    # 单项否决: one line per level-1 veto indicator, with the targets concerned.
    by_top: dict[str, list] = {}
    for t in veto:
        for vid in t.scored.score.veto_ids:
            by_top.setdefault(vid, []).append(t)
    for vid in sorted(by_top, key=lambda i: cat.order.get(i, 1e9)):
        ts = by_top[vid]
        name = cat.items[vid].name if vid in cat.items else vid
        items.append(f"{name}（{len(ts)}{unit}）：{_names([_quoted(t) for t in ts], limit, unit)}。")
    # 扣分/其他问题: one line per level-1 indicator, the second-level items with their targets.
    tops: dict[str, dict[str, list]] = {}
    for t in other:
        for p in data.problems(t):
            if p.kind not in ("deduction", "group", "unknown"):
                continue
            path = cat.path.get(p.indicator_id, ())
            top = path[1].id if len(path) > 1 else p.indicator_id
            sub = path[2].id if len(path) > 2 else top
            subs = tops.setdefault(top, {})
            if t not in subs.setdefault(sub, []):
                subs[sub].append(t)
    for top in sorted(tops, key=lambda i: cat.order.get(i, 1e9)):
        subs = tops[top]
        targets = {id(t): t for ts in subs.values() for t in ts}
        name = cat.items[top].name if top in cat.items else "其他问题"
        if len(subs) == 1 and top in subs:
            detail = _names([_quoted(t) for t in subs[top]], limit, unit)
        else:
            detail = "；".join(f"{cat.items[s].name if s in cat.items else s}"
                              f"（{_names([_quoted(t) for t in ts], limit, unit)}）"
                              for s, ts in sorted(subs.items(), key=lambda kv: cat.order.get(kv[0], 1e9)))
        label = f"{name}方面" if cat.kind(top) == "deduction" else name
        items.append(f"{label}（{len(targets)}{unit}）：{detail}。")
    items = [f"{n}.{text_}" for n, text_ in enumerate(items, start=1)]
    return {"heading": heading, "lead": text, "lines": items}


def build_context(data: RoundData, annexes: list[Annex], options: CircularOptions | None = None,
                  period: str | None = None) -> tuple[dict, dict, list[str]]:
    """(template context, figures, notes) of the draft."""
    options = options or CircularOptions()
    period = period or data.period
    scope = scope_word(data.area)
    issue = options.issue_date or dt.date.today()
    deadline = options.deadline or add_workdays(issue, options.deadline_workdays)
    notes = [w for w in (coverage_warning(data),) if w]
    if options.deadline is None:        # counted on the official calendar: say so when a year is not in it
        note = calendar_note(load_calendar().unconfirmed_years(issue, deadline))
        if note:
            notes.append(note)
    has = {k: bool(data.summary(k).total) for k in ("site", "account")}
    subject = ("政府网站和政务新媒体" if has["site"] and has["account"]
               else "政府网站" if has["site"] else "政务新媒体")
    issuer = options.issuer.strip() or ISSUER_PLACEHOLDER
    parts = []
    if has["site"]:
        parts.append(("政府网站检查情况。", _overview_item(data, "site"), ""))
    if has["account"]:
        parts.append(("政务新媒体检查情况。", _overview_item(data, "account"), ""))
    if has["site"] or (data.messages is not None and data.messages.overall.received):
        text = _messages_text(data)
        parts.append(("“我为政府网站找错”留言办理情况。", text, "" if text else MESSAGES_PLACEHOLDER))
    overview = [{"heading": f"（{NUMERALS[i]}）{h}", "text": t, "placeholder": ph}
                for i, (h, t, ph) in enumerate(parts)]
    problem_sections_ = []
    for kind, noun in (("site", "政府网站"), ("account", "政务新媒体")):
        sec = _problem_section(data, kind, f"（{NUMERALS[len(problem_sections_)]}）{noun}方面。", options.max_names)
        if sec:
            problem_sections_.append(sec)
    if problem_sections_:
        rectify = (f"存在问题的单位要对照通报和附件逐项整改，举一反三开展自查，并于{cn_date(deadline.isoformat())}前"
                   f"将整改情况书面报送{issuer}。")
    else:
        rectify = "各地区、各部门要对照检查指标持续开展自查，发现问题及时整改。"
    annex_lines = []
    for i, a in enumerate(annexes):
        annex_lines.append(("附件：" if i == 0 else "　　　") + a.caption)
    opening = (f"为加强政府网站和政务新媒体日常监管，按照检查指标和年度监管工作安排，"
               f"{issuer}组织开展了{period}{scope}{subject}检查。现将检查情况通报如下。")
    overall = (f"本次检查以{cn_date(data.round.as_of)}为监测时间点，{_coverage(data, scope)}。")
    context = {
        "area": data.area, "period": period, "subject": subject, "addressees": options.addressees,
        "opening": opening, "overall": overall, "overview": overview,
        "problem_sections": problem_sections_,
        "no_problem_text": "本次检查未发现存在单项否决或扣分问题的网站和账号。",
        "rectify_text": rectify, "annexes": annex_lines, "issuer": issuer,
        "date_text": cn_date(issue.isoformat()), "deadline": deadline.isoformat(),
    }
    figures = {}
    for kind, key in (("site", "sites"), ("account", "accounts")):
        s = data.summary(kind)
        o = s.overall
        figures[key] = {"total": s.total, "checked": o.checked, "passed": o.passed, "failed": o.failed,
                        "outstanding": o.outstanding, "not_checked": len(s.not_checked), "pending": len(s.pending),
                        "pass_rate": None if o.pass_rate is None else float(o.pass_rate)}
    return context, figures, notes


def _highlight_placeholders(document) -> None:
    """Split runs so that every 【待填写…】 is a run of its own, highlighted yellow."""
    from copy import deepcopy

    from docx.enum.text import WD_COLOR_INDEX
    from docx.text.run import Run

    for p in document.paragraphs:
        for run in list(p.runs):
            text = run.text
            if "【待填写" not in text:
                continue
            pieces = [x for x in PLACEHOLDER.split(text)]
            marks = PLACEHOLDER.findall(text)
            segments = []
            for i, piece in enumerate(pieces):
                if piece:
                    segments.append((piece, False))
                if i < len(marks):
                    segments.append((marks[i], True))
            anchor = run._r
            for seg, mark in segments:
                new = deepcopy(run._r)
                anchor.addnext(new)
                anchor = new
                r = Run(new, p)
                r.text = seg
                if mark:
                    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run._r.getparent().remove(run._r)


def build_circular(data: RoundData, annexes: list[Annex], options: CircularOptions | None = None,
                   period: str | None = None) -> CircularDraft:
    """Render the draft in memory: the .docx bytes and its paragraphs (the .txt text)."""
    from docx import Document
    from docxtpl import DocxTemplate

    options = options or CircularOptions()
    context, figures, notes = build_context(data, annexes, options, period)
    tpl = DocxTemplate(str(options.template or template_path()))
    tpl.render(context, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    document = Document(io.BytesIO(buf.getvalue()))
    _highlight_placeholders(document)
    out = io.BytesIO()
    document.save(out)
    paragraphs = [p.text for p in document.paragraphs]
    while paragraphs and not paragraphs[-1].strip():
        paragraphs.pop()
    return CircularDraft(context, figures, paragraphs, out.getvalue(), notes)


def draft_filename(data: RoundData, period: str | None = None) -> str:
    return safe_filename(f"通报（草稿）-{data.area}{period or data.period}检查情况")


def save_circular(draft: CircularDraft, out_dir: Path | str, stem: str) -> list[Path]:
    """Write a rendered draft as <stem>.docx and <stem>.txt (same text, UTF-8 with BOM)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path, txt_path = out_dir / f"{stem}.docx", out_dir / f"{stem}.txt"
    docx_path.write_bytes(draft.docx)
    # With a BOM: Notepad and WPS on older Windows then read it as UTF-8, not as GBK.
    txt_path.write_text(draft.text, encoding="utf-8-sig")
    return [docx_path, txt_path]


def write_circular(data: RoundData, annexes: list[Annex], out_dir: Path | str,
                   options: CircularOptions | None = None, period: str | None = None) -> list[Path]:
    """Render the draft and write it as .docx and .txt into ``out_dir``; returns both paths."""
    draft = build_circular(data, annexes, options, period)
    return save_circular(draft, out_dir, draft_filename(data, period))
