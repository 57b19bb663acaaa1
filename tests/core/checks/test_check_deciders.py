"""https_problem, ipv6_missing, unreachable, slow and the probe-log reader."""
import datetime as dt

from app.core.checks.availability import parse_probe_csv, read_probe_file, slow, unreachable
from app.core.checks.base import Probe, TlsInfo
from app.core.checks.transport import https_problem, ipv6_missing

from checkpages import AS_OF, HOME, make_ctx

HOST = "www.yunxi.gov.cn"


# ---------------------------------------------------------------- https_problem

def test_healthy_certificate(ctx):
    tls = TlsInfo(HOST, True, AS_OF + dt.timedelta(days=200), "", True)
    assert list(https_problem(tls, ctx)) == []


def test_expiring_soon_counts_days(ctx):
    tls = TlsInfo(HOST, True, AS_OF + dt.timedelta(days=12), "", True)
    found = https_problem(tls, ctx)
    assert [f.detail for f in found] == [f"HTTPS证书将在12天后到期（{(AS_OF + dt.timedelta(days=12)).isoformat()}，{HOST}）"]
    assert found[0].kind == "https_problem" and found[0].indicator_id == "web.ded.function.availability"
    assert list(https_problem(TlsInfo(HOST, True, AS_OF + dt.timedelta(days=30), "", True), ctx)) == []
    assert https_problem(TlsInfo(HOST, True, AS_OF + dt.timedelta(days=45), "", True),
                         make_ctx(https_problem={"warn_days": 60}))


def test_verify_errors_and_redirect(ctx):
    expired = https_problem(TlsInfo(HOST, True, AS_OF - dt.timedelta(days=3), "expired", True), ctx)
    assert expired[0].detail.startswith("HTTPS证书已过期") and "证书到期日" in expired[0].detail
    derived = https_problem(TlsInfo(HOST, True, AS_OF - dt.timedelta(days=1), "", True), ctx)
    assert derived[0].detail.startswith("HTTPS证书已过期")
    assert https_problem(TlsInfo(HOST, True, None, "untrusted", True), ctx)[0].detail.startswith("HTTPS证书不受信任")
    assert https_problem(TlsInfo(HOST, True, None, "name_mismatch", True), ctx)[0].detail.startswith(
        "HTTPS证书域名与网站域名不一致")
    no_redirect = https_problem(TlsInfo(HOST, True, AS_OF + dt.timedelta(days=100), "", False), ctx)
    assert [f.detail for f in no_redirect] == [f"HTTP访问未自动跳转到HTTPS（http://{HOST}/）"]
    assert list(https_problem(TlsInfo(HOST, True, AS_OF + dt.timedelta(days=100), "", None), ctx)) == []


def test_no_https_and_not_examined(ctx):
    none = https_problem(TlsInfo(HOST, False, error="HTTPS 连接失败：连接被拒绝"), ctx)
    assert none[0].detail == f"网站未启用HTTPS或HTTPS无法连接（{HOST}）"
    assert list(https_problem(TlsInfo(HOST, False), make_ctx(https_problem={"require_https": False}))) == []
    unknown = https_problem(None, ctx)
    assert list(unknown) == [] and unknown.notes[0].text.startswith("HTTPS：未检测")


# ---------------------------------------------------------------- ipv6_missing

def test_ipv6(ctx):
    assert list(ipv6_missing(["240e:f7:a070:342::7"], ctx, HOST)) == []
    missing = ipv6_missing([], ctx, HOST)
    assert [f.detail for f in missing] == [f"网站域名无可用的IPv6地址（AAAA记录）：{HOST}"]
    assert missing[0].kind == "ipv6_missing" and missing[0].indicator_id == "web.ded.function.ipv6"
    assert len(ipv6_missing(["::1", "fe80::1", "::ffff:1.2.3.4", "not-an-ip"], ctx, HOST)) == 1
    not_asked = ipv6_missing(None, ctx, HOST)
    assert list(not_asked) == [] and "未检测" in not_asked.notes[0].text


# ---------------------------------------------------------------- unreachable / slow

def week(per_day: int, failing: set[tuple[int, int]] = frozenset(), seconds: float = 0.8,
         slow_at: dict | None = None) -> list[Probe]:
    """per_day probes on each of the 7 days ending at AS_OF; (day, i) in failing = not opened."""
    out = []
    for day in range(7):
        date = AS_OF - dt.timedelta(days=6 - day)
        for i in range(per_day):
            at = dt.datetime.combine(date, dt.time(0, 0)) + dt.timedelta(minutes=60 * i + 1)
            secs = (slow_at or {}).get((day, i), seconds)
            ok = (day, i) not in failing
            out.append(Probe(at, secs if ok else None, ok, HOME, "" if ok else "连接超时"))
    return out


