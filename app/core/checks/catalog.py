"""Registry of the machine checks: kind → function, Chinese label, indicator, default params, inputs.

How a run calls them (all pure: no network, no DB):

* ``scope == "page"``: ``fn(page, ctx) -> list[CheckFinding]`` for every fetched Page (HTML pages
  and attachment Pages carrying ``raw`` bytes). Safe in worker threads; per-page work is cached
  on the Page. footer_missing only answers for ``page.is_home``.
* ``COLLECTORS``: ``fn(page, ctx) -> summary | None`` run next to the page checks while the page
  text is still there (``collect(page, ctx)`` runs them all); the run keeps the small plain
  summaries and hands them back as ``SiteInputs.summaries[name]``.
* ``scope == "site"``: ``fn(site, ctx) -> Findings`` once per site after the crawl. ``site`` is a
  SiteInputs, or any object with the same attribute names (e.g. the run engine's SiteData: its
  ``links``/``referrers`` dicts are read as link results); an attribute that is absent means
  "not supplied" and the check says nothing. Findings may carry ``.notes`` (未检测, 样本不足).

Params: ``ctx.params[kind]`` overrides ``CheckSpec.defaults`` (``params_from_profile`` derives the
thresholds a rule-set profile states). ``SiteRun`` strings it all together for a single thread.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

from . import (availability, columns, darklinks, footer, homepage, homepage_run, links, messageboard, pii, policy,
               transport, typos)
from .base import CheckContext, CheckFinding, CheckNote, Findings, LinkResult, Page


class _NotSupplied:
    """Marks a SiteInputs field the run did not gather (distinct from None = tried and failed)."""

    def __repr__(self) -> str:
        return "NOT_SUPPLIED"

    def __bool__(self) -> bool:
        return False


NOT_SUPPLIED: Any = _NotSupplied()


@dataclass(frozen=True)
class CheckSpec:
    kind: str
    label_zh: str
    indicator_id: str                # default profile item; see ``indicators`` for all it may use
    scope: str                       # "page" | "site"
    func: Callable
    defaults: Mapping[str, Any]
    inputs: str                      # what the check needs (Chinese)
    indicators: tuple[str, ...] = ()
    site_part: Callable | None = None  # page checks: a part decided at the end of the site (SiteInputs)


@dataclass
class SiteInputs:
    """What site-level checks read. Leave a field at NOT_SUPPLIED when the run did not gather it."""

    home_url: str = ""
    home: Page | None = None
    summaries: dict[str, list] = field(default_factory=dict)   # collector name → per-page results
    link_results: Any = NOT_SUPPLIED        # Iterable[LinkResult]
    external_pages: Any = NOT_SUPPLIED      # Iterable[Page] (purpose external, with referrer/anchor)
    tls: Any = NOT_SUPPLIED                 # TlsInfo, or None = HTTPS could not be examined (note)
    aaaa: Any = NOT_SUPPLIED                # list of addresses, or None = DNS could not be asked (note)
    host: str = ""
    probes: Any = NOT_SUPPLIED              # Iterable[Probe | dict(time|at, seconds, ok, url, error)]
    unscanned: Any = NOT_SUPPLIED           # {attachment url: linking page} for files not downloaded
    stylesheets: Any = NOT_SUPPLIED         # {stylesheet url: CSS text} fetched for the dark_css pages


# ---------------------------------------------------------------- adapters

def _get(site: Any, name: str) -> Any:
    return getattr(site, name, NOT_SUPPLIED)


def _home_url(site: Any, ctx: CheckContext) -> str:
    return getattr(site, "home_url", "") or str((ctx.site or {}).get("url") or "")


_TAG_TYPES = {"img": "image", "iframe": "frame", "frame": "frame", "embed": "attachment", "source": "image"}


def link_results_of(site: Any) -> Iterable[LinkResult] | Any:
    """LinkResults from ``site.link_results``, or from the engine's ``links``/``referrers`` dicts."""
    results = _get(site, "link_results")
    if results is not NOT_SUPPLIED:
        return results
    status_by_url = getattr(site, "links", None)
    if not isinstance(status_by_url, dict):
        return NOT_SUPPLIED
    refs = getattr(site, "referrers", {}) or {}
    out = []
    for url, st in status_by_url.items():
        if getattr(st, "ok", True):
            continue
        page, anchor, tag = (tuple(refs.get(url, ())) + ("", "", ""))[:3]
        link_type = _TAG_TYPES.get(tag, "attachment" if links.is_attachment_url(url) else "link")
        out.append(LinkResult(url=url, page=page, anchor=anchor, status=getattr(st, "status", None),
                              error=getattr(st, "error_kind", "") or "", link_type=link_type))
    return out


