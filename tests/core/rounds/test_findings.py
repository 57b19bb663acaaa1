"""Findings: add/review audited, whitelist across rounds, all-or-nothing import, JSONL and xlsx export."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest

from app.core.store import audit
from app.core.rounds import finding_io, findings, rounds
from app.core.errors import ValidationError

from roundsetup import build_registry
from tablefiles import write_csv, write_xlsx

HEADERS = ["网站标识码", "平台", "账号名称", "指标", "问题描述", "数量", "链接", "状态"]


@pytest.fixture
def rid(db):
    build_registry(db)
    return rounds.create_round(db, "六月", "2025-06-30")


def target(db, round_id, key):
    return next(t for t in rounds.round_targets(db, round_id) if t.target_key == key)


def count_findings(db):
    return db.conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]


def test_add_finding_and_batch_review_are_audited(db, rid):
    t = target(db, rid, "3699020001")
    a = findings.add_finding(db, rid, t.id, "web.ded.function.availability", kind="broken_link",
                             url="http://s3699021.gov.cn/x.html", detail="链接失效", count=2, who="张三")
    b = findings.add_finding(db, rid, t.id, "web.veto.unreachable", source="自动", who="张三")
    f = findings.get_finding(db, a)
    assert (f.status, f.source, f.count, f.target_key, f.target_name, f.region_name) == \
        ("待审核", "人工", 2, "3699020001", "东湖区网站1", "东湖区")
    assert f.fingerprint and f.reviewed_at is None
    [entry] = audit.entries(db, "findings", a)
    assert entry["action"] == "insert" and entry["who"] == "张三" and entry["new"]["detail"] == "链接失效"

    assert findings.set_status(db, [a, b], "确认", note="核实属实", who="李四") == 2
    for fid in (a, b):
        f = findings.get_finding(db, fid)
        assert (f.status, f.reviewer, f.reviewer_note) == ("确认", "李四", "核实属实") and f.reviewed_at
        last = audit.entries(db, "findings", fid)[-1]
        assert last["action"] == "status" and last["old"]["status"] == "待审核" and last["new"]["status"] == "确认"
    with pytest.raises(ValidationError):
        findings.set_status(db, [a], "已确认")
    with pytest.raises(ValidationError, match="999"):
        findings.set_status(db, [a, 999], "存疑")
    assert findings.get_finding(db, a).status == "确认"


@pytest.mark.parametrize("kwargs, field", [
    ({"indicator_id": "nm.veto.not_updated"}, "指标"),     # new-media item on a website
    ({"indicator_id": "bogus"}, "指标"),
    ({"count": 0}, "数量"),
    ({"count": "x"}, "数量"),
    ({"status": "已确认"}, "状态"),
    ({"source": "爬虫"}, "来源"),
])
def test_add_finding_validation(db, rid, kwargs, field):
    t = target(db, rid, "3699020001")
    args = {"indicator_id": "web.veto.unreachable", **kwargs}
    with pytest.raises(ValidationError) as exc:
        findings.add_finding(db, rid, t.id, **args)
    assert field in exc.value.problems
    assert count_findings(db) == 0


def test_target_must_belong_to_round(db, rid):
    other = rounds.create_round(db, "七月", "2025-07-31")
    t = target(db, other, "3699020001")
    with pytest.raises(ValidationError, match="不属于"):
        findings.add_finding(db, rid, t.id, "web.veto.unreachable")


def test_list_findings_filters(db, rid):
    t1, t2 = target(db, rid, "3699020001"), target(db, rid, "3699210001")
    findings.add_finding(db, rid, t1.id, "web.veto.unreachable", kind="probe", status="确认")
    findings.add_finding(db, rid, t2.id, "web.ded.function.availability", kind="broken_link")
    findings.add_finding(db, rid, t2.id, "web.ded.function.availability", kind="broken_link", status="确认")
    assert len(findings.list_findings(db, rid)) == 3
    assert len(findings.list_findings(db, rid, status="确认")) == 2
    assert len(findings.list_findings(db, rid, kind="broken_link")) == 2
    assert [f.target_key for f in findings.list_findings(db, rid, region="临川县")] == ["3699210001"] * 2
    assert len(findings.list_findings(db, rid, status="确认", region="临川县")) == 1


def test_false_positive_whitelist_marks_later_round(db, rid):
    t = target(db, rid, "3699020001")
    fp = findings.add_finding(db, rid, t.id, "web.ded.function.availability", kind="broken_link",
                              url="http://s3699021.gov.cn/old.html", snippet="旧版链接")
    findings.set_status(db, [fp], "误报", note="内网地址，非问题")
    rule = findings.whitelist_from_finding(db, fp, note="内网地址")
    assert audit.entries(db, "whitelist_rules", rule)[0]["action"] == "insert"

    later = rounds.create_round(db, "七月", "2025-07-31")
    t2 = target(db, later, "3699020001")
    same = findings.add_finding(db, later, t2.id, "web.ded.function.availability", kind="broken_link",
                                url="http://s3699021.gov.cn/old.html", snippet="页面中的旧版链接文字")
    other_url = findings.add_finding(db, later, t2.id, "web.ded.function.availability", kind="broken_link",
                                     url="http://s3699021.gov.cn/new.html", snippet="旧版链接")
    confirmed = findings.add_finding(db, later, t2.id, "web.ded.function.availability", kind="broken_link",
                                     url="http://s3699021.gov.cn/old.html", snippet="旧版链接", status="确认")
    f = findings.get_finding(db, same)
    assert (f.status, f.whitelist_rule_id, f.reviewer_note) == ("误报", rule, findings.WHITELIST_NOTE)
    assert findings.get_finding(db, other_url).status == "待审核"
    assert findings.get_finding(db, confirmed).status == "确认"      # a reviewer's decision stands

    # Moving it back clears the rule link and the automatic note.
    findings.set_status(db, [same], "确认")
    f = findings.get_finding(db, same)
    assert f.whitelist_rule_id is None and f.reviewer_note == ""


def test_apply_whitelist_to_existing_findings(db, rid):
    t = target(db, rid, "3699020001")
    a = findings.add_finding(db, rid, t.id, "web.ded.function.availability", url="http://x.gov.cn/a",
                             detail="外链 http://x.gov.cn/a 无法打开")
    b = findings.add_finding(db, rid, t.id, "web.ded.function.availability", url="http://x.gov.cn/b")
    assert findings.apply_whitelist(db, rid) == 0
    rule = findings.add_whitelist_rule(db, "3699020001", text="x.gov.cn/a")
    assert findings.apply_whitelist(db, rid) == 1
    fa = findings.get_finding(db, a)
    assert (fa.status, fa.whitelist_rule_id, fa.reviewer_note) == ("误报", rule, "白名单自动标记")
    assert audit.entries(db, "findings", a)[-1]["action"] == "whitelist"
    assert findings.get_finding(db, b).status == "待审核"
    findings.set_rule_active(db, rule, False)
    c = findings.add_finding(db, rid, t.id, "web.ded.function.availability", detail="x.gov.cn/a")
    assert findings.get_finding(db, c).status == "待审核"
    with pytest.raises(ValidationError):
        findings.add_whitelist_rule(db, "3699020001")           # neither url nor text: too broad


# ---------------------------------------------------------------- import

def good_rows():
    return [
        ["3699020001", "", "", "web.ded.function.availability", "首页链接失效", 3, "http://s3699021.gov.cn/a", ""],
        ["", "微信", "东湖区发布2", "nm.veto.not_updated", "两周未更新", "", "", "存疑"],
        ["3699210001", "", "", "web.veto.unreachable", "无法访问", "1", "", "确认"],
    ]


def test_import_csv_writes_all_rows(db, rid, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADERS, good_rows(), encoding="gbk")
    result = finding_io.import_findings(db, rid, path, who="王五")
    assert result.ok and len(result.added) == 3 and "已导入 3" in result.summary()
    rows = findings.list_findings(db, rid)
    assert [(f.target_key, f.status, f.count, f.source) for f in rows] == [
        ("3699020001", "确认", 3, "导入"), ("3699210001", "确认", 1, "导入"), ("微信公众号:东湖区发布2", "存疑", 1, "导入")]
    assert rows[0].detail == "首页链接失效" and rows[0].url == "http://s3699021.gov.cn/a" and rows[0].reviewer == "王五"
    assert {e["action"] for e in audit.entries(db, "findings")} == {"import"}
    assert audit.entries(db, "rounds", rid)[-1]["action"] == "import_findings"


def test_import_is_all_or_nothing_with_row_errors(db, rid, tmp_path):
    rows = good_rows() + [
        ["9999999999", "", "", "web.veto.unreachable", "", 1, "", ""],          # row 5: unknown target
        ["3699020002", "", "", "没有这个指标", "", 1, "", ""],              # row 6: unknown indicator
        ["3699020003", "", "", "web.veto.unreachable", "", "两个", "", ""],     # row 7: bad 数量
        ["3699020004", "", "", "web.veto.unreachable", "", 1, "", "大概"],      # row 8: bad 状态
        ["", "抖音", "没有这个号", "nm.veto.not_updated", "", 1, "", ""],        # row 9: account not in round
        ["3699020005", "", "", "nm.veto.not_updated", "", -1, "", ""],          # row 10: wrong kind + 数量
    ]
    path = write_xlsx(tmp_path / "f.xlsx", HEADERS, rows, title="第三方检测报告")
    before = len(audit.entries(db))
    result = finding_io.import_findings(db, rid, path)
    assert not result.ok and result.added == []
    got = [(p.row, p.field) for p in result.problems]
    assert got == [(6, "网站标识码"), (7, "指标"), (8, "数量"), (9, "状态"), (10, "账号名称"),
                   (11, "指标"), (11, "数量")]       # title row shifts rows by one
    texts = [str(p) for p in result.problems]
    assert texts[0] == "第6行 网站标识码：“9999999999”不在本轮检查对象中"
    assert "没有这个指标" in texts[1] and "两个" in texts[2] and "大概" in texts[3]
    assert count_findings(db) == 0 and len(audit.entries(db)) == before
    assert "未导入" in result.summary()


def test_import_dry_run_and_missing_columns(db, rid, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADERS, good_rows())
    result = finding_io.import_findings(db, rid, path, dry_run=True)
    assert result.ok and result.rows == 3 and count_findings(db) == 0 and "试运行" in result.summary()
    bad = write_csv(tmp_path / "g.csv", ["网站标识码", "问题描述"], [["3699020001", "x"]])
    result = finding_io.import_findings(db, rid, bad)
    assert not result.ok and result.problems[0].row == 1 and "指标" in result.problems[0].reason


def test_import_into_closed_round_refused(db, rid, tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADERS, good_rows())
    rounds.close_round(db, rid)
    with pytest.raises(rounds.RoundClosedError):
        finding_io.import_findings(db, rid, path)
    assert count_findings(db) == 0


def test_imported_pending_rows_meet_the_whitelist(db, rid, tmp_path):
    findings.add_whitelist_rule(db, "3699020001", url="http://s3699021.gov.cn/a")
    rows = [["3699020001", "", "", "web.ded.function.availability", "失效", 1, "http://s3699021.gov.cn/a", "待审核"]]
    result = finding_io.import_findings(db, rid, write_csv(tmp_path / "f.csv", HEADERS, rows))
    f = findings.get_finding(db, result.added[0])
    assert f.status == "误报" and f.reviewer_note == "白名单自动标记"


# ---------------------------------------------------------------- export

def test_jsonl_export_keys(db, rid):
    t = target(db, rid, "新浪微博:东湖区发布1")
    findings.add_finding(db, rid, t.id, "nm.veto.not_updated", kind="stale", detail="两周未更新", count=1)
    buf = io.StringIO()
    assert finding_io.write_jsonl(db, findings.list_findings(db, rid), buf) == 1
    lines = buf.getvalue().splitlines()
    obj = json.loads(lines[0])
    for key in ("id", "target", "name", "region", "kind", "indicator", "url", "page", "detail", "status", "source",
                "count", "snippet", "detected_at", "reviewer_note"):
        assert key in obj
    assert obj["target"] == "新浪微博:东湖区发布1" and obj["indicator"] == "nm.veto.not_updated"
    assert obj["status"] == "待审核" and obj["source"] == "人工" and obj["region"] == "东湖区"
    assert "两周未更新" in lines[0]        # Chinese written as is, not \u escapes


def test_xlsx_export_never_writes_formulas(db, rid, tmp_path):
    t = target(db, rid, "3699020001")
    nasty = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3", "@SUM(A1)"]
    for text in nasty:
        findings.add_finding(db, rid, t.id, "web.ded.function.availability", detail=text, snippet=text)
    path = tmp_path / "out" / "f.xlsx"
    assert finding_io.export_xlsx(db, rid, findings.list_findings(db, rid), path) == 4
    ws = openpyxl.load_workbook(path).active
    assert "六月" in ws.cell(1, 1).value
    header_row = next(r for r in range(1, 5) if ws.cell(r, 1).value == "序号")
    headers = [c.value for c in ws[header_row]]
    assert ws.cell(header_row, 1).font.bold
    assert ws.freeze_panes == f"A{header_row + 1}"
    col = headers.index("问题描述") + 1
    for i, text in enumerate(nasty):
        cell = ws.cell(header_row + 1 + i, col)
        assert cell.value == text and cell.data_type == "s"


def test_xlsx_export_reimports(db, rid, tmp_path):
    t = target(db, rid, "3699020001")
    a = target(db, rid, "微信公众号:东湖区发布2")
    findings.add_finding(db, rid, t.id, "web.veto.unreachable", status="确认", detail="=1+1", count=2)
    findings.add_finding(db, rid, a.id, "nm.veto.not_updated", status="存疑")
    path = tmp_path / "f.xlsx"
    finding_io.export_xlsx(db, rid, findings.list_findings(db, rid), path)
    result = finding_io.import_findings(db, rid, path)
    assert result.ok, [str(p) for p in result.problems]
    again = [f for f in findings.list_findings(db, rid) if f.source == "导入"]
    assert sorted((f.target_key, f.status, f.count, f.detail) for f in again) == [
        ("3699020001", "确认", 2, "=1+1"), ("微信公众号:东湖区发布2", "存疑", 1, "")]


def test_indicator_by_id_or_chinese_name(db, rid):
    index = findings.IndicatorIndex.for_round(db, rid)
    assert index.resolve("站点无法访问", "site")[0].id == "web.veto.unreachable"
    assert index.resolve("可用性", "site")[0].id == "web.ded.function.availability"
    assert index.resolve("可用性（首页及链接可用性）", "site")[0].id == "web.ded.function.availability"
    assert index.resolve("web.veto.unreachable.c1", "site")[0].name.startswith("监测期内")
    # The same name in both rule sets resolves by the target's type.
    assert index.resolve("安全、泄密事故等严重问题", "account")[0].id == "nm.veto.security"
    assert index.resolve("安全、泄密事故等严重问题", "site")[0].id == "web.veto.security"
    assert "多个指标" in index.resolve("其他条款", "account")[1]
    assert "用于政务新媒体" in index.resolve("内容不更新", "site")[1]
    assert "未知的指标" in index.resolve("web.nothing.here", "site")[1]
    assert "未知的指标" in index.resolve("web.ded", "site")[1]          # a part, not an item


def test_import_by_chinese_indicator_name_and_unknown_id(db, rid, tmp_path):
    rows = [["3699020001", "", "", "站点无法访问", "", 1, "", ""],
            ["3699020002", "", "", "web.nothing.here", "", 1, "", ""]]
    result = finding_io.import_findings(db, rid, write_csv(tmp_path / "f.csv", HEADERS, rows))
    assert [(p.row, p.field) for p in result.problems] == [(3, "指标")]
    result = finding_io.import_findings(db, rid, write_csv(tmp_path / "g.csv", HEADERS, rows[:1]))
    assert result.ok
    f = findings.get_finding(db, result.added[0])
    assert f.indicator_id == "web.veto.unreachable"
    buf = io.StringIO()
    finding_io.write_jsonl(db, [f], buf)
    assert json.loads(buf.getvalue())["indicator_name"] == "站点无法访问"
