"""The published circulars through the 导出 page: an export profile loaded in the page, the preview
showing exactly the rows that are then written (四川's 23-row area summary, 上海's problem list), the
draft preview with its figures, and a profile saved from the page's choices read back by the CLI."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.exports.options import load_profile
from app.core.store.db import connect
from app.ui.pages import PageContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "exports"))
from circularsetup import FIXTURES, FINDING_HEADERS, Cli, case, sheet_values, write_csv  # noqa: E402
from test_circular_sichuan import registry_files  # noqa: E402


@pytest.fixture
def sichuan_db(tmp_path, capsys):
    files = registry_files(tmp_path)
    path = tmp_path / "sc.sqlite"
    cli = Cli(path, capsys)
    for kind in ("regions", "sites", "accounts"):
        cli("import", kind, files[kind])
    cli("messages", "import", files["messages"])
    rid = cli.new_round("2025年第四季度检查", "--as-of", "2025-12-15", "--from", "2025-10-01", "--to", "2025-12-15",
                        "--veto-only")
    cli("findings", "import", rid, files["findings"])
    cli("round", "mark-checked", rid, "--all")
    return path


def preview_rows(page) -> list[list[str]]:
    model = page.sheet_preview.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def text_of(value) -> str:
    return "" if value is None else str(value)


def test_sichuan_through_the_export_page(qtbot, sichuan_db, settings, tmp_path, qtmodeltester):
    from app.ui.pages.export_page import ExportPage
    db = connect(sichuan_db)
    page = ExportPage(PageContext(db, sichuan_db, settings))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.preview_ready, timeout=30_000):
        page.show()
    with qtbot.waitSignal(page.preview_ready, timeout=30_000):
        assert page.load_profile(FIXTURES / "sichuan-profile.json")
    annex = case("sichuan-2025-h2")["annex"]
    assert page.show_table("summary")
    qtmodeltester.check(page.sheet_preview.model)
    assert page.sheet_preview.title.text() == annex["title"]
    shown = preview_rows(page)
    # The preview prints the 23 rows the workbook will hold ("—" where a category does not apply).
    want = [[text_of(v) for v in row] for row in annex["rows"]]
    assert [r[1:] for r in shown] == [r[1:] for r in want]
    assert shown[0][0] == "市(州)" and shown[-2][0] == "省直部门(含省政府门户)" and shown[-1][0] == "合计"
    assert page.sheet_combo.findData("draft") >= 0
    page.sheet_combo.setCurrentIndex(page.sheet_combo.findData("draft"))
    draft = page.draft_view.toPlainText()
    t = case("sichuan-2025-h2")["text"]
    assert draft.splitlines()[0] == t["doc_number"] and t["account_rate"] in draft and t["messages_rate"] in draft
    out = tmp_path / "导出"
    page.folder_edit.setText(str(out))
    with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    written = [Path(p) for p in blocker.args[0].paths]
    rows, _merges, _ws = sheet_values(written[0])
    assert rows[3:] == annex["rows"]                                     # what was previewed is what was written
    assert written[-1].read_text(encoding="utf-8-sig").splitlines() == draft.splitlines()
    # The page's choices saved as a profile are the profile the CLI reads.
    saved = page.save_profile(tmp_path / "方案.json")
    assert load_profile(saved) == load_profile(FIXTURES / "sichuan-profile.json")
    assert json.loads(saved.read_text(encoding="utf-8"))["format"] == "govinspect-export-profile"
    page.shutdown()
    db.close()


def test_shanghai_problem_list_preview(qtbot, tmp_path, settings, capsys):
    from app.ui.pages.export_page import ExportPage
    c = case("shanghai-2025-q3")
    path = tmp_path / "sh.sqlite"
    cli = Cli(path, capsys)
    regions = [["上海市", "", "市", 0], ["市级部门", "市级部门", "部门", 1]]
    cli("import", "regions", write_csv(tmp_path / "r.csv", ["地区", "分组", "级别", "排序"], regions))
    platforms = c["registry_platforms"]
    accounts = [[name, platforms[kind], unit, "市级部门", "是"] for _, unit, kind, name, _ in c["annex"]["rows"]]
    accounts += [[f"其他账号{k}", "抖音", f"单位{k}", "市级部门", "是"] for k in range(20)]
    cli("import", "accounts", write_csv(tmp_path / "a.csv", ["账号名称", "平台", "主办单位", "地区", "已备案"], accounts))
    rid = cli.new_round("2025年第三季度检查", "--as-of", "2025-08-14", "--from", "2025-08-01", "--to", "2025-08-14")
    rows = [["", platforms[kind], name, "nm.veto.not_updated.c1", text, 1, "确认"]
            for _, _, kind, name, text in c["annex"]["rows"]]
    cli("findings", "import", rid, write_csv(tmp_path / "f.csv", FINDING_HEADERS, rows))
    cli("round", "mark-checked", rid, "--all")
    db = connect(path)
    page = ExportPage(PageContext(db, path, settings))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.preview_ready, timeout=20_000):
        page.show()
    with qtbot.waitSignal(page.preview_ready, timeout=20_000):
        page.load_profile(FIXTURES / "shanghai-profile.json")
    assert page.show_table("problems.accounts")
    assert page.sheet_preview.title.text() == c["annex"]["title"]
    assert preview_rows(page) == [[text_of(v) for v in row] for row in c["annex"]["rows"]]
    assert not page.load_profile(FIXTURES / "shanghai-2025-q3.json")       # not a profile: said, nothing changed
    assert "无法载入导出方案" in page.status_label.text()
    page.shutdown()
    db.close()
