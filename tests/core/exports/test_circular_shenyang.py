"""沈阳, end to end through the CLI. 2023-04: "无扣分点的网站为54家，占总数的96%" (rate with no
decimals), full marks per category, problems worded from the findings grouped by unit, 找错 types
and units. 2025-12: the full-year sentence over 12 monthly rounds (score --year) and 未备案 accounts."""
from __future__ import annotations

from pathlib import Path

from circularsetup import (ACCOUNT_HEADERS, FINDING_HEADERS, FIXTURES, MESSAGE_HEADERS, REGION_HEADERS, SITE_HEADERS,
                           Cli, case, write_csv)


def shenyang_registry(tmp: Path, districts: list[str], departments: int, accounts: int, extra_units=(),
                      unfiled: int = 0) -> dict[str, Path]:
    regions = [["沈阳市", "", "市", 0]] + [[d, "区、县(市)", "县", i] for i, d in enumerate(districts, start=1)]
    regions.append(["市直部门", "市政府部门", "部门", 20])
    sites = [["沈阳市人民政府", "2101000001", "http://www.shenyang.example.gov.cn/", "沈阳市人民政府", "市直部门", "市级门户", "是"]]
    sites += [[f"{d}政府网站", f"21011{i:05d}", f"http://d{i}.shenyang.example.gov.cn/", f"{d}政府", d,
               "县级门户(含开发区/高新区)", "是"] for i, d in enumerate(districts, start=1)]
    units = list(extra_units) + [f"市部门{k}" for k in range(departments - len(extra_units))]
    sites += [[f"{u}网站", f"21012{k:05d}", f"http://b{k}.shenyang.example.gov.cn/", u, "市直部门", "市级部门网站", "否"]
              for k, u in enumerate(units)]
    owners = [f"{d}政府" for d in districts] + units
    rows = [[f"沈阳账号{k}", ("微信公众号", "新浪微博", "抖音", "今日头条")[k % 4], owners[k % len(owners)],
             "市直部门", "否" if k < unfiled else "是"] for k in range(accounts)]
    return {"regions": write_csv(tmp / "r.csv", REGION_HEADERS, regions, shuffle_seed=4),
            "sites": write_csv(tmp / "s.csv", SITE_HEADERS, sites, shuffle_seed=5),
            "accounts": write_csv(tmp / "a.csv", ACCOUNT_HEADERS, rows), "site_rows": sites, "account_rows": rows}


def shenyang_2023_round(tmp_path: Path, capsys) -> tuple[Cli, int]:
    """April 2023: 56 sites (2 with a deduction), 273 accounts (4 with an issue), 6 找错 messages,
    every target checked: (the CLI, the round id)."""
    c = case("shenyang-2023-04")
    late = c["late_account"]
    files = shenyang_registry(tmp_path, c["districts"], c["departments"], c["accounts"] - 4, c["deducted_units"])
    extra = [[f"{u}发布", "微信公众号", u, "市直部门", "是"] for u in c["typo_units"]]
    extra.append([late["name"], late["platform"], late["unit"], "市直部门", "是"])
    cli = Cli(tmp_path / "sy.sqlite", capsys)
    cli("import", "regions", files["regions"])
    cli("import", "sites", files["sites"])
    cli("import", "accounts", files["accounts"])
    cli("import", "accounts", write_csv(tmp_path / "a2.csv", ACCOUNT_HEADERS, extra))
    site_of = {s[3]: s[1] for s in files["site_rows"]}
    codes = [s[1] for s in files["site_rows"]]
    msgs = [[f"SY{k}", codes[k % 4], f"2023-04-{3 + k:02d} 09:00", kind, f"2023-04-{3 + k:02d} 15:00", valid]
            for k, (kind, valid) in enumerate(c["messages"])]
    cli("messages", "import", write_csv(tmp_path / "m.csv", MESSAGE_HEADERS, msgs))
    rid = cli.new_round("2023年第四次检查", "--as-of", "2023-04-25", "--from", "2023-04-01", "--to", "2023-04-30")
    findings = [[site_of[u], "", "", "web.ded.publish.columns", c["site_detail"], 1, "确认"] for u in c["deducted_units"]]
    findings += [["", "微信公众号", f"{u}发布", "nm.issue.typo", c["typo_detail"], 1, "确认"] for u in c["typo_units"]]
    findings.append(["", late["platform"], late["name"], "nm.issue.stale_content", late["detail"], 1, "确认"])
    cli("findings", "import", rid, write_csv(tmp_path / "f.csv", FINDING_HEADERS, findings))
    cli("round", "mark-checked", rid, "--all")
    return cli, rid


