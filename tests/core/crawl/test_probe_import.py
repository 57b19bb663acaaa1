"""`probes import`: probe logs from elsewhere (.csv/.xlsx), all or nothing, 第N行 列：原因."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.crawl.probe_import import apply_probe_import, plan_probe_import
from app.core.store import db as dbm

from sitesetup import run_cli
from tablefiles import write_csv, write_xlsx

from .sites import make_round


@pytest.fixture
def db(db_path):
    d = dbm.connect(db_path)
    make_round(d, {"3699020001": "http://www.east.gov.cn/", "3699020002": "https://west.gov.cn/index.html"})
    yield d
    d.close()


def stored(db) -> list[tuple]:
    return db.conn.execute("SELECT s.site_code, p.url, p.at, p.seconds, p.ok, p.source FROM probes p "
                           "JOIN sites s ON s.id = p.site_id ORDER BY p.at, s.site_code").fetchall()


def test_csv_by_code_and_url_then_again_changes_nothing(db, db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "拨测.csv", ["拨测时间", "网站标识码", "网址", "耗时（秒）", "是否成功"], [
        ["2025-06-30 08:00:00", "3699020001", "", "0.82", "是"],
        ["2025/6/30 8:30", "", "west.gov.cn", "", "否"],                    # matched by the homepage URL
        ["2025年6月30日 9:00", "", "https://WEST.gov.cn/", "1520ms", "成功"],
        ["2025-06-30T10:00:00+00:00", "3699020001", "", "2", "1"],          # UTC, stored in local time
    ], encoding="gbk")
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "import", path)
    assert code == 0, err
    assert "已导入 4 条拨测记录（2 个网站）" in out
    local = dt.datetime(2025, 6, 30, 10, tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)
    got = stored(db)
    assert ("3699020001", "http://www.east.gov.cn/", "2025-06-30 08:00:00", 0.82, 1, "import") in got
    assert ("3699020002", "https://west.gov.cn/index.html", "2025-06-30 08:30:00", None, 0, "import") in got
    assert ("3699020002", "https://WEST.gov.cn/", "2025-06-30 09:00:00", 1.52, 1, "import") in got
    assert ("3699020001", "http://www.east.gov.cn/", local.isoformat(sep=" "), 2.0, 1, "import") in got
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "import", path)
    assert code == 0 and "已导入 0 条" in out and "跳过已有 4 条" in out
    assert len(stored(db)) == 4


def test_xlsx_with_workbook_cells_and_a_headerless_csv(db, tmp_path):
    xlsx = write_xlsx(tmp_path / "log.xlsx", ["时间", "站点", "用时", "结果"], [
        [dt.datetime(2025, 6, 29, 8, 0), "3699020001", 0.5, "正常"],
        [dt.datetime(2025, 6, 29, 8, 30), "http://www.east.gov.cn", 16.2, "超时"],
        [dt.datetime(2025, 6, 29, 9, 0), "http://www.east.gov.cn/index.html", 3, True],
    ], title="外部监测日志")
    plan = plan_probe_import(db, xlsx)
    assert plan.ok, [str(p) for p in plan.problems]
    assert apply_probe_import(db, plan) == 3
    bare = tmp_path / "bare.csv"
    bare.write_text("2025-06-28 08:00,3699020002,1.5,1\n2025-06-28 08:30,west.gov.cn,,0\n", encoding="utf-8")
    plan = plan_probe_import(db, bare)
    assert plan.ok and len(plan.rows) == 2
    apply_probe_import(db, plan)
    assert [r[2][:10] for r in stored(db)] == ["2025-06-28"] * 2 + ["2025-06-29"] * 3


def test_a_bad_log_writes_nothing_and_names_row_and_column(db, db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", ["时间", "网站标识码", "网址", "耗时", "是否成功"], [
        ["2025-06-30 08:00:00", "3699020001", "", "0.8", "是"],               # fine, but not written
        ["昨天", "3699020001", "", "0.8", "是"],
        ["2025-06-30 09:00:00", "3699029999", "", "0.8", "是"],
        ["2025-06-30 10:00:00", "", "http://nobody.gov.cn/", "0.8", "是"],
        ["2025-06-30 11:00:00", "3699020002", "", "快", "也许"],
        ["2025-06-30 12:00:00", "3699020002", "", "", "是"],
        ["2025-06-30 13:00:00", "", "", "1", "是"],
    ])
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "import", path)
    assert code == 2
    assert out.splitlines() == [
        "第3行 时间：“昨天”无法识别",
        "第4行 网站标识码：名录中没有网站标识码“3699029999”",
        "第5行 网址：名录中没有首页为“http://nobody.gov.cn/”的网站",
        "第6行 耗时：“快”不是秒数",
        "第6行 是否成功：“也许”无法识别（应为 是/否、成功/失败、1/0）",
        "第7行 耗时：访问成功但缺少耗时",
        "第8行 网站标识码：缺少网址或网站标识码",
    ]
    assert "未导入任何记录" in err
    assert stored(db) == []


def test_unreadable_files(db, db_path, tmp_path, capsys):
    odd = write_csv(tmp_path / "odd.csv", ["名称", "备注"], [["a", "b"]])
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "import", odd)
    assert code == 2 and "第1行：无法识别表头" in out
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "import", tmp_path / "missing.csv")
    assert code == 1 and "不存在" in err
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a workbook")
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "import", fake)
    assert code == 1 and "不是有效的 Excel 文件" in err
    assert stored(db) == []
