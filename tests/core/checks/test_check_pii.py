"""pii / pii_unscanned: numbers in page text and in generated attachments, decoys, masks, caps."""
import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from app.core.checks.base import Page
from app.core.checks.pii import (CARD, ID, MOBILE, PROVINCES, id_check_digit, luhn_ok, mask, pii, scan_pii,
                                 valid_id15, valid_id18)

from checkpages import AS_OF, HOME, html_page, id18, luhn_complete, make_ctx, make_pdf, page_from

# Real-looking numbers (valid format, fictional people) ...
ID_A = id18("36070219850312123")             # 赣州 1985-03-12
ID_B = id18("11010519491231002")             # 北京 1949-12-31 → check char X
ID_15 = "360702850312123"                    # legacy 15-digit, 1985-03-12
MOBILE_A, MOBILE_B = "13907971234", "18679712345"
CARD_A = luhn_complete("622202150200123456")          # 19-digit UnionPay
CARD_B = luhn_complete("621700123456789012")
# ... and decoys that must never be reported.
ID_BAD_CHECK = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")
ID_BAD_DATE = id18("36070219851340123")      # month 13
ID_FUTURE = id18("36070220300101123")        # born after the as-of date
ID_BAD_REGION = id18("99070219850312123")
ID15_BAD_DATE = "360702851332123"
CARD_BAD_LUHN = CARD_A[:-1] + str((int(CARD_A[-1]) + 1) % 10)
MASKED_ID, MASKED_MOBILE, MASKED_CARD = ID_A[:6] + "********" + ID_A[-4:], "139****1234", "6222 **** **** 1234"
LONG_RUN = "2025113907971234567"            # an order number with a mobile-looking run inside
NOT_MOBILE = "12345678901"


def kinds(hits):
    return sorted((h.kind, h.number) for h in hits)


def test_decoys_are_decoys():
    assert ID_BAD_CHECK != ID_A and not luhn_ok(CARD_BAD_LUHN) and luhn_ok(CARD_A)
    assert ID_B.endswith("X")


# ---------------------------------------------------------------- text scanner

def test_scan_finds_real_numbers():
    text = (f"申请人：王五 身份证号：{ID_A} 联系电话：{MOBILE_A}\n"
            f"户主 李四 身份证 {ID_B.lower()} 手机 +86 186-7971-2345\n"
            f"开户行：中国工商银行 银行卡号：{CARD_A}\n"
            f"旧身份证号码：{ID_15}")
    assert kinds(scan_pii(text, AS_OF)) == sorted([
        (ID, ID_A), (ID, ID_B), (MOBILE, MOBILE_A), (MOBILE, MOBILE_B), (CARD, CARD_A), (ID, ID_15)])


def test_scan_ignores_every_decoy():
    text = (f"校验位错误：{ID_BAD_CHECK}；日期错误：{ID_BAD_DATE}；未来出生：{ID_FUTURE}；地区错误：{ID_BAD_REGION}\n"
            f"已脱敏：{MASKED_ID}，{MASKED_MOBILE}，卡号 {MASKED_CARD}\n"
            f"订单号{LONG_RUN} 编号{NOT_MOBILE} 旧证 {ID15_BAD_DATE}\n"
            f"卡号：{CARD_BAD_LUHN}\n"
            f"项目编码 {CARD_B} 为财政项目统一编码")           # Luhn-valid, but no card word nearby
    assert scan_pii(text, AS_OF) == []


def test_card_needs_context_or_a_card_header():
    assert scan_pii(f"编号 {CARD_A}", AS_OF) == []
    assert kinds(scan_pii(f"收款账号：{CARD_A}", AS_OF)) == [(CARD, CARD_A)]
    assert kinds(scan_pii(f"卡号 6222 0215 0200 1234 56{CARD_A[-1]}", AS_OF)) == [(CARD, CARD_A)]
    table = f"姓名\t银行卡号\n张三\t{CARD_A}\n李四\t{CARD_B}"
    assert kinds(scan_pii(table, AS_OF, table=True)) == sorted([(CARD, CARD_A), (CARD, CARD_B)])
    assert scan_pii(table.replace("银行卡号", "编号"), AS_OF, table=True) == []


def test_masks():
    assert mask(ID, ID_A) == ID_A[:6] + "********" + ID_A[-4:]
    assert mask(ID, ID_15) == "360702*****2123"
    assert mask(MOBILE, "13907971234") == "139****1234"
    assert mask(CARD, CARD_A) == CARD_A[:4] + "*" * 11 + CARD_A[-4:]


