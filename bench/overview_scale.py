"""Scale check of the 总览: a round of 700 sites, 4,000 accounts and 50,000 findings.

Builds the round of bench/scoring_scale.py, then adds what the overview also reads: a finished
check run over every site, 整改 notices for every confirmed finding (one item each) and 2,000 找错
messages in the round's period. Times (median of 5, each run listed; wall clock and the process's
CPU time, which other programs on a busy machine disturb less):

* round_overview() — every figure of the page (scores, grouped findings, crawl coverage, 整改, 找错);
* opening the page: OverviewPage shown (offscreen Qt) until its figures are drawn (worker + paint);
* round_trends() over three such rounds (the 历次趋势 tab).

Aim: opening the overview < 500 ms. Run: python bench/overview_scale.py [--sites N] [--accounts N] [--findings N]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from scoring_scale import NOW, build  # noqa: E402

from app.core.store import db as dbm  # noqa: E402


def add_context(db, round_id: int, messages: int = 2000) -> dict:
    """A finished run over every site, one 整改 item per confirmed finding, and 找错 messages."""
    conn = db.conn
    keys = [k for (k,) in conn.execute("SELECT target_key FROM round_targets WHERE round_id = ? AND "
                                       "target_type = 'site'", (round_id,))]
    summary = {"sites": {k: {"state": "unreachable" if i % 50 == 0 else "done", "pages": 120} for i, k in
                         enumerate(keys)}}
    with dbm.transaction(db):
        conn.execute("INSERT INTO check_runs(round_id, started_at, finished_at, state, params, summary) "
                     "VALUES (?, ?, ?, 'done', ?, ?)", (round_id, NOW, NOW, json.dumps({"site_keys": keys}),
                                                        json.dumps(summary)))
        conn.execute("UPDATE rounds SET period_from = '2025-06-01', period_to = '2025-06-25' WHERE id = ?",
                     (round_id,))
        units = {}
        confirmed = conn.execute("SELECT f.id, t.region_name FROM findings f JOIN round_targets t ON t.id = f.target_id "
                                 "WHERE f.round_id = ? AND f.status = '确认'", (round_id,)).fetchall()
        for fid, region in confirmed:
            if region not in units:
                units[region] = conn.execute(
                    "INSERT INTO rectify_notices(round_id, unit_name, issued_on, deadline, created_at) "
                    "VALUES (?, ?, '2025-06-27', '2025-07-11', ?)", (round_id, f"{region}单位", NOW)).lastrowid
        conn.executemany("INSERT INTO rectify_items(notice_id, finding_id, status, updated_at) VALUES (?, ?, ?, ?)",
                         [(units[r], fid, "已整改" if fid % 3 == 0 else "待整改", NOW) for fid, r in confirmed])
        conn.executemany(
            "INSERT INTO messages(message_no, site_id, site_name, submitted_at, forwarded_at, state, answered_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(f"ZC{n:06d}", 1 + n % 700, f"网站{1 + n % 700}", f"2025-06-{1 + n % 24:02d} 09:00:00",
              f"2025-06-{1 + n % 24:02d} 15:00:00", "已办结" if n % 4 else "办理中",
              f"2025-06-{min(28, 3 + n % 24):02d} 10:00:00" if n % 4 else None, NOW, NOW) for n in range(messages)])
    return {"items": len(confirmed), "notices": len(units), "messages": messages}


def copy_round(db, source: int, new_id: int, as_of: str) -> None:
    """Another round like ``source`` (same targets and findings) at another 监测时间点, for the trends."""
    conn = db.conn
    with dbm.transaction(db):
        conn.execute("INSERT INTO rounds(id, name, kind, as_of, profile_id, profile_version, profile_snapshot, "
                     "created_at) SELECT ?, '规模测试轮次' || ?, kind, ?, profile_id, profile_version, profile_snapshot, "
                     "created_at FROM rounds WHERE id = ?", (new_id, new_id, as_of, source))
        offset = conn.execute("SELECT MAX(id) FROM round_targets").fetchone()[0]
        conn.execute("INSERT INTO round_targets(id, round_id, target_type, site_id, account_id, target_key, name, "
                     "platform, category, is_portal, has_external_service, region_name, review_state, sort_order) "
                     "SELECT id + ?, ?, target_type, site_id, account_id, target_key, name, platform, category, "
                     "is_portal, has_external_service, region_name, review_state, sort_order FROM round_targets "
                     "WHERE round_id = ?", (offset, new_id, source))
        conn.execute("INSERT INTO findings(round_id, target_id, indicator_id, status, count, deduct, url, detected_at, "
                     "fingerprint) SELECT ?, target_id + ?, indicator_id, status, count, deduct, url, detected_at, "
                     "url FROM findings WHERE round_id = ? AND id % 3 != 0", (new_id, offset, source))


def timed(fn, repeat: int = 5) -> tuple[str, object]:
    """'median W ms wall (runs), median C ms CPU' over ``repeat`` runs, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return report(wall, cpu), result


