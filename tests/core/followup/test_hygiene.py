"""Registry hygiene: every rule with positive and negative cases, the discovery list, findings in a round."""
from dataclasses import replace

import pytest

from app.core.rounds import findings, profiles, rounds
from app.core.followup import hygiene, media_review as mr
from app.core.registry import registry
from app.core.store.db import transaction
from app.core.rounds.profiles import ProfileItem

from tablefiles import write_csv

AS_OF = "2025-07-01"


def acc(db, name, platform="微信公众号", unit="江州市统计局", **over) -> int:
    raw = {"name": name, "platform": platform, "host_unit": unit, "region": "市直部门", "opened_on": "2020-01-01",
           **over}
    return registry.add_record(db, "account", raw, who="t")


def site(db, name, url, unit="江州市统计局", code="3699010001", **over) -> int:
    raw = {"name": name, "site_code": code, "url": url, "host_unit": unit, "region": "市直部门",
           "category": "市级部门网站", "opened_on": "2015-01-01", **over}
    return registry.add_record(db, "site", raw, who="t")


def issues(db, rule, **kw):
    report = hygiene.check_registry(db, AS_OF, **kw)
    assert report.ok, report.problems
    return [(i.name, i.detail) for i in report.issues if i.rule == rule]


def names(db, rule, **kw):
    return sorted(n for n, _d in issues(db, rule, **kw))


def test_multi_account(db):
    acc(db, "江州统计")
    acc(db, "江州统计发布")
    acc(db, "江州统计微博", platform="微博")             # another platform: fine
    acc(db, "统计其他1", platform="其他")
    acc(db, "统计其他2", platform="其他")                # 其他 lumps platforms: not counted
    acc(db, "统计局旧号", status="注销", status_date="2024-01-01")   # closed: not counted
    acc(db, "发改委号", unit="江州市发展改革委")            # another unit
    found = issues(db, "multi_account")
    assert sorted(n for n, _ in found) == ["江州统计", "江州统计发布"]
    assert "在微信公众号平台开设了 2 个账号：“江州统计”、“江州统计发布”" in found[0][1]


def test_unfiled_from_discovery_list_and_registry_flag(db, tmp_path):
    acc(db, "江州统计", account_id="gh_001")
    acc(db, "江州统计微博", platform="微博")               # registry has no ID for it
    acc(db, "统计抖音", platform="抖音", filed="否")          # registry says not filed
    acc(db, "统计快手", platform="快手", filed="是")
    path = write_csv(tmp_path / "found.csv", ["平台", "账号名称", "账号ID", "主体"], [
        ["微信", "随便改的名字", "gh_001", "江州市统计局"],      # known by ID
        ["微博", "江州统计微博", "wb_9", ""],                  # known by name (registry lacks the ID)
        ["微信", "江州统计服务", "gh_777", "江州市统计局"],      # unknown → 未备案开设
        ["抖音", "江州数据", "", ""],                          # unknown → 未备案开设
    ])
    found = issues(db, "unfiled", discovered=path)
    assert sorted(n for n, _ in found) == ["江州数据", "江州统计服务", "统计抖音"]
    detail = dict(found)["江州统计服务"]
    assert "账号ID gh_777" in detail and "主体为“江州市统计局”" in detail and "未备案开设" in detail
    assert names(db, "unfiled") == ["统计抖音"]                # without a list: only the registry flag


def test_bad_discovery_list_reports_every_row(db, tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["平台", "账号名称", "账号ID"], [
        ["推特", "x", ""], ["微信", "", ""], ["微信", "a", ""], ["微信", "a", ""]])
    report = hygiene.check_registry(db, AS_OF, discovered=path)
    assert not report.ok and report.issues == []
    assert [str(p) for p in report.problems] == [
        f"第2行 平台：未知的平台“推特”，应为：{'、'.join(hygiene.vocab.PLATFORMS)}",
        "第3行 账号名称：账号名称和账号ID不能都为空",
        "第5行 账号名称：与第4行重复（微信公众号 a）"]


