"""四川 2025 下半年 / 第四季度 (川办便函〔2025〕368号), end to end through the CLI: the region
structure imported as data, a veto-only full-coverage round of 664 sites and 3,722 accounts, the
area summary annex with its 23 rows in 排序 order compared cell by cell with the circular's, the
draft's figures (合格率 99.89 %, 找错 98.8 % with one decimal) and a sample round's frequencies."""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from circularsetup import (ACCOUNT_HEADERS, FINDING_HEADERS, FIXTURES, MESSAGE_HEADERS, REGION_HEADERS, SITE_HEADERS,
                           Cli, case, sheet_values, write_csv)

CASE = case("sichuan-2025-h2")
CATEGORIES = ("市级门户", "市级部门网站", "县级门户(含开发区/高新区)")


def registry_files(tmp: Path) -> dict[str, Path]:
    rows = CASE["annex"]["rows"]
    cities = [r[1] for r in rows[:21]]
    prov = CASE["province"]
    regions = [["四川省", "", "省", 0]] + [[c, "市(州)", "市", i] for i, c in enumerate(cities, start=1)]
    regions.append([prov["region"], prov["group"], "部门", 22])
    sites, accounts, findings, messages = [], [], [], []

    def site(region, category, portal):
        n = len(sites) + 1
        sites.append([f"{region}网站{n}", f"51{n:08d}", f"http://s{n}.sc.gov.cn/", f"{region}{category[:2]}单位{n}",
                      region, category, "是" if portal else "否"])

    def media(region, n, bad):
        for k in range(n):
            platform = ("微信公众号", "新浪微博", "抖音")[k % 3]
            unit = f"{region}单位{k // 3}"
            if region == "成都" and k == 3:
                unit = "成都单位0"            # a second 微信公众号 of one unit: 同一平台多个账号
            name = f"{region}发布{k + 1}"
            accounts.append([name, platform, unit, region, "否" if (region, k) == ("凉山", 0) else "是"])
            if k < bad:
                findings.append(["", platform, name, "nm.veto.not_updated.c1", "监测时间点前两周未更新", 1, "确认"])

    for row in rows[:21]:
        region, _total, portal, dept, county, _bad, n_acc, bad_acc = row[1:]
        for category, n in zip(CATEGORIES, (portal, dept, county)):
            for _ in range(n):
                site(region, category, category != "市级部门网站")
        media(region, n_acc, bad_acc)
    site(prov["region"], "省部级政府门户", True)
    for _ in range(prov["departments"]):
        site(prov["region"], "省级部门网站", False)
    total, _, _, _, _, n_acc, bad_acc = rows[21][2:]
    media(prov["region"], n_acc, bad_acc)
    t = CASE["text"]
    for k in range(t["messages_received"]):
        day = 1 + k % 28
        late = k >= t["messages_on_time"]          # answered 5 working days later: past the 3-day limit
        answered = "2025-11-10 16:00" if late else f"2025-10-{day:02d} 17:00"
        submitted = "2025-11-03 09:00" if late else f"2025-10-{day:02d} 09:00"
        messages.append([f"SC{k:04d}", sites[k % len(sites)][1], submitted, ("内容无法访问", "错别字")[k % 2],
                         answered, "属实" if k % 4 else "不属实"])
    return {"regions": write_csv(tmp / "地区.csv", REGION_HEADERS, regions, shuffle_seed=3),
            "sites": write_csv(tmp / "网站.csv", SITE_HEADERS, sites, shuffle_seed=4),
            "accounts": write_csv(tmp / "新媒体.csv", ACCOUNT_HEADERS, accounts, shuffle_seed=5),
            "findings": write_csv(tmp / "问题.csv", FINDING_HEADERS, findings),
            "messages": write_csv(tmp / "找错留言.csv", MESSAGE_HEADERS, messages)}


@pytest.fixture(scope="module")
def sichuan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sichuan")
    files = registry_files(tmp)
    return tmp, files


