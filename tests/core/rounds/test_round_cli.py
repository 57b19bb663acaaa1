"""The round/findings CLI contract: create (id on the last line), list, import (exit 2), list/export."""
from __future__ import annotations

import json

import openpyxl
import pytest

from app.core.store import db as dbmod

from roundsetup import build_registry
from sitesetup import db_file, run_cli as run
from tablefiles import write_csv

HEADERS = ["网站标识码", "平台", "账号名称", "指标", "问题描述", "数量", "链接", "状态"]


@pytest.fixture
def dbp(tmp_path):
    return db_file(tmp_path / "r.sqlite", build_registry)


def create(capsys, dbp, *extra):
    code, out, err = run(capsys, "--db", dbp, "round", "create", *extra)
    assert code == 0, err
    return int(out.strip().splitlines()[-1]), out


def targets(dbp, rid):
    d = dbmod.connect(dbp)
    try:
        return [r[0] for r in d.conn.execute(
            "SELECT target_key FROM round_targets WHERE round_id = ? ORDER BY sort_order", (rid,))]
    finally:
        d.close()


def test_create_prints_summary_and_id_last(dbp, capsys):
    rid, out = create(capsys, dbp, "2025年第二季度", "--as-of", "2025-06-30", "--from", "2025-04-01",
                      "--to", "2025-06-30", "--kind", "季度", "--sample-sites", "50", "--seed", "42")
    lines = out.strip().splitlines()
    assert lines[-1] == str(rid) == "1"
    assert "已创建检查轮次“2025年第二季度”" in lines[0] and "季度" in lines[0]
    assert "网站 8 个（抽样 50%）" in out and "政务新媒体 13 个（全量）" in out and "随机种子 42" in out
    rid2, _ = create(capsys, dbp, "again", "--as-of", "2025-06-30", "--sample-sites", "50", "--seed", "42")
    assert targets(dbp, rid2) == targets(dbp, rid)


def test_create_recheck_and_stratify(dbp, capsys):
    first, _ = create(capsys, dbp, "六月", "--as-of", "2025-06-30")
    rows = [["3699020001", "", "", "web.veto.unreachable", "无法访问", 1, "", ""]]
    write_csv(dbp.parent / "f.csv", HEADERS, rows)
    assert run(capsys, "--db", dbp, "findings", "import", first, dbp.parent / "f.csv")[0] == 0
    rid, out = create(capsys, dbp, "七月", "--as-of", "2025-07-31", "--sample-sites", "10",
                      "--sample-accounts", "10", "--stratify", "--seed", "1", "--recheck", "六月")
    assert "回头看" in out and "按地区分层" in out
    assert "3699020001" in targets(dbp, rid)


def test_create_errors(dbp, capsys):
    code, out, err = run(capsys, "--db", dbp, "round", "create", "x", "--as-of", "2025-02-30")
    assert code == 1 and "错误：" in err and "监测时间点" in err and out == ""
    code, _, err = run(capsys, "--db", dbp, "round", "create", "x", "--as-of", "2025-06-30", "--kind", "周报")
    assert code == 1 and "类型" in err
    code, _, err = run(capsys, "--db", dbp, "round", "create", "x", "--as-of", "2025-06-30", "--recheck", "99")
    assert code == 1 and "99" in err


def test_list_close_reopen(dbp, capsys):
    create(capsys, dbp, "六月", "--as-of", "2025-06-30")
    create(capsys, dbp, "七月", "--as-of", "2025-07-31", "--sample-accounts", "50", "--seed", "3")
    code, out, _ = run(capsys, "--db", dbp, "round", "list")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith("编号")
    assert lines[1].split("\t")[:2] == ["2", "七月"] and lines[2].split("\t")[:2] == ["1", "六月"]
    assert "进行中" in lines[1]
    assert run(capsys, "--db", dbp, "round", "close", "1")[0] == 0
    assert "已关闭" in run(capsys, "--db", dbp, "round", "list")[1]
    with pytest.raises(SystemExit) as exc:                          # --reason is required
        run(capsys, "--db", dbp, "round", "reopen", "1")
    assert exc.value.code == 2 and "--reason" in capsys.readouterr().err
    code, out, _ = run(capsys, "--db", dbp, "round", "reopen", "六月", "--reason", "补录")
    assert code == 0 and "重新打开" in out


def test_findings_import_and_list(dbp, capsys, tmp_path):
    rid, _ = create(capsys, dbp, "六月", "--as-of", "2025-06-30")
    good = write_csv(tmp_path / "good.csv", HEADERS, [
        ["3699020001", "", "", "web.ded.function.availability", "=cmd|' /C calc'!A0", 2, "http://a.gov.cn/x", ""],
        ["", "微信公众号", "东湖区发布2", "nm.veto.not_updated", "两周未更新", "", "", "存疑"],
    ])
    bad = write_csv(tmp_path / "bad.csv", HEADERS, [
        ["3699020001", "", "", "web.veto.unreachable", "", 1, "", ""],
        ["1234567890", "", "", "web.veto.unreachable", "", 1, "", ""],
        ["3699020002", "", "", "web.veto.unreachable", "", "0", "", "不知道"],
    ])
    code, out, err = run(capsys, "--db", dbp, "findings", "import", rid, bad)
    assert code == 2
    assert out.splitlines() == ["第3行 网站标识码：“1234567890”不在本轮检查对象中",
                                "第4行 数量：“0”应为正整数",
                                "第4行 状态：未知的状态“不知道”，应为：待审核、确认、误报、存疑"]
    assert "未导入" in err
    code, out, _ = run(capsys, "--db", dbp, "findings", "list", rid)
    assert code == 0 and out == ""                                   # nothing was written

    code, out, _ = run(capsys, "--db", dbp, "findings", "import", rid, good)
    assert code == 0 and "已导入 2" in out
    code, out, _ = run(capsys, "--db", dbp, "findings", "list", rid)
    objs = [json.loads(line) for line in out.splitlines()]
    assert [(o["target"], o["status"], o["count"]) for o in objs] == [
        ("3699020001", "确认", 2), ("微信公众号:东湖区发布2", "存疑", 1)]
    assert all(o["source"] == "导入" for o in objs)
    code, out, _ = run(capsys, "--db", dbp, "findings", "list", rid, "--status", "存疑")
    assert [json.loads(line)["target"] for line in out.splitlines()] == ["微信公众号:东湖区发布2"]

    code, _, err = run(capsys, "--db", dbp, "findings", "list", rid, "--format", "xlsx")
    assert code == 2 and "--out" in err
    xlsx = tmp_path / "out.xlsx"
    code, out, _ = run(capsys, "--db", dbp, "findings", "list", rid, "--format", "xlsx", "--out", xlsx)
    assert code == 0 and "已导出 2 条" in out
    ws = openpyxl.load_workbook(xlsx).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=cmd|' /C calc'!A0"]
    assert cells and all(c.data_type == "s" for c in cells)
    jl = tmp_path / "out.jsonl"
    code, out, _ = run(capsys, "--db", dbp, "findings", "list", rid, "--out", jl)
    assert code == 0 and len(jl.read_text(encoding="utf-8").splitlines()) == 2

    run(capsys, "--db", dbp, "round", "close", rid)
    code, _, err = run(capsys, "--db", dbp, "findings", "import", rid, good)
    assert code == 1 and "已关闭" in err
