"""homepage_stale and footer_missing on saved homepages."""
import dataclasses

from app.core.checks.footer import footer_missing
from app.core.checks.homepage import homepage_stale

from checkpages import HOME, SITE, html_page, make_ctx, page_from


# ---------------------------------------------------------------- homepage_stale

def test_fresh_homepage_is_not_stale(ctx):
    assert homepage_stale(page_from("home.html", HOME, is_home=True), ctx) == []


def test_stale_homepage_names_its_newest_date(ctx):
    found = homepage_stale(page_from("home_bare.html", HOME, is_home=True), ctx)
    assert len(found) == 1
    f = found[0]
    assert f.kind == "homepage_stale" and f.indicator_id == "web.veto.home_not_updated"
    # 2025-10-31 in the footer (版权所有 line) is ignored; the newest item is 2025/10/20.
    assert "2025-10-20" in f.detail and "26天" in f.detail
    assert f.url == HOME


def test_window_is_inclusive_of_14_days():
    html = '<ul><li><a href="/a.html">市政府常务会议召开</a> 2025-11-01</li></ul>'
    page = html_page(html, HOME, is_home=True)
    assert homepage_stale(page, make_ctx()) == []                       # 14 days: not more than 14
    assert homepage_stale(page, make_ctx(homepage_stale={"window_days": 13}))


def test_undated_homepage_is_reported(ctx):
    found = homepage_stale(page_from("home_undated.html", HOME, is_home=True), ctx)
    assert [f.detail for f in found] == ["首页未发现带日期的信息（无发布日期视为未更新）"]


def test_future_dates_do_not_make_a_homepage_fresh(ctx):
    html = '<ul><li><a href="/a.html">关于2026年春节放假安排的通知</a> 2025-12-01</li>' \
           '<li><a href="/b.html">旧闻</a> 2025-09-01</li></ul>'
    found = homepage_stale(html_page(html, HOME, is_home=True), ctx)
    assert found and "2025-09-01" in found[0].detail


# ---------------------------------------------------------------- footer_missing

def test_complete_footer_gives_nothing(ctx):
    assert footer_missing(page_from("home.html", HOME, is_home=True), ctx) == []


def test_conac_script_counts_as_the_dzjg_mark(ctx):
    mark = ('<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D4E5F" target="_blank">'
            '<img src="/images/dzjg.png" alt="党政机关"></a>')
    html = page_from("home.html").text.replace(
        mark, '<script src="//dcs.conac.cn/js/36/000/0000/60000000/CA360000000600000001.js"></script>')
    assert "党政机关" not in html.split("marks")[1]
    assert footer_missing(html_page(html, HOME, is_home=True), ctx) == []


def test_bare_footer_lists_each_missing_item(ctx):
    found = footer_missing(page_from("home_bare.html", HOME, is_home=True), ctx)
    details = [f.detail for f in found]
    assert "首页网站标识码“3607000099”与登记的“3607000001”不一致" in details
    assert "首页未展示党政机关网站标识" in details
    assert "首页未展示ICP备案编号" in details
    assert "首页未展示公安机关备案标识（公网安备号）" in details
    assert "首页未展示主办单位“云溪市人民政府办公室”" in details
    assert "首页未设置“我为政府网站找错”入口" in details
    assert len(found) == 6
    zhaocuo = [f for f in found if "找错" in f.detail][0]
    assert zhaocuo.indicator_id == "web.ded.function.zhaocuo"
    assert {f.indicator_id for f in found if f is not zhaocuo} == {"web.ded.function.domain_marks"}
    assert all(f.kind == "footer_missing" for f in found)


def test_missing_site_code_and_registry_without_code(ctx):
    html = page_from("home.html").text.replace("网站标识码：3607000001", "")
    found = footer_missing(html_page(html, HOME, is_home=True), ctx)
    assert [f.detail for f in found] == ["首页未展示网站标识码"]
    no_code = dataclasses.replace(ctx, site={**SITE, "site_code": ""})
    assert footer_missing(page_from("home.html", HOME, is_home=True), no_code) == []


def test_icp_and_psb_forms():
    page = html_page('<div class="footer">主办单位：云溪市人民政府办公室 网站标识码：3607000001 '
                     '粤ICP备 12345678号 京公网安备11010502030143号 '
                     '<a href="https://bszs.conac.cn/sitename?id=1"><img src="dzjg.png"></a>'
                     '<a href="https://pucha.kaipuyun.cn/exposure/jiucuo.html">找错</a></div>', HOME, is_home=True)
    assert footer_missing(page, make_ctx()) == []
