"""CLI end to end: media import, messages import/stats, hygiene, rectify create/recheck/export."""
import json

import openpyxl
import pytest

from app.core.store import db as dbmod
from app.core.rounds import findings, rounds
from app.core.registry import registry

from mediasetup import confirmed, site_server, target
from roundsetup import build_registry
from sitesetup import db_file, run_cli as run
from tablefiles import write_csv

MON = ["平台", "账号名称", "账号ID", "最近发布时间", "期间发布条数"]
MSG = ["留言编号", "网站标识码", "网站名称", "提交时间", "问题类型", "问题描述", "转办时间", "办理状态", "答复时间", "是否属实"]


@pytest.fixture
def dbp(tmp_path):
    def build(d):
        build_registry(d)
        rounds.create_round(d, "八月检查", "2025-08-14")
    return db_file(tmp_path / "g.sqlite", build)


def query(dbp, sql, args=()):
    d = dbmod.connect(dbp)
    try:
        return d.conn.execute(sql, args).fetchall()
    finally:
        d.close()


def test_media_import(dbp, capsys, tmp_path):
    good = write_csv(tmp_path / "m.csv", MON, [["微博", "东湖区发布1", "", "2025-07-31", 0],
                                               ["微信", "东湖区发布2", "", "2025-08-12", 9],
                                               ["微信", "不在名录", "", "2025-08-12", 1]])
    code, out, err = run(capsys, "--db", dbp, "media", "import", "八月检查", good)
    assert code == 0, err
    assert "提示：第4行 账号名称：微信公众号账号“不在名录”不在本轮检查对象中，已跳过" in out
    assert out.strip().splitlines()[-1] == ("已导入监测数据：匹配账号 2 个，更新 2 个；提出问题 新增 1、更新 0、撤回 0；"
                                            "不在本轮检查对象中、已跳过 1 个。")
    assert query(dbp, "SELECT kind, source, status FROM findings") == [("media.not_updated", "导入", "待审核")]

    bad = write_csv(tmp_path / "bad.csv", MON, [["微博", "东湖区发布3", "", "2025-07-31", 0],
                                                ["微博", "东湖区发布3", "", "2025-07-31", 0],
                                                ["微信", "东湖区发布4", "", "昨天", 1]])
    before = query(dbp, "SELECT * FROM media_observations")
    code, out, err = run(capsys, "--db", dbp, "media", "import", "1", bad)
    assert code == 2
    assert out.splitlines() == ["第3行 账号名称：与第2行重复（新浪微博 东湖区发布3）",
                                "第4行 最近发布时间：日期“昨天”格式不正确，应如 2025-08-14 或 2025年8月14日"]
    assert err.strip() == "错误：发现 2 处问题，未导入任何监测数据。"
    assert query(dbp, "SELECT * FROM media_observations") == before
    code, _out, err = run(capsys, "--db", dbp, "media", "import", "没有这个轮次", good)
    assert code == 1 and "不存在" in err


