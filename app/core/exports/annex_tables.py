"""Annex table builders, one per family: 地区汇总 (one table, or one for sites and one for new
media), 问题清单, 平台合格率, 找错留言统计, 新媒体发布情况统计 — and ``build_annexes``, which
numbers them (检查结果与扣分明细: annex_details.py).

Built from a ``RoundData`` (annex_data.py) as plain rows; this module writes no file (see annex_xlsx.py).
"""
from __future__ import annotations

from collections import defaultdict

from ..followup.messages import MessageStats
from ..office.xlsx import NOT_APPLICABLE, Column, SheetTable, rate_kind
from ..registry import vocab
from ..rounds.scoring import Counts
from .annex_data import (FAMILIES, NO_ACTIVITY, NO_MESSAGES, SECTION_NUMBERS, UNVERIFIED_NOTE, ActivityOptions, Annex,
                         AnnexBuild, ExportOptions, MessagesOptions, PlatformsOptions, ProblemsOptions, RoundData,
                         SummaryOptions, TargetInfo, message_period, rate_value)
from .annex_details import checklist_table, results_table
from .layout import Layout
from .wording import cn_date, fmt_points, rate_at

SUMMARY_TITLES = {None: "{期间}{范围}政府网站与政务新媒体检查情况", "site": "{期间}{范围}政府网站检查情况",
                  "account": "{期间}{范围}政务新媒体检查情况"}


def _categories(data: RoundData, opts: SummaryOptions) -> list[str]:
    present = list(dict.fromkeys(t.target.category for t in data.sites if t.target.category))
    if opts.categories is not None:
        return list(opts.categories)
    known = [c for c in vocab.SITE_CATEGORIES if c in present]
    return known + [c for c in present if c not in known]


def category_caption(category: str, captions: dict | None = None) -> str:
    if captions and category in captions:
        return captions[category]
    return f"{category}数" if category.endswith("网站") else f"{category}网站数"


