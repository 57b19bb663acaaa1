"""“我为政府网站找错” messages: import (all or nothing, update by 留言编号), manual entry, statistics."""
import datetime as dt
from decimal import Decimal

import pytest

from app.core.followup import messages as M
from app.core.errors import ImportFileError, ValidationError
from app.core.followup.workdays import load_calendar

from roundsetup import build_registry
from tablefiles import write_csv, write_xlsx

H = ["留言编号", "网站标识码", "网站名称", "提交时间", "问题类型", "问题描述", "转办时间", "办理状态", "答复时间", "是否属实"]
SITE1, SITE2 = "3699020001", "3699020002"      # 东湖区网站1 (东湖区单位1), 东湖区网站2 (东湖区单位2)


def row(no, code=SITE1, name="", sub="2025-09-29 09:00", fwd="2025-09-30 10:00", state="已办结",
        ans="2025-10-09 15:00", valid="是", kind="错别字", text="首页有错别字"):
    return [no, code, name, sub, kind, text, fwd, state, ans, valid]


@pytest.fixture
def reg(db):
    build_registry(db)
    return db


def state(db):
    return {t: db.conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("messages", "audit_log")}


def test_import_xlsx_with_title_row_and_aliases(reg, tmp_path):
    headers = ["编号", "网站标识码", "网站名称", "留言时间", "问题类型", "留言内容", "交办时间", "办理状态", "回复时间", "属实情况"]
    rows = [row("ZC001"), row("ZC002", code="", name="东湖区网站2", valid="不属实"),
            row("ZC003", code="3699029999", name="外地网站", state="办理中", ans="", valid="")]
    path = write_xlsx(tmp_path / "m.xlsx", headers, rows, title="找错留言导出")
    result = M.import_messages(reg, path)
    assert result.ok and result.applied, result.problems
    assert (len(result.new), len(result.changed)) == (3, 0)
    assert [str(w) for w in result.warnings] == ["第5行 网站标识码：名录中没有网站标识码“3699029999”，按“（未匹配名录网站）”统计"]
    msgs = {m.message_no: m for m in M.list_messages(reg)}
    m1 = msgs["ZC001"]
    assert (m1.submitted_at, m1.forwarded_at, m1.answered_at) == ("2025-09-29 09:00:00", "2025-09-30 10:00:00",
                                                                   "2025-10-09 15:00:00")
    assert m1.site_name == "东湖区网站1" and m1.unit_name == "东湖区单位1" and m1.is_valid == 1 and m1.closed
    assert msgs["ZC002"].unit_name == "东湖区单位2" and msgs["ZC002"].is_valid == 0
    assert msgs["ZC003"].site_id is None and msgs["ZC003"].is_valid is None and not msgs["ZC003"].closed


def test_reimport_updates_by_message_no_and_empty_cells_keep_values(reg, tmp_path):
    M.import_messages(reg, write_csv(tmp_path / "a.csv", H, [row("A1", state="办理中", ans="", valid=""), row("A2")]))
    mid = M.find_message(reg, "A1").id
    M.edit_message(reg, mid, {"is_valid": "属实"}, who="test")
    result = M.import_messages(reg, write_csv(tmp_path / "b.csv", H, [row("A1", valid=""), row("A2"), row("A3")]))
    assert [n for n, _v in result.new] == [4]
    assert [(n, sorted(new)) for n, _i, _o, new in result.changed] == [(2, ["answered_at", "state"])]
    assert [n for n, _i in result.unchanged] == [3]
    a1 = M.find_message(reg, "A1")
    assert a1.state == "已办结" and a1.answered_at == "2025-10-09 15:00:00" and a1.is_valid == 1
    assert a1.id == mid and len(M.list_messages(reg)) == 3


