"""检查结果与扣分明细: one row per site with its score and result, and the per-site checklist of
indicators. A veto-only round shows 合格/不合格 and no score.

Built from a ``RoundData`` (annex_data.py) as plain rows, like annex_tables.py.
"""
from __future__ import annotations

import math

from ..office.xlsx import NOT_APPLICABLE, Column, SheetTable
from ..rounds.scoring import NOT_CHECKED
from .annex_data import UNVERIFIED_NOTE, Catalogue, DetailsOptions, ProblemItem, RoundData, TargetInfo
from .layout import Layout
from .wording import fmt_points


def _result_text(t: TargetInfo) -> str:
    if not t.checked:
        return t.scored.review_state
    s = t.scored.score
    return f"{s.result}（单项否决）" if s.veto_ids else s.result


def _main_problems(data: RoundData, t: TargetInfo) -> str:
    if not t.checked:
        return t.target.review_note or ""
    s = t.scored.score
    points = {d.indicator_id: d.points for d in s.deductions if d.role == "deduction"}
    parts = []
    for p in data.problems(t):
        if p.kind == "bonus":
            continue
        text = p.name + (f"（{p.count}{p.unit or '处'}）" if p.count > 1 else "")
        if p.kind == "veto":
            text = f"单项否决：{text}"
        elif points.get(p.indicator_id):
            text += f" 扣{fmt_points(points[p.indicator_id])}分"
        parts.append(text)
    return "；".join(parts)


def results_table(data: RoundData, title: str, lay: Layout) -> SheetTable:
    """检查结果: one row per site with its score and result (no score in a veto-only round)."""
    cols = [Column("序号", kind="int", width=6), Column("网站名称"), Column("网站标识码", width=13),
            Column("主办单位"), Column("地区"), Column("得分", kind="number", width=8),
            Column("是否合格", width=11), Column("主要问题", width=50)]
    table = SheetTable(title, cols, subtitle=lay.subtitle)
    veto_only = data.round.veto_only
    for n, t in enumerate(data.sites, start=1):
        s = t.scored.score
        score = s.final_score if t.checked and s.final_score is not None and not veto_only else NOT_APPLICABLE
        table.rows.append([n, t.target.name, t.target.target_key, t.target.unit_name, t.scored.region or "",
                           score, _result_text(t), _main_problems(data, t)])
    rule = ("本轮只检查单项否决指标，结果为合格或不合格，不计得分。" if veto_only
            else "得分为扣分指标得分与加分之和；单项否决的网站判定为不合格，不计得分。")
    notes = [f"注：{rule}{lay.monitor_note[2:]}。"]
    if data.unverified("site"):
        notes.append(UNVERIFIED_NOTE)
    table.notes = notes
    return table


def _checklist_row(cat: Catalogue, item_id: str, p: ProblemItem | None, points: dict, vetoed: bool,
                   as_of: str) -> list:
    path = cat.path.get(item_id, ())
    item = cat.items.get(item_id)
    kind = cat.kind(item_id)
    if kind == "veto":
        l1 = "单项否决指标"
        l2 = path[1].name if len(path) > 1 else (item.name if item else item_id)
        rule = path[2].name if len(path) > 2 else "—"
    elif item is None:
        l1, l2, rule = item_id, "—", "—"
    else:
        l1 = path[1].name if len(path) > 1 else item.name
        l2 = path[2].name if len(path) > 2 else "—"
        rule = path[3].name if len(path) > 3 else cat.rule_text(item)
        if kind == "bonus":
            l1 = f"加分：{l1}"
    if p is None:
        found, deduct = "未发现问题", (0 if kind == "deduction" else NOT_APPLICABLE)
        return [l1, l2, rule, found, deduct, "", ""]
    found = "；".join(p.details) if p.details else f"发现{p.count}{p.unit or '处'}"
    if p.details and p.count > len(p.details):
        found = f"共{p.count}{p.unit or '处'}：{found}"
    if kind == "veto":
        deduct = "单项否决"
    elif kind == "deduction":
        deduct = "未计分（已单项否决）" if vetoed else points.get(item_id, 0)
    elif kind == "bonus":
        deduct = f"加{fmt_points(points[item_id])}分" if item_id in points else "未加分"
    elif kind == "group":
        deduct = "不计分"
    else:
        deduct = "未计分"
    return [l1, l2, rule, found, deduct, "\n".join(p.urls[:10]), "、".join(p.dates) or as_of]


def checklist_table(data: RoundData, opts: DetailsOptions, title: str, lay: Layout) -> SheetTable:
    """扣分明细: a block per site (heading, one row per indicator with findings or every indicator)."""
    cols = [Column("一级指标", width=14), Column("二级指标", width=16), Column("评分细则", width=28),
            Column("检查情况", width=36), Column("扣分", kind="number", width=9), Column("问题链接", width=30),
            Column("监测时间", width=11)]
    table = SheetTable(title, cols, subtitle=lay.subtitle)
    cat = data.catalogue("site")
    full = opts.checklist == "full"
    leaves = cat.leaves(("veto", "deduction", "bonus")) if full else []
    last = len(cols) - 1
    for n, t in enumerate(data.sites, start=1):
        s = t.scored.score
        start = len(table.rows)
        if opts.page_per_site and n > 1:
            table.page_breaks.append(start)
        head = f"{n}. {t.target.name}（{t.target.target_key}）　主办单位：{t.target.unit_name or '—'}"
        if t.checked:
            score = (f"得分：{fmt_points(s.final_score)}分　"
                     if s.final_score is not None and not data.round.veto_only else "")
            head += f"　{score}{_result_text(t)}"
        else:
            head += f"　{t.scored.review_state}"
        problems = {p.indicator_id: p for p in data.problems(t)} if t.checked else {}
        ids = sorted(set(leaves) | set(problems), key=lambda i: cat.order.get(i, math.inf))
        if t.checked and not ids:
            head += "　未发现问题"            # one line per clean site keeps a big checklist short
        table.row_kinds[start] = "block"
        table.merges.append((start, 0, start, last))
        table.rows.append([head] + [None] * last)
        if not t.checked:
            note = f"：{t.target.review_note}" if t.target.review_note and t.scored.review_state == NOT_CHECKED else ""
            table.rows.append(["—", "—", "—", f"{t.scored.review_state}{note}",
                               NOT_APPLICABLE, "", ""])
            continue
        points = {d.indicator_id: d.points for d in s.deductions if d.role in ("deduction", "bonus")}
        for item_id in ids:
            table.rows.append(_checklist_row(cat, item_id, problems.get(item_id), points, t.vetoed,
                                             data.round.as_of))
        remarks = [d.explanation for d in s.deductions if d.role == "cap"] + list(s.notes)
        if remarks:
            table.merges.append((len(table.rows), 0, len(table.rows), last))
            table.rows.append(["说明：" + "".join(remarks)] + [None] * last)
    if data.unverified("site"):
        table.notes.append(UNVERIFIED_NOTE)
    return table
