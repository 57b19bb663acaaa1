"""`python -m app --db PATH check ROUND …` end to end against a fixture site."""
from __future__ import annotations

import json

from app.cli.main import main
from app.core.store import db as dbm
from app.core.rounds import findings
from app.core.crawl import jobs

from .sites import FixtureSite, Resp, html, make_round

RECORD_KEYS = {"id", "round_id", "target", "target_type", "name", "region", "unit", "indicator", "indicator_name",
               "kind", "count", "url", "page", "detail", "snippet", "status", "source", "detected_at", "reviewer",
               "reviewer_note", "reviewed_at", "whitelist_rule_id", "screenshot_path", "fingerprint", "evidence",
               "evidence_items"}


def _site() -> dict:
    links = "".join(f'<a href="/p{i}.html">栏目{i}</a>' for i in range(5))
    routes = {"/": Resp(body=html(links + '<a href="/gone.html">已删除的页面</a>', title="首页"))}
    routes.update({f"/p{i}.html": Resp(body=html(f"<p>第{i}页</p>")) for i in range(5)})
    return routes


def test_check_command_end_to_end(db_path, tmp_path, capsys):
    db = dbm.connect(db_path)
    out = tmp_path / "found.jsonl"
    with FixtureSite(_site()) as site:
        rid = make_round(db, {"3699020001": site.url + "/", "3699020002": site.url + "/p0.html"})
        code = main(["--db", str(db_path), "check", str(rid), "--site", "3699020001", "--max-pages", "50",
                     "--depth", "3", "--concurrency", "4", "--per-host", "2", "--delay", "0",
                     "--findings-out", str(out)])
        assert code == 0
        assert site.gets("/p0.html") == 1
        cap = capsys.readouterr()
        lines = cap.out.strip().splitlines()
        assert len(lines) == 1                                         # one summary line
        assert lines[0].startswith("检查完成：网站 1 个，页面 6 个")
        assert "→" in lines[0] and str(out) in lines[0]
        assert "[1/1] 3699020001 测试网站1：完成" in cap.err           # plain progress lines (not a TTY)
        assert "\r" not in cap.err
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert records and all(set(r) == RECORD_KEYS for r in records)
        broken = [r for r in records if r["kind"] == "broken_link"]
        assert len(broken) == 1 and broken[0]["url"] == site.url + "/gone.html"
        assert broken[0]["status"] == "待审核" and broken[0]["source"] == "自动"
        assert broken[0]["target"] == "3699020001" and broken[0]["indicator_name"]
        listed = {f.id for f in findings.list_findings(db, rid)}
        assert {r["id"] for r in records} <= listed

        # A second run finds the same problems again: reported, not duplicated.
        code = main(["--db", str(db_path), "check", str(rid), "--site", "3699020001", "--delay", "0",
                     "--findings-out", str(out)])
        assert code == 0
    try:
        assert {f.id for f in findings.list_findings(db, rid)} == listed
        again = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert {r["id"] for r in again} == {r["id"] for r in records}
        assert "已有" in capsys.readouterr().out
        assert len(jobs.list_runs(db, rid)) == 2
    finally:
        db.close()


def test_check_command_rejects_unknown_site_and_bad_numbers(db_path, capsys):
    db = dbm.connect(db_path)
    rid = make_round(db, {"3699020001": "http://127.0.0.1:9/"})
    db.close()
    assert main(["--db", str(db_path), "check", str(rid), "--site", "3699029999"]) == 2
    assert "3699029999" in capsys.readouterr().err
    try:
        main(["--db", str(db_path), "check", str(rid), "--max-pages", "0"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "应不小于 1" in capsys.readouterr().err


def test_check_command_resume_needs_an_unfinished_run(db_path, capsys):
    db = dbm.connect(db_path)
    rid = make_round(db, {"3699020001": "http://127.0.0.1:9/"})
    db.close()
    assert main(["--db", str(db_path), "check", str(rid), "--resume"]) == 2
    assert "没有可继续的检查" in capsys.readouterr().err


def _id_number(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]


def test_jsonl_carries_each_number_of_a_grouped_pii_finding_masked(db_path, capsys):
    """A 公示 table with three ID numbers: one finding 等3个 with count 3, and `findings list` gives
    each number masked (never in full) with its masked context."""
    ids = [_id_number(f"3601021990010{i}123") for i in range(1, 4)]
    rows = "".join(f"<tr><td>张{i}</td><td>{n}</td></tr>" for i, n in enumerate(ids))
    table = f"<table><tr><th>姓名</th><th>身份证号</th></tr>{rows}</table>"
    routes = {"/": Resp(body=html('<a href="/gs.html">公示</a>', title="首页")),
              "/gs.html": Resp(body=html(f"<h1>名单公示</h1>{table}"))}
    db = dbm.connect(db_path)
    with FixtureSite(routes) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})
        assert main(["--db", str(db_path), "check", str(rid), "--delay", "0"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "findings", "list", str(rid), "--kind", "pii"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    db.close()
    assert len(records) == 1 and records[0]["count"] == 3 and "等3个" in records[0]["detail"]
    items = records[0]["evidence_items"]
    assert len(items) == 3
    text = json.dumps(records[0], ensure_ascii=False)
    assert not any(n in text for n in ids)                             # no number in full anywhere
    for item, n in zip(sorted(items, key=lambda i: i["value"]), sorted(ids)):
        assert item["value"][:6] == n[:6] and "*" in item["value"]
        assert "*" in item["context"]
