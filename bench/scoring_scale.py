"""Scale check: score a round of 700 sites + 4,000 accounts with 50,000 findings.

Builds a throw-away database in a temp folder, then times score_round(), the
findings list load (the round's findings joined to their targets, into Python rows)
and opening the 审核评分 queue: findings.review_queue() into FindingsQueueModel, then
the same with a QTableView laying it out (offscreen Qt; aim: under 300 ms).
Run: python bench/scoring_scale.py [--sites N] [--accounts N] [--findings N]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.store import db as dbm  # noqa: E402
from app.core.rounds import profiles as pf  # noqa: E402
from app.core.rounds.round_scores import score_round  # noqa: E402

NOW = "2025-06-30 12:00:00"
PLATFORMS = ["微信公众号", "新浪微博", "抖音", "今日头条", "快手"]
CATEGORIES = ["市级门户", "市级部门网站", "县级门户(含开发区/高新区)", "县级部门网站", "乡镇街道网站"]
STATUSES = ["确认"] * 14 + ["待审核"] * 3 + ["误报"] * 2 + ["存疑"]


def _ids(profile: pf.Profile, part: str) -> list[str]:
    root = profile.part(part)
    return [i.id for i in root.walk() if i.level > 0] if root else []


def build(db, sites: int, accounts: int, findings: int, seed: int = 7) -> int:
    """Insert registry rows, one round with every target, and random findings; returns the round id."""
    rng = random.Random(seed)
    profiles = pf.profile_set(db, "national-2019")
    web_ded, web_veto = _ids(profiles["site"], "deduction"), _ids(profiles["site"], "veto")
    web_bonus, nm_veto = _ids(profiles["site"], "bonus"), _ids(profiles["account"], "veto")
    nm_notes = _ids(profiles["account"], "group")
    regions = [f"地区{i:02d}" for i in range(21)]
    snapshot, version = pf.snapshot(profiles, "national-2019")
    conn = db.conn
    with dbm.transaction(db):
        conn.executemany(
            "INSERT INTO sites(id, site_code, name, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(i, f"44{i:08d}", f"网站{i}", f"http://s{i}.example.gov.cn/", NOW, NOW) for i in range(1, sites + 1)])
        conn.executemany(
            "INSERT INTO accounts(id, name, platform, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(i, f"账号{i}", PLATFORMS[i % len(PLATFORMS)], NOW, NOW) for i in range(1, accounts + 1)])
        conn.execute(
            "INSERT INTO rounds(id, name, kind, as_of, profile_id, profile_version, profile_snapshot, created_at) "
            "VALUES (1, '规模测试轮次', '季度', '2025-06-25', 'national-2019', ?, ?, ?)", (version, snapshot, NOW))
        targets = [(i, 1, "site", i, None, f"44{i:08d}", f"网站{i}", "", CATEGORIES[i % 5], int(i % 10 == 0),
                    int(i % 12 != 0), regions[i % 21], "已检查", i) for i in range(1, sites + 1)]
        targets += [(sites + i, 1, "account", None, i, f"{PLATFORMS[i % 5]}:账号{i}", f"账号{i}", PLATFORMS[i % 5],
                     "", 0, 1, regions[i % 21], "未检查" if i % 200 == 0 else "已检查", i)
                    for i in range(1, accounts + 1)]
        conn.executemany(
            "INSERT INTO round_targets(id, round_id, target_type, site_id, account_id, target_key, name, platform, "
            "category, is_portal, has_external_service, region_name, review_state, sort_order) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", targets)
        rows = []
        for n in range(findings):
            if rng.random() < 0.6:
                target = rng.randint(1, sites)
                roll = rng.random()
                ids = web_veto if roll < 0.002 else web_bonus if roll < 0.02 else web_ded
            else:
                target = sites + rng.randint(1, accounts)
                ids = nm_veto if rng.random() < 0.002 else nm_notes
            deduct = round(rng.uniform(0, 2), 1) if rng.random() < 0.05 else None
            rows.append((1, target, rng.choice(ids), rng.choice(STATUSES), rng.randint(1, 3), deduct,
                         f"http://s{target}.example.gov.cn/p{n}.html", NOW))
        conn.executemany(
            "INSERT INTO findings(round_id, target_id, indicator_id, status, count, deduct, url, detected_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return 1


def load_findings(db, round_id: int) -> list[tuple]:
    """The findings list as the review table would load it."""
    return db.conn.execute(
        "SELECT f.id, f.indicator_id, f.kind, f.source, f.status, f.count, f.deduct, f.url, f.detail, "
        "f.detected_at, f.reviewer, t.target_type, t.target_key, t.name, t.region_name "
        "FROM findings f JOIN round_targets t ON t.id = f.target_id WHERE f.round_id = ? ORDER BY f.id",
        (round_id,)).fetchall()


def open_queue(db, round_id: int, model, view=None) -> int:
    """What the review page does on opening a round: two queries, one model reset (+ view layout)."""
    from app.core.rounds.findings import review_queue
    from app.core.rounds.round_scores import profiles_for_round
    from app.ui.pages.review_page import kind_labels
    names = {i.id: i.name for p in profiles_for_round(db, round_id).values() for i in p.walk()}
    model.set_queue(review_queue(db, round_id), names, kind_labels())
    if view is not None:
        view.selectRow(0)
        view.viewport().repaint()      # lay out and paint the visible rows, as on screen
    return model.rowCount()


def _timed(fn, repeat: int = 3) -> tuple[str, object]:
    """('412 / 398 / 405 ms', last result) over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return " / ".join(f"{t * 1000:.0f}" for t in times) + " ms", result


