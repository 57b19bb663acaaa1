"""The five published circulars through the 导出 page: an export profile loaded in the page (or the
widgets set as a user would), the preview showing exactly the rows that are then written (四川's 23-row
area summary, 上海's problem list, 广东's split summaries and rates, 沈阳's problem list and full-year draft),
the draft preview with its figures, the page's files equal to the CLI's, and a profile saved from the
page's choices read back by the CLI."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.core.exports.options import load_profile
from app.core.store.db import connect
from app.ui.pages import PageContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "exports"))
from circularsetup import FIXTURES, FINDING_HEADERS, Cli, case, rate_shown, sheet_values, write_csv  # noqa: E402
from test_circular_guangdong import guangdong_round  # noqa: E402
from test_circular_shenyang import DECEMBER_PHRASES, shenyang_2023_round, shenyang_2025_year  # noqa: E402
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


def seen_rows(page) -> list[list[str]]:
    """The preview's body as a reader sees it: a merged cell shows its first cell's text across the span."""
    rows = preview_rows(page)
    for r1, c1, r2, c2 in page.sheet_preview.model.merges():
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                rows[r][c] = rows[r1][c1]
    return rows


def text_of(value) -> str:
    return "" if value is None else str(value)


def printed(cell) -> str:
    """A workbook cell as Excel prints it (rates by their number format)."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text_of(value)
    if cell.number_format.endswith("%"):
        return rate_shown(cell)
    decimals = cell.number_format.split(".")[1].count("0") if "." in cell.number_format else 0
    return f"{value:.{decimals}f}"


def open_page(qtbot, db_path: Path, settings):
    from app.ui.pages.export_page import ExportPage
    db = connect(db_path)
    page = ExportPage(PageContext(db, db_path, settings))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.preview_ready, timeout=30_000):
        page.show()
    return page, db


def export_from_page(qtbot, page, out: Path) -> list[Path]:
    page.folder_edit.setText(str(out))
    with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    return [Path(p) for p in blocker.args[0].paths]


def previewed_is_written(page, written: list[Path]) -> dict[str, list[list[str]]]:
    """Every previewed sheet, as the page shows it (title, subtitle, header captions, body cells),
    equals its sheet in the written workbook, cell by cell; returns the body rows by annex key."""
    by_name = {p.name: p for p in written}
    shown: dict[str, list[list[str]]] = {}
    for annex in page.preview.annexes:
        assert annex.filename in by_name, (annex.filename, list(by_name))
        book = load_workbook(by_name[annex.filename])
        assert book.sheetnames == [name for name, _ in annex.sheets]
        for name, table in annex.sheets:
            assert page.show_table(annex.key, name)
            ws = book[name]
            first_body = ws[ws.freeze_panes].row
            assert ws.cell(1, 1).value == page.sheet_preview.title.text()
            if table.subtitle:
                assert ws.cell(2, 1).value == page.sheet_preview.subtitle.text()
            header = page.sheet_preview.header_model
            top = first_body - header.rowCount()
            assert [[text_of(ws.cell(top + r, c + 1).value) for c in range(header.columnCount())]
                    for r in range(header.rowCount())] == \
                [[text_of(header.index(r, c).data()) for c in range(header.columnCount())]
                 for r in range(header.rowCount())]
            rows = seen_rows(page)
            # A merged cell prints its first cell's value across the span, as the preview shows it.
            anchor = {}
            for m in ws.merged_cells.ranges:
                for r in range(m.min_row, m.max_row + 1):
                    for col in range(m.min_col, m.max_col + 1):
                        anchor[(r, col)] = (m.min_row, m.min_col)
            assert rows == [[printed(ws.cell(*anchor.get((first_body + r, c + 1), (first_body + r, c + 1))))
                             for c in range(len(row))] for r, row in enumerate(rows)]
            body_merges = {(m.min_row - first_body, m.min_col - 1, m.max_row - first_body, m.max_col - 1)
                           for m in ws.merged_cells.ranges if first_body <= m.min_row < first_body + len(rows)}
            assert body_merges == set(page.sheet_preview.model.merges())
            assert ws.cell(first_body + len(rows), 1).value == (table.notes[0] if table.notes else None)
            shown[annex.key if len(annex.sheets) == 1 else f"{annex.key}:{name}"] = rows
    return shown


