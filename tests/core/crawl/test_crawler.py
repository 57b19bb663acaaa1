"""Crawl bookkeeping without network: URLs, scope, pagination, depth and page caps."""
from __future__ import annotations

import pytest

from app.core.checks.base import Page
from app.core.crawl.check_suite import Suite
from app.core.crawl.crawler import Link, SiteCrawl, SiteScope, is_pagination, normalise_url, resource_kind


@pytest.mark.parametrize("href, base, expect", [
    ("/a/../b/c.html#x", "http://WWW.X.gov.cn:80/", "http://www.x.gov.cn/b/c.html"),
    ("c.html?id=1", "https://x.gov.cn/a/b.html", "https://x.gov.cn/a/c.html?id=1"),
    ("//y.gov.cn", "https://x.gov.cn/", "https://y.gov.cn/"),
    ("/新闻 中心/", "http://x.gov.cn/", "http://x.gov.cn/%E6%96%B0%E9%97%BB%20%E4%B8%AD%E5%BF%83/"),
    ("javascript:void(0)", "http://x.gov.cn/", None),
    ("mailto:a@x.gov.cn", "http://x.gov.cn/", None),
    ("#top", "http://x.gov.cn/", None),
    ("ftp://x.gov.cn/f", "", None),
])
def test_normalise_url(href, base, expect):
    assert normalise_url(href, base) == expect


def test_scope_accepts_www_and_the_redirected_host():
    scope = SiteScope("http://x.gov.cn/")
    assert scope.is_internal("https://www.x.gov.cn/a.html")
    assert not scope.is_internal("http://dept.x.gov.cn/")
    assert scope.is_related("http://file.x.gov.cn/a.pdf")
    assert not scope.is_internal("http://y.gov.cn/")
    scope.add("http://portal.y.gov.cn/index.html")
    assert scope.is_internal("http://portal.y.gov.cn/news/")
    assert not SiteScope("http://127.0.0.1:8001/").is_internal("http://127.0.0.1:8002/")


@pytest.mark.parametrize("url, kind", [
    ("http://x.gov.cn/a.PDF", "attachment"), ("http://x.gov.cn/a.docx", "attachment"),
    ("http://x.gov.cn/a.zip", "attachment"), ("http://x.gov.cn/a.doc", "unscanned"),
    ("http://x.gov.cn/a.xls", "unscanned"), ("http://x.gov.cn/a.rar", "unscanned"), ("http://x.gov.cn/a.7z", "unscanned"),
    ("http://x.gov.cn/a.exe", "binary"), ("http://x.gov.cn/a.jpg", "binary"),
    ("http://x.gov.cn/a.html", "page"), ("http://x.gov.cn/list?id=3", "page"), ("http://x.gov.cn/", "page"),
])
def test_resource_kind(url, kind):
    assert resource_kind(url) == kind


@pytest.mark.parametrize("src, dst, anchor, expect", [
    ("http://x.gov.cn/xwzx/index.html", "http://x.gov.cn/xwzx/index_1.html", "2", True),
    ("http://x.gov.cn/xwzx/index_1.html", "http://x.gov.cn/xwzx/index_2.html", "", True),
    ("http://x.gov.cn/list.jsp?cat=3", "http://x.gov.cn/list.jsp?cat=3&page=2", "", True),
    ("http://x.gov.cn/xwzx/", "http://x.gov.cn/xwzx/more.html", "下一页", True),
    ("http://x.gov.cn/xwzx/index.html", "http://x.gov.cn/tzgg/index_1.html", "", False),
    ("http://x.gov.cn/xwzx/index.html", "http://x.gov.cn/xwzx/t20250101_12.html", "某某会议召开", False),
    ("http://x.gov.cn/xwzx/index.html", "http://y.gov.cn/xwzx/index_1.html", "下一页", False),
])
def test_pagination(src, dst, anchor, expect):
    assert is_pagination(src, dst, anchor) is expect


def _drain(crawl: SiteCrawl, site: dict[str, list[Link]]) -> list[tuple[str, int]]:
    got = []
    while (item := crawl.next_item()) is not None:
        got.append((item.url, item.depth))
        crawl.add_links(item.url, item.depth, site.get(item.url, []), item.is_home)
    return got


H = "http://x.gov.cn"


