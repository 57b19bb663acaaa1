"""The words of the circular draft (通报): title, opening, 总体情况 (and 全年总体情况), problems
built from the findings' own descriptions grouped by unit, the 整改 deadline and the annex list —
as the template context. Every figure comes from the RoundData the annexes are built from.
"""
from __future__ import annotations

import datetime as dt

from ..followup.workdays import add_workdays, calendar_note, load_calendar
from .annex_data import Annex, RoundData, TargetInfo, coverage_warning
from .annex_tables import problem_sections
from .options import BASIS_DEFAULT, CircularOptions
from .statistics import exception_regions, has_full_marks, is_clean, problem_frequency, shares
from .wording import CN_NUMBERS, cn_count, cn_date, fmt_points, platform_name, rate_at, rate_text, scope_word

MESSAGES_PLACEHOLDER = "【待填写：“我为政府网站找错”网民留言受理、属实、办结条数及按期办结率】"
ISSUER_PLACEHOLDER = "【待填写：发文单位】"
# How the circulars name the single-veto indicators in one word (国办秘函〔2019〕19号 items).
VETO_SHORT = {"security": "安全问题", "unreachable": "站点访问", "home_not_updated": "内容更新",
              "not_updated": "内容更新", "columns_not_updated": "栏目更新", "interaction_poor": "互动回应",
              "service_unpractical": "服务实用性"}
ACCOUNT_NOUN = {"微信公众号": "微信公众号", "新浪微博": "微博", "抖音": "抖音号", "快手": "快手号",
                "今日头条": "头条号", "微信视频号": "视频号", "百家号": "百家号"}
NOUN = {"site": ("政府网站", "家"), "account": ("政务新媒体", "个")}


def _names(items: list[str], limit: int, unit: str) -> str:
    if limit and len(items) > limit:
        return "、".join(items[:limit]) + f"等{len(items)}{unit}"
    return "、".join(items)


def _rate(data: RoundData, passed: int, checked: int) -> str:
    return rate_text(rate_at(passed, checked, data.rate_decimals))


def _veto_names(data: RoundData, kind: str) -> list[str]:
    cat = data.catalogue(kind)
    part = cat.profile.part("veto") if cat.profile else None
    return [VETO_SHORT.get(i.id.rsplit(".", 1)[-1], i.name) for i in (part.children if part else ())]


def _coverage(data: RoundData, scope: str) -> str:
    """对全市54家政府网站、229个政务新媒体开展全覆盖检查 / 从…中抽查… (+ 普查, 回头看)."""
    parts = []
    for kind in ("site", "account"):
        noun, unit = NOUN[kind]
        s = data.summary(kind)
        if not s.total:
            continue
        done = "" if s.complete else f"（截至目前完成检查{s.overall.checked}{unit}，其余{len(s.pending)}{unit}尚未检查）"
        if data.sampled(kind):
            pool = data.pools.get(kind)
            text = (f"从{scope}{pool}{unit}在运行的{noun}中抽查{s.total}{unit}" if pool
                    else f"抽查{scope}{noun}{s.total}{unit}")
            census = sum(1 for t in data.targets(kind) if t.target.reason == "普查")
            drawn = sum(1 for t in data.targets(kind) if t.target.reason == "抽样")
            if census and drawn:
                text += f"，其中对{data.round.census(kind)}的{census}{unit}进行普查、其余随机抽取{drawn}{unit}"
            elif census:
                text += f"，即对{data.round.census(kind)}进行普查"
            parts.append(("sample", text + done))
        elif done:
            parts.append(("partial", f"对{scope}{s.total}{unit}{noun}开展检查{done}"))
        else:
            parts.append(("full", f"{s.total}{unit}{noun}"))
    full = [t for k, t in parts if k == "full"]
    out = []
    if full:
        out.append(f"对{scope}{'、'.join(full)}开展全覆盖检查")
    out += [t for k, t in parts if k != "full"]
    recheck = sum(1 for k in ("site", "account") for t in data.targets(k) if t.target.reason == "回头看")
    text = "，".join(out)
    if recheck:
        text += f"，其中对前期发现问题尚未整改到位的{recheck}个对象进行了回头看"
    return text


