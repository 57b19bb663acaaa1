"""Rounds: scope as of a date, reproducible (stratified) sampling, 回头看, frozen targets, close/reopen."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from app.core.store import audit
from app.core.rounds import finding_io, findings, rounds
from app.core.rounds import sampling as rounds_sampling
from app.core.registry import registry
from app.core.errors import ValidationError

from roundsetup import REGIONS, build_registry
from tablefiles import write_csv


def keys(db, round_id, target_type=None):
    return [t.target_key for t in rounds.round_targets(db, round_id, target_type)]


@pytest.fixture
def reg(db):
    return build_registry(db)


def test_full_round_freezes_running_targets_in_registry_order(db, reg):
    rid = rounds.create_round(db, "六月", "2025-06-30")
    r = rounds.get_round(db, rid)
    assert (r.site_count, r.account_count) == (16, 13)
    assert r.kind == "月度" and r.profile_id == "national-2019" and r.status == "open"
    assert r.seed is not None                          # generated and stored
    targets = rounds.round_targets(db, rid)
    assert [t.sort_order for t in targets] == sorted(t.sort_order for t in targets)
    first = targets[0]
    assert first.target_type == "site" and first.target_key == "3699020001"
    assert (first.name, first.region_name, first.unit_name, first.reason) == ("东湖区网站1", "东湖区", "东湖区单位1", "全量")
    assert first.category == "县级部门网站" and first.level == "县" and first.url == "http://s3699021.gov.cn/"
    assert first.snapshot["site_code"] == "3699020001" and first.snapshot["region"] == "东湖区"
    acc = rounds.round_targets(db, rid, "account")[0]
    assert acc.target_key == "新浪微博:东湖区发布1" and acc.platform == "新浪微博" and acc.site_id is None


def test_only_records_running_on_the_as_of_date(db, reg):
    s = reg["site"]
    registry.change_status(db, "site", s[0], "关停", "2025-03-01")       # closed before: out
    registry.change_status(db, "site", s[1], "关停", "2025-09-01")       # closed after: in
    registry.change_status(db, "site", s[2], "例外", "2025-01-01")       # 例外 is running: in
    registry.edit_record(db, "site", s[3], {"opened_on": "2025-08-01"})  # history keeps 2015 opening
    registry.change_status(db, "account", reg["account"][0], "注销", "2025-05-01")
    rid = rounds.create_round(db, "六月", "2025-06-30")
    site_keys = keys(db, rid, "site")
    assert "3699020001" not in site_keys
    assert {"3699020002", "3699020003"} <= set(site_keys)
    assert len(site_keys) == 15
    assert "新浪微博:东湖区发布1" not in keys(db, rid, "account")
    # A record opened after the date is not in scope.
    late = registry.add_record(db, "site", {"name": "新站", "site_code": "3699210099", "url": "http://new.gov.cn",
                                            "host_unit": "新单位", "region": "临川县", "category": "县级部门网站",
                                            "opened_on": "2025-07-15"})
    plan = rounds.preview_sample(db, "2025-06-30")
    assert late not in {t.site_id for t in plan.targets}
    assert plan.running_sites == 15


def test_same_seed_same_sample_different_seed_different(db, reg):
    a = rounds.create_round(db, "a", "2025-06-30", sample_sites_pct=40, sample_accounts_pct=40, seed=123)
    b = rounds.create_round(db, "b", "2025-06-30", sample_sites_pct=40, sample_accounts_pct=40, seed=123)
    assert keys(db, a) == keys(db, b)
    assert rounds.get_round(db, a).seed == 123
    others = {tuple(t.target_key for t in rounds.preview_sample(db, "2025-06-30", 40, 40, seed=s).targets)
              for s in range(124, 134)}
    assert any(o != tuple(keys(db, a)) for o in others)
    assert all(t.reason == "抽样" for t in rounds.round_targets(db, a))


def test_preview_matches_create_and_writes_nothing(db, reg):
    plan = rounds.preview_sample(db, "2025-06-30", sample_sites_pct=30, stratify_by_region=True)
    assert db.conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 0
    assert db.conn.execute("SELECT COUNT(*) FROM round_targets").fetchone()[0] == 0
    rid = rounds.create_round(db, "x", "2025-06-30", sample_sites_pct=30, stratify_by_region=True, seed=plan.seed)
    assert keys(db, rid) == [t.target_key for t in plan.targets]


def test_percentages_apply_separately_to_sites_and_accounts(db, reg):
    plan = rounds.preview_sample(db, "2025-06-30", sample_sites_pct=50, seed=9)
    assert plan.count("site") == 8 and plan.count("account") == 13
    assert plan.count("site", "抽样") == 8 and plan.count("account", "全量") == 13
    plan = rounds.preview_sample(db, "2025-06-30", sample_accounts_pct=10, seed=9)
    assert plan.count("site") == 16 and plan.count("account") == math.ceil(13 * 0.1)
    # Changing the account percentage leaves the site sample alone.
    one = rounds.preview_sample(db, "2025-06-30", 25, 10, seed=5)
    two = rounds.preview_sample(db, "2025-06-30", 25, 90, seed=5)
    sites = lambda p: [t.target_key for t in p.targets if t.target_type == "site"]
    assert sites(one) == sites(two)


def test_stratified_sample_covers_every_region(db, reg):
    plan = rounds.preview_sample(db, "2025-06-30", sample_sites_pct=10, sample_accounts_pct=10,
                                 stratify_by_region=True, seed=1)
    for kind, idx in (("site", 1), ("account", 2)):
        by_region = {}
        for t in plan.targets:
            if t.target_type == kind:
                by_region[t.region_name] = by_region.get(t.region_name, 0) + 1
        assert by_region == {r: math.ceil(v[idx] * 0.1) for r, v in REGIONS.items()}
    # Unstratified, a 10% site sample is 2 of 16 and cannot cover three regions.
    plain = rounds.preview_sample(db, "2025-06-30", sample_sites_pct=10, seed=1)
    assert plain.count("site") == 2


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), pct=st.floats(0.5, 100), seed=st.integers(0, 10 ** 6),
       regions=st.integers(1, 4), stratify=st.booleans())
def test_sample_size_rounds_up_and_keeps_order(n, pct, seed, regions, stratify):
    pool = [{"id": i, "site_code": f"c{i}", "region": f"r{i % regions}"} for i in range(n)]
    got = rounds_sampling.sample(pool, pct, seed, "site", stratify)
    assert [r["id"] for r in got] == sorted(r["id"] for r in got)
    if stratify:
        sizes = [sum(1 for r in pool if r["region"] == f"r{k}") for k in range(regions)]
        assert len(got) == sum(min(s, max(1, math.ceil(s * pct / 100 - 1e-9))) for s in sizes if s)
        assert {r["region"] for r in got} == {r["region"] for r in pool}
    else:
        assert len(got) == (min(n, max(1, math.ceil(n * pct / 100 - 1e-9))) if n else 0)
    assert got == rounds_sampling.sample(pool, pct, seed, "site", stratify)


def test_targets_stay_frozen_after_registry_edit(db, reg):
    rid = rounds.create_round(db, "六月", "2025-06-30")
    registry.edit_record(db, "site", reg["site"][0], {"name": "改名后的网站", "url": "http://changed.gov.cn"})
    t = rounds.round_targets(db, rid)[0]
    assert t.name == "东湖区网站1" and t.url == "http://s3699021.gov.cn/"
    assert t.snapshot["name"] == "东湖区网站1"
    rid2 = rounds.create_round(db, "七月", "2025-07-31")
    assert rounds.round_targets(db, rid2)[0].name == "改名后的网站"


def _confirm(db, round_id, target_key, indicator="web.veto.unreachable"):
    t = next(t for t in rounds.round_targets(db, round_id) if t.target_key == target_key)
    return findings.add_finding(db, round_id, t.id, indicator, status="确认", detail="x")


def _rectify(db, round_id, finding_id, status, recheck=""):
    now = audit.now()
    cur = db.conn.execute("INSERT OR IGNORE INTO rectify_notices(round_id, unit_name, issued_on, deadline, created_at)"
                          " VALUES (?, 'u', '2025-07-01', '2025-07-15', ?)", (round_id, now))
    notice = db.conn.execute("SELECT id FROM rectify_notices WHERE round_id = ?", (round_id,)).fetchone()[0]
    db.conn.execute("INSERT INTO rectify_items(notice_id, finding_id, status, recheck_result, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)", (notice, finding_id, status, recheck, now))


def test_recheck_includes_unfixed_confirmed_targets(db, reg):
    first = rounds.create_round(db, "六月", "2025-06-30")
    _confirm(db, first, "3699020001")                                        # open: in
    _rectify(db, first, _confirm(db, first, "3699020002"), "已整改")          # fixed: out
    _rectify(db, first, _confirm(db, first, "3699020003"), "已整改", "未整改")  # recheck says not fixed: in
    _rectify(db, first, _confirm(db, first, "3699020004"), "待整改", "已整改")  # recheck says fixed: out
    _rectify(db, first, _confirm(db, first, "3699020005"), "无需整改")        # out
    t6 = next(t for t in rounds.round_targets(db, first) if t.target_key == "3699020006")
    f6 = findings.add_finding(db, first, t6.id, "web.veto.unreachable")
    findings.set_status(db, [f6], "误报")                                     # not confirmed: out
    _confirm(db, first, "新浪微博:东湖区发布1", "nm.veto.not_updated")         # account: in
    _confirm(db, first, "3699210001")                                        # closed since: skipped
    registry.change_status(db, "site", reg["site"][10], "关停", "2025-07-10")

    plan = rounds.preview_sample(db, "2025-07-31", sample_sites_pct=1, sample_accounts_pct=1, seed=3,
                                 recheck_round_id=first)
    recheck = {t.target_key for t in plan.targets if t.reason == "回头看"}
    assert recheck == {"3699020001", "3699020003", "新浪微博:东湖区发布1"}
    assert [s.target_key for s in plan.skipped] == ["3699210001"]
    second = rounds.create_round(db, "七月回头看", "2025-07-31", sample_sites_pct=1, sample_accounts_pct=1,
                                 seed=3, recheck_round_id=first)
    got = rounds.round_targets(db, second)
    assert {t.target_key for t in got if t.reason == "回头看"} == recheck
    assert len(got) == len(recheck) + sum(1 for t in got if t.reason == "抽样")
    assert [t.sort_order for t in got] == sorted(t.sort_order for t in got)
    assert rounds.get_round(db, second).recheck_round_id == first


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "周度"}, "类型"),
    ({"as_of": "2025-02-30"}, "监测时间点"),
    ({"as_of": ""}, "监测时间点"),
    ({"period_from": "2025-06-30", "period_to": "2025-06-01"}, "截止日期"),
    ({"sample_sites_pct": 0}, "网站抽样比例"),
    ({"sample_accounts_pct": 150}, "新媒体抽样比例"),
    ({"sample_sites_pct": "abc"}, "网站抽样比例"),
    ({"seed": "x"}, "随机种子"),
    ({"recheck_round_id": 99}, "回头看轮次"),
    ({"name": " "}, "名称"),
])
def test_create_round_validation(db, reg, kwargs, field):
    args = {"name": "r", "as_of": "2025-06-30", **kwargs}
    with pytest.raises(ValidationError) as exc:
        rounds.create_round(db, **args)
    assert field in exc.value.problems
    assert db.conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 0


def test_kinds_and_period_accepted(db, reg):
    rid = rounds.create_round(db, "二季度", "2025年6月30日", period_from="2025/4/1", period_to="2025-06-30",
                              kind="季度", sample_sites_pct="20%")
    r = rounds.get_round(db, rid)
    assert (r.as_of, r.period_from, r.period_to, r.kind, r.sample_sites_pct) == \
        ("2025-06-30", "2025-04-01", "2025-06-30", "季度", 20.0)
    assert rounds.find_round(db, "二季度").id == rid and rounds.find_round(db, str(rid)).id == rid


def test_create_is_audited(db, reg):
    rid = rounds.create_round(db, "六月", "2025-06-30", who="张三")
    [entry] = audit.entries(db, "rounds", rid)
    assert entry["action"] == "insert" and entry["who"] == "张三"
    assert entry["new"]["sites"] == 16 and entry["new"]["name"] == "六月"
    assert len(audit.entries(db, "round_targets")) == 29


def test_review_state(db, reg):
    rid = rounds.create_round(db, "六月", "2025-06-30")
    t = rounds.round_targets(db, rid)[0]
    rounds.set_review_state(db, t.id, "未检查", "首页无法访问")
    t2 = rounds.get_target(db, t.id)
    assert (t2.review_state, t2.review_note) == ("未检查", "首页无法访问")
    assert audit.entries(db, "round_targets", t.id)[-1]["new"] == {"review_state": "未检查", "review_note": "首页无法访问"}
    with pytest.raises(ValidationError):
        rounds.set_review_state(db, t.id, "完成")


def test_closed_round_is_read_only_and_reopen_is_logged(db, reg):
    rid = rounds.create_round(db, "六月", "2025-06-30")
    t = rounds.round_targets(db, rid)[0]
    fid = findings.add_finding(db, rid, t.id, "web.veto.unreachable")
    rounds.close_round(db, rid)
    assert rounds.get_round(db, rid).closed and rounds.get_round(db, rid).closed_at
    with pytest.raises(rounds.RoundClosedError, match="已关闭"):
        findings.add_finding(db, rid, t.id, "web.veto.unreachable")
    with pytest.raises(rounds.RoundClosedError):
        findings.set_status(db, [fid], "确认")
    with pytest.raises(rounds.RoundClosedError):
        rounds.set_review_state(db, t.id, "已检查")
    with pytest.raises(rounds.RoundClosedError):
        findings.apply_whitelist(db, rid)
    with pytest.raises(rounds.RoundClosedError):
        rounds.close_round(db, rid)
    assert findings.get_finding(db, fid).status == "待审核"
    with pytest.raises(ValidationError, match="原因"):
        rounds.reopen_round(db, rid, "  ")
    rounds.reopen_round(db, rid, "补录遗漏问题", who="李四")
    assert not rounds.get_round(db, rid).closed
    log = audit.entries(db, "rounds", rid)
    assert [e["action"] for e in log] == ["insert", "close", "reopen"]
    assert log[-1]["new"]["reason"] == "补录遗漏问题" and log[-1]["who"] == "李四"
    findings.set_status(db, [fid], "确认")
    with pytest.raises(ValidationError, match="未关闭"):
        rounds.reopen_round(db, rid, "again")


def test_list_rounds_counts(db, reg):
    a = rounds.create_round(db, "六月", "2025-06-30")
    b = rounds.create_round(db, "七月", "2025-07-31", sample_sites_pct=50, seed=1)
    t = rounds.round_targets(db, a)[0]
    findings.add_finding(db, a, t.id, "web.veto.unreachable", status="确认")
    findings.add_finding(db, a, t.id, "web.ded.function.availability")
    listed = rounds.list_rounds(db)
    assert [r.id for r in listed] == [b, a]
    ra = listed[1]
    assert (ra.site_count, ra.account_count, ra.finding_count, ra.confirmed_count) == (16, 13, 2, 1)
    with pytest.raises(ValidationError):
        rounds.get_round(db, 999)


def test_duplicate_account_names_get_distinct_keys(db):
    regions = {"东湖区": ("369902", 0, 0)}
    build_registry(db, regions)
    for aid in ("gh_1", "gh_2"):
        registry.add_record(db, "account", {"name": "同名发布", "platform": "抖音", "account_id": aid,
                                            "host_unit": "单位", "region": "东湖区"})
    rid = rounds.create_round(db, "r", "2030-01-01")
    assert keys(db, rid) == ["抖音:同名发布", "抖音:同名发布#gh_2"]


def test_profile_recorded_with_round(db, reg):
    rid = rounds.create_round(db, "六月", "2025-06-30")
    row = db.conn.execute("SELECT profile_id, profile_version, profile_snapshot FROM rounds WHERE id = ?",
                          (rid,)).fetchone()
    assert row[0] == "national-2019" and "2019" in row[1] and row[2]
    assert "web.veto.unreachable" in row[2] and "nm.veto.not_updated" in row[2]
    with pytest.raises(ValidationError) as exc:
        rounds.create_round(db, "x", "2025-06-30", profile_id="no-such-profile")
    assert "指标体系" in exc.value.problems


def test_sample_barely_moves_when_registry_grows(db, reg):
    before = [t.target_key for t in rounds.preview_sample(db, "2025-06-30", 50, 50, seed=77).targets]
    registry.add_record(db, "site", {"name": "新增网站", "site_code": "3699020099", "url": "http://n.gov.cn",
                                     "host_unit": "新单位", "region": "东湖区", "category": "县级部门网站",
                                     "opened_on": "2020-01-01"})
    after = [t.target_key for t in rounds.preview_sample(db, "2025-06-30", 50, 50, seed=77).targets]
    assert len(set(before) - set(after)) <= 1


def test_mark_checked_keeps_a_not_checked_mark_and_audits(db):
    build_registry(db)
    rid = rounds.create_round(db, "九月", "2025-09-14")
    a, b, c = rounds.round_targets(db, rid)[:3]
    rounds.set_review_state(db, c.id, "未检查", "网站已关停")
    assert rounds.mark_checked(db, [a.id, a.id, b.id, c.id], "人工复核") == [a.id, b.id]
    assert rounds.mark_checked(db, [a.id], "再次") == []                      # already 已检查: nothing to do
    states = {t.id: (t.review_state, t.review_note) for t in rounds.round_targets(db, rid)}
    assert states[a.id] == ("已检查", "") and states[c.id] == ("未检查", "网站已关停")
    entry = audit.entries(db, "round_targets", a.id)[-1]
    assert entry["action"] == "review" and entry["new"]["why"] == "人工复核"


def test_manual_and_imported_findings_mark_their_target_checked_automatic_ones_do_not(db, tmp_path):
    build_registry(db)
    rid = rounds.create_round(db, "九月", "2025-09-14")
    t = rounds.round_targets(db, rid, "site")
    findings.add_finding(db, rid, t[0].id, "web.ded.publish.accuracy", source="自动")
    findings.add_finding(db, rid, t[1].id, "web.ded.publish.accuracy", source="人工")
    path = write_csv(tmp_path / "f.csv", ["网站标识码", "指标", "问题描述"],
                     [[t[2].target_key, "web.ded.publish.accuracy", "导入的问题"]])
    assert finding_io.import_findings(db, rid, path).ok
    states = [x.review_state for x in rounds.round_targets(db, rid, "site")[:4]]
    assert states == ["待检查", "已检查", "已检查", "待检查"]


def test_census_choices_are_what_a_census_takes(db, reg):
    """Every name offered for a census (分组, 级别, 地区 in 排序 order, then 网站类别) with the number of
    running targets it takes; a region named like its own group is offered once."""
    db.conn.execute("UPDATE regions SET group_name = '区县', level = '县' WHERE name IN ('东湖区', '临川县')")
    db.conn.execute("UPDATE regions SET group_name = '白马乡', level = '乡' WHERE name = '白马乡'")
    db.conn.execute("UPDATE regions SET sort_order = CASE name WHEN '临川县' THEN 1 WHEN '东湖区' THEN 2 ELSE 3 END")
    db.conn.execute("UPDATE sites SET category = '县级门户(含开发区/高新区)' WHERE site_code = '3699020001'")
    sites = rounds.census_choices(db, "site", "2025-06-30")
    assert [(c.term, c.what, c.count) for c in sites] == [
        ("区县", "分组", 15), ("白马乡", "分组", 1), ("县", "级别", 15), ("乡", "级别", 1), ("临川县", "地区", 5),
        ("东湖区", "地区", 10), ("县级部门网站", "网站类别", 15), ("县级门户(含开发区/高新区)", "网站类别", 1)]
    accounts = rounds.census_choices(db, "account", "2025-06-30")
    assert [c.term for c in accounts] == ["区县", "白马乡", "县", "乡", "临川县", "东湖区"]     # no 网站类别
    for kind, choices in (("site", sites), ("account", accounts)):
        for c in choices:
            scope = {"census_sites": c.term} if kind == "site" else {"census_accounts": c.term}
            plan = rounds.preview_sample(db, "2025-06-30", seed=1, **scope)
            assert plan.count(kind) == c.count, c
