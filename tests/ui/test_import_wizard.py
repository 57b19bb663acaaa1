"""The import wizard end to end on generated files: mapping → report → re-read → diff → apply."""
from __future__ import annotations

from openpyxl import Workbook
from PySide6.QtWidgets import QWizard

from app.core.registry import registry
from app.ui.import_wizard import PAGE_DIFF, PAGE_MAPPING, PAGE_REPORT

HEADERS = ["序号", "网站名称", "网站标识码", "首页网址", "主办单位", "地区", "网站类别", "联系电话", "备注"]
NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton
WAIT = 10_000


def _write_sites(path, bad_code: bool) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["江州市政府网站名录（2025年8月）"])          # a title row above the header
    ws.append(HEADERS)
    ws.append([1, "东湖区教育局网站", "3601020002", "https://s0002.example.gov.cn/", "东湖区教育局", "东湖区",
               "县级部门网站", "0791-88880000", "已核对"])
    ws.append([2, "新港区人民政府", "3601050001", "www.xg.gov.cn", "新港区人民政府办公室", "新港区",
               "县级门户", "", ""])
    ws.append([3, "新港区教育局网站", "36010500" if bad_code else "3601050002", "jyj.xg.gov.cn", "新港区教育局",
               "新港区", "县级部门网站", "", ""])
    wb.save(path)


def _rows(model):
    return [model.row_values(r) for r in range(model.rowCount())]


def test_import_sites_end_to_end(window, qtbot, filled_db, tmp_path):
    source = tmp_path / "名录.xlsx"
    _write_sites(source, bad_code=True)
    wizard = window.open_import_wizard("site")
    assert not wizard.button(NEXT).isEnabled()
    wizard.file_page.set_path(source)
    assert wizard.button(NEXT).isEnabled()
    with qtbot.waitSignal(wizard.plan_ready, timeout=WAIT):
        wizard.next()

    # 2. mapping: automatic, editable, duplicates block
    assert wizard.currentId() == PAGE_MAPPING
    mapping = wizard.mapping_page
    assert [c.currentData() for c in mapping.combos] == [
        "", "name", "site_code", "url", "host_unit", "region", "category", "contact1_phone", "notes"]
    assert mapping.preview_model.rowCount() == 3
    assert "表头在第 2 行" in mapping.info.text()
    mapping.set_mapping(0, "name")
    assert not wizard.button(NEXT).isEnabled() and "同时对应" in mapping.message.text()
    mapping.set_mapping(0, None)
    assert wizard.button(NEXT).isEnabled()
    mapping.set_mapping(8, None)                      # do not import 备注
    with qtbot.waitSignal(wizard.plan_ready, timeout=WAIT):
        wizard.next()                                 # the changed mapping is planned again

    # 3. report: the bad row blocks, nothing written
    assert wizard.currentId() == PAGE_REPORT
    report = wizard.report_page
    assert not wizard.plan.ok
    assert not wizard.button(NEXT).isEnabled()
    assert "没有写入任何数据" in report.banner.text()
    assert any(r[0] == 5 and r[1] == "网站标识码" and "10位" in r[2] for r in _rows(report.problems_model))
    assert registry.counts(filled_db)["sites"] == 7

    # The user fixes the file in Excel and reads it again; the mapping is kept.
    _write_sites(source, bad_code=False)
    with qtbot.waitSignal(wizard.plan_ready, timeout=WAIT):
        report.reread_button.click()
    assert wizard.plan.ok and 8 not in wizard.plan.mapping
    assert wizard.button(NEXT).isEnabled()
    wizard.next()

    # 4. diff
    assert wizard.currentId() == PAGE_DIFF
    diff = wizard.diff_page
    assert diff.counts.text() == "新增 2 条 · 变更 1 条 · 未变 0 条"
    assert (3, "东湖区教育局网站", "联系人1电话", "（空）", "0791-88880000") in _rows(diff.changes_model)
    assert [r[1] for r in _rows(diff.new_model)] == ["新港区人民政府", "新港区教育局网站"]
    assert ("地区", "新港区") in _rows(diff.names_model)

    # 5. finish writes everything at once
    with qtbot.waitSignal(wizard.imported, timeout=WAIT):
        wizard.button(FINISH).click()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=WAIT)
    assert registry.counts(filled_db)["sites"] == 9
    records = {r["site_code"]: r for r in registry.list_records(filled_db, "site")}
    assert records["3601020002"]["contact1_phone"] == "0791-88880000"
    assert records["3601020002"]["notes"] == ""
    assert records["3601050001"]["region"] == "新港区"
    assert window.pages["sites"].model.rowCount() == 9
    assert "新增 2 条" in window.statusBar().currentMessage()


