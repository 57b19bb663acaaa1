"""The run engine against fixture sites: crawl limits, link checks, evidence, probes,
per-host politeness, cancel, pause, resume after a kill, re-runs without duplicates."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.core.store import db as dbm
from app.core.rounds import findings, rounds
from app.core.rounds.round_scores import score_round
from app.core.crawl import jobs

from .sites import FixtureSite, Resp, html, make_round, refused_port, stall, wait_until

ROOT = Path(__file__).resolve().parents[3]
QUICK = dict(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=3.0, probe_threshold=5.0)


def opts(**over) -> jobs.CheckOptions:
    return jobs.CheckOptions(**{**QUICK, **over})


def page(links: str = "", title: str = "测试", extra: str = "") -> Resp:
    return Resp(body=html(f"<h1>{title}</h1>{links}{extra}", title=title))


def a(href: str, text: str = "链接") -> str:
    return f'<a href="{href}">{text}</a>'



def chain_site(n: int = 12) -> dict:
    """Homepage -> p0 -> p1 -> ... (depth k for p{k-1}) plus a paginated list at depth 1."""
    routes = {"/": page(a("/p0.html", "第一层") + a("/list/index.html", "通知公告"), "首页")}
    for i in range(n):
        routes[f"/p{i}.html"] = page(a(f"/p{i + 1}.html", "下一层") if i + 1 < n else "", f"第{i}页")
    routes["/list/index.html"] = page(a("/list/index_1.html", "下一页") + a("/list/d0.html", "文章"), "列表")
    for i in range(1, 8):
        routes[f"/list/index_{i}.html"] = page(a(f"/list/index_{i + 1}.html", "下一页") if i < 7 else "", f"列表{i}")
    routes["/list/d0.html"] = page("", "文章")
    return routes


def _urls(db, run_id: int, kind: str = "page") -> set[str]:
    return {r[0] for r in db.conn.execute("SELECT url FROM evidence WHERE run_id = ? AND kind = ?", (run_id, kind))}


# ---------------------------------------------------------------- crawl limits

def test_depth_cap_with_pagination_not_counting(db, db_path):
    with FixtureSite(chain_site()) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(max_depth=2))
    fetched = _urls(db, s.run_id)
    base = site.url
    assert f"{base}/p1.html" in fetched and f"{base}/p2.html" not in fetched      # depth 2 reached, not 3
    assert f"{base}/list/index_7.html" in fetched                                  # 8 list pages, all depth 1
    assert f"{base}/list/d0.html" in fetched
    assert site.heads("/p2.html") == 1 and site.gets("/p2.html") == 0             # beyond depth: checked only
    assert s.state == "done" and s.sites[0].state == "done"


def test_page_cap(db, db_path):
    routes = {"/": page("".join(a(f"/p{i}.html", f"页{i}") for i in range(30)), "首页")}
    routes.update({f"/p{i}.html": page("", f"页{i}") for i in range(30)})
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(max_pages=10))
    assert s.pages == 10 and len(_urls(db, s.run_id)) == 10
    # Homepage + 9 pages; the 21 pages over the cap still had their links checked (HEAD), none broken.
    assert sum(site.heads(f"/p{i}.html") for i in range(30)) == 21
    assert not findings.list_findings(db, rid, kind="broken_link")


def test_attachments_fetched_binaries_not(db, db_path):
    from app.core.checks.pii import id_check_digit
    person = "11010519900307123"
    person += id_check_digit(person)
    routes = {"/": page(a("/files/a.pdf", "附件一") + a("/files/b.docx", "附件二") + a("/files/c.txt", "附件三")
                        + a("/files/d.doc", "旧格式") + a("/files/e.exe", "下载") + '<img src="/logo.png">', "首页"),
              "/files/a.pdf": Resp(body=b"%PDF-1.4 test", content_type="application/pdf"),
              "/files/b.docx": Resp(body=b"PK\x03\x04docx", content_type="application/octet-stream"),
              "/files/c.txt": Resp(body=f"获奖名单\n张某 身份证号 {person}\n".encode("gbk"), content_type="text/plain"),
              "/files/d.doc": Resp(body=b"\xd0\xcf\x11\xe0", content_type="application/msword"),
              "/files/e.exe": Resp(body=b"MZ", content_type="application/octet-stream"),
              "/logo.png": Resp(body=b"\x89PNG", content_type="image/png")}
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts())
    for path in ("/files/a.pdf", "/files/b.docx", "/files/c.txt"):
        assert site.gets(path) == 1
    for path in ("/files/d.doc", "/files/e.exe", "/logo.png"):
        assert site.gets(path) == 0 and site.heads(path) == 1
    files = {r[0]: json.loads(r[1]) for r in db.conn.execute(
        "SELECT url, note FROM evidence WHERE run_id = ? AND kind = 'file'", (s.run_id,))}
    assert files[site.url + "/files/d.doc"]["unscanned"] is True
    assert {site.url + p for p in ("/files/a.pdf", "/files/b.docx", "/files/c.txt")} <= set(files)
    assert s.sites[0].attachments == 3 and s.sites[0].unscanned == 1
    pii = findings.list_findings(db, rid, kind="pii")
    assert [(f.url, f.page) for f in pii] == [(site.url + "/files/c.txt", site.url + "/")]   # the file, where linked
    unscanned = {f.url for f in findings.list_findings(db, rid, kind="pii_unscanned")}
    assert site.url + "/files/d.doc" in unscanned


def test_external_links_fetched_once_from_the_homepage_only(db, db_path):
    bad = {"/": Resp(body=html("<p>百家乐 老虎机 真人视讯 体育投注</p>", title="澳门葡京娱乐城"))}
    with FixtureSite(bad) as ext, FixtureSite({}) as site:
        site.routes.update({"/": page(a(ext.url + "/", "友情链接") + a("/p.html", "内页"), "首页"),
                            "/p.html": page(a(ext.url + "/?from=p", "另一个外链"), "内页")})
        other = FixtureSite({"/": page(a(ext.url + "/", "友情链接"), "首页")})
        with other:
            rid = make_round(db, {"3699020001": site.url + "/", "3699020002": other.url + "/"})
            jobs.run_checks(db_path, rid, options=opts(kinds=("external_link_suspect", "broken_link")))
    assert ext.gets("/") == 1                                   # once per run, though two homepages link to it
    assert ext.heads("/?from=p") == 1 and ext.gets("/?from=p") == 0    # not on a homepage: status only
    suspects = findings.list_findings(db, rid, kind="external_link_suspect")
    assert {(f.target_key, f.url) for f in suspects} == {("3699020001", ext.url + "/"), ("3699020002", ext.url + "/")}


# ---------------------------------------------------------------- links, evidence, probes

def test_broken_links_evidence_and_probe(db, db_path):
    dead_port = refused_port()
    routes = {"/": page(a("/gone.html", "已删除") + a("/err", "出错") + a("/ok.html", "正常")
                        + a(f"http://127.0.0.1:{dead_port}/", "拒绝连接") + a("http://no-such.invalid/", "域名失效")
                        + a("/ok.html", "重复"), "首页"),
              "/ok.html": page(a("/gone.html", "已删除"), "正常页"),
              "/err": Resp(500, "服务器错误")}
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts())
    broken = {f.url: f for f in findings.list_findings(db, rid, kind="broken_link")}
    assert set(broken) == {site.url + "/gone.html", site.url + "/err", f"http://127.0.0.1:{dead_port}/",
                           "http://no-such.invalid/"}
    assert all(f.status == "待审核" and f.source == "自动" and f.run_id == s.run_id for f in broken.values())
    assert site.gets("/gone.html") == 1                       # fetched once per run although linked twice
    # 留痕: every fetched page with status, time, size, hash and compressed text.
    rows = db.conn.execute("SELECT id, url, http_status, elapsed, bytes, content_hash, fetched_at FROM evidence "
                           "WHERE run_id = ? AND kind = 'page'", (s.run_id,)).fetchall()
    by_url = {r[1]: r for r in rows}
    home = by_url[site.url + "/"]
    assert home[2] == 200 and home[3] is not None and home[4] > 0 and len(home[5]) == 64 and home[6]
    assert "首页" in jobs.page_text(db, home[0])
    assert by_url[site.url + "/gone.html"][2] == 404
    probes = db.conn.execute("SELECT ok, http_status, seconds FROM probes").fetchall()
    assert probes == [(1, 200, probes[0][2])]
    assert s.sites[0].probe_ok is True


def test_slow_homepage_is_a_failed_probe(db, db_path):
    with FixtureSite({"/": Resp(body=html("首页"), delay=0.4)}) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(probe_threshold=0.3))
        jobs.run_checks(db_path, rid, options=opts(probe_threshold=0.3))
    rows = db.conn.execute("SELECT ok, error FROM probes ORDER BY id").fetchall()
    assert len(rows) == 2 and rows[0][0] == 0 and "0.3 秒" in rows[0][1]       # every run adds one
    assert s.sites[0].probe_ok is False


def test_unreachable_site(db, db_path):
    rid = make_round(db, {"3699020001": f"http://127.0.0.1:{refused_port()}/"})
    s = jobs.run_checks(db_path, rid, options=opts())
    assert s.sites[0].state == "unreachable" and s.sites[0].error == "连接被拒绝"
    assert db.conn.execute("SELECT ok, error FROM probes").fetchall() == [(0, "连接被拒绝")]
    assert rounds.round_targets(db, rid)[0].review_state == "已检查"      # an unreachable site was checked
    down = findings.list_findings(db, rid, kind="homepage_down")
    assert len(down) == 1 and down[0].status == "待审核" and "首页本次检查无法访问：连接被拒绝" in down[0].detail
    assert down[0].indicator_id == "web.veto.unreachable" and "检查时间" in down[0].evidence_text
    jobs.run_checks(db_path, rid, options=opts())                       # failing the same way again: no double
    assert len(findings.list_findings(db, rid, kind="homepage_down")) == 1
    scores = score_round(db, rid)
    assert scores.targets[0].score.passed                             # a candidate never vetoes by itself


def test_a_finished_crawl_marks_its_site_checked_and_only_it(db, db_path):
    routes = {"/": page(a("/p.html", "页"), "首页"), "/p.html": page("", "页")}
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/", "3699020002": site.url + "/"})
        first = rounds.round_targets(db, rid)[0]
        jobs.run_checks(db_path, rid, site_keys=[first.target_key], options=opts())
    states = {t.target_key: t.review_state for t in rounds.round_targets(db, rid)}
    assert states == {"3699020001": "已检查", "3699020002": "待检查"}
    scores = score_round(db, rid)
    assert (scores.summary.sites.overall.checked, scores.summary.sites.pending) == (1, ("3699020002",))


def test_rerun_does_not_duplicate_and_whitelist_applies(db, db_path):
    routes = {"/": page(a("/gone1.html", "甲") + a("/gone2.html", "乙"), "首页")}
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        first = jobs.run_checks(db_path, rid, options=opts(kinds=("broken_link",)))
        assert first.findings == 2 and first.existing == 0
        second = jobs.run_checks(db_path, rid, options=opts(kinds=("broken_link",)))
        assert second.findings == 0 and second.existing == 2
        assert len(findings.list_findings(db, rid)) == 2
        # A rule made from a false positive applies on its own to new findings of a later run.
        findings.add_whitelist_rule(db, "3699020001", url=site.url + "/gone3.html", note="测试链接")
        site.routes["/"] = page(a("/gone1.html", "甲") + a("/gone3.html", "丙"), "首页")
        third = jobs.rerun_site(db_path, rid, "3699020001", options=opts(kinds=("broken_link",)))
    assert third.findings == 1 and third.existing == 1
    (f3,) = [f for f in findings.list_findings(db, rid) if f.url.endswith("/gone3.html")]
    assert f3.status == "误报" and f3.whitelist_rule_id is not None


def test_site_selection_and_results_listing(db, db_path):
    with FixtureSite({"/": page("", "甲首页")}) as one, FixtureSite({"/": page("", "乙首页")}) as two:
        rid = make_round(db, {"3699020001": one.url + "/", "3699020002": two.url + "/"})
        s = jobs.run_checks(db_path, rid, site_keys=["3699020002"], options=opts())
        assert one.gets("/") == 0 and two.gets("/") == 1
        with pytest.raises(Exception, match="3699029999"):
            jobs.run_checks(db_path, rid, site_keys=["3699029999"], options=opts())
    (r,) = jobs.site_results(db, s.run_id)
    assert (r.site_key, r.state, r.pages, r.probe_ok) == ("3699020002", "done", 1, True)
    runs = jobs.list_runs(db, rid)
    assert runs[0].id == s.run_id and runs[0].state == "done" and runs[0].site_keys == ["3699020002"]


def test_forwarding_homepage_and_gbk_pages(db, db_path):
    gbk = html("<p>欢迎访问本网站，政务公开信息每日更新。</p>", title="门户首页", charset="utf-8").encode("gbk")
    routes = {"/": Resp(body='<html><head><meta http-equiv="refresh" content="0;url=/main.html"></head></html>'),
              "/main.html": Resp(body=gbk, content_type="text/html")}
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(kinds=("footer_missing", "broken_link")))
    assert s.sites[0].state == "done" and s.pages == 2
    found = findings.list_findings(db, rid, kind="footer_missing")
    assert found and {f.page for f in found} == {site.url + "/main.html"}       # checked as the homepage, once
    (eid,) = db.conn.execute("SELECT id FROM evidence WHERE url = ?", (site.url + "/main.html",)).fetchone()
    assert "政务公开信息每日更新" in jobs.page_text(db, eid)                      # 留痕 readable despite the wrong charset


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_error_recorded_and_unverified_choice(db, db_path, tmp_path):
    from .test_fetching import _cert_files, _https
    ca_key, ca_cert, _, _ = _cert_files(tmp_path, "GovInspect Test CA", 30)
    _, _, cert_path, key_path = _cert_files(tmp_path, "127.0.0.1", 30, (ca_key, ca_cert))
    routes = {"/": page(a("/p.html", "页面"), "首页"), "/p.html": page("", "页面")}
    with _https(FixtureSite(routes), cert_path, key_path) as site:
        url = f"https://127.0.0.1:{site.port}/"
        rid = make_round(db, {"3699020001": url})
        first = jobs.run_checks(db_path, rid, options=opts(kinds=("broken_link",)))
        assert first.sites[0].state == "unreachable" and first.sites[0].error == "证书不受信任"
        jobs.set_unverified(db, "3699020001", True)
        second = jobs.run_checks(db_path, rid, options=opts(kinds=("broken_link",)))
    assert second.sites[0].state == "done" and second.pages == 2
    notes = [json.loads(r[0]) for r in db.conn.execute("SELECT note FROM evidence WHERE run_id = ? AND kind = 'page'",
                                                        (second.run_id,))]
    assert all(n["tls_error"] == "tls_untrusted" for n in notes)


# ---------------------------------------------------------------- politeness, cancel, pause

def test_per_host_concurrency_respected_in_a_run(db, db_path):
    routes = {"/": page("".join(a(f"/p{i}.html") for i in range(16)) + "".join(a(f"/x{i}.exe") for i in range(8)))}
    routes.update({f"/p{i}.html": Resp(body=html("页"), delay=0.1) for i in range(16)})
    routes.update({f"/x{i}.exe": Resp(body=b"MZ", content_type="application/octet-stream", delay=0.1)
                   for i in range(8)})
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        jobs.run_checks(db_path, rid, options=opts(concurrency=8, per_host=2))
        assert site.max_active == 2
        site.max_active = 0
        jobs.run_checks(db_path, rid, options=opts(concurrency=8, per_host=3))
        assert site.max_active == 3


def test_cancel_within_two_seconds_while_a_server_stalls(db, db_path):
    routes = {"/": page("".join(a(f"/s{i}.html") for i in range(6)))}
    routes.update({f"/s{i}.html": stall() for i in range(6)})
    cancel = jobs.CancelToken()
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        box = {}
        t = threading.Thread(target=lambda: box.update(s=jobs.run_checks(
            db_path, rid, options=opts(read_timeout=30, deadline=60), cancel=cancel)))
        t.start()
        assert wait_until(lambda: site.active >= 2, 10)
        t0 = time.monotonic()
        cancel.cancel()
        t.join(5)
        took = time.monotonic() - t0
    assert not t.is_alive() and took < 2.0
    s = box["s"]
    assert s.cancelled and s.state == "cancelled"
    state, finished = db.conn.execute("SELECT state, finished_at FROM check_runs WHERE id = ?", (s.run_id,)).fetchone()
    assert state == "cancelled" and finished
    assert not findings.list_findings(db, rid)               # stalled pages are not reported broken
    # A crawl cut short does not count as a check: the site stays 待检查 and out of the rates.
    assert [t.review_state for t in rounds.round_targets(db, rid)] == ["待检查"]


def test_pause_and_resume(db, db_path):
    routes = {"/": page("".join(a(f"/p{i}.html") for i in range(5)))}
    routes.update({f"/p{i}.html": page("", f"页{i}") for i in range(5)})
    pause, paused_seen = jobs.PauseToken(), threading.Event()
    pause.pause()

    def progress(p: jobs.RunProgress):
        if p.paused:
            paused_seen.set()

    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        box = {}
        t = threading.Thread(target=lambda: box.update(s=jobs.run_checks(db_path, rid, options=opts(),
                                                                         progress=progress, pause=pause)))
        t.start()
        assert paused_seen.wait(5)
        assert db.conn.execute("SELECT state FROM check_runs").fetchone()[0] == "paused"
        assert sum(site.hits.values()) == 0
        pause.resume()
        t.join(10)
    assert box["s"].state == "done" and box["s"].pages == 6


def test_progress_is_throttled(db, db_path):
    routes = {"/": page("".join(a(f"/p{i}.html") for i in range(40)))}
    routes.update({f"/p{i}.html": page("", f"页{i}") for i in range(40)})
    calls = []
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(), progress=lambda p: calls.append(time.monotonic()))
    assert calls and isinstance(s, jobs.RunSummary)
    gaps = [b - a_ for a_, b in zip(calls, calls[1:])]
    assert sum(1 for d in gaps if d < 0.099) <= 1             # only the final report may come sooner


def test_many_sites_finishing_at_once_arrive_in_throttled_reports(db, db_path):
    dead = refused_port()
    rid = make_round(db, {f"36990200{i:02d}": f"http://127.0.0.1:{dead}/" for i in range(12)})
    reports = []
    s = jobs.run_checks(db_path, rid, options=opts(kinds=("broken_link",)), progress=reports.append)
    assert s.sites_done == 12
    finished = [r.site_key for p in reports for r in p.finished]
    assert sorted(finished) == sorted(f"36990200{i:02d}" for i in range(12))     # each exactly once
    assert len(reports) <= 2 + 10 * s.elapsed + 1


# ---------------------------------------------------------------- resume after a kill

KILL_SCRIPT = r"""
import os, signal, sqlite3, sys
sys.path.insert(0, sys.argv[1])
from app.core.crawl import jobs
def progress(p):
    # Die (no clean-up at all) once some pages are stored and more are on their way.
    stored = sqlite3.connect(sys.argv[2]).execute("SELECT COUNT(*) FROM evidence WHERE kind = 'page'").fetchone()[0]
    if stored >= int(sys.argv[4]):
        os.kill(os.getpid(), signal.SIGKILL)