def report(wall: list[float], cpu: list[float]) -> str:
    return (f"median {statistics.median(wall):.0f} ms wall ({' / '.join(f'{t:.0f}' for t in wall)}), "
            f"median {statistics.median(cpu):.0f} ms CPU")


def open_page(path: Path, round_id: int) -> str:
    """OverviewPage shown until its figures are drawn: the worker's scoring and the paint."""
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from app.ui.gc_guard import MainThreadGarbageCollector
    from app.ui.pages import PageContext
    from app.ui.pages.overview_page import OverviewPage
    app = QApplication.instance() or QApplication([])
    collector = MainThreadGarbageCollector(app)         # as in the app: no collection inside the worker
    db = dbm.connect(path)
    wall, cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue(OverviewPage.round_setting, round_id)
        for _ in range(5):
            page = OverviewPage(PageContext(db, path, settings))
            page.resize(1366, 720)
            loop = QEventLoop()                  # as in the app: Qt's own loop waits, Python stays out
            page.overview_ready.connect(loop.quit)
            start, start_cpu = time.perf_counter(), time.process_time()
            page.show()
            loop.exec()
            page.repaint()                       # the charts drawn with the figures
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            page.close()
            page._jobs.wait_all()
            page.deleteLater()
            app.processEvents()
    db.close()
    collector.stop()
    return report(wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=700)
    parser.add_argument("--accounts", type=int, default=4000)
    parser.add_argument("--findings", type=int, default=50_000)
    args = parser.parse_args()
    from app.core.followup.overview import round_overview
    from app.core.rounds.round_scores import score_round
    from app.core.rounds.trends import round_trends
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "overview.sqlite"
        db = dbm.connect(path)
        start = time.perf_counter()
        rid = build(db, args.sites, args.accounts, args.findings)
        extra = add_context(db, rid)
        score_times, _s = timed(lambda: score_round(db, rid))
        print(f"built: {args.sites} sites, {args.accounts} accounts, {args.findings:,} findings, "
              f"{extra['items']:,} 整改 items in {extra['notices']} notices, {extra['messages']:,} messages "
              f"({time.perf_counter() - start:.1f} s)")
        print(f"score_round() alone, for comparison: {score_times}")
        times, o = timed(lambda: round_overview(db, rid, today="2025-07-31"))
        print(f"round_overview(): {times}; "
              f"sites {o.sites.passed}/{o.sites.checked} 合格, {len(o.failed)} 不合格, "
              f"{sum(t.count for t in o.by_indicator):,} confirmed problems, {o.rectify.overdue:,} overdue 整改")
        db.close()
        print(f"opening the overview page (show → figures drawn): {open_page(path, rid)}; aim < 500 ms")
        db = dbm.connect(path)
        copy_round(db, rid, 2, "2025-09-25")
        copy_round(db, rid, 3, "2025-12-25")
        times, trends = timed(lambda: round_trends(db, 3), repeat=3)
        print(f"round_trends() over 3 rounds: {times}; "
              f"{len(trends.changes):,} targets changed, new/fixed/recurring {trends.totals()}")
        db.close()


if __name__ == "__main__":
    main()