def summary_table(data: RoundData, opts: SummaryOptions, lay: Layout, only: str | None = None) -> SheetTable:
    """地区汇总: one row per 地区/单位 grouped by regions.group_name (rows in 排序 within 分组), then
    合计; ``only`` "site" or "account" for one of the two separate summaries."""
    chosen = opts.title if only is None else (opts.sites_title if only == "site" else opts.accounts_title)
    title = lay.title(chosen, SUMMARY_TITLES[only])
    kinds = [only] if only else ([k for k in ("site", "account") if data.targets(k)] or ["site", "account"])
    categories = _categories(data, opts) if "site" in kinds else []
    names = sorted(data.regions, key=lambda n: data.regions[n].order)
    group_of = {n: data.regions[n].group for n in names}
    group_order: dict[str, tuple] = {}
    for n in names:
        g = group_of[n] or f"\x00{n}"
        group_order.setdefault(g, data.regions[n].order)
    names.sort(key=lambda n: (group_order[group_of[n] or f"\x00{n}"], data.regions[n].order))
    grouped = any(group_of.values())

    totals: dict[str, dict[str, int]] = {k: defaultdict(int) for k in kinds}
    per_cat: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for k in kinds:
        for t in data.targets(k):
            totals[k][t.region] += 1
            if k == "site" and t.target.category:
                per_cat[t.region][t.target.category] += 1
    applies: dict[str, set[str]] = defaultdict(set)       # group -> categories with sites
    for n in names:
        applies[group_of[n] or f"\x00{n}"].update(c for c, v in per_cat[n].items() if v)

    label_cols = [Column(opts.unit_caption, width=10), Column(opts.unit_caption, width=14)] if grouped \
        else [Column(opts.unit_caption, width=16)]
    columns = list(label_cols)
    section = {"site": "政府网站检查情况", "account": "政务新媒体检查情况"}
    for k in kinds:
        g = section[k]
        columns.append(Column("网站总数" if k == "site" else "政务新媒体总数", g, "int"))
        if k == "site":
            columns += [Column(category_caption(c, opts.captions), g, "int") for c in categories]
        if opts.show_checked:
            columns.append(Column("检查数", g, "int"))
        if opts.show_passed:
            columns.append(Column("合格数", g, "int"))
        columns.append(Column("存在突出问题数", g, "int"))
        if opts.show_clean:
            columns.append(Column("无扣分点数" if k == "site" else "无问题数", g, "int"))
        if opts.show_rate:
            columns.append(Column("合格率", g, lay.rate_kind))
    if only:            # one kind: the group caption above the figures would only repeat the title
        columns = [Column(c.caption, "", c.kind, c.width) for c in columns]
    clean = {k: _clean_by_region(data, k) for k in kinds}

    def figures(k: str, total: int, counts: Counts, cats: list, region: str | None) -> list:
        out = [total]
        if k == "site":
            out += cats
        if opts.show_checked:
            out.append(counts.checked)
        if opts.show_passed:
            out.append(counts.passed)
        out.append(counts.outstanding)
        if opts.show_clean:
            out.append(sum(clean[k].values()) if region is None else clean[k].get(region, 0))
        if opts.show_rate:
            out.append(rate_value(counts, lay.rate_decimals))
        return out

    table = SheetTable(title, columns, subtitle=lay.subtitle)
    i = 0
    while i < len(names):
        g = group_of[names[i]]
        members = [names[i]]
        while g and i + len(members) < len(names) and group_of[names[i + len(members)]] == g:
            members.append(names[i + len(members)])
        gkey = g or f"\x00{names[i]}"
        start = len(table.rows)
        for n in members:
            if grouped:
                label = [g, n] if len(members) > 1 else [g or n, None]
            else:
                label = [n]
            row = list(label)
            for k in kinds:
                counts = data.summary(k).by_region.get(n, Counts())
                cats = [per_cat[n].get(c, 0) if c in applies[gkey] else NOT_APPLICABLE for c in categories]
                row += figures(k, totals[k].get(n, 0), counts, cats, n)
            table.rows.append(row)
        if grouped:
            if len(members) > 1:
                table.merges.append((start, 0, start + len(members) - 1, 0))
            else:
                table.merges.append((start, 0, start, 1))
        i += len(members)
    total_row = ["合计", None] if grouped else ["合计"]
    for k in kinds:
        s = data.summary(k)
        cats = [sum(per_cat[n].get(c, 0) for n in names) for c in categories]
        total_row += figures(k, s.total, s.overall, cats, None)
    if grouped:
        table.merges.append((len(table.rows), 0, len(table.rows), 1))
    table.row_kinds[len(table.rows)] = "total"
    table.rows.append(total_row)
    if any(data.summary(k).not_checked for k in kinds):
        left = "、".join(f"{'网站' if k == 'site' else '政务新媒体'}{len(data.summary(k).not_checked)}个"
                        for k in kinds if data.summary(k).not_checked)
        table.notes.append(f"注：总数含本轮标记为“未检查”的对象（{left}），其不计入检查数、合格数和合格率。")
    if any(data.summary(k).pending for k in kinds):
        left = "、".join(f"{'网站' if k == 'site' else '政务新媒体'}{len(data.summary(k).pending)}个"
                        for k in kinds if data.summary(k).pending)
        table.notes.append(f"注：总数含尚未完成检查的对象（{left}），其不计入检查数、合格数和合格率。")
    if data.unverified():
        table.notes.append(UNVERIFIED_NOTE)
    return table


def _owner(t: TargetInfo, opts: ProblemsOptions) -> str:
    if opts.owner == "region":
        return t.scored.region or t.target.unit_name
    return t.target.unit_name or t.scored.region


def problem_sections(data: RoundData, kind: str, scope: str = "all") -> list[tuple[str, list[TargetInfo]]]:
    """(section name, targets): 单项否决 first, then 扣分 (其他问题 for a profile without
    deductions); checked targets only, in registry order; each target once."""
    cat = data.catalogue(kind)
    veto = [t for t in data.targets(kind) if t.checked and t.vetoed]
    sections = [("单项否决", veto)]
    if scope != "veto":
        other = [t for t in data.targets(kind) if t.checked and not t.vetoed
                 and any(p.kind in ("deduction", "group", "unknown") for p in data.problems(t))]
        sections.append(("扣分" if cat.has_deduction else "其他问题", other))
    return sections


