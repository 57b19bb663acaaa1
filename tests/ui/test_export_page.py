"""导出 page: options form, the preview model of the area summary, notes and the 待核对 warning,
and an export in a worker that lists the files it wrote."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.rounds import findings
from app.core.exports import ActivityOptions, build_annexes, load_round_data
from app.ui.pages import PageContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from roundsetup import august_round  # noqa: E402


@pytest.fixture
def small_round(db):
    """东湖区 10 sites / 8 accounts and 临川县 5 / 4 (group 区县), 白马乡 1 / 1; confirmed findings."""
    rid, t = august_round(db)
    for key, indicator, count in (("3699020003", "web.ded.publish.accuracy", 3),
                                  ("3699020001", "web.veto.home_not_updated.c1", 1),
                                  ("微信公众号:东湖区发布2", "nm.veto.not_updated.c1", 1)):
        findings.add_finding(db, rid, t[key].id, indicator, status="确认", count=count, detail="示例",
                             detected_at="2025-08-14 09:00:00")
    return rid


@pytest.fixture
def page(qtbot, db, db_path, settings, small_round):
    from app.ui.pages.export_page import ExportPage
    p = ExportPage(PageContext(db, db_path, settings))
    qtbot.addWidget(p)
    assert p.preview is None                   # nothing is built until the page is shown
    with qtbot.waitSignal(p.preview_ready, timeout=10_000):
        p.show()
    return p


def test_preview_shows_the_area_summary(page, db, small_round, qtmodeltester):
    assert page.round_id() == small_round
    assert page.show_table("summary")
    model = page.sheet_preview.model
    qtmodeltester.check(model)
    qtmodeltester.check(page.sheet_preview.header_model)
    expected = build_annexes(load_round_data(db, small_round), ["summary"]).annexes[0].sheets[0][1]
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert rows == expected.text_rows()
    assert rows[0][:3] == ["区县", "东湖区", "10"] and rows[1][:3] == ["区县", "临川县", "5"]
    assert rows[-1][0] == "合计" and rows[-1][2] == "16"
    assert model.index(len(rows) - 1, 2).data(Qt.ItemDataRole.FontRole).bold()
    # Two-level header: 单位 spans two columns and both header rows; the groups span their columns.
    header, view = page.sheet_preview.header_view, page.sheet_preview.view
    assert page.sheet_preview.header_model.rowCount() == 2
    assert (header.rowSpan(0, 0), header.columnSpan(0, 0)) == (2, 2)
    assert page.sheet_preview.header_model.index(0, 2).data() == "政府网站检查情况"
    assert header.columnSpan(0, 2) > 1
    assert view.rowSpan(0, 0) == 2                # 区县 over 东湖区 and 临川县
    assert page.sheet_preview.title.text() == expected.title


def test_options_change_the_preview_and_notes_show(page, qtbot):
    # The round used unverified profile numbers: a warning, not a block.
    assert not page.warning.isHidden()
    assert page.export_button.isEnabled()
    assert "找错留言" in page.notes_label.text()            # a skipped annex says why
    assert "发布条数监测数据" in page.notes_label.text()     # 新媒体发布情况统计: no monitoring data yet
    assert page.family_boxes["activity"].title() == "新媒体发布情况统计"
    assert page.family_forms["activity"].value() == ActivityOptions()
    form = page.family_forms["summary"]
    with qtbot.waitSignal(page.preview_ready, timeout=10_000):
        form.widget("show_rate").setChecked(True)
    page.show_table("summary")
    model = page.sheet_preview.model
    captions = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "政府网站检查情况／合格率" in captions
    with qtbot.waitSignal(page.preview_ready, timeout=10_000):
        page.family_boxes["details"].setChecked(False)
    assert not page.show_table("details")
    texts = [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())]
    assert any("问题的政府网站名单" in t for t in texts)


def test_category_columns_all_none_or_some(page, qtbot, db, small_round):
    """None (every category of the round), () (no category columns) and a chosen list are three layouts."""
    from app.core.exports.options import ExportOptions, SummaryOptions
    lists = page.family_forms["summary"].widget("categories")

    def captions():
        page.show_table("summary")
        model = page.sheet_preview.model
        return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]

    def expected(categories):
        options = ExportOptions(summary=SummaryOptions(categories=categories))
        table = build_annexes(load_round_data(db, small_round), ["summary"], options).annexes[0].sheets[0][1]
        return [f"{c.group}／{c.caption}" if c.group else c.caption for c in table.columns]

    everything = captions()
    assert page.family_forms["summary"].value().categories is None and everything == expected(None)
    with qtbot.waitSignal(page.preview_ready, timeout=10_000):
        lists.mode.setCurrentIndex(lists.mode.findData("empty"))
    assert page.family_forms["summary"].value().categories == () and lists.line.isHidden()
    assert captions() == expected(()) and len(captions()) < len(everything)
    with qtbot.waitSignal(page.preview_ready, timeout=10_000):
        lists.mode.setCurrentIndex(lists.mode.findData("some"))
        lists.line.setText("县级部门网站")
    assert page.family_forms["summary"].value().categories == ("县级部门网站",)
    assert captions() == expected(("县级部门网站",)) and "政府网站检查情况／县级部门网站数" in captions()
    assert len(captions()) == len(expected(())) + 1


def test_export_writes_files_and_lists_them(page, qtbot, tmp_path, monkeypatch):
    from app.ui.pages import export_page
    out = tmp_path / "导出"
    page.folder_edit.setText(str(out))
    with qtbot.waitSignal(page.preview_ready, timeout=15_000):
        page.circular_box.setChecked(True)
    page.circular_form.widget("issuer").setText("江州市政务公开办")
    assert page.sheet_combo.findData("draft") >= 0
    with qtbot.waitSignal(page.exported, timeout=20_000) as blocker:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    names = [p.name for p in result.paths]
    assert names[0].startswith("附件1-") and "全部附件-2025年8月检查.xlsx" in names
    assert names[-2:] == ["通报（草稿）-2025年8月检查情况.docx", "通报（草稿）-2025年8月检查情况.txt"]
    assert all(Path(p).is_file() for p in result.paths)
    assert page.written_files() == [str(p) for p in result.paths]
    assert not page.results.isHidden() and "导出完成" in page.status_label.text()
    assert "江州市政务公开办" in Path(result.paths[-1]).read_text(encoding="utf-8-sig")
    opened = []
    monkeypatch.setattr(export_page, "QDesktopServices", type("Fake", (), {"openUrl": staticmethod(opened.append)}))
    page.open_folder_button.click()
    assert opened and Path(opened[0].toLocalFile()) == out


def test_bad_deadline_is_reported_not_exported(page, qtbot, tmp_path):
    page.folder_edit.setText(str(tmp_path / "x"))
    page.circular_box.setChecked(True)
    page.circular_form.widget("deadline").setText("2025-13-45")
    page.export()
    assert "“2025-13-45”不存在" in page.status_label.text()
    assert not (tmp_path / "x").exists() and page.export_button.isEnabled()


def test_own_word_template(page, qtbot, tmp_path):
    """The profile's circular_options.template has its field: a missing file is said, a chosen one is used."""
    import docx

    from app.core.exports.circular import template_path
    from app.core.exports.options import load_profile
    page.folder_edit.setText(str(tmp_path / "out"))
    page.circular_box.setChecked(True)
    field = page.circular_form.widget("template")
    field.setText(str(tmp_path / "没有.docx"))
    page.export()
    assert "找不到文件" in page.status_label.text() and not (tmp_path / "out").exists()
    own = docx.Document(str(template_path()))
    own.add_paragraph("本办自备模板")
    own.save(str(tmp_path / "本办模板.docx"))
    with qtbot.waitSignal(page.preview_ready, timeout=15_000):
        field.setText(str(tmp_path / "本办模板.docx"))
    assert page.request().circular_options.template == tmp_path / "本办模板.docx"
    with qtbot.waitSignal(page.exported, timeout=20_000) as blocker:
        page.export()
    written = next(p for p in blocker.args[0].paths if str(p).endswith(".docx") and "通报" in str(p))
    assert "本办自备模板" in [p.text for p in docx.Document(str(written)).paragraphs]
    saved = page.save_profile(tmp_path / "方案.json")
    assert load_profile(saved).circular_options.template == tmp_path / "本办模板.docx"
