"""List dates without a year ([10-02], 10月02日): the year comes from the item's URL, the list's
descending order or the article's own date, never from "this year" when that makes old look new."""
import datetime as dt

from app.core.checks.columns import column_findings, summarize
from app.core.checks.dates import dated_links
from app.core.checks.homepage import homepage_stale

from checkpages import AS_OF, HOME, html_page

D = dt.date          # AS_OF is 2025-11-15


def list_page(rows: str, name: str = "通知公告", path: str = "zwgk/tzgg/"):
    html = (f"<html><head><title>{name}</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div>"
            f'<div class="location">当前位置：首页 &gt; {name}</div><ul class="list">{rows}</ul></body></html>')
    return html_page(html, HOME + path)


def test_year_from_the_items_url():
    rows = "".join(f'<li><a href="/tzgg/2023{m:02d}/t2023{m:02d}{d:02d}_{i}.html">关于第{i}项工作的通知公告内容</a>'
                   f'<span>[{m:02d}-{d:02d}]</span></li>' for i, (m, d) in enumerate([(10, 2), (9, 20), (8, 1)]))
    got = [link.date for link in dated_links(list_page(rows), AS_OF)]
    assert got == [D(2023, 10, 2), D(2023, 9, 20), D(2023, 8, 1)]


def test_chinese_month_day_form_in_list_rows():
    rows = "".join(f'<li><a href="/tzgg/{i}.html">关于第{i}项工作的通知公告内容</a><span>{m:02d}月{d:02d}日</span></li>'
                   for i, (m, d) in enumerate([(11, 3), (10, 2), (9, 1)]))
    got = [link.date for link in dated_links(list_page(rows), AS_OF)]
    assert got == [D(2025, 11, 3), D(2025, 10, 2), D(2025, 9, 1)]


def test_descending_order_carries_the_year_back():
    # 12-20 cannot be 2025 (after 监测时间点), so it is 2024 — and everything below it is older still.
    rows = "".join(f'<li><a href="/tzgg/{i}.html">关于第{i}项工作的通知公告内容</a><span>[{md}]</span></li>'
                   for i, md in enumerate(["12-20", "11-30", "10-02", "03-15", "12-01"]))
    got = [link.date for link in dated_links(list_page(rows), AS_OF)]
    assert got == [D(2024, 12, 20), D(2024, 11, 30), D(2024, 10, 2), D(2024, 3, 15), D(2023, 12, 1)]


def test_ascending_lists_are_left_alone():
    rows = "".join(f'<li><a href="/tzgg/{i}.html">关于第{i}项工作的通知公告内容</a><span>[{md}]</span></li>'
                   for i, md in enumerate(["03-01", "05-02", "07-03", "09-04"]))
    got = [link.date for link in dated_links(list_page(rows), AS_OF)]
    assert got == [D(2025, 3, 1), D(2025, 5, 2), D(2025, 7, 3), D(2025, 9, 4)]


def _article(path: str, published: str):
    html = (f"<html><head><title>通知</title></head><body><div class=\"location\">当前位置：首页 &gt; 通知公告 &gt; 正文</div>"
            f"<h1>关于第0项工作的通知公告内容</h1><p>发布时间：{published}</p><p>{'正文内容。' * 40}</p></body></html>")
    return html_page(html, HOME + path)


def test_year_from_the_articles_own_date(ctx):
    rows = "".join(f'<li><a href="/zwgk/tzgg/{i}.html">关于第{i}项工作的通知公告内容</a><span>[{md}]</span></li>'
                   for i, md in enumerate(["10-02", "09-20", "08-11", "07-01", "06-05", "05-04"]))
    pages = [list_page(rows), _article("zwgk/tzgg/0.html", "2023-10-02")]
    found = column_findings([summarize(p, ctx) for p in pages], ctx, kinds=("column_stale",))
    assert [f.detail for f in found] == ["栏目“通知公告”最新信息日期 2023-10-02，已超过6个月未更新"]
    # Without the article the list alone says 2025-10-02: fresh.
    assert column_findings([summarize(pages[0], ctx)], ctx, kinds=("column_stale",)) == []


def test_homepage_with_yearless_dates_uses_the_url_year(ctx):
    rows = "".join(f'<li><a href="/xw/2024{m:02d}/t2024{m:02d}{d:02d}_{i}.html">全市重点工作推进会议召开第{i}次</a>'
                   f'<span>{m:02d}-{d:02d}</span></li>' for i, (m, d) in enumerate([(11, 10), (11, 2), (10, 30)]))
    home = html_page(f"<html><body><h2>要闻动态</h2><ul>{rows}</ul></body></html>", HOME, is_home=True)
    found = homepage_stale(home, ctx)
    assert found and "2024-11-10" in found[0].detail