def test_id15_validation():
    assert valid_id15(ID_15) and not valid_id15(ID15_BAD_DATE) and not valid_id15("990702850312123")


@settings(max_examples=300, deadline=None, database=None)
@given(region=st.sampled_from(sorted(PROVINCES)), rest=st.integers(0, 9999),
       born=st.dates(dt.date(1900, 1, 1), AS_OF), seq=st.integers(0, 999),
       position=st.integers(0, 17), delta=st.integers(1, 10))
def test_id_checksum_property(region, rest, born, seq, position, delta):
    number = id18(f"{region:02d}{rest:04d}{born:%Y%m%d}{seq:03d}")
    assert valid_id18(number, AS_OF)
    assert id_check_digit(number[:17]) == number[17]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    changed = alphabet[(alphabet.index(number[position]) + delta) % len(alphabet)]
    if changed == number[position]:
        return
    mutated = number[:position] + changed + number[position + 1:]
    assert not valid_id18(mutated, AS_OF)


# ---------------------------------------------------------------- HTML pages

def test_page_text_leak_is_masked_in_detail_and_snippet():
    page = html_page(f"<h1>2025年低保对象公示</h1><table><tr><th>姓名</th><th>身份证号</th><th>联系电话</th></tr>"
                     f"<tr><td>张三</td><td>{ID_A}</td><td>{MOBILE_A}</td></tr>"
                     f"<tr><td>李四</td><td>{ID_B}</td><td>{MASKED_MOBILE}</td></tr></table>")
    found = {f.detail.split(" ")[0]: f for f in pii(page, make_ctx())}
    ids = found["身份证号"]
    assert ids.detail == f"身份证号 {mask(ID, ID_A)}等2个未脱敏"
    assert ID_A not in ids.detail and ID_A not in ids.snippet and mask(ID, ID_A) in ids.snippet
    assert mask(ID, ID_A) in ids.evidence and mask(ID, ID_B) in ids.evidence     # each number, masked
    assert ID_A not in ids.evidence and ID_B not in ids.evidence and ids.count == 2
    assert ids.kind == "pii" and ids.indicator_id == "web.ded.publish.privacy" and ids.url == page.url
    assert found["手机号"].detail == "手机号 139****1234未脱敏"


def test_masked_page_gives_nothing(ctx):
    assert pii(page_from("gbk_page.html", encoding="gb18030"), ctx) == []   # 139****5678, a landline


def test_allow_list():
    page = html_page(f"<p>12345政务服务热线值班手机：{MOBILE_A}</p>")
    assert pii(page, make_ctx())
    assert pii(page, make_ctx(pii={"allow": [MOBILE_A]})) == []
    assert pii(page, make_ctx(pii={"allow": ["值班手机"]})) == []


# ---------------------------------------------------------------- attachments

def attachment(name: str, raw: bytes, content_type: str = "") -> Page:
    return Page(url=HOME + "upload/2025/11/" + name, status=200, raw=raw, content_type=content_type,
                referrer=HOME + "zwgk/tzgg/202511/t20251107_5493.html", purpose="attachment")


def build_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("2025年度城乡居民临时救助对象名单公示")
    d.add_paragraph(f"经办人：赵六，联系电话：{MOBILE_B}（已核实）。脱敏示例：{MASKED_MOBILE}")
    t = d.add_table(rows=1, cols=4)
    for cell, text in zip(t.rows[0].cells, ["姓名", "身份证号", "开户银行", "银行卡号"]):
        cell.text = text
    for row in (["张三", ID_A, "工商银行", CARD_A], ["李四", ID_BAD_CHECK, "农业银行", CARD_BAD_LUHN],
                ["王五", MASKED_ID, "建设银行", MASKED_CARD]):
        cells = t.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def build_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "补贴名单"
    ws.append(["序号", "姓名", "身份证号码", "联系电话", "银行账号", "发放金额"])
    ws.append([1, "张三", ID_A, int(MOBILE_A), CARD_B, 1200.0])
    ws.append([2, "李四", ID_BAD_DATE, NOT_MOBILE, CARD_BAD_LUHN, 800.5])
    ws.append([3, "王五", MASKED_ID, MASKED_MOBILE, MASKED_CARD, 600])
    ws.append([4, "赵六", ID_FUTURE, LONG_RUN, "", dt.date(2025, 11, 1)])      # order no. in the phone column
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_csv() -> bytes:
    rows = ["姓名,身份证号,手机号", f"钱七,{ID_15},{MOBILE_B}", f"孙八,{ID15_BAD_DATE},{NOT_MOBILE}",
            f"周九,{MASKED_ID},{MASKED_MOBILE}"]
    return "\r\n".join(rows).encode("gbk")


OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def build_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("说明.txt", f"咨询电话 {MOBILE_A}".encode("utf-8"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("补贴名单.xlsx", build_xlsx())
        z.writestr("名单.csv", build_csv())
        z.writestr("原始材料.doc", OLE_DOC)
        z.writestr("inner.zip", inner.getvalue())
        z.writestr("abcdef.txt", f"身份证号：{ID_B}".encode("gbk"))
    # A Windows zip tool writes the GBK bytes of the name without the UTF-8 flag.
    gbk_name = "申请表.txt".encode("gbk")
    assert len(gbk_name) == len(b"abcdef.txt")
    return buf.getvalue().replace(b"abcdef.txt", gbk_name)


def by_detail(findings):
    return {f.detail: f for f in findings}


def test_pdf_attachment():
    raw = make_pdf(["Application form", f"ID number: {ID_A}", f"Mobile: {MOBILE_A}",
                    f"Wrong: {ID_BAD_CHECK} {ID_BAD_DATE}", f"Masked: {MASKED_ID} {MASKED_MOBILE}"])
    found = pii(attachment("申请表.pdf", raw, "application/pdf"), make_ctx())
    assert sorted(f.detail for f in found) == sorted([
        f"附件“申请表.pdf”中身份证号 {mask(ID, ID_A)}未脱敏", f"附件“申请表.pdf”中手机号 {mask(MOBILE, MOBILE_A)}未脱敏"])
    assert all(f.url.endswith("申请表.pdf") and f.page.endswith("t20251107_5493.html") for f in found)


def test_owner_password_pdf_is_read_user_password_pdf_is_unscanned():
    raw = make_pdf([f"ID number: {ID_A}"])

    def encrypted(user: str) -> bytes:
        w = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
        w.encrypt(user_password=user, owner_password="owner", algorithm="RC4-128")
        buf = io.BytesIO()
        w.write(buf)
        return buf.getvalue()

    open_pdf = pii(attachment("a.pdf", encrypted("")), make_ctx())
    assert [f.kind for f in open_pdf] == ["pii"]
    locked = pii(attachment("b.pdf", encrypted("secret")), make_ctx())
    assert [(f.kind, f.detail) for f in locked] == [
        ("pii_unscanned", "附件“b.pdf”未扫描：PDF已加密，无法读取，请人工查看是否含个人信息")]


def test_image_only_pdf_is_unscanned():
    found = pii(attachment("扫描件.pdf", make_pdf([])), make_ctx())
    assert [f.kind for f in found] == ["pii_unscanned"] and "无文字层" in found[0].detail


def test_docx_attachment():
    found = by_detail(pii(attachment("救助名单.docx", build_docx()), make_ctx()))
    assert set(found) == {
        f"附件“救助名单.docx”中身份证号 {mask(ID, ID_A)}未脱敏",
        f"附件“救助名单.docx”中手机号 {mask(MOBILE, MOBILE_B)}未脱敏",
        f"附件“救助名单.docx”中银行卡号 {mask(CARD, CARD_A)}未脱敏",
    }


def test_xlsx_attachment():
    found = by_detail(pii(attachment("补贴名单.xlsx", build_xlsx()), make_ctx()))
    assert set(found) == {
        f"附件“补贴名单.xlsx”中身份证号 {mask(ID, ID_A)}未脱敏",
        f"附件“补贴名单.xlsx”中手机号 {mask(MOBILE, MOBILE_A)}未脱敏",        # stored as a number
        f"附件“补贴名单.xlsx”中银行卡号 {mask(CARD, CARD_B)}未脱敏",           # card column header
    }


def test_csv_attachment_in_gbk():
    found = by_detail(pii(attachment("名单.csv", build_csv(), "text/csv"), make_ctx()))
    assert set(found) == {f"附件“名单.csv”中身份证号 {mask(ID, ID_15)}未脱敏",
                          f"附件“名单.csv”中手机号 {mask(MOBILE, MOBILE_B)}未脱敏"}


def test_txt_with_decoys_only():
    raw = f"已脱敏：{MASKED_ID} {MASKED_MOBILE}\n错误：{ID_BAD_CHECK}\n订单{LONG_RUN}".encode("utf-8")
    assert pii(attachment("说明.txt", raw, "text/plain"), make_ctx()) == []


def test_zip_attachment_scans_entries_and_reports_unreadable_ones():
    found = pii(attachment("材料.zip", build_zip(), "application/zip"), make_ctx())
    details = sorted(f.detail for f in found)
    assert details == sorted([
        f"附件“材料.zip”内“补贴名单.xlsx”中身份证号 {mask(ID, ID_A)}未脱敏",
        f"附件“材料.zip”内“补贴名单.xlsx”中手机号 {mask(MOBILE, MOBILE_A)}未脱敏",
        f"附件“材料.zip”内“补贴名单.xlsx”中银行卡号 {mask(CARD, CARD_B)}未脱敏",
        f"附件“材料.zip”内“名单.csv”中身份证号 {mask(ID, ID_15)}未脱敏",
        f"附件“材料.zip”内“名单.csv”中手机号 {mask(MOBILE, MOBILE_B)}未脱敏",
        f"附件“材料.zip”内“inner.zip/说明.txt”中手机号 {mask(MOBILE, MOBILE_A)}未脱敏",
        f"附件“材料.zip”内“申请表.txt”中身份证号 {mask(ID, ID_B)}未脱敏",
        "附件“材料.zip”内“原始材料.doc”未扫描：旧版Word（.doc）格式，无法自动读取，请人工查看是否含个人信息",
    ])
    assert {f.kind for f in found} == {"pii", "pii_unscanned"}
    assert all(f.url == HOME + "upload/2025/11/材料.zip" for f in found)


@pytest.mark.parametrize("name, raw, reason", [
    ("原件.doc", OLE_DOC, "旧版Word（.doc）格式"),
    ("名单.xls", OLE_DOC, "旧版Excel（.xls）格式"),
    ("公示.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "图片文件"),
    ("材料.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 50, "RAR压缩包"),
    ("坏文件.docx", b"PK\x03\x04garbage", "无法读取"),
])
def test_unreadable_files_are_unscanned_entries(name, raw, reason):
    found = pii(attachment(name, raw), make_ctx())
    assert [f.kind for f in found] == ["pii_unscanned"]
    assert found[0].detail.startswith(f"附件“{name}”未扫描：") and reason in found[0].detail
    assert found[0].indicator_id == "web.ded.publish.privacy"


def test_zip_bomb_and_caps():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", b"0" * (8 * 1024 * 1024))
    found = pii(attachment("bomb.zip", bomb.getvalue()), make_ctx())
    assert [f.kind for f in found] == ["pii_unscanned"] and "压缩炸弹" in found[0].detail
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5):
            z.writestr(f"{i}.txt", f"手机 {MOBILE_A}")
    capped = pii(attachment("many.zip", many.getvalue()), make_ctx(pii={"limits": {"max_zip_entries": 3}}))
    assert sum(f.kind == "pii" for f in capped) == 3
    assert any("条目超过3个" in f.detail for f in capped)
    big = pii(attachment("big.txt", b"x" * 2000), make_ctx(pii={"limits": {"max_bytes": 1000}}))
    assert [f.kind for f in big] == ["pii_unscanned"] and "未扫描" in big[0].detail


def test_attachment_not_downloaded():
    page = Page(url=HOME + "upload/huge.pdf", status=200, content_type="application/pdf", referrer=HOME)
    found = pii(page, make_ctx())
    assert [f.kind for f in found] == ["pii_unscanned"] and "未下载" in found[0].detail


def test_failed_download_is_not_unscanned():
    page = Page(url=HOME + "upload/gone.pdf", status=404, content_type="text/html")
    assert pii(page, make_ctx()) == []


def test_text_attachment_decoded_by_the_fetcher():
    page = Page(url=HOME + "upload/名单（第一批）.txt", status=200, text=f"联系电话：{MOBILE_A}",
                content_type="text/plain", referrer=HOME)
    assert [f.detail for f in pii(page, make_ctx())] == [
        f"附件“名单（第一批）.txt”中手机号 {mask(MOBILE, MOBILE_A)}未脱敏"]
