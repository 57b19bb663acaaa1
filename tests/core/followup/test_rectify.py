"""整改: notices per unit with working-day deadlines, item status, 复核 against local fixture sites,
回头看 pick-up, manual 复核, and the 台账/通知单 exports."""
import openpyxl
import pytest
from docx import Document

from app.core.rounds import findings, rounds
from app.core.crawl import linkcheck
from app.core.followup import rectify
from app.core.registry import registry
from app.core.errors import ValidationError

from mediasetup import confirmed, fast_fetcher, make_round, refused_url, site_server, target

AS_OF = "2025-08-14"
PAGE_WITH_TYPO = "<html><body><p>热烈庆祝中国入民代表大会召开</p></body></html>"
PAGE_FIXED = "<html><body><p>热烈庆祝中国人民代表大会召开</p></body></html>"


def test_notices_per_unit_with_working_day_deadline(db):
    rid = make_round(db, AS_OF)
    f1 = confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url="http://a/x")
    f2 = confirmed(db, rid, "新浪微博:东湖区发布1", "nm.issue.typo", detail="错别字")
    f3 = confirmed(db, rid, "3699020002", "web.ded.publish.accuracy", detail="错别字")
    findings.add_finding(db, rid, target(db, rid, "3699020003"), "web.ded.publish.accuracy", who="t")  # 待审核
    # Issued Friday 2025-09-26; 10 working days across National Day (9-28 and 10-11 are working days).
    result = rectify.create_notices(db, rid, issued_on="2025-09-26", days=10, who="t")
    assert (result.created, result.items_added) == (2, 3)
    notices = {n.unit_name: n for n in result.notices}
    assert sorted(notices) == ["东湖区单位1", "东湖区单位2"]
    n1 = notices["东湖区单位1"]
    assert (n1.issued_on, n1.deadline) == ("2025-09-26", "2025-10-16")
    assert sorted(i.finding_id for i in n1.items) == sorted([f1, f2])
    assert all(i.status == "待整改" and i.open for i in n1.items)
    assert [i.finding_id for i in notices["东湖区单位2"].items] == [f3]
    # Again, after one more confirmation: the new item joins the unit's notice; nothing doubles.
    f4 = confirmed(db, rid, "3699020001", "web.ded.publish.accuracy", detail="又一个错别字")
    again = rectify.create_notices(db, rid, issued_on="2025-10-20", who="t")
    assert (again.created, again.items_added) == (0, 1)
    n1 = {n.unit_name: n for n in again.notices}["东湖区单位1"]
    assert n1.deadline == "2025-10-16" and f4 in [i.finding_id for i in n1.items]


def test_default_days_setting_and_validation(db):
    rid = make_round(db, AS_OF)
    confirmed(db, rid, "3699020001", "web.ded.publish.accuracy")
    rectify.set_deadline_workdays(db, 3)
    r = rectify.create_notices(db, rid, issued_on="2025-09-30")
    assert r.notices[0].deadline == "2025-10-11"
    with pytest.raises(ValidationError):
        rectify.create_notices(db, rid, issued_on="2025-02-30")
    with pytest.raises(ValidationError):
        rectify.create_notices(db, rid, days=0)
    rectify.set_notice_dates(db, r.notices[0].id, deadline="2025-10-31", who="t")
    assert rectify.list_notices(db, rid)[0].deadline == "2025-10-31"
    with pytest.raises(ValidationError):
        rectify.set_notice_dates(db, r.notices[0].id, deadline="2025-09-01")


def test_item_status_feedback_and_manual_recheck(db):
    rid = make_round(db, AS_OF)
    confirmed(db, rid, "3699020001", "web.ded.publish.accuracy")
    rectify.create_notices(db, rid, issued_on="2025-09-01")
    item = rectify.list_notices(db, rid)[0].items[0]
    item = rectify.update_item(db, item.id, status="已整改", feedback="已更正错别字", who="单位")
    assert (item.status, item.feedback, item.open) == ("已整改", "已更正错别字", False)
    with pytest.raises(ValidationError):
        rectify.update_item(db, item.id, status="整改中")
    item = rectify.record_recheck(db, item.id, "未整改", "页面仍有错字", at="2025-09-20 10:00:00", who="检查员")
    assert (item.recheck_result, item.rechecked_at, item.recheck_note, item.open) == (
        "未整改", "2025-09-20 10:00:00", "页面仍有错字", True)
    with pytest.raises(ValidationError):
        rectify.record_recheck(db, item.id, "差不多")


