"""The 可用性监测 page: start and stop the monitor in a worker against local sites, the live table,
the selected site's week chart, the lock, and closing the window stopping the monitor."""
from __future__ import annotations

import datetime as dt

import pytest

from app.core.crawl import probe_store
from app.core.crawl.monitor_lock import MonitorLock
from app.core.registry import registry
from app.core.registry.fields import clean_record
from app.core.store.db import transaction
from app.ui.pages import PageContext, PageSpec

from core.crawl.sites import FixtureSite, Resp, refused_port


@pytest.fixture
def site():
    with FixtureSite({"/": Resp(body="<html>首页</html>"), "/500": Resp(500, "错误")}) as s:
        yield s


@pytest.fixture
def local_db(db, site):
    """Three running sites on 127.0.0.1: fine, 500, refused."""
    urls = {"3699020001": f"{site.url}/", "3699020002": f"{site.url}/500",
            "3699020003": f"http://127.0.0.1:{refused_port()}/"}
    values = [clean_record("site", {"name": f"测试网站{i}", "site_code": code, "url": url, "host_unit": f"单位{i}",
                                    "region": "东湖区", "category": "县级部门网站"}).values
              for i, (code, url) in enumerate(urls.items(), start=1)]
    with transaction(db):
        registry.insert_records(db, "site", values, registry.NameCache(db), who="test")
    return db


@pytest.fixture
def page(qtbot, local_db, db_path, settings):
    from app.ui.pages.monitor_page import MonitorPage
    p = MonitorPage(PageContext(local_db, db_path, settings))
    qtbot.addWidget(p)
    p.timeout.setValue(2)
    with qtbot.waitSignal(p.states_loaded, timeout=10_000):
        p.show()
    return p


def results(page) -> dict[str, str]:
    return {s.code: (s.last_ok, s.last_kind, s.week_probes, s.week_failed) for s in page.model.records}


def test_start_and_stop_the_monitor(qtbot, qtmodeltester, page, local_db):
    assert results(page) == {c: (None, "", 0, 0) for c in ("3699020001", "3699020002", "3699020003")}
    qtmodeltester.check(page.model)
    with qtbot.waitSignal(page.cycle_finished, timeout=15_000) as cycle:
        page.start_button.click()
    assert page.running and not page.start_button.isEnabled() and page.stop_button.isEnabled()
    assert (cycle.args[0].probed, cycle.args[0].failed) == (3, 2)
    # the live rows (results folded in as they came) …
    assert results(page) == {"3699020001": (True, "", 1, 0), "3699020002": (False, "http", 1, 1),
                             "3699020003": (False, "refused", 1, 1)}
    # … and the reload after the cycle agree
    qtbot.waitUntil(lambda: page.model.records[1].verdict == "样本不足", timeout=10_000)
    with qtbot.waitSignal(page.states_loaded, timeout=10_000):      # the reload after the stop
        with qtbot.waitSignal(page.monitor_stopped, timeout=5_000) as stopped:
            page.stop_button.click()
    assert stopped.args[0].cycles == 1 and stopped.args[0].cancelled
    assert not page.running and page.start_button.isEnabled() and not page.stop_button.isEnabled()
    assert local_db.conn.execute("SELECT COUNT(*) FROM probes").fetchone()[0] == 3
    with MonitorLock(page._ctx.db_path):                  # the monitor let go of the database
        pass


def test_the_selected_site_week_as_a_chart(qtbot, page, local_db):
    sid = local_db.conn.execute("SELECT id FROM sites WHERE site_code = '3699020002'").fetchone()[0]
    end = dt.date.today()
    rows = []
    for back in range(7):
        day = end - dt.timedelta(days=back)
        for i in range(19 if back == 2 else 24):
            ok = int(not (back == 0 and i < 3))
            rows.append((sid, "http://x/", f"{day} {i // 2:02d}:{30 * (i % 2):02d}:00", 1.0 if ok else None, ok,
                         None, "" if ok else "连接被拒绝", "" if ok else "refused", "monitor"))
    probe_store.insert_probes(local_db, rows)
    with qtbot.waitSignal(page.states_loaded, timeout=10_000):
        page.reload()
    page.select_site("3699020002")
    week = page.chart_week
    assert [d.probes for d in week.days] == [24, 24, 24, 24, 19, 24, 24] and week.verdict == "样本不足"
    ok, failed = page.chart.series()
    assert ok.values == (24, 24, 24, 24, 19, 24, 21) and failed.values == (0, 0, 0, 0, 0, 0, 3)
    assert page.chart.stacked and page.chart.categories()[-1].startswith(f"{end.month}/{end.day}\n周")
    assert "判定：样本不足" in page.chart._title and "样本不足（每天至少20次" in page.chart.toolTip()
    row = page.model.records[page.model.row_of_site(sid)]
    assert (row.week_probes, row.week_failed, row.verdict) == (163, 3, "样本不足")
    page.chart.bar_clicked.emit(6)
    assert "拨测 24 次，失败 3 次" in page.message.text() and "连接被拒绝" in page.message.text()


def test_only_the_selected_sites(qtbot, page, local_db):
    page.only_selected.setChecked(True)
    page.start_button.click()
    assert not page.running and "请先在表中选中" in page.message.text()
    page.select_site("3699020001")
    with qtbot.waitSignal(page.cycle_finished, timeout=15_000) as cycle:
        page.start_button.click()
    assert cycle.args[0].total == 1
    with qtbot.waitSignals([page.monitor_stopped, page.states_loaded], timeout=10_000):
        page.stop_monitor()


def test_a_second_monitor_is_refused(qtbot, page):
    with MonitorLock(page._ctx.db_path):
        with qtbot.waitSignal(page.monitor_stopped, timeout=5_000) as stopped:
            page.start_button.click()
    assert stopped.args == [None] and "此数据库的可用性监测已在运行" in page.message.text()
    assert page.start_button.isEnabled() and not page.running


def test_closing_the_window_stops_the_monitor(qtbot, local_db, db_path, settings):
    from app.ui.main_window import MainWindow
    from app.ui.pages.monitor_page import MonitorPage
    win = MainWindow(local_db, db_path, settings, pages=[PageSpec("monitor", "可用性监测", MonitorPage)])
    qtbot.addWidget(win)
    page = win.pages["monitor"]
    with qtbot.waitSignal(page.states_loaded, timeout=10_000):
        win.show()
    page.timeout.setValue(2)
    with qtbot.waitSignal(page.cycle_finished, timeout=15_000):
        page.start_button.click()
    win.close()
    lock = MonitorLock(db_path)
    lock.acquire()                                        # would raise while the monitor still ran
    lock.release()
