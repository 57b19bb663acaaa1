"""What the annexes of a round are built from: options, families, catalogue, ``RoundData`` and shared wording.

Every count, score and 合格率 comes from ``round_scores.score_round`` — the figures the
``score`` command prints — so the annexes, the circular draft and ``score`` agree. This
module reads the round once; the tables are built in annex_tables.py, files written by annex_xlsx.py.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from ..errors import GovInspectError
from ..followup.media_monitoring import ActivityRow, activity_rows
from ..followup.messages import MessageReport, message_stats
from ..office.xlsx import NOT_APPLICABLE, SheetTable
from ..rounds import rounds
from ..rounds.findings import Finding, list_findings
from ..rounds.profiles import Profile, ProfileItem
from ..rounds.round_scores import RoundScores, score_round
from ..rounds.rounds import Round, RoundTarget
from ..rounds.scoring import UNKNOWN_REGION, Counts, ScoredTarget
from ..store.db import get_setting
from .families import ANNEX_LABELS, FAMILIES
from .options import (ActivityOptions, DetailsOptions, ExportOptions, MessagesOptions, PlatformsOptions,
                      ProblemsOptions, SummaryOptions)
from .wording import fmt_points, period_label, rate_at, safe_filename

AREA_SETTING = "export.area"          # settings key: the 地区 named in titles (e.g. 江州市)
UNVERIFIED_NOTE = ("部分扣分标准待核对：本表部分得分或合格判定用到了尚未对照原文核对的指标分值或评分规则，"
                   "正式印发前请核对指标规则集。")
NO_MESSAGES = "检查期内没有“我为政府网站找错”留言记录（如有留言，请先导入），未生成找错留言统计。"
NO_ACTIVITY = ("本轮没有政务新媒体发布条数监测数据（如有，请先在新媒体复核中导入监测数据），"
               "未生成新媒体发布情况统计。")
SECTION_NUMBERS = "一二三四五六七八九十"



def rate_value(counts: Counts, decimals: int = 2):
    """合格率 as a cell value: the fraction (0.9989 for 99.89 %) or "—" when nothing was checked."""
    rate = rate_at(counts.passed, counts.checked, decimals)
    return NOT_APPLICABLE if rate is None else rate / 100


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
    def family(key: str, description: str, options_type: type) -> AnnexFamily:
        return AnnexFamily(key, ANNEX_LABELS[key], description, options_type)
    return [
        family("summary", "按地区/单位分组统计网站和政务新媒体数量、存在突出问题数（可加检查数、合格数、合格率），含合计行。",
               SummaryOptions),
        family("problems", "存在问题的网站、政务新媒体名单，单项否决在前、扣分在后，附监测时间说明。", ProblemsOptions),
        family("details", "每个网站的得分、是否合格、主要问题，以及逐项扣分明细。", DetailsOptions),
        family("platforms", "政务新媒体按平台统计账号数、检查数、合格数、合格率。", PlatformsOptions),
        family("messages", "“我为政府网站找错”留言按主办单位统计受理、属实、办结、按期办结率。", MessagesOptions),
        family("activity", "政务新媒体按本轮名录顺序列出主办单位、平台、期间发布条数和最近更新日期，含合计行"
                           "（取新媒体复核中导入的监测数据）。", ActivityOptions),
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
        return self.scored.checked

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
    messages: MessageReport | None = None   # 找错 messages submitted in the round's period (or the chosen window)
    message_types: list[tuple[str, int]] = field(default_factory=list)    # 问题类型 by frequency
    message_units: int = 0                  # units the messages concern
    hygiene: dict[str, int] = field(default_factory=dict)   # registry hygiene counts (同一平台多个账号, 未备案)
    rate_decimals: int = 2
    message_rate_decimals: int = 2
    layout: object = None                   # layout.Layout of the export (set by build_annexes)
    activity: list[ActivityRow] = field(default_factory=list)   # posts per account (media_review)
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
        return (pct is not None and pct < 100) or any(t.target.reason in ("抽样", "普查") for t in self.targets(kind))

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


def message_period(rnd: Round, options: ExportOptions | None = None) -> tuple[str, str]:
    """Messages counted for a round: submitted in the chosen window, else in its period (else in the
    监测时间点's month up to it)."""
    start = rnd.period_from or rnd.as_of[:8] + "01"
    end = rnd.period_to or rnd.as_of
    if options is not None and options.messages_from:
        start = options.messages_from.isoformat()
    if options is not None and options.messages_to:
        end = options.messages_to.isoformat()
    return start, end


def _message_extras(db: sqlite_utils.Database, start: str, end: str) -> tuple[list[tuple[str, int]], int]:
    """问题类型 by frequency and the number of units concerned, of the messages in a window."""
    from ..followup.messages import UNMATCHED_UNIT, list_messages
    msgs = list_messages(db, start, end)
    types: dict[str, int] = {}
    for m in msgs:
        if (m.problem_type or "").strip():
            types[m.problem_type.strip()] = types.get(m.problem_type.strip(), 0) + 1
    units = {m.unit_name or m.site_name for m in msgs if (m.unit_name or m.site_name) and m.unit_name != UNMATCHED_UNIT}
    return sorted(types.items(), key=lambda kv: -kv[1]), len(units)


def _hygiene_counts(db: sqlite_utils.Database, as_of: str) -> dict[str, int]:
    """同一平台多个账号 and 未备案 accounts in the registry on the 监测时间点 (the circulars' hygiene figures)."""
    from ..followup.hygiene import check_registry
    try:
        report = check_registry(db, as_of)
    except GovInspectError:
        return {}
    multi = [i for i in report.issues if i.rule == "multi_account"]
    return {"multi_account_units": len({i.unit_name for i in multi}), "multi_account_accounts": len(multi),
            "unfiled": sum(1 for i in report.issues if i.rule == "unfiled")}


def default_area(db: sqlite_utils.Database) -> str:
    """The 地区 named in titles: the export.area setting, else the top region of the region
    structure (级别 省 or 市 without a 分组, 省 first), else the first top-level 省/市 region."""
    value = (get_setting(db, AREA_SETTING) or "").strip()
    if value:
        return value
    row = db.conn.execute("SELECT name FROM regions WHERE parent_id IS NULL AND level IN ('省', '市') "
                          "ORDER BY COALESCE(group_name, '') != '', level != '省', sort_order, id LIMIT 1").fetchone()
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


def load_round_data(db: sqlite_utils.Database, round_id: int, area: str | None = None,
                    options: ExportOptions | None = None) -> RoundData:
    """Read and score a round once (ValidationError for an unknown round). ``options`` may set the
    window of the 找错 messages (their own, not tied to the round) and the rate decimals."""
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
    data.activity = activity_rows(db, round_id)
    if options is not None:
        data.rate_decimals, data.message_rate_decimals = options.rate_decimals, options.message_rate_decimals
    try:
        start, end = message_period(rnd, options)
        data.messages = message_stats(db, start, end)
        data.message_types, data.message_units = _message_extras(db, start, end)
    except GovInspectError as exc:       # e.g. a broken holiday override file: the other annexes still go out
        data.notes.append(f"找错留言统计未能生成：{exc}")
    data.hygiene = _hygiene_counts(db, rnd.as_of) if data.accounts else {}
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


def coverage_warning(data: RoundData) -> str:
    """'' when every target is checked (or marked 未检查), else what is missing, for the user."""
    missing = []
    for kind, noun, unit in (("site", "网站", "家"), ("account", "政务新媒体", "个")):
        s = data.summary(kind)
        if s.pending:
            missing.append(f"{noun}{s.total}{unit}中已检查{s.overall.checked}{unit}、{len(s.pending)}{unit}待检查")
    if not missing:
        return ""
    return ("检查尚未完成：" + "；".join(missing) + "。待检查的对象不计入合格率，"
            "通报正文已如实写明覆盖情况；完成检查或将其标记为“未检查”后再对外印发。")
