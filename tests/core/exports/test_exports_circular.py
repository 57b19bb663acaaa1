"""The circular draft: figures equal to `score --json`, the .txt equal to the .docx, placeholders,
deadline in working days, 抽查 wording, the template and its maker script."""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import re
import shutil
from pathlib import Path

from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from app.cli.main import main
from app.core.store import db as dbm
from app.core.rounds import findings, rounds
from app.core.followup import messages, workdays
from app.core.exports import (CircularOptions, build_annexes, build_circular, export_round, load_round_data,
                              write_circular)
from app.core.exports.circular import template_path

from roundsetup import build_registry
from test_exports import build_sichuan, small  # noqa: F401 — fixture

ROOT = Path(__file__).resolve().parents[3]
ISSUE = dt.date(2025, 8, 20)


def docx_text(path: Path) -> str:
    """Paragraphs and embedded annex tables in body order (as the .txt holds them)."""
    from app.core.exports.circular import body_text
    return "\n".join(body_text(Document(str(path))))


def figures_in(text: str) -> dict:
    out = {}
    for key, noun, unit in (("sites", "政府网站", "家"), ("accounts", "政务新媒体", "个")):
        m = re.search(rf"检查{noun}(\d+){unit}，合格(\d+){unit}，不合格(\d+){unit}，合格率([\d.]+)%", text)
        if m:
            out[key] = {"checked": int(m[1]), "passed": int(m[2]), "failed": int(m[3]), "pass_rate": float(m[4])}
        m = re.search(rf"检查{noun}(\d+){unit}，全部合格，合格率100%", text)
        if m:
            out[key] = {"checked": int(m[1]), "passed": int(m[1]), "failed": 0, "pass_rate": 100.0}
    return out


def score_json(db_path: Path, round_id: int, capsys) -> dict:
    assert main(["--db", str(db_path), "score", str(round_id), "--json"]) == 0
    return json.loads(capsys.readouterr().out)["summary"]


def test_draft_figures_match_score_json(tmp_path, capsys):
    path = tmp_path / "s.sqlite"
    database = dbm.connect(path)
    build_sichuan(database)
    data = load_round_data(database, 1)
    database.close()
    annexes = build_annexes(data, ["summary"]).annexes
    docx_path, _ = write_circular(data, annexes, tmp_path / "out",
                                  CircularOptions(issuer="省政府办公厅", issue_date=ISSUE))
    short = build_circular(data, [], CircularOptions(issue_date=ISSUE, max_names=2)).text
    assert re.search(r"内容不更新（4个）：", short)
    text = docx_text(docx_path)
    summary = score_json(path, 1, capsys)
    got = figures_in(text)
    for key in ("sites", "accounts"):
        want = summary[key]
        assert got[key] == {k: want[k] for k in ("checked", "passed", "failed", "pass_rate")}
    assert "合格率100%" in text and "合格率99.89%" in text
    assert f"对{summary['sites']['total']}家政府网站、{summary['accounts']['total']}个政务新媒体开展全覆盖检查" in text
    assert "4个账号存在单项否决问题" in text
    assert "内容不更新（4个）：" in text and "甘孜发布" in text and "省直部门发布" in text
    assert "等账号监测时间点前两周未更新" in text            # the findings' own description


def test_draft_text_structure_and_txt(db, small, tmp_path):  # noqa: F811
    data = load_round_data(db, small)
    annexes = build_annexes(data).annexes
    opts = CircularOptions(issuer="江州市人民政府办公室", issue_date=ISSUE)
    paths = export_round(db, small, tmp_path, circular=True, circular_options=opts).paths
    docx_path, txt_path = paths[-2], paths[-1]
    assert docx_path.suffix == ".docx" and txt_path.suffix == ".txt" and docx_path.stem == txt_path.stem
    text = docx_text(docx_path).rstrip("\n")
    assert txt_path.read_bytes().startswith(b"\xef\xbb\xbf")         # BOM: old Notepad reads UTF-8
    assert txt_path.read_text(encoding="utf-8-sig").rstrip("\n") == text
    lines = text.splitlines()
    assert lines[0] == "江州市人民政府办公室关于2025年8月政府网站和政务新媒体检查情况的通报"   # issuer; no 市/省: no area
    assert "各地区、各部门：" in lines
    for heading in ("一、总体情况", "二、工作亮点", "三、存在的主要问题", "四、下一步工作要求"):
        assert heading in lines
    assert lines.index("一、总体情况") < lines.index("二、工作亮点") < lines.index("三、存在的主要问题") \
        < lines.index("四、下一步工作要求")
    assert "【待填写：工作亮点" in text and "【待填写：工作要求一】" in text
    assert "1家网站存在单项否决问题，2家网站存在扣分问题" in text
    # Problems from the findings' own descriptions, grouped by unit.
    assert "站点不更新（首页不更新）（1家）：东湖区单位1网站首页连续两周无更新。" in text
    assert "发布解读方面（2家）：东湖区单位3网站“十四五”误写为“十三五”；" \
           "临川县单位2网站存在监测时间点前6个月内政策文件类一级栏目未更新问题。" in text
    assert "功能设计方面（1家）：临川县单位2网站存在可用性问题。" in text
    assert "内容不更新（1个）：东湖区单位2“东湖区发布2”微信公众号" in text
    assert "具体问题详见附件2。" in text
    deadline = workdays.add_workdays(ISSUE, 10)
    assert f"于{deadline.year}年{deadline.month}月{deadline.day}日前将整改情况书面报送江州市人民政府办公室" in text
    end = lines.index("2025年8月20日")
    assert lines[end - 1] == "江州市人民政府办公室"
    assert lines[end + 1] == "附件1"                     # the annex tables follow the body
    # The annex list names the annexes written, in order.
    listed = [ln.strip("　").removeprefix("附件：") for ln in lines if ln.startswith(("附件：", "　　　"))]
    assert listed == [a.caption for a in annexes]
    # Figures, against the same computation.
    draft = build_circular(data, annexes, opts)
    assert figures_in(text)["sites"] == {k: draft.figures["sites"][k]
                                         for k in ("checked", "passed", "failed", "pass_rate")}


