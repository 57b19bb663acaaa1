"""Bulk reads for the review page: queue rows, rows of some targets, findings by ids, audit stamp."""
from __future__ import annotations

import pytest

from app.core.store import audit
from app.core.rounds import findings, rounds
from app.core.errors import GovInspectError
from app.core.rounds.findings import QueueField as Q
from app.core.rounds.round_scores import profiles_for_round

from roundsetup import build_registry


@pytest.fixture
def rid(db):
    build_registry(db)
    return rounds.create_round(db, "六月", "2025-06-30")


def test_review_queue_orders_by_target_and_carries_targets(db, rid):
    targets = rounds.round_targets(db, rid)
    first, second = targets[0], targets[1]
    b = findings.add_finding(db, rid, second.id, "web.ded.function.availability", url="http://x/2", detail="二")
    a = findings.add_finding(db, rid, first.id, "web.ded.publish.accuracy", snippet="错字片段", count=3)
    c = findings.add_finding(db, rid, first.id, "web.veto.unreachable", status="确认")
    queue = findings.review_queue(db, rid)
    assert [r[Q.ID] for r in queue.rows] == [a, c, b]
    row = queue.rows[0]
    assert (row[Q.TARGET_ID], row[Q.STATUS], row[Q.COUNT], row[Q.TEXT], row[Q.SOURCE]) == \
        (first.id, "待审核", 3, "错字片段", "人工")       # no detail: the snippet is the text
    assert queue.rows[2][Q.TEXT] == "二" and queue.rows[2][Q.URL] == "http://x/2"
    assert len(queue.targets) == len(targets)
    t = queue.targets[first.id]
    assert (t.target_key, t.name, t.region_name, t.target_type) == \
        (first.target_key, first.name, first.region_name, "site")

    findings.set_status(db, [a], "确认")
    assert [r[Q.STATUS] for r in findings.review_rows(db, finding_ids=[a])] == ["确认"]
    assert [r[Q.ID] for r in findings.review_rows(db, target_ids=[first.id])] == [a, c]
    assert [r[Q.ID] for r in findings.review_rows(db, [b], [first.id])] == [a, c, b]
    assert findings.review_rows(db) == []


def test_get_findings_in_bulk(db, rid):
    t = rounds.round_targets(db, rid)[0]
    ids = [findings.add_finding(db, rid, t.id, "web.ded.publish.accuracy", detail=f"第{i}处") for i in range(3)]
    got = findings.get_findings(db, [ids[2], ids[0], 999, ids[2]])
    assert sorted(f.id for f in got) == [ids[0], ids[2]]
    assert {f.detail for f in got} == {"第0处", "第2处"} and all(f.target_name == t.name for f in got)
    assert findings.get_findings(db, []) == []


def test_audit_last_id_moves_with_every_write(db, rid):
    before = audit.last_id(db)
    assert before > 0                       # creating the round was audited
    t = rounds.round_targets(db, rid)[0]
    rounds.set_review_state(db, t.id, "未检查", "无法访问")
    assert audit.last_id(db) > before


def test_profiles_for_round_use_the_frozen_snapshot(db, rid):
    profiles = profiles_for_round(db, rid)
    assert set(profiles) == {"site", "account"}
    assert profiles["site"].id == "national-2019-web"
    with pytest.raises(GovInspectError):
        profiles_for_round(db, 999)
