"""How a round draws its targets: census of a subset, then a seeded random sample of the rest
(a percentage or a fixed number), optionally stratified by 地区. Pure functions over registry records."""
from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass

CENSUS_SPLIT = re.compile(r"[、,，;；\s]+")


def draw_rank(seed: int, kind: str, rec: dict) -> str:
    """The record's place in the seeded random order (SHA-256 of seed and identity).

    Hash ranking instead of random.sample: the draw does not depend on the Python
    version, and adding or closing one record does not reshuffle everybody else.
    """
    ident = rec.get("site_code") if kind == "site" else f"{rec.get('platform')}:{rec.get('name')}:{rec.get('id')}"
    return hashlib.sha256(f"{seed}:{kind}:{ident}".encode("utf-8")).hexdigest()


def census_terms(text: str | None) -> tuple[str, ...]:
    """'区、市级部门' -> ('区', '市级部门')."""
    return tuple(dict.fromkeys(t for t in CENSUS_SPLIT.split(text or "") if t))


def in_census(rec: dict, terms: tuple[str, ...], regions: dict[str, tuple[str, str]]) -> bool:
    """A record is in the census when its 地区, the 地区's 分组 or 级别, or (a site) its 网站类别
    is one of ``terms``."""
    if not terms:
        return False
    region = rec.get("region") or ""
    group, level = regions.get(region, ("", ""))
    return (region in terms or bool(group and group in terms) or bool(level and level in terms)
            or bool(rec.get("category") and rec["category"] in terms))


@dataclass(frozen=True)
class CensusChoice:
    """A name a census can take, what it names, and how many running targets it takes whole."""
    term: str
    what: str                  # 分组, 级别, 地区 or 网站类别
    count: int


def census_choices(records: list[dict], kind: str, regions: dict[str, tuple[str, str]]) -> list[CensusChoice]:
    """Every 分组, 级别, 地区 (and, for sites, 网站类别) that in_census() matches among ``records``, with
    the number it matches: groups, then levels, then regions, in ``regions`` order, then categories."""
    rank: dict[str, tuple[int, int]] = {}            # term -> (kind of name, place)
    for i, (name, (group, level)) in enumerate(regions.items()):
        for what, term in ((0, group), (1, level), (2, name)):
            if term and (term not in rank or rank[term] > (what, i)):
                rank[term] = (what, i)
    counts: dict[str, int] = defaultdict(int)
    for rec in records:
        region = rec.get("region") or ""
        group, level = regions.get(region, ("", ""))
        category = rec.get("category") if kind == "site" else ""
        for what, term in ((2, region), (3, category)):
            if term:
                rank.setdefault(term, (what, len(regions) + len(rank)))
        for term in {group, level, region, category or ""} - {""}:
            counts[term] += 1                      # once per record, as in_census() takes it
    labels = ("分组", "级别", "地区", "网站类别")
    return [CensusChoice(term, labels[rank[term][0]], counts[term])
            for term in sorted(counts, key=lambda t: rank[t])]


def _quotas(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split ``total`` over groups in proportion to their sizes (largest remainder), at least one each
    while there is enough to go round."""
    n = sum(sizes.values())
    if total >= n:
        return dict(sizes)
    shares = {g: total * s / n for g, s in sizes.items()}
    out = {g: min(sizes[g], math.floor(v)) for g, v in shares.items()}
    if total >= len(sizes):
        for g in sizes:
            if out[g] == 0 and sizes[g]:
                out[g] = 1
    left = total - sum(out.values())
    for g in sorted(sizes, key=lambda g: (-(shares[g] - math.floor(shares[g])), g)):
        if left <= 0:
            break
        if out[g] < sizes[g]:
            out[g] += 1
            left -= 1
    while left < 0:                       # the at-least-one rule overshot: take back from the largest
        g = max(out, key=lambda g: (out[g], g))
        out[g] -= 1
        left += 1
    return out


def sample(pool: list[dict], pct: float | None, seed: int, kind: str, stratify: bool,
           count: int | None = None) -> list[dict]:
    """A reproducible random sample of ``pool`` kept in order: ``count`` records, else ``pct``
    percent (rounded up); stratified, each 地区 gives its share (at least one)."""
    if count is None and (pct is None or pct >= 100):
        return list(pool)
    if count is not None and count >= len(pool):
        return list(pool)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(pool):
        groups[(rec.get("region") or "") if stratify else ""].append(i)
    if count is not None:
        quota = _quotas({g: len(idx) for g, idx in groups.items()}, count)
    else:
        # Round up (epsilon: 10 * 30 / 100 is 3.0000000000000004), at least one per group.
        quota = {g: min(len(idx), max(1, math.ceil(len(idx) * pct / 100 - 1e-9))) for g, idx in groups.items()}
    chosen: set[int] = set()
    for g, idx in groups.items():
        chosen.update(sorted(idx, key=lambda i: draw_rank(seed, kind, pool[i]))[:quota[g]])
    return [pool[i] for i in sorted(chosen)]
