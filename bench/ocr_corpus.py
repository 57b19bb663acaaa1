"""Generated scans for the OCR bench: 公示名单 tables with real-looking personal data, and decoys.

Each sample is one file's bytes (jpg, png, gif, bmp, webp, or an image-only PDF page) with the
numbers a reader should flag (身份证号 with valid check digits, mobiles, Luhn-valid bank cards in a
card column) and the decoys nobody should flag (invoice codes, phone-like order ids, numbers failing
their checksums, masked numbers, dates, landlines). Drawn with Pillow and a CJK font found on the
machine: three resolutions (about 100, 150 and 200 dpi), noise, JPEG artefacts, slight rotation.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
)
FONT_SIZES = (15, 22, 30)            # px of body text: ~100, 150 and 200 dpi scans of 10.5 pt type
FORMATS = ("jpg", "png", "gif", "bmp", "webp", "pdf")

ID, MOBILE, CARD = "身份证号", "手机号", "银行卡号"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌海燕春梅晓东云飞宇鹏辉婷雪琴"
AREAS = ("360702", "360721", "360733", "110101", "320106", "440305", "510104", "420111", "430102", "350203")
CARD_PREFIXES = ("622202", "621700", "622848", "621226", "623668", "622908", "621799")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def find_cjk_font() -> str | None:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return path
    return None


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def luhn_digit(partial: str) -> str:
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def id_number(rng: random.Random, valid: bool = True) -> str:
    body = (rng.choice(AREAS) + f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + f"{rng.randint(0, 999):03d}")
    check = id_check(body)
    if not valid:
        check = rng.choice([c for c in "0123456789" if c != check])
    return body + check


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def card_number(rng: random.Random, valid: bool = True) -> str:
    length = rng.choice((16, 19, 19))
    body = rng.choice(CARD_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(length - 7))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    return body + check


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


@dataclass
class Sample:
    name: str                        # file name with its extension
    fmt: str                         # jpg | png | gif | bmp | webp | pdf
    data: bytes
    pii: list[tuple[str, str]] = field(default_factory=list)   # (type, digits) a reader must flag
    decoys: list[str] = field(default_factory=list)            # numbers that must stay unflagged
    font_size: int = 22
    footer: str = ""                                           # a sentence under the table (grave errors)


def roster_table(rng: random.Random, rows: int) -> tuple[str, list[str], list[list[str]], list, list]:
    """A 公示名单: title, header, rows; the PII it holds and its decoys."""
    with_card = rng.random() < 0.6
    title = rng.choice(("2025年度城乡低保对象公示名单", "临时救助对象公示", "耕地地力保护补贴发放名单",
                        "高龄津贴发放公示表", "2025年第三季度残疾人两项补贴公示"))
    header = ["序号", "姓名", "身份证号", "联系电话"] + (["银行卡号"] if with_card else []) + ["金额（元）"]
    body, pii, decoys = [], [], []
    for i in range(rows):
        pid, phone = id_number(rng), mobile(rng)
        row = [str(i + 1), name(rng), pid, phone]
        pii += [(ID, pid), (MOBILE, phone)]
        if with_card:
            card = card_number(rng)
            row.append(card)
            pii.append((CARD, card))
        row.append(f"{rng.randint(3, 60) * 50}.00")
        body.append(row)
    return title, header, body, pii, decoys


def decoy_table(rng: random.Random, rows: int) -> tuple[str, list[str], list[list[str]], list, list]:
    """Numbers that look like PII but are not (or are masked): none may be flagged."""
    title = rng.choice(("政府采购合同履约情况公示", "电子发票开具情况一览表", "项目资金拨付明细", "办件结果公示"))
    header = ["序号", "订单编号", "发票号码", "证件号码", "卡号", "联系电话", "日期"]
    body, decoys = [], []
    for i in range(rows):
        order = f"1{rng.choice('3456789')}" + "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((10, 11, 12))))
        invoice = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((8, 20))))
        masked_id = id_number(rng)
        pid = id_number(rng, valid=False) if rng.random() < 0.6 else masked_id[:6] + "********" + masked_id[-4:]
        card = card_number(rng, valid=False) if rng.random() < 0.6 else f"6222{'*' * 11}{rng.randint(0, 9999):04d}"
        masked_mobile = mobile(rng)
        phone = masked_mobile[:3] + "****" + masked_mobile[-4:] if rng.random() < 0.5 else \
            f"0{rng.randint(700, 799)}-{rng.randint(2000000, 8999999)}"
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        date = rng.choice((f"2025-{month:02d}-{day:02d}", f"2025年{month}月{day}日", f"2025{month:02d}{day:02d}"))
        row = [str(i + 1), order, invoice, pid, card, phone, date]
        decoys += [order, invoice, pid.replace("*", ""), card.replace("*", ""), phone]
        body.append(row)
    return title, header, body, [], [d for d in decoys if sum(c.isdigit() for c in d) >= 11]


GRAVE_LINES = ("全面贯彻党二十大精神，坚持以人民为中心的发展思想。", "深入学习毛泽东思相和邓小平理论。",
               "坚持和发展中国特色社会主意，扎实推进共同富裕。")


def render(title: str, header: list[str], body: list[list[str]], font_path: str, size: int,
           rng: random.Random, footer: str = ""):
    """The table drawn as a scan: grid lines, black text on off-white, noise, slight rotation."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(font_path, size)
    big = ImageFont.truetype(font_path, int(size * 1.4))
    pad = size // 2
    widths = [max(font.getlength(r[c]) for r in [header] + body) + 2 * pad for c in range(len(header))]
    row_h = int(size * 1.9)
    margin = size * 2
    width = int(sum(widths) + 2 * margin)
    height = int(margin * 2 + size * 3 + row_h * (len(body) + 1) + (size * 3 if footer else 0))
    bg = rng.randint(236, 255)
    img = Image.new("L", (width, height), bg)
    draw = ImageDraw.Draw(img)
    draw.text(((width - big.getlength(title)) / 2, margin), title, font=big, fill=0)
    top = margin + size * 3
    ink = rng.randint(0, 50)
    for r, row in enumerate([header] + body):
        y = top + r * row_h
        x = margin
        for c, cell in enumerate(row):
            draw.rectangle([x, y, x + widths[c], y + row_h], outline=ink)
            draw.text((x + pad, y + (row_h - size) / 2 - size * 0.1), cell, font=font, fill=ink)
            x += widths[c]
    if footer:
        draw.text((margin, top + row_h * (len(body) + 1) + size), footer, font=font, fill=ink)
    noise = Image.effect_noise((width, height), rng.uniform(8, 25))
    img = Image.blend(img, noise, rng.uniform(0.05, 0.15))
    if rng.random() < 0.5:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.7)))
    angle = rng.uniform(-1.5, 1.5)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=bg)
    return img