def _overview_item(data: RoundData, kind: str) -> str:
    s = data.summary(kind)
    o = s.overall
    noun, unit = NOUN[kind]
    if not o.checked:
        text = f"本次检查的{s.total}{unit}{noun}尚未完成检查，暂无合格率。"
    elif o.failed == 0:
        text = f"检查{noun}{o.checked}{unit}，全部合格，合格率100%。"
    else:
        text = (f"检查{noun}{o.checked}{unit}，合格{o.passed}{unit}，不合格{o.failed}{unit}，"
                f"合格率{_rate(data, o.passed, o.checked)}。")
    if o.checked and o.outstanding != o.failed:
        text += f"存在突出问题的{o.outstanding}{unit}。"
    if s.pending and o.checked:
        text += f"另有{len(s.pending)}{unit}尚未完成检查，未计入合格率。"
    if s.not_checked:
        text += f"另有{len(s.not_checked)}{unit}因故未能检查，未计入合格率。"
    if o.checked:
        text += _clean_text(data, kind) + _exceptions_text(data, kind)
    return text


def _clean_text(data: RoundData, kind: str) -> str:
    """其中，无扣分点的网站为54家，占总数的96%。13个…均得满分，40个…得满分。"""
    noun = "网站" if kind == "site" else "账号"
    unit = NOUN[kind][1]
    clean, _ = shares(data, kind, is_clean)
    if not clean.total or clean.count == clean.total:
        return ""
    label = "无扣分点" if kind == "site" and not data.round.veto_only else "未发现问题"
    text = f"其中，{label}的{noun}为{clean.count}{unit}，占总数的{_rate(data, clean.count, clean.total)}。"
    if kind == "site" and not data.round.veto_only:
        full, by = shares(data, kind, has_full_marks)
        if full.count:
            lay = data.layout
            parts = [f"{v.count}个{lay.category(c)}{'均' if v.count == v.total else ''}得满分"
                     for c, v in by.items() if v.count]
            text += "按类别看，" + "，".join(parts) + "。"
    return text


def _exceptions_text(data: RoundData, kind: str) -> str:
    noun = NOUN[kind][0]
    out = []
    for e in exception_regions(data, kind):
        out.append(f"除{'、'.join(e.exceptions)}外，其他{e.others}个{e.group}的{noun}合格率达100%。")
    return "".join(out)


def _messages_text(data: RoundData) -> str:
    """受理/问题类型/属实/涉及单位/办结/按期办结率/平均办理时长 ('' when none were imported)."""
    report = data.messages
    if report is None or not report.overall.received:
        return ""     # none imported is not the same as none received: leave it to the inspector
    s = report.overall
    types = "".join(f"“{t}”" for t, _ in data.message_types[:2])
    text = f"{cn_date(report.period_from, False)}至{cn_date(report.period_to, False)}，共受理网民留言{s.received}条"
    if types:
        text += f"，问题主要集中在{types}等方面"
    text += f"，经核实属实{s.valid}条"
    if data.message_units:
        text += f"，涉及{data.message_units}个责任地区和部门"
    rate = rate_text(rate_at(s.closed_on_time, s.received, data.message_rate_decimals))
    text += f"，已办结{s.closed}条，其中按期办结{s.closed_on_time}条，按期办结率{rate}"
    if s.avg_workdays is not None:
        text += ("，平均办理时长小于1个工作日" if s.avg_workdays < 1
                 else f"，平均办理时长{fmt_points(float(s.avg_workdays))}个工作日")
    text += "。"
    if s.overdue:
        text += f"超期办理或超期未办结的{s.overdue}条。"
    return text


def _account_subject(t: TargetInfo, short: bool) -> str:
    noun = ACCOUNT_NOUN.get(t.target.platform, platform_name(t.target.platform, short))
    return f"{t.target.unit_name}“{t.target.name}”{noun}"