def test_bad_rows_write_nothing(reg, tmp_path):
    M.import_messages(reg, write_csv(tmp_path / "ok.csv", H, [row("K1")]))
    before = state(reg)
    rows = [row("B1"),
            row("B1"),                                                 # duplicate in the file
            row("B3", sub="2025-02-30"),                               # no such date
            row("B4", fwd="2025-09-28 10:00"),                         # forwarded before submitted
            row("B5", ans="2025-09-30 09:00"),                         # answered before forwarded
            row("B6", ans=""),                                         # 已办结 without an answer time
            row("B7", code="12345"),                                   # bad 标识码
            row("B8", code="", name=""),                               # no site at all
            row("", valid="也许")]                                      # no number, bad flag
    result = M.import_messages(reg, write_csv(tmp_path / "bad.csv", H, rows))
    assert not result.ok and not result.applied
    lines = [str(p) for p in result.problems]
    assert "第3行 留言编号：与第2行重复（B1）" in lines
    assert any(s.startswith("第4行 提交时间：") and "不存在" in s for s in lines)
    assert "第5行 转办时间：转办时间 2025-09-28 10:00:00 早于提交时间 2025-09-29 09:00:00" in lines
    assert any(s.startswith("第6行 答复时间：") and "早于转办时间" in s for s in lines)
    assert "第7行 答复时间：办理状态为“已办结”，但答复时间为空" in lines
    assert any(s.startswith("第8行 网站标识码：") for s in lines)
    assert "第9行 网站名称：网站名称和网站标识码不能都为空" in lines
    assert "第10行 留言编号：不能为空" in lines and any(s.startswith("第10行 是否属实：") for s in lines)
    assert result.summary() == f"发现 {len(lines)} 处问题，未导入任何留言。"
    assert state(reg) == before
    with pytest.raises(ImportFileError):
        M.apply_messages_import(reg, result)


def test_forwarded_on_the_day_of_submission_given_as_a_date(reg, tmp_path):
    """Exports often give 转办时间 as a bare date: the same day as a timed submission is fine, the day
    before is not, and the answer may come the same day too."""
    rows = [row("D1", sub="2025-09-29 09:00", fwd="2025-09-29", ans="2025-09-29"),
            row("D2", sub="2025-09-29 09:00", fwd="2025/9/29", ans="2025-10-09 15:00")]
    result = M.import_messages(reg, write_csv(tmp_path / "d.csv", H, rows))
    assert result.ok and result.applied, [str(p) for p in result.problems]
    assert M.find_message(reg, "D1").forwarded_at == "2025-09-29"
    bad = M.import_messages(reg, write_csv(tmp_path / "e.csv", H, [row("D3", sub="2025-09-29 09:00", fwd="2025-09-28")]))
    assert [str(p) for p in bad.problems] == ["第2行 转办时间：转办时间 2025-09-28 早于提交时间 2025-09-29 09:00:00"]


def test_missing_columns(reg, tmp_path):
    result = M.import_messages(reg, write_csv(tmp_path / "x.csv", ["编号", "内容"], [["1", "x"]]))
    assert not result.ok and "表头缺少必需的列" in str(result.problems[0])


def test_manual_entry(reg):
    mid = M.add_message(reg, {"message_no": "S1", "site_code": SITE1, "submitted_at": "2025-10-09 08:30",
                              "problem_type": "链接不可用", "description": "栏目链接打不开"}, who="test")
    m = M.get_message(reg, mid)
    assert m.unit_name == "东湖区单位1" and m.state == "" and m.forwarded_at is None
    with pytest.raises(ValidationError) as err:
        M.add_message(reg, {"message_no": "S1", "site_code": SITE1, "submitted_at": "2025-10-09"})
    assert "已存在" in err.value.problems["留言编号"]
    with pytest.raises(ValidationError) as err:
        M.edit_message(reg, mid, {"answered_at": "2025-10-08"})
    assert "早于提交时间" in err.value.problems["答复时间"]
    changed = M.edit_message(reg, mid, {"forwarded_at": "2025-10-09 09:00", "answered_at": "2025-10-10 10:00",
                                        "state": "已办结"}, who="test")
    assert set(changed) == {"forwarded_at", "answered_at", "state"}
    assert M.get_message(reg, mid).closed
    assert M.edit_message(reg, mid, {"state": "已办结"}) == {}


def test_datetime_forms():
    assert M.parse_datetime("2025/10/9 8:05") == "2025-10-09 08:05:00"
    assert M.parse_datetime("2025年10月9日 14:30:15") == "2025-10-09 14:30:15"
    assert M.parse_datetime("2025-10-09T14:30:00") == "2025-10-09 14:30:00"
    assert M.parse_datetime(dt.datetime(2025, 10, 9, 14, 30)) == "2025-10-09 14:30:00"
    assert M.parse_datetime(45939.5) == "2025-10-09 12:00:00"
    assert M.parse_datetime("2025-10-09") == "2025-10-09"
    with pytest.raises(M.BadValue):
        M.parse_datetime("2025-10-09 25:00")


def test_percent_rounds_half_up():
    assert M.percent(171, 173) == Decimal("98.84")
    assert M.percent(172, 174) == Decimal("98.85")
    assert M.percent(1, 32) == Decimal("3.13")          # 3.125: half-up, not half-even
    assert M.percent(1, 3) == Decimal("33.33") and M.percent(2, 3) == Decimal("66.67")
    assert M.percent(5, 5) == Decimal("100.00") and M.percent(0, 0) is None