def encode(img, fmt: str, rng: random.Random, dpi: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpg":
        img.convert("RGB").save(buf, "JPEG", quality=rng.randint(55, 85))
    elif fmt == "png":
        img.save(buf, "PNG")
    elif fmt == "gif":
        img.convert("P", palette=1, colors=rng.choice((16, 64))).save(buf, "GIF")  # adaptive palette
    elif fmt == "bmp":
        img.convert("RGB").save(buf, "BMP")
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=rng.randint(60, 85))
    elif fmt == "pdf":
        page = img.convert("RGB") if rng.random() < 0.7 else img.point(lambda v: 255 if v > 150 else 0, "1")
        page.save(buf, "PDF", resolution=dpi)
    return buf.getvalue()


def make_corpus(n: int = 200, seed: int = 15, font_path: str | None = None) -> list[Sample]:
    return list(iter_corpus(n, seed, font_path))


def iter_corpus(n: int = 200, seed: int = 15, font_path: str | None = None):
    """n samples, one at a time: 2 rosters for every decoy page, formats and resolutions in
    rotation, every 10th with a sentence holding a grave error, every 25th a long list of 60 rows."""
    font_path = font_path or find_cjk_font()
    if not font_path:
        raise RuntimeError("no CJK font found (apt-get install fonts-noto-cjk)")
    rng = random.Random(seed)
    for i in range(n):
        fmt = FORMATS[i % len(FORMATS)]
        size = FONT_SIZES[(i // len(FORMATS)) % len(FONT_SIZES)]
        decoy = i % 3 == 2
        rows = 60 if i % 25 == 24 else rng.randint(4, 8)         # now and then a long 长图 of a whole list
        title, header, body, pii, decoys = (decoy_table if decoy else roster_table)(rng, rows)
        footer = rng.choice(GRAVE_LINES) if i % 10 == 0 else ""
        img = render(title, header, body, font_path, size, rng, footer=footer)
        dpi = round(size * 100 / 15)
        yield Sample(f"scan{i:03d}.{fmt}", fmt, encode(img, fmt, rng, dpi), pii, decoys, size, footer)
