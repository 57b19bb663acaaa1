"""新媒体发布情况统计 annex: posts per account from the monitoring import, in registry order,
合计 and the 注 line read back from the workbook; skipped with a note without monitoring data."""
from __future__ import annotations

from openpyxl import load_workbook

from app.cli.main import main
from app.core.store import db as dbm
from app.core.followup import media_monitoring
from app.core.exports import ActivityOptions, ExportOptions, build_annexes, export_round, list_annexes, load_round_data
from app.core.exports.annex_data import NO_ACTIVITY, parse_families

from mediasetup import make_round
from tablefiles import write_csv

MON = ["平台", "账号名称", "账号ID", "最近发布时间", "期间发布条数"]
HEADER = ["序号", "主办单位", "新媒体名称", "平台", "期间发布条数", "最近更新日期"]


def monitored_round(db, tmp_path) -> int:
    rid = make_round(db, "2025-08-14", period_from="2025-08-01", period_to="2025-08-14")
    media_monitoring.import_monitoring(db, rid, write_csv(tmp_path / "m.csv", MON, [
        ["微博", "东湖区发布1", "", "2025-08-10", 7],
        ["微信公众号", "东湖区发布2", "", "2025-08-12", 5]]))
    return rid


def test_family_is_listed_and_parsed():
    fam = {f.key: f for f in list_annexes()}["activity"]
    assert fam.label == "新媒体发布情况统计" and fam.options_type is ActivityOptions and fam.available
    assert "activity" in parse_families(None)
    assert parse_families("summary,problems,details,platforms,messages") == [
        "summary", "problems", "details", "platforms", "messages"]
    assert parse_families("summary,activity") == ["summary", "activity"]


def test_activity_workbook_values_total_and_note(db, tmp_path):
    rid = monitored_round(db, tmp_path)
    expected = media_monitoring.activity_rows(db, rid)
    result = export_round(db, rid, tmp_path / "out", ["activity"])
    assert [a.key for a in result.annexes] == ["activity"] and result.notes == []
    path = next(p for p in result.paths if p.name.startswith("附件1-"))
    assert "新媒体发布情况统计" in path.name
    ws = load_workbook(path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[:6] == HEADER)
    assert "新媒体发布情况统计" in rows[0][0]
    body = rows[head + 1:head + 1 + len(expected)]
    assert [r[2] for r in body] == [e.account_name for e in expected]         # registry order, all accounts
    assert [r[0] for r in body] == list(range(1, len(expected) + 1))
    by_name = {r[2]: r for r in body}
    assert by_name["东湖区发布1"][1:6] == ["东湖区单位1", "东湖区发布1", "新浪微博", 7, "2025年8月10日"]
    assert by_name["东湖区发布2"][4:6] == [5, "2025年8月12日"]
    assert sum(1 for r in body if r[4] == "—") == len(expected) - 2
    total = rows[head + 1 + len(expected)]
    assert total[0] == "合计" and total[4] == 12
    notes = [r[0] for r in rows[head + 2 + len(expected):] if isinstance(r[0], str)]
    assert any(n.startswith("注：期间发布条数为2025年8月1日至2025年8月14日") for n in notes)
    assert any(f"{len(expected) - 2}个账号无监测数据" in n for n in notes)


def test_accounts_without_data_can_be_left_out(db, tmp_path):
    rid = monitored_round(db, tmp_path)
    opts = ExportOptions(activity=ActivityOptions(include_missing=False, title="发布统计"))
    table = build_annexes(load_round_data(db, rid), ["activity"], opts).annexes[0].sheets[0][1]
    assert table.title == "发布统计"
    assert [r[2] for r in table.rows] == ["东湖区发布1", "东湖区发布2", None]
    assert table.rows[-1][0] == "合计" and table.rows[-1][4] == 12
    assert any("未列入本表" in n for n in table.notes)


def test_skipped_with_a_note_without_monitoring_data(db, tmp_path):
    rid = make_round(db, "2025-08-14")
    built = build_annexes(load_round_data(db, rid), ["activity"])
    assert built.annexes == [] and built.notes == [NO_ACTIVITY]
    everything = build_annexes(load_round_data(db, rid))          # default: all families, activity skipped
    assert "activity" not in [a.key for a in everything.annexes] and NO_ACTIVITY in everything.notes


def test_cli_accepts_activity(tmp_path):
    path = tmp_path / "cli.sqlite"
    database = dbm.connect(path)
    try:
        monitored_round(database, tmp_path)
    finally:
        database.close()
    out = tmp_path / "out"
    assert main(["--db", str(path), "export", "1", "--out", str(out), "--annex", "platforms,activity"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert any(n.startswith("附件2-") and "新媒体发布情况统计" in n for n in names)
