"""A whole `check` over a round whose every site is a hostile server (tests/hostile/corpus.py):
every site ends within its deadlines, the check stays small, each case is reported as such."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from app.core.checks.budget import MEMORY, TIMEOUT

from . import corpus
from .measure import quick_check, table_counts

# Short limits keep the test quick; the bench runs the defaults on the full-size corpus.
OPTIONS = {"max_pages": 30, "connect_timeout": 2.0, "read_timeout": 3.0, "deadline": 5.0, "delay": 0.0,
           "per_host": 4, "concurrency": 8, "parse_seconds": 15.0, "site_deadline": 60.0, "probe_threshold": 5.0}
PEAK_MB = 300


def _site_bound(options: dict) -> float:
    """The longest a site may take: its deadline, then what was in flight (a request, a parse)."""
    return options["site_deadline"] + max(options["deadline"], options["parse_seconds"]) + 10


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_check_over_every_hostile_server_case(tmp_path):
    with corpus.serve(corpus.SMALL) as (sites, servers):
        db = tmp_path / "hostile.sqlite"
        rid = corpus.make_db(db, sites)
        report, o = corpus.run_check(db, rid, OPTIONS, timeout=400)
        admin_hits = servers["other"].gets("/admin/users")
    print(f"\nhostile corpus: {o.seconds:.0f} s, peak RSS (check and helpers) {o.peak_mb:.0f} MB, "
          f"check alone {report['peak_mb']:.0f} MB, helpers {report['helpers']}")
    for code, (case, _) in sites.items():
        s = report["sites"][code]
        print(f"  {code} {case}: {s['state']} {s['seconds']:.1f} s {s['notes'] or ''}")
    assert report["state"] == "done"
    assert o.peak_mb < PEAK_MB
    assert all(s["seconds"] <= _site_bound(OPTIONS) for s in report["sites"].values())
    assert quick_check(db) == "ok"
    counts = table_counts(db)
    assert counts["round_targets"] == len(sites)

    by_site: dict[str, list] = {}
    for f in report["findings"]:
        f["url"] = unquote(f["url"])
        by_site.setdefault(f["target"], []).append(f)
    kinds = {code: {f["kind"] for f in fs} for code, fs in by_site.items()}

    # The homepage that moved to another domain: reported, never crawled there.
    assert "homepage_offsite" in kinds["3699160001"] and admin_hits == 0
    # Bomb, loop, drip, stall, huge: each site ended on its own deadline with the reason kept.
    for code in ("3699160003", "3699160004", "3699160005"):
        assert report["sites"][code]["state"] == "unreachable", report["sites"][code]
    assert report["sites"]["3699160006"]["state"] == "done"
    # 50,000 links: at most max_links_per_page checked, the rest noted on the site result.
    links = report["sites"]["3699160008"]
    assert links["links"] <= 1000 + 5 and any("未检查" in n for n in links["notes"])
    gopher = [f for f in by_site["3699160008"] if f["url"].endswith("/go")]
    assert gopher and "不是网页链接" in gopher[0]["detail"]
    import sqlite3
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT url FROM evidence WHERE url LIKE '%[::1]%'").fetchall() == [("http://[::1]:9/",)]
    conn.close()
    # Attachments: a finding or a reason for every one, the slow PDF stopped by its helper's limits
    # (pypdf's memory grows with the stream: the wall clock or the memory cap comes first).
    details = " ".join(f["detail"] for f in by_site["3699160009"])
    assert f"“慢.pdf”未扫描：{TIMEOUT}" in details or f"“慢.pdf”未扫描：{MEMORY}" in details
    assert "“炸弹.xlsx”未扫描：压缩比异常，疑似压缩炸弹" in details
    assert "“坏.pdf”未扫描" in details and "“套娃.zip”内" in details
    phones = [f for f in by_site["3699160009"] if f["url"].endswith("电话.xlsx") and f["kind"] == "pii"]
    assert phones and phones[0]["count"] == corpus.SMALL.phone_numbers
    assert any(f["url"].endswith("名单.docx") and f["kind"] == "pii" for f in by_site["3699160009"])
    assert any(f["url"].endswith("共享.pdf") and f["kind"] == "pii" for f in by_site["3699160009"])
    assert report["helpers"]["timeouts"] + report["helpers"]["memory"] >= 1