def test_sichuan_area_summary_and_draft(sichuan, capsys):
    tmp, files = sichuan
    cli = Cli(tmp / "sc.sqlite", capsys)
    cli("import", "regions", files["regions"])
    cli("import", "sites", files["sites"])
    cli("import", "accounts", files["accounts"])
    cli("messages", "import", files["messages"])
    q4 = cli.new_round("2025年第四季度检查", "--as-of", "2025-12-15", "--from", "2025-10-01", "--to", "2025-12-15",
                       "--kind", "季度", "--veto-only")
    cli("findings", "import", q4, files["findings"])
    cli("round", "mark-checked", q4, "--all")
    out = tmp / "q4"
    written = [Path(p) for p in cli("export", q4, "--out", out, "--profile", FIXTURES / "sichuan-profile.json")]
    annex = CASE["annex"]
    assert written[0].name == f"附件1-{annex['title']}.xlsx"
    rows, merges, ws = sheet_values(written[0])
    assert rows[0][0] == annex["title"]
    assert rows[1:3] == annex["header"]
    assert rows[3:3 + len(annex["rows"])] == annex["rows"]               # the 23 rows, cell by cell, in order
    assert len(rows) == 3 + len(annex["rows"])                          # no subtitle, no note under the table
    assert set(annex["header_merges"] + annex["body_merges"]) <= merges
    assert ws["C26"].font.b and ws["C26"].number_format == "0"           # 合计 in bold, figures as integers

    # The draft: same figures as score --json, in the circular's words.
    t = CASE["text"]
    doc = cli.json("score", q4, "--json")
    assert doc["round"]["veto_only"] and all(x["final_score"] is None for x in doc["targets"])
    s = doc["summary"]
    assert (s["sites"]["total"], s["sites"]["pass_rate"]) == (664, 100.0)
    assert (s["accounts"]["total"], s["accounts"]["outstanding"], s["accounts"]["pass_rate"]) == \
        (3722, t["outstanding_accounts"], 99.89)
    stats = doc["statistics"]
    assert stats["messages"]["received"] == t["messages_received"]
    assert stats["messages"]["closed_on_time"] == t["messages_on_time"]
    assert stats["hygiene"] == {"multi_account_units": 1, "multi_account_accounts": 2, "unfiled": 1}
    assert stats["accounts"]["exceptional_regions"] == [{"group": "市(州)", "exceptions": ["甘孜"], "others": 20}]
    draft = [Path(p) for p in cli("export", q4, "--out", out, "--profile", FIXTURES / "sichuan-profile.json",
                                   "--circular")]
    txt = draft[-1].read_text(encoding="utf-8-sig")
    lines = txt.splitlines()
    assert lines[0] == t["doc_number"] and lines[2] == t["title"] and t["addressees"] in lines
    for phrase in (t["basis"], t["coverage"], t["site_rate"], t["account_rate"], f"{t['messages_received']}条",
                   t["messages_rate"], t["messages_duration"], t["deadline"], *t["hygiene"],
                   "“单项否决”指标", "除甘孜外，其他20个市(州)的政务新媒体合格率达100%"):
        assert phrase in txt, phrase
    assert "得分" not in txt.split("附件")[0]                          # veto-only: 合格/不合格, never a score
    # The annex table embedded after the body, as published: same rows as the workbook.
    body = Document(str(draft[-2]))
    assert len(body.tables) == 1
    table_rows = [[c.text for c in r.cells] for r in body.tables[0].rows]
    assert table_rows[2][:3] == ["市(州)", "成都", "63"] and table_rows[-1][0] == "合计"
    assert table_rows[-2][:3] == ["省直部门(含省政府门户)", "省直部门(含省政府门户)", "46"]   # merged over 2 columns


def test_sichuan_sample_round_frequencies(sichuan, capsys):
    """下半年采样: every 市级门户 and 省级部门网站 (census by category), deduction findings, and the
    draft's "约15%的市(州)门户…" sentences."""
    tmp, files = sichuan
    cli = Cli(tmp / "sample.sqlite", capsys)
    cli("import", "regions", files["regions"])
    cli("import", "sites", files["sites"])
    cli("import", "accounts", files["accounts"])
    rid = cli.new_round("2025年下半年采样检查", "--as-of", "2025-11-30", "--census-sites", "市级门户、省级部门网站",
                        "--sample-accounts-count", "30", "--seed", "11")
    listed = cli.json("score", rid, "--json")
    sites = [x for x in listed["targets"] if x["type"] == "site"]
    assert len(sites) == 21 + 45 and len(listed["targets"]) - len(sites) == 30
    by_cat: dict[str, list[str]] = {}
    for x in sites:
        by_cat.setdefault(x["category"], []).append(x["key"])
    rows = []
    for f in CASE["sample_round"]["frequency"]:
        rows += [[key, "", "", f["indicator"], "", 1, "确认"] for key in by_cat[f["population"]][:f["count"]]]
    cli("findings", "import", rid, write_csv(tmp / "采样问题.csv", FINDING_HEADERS, rows))
    cli("round", "mark-checked", rid, "--all")
    freq = cli.json("score", rid, "--json")["statistics"]["sites"]["problem_frequency"]
    got = {(f["population"], f["indicator_id"]): (f["count"], f["total"]) for f in freq if f["by"] == "category"}
    for f in CASE["sample_round"]["frequency"]:
        assert got[(f["population"], f["indicator"])] == (f["count"], f["total"])
    txt = Path(cli("export", rid, "--out", tmp / "sample", "--annex", "summary", "--circular")[-1]).read_text(
        encoding="utf-8-sig")
    for f in CASE["sample_round"]["frequency"]:
        assert f["text"] in txt, f["text"]
    assert "从全省664家在运行的政府网站中抽查66家，即对市级门户、省级部门网站进行普查" in txt