def problem_text(data: RoundData, t: TargetInfo, text: str = "indicator") -> str:
    """The 问题 cell: veto items first (profile order), then the rest; bonus items are no problem.
    ``text`` "indicator": 指标名称（N处）：描述; "detail": the findings' own descriptions only."""
    if text == "detail":
        parts = ["；".join(p.details) if p.details else p.name for p in data.problems(t) if p.kind != "bonus"]
    else:
        parts = [p.phrase() for p in data.problems(t) if p.kind != "bonus"]
    s = t.scored.score
    if not s.passed and not s.veto_ids and s.deduction_score is not None:
        parts.append(f"扣分指标得分{fmt_points(s.deduction_score)}分，判定为不合格")
    return "；".join(parts)


def problems_table(data: RoundData, kind: str, opts: ProblemsOptions, lay: Layout) -> SheetTable | None:
    """问题清单 of sites or accounts, or None when no target has a problem."""
    sections = [(name, ts) for name, ts in problem_sections(data, kind, opts.scope) if ts]
    if not sections:
        return None
    noun = "政府网站" if kind == "site" else "政务新媒体"
    default = f"{{期间}}检查发现{'存在突出问题' if opts.scope == 'veto' else '问题'}的{noun}名单"
    title = lay.title(opts.sites_title if kind == "site" else opts.accounts_title, default)
    cols = [Column("序号", kind="int", width=6), Column("区/部门")]
    if kind == "site":
        cols.append(Column("网站名称"))
        if opts.show_code:
            cols.append(Column("网站标识码", width=13))
    else:
        cols += [Column("账号类型", width=12), Column("账号名称")]
    if opts.show_url:
        cols.append(Column("首页网址", width=28))
    cols.append(Column("问题", width=60))
    table = SheetTable(title, cols, subtitle=lay.subtitle)
    n = 0
    unit = "家" if kind == "site" else "个"
    for s_no, (name, ts) in enumerate(sections):
        if len(sections) > 1 or opts.scope != "veto":
            table.row_kinds[len(table.rows)] = "section"
            table.merges.append((len(table.rows), 0, len(table.rows), len(cols) - 1))
            table.rows.append([f"{SECTION_NUMBERS[s_no]}、{name}（{len(ts)}{unit}）"] + [None] * (len(cols) - 1))
        for t in ts:
            n += 1
            row = [n, _owner(t, opts)]
            if kind == "site":
                row.append(t.target.name)
                if opts.show_code:
                    row.append(t.target.target_key)
            else:
                row += [lay.platform(t.target.platform), t.target.name]
            if opts.show_url:
                row.append(t.target.url)
            row.append(problem_text(data, t, opts.text))
            table.rows.append(row)
    table.notes.append(lay.monitor_note)
    return table


def platforms_table(data: RoundData, opts: PlatformsOptions, lay: Layout) -> SheetTable:
    """平台合格率: per 平台 (national order) 账号数, 检查数, 合格数, 合格率, then 合计."""
    title = lay.title(opts.title, "{期间}政务新媒体分平台检查情况")
    cols = [Column("平台", width=16), Column("账号数", kind="int"), Column("检查数", kind="int"),
            Column("合格数", kind="int")]
    if opts.show_outstanding:
        cols.append(Column("存在突出问题数", kind="int"))
    cols.append(Column("合格率", kind=lay.rate_kind, width=10))
    table = SheetTable(title, cols, subtitle=lay.subtitle)
    s = data.summary("account")
    totals: dict[str, int] = defaultdict(int)
    for t in data.accounts:
        totals[t.target.platform or "其他"] += 1
    order = [p for p in vocab.PLATFORMS if p in totals] + [p for p in totals if p not in vocab.PLATFORMS]

    def row(label: str, total: int, c: Counts) -> list:
        out = [label, total, c.checked, c.passed]
        if opts.show_outstanding:
            out.append(c.outstanding)
        return out + [rate_value(c, lay.rate_decimals)]

    for p in order:
        table.rows.append(row(lay.platform(p), totals[p], s.by_platform.get(p, Counts())))
    table.row_kinds[len(table.rows)] = "total"
    table.rows.append(row("合计", s.total, s.overall))
    if s.not_checked:
        table.notes.append(f"注：账号数含本轮标记为“未检查”的账号{len(s.not_checked)}个，其不计入检查数、合格数和合格率。")
    if s.pending:
        table.notes.append(f"注：账号数含尚未完成检查的账号{len(s.pending)}个，其不计入检查数、合格数和合格率。")
    if data.unverified("account"):
        table.notes.append(UNVERIFIED_NOTE)
    return table