def test_closed_account_still_publishing(db, tmp_path):
    a1 = acc(db, "已注销但在发")
    a2 = acc(db, "已注销且停更", platform="微博")
    a3 = acc(db, "关停公告后在发", platform="抖音")
    acc(db, "正常号", platform="快手")
    rid = rounds.create_round(db, "五月", "2025-05-31")
    s = mr.ReviewSession(db, rid)
    tid = {n: tid for tid, n in db.conn.execute("SELECT id, name FROM round_targets WHERE round_id = ?", (rid,))}
    s.save(tid["已注销但在发"], {"last_update": "2025-06-10"})
    s.save(tid["已注销且停更"], {"last_update": "2025-05-20"})
    s.save(tid["正常号"], {"last_update": "2025-06-10"})
    registry.change_status(db, "account", a1, "注销", "2025-06-01", who="t")
    registry.change_status(db, "account", a2, "注销", "2025-06-01", who="t")
    registry.change_status(db, "account", a3, "已发关停公告", "2025-06-15", who="t")
    found = issues(db, "closed_still_publishing")
    assert found == [("已注销但在发", "账号已于 2025-06-01 注销，但 2025-06-10 仍有更新")]
    # A monitoring file counts too (the 抖音 account posted after its closing notice).
    mon = write_csv(tmp_path / "mon.csv", ["平台", "账号名称", "最近发布时间"],
                    [["抖音", "关停公告后在发", "2025-06-20"], ["微博", "已注销且停更", "2025-05-31"]])
    assert names(db, "closed_still_publishing", monitoring=mon) == ["关停公告后在发", "已注销但在发"]
    # Before the closing date nothing is flagged.
    report = hygiene.check_registry(db, "2025-05-31")
    assert [i for i in report.issues if i.rule == "closed_still_publishing"] == []


def test_owner_mismatch(db):
    acc(db, "一致", certified_owner="江州市统计局")
    acc(db, "括号宽度不同", unit="江州市（统计）局", certified_owner="江州市(统计)局", platform="微博")
    acc(db, "未填主体", platform="抖音")
    acc(db, "不一致", platform="快手", certified_owner="江州某某文化传媒有限公司")
    acc(db, "已注销不一致", platform="今日头条", certified_owner="别人", status="注销", status_date="2024-01-01")
    found = issues(db, "owner_mismatch")
    assert found == [("不一致", "账号主体“江州某某文化传媒有限公司”与主办单位“江州市统计局”不一致")]


def test_non_gov_domain(db):
    site(db, "规范域名", "www.tjj.jz.gov.cn", code="3699010001")
    site(db, "中文域名", "http://江州统计.政务/", code="3699010002")
    site(db, "商业域名", "http://www.jztj.com/", code="3699010003")
    site(db, "假冒后缀", "http://www.jz.gov.cn.net/", code="3699010004")
    site(db, "IP地址", "http://10.1.2.3/", code="3699010005")
    site(db, "已关停商业域名", "http://old.jztj.com/", code="3699010006", status="关停", status_date="2024-01-01")
    found = dict(issues(db, "non_gov_domain"))
    assert sorted(found) == ["IP地址", "假冒后缀", "商业域名"]
    assert found["商业域名"] == "首页网址域名“www.jztj.com”，不在 .gov.cn 或 .政务 下"
    assert found["IP地址"].startswith("首页网址使用IP地址")


def test_closed_unit_still_running(db):
    site(db, "撤销单位网站", "www.a.gov.cn", unit="江州市旧局", code="3699010001")
    site(db, "撤销单位已关停网站", "www.b.gov.cn", unit="江州市旧局", code="3699010002", status="关停",
         status_date="2024-05-01")
    acc(db, "撤销单位账号", unit="江州市旧局")
    site(db, "正常单位网站", "www.c.gov.cn", unit="江州市新局", code="3699010003")
    acc(db, "合并单位账号", unit="江州市合并局", platform="微博")
    acc(db, "以后才撤销", unit="江州市后撤局", platform="抖音")
    with transaction(db):
        db.conn.execute("UPDATE units SET status = '撤销', status_date = '2024-03-01' WHERE name = '江州市旧局'")
        db.conn.execute("UPDATE units SET status = '合并', status_date = NULL WHERE name = '江州市合并局'")
        db.conn.execute("UPDATE units SET status = '撤销', status_date = '2025-12-01' WHERE name = '江州市后撤局'")
    found = dict(issues(db, "closed_unit_active"))
    assert sorted(found) == ["合并单位账号", "撤销单位网站", "撤销单位账号"]
    assert found["撤销单位网站"] == "主办单位“江州市旧局”已撤销（2024-03-01），网站仍为“正常”状态"


