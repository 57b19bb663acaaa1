"""HTML the corpus varies: CMS families (URLs, page shell), list layouts, date forms, pagers,
policy metadata layouts and footer phrasings, after what TRS WCM, 大汉 Hanweb and the
集约化 platforms emit."""
from __future__ import annotations

import datetime as dt
import html
import random

# ---------------------------------------------------------------- families: URLs


class Family:
    """Where a CMS family puts list pages and articles."""

    name = ""

    def list_path(self, col: "Column", page_no: int) -> str:
        raise NotImplementedError

    def article_path(self, col: "Column", day: dt.date, n: int) -> str:
        raise NotImplementedError


class Trs(Family):
    name = "trs"

    def list_path(self, col, page_no):
        return f"/{col.dir}/index.html" if page_no == 0 else f"/{col.dir}/index_{page_no}.html"

    def article_path(self, col, day, n):
        return f"/{col.dir}/{day:%Y%m}/t{day:%Y%m%d}_{5000 + n}.html"


class Hanweb(Family):
    name = "hanweb"

    def list_path(self, col, page_no):
        base = f"/col/col{col.cid}/index.html"
        return base if page_no == 0 else f"/col/col{col.cid}/index_{page_no}.html"

    def article_path(self, col, day, n):
        return f"/art/{day.year}/{day.month}/{day.day}/art_{col.cid}_{80000 + n}.html"


class Jyh(Family):
    """集约化平台: list.shtml pages, post_<id> articles without a date in the URL."""

    name = "jyh"

    def list_path(self, col, page_no):
        return f"/{col.dir}/list.shtml" if page_no == 0 else f"/{col.dir}/list_{page_no + 1}.shtml"

    def article_path(self, col, day, n):
        return f"/{col.dir}/content/post_{3100000 + n * 7}.html"


FAMILIES = {"trs": Trs(), "hanweb": Hanweb(), "jyh": Jyh()}


class Column:
    def __init__(self, dir_: str, name: str, category: str, window: int | None, cid: int):
        self.dir, self.name, self.category, self.window, self.cid = dir_, name, category, window, cid
        self.items: list[tuple[str, str, dt.date]] = []      # (title, path, date), newest first
        self.list_paths: list[str] = []


# ---------------------------------------------------------------- dates

DATE_FORMS = ["iso", "slash", "dot", "cn", "bracket", "md_bracket", "md_bare", "md_cn"]
YEARLESS = {"md_bracket", "md_bare", "md_cn"}


def fmt_date(day: dt.date, form: str) -> str:
    return {"iso": day.isoformat(), "slash": f"{day:%Y/%m/%d}", "dot": f"{day:%Y.%m.%d}",
            "cn": f"{day.year}年{day:%m}月{day:%d}日", "bracket": f"[{day.isoformat()}]",
            "md_bracket": f"[{day:%m-%d}]", "md_bare": f"{day:%m-%d}", "md_cn": f"{day:%m}月{day:%d}日"}[form]


# ---------------------------------------------------------------- list layouts

LIST_LAYOUTS = ["ul", "date_first", "table", "cards", "split_cards", "year_cards", "dl", "em_cards", "datastore",
                "datastore_table"]
ROW_DECOR = ["plain", "top_new", "time", "truncated"]


def e(s: str) -> str:
    return html.escape(s, quote=True)


def decorate(items: list[tuple[str, str, dt.date]], decor: str) -> list[tuple[str, str, dt.date, str, str]]:
    """(title, path, date, anchor inner HTML, extra title attribute) per item: [置顶] and "new"
    icons, a time after the date, titles cut short with the full one in title=…"""
    out = []
    for i, (t, p, d) in enumerate(items):
        inner, attr = e(t), ""
        if decor == "top_new":
            inner = ('<span class="zd">[置顶]</span>' if i == 0 else "") + inner + \
                    (' <img src="/img/new.gif" alt="">' if i < 3 else "")
        elif decor == "truncated" and len(t) > 16:
            inner, attr = e(t[:15]) + "…", f' title="{e(t)}"'
        out.append((t, p, d, inner, attr))
    return out


