"""policy_metadata_missing read by structure (label/value cells, span + value, definition lists),
主题分类 as a configurable element, and list pages that are never documents."""
import pytest

from app.core.checks.catalog import SiteRun, params_from_profile
from app.core.checks.policy import policy_metadata_missing
from app.core.rounds.profiles import builtin_profiles, to_dict

from checkpages import HOME, html_page, make_ctx

TITLE = "云溪市人民政府办公室关于进一步加强城市燃气安全管理的通知"
VALUES = {"索引号": "11360700MB1234567X/2025-05370", "主题分类": "综合政务\\安全生产", "发布机构": "云溪市人民政府办公室",
          "成文日期": "2025年09月22日", "发文字号": "云府办发〔2025〕12号", "发布日期": "2025年09月26日", "有效性": "有效"}
BODY = (f'<div class="article"><h1>{TITLE}</h1><p>各县（市、区）人民政府，市政府有关部门：</p>'
        "<p>为深刻吸取近期燃气事故教训，切实加强我市城市燃气安全管理，经市政府同意，现就有关事项通知如下。"
        "各地各部门要提高政治站位，压实安全责任，全面排查整治燃气安全隐患，确保人民群众生命财产安全。</p></div>")


def doc(meta: str, path: str = "zwgk/zcwj/202509/t20250926_5370.html"):
    html = (f"<html><head><title>{TITLE}</title></head><body><div class=\"nav\"><a href=\"/\">首页</a></div>"
            f'<div class="location">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>{meta}{BODY}</body></html>')
    return html_page(html, HOME + path)


def table_meta(values: dict) -> str:
    cells = list(values.items())
    rows = "".join("<tr>" + "".join(f"<th>{k}</th><td>{v}</td>" for k, v in cells[i:i + 2]) + "</tr>"
                   for i in range(0, len(cells), 2))
    return f'<table class="xxgk_table">{rows}</table>'


def span_meta(values: dict) -> str:
    return '<div class="xxgk-info">' + "".join(f"<p><span>{k}：</span>{v}</p>" for k, v in values.items()) + "</div>"


def span_pairs_meta(values: dict) -> str:
    return '<ul class="meta">' + "".join(f'<li><span class="l">{k}</span><span class="r">{v}</span></li>'
                                          for k, v in values.items()) + "</ul>"


def dl_meta(values: dict) -> str:
    return '<dl class="doc-meta">' + "".join(f"<dt>{k}：</dt><dd>{v}</dd>" for k, v in values.items()) + "</dl>"


def vertical_meta(values: dict) -> str:
    return ('<table class="xxgk"><tr>' + "".join(f"<th>{k}</th>" for k in values) + "</tr><tr>"
            + "".join(f"<td>{v}</td>" for v in values.values()) + "</tr></table>")


LAYOUTS = {"table": table_meta, "span": span_meta, "span_pairs": span_pairs_meta, "dl": dl_meta,
           "vertical": vertical_meta}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_complete_metadata_in_every_layout(layout, ctx):
    assert policy_metadata_missing(doc(LAYOUTS[layout](VALUES)), ctx) == []


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("empty", ["发文字号", "主题分类", "成文日期"])
def test_an_empty_value_is_missing_and_never_taken_from_the_next_line(layout, empty, ctx):
    found = policy_metadata_missing(doc(LAYOUTS[layout]({**VALUES, empty: ""})), ctx)
    assert [f.detail for f in found] == [f"政策文件公开要素不完整，缺少：{empty}"]


def test_label_alone_before_the_title_is_missing(ctx):
    meta = f'<div class="meta"><p>索引号：{VALUES["索引号"]}</p><p>主题分类：综合政务</p><p>发布机构：云溪市人民政府办公室</p>' \
           '<p>成文日期：2025-09-22</p><p>发布日期：2025-09-26</p><p><span>发文字号：</span></p></div>'
    found = policy_metadata_missing(doc(meta), ctx)
    assert [f.detail for f in found] == ["政策文件公开要素不完整，缺少：发文字号"]


def test_subject_category_is_a_profile_element(ctx):
    no_subject = {k: v for k, v in VALUES.items() if k != "主题分类"}
    found = policy_metadata_missing(doc(table_meta(no_subject)), ctx)
    assert [f.detail for f in found] == ["政策文件公开要素不完整，缺少：主题分类"]
    web = to_dict(builtin_profiles()["national-2019-web"])
    params = params_from_profile(web)
    assert "主题分类" in params["policy_metadata_missing"]["required"]
    r2 = next(i for i in _walk(web["items"]) if i["id"] == "web.ded.publish.policy_docs.r2")
    r2["params"]["elements"] = ["索引号", "发文机关", "成文日期", "发文字号", "发布日期"]
    assert policy_metadata_missing(doc(table_meta(no_subject)), make_ctx(**params_from_profile(web))) == []


