"""column_stale / column_blank: columns from nav and list pages, rule table, overrides, thresholds."""
import datetime as dt

import pytest

from app.core.checks import columns
from app.core.checks.columns import (classify, column_blank, column_findings, column_stale, load_rules, summarize,
                                     window_zh)

from checkpages import AS_OF, HOME, html_page, make_ctx, page_from


def list_page(name: str, newest: dt.date | None, path: str, *, crumbs: str | None = "", n: int = 6,
              dated: bool = True, title: str | None = None):
    """A list page of n items, the newest on ``newest``, one week apart."""
    rows = []
    for i in range(n):
        d = (newest - dt.timedelta(days=7 * i)).isoformat() if dated and newest else ""
        rows.append(f'<li><a href="{path}{i}.html">关于{name}工作的第{i + 1}条信息发布标题</a><span>{d}</span></li>')
    # crumbs: "" → the name alone, a string → that trail, None → no breadcrumb at all
    crumb = "" if crumbs is None else f'<div class="location">当前位置：首页 &gt; {crumbs or name}</div>'
    html = (f"<html><head><title>{title or name}_云溪市人民政府</title></head><body>"
            f'<div class="nav"><a href="/">首页</a></div>{crumb}<ul class="list">{"".join(rows)}</ul></body></html>')
    return html_page(html, HOME.rstrip("/") + path)


def blank_page(name: str, path: str):
    html = (f"<html><head><title>{name}</title></head><body><div class=\"location\">当前位置：首页 &gt; {name}</div>"
            f"<div class=\"list\">暂无信息</div></body></html>")
    return html_page(html, HOME.rstrip("/") + path)


def site_pages():
    return [page_from("home.html", HOME, is_home=True),
            page_from("list_dates.html", HOME + "zwdt/gzdt/"),
            page_from("list_notice_stale.html", HOME + "zwgk/tzgg/"),
            page_from("list_blank.html", HOME + "zwgk/rsxx/"),
            page_from("article.html", HOME + "zwdt/gzdt/202511/t20251110_5501.html"),
            page_from("policy_doc.html", HOME + "zwgk/zcwj/202509/t20250926_5370.html")]


def test_fixture_site(ctx):
    stale = column_stale(site_pages(), ctx)
    assert [f.detail for f in stale] == ["栏目“通知公告”最新信息日期 2025-02-10，已超过6个月未更新"]
    f = stale[0]
    assert f.kind == "column_stale" and f.indicator_id == "web.ded.publish.columns"
    assert f.url == HOME + "zwgk/tzgg/" and f.page == f.url
    blank = column_blank(site_pages(), ctx)
    assert [f.detail for f in blank] == ["栏目“人事信息”为空白栏目（无任何信息）"]
    assert blank[0].url == HOME + "zwgk/rsxx/" and blank[0].indicator_id == "web.ded.publish.columns"


def test_article_with_related_list_is_not_a_column(ctx):
    s = summarize(page_from("article.html", HOME + "zwdt/gzdt/202511/t20251110_5501.html"), ctx)
    assert s is not None and s.column is None


def test_list_page_summary(ctx):
    s = summarize(page_from("list_dates.html", HOME + "zwdt/gzdt/"), ctx)
    assert s.column.name == "工作动态" and s.column.item_count == 10
    assert s.column.newest == dt.date(2025, 11, 3) and s.column.crumbs == ("政务动态", "工作动态")


def test_news_column_14_days(ctx):
    fresh = list_page("工作动态", AS_OF - dt.timedelta(days=14), "/gzdt/")
    old = list_page("部门动态", AS_OF - dt.timedelta(days=15), "/bmdt/")
    found = column_stale([fresh, old], ctx)
    assert [f.detail for f in found] == [
        f"栏目“部门动态”最新信息日期 {(AS_OF - dt.timedelta(days=15)).isoformat()}，已超过2周未更新"]
    assert found[0].indicator_id == "web.ded.publish.news"


def test_first_level_policy_column_goes_to_policy_docs_r1(ctx):
    first = list_page("政策文件", dt.date(2025, 3, 1), "/zcwj/")
    second = list_page("规范性文件", dt.date(2025, 3, 1), "/gfxwj/", crumbs="政务公开 &gt; 规范性文件")
    found = {f.detail.split("”")[0][3:]: f for f in column_stale([first, second], ctx)}
    assert found["政策文件"].indicator_id == "web.ded.publish.policy_docs.r1"
    assert found["规范性文件"].indicator_id == "web.ded.publish.columns"