def test_shenyang_2023_april_without_deductions(tmp_path, capsys):
    c = case("shenyang-2023-04")
    cli, rid = shenyang_2023_round(tmp_path, capsys)
    doc = cli.json("score", rid, "--json", "--rate-decimals", "0")
    want = c["score"]
    clean = doc["statistics"]["sites"]["without_deductions"]
    assert (clean["total"], clean["count"], clean["share"]) == (want["sites"], want["clean"], want["clean_share"])
    full = doc["statistics"]["sites"]["full_marks"]["by_category"]
    assert full["县级门户(含开发区/高新区)"] == {"count": 13, "total": 13, "share": 100.0}
    assert full["市级部门网站"]["count"] == 40
    assert doc["summary"]["accounts"]["total"] == want["accounts"] and doc["summary"]["accounts"]["failed"] == 0
    paths = cli("export", rid, "--out", tmp_path / "out", "--profile", FIXTURES / "shenyang-2023-04-profile.json")
    txt = Path(paths[-1]).read_text(encoding="utf-8-sig")
    for phrase in c["text"]:
        assert phrase in txt, phrase
    assert "国办秘函" not in txt                          # this office cites no basis


def shenyang_2025_year(tmp_path: Path, capsys) -> Cli:
    """2025: twelve monthly rounds (rounds 1-12; two sites fail, in March and July), one 未备案 account,
    three 找错 messages in December."""
    districts = ["和平区", "沈河区", "大东区", "皇姑区", "铁西区", "苏家屯区", "浑南区", "沈北新区", "于洪区", "辽中区",
                 "康平县", "法库县", "新民市"]
    files = shenyang_registry(tmp_path, districts, 40, 229, unfiled=1)
    cli = Cli(tmp_path / "sy25.sqlite", capsys)
    cli("import", "regions", files["regions"])
    cli("import", "sites", files["sites"])
    cli("import", "accounts", files["accounts"])
    codes = [s[1] for s in files["site_rows"]]
    failing = {3: codes[5], 7: codes[20]}          # two sites fail, in March and in July
    for month in range(1, 13):
        rid = cli.new_round(f"2025年{month}月检查", "--as-of", f"2025-{month:02d}-20", "--kind", "月度")
        if month in failing:
            cli("findings", "import", rid, write_csv(tmp_path / f"f{month}.csv", FINDING_HEADERS,
                                                     [[failing[month], "", "", "web.veto.home_not_updated.c1",
                                                       "首页监测2周无更新", 1, "确认"]]))
        cli("round", "mark-checked", rid, "--all")
    msgs = [["SY1", codes[1], "2025-12-03 09:00", "内容无法访问", "2025-12-03 16:00", "属实"],
            ["SY2", codes[2], "2025-12-08 09:00", "错别字", "2025-12-09 10:00", "属实"],
            ["SY3", codes[3], "2025-12-10 09:00", "内容无法访问", "2025-12-10 11:00", "属实"]]
    cli("messages", "import", write_csv(tmp_path / "m.csv", MESSAGE_HEADERS, msgs))
    return cli


DECEMBER_PHRASES = ("一、全年总体情况", "全市纳入管理的政府网站有54家，政务新媒体账号有229个",
                    "2025年市政府办公厅对全市政府网站和政务新媒体进行了12次全覆盖检查，发现2家网站不合格，新媒体全部合格",
                    "二、2025年12月检查情况", "共受理网民留言3条，问题主要集中在“内容无法访问”“错别字”等方面",
                    "1个政务新媒体账号未备案即开设", "检查政府网站54家，全部合格")


def test_shenyang_2025_december_full_year(tmp_path, capsys):
    cli = shenyang_2025_year(tmp_path, capsys)
    year = cli.json("score", "--year", "2025", "--json")
    assert (year["rounds"], year["full_coverage_rounds"]) == (12, 12)
    assert (year["sites"]["latest_total"], year["accounts"]["latest_total"]) == (54, 229)
    assert year["sites"]["failing"] == 2 and year["accounts"]["failing"] == 0
    assert "在任一轮不合格的 2 家" in "\n".join(cli("score", "--year", "2025"))
    txt = Path(cli("export", "12", "--out", tmp_path / "out", "--annex", "summary", "--circular", "--year-overview",
                   "--issuer", "市政府办公厅", "--issue-date", "2026-01-09")[-1]).read_text(encoding="utf-8-sig")
    for phrase in DECEMBER_PHRASES:
        assert phrase in txt, phrase
