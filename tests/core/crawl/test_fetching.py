"""Fetcher: deadlines, byte caps (also decompressed), redirects, encodings, errors, pacing."""
from __future__ import annotations

import datetime as dt
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import __version__
from app.core.crawl import decoding, net_errors, tls_probe, transport
from app.core.crawl import fetching as F

from .sites import FixtureSite, Resp, drip, drip_headers, gzip_bomb, html, huge, redirect, refused_port, stall

FAST = transport.FetchOptions(connect_timeout=1.0, read_timeout=2.0, deadline=1.5, delay=0.0)


@pytest.fixture
def session():
    s = transport.new_http_session(FAST)
    yield s
    s.close()


# ---------------------------------------------------------------- encodings

GBK_TEXT = "关于印发某某市人民政府办公室二〇二五年政务公开工作要点的通知，欢迎访问政府门户网站。"


def test_gbk_page_with_wrong_meta_charset_is_readable(session):
    body = html(f"<p>{GBK_TEXT}</p>", title="政府门户网站", charset="utf-8").encode("gbk")
    with FixtureSite({"/": Resp(body=body, content_type="text/html")}) as site:
        page = F.fetch(session, site.url + "/", options=FAST)
    assert page.ok
    assert GBK_TEXT in page.text
    assert "政府门户网站" in page.text
    assert page.encoding == "gb18030"


def test_gb2312_header_is_read_as_gb18030(session):
    text = "欢迎访问，䶮字与€符号"              # outside GB2312, inside GB18030
    body = html(f"<p>{text}</p>", charset="gb2312").encode("gb18030")
    with FixtureSite({"/": Resp(body=body, content_type="text/html; charset=GB2312")}) as site:
        page = F.fetch(session, site.url + "/", options=FAST)
    assert text in page.text and page.encoding == "gb18030"


@pytest.mark.parametrize("data, header, expect", [
    ("<meta charset='gbk'><p>政务公开</p>".encode("utf-8"), "", "utf-8"),         # meta says GBK, bytes are UTF-8
    ("<p>政务公开信息</p>".encode("gbk") * 20, "", "gb18030"),                       # nothing declared
    ("\ufeff<p>政务公开</p>".encode("utf-8"), "text/html; charset=gbk", "utf-8"),    # BOM first
    ("<p>政务公开</p>".encode("utf-8"), "text/html; charset=iso-8859-1", "utf-8"),   # a server's default
    ("<p>plain</p>".encode("ascii"), "text/html; charset=iso-8859-1", "iso-8859-1"),
])
def test_decode_body_order(data, header, expect):
    text, enc = decoding.decode_body(data, header)
    assert enc == expect
    if "政务" in data.decode(expect, errors="ignore"):
        assert "政务公开" in text


# ---------------------------------------------------------------- deadlines and caps

def test_slow_drip_ends_by_the_deadline(session):
    with FixtureSite({"/drip": drip(1.0)}) as site:
        t0 = time.monotonic()
        page = F.fetch(session, site.url + "/drip", options=FAST)
        took = time.monotonic() - t0
    assert page.error_kind == "deadline" and not page.ok
    assert took < FAST.deadline + 0.8


def test_dripped_headers_end_by_the_deadline(session):
    with FixtureSite({"/h": drip_headers(0.5)}) as site:
        t0 = time.monotonic()
        page = F.fetch(session, site.url + "/h", options=FAST)
        took = time.monotonic() - t0
    assert page.error_kind == "deadline"
    assert took < FAST.deadline + 0.8


def test_huge_body_is_cut_at_the_cap(session):
    opts = transport.FetchOptions(deadline=5, max_page_bytes=200_000, delay=0)
    with FixtureSite({"/big": huge(50_000_000)}) as site:
        page = F.fetch(session, site.url + "/big", options=opts)
    assert page.truncated and page.size == 200_000
    assert page.status == 200 and not page.error


def test_gzip_bomb_stops_at_the_decompressed_cap(session):
    opts = transport.FetchOptions(deadline=5, max_page_bytes=1_000_000, delay=0)
    bomb = gzip_bomb(200 * 1024 * 1024)
    assert bomb.compressed_size < 1_000_000           # small on the wire
    with FixtureSite({"/bomb": bomb}) as site:
        t0 = time.monotonic()
        page = F.fetch(session, site.url + "/bomb", options=opts)
        took = time.monotonic() - t0
    assert page.truncated and page.size == 1_000_000
    assert took < 3


