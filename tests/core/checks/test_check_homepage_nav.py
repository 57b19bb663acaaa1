"""homepage_stale on a homepage that is only a navigation entry: judged by its second-level pages."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from app.core.rounds import findings
from app.core.crawl import jobs
from app.core.checks.base import Page
from app.core.checks.catalog import CHECKS, SiteInputs, SiteRun
from app.core.checks.columns import summarize
from app.core.checks.homepage import SecondLevelPage, homepage_stale, is_navigation_entry, second_level_pages

from checkpages import HOME, html_page, make_ctx, page_from

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from crawl.sites import FixtureSite, Resp, html, make_round  # noqa: E402

SECTIONS = {"zwgk/": "政务公开", "bsfw/": "办事服务", "hdjl/": "互动交流", "zjyx/": "走进云溪"}


def nav_home(extra: str = "") -> Page:
    """A 导航页: section and sub-site entries, no information items."""
    entries = "".join(f'<li><a href="/{path}">{name}</a></li>' for path, name in SECTIONS.items())
    return html_page(
        f'<div class="logo"><h1>云溪市人民政府</h1></div><ul class="entry">{entries}'
        f'<li><a href="http://www.gov.example.cn/">中国政府网</a></li></ul>{extra}'
        '<div class="footer"><p>主办：云溪市人民政府办公室 版权所有 2025-11-14</p>'
        '<p><a href="https://beian.miit.gov.cn/">赣ICP备05001234号-1</a> '
        '<a href="http://www.beian.example.cn/">赣公网安备 36070202000123号</a></p></div>',
        HOME, is_home=True)


def list_page(path: str, name: str, dates: list[str], depth: int = 1) -> Page:
    """A second-level list page with a breadcrumb and dated rows."""
    rows = "".join(f'<li><a href="/{path}{i}.html">{name}第{i}期工作信息</a><span>{d}</span></li>'
                   for i, d in enumerate(dates))
    return html_page(f'<div class="position">当前位置：首页 &gt; {name}</div><ul class="list">{rows}</ul>',
                     HOME + path, depth=depth, referrer=HOME, anchor=name)


def stale_dates(newest: str = "2025-10-28") -> list[str]:
    return [newest, "2025-10-20", "2025-10-11", "2025-09-30", "2025-09-02", "2025-08-15"]


def sections(dates_by_path: dict[str, list[str]] | None = None) -> list:
    dates_by_path = dates_by_path or {}
    return [list_page(path, name, dates_by_path.get(path, stale_dates("2025-10-2" + str(i))))
            for i, (path, name) in enumerate(SECTIONS.items())]


def site_check(home, pages, ctx=None, **extra):
    ctx = ctx or make_ctx()
    summaries = [s for s in (summarize(p, ctx) for p in [home, *pages]) if s is not None]
    return list(CHECKS["homepage_stale"].func(SiteInputs(home=home, summaries={"columns": summaries}, **extra), ctx))


# ---------------------------------------------------------------- what a navigation entry is

def test_navigation_entry_rule():
    ctx = make_ctx()
    assert is_navigation_entry(nav_home(), ctx)
    assert not is_navigation_entry(page_from("home.html", HOME, is_home=True), ctx)        # a full portal
    assert not is_navigation_entry(page_from("home_bare.html", HOME, is_home=True), ctx)   # 3 dated items
    titles = "".join(f'<li><a href="/xw/{i}.html">云溪市召开第{i}次全市经济运行分析调度会议</a></li>' for i in range(3))
    assert not is_navigation_entry(nav_home(f"<ul class='news'>{titles}</ul>"), ctx)      # undated article titles
    assert not is_navigation_entry(html_page("<p>欢迎访问</p>", HOME, is_home=True), ctx)  # links nowhere


def test_second_level_pages_are_the_pages_linked_from_the_homepage():
    ctx = make_ctx()
    home = nav_home()
    deeper = list_page("zwgk/tzgg/", "通知公告", ["2025-11-12"] * 6, depth=2)   # fresh, but not linked from home
    pages = second_level_pages(home, [summarize(p, ctx) for p in [home, *sections(), deeper]], ctx)
    assert {p.url for p in pages} == {HOME + path for path in SECTIONS}
    zwgk = next(p for p in pages if p.url == HOME + "zwgk/")
    assert zwgk.name == "政务公开" and zwgk.newest.isoformat() == "2025-10-20"


# ---------------------------------------------------------------- the decision over second-level pages

def test_navigation_homepage_with_all_second_level_pages_stale():
    found = site_check(nav_home(), sections())
    assert len(found) == 1
    f = found[0]
    assert f.kind == "homepage_stale" and f.indicator_id == "web.veto.home_not_updated"
    assert f.url == HOME and f.page == HOME
    assert f.detail == "首页为导航页，4个二级页面在监测时间点前14天内均无更新（最新 2025-10-23）"
    assert "2025-10-23｜走进云溪｜" + HOME + "zjyx/" in f.evidence
    assert "2025-10-20｜政务公开｜" + HOME + "zwgk/" in f.evidence
    assert "首页未发现带日期的信息" in f.evidence
    assert f.snippet == "走进云溪第0期工作信息"


def test_one_fresh_second_level_page_means_updated():
    pages = sections({"hdjl/": stale_dates("2025-11-01")})        # 14 days before 2025-11-15: inside
    assert site_check(nav_home(), pages) == []
    assert site_check(nav_home(), pages, make_ctx(homepage_stale={"window_days": 13}))


def test_a_fresh_date_on_the_navigation_homepage_itself_counts():
    home = nav_home('<p class="notice"><a href="/tz.html">通知</a> 2025-11-10</p>')
    assert is_navigation_entry(home, make_ctx())
    assert site_check(home, sections()) == []


def test_navigation_homepage_without_dated_second_level_pages():
    blank = [html_page(f'<div class="position">当前位置：首页 &gt; {name}</div><p>暂无信息</p>',
                       HOME + path, depth=1, referrer=HOME, anchor=name) for path, name in SECTIONS.items()]
    found = site_check(nav_home(), blank)
    assert [f.detail for f in found] == ["首页为导航页，4个二级页面均未发现带日期的信息（无发布日期视为未更新）"]
    assert "无日期｜政务公开｜" + HOME + "zwgk/" in found[0].evidence


def test_homepage_stale_takes_second_level_pages_directly():
    ctx = make_ctx()
    stale = [SecondLevelPage(HOME + "a/", "甲", None), SecondLevelPage(HOME + "b/", "乙", dt.date(2025, 9, 1))]
    (f,) = homepage_stale(nav_home(), ctx, stale)
    assert f.detail == "首页为导航页，2个二级页面在监测时间点前14天内均无更新（最新 2025-09-01）"
    assert f.evidence.endswith("2025-09-01｜乙｜" + HOME + "b/\n无日期｜甲｜" + HOME + "a/")
    fresh = stale + [SecondLevelPage(HOME + "c/", "丙", dt.date(2025, 11, 14))]
    assert homepage_stale(nav_home(), ctx, fresh) == []


# ---------------------------------------------------------------- today's behaviour kept

def test_normal_homepage_is_judged_on_its_own_dates():
    fresh = sections({"zwgk/": ["2025-11-14"] * 6})
    found = site_check(page_from("home_bare.html", HOME, is_home=True), fresh)
    assert len(found) == 1 and "2025-10-20" in found[0].detail and "26天" in found[0].detail
    assert site_check(page_from("home.html", HOME, is_home=True), sections()) == []
    titles = "".join(f'<li><a href="/xw/{i}.html">云溪市召开第{i}次全市经济运行分析调度会议</a></li>' for i in range(3))
    found = site_check(nav_home(f"<ul class='news'>{titles}</ul>"), fresh)     # undated information items
    assert [f.detail for f in found] == ["首页未发现带日期的信息（无发布日期视为未更新）"]


def test_without_summaries_the_homepage_alone_decides():
    ctx = make_ctx()
    home = nav_home()
    old = ["首页未发现带日期的信息（无发布日期视为未更新）"]
    assert [f.detail for f in homepage_stale(home, ctx)] == old
    assert [f.detail for f in CHECKS["homepage_stale"].func(SiteInputs(home=home), ctx)] == old
    # Summaries gathered but no second-level page among them (a crawl of the homepage only).
    assert [f.detail for f in site_check(home, [])] == old
    assert list(CHECKS["homepage_stale"].func(SiteInputs(), ctx)) == []


def test_site_run_gathers_the_summaries_for_homepage_stale_alone():
    run = SiteRun(make_ctx(), kinds=["homepage_stale"])
    assert run.collectors == ["columns"]
    for p in [nav_home(), *sections()]:
        run.add_page(p)
    (f,) = run.finish()
    assert f.detail.startswith("首页为导航页，4个二级页面")
    fresh = SiteRun(make_ctx(), kinds=["homepage_stale"])
    for p in [nav_home(), *sections({"bsfw/": ["2025-11-14"] * 6})]:
        fresh.add_page(p)
    assert fresh.finish() == []


# ---------------------------------------------------------------- through the run engine

def test_run_engine_judges_a_navigation_homepage_by_its_sections(db, db_path):
    def list_resp(name: str, newest: str) -> Resp:
        rows = "".join(f'<li><a href="/{i}.html">{name}第{i}期工作信息</a><span>{d}</span></li>'
                       for i, d in enumerate([newest, "2025-05-20", "2025-05-11", "2025-04-30", "2025-04-02"]))
        return Resp(body=html(f'<div class="position">当前位置：首页 &gt; {name}</div><ul class="list">{rows}</ul>',
                              title=name))

    home = Resp(body=html('<ul class="entry"><li><a href="/zwgk/">政务公开</a></li>'
                          '<li><a href="/bsfw/">办事服务</a></li></ul>', title="云溪市人民政府"))
    options = jobs.CheckOptions.from_dict(dict(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=3.0,
                                               probe_threshold=5.0, check_links=False, kinds=("homepage_stale",)))
    with FixtureSite({"/": home, "/zwgk/": list_resp("政务公开", "2025-06-01"),
                      "/bsfw/": list_resp("办事服务", "2025-05-28")}) as site:
        rid = make_round(db, {"3699020001": site.url + "/"})                # 监测时间点 2025-06-30
        jobs.run_checks(db_path, rid, options=options)
        (f,) = findings.list_findings(db, rid, kind="homepage_stale")
        assert f.detail == "首页为导航页，2个二级页面在监测时间点前14天内均无更新（最新 2025-06-01）"
        assert f.url == site.url + "/"
        site.routes["/bsfw/"] = list_resp("办事服务", "2025-06-20")           # one section updated
        rid2 = make_round(db, {"3699020002": site.url + "/"})
        jobs.run_checks(db_path, rid2, options=options)
        assert findings.list_findings(db, rid2, kind="homepage_stale") == []
