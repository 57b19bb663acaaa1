"""New-media review: the 14-day rule, proposals → findings (updated, not duplicated), menus fetched
from a local server, the monitoring import (all or nothing) and the activity table."""
import pytest

from app.core.store import audit
from app.core.rounds import findings, rounds
from app.core.followup import media_monitoring, media_review as mr, media_rules
from app.core.registry import registry
from app.core.errors import ValidationError
from app.core.followup.media_rules import MenuItem, Observation, WordingError, propose

from mediasetup import fast_fetcher, make_round, refused_url, site_server, target
from tablefiles import snapshot, write_csv, write_xlsx

AS_OF = "2025-08-14"
WEIBO1 = "新浪微博:东湖区发布1"
WECHAT2 = "微信公众号:东湖区发布2"


@pytest.fixture
def rnd(db):
    registry.add_record(db, "account", {"name": "东湖抖音", "platform": "抖音", "account_id": "dy123",
                                        "host_unit": "东湖区单位1", "region": "东湖区", "opened_on": "2020-01-01"})
    return make_round(db, AS_OF)


def kinds(obs, as_of=AS_OF):
    return [p.kind for p in propose(obs, as_of)]


# ---------------------------------------------------------------- the rules (pure)

def test_not_updated_rule_is_14_days_inclusive():
    # 监测时间点 2025-08-14: a last post on 07-31 is 14 days before → proposed; 08-01 (13 days) → not.
    assert kinds(Observation(last_update="2025-07-31")) == [media_rules.K_NOT_UPDATED]
    assert kinds(Observation(last_update="2025-08-01")) == []
    assert kinds(Observation(last_update="2025-03-01")) == [media_rules.K_NOT_UPDATED]
    assert kinds(Observation(last_update="2025-08-20")) == []      # seen after the point: not stale
    assert kinds(Observation()) == []                               # no date: nothing proposed
    assert media_rules.days_since_update(Observation(last_update="2025-07-31"), AS_OF) == 14


def test_interaction_and_other_proposals():
    assert kinds(Observation(interaction_ok=False)) == [media_rules.K_NO_INTERACTION]
    assert kinds(Observation(interaction_ok=None)) == [] and kinds(Observation(interaction_ok=True)) == []
    obs = Observation(menu_items=(MenuItem("办事", "http://x.gov.cn/a", ok=False), MenuItem("查询", ok=True),
                                  MenuItem("预约", ok=None)),
                      wording_errors=(WordingError("中国入民", "中国人民"),),
                      ads_seen=True, unrelated_content=True)
    assert kinds(obs) == [media_rules.K_MENU, media_rules.K_TYPO, media_rules.K_ADS, media_rules.K_UNRELATED]


# ---------------------------------------------------------------- saving

