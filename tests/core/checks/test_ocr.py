"""OCR of images and scanned PDF pages: file types, caps, damaged files, the engine missing, and
the PII/grave checks on recognised text (decoys beside every number).

tests/fixtures/ocr/roster.png is a 公示名单 drawn with Noto Sans CJK at 20 px (bench/ocr_corpus.render):
row 1 ID_A / 13907981234 / CARD_A, row 2 ID_B / 18679812345 / CARD_BAD (fails Luhn), row 3 ID_BAD
(wrong check digit) / 138****5678 / a masked card, and under the table “全面贯彻党二十大精神。订单号
13812345678901” (a grave error and a phone-like order id).
"""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.checks import ocr, ocr_scan
from app.core.checks.ocr import OcrImage, OcrLimits, OcrLine
from app.core.checks.pii import CARD, ID, MOBILE, mask
from checkpages import id18, luhn_complete, make_ctx, make_pdf

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ocr" / "roster.png"
URL = "https://www.example.org/gsgg/202511/救助名单.{}"
LINKING = "https://www.example.org/gsgg/202511/t20251107_1.html"
ID_A, ID_B = id18("36070219850312123"), id18("11010119900307123")
ID_BAD = ID_A[:17] + ("1" if ID_A[17] != "1" else "2")
MOBILE_A, MOBILE_B, ORDER = "13907981234", "18679812345", "13812345678901"
CARD_A = luhn_complete("622202120300456789")
CARD_BAD = CARD_A[:-1] + str((int(CARD_A[-1]) + 3) % 10)

needs_engine = pytest.mark.skipif(not ocr.available(), reason="OCR engine not installed (pip install -e .[ocr])")


def encoded(fmt: str) -> bytes:
    """The fixture in another file format, as a site would publish it."""
    from PIL import Image
    img = Image.open(FIXTURE)
    buf = io.BytesIO()
    if fmt == "jpg":
        img.convert("RGB").save(buf, "JPEG", quality=75)
    elif fmt == "gif":
        img.save(buf, "GIF")
    elif fmt == "bmp":
        img.convert("RGB").save(buf, "BMP")
    elif fmt == "webp":
        img.convert("RGB").save(buf, "WEBP", quality=80)
    elif fmt == "pdf":
        img.convert("RGB").save(buf, "PDF", resolution=150)     # one image per page, no text layer
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


def by_kind(findings) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.kind, []).append(f)
    return out


def all_text(f) -> str:
    return "\n".join((f.detail, f.snippet, f.evidence))


# ---------------------------------------------------------------- each file type, with the engine

@needs_engine
@pytest.mark.parametrize("fmt", ["jpg", "png", "gif", "bmp", "webp", "pdf"])
def test_each_file_type_gives_pii_findings_with_regions_and_masked_numbers(fmt):
    url = URL.format(fmt)
    scan = ocr_scan.scan_image(url, encoded(fmt), make_ctx(), page=LINKING)
    kinds = by_kind(scan.findings)
    assert set(kinds) == {"pii", "grave_error"}, [f.detail for f in scan.findings]
    where = "附件“救助名单.pdf”扫描页" if fmt == "pdf" else f"图片“救助名单.{fmt}”"
    assert sorted(f.detail for f in kinds["pii"]) == sorted([
        f"{where}中身份证号 {mask(ID, ID_A)}等2个未脱敏（图片文字识别）",
        f"{where}中手机号 {mask(MOBILE, MOBILE_A)}等2个未脱敏（图片文字识别）",
        f"{where}中银行卡号 {mask(CARD, CARD_A)}未脱敏（图片文字识别）",
    ])
    for f in scan.findings:
        assert f.url == url and f.page == LINKING
        text = all_text(f)
        for number in (ID_A, ID_B, ID_BAD, MOBILE_A, MOBILE_B, CARD_A, CARD_BAD, ORDER):
            assert number not in text                       # every number masked, evidence too
    ids = next(f for f in kinds["pii"] if "身份证号" in f.detail)
    assert "区域(" in ids.evidence and url in ids.evidence
    assert mask(ID, ID_B) in ids.evidence and mask(ID, ID_BAD) not in ids.evidence
    if fmt == "pdf":
        assert "第1页 区域(" in ids.evidence
    [grave] = kinds["grave_error"]
    assert grave.detail == f"{where}中严重表述错误：“党二十大”应为“党的二十大”（图片文字识别）"
    assert grave.indicator_id == "web.veto.security.c1"