# ---------------------------------------------------------------- page-scope wrappers

def _home_only(fn: Callable[[Page, CheckContext], list]) -> Callable[[Page, CheckContext], list]:
    def run(page: Page, ctx: CheckContext) -> list[CheckFinding]:
        return fn(page, ctx) if page.is_home else []
    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


# ---------------------------------------------------------------- site-scope wrappers

def _site_columns(kind: str):
    def run(site: Any, ctx: CheckContext) -> Findings:
        summaries = list((getattr(site, "summaries", None) or {}).get("columns") or ())
        home = getattr(site, "home", None)
        if home is not None and not any(s is not None and s.is_home for s in summaries):
            summaries.append(columns.summarize(home, ctx))
        return Findings(columns.column_findings(summaries, ctx, kinds=(kind,)))
    run.__name__ = f"site_{kind}"
    return run


def _site_homepage(site: Any, ctx: CheckContext) -> Findings:
    """homepage_stale on ``site.home``; a navigation-entry homepage is judged by its second-level
    pages, read from the columns summaries (not supplied: the homepage alone, as before)."""
    home = getattr(site, "home", None)
    if home is None:
        return Findings()
    summaries = (getattr(site, "summaries", None) or {}).get("columns", NOT_SUPPLIED)
    second = None if summaries is NOT_SUPPLIED else homepage.second_level_pages(home, summaries, ctx)
    return Findings(homepage.homepage_stale(home, ctx, second))


def _site_dark_css(site: Any, ctx: CheckContext) -> Findings:
    sheets = _get(site, "stylesheets")
    if sheets is NOT_SUPPLIED:
        return Findings()
    pages = (getattr(site, "summaries", None) or {}).get("dark_css") or ()
    return Findings(darklinks.dark_link_by_stylesheets(pages, sheets or {}, ctx))


def _site_messages(site: Any, ctx: CheckContext) -> Findings:
    return messageboard.message_findings((getattr(site, "summaries", None) or {}).get("messages") or (), ctx)


def _site_broken_links(site: Any, ctx: CheckContext) -> Findings:
    results = link_results_of(site)
    if results is NOT_SUPPLIED:
        return Findings()
    opts = ctx.opts(links.KIND, links.DEFAULTS)
    return Findings(links.broken_link_findings(results, _home_url(site, ctx), ignore_statuses=opts["ignore_statuses"]))


def _site_external(site: Any, ctx: CheckContext) -> Findings:
    pages = _get(site, "external_pages")
    return Findings() if pages is NOT_SUPPLIED else Findings(darklinks.external_link_suspect(pages, ctx))


def _site_https(site: Any, ctx: CheckContext) -> Findings:
    tls = _get(site, "tls")
    return Findings() if tls is NOT_SUPPLIED else transport.https_problem(tls, ctx)


def _site_ipv6(site: Any, ctx: CheckContext) -> Findings:
    aaaa = _get(site, "aaaa")
    return Findings() if aaaa is NOT_SUPPLIED else transport.ipv6_missing(aaaa, ctx, getattr(site, "host", ""))


def _site_probes(fn):
    def run(site: Any, ctx: CheckContext) -> Findings:
        probes = _get(site, "probes")
        return Findings() if probes is NOT_SUPPLIED else fn(probes, ctx)
    run.__name__ = f"site_{fn.__name__}"
    return run


def _site_home_run(fn):
    def run(site: Any, ctx: CheckContext) -> Findings:
        home = _get(site, "home")
        return Findings() if home is NOT_SUPPLIED else fn(home, ctx, _home_url(site, ctx))
    run.__name__ = f"site_{fn.__name__}"
    return run


def _site_unscanned(site: Any, ctx: CheckContext) -> Findings:
    """Attachments the crawler did not download (e.g. over the size cap) → pii_unscanned."""
    files = _get(site, "unscanned")
    if files is NOT_SUPPLIED or not files:
        return Findings()
    out = Findings()
    for url, page in dict(files).items():
        name = pii.file_name(url)
        out.append(CheckFinding(pii.KIND_UNSCANNED, pii.INDICATOR, url=url, page=page or "",
                                detail=f"附件“{name}”未扫描：未下载文件内容，请人工查看是否含个人信息"))
    return out


# ---------------------------------------------------------------- the registry

