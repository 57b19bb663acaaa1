"""The HTTPS probe of a site: certificate validity and the TLS error an inspector reports."""
from __future__ import annotations

import socket
import ssl
import threading
from urllib.parse import urlsplit

import requests

from ..checks.base import TlsInfo
from .fetching import fetch
from .net_errors import classify_error, classify_tls, error_text
from .transport import FetchOptions, HostGate, host_key


# ---------------------------------------------------------------- HTTPS probe

_TLS_VERIFY_WORDS = {"tls_expired": "expired", "tls_not_yet_valid": "not_yet_valid", "tls_untrusted": "untrusted",
                     "tls_name_mismatch": "name_mismatch"}


def _not_after_from_der(der: bytes | None):
    """Expiry date of a DER certificate (needs the optional cryptography package)."""
    if not der:
        return None
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    end = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
    return end.date()


_ssl_contexts: dict = {}
_ssl_lock = threading.Lock()


def _ssl_context(cafile: str | None) -> ssl.SSLContext:
    """A verifying client context per CA file, built once: loading the CA store is slow."""
    with _ssl_lock:
        ctx = _ssl_contexts.get(cafile)
        if ctx is None:
            ctx = _ssl_contexts[cafile] = ssl.create_default_context(cafile=cafile)
        return ctx


def probe_tls(url: str, options: FetchOptions | None = None, session: requests.Session | None = None,
              gate: HostGate | None = None, cancel=None):
    """What the site's HTTPS looks like: handshake, verification error, expiry, http→https.

    The handshake goes to the URL's own port for https:// addresses and to 443 otherwise.
    Returns a checks.base.TlsInfo.
    """
    import datetime as _dt

    options = options or FetchOptions()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port if parts.scheme == "https" and parts.port else 443
    except ValueError:
        port = 443
    if not host:
        return TlsInfo(host=host, https_ok=False, error=error_text("invalid_url"))
    verify = options.verify
    ctx = _ssl_context(verify if isinstance(verify, str) else None)
    not_after, verify_error, https_ok, error = None, "", False, ""
    if gate is not None and not gate.acquire(host_key(f"https://{host}:{port}/"), cancel):
        return TlsInfo(host=host, https_ok=False, error=error_text("cancelled"))
    try:
        try:
            with socket.create_connection((host, port), timeout=options.connect_timeout) as sock:
                sock.settimeout(options.read_timeout)
                with ctx.wrap_socket(sock, server_hostname=host) as ss:
                    https_ok = True
                    cert = ss.getpeercert() or {}
                    if cert.get("notAfter"):
                        not_after = _dt.datetime.utcfromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"])).date()
        except ssl.SSLCertVerificationError as exc:
            kind = classify_tls(exc)
            verify_error = _TLS_VERIFY_WORDS.get(kind, str(getattr(exc, "verify_message", "") or exc)[:200])
            loose = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            loose.check_hostname = False
            loose.verify_mode = ssl.CERT_NONE
            try:
                with socket.create_connection((host, port), timeout=options.connect_timeout) as sock:
                    sock.settimeout(options.read_timeout)
                    with loose.wrap_socket(sock, server_hostname=host) as ss:
                        https_ok = True
                        not_after = _not_after_from_der(ss.getpeercert(binary_form=True))
            except (OSError, ssl.SSLError) as exc2:
                error = f"HTTPS 连接失败：{error_text(classify_error(exc2))}"
        except (OSError, ssl.SSLError) as exc:
            kind = classify_error(exc)
            error = f"HTTPS 连接失败：{error_text(kind)}"
    finally:
        if gate is not None:
            gate.release(host_key(f"https://{host}:{port}/"))
    redirects = None
    if https_ok and session is not None and parts.scheme == "https" and port == 443:
        page = fetch(session, f"http://{host}/", options=options, purpose="link", gate=gate, cancel=cancel,
                     read_body=False, verify=False)
        if page.status is not None:
            redirects = page.url.startswith("https://")
    return TlsInfo(host=host, https_ok=https_ok, not_after=not_after, verify_error=verify_error,
                   http_redirects_to_https=redirects, error=error)