def test_placeholders_are_highlighted(db, small):  # noqa: F811
    data = load_round_data(db, small)
    draft = build_circular(data, [], CircularOptions(issue_date=ISSUE))
    doc = Document(io.BytesIO(draft.docx))
    marked = [r.text for p in doc.paragraphs for r in p.runs
              if r.font.highlight_color == WD_COLOR_INDEX.YELLOW and r.text]
    assert "【待填写：发文单位】" in marked                      # no issuer given: a placeholder, highlighted
    assert any(t.startswith("【待填写：“我为政府网站找错”") for t in marked)     # no messages imported
    assert all(t.startswith("【待填写") and t.endswith("】") for t in marked)
    assert not any(p.startswith("附件") for p in draft.paragraphs)          # no annexes, no annex list


def test_messages_fill_the_draft(db, small):  # noqa: F811
    site = db.conn.execute("SELECT site_code, name FROM sites ORDER BY id LIMIT 1").fetchone()
    for no, sub, ans in [("M1", "2025-08-04 09:00", "2025-08-05 10:00"), ("M2", "2025-08-06 09:00", None)]:
        messages.add_message(db, {"message_no": no, "site_code": site[0], "site_name": site[1],
                                  "submitted_at": sub, "answered_at": ans or "", "is_valid": "属实"})
    draft = build_circular(load_round_data(db, small), [], CircularOptions(issue_date=ISSUE))
    report = messages.message_stats(db, "2025-08-01", "2025-08-14")
    rate = report.overall.on_time_rate
    assert (f"共受理网民留言{report.overall.received}条，经核实属实{report.overall.valid}条，"
            f"涉及1个责任地区和部门，已办结{report.overall.closed}条") in draft.text
    assert f"按期办结率{'100' if rate == 100 else rate}%" in draft.text
    assert "【待填写：“我为政府网站找错”" not in draft.text


def test_sampled_round_says_spot_check(db):
    build_registry(db)
    rid = rounds.create_round(db, "抽查", "2025-08-14", kind="专项", sample_sites_pct=50, seed=7)
    target = rounds.round_targets(db, rid, "site")[0]
    rounds.mark_checked(db, [t.id for t in rounds.round_targets(db, rid)], "抽查完毕")
    findings.add_finding(db, rid, target.id, "web.veto.unreachable.c1", status="确认")
    draft = build_circular(load_round_data(db, rid), [], CircularOptions(issue_date=ISSUE))
    n = len(rounds.round_targets(db, rid, "site"))
    assert f"从16家在运行的政府网站中抽查{n}家" in draft.text
    assert "对13个政务新媒体开展全覆盖检查" in draft.text


def test_clean_round_wording(db):
    build_registry(db)
    rid = rounds.create_round(db, "九月", "2025-09-14", kind="月度")
    rounds.mark_checked(db, [t.id for t in rounds.round_targets(db, rid)], "全部检查完毕")
    draft = build_circular(load_round_data(db, rid), [], CircularOptions(issue_date=ISSUE, issuer="办公室"))
    assert "本次检查未发现存在单项否决或扣分问题的网站和账号。" in draft.text
    assert "合格率100%" in draft.text and "整改情况书面报送" not in draft.text
    assert "全覆盖检查" in draft.text and not any("检查尚未完成" in n for n in draft.notes)