def test_depth_cap_and_pagination_keeps_depth():
    site = {f"{H}/": [Link(f"{H}/l/index.html", "a", "列表")],
            f"{H}/l/index.html": [Link(f"{H}/l/index_1.html", "a", "下一页"), Link(f"{H}/d1.html", "a", "文章")]}
    for i in range(1, 10):
        site[f"{H}/l/index_{i}.html"] = [Link(f"{H}/l/index_{i + 1}.html", "a", "下一页")]
    site[f"{H}/d1.html"] = [Link(f"{H}/d2.html", "a", "更深")]
    got = dict(_drain(SiteCrawl(f"{H}/", max_depth=1, max_pages=100), site))
    assert got[f"{H}/l/index_9.html"] == 1            # ten list pages, all at depth 1
    assert f"{H}/d1.html" not in got                  # depth 2: only link-checked


def test_page_cap_leaves_the_rest_to_link_checks():
    site = {f"{H}/": [Link(f"{H}/p{i}.html", "a", f"页{i}") for i in range(20)]}
    crawl = SiteCrawl(f"{H}/", max_depth=6, max_pages=5)
    got = _drain(crawl, site)
    assert len(got) == 5
    assert {f"{H}/p{i}.html" for i in range(4, 20)} <= crawl.link_targets


def test_links_are_sorted_into_fetches_and_checks():
    links = [Link(f"{H}/a.pdf", "a", "附件"), Link(f"{H}/b.doc", "a", "旧附件"), Link(f"{H}/c.exe", "a", "下载"),
             Link(f"{H}/logo.png", "img", "标志"), Link("http://other.gov.cn/", "a", "外部"),
             Link(f"{H}/p.html", "a", "页面")]
    crawl = SiteCrawl(f"{H}/", max_depth=6, max_pages=10)
    crawl.next_item()
    crawl.add_links(f"{H}/", 0, links, is_home=True)
    items = {}
    while (i := crawl.next_item()) is not None:
        items[i.url] = i.purpose
    assert items == {f"{H}/a.pdf": "attachment", "http://other.gov.cn/": "external", f"{H}/p.html": "page"}
    assert {f"{H}/b.doc", f"{H}/c.exe", f"{H}/logo.png"} <= crawl.link_targets
    assert crawl.unscanned == {f"{H}/b.doc": f"{H}/"}
    # External links of other pages are only checked, never fetched.
    crawl.add_links(f"{H}/p.html", 1, [Link("http://third.gov.cn/", "a", "外部")])
    assert crawl.next_item() is None and "http://third.gov.cn/" in crawl.link_targets


def test_extract_links_with_base_and_meta_refresh():
    page = Page(url=f"{H}/a/index.html", status=200, content_type="text/html", text=(
        '<html><head><base href="/b/"><meta http-equiv="Refresh" content="0; url=main.html"></head><body>'
        '<a href="x.html">新闻</a><a href="x.html#top">同一</a><img src="i.png" alt="图"><a href="javascript:;">j</a>'
        '</body></html>'))
    got = {(lk.url, lk.tag, lk.link_type) for lk in Suite(None, None, {}).extract_links(page)}
    assert got == {(f"{H}/b/x.html", "a", "link"), (f"{H}/b/i.png", "img", "image"),
                   (f"{H}/b/main.html", "refresh", "link")}


def test_links_taken_from_one_page_are_capped_and_the_work_left_is_what_will_be_fetched():
    crawl = SiteCrawl(f"{H}/", max_depth=6, max_pages=10, max_links_per_page=100)
    crawl.next_item()
    images = [Link(f"{H}/img/{i}.png", "img", "") for i in range(50_000)]
    pages = [Link(f"{H}/p{i}.html", "a", f"页{i}") for i in range(40)]
    crawl.add_links(f"{H}/", 0, pages + images, is_home=True)
    assert crawl.skipped_links == 50_040 - 100 and crawl.crowded == 1 and crawl.crowded_pages == [f"{H}/"]
    # 40 pages queued (10 fetched under the cap, 30 become status checks) and 60 images to check.
    assert crawl.work_left() == 40 + 60
    crawl.add_links(f"{H}/p1.html", 1, images[:10])           # already known: not counted again
    assert crawl.skipped_links == 50_040 - 100
    assert crawl.stop() == 100 and crawl.work_left() == 0 and crawl.next_item() is None
