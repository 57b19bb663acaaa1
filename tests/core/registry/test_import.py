"""Registry import: formats, every bad input, all-or-nothing, re-import diffs."""
import pytest
from openpyxl import Workbook

from app.core.registry import importing, registry
from app.core.errors import ImportFileError

from tablefiles import SITE_HEADERS, site_row, snapshot, write_csv, write_xlsx

ACC_HEADERS = ["新媒体名称", "账号类型", "原始ID", "主办单位", "部门", "状态"]


def test_xlsx_import_with_title_row_and_aliases(db, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", SITE_HEADERS, [site_row(i) for i in range(1, 6)], title="2025年政府网站名录")
    plan = importing.plan_import(db, "site", path)
    assert plan.ok, plan.problems
    assert plan.sheet.header_row == 2 and len(plan.new) == 5
    assert plan.new_regions == [f"地区{i}" for i in (1, 2, 3, 4, 0)]
    result = importing.apply_import(db, plan)
    assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
    recs = registry.list_records(db, "site")
    assert recs[0]["url"] == "http://www.site1.gov.cn/" and recs[0]["level"] == "市"
    assert db.conn.execute("SELECT COUNT(*) FROM status_history").fetchone()[0] == 5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(db, tmp_path, encoding):
    rows = [["江州发布", "微信", "gh_0123456789ab", "江州市政府办", "市直部门", "正常"],
            ["江州发布", "微博", "", "江州市政府办", "市直部门", "已注销"]]
    path = write_csv(tmp_path / "a.csv", ACC_HEADERS, rows, encoding)
    plan = importing.plan_import(db, "account", path)
    assert plan.ok, plan.problems
    importing.apply_import(db, plan)
    recs = registry.list_records(db, "account")
    assert [(r["name"], r["platform"], r["status"]) for r in recs] == [
        ("江州发布", "微信公众号", "正常"), ("江州发布", "新浪微博", "注销")]
    assert [w.field for w in plan.warnings] == ["状态日期"]


def _assert_rejected(db, path, kind="site", fragment=""):
    before = snapshot(db)
    try:
        plan = importing.plan_import(db, kind, path)
    except ImportFileError as exc:
        assert fragment in str(exc)
        message = str(exc)
    else:
        assert not plan.ok
        message = "\n".join(map(str, plan.problems))
        assert fragment in message, message
        with pytest.raises(ImportFileError):
            importing.apply_import(db, plan)
    assert snapshot(db) == before
    return message


def test_wrong_columns(db, tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", ["姓名", "年龄", "住址"], [["a", 1, "b"]])
    _assert_rejected(db, path, fragment="表头")


def test_missing_required_column(db, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", ["网站名称", "网站标识码"], [["a", "2101000001"]])
    msg = _assert_rejected(db, path, fragment="新增记录时不能为空")
    assert "首页网址" in msg and "第2行" in msg


def test_empty_files(db, tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    _assert_rejected(db, tmp_path / "e.csv", fragment="空文件")
    wb = Workbook()
    wb.save(tmp_path / "e.xlsx")
    _assert_rejected(db, tmp_path / "e.xlsx", fragment="空的")
    path = write_xlsx(tmp_path / "h.xlsx", SITE_HEADERS, [])
    _assert_rejected(db, path, fragment="没有数据行")


def test_not_excel_renamed(db, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("网站名称,网站标识码\n", encoding="utf-8")
    _assert_rejected(db, path, fragment="不是有效的 Excel 文件")
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    _assert_rejected(db, path, fragment="另存为 .xlsx")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00" + b"\x00" * 50)
    _assert_rejected(db, binary, fragment="不是文本格式")


def test_duplicate_code_in_file(db, tmp_path):
    rows = [site_row(1), site_row(2), site_row(3, 网站标识码="3699000001")]
    msg = _assert_rejected(db, write_xlsx(tmp_path / "d.xlsx", SITE_HEADERS, rows), fragment="与第2行重复")
    assert "第4行" in msg


def test_merged_cells_in_data(db, tmp_path):
    path = write_xlsx(tmp_path / "mg.xlsx", SITE_HEADERS, [site_row(1), site_row(2), site_row(3)])
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb.active.merge_cells("E3:E4")     # 地区 merged over two data rows, as offices like to do
    wb.save(path)
    msg = _assert_rejected(db, path, fragment="合并单元格")
    assert "第3行" in msg


def test_formula_cells(db, tmp_path):
    rows = [site_row(1), site_row(2, 网站名称="=CONCAT(\"a\",\"b\")")]
    msg = _assert_rejected(db, write_xlsx(tmp_path / "f.xlsx", SITE_HEADERS, rows), fragment="公式")
    assert "第3行" in msg and "粘贴为数值" in msg


def test_every_bad_row_is_reported(db, tmp_path):
    rows = [site_row(1, 网站标识码="12345"), site_row(2, 首页网址="ftp://x.gov.cn"), site_row(3, 网站类别="企业网站"),
            site_row(4, 运行状态="暂停"), site_row(5)]
    path = write_csv(tmp_path / "bad.csv", SITE_HEADERS, rows)
    msg = _assert_rejected(db, path, fragment="网站标识码")
    for line in ("第2行 网站标识码", "第3行 首页网址", "第4行 网站类别", "第5行 运行状态"):
        assert line in msg
    assert "第6行" not in msg


def test_ten_thousand_rows_one_bad_row_writes_nothing(db, tmp_path):
    rows = [site_row(i) for i in range(1, 10_001)]
    rows[9_876] = site_row(9_877, 首页网址="not a url")
    msg = _assert_rejected(db, write_csv(tmp_path / "big.csv", SITE_HEADERS, rows), fragment="第9878行 首页网址")
    assert msg.count("第") == 1


def test_ten_thousand_rows_import(db, tmp_path):
    rows = [site_row(i) for i in range(1, 10_001)]
    plan = importing.plan_import(db, "site", write_xlsx(tmp_path / "big.xlsx", SITE_HEADERS, rows))
    assert plan.ok
    assert importing.apply_import(db, plan).inserted == 10_000
    assert registry.counts(db)["sites"] == 10_000


def test_reimport_diff_new_changed_unchanged(db, tmp_path):
    importing.apply_import(db, importing.plan_import(
        db, "site", write_xlsx(tmp_path / "a.xlsx", SITE_HEADERS, [site_row(i) for i in (1, 2, 3)])))
    rows = [site_row(1), site_row(2, 网站名称="改名网站", 运行状态="关停"), site_row(3, 主办单位=""), site_row(4)]
    plan = importing.plan_import(db, "site", write_xlsx(tmp_path / "b.xlsx", SITE_HEADERS, rows))
    assert plan.ok
    assert [n for n, _ in plan.new] == [5]
    assert [(n, old, new) for n, _, old, new in plan.changed] == [
        (3, {"name": "测试网站2", "status": "正常"}, {"name": "改名网站", "status": "关停"})]
    assert [n for n, _ in plan.unchanged] == [2, 4]     # the empty 主办单位 cell keeps the registry value
    importing.apply_import(db, plan)
    rec = [r for r in registry.list_records(db, "site") if r["site_code"] == "3699000002"][0]
    assert rec["name"] == "改名网站" and rec["status"] == "关停" and rec["host_unit"] == "单位2"
    assert [h["event"] for h in registry.history(db, "site", rec["id"])] == ["开设", "关停"]


def test_account_matching_by_id_then_name(db, tmp_path):
    rows = [["江州发布", "微信", "", "江州市政府办", "市直部门", "正常"],
            ["江州教育", "抖音", "123456", "江州市教育局", "市直部门", "正常"]]
    importing.apply_import(db, importing.plan_import(db, "account", write_csv(tmp_path / "a.csv", ACC_HEADERS, rows)))
    rows = [["江州发布", "微信公众号", "gh_aaaaaaaaaaaa", "江州市政府办", "市直部门", "正常"],   # gains its ID
            ["江州教育发布", "抖音", "123456", "江州市教育局", "市直部门", "正常"]]              # renamed, same ID
    plan = importing.plan_import(db, "account", write_csv(tmp_path / "b.csv", ACC_HEADERS, rows))
    assert plan.ok and not plan.new
    assert sorted(tuple(new) for *_, new in plan.changed) == [("account_id",), ("name",)]


def test_registry_changed_after_preview(db, tmp_path):
    plan = importing.plan_import(db, "site", write_xlsx(tmp_path / "a.xlsx", SITE_HEADERS, [site_row(1)]))
    registry.add_record(db, "site", {"name": "抢先", "site_code": "3699000001", "url": "a.gov.cn",
                                     "host_unit": "u", "region": "r", "category": "市级门户"})
    before = snapshot(db)
    with pytest.raises(ImportFileError) as exc:
        importing.apply_import(db, plan)
    assert "重新" in str(exc.value)
    assert snapshot(db) == before


def test_export_then_reimport_is_unchanged(db, tmp_path):
    from app.core.registry import demo, export as registry_export
    demo.build_demo(db)
    path = tmp_path / "export.xlsx"
    registry_export.export_registry(db, path)
    for kind, n in (("site", 60), ("account", 300)):
        plan = importing.plan_import(db, kind, path)
        assert plan.ok and len(plan.unchanged) == n and not plan.changed and not plan.new