_SPECS = [
    CheckSpec(homepage_run.KIND_DOWN, "首页本次无法访问", homepage_run.INDICATOR, "site",
              _site_home_run(homepage_run.homepage_down), homepage_run.DEFAULTS, "本次检查抓取首页的结果"),
    CheckSpec(homepage_run.KIND_OFFSITE, "首页跳转到其他域名", homepage_run.INDICATOR, "site",
              _site_home_run(homepage_run.homepage_offsite), homepage_run.DEFAULTS, "本次检查抓取首页的结果"),
    CheckSpec(homepage.KIND, "首页不更新", homepage.INDICATOR, "site", _site_homepage, homepage.DEFAULTS,
              "首页 Page；首页为导航页时另用收集器 columns 的结果（首页链接的二级页面）"),
    CheckSpec(footer.KIND, "页脚标识缺失", footer.INDICATOR, "page", _home_only(footer.footer_missing),
              footer.DEFAULTS, "首页 Page（is_home）；ctx.site 的 site_code、host_unit（icp、psb 作证据）",
              (footer.INDICATOR, footer.ZHAOCUO_INDICATOR)),
    CheckSpec(typos.KIND_TYPO, "错别字", typos.IND_TYPO, "page", typos.typo, typos.DEFAULTS,
              "每个 HTML 页面（可见文字）；params.allow 白名单短语"),
    CheckSpec(typos.KIND_GRAVE, "严重表述错误", typos.IND_GRAVE, "page", typos.grave_error, typos.DEFAULTS,
              "每个 HTML 页面（可见文字）；params.allow 白名单短语"),
    CheckSpec(pii.KIND, "个人信息泄露", pii.INDICATOR, "page", pii.pii, pii.DEFAULTS,
              "每个 HTML 页面与附件 Page（raw 字节，.pdf/.docx/.xlsx/.pptx/.csv/.txt/.zip）；无法读取的附件记为 pii_unscanned"),
    CheckSpec(darklinks.KIND_DARK, "暗链", darklinks.IND_CONTENT, "page", darklinks.dark_link, darklinks.DEFAULTS_DARK,
              "每个 HTML 页面（内联样式与 <style> 规则）；外部样式表规则：收集器 dark_css 的结果与 stylesheets",
              (darklinks.IND_CONTENT, darklinks.IND_AVAILABILITY), _site_dark_css),
    CheckSpec(policy.KIND, "政策文件要素缺失", policy.INDICATOR, "page", policy.policy_metadata_missing,
              policy.DEFAULTS, "每个 HTML 页面"),
    CheckSpec(columns.KIND_STALE, "栏目不更新", columns.IND_COLUMNS, "site", _site_columns(columns.KIND_STALE),
              columns.DEFAULTS_STALE, "收集器 columns 的结果（每个页面）与首页；params.overrides 按栏目名覆盖分类",
              (columns.IND_NEWS, columns.IND_POLICY, columns.IND_COLUMNS, columns.IND_VETO_STALE,
               columns.IND_VETO_IDLE)),
    CheckSpec(columns.KIND_BLANK, "空白栏目", columns.IND_COLUMNS, "site", _site_columns(columns.KIND_BLANK),
              columns.DEFAULTS_BLANK, "收集器 columns 的结果（每个页面）与首页",
              (columns.IND_COLUMNS, columns.IND_VETO_BLANK)),
    CheckSpec(messageboard.KIND, "留言超期未答复", messageboard.IND_VETO, "site", _site_messages,
              messageboard.DEFAULTS, "收集器 messages 的结果（每个页面）",
              (messageboard.IND_VETO, messageboard.IND_STALE)),
    CheckSpec(links.KIND, "错链断链", links.INDICATOR, "site", _site_broken_links, links.DEFAULTS,
              "链接检查结果 link_results（或运行引擎的 links/referrers）；首页地址"),
    CheckSpec(darklinks.KIND_EXTERNAL, "外链可疑", darklinks.IND_CONTENT, "site", _site_external,
              darklinks.DEFAULTS_EXTERNAL, "外部链接目标的 Page（referrer、anchor、error_kind=dns）",
              (darklinks.IND_CONTENT, darklinks.IND_AVAILABILITY)),
    CheckSpec(transport.KIND_HTTPS, "HTTPS问题", transport.IND_HTTPS, "site", _site_https, transport.DEFAULTS_HTTPS,
              "TlsInfo（到期日、校验错误、http→https 跳转）；None 记为未检测"),
    CheckSpec(transport.KIND_IPV6, "未支持IPv6", transport.IND_IPV6, "site", _site_ipv6, transport.DEFAULTS_IPV6,
              "AAAA 查询结果（地址列表）；None 记为未检测"),
    CheckSpec(availability.KIND_UNREACHABLE, "站点无法访问", availability.IND_UNREACHABLE, "site",
              _site_probes(availability.unreachable), availability.DEFAULTS_UNREACHABLE,
              "监测周（监测时间点前7天）首页拨测记录；每天至少20次方可判定"),
    CheckSpec(availability.KIND_SLOW, "首页访问缓慢", availability.IND_SLOW, "site",
              _site_probes(availability.slow), availability.DEFAULTS_SLOW, "监测周首页拨测记录"),
    CheckSpec(pii.KIND_UNSCANNED, "附件未扫描", pii.INDICATOR, "site", _site_unscanned, {},
              "未下载的附件 {url: 链接页面}（已下载但无法读取的附件由 pii 检查给出）"),
]
CHECKS: dict[str, CheckSpec] = {spec.kind: spec for spec in _SPECS}
COLLECTORS: dict[str, Callable[[Page, CheckContext], Any]] = {
    "columns": columns.summarize,
    "messages": messageboard.extract,
    "dark_css": darklinks.suspects,
}
# Collectors a site check needs; a run that skips every check of a collector can skip it too.
COLLECTOR_OF = {homepage.KIND: "columns", columns.KIND_STALE: "columns", columns.KIND_BLANK: "columns",
                messageboard.KIND: "messages", darklinks.KIND_DARK: "dark_css"}
