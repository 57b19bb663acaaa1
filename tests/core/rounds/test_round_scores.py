"""score_round against a small hand-built round, and the ``score`` CLI in both forms."""
from __future__ import annotations

import json

import pytest

from app.cli.main import main
from app.core.store import db as dbm
from app.core.rounds import profiles as pf
from app.core.errors import GovInspectError
from app.core.rounds.round_scores import score_round, to_document

from sitesetup import db_file as built_db_file

NOW = "2025-06-30 10:00:00"
SITES = [  # id, code, name, region, category, portal, service, review
    (1, "4401000001", "甲市人民政府", "甲市", "市级门户", 1, 1, "已检查"),
    (2, "4401000002", "甲市教育局", "甲市", "市级部门网站", 0, 1, "已检查"),
    (3, "4402000001", "乙市人民政府", "乙市", "市级门户", 1, 1, "已检查"),
    (4, "4402000002", "乙市档案局", "乙市", "市级部门网站", 0, 0, "已检查"),
    (5, "4402000003", "乙市统计局", "乙市", "市级部门网站", 0, 1, "未检查"),
    (6, "4402000004", "乙市水务局", "乙市", "市级部门网站", 0, 1, "待检查"),    # never checked: out of the rates
]
ACCOUNTS = [  # id, platform, name, region, review
    (1, "微信公众号", "甲市发布", "甲市", "已检查"),
    (2, "新浪微博", "甲市教育", "甲市", "已检查"),
    (3, "抖音", "乙市发布", "乙市", "已检查"),
]
FINDINGS = [  # target id, indicator, status, count, deduct
    (1, "web.ded.publish.policy_docs.r1", "确认", 1, None),
    (1, "web.bonus.innovation", "确认", 2, None),                 # portal, 95 > 80 -> +10
    (2, "web.veto.unreachable.c1", "确认", 1, None),              # veto
    (2, "web.ded.function.availability", "确认", 4, None),
    (3, "web.ded.publish", "确认", 1, 25),                         # 25 + 20 -> 55, fails
    (3, "web.ded.function", "确认", 1, 20),
    (3, "web.veto.security.c1", "误报", 1, None),                 # ignored
    (4, "web.ded.service.guide", "确认", 5, None),                # no external service: skipped
    (4, "web.ded.interaction.messages.r1", "确认", 1, None),      # (75 - 3) * 4/3 = 96
    (5, "web.veto.home_not_updated", "确认", 1, None),            # 未检查: excluded from rates
    (102, "nm.veto.not_updated.c1", "确认", 1, None),
    (101, "nm.issue.typo", "确认", 2, None),
    (103, "nm.veto.security", "待审核", 1, None),
]