def messages_table(data: RoundData, opts: MessagesOptions, lay: Layout) -> SheetTable | None:
    """找错留言统计: per 主办单位 受理, 属实, 办结, 按期办结, 按期办结率 (app.core.followup.messages), then 合计."""
    report = data.messages
    if report is None or report.overall.received == 0:
        return None
    title = lay.title(opts.title, "{期间}“我为政府网站找错”留言办理情况")
    cols = [Column("序号", kind="int", width=6), Column("主办单位", width=24), Column("受理", kind="int"),
            Column("属实", kind="int"), Column("办结", kind="int"), Column("按期办结", kind="int"),
            Column("按期办结率", kind=rate_kind(data.message_rate_decimals), width=10)]
    if opts.show_duration:
        cols += [Column("平均办理时长（工作日）", kind="number", width=10), Column("超期", kind="int")]

    def figures(s: MessageStats) -> list:
        rate = rate_at(s.closed_on_time, s.received, data.message_rate_decimals)
        out = [s.received, s.valid, s.closed, s.closed_on_time, NOT_APPLICABLE if rate is None else rate / 100]
        if opts.show_duration:
            out += [NOT_APPLICABLE if s.avg_workdays is None else s.avg_workdays, s.overdue]
        return out

    table = SheetTable(title, cols, subtitle=lay.subtitle)
    for n, u in enumerate(report.by_unit, start=1):
        table.rows.append([n, u.unit_name] + figures(u.stats))
    table.merges.append((len(table.rows), 0, len(table.rows), 1))
    table.row_kinds[len(table.rows)] = "total"
    table.rows.append(["合计", None] + figures(report.overall))
    table.notes.append(f"注：统计提交时间在{cn_date(report.period_from)}至{cn_date(report.period_to)}的留言；"
                       f"办理时限为转办（未转办的自提交）后{report.deadline_workdays}个工作日，"
                       f"按期办结率＝按期办结数÷受理数。")
    if report.calendar_note:
        table.notes.append(f"注：{report.calendar_note}")
    return table


def activity_table(data: RoundData, opts: ActivityOptions, lay: Layout) -> SheetTable | None:
    """新媒体发布情况统计: per account (registry order) 主办单位, 名称, 平台, 期间发布条数, 最近更新日期, then 合计.

    None when no account of the round has a 发布条数 (no monitoring data imported)."""
    if not any(r.posts is not None for r in data.activity):
        return None
    title = lay.title(opts.title, "{期间}政务新媒体发布情况统计")
    cols = [Column("序号", kind="int", width=6), Column("主办单位", width=24), Column("新媒体名称", width=24),
            Column("平台", width=12), Column("期间发布条数", kind="int", width=10), Column("最近更新日期", width=16)]
    table = SheetTable(title, cols, subtitle=lay.subtitle)
    missing = [r for r in data.activity if r.posts is None]
    rows = data.activity if opts.include_missing else [r for r in data.activity if r.posts is not None]
    for n, r in enumerate(rows, start=1):
        table.rows.append([n, r.unit_name, r.account_name, lay.platform(r.platform or "其他"),
                           NOT_APPLICABLE if r.posts is None else r.posts,
                           cn_date(r.last_update) or NOT_APPLICABLE])
    table.merges.append((len(table.rows), 0, len(table.rows), 3))
    table.row_kinds[len(table.rows)] = "total"
    table.rows.append(["合计", None, None, None, sum(r.posts for r in data.activity if r.posts is not None), None])
    start, end = message_period(data.round)
    table.notes.append(f"注：期间发布条数为{cn_date(start)}至{cn_date(end)}发布的信息条数，依据监测数据统计；"
                       f"监测时间点{cn_date(data.round.as_of)}。")
    if missing:
        table.notes.append(f"注：{len(missing)}个账号无监测数据，" +
                           ("发布条数以“—”表示，不计入合计。" if opts.include_missing else "未列入本表。"))
    return table


