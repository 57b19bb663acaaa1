"""A realistic demo registry: the fictional 江州市 with districts, counties,
departments, ~60 websites and ~300 new-media accounts (deterministic)."""
from __future__ import annotations

import random

import sqlite_utils

from ..errors import GovInspectError
from ..store.db import transaction
from . import registry
from .fields import clean_record

CITY = ("江州市", "369900")
# (name, code, level, is development zone)
COUNTIES = [
    ("东湖区", "369902", "县", False), ("西湖区", "369903", "县", False),
    ("青山区", "369904", "县", False), ("新港区", "369905", "县", False),
    ("临川县", "369921", "县", False), ("南丰县", "369922", "县", False),
    ("石城县", "369923", "县", False), ("江州高新区", "369971", "县", True),
]
CITY_DEPTS = [
    ("发展改革委", "fgw"), ("教育局", "jyj"), ("科技局", "kjj"), ("工业和信息化局", "gxj"),
    ("公安局", "gaj"), ("民政局", "mzj"), ("司法局", "sfj"), ("财政局", "czj"),
    ("人力资源社会保障局", "rsj"), ("自然资源局", "zrzyj"), ("生态环境局", "sthjj"),
    ("住房城乡建设局", "zjj"), ("交通运输局", "jtj"), ("水利局", "slj"), ("农业农村局", "nyncj"),
    ("商务局", "swj"), ("文化广电旅游局", "wglj"), ("卫生健康委", "wjw"), ("退役军人事务局", "tyjrj"),
    ("应急管理局", "yjglj"), ("审计局", "sjj"), ("国资委", "gzw"), ("市场监管局", "scjgj"),
    ("体育局", "tyj"), ("统计局", "tjj"), ("医疗保障局", "ybj"), ("林业局", "lyj"),
    ("城市管理局", "cgj"), ("行政审批局", "xzspj"), ("信访局", "xfj"), ("人防办", "rfb"),
    ("住房公积金中心", "gjj"), ("营商环境建设局", "yshj"), ("大数据发展局", "dsj"),
    ("粮食和物资储备局", "lsj"), ("机关事务管理局", "jgswj"),
]
COUNTY_DEPTS = [("教育局", "jyj"), ("卫生健康局", "wjj"), ("自然资源局", "zrzyj")]
TOWNS = [("东湖区", "湖滨街道"), ("临川县", "龙溪镇"), ("临川县", "白马乡"), ("南丰县", "桔园镇"),
         ("石城县", "琴江镇"), ("石城县", "高田镇")]
