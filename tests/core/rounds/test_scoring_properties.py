"""Property-based checks of the scorer on the shipped national-2019 profiles."""
from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.rounds import profiles as pf
from app.core.rounds.scoring import CONFIRMED, FindingInput, Scorer, TargetSpec

WEB = pf.builtin_profiles()["national-2019-web"]
MEDIA = pf.builtin_profiles()["national-2019-media"]
SCORER, MEDIA_SCORER = Scorer(WEB), Scorer(MEDIA)
DED_IDS = [i.id for i in WEB.part("deduction").walk()]
BONUS_IDS = [i.id for i in WEB.part("bonus").walk()]
VETO_IDS = [i.id for i in WEB.part("veto").walk() if i.level > 0]
DED_FULL, BONUS_FULL = WEB.part("deduction").points, WEB.part("bonus").points
ITEMS = {i.id: i for i in WEB.walk()}
STATUSES = [CONFIRMED, "待审核", "误报", "存疑"]

deducts = st.none() | st.integers(0, 3000).map(lambda x: x / 100)
targets = st.builds(TargetSpec, st.just("site"), st.booleans(), st.booleans())


def findings(ids, statuses=STATUSES):
    return st.builds(FindingInput, st.sampled_from(ids), st.integers(0, 12), deducts, st.sampled_from(statuses))


scored = st.lists(findings(DED_IDS + BONUS_IDS), max_size=40)
confirmed_deduction = findings(DED_IDS, [CONFIRMED])
SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(targets, scored)
def test_scores_within_bounds(target, fs):
    s = SCORER.score(target, fs)
    assert s.veto_ids == () and s.passed == (s.deduction_score >= 60)
    assert 0 <= s.deduction_score <= DED_FULL
    assert 0 <= s.bonus_score <= BONUS_FULL
    assert s.final_score == round(s.deduction_score + s.bonus_score, 2) <= DED_FULL + BONUS_FULL
    if s.bonus_score > 0:
        assert target.is_portal and s.deduction_score > 80


@SETTINGS
@given(targets, scored)
def test_caps_hold(target, fs):
    s = SCORER.score(target, fs)
    base = WEB.rule("no_external_service").value["base_points"]
    for item_id, total in s.totals:
        item = ITEMS[item_id]
        limit = base if (item.level == 0 and item.kind == "deduction" and s.scaled) else item.max_deduction
        if limit is not None:
            assert total <= limit, (item_id, total, limit)
    for line in s.deductions:
        cap = ITEMS[line.indicator_id].max_deduction
        if line.role in ("deduction", "bonus") and cap is not None:
            assert line.points <= cap


@SETTINGS
@given(targets, scored, confirmed_deduction)
def test_monotone_in_added_deductions(target, fs, extra):
    before, after = SCORER.score(target, fs), SCORER.score(target, fs + [extra])
    assert after.deduction_score <= before.deduction_score
    assert after.final_score <= before.final_score
    assert before.passed or not after.passed


@SETTINGS
@given(targets, scored, st.sampled_from(VETO_IDS))
def test_veto_dominates(target, fs, veto_id):
    s = SCORER.score(target, fs + [FindingInput(veto_id)])
    assert not s.passed and s.result == "不合格" and s.veto_ids
    assert s.final_score is None and s.deduction_score is None


@SETTINGS
@given(targets, scored)
def test_only_confirmed_findings_count(target, fs):
    confirmed = [f for f in fs if f.status == CONFIRMED]
    assert SCORER.score(target, fs) == SCORER.score(target, confirmed)


@SETTINGS
@given(targets, scored, st.randoms(use_true_random=False))
def test_order_does_not_matter(target, fs, rnd):
    shuffled = list(fs)
    rnd.shuffle(shuffled)
    assert SCORER.score(target, fs) == SCORER.score(target, shuffled)


@SETTINGS
@given(st.lists(findings([i.id for i in MEDIA.walk() if i.level > 0]), max_size=20))
def test_accounts_pass_unless_confirmed_veto(fs):
    s = MEDIA_SCORER.score(TargetSpec("account"), fs)
    vetoed = any(f.status == CONFIRMED and MEDIA.item(f.indicator_id).kind == "veto" for f in fs)
    assert s.passed is not vetoed and s.final_score is None


@SETTINGS
@given(scored)
def test_no_service_sites_ignore_service_findings(fs):
    target = TargetSpec("site", False, False)
    without = [f for f in fs if not f.indicator_id.startswith("web.ded.service")]
    a, b = SCORER.score(target, fs), SCORER.score(target, without)
    assert (a.deduction_score, a.final_score, a.passed) == (b.deduction_score, b.final_score, b.passed)
    assert replace(a, deductions=(), notes=()) == replace(b, deductions=(), notes=())


LEAN, LEAN_MEDIA = Scorer(WEB, explain=False), Scorer(MEDIA, explain=False)
MEDIA_IDS = [i.id for i in MEDIA.walk() if i.level > 0]


@SETTINGS
@given(targets, st.lists(findings(DED_IDS + BONUS_IDS + VETO_IDS), max_size=40),
       st.lists(findings(MEDIA_IDS), max_size=12))
def test_scoring_without_explanations_gives_the_same_results(target, fs, media):
    """The 总览 scores a round without explanation lines: every result and figure stays the same."""
    for full, lean, spec, items in ((SCORER, LEAN, target, fs), (MEDIA_SCORER, LEAN_MEDIA, TargetSpec("account"), media)):
        a, b = full.score(spec, items), lean.score(spec, items)
        assert b.deductions == ()
        assert replace(a, deductions=()) == b
