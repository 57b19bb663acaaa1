"""extract_links, broken_link_findings, dark_link and external_link_suspect."""
from app.core.checks.base import LinkResult, Page
from app.core.checks.darklinks import dark_link, external_link_suspect, hiding_reason
from app.core.checks.links import extract_links, broken_link_findings, reason_zh

from checkpages import HOME, html_page, make_ctx, page_from


# ---------------------------------------------------------------- extract_links

def test_extract_links_absolute_typed_and_filtered():
    links = {link.url: link for link in extract_links(page_from("home.html", HOME, is_home=True))}
    assert links[HOME + "zwgk/tzgg/"].anchor == "通知公告"
    assert links[HOME + "zwgk/tzgg/"].link_type == "link"
    # the title attribute replaces an anchor text cut with "..."
    art = links[HOME + "zwdt/gzdt/202511/t20251110_5501.html"]
    assert art.anchor == "市政府召开第48次常务会议 研究部署冬季安全生产等工作"
    assert links[HOME + "upload/2025/11/hd1.jpg"].link_type == "image"
    assert links[HOME + "upload/2025/11/hd1.jpg"].anchor == "市政府召开第48次常务会议"
    xlsx = [l for l in links.values() if l.url.endswith(".xlsx")]
    assert xlsx and xlsx[0].link_type == "attachment" and xlsx[0].anchor == "2025年公开遴选职位表"
    assert "http://www.gov.example.cn/" in links
    assert not any(u.startswith(("mailto:", "tel:", "javascript:")) or u.endswith("#top") for u in links)
    assert HOME + "#top" not in links and HOME not in [u for u in links if "#" in u]


def test_extract_links_honours_base_and_strips_fragments():
    page = html_page('<base href="https://www.yunxi.gov.cn/zwgk/"><a href="tzgg/a.html#p2">通知</a>'
                     '<a href="#">回到顶部</a><a href="javascript:;">打印</a><img src="b.png" alt="图">',
                     HOME + "index.html")
    links = extract_links(page)
    assert [(l.url, l.anchor, l.link_type) for l in links] == [
        ("https://www.yunxi.gov.cn/zwgk/tzgg/a.html", "通知", "link"),
        ("https://www.yunxi.gov.cn/zwgk/b.png", "图", "image")]


def test_extract_links_of_an_attachment_is_empty():
    assert extract_links(Page(HOME + "a.pdf", 200, raw=b"%PDF-1.4", content_type="application/pdf")) == []


# ---------------------------------------------------------------- broken_link_findings

def test_broken_link_findings():
    results = [
        LinkResult(HOME + "zwgk/old.html", HOME, "旧栏目", 404),
        LinkResult(HOME + "zwgk/old.html", HOME + "zwgk/", "旧栏目", 404),
        LinkResult("http://www.expired-partner.cn/", HOME + "zwgk/", "合作单位", None, "dns"),
        LinkResult(HOME + "upload/a.pdf", HOME + "zwgk/tzgg/1.html", "附件下载", 500, link_type="attachment"),
        LinkResult("https://x.example/", HOME + "p.html", "", None, "timeout"),
        LinkResult(HOME + "ok.html", HOME, "正常", 200),
        LinkResult(HOME + "moved.html", HOME, "跳转", 301),
        LinkResult("https://loop.example/", HOME + "p.html", "循环", None, "redirect_loop"),
        LinkResult("https://tls.example/", HOME + "p.html", "证书", None, "tls_expired"),
        LinkResult("https://cancel.example/", HOME + "p.html", "取消", None, "cancelled"),
    ]
    found = {f.url: f for f in broken_link_findings(results, HOME)}
    assert set(found) == {HOME + "zwgk/old.html", "http://www.expired-partner.cn/", HOME + "upload/a.pdf",
                          "https://x.example/", "https://loop.example/", "https://tls.example/"}
    old = found[HOME + "zwgk/old.html"]
    assert old.detail == "链接“旧栏目”无法访问：页面不存在（HTTP 404）（首页链接）"
    assert old.page == HOME and old.kind == "broken_link" and old.indicator_id == "web.ded.function.availability"
    assert "引用页面（2个）" in old.evidence
    assert found["http://www.expired-partner.cn/"].detail == "链接“合作单位”无法访问：域名无法解析"
    assert found[HOME + "upload/a.pdf"].detail == "附件“附件下载”无法访问：服务器内部错误（HTTP 500）"
    assert found["https://x.example/"].detail == "链接无法访问：访问超时"
    assert found["https://loop.example/"].detail.endswith("重定向循环")
    assert found["https://tls.example/"].detail.endswith("HTTPS证书已过期")


def test_homepage_match_ignores_index_html_and_slash():
    found = broken_link_findings([LinkResult(HOME + "x", HOME + "index.html", "x", 404)], HOME.rstrip("/"))
    assert found[0].detail.endswith("（首页链接）")


def test_ignored_statuses_and_reasons():
    assert broken_link_findings([LinkResult(HOME + "x", HOME, "x", 403)], HOME, ignore_statuses=[403]) == []
    assert reason_zh(LinkResult("u", "p", status=403)) == "禁止访问（HTTP 403）"
    assert reason_zh(LinkResult("u", "p", status=599)) == "服务器错误（HTTP 599）"
    assert reason_zh(LinkResult("u", "p", error="refused")) == "连接被拒绝"


