"""Scale check: every annex and the circular draft of a round of 700 sites and 4,000 accounts.

Builds a throw-away database (21 cities in the group 市(州) plus 省直部门, random confirmed
findings and 找错 messages), then times reading and scoring the round, building the tables,
writing each 附件 workbook plus the combined one, and rendering the draft (.docx + .txt).
Aim: under 3 s for the whole export. Run: python bench/export_scale.py [--sites N] [--accounts N]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.store import db as dbm  # noqa: E402
from app.core.rounds import profiles as pf  # noqa: E402
from app.core.exports import CircularOptions, build_annexes, load_round_data, write_annexes  # noqa: E402
from app.core.exports.annex_xlsx import combined_filename  # noqa: E402
from app.core.exports.circular import build_circular, draft_filename, save_circular  # noqa: E402

NOW = "2025-09-30 12:00:00"
CITIES = ["成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山", "南充", "宜宾", "广安",
          "达州", "巴中", "雅安", "眉山", "资阳", "阿坝", "甘孜", "凉山"]
PLATFORMS = ["微信公众号", "新浪微博", "抖音", "今日头条", "微信视频号", "快手", "百家号"]
CITY_CATEGORIES = ["市级门户", "市级部门网站", "县级门户(含开发区/高新区)"]


def _leaves(profile: pf.Profile, part: str) -> list[str]:
    root = profile.part(part)
    return [i.id for i in root.walk() if i.level > 0 and not i.children] if root else []


def build(db, sites: int, accounts: int, seed: int = 5) -> int:
    rng = random.Random(seed)
    profiles = pf.profile_set(db, "national-2019")
    web_ded, web_veto = _leaves(profiles["site"], "deduction"), _leaves(profiles["site"], "veto")
    nm_veto, nm_notes = _leaves(profiles["account"], "veto"), _leaves(profiles["account"], "group")
    snapshot, version = pf.snapshot(profiles, "national-2019")
    regions = [(i, c, "市(州)", i) for i, c in enumerate(CITIES, start=1)] + [(22, "省直部门", "省直部门(含省政府门户)", 22)]
    site_rows, account_rows, targets, found, msgs = [], [], [], [], []
    for i in range(1, sites + 1):
        rid = (i % 22) + 1
        region = regions[rid - 1][1]
        category = (("省部级政府门户" if i == 22 else "省级部门网站") if rid == 22
                    else CITY_CATEGORIES[0] if i <= 22 else rng.choice(CITY_CATEGORIES[1:]))
        code = f"51{i:08d}"
        site_rows.append((i, code, f"{region}网站{i}", f"http://s{i}.example.gov.cn/", NOW, NOW))
        targets.append((i, "site", i, None, code, f"{region}网站{i}", "", category, int("门户" in category),
                        int(i % 15 != 0), rid, region, f"{region}单位{i}", "未检查" if i % 250 == 0 else "已检查", i))
    for j in range(1, accounts + 1):
        rid = (j % 22) + 1
        region = regions[rid - 1][1]
        platform = PLATFORMS[j % len(PLATFORMS)]
        account_rows.append((j, f"{region}发布{j}", platform, NOW, NOW))
        targets.append((sites + j, "account", None, j, f"{platform}:{region}发布{j}", f"{region}发布{j}", platform, "",
                        0, 1, rid, region, f"{region}单位", "已检查", sites + j))
    for _ in range(sites * 4):                                   # ~4 findings per site, some on veto items
        tid = rng.randint(1, sites)
        item = rng.choice(web_veto) if rng.random() < 0.02 else rng.choice(web_ded)
        found.append((tid, item, "确认", rng.randint(1, 4), f"问题描述{tid}", f"http://s{tid}.example.gov.cn/p{_}.html"))
    for _ in range(accounts // 20):
        tid = sites + rng.randint(1, accounts)
        item = rng.choice(nm_veto) if rng.random() < 0.3 else rng.choice(nm_notes)
        found.append((tid, item, "确认", 1, "监测时间点前两周未更新", ""))
    for k in range(400):
        sid = rng.randint(1, sites)
        day = 1 + k % 28
        msgs.append((f"ZC{k:05d}", sid, f"网站{sid}", f"2025-09-{day:02d} 10:00:00", f"2025-09-{day:02d} 11:00:00",
                     f"2025-09-{min(day + rng.randint(0, 4), 30):02d} 16:00:00" if k % 10 else None,
                     int(k % 3 != 0), NOW, NOW))
    conn = db.conn
    with dbm.transaction(db):
        conn.executemany("INSERT INTO regions(id, name, group_name, sort_order) VALUES (?, ?, ?, ?)", regions)
        conn.executemany("INSERT INTO sites(id, site_code, name, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                         site_rows)
        conn.executemany("INSERT INTO accounts(id, name, platform, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                         account_rows)
        conn.execute("INSERT INTO rounds(id, name, kind, as_of, period_from, period_to, profile_id, profile_version, "
                     "profile_snapshot, created_at) VALUES (1, '2025年第三季度检查', '季度', '2025-09-30', "
                     "'2025-07-01', '2025-09-30', 'national-2019', ?, ?, ?)", (version, snapshot, NOW))
        conn.executemany("INSERT INTO round_targets(id, round_id, target_type, site_id, account_id, target_key, name, "
                         "platform, category, is_portal, has_external_service, region_id, region_name, unit_name, "
                         "review_state, sort_order) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", targets)
        conn.executemany("INSERT INTO findings(round_id, target_id, indicator_id, status, count, detail, url, "
                         "detected_at) VALUES (1, ?, ?, ?, ?, ?, ?, '2025-09-20 10:00:00')", found)
        conn.executemany("INSERT INTO messages(message_no, site_id, site_name, submitted_at, forwarded_at, answered_at, "
                         "is_valid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", msgs)
    return len(found)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=700)
    ap.add_argument("--accounts", type=int, default=4000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = dbm.connect(Path(tmp) / "bench.sqlite")
        n_findings = build(db, args.sites, args.accounts)
        out = Path(tmp) / "out"
        c0, t0 = time.process_time(), time.perf_counter()
        data = load_round_data(db, 1, area="四川省")
        t1 = time.perf_counter()
        built = build_annexes(data)
        t2 = time.perf_counter()
        paths = write_annexes(built.annexes, out, combined_name=combined_filename(data.round.name))
        t3 = time.perf_counter()
        draft = build_circular(data, built.annexes, CircularOptions(issuer="省政府办公厅"))
        paths += save_circular(draft, out, draft_filename(data))
        t4, c4 = time.perf_counter(), time.process_time()
        rows = sum(len(t.rows) for a in built.annexes for _, t in a.sheets)
        print(f"round: {args.sites} sites, {args.accounts} accounts, {n_findings} confirmed findings, 400 messages")
        print(f"annexes: {len(built.annexes)} ({rows} table rows; each written twice: own file + combined)")
        for p in paths:
            print(f"  {p.name}  {p.stat().st_size / 1024:.0f} KiB")
        print(f"read + score round   {t1 - t0:6.2f} s")
        print(f"build tables         {t2 - t1:6.2f} s")
        print(f"write workbooks      {t3 - t2:6.2f} s")
        print(f"circular draft       {t4 - t3:6.2f} s")
        print(f"total                {t4 - t0:6.2f} s  (aim: < 3 s); CPU time {c4 - c0:.2f} s")
        db.close()


if __name__ == "__main__":
    main()
