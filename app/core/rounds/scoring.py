"""Pure scoring: profile + target + findings -> TargetScore; many scores -> RoundSummary.

No DB and no I/O; every number comes from the profile. Arithmetic is exact (Decimal sums
of the profile's decimal figures, Fraction for the 4/3 scaling); scores are rounded HALF-UP
to the profile's ``score_decimals``, and the pass (``fail_below``) and bonus (``bonus_above``)
thresholds apply to the rounded value, so what is shown is what is judged. Rules, in order:

1. Only findings with status 确认 count. A confirmed finding on a veto item (or one of its
   clauses) fails the target; with ``veto_short_circuit`` scoring stops there.
2. A profile without a deduction part (national new media) passes every target without a
   veto; scores are None.
3. Deductions: per occurrence x count (a finding's ``deduct`` overrides the per-occurrence
   figure), capped per item (``cap`` else ``points``), then rolled up level by level, each
   level capped at its own points, and the part at its points (or the 75 base, below).
4. ``no_double_deduction`` groups: among the items of a group only the largest (already
   capped) deduction counts; the others count 0 (ties: the first listed item wins).
5. ``no_external_service`` (site without 对外服务职能): its excluded items are skipped, the
   rest is scored out of ``base_points`` and multiplied by numerator/denominator.
6. score < fail_below fails; score > bonus_above enters the bonus part (portals only when
   ``bonus_portals_only``), capped at the bonus part's points; final = deduction + bonus.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Iterable, NamedTuple

from .profiles import Profile, ProfileItem

CONFIRMED = "确认"
PASSED_ZH, FAILED_ZH = "合格", "不合格"
# A round target's check state. Only 已检查 targets enter the counts and 合格率; 待检查 ones
# (neither crawled nor reviewed yet) and 未检查 ones (left out on purpose, with a reason) are listed apart.
PENDING, CHECKED, NOT_CHECKED = "待检查", "已检查", "未检查"
UNKNOWN_REGION = "未填地区"


class FindingInput(NamedTuple):
    """One finding as the scorer sees it (a tuple: cheap to build in bulk)."""
    indicator_id: str
    count: int = 1
    deduct: float | None = None     # overrides the item's per-occurrence figure
    status: str = CONFIRMED


@dataclass(frozen=True)
class TargetSpec:
    target_type: str = "site"       # 'site' | 'account'
    is_portal: bool = False
    has_external_service: bool = True


@dataclass(frozen=True)
class ItemScore:
    """One line of the score explanation."""
    indicator_id: str
    name: str
    role: str             # veto / deduction / bonus / cap / note
    count: int
    points: float         # deduction (bonus: points added) as counted; cap: the capped total
    explanation: str
    unverified: bool = False


@dataclass(frozen=True)
class TargetScore:
    target_type: str
    passed: bool
    result: str                                  # 合格 / 不合格
    veto_ids: tuple[str, ...]                    # level-1 veto items hit
    deduction_score: float | None
    bonus_score: float | None
    final_score: float | None
    deductions: tuple[ItemScore, ...]
    totals: tuple[tuple[str, float], ...] = ()   # item id -> points counted under it (after caps)
    unverified_used: bool = False                # an unverified number or rule influenced the result
    scaled: bool = False                         # scored under the no-external-service rule
    notes: tuple[str, ...] = ()


@dataclass
class _Node:
    item: ProfileItem
    part: str
    parent: str | None
    top: str
    order: int
    per: Decimal | None
    cap: Decimal | None


@dataclass
class _Acc:
    count: int = 0
    raw: Decimal = Decimal(0)
    used_default: bool = False
    used_override: bool = False
    unscorable: int = 0


_ZERO = Decimal(0)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """Exact HALF-UP rounding of a non-negative number to ``places`` decimals."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    q, r = divmod(value.numerator * 10 ** places, value.denominator)
    if 2 * r >= value.denominator:
        q += 1
    return Decimal(q).scaleb(-places)