jobs.run_checks(sys.argv[2], int(sys.argv[3]), options=jobs.CheckOptions(delay=0, connect_timeout=1,
                read_timeout=2, deadline=3, concurrency=2, per_host=1), progress=progress)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_resume_after_a_kill_does_not_refetch(db, db_path, tmp_path):
    routes = {"/": page("".join(a(f"/p{i}.html", f"页{i}") for i in range(60)) + a("/gone.html", "坏链"), "首页")}
    routes.update({f"/p{i}.html": Resp(body=html(f"页{i}"), delay=0.05) for i in range(60)})
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        proc = subprocess.run([sys.executable, str(script), str(ROOT), str(db_path), str(rid), "10"], timeout=60)
        assert proc.returncode == -signal.SIGKILL
        (run_id, state), = db.conn.execute("SELECT id, state FROM check_runs").fetchall()
        assert state == "running"                                  # killed: nobody closed it
        stored = _urls(db, run_id)
        assert 0 < len(stored) < 61
        before = {url: site.gets(url[len(site.url):]) for url in stored}
        s = jobs.resume_run(db_path, run_id, progress=None)
        for url, n in before.items():
            assert site.gets(url[len(site.url):]) == n, url         # nothing stored was fetched again
    assert s.state == "done" and s.run_id == run_id
    assert len(_urls(db, run_id)) == 62 and s.pages == 61          # 62 with the 404 page
    assert db.conn.execute("SELECT COUNT(*) FROM evidence WHERE run_id = ? AND kind = 'page'",
                           (run_id,)).fetchone()[0] == 62
    assert len(findings.list_findings(db, rid, kind="broken_link")) == 1
    assert db.conn.execute("SELECT COUNT(*) FROM probes").fetchone()[0] == 1


