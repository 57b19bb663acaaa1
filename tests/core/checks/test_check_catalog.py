"""The catalog: registry integrity, profile mapping, and one site run through every check."""
import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass

from app.core.checks import catalog
from app.core.checks.base import CheckFinding, LinkResult, Page, Probe, TlsInfo
from app.core.checks.catalog import CHECKS, COLLECTORS, SiteInputs, SiteRun, dedupe, params_from_profile, specs
from app.core.store.paths import resources_dir

from checkpages import AS_OF, HOME, html_page, make_ctx, page_from

KINDS = {"homepage_stale", "column_stale", "column_blank", "broken_link", "dark_link", "external_link_suspect",
         "typo", "grave_error", "pii", "pii_unscanned", "footer_missing", "policy_metadata_missing",
         "message_unanswered", "https_problem", "ipv6_missing", "unreachable", "slow", "homepage_down",
         "homepage_offsite"}


def profile():
    return json.loads((resources_dir() / "indicators" / "national-2019-web.json").read_text(encoding="utf-8"))


def profile_ids():
    ids, stack = set(), list(profile()["items"])
    while stack:
        item = stack.pop()
        ids.add(item["id"])
        stack.extend(item.get("children") or ())
    return ids


def test_every_kind_is_registered_with_profile_indicators():
    assert set(CHECKS) == KINDS
    ids = profile_ids()
    for spec in CHECKS.values():
        assert spec.kind and spec.label_zh and spec.inputs and spec.scope in ("page", "site")
        assert spec.indicator_id in ids, spec.kind
        assert set(spec.indicators) <= ids, spec.kind
        assert callable(spec.func)
    assert set(COLLECTORS) == {"columns", "messages", "dark_css"}


def test_specs_filter_by_kind_and_indicator():
    assert [s.kind for s in specs(["typo", "nope"])] == ["typo"]
    only_typos = specs(allowed_indicators={"web.ded.publish.accuracy"})
    assert [s.kind for s in only_typos] == ["typo"]
    dark = specs(allowed_indicators={"web.ded.function.availability"})
    assert {"broken_link", "dark_link", "external_link_suspect", "https_problem", "slow"} <= {s.kind for s in dark}


def test_params_from_profile():
    params = params_from_profile(profile())
    assert params["homepage_stale"] == {"window_days": 14}
    assert params["unreachable"] == {"monitor_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15.0,
                                     "failure_ratio": 0.05}
    assert params["column_blank"] == {"threshold": 5}
    assert params["message_unanswered"] == {"window_days": 365, "overdue_days": 90, "stale_days": 60}


def week_of_probes(fail_every: int = 0):
    out = []
    for day in range(7):
        for i in range(24):
            at = dt.datetime.combine(AS_OF - dt.timedelta(days=6 - day), dt.time(i, 5))
            ok = not (fail_every and i % fail_every == 0)
            out.append(Probe(at, 1.1 if ok else None, ok, HOME))
    return out


def test_site_run_end_to_end():
    ctx = make_ctx(**params_from_profile(profile()))
    run = SiteRun(ctx)
    pages = [
        page_from("home.html", HOME, is_home=True),
        page_from("list_dates.html", HOME + "zwdt/gzdt/"),
        page_from("list_notice_stale.html", HOME + "zwgk/tzgg/"),
        page_from("list_blank.html", HOME + "zwgk/rsxx/"),
        page_from("article.html", HOME + "zwdt/gzdt/202511/t20251110_5501.html"),
        page_from("policy_doc_missing.html", HOME + "zwgk/zcwj/202508/t20250815_5288.html"),
        page_from("messages.html", HOME + "hdjl/szxx/"),
        page_from("hidden_links.html", HOME + "wgl/"),
        page_from("typos.html", HOME + "zwdt/gzdt/202511/t20251112_5510.html"),
        page_from("gbk_page.html", HOME + "tzgg/1.html", encoding="gb18030"),
        Page(HOME + "upload/原件.doc", 200, raw=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
             referrer=HOME + "zwgk/tzgg/", content_type="application/msword"),
    ]
    for p in pages:
        run.add_page(p)
    external = Page("http://www.yunxi-expo.cn/", None, requested_url="http://www.yunxi-expo.cn/", referrer=HOME,
                    anchor="博览会", error="域名无法解析", error_kind="dns")
    findings = run.finish(SiteInputs(
        link_results=[LinkResult(HOME + "zwgk/old/", HOME, "旧栏目", 404)],
        external_pages=[external],
        tls=TlsInfo("www.yunxi.gov.cn", True, AS_OF + dt.timedelta(days=10), "", True),
        aaaa=[], host="www.yunxi.gov.cn",
        probes=week_of_probes(fail_every=12),
        unscanned={HOME + "upload/big.rar": HOME + "zwgk/"}))
    kinds = {f.kind for f in findings}
    assert kinds == {"column_stale", "column_blank", "broken_link", "dark_link", "external_link_suspect", "typo",
                     "grave_error", "pii_unscanned", "policy_metadata_missing", "message_unanswered",
                     "https_problem", "ipv6_missing", "unreachable"}
    assert all(isinstance(f, CheckFinding) for f in findings)
    ids = profile_ids()
    assert all(f.indicator_id in ids for f in findings)
    assert not any(f.kind in ("homepage_stale", "footer_missing", "pii", "slow") for f in findings)
    assert [n.kind for n in run.notes] == []
    assert len({f.fingerprint for f in findings}) == len(findings)


