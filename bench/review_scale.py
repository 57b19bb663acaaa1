"""New-media review at scale: a round with 4,000 accounts in the review grid.

Prints: round creation, monitoring import of 4,000 rows, time to load the grid rows
(ReviewSession.rows) and to save one edit (ReviewSession.save, with its findings sync),
both on a WAL database file. Then the Qt grid of the 新媒体审核 page (offscreen): opening
the round (rows + model reset + first paint) and saving one edit through the model
(typed date → setData → core save → row re-read → dataChanged, plus the repaint).
Aims: open < 300 ms, save < 20 ms.

    python bench/review_scale.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from app.core.store import db as dbmod  # noqa: E402
from app.core.followup import media_monitoring, media_review  # noqa: E402
from app.core.registry import registry, vocab  # noqa: E402
from app.core.rounds import rounds  # noqa: E402
from app.core.store.db import transaction  # noqa: E402
from app.core.registry.fields import clean_record  # noqa: E402

N_ACCOUNTS = 4_000



AS_OF = "2025-08-14"
REGIONS = [f"{n}区" for n in "东西南北中青山新港湖滨江河川林"] + ["市直部门"]


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - t0) * 1000


def build(db) -> int:
    accounts = []
    for i in range(N_ACCOUNTS):
        region = REGIONS[i % len(REGIONS)]
        accounts.append(clean_record("account", {
            "name": f"{region}发布{i}", "platform": vocab.PLATFORMS[i % 12], "account_id": f"id{i:08d}",
            "host_unit": f"{region}单位{i % 40}", "region": region, "opened_on": "2020-01-01"}).values)
    with transaction(db):
        registry.insert_records(db, "account", accounts, who="bench")
    return rounds.create_round(db, "基准轮次", AS_OF, who="bench")


def monitoring_file(path: Path) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["平台", "账号名称", "账号ID", "最近发布时间", "期间发布条数"])
    for i in range(N_ACCOUNTS):
        region = REGIONS[i % len(REGIONS)]
        day = f"2025-07-{1 + i % 31:02d}" if i % 10 == 0 else f"2025-08-{1 + i % 14:02d}"   # 10 % stale
        ws.append([vocab.PLATFORMS[i % 12], f"{region}发布{i}", f"id{i:08d}", day, i % 40])
    wb.save(path)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        db = dbmod.connect(path)
        rid, ms = timed(lambda: build(db))
        print(f"registry + round of {N_ACCOUNTS:,} accounts: {ms:,.0f} ms")
        mon = monitoring_file(Path(tmp) / "monitoring.xlsx")
        result, ms = timed(lambda: media_monitoring.import_monitoring(db, rid, mon, who="bench"))
        assert result.ok, result.problems[:5]
        print(f"monitoring import ({result.matched:,} rows, {result.added:,} findings proposed): {ms:,.0f} ms")

        # A fresh connection, as the GUI thread would hold.
        db.close()
        db = dbmod.connect(path)
        session = media_review.ReviewSession(db, rid)
        loads = []
        for _ in range(7):
            rows, ms = timed(session.rows)
            loads.append(ms)
        assert len(rows) == N_ACCOUNTS
        print(f"load grid rows ({len(rows):,}): median {statistics.median(loads):.0f} ms, "
              f"max {max(loads):.0f} ms  (aim < 300 ms)")

        saves = []
        edits = [
            {"last_update": "2025-07-01"},                          # proposes 内容不更新
            {"last_update": "2025-08-13"},                          # withdraws it again
            {"interaction_ok": False},                              # proposes 互动回应差
            {"notes": "已核实"},                                     # no findings change
            {"wording_errors": [{"text": "中国入民", "correction": "中国人民"}]},
        ]
        for n in range(100):
            target = rows[(n * 37) % len(rows)].target_id
            _r, ms = timed(lambda: session.save(target, edits[n % len(edits)], who="bench"))
            saves.append(ms)
        saves.sort()
        print(f"save one edit (100 edits): median {statistics.median(saves):.1f} ms, "
              f"p95 {saves[94]:.1f} ms, max {saves[-1]:.1f} ms  (aim < 20 ms)")
        db.close()
        qt_grid(path, rid, Path(tmp))


def qt_grid(path: Path, rid: int, tmp: Path) -> None:
    """The review grid as the inspector sees it: the MediaPage on a 1280×800 window."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.ui.pages import PageContext
    from app.ui.pages.media_page import MediaPage
    from app.ui.style import APP_STYLESHEET
    from app.ui.table_models.review_model import ReviewColumn

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(APP_STYLESHEET)
    db = dbmod.connect(path)
    page = MediaPage(PageContext(db, path, QSettings(str(tmp / "bench.ini"), QSettings.Format.IniFormat)))
    page.resize(1130, 780)
    page.show()
    app.processEvents()
    viewport = page.view.viewport()
    opens = []
    for _ in range(7):
        page._loaded_round = None                     # a fresh open each time, not a refresh
        t0 = time.perf_counter()
        page.open_round(rid)
        viewport.repaint()                            # the first paint, synchronously
        opens.append((time.perf_counter() - t0) * 1000)
        app.processEvents()
    assert page.model.rowCount() == N_ACCOUNTS
    print(f"Qt grid: open round ({N_ACCOUNTS:,} rows: rows + model reset + first paint): "
          f"median {statistics.median(opens):.0f} ms, max {max(opens):.0f} ms  (aim < 300 ms)")

    proxy = page.proxy
    typed = ["7-1", "0813", "2025-07-20", "8-12"]           # proposes / withdraws 内容不更新 in turn
    saves, paints = [], []
    for n in range(100):
        index = proxy.index((n * 37) % 25, ReviewColumn.LAST_UPDATE)   # rows on screen, as when typing
        t0 = time.perf_counter()
        ok = proxy.setData(index, typed[n % len(typed)])
        t1 = time.perf_counter()
        app.processEvents()                           # the repaint Qt does: that row, detail strip, counts
        t2 = time.perf_counter()
        assert ok, page.message.text()
        saves.append((t1 - t0) * 1000)
        paints.append((t2 - t0) * 1000)
    saves.sort()
    paints.sort()
    print(f"Qt grid: save one edit through the model (100 edits): median {statistics.median(saves):.1f} ms, "
          f"p95 {saves[94]:.1f} ms; until repainted: median {statistics.median(paints):.1f} ms, "
          f"p95 {paints[94]:.1f} ms  (aim < 20 ms)")
    page.close()
    db.close()


if __name__ == "__main__":
    main()