def same_as_cli(gui: list[Path], cli: list[Path]) -> None:
    """The page wrote the files the CLI writes for the same choices (workbooks cell by cell, the text draft)."""
    assert [p.name for p in gui] == [p.name for p in cli]
    for a, b in zip(gui, cli):
        if a.suffix == ".xlsx":
            assert sheet_values(a)[:2] == sheet_values(b)[:2], a.name
        elif a.suffix == ".txt":
            assert a.read_text(encoding="utf-8-sig") == b.read_text(encoding="utf-8-sig")


def written_as_previewed(qtbot, page, tmp_path: Path, draft: str, cli, *cli_args) -> dict[str, list[list[str]]]:
    """Export from the page: what the preview showed is what was written (tables and draft), and the
    files equal those of `export *cli_args`; returns the previewed body rows by annex key."""
    written = export_from_page(qtbot, page, tmp_path / "导出")
    shown = previewed_is_written(page, written)
    assert written[-1].read_text(encoding="utf-8-sig").splitlines() == draft.splitlines()
    same_as_cli(written, [Path(p) for p in cli("export", *cli_args, "--out", tmp_path / "cli")])
    return shown


@pytest.fixture
def case_page(qtbot, settings):
    """Opens the page on a case's database, with the case's export profile loaded if named:
    (page, profile path); the page's workers are waited for and the database closed at the end."""
    opened = []

    def open_case(db_path: Path, name: str | None = None):
        page, db = open_page(qtbot, db_path, settings)
        opened.append((page, db))
        profile = FIXTURES / name if name else None
        if profile:
            with qtbot.waitSignal(page.preview_ready, timeout=30_000):
                assert page.load_profile(profile)
        return page, profile
    yield open_case
    for page, db in opened:
        page.shutdown()
        db.close()


def saved_is_loaded(page, tmp_path: Path, profile: Path) -> None:
    """The page's choices saved as a profile are the profile that was loaded (the CLI reads the same)."""
    assert load_profile(page.save_profile(tmp_path / "方案.json")) == load_profile(profile)


def draft_text(page) -> str:
    assert page.sheet_combo.findData("draft") >= 0
    page.sheet_combo.setCurrentIndex(page.sheet_combo.findData("draft"))
    assert page.preview_stack.currentWidget() is page.draft_view
    return page.draft_view.toPlainText()


def test_sichuan_through_the_export_page(qtbot, sichuan_db, case_page, tmp_path, qtmodeltester):
    page, _ = case_page(sichuan_db, "sichuan-profile.json")
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


def test_shanghai_problem_list_preview(qtbot, tmp_path, case_page, capsys):
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
    page, _ = case_page(path, "shanghai-profile.json")
    assert page.show_table("problems.accounts")
    assert page.sheet_preview.title.text() == c["annex"]["title"]
    assert preview_rows(page) == [[text_of(v) for v in row] for row in c["annex"]["rows"]]
    assert not page.load_profile(FIXTURES / "shanghai-2025-q3.json")       # not a profile: said, nothing changed
    assert "无法载入导出方案" in page.status_label.text()


