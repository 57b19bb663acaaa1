"""Network failures in an inspector's words: exception -> error kind (DNS, refused, timeout, TLS …) -> Chinese text."""
from __future__ import annotations

import socket
import ssl
from typing import Iterator

import requests


# ---------------------------------------------------------------- errors

ERROR_TEXT = {
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "connect_timeout": "连接超时",
    "read_timeout": "读取超时",
    "deadline": "超过总时限",
    "cancelled": "已取消",
    "connection": "连接失败",
    "redirect_loop": "重定向循环",
    "too_many_redirects": "重定向次数过多",
    "invalid_url": "链接地址无效",
    "offsite_redirect": "跳转到其他域名",
    "bad_scheme": "不是网页链接",
    "bad_body": "响应内容损坏",
    "tls_expired": "证书已过期",
    "tls_not_yet_valid": "证书尚未生效",
    "tls_untrusted": "证书不受信任",
    "tls_name_mismatch": "证书域名不匹配",
    "tls_error": "TLS 握手失败",
}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (cause, context, urllib3 reason, args)."""
    seen, stack = set(), [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(x for x in (e.__cause__, e.__context__, getattr(e, "reason", None))
                     if isinstance(x, BaseException))
        stack.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))


def classify_tls(exc: BaseException) -> str:
    """'tls_expired', 'tls_not_yet_valid', 'tls_untrusted', 'tls_name_mismatch' or 'tls_error'."""
    texts = []
    for e in _causes(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            code = getattr(e, "verify_code", None)
            if code == 10:
                return "tls_expired"
            if code == 9:
                return "tls_not_yet_valid"
            if code in (62, 64):                      # host name / IP address mismatch
                return "tls_name_mismatch"
            if code in (2, 18, 19, 20, 21, 27, 28):
                return "tls_untrusted"
            texts.append(str(getattr(e, "verify_message", "") or ""))
        texts.append(str(e))
    text = " ".join(texts).lower()
    if "expired" in text:
        return "tls_expired"
    if "not yet valid" in text:
        return "tls_not_yet_valid"
    if "mismatch" in text or "doesn't match" in text or "not valid for" in text:
        return "tls_name_mismatch"
    if any(s in text for s in ("self-signed", "self signed", "unable to get local issuer", "unknown ca",
                               "unable to verify")):
        return "tls_untrusted"
    return "tls_error"


def classify_error(exc: BaseException) -> str:
    """A machine code (key of ERROR_TEXT) for a requests/urllib3/socket exception."""
    if isinstance(exc, requests.exceptions.SSLError) or any(
            isinstance(e, ssl.SSLError) for e in _causes(exc)):
        return classify_tls(exc)
    for e in _causes(exc):
        name = type(e).__name__
        if isinstance(e, socket.gaierror) or name == "NameResolutionError":
            return "dns"
        if isinstance(e, ConnectionRefusedError):
            return "refused"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, (requests.exceptions.ReadTimeout, socket.timeout, TimeoutError)):
        return "read_timeout"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader,
                        UnicodeError, ValueError)):
        return "invalid_url"
    if isinstance(exc, (requests.exceptions.ContentDecodingError, requests.exceptions.ChunkedEncodingError)):
        return "bad_body"
    if any(type(e).__name__ in ("ReadTimeoutError",) for e in _causes(exc)):
        return "read_timeout"
    if any(type(e).__name__ in ("ConnectTimeoutError",) for e in _causes(exc)):
        return "connect_timeout"
    return "connection"


def error_text(kind: str, detail: str = "") -> str:
    base = ERROR_TEXT.get(kind, "请求失败")
    return f"{base}（{detail}）" if detail else base
