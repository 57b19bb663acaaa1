"""The 总览 figures (followup.overview) against what the CLI says about the demo round."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from decimal import Decimal

import pytest

from app.cli.main import main
from app.core.followup import rectify
from app.core.followup.overview import round_overview
from app.core.store.db import connect

from demosetup import demo_file


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo registry with its three rounds; the third, open and partly checked, is the one here."""
    path, ids = demo_file(tmp_path_factory.mktemp("demo"))
    return path, ids[-1]


def _cli(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_overview_equals_score_json_on_the_demo_round(demo, capsys):
    path, rid = demo
    doc = json.loads(_cli(capsys, "--db", str(path), "score", str(rid), "--json"))
    listed = [json.loads(line) for line in _cli(capsys, "--db", str(path), "findings", "list", str(rid)).splitlines()]
    db = connect(path)
    try:
        o = round_overview(db, rid, today="2025-09-30")
    finally:
        db.close()
    for figures, key in ((o.sites, "sites"), (o.accounts, "accounts")):
        s = doc["summary"][key]
        assert (figures.total, figures.checked, figures.passed, figures.failed, figures.outstanding,
                figures.pending, figures.not_checked) == (s["total"], s["checked"], s["passed"], s["failed"],
                                                          s["outstanding"], s["pending"], s["not_checked"])
        assert figures.pass_rate == (None if s["pass_rate"] is None else Decimal(str(s["pass_rate"])).quantize(
            Decimal("0.01")))
        assert figures.coverage == s["coverage"]
    # The demo round is half done: the coverage says so.
    assert o.sites.coverage == "检查 57 个中的 14 个" and not o.sites.complete and o.sites.not_checked == 1
    for region in o.regions:
        s = doc["summary"]["sites"]["by_region"].get(region.region)
        a = doc["summary"]["accounts"]["by_region"].get(region.region)
        assert (region.site_checked, region.site_passed) == ((s["checked"], s["passed"]) if s else (0, 0))
        assert (region.account_checked, region.account_passed) == ((a["checked"], a["passed"]) if a else (0, 0))
        assert region.site_rate == (Decimal(str(s["pass_rate"])).quantize(Decimal("0.01")) if s else None)
    assert {r.region for r in o.regions if r.site_checked} == set(doc["summary"]["sites"]["by_region"])

    failed = [(t["type"], t["key"]) for t in doc["targets"] if t["result"] == "不合格"]
    assert [(f.target_type, f.key) for f in o.failed] == failed and len(failed) == 3
    assert all(f.target_id and f.reasons for f in o.failed)      # a click leads to the scorecard

    statuses = Counter(f["status"] for f in listed)
    assert {t.key: t.count for t in o.review} == {s: statuses.get(s, 0) for s in ("待审核", "确认", "误报", "存疑")}
    confirmed = [f for f in listed if f["status"] == "确认"]
    assert o.sites.problems == sum(1 for f in confirmed if f["target_type"] == "site")
    assert o.accounts.problems == sum(1 for f in confirmed if f["target_type"] == "account")
    assert sum(t.count for t in o.by_indicator) == sum(t.count for t in o.by_kind) == len(confirmed)
    assert sum(r.problems for r in o.regions) == len(confirmed)
    by_kind = {t.key: t.count for t in o.by_kind}
    assert by_kind == Counter(f["kind"] for f in confirmed)
    assert all(re.search(r"[\u4e00-\u9fff]", t.label) for t in o.by_kind)    # Chinese labels, never codes
    assert "homepage_stale" in by_kind and "错别字" in by_kind                # a check's kind, an imported one


def test_rollup_coverage_rectify_and_messages(demo):
    path, rid = demo
    db = connect(path)
    try:
        late = round_overview(db, rid, today="2025-09-30")
        early = round_overview(db, rid, today="2025-08-19")
    finally:
        db.close()
    # Clauses and sub-rules count under their item: the veto clauses under 站点无法访问 / 站点不更新.
    keys = {t.key for t in late.by_indicator}
    assert "web.veto.unreachable" in keys and "web.veto.unreachable.c1" not in keys
    assert all(k.count(".") <= 3 for k in keys)
    assert late.crawl.sites == 57 and late.crawl.finished == 14 and late.crawl.unreachable == 1
    assert late.crawl.never == 43
    # Notices issued 2025-08-18 with 10 working days: open items are overdue at the end of September only.
    assert late.rectify.notices and late.rectify.open == late.rectify.items > 0
    assert late.rectify.overdue == late.rectify.open and early.rectify.overdue == 0
    m = late.messages
    assert (m.period_from, m.period_to, m.received) == ("2025-08-01", "2025-08-14", 18)
    assert m.closed < m.received and m.overdue > 0


def test_rectify_figures_follow_the_items_own_rule(demo, tmp_path):
    """Open = a recheck result other than 已整改, else the unit's 待整改 (as RectifyItem.open)."""
    source, rid = demo
    path = tmp_path / "copy.sqlite"                 # the module's demo stays as built
    shutil.copyfile(source, path)
    db = connect(path)
    try:
        items = [i for n in rectify.list_notices(db, rid) for i in n.items]
        rectify.update_item(db, items[0].id, status="已整改")                      # fixed by its unit
        rectify.update_item(db, items[1].id, status="已整改")
        rectify.record_recheck(db, items[1].id, "未整改", "复核仍可见")              # …but the recheck says no
        rectify.record_recheck(db, items[2].id, "已整改", "复核已改")                # fixed by the recheck
        notices = rectify.list_notices(db, rid)
        o = round_overview(db, rid, today="2025-09-30")
    finally:
        db.close()
    open_items = [i for n in notices for i in n.items if i.open]
    assert o.rectify.open == len(open_items) and o.rectify.items == sum(len(n.items) for n in notices)
    assert o.rectify.fixed == 2 and o.rectify.notices == len(notices)
    assert o.rectify.overdue == len(open_items)                 # every deadline is in August