NO_SERVICE = {"统计局", "审计局", "人防办", "信访局"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
SHORT = {"发展改革委": "发改", "人力资源社会保障局": "人社", "住房城乡建设局": "住建",
         "文化广电旅游局": "文旅", "卫生健康委": "健康", "工业和信息化局": "工信",
         "退役军人事务局": "退役军人", "市场监管局": "市场监管", "医疗保障局": "医保",
         "住房公积金中心": "公积金", "营商环境建设局": "营商", "行政审批局": "政务服务"}
PLATFORM_WEIGHTS = [("微信公众号", 38), ("新浪微博", 14), ("抖音", 14), ("今日头条", 9),
                    ("微信视频号", 9), ("快手", 5), ("澎湃号", 2), ("百家号", 3), ("小红书", 2),
                    ("哔哩哔哩", 1), ("人民号", 2), ("学习强国号", 1)]


def _person(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def _mobile(rnd: random.Random) -> str:
    return rnd.choice(("139", "138", "186", "155", "177", "133")) + f"{rnd.randrange(10**8):08d}"


def _site(rnd, serial, region, name, unit, host, category, *, service=True, status="正常", date=None):
    code = region[1] + f"{serial:04d}"
    contact = _person(rnd)
    return {
        "name": name, "site_code": code, "url": f"http://{host}/", "host_unit": unit,
        "supervisor_unit": unit, "region": region[0], "category": category,
        "has_external_service": int(service), "status": status, "status_date": date,
        "opened_on": f"{rnd.randint(2008, 2021)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
        "icp": f"赣ICP备{rnd.randint(10**7, 10**8 - 1)}号", "psb": f"赣公网安备 {region[1]}02{rnd.randint(10**7, 10**8 - 1)}号",
        "manager_name": _person(rnd), "manager_phone": f"0790-{rnd.randint(2000000, 8999999)}",
        "contact1_name": contact, "contact1_phone": _mobile(rnd),
        "contact1_email": f"{host.split('.')[0]}@{host.split('.', 1)[1] if host.count('.') > 2 else 'jiangzhou.gov.cn'}",
    }


def demo_records(seed: int = 2025) -> tuple[list[dict], list[dict], list[dict]]:
    """(regions, sites, accounts) of the demo registry."""
    rnd = random.Random(seed)
    regions = [{"name": "江州市", "code": CITY[1], "level": "市", "group_name": "市本级"}]
    regions += [{"name": n, "code": c, "level": lv, "group_name": "区县(开发区)"} for n, c, lv, _ in COUNTIES]
    regions.append({"name": "市直部门", "code": None, "level": "部门", "group_name": "市直部门(含市政府门户)"})
    sites = [_site(rnd, 1, CITY, "江州市人民政府", "江州市人民政府办公室", "www.jiangzhou.gov.cn", "市级门户")]
    sites[0]["region"] = "市直部门"
    serial = 1
    dept_units = {}
    for dept, abbr in CITY_DEPTS:
        serial += 1
        unit = f"江州市{dept}"
        dept_units[dept] = unit
        s = _site(rnd, serial, CITY, f"江州市{dept}网站", unit, f"{abbr}.jiangzhou.gov.cn", "市级部门网站",
                  service=dept not in NO_SERVICE)
        s["region"] = "市直部门"
        sites.append(s)
    for i, (name, code, _, zone) in enumerate(COUNTIES):
        region = (name, code)
        py = ["dh", "xh", "qs", "xg", "lc", "nf", "sc", "gxq"][i]
        gov = f"{name}管委会" if zone else f"江州市{name}人民政府"
        sites.append(_site(rnd, 1, region, f"江州市{name}人民政府" if not zone else f"{name}管理委员会",
                           gov, f"www.{py}.gov.cn" if not zone else "gxq.jiangzhou.gov.cn",
                           "县级门户(含开发区/高新区)"))
        if name in ("临川县", "南丰县", "石城县"):
            for j, (dept, abbr) in enumerate(COUNTY_DEPTS, start=2):
                sites.append(_site(rnd, j, region, f"{name}{dept}网站", f"{name}{dept}",
                                   f"{abbr}.{py}.gov.cn", "县级部门网站"))
    county_py = {"东湖区": "dh", "临川县": "lc", "南丰县": "nf", "石城县": "sc"}
    for k, (county, town) in enumerate(TOWNS):
        code = next(c for n, c, _, _ in COUNTIES if n == county)
        py = ["hb", "lx", "bm", "jy", "qj", "gt"][k]
        sites.append(_site(rnd, 20 + k, (county, code), f"{county}{town}", f"{county}{town}人民政府"
                           if "街道" not in town else f"{county}{town}办事处", f"{py}.{county_py[county]}.gov.cn",
                           "乡镇街道网站"))
    # A few lifecycle cases, as real registries have them.
    sites[-1].update(status="关停", status_date="2024-06-30", notes="乡镇网站集约化，内容并入县门户")
    sites[-2].update(status="整合迁移", status_date="2023-11-15", notes="迁移至石城县政府门户网站")
    sites[21].update(status="例外", status_date="2025-09-01", notes="改版升级，临时下线")
    sites[30].update(status="关停", status_date="2025-03-31", notes="机构改革，职能划转")

    accounts = []
    platforms, weights = zip(*PLATFORM_WEIGHTS)
    owners = [("江州市人民政府办公室", "江州", "市直部门")] + [
        (u, SHORT.get(d, d[:2].rstrip("局委办")) , "市直部门") for d, u in dept_units.items()]
    owners += [(f"江州市{n}人民政府" if not z else f"{n}管委会", n[:2], n) for n, _, _, z in COUNTIES]
    owners += [(f"{c}{d}", c[:2] + d[:2], c) for c in ("临川县", "南丰县", "石城县") for d, _ in COUNTY_DEPTS]
    suffixes = ["发布", "", "在线", "之声", "资讯", "服务"]
    pairs = [(o, p) for o in owners for p in platforms]
    rnd.shuffle(pairs)
    weight = dict(PLATFORM_WEIGHTS)
    # Mostly one account per unit and platform (国办发〔2018〕123号); big units have more platforms.
    chosen = [(o, p) for o, p in pairs if rnd.random() < weight[p] / 40 * (3.4 if o[2] == "市直部门" else 2.2)]
    extra = [(o, "微信公众号") for o in owners[1:4]]        # 同一平台多个账号: hygiene should find these
    seen = set()
    for (unit, short, region), platform in extra + chosen:
        if len(accounts) >= 300:
            break
        base = "江州" + short if region == "市直部门" and short != "江州" else short
        name = next((n for n in ([base + sfx for sfx in suffixes] if base != "江州"
                                 else ["江州发布", "江州政务", "江州城市", "江州头条"])
                     if (platform, n) not in seen), None)
        if name is None:
            continue
        seen.add((platform, name))
        acc_id = ("gh_" + "".join(rnd.choice("0123456789abcdef") for _ in range(12))) if platform == "微信公众号" \
            else str(rnd.randint(10**9, 10**10 - 1)) if rnd.random() < 0.8 else ""
        status, date = "正常", None
        roll = rnd.random()
        if roll < 0.04:
            status, date = "注销", f"2025-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}"
        elif roll < 0.06:
            status, date = "已发关停公告", f"2025-{rnd.randint(1, 10):02d}-15"
        elif roll < 0.07:
            status, date = "冻结", "2025-08-01"
        elif roll < 0.08:
            status, date = "迁移", "2024-12-20"
        accounts.append({
            "name": name, "platform": platform, "account_id": acc_id,
            "home_url": f"https://weibo.com/u/{acc_id}" if platform == "新浪微博" and acc_id else "",
            "certified_owner": unit if rnd.random() > 0.03 else unit.replace("江州市", "江州"),
            "host_unit": unit, "region": region,
            "opened_on": f"{rnd.randint(2013, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "status": status, "status_date": date, "filed": int(rnd.random() > 0.02),
        })
    return regions, sites, accounts


def build_demo(db: sqlite_utils.Database, seed: int = 2025) -> dict[str, int]:
    """Fill an empty registry with the demo city; refuses a registry that has records."""
    counts = registry.counts(db)
    if counts["sites"] or counts["accounts"]:
        raise GovInspectError("名录中已有数据，示例名录只能载入到空名录中（请新建一个数据库文件）。")
    regions, sites, accounts = demo_records(seed)
    cleaned = {}
    for kind, records in (("site", sites), ("account", accounts)):
        cleaned[kind] = []
        for r in records:
            c = clean_record(kind, {k: v for k, v in r.items() if v not in (None, "")})
            if c.problems:   # a bug in the demo data, not a user error
                raise ValueError(f"demo {kind} {r['name']}: {c.problems}")
            cleaned[kind].append(c.values)
    with transaction(db):
        ids = {}
        for order, r in enumerate(regions, start=1):
            cur = db.conn.execute(
                "INSERT INTO regions(name, code, level, group_name, sort_order, parent_id) VALUES (?, ?, ?, ?, ?, ?)",
                (r["name"], r["code"], r["level"], r["group_name"], order, ids.get("江州市")))
            ids[r["name"]] = cur.lastrowid
        names = registry.NameCache(db)
        registry.insert_records(db, "site", cleaned["site"], names, who="demo")
        registry.insert_records(db, "account", cleaned["account"], names, who="demo")
    return {"regions": len(regions), "sites": len(sites), "accounts": len(accounts)}
