"""The pages of the main window and the registry that lists them.

To add a page, append a PageSpec to PAGES (or replace a placeholder's factory). A page
is any QWidget built by ``factory(context)``; the main window also uses, when present:
``reload()`` after imports, ``summary_changed`` + ``status_summary()`` for the status
bar, ``save_state(settings)`` / ``restore_state(settings)`` for layout, and the
``import_requested(kind)`` / ``demo_requested`` signals.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class PageContext:
    db: object                 # the GUI thread's sqlite_utils.Database
    db_path: Path              # for workers, which open their own connection
    settings: QSettings


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    factory: Callable[[PageContext], QWidget]


def _sites(ctx: PageContext) -> QWidget:
    from .registry_page import RegistryPage
    return RegistryPage(ctx, "site")


def _accounts(ctx: PageContext) -> QWidget:
    from .registry_page import RegistryPage
    return RegistryPage(ctx, "account")


def _placeholder(title: str, text: str) -> Callable[[PageContext], QWidget]:
    def build(ctx: PageContext) -> QWidget:
        from .placeholder import PlaceholderPage
        return PlaceholderPage(title, text)
    return build


# Each later feature replaces its placeholder's factory (one entry per page; keys are stable).
PAGES: list[PageSpec] = [
    PageSpec("sites", "网站", _sites),
    PageSpec("accounts", "新媒体", _accounts),
    PageSpec("rounds", "检查批次", _placeholder(
        "检查批次",
        "按月度、季度或专项建立检查批次，从名录中全量或抽样选取网站和新媒体，并冻结当期名录信息。")),
    PageSpec("checks", "自动检查", _placeholder(
        "自动检查",
        "对批次中的网站进行自动巡检：可访问性、更新情况、错断链、暗链、错别字、个人信息泄露等。")),
    PageSpec("scores", "审核评分", _placeholder(
        "审核评分",
        "逐条审核机器发现的问题，添加人工问题，依据指标体系计算每个网站、每个账号的得分。")),
    PageSpec("media", "新媒体审核", _placeholder(
        "新媒体审核",
        "逐个账号记录最近更新日期、互动功能、服务菜单和表述错误，自动提出单项否决建议。")),
    PageSpec("rectify", "整改", _placeholder(
        "整改",
        "按主办单位下发整改通知，跟踪整改反馈，并对整改结果进行复核。")),
    PageSpec("messages", "找错留言", _placeholder(
        "找错留言",
        "导入和登记“我为政府网站找错”留言，按工作日统计按期办结率。")),
    PageSpec("hygiene", "名录规范", _placeholder(
        "名录规范",
        "检查同一平台多个账号、未备案开设、账号主体不一致等名录问题。")),
    PageSpec("exports", "导出", _placeholder(
        "导出",
        "生成检查情况通报、问题清单和统计汇总表（Excel/Word）。")),
    PageSpec("profiles", "指标体系", _placeholder(
        "指标体系",
        "查看和编辑检查指标、分值和阈值；待核对的数值会醒目标出。")),
]
