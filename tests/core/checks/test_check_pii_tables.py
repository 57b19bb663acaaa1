"""pii in tables whose header names the column (HTML tables, PDF text laid out in columns),
snippets that mask every number, true counts and per-number masked evidence."""
from app.core.checks.base import Page
from app.core.checks.pii import CARD, ID, MOBILE, mask, pii

from checkpages import HOME, html_page, id18, luhn_complete, make_ctx, make_table_pdf

IDS = [id18(f"3607021985031{i:03d}1") for i in range(3)]
CARDS = [luhn_complete(f"62170012345678901{i}") for i in range(3)]
MOBILES = [f"1390797{i:04d}" for i in range(3)]
ID15 = "360702850312123"


def table_page(header: list[str], rows: list[list[str]]) -> Page:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return html_page(f"<h1>2025年耕地地力保护补贴发放名单公示</h1><table><tr>{head}</tr>{body}</table>")


def by_kind(findings):
    return {f.detail.split("中")[-1].split(" ")[0]: f for f in findings}


def test_card_column_named_by_the_header_in_an_html_table():
    page = table_page(["序号", "姓名", "银行卡号", "补贴金额（元）"],
                      [[str(i + 1), name, card, "1200.00"] for i, (name, card) in enumerate(zip("张王李", CARDS))])
    (found,) = pii(page, make_ctx())
    assert found.detail == f"银行卡号 {mask(CARD, CARDS[0])}等3个未脱敏" and found.count == 3


def test_account_column_and_legacy_ids_in_an_id_column():
    page = table_page(["姓名", "身份证号码", "银行账号"],
                      [["张某", ID15, CARDS[0]], ["王某", IDS[0], CARDS[1]]])
    found = by_kind(pii(page, make_ctx()))
    assert found["身份证号"].count == 2 and found["银行卡号"].count == 2


def test_numbers_in_other_columns_are_no_cards():
    project = luhn_complete("201906180000012345")            # Luhn-valid by chance, in a 项目编号 column
    page = table_page(["项目编号", "项目名称", "联系电话"], [[project, "农村公路提升改造工程", "0797-8123456"]])
    assert pii(page, make_ctx()) == []


def test_snippet_masks_every_number_in_it():
    page = html_page(f"<p>张三 {IDS[0]} {MOBILES[0]} 李四 {IDS[1]} {MOBILES[1]}</p>")
    for f in pii(page, make_ctx()):
        assert not any(n in f.snippet for n in IDS + MOBILES), f.snippet
        assert mask(ID, IDS[0]) in f.snippet and mask(MOBILE, MOBILES[0]) in f.snippet


def test_evidence_lists_each_number_masked():
    page = table_page(["姓名", "身份证号", "手机号码"], [[n, i, m] for n, i, m in zip("张王李", IDS, MOBILES)])
    found = by_kind(pii(page, make_ctx()))
    ids = found["身份证号"]
    assert ids.count == 3 and ids.detail.endswith("等3个未脱敏")
    lines = ids.evidence.splitlines()[1:]
    assert [line.split("｜")[0] for line in lines] == [mask(ID, n) for n in IDS]
    assert not any(n in ids.evidence for n in IDS + MOBILES)
    assert found["手机号"].count == 3


def pdf_page(raw: bytes) -> Page:
    return Page(url=HOME + "files/名单.pdf", status=200, raw=raw, content_type="application/pdf",
                referrer=HOME + "a.html", purpose="attachment")


HEADER = ["序号", "姓名", "身份证号", "银行卡号", "手机号码"]
ROWS = [[str(i + 1), n, i_, c, m] for i, (n, i_, c, m) in enumerate(zip(["张三", "王五", "李四"], IDS, CARDS, MOBILES))]


def test_pdf_table_in_columns():
    raw = make_table_pdf([HEADER] + ROWS, [40, 60, 190, 200, 120])
    found = by_kind(pii(pdf_page(raw), make_ctx()))
    assert {k: f.count for k, f in found.items()} == {"身份证号": 3, "银行卡号": 3, "手机号": 3}


def test_pdf_table_whose_cells_run_together():
    raw = make_table_pdf([HEADER] + ROWS, [30, 40, 150, 160, 100])      # numbers touch in the text layer
    found = by_kind(pii(pdf_page(raw), make_ctx()))
    assert {k: f.count for k, f in found.items()} == {"身份证号": 3, "银行卡号": 3, "手机号": 3}


def test_table_with_a_title_row_above_its_header():
    from app.core.checks.pii import scan_pii
    rows = ["2025年耕地地力保护补贴发放名单", "序号\t姓名\t账号\t联系电话",
            f"1\t王某\t{CARDS[0]}\t0797-8123456", f"2\t李某\t{CARDS[1]}\t0797-8123457"]
    hits = scan_pii("\n".join(rows), table=True)
    assert sorted(h.number for h in hits) == sorted(CARDS[:2]) and {h.kind for h in hits} == {CARD}
