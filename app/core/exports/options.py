"""Everything an export can be told, as dataclasses (the GUI builds its forms from their labels),
and the export profile: those choices saved as a JSON file and read back (``export --profile``).

Titles and the subtitle are templates: {期间} 2025年第四季度, {期间简称} 第四季度, {年度} 2025年,
{地区} 四川省, {范围} 全省, {监测时间点} 2025年12月15日, {时间段} 10月1日-12月15日.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GovInspectError
from ..office.xlsx import SheetStyle
from .families import FAMILIES

PROFILE_FORMAT = "govinspect-export-profile"
DEFAULT_SUBTITLE = "（{期间}　监测时间点：{监测时间点}）"
ADDRESSEES_DEFAULT = "各地区、各部门："
BASIS_DEFAULT = ("《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》"
                 "（国办秘函〔2019〕19号）")


def _opt(label: str, default=None, **kw):
    """A dataclass field with a Chinese label (a GUI builds its option form from these)."""
    factory = kw.pop("factory", None)
    meta = {"label": label, **kw}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class SummaryOptions:
    show_checked: bool = _opt("显示检查数", False)
    show_passed: bool = _opt("显示合格数", False)
    show_rate: bool = _opt("显示合格率", False)
    show_clean: bool = _opt("显示无扣分点数", False)
    # None and () differ (all categories / no category columns): the form offers both ("unset", "empty").
    categories: tuple[str, ...] | None = _opt("网站类别列", None, unset="本轮出现的全部类别",
                                              empty="不分类别列", some="只列这些类别")
    captions: dict = _opt("类别列标题（类别 → 标题）", factory=dict)
    unit_caption: str = _opt("首列标题", "单位")
    title: str = _opt("标题（空：自动）", "")
    split: bool = _opt("网站和政务新媒体分别成表", False)
    sites_title: str = _opt("网站表标题（分别成表时；空：自动）", "")
    accounts_title: str = _opt("新媒体表标题（分别成表时；空：自动）", "")


@dataclass
class ProblemsOptions:
    scope: str = _opt("范围", "all", choices={"all": "单项否决和扣分问题", "veto": "仅单项否决（突出问题）"})
    show_code: bool = _opt("显示网站标识码", False)
    show_url: bool = _opt("显示首页网址", False)
    owner: str = _opt("“区/部门”列", "unit", choices={"unit": "主办单位", "region": "地区"})
    text: str = _opt("“问题”列", "indicator", choices={"indicator": "指标名称：问题描述", "detail": "只写问题描述"})
    sites_title: str = _opt("网站名单标题（空：自动）", "")
    accounts_title: str = _opt("新媒体名单标题（空：自动）", "")


@dataclass
class DetailsOptions:
    checklist: str = _opt("扣分明细", "problems",
                          choices={"problems": "只列有问题的指标", "full": "列出全部指标", "none": "不生成扣分明细"})
    page_per_site: bool = _opt("每个网站另起一页打印", False)
    title: str = _opt("标题（空：自动）", "")


@dataclass
class PlatformsOptions:
    show_outstanding: bool = _opt("显示存在突出问题数", False)
    title: str = _opt("标题（空：自动）", "")


@dataclass
class MessagesOptions:
    show_duration: bool = _opt("显示平均办理时长和超期数", True)
    title: str = _opt("标题（空：自动）", "")


@dataclass
class ActivityOptions:
    include_missing: bool = _opt("列出无监测数据的账号", True)
    title: str = _opt("标题（空：自动）", "")


RATE_CHOICES = {2: "2 位（99.80%）", 1: "1 位（98.8%）", 0: "0 位（96%）"}


@dataclass
class ExportOptions:
    """Everything an export can be told; defaults give the usual office layout."""
    area: str = _opt("地区名称（空：取地区结构中的省/市）", "")
    period: str = _opt("期间（空：按轮次名称或日期，如 2025年第三季度）", "")
    subtitle: str = _opt("副标题（可用{期间}{监测时间点}等；清空则不加）", DEFAULT_SUBTITLE)
    rate_decimals: int = _opt("合格率小数位", 2, choices=RATE_CHOICES)
    message_rate_decimals: int = _opt("找错按期办结率小数位", 2, choices=RATE_CHOICES)
    short_platforms: bool = _opt("平台写简称（微信、微博）", False)
    category_names: dict = _opt("类别在通报中的称呼（类别=称呼）", factory=dict)
    messages_from: dt.date | None = _opt("找错留言统计起始日（空：检查期）", None)
    messages_to: dt.date | None = _opt("找错留言统计截止日（空：检查期）", None)
    style: SheetStyle = _opt("字体", factory=SheetStyle)
    summary: SummaryOptions = _opt("地区汇总", factory=SummaryOptions)
    problems: ProblemsOptions = _opt("问题清单", factory=ProblemsOptions)
    details: DetailsOptions = _opt("检查结果与扣分明细", factory=DetailsOptions)
    platforms: PlatformsOptions = _opt("平台合格率", factory=PlatformsOptions)
    messages: MessagesOptions = _opt("找错留言统计", factory=MessagesOptions)
    activity: ActivityOptions = _opt("新媒体发布情况统计", factory=ActivityOptions)


@dataclass
class CircularOptions:
    issuer: str = ""                      # 发文单位 ("" = placeholder)
    addressees: str = ADDRESSEES_DEFAULT  # 主送
    issue_date: dt.date | None = None     # 成文日期 (None = today)
    deadline: dt.date | None = None       # 整改 deadline (None = issue_date + deadline_workdays)
    deadline_workdays: int = 10
    max_names: int = 0                    # names listed per problem (0 = all, else "…等N家")
    template: Path | None = field(default=None, metadata={"pattern": "Word 模板 (*.docx)"})  # same tags
    doc_number: str = ""                  # 文号, e.g. 川办便函〔2025〕368号
    cite_basis: bool = True               # cite 国办秘函〔2019〕19号 in the opening
    year_overview: bool = False           # a 全年总体情况 section (rounds of the same year)
    embed_annexes: bool = True            # the annex tables after the body, as published


@dataclass
class ExportProfile:
    """What an export profile file holds."""
    families: list[str] = field(default_factory=lambda: list(FAMILIES))
    circular: bool = False
    options: ExportOptions = field(default_factory=ExportOptions)
    circular_options: CircularOptions = field(default_factory=CircularOptions)


# ---------------------------------------------------------------- to and from JSON

def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (dt.date, Path)):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _base(tp):
    if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType")):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else str
    return typing.get_origin(tp) or tp


def _build(cls, data, where: str):
    if not isinstance(data, dict):
        raise GovInspectError(f"导出方案中“{where}”应为一组设置（JSON 对象）。")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise GovInspectError(f"导出方案中“{where}”有未知的设置：{'、'.join(unknown)}")
    values = {}
    for name, raw in data.items():
        tp = _base(hints[name])
        label = f"{where}.{name}" if where else name
        if raw is None:
            values[name] = None
        elif dataclasses.is_dataclass(tp):
            values[name] = _build(tp, raw, label)
        elif tp is dt.date:
            try:
                values[name] = dt.date.fromisoformat(str(raw))
            except ValueError:
                raise GovInspectError(f"导出方案中“{label}”的日期“{raw}”无效，应为 YYYY-MM-DD。") from None
        elif tp is Path:
            values[name] = Path(raw)
        elif tp in (tuple, list):
            if not isinstance(raw, list):
                raise GovInspectError(f"导出方案中“{label}”应为列表。")
            values[name] = tp(str(x) for x in raw)
        elif tp is bool:
            values[name] = bool(raw)
        elif tp in (int, float):
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                raise GovInspectError(f"导出方案中“{label}”应为数字，实际为“{raw}”。")
            values[name] = tp(raw)
        elif tp is dict:
            if not isinstance(raw, dict):
                raise GovInspectError(f"导出方案中“{label}”应为“名称: 值”的对照表。")
            values[name] = {str(k): str(v) for k, v in raw.items()}
        else:
            values[name] = str(raw)
        choices = known[name].metadata.get("choices")
        if choices and values[name] not in choices:
            raise GovInspectError(f"导出方案中“{label}”的值“{raw}”无效，可选：{'、'.join(map(str, choices))}")
    return cls(**values)


def profile_to_dict(profile: ExportProfile) -> dict:
    return {"format": PROFILE_FORMAT, "version": 1, **_plain(profile)}


def profile_from_dict(doc: dict) -> ExportProfile:
    """An ExportProfile from its JSON form; GovInspectError (Chinese) on anything unknown or invalid."""
    if not isinstance(doc, dict) or doc.get("format") != PROFILE_FORMAT:
        raise GovInspectError("这不是政网巡检的导出方案文件（缺少 \"format\": \"govinspect-export-profile\"）。")
    body = {k: v for k, v in doc.items() if k not in ("format", "version")}
    profile = _build(ExportProfile, body, "")
    bad = [f for f in profile.families if f not in FAMILIES]
    if bad:
        raise GovInspectError(f"导出方案中有未知的附件类型：{'、'.join(bad)}（可选：{'、'.join(FAMILIES)}）")
    return profile


def save_profile(profile: ExportProfile, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profile_to_dict(profile), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load_profile(path: Path | str) -> ExportProfile:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise GovInspectError(f"导出方案文件“{path}”不存在。") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GovInspectError(f"无法读取导出方案文件“{path.name}”：{exc}") from None
    return profile_from_dict(doc)