class Scorer:
    """A profile compiled for fast repeated scoring (one per profile per round).

    ``explain`` False leaves out the explanation lines (TargetScore.deductions stays empty): the same
    results and notes, a quarter faster, for figures over a whole round (the 总览)."""

    def __init__(self, profile: Profile, explain: bool = True):
        self.profile = profile
        self.explain = explain
        self.nodes: dict[str, _Node] = {}
        for part in profile.items:
            self._index(part, part.kind, None, part.id)
        rule = profile.rule
        self.r_short, self.r_veto_score = rule("veto_short_circuit"), rule("veto_score")
        self.r_fail, self.r_above = rule("fail_below"), rule("bonus_above")
        self.r_portals, self.r_dec = rule("bonus_portals_only"), rule("score_decimals")
        self.r_nes, self.r_groups = rule("no_external_service"), rule("no_double_deduction")
        self.short_circuit = bool(self.r_short.value) if self.r_short else True
        self.decimals = int(self.r_dec.value) if self.r_dec else 2
        self._quantum = Decimal(1).scaleb(-self.decimals)
        self.ded_part, self.bonus_part = profile.part("deduction"), profile.part("bonus")
        self.excluded: frozenset[str] = frozenset()
        if self.r_nes:
            v = self.r_nes.value
            self.excluded = frozenset(d.id for i in v["excluded_items"] for d in profile.item(i).walk())
            self.base = _dec(v["base_points"])
            self.mult = Fraction(int(v["multiplier_numerator"]), int(v["multiplier_denominator"]))
        self.groups = [(g.get("name") or g.get("id") or "", list(g["items"])) for g in
                       (self.r_groups.value if self.r_groups else [])]
        self._amounts: dict[float, Decimal] = {}

    def _index(self, item: ProfileItem, part: str, parent: str | None, top: str) -> None:
        if item.level == 1:
            top = item.id
        self.nodes[item.id] = _Node(item, part, parent, top, len(self.nodes), _dec(item.per_occurrence),
                                    _dec(item.max_deduction))
        for child in item.children:
            self._index(child, part, item.id, top)

    def _round(self, value: Decimal) -> Decimal:
        return value.quantize(self._quantum, rounding=ROUND_HALF_UP)

    def _fmt(self, value: Decimal) -> str:
        text = str(self._round(value))
        return text.rstrip("0").rstrip(".") if "." in text else text

    def _amount(self, value) -> Decimal:
        d = self._amounts.get(value)
        if d is None:
            d = self._amounts[value] = max(Decimal(str(value)), _ZERO)
        return d

    # ------------------------------------------------------------ main entry

    def score(self, target: TargetSpec, findings: Iterable[FindingInput]) -> TargetScore:
        with localcontext() as ctx:
            ctx.prec = 60          # sums of short decimals stay exact
            return self._score(target, findings)

    def score_all(self, items: Iterable[tuple[TargetSpec, Iterable[tuple]]]) -> list[TargetScore]:
        """``score`` of many targets at once (one decimal context); findings may be plain tuples
        in FindingInput's order (indicator_id, count, deduct, status)."""
        with localcontext() as ctx:
            ctx.prec = 60
            return [self._score(target, findings) for target, findings in items]

    def _score(self, target: TargetSpec, findings: Iterable[FindingInput]) -> TargetScore:
        scaled = self.r_nes is not None and not target.has_external_service
        excluded = self.excluded if scaled else frozenset()
        vetoes: dict[str, list[str]] = {}
        accs: dict[str, _Acc] = {}
        skipped: dict[str, int] = {}
        unknown: list[str] = []
        notes: list[str] = []
        nodes = self.nodes
        for indicator_id, count, deduct, status in findings:     # FindingInput or a plain tuple
            if status != CONFIRMED:
                continue
            node = nodes.get(indicator_id)
            if node is None:
                if indicator_id not in unknown:
                    unknown.append(indicator_id)
                continue
            count = max(int(count or 0), 0)
            if indicator_id in excluded:
                skipped[indicator_id] = skipped.get(indicator_id, 0) + count
                continue
            part = node.part
            if part == "veto":
                vetoes.setdefault(node.top, []).append(indicator_id)
                continue
            acc = accs.get(indicator_id)
            if acc is None:
                acc = accs[indicator_id] = _Acc()
            acc.count += count
            if part == "group":
                continue
            if deduct is not None:
                acc.raw += self._amount(deduct) * count
                acc.used_override = True
            elif node.per is not None:
                acc.raw += node.per * count
                acc.used_default = True
            else:
                acc.unscorable += count
        for item_id in unknown:
            notes.append(f"指标“{item_id}”不在规则集“{self.profile.id}”中，相关问题未计分。")
        lines = self._record_lines(accs, skipped) if self.explain else []
        veto_ids = tuple(sorted(vetoes, key=lambda i: self.nodes[i].order))
        veto_lines = [self._veto_line(top, vetoes[top]) for top in veto_ids] if self.explain else []
        if veto_ids and self.short_circuit:
            vs = self.r_veto_score.value if self.r_veto_score else None
            unverified = not self.r_short.verified or (vs is not None and not self.r_veto_score.verified)
            return TargetScore(target.target_type, False, FAILED_ZH, veto_ids, None, None,
                               None if vs is None else float(vs), tuple(veto_lines + lines),
                               (), unverified, scaled, tuple(notes))
        if self.ded_part is None:
            passed = not veto_ids
            return TargetScore(target.target_type, passed, PASSED_ZH if passed else FAILED_ZH, veto_ids,
                               None, None, None, tuple(veto_lines + lines), (), False, scaled, tuple(notes))
        return self._score_parts(target, scaled, veto_ids, veto_lines, accs, lines, notes)

    # ------------------------------------------------------------ pieces

    def _veto_line(self, top: str, hits: list[str]) -> ItemScore:
        node = self.nodes[top]
        clauses = [self.nodes[h].item.name for h in dict.fromkeys(hits) if h != top]
        detail = f"（{'；'.join(clauses)}）" if clauses else ""
        return ItemScore(top, node.item.name, "veto", len(hits), 0.0,
                         f"单项否决：{node.item.name}{detail}，判定为不合格。")

    def _record_lines(self, accs: dict[str, _Acc], skipped: dict[str, int]) -> list[ItemScore]:
        lines = []
        for item_id, acc in accs.items():
            node = self.nodes[item_id]
            if node.part == "group":
                lines.append(ItemScore(item_id, node.item.name, "note", acc.count, 0.0,
                                       f"{node.item.name}：{acc.count}{node.item.unit or '处'}（仅记录，不计分）。"))
        for item_id, n in skipped.items():
            item = self.nodes[item_id].item
            lines.append(ItemScore(item_id, item.name, "note", n, 0.0,
                                   f"{item.name}：无对外服务职能，不检查此项，{n}{item.unit or '处'}未计分。"))
        return sorted(lines, key=lambda line: self.nodes[line.indicator_id].order)

    def _tally(self, part: str, accs: dict[str, _Acc], limit: Decimal, limit_label: str,
               groups: bool) -> tuple[Decimal, list[ItemScore], dict[str, Decimal], bool]:
        """Caps, groups and roll-up for one part. Returns (total, lines, totals, unverified)."""
        verb = "加" if part == "bonus" else "扣"
        own: dict[str, Decimal] = {}
        info: dict[str, tuple[_Acc, bool, bool]] = {}
        unverified = False
        for item_id, acc in accs.items():
            node = self.nodes[item_id]
            if node.part != part:
                continue
            bound = node.cap is not None and acc.raw > node.cap
            own[item_id] = node.cap if bound else acc.raw
            unv = not node.item.verified and (acc.used_default or bound)
            unverified |= unv
            info[item_id] = (acc, bound, unv)
        suppressed: dict[str, tuple[str, str]] = {}
        if groups:
            for name, members in self.groups:
                present = [m for m in members if own.get(m, 0) > 0]
                if len(present) > 1:
                    winner = max(present, key=lambda m: own[m])
                    for m in present:
                        if m != winner:
                            suppressed[m] = (winner, name)
                    unverified |= not self.r_groups.verified
        lines: list[tuple[int, ItemScore]] = []
        for item_id, (acc, bound, unv) in info.items():
            if not self.explain:
                if item_id in suppressed:
                    own[item_id] = _ZERO
                continue
            node = self.nodes[item_id]
            it, unit = node.item, node.item.unit or "次"
            if acc.raw == 0 and acc.unscorable:
                lines.append((node.order, ItemScore(item_id, it.name, "note", acc.count, 0.0,
                              f"{it.name}：未设定每次分值，{acc.unscorable}{unit}未计分（请在问题中填写分值或补充规则集）。")))
                continue
            if acc.used_default and not acc.used_override:
                text = f"{it.name}：{acc.count}{unit} × {self._fmt(node.per)}分，{verb}{self._fmt(acc.raw)}分"
            else:
                text = f"{it.name}：共{acc.count}{unit}，{verb}{self._fmt(acc.raw)}分（含人工指定分值）"
            if bound:
                text += f"，超过单项上限{self._fmt(node.cap)}分，按{self._fmt(node.cap)}分计"
            counted = own[item_id]
            if item_id in suppressed:
                winner, name = suppressed[item_id]
                text += f"；与“{self.nodes[winner].item.name}”同属不重复扣分组“{name}”，只计较多的一项，此项不计"
                counted = _ZERO
                own[item_id] = counted
            lines.append((node.order, ItemScore(item_id, it.name, part, acc.count,
                                                float(self._round(counted)), text + "。", unv)))
        totals = dict(own)
        by_level: dict[int, set[str]] = {}
        for item_id in own:
            by_level.setdefault(self.nodes[item_id].item.level, set()).add(item_id)
        for level in range(max(by_level, default=0), 0, -1):
            for item_id in by_level.get(level, ()):
                node = self.nodes[item_id]
                t = totals[item_id]
                if node.cap is not None and t > node.cap:      # only children can push past the cap
                    if self.explain:
                        lines.append((node.order, ItemScore(item_id, node.item.name, "cap", 0,
                                      float(node.cap), f"{node.item.name}：合计{verb}{self._fmt(t)}分，超过该项分值"
                                      f"{self._fmt(node.cap)}分，按{self._fmt(node.cap)}分计。", not node.item.verified)))
                    unverified |= not node.item.verified
                    t = totals[item_id] = node.cap
                totals[node.parent] = totals.get(node.parent, _ZERO) + t
                by_level.setdefault(level - 1, set()).add(node.parent)
        part_item = self.ded_part if part == "deduction" else self.bonus_part
        total = totals.get(part_item.id, _ZERO)
        if total > limit:
            if self.explain:
                lines.append((self.nodes[part_item.id].order, ItemScore(part_item.id, part_item.name, "cap", 0,
                              float(limit), f"{limit_label}：合计{verb}{self._fmt(total)}分，超过{self._fmt(limit)}分，"
                              f"按{self._fmt(limit)}分计。")))
            total = totals[part_item.id] = limit
            unverified |= not part_item.verified
        lines.sort(key=lambda x: x[0])
        return total, [line for _, line in lines], totals, unverified

    def _score_parts(self, target, scaled, veto_ids, veto_lines, accs, lines, notes) -> TargetScore:
        part = self.ded_part
        limit = self.base if scaled else _dec(part.points)
        label = part.name
        if scaled:
            skipped = "、".join(self.nodes[i].item.name for i in self.r_nes.value["excluded_items"])
            label = f"{part.name}（不含{skipped}）"
        total, ded_lines, totals, unverified = self._tally("deduction", accs, limit, label, groups=True)
        exact = Fraction(limit - total) * self.mult if scaled else limit - total
        ded = round_half_up(exact, self.decimals)
        if scaled:
            notes.append(f"无对外服务职能：{label}按{self._fmt(self.base)}分计，得{self._fmt(limit - total)}分，"
                         f"乘以{self.mult.numerator}/{self.mult.denominator}折算为{ded}分。")
            unverified |= not self.r_nes.verified
        unverified |= not self.r_fail.verified or (not self.r_dec.verified and ded != exact)
        fail_below = _dec(self.r_fail.value)
        passed = not veto_ids and ded >= fail_below
        if ded < fail_below:
            notes.append(f"扣分指标得分{ded}分，低于{self.r_fail.value}分，不合格。")
        bonus, bonus_lines = Decimal(0).scaleb(-self.decimals), []
        has_bonus = any(self.nodes[i].part == "bonus" for i in accs)
        if self.bonus_part is not None and has_bonus:
            applicable = not (self.r_portals.value and not target.is_portal)
            above = _dec(self.r_above.value)
            if not applicable:
                notes.append("加分指标仅适用于政府门户网站，此网站不计加分。")
                unverified |= not self.r_portals.verified
            elif ded <= above:
                notes.append(f"扣分指标得分{ded}分，未高于{self.r_above.value}分，不计加分。")
                unverified |= not self.r_above.verified
            else:
                btotal, bonus_lines, btotals, bunv = self._tally(
                    "bonus", accs, _dec(self.bonus_part.points), self.bonus_part.name, groups=False)
                bonus = self._round(btotal)
                totals.update(btotals)
                unverified |= bunv or not self.r_above.verified
        result_totals = tuple((i, float(self._round(t)))
                              for i, t in sorted(totals.items(), key=lambda kv: self.nodes[kv[0]].order) if t > 0)
        return TargetScore(
            target.target_type, passed, PASSED_ZH if passed else FAILED_ZH, veto_ids,
            float(ded), float(bonus), float(ded + bonus),
            tuple(veto_lines + ded_lines + bonus_lines + lines), result_totals, unverified, scaled, tuple(notes))


