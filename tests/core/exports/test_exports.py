"""Annex workbooks: the Sichuan area summary rebuilt exactly, problem lists, details, platforms,
messages, office layout read back with openpyxl, formula-safe text, the export CLI."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.cli.main import main
from app.core.store import db as dbm
from app.core.rounds import findings, profiles as pf, rounds
from app.core.followup import messages
from app.core.exports import (DetailsOptions, ExportOptions, ProblemsOptions, SummaryOptions, build_annexes,
                              export_round, list_annexes, load_round_data, write_annexes)
from app.core.exports.annex_data import UNVERIFIED_NOTE, parse_families
from app.core.rounds.round_scores import score_round
from app.core.office.xlsx import SheetStyle

from roundsetup import august_round, build_registry

NOW = "2025-12-20 10:00:00"
# The annex of sichuan-2025-h2.txt: 单位 | 网站总数 | 市级门户 | 市级部门 | 县级门户 | 突出问题 | 新媒体总数 | 突出问题
SICHUAN = """成都 63 1 40 22 0 622 0
自贡 9 1 2 6 0 87 0
攀枝花 40 1 34 5 0 89 0
泸州 46 1 38 7 0 197 0
德阳 10 1 3 6 0 89 0
绵阳 46 1 36 9 0 154 0
广元 42 1 34 7 0 218 0
遂宁 41 1 35 5 0 172 0
内江 10 1 4 5 0 88 0
乐山 14 1 2 11 0 169 0
南充 11 1 1 9 0 173 0
宜宾 47 1 36 10 0 331 0
广安 9 1 2 6 0 64 0
达州 35 1 27 7 0 170 0
巴中 38 1 32 5 0 98 0
雅安 34 1 25 8 0 155 0
眉山 8 1 1 6 0 91 0
资阳 7 1 3 3 0 39 0
阿坝 18 1 4 13 0 167 0
甘孜 38 1 19 18 0 126 2
凉山 52 1 34 17 0 173 0"""
PROVINCE = ("省直部门", "省直部门(含省政府门户)", 46, 250, 2)    # 1 省部级政府门户 + 45 省级部门网站
CITY_CATEGORIES = ("市级门户", "市级部门网站", "县级门户(含开发区/高新区)")
SICHUAN_OPTIONS = SummaryOptions(categories=CITY_CATEGORIES,
                                 captions={"县级门户(含开发区/高新区)": "县级门户(含高新区)网站数"})


def sichuan_rows() -> list[list]:
    return [[name, *map(int, rest)] for name, *rest in (line.split() for line in SICHUAN.splitlines())]


def build_sichuan(db) -> int:
    """The 2025 Q4 Sichuan round: 664 sites, 3,722 accounts, 4 accounts with a veto (99.89 %)."""
    conn = db.conn
    sites, accounts, targets, found = [], [], [], []
    regions = [(i, name, "市(州)", i) for i, (name, *_) in enumerate(sichuan_rows(), start=1)]
    regions.append((22, PROVINCE[0], PROVINCE[1], 22))

    def add_site(region_id, region, category, portal):
        sid = len(sites) + 1
        sites.append((sid, f"51{sid:08d}", f"{region}网站{sid}", f"http://s{sid}.gov.cn/", NOW, NOW))
        targets.append((len(targets) + 1, "site", sid, None, f"51{sid:08d}", f"{region}网站{sid}", "", category,
                        portal, region_id, region, f"{region}单位{sid}", len(targets) + 1))

    def add_accounts(region_id, region, n, bad):
        for k in range(n):
            aid = len(accounts) + 1
            platform = ("微信公众号", "新浪微博", "抖音")[aid % 3]
            accounts.append((aid, f"{region}发布{aid}", platform, NOW, NOW))
            tid = len(targets) + 1
            targets.append((tid, "account", None, aid, f"{platform}:{region}发布{aid}", f"{region}发布{aid}",
                            platform, "", 0, region_id, region, f"{region}单位", tid))
            if k < bad:
                found.append((tid, "nm.veto.not_updated.c1", "确认", 1, "监测时间点前两周未更新", NOW))

    for rid, (name, total, portal, dept, county, _, n_acc, bad) in enumerate(sichuan_rows(), start=1):
        assert portal + dept + county == total
        for category, n in zip(CITY_CATEGORIES, (portal, dept, county)):
            for _ in range(n):
                add_site(rid, name, category, int(category != "市级部门网站"))
        add_accounts(rid, name, n_acc, bad)
    add_site(22, PROVINCE[0], "省部级政府门户", 1)
    for _ in range(PROVINCE[2] - 1):
        add_site(22, PROVINCE[0], "省级部门网站", 0)
    add_accounts(22, PROVINCE[0], PROVINCE[3], PROVINCE[4])
    text, version = pf.round_snapshot(db, "national-2019")
    with dbm.transaction(db):
        conn.executemany("INSERT INTO regions(id, name, group_name, sort_order) VALUES (?, ?, ?, ?)", regions)
        conn.executemany("INSERT INTO sites(id, site_code, name, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                         sites)
        conn.executemany("INSERT INTO accounts(id, name, platform, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                         accounts)
        conn.execute("INSERT INTO rounds(id, name, kind, as_of, period_from, period_to, profile_id, profile_version, "
                     "profile_snapshot, created_at) VALUES (1, '2025年第四季度检查', '季度', '2025-12-15', '2025-10-01', "
                     "'2025-12-15', 'national-2019', ?, ?, ?)", (version, text, NOW))
        conn.executemany("INSERT INTO round_targets(id, round_id, target_type, site_id, account_id, target_key, name, "
                         "platform, category, is_portal, region_id, region_name, unit_name, review_state, sort_order) "
                         "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '已检查', ?)", targets)
        conn.executemany("INSERT INTO findings(round_id, target_id, indicator_id, status, count, detail, detected_at) "
                         "VALUES (1, ?, ?, ?, ?, ?, ?)", found)
    return 1


@pytest.fixture(scope="module")
def sichuan_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sichuan") / "sichuan.sqlite"
    database = dbm.connect(path)
    build_sichuan(database)
    database.close()
    return path


@pytest.fixture
def sichuan(sichuan_db):
    database = dbm.connect(sichuan_db)
    yield database
    database.close()


def sheet(path: Path, name: str | None = None):
    wb = load_workbook(path)
    return wb[name] if name else wb.worksheets[0]


def values(ws, first: int, last: int | None = None) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, max_row=last or ws.max_row, values_only=True)]


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


# ---------------------------------------------------------------- 地区汇总: the Sichuan annex, exactly

def test_sichuan_area_summary_matches_the_published_annex(sichuan, tmp_path):
    data = load_round_data(sichuan, 1, area="四川省")
    built = build_annexes(data, ["summary"], ExportOptions(summary=SICHUAN_OPTIONS))
    paths = write_annexes(built.annexes, tmp_path)
    assert [p.name for p in paths] == ["附件1-2025年第四季度全省政府网站与政务新媒体检查情况.xlsx", "全部附件.xlsx"]
    ws = sheet(paths[0])
    assert ws["A1"].value == "2025年第四季度全省政府网站与政务新媒体检查情况"
    assert "2025年第四季度" in ws["A2"].value
    assert values(ws, 3, 4) == [
        ["单位", None, "政府网站检查情况", None, None, None, None, "政务新媒体检查情况", None],
        [None, None, "网站总数", "市级门户网站数", "市级部门网站数", "县级门户(含高新区)网站数", "存在突出问题数",
         "政务新媒体总数", "存在突出问题数"]]
    body = values(ws, 5, 27)
    expected = [["市(州)" if i == 0 else None, *row] for i, row in enumerate(sichuan_rows())]
    expected.append(["省直部门(含省政府门户)", None, 46, "—", "—", "—", 0, 250, 2])
    expected.append(["合计", None, 664, 21, 412, 185, 0, 3722, 4])
    assert body == expected
    assert {"A1:I1", "A2:I2", "A3:B4", "C3:G3", "H3:I3", "A5:A25", "A26:B26", "A27:B27"} <= merged(ws)
    assert ws.max_row == 27          # no footnote: no unverified number touched a counted score


def test_sichuan_rates_equal_score_and_round_half_up(sichuan, sichuan_db, tmp_path, capsys):
    opts = SummaryOptions(categories=CITY_CATEGORIES, show_checked=True, show_passed=True, show_rate=True)
    data = load_round_data(sichuan, 1, area="四川省")
    ws = sheet(write_annexes(build_annexes(data, ["summary"], ExportOptions(summary=opts)).annexes, tmp_path)[0])
    header = [c.value for c in ws[4]]
    acc = header.index("政务新媒体总数")
    total = [c.value for c in ws[27]]
    assert total[acc:acc + 5] == [3722, 3722, 3718, 4, pytest.approx(0.9989)]
    rate_cell = ws.cell(27, acc + 5)
    assert rate_cell.number_format == "0.00%" and f"{Decimal(str(rate_cell.value)) * 100:.2f}" == "99.89"
    ganzi = [c.value for c in ws[24]]
    assert ganzi[1] == "甘孜" and ganzi[acc + 4] == pytest.approx(0.9841)      # 124/126 = 98.4127 -> 98.41
    site_rate = ws.cell(27, header.index("网站总数") + 8)      # 1-based: 总数, 3 categories, 检查, 合格, 突出, 合格率
    assert site_rate.value == 1 and site_rate.number_format == "0%"          # 100% as circulars print it
    # Identical to what `score --json` prints.
    assert main(["--db", str(sichuan_db), "score", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    accounts = doc["summary"]["accounts"]
    assert (accounts["checked"], accounts["passed"], accounts["outstanding"], accounts["pass_rate"]) == \
        (3722, 3718, 4, 99.89)
    assert accounts["by_region"]["甘孜"]["pass_rate"] * 100 == pytest.approx(ganzi[acc + 4] * 10000)


def test_office_layout_read_back(sichuan, tmp_path):
    style = SheetStyle(text_font="楷体_GB2312", number_font="Times New Roman")
    data = load_round_data(sichuan, 1)
    opts = ExportOptions(style=style, summary=SummaryOptions(show_rate=True))
    paths = write_annexes(build_annexes(data, ["summary", "platforms"], opts).annexes, tmp_path, style)
    for path in paths:
        for ws in load_workbook(path).worksheets:
            depth = 2 if ws.title in ("地区汇总", "附件1") else 1
            first_body = 3 + depth
            assert ws.freeze_panes == f"A{first_body}"
            assert ws.print_title_rows == f"$3:${2 + depth}"
            ps = ws.page_setup
            assert (ps.paperSize, ps.orientation, ps.fitToWidth, ps.fitToHeight) == (9, "landscape", 1, 0)
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            title, header = ws["A1"], ws.cell(3, 1)
            assert title.font.b and title.font.name == "楷体_GB2312"
            assert f"A1:{get_column_letter(ws.max_column)}1" in merged(ws)
            assert header.font.b and header.alignment.horizontal == "center" and header.alignment.wrap_text
            assert header.border.left.style == "thin" and header.border.bottom.style == "thin"
            numbers = [c for row in ws.iter_rows(min_row=first_body) for c in row
                       if isinstance(c.value, (int, float))]
            assert numbers and all(c.font.name == "Times New Roman" for c in numbers)
            percents = [c for c in numbers if c.number_format == "0.00%"]
            assert percents and all(0 <= c.value <= 1 for c in percents)
            texts = [c for c in ws[first_body] if isinstance(c.value, str)]
            assert all(c.font.name == "楷体_GB2312" for c in texts)
            widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column + 1)]
            assert all(w and w >= 6 for w in widths)
    combined = load_workbook(paths[-1])
    assert combined.sheetnames == ["附件1", "附件2"]


# ---------------------------------------------------------------- small rounds built through the core

@pytest.fixture
def small(db):
    """东湖区 10 sites / 8 accounts, 临川县 5 / 4, 白马乡 1 / 1, grouped; a round with findings."""
    rid, t = august_round(db)
    rounds.mark_checked(db, [x.id for x in t.values()], "全部检查完毕")     # every target was looked at

    def add(key, indicator, count=1, detail="", url="", status="确认"):
        findings.add_finding(db, rid, t[key].id, indicator, status=status, count=count, detail=detail, url=url,
                             detected_at="2025-08-14 09:00:00")

    add("3699020003", "web.ded.publish.accuracy", 3, "“十四五”误写为“十三五”", "http://s3699023.gov.cn/a.html")
    add("3699020001", "web.veto.home_not_updated.c1", 1, "首页连续两周无更新")
    add("3699210002", "web.ded.function.availability", 4, "", "http://s3699212.gov.cn/x")
    add("3699210002", "web.ded.publish.policy_docs.r1")
    add("3699020005", "web.ded.publish.accuracy", 1, "误报的例子", status="误报")
    add("微信公众号:东湖区发布2", "nm.veto.not_updated.c1", 1, "监测点前两周未更新")
    add("新浪微博:临川县发布1", "nm.issue.typo", 2, "“政府”误为“政付”")
    return rid


def test_problem_lists_veto_first_with_note(db, small, tmp_path):
    data = load_round_data(db, small, area="江州市")
    built = build_annexes(data, ["problems"], ExportOptions(problems=ProblemsOptions(show_code=True)))
    assert [a.key for a in built.annexes] == ["problems.sites", "problems.accounts"]
    sites_path, accounts_path, _ = write_annexes(built.annexes, tmp_path)
    ws = sheet(sites_path)
    assert ws["A1"].value == "2025年8月检查发现问题的政府网站名单"
    assert [c.value for c in ws[3]] == ["序号", "区/部门", "网站名称", "网站标识码", "问题"]
    rows = values(ws, 4)
    assert rows[0][0] == "一、单项否决（1家）" and "A4:E4" in merged(ws)
    assert rows[1][:4] == [1, "东湖区单位1", "东湖区网站1", "3699020001"]
    assert rows[1][4] == "监测2周首页无信息更新：首页连续两周无更新"
    assert rows[2][0] == "二、扣分（2家）"
    assert rows[3][:3] == [2, "东湖区单位3", "东湖区网站3"]
    assert rows[3][4] == "内容准确性（一般错别字、表述错误）（3处）：“十四五”误写为“十三五”"
    assert rows[4][:3] == [3, "临川县单位2", "临川县网站2"]
    assert rows[4][4] == "监测时间点前6个月内政策文件类一级栏目未更新；可用性（首页及链接可用性）（4个）"
    assert rows[5][0] == "注：监测时间点2025年8月14日，时间段为8月1日-8月14日"       # as the circulars print it
    assert len(rows) == 6            # the 误报 finding on 东湖区网站5 is not listed
    ws = sheet(accounts_path)
    assert [c.value for c in ws[3]] == ["序号", "区/部门", "账号类型", "账号名称", "问题"]
    rows = values(ws, 4)
    assert rows[0][0] == "一、单项否决（1个）"
    assert rows[1] == [1, "东湖区单位2", "微信公众号", "东湖区发布2", "监测时间点前2周内无更新：监测点前两周未更新"]
    assert rows[2][0] == "二、其他问题（1个）"
    assert rows[3][2:4] == ["新浪微博", "临川县发布1"]
    assert rows[4][0].startswith("注：监测时间点2025年8月14日")


def test_veto_only_scope_and_empty_list_note(db, small):
    data = load_round_data(db, small)
    built = build_annexes(data, ["problems"], ExportOptions(problems=ProblemsOptions(scope="veto")))
    table = built.annexes[0].sheets[0][1]
    assert table.title == "2025年8月检查发现存在突出问题的政府网站名单"
    assert [r[2] for r in table.rows] == ["东湖区网站1"]          # no section row when only 单项否决 is listed
    clean = rounds.create_round(db, "九月", "2025-09-14", "2025-09-01", "2025-09-14")
    built = build_annexes(load_round_data(db, clean), ["problems"])
    assert built.annexes == [] and len(built.notes) == 2 and "未发现存在问题的政府网站" in built.notes[0]


def test_details_and_unverified_footnote(db, small, tmp_path):
    data = load_round_data(db, small)
    scores = score_round(db, small)
    paths = write_annexes(build_annexes(data, ["details"]).annexes, tmp_path)
    wb = load_workbook(paths[0])
    assert wb.sheetnames == ["检查结果", "扣分明细"]
    ws = wb["检查结果"]
    assert [c.value for c in ws[3]] == ["序号", "网站名称", "网站标识码", "主办单位", "地区", "得分", "是否合格", "主要问题"]
    rows = {r[2]: r for r in values(ws, 4) if isinstance(r[0], int)}
    by_key = {t.key: t.score for t in scores.targets}
    assert rows["3699020003"][5] == by_key["3699020003"].final_score == 98.5
    assert ws.cell(4 + 2, 6).number_format == "0.00"
    assert rows["3699020001"][5:7] == ["—", "不合格（单项否决）"]
    assert rows["3699210002"][5] == by_key["3699210002"].final_score == 93      # 100 - 5 - 4 x 0.5
    assert rows["3699210002"][7] == ("监测时间点前6个月内政策文件类一级栏目未更新 扣5分；可用性（首页及链接可用性）（4个） 扣2分")
    assert scores.unverified_used
    notes = [r[0] for r in values(ws, 4) if isinstance(r[0], str)]
    assert UNVERIFIED_NOTE in notes
    ws = wb["扣分明细"]
    assert [c.value for c in ws[3]] == ["一级指标", "二级指标", "评分细则", "检查情况", "扣分", "问题链接", "监测时间"]
    rows = values(ws, 4)
    heads = [r[0] for r in rows if isinstance(r[0], str) and r[0][:1].isdigit()]
    assert len(heads) == 16 and heads[0].startswith("1. 东湖区网站1（3699020001）")
    i = next(n for n, r in enumerate(rows) if r[0] and r[0].startswith("3. 东湖区网站3"))
    assert rows[i + 1] == ["发布解读", "内容准确性（一般错别字、表述错误）", "每处扣0.5分，最多扣2分",
                           "共3处：“十四五”误写为“十三五”", 1.5, "http://s3699023.gov.cn/a.html", "2025-08-14"]
    veto = rows[1]
    assert veto[:5] == ["单项否决指标", "站点不更新（首页不更新）", "监测2周首页无信息更新", "首页连续两周无更新", "单项否决"]
    assert UNVERIFIED_NOTE in [r[0] for r in rows]


def test_full_checklist_one_page_per_site(db, small, tmp_path):
    data = load_round_data(db, small)
    annex = build_annexes(data, ["details"], ExportOptions(details=DetailsOptions(checklist="full",
                                                                                  page_per_site=True))).annexes[0]
    table = annex.sheets[1][1]
    blocks = sorted(i for i, k in table.row_kinds.items() if k == "block")
    assert len(blocks) == 16 and table.page_breaks == blocks[1:]
    leaves = data.catalogue("site").leaves(("veto", "deduction", "bonus"))
    clean = table.rows[blocks[1] + 1:blocks[2]]                 # 东湖区网站2: nothing found
    assert len(clean) == len(leaves) and {r[3] for r in clean} == {"未发现问题"}
    ws = sheet(write_annexes([annex], tmp_path, combined_name=None)[0], "扣分明细")
    assert len(ws.row_breaks.brk) == 15 and ws.row_breaks.brk[0].id == 4 + blocks[1] - 1


def test_clean_round_has_no_unverified_footnote(db):
    build_registry(db)
    rid = rounds.create_round(db, "九月", "2025-09-14")
    data = load_round_data(db, rid)
    tables = [t for a in build_annexes(data, ["summary", "details", "platforms"]).annexes for _, t in a.sheets]
    assert all(UNVERIFIED_NOTE not in t.notes for t in tables)


def test_platforms(db, small, tmp_path):
    data = load_round_data(db, small)
    scores = score_round(db, small)
    ws = sheet(write_annexes(build_annexes(data, ["platforms"]).annexes, tmp_path)[0])
    assert ws["A1"].value == "2025年8月政务新媒体分平台检查情况"
    assert [c.value for c in ws[3]] == ["平台", "账号数", "检查数", "合格数", "合格率"]
    rows = values(ws, 4)
    by = scores.summary.accounts.by_platform
    assert rows[0][:4] == ["微信公众号", 6, 6, 5] == ["微信公众号", 6, by["微信公众号"].checked, by["微信公众号"].passed]
    assert rows[0][4] == pytest.approx(0.8333) == float(by["微信公众号"].pass_rate) / 100     # 5/6 = 83.33 %
    assert rows[1][0] == "新浪微博" and rows[2][:4] == ["合计", 13, 13, 12]
    assert f"{Decimal(str(rows[2][4])) * 100:.2f}" == str(scores.summary.accounts.overall.pass_rate) == "92.31"
    assert ws["E4"].number_format == "0.00%" and ws["A6"].font.b


def test_messages_annex_uses_message_stats(db, small, tmp_path):
    site = db.conn.execute("SELECT site_code, name FROM sites ORDER BY id LIMIT 1").fetchone()
    for no, sub, ans, valid in [("M1", "2025-08-04 09:00", "2025-08-05 10:00", "属实"),
                                ("M2", "2025-08-06 09:00", "2025-08-20 10:00", "不属实"),
                                ("M3", "2025-07-20 09:00", "2025-07-21 10:00", "属实")]:       # before the period
        messages.add_message(db, {"message_no": no, "site_code": site[0], "site_name": site[1],
                                  "submitted_at": sub, "answered_at": ans, "is_valid": valid})
    data = load_round_data(db, small)
    built = build_annexes(data, ["messages"])
    path = write_annexes(built.annexes, tmp_path)[0]
    assert path.name == "附件1-2025年8月“我为政府网站找错”留言办理情况.xlsx"
    ws = sheet(path)
    report = messages.message_stats(db, "2025-08-01", "2025-08-14")
    assert [c.value for c in ws[3]][:7] == ["序号", "主办单位", "受理", "属实", "办结", "按期办结", "按期办结率"]
    total = [c.value for c in ws[5]]
    assert total[0] == "合计" and total[2:6] == [2, 1, 2, 1] == [report.overall.received, report.overall.valid,
                                                             report.overall.closed, report.overall.closed_on_time]
    assert total[6] == 0.5 and ws.cell(5, 7).number_format == "0.00%"


def test_formula_text_stays_text(db, tmp_path):
    build_registry(db)
    evil = '=HYPERLINK("http://evil.example/","点我")'
    db.conn.execute("UPDATE sites SET name = ? WHERE site_code = '3699020001'", (evil,))
    db.conn.execute("UPDATE units SET name = '+SUM(1,2)' WHERE name = '东湖区单位1'")
    db.conn.execute("UPDATE accounts SET name = '@cmd' WHERE name = '东湖区发布1'")
    rid = rounds.create_round(db, "八月", "2025-08-14")
    t = {x.name: x for x in rounds.round_targets(db, rid)}
    findings.add_finding(db, rid, t[evil].id, "web.ded.publish.accuracy", status="确认", detail="-2+3",
                         url="=1+1")
    findings.add_finding(db, rid, t["@cmd"].id, "nm.veto.not_updated.c1", status="确认", detail="=cmd|' /C calc'!A0")
    findings.add_finding(db, rid, t["东湖区网站2"].id, "web.ded.publish.accuracy", status="确认",
                         detail="页面里的控制字符\x0b和\x00不进表格")
    paths = export_round(db, rid, tmp_path, circular=True).paths
    seen = set()
    for path in (p for p in paths if p.suffix == ".xlsx"):
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path.name, c.coordinate, c.value)
                    if isinstance(c.value, str) and c.value[:1] in "=+-@":
                        seen.add(c.value)
    assert {evil, "+SUM(1,2)", "@cmd", "=1+1"} <= seen
    problems = load_workbook(paths[1]).active
    assert any("页面里的控制字符和不进表格" in str(c.value) for row in problems.iter_rows() for c in row)


# ---------------------------------------------------------------- consistency (property)

@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", "丙", ""]), st.sampled_from(["市级门户", "市级部门网站", ""]),
                          st.sampled_from(["ok", "veto", "ded", "未检查"])), min_size=1, max_size=25),
       st.lists(st.tuples(st.sampled_from(["甲", "乙", ""]), st.sampled_from(["ok", "veto", "未检查"])), max_size=25))
def test_summary_totals_agree_with_score(site_specs, account_specs):
    db = dbm.memory()
    try:
        conn = db.conn
        text, version = pf.round_snapshot(db, "national-2019")
        conn.executemany("INSERT INTO regions(id, name, group_name, sort_order) VALUES (?, ?, ?, ?)",
                         [(1, "甲", "市", 2), (2, "乙", "市", 1), (3, "丙", "", 3)])
        conn.execute("INSERT INTO rounds(id, name, kind, as_of, profile_id, profile_version, profile_snapshot, "
                     "created_at) VALUES (1, 'r', '月度', '2025-08-14', 'national-2019', ?, ?, ?)", (version, text, NOW))
        region_id = {"甲": 1, "乙": 2, "丙": 3, "": None}
        n = 0
        for kind, specs in (("site", site_specs), ("account", [(r, "", o) for r, o in account_specs])):
            for region, category, outcome in specs:
                n += 1
                table = "sites" if kind == "site" else "accounts"
                if kind == "site":
                    conn.execute(f"INSERT INTO {table}(id, site_code, name, url, created_at, updated_at) "
                                 "VALUES (?, ?, ?, '', ?, ?)", (n, f"c{n}", f"n{n}", NOW, NOW))
                else:
                    conn.execute(f"INSERT INTO {table}(id, name, platform, created_at, updated_at) "
                                 "VALUES (?, ?, '抖音', ?, ?)", (n, f"n{n}", NOW, NOW))
                conn.execute("INSERT INTO round_targets(id, round_id, target_type, site_id, account_id, target_key, "
                             "name, platform, category, region_id, region_name, review_state, sort_order) "
                             "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (n, kind, n if kind == "site" else None, n if kind == "account" else None, f"k{n}",
                              f"n{n}", "抖音" if kind == "account" else "", category, region_id[region], region,
                              "未检查" if outcome == "未检查" else "已检查", n))
                indicator = {("site", "veto"): "web.veto.unreachable.c1", ("account", "veto"): "nm.veto.security.c1",
                             ("site", "ded"): "web.ded.publish"}.get((kind, outcome))
                if indicator:
                    conn.execute("INSERT INTO findings(round_id, target_id, indicator_id, status, deduct, detected_at) "
                                 "VALUES (1, ?, ?, '确认', 45, ?)", (n, indicator, NOW))
        data = load_round_data(db, 1)
        opts = ExportOptions(summary=SummaryOptions(show_checked=True, show_passed=True, show_rate=True))
        table = build_annexes(data, ["summary"], opts).annexes[0].sheets[0][1]
        scores = score_round(db, 1)
        grid, _ = table.header_grid()
        captions = grid[1]
        body, total = table.rows[:-1], table.rows[-1]
        for kind, first in (("site", "网站总数"), ("account", "政务新媒体总数")):
            if first not in captions:
                continue
            c0 = captions.index(first)
            s = scores.summary.sites if kind == "site" else scores.summary.accounts
            cols = {name: c0 + captions[c0:].index(name) for name in ("检查数", "合格数", "存在突出问题数", "合格率")}
            assert total[c0] == s.total == sum(r[c0] for r in body)
            assert total[cols["检查数"]] == s.overall.checked == sum(r[cols["检查数"]] for r in body)
            assert total[cols["合格数"]] == s.overall.passed == sum(r[cols["合格数"]] for r in body)
            assert total[cols["存在突出问题数"]] == s.overall.outstanding
            rate = total[cols["合格率"]]
            assert (rate == "—") if s.overall.pass_rate is None else rate * 100 == s.overall.pass_rate
    finally:
        db.close()


# ---------------------------------------------------------------- catalogue, CLI

def test_catalogue_and_families():
    fams = list_annexes()
    assert [f.key for f in fams] == ["summary", "problems", "details", "platforms", "messages", "activity"]
    assert all(f.label and f.options_type is not None and f.available for f in fams)
    assert parse_families("summary, problems") == ["summary", "problems"]
    with pytest.raises(ValueError, match="未知的附件类型“nope”"):
        parse_families("summary,nope")


def test_preview_rows_before_writing(db, small):
    table = build_annexes(load_round_data(db, small), ["summary"]).annexes[0].sheets[0][1]
    grid, merges = table.header_grid()
    assert grid[0][0] == "单位" and (0, 0, 1, 1) in merges
    text = table.text_rows()
    assert text[0][:3] == ["区县", "东湖区", "10"] and text[-1][0] == "合计"


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "cli.sqlite"
    database = dbm.connect(path)
    build_registry(database)
    rid = rounds.create_round(database, "2025年8月检查", "2025-08-14", "2025-08-01", "2025-08-14")
    target = rounds.round_targets(database, rid, "site")[0]
    findings.add_finding(database, rid, target.id, "web.veto.unreachable.c1", status="确认")
    database.close()
    return path


def test_cli_export_prints_every_file(db_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--db", str(db_file), "export", "1", "--out", str(out), "--circular"]) == 0
    captured = capsys.readouterr()
    printed = captured.out.splitlines()
    assert [Path(p).name for p in printed] == [
        "附件1-2025年8月政府网站与政务新媒体检查情况.xlsx",       # no 市/省 region in the registry: no area name
        "附件2-2025年8月检查发现问题的政府网站名单.xlsx", "附件3-2025年8月政府网站检查结果与扣分明细.xlsx",
        "附件4-2025年8月政务新媒体分平台检查情况.xlsx", "全部附件-2025年8月检查.xlsx",
        "通报（草稿）-2025年8月检查情况.docx", "通报（草稿）-2025年8月检查情况.txt"]
    assert all(Path(p).is_file() for p in printed)
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(p).name for p in printed)
    assert "找错留言" in captured.err and "政务新媒体问题清单" in captured.err
    combined = load_workbook(printed[4])
    assert combined.sheetnames == ["附件1", "附件2", "附件3-检查结果", "附件3-扣分明细", "附件4"]


def test_cli_export_subset_and_errors(db_file, tmp_path, capsys):
    out = tmp_path / "sub"
    assert main(["--db", str(db_file), "export", "2025年8月检查", "--out", str(out), "--annex", "platforms"]) == 0
    assert [Path(p).name for p in capsys.readouterr().out.splitlines()] == [
        "附件1-2025年8月政务新媒体分平台检查情况.xlsx", "全部附件-2025年8月检查.xlsx"]
    assert main(["--db", str(db_file), "export", "99", "--out", str(out)]) != 0
    assert "检查轮次" in capsys.readouterr().err
    assert main(["--db", str(db_file), "export", "1", "--out", str(out), "--annex", "summary,bogus"]) != 0
    err = capsys.readouterr().err
    assert "未知的附件类型“bogus”" in err and "summary（地区汇总）" in err
