"""column_blank on real templates: an empty list container between a sidebar menu of sibling
columns, a header, scripts (clock, statistics) and a footer is a blank column; a list loaded by
a script, a page of sub-column links or a one-page column with text is not."""
import datetime as dt

import pytest

from app.core.checks.columns import column_findings, summarize

from checkpages import AS_OF, HOME, html_page

SIBLINGS = [("tzgg", "通知公告"), ("zcwj", "政策文件"), ("rsxx", "人事信息"), ("czzj", "财政资金"), ("ghjh", "规划计划")]
CLOCK = ("<script>function tick(){var d=new Date();document.getElementById('clock').innerHTML="
         "d.getFullYear()+'年'+(d.getMonth()+1)+'月'+d.getDate()+'日';}setInterval(tick,1000);</script>")
STATS = ('<script>var _hmt = _hmt || [];(function() {var hm = document.createElement("script");'
         'hm.src = "https://hm.baidu.com/hm.js?0123456789abcdef";var s = document.getElementsByTagName("script")[0];'
         's.parentNode.insertBefore(hm, s);})();</script>')
AJAX = ('<script>$.ajax({url:"/api/list?column=rsxx",dataType:"json",success:function(r){'
        '$("#list").html(r.items.map(function(x){return "<li>"+x.title+"</li>"}).join(""));}});</script>')


def template(main: str, current: str = "rsxx", scripts: str = CLOCK + STATS) -> str:
    name = dict(SIBLINGS)[current]
    menu = "".join(f'<li{" class=on" if d == current else ""}><a href="/zwgk/{d}/">{n}</a></li>' for d, n in SIBLINGS)
    return ("<html><head><title>" + name + "_云溪市人民政府</title></head><body>"
            '<div class="logo"><img src="/img/logo.png" alt="云溪市人民政府">云溪市人民政府 YUNXI</div>'
            '<div class="welcome">您好，欢迎访问云溪市人民政府门户网站！ <span id="clock"></span></div>'
            '<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动交流</a></div>'
            f'<div class="wrap"><div class="left"><h2>政务公开</h2><ul class="sub">{menu}</ul></div>'
            f'<div class="right"><div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a>'
            f' &gt; {name}</div><h3 class="lm-title">{name}</h3>{main}</div></div>'
            '<div class="footer">主办单位：云溪市人民政府办公室 网站标识码：3607000001 赣ICP备05001234号-1</div>'
            f"{scripts}</body></html>")


def page(main: str, current: str = "rsxx", **kw):
    return html_page(template(main, current, **kw), HOME + f"zwgk/{current}/")


def full_list(current: str = "tzgg") -> str:
    rows = "".join(f'<li><a href="/zwgk/{current}/{i}.html">关于做好第{i + 1}项重点工作的通知</a>'
                   f"<span>{(AS_OF - dt.timedelta(days=3 + 9 * i)).isoformat()}</span></li>" for i in range(8))
    return f'<ul class="list">{rows}</ul>'


def blank(pages, ctx):
    return [f.url for f in column_findings([summarize(p, ctx) for p in pages], ctx, kinds=("column_blank",))
            if f.indicator_id == "web.ded.publish.columns"]


@pytest.mark.parametrize("main", [
    '<ul class="list"></ul>',
    '<div class="list-content"></div><div class="page">共0条 首页 上一页 下一页 尾页</div>',
    '<table class="list"><tr><th>标题</th><th>发布日期</th></tr></table>',
    '<div id="29081"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>'
    '<recordset></recordset></datastore></script></div>',
], ids=["empty_ul", "empty_div_pager", "header_only_table", "hanweb_empty_datastore"])
def test_empty_list_container_is_a_blank_column(main, ctx):
    pages = [page(main), page(full_list("tzgg"), "tzgg"), page(full_list("zcwj"), "zcwj")]
    assert blank(pages, ctx) == [HOME + "zwgk/rsxx/"]


def test_hanweb_datastore_records_are_list_items(ctx):
    records = "".join(f'<record><![CDATA[<li><a href="/art/2025/11/{i + 1}/art_29081_{i}.html">关于做好第{i + 1}项重点工作的通知</a>'
                      f'<span>2025-11-{i + 1:02d}</span></li>]]></record>' for i in range(6))
    main = f'<div id="29081"><script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script></div>'
    s = summarize(page(main), ctx)
    assert s.column is not None and s.column.item_count == 6 and s.column.newest == dt.date(2025, 11, 6)


@pytest.mark.parametrize("main,scripts", [
    ('<ul class="list" id="list"></ul>', CLOCK + STATS + AJAX),
    ('<div class="zlm">' + "".join(f'<a href="/zwgk/rsxx/{d}/">{n}</a>' for d, n in
                                  [("rm", "人事任免"), ("zl", "招录信息"), ("gb", "干部公示")]) + "</div>", CLOCK),
    ("<div class=\"content\"><p>" + "本栏目公开本机关人事任免、公务员招录和干部公示等信息，" * 3 + "</p></div>", CLOCK),
], ids=["ajax_list", "sub_column_links", "one_page_text"])
def test_pages_that_are_not_blank(main, scripts, ctx):
    pages = [page(main, scripts=scripts), page(full_list("tzgg"), "tzgg"), page(full_list("zcwj"), "zcwj")]
    assert blank(pages, ctx) == []


def test_undated_card_list_is_a_column(ctx):
    cards = "".join(f'<div class="news-item"><h4><a href="/zwgk/rsxx/{i}.html">关于做好第{i + 1}项重点工作的通知</a></h4>'
                    f"<p>摘要</p></div>" for i in range(6))
    s = summarize(page(cards), ctx)
    assert s.column is not None and not s.column.blank and s.column.undated_items == 6