def test_save_proposes_findings_and_updates_instead_of_duplicating(db, rnd):
    s = mr.ReviewSession(db, rnd)
    tid = target(db, rnd, WEIBO1)
    r = s.save(tid, {"last_update": "2025-07-31", "interaction_ok": "无",
                     "wording_errors": [{"text": "中国入民", "correction": "中国人民"}]}, who="tester")
    assert len(r.added) == 3 and r.unmapped == ()
    rows = {f.kind: f for f in findings.list_findings(db, rnd, target_id=tid)}
    assert rows[media_rules.K_NOT_UPDATED].indicator_id == "nm.veto.not_updated"
    assert rows[media_rules.K_NO_INTERACTION].indicator_id == "nm.veto.interaction_poor"
    assert rows[media_rules.K_TYPO].indicator_id == "nm.issue.typo" and rows[media_rules.K_TYPO].snippet == "中国入民"
    assert all(f.source == "人工" and f.status == "待审核" for f in rows.values())
    assert "14 天" in rows[media_rules.K_NOT_UPDATED].detail and rows[media_rules.K_NOT_UPDATED].evidence_text
    assert r.row.review_state == "已检查" and r.row.open_findings == 3 and r.row.days_since_update == 14

    # Same save again: nothing new. A corrected date (still stale) updates the same finding.
    again = s.save(tid, {"last_update": "2025-07-31"})
    assert again.added == again.updated == again.withdrawn == ()
    moved = s.save(tid, {"last_update": "2025-07-20", "wording_errors": [
        {"text": "中国入民", "correction": "中国人民", "grave": True}]})
    assert set(moved.updated) == {rows[media_rules.K_NOT_UPDATED].id, rows[media_rules.K_TYPO].id} and moved.added == ()
    assert findings.get_finding(db, rows[media_rules.K_TYPO].id).indicator_id == "nm.veto.security.c1"
    assert len(findings.list_findings(db, rnd, target_id=tid)) == 3

    # A reviewed finding stays when its entry disappears; a 待审核 one is withdrawn.
    findings.set_status(db, [rows[media_rules.K_NO_INTERACTION].id], "确认", who="tester")
    gone = s.save(tid, {"last_update": "2025-08-10", "interaction_ok": "有"})
    assert gone.withdrawn == (rows[media_rules.K_NOT_UPDATED].id,)
    left = {f.kind: f.status for f in findings.list_findings(db, rnd, target_id=tid)}
    assert left == {media_rules.K_NO_INTERACTION: "确认", media_rules.K_TYPO: "待审核"}
    actions = [e["action"] for e in audit.entries(db, "findings")]
    assert actions.count("withdraw") == 1 and "update" in actions


def test_whole_observation_and_validation(db, rnd, tmp_path):
    s = mr.ReviewSession(db, rnd)
    tid = target(db, rnd, WECHAT2)
    shot = tmp_path / "typo.png"
    shot.write_bytes(b"\x89PNG")
    obs = Observation(last_update="2025-08-10", posts_in_period=12, interaction_ok=True, ads_seen=True,
                      menu_items=(MenuItem("办事大厅", "www.dh.gov.cn/bs", ok=False),),
                      wording_errors=(WordingError("烈土", "烈士", str(shot)),), notes="人工检查")
    r = s.save(tid, obs)
    assert r.row.obs.menu_items[0].url == "http://www.dh.gov.cn/bs"
    assert r.row.obs.posts_in_period == 12 and r.row.menus_failed == 1
    assert sorted(r.row.proposals) == sorted([media_rules.K_MENU, media_rules.K_TYPO, media_rules.K_ADS])
    typo = [f for f in findings.list_findings(db, rnd, target_id=tid) if f.kind == media_rules.K_TYPO][0]
    assert typo.screenshot_path == str(shot)
    ads = [f for f in findings.list_findings(db, rnd, target_id=tid) if f.kind == media_rules.K_ADS][0]
    assert ads.indicator_id == "nm.issue.unrelated_content"     # no ads item in the national profile
    before = snapshot(db), db.conn.execute("SELECT * FROM media_observations").fetchall()
    for bad, label in ((({"last_update": "2025-13-01"}), "最近更新日期"),
                       (({"posts_in_period": "-3"}), "期间发布条数"),
                       (({"interaction_ok": "也许"}), "互动功能"),
                       (({"wording_errors": [{"text": "x", "screenshot": str(tmp_path / "none.png")}]}), "错别字"),
                       (({"wording_errors": [{"text": " "}]}), "错别字"),
                       (({"menu_items": [{"name": "", "url": ""}]}), "服务菜单"),
                       (({"menu_items": [{"name": "a", "url": "http://bad host/"}]}), "服务菜单")):
        with pytest.raises(ValidationError) as err:
            s.save(tid, bad)
        assert label in err.value.problems
    assert (snapshot(db), db.conn.execute("SELECT * FROM media_observations").fetchall()) == before


def test_closed_round_is_read_only(db, rnd):
    rounds.close_round(db, rnd, who="t")
    with pytest.raises(rounds.RoundClosedError):
        mr.save_observation(db, target(db, rnd, WEIBO1), {"notes": "x"})