def test_veto_at_five_percent_inclusive(ctx):
    probes = week(20, {(d, i) for d in range(7) for i in range(1)})          # 7 of 140 = 5 %
    found = unreachable(probes, ctx)
    assert len(found) == 1
    f = found[0]
    assert f.kind == "unreachable" and f.indicator_id == "web.veto.unreachable"
    assert "首页访问140次，失败7次，占5.00%" in f.detail and "达到5.00%的否决阈值" in f.detail
    assert "2025-11-09：20次，失败1次" in f.evidence


def test_below_threshold_is_a_note(ctx):
    probes = week(20, {(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0)})       # 6 of 140
    found = unreachable(probes, ctx)
    assert list(found) == [] and found.notes[0].text.startswith("站点可访问")


def test_fifteen_seconds_inclusive_is_a_failure(ctx):
    slow_at = {(d, 0): 15.0 for d in range(7)}                              # opened only at 15 s
    assert unreachable(week(20, slow_at=slow_at), ctx)
    fast = {(d, 0): 14.99 for d in range(7)}
    assert list(unreachable(week(20, slow_at=fast), ctx)) == []


def test_too_few_probes_is_never_a_veto(ctx):
    probes = [p for p in week(20, {(d, i) for d in range(7) for i in range(10)}) if not (p.time.date() == AS_OF and
                                                                                        p.time.hour >= 19)]
    found = unreachable(probes, ctx)
    assert list(found) == []
    assert "样本不足" in found.notes[0].text and "11月15日19次" in found.notes[0].text


def test_probes_outside_the_week_are_ignored_and_dicts_accepted(ctx):
    probes = week(20)
    old = [{"at": "2025-11-01T10:00:00", "seconds": None, "ok": 0, "url": HOME} for _ in range(50)]
    assert list(unreachable(probes + old, ctx)) == []
    as_dicts = [{"at": p.time.isoformat(), "seconds": p.seconds, "ok": int(p.ok), "url": p.url} for p in probes]
    assert unreachable(as_dicts, ctx).notes[0].text.startswith("站点可访问")
    assert unreachable([], ctx).notes[0].text.startswith("站点无法访问：监测期")


def test_slow_probes(ctx):
    probes = week(20, slow_at={(2, 3): 9.5, (4, 7): 12.0, (5, 1): 16.0})
    found = slow(probes, ctx)
    assert len(found) == 1 and found[0].kind == "slow"
    assert "有2次打开用时超过8秒，最慢12.0秒" in found[0].detail           # 16 s counts as a failure instead
    assert list(slow(week(20), ctx)) == []
    assert list(slow(probes, make_ctx(slow={"slow_seconds": 13}))) == []


# ---------------------------------------------------------------- probe log CSV

def test_probe_csv_with_row_numbered_errors():
    text = ("时间,网址,耗时（秒）,是否成功\n"
            f"2025-11-09 08:00:00,{HOME},0.82,是\n"
            f"2025/11/09 8:30,{HOME},,否\n"
            f"2025年11月9日 9:00,{HOME},1520ms,成功\n"
            f"昨天,{HOME},1.0,是\n"
            f"2025-11-09 10:00:00,{HOME},快,是\n"
            f"2025-11-09 11:00:00,{HOME},1.2,也许\n"
            f"2025-11-09 12:00:00,https://other.gov.cn/,1.0,是\n"
            f"2025-11-09 13:00:00,{HOME},,是\n")
    log = parse_probe_csv(text, HOME)
    assert [(p.time, p.seconds, p.ok) for p in log.probes] == [
        (dt.datetime(2025, 11, 9, 8, 0), 0.82, True),
        (dt.datetime(2025, 11, 9, 8, 30), None, False),
        (dt.datetime(2025, 11, 9, 9, 0), 1.52, True)]
    assert log.errors == ["第5行：时间“昨天”无法识别", "第6行：耗时“快”不是秒数",
                          "第7行：是否成功“也许”无法识别（应为 是/否、成功/失败、1/0）", "第9行：访问成功但缺少耗时"]
    assert log.skipped == 1


def test_probe_csv_english_header_headerless_and_file(tmp_path):
    log = parse_probe_csv("time,url,seconds,ok\n2025-11-10T08:00:00+08:00,http://a/,1.5,1\n")
    assert log.probes[0].ok and log.probes[0].seconds == 1.5 and not log.errors
    bare = parse_probe_csv("2025-11-10 08:00,http://a/,1.5,1\n2025-11-10 09:00,http://a/,,0\n")
    assert len(bare.probes) == 2 and not bare.errors
    assert parse_probe_csv("foo,bar\n1,2\n").errors == ["第1行：无法识别表头，应包含“时间、网址、耗时（秒）、是否成功”列"]
    path = tmp_path / "probes.csv"
    path.write_bytes("时间,网址,耗时,结果\n2025-11-10 08:00,http://a/,2,成功\n".encode("gbk"))
    assert len(read_probe_file(path).probes) == 1
