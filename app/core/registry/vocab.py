"""Controlled vocabularies of the registry and their accepted spellings."""
from __future__ import annotations

LEVELS = ["省", "市", "县", "乡镇"]

# The national seven site categories (全国政府网站信息报送系统).
SITE_CATEGORIES = [
    "省部级政府门户",
    "省级部门网站",
    "市级门户",
    "市级部门网站",
    "县级门户(含开发区/高新区)",
    "县级部门网站",
    "乡镇街道网站",
]
CATEGORY_LEVEL = {
    "省部级政府门户": "省",
    "省级部门网站": "省",
    "市级门户": "市",
    "市级部门网站": "市",
    "县级门户(含开发区/高新区)": "县",
    "县级部门网站": "县",
    "乡镇街道网站": "乡镇",
}
PORTAL_CATEGORIES = {"省部级政府门户", "市级门户", "县级门户(含开发区/高新区)"}
_CATEGORY_ALIASES = {
    "省级门户": "省部级政府门户",
    "省级政府门户": "省部级政府门户",
    "省部级门户": "省部级政府门户",
    "国务院部门网站": "省部级政府门户",
    "部委网站": "省部级政府门户",
    "省级部门": "省级部门网站",
    "省直部门网站": "省级部门网站",
    "市级政府门户": "市级门户",
    "市政府门户": "市级门户",
    "市级部门": "市级部门网站",
    "市直部门网站": "市级部门网站",
    "县级门户": "县级门户(含开发区/高新区)",
    "县级政府门户": "县级门户(含开发区/高新区)",
    "县级门户(含高新区)": "县级门户(含开发区/高新区)",
    "县级门户(含开发区)": "县级门户(含开发区/高新区)",
    "区县门户": "县级门户(含开发区/高新区)",
    "开发区门户": "县级门户(含开发区/高新区)",
    "县级部门": "县级部门网站",
    "区县部门网站": "县级部门网站",
    "乡镇街道": "乡镇街道网站",
    "乡镇网站": "乡镇街道网站",
    "街道网站": "乡镇街道网站",
}

PLATFORMS = [
    "微信公众号",
    "微信视频号",
    "新浪微博",
    "抖音",
    "快手",
    "今日头条",
    "澎湃号",
    "百家号",
    "小红书",
    "哔哩哔哩",
    "人民号",
    "学习强国号",
    "其他",
]
_PLATFORM_ALIASES = {
    "微信": "微信公众号",
    "公众号": "微信公众号",
    "微信订阅号": "微信公众号",
    "微信服务号": "微信公众号",
    "视频号": "微信视频号",
    "微博": "新浪微博",
    "新浪": "新浪微博",
    "抖音号": "抖音",
    "快手号": "快手",
    "头条": "今日头条",
    "头条号": "今日头条",
    "澎湃": "澎湃号",
    "澎湃新闻": "澎湃号",
    "百度百家号": "百家号",
    "b站": "哔哩哔哩",
    "bilibili": "哔哩哔哩",
    "人民日报人民号": "人民号",
    "学习强国": "学习强国号",
    "强国号": "学习强国号",
    "其它": "其他",
}

SITE_STATUSES = ["正常", "例外", "关停", "整合迁移"]
ACCOUNT_STATUSES = ["正常", "迁移", "注销", "已发关停公告", "冻结"]
RUNNING_SITE_STATUSES = {"正常", "例外"}
RUNNING_ACCOUNT_STATUSES = {"正常"}
_STATUS_ALIASES = {
    "运行": "正常",
    "运行中": "正常",
    "在运行": "正常",
    "正常运行": "正常",
    "开通": "正常",
    "已关停": "关停",
    "关闭": "关停",
    "已关闭": "关停",
    "整合": "整合迁移",
    "已整合": "整合迁移",
    "已迁移": "迁移",
    "已注销": "注销",
    "关停公告": "已发关停公告",
    "已冻结": "冻结",
}
# Status history events for a change to a status.
STATUS_EVENT = {
    "正常": "恢复",
    "例外": "例外",
    "关停": "关停",
    "整合迁移": "整合迁移",
    "迁移": "迁移",
    "注销": "注销",
    "已发关停公告": "已发关停公告",
    "冻结": "冻结",
}

# Inspection rounds and their findings (rounds.KINDS, rounds.DEFAULT_PROFILE and findings.STATUSES
# are these; here so that the CLI's option lists need not import the database-heavy modules).
ROUND_KINDS = ["月度", "季度", "半年", "年度", "专项"]
DEFAULT_PROFILE = "national-2019"
FINDING_STATUSES = ["待审核", "确认", "误报", "存疑"]

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", "不是", ""}


def _key(text: str) -> str:
    """Normalise spelling: full-width brackets, spaces, case."""
    return (
        text.strip()
        .replace("（", "(")
        .replace("）", ")")
        .replace(" ", "")
        .replace("\u3000", "")
        .lower()
    )


def _lookup(text: str, canon: list[str], aliases: dict[str, str]) -> str | None:
    k = _key(text)
    for c in canon:
        if _key(c) == k:
            return c
    for a, c in aliases.items():
        if _key(a) == k:
            return c
    return None


def normalise_category(text: str) -> str | None:
    hit = _lookup(text, SITE_CATEGORIES, _CATEGORY_ALIASES)
    if hit is None and text.strip().endswith("网站"):
        hit = _lookup(text.strip()[:-2], SITE_CATEGORIES, _CATEGORY_ALIASES)
    return hit


def normalise_platform(text: str) -> str | None:
    return _lookup(text, PLATFORMS, _PLATFORM_ALIASES)


def normalise_site_status(text: str) -> str | None:
    return _lookup(text, SITE_STATUSES, _STATUS_ALIASES)


def normalise_account_status(text: str) -> str | None:
    hit = _lookup(text, ACCOUNT_STATUSES, _STATUS_ALIASES)
    if hit is None and _key(text) in {"关停", "已关停"}:
        return "注销"
    return hit


def normalise_level(text: str) -> str | None:
    k = _key(text).rstrip("级")
    for level in LEVELS:
        if k == level:
            return level
    return {"省部": "省", "区县": "县", "区": "县", "乡": "乡镇", "镇": "乡镇", "街道": "乡镇"}.get(k)


def parse_flag(value) -> bool | None:
    """是/否 style flags; None when the text is not a recognisable flag."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    k = _key(str(value or ""))
    if k in _TRUE:
        return True
    if k in _FALSE:
        return False
    return None
