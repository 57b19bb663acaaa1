"""The pages of the main window and the registry that lists them.

To add a page, append a PageSpec to PAGES (or replace a placeholder's factory). A page
is any QWidget built by ``factory(context)``; the main window also uses, when present:
``reload()`` after imports, ``summary_changed`` + ``status_summary()`` for the status
bar, ``save_state(settings)`` / ``restore_state(settings)`` for layout, and the
``import_requested(kind)`` / ``demo_requested`` signals.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
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


def _lazy(module: str, name: str, *args) -> Callable[[PageContext], QWidget]:
    """The factory of page class ``name`` in ``module`` (of this package), imported when the page
    is first built, so start-up does not pay for every page."""
    def build(ctx: PageContext) -> QWidget:
        return getattr(import_module(f"{__name__}.{module}"), name)(ctx, *args)
    return build


def _placeholder(title: str, text: str) -> Callable[[PageContext], QWidget]:
    def build(ctx: PageContext) -> QWidget:
        from .placeholder import PlaceholderPage
        return PlaceholderPage(title, text)
    return build


# Each later feature replaces its placeholder's factory (one entry per page; keys are stable).
# The first page is the home page: the window opens on it. Ctrl+1 … Ctrl+9 go to the first nine.
PAGES: list[PageSpec] = [
    PageSpec("overview", "总览", _lazy("overview_page", "OverviewPage")),
    PageSpec("sites", "网站", _lazy("registry_page", "RegistryPage", "site")),
    PageSpec("accounts", "新媒体", _lazy("registry_page", "RegistryPage", "account")),
    PageSpec("rounds", "检查轮次", _lazy("rounds_page", "RoundsPage")),
    PageSpec("monitor", "可用性监测", _lazy("monitor_page", "MonitorPage")),
    PageSpec("checks", "自动检查", _lazy("checks_page", "ChecksPage")),
    PageSpec("scores", "审核评分", _lazy("review_page", "ReviewPage")),
    PageSpec("media", "新媒体审核", _lazy("media_page", "MediaPage")),
    PageSpec("rectify", "整改", _lazy("rectify_page", "RectifyPage")),
    PageSpec("messages", "找错留言", _lazy("messages_page", "MessagesPage")),
    PageSpec("hygiene", "名录规范", _lazy("hygiene_page", "HygienePage")),
    PageSpec("exports", "导出", _lazy("export_page", "ExportPage")),
    PageSpec("profiles", "指标体系", _lazy("profiles_page", "ProfilesPage")),
]