def _walk(items):
    for item in items:
        yield item
        yield from _walk(item.get("children") or ())


def list_rows(n: int) -> str:
    return "".join(f'<li><a href="/zwgk/zcwj/{i}.html">云溪市人民政府关于印发第{i}项工作方案的通知</a><span>2025-0{i + 1}-10</span></li>'
                   for i in range(n))


@pytest.mark.parametrize("body", [
    f'<ul class="list">{list_rows(2)}</ul><div class="page">共2页 <a href="index.html">上一页</a> 下一页 尾页</div>',
    f'<ul class="list">{list_rows(1)}</ul><div class="page">共3页 首页 上一页 <a href="index_2.html">3</a></div>',
    f'<ul class="list">{list_rows(3)}</ul>',
    '<table class="list"><tr><th>标题</th><th>发文字号</th><th>成文日期</th></tr>' + "".join(
        f'<tr><td><a href="/zwgk/zcwj/{i}.html">云溪市人民政府关于印发第{i}项工作方案的通知</a></td>'
        f'<td>云府发〔2025〕{i}号</td><td>2025-0{i + 1}-10</td></tr>' for i in range(3)) + "</table>",
    "".join(f'<div class="item"><a href="/zwgk/zcwj/{i}.html">云溪市人民政府关于印发第{i}项工作方案的通知</a>'
            f'<p>发文字号：云府发〔2025〕{i}号 成文日期：2025-0{i + 1}-10</p></div>' for i in range(3)),
], ids=["last_page", "one_item_page", "short_list", "table_with_doc_numbers", "cards_with_metadata"])
def test_list_pages_of_policy_columns_are_never_documents(body, ctx):
    html = (f"<html><head><title>政策文件</title></head><body><div class=\"location\">当前位置：首页 &gt; 政策文件</div>"
            f"{body}</body></html>")
    assert policy_metadata_missing(html_page(html, HOME + "zwgk/zcwj/index_1.html"), ctx) == []


def test_dir_and_its_index_page_are_one_page():
    bare = doc(table_meta({k: v for k, v in VALUES.items() if k != "发文字号"}), "zwgk/zcwj/tz/").text
    run = SiteRun(make_ctx(), kinds=["policy_metadata_missing"])
    run.add_page(html_page(bare, HOME + "zwgk/zcwj/tz/"))
    run.add_page(html_page(bare, HOME + "zwgk/zcwj/tz/index.html"))
    assert len(run.finish()) == 1


def test_last_page_of_a_list_whose_items_show_metadata(ctx):
    item = ('<div class="file-item"><a href="/zcwj/9.html">云溪市人民政府关于印发第9项工作方案的通知</a>'
            "<p>发文字号：云府发〔2024〕1号　成文日期：2024-03-05</p></div>")
    html = (f'<html><body><div class="location">当前位置：首页 &gt; 政策文件</div>{item}'
            '<div class="page">共2页 第2页 <a href="list.shtml">首页</a> <a href="list.shtml">上一页</a> 下一页</div></body></html>')
    assert policy_metadata_missing(html_page(html, HOME + "zcwj/list_2.shtml"), ctx) == []


def test_interpretation_under_a_policy_section_is_no_document(ctx):
    html = ('<html><body><div class="location">当前位置：首页 &gt; 政策法规 &gt; 政策解读</div><h1>《关于促进民营经济发展的若干措施》解读</h1>'
            "<p>发布时间：2025-10-02</p><p>" + "近日，市政府印发了若干措施，现就有关内容解读如下。" * 6 + "</p></body></html>")
    assert policy_metadata_missing(html_page(html, HOME + "zcfg/zcjd/1.html"), ctx) == []


def test_bracketed_inline_labels(ctx):
    meta = ('<div class="info">【索引号】11360700MB1234567X/2025-05370 【主题分类】综合政务 【发布机构】云溪市人民政府</div>'
            '<div class="info">【成文日期】2025-09-22 【发文字号】云府发〔2025〕12号 【发布日期】2025-09-26</div>')
    assert policy_metadata_missing(doc(meta), ctx) == []


def test_dateline_under_the_title_is_the_publication_date(ctx):
    meta = table_meta({k: v for k, v in VALUES.items() if k != "发布日期"})
    dateline = '<div class="pages-date">2025-09-26 16:00 <span>来源：云溪市人民政府办公室</span></div>'
    assert policy_metadata_missing(doc(meta + dateline), ctx) == []
    cited = "<p>本通知自2025年10月1日起施行，有效期五年。</p>"              # a date in prose is no dateline
    found = policy_metadata_missing(doc(meta + cited), ctx)
    assert [f.detail for f in found] == ["政策文件公开要素不完整，缺少：发布日期"]
