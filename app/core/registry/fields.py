"""Registry columns: one spec per field, shared by import, export, dialogs and tables.

A record here is a dict keyed by field key; region and units are held by name
(``region``, ``host_unit``, ``supervisor_unit``) and resolved to ids on write.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..office.tabular import RowProblem, match_columns
from . import validation as v
from . import vocab


@dataclass(frozen=True)
class Field:
    key: str
    label: str                      # canonical Chinese header (export writes this)
    aliases: tuple[str, ...] = ()   # other headers accepted on import
    kind: str = "text"              # text/code/url/date/flag/category/platform/level/status/phone/email
    required: bool = False
    width: int = 14                 # Excel column width (characters)


SITE_FIELDS: tuple[Field, ...] = (
    Field("name", "网站名称", ("名称", "网站", "站点名称"), required=True, width=28),
    Field("site_code", "网站标识码", ("标识码", "网站识别码", "网站代码"), "code", required=True, width=14),
    Field("url", "首页网址", ("网址", "网站地址", "首页地址", "网站网址", "域名", "url"), "url", required=True, width=30),
    Field("host_unit", "主办单位", ("主办单位名称", "开办单位", "单位名称", "单位"), required=True, width=24),
    Field("supervisor_unit", "主管单位", ("主管单位名称",), width=24),
    Field("region", "地区", ("区", "部门", "区/部门", "所属地区", "区县", "地区/部门", "行政区划"), required=True, width=12),
    Field("level", "级别", ("网站级别", "层级"), "level", width=6),
    Field("category", "网站类别", ("类别", "网站类型", "分类", "网站分类"), "category", required=True, width=20),
    Field("is_portal", "门户网站", ("是否门户", "门户", "是否门户网站"), "flag", width=8),
    Field("has_external_service", "对外服务职能", ("有无对外服务职能", "是否有对外服务职能", "对外服务"), "flag", width=10),
    Field("status", "运行状态", ("状态", "网站状态"), "site_status", width=10),
    Field("status_date", "状态日期", ("关停日期", "变更日期", "状态变更日期"), "date", width=12),
    Field("opened_on", "开设日期", ("开通日期", "开设时间", "上线日期"), "date", width=12),
    Field("icp", "ICP备案号", ("ICP备案", "icp备案编号", "ICP"), width=20),
    Field("psb", "公安备案号", ("公安机关备案号", "公安备案", "公网安备"), width=22),
    Field("manager_name", "负责人", ("网站负责人",), width=10),
    Field("manager_phone", "负责人电话", ("负责人联系电话",), "phone", width=14),
    Field("contact1_name", "联系人1", ("联系人", "联系人姓名"), width=10),
    Field("contact1_phone", "联系人1电话", ("联系电话", "联系人电话", "电话"), "phone", width=14),
    Field("contact1_email", "联系人1邮箱", ("电子邮箱", "邮箱", "联系人邮箱"), "email", width=20),
    Field("contact2_name", "联系人2", (), width=10),
    Field("contact2_phone", "联系人2电话", (), "phone", width=14),
    Field("contact2_email", "联系人2邮箱", (), "email", width=20),
    Field("contact3_name", "联系人3", (), width=10),
    Field("contact3_phone", "联系人3电话", (), "phone", width=14),
    Field("contact3_email", "联系人3邮箱", (), "email", width=20),
    Field("notes", "备注", ("说明",), width=20),
)

ACCOUNT_FIELDS: tuple[Field, ...] = (
    Field("name", "账号名称", ("新媒体名称", "政务新媒体名称", "名称", "账号", "公众号名称"), required=True, width=24),
    Field("platform", "平台", ("账号类型", "平台类型", "新媒体类型", "类型", "平台名称"), "platform", required=True, width=12),
    Field("account_id", "账号ID", ("原始ID", "账号id", "ID", "微信号", "账号ID/原始ID", "原始id"), width=20),
    Field("home_url", "主页地址", ("主页", "链接", "账号链接", "网址"), "url_optional", width=30),
    Field("certified_owner", "账号主体", ("认证主体", "主体", "认证单位"), width=24),
    Field("host_unit", "主办单位", ("开办单位", "主办单位名称", "单位名称", "单位"), required=True, width=24),
    Field("region", "地区", ("区", "部门", "区/部门", "所属地区", "区县", "地区/部门"), required=True, width=12),
    Field("opened_on", "开设时间", ("开设日期", "开通时间", "开通日期"), "date", width=12),
    Field("status", "运行状态", ("状态", "账号状态"), "account_status", width=12),
    Field("status_date", "状态日期", ("注销日期", "关停日期", "变更日期"), "date", width=12),
    Field("filed", "已备案", ("是否备案", "备案", "是否已备案"), "flag", width=8),
    Field("notes", "备注", ("说明",), width=20),
)

FIELDS = {"site": SITE_FIELDS, "account": ACCOUNT_FIELDS}
LABEL = {kind: {f.key: f.label for f in fs} for kind, fs in FIELDS.items()}


def column_names(kind: str, key: str) -> tuple[str, ...]:
    """The label and aliases a field's column is recognised by."""
    f = next(f for f in FIELDS[kind] if f.key == key)
    return (f.label, *f.aliases)


def account_identity_columns() -> dict[str, tuple[str, ...]]:
    """Headers of the columns that identify an account in any account list (monitoring, discovery)."""
    return {"platform": column_names("account", "platform"), "name": column_names("account", "name"),
            "account_id": column_names("account", "account_id"),
            "owner": column_names("account", "certified_owner")}


@dataclass(frozen=True)
class ListedAccount:
    """An account as a row of an account list (monitoring data, a discovery list) names it."""
    row: int
    platform: str
    name: str
    account_id: str