def test_rows_for_the_grid(db, rnd):
    rows = mr.load_review_rows(db, rnd)
    assert len(rows) == 14 and [r.sort_order for r in rows] == sorted(r.sort_order for r in rows)
    assert all(not r.observed and r.obs == Observation() for r in rows)
    dy = [r for r in rows if r.platform == "抖音"][0]
    assert dy.platform_account_id == "dy123" and dy.unit_name == "东湖区单位1"
    s = mr.ReviewSession(db, rnd)
    s.save(dy.target_id, {"last_update": "2025-07-01"})
    row = s.row(dy.target_id)
    assert row.observed and row.proposals == (media_rules.K_NOT_UPDATED,) and row.open_findings == 1
    with pytest.raises(ValidationError):
        s.row(target(db, rnd, "3699020001"))                  # a site is not a review row


# ---------------------------------------------------------------- menus fetched locally

def test_menu_links_are_fetched(db, rnd):
    tid = target(db, rnd, WECHAT2)
    dead = refused_url()
    with site_server({"/ok": (200, "<html>办事</html>"), "/moved": (200, "ok")}) as (base, routes):
        mr.save_observation(db, tid, {"menu_items": [
            {"name": "办事", "url": f"{base}/ok"}, {"name": "查询", "url": f"{base}/missing"},
            {"name": "预约", "url": dead}, {"name": "小程序", "url": "pages/index", "ok": False}]})
        r = mr.run_menu_tests(db, tid, fetch=fast_fetcher())
    items = {m.name: m for m in r.row.obs.menu_items}
    assert items["办事"].ok is True and items["办事"].http_status == 200 and items["办事"].checked_at
    assert items["查询"].ok is False and items["查询"].http_status == 404
    assert items["预约"].ok is False and items["预约"].http_status is None and items["预约"].error
    assert items["小程序"].ok is False and items["小程序"].http_status is None     # not fetched: kept
    menus = [f for f in findings.list_findings(db, rnd, target_id=tid) if f.kind == media_rules.K_MENU]
    assert sorted(f.detail for f in menus) == sorted([
        "服务菜单“查询”无法使用（HTTP 404）", f"服务菜单“预约”无法使用（{items['预约'].error}）",
        "服务菜单“小程序”无法使用（人工测试无法使用）"])
    assert all(f.indicator_id == "nm.issue.menu_broken" for f in menus)


def test_check_menu_items_with_a_fake_fetcher():
    items = mr.check_menu_items([MenuItem("a", "http://x.gov.cn/a"), MenuItem("b", "http://x.gov.cn/b")],
                                fetch=lambda url: (200, "") if url.endswith("/a") else (503, ""))
    assert [(m.ok, m.http_status) for m in items] == [(True, 200), (False, 503)]


# ---------------------------------------------------------------- monitoring import

MON = ["平台", "账号名称", "账号ID", "最近发布时间", "期间发布条数"]


