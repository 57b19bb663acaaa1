"""The region structure as data: `import regions` all or nothing with 第N行 列：原因, re-import
changes only what differs and never erases, 排序 decides the annex rows, the top region the area."""
from __future__ import annotations

import sys
from pathlib import Path

from app.cli.main import main
from app.core.exports import build_annexes, load_round_data
from app.core.exports.annex_data import default_area
from app.core.registry import regions
from app.core.rounds import rounds
from app.core.store import db as dbm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exports"))
from circularsetup import REGION_HEADERS, write_csv  # noqa: E402
from roundsetup import build_registry  # noqa: E402


def test_import_regions_is_all_or_nothing(tmp_path, capsys):
    path = tmp_path / "r.sqlite"
    bad = write_csv(tmp_path / "bad.csv", REGION_HEADERS,
                    [["江州市", "", "市", 0], ["东湖区", "区县", "区", "x"], ["临川县", "区县", "国", 2],
                     ["东湖区", "", "", 3], ["", "区县", "县", 4]])
    assert main(["--db", str(path), "import", "regions", str(bad)]) == 2
    out = capsys.readouterr()
    assert out.out.splitlines() == ["第3行 排序：“x”不是整数", "第4行 级别：未知的级别“国”，应为：省、市、县、乡镇、部门",
                                    "第5行 地区：与第3行重复（东湖区）", "第6行 地区：不能为空"]
    assert "未写入任何地区" in out.err
    db = dbm.connect(path)
    assert regions.list_regions(db) == []
    db.close()


def test_sort_order_decides_the_rows_and_the_area(db, tmp_path):
    build_registry(db)             # regions created by the registry import, in file order
    rows = [["江州市", "", "市", 0], ["白马乡", "", "乡镇", 9], ["临川县", "区县", "县", 1], ["东湖区", "区县", "县", 2]]
    plan = regions.plan_regions_import(db, write_csv(tmp_path / "r.csv", REGION_HEADERS, rows))
    assert plan.ok and len(plan.new) == 1 and len(plan.changed) == 3
    regions.apply_regions_import(db, plan)
    assert default_area(db) == "江州市"
    rid = rounds.create_round(db, "2025年第三季度检查", "2025-08-14", kind="月度")
    rounds.mark_checked(db, [t.id for t in rounds.round_targets(db, rid)], "检查完毕")
    table = build_annexes(load_round_data(db, rid), ["summary"]).annexes[0].sheets[0][1]
    assert table.title == "2025年第三季度全市政府网站与政务新媒体检查情况"       # period from the name, area from regions
    assert [r[1] for r in table.rows[:2]] == ["临川县", "东湖区"] and table.rows[2][0] == "白马乡"
    # Re-import: an empty cell never erases; edits are audited.
    again = regions.plan_regions_import(db, write_csv(tmp_path / "r2.csv", REGION_HEADERS, [["东湖区", "", "", 5]]))
    assert [c[3] for c in again.changed] == [{"sort_order": 5}]
    regions.apply_regions_import(db, again)
    assert next(r for r in regions.list_regions(db) if r["name"] == "东湖区")["group_name"] == "区县"