def test_resume_a_cancelled_run_and_refuse_a_finished_one(db, db_path):
    routes = {"/": page("".join(a(f"/p{i}.html") for i in range(10)))}
    routes.update({f"/p{i}.html": Resp(body=html(f"页{i}"), delay=0.05) for i in range(10)})
    cancel = jobs.CancelToken()

    def progress(p):
        if p.pages >= 3:
            cancel.cancel()

    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts(concurrency=1), progress=progress, cancel=cancel)
        assert s.cancelled and s.sites[0].state == "pending"
        stored = _urls(db, s.run_id)
        assert len(stored) >= 3
        s2 = jobs.resume_run(db_path, s.run_id)
        assert s2.state == "done" and s2.pages == 11
        # Stored pages are not fetched again (one aborted by the cancel may be asked for twice).
        assert all(site.gets(url[len(site.url):]) == 1 for url in stored)
    with pytest.raises(Exception, match="已完成"):
        jobs.resume_run(db_path, s.run_id)


# ---------------------------------------------------------------- evidence retention and settings

def test_prune_evidence(db, db_path):
    with FixtureSite({"/": page(a("/gone.html"), "首页"), "/ok.html": page()}) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts())
    n = db.conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
    import datetime as dt
    later = dt.datetime.now() + dt.timedelta(days=400)
    dbm.set_setting(db, jobs.RETENTION_KEY, "0")
    assert jobs.prune_evidence(db, now=later) == 0                  # 0: keep forever
    dbm.set_setting(db, jobs.RETENTION_KEY, "365")
    pruned = jobs.prune_evidence(db, now=later)
    left = {r[0] for r in db.conn.execute("SELECT url FROM evidence")}
    assert pruned == n - len(left) and left == {site.url + "/gone.html", site.url + "/"}   # named by a finding
    assert s.state == "done"


