"""The statistics circulars print, from a ``RoundData``: targets without deduction points and with
full marks (overall and per category), how often each problem occurs per category, the regions
that keep a group from 100 % (除佛山市外…), 找错 extras and registry hygiene counts.

``statistics_doc`` is their JSON form (``score --json``); circular_text.py words them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..rounds.scoring import Counts
from .annex_data import RoundData, TargetInfo
from .wording import approx_share, rate_at

MIN_POPULATION = 5          # frequencies are stated for categories of at least this many targets


def is_clean(data: RoundData, t: TargetInfo) -> bool:
    """Checked, and no confirmed problem other than a bonus item (无扣分点)."""
    return t.checked and not any(p.kind != "bonus" for p in data.problems(t))


def full_points(data: RoundData, kind: str) -> float | None:
    part = data.catalogue(kind).profile.part("deduction") if data.catalogue(kind).profile else None
    return None if part is None or part.points is None else float(part.points)


def has_full_marks(data: RoundData, t: TargetInfo) -> bool:
    """Checked, no veto, and the deduction part at its full points (满分); never in a veto-only round."""
    top = full_points(data, t.kind)
    s = t.scored.score
    return (t.checked and not data.round.veto_only and top is not None and not s.veto_ids
            and s.deduction_score is not None and s.deduction_score >= top)


def category_of(t: TargetInfo) -> str:
    return t.target.category if t.kind == "site" else t.target.platform


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    def doc(self, decimals: int = 2) -> dict:
        rate = rate_at(self.count, self.total, decimals)
        return {"count": self.count, "total": self.total, "share": None if rate is None else float(rate)}


def shares(data: RoundData, kind: str, test) -> tuple[Share, dict[str, Share]]:
    """(overall, per category) share of the checked targets passing ``test``."""
    checked = [t for t in data.targets(kind) if t.checked]
    per: dict[str, list[int]] = {}
    for t in checked:
        c = per.setdefault(category_of(t) or "其他", [0, 0])
        c[0] += bool(test(data, t))
        c[1] += 1
    overall = Share(sum(v[0] for v in per.values()), len(checked))
    return overall, {k: Share(*v) for k, v in per.items()}


@dataclass(frozen=True)
class Frequency:
    population: str          # a site category, or a region group
    by: str                  # "category" / "group"
    indicator_id: str
    name: str                # the indicator's name without its bracketed examples
    count: int               # targets with the problem
    total: int               # checked targets of the population

    @property
    def share_text(self) -> str:
        return approx_share(self.count, self.total)


def short_name(name: str) -> str:
    """'政策文件公开要素不完整（索引号、发文机关…）' -> '政策文件公开要素不完整'."""
    cut = name.split("（")[0].split("(")[0].strip()
    return cut or name


def problem_frequency(data: RoundData, kind: str = "site") -> list[Frequency]:
    """Per site category and per region group: the share of checked targets with each problem."""
    pops: dict[tuple[str, str], list[TargetInfo]] = {}
    for t in data.targets(kind):
        if not t.checked:
            continue
        if category_of(t):
            pops.setdefault(("category", category_of(t)), []).append(t)
        group = data.regions.get(t.region).group if t.region in data.regions else ""
        if group:
            pops.setdefault(("group", group), []).append(t)
    out = []
    cat = data.catalogue(kind)
    for (by, name), ts in pops.items():
        if len(ts) < MIN_POPULATION:
            continue
        hits: dict[str, int] = {}
        for t in ts:
            for item in {p.indicator_id for p in data.problems(t) if p.kind != "bonus"}:
                hits[item] = hits.get(item, 0) + 1
        for item, n in sorted(hits.items(), key=lambda kv: (-kv[1], cat.order.get(kv[0], 1 << 30))):
            label = cat.items[item].name if item in cat.items else item
            out.append(Frequency(name, by, item, short_name(label), n, len(ts)))
    return out


@dataclass(frozen=True)
class Exception_:
    group: str
    exceptions: tuple[str, ...]      # regions below 100 %
    others: int                      # regions of the group at 100 %


def exception_regions(data: RoundData, kind: str = "site") -> list[Exception_]:
    """Groups of three or more regions where only a few (at most a quarter, at least one) fall
    short of 100 %: the circulars' "除佛山市外，其他20个地级以上市…合格率达100%"."""
    s = data.summary(kind)
    groups: dict[str, list[str]] = {}
    for name in sorted(data.regions, key=lambda n: data.regions[n].order):
        info = data.regions[name]
        c = s.by_region.get(name, Counts())
        if info.group and c.checked:
            groups.setdefault(info.group, []).append(name)
    out = []
    for group, names in groups.items():
        short = [n for n in names if s.by_region[n].passed < s.by_region[n].checked]
        if len(names) >= 3 and 1 <= len(short) <= max(1, len(names) // 4):
            out.append(Exception_(group, tuple(short), len(names) - len(short)))
    return out


def statistics_doc(data: RoundData) -> dict:
    """JSON-ready statistics of a round (``score --json``: "statistics")."""
    d = data.rate_decimals
    doc: dict = {}
    for kind, key in (("site", "sites"), ("account", "accounts")):
        if not data.targets(kind):
            continue
        clean, clean_by = shares(data, kind, is_clean)
        part = {"without_deductions": {**clean.doc(d), "by_category": {k: v.doc(d) for k, v in clean_by.items()}}}
        if full_points(data, kind) is not None and not data.round.veto_only:
            full, full_by = shares(data, kind, has_full_marks)
            part["full_marks"] = {**full.doc(d), "by_category": {k: v.doc(d) for k, v in full_by.items()}}
        part["problem_frequency"] = [{"population": f.population, "by": f.by, "indicator_id": f.indicator_id,
                                      "name": f.name, "count": f.count, "total": f.total, "share_text": f.share_text}
                                     for f in problem_frequency(data, kind)]
        part["exceptional_regions"] = [{"group": e.group, "exceptions": list(e.exceptions), "others": e.others}
                                       for e in exception_regions(data, kind)]
        doc[key] = part
    report = data.messages
    if report is not None:
        s = report.overall
        rate = rate_at(s.closed_on_time, s.received, data.message_rate_decimals)
        doc["messages"] = {"from": report.period_from, "to": report.period_to, "received": s.received,
                           "valid": s.valid, "closed": s.closed, "closed_on_time": s.closed_on_time,
                           "on_time_rate": None if rate is None else float(rate),
                           "avg_workdays": None if s.avg_workdays is None else float(s.avg_workdays),
                           "problem_types": [{"type": k, "count": v} for k, v in data.message_types],
                           "units": data.message_units}
    if data.hygiene:
        doc["hygiene"] = dict(data.hygiene)
    return doc
