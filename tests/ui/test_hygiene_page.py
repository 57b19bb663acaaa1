"""名录规范: the report grouped by rule (run on a worker, with a discovery list), file problems, the
jump to the record on the 新媒体 page, and 写入检查轮次."""
from __future__ import annotations

import csv

import pytest

from app.core.rounds import findings, rounds
from app.core.registry import registry
from app.ui.pages import PAGES

AS_OF = "2025-07-01"


def acc(db, name, platform="微信公众号", unit="江州市统计局", **over) -> int:
    raw = {"name": name, "platform": platform, "host_unit": unit, "region": "市直部门", "opened_on": "2020-01-01",
           **over}
    return registry.add_record(db, "account", raw, who="t")


def site(db, name, url, code, unit="江州市统计局") -> int:
    raw = {"name": name, "site_code": code, "url": url, "host_unit": unit, "region": "市直部门",
           "category": "市级部门网站", "opened_on": "2015-01-01"}
    return registry.add_record(db, "site", raw, who="t")


def discovery(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["平台", "账号名称", "账号ID", "主体"])
        w.writerows(rows)
    return path


@pytest.fixture
def win(qtbot, db, db_path, settings):
    from app.ui.main_window import MainWindow
    ids = {"twin1": acc(db, "江州统计"), "twin2": acc(db, "江州统计发布"),
           "owner": acc(db, "江州发改", unit="江州市发展改革委", certified_owner="江州市发改局"),
           "ok": acc(db, "江州教育", platform="抖音", unit="江州市教育局")}
    ids["com"] = site(db, "江州统计网", "http://www.jztj.example.com/", "3699010001")
    site(db, "江州教育网", "http://jyj.jz.gov.cn/", "3699010002", unit="江州市教育局")
    keys = ("sites", "accounts", "hygiene")
    specs = [s for s in PAGES if s.key in keys]        # the real entries, without the other pages
    w = MainWindow(db, db_path, settings, pages=specs)
    qtbot.addWidget(w)
    w.show()
    w.show_page("hygiene")
    w.ids = ids
    return w


def run(qtbot, page, discovered=None):
    page.as_of.setText(AS_OF)
    page.discovered.setText(str(discovered or ""))
    with qtbot.waitSignal(page.report_ready, timeout=10000) as blocker:
        page.run_check()
    return blocker.args[0]


def test_report_grouped_by_rule_and_jump_to_the_record(win, qtbot, tmp_path):
    page = win.pages["hygiene"]
    path = discovery(tmp_path / "found.csv", [["微信", "江州统计", "", "江州市统计局"],       # known
                                              ["抖音", "江州数据", "", "江州市统计局"]])      # not in the registry
    report = run(qtbot, page, path)
    assert report.ok
    counts = page.rule_counts()
    assert counts["全部问题"] == 5
    assert (counts["同一平台多个账号"], counts["未备案开设"], counts["账号主体与主办单位不一致"],
            counts["网站域名不在 .gov.cn/.政务 下"], counts["注销或关停后仍在发布"]) == (2, 1, 1, 1, 0)
    assert page.issue_proxy.rowCount() == 5
    page.select_rule("multi_account")
    names = sorted(page.issue_proxy.index(r, 1).data() for r in range(page.issue_proxy.rowCount()))
    assert names == ["江州统计", "江州统计发布"]
    assert page.issue_title.text() == "同一平台多个账号：2 条"

    # Double-click → the record on the 新媒体 page.
    issue = page.issue_model.record(page.issue_proxy.mapToSource(page.issue_proxy.index(0, 0)).row())
    assert page.open_issue(issue)
    assert win.current_page_key() == "accounts"
    assert win.pages["accounts"].selected_id() == issue.record_id
    # An account the registry does not hold: its details instead.
    win.show_page("hygiene")
    unfiled = next(i for i in report.issues if i.rule == "unfiled")
    assert not page.open_issue(unfiled)
    assert "江州数据" in page.details_box.text() and win.current_page_key() == "hygiene"
    page.details_box.close()


def test_report_models_pass_qt_checks(win, qtbot, qtmodeltester):
    page = win.pages["hygiene"]
    run(qtbot, page)
    qtmodeltester.check(page.rules_model)
    qtmodeltester.check(page.issue_model)
    qtmodeltester.check(page.issue_proxy)


def test_bad_discovery_file_reports_problems_only(win, qtbot, tmp_path):
    page = win.pages["hygiene"]
    path = discovery(tmp_path / "bad.csv", [["微信", "江州统计", "", ""], ["火星号", "x", "", ""]])
    report = run(qtbot, page, path)
    assert not report.ok and page.report is None
    dialog = page.problems_dialog
    assert "未进行检查" in dialog.banner.text() and [r[0] for r in dialog.rows()] == [3]
    dialog.reject()


def test_record_findings_into_a_round(win, qtbot, db):
    page = win.pages["hygiene"]
    rid = rounds.create_round(db, "七月检查", AS_OF, who="t")
    page.round_combo.reload()
    assert page.round_combo.round_id() == rid
    run(qtbot, page)
    with qtbot.waitSignal(page.findings_recorded, timeout=10000) as blocker:
        page.record_into_round()
    result = blocker.args[0]
    found = findings.list_findings(db, rid)
    # The national profile has an item for the domain only; account-management issues are listed as skipped.
    assert [(f.kind, f.status, f.source) for f in found] == [("hygiene.non_gov_domain", "待审核", "自动")]
    assert len(result.added) == 1 and len(result.skipped) == 3
    assert "新增 1 个" in page.message.text() and page.problems_dialog is not None
    assert len(page.problems_dialog.rows()) == 3
    page.problems_dialog.reject()
