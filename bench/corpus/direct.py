"""Checks straight over the corpus's pages (no HTTP, no crawl): a quick look while tuning nothing.

Every HTML page and attachment of a site goes through ``SiteRun`` as the crawler would hand it
over; link-based kinds (broken_link, external_link_suspect, https, ipv6) are not judged here.
"""
from __future__ import annotations

from urllib.parse import quote

from app.core.checks.base import CheckContext, Page
from app.core.checks.catalog import SiteRun

from .model import AS_OF, Site

LINK_KINDS = {"broken_link", "external_link_suspect", "https_problem", "ipv6_missing", "unreachable", "slow"}


def site_records(site: Site) -> list[dict]:
    ctx = CheckContext(AS_OF, {"site_code": site.code, "name": site.name, "url": site.url + "/",
                               "host_unit": site.host_unit})
    run = SiteRun(ctx, kinds=None)
    run.specs = [s for s in run.specs if s.kind not in LINK_KINDS]
    run.page_specs = [s for s in run.specs if s.scope == "page"]
    run.site_steps = [(s, f) for s, f in run.site_steps if s.kind not in LINK_KINDS]
    for path, (status, ctype, body) in site.pages.items():
        if status != 200 or path == "/index.html" or ctype.startswith(("text/css", "image/", "application/javascript")):
            continue
        url = site.url + quote(path, safe="/?=&")
        if ctype.startswith("text/html"):
            page = Page(url=url, status=200, text=body.decode("utf-8"), content_type="text/html", is_home=path == "/")
        elif ctype.startswith(("text/csv", "text/plain")):
            page = Page(url=url, status=200, text=body.decode("utf-8"), content_type=ctype, purpose="attachment")
        else:
            page = Page(url=url, status=200, raw=body, content_type=ctype, purpose="attachment")
        run.add_page(page)
    return [{"target": site.code, "kind": f.kind, "indicator": f.indicator_id, "url": f.url, "page": f.page,
             "detail": f.detail, "evidence": f.evidence, "count": f.count} for f in run.finish()]