def score_target(profile: Profile, target: TargetSpec, findings: Iterable[FindingInput]) -> TargetScore:
    """Score one target (compiles the profile each call; use Scorer for many targets)."""
    return Scorer(profile).score(target, findings)


# ---------------------------------------------------------------- round summary

@dataclass(frozen=True)
class ScoredTarget:
    key: str                 # 网站标识码, or 平台:账号名称
    name: str
    target_type: str
    region: str
    category: str
    platform: str
    review_state: str
    score: TargetScore

    @property
    def checked(self) -> bool:
        return self.review_state == CHECKED

    @property
    def result(self) -> str:
        """合格/不合格 once checked, else the state (待检查/未检查)."""
        return self.score.result if self.checked else self.review_state


def pass_rate(passed: int, checked: int) -> Decimal | None:
    """合格率 in percent, HALF-UP to two decimals (3718/3722 -> 99.89); None when nothing checked."""
    return None if checked == 0 else round_half_up(Fraction(100 * passed, checked), 2)


@dataclass(frozen=True)
class Counts:
    checked: int = 0
    passed: int = 0
    failed: int = 0
    outstanding: int = 0     # 存在突出问题: failed or with a confirmed veto finding

    @property
    def pass_rate(self) -> Decimal | None:
        return pass_rate(self.passed, self.checked)

    def add(self, score: TargetScore) -> "Counts":
        bad = (not score.passed) or bool(score.veto_ids)
        return Counts(self.checked + 1, self.passed + score.passed, self.failed + (not score.passed),
                      self.outstanding + bad)


