"""The corpus's sites, its ground truth (defects and decoys by kind) and the numbers it plants.

Numbers are built here, independently of the code under test: ID numbers with their ISO 7064
check character, Luhn-complete card numbers, mobiles; masks as an inspector writes them.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

AS_OF = dt.date(2025, 6, 30)
PROVINCES = [11, 31, 32, 33, 36, 44, 51]
FILLER = [
    "会议强调，要坚持以人民为中心的发展思想，扎实做好民生保障各项工作，持续优化营商环境。",
    "各部门要进一步提高政治站位，压实工作责任，确保各项任务按时保质完成，切实取得实效。",
    "本次活动共吸引三百余名群众参加，现场发放宣传资料一千余份，受到广泛好评。",
    "下一步，我们将继续加大工作力度，健全长效机制，推动相关工作取得新的更大成效。",
    "会上，与会人员围绕乡村振兴、生态环境保护、基层治理等议题进行了深入交流。",
    "此次检查覆盖全区十二个乡镇街道，共排查各类隐患四十余处，均已督促整改到位。",
    "据统计，今年以来全区新增市场主体两千余户，同比增长百分之八点五。",
]
TYPOS = ["再接再励", "一愁莫展", "迫不急待", "按步就班", "走头无路", "既往不究", "变本加利", "一股作气",
         "一如继往", "再所不惜", "世外桃园", "甘败下风", "言简意骇", "坚苦卓绝", "声名雀起", "随声附合"]
RIGHT = ["再接再厉", "一筹莫展", "迫不及待", "按部就班", "走投无路", "既往不咎", "变本加厉", "一鼓作气",
         "一如既往", "在所不惜", "世外桃源", "甘拜下风", "言简意赅", "艰苦卓绝", "声名鹊起", "随声附和"]
GRAVE = ["中国入民", "社会注义", "毛泽东思相", "邓小平理伦"]

# Kinds whose findings the bench scores per defect, and how a defect is named in the report.
KINDS = ["column_stale", "column_blank", "homepage_stale", "footer_missing", "pii", "pii_unscanned",
         "policy_metadata_missing", "message_unanswered", "message_stale", "broken_link", "dark_link",
         "external_link_suspect", "typo", "grave_error", "https_problem", "ipv6_missing", "homepage_down",
         "homepage_offsite"]
UNIT = {"column_stale": "栏目", "column_blank": "栏目", "homepage_stale": "站", "footer_missing": "项标识",
        "pii": "个号码", "pii_unscanned": "个文件", "policy_metadata_missing": "个要素", "message_unanswered": "条留言",
        "message_stale": "个留言栏目", "broken_link": "个链接", "dark_link": "页", "external_link_suspect": "个外链",
        "typo": "处", "grave_error": "处", "https_problem": "站", "ipv6_missing": "站", "homepage_down": "站",
        "homepage_offsite": "站"}


@dataclass
class Site:
    code: str
    name: str
    port: int
    host_unit: str = ""
    family: str = ""
    pages: dict = field(default_factory=dict)          # path -> (status, content type, body bytes)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Truth:
    """Defects by kind: kind -> {(site code, key)}; ``category`` sub-divides a kind (column types);
    decoys are counted per kind only to say how many traps the corpus sets."""

    expected: dict = field(default_factory=lambda: defaultdict(set))
    category: dict = field(default_factory=dict)                       # (kind, code, key) -> label
    decoys: dict = field(default_factory=lambda: defaultdict(int))     # kind -> count
    internal_broken: set = field(default_factory=set)
    html_pages: set = field(default_factory=set)
    columns: dict = field(default_factory=dict)                        # code -> [column dir prefixes]
    variants: dict = field(default_factory=lambda: defaultdict(set))   # what the corpus varied -> values

    def add(self, kind: str, code: str, key, category: str = "") -> None:
        self.expected[kind].add((code, key))
        if category:
            self.category[(kind, code, key)] = category

    def decoy(self, kind: str, n: int = 1) -> None:
        self.decoys[kind] += n

    def used(self, what: str, value: str) -> None:
        self.variants[what].add(value)


# ---------------------------------------------------------------- numbers

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _W)) % 11]


def valid_id(rng: random.Random) -> str:
    born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(18000))
    first17 = f"{rng.choice(PROVINCES)}{rng.randrange(1000, 9999)}{born:%Y%m%d}{rng.randrange(100, 999)}"
    return first17 + id_check(first17)


def luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        digits = [int(c) for c in prefix + d][::-1]
        if sum(x if i % 2 == 0 else (x * 2 - 9 if x * 2 > 9 else x * 2) for i, x in enumerate(digits)) % 10 == 0:
            return prefix + d
    raise AssertionError


def card(rng: random.Random) -> str:
    prefix = rng.choice(["622202", "621700", "622848", "623058", "621799"])
    return luhn_complete(prefix + "".join(str(rng.randrange(10)) for _ in range(12 - (rng.random() < 0.3) * 3)))


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10)}{rng.randrange(10000000, 99999999)}"


def masked(kind: str, number: str) -> str:
    """As an inspector masks them: 110101********1234, 138****1234, 6222*********0123."""
    if kind == "mobile":
        return f"{number[:3]}****{number[-4:]}"
    if kind == "id":
        return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def decoy_numbers(rng: random.Random) -> list[str]:
    """Number-like text that is not unmasked personal data."""
    good = valid_id(rng)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    return [
        f"申请人身份证号：{good[:6]}********{good[-4:]}",
        f"联系电话：138****{rng.randrange(1000, 9999)}",
        f"编号 {wrong_check}（校验位不符）",
        f"咨询电话：0791-8{rng.randrange(1000000, 9999999)}",
        f"服务热线 400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        f"项目编号：2025061{rng.randrange(100000000000, 999999999999)}",
        f"文件流水号 99{good[2:]}",
        f"订单号 12{rng.randrange(100000000, 999999999)}",
        f"统一社会信用代码：91360{rng.randrange(100, 999)}MA3{rng.randrange(10000, 99999)}X{rng.randrange(10, 99)}",
    ]
