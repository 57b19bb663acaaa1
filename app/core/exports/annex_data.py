"""Annex tables of a round as plain rows: 地区汇总, 问题清单, 检查结果与扣分明细, 平台合格率.

Every count, score and 合格率 comes from ``round_scores.score_round`` — the figures the
``score`` command prints — so the annexes, the circular draft and ``score`` agree. This
module only groups targets and arranges rows; it writes no file (see annex_xlsx.py).
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlite_utils

from .. import rounds, vocab
from ..db import get_setting
from ..errors import GovInspectError
from ..findings import Finding, list_findings
from ..messages import MessageReport, MessageStats, message_stats
from ..profiles import Profile, ProfileItem
from ..round_scores import RoundScores, score_round
from ..rounds import Round, RoundTarget
from ..scoring import NOT_CHECKED, UNKNOWN_REGION, Counts, ScoredTarget
from ..xlsx import NOT_APPLICABLE, Column, SheetStyle, SheetTable

FAMILIES = ("summary", "problems", "details", "platforms", "messages")
AREA_SETTING = "export.area"          # settings key: the 地区 named in titles (e.g. 江州市)
UNVERIFIED_NOTE = ("部分扣分标准待核对：本表部分得分或合格判定用到了尚未对照原文核对的指标分值或评分规则，"
                   "正式印发前请核对指标规则集。")
NO_MESSAGES = "检查期内没有“我为政府网站找错”留言记录（如有留言，请先导入），未生成找错留言统计。"
SECTION_NUMBERS = "一二三四五六七八九十"


# ---------------------------------------------------------------- dates and wording

def cn_date(iso: str | None, year: bool = True) -> str:
    """'2025-08-14' -> '2025年8月14日' (or '8月14日')."""
    if not iso:
        return ""
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    return f"{y}年{m}月{d}日" if year else f"{m}月{d}日"


def period_label(rnd: Round) -> str:
    """The period a circular names: 2025年第三季度, 2025年8月, 2025年上半年, 2025年度."""
    day = rnd.period_from or rnd.as_of
    y, m = int(day[:4]), int(day[5:7])
    if rnd.kind == "季度":
        return f"{y}年第{'一二三四'[(m - 1) // 3]}季度"
    if rnd.kind == "月度":
        return f"{y}年{m}月"
    if rnd.kind == "半年":
        return f"{y}年{'上' if m <= 6 else '下'}半年"
    if rnd.kind == "年度":
        return f"{y}年度"
    return rnd.name


def span_text(rnd: Round) -> str:
    """'8月1日-8月14日' (years shown only when they differ from the 监测时间点's)."""
    if not (rnd.period_from and rnd.period_to):
        return ""
    same = rnd.period_from[:4] == rnd.period_to[:4] == rnd.as_of[:4]
    return f"{cn_date(rnd.period_from, not same)}-{cn_date(rnd.period_to, not same)}"


def monitor_note(rnd: Round) -> str:
    """The 注 line under a problem list."""
    span = span_text(rnd)
    tail = f"，时间段为{span}" if span else ""
    return f"注：监测时间点{cn_date(rnd.as_of)}{tail}。"


def scope_word(area: str) -> str:
    """江州市 -> 全市, 四川省 -> 全省; other names are used as they are."""
    if not area:
        return ""
    return "全" + area[-1] if area[-1] in "省市县区州盟旗" else area


def fmt_points(value: float | None) -> str:
    """95.0 -> '95', 95.5 -> '95.5' (scores in running text)."""
    if value is None:
        return "—"
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate_text(rate: Decimal | None) -> str:
    """合格率 in running text: 99.89%, and 100% without decimals as circulars write it."""
    if rate is None:
        return "—"
    return "100%" if rate == 100 else f"{rate}%"


def rate_value(counts: Counts):
    """合格率 as a cell value: the fraction (0.9989 for 99.89 %) or "—" when nothing was checked."""
    rate = counts.pass_rate
    return NOT_APPLICABLE if rate is None else rate / 100


def safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", text).strip(" .") or "附件"


# ---------------------------------------------------------------- options

def _opt(label: str, default=None, **kw):
    """A dataclass field with a Chinese label (a GUI builds its option form from these)."""
    factory = kw.pop("factory", None)
    meta = {"label": label, **kw}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class SummaryOptions:
    show_checked: bool = _opt("显示检查数", False)
    show_passed: bool = _opt("显示合格数", False)
    show_rate: bool = _opt("显示合格率", False)
    categories: tuple[str, ...] | None = _opt("网站类别列（空：本轮出现的全部类别）", None)
    captions: dict = _opt("类别列标题（类别 → 标题）", factory=dict)
    unit_caption: str = _opt("首列标题", "单位")
    title: str = _opt("标题（空：自动）", "")


@dataclass
class ProblemsOptions:
    scope: str = _opt("范围", "all", choices={"all": "单项否决和扣分问题", "veto": "仅单项否决（突出问题）"})
    show_code: bool = _opt("显示网站标识码", False)
    show_url: bool = _opt("显示首页网址", False)
    owner: str = _opt("“区/部门”列", "unit", choices={"unit": "主办单位", "region": "地区"})
    sites_title: str = _opt("网站名单标题（空：自动）", "")
    accounts_title: str = _opt("新媒体名单标题（空：自动）", "")


@dataclass
class DetailsOptions:
    checklist: str = _opt("扣分明细", "problems",
                          choices={"problems": "只列有问题的指标", "full": "列出全部指标", "none": "不生成扣分明细"})
    page_per_site: bool = _opt("每个网站另起一页打印", False)
    title: str = _opt("标题（空：自动）", "")


@dataclass
class PlatformsOptions:
    show_outstanding: bool = _opt("显示存在突出问题数", False)
    title: str = _opt("标题（空：自动）", "")


@dataclass
class MessagesOptions:
    show_duration: bool = _opt("显示平均办理时长和超期数", True)
    title: str = _opt("标题（空：自动）", "")


@dataclass
class ExportOptions:
    """Everything an export can be told; defaults give the usual office layout."""
    area: str = _opt("地区名称（空：取名录中的市/省）", "")
    period: str = _opt("期间（空：按轮次，如 2025年第三季度）", "")
    style: SheetStyle = _opt("字体", factory=SheetStyle)
    summary: SummaryOptions = _opt("地区汇总", factory=SummaryOptions)
    problems: ProblemsOptions = _opt("问题清单", factory=ProblemsOptions)
    details: DetailsOptions = _opt("检查结果与扣分明细", factory=DetailsOptions)
    platforms: PlatformsOptions = _opt("平台合格率", factory=PlatformsOptions)
    messages: MessagesOptions = _opt("找错留言统计", factory=MessagesOptions)


@dataclass(frozen=True)
class AnnexFamily:
    key: str
    label: str
    description: str
    options_type: type | None
    available: bool = True
    note: str = ""


def list_annexes() -> list[AnnexFamily]:
    """The annex families in their usual order, with their option types and availability."""
    return [
        AnnexFamily("summary", "地区汇总", "按地区/单位分组统计网站和政务新媒体数量、存在突出问题数（可加检查数、合格数、合格率），含合计行。",
                    SummaryOptions),
        AnnexFamily("problems", "问题清单", "存在问题的网站、政务新媒体名单，单项否决在前、扣分在后，附监测时间说明。",
                    ProblemsOptions),
        AnnexFamily("details", "检查结果与扣分明细", "每个网站的得分、是否合格、主要问题，以及逐项扣分明细。", DetailsOptions),
        AnnexFamily("platforms", "平台合格率", "政务新媒体按平台统计账号数、检查数、合格数、合格率。", PlatformsOptions),
        AnnexFamily("messages", "找错留言统计", "“我为政府网站找错”留言按主办单位统计受理、属实、办结、按期办结率。",
                    MessagesOptions),
    ]


# ---------------------------------------------------------------- round data

class Catalogue:
    """A profile's items by id, with their path from the part down and their order."""

    def __init__(self, profile: Profile | None):
        self.profile = profile
        self.items: dict[str, ProfileItem] = {}
        self.path: dict[str, tuple[ProfileItem, ...]] = {}
        self.order: dict[str, int] = {}
        self.has_deduction = bool(profile and profile.part("deduction"))
        for part in (profile.items if profile else ()):
            self._index(part, (part,))

    def _index(self, item: ProfileItem, path: tuple[ProfileItem, ...]) -> None:
        self.items[item.id] = item
        self.path[item.id] = path
        self.order[item.id] = len(self.order)
        for child in item.children:
            self._index(child, path + (child,))

    def kind(self, item_id: str) -> str:
        path = self.path.get(item_id)
        return path[0].kind if path else "unknown"

    def top(self, item_id: str) -> ProfileItem | None:
        """The level-1 indicator an item belongs to."""
        path = self.path.get(item_id)
        return path[1] if path and len(path) > 1 else None

    def leaves(self, kinds: tuple[str, ...]) -> list[str]:
        return [i for i, it in self.items.items()
                if not it.children and it.level >= 1 and self.kind(i) in kinds]

    def rule_text(self, item: ProfileItem) -> str:
        """评分细则 of an item that has no clause below it."""
        unit = item.unit or "处"
        if item.per_occurrence is not None:
            text = f"每{unit}扣{fmt_points(item.per_occurrence)}分"
            if item.max_deduction is not None:
                text += f"，最多扣{fmt_points(item.max_deduction)}分"
            return text
        return item.name


@dataclass(frozen=True)
class ProblemItem:
    """The confirmed findings of one target on one indicator."""
    indicator_id: str
    name: str
    kind: str                         # veto / deduction / bonus / group / unknown
    count: int
    unit: str
    details: tuple[str, ...]
    urls: tuple[str, ...]
    dates: tuple[str, ...]

    def phrase(self, max_details: int = 3) -> str:
        text = self.name
        if self.count > 1:
            text += f"（{self.count}{self.unit or '处'}）"
        if self.details:
            shown = self.details[:max_details]
            text += "：" + "；".join(shown) + ("等" if len(self.details) > max_details else "")
        return text


@dataclass(frozen=True)
class TargetInfo:
    """A round target with its score (from score_round) and confirmed findings."""
    target: RoundTarget
    scored: ScoredTarget
    findings: tuple[Finding, ...]

    @property
    def kind(self) -> str:
        return self.target.target_type

    @property
    def checked(self) -> bool:
        return self.scored.review_state != NOT_CHECKED

    @property
    def region(self) -> str:
        return self.scored.region or UNKNOWN_REGION   # the key score_round's by_region uses

    @property
    def vetoed(self) -> bool:
        return bool(self.scored.score.veto_ids)

    def label(self) -> str:
        """网站 name, or 平台“账号名称” for an account."""
        t = self.target
        return t.name if t.target_type == "site" else f"{t.platform}“{t.name}”"


@dataclass(frozen=True)
class RegionInfo:
    name: str
    group: str
    order: tuple


@dataclass
class RoundData:
    """One round read once: everything the annexes and the draft are built from."""
    round: Round
    scores: RoundScores
    sites: tuple[TargetInfo, ...]
    accounts: tuple[TargetInfo, ...]
    regions: dict[str, RegionInfo]
    area: str
    pools: dict[str, int | None]          # running targets on the 监测时间点 (for 抽查 wording)
    messages: MessageReport | None = None   # 找错 messages submitted in the round's period
    notes: list[str] = field(default_factory=list)
    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    _problems: dict = field(default_factory=dict, repr=False)

    def targets(self, kind: str) -> tuple[TargetInfo, ...]:
        return self.sites if kind == "site" else self.accounts

    def summary(self, kind: str):
        return self.scores.summary.sites if kind == "site" else self.scores.summary.accounts

    def catalogue(self, kind: str) -> Catalogue:
        if kind not in self.catalogues:
            self.catalogues[kind] = Catalogue(self.scores.profiles.get(kind))
        return self.catalogues[kind]

    def unverified(self, kind: str | None = None) -> bool:
        """An unverified profile number or rule influenced a counted score (as RoundScores.unverified_used)."""
        kinds = ("site", "account") if kind is None else (kind,)
        return any(t.scored.score.unverified_used for k in kinds for t in self.targets(k) if t.checked)

    def sampled(self, kind: str) -> bool:
        pct = self.round.sample_sites_pct if kind == "site" else self.round.sample_accounts_pct
        return (pct is not None and pct < 100) or any(t.target.reason == "抽样" for t in self.targets(kind))

    def problems(self, t: TargetInfo) -> list[ProblemItem]:
        """Confirmed findings of a target grouped by indicator, in profile order."""
        key = (t.kind, t.target.id)
        if key not in self._problems:
            self._problems[key] = _problem_items(self.catalogue(t.kind), t.findings)
        return self._problems[key]

    @property
    def period(self) -> str:
        return period_label(self.round)


def _problem_items(cat: Catalogue, found: tuple[Finding, ...]) -> list[ProblemItem]:
    by_item: dict[str, list[Finding]] = {}
    for f in found:
        by_item.setdefault(f.indicator_id, []).append(f)
    out = []
    for item_id in sorted(by_item, key=lambda i: cat.order.get(i, math.inf)):
        fs = by_item[item_id]
        item = cat.items.get(item_id)
        out.append(ProblemItem(
            indicator_id=item_id, name=item.name if item else item_id, kind=cat.kind(item_id),
            count=sum(max(int(f.count or 0), 0) for f in fs), unit=item.unit if item else "",
            details=tuple(dict.fromkeys(d for d in ((f.detail or f.snippet or "").strip() for f in fs) if d)),
            urls=tuple(dict.fromkeys(u for u in ((f.url or "").strip() for f in fs) if u)),
            dates=tuple(dict.fromkeys((f.detected_at or "")[:10] for f in fs if f.detected_at))))
    return out


def message_period(rnd: Round) -> tuple[str, str]:
    """Messages counted for a round: submitted in its period (else in the 监测时间点's month up to it)."""
    return rnd.period_from or rnd.as_of[:8] + "01", rnd.period_to or rnd.as_of


def default_area(db: sqlite_utils.Database) -> str:
    """The 地区 named in titles: the export.area setting, else the first top-level 省/市 region."""
    value = (get_setting(db, AREA_SETTING) or "").strip()
    if value:
        return value
    row = db.conn.execute("SELECT name FROM regions WHERE parent_id IS NULL AND level IN ('省', '市') "
                          "ORDER BY sort_order, id LIMIT 1").fetchone()
    return row[0] if row else ""


def _region_infos(db: sqlite_utils.Database, targets: list[TargetInfo]) -> dict[str, RegionInfo]:
    cols = ("id", "name", "group_name", "sort_order")
    rows = [dict(zip(cols, r)) for r in db.conn.execute(f"SELECT {', '.join(cols)} FROM regions")]
    by_id, by_name = {r["id"]: r for r in rows}, {r["name"]: r for r in rows}
    out: dict[str, RegionInfo] = {}
    for t in targets:
        name = t.region
        if name in out:
            continue
        rec = by_id.get(t.target.region_id) or by_name.get(t.target.region_name)
        if rec is None or name == UNKNOWN_REGION:
            out[name] = RegionInfo(name, "", (math.inf, math.inf, len(out)))
        else:
            out[name] = RegionInfo(name, (rec["group_name"] or "").strip(), (rec["sort_order"], rec["id"], 0))
    return out


def load_round_data(db: sqlite_utils.Database, round_id: int, area: str | None = None) -> RoundData:
    """Read and score a round once (ValidationError for an unknown round)."""
    rnd = rounds.get_round(db, round_id)
    scores = score_round(db, round_id)
    frozen = {(t.target_type, t.target_key): t for t in rounds.round_targets(db, round_id)}
    found: dict[int, list[Finding]] = defaultdict(list)
    for f in list_findings(db, round_id, status="确认"):
        found[f.target_id].append(f)
    infos = []
    for st in scores.targets:
        rt = frozen[(st.target_type, st.key)]
        infos.append(TargetInfo(rt, st, tuple(found.get(rt.id, ()))))
    data = RoundData(
        round=rnd, scores=scores,
        sites=tuple(t for t in infos if t.kind == "site"),
        accounts=tuple(t for t in infos if t.kind == "account"),
        regions=_region_infos(db, infos),
        area=default_area(db) if area is None else area,
        pools={"site": None, "account": None})
    try:
        start, end = message_period(rnd)
        data.messages = message_stats(db, start, end)
    except GovInspectError as exc:       # e.g. a broken holiday override file: the other annexes still go out
        data.notes.append(f"找错留言统计未能生成：{exc}")
    if data.sampled("site") or data.sampled("account"):
        try:
            plan = rounds.preview_sample(db, rnd.as_of)
            data.pools = {"site": plan.running_sites, "account": plan.running_accounts}
        except Exception:      # noqa: BLE001 — the pool only adds a figure to the wording; never block an export
            data.pools = {"site": None, "account": None}
    return data


# ---------------------------------------------------------------- annexes

@dataclass
class Annex:
    """One annex: a numbered workbook of one or more sheets."""
    key: str                               # family (summary, problems …); problems.sites / problems.accounts
    number: int
    title: str
    sheets: list[tuple[str, SheetTable]]   # (sheet name, table)

    @property
    def filename(self) -> str:
        return f"附件{self.number}-{safe_filename(self.title)}.xlsx"

    @property
    def caption(self) -> str:
        """How the circular lists it: 1.<标题>."""
        return f"{self.number}.{self.title}"


@dataclass
class AnnexBuild:
    annexes: list[Annex]
    notes: list[str] = field(default_factory=list)    # annexes left out and why


def _subtitle(data: RoundData, period: str) -> str:
    return f"（{period}　监测时间点：{cn_date(data.round.as_of)}）"


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


def summary_table(data: RoundData, opts: SummaryOptions, period: str) -> SheetTable:
    """地区汇总: one row per 地区/单位 grouped by regions.group_name, then 合计."""
    title = opts.title or f"{period}{scope_word(data.area)}政府网站与政务新媒体检查情况"
    kinds = [k for k in ("site", "account") if data.targets(k)] or ["site", "account"]
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
        if opts.show_rate:
            columns.append(Column("合格率", g, "percent"))

    def figures(k: str, total: int, counts: Counts, cats: list) -> list:
        out = [total]
        if k == "site":
            out += cats
        if opts.show_checked:
            out.append(counts.checked)
        if opts.show_passed:
            out.append(counts.passed)
        out.append(counts.outstanding)
        if opts.show_rate:
            out.append(rate_value(counts))
        return out

    table = SheetTable(title, columns, subtitle=_subtitle(data, period))
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
                row += figures(k, totals[k].get(n, 0), counts, cats)
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
        total_row += figures(k, s.total, s.overall, cats)
    if grouped:
        table.merges.append((len(table.rows), 0, len(table.rows), 1))
    table.row_kinds[len(table.rows)] = "total"
    table.rows.append(total_row)
    if any(data.summary(k).not_checked for k in kinds):
        left = "、".join(f"{'网站' if k == 'site' else '政务新媒体'}{len(data.summary(k).not_checked)}个"
                        for k in kinds if data.summary(k).not_checked)
        table.notes.append(f"注：总数含本轮标记为“未检查”的对象（{left}），其不计入检查数、合格数和合格率。")
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


def problem_text(data: RoundData, t: TargetInfo) -> str:
    """The 问题 cell: veto items first (profile order), then the rest; bonus items are no problem."""
    parts = [p.phrase() for p in data.problems(t) if p.kind != "bonus"]
    s = t.scored.score
    if not s.passed and not s.veto_ids and s.deduction_score is not None:
        parts.append(f"扣分指标得分{fmt_points(s.deduction_score)}分，判定为不合格")
    return "；".join(parts)


def problems_table(data: RoundData, kind: str, opts: ProblemsOptions, period: str) -> SheetTable | None:
    """问题清单 of sites or accounts, or None when no target has a problem."""
    sections = [(name, ts) for name, ts in problem_sections(data, kind, opts.scope) if ts]
    if not sections:
        return None
    noun = "政府网站" if kind == "site" else "政务新媒体"
    default = f"{period}检查发现{'存在突出问题' if opts.scope == 'veto' else '问题'}的{noun}名单"
    title = (opts.sites_title if kind == "site" else opts.accounts_title) or default
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
    table = SheetTable(title, cols, subtitle=_subtitle(data, period))
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
                row += [t.target.platform, t.target.name]
            if opts.show_url:
                row.append(t.target.url)
            row.append(problem_text(data, t))
            table.rows.append(row)
    table.notes.append(monitor_note(data.round))
    return table


def _result_text(t: TargetInfo) -> str:
    if not t.checked:
        return NOT_CHECKED
    s = t.scored.score
    return f"{s.result}（单项否决）" if s.veto_ids else s.result


def _main_problems(data: RoundData, t: TargetInfo) -> str:
    if not t.checked:
        return t.target.review_note or ""
    s = t.scored.score
    points = {d.indicator_id: d.points for d in s.deductions if d.role == "deduction"}
    parts = []
    for p in data.problems(t):
        if p.kind == "bonus":
            continue
        text = p.name + (f"（{p.count}{p.unit or '处'}）" if p.count > 1 else "")
        if p.kind == "veto":
            text = f"单项否决：{text}"
        elif points.get(p.indicator_id):
            text += f" 扣{fmt_points(points[p.indicator_id])}分"
        parts.append(text)
    return "；".join(parts)


def results_table(data: RoundData, title: str, period: str) -> SheetTable:
    """检查结果: one row per site with its score and result."""
    cols = [Column("序号", kind="int", width=6), Column("网站名称"), Column("网站标识码", width=13),
            Column("主办单位"), Column("地区"), Column("得分", kind="number", width=8),
            Column("是否合格", width=11), Column("主要问题", width=50)]
    table = SheetTable(title, cols, subtitle=_subtitle(data, period))
    for n, t in enumerate(data.sites, start=1):
        s = t.scored.score
        score = s.final_score if t.checked and s.final_score is not None else NOT_APPLICABLE
        table.rows.append([n, t.target.name, t.target.target_key, t.target.unit_name, t.scored.region or "",
                           score, _result_text(t), _main_problems(data, t)])
    notes = [f"注：得分为扣分指标得分与加分之和；单项否决的网站判定为不合格，不计得分。{monitor_note(data.round)[2:]}"]
    if data.unverified("site"):
        notes.append(UNVERIFIED_NOTE)
    table.notes = notes
    return table


def _checklist_row(cat: Catalogue, item_id: str, p: ProblemItem | None, points: dict, vetoed: bool,
                   as_of: str) -> list:
    path = cat.path.get(item_id, ())
    item = cat.items.get(item_id)
    kind = cat.kind(item_id)
    if kind == "veto":
        l1 = "单项否决指标"
        l2 = path[1].name if len(path) > 1 else (item.name if item else item_id)
        rule = path[2].name if len(path) > 2 else "—"
    elif item is None:
        l1, l2, rule = item_id, "—", "—"
    else:
        l1 = path[1].name if len(path) > 1 else item.name
        l2 = path[2].name if len(path) > 2 else "—"
        rule = path[3].name if len(path) > 3 else cat.rule_text(item)
        if kind == "bonus":
            l1 = f"加分：{l1}"
    if p is None:
        found, deduct = "未发现问题", (0 if kind == "deduction" else NOT_APPLICABLE)
        return [l1, l2, rule, found, deduct, "", ""]
    found = "；".join(p.details) if p.details else f"发现{p.count}{p.unit or '处'}"
    if p.details and p.count > len(p.details):
        found = f"共{p.count}{p.unit or '处'}：{found}"
    if kind == "veto":
        deduct = "单项否决"
    elif kind == "deduction":
        deduct = "未计分（已单项否决）" if vetoed else points.get(item_id, 0)
    elif kind == "bonus":
        deduct = f"加{fmt_points(points[item_id])}分" if item_id in points else "未加分"
    elif kind == "group":
        deduct = "不计分"
    else:
        deduct = "未计分"
    return [l1, l2, rule, found, deduct, "\n".join(p.urls[:10]), "、".join(p.dates) or as_of]


def checklist_table(data: RoundData, opts: DetailsOptions, title: str, period: str) -> SheetTable:
    """扣分明细: a block per site (heading, one row per indicator with findings or every indicator)."""
    cols = [Column("一级指标", width=14), Column("二级指标", width=16), Column("评分细则", width=28),
            Column("检查情况", width=36), Column("扣分", kind="number", width=9), Column("问题链接", width=30),
            Column("监测时间", width=11)]
    table = SheetTable(title, cols, subtitle=_subtitle(data, period))
    cat = data.catalogue("site")
    full = opts.checklist == "full"
    leaves = cat.leaves(("veto", "deduction", "bonus")) if full else []
    last = len(cols) - 1
    for n, t in enumerate(data.sites, start=1):
        s = t.scored.score
        start = len(table.rows)
        if opts.page_per_site and n > 1:
            table.page_breaks.append(start)
        head = f"{n}. {t.target.name}（{t.target.target_key}）　主办单位：{t.target.unit_name or '—'}"
        if t.checked:
            score = f"得分：{fmt_points(s.final_score)}分　" if s.final_score is not None else ""
            head += f"　{score}{_result_text(t)}"
        else:
            head += f"　{NOT_CHECKED}"
        problems = {p.indicator_id: p for p in data.problems(t)} if t.checked else {}
        ids = sorted(set(leaves) | set(problems), key=lambda i: cat.order.get(i, math.inf))
        if t.checked and not ids:
            head += "　未发现问题"            # one line per clean site keeps a big checklist short
        table.row_kinds[start] = "block"
        table.merges.append((start, 0, start, last))
        table.rows.append([head] + [None] * last)
        if not t.checked:
            table.rows.append(["—", "—", "—", f"未检查{('：' + t.target.review_note) if t.target.review_note else ''}",
                               NOT_APPLICABLE, "", ""])
            continue
        points = {d.indicator_id: d.points for d in s.deductions if d.role in ("deduction", "bonus")}
        for item_id in ids:
            table.rows.append(_checklist_row(cat, item_id, problems.get(item_id), points, t.vetoed,
                                             data.round.as_of))
        remarks = [d.explanation for d in s.deductions if d.role == "cap"] + list(s.notes)
        if remarks:
            table.merges.append((len(table.rows), 0, len(table.rows), last))
            table.rows.append(["说明：" + "".join(remarks)] + [None] * last)
    if data.unverified("site"):
        table.notes.append(UNVERIFIED_NOTE)
    return table


def platforms_table(data: RoundData, opts: PlatformsOptions, period: str) -> SheetTable:
    """平台合格率: per 平台 (national order) 账号数, 检查数, 合格数, 合格率, then 合计."""
    title = opts.title or f"{period}政务新媒体分平台检查情况"
    cols = [Column("平台", width=16), Column("账号数", kind="int"), Column("检查数", kind="int"),
            Column("合格数", kind="int")]
    if opts.show_outstanding:
        cols.append(Column("存在突出问题数", kind="int"))
    cols.append(Column("合格率", kind="percent", width=10))
    table = SheetTable(title, cols, subtitle=_subtitle(data, period))
    s = data.summary("account")
    totals: dict[str, int] = defaultdict(int)
    for t in data.accounts:
        totals[t.target.platform or "其他"] += 1
    order = [p for p in vocab.PLATFORMS if p in totals] + [p for p in totals if p not in vocab.PLATFORMS]

    def row(label: str, total: int, c: Counts) -> list:
        out = [label, total, c.checked, c.passed]
        if opts.show_outstanding:
            out.append(c.outstanding)
        return out + [rate_value(c)]

    for p in order:
        table.rows.append(row(p, totals[p], s.by_platform.get(p, Counts())))
    table.row_kinds[len(table.rows)] = "total"
    table.rows.append(row("合计", s.total, s.overall))
    if s.not_checked:
        table.notes.append(f"注：账号数含本轮标记为“未检查”的账号{len(s.not_checked)}个，其不计入检查数、合格数和合格率。")
    if data.unverified("account"):
        table.notes.append(UNVERIFIED_NOTE)
    return table


def messages_table(data: RoundData, opts: MessagesOptions, period: str) -> SheetTable | None:
    """找错留言统计: per 主办单位 受理, 属实, 办结, 按期办结, 按期办结率 (app.core.messages), then 合计."""
    report = data.messages
    if report is None or report.overall.received == 0:
        return None
    title = opts.title or f"{period}“我为政府网站找错”留言办理情况"
    cols = [Column("序号", kind="int", width=6), Column("主办单位", width=24), Column("受理", kind="int"),
            Column("属实", kind="int"), Column("办结", kind="int"), Column("按期办结", kind="int"),
            Column("按期办结率", kind="percent", width=10)]
    if opts.show_duration:
        cols += [Column("平均办理时长（工作日）", kind="number", width=10), Column("超期", kind="int")]

    def figures(s: MessageStats) -> list:
        out = [s.received, s.valid, s.closed, s.closed_on_time,
               NOT_APPLICABLE if s.on_time_rate is None else s.on_time_rate / 100]
        if opts.show_duration:
            out += [NOT_APPLICABLE if s.avg_workdays is None else s.avg_workdays, s.overdue]
        return out

    table = SheetTable(title, cols, subtitle=_subtitle(data, period))
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


def parse_families(text: str | None) -> list[str]:
    """'summary,problems' -> ['summary', 'problems']; ValueError (Chinese) for an unknown name."""
    if text is None or not text.strip():
        return list(FAMILIES)
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in FAMILIES]
    if bad:
        known = "、".join(f"{f.key}（{f.label}）" for f in list_annexes())
        raise ValueError(f"未知的附件类型“{'、'.join(bad)}”，可选：{known}")
    return list(dict.fromkeys(names))