def bench_queue(db, round_id: int) -> None:
    """Time opening the 审核评分 queue on the round, without and with a table view."""
    import gc
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QHeaderView, QTableView
    from app.ui.pages.review_page import kind_labels
    from app.ui.table_models.findings_queue_model import FindingsQueueModel
    app = QApplication.instance() or QApplication([])
    kind_labels()                          # the check catalogue is imported once per session
    # As in the app (ui/gc_guard.py): automatic GC is off and a timer collects between events,
    # so the 550,000 objects of a load do not trigger full collections halfway through it.
    gc.collect()
    gc.disable()
    model = FindingsQueueModel()

    def timed_open(view=None) -> tuple[str, int]:
        times, n = [], 0
        for _ in range(3):
            app.processEvents()            # the event loop runs between two opens (frees the old queue)
            start = time.perf_counter()
            n = open_queue(db, round_id, model, view)
            times.append(time.perf_counter() - start)
        return " / ".join(f"{t * 1000:.0f}" for t in times) + " ms", n

    times, n = timed_open()
    print(f"review queue open (core + model): {times} ({n} rows)")
    view = QTableView()                    # configured as on the review page
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(26)
    view.setModel(model)
    view.resize(1100, 700)
    view.show()
    app.processEvents()
    times, n = timed_open(view)
    print(f"review queue open (core + model + view): {times} ({n} rows)")
    view.close()
    gc.enable()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=700)
    ap.add_argument("--accounts", type=int, default=4000)
    ap.add_argument("--findings", type=int, default=50000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = dbm.connect(Path(tmp) / "bench.sqlite")
        try:
            start = time.perf_counter()
            round_id = build(db, args.sites, args.accounts, args.findings)
            print(f"built: {args.sites} sites, {args.accounts} accounts, {args.findings} findings "
                  f"in {time.perf_counter() - start:.2f} s")
            times, scores = _timed(lambda: score_round(db, round_id))
            s, a = scores.summary.sites.overall, scores.summary.accounts.overall
            print(f"score_round: {times} (sites {s.passed}/{s.checked} 合格 {s.pass_rate}%, "
                  f"accounts {a.passed}/{a.checked} 合格 {a.pass_rate}%)")
            times, rows = _timed(lambda: load_findings(db, round_id))
            print(f"findings list load: {times} ({len(rows)} rows)")
            bench_queue(db, round_id)
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