def _clean_by_region(data: RoundData, kind: str) -> dict[str, int]:
    """Checked targets without any deduction point (no confirmed problem), per 地区."""
    out: dict[str, int] = defaultdict(int)
    for t in data.targets(kind):
        if t.checked and not any(p.kind != "bonus" for p in data.problems(t)):
            out[t.region] += 1
    return out


def build_annexes(data: RoundData, families: list[str] | None = None,
                  options: ExportOptions | None = None) -> AnnexBuild:
    """The annexes of the chosen families (in the order given), numbered 附件1, 附件2 …

    An empty 问题清单 is left out, and so is a family that is not available yet; both
    are explained in ``notes``.
    """
    options = options or ExportOptions()
    if options.area:
        data.area = options.area
    data.rate_decimals, data.message_rate_decimals = options.rate_decimals, options.message_rate_decimals
    lay = data.layout = Layout.of(data, options)
    families = list(FAMILIES) if families is None else families
    out = AnnexBuild([])

    def add(key: str, title: str, sheets: list[tuple[str, SheetTable]]) -> None:
        out.annexes.append(Annex(key, len(out.annexes) + 1, title, sheets))

    for fam in families:
        if fam == "summary":
            if options.summary.split:
                for kind, key, sheet in (("site", "summary.sites", "网站汇总"), ("account", "summary.accounts", "新媒体汇总")):
                    if data.targets(kind):
                        t = summary_table(data, options.summary, lay, kind)
                        add(key, t.title, [(sheet, t)])
            else:
                t = summary_table(data, options.summary, lay)
                add("summary", t.title, [("地区汇总", t)])
        elif fam == "problems":
            for kind, sheet in (("site", "问题网站"), ("account", "问题政务新媒体")):
                if not data.targets(kind):
                    continue
                t = problems_table(data, kind, options.problems, lay)
                noun = "政府网站" if kind == "site" else "政务新媒体"
                if t is None:
                    out.notes.append(f"本轮未发现存在问题的{noun}，未生成{noun}问题清单。")
                else:
                    add(f"problems.{'sites' if kind == 'site' else 'accounts'}", t.title, [(sheet, t)])
        elif fam == "details":
            if not data.sites:
                out.notes.append("本轮没有网站检查对象，未生成检查结果与扣分明细。")
                continue
            title = lay.title(options.details.title, "{期间}政府网站检查结果与扣分明细")
            sheets = [("检查结果", results_table(data, lay.title("", "{期间}政府网站检查结果"), lay))]
            if options.details.checklist != "none":
                sheets.append(("扣分明细", checklist_table(data, options.details, lay.title("", "{期间}政府网站扣分明细"),
                                                          lay)))
            add("details", title, sheets)
        elif fam == "platforms":
            if not data.accounts:
                out.notes.append("本轮没有政务新媒体检查对象，未生成平台合格率。")
                continue
            t = platforms_table(data, options.platforms, lay)
            add("platforms", t.title, [("平台合格率", t)])
        elif fam == "messages":
            t = messages_table(data, options.messages, lay)
            if t is None:
                out.notes.append(data.notes[0] if data.messages is None and data.notes else NO_MESSAGES)
            else:
                add("messages", t.title, [("找错留言统计", t)])
        elif fam == "activity":
            if not data.accounts:
                out.notes.append("本轮没有政务新媒体检查对象，未生成新媒体发布情况统计。")
                continue
            t = activity_table(data, options.activity, lay)
            if t is None:
                out.notes.append(NO_ACTIVITY)
            else:
                add("activity", t.title, [("发布情况统计", t)])
        else:
            raise ValueError(f"未知的附件类型“{fam}”")
    return out