def test_periodic_and_static_columns(ctx):
    personnel = list_page("人事任免", dt.date(2024, 12, 1), "/rsrm/")            # 349 days < 1 year
    plans = list_page("规划计划", dt.date(2024, 10, 1), "/ghjh/")                 # over 1 year
    leaders = list_page("领导信息", dt.date(2020, 1, 1), "/ldxx/")                 # never stale
    found = column_stale([personnel, plans, leaders], ctx)
    assert [f.detail for f in found] == ["栏目“规划计划”最新信息日期 2024-10-01，已超过1年未更新"]


def test_undated_list_counts_as_not_updated(ctx):
    page = list_page("工作动态", None, "/gzdt/", dated=False)
    found = column_stale([page], ctx)
    assert [f.detail for f in found] == ["栏目“工作动态”信息均未标注发布日期（无日期视为未更新）"]


def test_per_site_overrides():
    pages = [page_from("list_notice_stale.html", HOME + "zwgk/tzgg/"),
             list_page("工作动态", AS_OF - dt.timedelta(days=5), "/gzdt/")]
    exempt = make_ctx(column_stale={"overrides": {"通知公告": None}})
    assert column_stale(pages, exempt) == []
    custom = make_ctx(column_stale={"overrides": {"工作动态": 3, "通知公告": "periodic"}})
    assert [f.detail for f in column_stale(pages, custom)] == [
        f"栏目“工作动态”最新信息日期 {(AS_OF - dt.timedelta(days=5)).isoformat()}，已超过3天未更新"]


def test_veto_when_five_stale_in_news_and_first_level_notice_policy(ctx):
    old = AS_OF - dt.timedelta(days=200)
    pages = [list_page(n, old, f"/c{i}/") for i, n in enumerate(["工作动态", "部门动态", "乡镇动态", "通知公告", "政策文件"])]
    found = column_stale(pages, ctx)
    veto = [f for f in found if f.indicator_id == "web.veto.columns_not_updated.c1"]
    assert len(veto) == 1 and "共5个" in veto[0].detail and veto[0].url == HOME
    assert len(found) == 6                       # five per-column findings stay for the reviewer
    four = column_stale(pages[:4], ctx)
    assert not any(f.indicator_id.startswith("web.veto") for f in four)


def test_second_level_notice_does_not_count_for_the_c1_veto(ctx):
    old = AS_OF - dt.timedelta(days=200)
    pages = [list_page(n, old, f"/c{i}/") for i, n in enumerate(["工作动态", "部门动态", "乡镇动态", "政策文件"])]
    pages.append(list_page("通知公告", old, "/zwgk/tzgg/", crumbs="政务公开 &gt; 通知公告"))
    assert not any(f.indicator_id.startswith("web.veto") for f in column_stale(pages, ctx))


def test_idle_veto_at_ten_columns(ctx):
    old = dt.date(2024, 6, 1)
    names = ["规划计划", "统计数据", "财政预决算", "人事任免", "招考录用", "建议提案", "审计信息", "重大项目",
             "年度报告", "政府采购"]
    found = column_stale([list_page(n, old, f"/p{i}/") for i, n in enumerate(names)], ctx)
    idle = [f for f in found if f.indicator_id == "web.veto.columns_not_updated.c2"]
    assert len(idle) == 1 and "共10个" in idle[0].detail
    nine = column_stale([list_page(n, old, f"/p{i}/") for i, n in enumerate(names[:9])], ctx)
    assert not any(f.indicator_id == "web.veto.columns_not_updated.c2" for f in nine)


def test_blank_veto_at_five(ctx):
    pages = [blank_page(n, f"/b{i}/") for i, n in enumerate(["人事信息", "统计数据", "规划计划", "财政预决算", "建议提案"])]
    found = column_blank(pages, ctx)
    assert [f.indicator_id for f in found].count("web.veto.columns_not_updated.c3") == 1
    assert len([f for f in found if f.indicator_id == "web.ded.publish.columns"]) == 5
    assert not any(f.indicator_id.startswith("web.veto") for f in column_blank(pages[:4], ctx))
    assert column_blank(pages, make_ctx(column_blank={"threshold": 6})) == [
        f for f in found if not f.indicator_id.startswith("web.veto")]


def test_pagination_pages_merge_into_one_column(ctx):
    first = list_page("通知公告", dt.date(2025, 11, 1), "/tzgg/")
    second = list_page("通知公告", dt.date(2025, 1, 1), "/tzgg/index_1.html?")
    assert column_stale([first, second], ctx) == []


