"""Models of the rounds, review and profiles pages: Qt's model tester, filters, sorting, row updates."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.rounds import findings, profiles, rounds
from app.ui.table_models.findings_queue_model import FindingsQueueModel, QueueColumn
from app.ui.table_models.node_tree_model import KEY_ROLE, NodeTreeModel, TreeNode
from app.ui.table_models.params_model import ParamsTableModel
from app.ui.table_models.rounds_model import RoundsTableModel, TargetColumn, TargetsFilterProxy, TargetsTableModel
from app.ui.widgets.scorecard import Scorecard

from scoresetup import PORTAL, round_with_findings, target_id


def _names(db, rid):
    return {i: ind.name for i, ind in findings.IndicatorIndex.for_round(db, rid).by_id.items()}


def test_findings_queue_model(qtmodeltester, filled_db):
    db = filled_db
    rid, ids = round_with_findings(db)
    model = FindingsQueueModel()
    model.set_queue(findings.review_queue(db, rid), _names(db, rid), {"typo": "错别字"})
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and model.columnCount() == len(QueueColumn)
    assert [model.finding_id(r) for r in range(3)] == [ids["typo"], ids["broken"], ids["veto"]]
    assert model.index(0, QueueColumn.TARGET).data() == "东湖区人民政府"
    assert model.index(0, QueueColumn.KIND).data() == "错别字"
    assert model.index(0, QueueColumn.INDICATOR).data().startswith("内容准确性")
    assert model.index(4, QueueColumn.TYPE).data() == "新媒体"

    model.set_filter("target_type", "account")
    assert [model.finding_id(r) for r in range(model.rowCount())] == [ids["account"]]
    model.set_filter("target_type", None)
    model.set_filter("kind", "typo")
    assert model.rowCount() == 2 and model.is_filtered
    model.set_filter("kind", None)
    model.set_search("布署")
    assert [model.finding_id(r) for r in range(model.rowCount())] == [ids["second"]]
    model.set_search("")
    qtmodeltester.check(model)

    findings.set_status(db, [ids["veto"]], "确认")
    missing = model.update_rows(findings.review_rows(db, finding_ids=[ids["veto"], 999]))
    assert missing == [] and model.index(2, QueueColumn.STATUS).data() == "确认"
    assert model.counts["确认"] == 1 and model.counts["待审核"] == 4
    model.set_filter("status", "确认")
    assert [model.finding_id(r) for r in range(model.rowCount())] == [ids["veto"]]
    model.set_filter("status", None)

    model.sort(QueueColumn.COUNT, Qt.SortOrder.DescendingOrder)
    assert model.finding_id(0) == ids["broken"]
    model.sort(-1)
    assert model.finding_id(0) == ids["typo"]
    qtmodeltester.check(model)


def test_round_and_target_models(qtmodeltester, filled_db):
    rid, _ids = round_with_findings(filled_db)
    model = RoundsTableModel()
    model.set_rounds(rounds.list_rounds(filled_db))
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "六月检查"
    assert model.index(0, 4).data() == "6" and model.index(0, 5).data() == "4"   # one site is 关停
    assert model.index(0, 6).data() == "5（确认 0）" and model.index(0, 7).data() == "进行中"

    targets = TargetsTableModel()
    targets.set_targets(rounds.round_targets(filled_db, rid))
    proxy = TargetsFilterProxy()
    proxy.setSourceModel(targets)
    qtmodeltester.check(targets)
    qtmodeltester.check(proxy)
    proxy.set_filters("account", None, "")
    assert proxy.rowCount() == 4
    proxy.set_filters(None, None, "教育")
    assert proxy.rowCount() == 3        # two 教育局 sites and the 东湖教育 account
    rounds.set_review_state(filled_db, target_id(filled_db, rid, PORTAL), "未检查", "无法访问")
    targets.replace_target(rounds.get_target(filled_db, target_id(filled_db, rid, PORTAL)))
    proxy.set_filters(None, "未检查", "")
    assert proxy.rowCount() == 1 and proxy.index(0, TargetColumn.NOTE).data() == "无法访问"


def test_tree_and_params_models(qtmodeltester, filled_db):
    rid, ids = round_with_findings(filled_db)
    findings.set_status(filled_db, [ids["typo"]], "确认")
    card = Scorecard()
    card.set_profiles(profiles.profile_set(filled_db, "national-2019"))
    portal = rounds.get_target(filled_db, target_id(filled_db, rid, PORTAL))
    card.show_target(portal, findings.list_findings(filled_db, rid, target_id=portal.id))
    qtmodeltester.check(card.model)
    index = card.model.index_for_key(ids["typo"])
    assert index.isValid() and index.parent().data(KEY_ROLE) == "web.ded.publish.accuracy"
    assert card.score.final_score == 99.5 and card.badge.text() == "合格"

    plain = NodeTreeModel(("a", "b"))
    root = TreeNode(("根", "1"), key="r")
    root.add(TreeNode(("子", "2"), key="c")).add(TreeNode(("孙", "3"), key="g"))
    plain.set_roots([root, TreeNode(("另一个", ""), key="o")])
    qtmodeltester.check(plain)
    assert plain.index_for_key("g").parent().parent().data() == "根"

    params = ParamsTableModel()
    params.set_params({"window_days": 14, "types": ["a", "b"]})
    qtmodeltester.check(params)
    assert params.setData(params.index(0, 1), "21")
    params.add_row()
    params.setData(params.index(2, 0), "note")
    params.setData(params.index(2, 1), "文字")
    assert params.params() == {"window_days": 21, "types": ["a", "b"], "note": "文字"}
    params.remove_row(1)
    assert list(params.params()) == ["window_days", "note"]