def render_list(layout: str, items: list[tuple[str, str, dt.date]], form: str, rng: random.Random,
                decor: str = "plain") -> str:
    rows_ = decorate(items, decor)

    def when(d: dt.date) -> str:
        text = fmt_date(d, form)
        if decor == "time" and form in ("iso", "slash", "dot"):
            text += f" {rng.randint(8, 18):02d}:{rng.choice(['00', '15', '30', '45'])}"
        return text
    if layout == "ul":
        rows = "".join(f'<li><a href="{p}"{a} target="_blank">{inner}</a><span class="date">{when(d)}</span></li>'
                       for t, p, d, inner, a in rows_)
        return f'<ul class="list">{rows}</ul>'
    if layout == "date_first":
        rows = "".join(f'<li><span class="time">{when(d)}</span><a href="{p}"{a}>{inner}</a></li>' for t, p, d, inner, a in rows_)
        return f'<ul class="news_list">{rows}</ul>'
    if layout == "table":
        rows = "".join(f'<tr><td class="bt"><a href="{p}"{a}>{inner}</a></td><td class="bt_time">{when(d)}</td></tr>'
                       for t, p, d, inner, a in rows_)
        return f'<table class="list" width="100%">{rows}</table>'
    if layout == "cards":
        rows = "".join(f'<div class="list-item"><h3><a href="{p}"{a}>{inner}</a></h3><p class="time">{when(d)}</p>'
                       f'<p class="summary">{e(t[:12])}……</p></div>' for t, p, d, inner, a in rows_)
        return f'<div class="news-list">{rows}</div>'
    if layout == "split_cards":
        rows = "".join(f'<div class="news-box"><div class="date"><span class="day">{d:%d}</span><span class="ym">{d:%Y-%m}</span></div>'
                       f'<div class="txt"><a href="{p}"{a}>{inner}</a><p>{e(t[:10])}……</p></div></div>' for t, p, d, inner, a in rows_)
        return f'<div class="news-boxes">{rows}</div>'
    if layout == "year_cards":     # the year apart from month and day
        rows = "".join(f'<div class="news-item"><div class="date"><p>{d:%m-%d}</p><p>{d.year}</p></div>'
                       f'<div class="con"><a href="{p}"{a}>{inner}</a></div></div>' for t, p, d, inner, a in rows_)
        return f'<div class="news-items">{rows}</div>'
    if layout == "dl":
        rows = "".join(f'<dt><a href="{p}"{a}>{inner}</a></dt><dd>{when(d)}</dd>' for t, p, d, inner, a in rows_)
        return f'<dl class="list">{rows}</dl>'
    if layout == "em_cards":
        rows = "".join(f'<div class="item"><a href="{p}"{a}><p class="tit">{inner}</p></a><em>{when(d)}</em></div>'
                       for t, p, d, inner, a in rows_)
        return f'<div class="items">{rows}</div>'
    cid = rng.randrange(1000, 99999)
    if layout == "datastore":
        records = "".join(f'<record><![CDATA[<li><a href="{p}"{a} target="_blank">{inner}</a>'
                          f'<span class="bt-data-time">{when(d)}</span></li>]]></record>' for t, p, d, inner, a in rows_)
        return (f'<div id="{cid}"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
                f'dataproxy.jsp?page=1&webid=1&columnid={cid}"></a>]]></nextgroup><recordset>{records}</recordset>'
                f'</datastore></script></div><script>$("#{cid}").jpage({{perPage:15}});</script>')
    if layout == "datastore_table":
        records = "".join(f'<record><![CDATA[<table width="100%"><tr><td><a href="{p}"{a}>{inner}</a></td>'
                          f'<td width="90">{when(d)}</td></tr></table>]]></record>' for t, p, d, inner, a in rows_)
        return f'<div id="{cid}"><script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script></div>'
    raise ValueError(layout)


def empty_list(style: str) -> str:
    """A blank column's list area."""
    return {
        "empty_ul": '<ul class="list"></ul>',
        "marker": '<div class="list"><p class="nodata">暂无信息</p></div>',
        "header_table": '<table class="list"><tr><th>标题</th><th>发布日期</th></tr></table>',
        "empty_datastore": '<div id="31187"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>'
                           "<recordset></recordset></datastore></script></div>",
        "zero_pager": '<div class="news-list"></div><div class="page">共0条记录 首页 上一页 下一页 尾页</div>',
        "trs_script_pager": '<ul class="list"></ul><div class="page_num"><script>createPageHTML(0, 0, "index", "html");</script></div>',
        "marker_text": '<div class="list-con"><span>该栏目暂无内容</span></div>',
    }[style]


BLANK_STYLES = ["empty_ul", "marker", "header_table", "empty_datastore", "zero_pager", "trs_script_pager", "marker_text"]

# ---------------------------------------------------------------- pagers

PAGERS = ["text", "numbers", "trs_script"]


def pager(style: str, paths: list[str], i: int) -> str:
    n = len(paths)
    if n <= 1:
        return ""
    prev = f'<a href="{paths[i - 1]}">上一页</a>' if i > 0 else "上一页"
    nxt = f'<a href="{paths[i + 1]}">下一页</a>' if i + 1 < n else "下一页"
    if style == "text":
        return (f'<div class="page">共{n}页 第{i + 1}页 <a href="{paths[0]}">首页</a> {prev} {nxt} '
                f'<a href="{paths[-1]}">尾页</a></div>')
    if style == "numbers":
        nums = " ".join(f"<span>{k + 1}</span>" if k == i else f'<a href="{p}">{k + 1}</a>' for k, p in enumerate(paths))
        return f'<div class="pagination">{prev} {nums} {nxt}</div>'
    return (f'<div class="page_num"><script>createPageHTML({n}, {i}, "index", "html");</script>'
            f'{i + 1}/{n}页 {prev} {nxt}</div>')