def _by_platform(ts: list[TargetInfo], short: bool) -> str:
    """微信公众号“A”“B”，微博“C”，澎湃号“D” (accounts named by platform, as the circulars write them)."""
    groups: dict[str, list[str]] = {}
    for t in ts:
        p = t.target.platform
        noun = "微博" if p == "新浪微博" else p
        groups.setdefault(noun or "其他", []).append(f"“{t.target.name}”")
    return "，".join(p + "".join(names) for p, names in groups.items())


def _problem_lines(data: RoundData, kind: str, targets: list[TargetInfo], limit: int) -> list[str]:
    """One line per level-1 indicator: the findings' own descriptions, the units (sites) or the
    accounts that have them — "市民政局、市统计局网站部分栏目超期未更新"."""
    cat = data.catalogue(kind)
    short = data.layout.short_platforms
    tops: dict[str, dict[str, list[TargetInfo]]] = {}
    for t in targets:
        for p in data.problems(t):
            if p.kind == "bonus":
                continue
            path = cat.path.get(p.indicator_id, ())
            top = path[1].id if len(path) > 1 else p.indicator_id
            descs = p.details or (("存在" + p.name.split("（")[0] + "问题"),)
            for d in descs:
                ts = tops.setdefault(top, {}).setdefault(d, [])
                if t not in ts:
                    ts.append(t)
    lines = []
    for top in sorted(tops, key=lambda i: cat.order.get(i, 1 << 30)):
        sentences = []
        for desc, ts in tops[top].items():
            if kind == "site":
                units = list(dict.fromkeys(t.target.unit_name or t.target.name for t in ts))
                sentences.append(f"{_names(units, limit, '家')}网站{desc}")
            elif len(ts) == 1:
                sentences.append(f"{_account_subject(ts[0], short)}{desc}")
            elif cat.kind(top) == "veto":
                sentences.append(f"{_by_platform(ts, short)}等账号{desc}")
            else:
                units = list(dict.fromkeys(t.target.unit_name or t.target.name for t in ts))
                sentences.append(f"{_names(units, limit, '个')}个别政务新媒体{desc}")
        name = cat.items[top].name if top in cat.items else "其他问题"
        count = len({id(t) for ts in tops[top].values() for t in ts})
        label = f"{name}方面" if cat.kind(top) == "deduction" else name
        lines.append(f"{label}（{count}{NOUN[kind][1]}）：{'；'.join(sentences)}。")
    return [f"{n}.{text}" for n, text in enumerate(lines, start=1)]


def _frequency_text(data: RoundData) -> str:
    """约15%的市级门户网站政策文件公开要素不完整 … (categories of five or more sites, shares of 5 % or more)."""
    lay = data.layout
    parts = []
    for f in problem_frequency(data, "site"):
        if f.by != "category" or f.count < 2 or f.count * 20 < f.total or f.count == f.total:
            continue
        parts.append(f"{f.share_text}的{lay.category(f.population)}{f.name}问题")
    return ("从类别看，" + "，".join(parts[:4]) + "。") if parts else ""


def _problem_section(data: RoundData, kind: str, heading: str, limit: int, annex: Annex | None) -> dict | None:
    noun, unit = ("网站", "家") if kind == "site" else ("账号", "个")
    cat = data.catalogue(kind)
    sections = problem_sections(data, kind)
    veto = sections[0][1]
    other_name, other = (sections[1] if len(sections) > 1 else ("", []))
    if not veto and not other:
        return None
    lead = []
    if veto:
        lead.append(f"{len(veto)}{unit}{noun}存在单项否决问题")
    if other:
        lead.append(f"{len(other)}{unit}{noun}存在{'扣分' if other_name == '扣分' else '其他'}问题")
    text = "检查发现" + "，".join(lead) + "。"
    failed = [t for t in other if not t.scored.score.passed]
    if failed:
        rule = cat.profile.rule("fail_below") if cat.profile else None
        below = f"低于{fmt_points(rule.value)}分" if rule else "不达标"
        names = [t.label() for t in failed]
        text += f"其中{_names(names, limit, unit)}扣分后得分{below}，判定为不合格。"
    if kind == "site":
        text += _frequency_text(data)
    if annex is not None:
        text += f"具体问题详见附件{annex.number}。"
    return {"heading": heading, "text": text, "lines": _problem_lines(data, kind, veto + other, limit)}