def test_name_from_homepage_nav_when_no_breadcrumb(ctx):
    home = page_from("home.html", HOME, is_home=True)
    page = list_page("x", dt.date(2025, 1, 1), "/zwgk/tzgg/", crumbs=None, title="列表")
    page.anchor = ""
    found = column_findings([summarize(home, ctx), summarize(page, ctx)], ctx)
    assert [f.detail for f in found] == ["栏目“通知公告”最新信息日期 2025-01-01，已超过6个月未更新"]
    assert column_findings([summarize(page, ctx)], ctx) == []        # alone: "列表", a 1-year column


def test_name_from_referrer_anchor_and_more_heading(ctx):
    home = page_from("home.html", HOME, is_home=True)
    nav = columns.nav_names(home)
    assert nav["www.yunxi.gov.cn/zwgk/tzgg"] == "通知公告"
    assert nav["www.yunxi.gov.cn/zwdt/gzdt"] == "工作动态"
    page = list_page("x", dt.date(2025, 1, 1), "/some/list/", crumbs=None, title="")
    page.anchor = "通知公告"
    assert summarize(page, ctx).column.name == "通知公告"


@pytest.mark.parametrize("name, category", [
    ("工作动态", "news"), ("图片新闻", "news"), ("通知公告", "notice"), ("公示公告", "notice"),
    ("政策文件", "policy"), ("规范性文件", "policy"), ("政策解读", "interpretation"), ("人事任免", "periodic"),
    ("统计数据", "periodic"), ("领导信息", "static"), ("机构职能", "static"), ("市长信箱", "interaction"),
    ("乡村振兴", "other"),
])
def test_classify(name, category):
    assert classify(name, load_rules()).id == category


def test_window_wording():
    assert [window_zh(d) for d in (14, 183, 365, 90, 60, 3)] == ["2周", "6个月", "1年", "3个月", "2个月", "3天"]


def test_articles_and_widgets_saying_empty_are_not_blank_columns(ctx):
    article = html_page('<div class="location">当前位置：首页 &gt; 重点项目</div><div class="article">'
                        '<h1>城南污水处理厂项目建设中</h1><p>' + "项目正在建设中，预计明年投入使用。" * 30 + '</p>'
                        '<div class="side"><h3>最新留言</h3><p>暂无数据</p></div></div>', HOME + "zdxm/1.html")
    assert column_blank([article], ctx) == []


def test_short_yearly_list_is_a_column(ctx):
    rows = "".join(f'<li><a href="/czyjs/{y}.html">{y}年云溪市本级财政预算公开</a><span>{y}-03-01</span></li>'
                   for y in (2024, 2023, 2022))
    html = ('<html><head><title>财政预决算</title></head><body><div class="location">当前位置：首页 &gt; 财政预决算</div>'
            f'<ul class="list">{rows}</ul></body></html>')
    found = column_stale([html_page(html, HOME + "czyjs/")], ctx)
    assert [f.detail for f in found] == ["栏目“财政预决算”最新信息日期 2024-03-01，已超过1年未更新"]


def test_short_article_with_a_related_box_is_no_column(ctx):
    rel = "".join(f'<li><a href="/tzgg/{i}.html">关于第{i}项工作的通知公告内容</a><span>2024-0{i}-01</span></li>' for i in (1, 2, 3))
    html = ('<html><body><div class="location">当前位置：首页 &gt; 通知公告 &gt; 正文</div><h1>关于停水的通知</h1>'
            f'<p>发布时间：2025-11-01</p><p>因管网维修，11月3日停水一天。</p><ul class="related">{rel}</ul></body></html>')
    assert summarize(html_page(html, HOME + "tzgg/9.html"), ctx).column is None


def test_single_item_yearly_column_is_a_column(ctx):
    html = ('<html><head><title>政府信息公开年报</title></head><body><div class="location">当前位置：首页 &gt; 政府信息公开年报</div>'
            '<ul class="list"><li><a href="/nb/2023.html">云溪市2023年政府信息公开工作年度报告</a><span>2024-01-30</span></li></ul>'
            "</body></html>")
    found = column_stale([html_page(html, HOME + "nb/")], ctx)
    assert [f.detail for f in found] == ["栏目“政府信息公开年报”最新信息日期 2024-01-30，已超过1年未更新"]


def test_short_list_under_a_title_like_crumb_is_no_column(ctx):
    rel = '<li><a href="/tzgg/1.html">关于第1项工作的通知公告内容</a><span>2024-01-01</span></li>'
    html = ('<html><body><div class="location">当前位置：首页 &gt; 通知公告 &gt; 关于2025年度城乡居民医保缴费的温馨提示</div>'
            f'<p>详见附件。</p><ul class="related">{rel}{rel.replace("1", "2")}</ul></body></html>')
    assert summarize(html_page(html, HOME + "tzgg/9.html"), ctx).column is None
