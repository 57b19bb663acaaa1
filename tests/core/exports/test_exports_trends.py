"""The trend sheets of the combined annex workbook: figures of rounds.trends, Excel's own charts."""
from __future__ import annotations


import pytest
from openpyxl import load_workbook

from app.core.exports import export_round
from app.core.exports.trends import CHANGES_SHEET, ROUNDS_SHEET
from app.core.rounds.trends import round_trends
from app.core.store.db import connect

from demosetup import demo_file


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_file(tmp_path_factory.mktemp("demo"))


def _combined(result):
    return next(p for p in result.paths if p.name.startswith("全部附件"))


def test_three_rounds_as_tables_and_native_charts(demo, tmp_path):
    path, ids = demo
    db = connect(path)
    try:
        result = export_round(db, ids[-1], tmp_path, ["summary", "problems"])
        trends = round_trends(db, ids[-1])
    finally:
        db.close()
    assert any(ROUNDS_SHEET in n for n in result.notes)
    wb = load_workbook(_combined(result))
    assert wb.sheetnames[-2:] == [ROUNDS_SHEET, CHANGES_SHEET]
    ws = wb[ROUNDS_SHEET]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=3 + len(trends.points))]
    assert [r[0] for r in body] == ["2025年第一季度检查", "2025年第二季度检查", "2025年第三季度检查"]
    assert [r[4] for r in body] == [float(p.site_rate) for p in trends.points]
    assert [r[8] for r in body] == [p.problems for p in trends.points]
    assert ws.cell(5 + len(trends.points), 1).value is None         # nothing under the table but charts
    charts = ws._charts
    assert [type(c).__name__ for c in charts] == ["LineChart", "BarChart"]
    assert len(charts[0].series) == 2                               # 网站 and 新媒体 合格率
    assert charts[0].series[0].val.numRef.f == f"'{ROUNDS_SHEET}'!$E$4:$E$6"     # the header names it

    changes = wb[CHANGES_SHEET]
    assert "2025年第二季度检查" in changes.cell(1, 1).value
    rows = [[c.value for c in row] for row in changes.iter_rows(min_row=4) if row[0].value]
    assert len(rows) == len(trends.changes) > 0
    assert sum(r[4] for r in rows) == trends.totals()[0]
    assert (sum(r[5] for r in rows), sum(r[6] for r in rows)) == trends.totals()[1:]
    assert [type(c).__name__ for c in changes._charts] == ["BarChart"]
    assert changes._charts[0].grouping == "stacked"


def test_first_round_has_nothing_to_compare(demo, tmp_path):
    path, ids = demo
    db = connect(path)
    try:
        result = export_round(db, ids[0], tmp_path, ["summary"])
    finally:
        db.close()
    assert ROUNDS_SHEET not in load_workbook(_combined(result)).sheetnames
    assert not any(ROUNDS_SHEET in n for n in result.notes)