def test_clean_registry_has_no_issues(db):
    site(db, "规范", "www.tjj.jz.gov.cn")
    acc(db, "唯一账号", certified_owner="江州市统计局")
    report = hygiene.check_registry(db, AS_OF)
    assert report.ok and report.issues == [] and set(report.rules_run) == set(hygiene.RULES)
    assert report.to_dict()["counts"] == {r: 0 for r in hygiene.RULES}


def _with_account_item(db) -> None:
    """A user copy of the national media profile with an account-management item."""
    p = profiles.load_profile(db, "national-2019-media")
    parts = tuple(replace(part, children=part.children + (ProfileItem(
        "nm.issue.account_management", "账号管理（多账号、未备案、主体不一致、应关未关）", "group", 1),))
        if part.id == "nm.issue" else part for part in p.items)
    profiles.save_profile(db, replace(p, items=parts), who="t")


def test_findings_in_a_round(db):
    site(db, "商业域名", "http://www.jztj.com/", code="3699010003")
    site(db, "规范域名", "www.tjj.jz.gov.cn", code="3699010001")
    acc(db, "江州统计")
    acc(db, "江州统计发布")
    rid = rounds.create_round(db, "七月", AS_OF)
    report = hygiene.check_registry(db, AS_OF)
    result = hygiene.record_findings(db, rid, report, who="t")
    assert len(result.added) == 1
    f = findings.get_finding(db, result.added[0])
    assert (f.indicator_id, f.kind, f.source, f.status, f.target_key) == (
        "web.ded.function.domain_marks", "hygiene.non_gov_domain", "自动", "待审核", "3699010003")
    # The national media profile has no account-management item: those issues are skipped, with the reason.
    assert sorted(i.name for i, why in result.skipped if "nm.issue.account_management" in why) == ["江州统计", "江州统计发布"]
    again = hygiene.record_findings(db, rid, hygiene.check_registry(db, AS_OF))
    assert again.added == [] and again.updated == []
    # Fixed in the registry → the 待审核 finding is withdrawn on the next run.
    sid = db.conn.execute("SELECT id FROM sites WHERE site_code = '3699010003'").fetchone()[0]
    registry.edit_record(db, "site", sid, {"url": "www.tj2.jz.gov.cn"}, who="t")
    gone = hygiene.record_findings(db, rid, hygiene.check_registry(db, AS_OF))
    assert gone.withdrawn == result.added and findings.list_findings(db, rid) == []


def test_account_findings_with_a_profile_item(db):
    _with_account_item(db)
    acc(db, "江州统计")
    acc(db, "江州统计发布")
    rid = rounds.create_round(db, "七月", AS_OF)
    result = hygiene.record_findings(db, rid, hygiene.check_registry(db, AS_OF), who="t")
    got = [findings.get_finding(db, i) for i in result.added]
    assert sorted(f.target_name for f in got) == ["江州统计", "江州统计发布"]
    assert {f.indicator_id for f in got} == {"nm.issue.account_management"}
    assert got[0].detail.startswith("同一平台多个账号：")


def test_closed_round_refuses_findings(db):
    site(db, "商业域名", "http://www.jztj.com/")
    rid = rounds.create_round(db, "七月", AS_OF)
    rounds.close_round(db, rid, who="t")
    with pytest.raises(rounds.RoundClosedError):
        hygiene.record_findings(db, rid, hygiene.check_registry(db, AS_OF))
