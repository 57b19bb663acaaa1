"""footer_missing across footer phrasings: 网站识别码, the registered code on its own, the conac
mark written by a script, 公安备案号 wording, an abbreviated 主办单位, a footer loaded by a script."""
import pytest

from app.core.checks.footer import footer_missing

from checkpages import HOME, html_page, make_ctx

CONAC = ('<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D"><img src="/images/dzjg.png" alt="党政机关"></a>')
CONAC_SCRIPT = ("<span id=\"_ideConac\"></span><script>document.write(unescape(\"%3Cscript src='"
                "https://dcs.conac.cn/js/36/000/0000/60000000/CA360000000600000001.js' type='text/javascript'"
                "%3E%3C/script%3E\"));</script>")
JIUCUO = ('<span id="_span_jiucuo"></span><script id="_jiucuo_" sitecode="3607000001" '
          'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>')
PARTS = {
    "host": "主办单位：云溪市人民政府办公室",
    "code": "网站标识码：3607000001",
    "icp": "赣ICP备05001234号-1",
    "psb": "赣公网安备 36070202000123号",
}


def home(footer: str):
    return html_page(f'<html><body><div class="news"><a href="/a.html">要闻</a></div><div class="footer">{footer}</div>'
                     "</body></html>", HOME, is_home=True)


def details(footer: str) -> list[str]:
    return [f.detail for f in footer_missing(home(footer), make_ctx())]


@pytest.mark.parametrize("variant", [
    {"code": "网站识别码：3607000001"},
    {"code": "政府网站标识码 3607000001"},
    {"code": "<span>3607000001</span>"},
    {"code": "网站标识码：3607000001Copyright"},
    {"host": "主办：云溪市政府办公室"},
    {"host": "云溪市人民政府办公室 主办"},
    {"psb": "公安机关备案号：36070202000123"},
    {"psb": '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36070202000123">'
            '<img src="/img/ga.png">赣公安备案 36070202000123</a>'},
    {"icp": "ICP备案号：赣ICP备05001234号"},
], ids=["shibiema", "gov_label", "bare_code", "code_then_ascii", "host_short", "host_after", "psb_words",
        "psb_link", "icp_label"])
@pytest.mark.parametrize("marks", [CONAC + " " + JIUCUO, CONAC_SCRIPT + " " + JIUCUO],
                         ids=["conac_link", "conac_script"])
def test_footer_phrasings_with_every_mark(variant, marks):
    footer = " ".join({**PARTS, **variant}.values()) + " " + marks
    assert details(footer) == []


@pytest.mark.parametrize("drop,detail", [
    ("code", "首页未展示网站标识码"),
    ("icp", "首页未展示ICP备案编号"),
    ("psb", "首页未展示公安机关备案标识（公网安备号）"),
])
def test_each_missing_mark_is_named(drop, detail):
    footer = " ".join(v for k, v in PARTS.items() if k != drop) + " " + CONAC + " " + JIUCUO
    assert details(footer) == [detail]


def test_a_wrong_code_is_a_mismatch():
    footer = " ".join({**PARTS, "code": "网站识别码：3607000099"}.values()) + " " + CONAC + " " + JIUCUO
    assert details(footer) == ["首页网站标识码“3607000099”与登记的“3607000001”不一致"]


def test_footer_loaded_by_a_script_is_one_candidate_to_look_at():
    page = html_page('<html><body><div class="news">要闻</div><script src="/js/footer.js"></script></body></html>',
                     HOME, is_home=True)
    (found,) = footer_missing(page, make_ctx())
    assert "由脚本或框架加载" in found.detail and "/js/footer.js" in found.evidence