def test_messages_import_and_stats(dbp, capsys, tmp_path):
    rows = [["ZC1", "3699020001", "", "2025-09-29 09:00", "错别字", "x", "2025-09-30 10:00", "已办结",
             "2025-10-11 17:00", "是"],
            ["ZC2", "3699020002", "", "2025-09-29 09:00", "链接", "y", "2025-09-30 10:00", "已办结",
             "2025-10-13 09:00", "否"]]
    code, out, err = run(capsys, "--db", dbp, "messages", "import", write_csv(tmp_path / "m.csv", MSG, rows))
    assert code == 0, err
    assert out.strip() == "导入完成：新增 2，变更 0，未变 0。"
    rows[1][7:9] = ["已办结", "2025-10-10 09:00"]
    code, out, _ = run(capsys, "--db", dbp, "messages", "import", write_csv(tmp_path / "m2.csv", MSG, rows))
    assert code == 0 and "变更 第3行：答复时间：2025-10-13 09:00:00 → 2025-10-10 09:00:00" in out
    assert out.strip().endswith("导入完成：新增 0，变更 1，未变 1。")

    bad = [rows[0], rows[0], ["ZC3", "", "", "2025-09-29", "", "", "", "", "", ""]]
    before = query(dbp, "SELECT * FROM messages")
    code, out, err = run(capsys, "--db", dbp, "messages", "import", write_csv(tmp_path / "bad.csv", MSG, bad))
    assert code == 2
    assert out.splitlines() == ["第3行 留言编号：与第2行重复（ZC1）", "第4行 网站名称：网站名称和网站标识码不能都为空"]
    assert err.strip() == "错误：发现 2 处问题，未导入任何留言。"
    assert query(dbp, "SELECT * FROM messages") == before

    code, out, err = run(capsys, "--db", dbp, "messages", "stats", "--from", "2025-09-01", "--to", "2025-09-30",
                         "--today", "2025-11-01")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "“我为政府网站找错”留言统计（2025-09-01 至 2025-09-30，办理时限 3 个工作日）"
    assert lines[1] == ("受理 2 条，属实 1 条，办结 2 条，按期办结 2 条，按期办结率 100.00%，"
                        "平均办理时长 2.50 个工作日，超期 0 条")
    assert "按单位：" in out and "东湖区单位1" in out
    code, out, _ = run(capsys, "--db", dbp, "messages", "stats", "--from", "2025-09-01", "--to", "2025-09-30",
                       "--days", "2", "--today", "2025-11-01", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["overall"]["closed_on_time"] == 1 and doc["overall"]["on_time_rate"] == 50.0
    assert [o["message_no"] for o in doc["overdue"]] == ["ZC1"] and doc["deadline_workdays"] == 2
    code, _out, err = run(capsys, "--db", dbp, "messages", "stats", "--from", "2025-09-31", "--to", "2025-09-30")
    assert code == 1 and "起始日期" in err


def test_hygiene(dbp, capsys, tmp_path):
    d = dbmod.connect(dbp)
    registry.add_record(d, "site", {"name": "商业域名站", "site_code": "3699029901", "url": "www.jz-tj.com",
                                    "host_unit": "东湖区单位1", "region": "东湖区", "category": "县级部门网站"})
    registry.add_record(d, "account", {"name": "东湖区发布1b", "platform": "新浪微博", "host_unit": "东湖区单位1",
                                       "region": "东湖区"})
    d.close()
    found = write_csv(tmp_path / "found.csv", ["平台", "账号名称", "账号ID", "主体"],
                      [["微博", "东湖区发布1", "", ""], ["抖音", "东湖区新号", "dy9", "东湖区单位1"]])
    code, out, err = run(capsys, "--db", dbp, "hygiene", "--discovered", found, "--as-of", "2025-08-14")
    assert code == 0, err
    assert out.splitlines()[0] == "名录规范性检查（截至 2025-08-14）：发现问题 4 个"
    assert "【同一平台多个账号】2 个" in out and "【未备案开设】1 个" in out
    assert "【网站域名不在 .gov.cn/.政务 下】1 个" in out
    assert "  网站“商业域名站”（东湖区单位1，东湖区）：首页网址域名“www.jz-tj.com”，不在 .gov.cn 或 .政务 下" in out
    code, out, _ = run(capsys, "--db", dbp, "hygiene", "--as-of", "2025-08-14", "--json", "--round", "八月检查")
    doc = json.loads(out)
    assert doc["counts"]["multi_account"] == 2 and doc["counts"]["non_gov_domain"] == 1
    assert doc["issues"][0]["rule_name"] == "同一平台多个账号"
    assert doc["findings"] == {"added": 0, "updated": 0, "withdrawn": 0, "skipped": 3}   # the site is not in that round
    bad = write_csv(tmp_path / "bad.csv", ["平台", "账号名称"], [["推特", "x"]])
    code, out, err = run(capsys, "--db", dbp, "hygiene", "--discovered", bad)
    assert code == 2 and out.startswith("第2行 平台：未知的平台“推特”") and "未进行检查" in err
    code, _, err = run(capsys, "--db", dbp, "hygiene", "--as-of", "2025-02-30")
    assert code == 2 and "--as-of" in err


def test_rectify_create_recheck_export(dbp, capsys, tmp_path):
    with site_server({"/ok": (200, "<html>ok</html>")}) as (base, routes):
        d = dbmod.connect(dbp)
        rid = 1
        confirmed(d, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url=f"{base}/ok",
                  detail="链接打不开")
        confirmed(d, rid, "3699020002", "web.ded.function.availability", kind="broken_link", url=f"{base}/gone",
                  detail="链接打不开")
        confirmed(d, rid, "新浪微博:东湖区发布1", "nm.issue.typo", detail="错别字")
        findings.add_finding(d, rid, target(d, rid, "3699020003"), "web.ded.publish.accuracy", who="t")
        d.close()
        code, out, err = run(capsys, "--db", dbp, "rectify", "create", "八月检查", "--issued", "2025-09-26",
                             "--days", "10")
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0] == "整改通知：新建 2 份，新增整改事项 3 条；共 2 个单位。"
        assert any("东湖区单位1" in x and "2025-09-26" in x and "2025-10-16" in x for x in lines[2:])
        code, out, _ = run(capsys, "--db", dbp, "rectify", "create", "1")
        assert code == 0 and out.startswith("整改通知：新建 0 份，新增整改事项 0 条")

        code, out, err = run(capsys, "--db", dbp, "rectify", "recheck", "八月检查")
    assert code == 0, err
    assert f"[已整改] 东湖区网站1：复核：{base}/ok 现可访问（HTTP 200）" in out
    assert f"[未整改] 东湖区网站2：复核：{base}/gone 仍无法正常打开（HTTP 404）" in out
    assert "[需人工复核] 东湖区发布1：错别字（无可访问的链接）" in out
    assert out.strip().splitlines()[-1] == ("复核完成：已整改 1，未整改 1，无法访问 0，需人工复核 1（其中无链接 1）；"
                                            "无需整改未复核 0。")
    assert sorted(r[0] for r in query(dbp, "SELECT recheck_result FROM rectify_items")) == sorted(["", "未整改", "已整改"])

    code, out, err = run(capsys, "--db", dbp, "rectify", "export", "八月检查", "--out", tmp_path / "out")
    assert code == 0, err
    ledger = tmp_path / "out" / "八月检查_整改台账.xlsx"
    assert out.splitlines() == [f"已导出整改台账（3 条）→ {ledger}",
                                f"已导出整改通知单 2 份 → {tmp_path / 'out' / '整改通知单'}"]
    assert openpyxl.load_workbook(ledger).active.max_row == 6
    assert sorted(p.name for p in (tmp_path / "out" / "整改通知单").iterdir()) == ["东湖区单位1.docx", "东湖区单位2.docx"]
    code, out, _ = run(capsys, "--db", dbp, "rectify", "export", "1", "--out", tmp_path / "x", "--format", "xlsx")
    assert code == 0 and (tmp_path / "x" / "整改通知单" / "东湖区单位1.xlsx").exists()


def test_rectify_with_nothing_confirmed(dbp, capsys):
    code, out, _ = run(capsys, "--db", dbp, "rectify", "create", "1")
    assert code == 0 and out.strip() == "本轮没有确认的问题，未生成整改通知。"