def test_monitoring_import_fills_the_grid(db, rnd, tmp_path):
    rows = [["微博", "东湖区发布1", "", "2025-07-31 18:20", 0],          # 14 days: proposes
            ["微信", "东湖区发布2", "", "2025-08-01", 3],                  # 13 days: does not
            ["抖音", "改名了", "dy123", "2025-08-13", 25],                 # matched by 账号ID
            ["微信", "别处的号", "", "2025-08-10", 5]]                     # not in the round
    path = write_xlsx(tmp_path / "m.xlsx", MON, rows, title="监测数据")
    result = media_monitoring.import_monitoring(db, rnd, path, who="t")
    assert result.ok, result.problems
    assert (result.matched, result.changed, result.added) == (3, 3, 1)
    assert [str(p) for p in result.skipped] == ["第6行 账号名称：微信公众号账号“别处的号”不在本轮检查对象中，已跳过"]
    s = mr.ReviewSession(db, rnd)
    w1 = s.row(target(db, rnd, WEIBO1))
    assert (w1.obs.last_update, w1.obs.posts_in_period, w1.review_state) == ("2025-07-31", 0, "待检查")
    f = findings.list_findings(db, rnd, target_id=w1.target_id)
    assert [(x.kind, x.source, x.status) for x in f] == [(media_rules.K_NOT_UPDATED, "导入", "待审核")]
    assert s.row(target(db, rnd, "抖音:东湖抖音")).obs.posts_in_period == 25

    # The inspector adds a note; a re-import with an empty count keeps it and does not duplicate.
    s.save(w1.target_id, {"notes": "已电话核实"})
    again = media_monitoring.import_monitoring(db, rnd, write_csv(tmp_path / "m2.csv", MON, [["微博", "东湖区发布1", "", "2025-07-31", ""]]))
    assert again.ok and (again.changed, again.added, again.updated) == (0, 0, 0)
    w1 = s.row(w1.target_id)
    assert w1.obs.notes == "已电话核实" and w1.obs.posts_in_period == 0
    assert len(findings.list_findings(db, rnd, target_id=w1.target_id)) == 1
    # A newer date withdraws the 待审核 proposal.
    fresh = media_monitoring.import_monitoring(db, rnd, write_csv(tmp_path / "m3.csv", MON, [["微博", "东湖区发布1", "", "2025-08-12", 4]]))
    assert fresh.withdrawn == 1 and findings.list_findings(db, rnd, target_id=w1.target_id) == []


def test_monitoring_import_all_or_nothing(db, rnd, tmp_path):
    before = snapshot(db), db.conn.execute("SELECT * FROM media_observations").fetchall()
    rows = [["微博", "东湖区发布1", "", "2025-07-31", 1],
            ["脸书", "东湖区发布2", "", "2025-08-01", 1],
            ["微信", "东湖区发布2", "", "2025-08-32", 1],
            ["微信", "东湖区发布4", "", "2025-08-01", "很多"],
            ["微博", "东湖区发布1", "", "2025-08-01", 2],
            ["微信", "", "", "2025-08-01", 2],
            ["微信", "东湖区发布6", "", "", ""]]
    result = media_monitoring.import_monitoring(db, rnd, write_csv(tmp_path / "bad.csv", MON, rows))
    lines = [str(p) for p in result.problems]
    assert not result.ok and len(lines) == 6
    assert lines[0].startswith("第3行 平台：未知的平台“脸书”")
    assert lines[1].startswith("第4行 最近发布时间：") and "不存在" in lines[1]
    assert lines[2] == "第5行 期间发布条数：“很多”应为不小于0的整数"
    assert lines[3] == "第6行 账号名称：与第2行重复（新浪微博 东湖区发布1）"
    assert lines[4] == "第7行 账号名称：账号名称和账号ID不能都为空"
    assert lines[5] == "第8行 最近发布时间：最近发布时间和期间发布条数不能都为空"
    assert (snapshot(db), db.conn.execute("SELECT * FROM media_observations").fetchall()) == before
    dry = media_monitoring.import_monitoring(db, rnd, write_csv(tmp_path / "ok.csv", MON, rows[:1]), dry_run=True)
    assert dry.ok and dry.matched == 1 and "试运行" in dry.summary()
    assert db.conn.execute("SELECT COUNT(*) FROM media_observations").fetchone()[0] == 0


def test_activity_rows(db, rnd, tmp_path):
    media_monitoring.import_monitoring(db, rnd, write_csv(tmp_path / "m.csv", MON, [["微博", "东湖区发布1", "", "2025-08-10", 7]]))
    rows = media_monitoring.activity_rows(db, rnd)
    assert len(rows) == 14
    first = [r for r in rows if r.account_name == "东湖区发布1"][0]
    assert (first.unit_name, first.platform, first.posts, first.last_update) == ("东湖区单位1", "新浪微博", 7, "2025-08-10")
    assert sum(1 for r in rows if r.posts is None) == 13
