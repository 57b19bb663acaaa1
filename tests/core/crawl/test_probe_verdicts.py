"""The verdict of a round from stored probes: boundaries of the rule, the short-day note, the JSON
of `probes verdict`, and findings recorded once whether the verdict or a check run comes first."""
from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from app.core.checks import availability
from app.core.checks.base import CheckContext
from app.core.crawl import jobs, probe_store
from app.core.crawl.probe_verdicts import record_verdicts, round_verdicts
from app.core.rounds import findings, rounds

from roundsetup import build_registry
from sitesetup import run_cli
from .sites import FixtureSite, Resp, html, make_round

AS_OF = dt.date(2025, 6, 30)
WEEK = [AS_OF - dt.timedelta(days=6 - i) for i in range(7)]



def site_ids(db) -> dict[str, int]:
    return dict(db.conn.execute("SELECT site_code, id FROM sites"))


def put(db, site_id: int, per_day: list[int], failing: int = 0, slow: dict[float, int] | None = None,
        days: list[dt.date] = WEEK) -> None:
    """``per_day[i]`` probes on day i of the week; the first ``failing`` of all fail; ``slow``
    {seconds: how many} of the others opened that slowly."""
    rows, n = [], 0
    slow = dict(slow or {})
    for day, count in zip(days, per_day):
        for i in range(count):
            at = dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=30 * i % 1440, seconds=i // 48)
            ok, seconds, error = 1, 0.8, ""
            if n < failing:
                ok, seconds, error = 0, None, "连接被拒绝"
            else:
                for s, left in slow.items():
                    if left:
                        seconds, slow[s] = s, left - 1
                        break
            rows.append((site_id, "http://s.example/", probe_store.stamp(at), seconds, ok, None, error, "", "monitor"))
            n += 1
    probe_store.insert_probes(db, rows)


@pytest.fixture
def week_round(db):
    """Six sites and a round as of 2025-06-30."""
    urls = {f"36990200{i:02d}": f"http://s{i}.example/" for i in range(1, 7)}
    rid = make_round(db, urls, as_of=AS_OF.isoformat())
    return rid, site_ids(db)


def by_site(result) -> dict:
    return {s.site: s for s in result.sites}


def test_verdict_boundaries(db, week_round):
    rid, ids = week_round
    put(db, ids["3699020001"], [286] * 5 + [287, 287], failing=100)        # 100 / 2004 = 4.99 %
    put(db, ids["3699020002"], [286] * 5 + [285, 285], failing=100)        # 100 / 2000 = 5.00 %
    put(db, ids["3699020003"], [20] * 6 + [19], failing=0)                 # the last day has 19
    put(db, ids["3699020004"], [20] * 7, failing=7)                        # 20 a day is enough: 7/140
    put(db, ids["3699020005"], [48, 48, 0, 48, 48, 48, 48], failing=30)    # a missing day, whatever the share
    put(db, ids["3699020006"], [48] * 7, days=[d - dt.timedelta(days=7) for d in WEEK])   # only the week before
    result = round_verdicts(db, rid)
    got = by_site(result)
    assert [(s.site, s.probes, s.failed, s.verdict) for s in result.sites] == [
        ("3699020001", 2004, 100, "正常"), ("3699020002", 2000, 100, "否决"), ("3699020003", 139, 0, "样本不足"),
        ("3699020004", 140, 7, "否决"), ("3699020005", 288, 30, "样本不足"), ("3699020006", 0, 0, "无记录")]
    assert got["3699020001"].ratio == pytest.approx(0.0499, abs=1e-5) and got["3699020002"].ratio == 0.05
    assert got["3699020006"].ratio is None
    assert got["3699020003"].week.short_text() == "6月30日19次"
    assert got["3699020005"].week.short_text() == "6月26日0次"
    assert "样本不足（每天至少20次，6月26日0次）" in got["3699020005"].notes[0]
    assert [f.kind for f in got["3699020002"].findings] == ["unreachable"]
    assert not got["3699020001"].findings and not got["3699020005"].findings
    assert (result.start, result.end) == (WEEK[0], AS_OF)


def test_slow_probes_are_counted_and_recorded(db, week_round):
    rid, ids = week_round
    put(db, ids["3699020001"], [20] * 7, slow={9.5: 2, 12.0: 1, 16.0: 1})    # 16 s is a failure, not slow
    v = by_site(round_verdicts(db, rid))["3699020001"]
    assert (v.slow, v.failed, v.verdict) == (3, 1, "正常")
    assert [f.kind for f in v.findings] == ["slow"] and "有3次打开用时超过8秒，最慢12.0秒" in v.findings[0].detail