def test_import_accounts_from_csv(window, qtbot, filled_db, tmp_path):
    source = tmp_path / "新媒体.csv"
    source.write_text("账号名称,平台,账号ID,主办单位,地区\n"
                      "东湖发布,微信公众号,gh_0001,东湖区人民政府办公室,东湖区\n"
                      "西湖消防,抖音,xhxf,西湖区消防救援大队,西湖区\n", encoding="utf-8-sig")
    wizard = window.open_import_wizard("site")
    wizard.file_page.account_radio.setChecked(True)
    wizard.file_page.set_path(source)
    with qtbot.waitSignal(wizard.plan_ready, timeout=WAIT):
        wizard.next()
    assert wizard.kind == "account" and wizard.windowTitle() == "导入新媒体名录"
    wizard.next()
    assert wizard.plan.ok and wizard.button(NEXT).isEnabled()
    wizard.next()
    assert wizard.diff_page.counts.text() == "新增 1 条 · 变更 0 条 · 未变 1 条"
    with qtbot.waitSignal(wizard.imported, timeout=WAIT):
        wizard.button(FINISH).click()
    assert registry.counts(filled_db)["accounts"] == 5
    assert window.pages["accounts"].model.rowCount() == 5


def test_unreadable_file_is_explained(window, qtbot, tmp_path):
    source = tmp_path / "坏文件.xlsx"
    source.write_bytes(b"this is not a workbook")
    wizard = window.open_import_wizard("site")
    wizard.file_page.set_path(source)
    with qtbot.waitSignal(wizard.load_failed, timeout=WAIT):
        wizard.next()
    assert "无法读取文件" in wizard.mapping_page.message.text()
    assert not wizard.button(NEXT).isEnabled()
    wizard.reject()
    assert not wizard.isVisible()


def test_wrong_file_type_cannot_be_chosen(window, tmp_path):
    old = tmp_path / "名录.xls"
    old.write_bytes(b"x")
    wizard = window.open_import_wizard("site")
    wizard.file_page.set_path(old)
    assert not wizard.button(NEXT).isEnabled()
    assert "另存为 .xlsx" in wizard.file_page.path_message.text()
    wizard.reject()


def test_window_stays_responsive_while_a_big_file_loads(qtbot, db, db_path, tmp_path):
    from app.ui.import_wizard import ImportWizard
    source = tmp_path / "大名录.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS[1:7])
    for i in range(4000):
        ws.append([f"测试网站{i}", f"36{i:08d}", f"s{i}.example.gov.cn", f"单位{i % 300}", f"地区{i % 20}", "县级部门网站"])
    wb.save(source)
    wizard = ImportWizard(db_path, "site")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.set_path(source)
    with qtbot.waitSignal(wizard.plan_ready, timeout=30_000):
        wizard.next()
        # next() has returned to the event loop while the worker still reads and plans.
        assert wizard.pending == "load" and wizard.mapping_page.busy.isVisible()
        assert not wizard.button(NEXT).isEnabled()
    assert wizard.plan.ok and len(wizard.plan.new) == 4000
