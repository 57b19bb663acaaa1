"""message_unanswered: an overdue period that overlaps the 12 months before 监测时间点 counts, even
for a message asked more than a year ago; message boards in several layouts."""
import datetime as dt

import pytest

from app.core.checks.messageboard import message_unanswered

from checkpages import AS_OF, HOME, html_page, make_ctx

ago = lambda days: (AS_OF - dt.timedelta(days=days)).isoformat()   # noqa: E731


def board(rows: list[tuple[str, str, str, str]]):
    body = "".join(f'<tr><td><a href="/hdjl/{i}.html">{t}</a></td><td>{a}</td><td>{b}</td><td>{s}</td></tr>'
                   for i, (t, a, b, s) in enumerate(rows))
    html = ("<html><head><title>领导信箱</title></head><body><div class=\"location\">当前位置：首页 &gt; 互动交流 &gt; 领导信箱</div>"
            f"<table><tr><th>标题</th><th>留言时间</th><th>答复时间</th><th>状态</th></tr>{body}</table></body></html>")
    return html_page(html, HOME + "hdjl/")


def vetoes(page) -> list[str]:
    return [f.url for f in message_unanswered([page], make_ctx()) if f.indicator_id == "web.veto.interaction_poor.c2"]


def test_never_answered_message_asked_two_years_ago_counts():
    page = board([("关于小区停车难的问题", ago(730), "", "未回复"), ("关于路灯维修的咨询", ago(20), ago(15), "已回复")])
    assert vetoes(page) == [HOME + "hdjl/0.html"]


def test_late_answer_whose_overdue_time_reaches_into_the_window_counts():
    page = board([("关于社保转移的咨询", ago(450), ago(300), "已回复"),       # overdue from day 360 to day 300
                  ("关于户籍办理的咨询", ago(800), ago(600), "已回复"),       # overdue, but all of it before the window
                  ("关于路灯维修的咨询", ago(20), ago(15), "已回复")])
    assert vetoes(page) == [HOME + "hdjl/0.html"]


def test_answered_within_three_months_never_counts():
    page = board([("关于社保转移的咨询", ago(500), ago(420), "已回复"), ("关于路灯维修的咨询", ago(20), ago(15), "已回复")])
    assert vetoes(page) == []


def cards(items: list[tuple[str, str, str]]) -> str:
    return "".join(f'<div class="msg-item"><h4><a href="/hdjl/{i}.html">{t}</a></h4>'
                   f'<p><span>来信时间：{a}</span> <em class="status">{s}</em></p></div>' for i, (t, a, s) in enumerate(items))


def dl_rows(items: list[tuple[str, str, str]]) -> str:
    return "".join(f'<dl><dt><a href="/hdjl/{i}.html">{t}</a></dt><dd>提问日期：{a}</dd><dd>办理状态：{s}</dd></dl>'
                   for i, (t, a, s) in enumerate(items))


def status_table(items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<tr><td><a href="/hdjl/{i}.html">{t}</a></td><td>{a}</td><td>{s}</td></tr>'
                   for i, (t, a, s) in enumerate(items))
    return f"<table><tr><th>信件主题</th><th>来信日期</th><th>办理状态</th></tr>{rows}</table>"


@pytest.mark.parametrize("layout", [cards, dl_rows, status_table], ids=["cards", "dl", "status_table"])
def test_pending_messages_in_other_layouts(layout):
    items = [("关于农村饮水安全的问题", ago(200), "未办结"), ("关于学校周边交通的建议", ago(100), "办理中"),
             ("关于路灯维修的咨询", ago(150), "已办结"), ("关于公交线路的咨询", ago(30), "待回复")]
    html = ("<html><head><title>书记信箱</title></head><body><div class=\"location\">当前位置：首页 &gt; 书记信箱</div>"
            f"{layout(items)}</body></html>")
    assert sorted(vetoes(html_page(html, HOME + "hdjl/"))) == [HOME + "hdjl/0.html", HOME + "hdjl/1.html"]


def test_a_message_detail_page_is_not_named_after_its_breadcrumb():
    html = ("<html><head><title>关于路灯维修的咨询</title></head><body>"
            '<div class="main"><div class="location">当前位置：<a href="/">网站首页</a> &gt; <a href="/hdjl/">互动交流</a>'
            ' &gt; <a href="/hdjl/ldxx/">领导信箱</a></div><h1>关于路灯维修的咨询</h1>'
            f"<p>留言时间：{ago(300)}</p><p>小区路灯损坏已久。</p><p>办理状态：未回复</p></div></body></html>")
    found = message_unanswered([html_page(html, HOME + "hdjl/ldxx/12.html")], make_ctx())
    assert all("网站首页" not in f.detail and f.url != HOME for f in found)


def test_accepted_is_pending_and_published_is_answered():
    rows = "".join(f'<tr><td><a href="/hdjl/{i}.html">{t}</a></td><td>{a}</td><td>{s}</td></tr>'
                   for i, (t, a, s) in enumerate([("关于路灯维修的咨询", ago(200), "已受理"), ("关于公交线路的咨询", ago(150), "已公开"),
                                                 ("关于社保的咨询", ago(30), "已公开")]))
    html = ('<html><head><title>领导信箱</title></head><body><table><tr><th>信件标题</th><th>来信日期</th><th>回复情况</th></tr>'
            f"{rows}</table></body></html>")
    assert vetoes(html_page(html, HOME + "hdjl/")) == [HOME + "hdjl/0.html"]


def test_late_answer_shown_only_on_the_detail_page():
    rows = "".join(f'<li><a href="/hdjl/{i}.html">{t}</a> 留言时间：{a} 状态：已回复</li>'
                   for i, (t, a) in enumerate([("关于路灯维修的咨询", ago(200)), ("关于公交线路的咨询", ago(40))]))
    board = html_page(f"<html><head><title>领导信箱</title></head><body><ul>{rows}</ul></body></html>", HOME + "hdjl/")
    detail = html_page("<html><head><title>关于路灯维修的咨询_领导信箱</title></head><body>"
                       '<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/hdjl/">领导信箱</a></div>'
                       f"<h1>关于路灯维修的咨询</h1><p>留言时间：{ago(200)}</p><p>小区路灯损坏已久。</p>"
                       f"<div class=\"reply\"><p>答复单位：市城管局</p><p>答复时间：{ago(60)}</p><p>已安排维修。</p></div>"
                       "</body></html>", HOME + "hdjl/0.html")
    found = [f for f in message_unanswered([board, detail], make_ctx()) if f.indicator_id == "web.veto.interaction_poor.c2"]
    assert [f.url for f in found] == [HOME + "hdjl/0.html"] and "答复用时140天" in found[0].detail