def test_decide_rules_with_fake_outcomes():
    base = dict(id=1, notice_id=1, finding_id=1, status="待整改", feedback="", recheck_result="", rechecked_at=None,
                recheck_note="", updated_at="")
    link = rectify.RectifyItem(**base, kind="broken_link", indicator_id="web.ded.function.availability")
    typo = rectify.RectifyItem(**base, kind="typo", indicator_id="web.ded.publish.accuracy", snippet="烈土")
    other = rectify.RectifyItem(**base, indicator_id="web.ded.publish.policy_docs.r2")
    out = lambda status, error="", text="": linkcheck.FetchOutcome("http://x/", status, error, text)  # noqa: E731
    assert rectify.decide(link, out(200))[0] == "已整改"
    assert rectify.decide(link, out(302))[0] == "已整改"
    assert rectify.decide(link, out(404))[0] == "未整改"
    assert rectify.decide(link, out(301, "重定向循环"))[0] == "未整改"
    assert rectify.decide(link, out(None, "连接被拒绝")) == ("无法访问", "复核时无法访问 http://x/：连接被拒绝")
    assert rectify.decide(typo, out(200, text="纪念烈土")) [0] == "未整改"
    assert rectify.decide(typo, out(200, text="纪念烈士"))[1].startswith(rectify.NEEDS_MANUAL)
    assert rectify.decide(other, out(200)) == ("", "需人工复核：页面可访问（HTTP 200），此类问题需人工确认")
    assert rectify.decide(other, out(None, "域名无法解析"))[0] == "无法访问"


def test_which_url_a_recheck_fetches():
    base = dict(id=1, notice_id=1, finding_id=1, status="待整改", feedback="", recheck_result="", rechecked_at=None,
                recheck_note="", updated_at="", target_type="site", target_url="http://a.gov.cn/")
    item = lambda **kw: rectify.RectifyItem(**{**base, **kw})  # noqa: E731
    # A broken link is rechecked at its target, never at the page that links to it.
    assert item(kind="broken_link", url="http://b.gov.cn/x", page="http://a.gov.cn/p").recheck_url == "http://b.gov.cn/x"
    assert item(kind="broken_link", page="http://a.gov.cn/p").recheck_url == ""
    assert item(indicator_id="web.veto.unreachable.c1").recheck_url == "http://a.gov.cn/"
    assert item(kind="typo", page="http://a.gov.cn/p", url="http://a.gov.cn/q").recheck_url == "http://a.gov.cn/p"
    assert item(indicator_id="web.veto.home_not_updated").recheck_url == "http://a.gov.cn/"
    assert item(target_type="account", target_url="", indicator_id="nm.issue.typo").recheck_url == ""


