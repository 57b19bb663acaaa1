"""广东 2025 第二季度, end to end through the CLI: a veto-only round, separate summary annexes for
sites and for new media with their own titles and "(2025年第二季度)", rates 99.80 % and 99.89 %
(100 % printed as such), "除佛山市外…" and 找错 counted over its own window (4月1日至6月25日)."""
from __future__ import annotations

from pathlib import Path

from circularsetup import (ACCOUNT_HEADERS, FINDING_HEADERS, FIXTURES, MESSAGE_HEADERS, REGION_HEADERS, SITE_HEADERS,
                           Cli, case, rate_shown, sheet_values, write_csv)

CASE = case("guangdong-2025-q2")


def guangdong_round(tmp_path: Path, capsys) -> tuple[Cli, int]:
    """The registry (21 cities and 省直部门, files in shuffled order), 找错 messages, the veto-only
    round with its findings, every target checked: (the CLI, the round id)."""
    cities = CASE["cities"]
    regions = [["广东省", "", "省", 0]] + [[c, CASE["group"], "市", i] for i, c in enumerate(cities, start=1)]
    regions.append(["省直部门", "省直部门", "部门", 22])
    sites, accounts = [], []
    for region, n_sites, n_acc in [(c, CASE["sites_per_city"], CASE["accounts_per_city"]) for c in cities] + \
            [("省直部门", CASE["province_sites"], CASE["province_accounts"])]:
        for _ in range(n_sites):
            i = len(sites) + 1
            sites.append([f"{region}网站{i}", f"44{i:08d}", f"http://s{i}.gd.gov.cn/", f"{region}单位{i}", region,
                          "市级部门网站" if region != "省直部门" else "省级部门网站", "否"])
        for k in range(n_acc):
            accounts.append([f"{region}发布{k}", ("微信公众号", "新浪微博", "抖音")[k % 3], f"{region}单位{k // 3}",
                             region, "是"])
    failing_site = next(s for s in sites if s[4] == CASE["failing_site_city"])
    findings = [[failing_site[1], "", "", "web.veto.security.c1", "稿件出现严重表述错误", 1, "确认"]]
    findings += [["", a[1], a[0], "nm.veto.not_updated.c1", "监测时间点前2周内无更新", 1, "确认"]
                 for a in [a for a in accounts if a[3] == "省直部门"][:CASE["failing_accounts"]]]
    messages = [[f"GD{k:04d}", sites[k % len(sites)][1], f"2025-0{4 + k % 3}-{1 + k % 25:02d} 10:00", "内容错误",
                 f"2025-0{4 + k % 3}-{1 + k % 25:02d} 16:00", "属实"] for k in range(CASE["messages"])]
    messages += [[f"GD-late{k}", sites[0][1], "2025-06-28 10:00", "内容错误", "", "属实"] for k in range(4)]
    cli = Cli(tmp_path / "gd.sqlite", capsys)
    cli("import", "regions", write_csv(tmp_path / "r.csv", REGION_HEADERS, regions, shuffle_seed=1))
    cli("import", "sites", write_csv(tmp_path / "s.csv", SITE_HEADERS, sites, shuffle_seed=2))
    cli("import", "accounts", write_csv(tmp_path / "a.csv", ACCOUNT_HEADERS, accounts, shuffle_seed=3))
    cli("messages", "import", write_csv(tmp_path / "m.csv", MESSAGE_HEADERS, messages))
    rid = cli.new_round("2025年第二季度检查", "--as-of", "2025-06-25", "--from", "2025-04-01", "--to", "2025-06-30",
                        "--veto-only")
    cli("findings", "import", rid, write_csv(tmp_path / "f.csv", FINDING_HEADERS, findings))
    cli("round", "mark-checked", rid, "--all")
    return cli, rid


def test_guangdong_rates_split_summaries_and_draft(tmp_path, capsys):
    cli, rid = guangdong_round(tmp_path, capsys)
    paths = [Path(p) for p in cli("export", rid, "--out", tmp_path / "out", "--profile",
                                  FIXTURES / "guangdong-profile.json")]
    f = CASE["figures"]
    names = [p.name for p in paths]
    assert names[:2] == [f"附件{a.replace('.', '-', 1)}.xlsx" for a in CASE["annexes"]]
    for path, total, rate in ((paths[0], f["sites"], f["site_rate"]), (paths[1], f["accounts"], f["account_rate"])):
        rows, _merges, ws = sheet_values(path)
        assert rows[1][0] == CASE["subtitle"]
        assert rows[2] == ["地区/部门", None, "网站总数" if path is paths[0] else "政务新媒体总数", "检查数", "合格数",
                           "存在突出问题数", "合格率"]
        body = rows[3:]
        assert [r[1] for r in body[:21]] == CASE["cities"] and body[0][0] == CASE["group"]
        assert body[-1][0] == "合计" and body[-1][2] == total
        assert rate_shown(ws.cell(3 + len(body), 7)) == rate
        if path is paths[0]:
            foshan = CASE["cities"].index(CASE["failing_site_city"])
            assert rate_shown(ws.cell(4 + foshan, 7)) == f["foshan_rate"]
            assert rate_shown(ws.cell(4, 7)) == f["city_rate"] and ws.cell(4, 7).number_format == "0%"
    txt = Path(cli("export", rid, "--out", tmp_path / "out", "--profile", FIXTURES / "guangdong-profile.json")[-1]
               ).read_text(encoding="utf-8-sig")
    for phrase in CASE["text"]:
        assert phrase in txt, phrase