@needs_engine
def test_boxes_are_in_the_files_pixels():
    [image] = ocr.read_file(encoded("png"), "a.png")
    assert image.read and image.size == (916, 358)
    id_line = next(ln for ln in image.lines if ln.text == ID_A)
    left, top, right, bottom = id_line.box
    assert 150 < left < 200 and 140 < top < 200 and 350 < right < 420 and bottom - top < 40


@needs_engine
def test_pdf_pages_with_a_text_layer_are_left_to_the_text_extractor():
    assert ocr.read_pdf(make_pdf([f"ID number: {ID_A}", "Application form with enough text"]), "a.pdf") == []


# ---------------------------------------------------------------- caps

@needs_engine
def test_an_image_over_the_pixel_cap_is_refused_unread():
    scan = ocr_scan.scan_image(URL.format("png"), encoded("png"), make_ctx(), OcrLimits(refuse_pixels=100_000))
    assert [(f.kind, f.detail) for f in scan.findings] == [
        ("pii_unscanned", "图片“救助名单.png”未识别：图片过大（916×358像素，超过10万像素上限），未识别，请人工查看是否含个人信息")]


@needs_engine
def test_a_large_image_is_downscaled_and_its_boxes_scaled_back():
    from PIL import Image
    big = Image.open(FIXTURE).convert("L").resize((916 * 2, 358 * 2), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    big.save(buf, "PNG")
    [image] = ocr.read_file(buf.getvalue(), "big.png", OcrLimits(max_pixels=916 * 358 + 1000))
    assert image.read and image.size == (1832, 716)
    line = next(ln for ln in image.lines if ln.text == ID_A)
    assert 300 < line.box[0] < 400 and 700 < line.box[2] < 840       # twice the coordinates of the original


@needs_engine
def test_the_deadline_stops_an_image_cleanly():
    scan = ocr_scan.scan_image(URL.format("jpg"), encoded("jpg"), make_ctx(), OcrLimits(seconds_per_image=0.001))
    assert [f.kind for f in scan.findings] == ["pii_unscanned"]
    assert "识别超时（超过0.001秒）" in scan.findings[0].detail


def test_the_images_per_site_budget_counts_and_lists_what_it_skipped():
    budget = ocr.ImageBudget(OcrLimits(images_per_site=2).images_per_site)
    assert [budget.take(f"https://www.example.org/{i}.jpg") for i in range(4)] == [True, True, False, False]
    assert budget.used == 2 and budget.skipped == ["https://www.example.org/2.jpg", "https://www.example.org/3.jpg"]
    assert budget.note() == ("图片及扫描件超过每站2个的识别上限，另有2个未识别（如 https://www.example.org/2.jpg），"
                             "请人工查看是否含个人信息")
    assert ocr.ImageBudget(5).note() == ""


@needs_engine
def test_pdf_scanned_pages_are_capped():
    from PIL import Image
    pages = [Image.open(FIXTURE).convert("RGB") for _ in range(3)]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:])
    images = ocr.read_pdf(buf.getvalue(), "三页.pdf", OcrLimits(pdf_pages=2))
    assert [(im.page, im.read) for im in images] == [(1, True), (2, True), (3, False)]
    assert images[-1].reason == "扫描页超过2页，第3页起未识别"
    only = ocr.read_pdf(buf.getvalue(), "三页.pdf", pages={2})          # the caller knows which pages lack text
    assert [(im.page, im.read) for im in only] == [(2, True)]
    asked = []
    stopped = ocr.read_pdf(buf.getvalue(), "三页.pdf", stop=lambda: asked.append(1) or len(asked) > 1)
    assert [(im.page, im.reason) for im in stopped] == [(1, ""), (2, "检查已取消，第2页起未识别")]