def _hygiene_text(data: RoundData) -> str:
    h = data.hygiene
    parts = []
    if h.get("multi_account_units"):
        parts.append(f"{h['multi_account_units']}个单位在同一平台开设多个政务新媒体账号"
                     f"（共{h['multi_account_accounts']}个账号）")
    if h.get("unfiled"):
        parts.append(f"{h['unfiled']}个政务新媒体账号未备案即开设")
    return ("名录核查发现，" + "，".join(parts) + "。") if parts else ""


def _year_text(data: RoundData, issuer: str, scope: str, year) -> str:
    if year is None or not year.rounds:
        return ""
    subject = "政府网站和政务新媒体"
    how = (f"进行了{len(year.rounds)}次全覆盖检查" if year.full_rounds == len(year.rounds)
           else f"进行了{len(year.rounds)}次检查（其中全覆盖检查{year.full_rounds}次）")
    sites = f"发现{len(year.sites.failing)}家网站不合格" if year.sites.failing else "网站全部合格"
    media = f"{len(year.accounts.failing)}个新媒体不合格" if year.accounts.failing else "新媒体全部合格"
    head = (f"截至目前，{scope}纳入管理的政府网站有{year.sites.latest_total}家，"
            f"政务新媒体账号有{year.accounts.latest_total}个。")
    return f"{head}{year.year}年{issuer}对{scope}{subject}{how}，{sites}，{media}。"


