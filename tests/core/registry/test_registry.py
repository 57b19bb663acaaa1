"""Registry edits: audit log, status history, as-of counts, demo."""
import pytest

from app.core.store import audit
from app.core.registry import demo, registry
from app.core.errors import GovInspectError, ValidationError
from app.core.registry.stats import registry_stats, status_as_of

SITE = {"name": "江州市教育局网站", "site_code": "3699000002", "url": "jyj.jiangzhou.gov.cn",
        "host_unit": "江州市教育局", "region": "市直部门", "category": "市级部门网站", "opened_on": "2020-01-01"}


def test_add_edit_status_are_audited(db):
    sid = registry.add_record(db, "site", SITE)
    changed = registry.edit_record(db, "site", sid, {"name": "江州市教育局", "url": "jyj.jiangzhou.gov.cn"})
    assert changed == {"name": "江州市教育局"}          # unchanged url not logged as a change
    registry.change_status(db, "site", sid, "关停", "2025年3月31日", note="机构改革")
    rec = registry.get_record(db, "site", sid)
    assert (rec["status"], rec["status_date"]) == ("关停", "2025-03-31")
    log = audit.entries(db, "sites", sid)
    assert [e["action"] for e in log] == ["insert", "update", "status"]
    assert log[1]["old"] == {"name": "江州市教育局网站"} and log[1]["new"] == {"name": "江州市教育局"}
    assert log[2]["new"]["note"] == "机构改革" and log[2]["who"]
    events = [(h["event"], h["on_date"]) for h in registry.history(db, "site", sid)]
    assert events == [("开设", "2020-01-01"), ("关停", "2025-03-31")]


def test_duplicate_code_and_bad_fields_rejected(db):
    registry.add_record(db, "site", SITE)
    with pytest.raises(ValidationError) as exc:
        registry.add_record(db, "site", {**SITE, "name": "另一个"})
    assert "已被" in exc.value.problems["网站标识码"]
    with pytest.raises(ValidationError):
        registry.change_status(db, "site", 1, "删除", "2025-01-01")
    with pytest.raises(ValidationError):
        registry.change_status(db, "site", 1, "关停", "")
    assert registry.counts(db)["sites"] == 1


def test_stats_as_of_dates(db):
    a = registry.add_record(db, "site", SITE)
    b = registry.add_record(db, "site", {**SITE, "site_code": "3699000003", "name": "新网站", "opened_on": "2025-06-01",
                                         "category": "市级门户"})
    registry.change_status(db, "site", a, "关停", "2025-03-31")
    acc = registry.add_record(db, "account", {"name": "江州发布", "platform": "微信", "host_unit": "江州市政府办",
                                              "region": "市直部门", "opened_on": "2019-05-01"})
    registry.change_status(db, "account", acc, "注销", "2025-07-01")
    assert status_as_of(db, "site", "2025-01-01") == {a: "正常"}
    assert status_as_of(db, "site", "2025-06-30") == {a: "关停", b: "正常"}
    s = registry_stats(db, "2025-01-01")
    assert (s["site"].total, s["site"].running) == (1, 1)
    assert s["site"].by_region == {"市直部门": {"市级部门网站": 1}}
    assert s["account"].by_region == {"市直部门": {"微信公众号": 1}}
    s = registry_stats(db, "2025-12-31")
    assert s["site"].by_status == {"正常": 1, "关停": 1}
    assert s["site"].by_region == {"市直部门": {"市级门户": 1}}
    assert s["account"].by_status == {"注销": 1} and s["account"].running == 0


def test_demo_registry(db):
    counts = demo.build_demo(db)
    assert counts == {"regions": 10, "sites": 60, "accounts": 300}
    sites = registry.list_records(db, "site")
    accounts = registry.list_records(db, "account")
    assert len({s["category"] for s in sites}) >= 5
    assert len({a["platform"] for a in accounts}) >= 10
    assert {"关停", "整合迁移", "例外"} <= {s["status"] for s in sites}
    assert {"注销", "已发关停公告"} <= {a["status"] for a in accounts}
    assert all(s["level"] for s in sites)
    with pytest.raises(GovInspectError):
        demo.build_demo(db)