def test_deadline_boundaries_across_national_day(reg, tmp_path):
    # Forwarded 2025-09-30: 3 working days → 10-09, 10-10, 10-11 (a working Saturday).
    rows = [row("T0", ans="2025-10-11 17:59"),            # on the deadline day: on time
            row("T1", ans="2025-10-13 09:00"),            # one working day late (12th is a Sunday)
            row("T2", ans="2025-09-30 16:00"),            # same day: 0 working days
            row("T3", state="办理中", ans="")]             # not answered, deadline passed
    M.import_messages(reg, write_csv(tmp_path / "d.csv", H, rows))
    rep = M.message_stats(reg, "2025-09-01", "2025-09-30", today="2025-10-20")
    s = rep.overall
    assert (s.received, s.valid, s.closed, s.closed_on_time, s.overdue) == (4, 4, 3, 2, 2)
    assert s.on_time_rate == Decimal("50.00")
    assert s.avg_workdays == Decimal("2.33")              # (3 + 4 + 0) / 3
    assert [(o.message_no, o.deadline, o.late_workdays) for o in rep.overdue] == [
        ("T1", "2025-10-11", 1), ("T3", "2025-10-11", 6)]
    # Before the deadline an unanswered message is not overdue yet.
    early = M.message_stats(reg, "2025-09-01", "2025-09-30", today="2025-10-11")
    assert [o.message_no for o in early.overdue] == ["T1"]


def test_rates_per_unit_and_period(reg, tmp_path):
    rows = []
    for i in range(174):                                   # 172 on time, 2 late → 98.85 %
        late = i < 2
        rows.append(row(f"R{i:03d}", code=SITE1 if i % 2 else SITE2,
                        ans="2025-10-13 09:00" if late else "2025-10-09 09:00", valid="是" if i % 3 else "否"))
    rows.append(row("OUT", sub="2025-10-01 09:00", fwd="2025-10-09", ans="2025-10-09"))   # outside the period
    M.import_messages(reg, write_csv(tmp_path / "r.csv", H, rows))
    rep = M.message_stats(reg, "2025-09-01", "2025-09-30", today="2025-12-31")
    assert rep.overall.received == 174 and rep.overall.closed_on_time == 172
    assert rep.overall.on_time_rate == Decimal("98.85") and rep.overall.valid == 116
    units = {u.unit_name: u.stats for u in rep.by_unit}
    assert list(units) == ["东湖区单位1", "东湖区单位2"]
    assert units["东湖区单位1"].received == 87 and units["东湖区单位1"].closed_on_time == 86
    assert units["东湖区单位2"].on_time_rate == Decimal("98.85")    # 86 / 87
    doc = rep.to_dict()
    assert doc["overall"]["on_time_rate"] == 98.85 and doc["by_unit"][0]["unit"] == "东湖区单位1"
    with pytest.raises(ValidationError):
        M.message_stats(reg, "2025-10-01", "2025-09-01")


def test_deadline_setting(reg, tmp_path):
    assert M.deadline_workdays(reg) == 3
    M.set_deadline_workdays(reg, 5)
    assert M.deadline_workdays(reg) == 5
    # Forwarded 09-30: 5 working days → 10-09, 10-10, 10-11, 10-13, 10-14.
    M.import_messages(reg, write_csv(tmp_path / "s.csv", H, [row("S1", ans="2025-10-14 09:00"),
                                                             row("S2", ans="2025-10-15 09:00")]))
    rep = M.message_stats(reg, "2025-09-01", "2025-09-30", today="2025-12-31")
    assert rep.deadline_workdays == 5 and rep.overall.closed_on_time == 1
    assert [(o.message_no, o.deadline) for o in rep.overdue] == [("S2", "2025-10-14")]
    assert M.message_stats(reg, "2025-09-01", "2025-09-30", days=3, today="2025-12-31").overall.closed_on_time == 0
    with pytest.raises(ValidationError):
        M.set_deadline_workdays(reg, 0)


def test_unknown_year_is_reported(reg, tmp_path):
    rows = [row("Y1", sub="2027-03-01 09:00", fwd="2027-03-01 10:00", ans="2027-03-03 10:00")]
    M.import_messages(reg, write_csv(tmp_path / "y.csv", H, rows))
    cal = load_calendar([tmp_path / "no-override.json"])
    rep = M.message_stats(reg, "2027-03-01", "2027-03-31", today="2027-04-01", calendar=cal)
    assert rep.unconfirmed_years == [2027] and "2027年" in rep.calendar_note
    assert rep.overall.avg_workdays == Decimal("2.00")