# ---------------------------------------------------------------- damaged files, engine missing

@needs_engine
@pytest.mark.parametrize("fmt", ["png", "jpg", "gif", "webp"])
def test_a_truncated_image_is_unscanned_with_its_reason(fmt):
    data = encoded(fmt)
    scan = ocr_scan.scan_image(URL.format(fmt), data[: len(data) // 3], make_ctx())
    assert [f.kind for f in scan.findings] == ["pii_unscanned"]
    assert "图片损坏或格式不支持，无法识别" in scan.findings[0].detail


@needs_engine
def test_garbage_and_a_broken_pdf_are_unscanned():
    scan = ocr_scan.scan_image("https://www.example.org/x.jpg", b"\xff\xd8\xff" + b"\x00garbage" * 50, make_ctx())
    assert [f.kind for f in scan.findings] == ["pii_unscanned"]
    broken = ocr_scan.scan_image("https://www.example.org/x.pdf", b"%PDF-1.4\n1 0 obj <<", make_ctx())
    assert [f.kind for f in broken.findings] == ["pii_unscanned"] and "PDF无法解析" in broken.findings[0].detail


def test_engine_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr", None)        # import rapidocr now fails
    monkeypatch.setattr(ocr, "_engines", {})
    assert ocr.available() is False
    assert ocr.read_image(b"\x89PNG whatever", "a.png").reason == ocr.MISSING
    scan = ocr_scan.scan_image("https://www.example.org/a.png", b"\x89PNG whatever", make_ctx())
    assert [(f.kind, f.detail) for f in scan.findings] == [
        ("pii_unscanned", f"图片“a.png”未识别：{ocr.MISSING}，请人工查看是否含个人信息")]


def test_importing_the_ocr_modules_loads_no_heavy_library():
    probe = ("import sys\nimport app.core.checks.ocr, app.core.checks.ocr_scan\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('onnxruntime', 'numpy', 'PIL', 'cv2', 'rapidocr', 'pypdf')))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# ---------------------------------------------------------------- the checks on recognised lines (no engine)

def line(text: str, x: int, y: int, w: int = 0) -> OcrLine:
    return OcrLine(text, (x, y, x + (w or 12 * len(text)), y + 20))


def table_image(rows: list[list[str]], skew: float = 0.0) -> OcrImage:
    """Cells at fixed columns 200 px apart, rows 40 px apart, pushed down by ``skew`` to the right."""
    lines = [line(cell, 20 + 200 * c, 100 + 40 * r + int(skew * (20 + 200 * c)))
             for r, row in enumerate(rows) for c, cell in enumerate(row) if cell]
    return OcrImage("t.png", lines=tuple(lines), size=(1400, 800), skew=skew)


def numbers(image: OcrImage) -> list[tuple[str, str]]:
    return sorted((h.hit.kind, h.hit.number) for h in ocr_scan.pii_hits(image, make_ctx()))


def test_digit_lookalikes_are_repaired_inside_numbers_only():
    assert ocr_scan.normalise("36O7O2l985O3l2l234") == "360702198503121234"
    assert ocr_scan.normalise("Ｓ１３９0798l234") == "513907981234"
    assert ocr_scan.normalise("139一0798一1234") == "139-0798-1234"
    assert ocr_scan.normalise("BOSS Office 2025") == "BOSS Office 2025"
    assert ocr_scan.normalise("36070219850312123×") == "36070219850312123X"


def test_misread_and_split_numbers_are_found_decoys_are_not():
    card_b = luhn_complete("621700123456789012")
    image = table_image([
        ["序号", "姓名", "身份证号", "联系电话", "银行卡号"],
        ["1", "张伟", "36O7O2l985O3l2l234", "139 0798 1234", card_b[:10] + " " + card_b[10:]],
        ["2", "李娜", "11010119900307 1233", "186-7981-2345", CARD_BAD],
        ["3", "王芳", ID_BAD, "138****5678", "6222***********1234"],
        ["4", "赵强", "360702********1234", "0791-88881234", ORDER],
    ])
    assert numbers(image) == sorted([(ID, ID_A), (ID, ID_B), (MOBILE, MOBILE_A), (MOBILE, MOBILE_B),
                                     (CARD, card_b)])


def test_cards_need_a_card_column_or_card_words():
    card = luhn_complete("622848001234567890")
    no_card_column = table_image([["序号", "合同编号", "金额"], ["1", card, "5000.00"]])
    assert numbers(no_card_column) == []
    words_in_the_line = OcrImage("p.png", lines=(line(f"收款账号：{card}", 20, 40),), size=(800, 100))
    assert numbers(words_in_the_line) == [(CARD, card)]


def test_two_tables_on_one_scan_each_use_their_own_header():
    card = luhn_complete("621226000011112222")
    image = table_image([
        ["序号", "姓名", "身份证号", "联系电话"],
        ["1", "张伟", ID_A, MOBILE_A],
        ["序号", "姓名", "银行卡号", "金额"],
        ["1", "张伟", card, "300.00"],
    ])
    assert numbers(image) == sorted([(ID, ID_A), (MOBILE, MOBILE_A), (CARD, card)])
    first_table_only = table_image([["序号", "姓名", "身份证号", "联系电话"], ["1", "张伟", ID_A, MOBILE_A],
                                    ["序号", "姓名", "合同编号", "金额"], ["1", "张伟", card, "300.00"]])
    assert (CARD, card) not in numbers(first_table_only)


def test_a_skewed_table_keeps_its_rows():
    image = table_image([["序号", "姓名", "身份证号", "联系电话", "银行卡号"],
                         ["1", "张伟", ID_A, MOBILE_A, CARD_A], ["2", "李娜", ID_B, MOBILE_B, CARD_BAD]], skew=0.03)
    assert numbers(image) == sorted([(ID, ID_A), (ID, ID_B), (MOBILE, MOBILE_A), (MOBILE, MOBILE_B), (CARD, CARD_A)])
    hits = ocr_scan.pii_hits(image, make_ctx())
    row2 = next(h for h in hits if h.hit.number == ID_B)
    assert row2.context.startswith("2 李娜 " + mask(ID, ID_B))


def test_whitelisted_numbers_stay_unflagged():
    image = table_image([["序号", "姓名", "身份证号"], ["1", "张伟", ID_A], ["2", "李娜", ID_B]])
    ctx = make_ctx(pii={"allow": [ID_A]})
    assert [(h.hit.kind, h.hit.number) for h in ocr_scan.pii_hits(image, ctx)] == [(ID, ID_B)]


def test_a_grave_error_across_wrapped_lines_is_found_with_its_region():
    image = OcrImage("n.png", lines=(line("全面贯彻党二", 20, 40), line("十大精神，坚持人民至上。", 20, 70)),
                     size=(600, 120))
    [(hit, box, snippet)] = ocr_scan.grave_hits(image, make_ctx())
    assert hit.entry.wrong == "党二十大" and box == (20, 40, 20 + 12 * 12, 90)
    assert "党二十大" in snippet


def test_long_images_are_cut_in_overlapping_strips_and_each_line_kept_once():
    assert ocr._strips(900, 1200) == [(0, 0, 900, 1200)]
    crops = ocr._strips(800, 6000)
    assert crops[0][1] == 0 and crops[-1][3] == 6000 and all(c[2] == 800 for c in crops)
    assert all(a[3] - b[1] == ocr.STRIP_OVERLAP for a, b in zip(crops, crops[1:]))
    cut = crops[1][1]                                         # a line inside the first overlap
    inside = (10, cut + 50, 300, cut + 80)
    assert [ocr._keep(inside, crops, i) for i in range(len(crops))] == [True, False] + [False] * (len(crops) - 2)
    across = (10, cut - 10, 300, cut + 20)                    # cut by the second strip's top edge
    assert [ocr._keep(across, crops, i) for i in (0, 1)] == [True, False]
    edge = (10, crops[0][3] - 15, 300, crops[0][3] + 15)      # cut by the first strip's bottom edge
    assert [ocr._keep(edge, crops, i) for i in (0, 1)] == [False, True]