def test_attachment_cap_is_separate(session):
    opts = transport.FetchOptions(deadline=5, max_page_bytes=1000, max_attachment_bytes=50_000, delay=0)
    data = b"%PDF-1.4 " + b"0" * 40_000
    with FixtureSite({"/a.pdf": Resp(body=data, content_type="application/pdf")}) as site:
        page = F.fetch(session, site.url + "/a.pdf", options=opts, purpose="attachment")
    assert page.raw == data and not page.truncated and page.text == ""


def test_binary_page_body_is_not_read(session):
    with FixtureSite({"/x": Resp(body=b"\x00" * 5000, content_type="application/octet-stream")}) as site:
        page = F.fetch(session, site.url + "/x", options=FAST)
    assert page.ok and page.size == 0 and page.text == ""


# ---------------------------------------------------------------- redirects

def test_redirect_loop_is_detected(session):
    with FixtureSite({"/a": redirect("/b"), "/b": redirect("/a")}) as site:
        page = F.fetch(session, site.url + "/a", options=FAST)
    assert page.error_kind == "redirect_loop"
    assert sum(site.hits.values()) == 2


def test_ten_redirects_are_followed_eleven_are_not(session):
    routes = {f"/r{i}": redirect(f"/r{i + 1}", 301) for i in range(12)}
    routes["/r10"] = Resp(body=html("<p>终点</p>"))
    routes["/s0"] = redirect("/r0")
    with FixtureSite(routes) as site:
        ok = F.fetch(session, site.url + "/r0", options=FAST)
        too_many = F.fetch(session, site.url + "/s0", options=FAST)
    assert ok.ok and ok.url.endswith("/r10") and len(ok.redirects) == 10
    assert too_many.error_kind == "too_many_redirects"


# ---------------------------------------------------------------- errors

def test_statuses_refused_port_and_dns_failure(session):
    with FixtureSite({"/500": Resp(500, "oops")}) as site:
        missing = F.fetch(session, site.url + "/nope", options=FAST)
        broken = F.fetch(session, site.url + "/500", options=FAST)
    assert missing.status == 404 and not missing.ok
    assert broken.status == 500
    refused = F.fetch(session, f"http://127.0.0.1:{refused_port()}/", options=FAST)
    assert refused.status is None and refused.error_kind == "refused" and refused.error == "连接被拒绝"
    dns = F.fetch(session, "http://no-such-host.invalid/", options=FAST)
    assert dns.status is None and dns.error_kind == "dns" and dns.error == "域名无法解析"


def test_invalid_urls_are_data_not_exceptions(session):
    for url in ("http://", "http://[::1/"):
        assert F.fetch(session, url, options=FAST).error_kind == "invalid_url"
    for url in ("ftp://x.gov.cn/a", "gopher://x.gov.cn:70/1", "file:///C:/Windows/System32/calc.exe"):
        page = F.fetch(session, url, options=FAST)
        assert page.error_kind == "bad_scheme" and page.error.startswith("不是网页链接")


def test_link_check_falls_back_to_get_on_405(session):
    def no_head(h, site):
        site.send(h, Resp(405 if h.command == "HEAD" else 200, "ok"))
    with FixtureSite({"/x": no_head}) as site:
        page = F.check_link(session, site.url + "/x", options=FAST)
        assert page.status == 200
        assert site.heads("/x") == 1 and site.gets("/x") == 1


def test_user_agent_names_the_app_and_version(session):
    with FixtureSite({"/": Resp(body="ok")}) as site:
        F.fetch(session, site.url + "/", options=FAST)
    (ua,) = site.user_agents
    assert f"GovInspect/{__version__}" in ua and "contact" in ua


def test_cancel_aborts_a_stalled_request():
    class Token:
        def __init__(self):
            self.ev = threading.Event()

        @property
        def cancelled(self):
            return self.ev.is_set()

        def wait(self, t):
            return self.ev.wait(t)

    token = Token()
    opts = transport.FetchOptions(connect_timeout=1, read_timeout=20, deadline=20, delay=0)
    s = transport.new_http_session(opts)
    with FixtureSite({"/stall": stall()}) as site:
        threading.Timer(0.3, token.ev.set).start()
        t0 = time.monotonic()
        page = F.fetch(s, site.url + "/stall", options=opts, cancel=token)
        took = time.monotonic() - t0
    assert page.error_kind == "cancelled"
    assert took < 1.0


# ---------------------------------------------------------------- TLS

def _verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    e = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {message}")
    e.verify_code, e.verify_message = code, message
    return e