def account_identity_problems(number: int, platform_text: str, name: str, account_id: str,
                              labels: dict[str, str]) -> tuple[str | None, list[RowProblem]]:
    """The platform (normalised, None when empty or unknown) of one row of an account list, and
    what is wrong with its identity: no platform, an unknown one, neither name nor id."""
    problems = []
    platform = vocab.normalise_platform(platform_text)
    if not platform_text:
        problems.append(RowProblem(number, labels["platform"], "不能为空"))
    elif platform is None:
        problems.append(RowProblem(number, labels["platform"],
                                   f"未知的平台“{platform_text}”，应为：{'、'.join(vocab.PLATFORMS)}"))
    if not name and not account_id:
        problems.append(RowProblem(number, labels["name"], "账号名称和账号ID不能都为空"))
    return platform, problems


def account_repeat_problems(number: int, platform: str | None, name: str, account_id: str,
                            labels: dict[str, str], seen: dict) -> list[RowProblem]:
    """The row lists an account an earlier row did (same platform and id, or name when no id);
    ``seen`` remembers the rows so far."""
    if not platform or not (name or account_id):
        return []
    key = (platform, ("id", account_id) if account_id else ("name", name))
    if key in seen:
        return [RowProblem(number, labels["account_id" if account_id else "name"],
                           f"与第{seen[key]}行重复（{platform} {account_id or name}）")]
    seen[key] = number
    return []


def match_headers(kind: str, headers: list[str]) -> dict[int, str]:
    """Map column index -> field key for the headers we recognise (labels before aliases)."""
    pairs = [(f.key, f.label) for f in FIELDS[kind]] + [(f.key, a) for f in FIELDS[kind] for a in f.aliases]
    return match_columns(pairs, headers)


# Field kinds with a closed vocabulary: what the message calls it, its normaliser, the accepted values.
_VOCABULARIES = {
    "category": ("网站类别", vocab.normalise_category, vocab.SITE_CATEGORIES),
    "platform": ("平台", vocab.normalise_platform, vocab.PLATFORMS),
    "level": ("级别", vocab.normalise_level, vocab.LEVELS),
    "site_status": ("网站状态", vocab.normalise_site_status, vocab.SITE_STATUSES),
    "account_status": ("账号状态", vocab.normalise_account_status, vocab.ACCOUNT_STATUSES),
}


def _clean_value(f: Field, raw):
    """Normalised value of one field, or raise BadValue."""
    if f.kind == "code":
        return v.site_code(raw)
    if f.kind == "url":
        return v.url(raw)
    if f.kind == "url_optional":
        return v.url(raw, required=False)
    if f.kind == "date":
        return v.date(raw)
    if f.kind == "phone":
        return v.phone(raw)
    if f.kind == "email":
        return v.email(raw)
    t = v.text(raw)
    if f.kind == "flag":
        flag = vocab.parse_flag(t)
        if flag is None:
            raise v.BadValue(f"“{t}”不是“是/否”")
        return None if t == "" else int(flag)
    if not t:
        return ""
    if f.kind in _VOCABULARIES:
        what, normalise, allowed = _VOCABULARIES[f.kind]
        hit = normalise(t)
        if hit is None:
            raise v.BadValue(f"未知的{what}“{t}”，应为：{'、'.join(allowed)}")
        return hit
    return t


@dataclass(frozen=True)
class Cleaned:
    values: dict            # field key -> normalised value (only fields given)
    problems: dict          # field label -> reason (the record is rejected)
    warnings: dict          # field label -> remark (accepted)


def clean_record(kind: str, raw: dict, *, partial: bool = False) -> Cleaned:
    """Validate and normalise one record. ``partial``: only the keys present are checked."""
    values: dict = {}
    problems: dict = {}
    warnings: dict = {}
    for f in FIELDS[kind]:
        if f.key not in raw:
            if f.required and not partial:
                problems[f.label] = "缺少此项"
            continue
        try:
            value = _clean_value(f, raw[f.key])
        except v.BadValue as exc:
            problems[f.label] = str(exc)
            continue
        if f.required and (value is None or value == ""):
            problems[f.label] = "不能为空"
            continue
        if value is None and f.kind == "flag":
            continue          # empty flag cell: keep the default/current value
        values[f.key] = value
    if kind == "site":
        _site_rules(values, warnings, problems)
    else:
        _account_rules(values, warnings)
    return Cleaned(values, problems, warnings)


def _site_rules(values: dict, warnings: dict, problems: dict) -> None:
    cat = values.get("category")
    if cat:
        expected = vocab.CATEGORY_LEVEL[cat]
        if not values.get("level"):
            values["level"] = expected
        elif values["level"] != expected:
            problems[LABEL["site"]["level"]] = f"级别“{values['level']}”与网站类别“{cat}”不一致（应为{expected}）"
        if "is_portal" not in values:
            values["is_portal"] = int(cat in vocab.PORTAL_CATEGORIES)
    status = values.get("status")
    if status and status not in vocab.RUNNING_SITE_STATUSES and not values.get("status_date"):
        warnings[LABEL["site"]["status_date"]] = f"状态为“{status}”但未填写日期，按导入当日记录"
    url_ = values.get("url", "")
    host = url_.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    if host and not (host.endswith(".gov.cn") or host.endswith(".政务") or host.replace(".", "").isdigit()):
        warnings[LABEL["site"]["url"]] = f"域名“{host}”不在 .gov.cn 或 .政务 下"


def _account_rules(values: dict, warnings: dict) -> None:
    status = values.get("status")
    if status and status != "正常" and not values.get("status_date"):
        warnings[LABEL["account"]["status_date"]] = f"状态为“{status}”但未填写日期，按导入当日记录"