# ---------------------------------------------------------------- dark_link

def test_hidden_links_in_every_css_form(ctx):
    found = dark_link(page_from("hidden_links.html", "https://wgl.yunxi.gov.cn/"), ctx)
    by_url = {f.url: f for f in found}
    assert set(by_url) == {
        "http://www.am-vns8888.example.com/", "http://www.am-vns8888.example.com/bjl/",      # inline display:none parent
        "http://qp.example-game.cc/",                                          # class rule top:-3000px
        "https://tiyu.example-bet.net/",                                       # #id a {font-size:0}
        "http://fp.example-ad.top/",                                           # text-indent:-9999px parent
        "http://www.example-porn.xyz/",                                        # 1px + overflow hidden
        "http://loan.example.top/",                                            # visibility:hidden !important
        "http://www.bet365-cn.example/",                                       # tiny marquee
        "http://www.casino-luck.example/",                                     # left:-8000px
    }
    assert "display:none" in by_url["http://www.am-vns8888.example.com/"].detail
    assert by_url["http://www.am-vns8888.example.com/"].indicator_id == "web.veto.security.c3"
    assert by_url["http://fp.example-ad.top/"].indicator_id == "web.ded.function.availability"
    assert "样式规则 .yq-links" in by_url["http://qp.example-game.cc/"].detail
    assert all(f.kind == "dark_link" and f.page == "https://wgl.yunxi.gov.cn/" for f in found)


def test_visible_keyword_links_and_hidden_innocent_menus_are_not_dark(ctx):
    html = ('<style>.sub{display:none}</style><ul class="sub"><li><a href="/bszn/">办证指南</a></li>'
            '<li><a href="/tzgg/">通知公告</a></li></ul><a href="/zt/">严厉打击网络赌博、博彩违法犯罪</a>')
    assert dark_link(html_page(html), ctx) == []


def test_hiding_reason_parser():
    assert hiding_reason("display: none") == "display:none"
    assert hiding_reason("DISPLAY:NONE !important") == "display:none"
    assert hiding_reason("font-size:0pt") == "font-size:0"
    assert hiding_reason("position:absolute;left:-999px").startswith("left:-999px")
    assert hiding_reason("height:0;overflow:hidden").startswith("height:0")
    assert hiding_reason("opacity:0") == "opacity:0"
    assert hiding_reason("left:-20px;color:red") == ""
    assert hiding_reason("height:0") == ""                 # without overflow:hidden the text shows
    assert hiding_reason("") == ""


# ---------------------------------------------------------------- external_link_suspect

def _external(html: str, url: str, **kw) -> Page:
    return Page(url=url, status=200, text=html, content_type="text/html", requested_url=kw.pop("requested", url),
                referrer=HOME, anchor=kw.pop("anchor", "合作单位"), purpose="external", **kw)


def test_external_gambling_site_and_dead_domain():
    spam = _external("<title>澳门新葡京娱乐城-线上娱乐 百家乐 真人视讯</title><p>注册送彩金</p>",
                     "http://www.jiangxi-partner.cn/", anchor="某某协会")
    moved = _external("<title>欢迎光临</title><p>百家乐 时时彩 六合彩 体育投注 注册送</p>",
                      "https://bet.example.net/", requested="http://old-partner.cn/")
    dead = Page(url="http://www.yunxi-expo.cn/", status=None, requested_url="http://www.yunxi-expo.cn/",
                referrer=HOME + "yqlj/", anchor="云溪博览会", error="域名无法解析", error_kind="dns")
    refused = Page(url="http://a.cn/", status=None, error="连接被拒绝", error_kind="refused", referrer=HOME)
    clean = _external("<title>江西省人民政府</title><p>依法打击网络赌博违法犯罪，净化网络环境。</p>",
                      "http://www.jiangxi.example.cn/")
    found = {f.url: f for f in external_link_suspect([spam, moved, dead, refused, clean], make_ctx())}
    assert set(found) == {"http://www.jiangxi-partner.cn/", "http://old-partner.cn/", "http://www.yunxi-expo.cn/"}
    assert found["http://www.jiangxi-partner.cn/"].indicator_id == "web.veto.security.c3"
    assert found["http://www.jiangxi-partner.cn/"].detail.startswith("外部链接“某某协会”指向的网站含可疑内容（赌博：")
    assert "已跳转到其他域名" in found["http://old-partner.cn/"].evidence
    d = found["http://www.yunxi-expo.cn/"]
    assert d.indicator_id == "web.ded.function.availability" and d.page == HOME + "yqlj/"
    assert "域名已无法解析" in d.detail
    assert all(f.kind == "external_link_suspect" for f in found.values())


def test_external_threshold_param():
    two = _external("<title>某某商会</title><p>会员活动：百家乐 时时彩</p>", "http://x.cn/")
    assert external_link_suspect([two], make_ctx()) == []
    assert external_link_suspect([two], make_ctx(external_link_suspect={"min_keywords": 2}))
