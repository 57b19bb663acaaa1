"""The availability monitor against local servers: each kind of failure stored with its kind, the
wall-clock schedule (no catch-up after a sleeping laptop), cancel, pruning and the one-monitor lock."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.core.crawl import probe_store
from app.core.crawl.monitor import Monitor, MonitorOptions
from app.core.crawl.monitor_lock import MonitorBusy, MonitorLock, lock_path
from app.core.crawl.run_store import set_unverified
from app.core.crawl.run_tokens import CancelToken
from app.core.errors import ValidationError
from app.core.registry import registry
from app.core.store import db as dbm, migrations

from .sites import FixtureSite, Resp, make_round, refused_port, stall, wait_until
from .test_fetching import _cert_files, _https

ROOT = Path(__file__).resolve().parents[3]
FAST = dict(timeout=1.0, delay=0.0, concurrency=8)



def probes(db) -> dict[str, tuple]:
    """网站标识码 -> (ok, http_status, error_kind, seconds, source) of its latest probe."""
    return {r[0]: r[1:] for r in db.conn.execute(
        "SELECT s.site_code, p.ok, p.http_status, p.error_kind, p.seconds, p.source FROM probes p "
        "JOIN sites s ON s.id = p.site_id ORDER BY p.id")}


def test_one_cycle_stores_every_kind_of_probe(db, db_path, tmp_path):
    ca_key, ca_cert, _, _ = _cert_files(tmp_path, "Test CA", 30)
    _, _, cert, key = _cert_files(tmp_path, "127.0.0.1", 30, (ca_key, ca_cert))
    routes = {"/": Resp(body="<html>首页</html>"), "/slow": Resp(body="<html>慢</html>", delay=0.4),
              "/500": Resp(500, "服务器错误"), "/hang": stall(30)}
    with FixtureSite(routes) as site, _https(FixtureSite({"/": Resp(body="ok")}), cert, key) as tls:
        make_round(db, {"3699020001": f"{site.url}/", "3699020002": f"{site.url}/slow",
                        "3699020003": f"{site.url}/500", "3699020004": f"{site.url}/hang",
                        "3699020005": f"http://127.0.0.1:{refused_port()}/",
                        "3699020006": "http://no-such-host.invalid/",
                        "3699020007": f"https://127.0.0.1:{tls.port}/"})
        summary = Monitor(db_path, MonitorOptions(**FAST)).run(once=True)
    got = probes(db)
    assert summary.cycles == 1 and summary.probes == 7 and summary.failed == 5
    assert summary.last.by_kind == {"http": 1, "timeout": 1, "refused": 1, "dns": 1, "tls": 1}
    assert got["3699020001"][:3] == (1, 200, "")
    assert got["3699020002"][:3] == (1, 200, "") and 0.4 <= got["3699020002"][3] < 1.0
    assert got["3699020003"][:3] == (0, 500, "http")
    assert got["3699020004"][:3] == (0, None, "timeout") and 1.0 <= got["3699020004"][3] < 1.5
    assert got["3699020005"][:3] == (0, None, "refused")
    assert got["3699020006"][:3] == (0, None, "dns")
    assert got["3699020007"][:3] == (0, None, "tls")
    assert {v[4] for v in got.values()} == {"monitor"}
    errors = dict(db.conn.execute("SELECT s.site_code, p.error FROM probes p JOIN sites s ON s.id = p.site_id"))
    assert errors["3699020003"] == "HTTP 500" and "1 秒内未打开" in errors["3699020004"]


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_site_read_without_tls_verification_is_probed_the_same_way(db, db_path, tmp_path):
    _, _, cert, key = _cert_files(tmp_path, "127.0.0.1", 30)
    with _https(FixtureSite({"/": Resp(body="ok")}), cert, key) as tls:
        make_round(db, {"3699020001": f"https://127.0.0.1:{tls.port}/"})
        set_unverified(db, "3699020001", True, who="test")
        Monitor(db_path, MonitorOptions(**FAST)).run(once=True)
    assert probes(db)["3699020001"][:3] == (1, 200, "")


def test_only_running_sites_or_the_chosen_ones(db, db_path):
    with FixtureSite({"/": Resp(body="ok")}) as site:
        make_round(db, {f"369902000{i}": f"{site.url}/" for i in range(1, 4)})
        sid = db.conn.execute("SELECT id FROM sites WHERE site_code = '3699020003'").fetchone()[0]
        registry.change_status(db, "site", sid, "关停", "2025-01-01", "关停")
        assert [s.code for s in probe_store.monitored_sites(db)] == ["3699020001", "3699020002"]
        Monitor(db_path, MonitorOptions(**FAST)).run(once=True)
        assert set(probes(db)) == {"3699020001", "3699020002"}
        Monitor(db_path, MonitorOptions(**FAST), ["3699020003"]).run(once=True)
        assert db.conn.execute("SELECT COUNT(*) FROM probes").fetchone()[0] == 3
    with pytest.raises(ValidationError, match="9999999999"):
        probe_store.monitored_sites(db, ["3699020001", "9999999999"])


class FakeClock:
    """Wall-clock seconds that move only when the monitor sleeps, plus one long jump (a laptop
    asleep) once ``sleep_at`` is passed."""

    def __init__(self, start: float, sleep_at: float, sleep_for: float, cancel: CancelToken):
        self.now, self.sleep_at, self.sleep_for, self.cancel = start, sleep_at, sleep_for, cancel
        self.jumped = False

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.now += seconds
        if not self.jumped and self.now >= self.sleep_at:
            self.now += self.sleep_for
            self.jumped = True
        return self.cancel.cancelled


def test_the_schedule_follows_the_wall_clock_and_never_catches_up(db, db_path):
    start = dt.datetime(2025, 8, 11, 8, 0).timestamp()
    cancel = CancelToken()
    clock = FakeClock(start, sleep_at=start + 45 * 60, sleep_for=5 * 3600, cancel=cancel)
    reports = []
    with FixtureSite({"/": Resp(body="ok")}) as site:
        make_round(db, {"3699020001": f"{site.url}/"})
        monitor = Monitor(db_path, MonitorOptions(interval=1800, **FAST), progress=reports.append, cancel=cancel,
                          clock=clock, sleep=clock.sleep)
        summary = monitor.run(duration=8 * 3600)
    times = [r[0] for r in db.conn.execute("SELECT at FROM probes ORDER BY at")]
    # 08:00, 08:30, asleep 08:45–13:45: one cycle on waking, then the grid again (14:00 …).
    assert times == ["2025-08-11 08:00:00", "2025-08-11 08:30:00", "2025-08-11 13:45:00", "2025-08-11 14:00:00",
                     "2025-08-11 14:30:00", "2025-08-11 15:00:00", "2025-08-11 15:30:00"]
    assert summary.cycles == 7 and summary.skipped == 9 and not summary.cancelled
    waits = [r for r in reports if r.state == "cycle_done"]
    assert dt.datetime.fromtimestamp(waits[2].next_at).strftime("%H:%M") == "14:00"
    assert reports[-1].state == "stopped"


def test_a_cycle_longer_than_the_interval_skips_the_slots_it_overran(db, db_path):
    start = dt.datetime(2025, 8, 11, 8, 0).timestamp()
    cancel = CancelToken()
    clock = FakeClock(start, sleep_at=float("inf"), sleep_for=0, cancel=cancel)
    with FixtureSite({"/": Resp(body="ok")}) as site:
        make_round(db, {"3699020001": f"{site.url}/"})
        monitor = Monitor(db_path, MonitorOptions(interval=600, **FAST), cancel=cancel, clock=clock, sleep=clock.sleep)
        real_cycle = monitor._cycle

        def long_cycle(db_, number):
            out = real_cycle(db_, number)
            clock.now += 1500 if number == 1 else 0          # the first cycle takes 25 minutes
            return out
        monitor._cycle = long_cycle
        summary = monitor.run(duration=3600)
    times = [r[0][11:16] for r in db.conn.execute("SELECT at FROM probes ORDER BY at")]
    assert times == ["08:00", "08:30", "08:40", "08:50"] and summary.skipped == 2


def test_cancel_ends_the_monitor_within_two_seconds(db, db_path):
    cancel = CancelToken()
    box = {}
    with FixtureSite({"/": stall(30)}) as site:
        make_round(db, {f"36990200{i:02d}": f"{site.url}/" for i in range(1, 5)})
        monitor = Monitor(db_path, MonitorOptions(timeout=20, delay=0, concurrency=4, per_host=4), cancel=cancel)
        thread = threading.Thread(target=lambda: box.setdefault("s", monitor.run()))
        thread.start()
        assert wait_until(lambda: site.active == 4)
        t0 = time.monotonic()
        cancel.cancel()
        thread.join(5)
        took = time.monotonic() - t0
    assert not thread.is_alive() and took < 2.0
    assert box["s"].cancelled and box["s"].probes == 0
    assert db.conn.execute("SELECT COUNT(*) FROM probes").fetchone()[0] == 0       # aborted probes are no data


def test_cancel_while_waiting_for_the_next_cycle(db, db_path):
    cancel = CancelToken()
    reports = []
    with FixtureSite({"/": Resp(body="ok")}) as site:
        make_round(db, {"3699020001": f"{site.url}/"})
        monitor = Monitor(db_path, MonitorOptions(interval=3600, **FAST), progress=reports.append, cancel=cancel)
        thread = threading.Thread(target=monitor.run)
        thread.start()
        assert wait_until(lambda: any(r.state == "waiting" for r in reports))
        t0 = time.monotonic()
        cancel.cancel()
        thread.join(5)
    assert not thread.is_alive() and time.monotonic() - t0 < 2.0


# ---------------------------------------------------------------- housekeeping

def test_probes_are_pruned_by_the_retention_setting(db):
    with FixtureSite({"/": Resp(body="ok")}) as site:
        make_round(db, {"3699020001": f"{site.url}/"})
    sid = db.conn.execute("SELECT id FROM sites").fetchone()[0]
    rows = [(sid, "http://a.example/", f"2025-{m:02d}-01 08:00:00", 1.0, 1, 200, "", "", "monitor") for m in (1, 5, 8)]
    probe_store.insert_probes(db, rows)
    assert probe_store.retention_days(db) == 90                         # set by the migration
    now = dt.datetime(2025, 8, 15)
    assert probe_store.prune_probes(db, now=now) == 2
    probe_store.set_retention_days(db, 0)
    probe_store.insert_probes(db, rows[:1])
    assert probe_store.prune_probes(db, now=now) == 0
    with pytest.raises(ValidationError, match="至少 14 天"):
        probe_store.set_retention_days(db, 7)


def test_the_monitor_step_upgrades_a_version_2_file(tmp_path):
    path = tmp_path / "v2.sqlite"
    old = dbm.connect(path, steps=migrations.STEPS[:2])
    old.conn.execute("INSERT INTO probes(site_id, url, at, seconds, ok) VALUES (NULL, 'http://a/', '2025-01-01', 1, 1)")
    old.close()
    new = dbm.connect(path)
    try:
        assert new.conn.execute("SELECT error_kind FROM probes").fetchall() == [("",)]
        assert probe_store.retention_days(new) == 90
        assert {"probes_at", "probes_failed"} <= {r[1] for r in new.conn.execute("PRAGMA index_list(probes)")}
    finally:
        new.close()


# ---------------------------------------------------------------- one monitor per database

HOLD = ("import sys, time\n"
        "from app.core.crawl.monitor_lock import MonitorLock\n"
        "lock = MonitorLock(sys.argv[1]); lock.acquire()\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n")


def test_a_second_monitor_is_refused_and_a_killed_one_leaves_no_stale_lock(db, db_path):
    make_round(db, {"3699020001": "http://a.example/"})
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db_path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(MonitorBusy) as err:
            Monitor(db_path, MonitorOptions(**FAST)).run(once=True)
        assert f"进程 {proc.pid}" in str(err.value) and "同一数据库同时只能运行一个监测" in str(err.value)
        assert json.loads(lock_path(db_path).read_text(encoding="utf-8"))["pid"] == proc.pid
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    with MonitorLock(db_path) as lock:                  # the dead holder's lock is gone with it
        assert lock.held
        with pytest.raises(MonitorBusy):               # and two in one process exclude each other too
            MonitorLock(db_path).acquire()
    with MonitorLock(db_path) as again:                 # released again on exit
        assert again.held