def test_unverified_sites_setting(db):
    jobs.set_unverified(db, "3699020001", True)
    assert jobs.unverified_sites(db) == {"3699020001"}
    jobs.set_unverified(db, "3699020001", False)
    assert jobs.unverified_sites(db) == set()


def test_add_findings_bulk(db, db_path):
    rid = make_round(db, {"3699020001": "http://127.0.0.1:9/"})
    tid = db.conn.execute("SELECT id FROM round_targets").fetchone()[0]
    rows = [{"target_id": tid, "indicator_id": "web.ded.function.availability", "kind": "broken_link",
             "url": f"http://x.gov.cn/{i}", "detail": "链接无法访问", "fingerprint": f"fp{i}"} for i in range(3)]
    res = findings.add_findings(db, rid, rows + rows[:1], run_id=None)
    assert len(res.added) == 3 and res.existing == []
    res2 = findings.add_findings(db, rid, rows, run_id=None)
    assert res2.added == [] and sorted(res2.existing) == sorted(res.added)
    with pytest.raises(Exception, match="未知的指标"):
        findings.add_findings(db, rid, [{**rows[0], "indicator_id": "web.nope", "fingerprint": "z"}])


# ---------------------------------------------------------------- crawl scope

def test_homepage_redirect_to_another_host_is_not_crawled_as_the_site(db, db_path):
    admin_routes = {"/admin/": page(a("/admin/users", "用户") + a("/admin/delete?id=1", "删除"), "后台"),
                    "/admin/users": page("", "用户"), "/admin/delete": page("", "已删除")}
    with FixtureSite(admin_routes) as admin:
        with FixtureSite({"/": Resp(302, headers={"Location": admin.url + "/admin/"})}) as site:
            rid = make_round(db, {"3699020001": site.url + "/"})
            s = jobs.run_checks(db_path, rid, options=opts())
        fetched = sum(admin.hits.values())
    assert fetched == 0                                     # nothing on the other host was requested
    offsite = findings.list_findings(db, rid, kind="homepage_offsite")
    assert len(offsite) == 1 and f"首页跳转到其他域名：{admin.url}/admin/" in offsite[0].detail
    assert not findings.list_findings(db, rid, kind="homepage_down")
    assert "跳转到其他域名" in s.sites[0].error and admin.url in s.sites[0].error
    stored = db.conn.execute("SELECT url, http_status, content FROM evidence WHERE kind = 'page'").fetchall()
    assert [(u, st) for u, st, _ in stored] == [(site.url + "/", 302)]


def test_same_site_homepage_moves_are_followed(db, db_path):
    routes = {"/": Resp(301, headers={"Location": "/portal/index.html"}),
              "/portal/index.html": page(a("/portal/p1.html", "一"), "首页"), "/portal/p1.html": page("", "一")}
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        s = jobs.run_checks(db_path, rid, options=opts())
    assert s.sites[0].state == "done" and site.gets("/portal/p1.html") == 1


def test_ipv6_links_keep_their_brackets():
    from app.core.crawl.crawler import normalise_url
    assert normalise_url("/a/../b.html", "http://[::1]:8080/x/") == "http://[::1]:8080/b.html"
    assert normalise_url("http://[::1]/") == "http://[::1]/"
