"""Helpers for round and findings tests: a small registry built through the registry core."""
from __future__ import annotations

from app.core.registry import registry
from app.core.rounds import rounds
from app.core.store.db import transaction
from app.core.registry.fields import clean_record

# 地区 -> (行政区划代码, sites, accounts); registry order follows this order.
REGIONS = {"东湖区": ("369902", 10, 8), "临川县": ("369921", 5, 4), "白马乡": ("369922", 1, 1)}
PLATFORMS = ["微信公众号", "新浪微博"]


def site_values(region: str, code: str, i: int, **over) -> dict:
    raw = {"name": f"{region}网站{i}", "site_code": f"{code}{i:04d}", "url": f"http://s{code}{i}.gov.cn/",
           "host_unit": f"{region}单位{i}", "region": region, "category": "县级部门网站",
           "opened_on": "2015-01-01", **over}
    return clean_record("site", raw).values


def account_values(region: str, i: int, **over) -> dict:
    raw = {"name": f"{region}发布{i}", "platform": PLATFORMS[i % 2], "host_unit": f"{region}单位{i}",
           "region": region, "opened_on": "2016-01-01", **over}
    return clean_record("account", raw).values


def build_registry(db, regions: dict = REGIONS) -> dict[str, list[int]]:
    """Sites and accounts per region (all 正常 since 2015/2016); returns ids by kind."""
    sites, accounts = [], []
    for region, (code, n_sites, n_accounts) in regions.items():
        sites += [site_values(region, code, i) for i in range(1, n_sites + 1)]
        accounts += [account_values(region, i) for i in range(1, n_accounts + 1)]
    with transaction(db):
        names = registry.NameCache(db)
        return {"site": registry.insert_records(db, "site", sites, names, who="test"),
                "account": registry.insert_records(db, "account", accounts, names, who="test")}


def august_round(db) -> tuple[int, dict]:
    """build_registry() with 东湖区 and 临川县 grouped as 区县, and the 月度 round 2025年8月检查
    over it (2025-08-01 to 08-14); returns the round id and its targets by key."""
    build_registry(db)
    db.conn.execute("UPDATE regions SET group_name = '区县' WHERE name IN ('东湖区', '临川县')")
    rid = rounds.create_round(db, "2025年8月检查", "2025-08-14", "2025-08-01", "2025-08-14", kind="月度")
    return rid, {x.target_key: x for x in rounds.round_targets(db, rid)}