def test_site_run_notes_and_nothing_supplied():
    run = SiteRun(make_ctx(), kinds=["https_problem", "ipv6_missing", "unreachable", "broken_link"])
    run.add_page(page_from("home.html", HOME, is_home=True))
    assert run.finish(SiteInputs(tls=None, aaaa=None, probes=[])) == []
    assert sorted(n.kind for n in run.notes) == ["https_problem", "ipv6_missing", "unreachable"]
    quiet = SiteRun(make_ctx(), kinds=["https_problem", "ipv6_missing", "unreachable", "broken_link"])
    assert quiet.finish() == [] and quiet.notes == []


def test_template_repeats_are_merged():
    template = "<div class='footer'>主办：云溪市人民政府办公室 再接再励 值班手机 13907971234</div>"
    run = SiteRun(make_ctx(), kinds=["typo", "pii"])
    for i in range(3):
        run.add_page(html_page(f"<p>第{i}页</p>{template}", HOME + f"p{i}.html"))
    findings = run.finish()
    assert sorted(f.kind for f in findings) == ["pii", "typo"]
    typo = next(f for f in findings if f.kind == "typo")
    assert typo.page == HOME + "p0.html" and "另见2个页面" in typo.evidence and HOME + "p2.html" in typo.evidence


def test_dedupe_keeps_distinct_findings():
    a = CheckFinding("typo", "x", url="u1", page="u1", detail="d", snippet="s1")
    b = CheckFinding("typo", "x", url="u2", page="u2", detail="d", snippet="s2")
    c = CheckFinding("broken_link", "y", url="t", page="u1", detail="d")
    assert dedupe([a, b, c, c]) == [a, b, c, c]


@dataclass
class _LinkStatus:               # the shape of the run engine's fetching.LinkStatus
    url: str
    status: int | None
    error: str = ""
    error_kind: str = ""

    @property
    def ok(self):
        return self.status is not None and self.status < 400 and not self.error


@dataclass
class _SiteData:                 # the shape of the run engine's jobs.SiteData
    home_url: str
    home: Page | None
    links: dict
    referrers: dict
    ref_count: dict
    probes: list


def test_engine_site_data_is_read_duck_typed():
    site = _SiteData(HOME, page_from("home.html", HOME, is_home=True),
                     {HOME + "gone.html": _LinkStatus(HOME + "gone.html", 404),
                      HOME + "ok.html": _LinkStatus(HOME + "ok.html", 200),
                      "http://dead.example/": _LinkStatus("http://dead.example/", None, "域名无法解析", "dns"),
                      HOME + "pic.png": _LinkStatus(HOME + "pic.png", 404)},
                     {HOME + "gone.html": (HOME, "失效栏目", "a"), "http://dead.example/": (HOME + "a/", "", "a"),
                      HOME + "pic.png": (HOME, "图", "img")}, {}, [])
    ctx = make_ctx()
    found = {f.url: f.detail for f in CHECKS["broken_link"].func(site, ctx)}
    assert found == {HOME + "gone.html": "链接“失效栏目”无法访问：页面不存在（HTTP 404）（首页链接）",
                     "http://dead.example/": "链接无法访问：域名无法解析",
                     HOME + "pic.png": "图片“图”无法访问：页面不存在（HTTP 404）（首页链接）"}
    assert CHECKS["unreachable"].func(site, ctx).notes             # empty probe list → 无拨测记录 note
    assert list(CHECKS["ipv6_missing"].func(site, ctx)) == []       # not gathered → silent
    assert list(CHECKS["column_stale"].func(site, ctx)) == []       # no summaries, only the homepage


def test_collect_returns_small_summaries():
    got = catalog.collect(page_from("messages.html", HOME + "hdjl/szxx/"), make_ctx())
    assert set(got) == {"columns", "messages"}
    assert got["messages"].messages


def test_core_checks_do_not_import_qt():
    code = ("import sys, app.core.checks.catalog; "
            "sys.exit(1 if any(m.split('.')[0] == 'PySide6' for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
