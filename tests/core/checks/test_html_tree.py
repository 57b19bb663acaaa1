"""The lxml page tree the checks share: hostile markup parses, text and links survive."""
from __future__ import annotations

import threading

from app.core.checks.base import Page
from app.core.checks.html import parse, text_of
from app.core.checks.links import extract_links
from app.core.checks.text import breadcrumb, visible, visible_text


def page(html: str, url: str = "http://127.0.0.1/a/index.html") -> Page:
    return Page(url=url, status=200, text=html, content_type="text/html")


def test_absurd_nesting_keeps_text_and_links_after_the_depth_limit():
    # Thousands of unclosed <font> tags: libxml2's tree stops at depth 256; the capped
    # fallback must still hold the text and the links that follow.
    html = ("<html><body>" + "<font color=red>字" * 3000 + "深处的文字<a href='/deep.html'>深处链接</a>"
            + "</body></html>")
    p = page(html)
    text = visible_text(p)
    assert "深处的文字" in text and text.count("字") >= 3000
    assert [(link.url, link.anchor) for link in extract_links(p)] == [("http://127.0.0.1/deep.html", "深处链接")]


def test_empty_broken_and_declared_documents_parse():
    assert visible_text(page("")) == "" and extract_links(page("   \n")) == []
    assert visible_text(page("<<<>>>&&&")) == "<<<>>>&&&"
    # An XML declaration naming another encoding, and a lying meta charset: the text is
    # already decoded, so neither may change it.
    p = page('<?xml version="1.0" encoding="gbk"?><html><head><meta charset="gb2312">'
             "<title>江州市人民政府</title></head><body><p>政务公开</p></body></html>")
    assert visible(p).title == "江州市人民政府"
    assert visible_text(p) == "政务公开"


def test_script_style_and_comment_text_is_not_page_text():
    p = page("<html><head><style>.x{color:red}</style></head><body><div id='m'>开头<!-- 注释 -->"
             "<script>var 脚本 = 1;</script>中间<a href='/x.html'>链接<script>alert(1)</script></a>"
             "<style>p{}</style>结尾</div></body></html>")
    assert visible_text(p) == "开头中间链接结尾"
    div = p.tree.find(".//div")
    assert text_of(div, "|") == "开头|中间|链接|结尾"
    assert extract_links(p)[0].anchor == "链接"


def test_breadcrumb_from_a_classed_element_without_a_label():
    p = page("<html><body><div class='crumbs'><a href='/'>首页</a> &gt; <a href='/zwgk/'>政务公开</a>"
             " &gt; <span>通知公告</span></div><p>正文</p></body></html>")
    assert breadcrumb(p) == ("政务公开", "通知公告")


def test_parsing_in_many_threads_gives_the_same_trees():
    docs = [f"<html><body><ul>{''.join(f'<li><a href=/{i}/{j}.html>标题{i}-{j}</a></li>' for j in range(40))}"
            f"</ul></body></html>" for i in range(40)]
    expected = [[a.get("href") for a in parse(d).iter("a")] for d in docs]
    results: dict[int, list] = {}

    def work(k: int) -> None:
        for _ in range(5):
            for i, d in enumerate(docs):
                if i % 4 == k:
                    results.setdefault(i, []).append([a.get("href") for a in parse(d).iter("a")])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got == [expected[i]] * 5 for i, got in results.items()) and len(results) == 40