def test_unchecked_targets_stay_out_of_the_rates_and_the_draft_says_the_coverage(db, tmp_path):
    """4 of the sites checked (one of them failing), the rest never crawled nor reviewed: the rate is
    over the 4, the draft never claims a full check, and the export warns."""
    build_registry(db)
    rid = rounds.create_round(db, "十月", "2025-10-14", kind="月度")
    sites = [t for t in rounds.round_targets(db, rid) if t.target_type == "site"]
    rounds.mark_checked(db, [t.id for t in sites[:3]], "人工复核")
    findings.add_finding(db, rid, sites[3].id, "web.veto.home_not_updated.c1", status="确认")   # marks it too
    data = load_round_data(db, rid, area="江州市")
    s = data.summary("site")
    assert (s.total, s.overall.checked, s.overall.passed, len(s.pending)) == (len(sites), 4, 3, len(sites) - 4)
    assert str(s.overall.pass_rate) == "75.00"
    draft = build_circular(data, [], CircularOptions(issue_date=ISSUE, issuer="办公室"))
    assert "全覆盖检查" not in draft.text.split("政务新媒体")[0]
    assert f"对全市{len(sites)}家政府网站开展检查（截至目前完成检查4家，其余{len(sites) - 4}家尚未检查）" in draft.text
    assert f"另有{len(sites) - 4}家尚未完成检查，未计入合格率。" in draft.text
    assert "合格率75%" in draft.text or "合格率75.00%" in draft.text
    assert "本次检查的" in draft.text and "尚未完成检查，暂无合格率" in draft.text    # accounts: none checked
    assert any(n.startswith("检查尚未完成：网站") for n in draft.notes)
    result = export_round(db, rid, tmp_path, ["summary"], circular=True,
                          circular_options=CircularOptions(issue_date=ISSUE))
    assert result.notes[0].startswith("检查尚未完成：") and sum("检查尚未完成" in n for n in result.notes) == 1


def test_office_template_restyled_in_word_still_renders(db, small, tmp_path):  # noqa: F811
    custom = tmp_path / "mine.docx"
    shutil.copy(template_path(), custom)
    doc = Document(str(custom))
    doc.styles["Normal"].font.size = doc.styles["Normal"].font.size // 2
    doc.paragraphs[0].insert_paragraph_before("（红头：江州市人民政府办公室）")
    doc.save(str(custom))
    draft = build_circular(load_round_data(db, small), [], CircularOptions(template=custom, issue_date=ISSUE))
    assert draft.paragraphs[0] == "（红头：江州市人民政府办公室）"
    assert draft.paragraphs[1].startswith("关于")


def test_template_script_reproduces_the_committed_template(tmp_path):
    spec = importlib.util.spec_from_file_location("make_circular_template",
                                                  ROOT / "scripts" / "make_circular_template.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = script.build(tmp_path / "circular.docx")

    def shape(path):
        d = Document(str(path))
        return [(p.style.name, p.text) for p in d.paragraphs]

    assert shape(out) == shape(template_path())
    tags = "\n".join(t for _, t in shape(out))
    for tag in ("{{ doc_number }}", "{{ title }}", "{{ opening }}", "{%p for sec in sections %}",
                "{%p for p in sec.paragraphs %}", "{{ rectify_text }}", "{{ issuer }}", "{{ date_text }}",
                "{%p for a in annexes %}"):
        assert tag in tags


def test_cli_draft_dates(tmp_path, capsys):
    path = tmp_path / "c.sqlite"
    database = dbm.connect(path)
    build_registry(database)
    rid = rounds.create_round(database, "八月", "2025-08-14", "2025-08-01", "2025-08-14")
    rounds.mark_checked(database, [t.id for t in rounds.round_targets(database, rid)], "全部检查完毕")
    database.close()
    out = tmp_path / "out"
    assert main(["--db", str(path), "export", "1", "--out", str(out), "--annex", "summary", "--circular",
                 "--issuer", "江州市人民政府办公室", "--issue-date", "2025-08-20", "--area", "江州市"]) == 0
    printed = capsys.readouterr().out.splitlines()
    txt = Path(printed[-1]).read_text(encoding="utf-8-sig")
    assert txt.startswith("江州市人民政府办公室关于江州市2025年8月政府网站和政务新媒体检查情况的通报")
    assert "对全市16家政府网站、13个政务新媒体开展全覆盖检查" in txt and "2025年8月20日" in txt
    assert main(["--db", str(path), "export", "1", "--out", str(out), "--circular", "--issue-date", "8/20"]) != 0
    assert "成文日期" in capsys.readouterr().err


def test_cli_export_warns_when_checks_are_incomplete(tmp_path, capsys):
    path = tmp_path / "w.sqlite"
    database = dbm.connect(path)
    build_registry(database)
    rid = rounds.create_round(database, "八月", "2025-08-14")
    database.close()
    assert main(["--db", str(path), "export", str(rid), "--out", str(tmp_path / "out"), "--annex", "summary"]) == 0
    err = capsys.readouterr().err
    assert "提示：检查尚未完成：网站16家中已检查0家、16家待检查" in err
    assert main(["--db", str(path), "score", str(rid)]) == 0
    assert "注意：覆盖不完整（检查 16 个中的 0 个）" in capsys.readouterr().out