def test_recheck_against_local_sites_and_the_next_recheck_round(db):
    routes = {"/": (200, "<html>首页</html>"), "/fixed": (404, ""), "/fixed2": (404, ""), "/still": (404, ""),
              "/typo-still": (200, PAGE_WITH_TYPO), "/typo-fixed": (200, PAGE_FIXED),
              "/policy": (200, "<html>文件</html>")}
    with site_server(routes) as (base, routes):
        registry.add_record(db, "site", {"name": "本地网站", "site_code": "3699020099", "url": base + "/",
                                         "host_unit": "本地单位", "region": "东湖区", "category": "县级部门网站",
                                         "opened_on": "2015-01-01"}, who="t")
        rid = make_round(db, AS_OF)
        dead = refused_url()
        ids = {
            "fixed": confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link",
                               url=f"{base}/fixed", page=f"{base}/"),
            "still": confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link",
                               url=f"{base}/still"),
            "dead": confirmed(db, rid, "3699020002", "web.ded.function.availability", kind="broken_link", url=dead),
            "typo_still": confirmed(db, rid, "3699020002", "web.ded.publish.accuracy", kind="typo",
                                    page=f"{base}/typo-still", snippet="中国入民", detail="“中国入民”应为“中国人民”"),
            "typo_fixed": confirmed(db, rid, "3699020003", "web.ded.publish.accuracy", kind="typo",
                                    page=f"{base}/typo-fixed", snippet="中国入民"),
            "policy": confirmed(db, rid, "3699020003", "web.ded.publish.policy_docs.r2", url=f"{base}/policy"),
            "account": confirmed(db, rid, "新浪微博:东湖区发布1", "nm.issue.typo", detail="错别字"),
            "home": confirmed(db, rid, "3699020099", "web.veto.home_not_updated", detail="首页两周未更新"),
            "waived": confirmed(db, rid, "3699020004", "web.ded.function.availability", kind="broken_link",
                                url=f"{base}/still"),
            "fixed2": confirmed(db, rid, "3699020005", "web.ded.function.availability", kind="broken_link",
                                url=f"{base}/fixed2"),
        }
        rectify.create_notices(db, rid, issued_on="2025-08-20")
        items = {i.finding_id: i for n in rectify.list_notices(db, rid) for i in n.items}
        rectify.update_item(db, items[ids["waived"]].id, status="无需整改", feedback="外部链接，非本单位维护")
        rectify.update_item(db, items[ids["still"]].id, status="已整改", feedback="已修复")   # the unit claims so
        # The units fix two links.
        routes["/fixed"] = (200, "<html>恢复</html>")
        routes["/fixed2"] = (200, "<html>恢复</html>")
        summary = rectify.recheck_round(db, rid, fetch=fast_fetcher(), who="检查员")
    got = {i.finding_id: i for n in rectify.list_notices(db, rid) for i in n.items}
    result = {k: got[v].recheck_result for k, v in ids.items()}
    assert result == {"fixed": "已整改", "still": "未整改", "dead": "无法访问", "typo_still": "未整改",
                      "typo_fixed": "", "policy": "", "account": "", "home": "", "waived": "", "fixed2": "已整改"}
    assert got[ids["typo_fixed"]].recheck_note.startswith("需人工复核：原错误文字“中国入民”已不在页面上")
    assert got[ids["policy"]].recheck_note.startswith("需人工复核：页面可访问")
    assert got[ids["home"]].recheck_note.startswith("需人工复核") and got[ids["home"]].rechecked_at
    assert got[ids["account"]].recheck_note == "" and got[ids["account"]].rechecked_at is None
    assert (summary.count("已整改"), summary.count("未整改"), summary.count("无法访问"), summary.undecided) == (2, 2, 1, 3)
    assert [i.finding_id for i in summary.manual] == [ids["account"]]
    assert [i.finding_id for i in summary.skipped] == [ids["waived"]]
    ev = db.conn.execute("SELECT finding_id, http_status FROM evidence WHERE note LIKE '整改复核%'").fetchall()
    assert dict(ev)[ids["still"]] == 404 and dict(ev)[ids["dead"]] is None and len(ev) == 8

    # A manual 复核 result survives a later automatic run that cannot decide.
    rectify.record_recheck(db, got[ids["policy"]].id, "已整改", "人工核对要素已补齐", who="检查员")
    def fake(url):
        if url == dead:
            return None, "连接被拒绝"
        return (404, "") if url.endswith("/still") else (200, "")
    rectify.recheck_round(db, rid, fetch=fake, who="检查员")
    assert rectify.get_item(db, got[ids["policy"]].id).recheck_result == "已整改"
    assert rectify.get_item(db, got[ids["still"]].id).recheck_result == "未整改"

    # 回头看 of the next round picks up what is still open, not what was fixed or waived.
    plan = rounds.preview_sample(db, "2025-09-30", recheck_round_id=rid, seed=1)
    again = sorted(t.target_key for t in plan.targets if t.reason == "回头看")
    assert "3699020005" not in again and "3699020004" not in again
    assert {"3699020001", "3699020002", "新浪微博:东湖区发布1"} <= set(again)


