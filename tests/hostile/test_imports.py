"""Hostile import files: never a traceback, never memory beyond the rows present, never a
half-written registry. Runs the real CLI in a subprocess and measures it."""
from __future__ import annotations

import csv

import pytest

from app.core.office.tabular import TableLimits, read_table
from app.core.errors import ImportFileError

from . import files
from .measure import quick_check, run, table_counts

SITE_HEADERS = ["网站名称", "网站标识码", "首页网址", "主办单位", "地区", "网站类别", "运行状态"]
SMALL_MB = 200             # python + the app's imports are ~60 MB; the broken reader took 6 GB


def _site(i: int, **over) -> list[str]:
    row = dict(zip(SITE_HEADERS, [f"测试网站{i}", f"3699{i:06d}", f"www.site{i}.gov.cn", f"单位{i % 7}",
                                   f"地区{i % 5}", "市级部门网站", "正常"]))
    row.update(over)
    return [row[h] for h in SITE_HEADERS]


def _write_csv(path, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(SITE_HEADERS)
        w.writerows(rows)
    return path


def _no_traceback(o) -> None:
    assert "Traceback" not in o.text, o.text[-2000:]


def test_workbook_declaring_62_million_cells_reads_only_its_rows(empty_db, tmp_path):
    path = tmp_path / "declared.xlsx"
    path.write_bytes(files.xlsx_declaring(62_000_000, rows_present=2000))
    before = table_counts(empty_db)
    dry = run(["--db", str(empty_db), "import", "sites", str(path), "--dry-run"], timeout=90)
    _no_traceback(dry)
    assert dry.code == 0 and "新增 2000" in dry.out, dry.text[-500:]
    assert dry.peak_mb < SMALL_MB and dry.seconds < 60
    assert table_counts(empty_db) == before                         # a dry run writes nothing
    real = run(["--db", str(empty_db), "import", "sites", str(path)], timeout=90)
    _no_traceback(real)
    assert real.code == 0 and real.peak_mb < SMALL_MB
    assert table_counts(empty_db)["sites"] == 2000
    assert quick_check(empty_db) == "ok"


def test_workbook_with_a_1_gb_cell_is_refused_before_reading_it(demo_db, tmp_path):
    path = tmp_path / "huge-cell.xlsx"
    path.write_bytes(files.xlsx_one_huge_cell(1 << 30))
    before = table_counts(demo_db)
    o = run(["--db", str(demo_db), "import", "sites", str(path)], timeout=60)
    _no_traceback(o)
    assert o.code != 0 and o.err.startswith("错误：") and "huge-cell.xlsx" in o.err
    assert "1024 MB" in o.err and "上限" in o.err
    assert o.peak_mb < SMALL_MB and o.seconds < 20
    assert table_counts(demo_db) == before


def test_csv_cell_over_the_csv_field_limit_gets_a_message(demo_db, tmp_path):
    path = _write_csv(tmp_path / "long.csv", [_site(1), _site(2, 网站名称="长" * 200_000)])
    o = run(["--db", str(demo_db), "import", "sites", str(path)], timeout=60)
    _no_traceback(o)
    assert o.code != 0 and "第3行" in o.err and "131072" in o.err
    assert o.peak_mb < SMALL_MB


def test_over_long_cells_are_named_by_row_and_column(tmp_path):
    path = _write_csv(tmp_path / "l.csv", [_site(1), _site(2, 主办单位="单" * 40_000)])
    sheet = read_table(path)
    assert [str(p) for p in sheet.problems] == ["第3行 主办单位：第4列超过 32767 个字符（40000 个），请检查内容后再导入"]
    xlsx = tmp_path / "l.xlsx"
    xlsx.write_bytes(files.xlsx_from_rows([(1, [("A", "网站标识码"), ("B", "网站名称")]),
                                           (2, [("A", 1), ("B", "长" * 40_000)])]))
    problems = [str(p) for p in read_table(xlsx).problems]
    assert problems == ["第2行 网站名称：单元格 B2 超过 32767 个字符（40000 个），请检查内容后再导入"]


def test_row_and_line_caps(tmp_path):
    path = _write_csv(tmp_path / "many.csv", [_site(i) for i in range(30)])
    with pytest.raises(ImportFileError, match="第12行：数据超过 10 行的上限"):
        read_table(path, limits=TableLimits(max_rows=10))
    one_line = tmp_path / "one-line.csv"
    one_line.write_text("网站名称," + "x," * 3_000_000, encoding="utf-8")      # 6 MB, no line break
    with pytest.raises(ImportFileError, match="第1行超过 1048576 个字符"):
        read_table(one_line)


def test_utf16_unicode_text_from_excel_is_accepted(empty_db, tmp_path):
    # Excel's “Unicode 文本 (*.txt)”: UTF-16 LE with a BOM, tab-separated.
    for name in ("unicode.txt", "unicode.csv"):
        path = _write_csv(tmp_path / name, [_site(i) for i in range(3)], encoding="utf-16", delimiter="\t")
        assert path.read_bytes()[:2] == b"\xff\xfe"
        sheet = read_table(path)
        assert sheet.headers == SITE_HEADERS and len(sheet.rows) == 3 and not sheet.problems
    o = run(["--db", str(empty_db), "import", "sites", str(path), "--dry-run"], timeout=60)
    _no_traceback(o)
    assert o.code == 0 and "新增 3" in o.out


def test_renamed_binary_is_still_told_apart_from_text(tmp_path):
    fake = tmp_path / "book.csv"
    fake.write_bytes(files.xlsx_from_rows([(1, [("A", "网站名称")])]))
    with pytest.raises(ImportFileError, match="不是文本格式的 CSV 文件（可能是Excel 文件改了扩展名）"):
        read_table(fake)


def test_control_characters_never_reach_the_registry(empty_db, tmp_path):
    path = _write_csv(tmp_path / "ctl.csv", [_site(1, 网站名称="测试\x00网站\x07一\x1b[31m", 主办单位="单位\x7f甲")])
    o = run(["--db", str(empty_db), "import", "sites", str(path)], timeout=60)
    _no_traceback(o)
    assert o.code == 0, o.text
    import sqlite3
    conn = sqlite3.connect(empty_db)
    name = conn.execute("SELECT name FROM sites WHERE site_code = '3699000001'").fetchone()[0]
    unit = conn.execute("SELECT u.name FROM sites s JOIN units u ON u.id = s.host_unit_id "
                        "WHERE s.site_code = '3699000001'").fetchone()[0]
    conn.close()
    assert name == "测试网站一[31m" and unit == "单位甲"


def test_control_characters_are_cleaned_in_findings_and_messages_imports(db, tmp_path):
    from roundsetup import build_registry
    from tablefiles import write_csv
    from app.core.followup import messages as M
    from app.core.rounds import finding_io, findings, rounds
    build_registry(db)
    rid = rounds.create_round(db, "控制字符", "2025-08-14", period_from="2025-08-01", period_to="2025-08-14")
    path = write_csv(tmp_path / "f.csv", ["网站标识码", "指标", "问题描述", "链接"],
                     [["3699020001", "web.ded.function.availability", "首页\x00链接\x08失效", "http://a.example.org/\x0c"]])
    assert finding_io.import_findings(db, rid, path).ok
    (f,) = findings.list_findings(db, rid)
    assert (f.detail, f.url) == ("首页链接失效", "http://a.example.org/")
    headers = ["留言编号", "网站标识码", "提交时间", "问题类型", "问题描述", "办理状态"]
    path = write_csv(tmp_path / "m.csv", headers,
                     [["ZC\x00001", "3699020001", "2025-09-29 09:00", "错别字", "首页\x1b有错别字", "办理中"]])
    result = M.import_messages(db, path)
    assert result.ok, result.problems
    (m,) = M.list_messages(db)
    assert (m.message_no, m.description) == ("ZC001", "首页有错别字")


def test_row_of_a_hundred_thousand_cells_and_entities_stay_small(tmp_path):
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(files.xlsx_raw_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>网站标识码</t></is></c>'
                                          '<c r="B1" t="inlineStr"><is><t>网站名称</t></is></c></row>'
                                          '<row r="2">' + "<c><v>1</v></c>" * 100_000 + "</row>"))
    code = ("import sys; from app.core.office.tabular import read_table; from app.core.errors import GovInspectError\n"
            "try:\n    s = read_table(sys.argv[1]); print(len(s.rows), s.headers)\n"
            "except GovInspectError as e:\n    print('错误：' + str(e))")
    o = run(["-c", code, str(wide)], timeout=60, python=True)
    _no_traceback(o)
    assert o.code == 0 and o.peak_mb < SMALL_MB
    laughs = tmp_path / "laughs.xlsx"
    laughs.write_bytes(files.xlsx_billion_laughs())
    o = run(["-c", code, str(laughs)], timeout=60, python=True)
    _no_traceback(o)
    assert o.out.startswith("错误：") and "XML炸弹" in o.out
    assert o.peak_mb < SMALL_MB and o.seconds < 30
