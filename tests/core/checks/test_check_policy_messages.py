"""policy_metadata_missing and message_unanswered."""
import dataclasses
import datetime as dt

from app.core.checks.messageboard import extract, message_findings, message_unanswered
from app.core.checks.policy import policy_metadata_missing

from checkpages import AS_OF, HOME, html_page, make_ctx, page_from


# ---------------------------------------------------------------- policy_metadata_missing

def test_complete_metadata_table(ctx):
    assert policy_metadata_missing(page_from("policy_doc.html", HOME + "zwgk/zcwj/1.html"), ctx) == []


def test_missing_items_are_listed(ctx):
    found = policy_metadata_missing(page_from("policy_doc_missing.html", HOME + "zwgk/zcwj/2.html"), ctx)
    assert [f.detail for f in found] == ["政策文件公开要素不完整，缺少：索引号、成文日期、主题分类"]   # 索引号 has no value
    f = found[0]
    assert f.kind == "policy_metadata_missing" and f.indicator_id == "web.ded.publish.policy_docs.r2"
    assert f.url == HOME + "zwgk/zcwj/2.html"


def test_document_number_line_makes_a_policy_page(ctx):
    found = policy_metadata_missing(page_from("policy_bare_docno.html"), ctx)
    assert [f.detail for f in found] == ["政策文件公开要素不完整，缺少：索引号、发文机关、成文日期、发文字号、主题分类"]


def test_cited_document_number_and_ordinary_pages_are_not_policy(ctx):
    assert policy_metadata_missing(page_from("article.html"), ctx) == []          # cites 云府办发〔2025〕31号
    assert policy_metadata_missing(page_from("list_dates.html"), ctx) == []
    assert policy_metadata_missing(page_from("home.html", HOME, is_home=True), ctx) == []


def test_policy_list_page_is_skipped(ctx):
    rows = "".join(f'<li><a href="/zcwj/{i}.html">云府发〔2025〕{i}号 关于某事项的通知</a><span>2025-0{i}-01</span></li>'
                   for i in range(1, 10))
    page = html_page(f'<div class="crumb">当前位置：首页 &gt; 政策文件</div><ul>{rows}</ul>')
    assert policy_metadata_missing(page, ctx) == []


def test_inline_labels_in_one_line(ctx):
    page = html_page('<div class="crumb">当前位置：首页 &gt; 规范性文件</div>'
                     '<p>索引号：000014349/2025-00012 发文机关：云溪市人民政府 成文日期：2025年3月1日 '
                     '文号：云府规〔2025〕1号 发布时间：2025-03-05 主题分类：综合政务</p><p>正文内容。</p>')
    assert policy_metadata_missing(page, ctx) == []


# ---------------------------------------------------------------- message_unanswered

def test_message_table_rows(ctx):
    mp = extract(page_from("messages.html", HOME + "hdjl/szxx/"), ctx)
    assert len(mp.messages) == 6 and mp.has_answer_column
    first = mp.messages[0]
    assert (first.title, first.asked, first.answered, first.status) == (
        "建议在城南新区增设公交线路", dt.date(2025, 9, 20), dt.date(2025, 9, 25), "已回复")
    assert first.url == HOME + "hdjl/szxx/detail?id=9012"


def test_overdue_messages_propose_the_veto(ctx):
    found = message_unanswered([page_from("messages.html", HOME + "hdjl/szxx/")], ctx)
    assert sorted(f.detail for f in found) == sorted([
        "留言“咨询2025年城乡居民医保缴费时间”（留言时间 2025-07-02）截至监测时间点已136天未答复，超过3个月",
        "留言“小区门口道路积水问题”（留言时间 2025-03-01，答复时间 2025-07-10）答复用时131天，超过3个月",
        # Asked more than a year ago and still unanswered: overdue all through the 12-month window.
        "留言“咨询公租房申请条件”（留言时间 2024-08-01）截至监测时间点已471天未答复，超过3个月",
    ])
    assert {f.indicator_id for f in found} == {"web.veto.interaction_poor.c2"}
    assert {f.kind for f in found} == {"message_unanswered"}
    assert found[0].page == HOME + "hdjl/szxx/" and "detail?id=" in found[0].url
    assert not any("油烟" in f.detail for f in found)          # 2025-10-28 办理中 is only 18 days old


def test_exactly_90_days_is_not_overdue():
    html = ('<div class="crumb">当前位置：首页 &gt; 在线咨询</div><table><tr><th>标题</th><th>留言时间</th>'
            '<th>答复时间</th></tr><tr><td><a href="/1">问题一</a></td><td>2025-08-17</td><td></td></tr>'
            '<tr><td><a href="/2">问题二</a></td><td>2025-08-16</td><td></td></tr>'
            '<tr><td><a href="/3">问题三</a></td><td>2025-10-01</td><td>2025-10-20</td></tr></table>')
    found = message_unanswered([html_page(html, HOME + "zx/")], make_ctx())
    assert [f.detail for f in found] == ["留言“问题二”（留言时间 2025-08-16）截至监测时间点已91天未答复，超过3个月"]


def test_no_answer_in_two_months_is_a_deduction_candidate(ctx):
    found = message_unanswered([page_from("messages_labelled.html", HOME + "hd/")], ctx)
    assert [(f.indicator_id, f.detail) for f in found] == [
        ("web.ded.interaction.messages.r1", "留言栏目最近一次答复日期 2025-05-20，监测时间点前2个月内无新的留言答复")]
    recent = message_unanswered([page_from("messages.html", HOME + "hdjl/szxx/")], ctx)
    assert not any(f.indicator_id.endswith("r1") for f in recent)       # answered 2025-09-25


def test_status_only_list_gives_a_note_not_a_finding(ctx):
    html = ('<div class="crumb">当前位置：首页 &gt; 互动交流 &gt; 网上咨询</div><ul>'
            '<li><a href="/1">咨询一</a> 留言时间：2025-10-01 状态：已回复</li></ul>')
    found = message_unanswered([html_page(html, HOME + "wszx/")], ctx)
    assert list(found) == [] and len(found.notes) == 1 and "无法判断" in found.notes[0].text


def test_excluded_channels_and_non_message_pages(ctx):
    html = ('<div class="crumb">当前位置：首页 &gt; 互动交流 &gt; 网上信访</div><table><tr><th>标题</th><th>留言时间</th>'
            '<th>答复时间</th></tr><tr><td>问题</td><td>2025-01-01</td><td></td></tr></table>')
    assert extract(html_page(html), ctx) is None
    assert extract(page_from("list_dates.html"), ctx) is None
    assert message_findings([None], ctx) == []


def test_params_change_the_windows(ctx):
    page = page_from("messages.html", HOME + "hdjl/szxx/")
    strict = dataclasses.replace(ctx, params={"message_unanswered": {"overdue_days": 200}})
    assert [f.detail for f in message_unanswered([page], strict)] == [
        "留言“咨询公租房申请条件”（留言时间 2024-08-01）截至监测时间点已471天未答复，超过3个月"]
    assert AS_OF == ctx.as_of
