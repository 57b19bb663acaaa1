"""上海 2025 第三季度, end to end through the CLI: a census of the 16 districts' and the municipal
departments' accounts plus a sample of the rest hitting 348 of 1,609 exactly, and the problem annex
(veto only, no section row, the findings' own wording, 微信/微博) compared cell by cell."""
from __future__ import annotations

from pathlib import Path

from circularsetup import (ACCOUNT_HEADERS, FINDING_HEADERS, FIXTURES, REGION_HEADERS, SITE_HEADERS, Cli, case,
                           sheet_values, write_csv)

CASE = case("shanghai-2025-q3")


def shanghai_registry(tmp_path: Path, capsys) -> Cli:
    """1,609 accounts: 16 districts (分组 区) of 10, the municipal departments (分组 市级部门, the five
    accounts of the problem annex entered last in the circular's order) and 街镇; sites of 市级部门."""
    c = CASE["census"]
    districts = [f"区{i:02d}" for i in range(1, c["districts"] + 1)]
    regions = [["上海市", "", "市", 0]] + [[d, "区", "县", i] for i, d in enumerate(districts, start=1)]
    regions += [["市级部门", "市级部门", "部门", 17], ["街镇", "街镇", "乡镇", 18]]
    accounts = [[f"{d}发布{k}", ("微信公众号", "新浪微博", "抖音", "今日头条", "快手")[k], f"{d}政府", d, "是"]
                for d in districts for k in range(c["per_district"])]
    problem = CASE["annex"]["rows"]
    accounts += [[f"市级部门账号{k}", "抖音", f"市级部门{k}", "市级部门", "是"]
                 for k in range(c["departments"] - len(problem))]
    rest = CASE["accounts_total"] - len(accounts) - len(problem)
    accounts += [[f"街镇账号{k}", "微信公众号", f"街镇{k}", "街镇", "是"] for k in range(rest)]
    platforms = CASE["registry_platforms"]
    # Entry order is registry order: the five accounts of the annex are entered in the circular's order.
    ordered = [[name, platforms[kind], unit, "市级部门", "是"] for _, unit, kind, name, _ in problem]
    write_csv(tmp_path / "a1.csv", ACCOUNT_HEADERS, accounts, shuffle_seed=8)
    write_csv(tmp_path / "a2.csv", ACCOUNT_HEADERS, ordered)
    sites = [[f"上海网站{i}", f"31{i:08d}", f"http://s{i}.sh.gov.cn/", f"上海单位{i}", "市级部门", "市级部门网站", "否"]
             for i in range(1, CASE["sites"] + 1)]
    cli = Cli(tmp_path / "sh.sqlite", capsys)
    cli("import", "regions", write_csv(tmp_path / "regions.csv", REGION_HEADERS, regions, shuffle_seed=2))
    cli("import", "sites", write_csv(tmp_path / "sites.csv", SITE_HEADERS, sites))
    cli("import", "accounts", tmp_path / "a1.csv")
    cli("import", "accounts", tmp_path / "a2.csv")
    return cli


def test_shanghai_census_sample_and_problem_annex(tmp_path, capsys):
    c = CASE["census"]
    cli = shanghai_registry(tmp_path, capsys)
    districts = [f"区{i:02d}" for i in range(1, c["districts"] + 1)]
    problem = CASE["annex"]["rows"]
    platforms = CASE["registry_platforms"]
    sample = CASE["sampled"] - len(districts) * c["per_district"] - c["departments"]
    printed = cli("round", "create", "2025年第三季度检查", "--as-of", "2025-08-14", "--from", "2025-08-01",
                  "--to", "2025-08-14", "--census-accounts", "区、市级部门", "--sample-accounts-count", sample,
                  "--seed", 9)
    rid = int(printed[-1])
    assert f"政务新媒体 {CASE['sampled']} 个（普查“区、市级部门” 200 个，其余抽样 {sample} 个）" in printed[1]
    findings = [["", platforms[kind], name, "nm.veto.not_updated.c1", text, 1, "确认"]
                for _, _, kind, name, text in problem]
    cli("findings", "import", rid, write_csv(tmp_path / "f.csv", FINDING_HEADERS, findings))
    cli("round", "mark-checked", rid, "--all")
    doc = cli.json("score", rid, "--json")
    assert doc["summary"]["accounts"]["total"] == CASE["sampled"]
    assert doc["summary"]["accounts"]["outstanding"] == len(problem)
    paths = [Path(p) for p in cli("export", rid, "--out", tmp_path / "out", "--profile",
                                  FIXTURES / "shanghai-profile.json", "--circular")]
    annex = CASE["annex"]
    assert paths[0].name == f"附件1-{annex['title']}.xlsx"           # no problem site: one annex
    rows, merges, _ws = sheet_values(paths[0])
    assert rows[0][0] == annex["title"] and rows[1] == annex["header"]
    assert rows[2:7] == annex["rows"]                                 # no section row, the findings' own words
    assert rows[7][0] == annex["note"] and len(rows) == 8
    txt = paths[-1].read_text(encoding="utf-8-sig")
    for phrase in CASE["text"].values():
        assert phrase in txt, phrase
