"""Registry at scale: 700 sites and 5,000 accounts.

Prints: import time per kind (plan + apply of an .xlsx), time to load each table model
(query + model reset), and filter time per keystroke in the search box.
Aims: import < 3 s, table load < 300 ms, filter < 30 ms.

    python bench/registry_scale.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from app.core.store import db as dbmod  # noqa: E402
from app.core.registry import importing, registry, vocab  # noqa: E402

N_SITES, N_ACCOUNTS = 700, 5_000
REGIONS = [f"{n}区" for n in "东西南北中青山新港湖滨江河川林"] + ["市直部门"]


def _xlsx(path: Path, headers: list[str], rows) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def site_rows():
    cats = vocab.SITE_CATEGORIES[2:]
    for i in range(N_SITES):
        region = REGIONS[i % len(REGIONS)]
        yield [f"{region}第{i}号单位网站", f"3699{i:06d}", f"www.s{i}.jz.gov.cn", f"{region}单位{i % 40}",
               region, cats[i % len(cats)], "正常" if i % 23 else "关停", "2025-03-01" if i % 23 == 0 else None]


def account_rows():
    for i in range(N_ACCOUNTS):
        region = REGIONS[i % len(REGIONS)]
        yield [f"{region}发布{i}", vocab.PLATFORMS[i % 12], f"id{i:08d}", f"{region}单位{i % 40}", region,
               "正常" if i % 31 else "注销", "2025-05-01" if i % 31 == 0 else None]


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - t0) * 1000


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gi-bench-"))
    db = dbmod.connect(tmp / "bench.sqlite")
    sites = _xlsx(tmp / "sites.xlsx", ["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "网站类别", "运行状态", "状态日期"],
                  site_rows())
    accounts = _xlsx(tmp / "accounts.xlsx", ["账号名称", "平台", "账号ID", "主办单位", "地区", "运行状态", "状态日期"],
                     account_rows())
    print(f"registry: {N_SITES} sites, {N_ACCOUNTS} accounts")
    for kind, path in (("site", sites), ("account", accounts)):
        plan, t_plan = timed(lambda: importing.plan_import(db, kind, path))
        assert plan.ok, plan.problems[:3]
        _, t_apply = timed(lambda: importing.apply_import(db, plan))
        print(f"import {kind:8s}: plan {t_plan:7.0f} ms + apply {t_apply:6.0f} ms = {(t_plan + t_apply) / 1000:.2f} s"
              f"  (aim < 3 s)")

    from PySide6.QtWidgets import QApplication, QTableView

    from app.ui.table_models.registry_model import RegistryTableModel
    from app.ui.table_models.registry_proxy import RegistryFilterProxy

    app = QApplication.instance() or QApplication([])
    for kind in ("site", "account"):
        model = RegistryTableModel(kind)
        proxy = RegistryFilterProxy()
        proxy.setSourceModel(model)
        view = QTableView()
        view.setModel(proxy)
        loads = []
        for _ in range(5):
            _, t = timed(lambda: model.set_records(registry.list_records(db, kind)))
            loads.append(t)
        print(f"load model {kind:8s}: median {statistics.median(loads):6.1f} ms, max {max(loads):6.1f} ms"
              f"  ({model.rowCount()} rows; aim < 300 ms)")
        typing = "东区单位发布12"
        keystrokes = []
        for _ in range(3):
            for n in range(1, len(typing) + 1):
                _, t = timed(lambda: proxy.set_search(typing[:n]))
                keystrokes.append(t)
            for n in range(len(typing) - 1, -1, -1):        # backspacing widens the filter again
                _, t = timed(lambda: proxy.set_search(typing[:n]))
                keystrokes.append(t)
        print(f"filter {kind:8s}: median {statistics.median(keystrokes):5.1f} ms, max {max(keystrokes):5.1f} ms "
              f"per keystroke over {len(keystrokes)} keystrokes  (aim < 30 ms)")
        view.deleteLater()
    app.processEvents()
    db.close()


if __name__ == "__main__":
    main()