def test_the_sql_counts_agree_with_the_deciders(db, week_round):
    """Random weeks: the verdict from SQL day counts is the decider's verdict over the same probes."""
    rid, ids = week_round
    rng = random.Random(13)
    for code, sid in ids.items():
        rows = []
        for day in WEEK + [WEEK[0] - dt.timedelta(days=1)]:
            for i in range(rng.choice([19, 20, 21, 30])):
                at = dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=rng.randrange(1440))
                secs = rng.choice([None, 0.5, 8.0, 8.01, 14.99, 15.0, 20.0])
                ok = int(secs is not None and rng.random() > 0.03)
                rows.append((sid, "http://s.example/", probe_store.stamp(at), secs, ok, None, "", "", "import"))
        probe_store.insert_probes(db, rows)
    result = round_verdicts(db, rid)
    for v in result.sites:
        rows = probe_store.probe_rows(db, ids[v.site], WEEK[0] - dt.timedelta(days=3), AS_OF)
        ctx = CheckContext(as_of=AS_OF, site={"url": "http://s.example/"})
        found = availability.unreachable(rows, ctx)
        assert bool(found) == (v.verdict == "否决")
        assert availability.judge(availability.day_counts(rows, ctx), ctx) == v.week
        assert bool(availability.slow(rows, ctx)) == bool(v.slow)


def test_findings_are_recorded_once(db, week_round):
    rid, ids = week_round
    put(db, ids["3699020002"], [20] * 7, failing=10, slow={9.0: 1})
    first = record_verdicts(db, round_verdicts(db, rid), who="test")
    assert len(first.added) == 2 and not first.existing
    put(db, ids["3699020002"], [20] * 7, failing=12)                     # more probes: other counts
    again = record_verdicts(db, round_verdicts(db, rid), who="test")
    assert not again.added and sorted(again.existing) == sorted(first.added)
    rows = findings.list_findings(db, rid)
    assert sorted((f.kind, f.status, f.source) for f in rows) == [("slow", "待审核", "自动"), ("unreachable", "待审核", "自动")]


def test_a_check_run_and_the_verdict_share_the_finding(db, db_path):
    today = dt.date.today()
    days = [today - dt.timedelta(days=6 - i) for i in range(7)]
    with FixtureSite({"/": Resp(body=html("<h1>首页</h1>"))}) as site:
        rid = make_round(db, {"3699020001": f"{site.url}/"}, as_of=today.isoformat())
        put(db, site_ids(db)["3699020001"], [24] * 7, failing=20, days=days)
        added = record_verdicts(db, round_verdicts(db, rid), who="test").added
        assert len(added) == 1
        opts = jobs.CheckOptions(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=3.0, max_pages=1,
                                 check_links=False, kinds=("unreachable", "slow"))
        summary = jobs.run_checks(db_path, rid, options=opts)
    assert summary.findings == 0 and summary.existing == 1
    assert [f.id for f in findings.list_findings(db, rid, kind="unreachable")] == added


def test_probes_verdict_cli(db, db_path, week_round, capsys):
    rid, ids = week_round
    put(db, ids["3699020002"], [20] * 7, failing=7)
    put(db, ids["3699020003"], [20] * 6 + [0])
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "verdict", rid, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert all(list(d) == ["site", "probes", "failed", "ratio", "verdict", "slow"] for d in data)
    assert data[1] == {"site": "3699020002", "probes": 140, "failed": 7, "ratio": 0.05, "verdict": "否决", "slow": 0}
    assert data[0]["verdict"] == "无记录" and data[0]["ratio"] is None
    assert "新增 1 条" in err
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "verdict", rid)
    assert code == 0 and "新增 0 条，已有 1 条" in out
    assert "样本不足 3699020003 测试网站3：每天至少 20 次，6月30日0次" in out
    rounds.close_round(db, rid, who="test")
    code, out, err = run_cli(capsys, "--db", db_path, "probes", "verdict", rid)
    assert code == 0 and "已关闭：只显示判定，未记录问题" in out and "否决" in out
    assert run_cli(capsys, "--db", db_path, "probes", "verdict", "99")[0] == 1


def test_round_without_sites(db, db_path, capsys):
    build_registry(db)
    rid = rounds.create_round(db, "只有账号", "2025-06-30", sample_sites_pct=None)
    db.conn.execute("DELETE FROM round_targets WHERE target_type = 'site'")
    code, _out, err = run_cli(capsys, "--db", db_path, "probes", "verdict", rid)
    assert code == 2 and "没有网站检查对象" in err
