"""Trends in the annex workbook: 合格率 and problems per round, and 回头看 per target, as tables
with Excel's own charts (openpyxl.chart: they stay live and editable in the workbook).

``add_trends_sheets`` appends two sheets to a written workbook (the combined annex workbook)
when the round has earlier rounds to compare with; the figures are rounds.trends'.
"""
from __future__ import annotations

from pathlib import Path

import sqlite_utils
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from ..office.xlsx import write_table
from ..rounds.findings import IndicatorIndex
from ..rounds.trends import RoundTrends, round_trends

ROUNDS_SHEET = "历次检查趋势"
CHANGES_SHEET = "回头看"
TYPE_ZH = {"site": "网站", "account": "新媒体"}
ROUND_HEADERS = ("检查轮次", "监测时间点", "网站检查数", "网站合格数", "网站合格率（%）", "新媒体检查数",
                 "新媒体合格数", "新媒体合格率（%）", "确认问题数")
CHANGE_HEADERS = ("检查对象", "标识", "类型", "地区", "新发现", "已整改", "重复出现", "重复出现的指标", "说明")
_CHART_ROWS = 15          # a chart's height in rows


def _rate(value) -> float | None:
    return None if value is None else float(value)


def _chart_size(chart, rows: int = _CHART_ROWS) -> None:
    chart.height, chart.width = rows * 0.5, 18
    chart.x_axis.delete = False       # newer Excel hides axes that do not say otherwise
    chart.y_axis.delete = False


def write_rounds_sheet(ws: Worksheet, trends: RoundTrends) -> int:
    """Per round: checked, passed, 合格率, problems; a line chart of the rates, bars of the problems."""
    rows = [(p.name, p.as_of, p.site_checked, p.site_passed, _rate(p.site_rate), p.account_checked,
             p.account_passed, _rate(p.account_rate), p.problems) for p in trends.points]
    n = write_table(ws, ROUNDS_SHEET, ROUND_HEADERS, rows,
                    subtitle="合格率只按已检查的对象计算；确认问题数为审核确认的问题条数")
    header, last = 3, 3 + n
    cats = Reference(ws, min_col=1, min_row=header + 1, max_row=last)
    rates = LineChart()
    rates.title, rates.y_axis.title = "合格率（%）", "%"
    rates.y_axis.scaling.min, rates.y_axis.scaling.max = 0, 100
    for col in (5, 8):
        rates.add_data(Reference(ws, min_col=col, min_row=header, max_row=last), titles_from_data=True)
    rates.set_categories(cats)
    _chart_size(rates)
    ws.add_chart(rates, f"B{last + 3}")
    problems = BarChart()
    problems.title, problems.y_axis.title = "确认问题数", "条"
    problems.add_data(Reference(ws, min_col=9, min_row=header, max_row=last), titles_from_data=True)
    problems.set_categories(cats)
    _chart_size(problems)
    ws.add_chart(problems, f"B{last + 4 + _CHART_ROWS}")
    return n


def write_changes_sheet(ws: Worksheet, trends: RoundTrends, indicator_names: dict[str, str]) -> int:
    """Per target: new, fixed and recurring problems against the previous round; stacked bars of
    the targets with the most."""
    before = trends.previous
    title = f"回头看：与“{before.name}”（{before.as_of}）相比" if before else "回头看"
    rows = []
    for c in sorted(trends.changes, key=lambda c: (-c.total, c.target_type, c.key)):
        note = "" if c.compared else "上一轮不在检查对象中"
        rows.append((c.name, c.key, TYPE_ZH.get(c.target_type, c.target_type), c.region, c.new, c.fixed,
                     c.recurring, "、".join(indicator_names.get(i, i) for i in c.recurring_indicators), note))
    n = write_table(ws, title, CHANGE_HEADERS, rows,
                    subtitle="同一问题（同一指标、链接和内容）或同一指标的问题再次出现即为重复出现；"
                             "本轮已检查且不再出现的为已整改")
    if n:
        header = 3
        last = header + min(n, 20)
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title = "问题变化最多的检查对象"
        for col in (5, 6, 7):
            chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
        chart.y_axis.title = "条"
        _chart_size(chart, max(_CHART_ROWS, min(n, 20)))
        ws.add_chart(chart, f"K{header}")
    return n


def add_trends_sheets(db: sqlite_utils.Database, round_id: int, workbook: Path | str) -> list[str]:
    """Append the trend sheets to ``workbook`` when the round has an earlier round; returns notes."""
    trends = round_trends(db, round_id)
    if len(trends.points) < 2:
        return []
    names = {i: ind.name for i, ind in IndicatorIndex.for_round(db, round_id).by_id.items()}
    wb = load_workbook(workbook)
    write_rounds_sheet(wb.create_sheet(ROUNDS_SHEET), trends)
    write_changes_sheet(wb.create_sheet(CHANGES_SHEET), trends, names)
    wb.save(workbook)
    return [f"全部附件中加入了“{ROUNDS_SHEET}”和“{CHANGES_SHEET}”两张表（含图表，{len(trends.points)} 个轮次）。"]
