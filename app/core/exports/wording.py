"""How circulars write things: dates, the period (第四季度, never a month for a quarter), the area
(全省/全市), rates with 0-2 decimals (96%, 98.8%, 99.80%, and 100% as such), approximate shares
(约15%), short platform names (微信, 微博) and title templates ({期间}{范围}…).

Pure functions of plain values; no database and no openpyxl.
"""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from ..office import names as office_names
from ..rounds.scoring import round_half_up

CN_NUMBERS = "一二三四五六七八九十"
QUARTERS = "一二三四"
SHORT_PLATFORMS = {"微信公众号": "微信", "新浪微博": "微博", "微信视频号": "视频号"}
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def cn_date(iso: str | None, year: bool = True) -> str:
    """'2025-08-14' -> '2025年8月14日' (or '8月14日')."""
    if not iso:
        return ""
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    return f"{y}年{m}月{d}日" if year else f"{m}月{d}日"


def _from_name(name: str, year: int) -> str | None:
    """The period a round's name states: 2025年第四季度, 2025年下半年, 2025年8月, 2025年度."""
    ym = re.search(r"(20\d\d)\s*年", name)
    y = int(ym.group(1)) if ym else year
    m = re.search(r"第\s*([一二三四1-4])\s*季度", name)
    if m:
        q = m.group(1)
        return f"{y}年第{QUARTERS[int(q) - 1] if q.isdigit() else q}季度"
    m = re.search(r"([上下])\s*半年", name)
    if m:
        return f"{y}年{m.group(1)}半年"
    m = re.search(r"(?<![\d第])(1[0-2]|[1-9])\s*月(?:份)?(?![\d日])", name)
    if m:
        return f"{y}年{int(m.group(1))}月"
    if re.search(r"年度|全年", name):
        return f"{y}年度"
    return None


def _month_end(y: int, m: int) -> int:
    import calendar
    return calendar.monthrange(y, m)[1]


def _from_dates(start: str, end: str) -> str | None:
    """A span that is exactly a month, a quarter, a half or a year."""
    y1, m1, d1 = int(start[:4]), int(start[5:7]), int(start[8:10])
    y2, m2, d2 = int(end[:4]), int(end[5:7]), int(end[8:10])
    if y1 != y2 or d1 != 1 or d2 != _month_end(y2, m2):
        return None
    span = (m1, m2)
    if span == (1, 12):
        return f"{y1}年度"
    if span in ((1, 6), (7, 12)):
        return f"{y1}年{'上' if m1 == 1 else '下'}半年"
    if m2 - m1 == 2 and m1 % 3 == 1:
        return f"{y1}年第{QUARTERS[(m1 - 1) // 3]}季度"
    if m1 == m2:
        return f"{y1}年{m1}月"
    return None


def period_label(rnd) -> str:
    """The period a circular names, from the round's name (第四季度检查), else its dates when they
    span a whole month/quarter/half/year, else its kind and dates: 2025年第四季度, 2025年8月 …"""
    day = rnd.period_from or rnd.as_of
    y, m = int(day[:4]), int(day[5:7])
    named = _from_name(rnd.name or "", int(rnd.as_of[:4]))
    if named:
        return named
    if rnd.period_from and rnd.period_to:
        spanned = _from_dates(rnd.period_from, rnd.period_to)
        if spanned:
            return spanned
    if rnd.kind == "季度":
        return f"{y}年第{QUARTERS[(m - 1) // 3]}季度"
    if rnd.kind == "月度":
        return f"{y}年{m}月"
    if rnd.kind == "半年":
        return f"{y}年{'上' if m <= 6 else '下'}半年"
    if rnd.kind == "年度":
        return f"{y}年度"
    return rnd.name


def short_period(label: str) -> str:
    """'2025年第四季度' -> '第四季度', '2025年8月' -> '8月'; a year or other text stays whole."""
    m = re.fullmatch(r"20\d\d年(第.季度|[上下]半年|\d{1,2}月)", label)
    return m.group(1) if m else label


def span_text(rnd) -> str:
    """'8月1日-8月14日' (years shown only when they differ from the 监测时间点's)."""
    if not (rnd.period_from and rnd.period_to):
        return ""
    same = rnd.period_from[:4] == rnd.period_to[:4] == rnd.as_of[:4]
    return f"{cn_date(rnd.period_from, not same)}-{cn_date(rnd.period_to, not same)}"


def monitor_note(rnd) -> str:
    """The 注 line under a problem list, as the circulars print it (no closing full stop)."""
    span = span_text(rnd)
    tail = f"，时间段为{span}" if span else ""
    return f"注：监测时间点{cn_date(rnd.as_of)}{tail}"


def scope_word(area: str) -> str:
    """江州市 -> 全市, 四川省 -> 全省; other names are used as they are."""
    if not area:
        return ""
    return "全" + area[-1] if area[-1] in "省市县区州盟旗" else area


def fmt_points(value: float | None) -> str:
    """95.0 -> '95', 95.5 -> '95.5' (scores in running text)."""
    if value is None:
        return "—"
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate_at(part: int, whole: int, decimals: int = 2) -> Decimal | None:
    """part/whole in percent, HALF-UP to ``decimals`` from the exact fraction (no double rounding)."""
    if not whole:
        return None
    return round_half_up(Fraction(100 * part, whole), decimals)


def rate_text(rate: Decimal | None) -> str:
    """A rate in running text: 99.89%, 98.8%, 96%, and 100% without decimals as circulars write it."""
    if rate is None:
        return "—"
    return "100%" if rate == 100 else f"{rate}%"


def approx_share(part: int, whole: int) -> str:
    """A share as circulars state a frequency: '15%' when exact, else '约15%' — rounded to the
    nearest 5 % when that is within one point (3 of 21 -> 约15%), else to a whole percent."""
    if not whole:
        return "—"
    exact = Fraction(100 * part, whole)
    if exact.denominator == 1:
        return f"{exact.numerator}%"
    five = 5 * round(exact / 5)
    if five > 0 and abs(exact - five) <= 1:
        return f"约{five}%"
    return f"约{round_half_up(exact, 0)}%"


def platform_name(platform: str, short: bool) -> str:
    return SHORT_PLATFORMS.get(platform, platform) if short else platform


def cn_count(n: int) -> str:
    """1..10 as 一..十 (12次 stays a figure)."""
    return CN_NUMBERS[n - 1] if 1 <= n <= 10 else str(n)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def printable(value):
    """Text (or a structure of texts) without the control characters Word and Excel cannot hold."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable(v) for v in value]
    return value


_FIELD = re.compile(r"\{([^{}]+)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """Replace {期间}, {范围} … with their values; unknown fields stay as written."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), template or "")


def safe_filename(text: str) -> str:
    return office_names.safe_filename(text, "附件")
