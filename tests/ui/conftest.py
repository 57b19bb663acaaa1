"""UI fixtures: isolated QSettings, a small registry, the main window."""
from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from app.core.registry import registry
from app.core.store.db import connect


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """Nothing a test does may touch the user's real settings."""
    QCoreApplication.setOrganizationName("GovInspectTests")
    QCoreApplication.setApplicationName("GovInspectTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture(autouse=True)
def gc_in_main_thread():
    """As in the app (ui/gc_guard.py): a worker thread must never collect Qt objects
    left in reference cycles by earlier tests, so collect here and pause automatic GC."""
    gc.collect()
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def db(db_path):
    database = connect(db_path)
    yield database
    database.close()


def site(name, code, region, category="县级部门网站", unit=None, **extra) -> dict:
    host = code[-4:]
    return {"name": name, "site_code": code, "url": f"https://s{host}.example.gov.cn/",
            "host_unit": unit or name.replace("网站", ""), "region": region, "category": category, **extra}


def account(name, platform, region, unit, account_id="", **extra) -> dict:
    return {"name": name, "platform": platform, "account_id": account_id, "host_unit": unit,
            "region": region, **extra}


SITES = [
    site("东湖区人民政府", "3601020001", "东湖区", "县级门户(含开发区/高新区)", "东湖区人民政府办公室"),
    site("东湖区教育局网站", "3601020002", "东湖区"),
    site("东湖区卫生健康委网站", "3601020003", "东湖区"),
    site("西湖区人民政府", "3601030001", "西湖区", "县级门户(含开发区/高新区)", "西湖区人民政府办公室"),
    site("西湖区教育局网站", "3601030002", "西湖区"),
    site("西湖区文化旅游局网站", "3601030003", "西湖区"),
    site("湖滨街道网站", "3601030101", "西湖区", "乡镇街道网站", "西湖区湖滨街道办事处"),
]
ACCOUNTS = [
    account("东湖发布", "微信公众号", "东湖区", "东湖区人民政府办公室", "gh_0001"),
    account("东湖发布", "新浪微博", "东湖区", "东湖区人民政府办公室"),
    account("东湖教育", "抖音", "东湖区", "东湖区教育局"),
    account("西湖发布", "微信公众号", "西湖区", "西湖区人民政府办公室", "gh_0002"),
]


@pytest.fixture
def filled_db(db):
    """7 sites in 2 regions (one 关停) and 4 accounts."""
    ids = [registry.add_record(db, "site", r) for r in SITES]
    for r in ACCOUNTS:
        registry.add_record(db, "account", r)
    registry.change_status(db, "site", ids[5], "关停", "2025-03-01", "并入区政府门户")
    return db


@pytest.fixture
def window(qtbot, filled_db, db_path, settings):
    from app.ui.main_window import MainWindow
    win = MainWindow(filled_db, db_path, settings)
    qtbot.addWidget(win)
    win.show()
    return win
