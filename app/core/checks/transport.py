"""https_problem, ipv6_missing: pure deciders over what the prober learnt (TLS facts, AAAA lookup)."""
from __future__ import annotations

import ipaddress
from typing import Iterable

from .base import CheckContext, CheckFinding, CheckNote, Findings, TlsInfo

KIND_HTTPS = "https_problem"
KIND_IPV6 = "ipv6_missing"
IND_HTTPS = "web.ded.function.availability"
IND_IPV6 = "web.ded.function.ipv6"
DEFAULTS_HTTPS = {"warn_days": 30, "require_https": True, "require_redirect": True}
DEFAULTS_IPV6: dict = {}

_VERIFY_ZH = {
    "expired": "HTTPS证书已过期",
    "not_yet_valid": "HTTPS证书尚未生效",
    "untrusted": "HTTPS证书不受信任（自签名或证书链不完整）",
    "name_mismatch": "HTTPS证书域名与网站域名不一致",
}


def https_problem(tls: TlsInfo | None, ctx: CheckContext) -> Findings:
    """Certificate expired/untrusted/mismatched, expiring within warn_days, no HTTPS, no http→https."""
    opts = ctx.opts(KIND_HTTPS, DEFAULTS_HTTPS)
    url = str((ctx.site or {}).get("url") or "")
    if tls is None:
        return Findings(notes=[CheckNote(KIND_HTTPS, "HTTPS：未检测（未取得证书信息）", url)])
    host = tls.host
    out = Findings()

    def add(detail: str, evidence: str = "") -> None:
        out.append(CheckFinding(KIND_HTTPS, IND_HTTPS, url=url or f"https://{host}/", page=url, detail=detail,
                                evidence=evidence))

    if not tls.https_ok:
        if opts["require_https"]:
            add(f"网站未启用HTTPS或HTTPS无法连接（{host}）", tls.error)
        return out
    expiry = f"证书到期日 {tls.not_after.isoformat()}" if tls.not_after else ""
    kind = tls.verify_error
    if tls.not_after is not None and tls.not_after < ctx.as_of:
        kind = "expired"
    if kind:
        text = _VERIFY_ZH.get(kind, f"HTTPS证书校验失败（{kind}）")
        add(f"{text}（{host}）" + (f"，{expiry}" if expiry and kind == "expired" else ""), expiry)
    elif tls.not_after is not None:
        days = (tls.not_after - ctx.as_of).days
        if days < int(opts["warn_days"]):
            add(f"HTTPS证书将在{days}天后到期（{tls.not_after.isoformat()}，{host}）", expiry)
    if tls.http_redirects_to_https is False and opts["require_redirect"]:
        add(f"HTTP访问未自动跳转到HTTPS（http://{host}/）")
    return out


def ipv6_missing(aaaa: Iterable[str] | None, ctx: CheckContext, host: str = "") -> Findings:
    """No usable AAAA record → finding. ``aaaa`` None means DNS could not be asked: a 未检测 note."""
    url = str((ctx.site or {}).get("url") or "")
    if aaaa is None:
        return Findings(notes=[CheckNote(KIND_IPV6, "IPv6：未检测（无法查询DNS的AAAA记录）", url)])
    usable = []
    for a in aaaa:
        try:
            ip = ipaddress.IPv6Address(str(a).split("%", 1)[0])
        except ValueError:
            continue
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.ipv4_mapped):
            usable.append(str(ip))
    if usable:
        return Findings()
    name = host or url
    return Findings([CheckFinding(KIND_IPV6, IND_IPV6, url=url, page=url,
                                  detail=f"网站域名无可用的IPv6地址（AAAA记录）{f'：{host}' if host else ''}".rstrip("："),
                                  evidence=f"查询对象：{name}；返回：{', '.join(map(str, aaaa)) or '无'}")])
