"""Value cleaning and validation for registry fields (shared by import, dialogs and CLI)."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

# 省级行政区划代码的前两位 (GB/T 2260).
PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}

_SITE_CODE_10 = re.compile(r"^\d{10}$")
_SITE_CODE_BM = re.compile(r"^bm\d{8}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(\(?0\d{2,3}\)?[- ]?)?[2-9]\d{6,7}([-转]\d{1,6})?$")
_SERVICE_NO = re.compile(r"^(1[0-2]\d{3}|400\d{7}|800\d{7})$")  # 12345, 400-, 800- lines
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
_HOST_LABEL = re.compile(r"^[a-z0-9\u4e00-\u9fff]([a-z0-9\u4e00-\u9fff\-]*[a-z0-9\u4e00-\u9fff])?$")
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


class BadValue(ValueError):
    """A value that cannot be accepted; str() is the Chinese reason."""


def text(value) -> str:
    """Cell value as trimmed text; integral floats lose their '.0' (Excel numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("\u3000", " ").strip()


def site_code(value) -> str:
    """网站标识码: 10 digits (6-digit 行政区划代码 + 4-digit serial) or bm + 8 digits."""
    code = text(value).replace(" ", "")
    if not code:
        raise BadValue("网站标识码不能为空")
    if code[:2].lower() == "bm":
        code = "bm" + code[2:]
    if _SITE_CODE_BM.match(code):
        return code
    if _SITE_CODE_10.match(code):
        if code[:2] not in PROVINCE_PREFIXES:
            raise BadValue(f"网站标识码“{code}”前两位不是有效的省级行政区划代码")
        return code
    if code.isdigit():
        raise BadValue(f"网站标识码“{code}”应为10位数字，实际为{len(code)}位")
    raise BadValue(f"网站标识码“{code}”格式不正确：应为10位数字，或 bm 加8位数字（国务院部门）")


def url(value, *, required: bool = True) -> str:
    """An http(s) address; a bare host such as www.x.gov.cn gets http:// in front."""
    raw = text(value)
    if not raw:
        if required:
            raise BadValue("网址不能为空")
        return ""
    if any(ch.isspace() for ch in raw):
        raise BadValue(f"网址“{raw}”含有空格")
    candidate = raw if re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", raw) else "http://" + raw
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in ("http", "https"):
        raise BadValue(f"网址“{raw}”不是 http/https 地址")
    host = (parts.hostname or "").lower()
    if not host:
        raise BadValue(f"网址“{raw}”缺少域名")
    try:
        parts.port
    except ValueError:
        raise BadValue(f"网址“{raw}”端口号不正确") from None
    labels = host.split(".")
    is_ip = re.match(r"^\d{1,3}(\.\d{1,3}){3}$", host) is not None
    if not is_ip and (len(labels) < 2 or not all(_HOST_LABEL.match(lb) for lb in labels)):
        raise BadValue(f"网址“{raw}”的域名“{host}”不正确")
    scheme = parts.scheme.lower()
    path = parts.path or "/"
    netloc = parts.netloc.lower() if not parts.username else parts.netloc
    result = f"{scheme}://{netloc}{path}"
    if parts.query:
        result += "?" + parts.query
    return result


def date(value, *, required: bool = False) -> str | None:
    """A date as YYYY-MM-DD from text, a datetime cell or an Excel serial number."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
    raw = text(value)
    if not raw:
        if required:
            raise BadValue("日期不能为空")
        return None
    raw = raw.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(raw)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                raise BadValue(f"日期“{raw}”不存在") from None
    raise BadValue(f"日期“{raw}”格式不正确，应如 2025-08-14 或 2025年8月14日")


def phone(value) -> str:
    """One or more phone numbers (mobile, landline with area code/extension, 12345-style)."""
    raw = text(value)
    if not raw:
        return ""
    parts = [p.strip() for p in re.split(r"[，,；;、/]", raw) if p.strip()]
    for p in parts:
        compact = p.replace(" ", "").replace("－", "-").replace("—", "-")
        if not (_MOBILE.match(compact) or _LANDLINE.match(compact) or _SERVICE_NO.match(compact.replace("-", ""))):
            raise BadValue(f"电话“{p}”格式不正确")
    return "；".join(parts)


def email(value) -> str:
    raw = text(value)
    if raw and not _EMAIL.match(raw):
        raise BadValue(f"电子邮箱“{raw}”格式不正确")
    return raw


def region_code(value) -> str:
    raw = text(value)
    if raw and not (re.match(r"^\d{6}$", raw) and raw[:2] in PROVINCE_PREFIXES):
        raise BadValue(f"行政区划代码“{raw}”应为6位数字")
    return raw


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def web_link(value) -> str | None:
    """``value`` if it is a plain http(s) link with a host, else None. For links handed to the
    desktop (open in the browser): data from a crawl or an import is never a command, so anything
    else — file:, ms-msdt:, javascript:, a bare path, a host without a scheme — is refused."""
    raw = "" if value is None else str(value).strip()
    if not raw or _CONTROL.search(raw) or not re.match(r"^https?://", raw, re.I):
        return None
    parts = urlsplit(raw)
    try:
        parts.port
    except ValueError:
        return None
    return raw if parts.hostname and not parts.username else None