# ---------------------------------------------------------------- policy metadata

META_LAYOUTS = ["th_td", "td_pairs", "td_b", "label_tag", "span_pairs", "span_tail", "dl", "inline", "inline_brackets",
                "vertical"]
def render_meta(layout: str, fields: list[tuple[str, str]]) -> str:
    """fields: (label text, value); an empty value shows the label alone."""
    if layout == "th_td":
        rows = "".join("<tr>" + "".join(f"<th>{k}</th><td>{e(v)}</td>" for k, v in fields[i:i + 2]) + "</tr>"
                       for i in range(0, len(fields), 2))
        return f'<table class="xxgk_table" cellspacing="0">{rows}</table>'
    if layout == "td_b":           # gov.cn: <td><b>索  引  号：</b></td><td>…</td>, two pairs a row
        rows = "".join("<tr>" + "".join(f'<td class="b12c"><b>{k}：</b></td><td class="b12c">{e(v)}</td>'
                                        for k, v in fields[i:i + 2]) + "</tr>" for i in range(0, len(fields), 2))
        return f'<table class="bd1" width="100%">{rows}</table>'
    if layout == "label_tag":
        rows = "".join(f"<li><label>{k}</label><span>{e(v)}</span></li>" for k, v in fields)
        return f'<div class="xxgk-head"><ul>{rows}</ul></div>'
    if layout == "td_pairs":
        rows = "".join(f'<tr><td class="t">{k}：</td><td class="c">{e(v)}</td></tr>' for k, v in fields)
        return f'<table class="xxgk">{rows}</table>'
    if layout == "span_pairs":
        rows = "".join(f'<li><span class="l">{k}：</span><span class="r">{e(v)}</span></li>' for k, v in fields)
        return f'<ul class="xxgk-info">{rows}</ul>'
    if layout == "span_tail":
        rows = "".join(f"<p><span>{k}：</span>{e(v)}</p>" for k, v in fields)
        return f'<div class="doc-meta">{rows}</div>'
    if layout == "dl":
        rows = "".join(f"<dt>{k}：</dt><dd>{e(v)}</dd>" for k, v in fields)
        return f'<dl class="meta">{rows}</dl>'
    if layout in ("inline", "inline_brackets"):
        half = (len(fields) + 1) // 2
        pair = "【{}】{}" if layout == "inline_brackets" else "{}：{}"
        lines = ["　".join(pair.format(k, e(v)) for k, v in part) for part in (fields[:half], fields[half:])]
        return "".join(f'<div class="info">{line}</div>' for line in lines)
    if layout == "vertical":
        return ('<table class="gk-table"><tr>' + "".join(f"<th>{k}</th>" for k, _ in fields) + "</tr><tr>"
                + "".join(f"<td>{e(v)}</td>" for _, v in fields) + "</tr></table>")
    raise ValueError(layout)


# ---------------------------------------------------------------- page shell

CLOCK = ("<script>function showTime(){var d=new Date();var w='日一二三四五六';document.getElementById('clock').innerHTML="
         "'今天是'+d.getFullYear()+'年'+(d.getMonth()+1)+'月'+d.getDate()+'日 星期'+w.charAt(d.getDay());}"
         "setInterval(showTime,1000);</script>")
STATS = ('<script>var _hmt = _hmt || [];(function(){var hm=document.createElement("script");'
         'hm.src="https://hm.baidu.com/hm.js?5b1e2c9f0a";var s=document.getElementsByTagName("script")[0];'
         's.parentNode.insertBefore(hm,s);})();</script>')
TRS_STATS = '<script src="/js/_trs_ta.js"></script>'
CRUMB_FORMS = ["position", "location", "bread"]


def crumb_html(form: str, trail: list[tuple[str, str]]) -> str:
    links = "".join(f" &gt; <a href=\"{h}\">{t}</a>" if h else f" &gt; <span>{t}</span>" for t, h in trail)
    if form == "position":
        return f'<div class="position">当前位置：<a href="/">首页</a>{links}</div>'
    if form == "location":
        return f'<div class="location"><span>您现在的位置：</span><a href="/">网站首页</a>{links}</div>'
    return '<div class="bread-crumb"><a href="/">首页</a>' + links.replace(" &gt; ", " › ") + "</div>"


