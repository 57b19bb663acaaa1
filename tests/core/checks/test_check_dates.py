"""Dates in every listed form, year inference from 监测时间点, footer/copyright/future exclusion."""
import datetime as dt

import pytest

from app.core.checks.dates import dated_links, find_dates, infer_year, latest_date, page_dates, publication_date
from app.core.checks.text import breadcrumb, visible

from checkpages import AS_OF, HOME, html_page, page_from

D = dt.date


@pytest.mark.parametrize("text, expected", [
    ("2025-11-03", D(2025, 11, 3)),
    ("2025-1-3", D(2025, 1, 3)),
    ("2025/11/03", D(2025, 11, 3)),
    ("2025.11.03", D(2025, 11, 3)),
    ("2025.11.3", D(2025, 11, 3)),
    ("2025年11月3日", D(2025, 11, 3)),
    ("2025 年 11 月 03 日", D(2025, 11, 3)),
    ("二〇二五年十一月三日", D(2025, 11, 3)),
    ("二〇二四年十二月二十日", D(2024, 12, 20)),
    ("[11-03]", D(2025, 11, 3)),
    ("【11-03】", D(2025, 11, 3)),
    ("（11-03）", D(2025, 11, 3)),
    ("某某通知 11-03", D(2025, 11, 3)),
    ("发布时间：2025-11-03 10:20", D(2025, 11, 3)),
    ("发布日期:2025年11月3日", D(2025, 11, 3)),
    ("[12-20]", D(2024, 12, 20)),        # later than 11-15 → last year
    ("11-15", D(2025, 11, 15)),          # the as-of day itself is this year
])
def test_every_form(text, expected):
    found = find_dates(text, AS_OF)
    assert [f.date for f in found] == [expected]


def test_labels_and_inferred_year_are_marked():
    f = find_dates("发布时间：2025-11-03", AS_OF)[0]
    assert f.labeled and not f.inferred_year
    g = find_dates("通知 [11-03]", AS_OF)[0]
    assert g.inferred_year and not g.labeled


@pytest.mark.parametrize("text", [
    "2025-11-20",                 # after as_of
    "2026年1月1日起施行",          # future
    "Copyright 2008-2025",
    "2025-02-30",                 # no such day
    "10-15人参加",                 # a range, not a date
    "电话 0797-8881234",
    "第1-12号",
    "2025-13-01",
    "赣ICP备05001234号-1",
])
def test_non_dates(text):
    assert find_dates(text, AS_OF) == []


def test_infer_year_handles_leap_day():
    assert infer_year(2, 29, dt.date(2025, 3, 1)) == dt.date(2024, 2, 29)   # 2025-02-29 does not exist
    assert infer_year(2, 29, dt.date(2024, 3, 1)) == dt.date(2024, 2, 29)
    assert infer_year(2, 29, dt.date(2026, 3, 1)) is None


def test_page_dates_skip_footer_copyright_and_header_clock():
    page = page_from("home.html", HOME, is_home=True)
    dates = {f.date for f in page_dates(page, AS_OF)}
    assert D(2025, 11, 15) not in dates                 # 今天是2025年11月15日 星期六
    assert max(dates) == D(2025, 11, 10)
    assert D(2025, 11, 7) in dates and D(2025, 9, 26) in dates   # [11-07], 2025年9月26日


def test_footer_update_time_is_not_a_publication_date():
    page = page_from("home_undated.html", HOME, is_home=True)
    assert latest_date(page, AS_OF) is None


def test_dated_links_in_every_form():
    page = page_from("list_dates.html", HOME + "zwdt/gzdt/")
    links = dated_links(page, AS_OF)
    got = {link.title: link.date for link in links}
    assert got["我市举办2025年营商环境优化提升专题培训班"] == D(2025, 11, 3)
    assert got["市领导调研重点项目建设工作"] == D(2025, 11, 1)
    assert got["云溪市第三届农民丰收节系列活动圆满落幕"] == D(2025, 10, 28)
    assert got["全市安全生产工作会议召开"] == D(2025, 10, 20)
    assert got["市政府与省农业科学院签订战略合作协议"] == D(2025, 10, 15)
    assert got["云溪市开展“119”消防宣传月活动"] == D(2025, 10, 12)
    assert got["2024年冬季征兵工作动员部署会召开"] == D(2024, 12, 20)
    assert got["我市召开秋冬季大气污染防治攻坚动员会"] == D(2025, 10, 9)      # date inside the <a>
    assert got["国庆假期全市旅游市场平稳有序"] == D(2025, 10, 8)
    assert got["市委召开理论学习中心组学习会"] == D(2025, 10, 7)
    assert len(links) == 10
    assert links[0].url == HOME + "zwdt/gzdt/202511/t20251103_5478.html"


def test_publication_date_of_an_article():
    page = page_from("article.html", HOME + "zwdt/gzdt/202511/t20251110_5501.html")
    assert publication_date(page, AS_OF) == D(2025, 11, 10)


def test_gbk_page_decoded_by_the_crawler_still_gives_dates():
    page = page_from("gbk_page.html", HOME + "tzgg/1.html", encoding="gb18030")
    assert publication_date(page, AS_OF) == D(2025, 10, 30)
    assert "城乡居民养老保险" in visible(page).title


def test_visible_text_skips_scripts_styles_comments_and_attributes():
    page = page_from("typos.html")
    text = visible(page).text
    assert "script text" not in text and "content:" not in text
    assert "注释中的错别字" not in text
    assert "带头发辉模范作用" in text                   # inline <strong> joins the line


def test_breadcrumb_forms():
    assert breadcrumb(page_from("list_dates.html")) == ("政务动态", "工作动态")
    assert breadcrumb(page_from("list_notice_stale.html")) == ("通知公告",)
    assert breadcrumb(page_from("article.html")) == ("政务动态", "工作动态")
    ul = html_page('<ul class="breadcrumb"><li><a href="/">首页</a></li><li><a href="/a/">政务公开</a></li>'
                   '<li>人事信息</li></ul><p>内容</p>')
    assert breadcrumb(ul) == ("政务公开", "人事信息")