@dataclass(frozen=True)
class TypeSummary:
    target_type: str
    total: int
    overall: Counts
    by_region: dict = field(default_factory=dict)      # region -> Counts
    by_category: dict = field(default_factory=dict)
    by_platform: dict = field(default_factory=dict)
    not_checked: tuple[str, ...] = ()                  # keys of targets marked 未检查
    pending: tuple[str, ...] = ()                      # keys of targets still 待检查

    @property
    def coverage(self) -> str:
        """"检查 57 个中的 4 个" (or "全部 57 个已检查")."""
        if self.overall.checked == self.total:
            return f"全部 {self.total} 个已检查"
        return f"检查 {self.total} 个中的 {self.overall.checked} 个"

    @property
    def complete(self) -> bool:
        """Nothing left 待检查 (未检查 ones are left out on purpose)."""
        return not self.pending


@dataclass(frozen=True)
class RoundSummary:
    sites: TypeSummary
    accounts: TypeSummary


def _type_summary(target_type: str, targets: list[ScoredTarget]) -> TypeSummary:
    # Tallied as plain lists, made Counts at the end (as Counts.add would count them): a round of
    # thousands of targets would otherwise build four frozen Counts per target.
    overall, regions, categories, platforms, skipped, pending = [0, 0, 0, 0], {}, {}, {}, [], []
    for t in targets:
        if not t.checked:
            (skipped if t.review_state == NOT_CHECKED else pending).append(t.key)
            continue
        s = t.score
        step = (1, int(s.passed), int(not s.passed), int((not s.passed) or bool(s.veto_ids)))
        keys = [(regions, t.region or UNKNOWN_REGION)]
        if t.category:
            keys.append((categories, t.category))
        if t.platform:
            keys.append((platforms, t.platform))
        for tally in [overall] + [d.setdefault(k, [0, 0, 0, 0]) for d, k in keys]:
            for i, n in enumerate(step):
                tally[i] += n

    def counts(d: dict) -> dict:
        return {k: Counts(*v) for k, v in d.items()}
    return TypeSummary(target_type, len(targets), Counts(*overall), counts(regions), counts(categories),
                       counts(platforms), tuple(skipped), tuple(pending))


def summarize(targets: Iterable[ScoredTarget]) -> RoundSummary:
    """Counts and 合格率 per type, overall and by 地区 / category / 平台, of 已检查 targets only;
    待检查 and 未检查 ones listed apart."""
    targets = list(targets)
    return RoundSummary(_type_summary("site", [t for t in targets if t.target_type == "site"]),
                        _type_summary("account", [t for t in targets if t.target_type == "account"]))
