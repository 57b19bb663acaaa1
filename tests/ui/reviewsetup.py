"""Helpers for the review-page tests: a small registry and round, a local fixture site, keyboard."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core.registry import registry
from app.core.rounds import rounds
from app.core.store.db import transaction
from app.core.registry.fields import clean_record

from sitesetup import confirmed, fast_fetcher, site_server, target  # noqa: F401 (shared helpers)

AS_OF = "2025-08-14"
REGIONS = ("东湖区", "西湖区")


def build_registry(db, n_accounts: int = 20, n_sites: int = 6) -> None:
    """Sites 36990200NN and accounts 东湖发布N/西湖发布N (all 正常), units per region and number."""
    sites, accounts = [], []
    for i in range(1, n_sites + 1):
        region = REGIONS[i % 2]
        sites.append(clean_record("site", {
            "name": f"{region}网站{i}", "site_code": f"36990200{i:02d}", "url": f"http://s{i}.example.gov.cn/",
            "host_unit": f"{region}单位{i}", "region": region, "category": "县级部门网站",
            "opened_on": "2015-01-01"}).values)
    for i in range(1, n_accounts + 1):
        region = REGIONS[i % 2]
        accounts.append(clean_record("account", {
            "name": f"{region[:2]}发布{i}", "platform": ("微信公众号", "新浪微博")[i % 2],
            "host_unit": f"{region}单位{i % 6 + 1}", "region": region, "opened_on": "2016-01-01"}).values)
    with transaction(db):
        names = registry.NameCache(db)
        registry.insert_records(db, "site", sites, names, who="test")
        registry.insert_records(db, "account", accounts, names, who="test")


def make_round(db, as_of: str = AS_OF, name: str = "八月检查", **kw) -> int:
    if not registry.counts(db)["accounts"]:
        build_registry(db)
    return rounds.create_round(db, name, as_of, **kw)


def press(key, modifier=Qt.KeyboardModifier.NoModifier, widget=None) -> None:
    """One key to whatever has the keyboard focus, as a user's key press would go."""
    QTest.keyClick(widget or QApplication.focusWidget(), key, modifier)


def type_text(text: str) -> None:
    """Characters one by one to the focus widget (the first may open a cell editor)."""
    for ch in text:
        QTest.keyClick(QApplication.focusWidget(), ch)
