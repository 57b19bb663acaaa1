"""Card lists and other list layouts: a link is paired with the date of its item (the smallest
repeated block), and those blocks count as list items for columns and "is this a list page"."""
import datetime as dt

import pytest

from app.core.checks.columns import column_findings, summarize
from app.core.checks.dates import dated_links
from app.core.checks.policy import policy_metadata_missing

from checkpages import AS_OF, HOME, html_page

D = dt.date


def _days(n: int) -> list[dt.date]:
    return [AS_OF - dt.timedelta(days=3 + 9 * i) for i in range(n)]


def cards(n: int = 6) -> str:
    return "".join(f'<div class="list-item"><h3><a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a></h3>'
                   f'<p class="time">{d.isoformat()}</p></div>' for i, d in enumerate(_days(n)))


def split_date_cards(n: int = 6) -> str:
    """The day in big type, year-month below it (a common TRS/集约化 template)."""
    return "".join(f'<div class="news-box"><div class="date"><span class="day">{d:%d}</span><span class="ym">{d:%Y-%m}</span></div>'
                   f'<div class="txt"><a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a><p>摘要内容若干。</p></div></div>'
                   for i, d in enumerate(_days(n)))


def dl_pairs(n: int = 6) -> str:
    return "<dl class=\"list\">" + "".join(f'<dt><a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a></dt>'
                                          f'<dd>{d.isoformat()}</dd>' for i, d in enumerate(_days(n))) + "</dl>"


def table_cells(n: int = 6) -> str:
    return "<table>" + "".join(f'<tr><td class="bt"><a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a></td>'
                               f'<td class="bt_time">{d.isoformat()}</td></tr>' for i, d in enumerate(_days(n))) + "</table>"


def em_dates(n: int = 6) -> str:
    return "".join(f'<div class="item"><a href="/a/{i}.html"><p class="tit">关于做好第{i + 1}项重点工作的通知</p></a>'
                   f'<em>{d.isoformat()}</em></div>' for i, d in enumerate(_days(n)))


LAYOUTS = {"cards": cards, "split_date_cards": split_date_cards, "dl_pairs": dl_pairs, "table_cells": table_cells,
           "em_dates": em_dates}


def column_page(body: str, name: str = "通知公告", path: str = "zwgk/tzgg/") -> object:
    html = (f"<html><head><title>{name}</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div>"
            f'<div class="location">当前位置：首页 &gt; {name}</div><div class="main">{body}</div></body></html>')
    return html_page(html, HOME + path)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_item_gets_the_date_of_its_block(layout):
    links = dated_links(column_page(LAYOUTS[layout]()), AS_OF)
    assert [(link.title, link.date) for link in links] == [
        (f"关于做好第{i + 1}项重点工作的通知", d) for i, d in enumerate(_days(6))]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_card_list_is_a_column(layout, ctx):
    s = summarize(column_page(LAYOUTS[layout]()), ctx)
    assert s.column is not None and s.column.item_count == 6 and s.column.newest == _days(1)[0]


def test_stale_card_column_is_reported(ctx):
    old = cards().replace(str(AS_OF.year), str(AS_OF.year - 1))
    found = column_findings([summarize(column_page(old), ctx)], ctx, kinds=("column_stale",))
    assert [f.url for f in found] == [HOME + "zwgk/tzgg/"]


def test_article_link_in_a_paragraph_does_not_take_the_page_date(ctx):
    html = ('<div class="article"><h1>关于做好防汛工作的通知</h1><p>发布时间：2025-11-02</p>'
            '<p>附件：<a href="/f/1.pdf">防汛工作责任人名单汇总表</a></p><p>正文内容。</p></div>')
    assert dated_links(html_page(html), AS_OF) == []


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_short_card_list_of_policy_documents_is_no_document(layout, ctx):
    page = column_page(LAYOUTS[layout](3), name="政策文件", path="zwgk/zcwj/")
    assert policy_metadata_missing(page, ctx) == []


def test_date_at_the_start_of_the_link_text():
    rows = "".join(f'<li><a href="/a/{i}.html">{d.isoformat()} 关于做好第{i + 1}项重点工作的通知</a></li>'
                   for i, d in enumerate(_days(6)))
    links = dated_links(column_page(f"<ul>{rows}</ul>"), AS_OF)
    assert [(link.title, link.date) for link in links] == [
        (f"关于做好第{i + 1}项重点工作的通知", d) for i, d in enumerate(_days(6))]


def test_split_dates_with_the_year_apart_from_month_and_day():
    year_last = "".join(f'<div class="news-item"><div class="date"><p>{d:%m-%d}</p><p>{d.year}</p></div>'
                        f'<a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a></div>' for i, d in enumerate(_days(6)))
    year_first = year_last.replace('<p>', '<b>').replace('</p>', '</b>')
    year_first = "".join(f'<div class="news-item"><div class="date"><b>{d.year}</b><b>{d:%m-%d}</b></div>'
                         f'<a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a></div>' for i, d in enumerate(_days(6)))
    old = [d.replace(year=d.year - 2) for d in _days(6)]
    year_last_old = "".join(f'<div class="news-item"><div class="date"><p>{d:%m-%d}</p><p>{d.year}</p></div>'
                            f'<a href="/a/{i}.html">关于做好第{i + 1}项重点工作的通知</a></div>' for i, d in enumerate(old))
    assert [link.date for link in dated_links(column_page(year_last), AS_OF)] == _days(6)
    assert [link.date for link in dated_links(column_page(year_first), AS_OF)] == _days(6)
    assert [link.date for link in dated_links(column_page(year_last_old), AS_OF)] == old