def build_context(data: RoundData, annexes: list[Annex], options: CircularOptions | None = None,
                  period: str | None = None, year=None) -> tuple[dict, dict, list[str]]:
    """(template context, figures, notes) of the draft; ``year``: a rounds.year_totals.YearTotals."""
    options = options or CircularOptions()
    period = period or data.period
    scope = scope_word(data.area)
    issue = options.issue_date or dt.date.today()
    deadline = options.deadline or add_workdays(issue, options.deadline_workdays)
    notes = [w for w in (coverage_warning(data),) if w]
    if options.deadline is None:        # counted on the official calendar: say so when a year is not in it
        note = calendar_note(load_calendar().unconfirmed_years(issue, deadline))
        if note:
            notes.append(note)
    has = {k: bool(data.summary(k).total) for k in ("site", "account")}
    subject = ("政府网站和政务新媒体" if has["site"] and has["account"]
               else "政府网站" if has["site"] else "政务新媒体")
    issuer = options.issuer.strip() or ISSUER_PLACEHOLDER
    by_key = {a.key: a for a in annexes}

    parts = []
    if has["site"]:
        parts.append(("政府网站检查情况。", _overview_item(data, "site"), ""))
    if has["account"]:
        parts.append(("政务新媒体检查情况。", _overview_item(data, "account"), ""))
    if has["site"] or (data.messages is not None and data.messages.overall.received):
        text = _messages_text(data)
        parts.append(("“我为政府网站找错”留言办理情况。", text, "" if text else MESSAGES_PLACEHOLDER))
    lead = f"本次检查以{cn_date(data.round.as_of)}为监测时间点，{_coverage(data, scope)}。"
    if data.round.veto_only:
        veto = "；".join(f"{NOUN[k][0]}按照{'、'.join(_veto_names(data, k))}等{cn_count(len(_veto_names(data, k)))}项"
                        f"“单项否决”指标" for k in ("site", "account") if has[k])
        lead += f"本次检查只检查单项否决指标：{veto}，结果为合格或不合格。"
    overview = [{"heading": "", "text": lead, "placeholder": ""}]
    overview += [{"heading": f"（{CN_NUMBERS[i]}）{h}", "text": t, "placeholder": ph}
                 for i, (h, t, ph) in enumerate(parts)]

    problems = []
    for kind, noun in (("site", "政府网站"), ("account", "政务新媒体")):
        annex = by_key.get(f"problems.{'sites' if kind == 'site' else 'accounts'}")
        sec = _problem_section(data, kind, f"（{CN_NUMBERS[len(problems)]}）{noun}方面。", options.max_names, annex)
        if sec:
            problems.append(sec)
    hygiene = _hygiene_text(data)
    if hygiene:
        problems.append({"heading": f"（{CN_NUMBERS[len(problems)]}）政务新媒体管理方面。", "text": hygiene,
                         "lines": []})
    problem_paragraphs = []
    for sec in problems:
        problem_paragraphs.append({"heading": sec["heading"], "text": sec["text"], "placeholder": ""})
        problem_paragraphs += [{"heading": "", "text": line, "placeholder": ""} for line in sec["lines"]]
    if not problem_paragraphs:
        problem_paragraphs = [{"heading": "", "text": "本次检查未发现存在单项否决或扣分问题的网站和账号。",
                               "placeholder": ""}]

    sections = []
    year_text = _year_text(data, issuer, scope, year) if options.year_overview else ""
    if year_text:
        sections.append(("全年总体情况", [{"heading": "", "text": year_text, "placeholder": ""}]))
    sections.append((f"{period}检查情况" if year_text else "总体情况", overview))
    sections.append(("工作亮点", [{"heading": "", "text": "", "placeholder":
                     "【待填写：工作亮点——表现突出的网站、账号及其做法，如栏目建设、政策解读、互动服务等】"}]))
    sections.append(("存在的主要问题", problem_paragraphs))
    sections.append(("下一步工作要求", [{"heading": f"（{n}）", "text": "", "placeholder": f"【待填写：工作要求{n}】"}
                                   for n in "一二三"]))
    context_sections = [{"heading": f"{CN_NUMBERS[i]}、{h}", "paragraphs": ps} for i, (h, ps) in enumerate(sections)]

    if problems:
        rectify = (f"存在问题的单位要对照通报和附件逐项整改，举一反三开展自查，并于{cn_date(deadline.isoformat())}前"
                   f"将整改情况书面报送{issuer}。")
    else:
        rectify = "各地区、各部门要对照检查指标持续开展自查，发现问题及时整改。"
    annex_lines = [("附件：" if i == 0 else "　　　") + a.caption for i, a in enumerate(annexes)]
    basis = f"根据{BASIS_DEFAULT}工作要求，" if options.cite_basis else "为加强政府网站和政务新媒体日常监管，按照检查指标和年度监管工作安排，"
    opening = f"{basis}{issuer}组织开展了{period}{scope}{subject}检查。现将检查情况通报如下。"
    title_issuer = options.issuer.strip()
    context = {
        "doc_number": options.doc_number.strip(), "area": data.area, "period": period, "subject": subject,
        "title": f"{title_issuer}关于{data.area}{period}{subject}检查情况的通报",
        "addressees": options.addressees, "opening": opening, "sections": context_sections,
        "rectify_text": rectify, "annexes": annex_lines, "issuer": issuer,
        "date_text": cn_date(issue.isoformat()), "deadline": deadline.isoformat(),
    }
    figures = {}
    for kind, key in (("site", "sites"), ("account", "accounts")):
        s = data.summary(kind)
        o = s.overall
        figures[key] = {"total": s.total, "checked": o.checked, "passed": o.passed, "failed": o.failed,
                        "outstanding": o.outstanding, "not_checked": len(s.not_checked), "pending": len(s.pending),
                        "pass_rate": None if o.pass_rate is None else float(o.pass_rate)}
    if year is not None:
        figures["year"] = year.to_dict()
    return context, figures, notes