# Kinds whose findings repeat across pages when they sit in the site template.
_DEDUPE_TEXT = {typos.KIND_TYPO, typos.KIND_GRAVE, pii.KIND}
_DEDUPE_TARGET = {darklinks.KIND_DARK}
# Kinds about the page itself: dir/ and dir/index.html are one page.
_DEDUPE_PAGE = {policy.KIND}


def specs(kinds: Iterable[str] | None = None, allowed_indicators: set[str] | None = None) -> list[CheckSpec]:
    """The checks to run: all, or the named kinds; with allowed_indicators, only checks whose
    default indicator (or one of its alternatives) is in the round's rule set."""
    chosen = [CHECKS[k] for k in kinds if k in CHECKS] if kinds is not None else list(CHECKS.values())
    if allowed_indicators is not None:
        chosen = [s for s in chosen if any(i in allowed_indicators for i in (s.indicator_id, *s.indicators))]
    return chosen


def collectors_for(chosen: Iterable[CheckSpec]) -> list[str]:
    """The collectors the chosen checks need."""
    return sorted({COLLECTOR_OF[s.kind] for s in chosen if s.kind in COLLECTOR_OF})


def site_steps(chosen: Iterable[CheckSpec]) -> list[tuple[CheckSpec, Callable]]:
    """What runs at the end of a site: the site checks, then the site parts of page checks."""
    chosen = list(chosen)
    return ([(s, s.func) for s in chosen if s.scope == "site"]
            + [(s, s.site_part) for s in chosen if s.scope == "page" and s.site_part is not None])


def collect(page: Page, ctx: CheckContext, names: Iterable[str] | None = None) -> dict[str, Any]:
    """Run the collectors on one page: {name: summary} for those that found something."""
    out = {}
    for name in (names if names is not None else COLLECTORS):
        value = COLLECTORS[name](page, ctx)
        if value is not None:
            out[name] = value
    return out


def dedupe(findings: Iterable[CheckFinding]) -> list[CheckFinding]:
    """Merge findings repeated on many pages by the site template (same typo, same leaked number,
    same hidden link): keep the first, list the other pages in its evidence."""
    out: list[CheckFinding] = []
    index: dict[tuple, int] = {}
    extra: dict[int, list[str]] = {}
    for f in findings:
        if f.kind in _DEDUPE_TEXT:
            key = (f.kind, f.indicator_id, f.detail, f.snippet)
        elif f.kind in _DEDUPE_TARGET:
            key = (f.kind, f.indicator_id, f.url, f.detail)
        elif f.kind in _DEDUPE_PAGE:
            key = (f.kind, f.indicator_id, links.url_key(f.url), f.detail)
        else:
            out.append(f)
            continue
        if key in index:
            extra[index[key]].append(f.page or f.url)
            continue
        index[key] = len(out)
        extra[len(out)] = []
        out.append(f)
    for i, pages in extra.items():
        if pages:
            pages = list(dict.fromkeys(pages))
            tail = "\n".join(pages[:50]) + (f"\n…另有{len(pages) - 50}个页面" if len(pages) > 50 else "")
            out[i] = replace(out[i], evidence=f"{out[i].evidence}\n另见{len(pages)}个页面：\n{tail}".strip())
    return out