def shell(*, site_name: str, title: str, main: str, nav: str, crumbs: list[tuple[str, str]] | None,
          crumb_form: str, sidebar: str = "", footer: str, family: str, clock_date: dt.date | None = None) -> bytes:
    """A page in the site's template: header with logo, welcome line and clock, nav, sidebar,
    breadcrumb, main area, footer and statistics scripts."""
    clock = f"今天是{clock_date.year}年{clock_date.month}月{clock_date.day}日 星期一" if clock_date else ""
    head = (f'<div class="top-bar"><div class="welcome">您好，欢迎访问{site_name}！</div><span id="clock">{clock}</span>'
            f'<a href="/wza/">无障碍</a> <a href="/en/">English</a></div>'
            f'<div class="logo"><img src="/img/logo.png" alt="{site_name}"><h1>{site_name}</h1></div>'
            f'<form class="search" action="/search/"><input name="q" placeholder="请输入关键字"><button>搜索</button></form>')
    crumb = crumb_html(crumb_form, crumbs) if crumbs else ""
    side = f'<div class="left-side">{sidebar}</div>' if sidebar else ""
    scripts = CLOCK + (TRS_STATS if family == "trs" else STATS)
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<link rel="stylesheet" href="/css/site.css"></head><body>{head}<div class="nav">{nav}</div>'
            f'<div class="container">{side}<div class="right-main">{crumb}{main}</div></div>'
            f'<div class="footer">{footer}</div>{scripts}</body></html>')
    return page.encode("utf-8")


# ---------------------------------------------------------------- footers

FOOTERS = ["classic", "shibiema", "short", "gov"]
MARKS = ["code", "dzjg", "icp", "psb", "host", "zhaocuo"]


def footer_html(style: str, *, host: str, code: str, icp: str, psb: str, gov: str, drop: set[str],
                wrong_code: str = "") -> str:
    shown_code = wrong_code or code
    if style == "classic":
        parts = [f"主办单位：{host}" if "host" not in drop else "",
                 f"网站标识码：{shown_code}" if "code" not in drop else "",
                 icp if "icp" not in drop else "", f"{psb[:1]}公网安备 {psb[1:]}号" if "psb" not in drop else ""]
        dzjg = f'<a href="{gov}/conac/dzjg.html"><img src="/img/dzjg.png" alt="党政机关"></a>'
        zc = f'<a href="{gov}/exposure/jiucuo.html"><img src="/img/jiucuo.png" alt="我为政府网站找错"></a>'
    elif style == "shibiema":
        parts = [f"{host} 主办" if "host" not in drop else "",
                 f"网站识别码：{shown_code}" if "code" not in drop else "",
                 f"ICP备案号：{icp}" if "icp" not in drop else "",
                 f"公安机关备案号：{psb[1:]}" if "psb" not in drop else ""]
        dzjg = ("<span id=\"_ideConac\"></span><script>document.write(unescape(\"%3Cscript src='"
                f"{gov}/conac/CA360000000600000001.js' type='text/javascript'%3E%3C/script%3E\"));</script>")
        zc = (f'<span id="_span_jiucuo"></span><script id="_jiucuo_" sitecode="{code}" '
              f'src="{gov}/exposure/jiucuo.js"></script>')
    elif style == "gov":
        parts = [f"网站主办：{host}" if "host" not in drop else "",
                 f"标识码：{shown_code}" if "code" not in drop else "",
                 icp if "icp" not in drop else "", f"{psb[:1]}公网安备{psb[1:]}号" if "psb" not in drop else ""]
        dzjg = f'<a href="{gov}/bszs.conac.cn/sitename?method=show&amp;id=5E3F"><img src="/img/jg.png"></a>'
        zc = f'<a href="{gov}/exposure/jiucuo.html?site_code={code}"><img src="/img/zhaocuo.png"></a>'
    else:
        short_host = host.replace("人民政府", "政府")
        parts = [f"主办：{short_host}" if "host" not in drop else "",
                 f"政府网站标识码 {shown_code}" if "code" not in drop else "",
                 icp if "icp" not in drop else "",
                 (f'<a href="{gov}/beian.gov.cn/portal/registerSystemInfo?recordcode={psb[1:]}">'
                  f'<img src="/img/ga.png">{psb[:1]}公安备案 {psb[1:]}</a>') if "psb" not in drop else ""]
        dzjg = f'<span class="dzjg"><a href="{gov}/conac/dzjg.html"><img src="/img/red.png" alt="党政机关网站标识"></a></span>'
        zc = f'<a href="{gov}/exposure/jiucuo.html">我为政府网站找错</a>'
    if "dzjg" in drop:
        dzjg = ""
    if "zhaocuo" in drop:
        zc = ""
    text = " | ".join(p for p in parts if p)
    return f'<p>{text}</p><p>联系电话：0797-8212345　技术支持：某某信息科技有限公司</p><div class="marks">{dzjg} {zc}</div>'
