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


def _checks(ctx: PageContext) -> QWidget:
    from .checks_page import ChecksPage
    return ChecksPage(ctx)


def _exports(ctx: PageContext) -> QWidget:
    from .export_page import ExportPage
    return ExportPage(ctx)


def _rounds(ctx: PageContext) -> QWidget:
    from .rounds_page import RoundsPage
    return RoundsPage(ctx)


def _scores(ctx: PageContext) -> QWidget:
    from .review_page import ReviewPage
    return ReviewPage(ctx)


def _profiles(ctx: PageContext) -> QWidget:
    from .profiles_page import ProfilesPage
    return ProfilesPage(ctx)


def _media(ctx: PageContext) -> QWidget:
    from .media_page import MediaPage
    return MediaPage(ctx)


def _rectify(ctx: PageContext) -> QWidget:
    from .rectify_page import RectifyPage
    return RectifyPage(ctx)


def _messages(ctx: PageContext) -> QWidget:
    from .messages_page import MessagesPage
    return MessagesPage(ctx)


def _hygiene(ctx: PageContext) -> QWidget:
    from .hygiene_page import HygienePage
    return HygienePage(ctx)


def _monitor(ctx: PageContext) -> QWidget:
    from .monitor_page import MonitorPage
    return MonitorPage(ctx)


def _placeholder(title: str, text: str) -> Callable[[PageContext], QWidget]:
    def build(ctx: PageContext) -> QWidget:
        from .placeholder import PlaceholderPage
        return PlaceholderPage(title, text)
    return build


# Each later feature replaces its placeholder's factory (one entry per page; keys are stable).
PAGES: list[PageSpec] = [
    PageSpec("sites", "网站", _sites),
    PageSpec("accounts", "新媒体", _accounts),
    PageSpec("rounds", "检查批次", _rounds),
    PageSpec("monitor", "可用性监测", _monitor),
    PageSpec("checks", "自动检查", _checks),
    PageSpec("scores", "审核评分", _scores),
    PageSpec("media", "新媒体审核", _media),
    PageSpec("rectify", "整改", _rectify),
    PageSpec("messages", "找错留言", _messages),
    PageSpec("hygiene", "名录规范", _hygiene),
    PageSpec("exports", "导出", _exports),
    PageSpec("profiles", "指标体系", _profiles),
]