def test_guangdong_split_summaries_through_the_page(qtbot, tmp_path, case_page, capsys):
    c = case("guangdong-2025-q2")
    cli, rid = guangdong_round(tmp_path, capsys)
    page, profile = case_page(cli.db, "guangdong-profile.json")
    assert [a.key for a in page.preview.annexes] == ["summary.sites", "summary.accounts"]
    assert [f"{a.number}.{a.title}" for a in page.preview.annexes] == c["annexes"]
    draft = draft_text(page)
    shown = written_as_previewed(qtbot, page, tmp_path, draft, cli, rid, "--profile", profile)
    f = c["figures"]
    for key, unit, total, rate in (("summary.sites", "网站总数", f["sites"], f["site_rate"]),
                                   ("summary.accounts", "政务新媒体总数", f["accounts"], f["account_rate"])):
        assert page.show_table(key)
        assert page.sheet_preview.subtitle.text() == c["subtitle"]
        # No category columns: the profile's "categories": [] is kept by the page's form.
        assert [page.sheet_preview.model.headerData(i, Qt.Orientation.Horizontal)
                for i in range(page.sheet_preview.model.columnCount())] == \
            ["地区/部门", "地区/部门", unit, "检查数", "合格数", "存在突出问题数", "合格率"]
        rows = shown[key]
        assert rows[0][0] == c["group"] and [r[1] for r in rows[:21]] == c["cities"]
        assert rows[-1][0] == "合计" and rows[-1][2] == str(total) and rows[-1][-1] == rate
    sites = shown["summary.sites"]
    assert sites[c["cities"].index(c["failing_site_city"])][-1] == f["foshan_rate"]
    assert sites[0][-1] == f["city_rate"]
    for phrase in c["text"]:
        assert phrase in draft, phrase
    saved_is_loaded(page, tmp_path, profile)


def test_shenyang_april_2023_through_the_page(qtbot, tmp_path, case_page, capsys):
    c = case("shenyang-2023-04")
    cli, rid = shenyang_2023_round(tmp_path, capsys)
    page, profile = case_page(cli.db, "shenyang-2023-04-profile.json")
    assert page.general_form.widget("rate_decimals").currentData() == 0
    assert not page.circular_form.widget("cite_basis").isChecked()
    draft = draft_text(page)
    for phrase in c["text"]:
        assert phrase in draft, phrase
    assert "国办秘函" not in draft
    shown = written_as_previewed(qtbot, page, tmp_path, draft, cli, rid, "--profile", profile)
    # The problem lists: the units and the findings' own words that the draft groups by unit.
    assert [r[1:3] for r in shown["problems.sites"][1:]] == [[u, f"{u}网站"] for u in c["deducted_units"]]
    assert all(r[-1].endswith(c["site_detail"]) for r in shown["problems.sites"][1:])
    accounts = shown["problems.accounts"][1:]
    late = c["late_account"]
    assert [r[1] for r in accounts] == c["typo_units"] + [late["unit"]]
    assert accounts[-1][2:4] == [late["platform"], late["name"]] and accounts[-1][-1].endswith(late["detail"])
    saved_is_loaded(page, tmp_path, profile)


def test_shenyang_december_2025_set_by_hand(qtbot, tmp_path, case_page, capsys):
    """No profile: the user picks the December round, 地区汇总 only, ticks the draft and its
    全年总体情况, types the issuer and the date, as `export 12 --annex summary --circular --year-overview`."""
    cli = shenyang_2025_year(tmp_path, capsys)
    page, _ = case_page(cli.db)
    december = page.round_combo.findData(12)
    assert december >= 0 and "2025年12月检查" in page.round_combo.itemText(december)
    with qtbot.waitSignal(page.preview_ready, timeout=30_000):
        page.round_combo.setCurrentIndex(december)
        for key, box in page.family_boxes.items():
            if box.isEnabled():
                box.setChecked(key == "summary")
        page.circular_box.setChecked(True)
        page.circular_form.widget("year_overview").setChecked(True)
        page.circular_form.widget("issuer").setText("市政府办公厅")
        page.circular_form.widget("issue_date").setText("2026-01-09")
    assert page.families() == ["summary"]
    draft = draft_text(page)
    for phrase in DECEMBER_PHRASES:
        assert phrase in draft, phrase
    assert draft.index("一、全年总体情况") < draft.index("二、2025年12月检查情况")
    shown = written_as_previewed(qtbot, page, tmp_path, draft, cli, "12", "--annex", "summary", "--circular",
                                 "--year-overview", "--issuer", "市政府办公厅", "--issue-date", "2026-01-09")
    total = shown["summary"][-1]
    assert (total[0], total[2], total[-2]) == ("合计", "54", "229")           # 54 sites, 229 accounts
