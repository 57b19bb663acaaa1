"""Trends across three rounds: 合格率 per round, and per target new / fixed / recurring (回头看)."""
from __future__ import annotations

from decimal import Decimal

from app.core.registry import registry
from app.core.rounds import findings, rounds
from app.core.rounds.trends import compare, round_trends

from roundsetup import build_registry, site_values

S1, S2, S3, S4 = "3699020001", "3699020002", "3699020003", "3699020004"


def _round(db, name: str, as_of: str) -> tuple[int, dict]:
    rid = rounds.create_round(db, name, as_of)
    return rid, {t.target_key: t for t in rounds.round_targets(db, rid)}


def _add(db, rid, target, indicator, url, status="确认", detail="问题", kind="typo") -> int:
    return findings.add_finding(db, rid, target.id, indicator, kind=kind, source="自动", status=status, url=url,
                                detail=detail)


def _check(db, targets, keys) -> None:
    rounds.mark_checked(db, [targets[k].id for k in keys], "自动检查完成")


TYPO, LINKS, COLUMNS = "web.ded.publish.accuracy", "web.ded.function.availability", "web.ded.publish.columns"
VETO = "web.veto.unreachable"


def test_three_rounds(db):
    build_registry(db)
    sites = [k for (k,) in db.conn.execute("SELECT site_code FROM sites ORDER BY id")]

    a, ta = _round(db, "一季度", "2025-03-14")
    _check(db, ta, sites)
    _add(db, a, ta[S1], TYPO, "http://s1.example.gov.cn/a.html", detail="错别字：布署")
    _add(db, a, ta[S1], LINKS, "http://s1.example.gov.cn/dead.html", kind="broken_link")
    _add(db, a, ta[S2], COLUMNS, "http://s2.example.gov.cn/tzgg/", kind="column_stale")
    _add(db, a, ta[S3], VETO, "http://s3.example.gov.cn/", kind="unreachable")          # fails
    rounds.close_round(db, a)

    b, tb = _round(db, "二季度", "2025-06-13")
    _check(db, tb, sites)
    _add(db, b, tb[S1], TYPO, "http://s1.example.gov.cn/a.html", detail="错别字：布署")     # same: recurring
    _add(db, b, tb[S1], COLUMNS, "http://s1.example.gov.cn/tzgg/", kind="column_stale")  # new; the link is fixed
    _add(db, b, tb[S2], COLUMNS, "http://s2.example.gov.cn/tzgg/", kind="column_stale")  # recurring
    _add(db, b, tb[S4], TYPO, "http://s4.example.gov.cn/x.html", status="误报")           # decoy: not a problem
    rounds.close_round(db, b)

    # A site opened between the rounds: in the third round only.
    new_id = registry.add_record(db, "site", {**site_values("东湖区", "369902", 99), "opened_on": "2025-07-01"})
    new_key = db.conn.execute("SELECT site_code FROM sites WHERE id = ?", (new_id,)).fetchone()[0]
    c, tc = _round(db, "三季度", "2025-08-14")
    _check(db, tc, [k for k in sites if k != S2] + [new_key])                              # S2 not checked yet
    _add(db, c, tc[S1], TYPO, "http://s1.example.gov.cn/other.html", detail="错别字：既然")  # same item elsewhere
    _add(db, c, tc[S3], VETO, "http://s3.example.gov.cn/", kind="unreachable")             # fails again
    _add(db, c, tc[S3], TYPO, "http://s3.example.gov.cn/b.html", status="待审核")          # decoy: unreviewed
    _add(db, c, tc[new_key], LINKS, "http://new.example.gov.cn/dead.html", kind="broken_link")

    trends = round_trends(db, c)
    assert [p.name for p in trends.points] == ["一季度", "二季度", "三季度"]
    assert trends.previous_id == b
    n = len(sites)
    assert [(p.site_checked, p.site_passed) for p in trends.points] == [(n, n - 1), (n, n), (n, n - 1)]
    assert trends.points[0].site_rate == Decimal(100 * (n - 1) / n).quantize(Decimal("0.01"))
    assert trends.points[1].site_rate == Decimal("100.00")
    assert [p.problems for p in trends.points] == [4, 3, 3]

    changes = {c.key: c for c in trends.changes}
    s1 = changes[S1]
    # The typo came back on another page (same item: recurring); the stale column is gone (fixed).
    assert (s1.new, s1.fixed, s1.recurring, s1.recurring_indicators) == (0, 1, 1, (TYPO,))
    assert S2 not in changes                     # its stale column may be fixed, but S2 is not checked yet
    s3 = changes[S3]
    assert (s3.new, s3.fixed, s3.recurring) == (1, 0, 0) and s3.compared     # the veto is new against Q2
    fresh = changes[new_key]
    assert (fresh.new, fresh.fixed, fresh.recurring, fresh.compared) == (1, 0, 0, False)
    assert trends.totals() == (2, 1, 1) and trends.totals("account") == (0, 0, 0)

    second = round_trends(db, b)
    by_key = {c.key: c for c in second.changes}
    assert (by_key[S1].new, by_key[S1].fixed, by_key[S1].recurring) == (1, 1, 1)
    assert (by_key[S2].recurring, by_key[S3].fixed) == (1, 1)              # S3's site is back up
    assert S4 not in by_key                                                # a 误报 is no problem
    first = round_trends(db, a)
    assert first.previous_id is None and len(first.points) == 1
    assert all(c.compared is False and c.fixed == c.recurring == 0 for c in first.changes)
    assert len(round_trends(db, c, limit=2).points) == 2


def test_compare_matches_fingerprints_first_then_indicators_one_for_one():
    now = [("f1", "x"), ("f9", "x"), ("f8", "x"), ("f7", "y")]
    before = [("f1", "x"), ("f2", "x"), ("f3", "z")]
    # f1 by fingerprint; f9 takes the one x left (f2); f8 and f7 are new; f3 (z) is left over.
    assert compare(now, before) == (2, 1, 2, ("x",))
    assert compare([], before) == (0, 3, 0, ())
    assert compare(now, []) == (4, 0, 0, ())
