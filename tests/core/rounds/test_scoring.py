"""Scoring rules and boundaries on a small, fully verified profile (plus the national one)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.rounds import profiles as pf
from app.core.rounds.scoring import (FindingInput as F, ScoredTarget, Scorer, TargetSpec, pass_rate, score_target,
                              summarize)

SITE = TargetSpec("site", is_portal=False, has_external_service=True)
PORTAL = TargetSpec("site", is_portal=True, has_external_service=True)
NO_SERVICE = TargetSpec("site", is_portal=True, has_external_service=False)


def _item(id, kind, level, points=None, per=None, verified=True, children=(), **kw):
    d = {"id": id, "name": kw.pop("name", id), "kind": kind, "level": level, "verified": verified, **kw}
    if points is not None:
        d["points"] = points
    if per is not None:
        d["per_occurrence"] = per
    if children:
        d["children"] = list(children)
    return d


def _rule(value, verified=True):
    return {"value": value, "verified": verified}


def mini_dict(target_type="site") -> dict:
    return {
        "id": "mini", "version": "1", "name": "测试规则集", "target_type": target_type, "set_id": "mini",
        "items": [
            _item("v", "veto", 0, children=[
                _item("v.a", "veto", 1, name="站点无法访问", children=[_item("v.a.c1", "veto", 2, name="条款一")]),
                _item("v.b", "veto", 1, name="栏目不更新"),
            ]),
            _item("d", "deduction", 0, points=100, name="扣分指标", children=[
                _item("d.a", "deduction", 1, points=40, children=[
                    _item("d.a.x", "deduction", 2, points=20, per=5),
                    _item("d.a.y", "deduction", 2, points=30, per=10),
                ]),
                _item("d.svc", "deduction", 1, points=25, name="办事服务", children=[
                    _item("d.svc.g", "deduction", 2, points=25, per=5),
                ]),
                _item("d.b", "deduction", 1, points=35, children=[
                    _item("d.b.z", "deduction", 2, points=10, per=2),
                    _item("d.b.w", "deduction", 2, points=25, per=1, verified=False),
                    _item("d.b.n", "deduction", 2, points=5),
                ]),
            ]),
            _item("b", "bonus", 0, points=30, children=[
                _item("b.x", "bonus", 1, points=20, per=10),
                _item("b.y", "bonus", 1, points=30, per=15),
            ]),
            _item("g", "group", 0, children=[_item("g.typo", "group", 1, name="一般错别字")]),
        ],
        "scoring": {
            "veto_short_circuit": _rule(True), "veto_score": _rule(None), "fail_below": _rule(60),
            "bonus_above": _rule(80), "bonus_portals_only": _rule(True), "score_decimals": _rule(2),
            "no_external_service": _rule({"excluded_items": ["d.svc"], "base_points": 75,
                                          "multiplier_numerator": 4, "multiplier_denominator": 3}),
            "no_double_deduction": _rule([{"id": "cols", "name": "栏目", "items": ["d.a.x", "d.b.z"]}]),
        },
    }


@pytest.fixture(scope="module")
def mini() -> pf.Profile:
    return pf.from_dict(mini_dict())


def score(profile, target, *findings):
    return score_target(profile, target, list(findings))


def test_no_findings_full_marks(mini):
    s = score(mini, PORTAL)
    assert (s.passed, s.result, s.deduction_score, s.bonus_score, s.final_score) == (True, "合格", 100, 0, 100)
    assert s.veto_ids == () and s.deductions == () and not s.unverified_used


@pytest.mark.parametrize("second, passed", [(10.01, False), (10, True)])
def test_fail_boundary_59_99_and_60(mini, second, passed):
    s = score(mini, SITE, F("d.a", deduct=30), F("d.b", deduct=second))
    assert s.deduction_score == (59.99 if not passed else 60)
    assert s.passed is passed
    assert s.result == ("合格" if passed else "不合格")


@pytest.mark.parametrize("deduct, bonus", [(20, 0), (19.99, 10)])
def test_bonus_boundary_80_and_80_01(mini, deduct, bonus):
    s = score(mini, PORTAL, F("d.a", deduct=deduct), F("b.x"))
    assert s.bonus_score == bonus
    assert s.final_score == pytest.approx(100 - deduct + bonus)
    if not bonus:
        assert any("未高于80" in n for n in s.notes)


def test_bonus_only_for_portals(mini):
    s = score(mini, SITE, F("b.x"))
    assert s.deduction_score == 100 and s.bonus_score == 0 and s.final_score == 100
    assert any("门户" in n for n in s.notes)
    assert score(mini, PORTAL, F("b.x")).final_score == 110


def test_bonus_item_and_part_caps(mini):
    s = score(mini, PORTAL, F("b.x", count=3), F("b.y", count=2))
    lines = {d.indicator_id: d for d in s.deductions}
    assert lines["b.x"].points == 20 and "上限20" in lines["b.x"].explanation
    assert lines["b.y"].points == 30
    assert s.bonus_score == 30 and s.final_score == 130


def test_item_cap(mini):
    s = score(mini, SITE, F("d.a.x", count=10))
    line = next(d for d in s.deductions if d.indicator_id == "d.a.x")
    assert line.points == 20 and "超过单项上限20分" in line.explanation
    assert s.deduction_score == 80


def test_first_level_cap(mini):
    s = score(mini, SITE, F("d.a.x", count=4), F("d.a.y", count=3))   # 20 + 30 > 40
    assert s.deduction_score == 60
    cap = next(d for d in s.deductions if d.role == "cap")
    assert cap.indicator_id == "d.a" and cap.points == 40 and "超过该项分值40分" in cap.explanation
    assert dict(s.totals)["d.a"] == 40


def test_score_never_below_zero(mini):
    s = score(mini, SITE, *(F(i, deduct=1000) for i in ("d.a", "d.svc", "d.b", "d.a.x", "d.b.w")))
    assert s.deduction_score == 0 and s.final_score == 0 and not s.passed


def test_no_external_service_scaling(mini):
    s = score(mini, NO_SERVICE, F("d.svc.g", count=2), F("d.a.x", count=3))   # service ignored; (75-15)*4/3
    assert s.scaled and s.deduction_score == 80 and s.bonus_score == 0
    assert any(d.indicator_id == "d.svc.g" and d.role == "note" for d in s.deductions)
    assert any("4/3" in n for n in s.notes)
    assert score(mini, NO_SERVICE).deduction_score == 100
    assert score(mini, NO_SERVICE, F("d.a", deduct=10)).deduction_score == 86.67    # 65 * 4/3 = 86.666…


@pytest.mark.parametrize("deduct, expected, passed", [(30, 60, True), (30.01, 59.99, False), (15, 80, True)])
def test_thresholds_apply_to_scaled_value(mini, deduct, expected, passed):
    s = score(mini, NO_SERVICE, F("d.a", deduct=deduct), F("b.x"))
    assert s.deduction_score == expected and s.passed is passed and s.bonus_score == 0


def test_scaled_bonus_above_80(mini):
    s = score(mini, NO_SERVICE, F("d.a", deduct=14.99), F("b.x"))   # 60.01 * 4/3 = 80.0133
    assert s.deduction_score == 80.01 and s.bonus_score == 10


def test_scaled_base_caps_total(mini):
    s = score(mini, NO_SERVICE, F("d.a", deduct=40), F("d.b", deduct=35))
    assert s.deduction_score == 0


def test_veto_dominates(mini):
    s = score(mini, PORTAL, F("v.a.c1"), F("b.x"))
    assert (s.passed, s.result, s.veto_ids) == (False, "不合格", ("v.a",))
    assert s.deduction_score is s.bonus_score is s.final_score is None
    veto = s.deductions[0]
    assert veto.role == "veto" and "站点无法访问" in veto.explanation and "条款一" in veto.explanation


def test_veto_score_rule(mini):
    data = mini_dict()
    data["scoring"]["veto_score"] = _rule(59)
    s = score(pf.from_dict(data), SITE, F("v.b"))
    assert not s.passed and s.final_score == 59


@pytest.mark.parametrize("status", ["待审核", "误报", "存疑"])
def test_unconfirmed_findings_ignored(mini, status):
    s = score(mini, SITE, F("v.a", status=status), F("d.a.x", count=3, status=status))
    assert s.passed and s.deduction_score == 100 and s.deductions == ()


def test_no_double_deduction_keeps_largest(mini):
    s = score(mini, SITE, F("d.a.x"), F("d.b.z", count=2))      # 5 vs 4 in one group
    assert s.deduction_score == 95
    z = next(d for d in s.deductions if d.indicator_id == "d.b.z")
    assert z.points == 0 and "不重复扣分" in z.explanation
    s = score(mini, SITE, F("d.a.x"), F("d.b.z", count=3))      # 5 vs 6
    assert s.deduction_score == 94


def test_unverified_flag(mini):
    assert score(mini, SITE, F("d.b.w", count=2)).unverified_used                 # per-occurrence used
    assert not score(mini, SITE, F("d.b.w", count=2, deduct=1.5)).unverified_used  # override, cap not reached
    assert not score(mini, SITE, F("d.a.x")).unverified_used
    data = mini_dict()
    data["scoring"]["fail_below"] = _rule(60, verified=False)
    assert score(pf.from_dict(data), SITE).unverified_used
    data = mini_dict()
    data["scoring"]["score_decimals"] = _rule(2, verified=False)
    assert not score(pf.from_dict(data), NO_SERVICE, F("d.a", deduct=15)).unverified_used   # exactly 80
    assert score(pf.from_dict(data), NO_SERVICE, F("d.a", deduct=10)).unverified_used       # 86.666… rounded


def test_unknown_group_and_unscorable_items(mini):
    s = score(mini, SITE, F("nope.x"), F("g.typo", count=2), F("d.b.n"))
    assert s.deduction_score == 100
    assert any("nope.x" in n for n in s.notes)
    roles = {d.indicator_id: d.role for d in s.deductions}
    assert roles == {"g.typo": "note", "d.b.n": "note"}
    assert score(mini, SITE, F("d.b.n", deduct=2)).deduction_score == 98


def test_negative_inputs_are_clamped(mini):
    s = score(mini, SITE, F("d.a.x", count=-3), F("d.a.y", deduct=-5))
    assert s.deduction_score == 100


def test_accounts_veto_only_under_national():
    media = pf.builtin_profiles()["national-2019-media"]
    account = TargetSpec("account")
    ok = score(media, account, F("nm.issue.typo", count=3))
    assert ok.passed and ok.result == "合格" and ok.final_score is None and ok.deduction_score is None
    bad = score(media, account, F("nm.veto.not_updated"))
    assert not bad.passed and bad.veto_ids == ("nm.veto.not_updated",)


def test_accounts_scored_when_profile_has_deduction_part():
    profile = pf.from_dict(mini_dict("account"))
    s = score(profile, TargetSpec("account"), F("d.a.x", count=2))
    assert s.deduction_score == 90 and s.passed


def test_national_web_profile_scores():
    web = pf.builtin_profiles()["national-2019-web"]
    s = score(web, SITE, F("web.ded.publish.policy_docs.r1"), F("web.ded.service.stats.r1"),
              F("web.ded.interaction.messages.r1"))
    assert s.deduction_score == 90   # the three confirmed S05 figures: 5 + 2 + 3
    assert s.deductions and all("分" in d.explanation for d in s.deductions)
    veto = score(web, SITE, F("web.veto.unreachable.c1"))
    assert veto.veto_ids == ("web.veto.unreachable",)


def test_scorer_reusable(mini):
    scorer = Scorer(mini)
    assert scorer.score(SITE, [F("d.a.x")]).final_score == 95
    assert scorer.score(SITE, []).final_score == 100


# ---------------------------------------------------------------- rates and summary

@pytest.mark.parametrize("passed, checked, rate", [
    (3718, 3722, "99.89"), (509, 510, "99.80"), (2702, 2705, "99.89"), (54, 54, "100.00"),
    (1, 3, "33.33"), (2, 3, "66.67"), (1, 800, "0.13"), (7, 800, "0.88"), (0, 5, "0.00"),
])
def test_pass_rate_half_up(passed, checked, rate):
    assert pass_rate(passed, checked) == Decimal(rate)
    assert str(pass_rate(passed, checked)) == rate


def test_pass_rate_nothing_checked():
    assert pass_rate(0, 0) is None


def _t(key, ttype, region, state, s, category="", platform=""):
    return ScoredTarget(key, key, ttype, region, category, platform, state, s)


def test_summarize(mini):
    media = pf.builtin_profiles()["national-2019-media"]
    good = score(mini, SITE)
    low = score(mini, SITE, F("d.a", deduct=40), F("d.b", deduct=35))
    veto = score(mini, SITE, F("v.b"))
    acc_ok = score(media, TargetSpec("account"))
    acc_bad = score(media, TargetSpec("account"), F("nm.veto.security.c1"))
    targets = [
        _t("s1", "site", "甲市", "已检查", good, "市级门户"),
        _t("s2", "site", "甲市", "待检查", low, "市级部门网站"),
        _t("s3", "site", "乙市", "已检查", veto, "市级部门网站"),
        _t("s4", "site", "乙市", "未检查", veto, "市级部门网站"),
        _t("s5", "site", "", "已检查", good, "乡镇街道网站"),
        _t("微信公众号:甲", "account", "甲市", "已检查", acc_ok, platform="微信公众号"),
        _t("新浪微博:乙", "account", "乙市", "已检查", acc_bad, platform="新浪微博"),
        _t("抖音:丙", "account", "乙市", "未检查", acc_bad, platform="抖音"),
    ]
    summary = summarize(targets)
    sites, accounts = summary.sites, summary.accounts
    # Only 已检查 targets count: s2 (待检查, never crawled nor reviewed) and s4 (未检查) stay out.
    assert (sites.total, sites.overall.checked, sites.overall.passed, sites.overall.failed) == (5, 3, 2, 1)
    assert sites.overall.outstanding == 1 and sites.overall.pass_rate == Decimal("66.67")
    assert sites.not_checked == ("s4",) and sites.pending == ("s2",)
    assert sites.coverage == "检查 5 个中的 3 个" and not sites.complete
    assert sites.by_region["甲市"].checked == 1 and sites.by_region["甲市"].passed == 1
    assert sites.by_region["乙市"].checked == 1 and sites.by_region["乙市"].pass_rate == Decimal("0.00")
    assert sites.by_region["未填地区"].passed == 1
    assert sites.by_category["市级部门网站"].checked == 1 and sites.by_category["市级部门网站"].failed == 1
    assert sites.by_platform == {}
    assert (accounts.overall.checked, accounts.overall.passed, accounts.overall.outstanding) == (2, 1, 1)
    assert accounts.not_checked == ("抖音:丙",) and accounts.pending == () and accounts.complete
    assert set(accounts.by_platform) == {"微信公众号", "新浪微博"}
    assert accounts.by_region["乙市"].pass_rate == Decimal("0.00")