# ---------------------------------------------------------------- profile thresholds

_MONTH_DAYS = {12: 365, 6: 183, 3: 90, 2: 60, 1: 30}     # the day counts the spec and the brief use


def _months_to_days(months: float) -> int:
    m = float(months)
    return _MONTH_DAYS[int(m)] if m.is_integer() and int(m) in _MONTH_DAYS else round(m * 30.44)


# (kind, param, profile item id, profile param, converter)
PROFILE_PARAMS = [
    (homepage.KIND, "window_days", "web.veto.home_not_updated", "window_days", int),
    (columns.KIND_STALE, "veto_threshold", "web.veto.columns_not_updated.c1", "threshold", int),
    (columns.KIND_STALE, "idle_threshold", "web.veto.columns_not_updated.c2", "threshold", int),
    (columns.KIND_BLANK, "threshold", "web.veto.columns_not_updated.c3", "threshold", int),
    (availability.KIND_UNREACHABLE, "monitor_days", "web.veto.unreachable", "monitor_days", int),
    (availability.KIND_UNREACHABLE, "min_probes_per_day", "web.veto.unreachable", "min_probes_per_day", int),
    (availability.KIND_UNREACHABLE, "timeout_seconds", "web.veto.unreachable", "timeout_seconds", float),
    (availability.KIND_UNREACHABLE, "failure_ratio", "web.veto.unreachable", "failure_ratio", float),
    (availability.KIND_SLOW, "timeout_seconds", "web.veto.unreachable", "timeout_seconds", float),
    (availability.KIND_SLOW, "monitor_days", "web.veto.unreachable", "monitor_days", int),
    (messageboard.KIND, "window_days", "web.veto.interaction_poor.c2", "window_months", _months_to_days),
    (messageboard.KIND, "overdue_days", "web.veto.interaction_poor.c2", "unanswered_over_months", _months_to_days),
    (messageboard.KIND, "stale_days", "web.ded.interaction.messages.r1", "window_months", _months_to_days),
    (policy.KIND, "required", "web.ded.publish.policy_docs.r2", "elements", lambda v: [str(x) for x in v]),
]


def params_from_profile(profile: Mapping) -> dict[str, dict]:
    """Check params stated by a rule-set profile (the JSON dict of resources/indicators/*.json)."""
    items: dict[str, Mapping] = {}
    stack = list(profile.get("items") or ())
    while stack:
        item = stack.pop()
        items[item.get("id", "")] = item
        stack.extend(item.get("children") or ())
    out: dict[str, dict] = {}
    for kind, name, item_id, key, conv in PROFILE_PARAMS:
        value = (items.get(item_id, {}).get("params") or {}).get(key)
        if value is not None:
            out.setdefault(kind, {})[name] = conv(value)
    return out


# ---------------------------------------------------------------- single-thread convenience

class SiteRun:
    """All enabled checks over one site, one page at a time (pages may be dropped after add_page).

        run = SiteRun(ctx)
        for page in pages: run.add_page(page)
        findings = run.finish(SiteInputs(link_results=..., probes=...))
        run.notes  # 未检测 / 样本不足 notes
    """

    def __init__(self, ctx: CheckContext, kinds: Iterable[str] | None = None):
        self.ctx = ctx
        self.specs = specs(kinds)
        self.page_specs = [s for s in self.specs if s.scope == "page"]
        self.site_steps = site_steps(self.specs)
        self.collectors = collectors_for(self.specs)
        self.findings: list[CheckFinding] = []
        self.summaries: dict[str, list] = {name: [] for name in self.collectors}
        self.notes: list[CheckNote] = []
        self.home: Page | None = None

    def add_page(self, page: Page) -> None:
        if page.is_home and self.home is None:
            self.home = page
        for spec in self.page_specs:
            self.findings.extend(spec.func(page, self.ctx))
        for name, value in collect(page, self.ctx, self.collectors).items():
            self.summaries[name].append(value)

    def finish(self, inputs: SiteInputs | None = None) -> list[CheckFinding]:
        inputs = inputs or SiteInputs()
        if inputs.home is None and self.home is not None:
            inputs.home = self.home
        if not inputs.home_url:
            inputs.home_url = self.home.url if self.home is not None else str((self.ctx.site or {}).get("url") or "")
        for name, values in self.summaries.items():
            inputs.summaries.setdefault(name, values)
        out = list(self.findings)
        for _spec, func in self.site_steps:
            result = func(inputs, self.ctx)
            out.extend(result)
            self.notes.extend(getattr(result, "notes", ()))
        return dedupe(out)

