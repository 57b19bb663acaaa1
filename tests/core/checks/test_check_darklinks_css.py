"""dark_link through external stylesheets: suspects collected per page, decided with the CSS."""
from __future__ import annotations

import datetime as dt

from app.core.checks.base import CheckContext, Page
from app.core.checks.catalog import SiteInputs, SiteRun
from app.core.checks.darklinks import dark_link, dark_link_by_stylesheets, suspects

CTX = CheckContext(as_of=dt.date(2025, 6, 30), site={"site_code": "3607000001", "url": "http://127.0.0.1:8000/"})
HOME = "http://127.0.0.1:8000/index.html"
SHEET = "http://127.0.0.1:8000/css/site.css"


def page(body: str, head: str = '<link rel="stylesheet" href="/css/site.css">') -> Page:
    html = (f"<html><head><title>云溪市人民政府</title>{head}</head><body><div class='main'>政务公开</div>"
            f"{body}</body></html>")
    return Page(url=HOME, status=200, text=html, content_type="text/html", is_home=True)


BODY = ('<div id="ft"><ul class="yqlj"><li><a href="http://bet.example.net/">澳门葡京赌场</a></li></ul>'
        '<a href="http://portal.example.org/">中国政府网</a></div>')


def test_a_link_hidden_only_by_the_sites_stylesheet_is_found_with_the_rule():
    p = page(BODY)
    assert dark_link(p, CTX) == []                      # nothing on the page itself hides it
    sp = suspects(p, CTX)
    assert sp.stylesheets == (SHEET,) and [s.url for s in sp.suspects] == ["http://bet.example.net/"]
    css = "/* 友情链接 */ body{margin:0}\n#ft > .yqlj li a { position:absolute; left:-9999px }"
    found = dark_link_by_stylesheets([sp], {SHEET: css}, CTX)
    assert len(found) == 1
    f = found[0]
    assert (f.kind, f.url, f.page) == ("dark_link", "http://bet.example.net/", HOME)
    assert "外部样式表规则 #ft > .yqlj li a" in f.detail and "left:-9999px" in f.detail
    assert 'href="http://bet.example.net/"' in f.evidence


def test_stylesheets_that_hide_nothing_relevant_or_are_missing_give_nothing():
    sp = suspects(page(BODY), CTX)
    assert dark_link_by_stylesheets([sp], {SHEET: ".other a{display:none} .yqlj{color:red}"}, CTX) == []
    assert dark_link_by_stylesheets([sp], {}, CTX) == []
    # An ancestor hidden by the stylesheet hides the link too.
    found = dark_link_by_stylesheets([sp], {SHEET: "div#ft{display:none}"}, CTX)
    assert len(found) == 1 and "上级元素 <div>" in found[0].detail


def test_pages_without_stylesheets_or_suspicious_links_are_not_collected():
    assert suspects(page(BODY, head=""), CTX) is None
    assert suspects(page('<a href="http://portal.example.org/">中国政府网</a>'), CTX) is None
    # Already hidden inline: dark_link reports it on the page; no second look needed.
    inline = page('<div style="display:none"><a href="http://bet.example.net/">澳门葡京赌场</a></div>')
    assert len(dark_link(inline, CTX)) == 1 and suspects(inline, CTX) is None


def test_site_run_decides_with_the_stylesheets_the_run_supplies():
    run = SiteRun(CTX, kinds=["dark_link"])
    run.add_page(page(BODY))
    found = run.finish(SiteInputs(stylesheets={SHEET: ".yqlj{font-size:0}"}))
    assert [(f.kind, f.url) for f in found] == [("dark_link", "http://bet.example.net/")]
    run = SiteRun(CTX, kinds=["dark_link"])
    run.add_page(page(BODY))
    assert run.finish(SiteInputs()) == []              # stylesheets not gathered: nothing decided


# ---------------------------------------------------------------- through the run engine

def test_run_engine_fetches_the_stylesheets_of_suspects_once(db, db_path):
    import sys
    from pathlib import Path

    from app.core.rounds import findings
    from app.core.crawl import jobs
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from crawl.sites import FixtureSite, Resp, html, make_round

    served: list[str] = []

    def css(handler, fixture):
        served.append(handler.command)
        fixture.send(handler, Resp(body="#ft .yqlj a{position:absolute;top:-3000px}", content_type="text/css"))

    head = '<link rel="stylesheet" href="/css/site.css"><link rel="stylesheet" href="/css/missing.css">'
    pages = {"/": Resp(body=html(BODY + '<a href="/a.html">政务公开</a>', head=head)),
             "/a.html": Resp(body=html(BODY + "<p>正文</p>", head=head)),
             "/css/site.css": css}
    options = jobs.CheckOptions.from_dict(dict(delay=0.0, connect_timeout=1.0, read_timeout=2.0, deadline=3.0,
                                               probe_threshold=5.0, check_links=False, kinds=("dark_link",)))
    with FixtureSite(pages) as site:
        rid = make_round(db, {"3699030001": site.url + "/"})
        jobs.run_checks(db_path, rid, options=options)
        found = findings.list_findings(db, rid, kind="dark_link")
    assert [f.url for f in found] == ["http://bet.example.net/"]     # the template repeat is merged
    assert "外部样式表规则 #ft .yqlj a" in found[0].detail and "top:-3000px" in found[0].detail
    assert served == ["GET"]                                           # fetched once for both pages