def populate(db, *, snapshot: bool = True) -> int:
    conn = db.conn
    with dbm.transaction(db):
        for sid, code, name, *_ in SITES:
            conn.execute("INSERT INTO sites(id, site_code, name, url, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (sid, code, name, f"http://{code}.gov.cn/", NOW, NOW))
        for aid, platform, name, *_ in ACCOUNTS:
            conn.execute("INSERT INTO accounts(id, name, platform, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                         (aid, name, platform, NOW, NOW))
        text, version = pf.round_snapshot(db, "national-2019") if snapshot else (None, "")
        conn.execute("INSERT INTO rounds(id, name, kind, as_of, profile_id, profile_version, profile_snapshot, "
                     "created_at) VALUES (7, '2025年第二季度检查', '季度', '2025-06-25', 'national-2019', ?, ?, ?)",
                     (version, text, NOW))
        for sid, code, name, region, category, portal, service, review in SITES:
            conn.execute("INSERT INTO round_targets(id, round_id, target_type, site_id, target_key, name, category, "
                         "is_portal, has_external_service, region_name, review_state, sort_order) "
                         "VALUES (?, 7, 'site', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (sid, sid, code, name, category, portal, service, region, review, sid))
        for aid, platform, name, region, review in ACCOUNTS:
            conn.execute("INSERT INTO round_targets(id, round_id, target_type, account_id, target_key, name, platform, "
                         "region_name, review_state, sort_order) VALUES (?, 7, 'account', ?, ?, ?, ?, ?, ?, ?)",
                         (100 + aid, aid, f"{platform}:{name}", name, platform, region, review, aid))
        conn.executemany("INSERT INTO findings(round_id, target_id, indicator_id, status, count, deduct, detected_at) "
                         "VALUES (7, ?, ?, ?, ?, ?, ?)", [(*f, NOW) for f in FINDINGS])
    return 7


@pytest.fixture
def db():
    database = dbm.memory()
    yield database
    database.close()


@pytest.mark.parametrize("snapshot", [True, False])
def test_score_round(db, snapshot):
    scores = score_round(db, populate(db, snapshot=snapshot))
    by_key = {t.key: t.score for t in scores.targets}
    assert [t.target_type for t in scores.targets] == ["site"] * 6 + ["account"] * 3
    assert (by_key["4401000001"].deduction_score, by_key["4401000001"].bonus_score,
            by_key["4401000001"].final_score) == (95, 10, 105)
    assert by_key["4401000002"].veto_ids == ("web.veto.unreachable",) and not by_key["4401000002"].passed
    assert by_key["4402000001"].deduction_score == 55 and by_key["4402000001"].result == "不合格"
    assert by_key["4402000002"].scaled and by_key["4402000002"].deduction_score == 96
    assert by_key["新浪微博:甲市教育"].veto_ids == ("nm.veto.not_updated",)
    assert by_key["微信公众号:甲市发布"].passed and by_key["抖音:乙市发布"].passed
    sites, accounts = scores.summary.sites, scores.summary.accounts
    assert (sites.overall.checked, sites.overall.passed, sites.overall.failed) == (4, 2, 2)
    assert str(sites.overall.pass_rate) == "50.00" and sites.not_checked == ("4402000003",)
    assert sites.pending == ("4402000004",) and sites.coverage == "检查 6 个中的 4 个"
    assert sites.by_region["甲市"].passed == 1 and sites.by_region["乙市"].checked == 2
    assert (accounts.overall.checked, accounts.overall.passed) == (3, 2)
    assert str(accounts.overall.pass_rate) == "66.67"
    assert scores.profiles["site"].id == "national-2019-web"


def test_snapshot_wins_over_later_edits(db):
    round_id = populate(db)
    web = pf.builtin_profiles()["national-2019-web"]
    pf.save_profile(db, pf.edit_number(web, "web.ded.publish.policy_docs.r1", "per_occurrence", 1))
    frozen = score_round(db, round_id)
    assert {t.key: t.score for t in frozen.targets}["4401000001"].deduction_score == 95
    db.conn.execute("UPDATE rounds SET profile_snapshot = NULL WHERE id = ?", (round_id,))
    live = score_round(db, round_id)
    assert {t.key: t.score for t in live.targets}["4401000001"].deduction_score == 99


def test_unknown_round(db):
    with pytest.raises(GovInspectError, match="未找到检查轮次"):
        score_round(db, 999)


def test_document_keys(db):
    doc = to_document(score_round(db, populate(db)))
    assert set(doc) == {"round", "profiles", "unverified_used", "targets", "summary"}
    assert doc["round"]["id"] == 7 and doc["round"]["profile_id"] == "national-2019"
    target = doc["targets"][0]
    assert {"key", "name", "type", "region", "result", "final_score", "deduction_score", "bonus_score",
            "veto_ids", "deductions"} <= set(target)
    assert set(doc["summary"]) == {"sites", "accounts"}
    sites = doc["summary"]["sites"]
    assert {"checked", "passed", "failed", "pass_rate", "not_checked", "by_region"} <= set(sites)
    not_checked = next(t for t in doc["targets"] if t["key"] == "4402000003")
    assert not_checked["result"] == "未检查" and not_checked["final_score"] is None
    pending = next(t for t in doc["targets"] if t["key"] == "4402000004")
    assert pending["result"] == "待检查" and pending["passed"] is None
    assert (sites["pending"], sites["pending_keys"], sites["coverage"]) == (1, ["4402000004"], "检查 6 个中的 4 个")
    json.dumps(doc, ensure_ascii=False)


# ---------------------------------------------------------------- CLI

@pytest.fixture
def db_file(tmp_path):
    return built_db_file(tmp_path / "t.sqlite", populate)


def test_cli_json(db_file, capsys):
    assert main(["--db", str(db_file), "score", "7", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["round"]["name"] == "2025年第二季度检查"
    assert doc["summary"]["sites"]["pass_rate"] == 50.0
    assert doc["summary"]["accounts"]["pass_rate"] == 66.67
    assert doc["summary"]["sites"]["by_region"]["乙市"] == {
        "checked": 2, "passed": 1, "failed": 1, "outstanding": 1, "pass_rate": 50.0}
    portal = next(t for t in doc["targets"] if t["key"] == "4401000001")
    assert (portal["final_score"], portal["deduction_score"], portal["bonus_score"]) == (105.0, 95.0, 10.0)
    assert portal["deductions"][0]["indicator_id"] == "web.ded.publish.policy_docs.r1"
    account = next(t for t in doc["targets"] if t["key"] == "新浪微博:甲市教育")
    assert account["veto_ids"] == ["nm.veto.not_updated"] and account["final_score"] is None


def test_cli_human(db_file, capsys):
    assert main(["--db", str(db_file), "score", "2025年第二季度检查"]) == 0
    out = capsys.readouterr().out
    assert "甲市人民政府" in out and "105.00" in out and "不合格" in out
    assert "网站：共 6 个，检查 4 个，合格 2 个，不合格 2 个，合格率 50.00%" in out
    assert "待检查 1 个" in out and "待检查：4402000004" in out
    assert "政务新媒体：共 3 个，检查 3 个，合格 2 个，不合格 1 个，合格率 66.67%" in out
    assert "未检查：4402000003" in out


@pytest.mark.parametrize("ref", ["999", "没有这个轮次"])
def test_cli_unknown_round(db_file, capsys, ref):
    assert main(["--db", str(db_file), "score", ref]) != 0
    assert "未找到检查轮次" in capsys.readouterr().err
