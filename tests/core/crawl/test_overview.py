"""check_overview: per-site state of a round's latest runs, machine findings by kind, the run to resume."""
from __future__ import annotations


from app.core.rounds import findings
from app.core.crawl import jobs
from app.core.crawl.check_overview import findings_by_kind, site_overview, unfinished_run

from .sites import FixtureSite, Resp, html, make_round

# Short timeouts, no pacing, no helper processes (from_dict drops options this version lacks).
QUICK = jobs.CheckOptions.from_dict(dict(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=3.0,
                                         probe_threshold=5.0, processes=0))



def routes(n: int) -> dict:
    r = {"/": Resp(body=html("".join(f'<a href="/p{i}.html">页{i}</a>' for i in range(n)) + '<a href="/gone">坏</a>'))}
    r.update({f"/p{i}.html": Resp(body=html(f"页{i}")) for i in range(n)})
    return r


def test_overview_follows_the_latest_run_of_each_site(db, db_path):
    with FixtureSite(routes(3)) as one, FixtureSite(routes(1)) as two:
        rid = make_round(db, {"3699020001": one.url + "/", "3699020002": two.url + "/"})
        assert [(o.site_key, o.state, o.run_id) for o in site_overview(db, rid)] == [
            ("3699020001", "", None), ("3699020002", "", None)]
        assert unfinished_run(db, rid) is None
        first = jobs.run_checks(db_path, rid, options=QUICK)
        second = jobs.run_checks(db_path, rid, ["3699020002"], options=QUICK)
    o1, o2 = site_overview(db, rid)
    assert (o1.state, o1.run_id, o1.pages) == ("done", first.run_id, 4)
    assert (o2.state, o2.run_id, o2.pages, o2.findings) == ("done", second.run_id, 2, 0)   # seen again only
    kinds = dict(o1.by_kind)
    assert kinds["错链断链"] == 1 and sum(kinds.values()) == len(
        [f for f in findings.list_findings(db, rid) if f.target_key == "3699020001"])
    fid = next(f.id for f in findings.list_findings(db, rid, kind="broken_link") if f.target_key == "3699020001")
    findings.set_status(db, [fid], "误报")
    assert "错链断链" not in dict(findings_by_kind(db, rid)[o1.target_id])


def test_a_cancelled_run_is_resumable(db, db_path):
    cancel = jobs.CancelToken()
    with FixtureSite(routes(2)) as one, FixtureSite(routes(2)) as two:
        rid = make_round(db, {"3699020001": one.url + "/", "3699020002": two.url + "/"})
        cancel.cancel()                                # cancelled before any site started
        s = jobs.run_checks(db_path, rid, options=QUICK, cancel=cancel)
    assert s.cancelled
    assert [o.state for o in site_overview(db, rid)] == ["resumable", "resumable"]
    run = unfinished_run(db, rid)
    assert run is not None and run.id == s.run_id and run.state == "cancelled"
