"""自动检查 page against fixture sites served on 127.0.0.1 by the test: a run with pause and
continue, a re-check of selected sites, cancel while a server stalls, resume without refetching,
closing the window during a run, and the worker's progress throttle."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt

from app.core.crawl import jobs
from app.ui.pages import PageContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from crawl.sites import FixtureSite, Resp, html, make_round  # noqa: E402

# Short timeouts, no pacing, no helper processes (from_dict drops options this version lacks).
QUICK = jobs.CheckOptions.from_dict(dict(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=3.0,
                                         probe_threshold=5.0, processes=0))
# As QUICK, but waiting long for a stalled server (the test cancels before).
SLOW_READS = jobs.CheckOptions(**{**QUICK.to_dict(), "read_timeout": 30.0, "deadline": 60.0})


def page_resp(links: str = "", title: str = "测试") -> Resp:
    return Resp(body=html(f"<h1>{title}</h1>{links}", title=title))


def a(href: str, text: str = "链接") -> str:
    return f'<a href="{href}">{text}</a>'


def small_site(n: int = 4) -> dict:
    routes = {"/": page_resp("".join(a(f"/p{i}.html", f"页{i}") for i in range(n)), "首页")}
    routes.update({f"/p{i}.html": page_resp("", f"页{i}") for i in range(n)})
    return routes


def make_page(qtbot, db, db_path, settings):
    from app.ui.pages.checks_page import ChecksPage
    page = ChecksPage(PageContext(db, db_path, settings))
    page.base_options = QUICK
    qtbot.addWidget(page)
    return page


def window_on_checks(qtbot, db, db_path, settings, options: jobs.CheckOptions = QUICK):
    """The main window, shown on the 自动检查 page (run with ``options``); returns both."""
    from app.ui.main_window import MainWindow
    win = MainWindow(db, db_path, settings)
    qtbot.addWidget(win)
    win.show()
    win.show_page("checks")
    page = win.pages["checks"]
    page.base_options = options
    return win, page


def stored_urls(db, run_id: int) -> set[str]:
    return {r[0] for r in db.conn.execute("SELECT url FROM evidence WHERE run_id = ? AND kind = 'page'", (run_id,))}


def test_run_pause_continue_and_recheck_selected(qtbot, db, db_path, settings):
    with FixtureSite(small_site()) as one, FixtureSite(small_site(2)) as two:
        rid = make_round(db, {"3699020001": one.url + "/", "3699020002": two.url + "/"})
        page = make_page(qtbot, db, db_path, settings)
        assert page.round_id() == rid and page.model.rowCount() == 2
        assert page.model.get("3699020001").state == "" and page.start_button.isEnabled()
        page.max_pages.setValue(10)
        page.concurrency.setValue(2)
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        assert page.running and not page.start_button.isEnabled() and page.cancel_button.isEnabled()
        page.pause_checks()                           # a paused run finishes requests in flight, then waits
        assert page.resume_button.isEnabled() and not page.pause_button.isEnabled()
        qtbot.waitUntil(lambda: "已暂停" in page.progress_label.text(), timeout=10_000)
        with qtbot.waitSignal(page.run_finished, timeout=20_000) as blocker:
            qtbot.mouseClick(page.resume_button, Qt.MouseButton.LeftButton)
        s = blocker.args[0]
        assert s.state == "done" and s.pages == 8 and s.sites_done == 2
        assert not page.running and page.start_button.isEnabled()
        row = page.model.get("3699020001")
        assert row.state == "done" and row.pages == 5 and row.findings > 0 and row.by_kind
        assert page.model.get("3699020002").pages == 3
        assert "检查完成" in page.summary_label.text() and not page.summary_frame.isHidden()
        log = page.log.toPlainText()
        assert "3699020001 测试网站1：检查完成，页面 5" in log and "已暂停" in log

        # Re-check one selected site: a new run of that site alone, no duplicate findings.
        page.select_keys(["3699020002"])
        assert page.selected_keys() == ["3699020002"] and page.rerun_button.isEnabled()
        before = two.gets("/")
        with qtbot.waitSignal(page.run_finished, timeout=20_000) as blocker:
            qtbot.mouseClick(page.rerun_button, Qt.MouseButton.LeftButton)
        s2 = blocker.args[0]
        assert [r.site_key for r in s2.sites] == ["3699020002"] and s2.run_id != s.run_id
        assert s2.findings == 0 and s2.existing > 0 and two.gets("/") == before + 1
        assert one.gets("/") == 1
    assert page.model.get("3699020002").checked_at and page.model.get("3699020001").state == "done"


def test_go_to_scores_from_the_summary(qtbot, db, db_path, settings):
    with FixtureSite(small_site(1)) as site:
        make_round(db, {"3699020001": site.url + "/"})
        win, page = window_on_checks(qtbot, db, db_path, settings)
        with qtbot.waitSignal(page.run_finished, timeout=20_000):
            page.start_button.click()
    assert page.scores_button.isVisible()
    page.scores_button.click()
    assert win.current_page_key() == "scores"


def test_cancel_while_a_server_stalls_then_resume_without_refetching(qtbot, db, db_path, settings):
    release = threading.Event()

    def gated(h, site):          # answers only once released (or when the server stops)
        if release.wait(30) and not site.stop.is_set():
            site.send(h, page_resp("", "慢页面"))

    routes = {"/": page_resp("".join(a(f"/s{i}.html") for i in range(4)) + a("/fast.html"), "首页"),
              "/fast.html": page_resp("", "快页面")}
    routes.update({f"/s{i}.html": gated for i in range(4)})
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        page = make_page(qtbot, db, db_path, settings)
        page.base_options = SLOW_READS
        page.per_host.setValue(4)
        page.start_checks()
        qtbot.waitUntil(lambda: site.gets("/") == 1 and site.active >= 2, timeout=10_000)
        t0 = time.monotonic()
        with qtbot.waitSignal(page.run_finished, timeout=3_000) as blocker:
            qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
            assert not page.cancel_button.isEnabled()
        took = time.monotonic() - t0
        s = blocker.args[0]
        assert s.cancelled and took < 2.0, took
        assert not page.running and "检查已取消" in page.summary_label.text()
        assert page.model.get("3699020001").state == "resumable"
        assert page.resume_run_button.isEnabled()
        state = db.conn.execute("SELECT state FROM check_runs WHERE id = ?", (s.run_id,)).fetchone()[0]
        assert state == "cancelled"
        stored = stored_urls(db, s.run_id)
        assert site.url + "/" in stored
        fetched = {url: site.gets(url[len(site.url):]) for url in stored}

        release.set()
        with qtbot.waitSignal(page.run_finished, timeout=20_000) as blocker:
            qtbot.mouseClick(page.resume_run_button, Qt.MouseButton.LeftButton)
        s2 = blocker.args[0]
        assert s2.state == "done" and s2.run_id == s.run_id and s2.pages == 6
        for url, n in fetched.items():
            assert site.gets(url[len(site.url):]) == n, url          # nothing stored was fetched again
    assert db.conn.execute("SELECT COUNT(*), MIN(state) FROM check_runs WHERE round_id = ?",
                           (rid,)).fetchone() == (1, "done")
    assert page.model.get("3699020001").state == "done" and not page.resume_run_button.isEnabled()


def test_closing_the_window_during_a_run_cancels_it(qtbot, db, db_path, settings):
    def stall(h, site):
        site.stop.wait(30)

    with FixtureSite({"/": page_resp(a("/slow.html"), "首页"), "/slow.html": stall}) as site:
        make_round(db, {"3699020001": site.url + "/"})
        win, page = window_on_checks(qtbot, db, db_path, settings, SLOW_READS)
        page.start_checks()
        worker = page.worker
        qtbot.waitUntil(lambda: site.active >= 1 and site.gets("/slow.html") == 1, timeout=10_000)
        t0 = time.monotonic()
        win.close()                                   # cancels the run and waits for its thread
        assert time.monotonic() - t0 < 3.0
        assert worker.cancel_requested and all(thread.isFinished() for thread, _ in page._jobs._running)


def test_progress_signals_are_throttled_and_keep_every_finished_site(db_path):
    from app.ui.run_workers import CheckWorker
    worker = CheckWorker(db_path, 1)
    got = []
    worker.progress.connect(got.append)
    for i in range(200):
        state = "done" if i % 2 else "running"
        worker._on_report(jobs.RunProgress(run_id=1, sites_total=100, sites_done=i // 2, pages=i, findings=0,
                                           elapsed=0.0, eta=None, site_key=f"k{i // 2}", site_state=state))
    assert len(got) <= 2                              # all within 0.1 s
    worker._emit(force=True)
    reports = [p for batch in got for p in batch.site_reports]
    assert {p.site_key for p in reports if p.site_state == "done"} == {f"k{i}" for i in range(100)}
    assert got[-1].latest.pages == 199


def test_the_ocr_option_follows_the_engine_and_is_remembered(qtbot, db, db_path, settings, monkeypatch):
    from app.core.checks import ocr
    monkeypatch.setattr(ocr, "available", lambda: True)
    page = make_page(qtbot, db, db_path, settings)
    assert page.ocr_box.isEnabled() and page.ocr_box.isChecked() and page.options().ocr
    page.ocr_box.setChecked(False)
    page._save_options()
    again = make_page(qtbot, db, db_path, settings)
    assert not again.ocr_box.isChecked() and not again.options().ocr        # the inspector's choice kept
    monkeypatch.setattr(ocr, "available", lambda: False)
    missing = make_page(qtbot, db, db_path, settings)
    assert not missing.ocr_box.isEnabled() and not missing.options().ocr
    assert missing.ocr_box.toolTip() == ocr.MISSING