def build_annexes(data: RoundData, families: list[str] | None = None,
                  options: ExportOptions | None = None) -> AnnexBuild:
    """The annexes of the chosen families (in the order given), numbered 附件1, 附件2 …

    An empty 问题清单 is left out, and so is a family that is not available yet; both
    are explained in ``notes``.
    """
    options = options or ExportOptions()
    if options.area:
        data.area = options.area
    period = options.period or data.period
    families = list(FAMILIES) if families is None else families
    out = AnnexBuild([])

    def add(key: str, title: str, sheets: list[tuple[str, SheetTable]]) -> None:
        out.annexes.append(Annex(key, len(out.annexes) + 1, title, sheets))

    for fam in families:
        if fam == "summary":
            t = summary_table(data, options.summary, period)
            add("summary", t.title, [("地区汇总", t)])
        elif fam == "problems":
            for kind, sheet in (("site", "问题网站"), ("account", "问题政务新媒体")):
                if not data.targets(kind):
                    continue
                t = problems_table(data, kind, options.problems, period)
                noun = "政府网站" if kind == "site" else "政务新媒体"
                if t is None:
                    out.notes.append(f"本轮未发现存在问题的{noun}，未生成{noun}问题清单。")
                else:
                    add(f"problems.{'sites' if kind == 'site' else 'accounts'}", t.title, [(sheet, t)])
        elif fam == "details":
            if not data.sites:
                out.notes.append("本轮没有网站检查对象，未生成检查结果与扣分明细。")
                continue
            title = options.details.title or f"{period}政府网站检查结果与扣分明细"
            sheets = [("检查结果", results_table(data, f"{period}政府网站检查结果", period))]
            if options.details.checklist != "none":
                sheets.append(("扣分明细", checklist_table(data, options.details, f"{period}政府网站扣分明细", period)))
            add("details", title, sheets)
        elif fam == "platforms":
            if not data.accounts:
                out.notes.append("本轮没有政务新媒体检查对象，未生成平台合格率。")
                continue
            t = platforms_table(data, options.platforms, period)
            add("platforms", t.title, [("平台合格率", t)])
        elif fam == "messages":
            t = messages_table(data, options.messages, period)
            if t is None:
                out.notes.append(data.notes[0] if data.messages is None and data.notes else NO_MESSAGES)
            else:
                add("messages", t.title, [("找错留言统计", t)])
        else:
            raise ValueError(f"未知的附件类型“{fam}”")
    return out