@pytest.mark.parametrize("code, message, kind", [
    (10, "certificate has expired", "tls_expired"),
    (18, "self-signed certificate", "tls_untrusted"),
    (20, "unable to get local issuer certificate", "tls_untrusted"),
    (62, "Hostname mismatch, certificate is not valid for 'x.gov.cn'.", "tls_name_mismatch"),
    (999, "something else", "tls_error"),
])
def test_tls_errors_are_classified(code, message, kind):
    import requests
    wrapped = requests.exceptions.SSLError(_verify_error(code, message))
    assert net_errors.classify_tls(wrapped) == kind
    assert net_errors.classify_error(wrapped) == kind


def _cert_files(tmp_path, name: str, days: int, ca=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_key, issuer = (ca[0], ca[1].subject) if ca else (key, subject)
    start, end = (now - dt.timedelta(days=2), now + dt.timedelta(days=days)) if days > 0 else \
        (now - dt.timedelta(days=10), now - dt.timedelta(days=1))
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end))
    if ca is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        import ipaddress
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(name)] + ([x509.IPAddress(ipaddress.ip_address(name))] if name[0].isdigit() else [])),
            critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    cert_path, key_path = tmp_path / f"{name}-{days}.crt", tmp_path / f"{name}-{days}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return key, cert, cert_path, key_path


def _https(site: FixtureSite, cert_path, key_path) -> FixtureSite:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    site.server.socket = ctx.wrap_socket(site.server.socket, server_side=True)
    return site


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_real_tls_failures_are_classified(tmp_path):
    ca_key, ca_cert, ca_path, _ = _cert_files(tmp_path, "GovInspect Test CA", 30)
    cases = [("127.0.0.1", 30, None, "tls_untrusted"),           # verified against the system store
             ("127.0.0.1", -1, ca_path, "tls_expired"),
             ("www.example.gov.cn", 30, ca_path, "tls_name_mismatch")]
    for name, days, verify, kind in cases:
        _, _, cert_path, key_path = _cert_files(tmp_path, name, days, (ca_key, ca_cert))
        with _https(FixtureSite({"/": Resp(body="ok")}), cert_path, key_path) as site:
            url = f"https://127.0.0.1:{site.port}/"
            opts = transport.FetchOptions(connect_timeout=2, read_timeout=2, deadline=3, delay=0,
                                  verify=True if verify is None else str(verify))
            s = transport.new_http_session(opts)
            page = F.fetch(s, url, options=opts)
            assert page.error_kind == kind, (name, page.error)
            assert page.tls_error == kind
            unverified = F.fetch(s, url, options=opts, verify=False)
            assert unverified.ok
            info = tls_probe.probe_tls(url, opts)
            assert info.https_ok and info.verify_error == kind[4:] and info.not_after is not None
    _, _, cert_path, key_path = _cert_files(tmp_path, "127.0.0.1", 30, (ca_key, ca_cert))
    with _https(FixtureSite({"/": Resp(body="ok")}), cert_path, key_path) as site:
        opts = transport.FetchOptions(connect_timeout=2, read_timeout=2, deadline=3, delay=0, verify=str(ca_path))
        info = tls_probe.probe_tls(f"https://127.0.0.1:{site.port}/", opts)
    assert info.https_ok and info.verify_error == "" and info.not_after > dt.date.today()
    closed = tls_probe.probe_tls(f"https://127.0.0.1:{refused_port()}/", opts)
    assert not closed.https_ok and "连接被拒绝" in closed.error


# ---------------------------------------------------------------- politeness

def test_per_host_concurrency_and_delay_are_respected():
    gate = transport.HostGate(per_host=2, delay=0.0)
    opts = transport.FetchOptions(deadline=5, delay=0)
    sessions = threading.local()

    def get(url):
        if not hasattr(sessions, "s"):
            sessions.s = transport.new_http_session(opts)
        return F.fetch(sessions.s, url, options=opts, gate=gate)

    with FixtureSite({f"/p{i}": Resp(body="ok", delay=0.15) for i in range(12)}) as site:
        with ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(get, [f"{site.url}/p{i}" for i in range(12)]))
    assert all(p.ok for p in pages)
    assert site.max_active == 2

    paced = transport.HostGate(per_host=4, delay=0.2)
    starts = []
    for _ in range(3):
        assert paced.acquire("h")
        starts.append(time.monotonic())
        paced.release("h")
    assert starts[1] - starts[0] >= 0.19 and starts[2] - starts[1] >= 0.19
