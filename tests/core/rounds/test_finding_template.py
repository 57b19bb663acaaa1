"""``findings template``: a workbook whose columns ``findings import`` reads, examples, notes, indicators."""
from __future__ import annotations

import openpyxl
import pytest

from app.core.rounds import findings, profiles, rounds
from app.core.rounds.finding_io import IMPORT_COLUMNS, import_findings, match_import_headers
from app.core.rounds.finding_template import EXAMPLES, SHEET, headers
from app.core.store.db import connect

from roundsetup import build_registry
from sitesetup import db_file, run_cli as run


@pytest.fixture
def dbp(tmp_path):
    return db_file(tmp_path / "r.sqlite", build_registry)


def test_template_is_what_import_reads(dbp, tmp_path, capsys):
    code, out, err = run(capsys, "--db", dbp, "findings", "template", tmp_path / "模板")
    assert code == 0, err
    path = tmp_path / "模板.xlsx"                    # the suffix is added
    assert str(path) in out
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET, "填写说明", "指标"]
    ws = wb[SHEET]
    first = [c.value for c in ws[1]]
    assert first == headers()
    assert sorted(match_import_headers(first).values()) == sorted(IMPORT_COLUMNS)    # every column, once
    assert [[c.value for c in row][:4] for row in ws.iter_rows(min_row=2, max_row=3)] == [
        ["3699020001", None, None, "web.ded.publish.accuracy"], [None, "微信公众号", "江州发布", "内容不更新"]]
    notes = [row[0].value for row in wb["填写说明"].iter_rows(min_row=4)]
    assert notes == first                                           # one note per column
    listed = {row[0].value for row in wb["指标"].iter_rows(min_row=3)}
    db = connect(dbp)
    try:
        ids = {i.id for p in profiles.profile_set(db, "national-2019").values() for i in p.walk() if i.level >= 1}
    finally:
        db.close()
    assert listed == ids
    validations = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert any("确认" in f and "待审核" in f for f in validations.values())


def test_filled_template_imports(dbp, tmp_path, capsys):
    run(capsys, "--db", dbp, "findings", "template", tmp_path / "t.xlsx")
    db = connect(dbp)
    try:
        rid = rounds.create_round(db, "八月", "2025-08-14")
        site = rounds.round_targets(db, rid, "site")[0]
        account = rounds.round_targets(db, rid, "account")[0]
        wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
        ws = wb[SHEET]
        ws["A2"] = site.target_key                           # the examples, pointed at this round's targets
        ws["B3"], ws["C3"] = account.platform, account.name
        wb.save(tmp_path / "t.xlsx")
        result = import_findings(db, rid, tmp_path / "t.xlsx")
        assert result.ok, result.problems
        got = findings.get_findings(db, result.added)
        assert [(f.target_id, f.indicator_id, f.status) for f in got] == [
            (site.id, EXAMPLES[0]["indicator"], "确认"), (account.id, "nm.veto.not_updated", "待审核")]
        assert got[0].snippet == EXAMPLES[0]["snippet"] and got[0].detail == EXAMPLES[0]["detail"]
    finally:
        db.close()