def test_exports(db, tmp_path):
    rid = make_round(db, AS_OF)
    confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url="http://a.gov.cn/x",
              detail="链接打不开")
    confirmed(db, rid, "新浪微博:东湖区发布1", "nm.issue.typo", detail="错别字：“烈土”应为“烈士”",
              evidence_text="原文“烈土”")
    confirmed(db, rid, "3699020002", "web.ded.publish.accuracy", detail="=SUM(A1) 错别字")   # text, never a formula
    rectify.create_notices(db, rid, issued_on="2025-09-01", days=10)
    res = rectify.export_round(db, rid, tmp_path / "out", today="2025-12-01")
    assert res.items == 3 and len(res.notices) == 2
    ws = openpyxl.load_workbook(res.ledger).active
    assert ws["A1"].value == "八月检查 整改台账"
    headers = [c.value for c in ws[3]]
    assert headers == [c for c, _ in rectify.LEDGER_COLUMNS]
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert len(body) == 3 and body[0][1] == "东湖区单位1" and body[0][11] == "2025-09-15"
    assert all(r[-1] == "是" for r in body)                         # open after the deadline: 逾期
    assert any(r[7] == "=SUM(A1) 错别字" for r in body)
    assert ws.cell(6, 8).data_type == "s"
    doc = Document(res.notices[0])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "整改通知单" in text and "东湖区单位1：" in text and "2025-09-15 前完成" in text
    assert len(doc.tables[0].rows) == 3                             # header + two problems of this unit
    assert "链接打不开" in [c.text for c in doc.tables[0].rows[1].cells]
    x = rectify.export_round(db, rid, tmp_path / "x", notice_format="xlsx")
    assert x.notices[0].suffix == ".xlsx"
    assert openpyxl.load_workbook(x.notices[0]).active["A1"].value == "整改通知单（东湖区单位1）"


def test_nothing_confirmed(db):
    rid = make_round(db, AS_OF)
    r = rectify.create_notices(db, rid)
    assert r.notices == [] and r.created == 0
    assert rectify.recheck_round(db, rid, fetch=lambda u: (200, "")).outcomes == []


def test_cancelled_recheck_writes_nothing(db):
    from app.core.crawl import jobs

    rid = make_round(db, AS_OF)
    confirmed(db, rid, "3699020001", "web.ded.function.availability", kind="broken_link", url="http://a.gov.cn/x")
    rectify.create_notices(db, rid, issued_on="2025-09-01")
    token = jobs.CancelToken()
    token.cancel()
    with pytest.raises(jobs.Cancelled):
        rectify.recheck_round(db, rid, fetch=lambda url: (200, ""), cancel=token)
    assert db.conn.execute("SELECT recheck_result, rechecked_at FROM rectify_items").fetchall() == [("", None)]


def test_exports_survive_control_characters_and_long_unit_names(db, tmp_path):
    """A NUL or control character in a unit name or a finding, and a 122-character unit name: every
    notice is written, the text cleaned, the file names short enough for any file system."""
    rid = make_round(db, AS_OF)
    long_name = "江州市" + "某某某委员会办公室" * 13 + "信息中心"           # 122 characters
    db.conn.execute("UPDATE round_targets SET unit_name = ? WHERE target_key = '3699020001'", (long_name,))
    db.conn.execute("UPDATE round_targets SET unit_name = ? WHERE target_key = '3699020002'", ("东湖\x00区\x07单位/2",))
    confirmed(db, rid, "3699020001", "web.ded.publish.accuracy", detail="错别字\x0b“烈土”\x00")
    confirmed(db, rid, "3699020002", "web.ded.publish.accuracy", detail="控制字符\x1f在此")
    confirmed(db, rid, "3699020003", "web.ded.publish.accuracy", detail="CON")
    db.conn.execute("UPDATE round_targets SET unit_name = 'CON' WHERE target_key = '3699020003'")
    rectify.create_notices(db, rid, issued_on="2025-09-01", days=10)
    written = {}
    for fmt in ("docx", "xlsx"):
        res = rectify.export_round(db, rid, tmp_path / fmt, notice_format=fmt)
        assert len(res.notices) == 3
        for path in res.notices:
            assert path.is_file() and len(path.name.encode()) <= 200 and "\x00" not in path.name
            assert path.stem.upper() != "CON"
        written[fmt] = res.notices
    doc = Document(next(p for p in written["docx"] if p.name.startswith("东湖")))
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(c.text for r in doc.tables[0].rows for c in r.cells)
    assert "东湖区单位/2：" in text and "控制字符在此" in text and "\x00" not in text
