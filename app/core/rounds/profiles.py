"""Indicator profiles (指标规则集): the rule tree as data, built-in JSON files and user copies.

A profile covers one target type ('site' or 'account'); profiles sharing a ``set_id``
(e.g. ``national-2019``) form the rule set a round names in ``rounds.profile_id``.
Built-ins live in resources/indicators/*.json; an edited or imported profile is
stored in the ``profiles`` table and overrides the built-in with the same id.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from ..errors import GovInspectError, ValidationError
from ..store import audit
from ..store.db import transaction
from ..store.paths import resources_dir

FORMAT = "govinspect-indicator-profile"
SET_FORMAT = "govinspect-profile-set"
KINDS = ("veto", "deduction", "bonus", "group")
KIND_ZH = {"veto": "单项否决", "deduction": "扣分", "bonus": "加分", "group": "分组"}
TARGET_TYPES = ("site", "account")
TARGET_ZH = {"site": "网站", "account": "新媒体账号"}
NUMBER_FIELDS = ("points", "cap", "per_occurrence")
NUMBER_ZH = {"points": "分值", "cap": "单项上限", "per_occurrence": "扣分标准(每次)"}
RULE_ZH = {
    "veto_short_circuit": "单项否决即不合格并停止计分",
    "veto_score": "否决时记分",
    "fail_below": "低于此分不合格",
    "bonus_above": "高于此分计入加分",
    "bonus_portals_only": "加分仅限门户网站",
    "no_external_service": "无对外服务职能折算",
    "no_double_deduction": "不重复扣分组",
    "score_decimals": "得分小数位数",
    "undated_counts_as_not_updated": "无日期信息视为未更新",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


@dataclass(frozen=True)
class ProfileItem:
    """One node of the tree: a part (level 0), an indicator, or a clause/rule below it."""
    id: str
    name: str
    kind: str                      # veto / deduction / bonus / group (group: record only, no points)
    level: int
    points: float | None = None    # full value; also the deduction cap unless ``cap`` is set
    cap: float | None = None
    per_occurrence: float | None = None
    unit: str = ""
    params: dict = field(default_factory=dict)
    verified: bool = False         # every number and the wording checked against the official text
    sources: tuple[str, ...] = ()
    notes: str = ""
    children: tuple["ProfileItem", ...] = ()

    @property
    def max_deduction(self) -> float | None:
        return self.cap if self.cap is not None else self.points

    def walk(self) -> Iterator["ProfileItem"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Rule:
    """A scoring rule (threshold, scaling, groups …) with its own verification mark."""
    key: str
    value: Any
    verified: bool = False
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Profile:
    id: str
    version: str
    name: str
    target_type: str
    set_id: str = ""
    document: str = ""
    notes: str = ""
    items: tuple[ProfileItem, ...] = ()
    rules: tuple[Rule, ...] = ()
    problem_map: dict = field(default_factory=dict)

    def walk(self) -> Iterator[ProfileItem]:
        for part in self.items:
            yield from part.walk()

    def item(self, item_id: str) -> ProfileItem | None:
        return next((i for i in self.walk() if i.id == item_id), None)

    def part(self, kind: str) -> ProfileItem | None:
        return next((p for p in self.items if p.kind == kind), None)

    def rule(self, key: str) -> Rule | None:
        return next((r for r in self.rules if r.key == key), None)


@dataclass(frozen=True)
class ProfileInfo:
    id: str
    set_id: str
    version: str
    name: str
    target_type: str
    origin: str           # 内置 / 内置（已修改） / 用户
    unverified: int       # items and rules not yet verified


# ---------------------------------------------------------------- JSON form

def add_problem(problems: dict, key: str, message: str) -> None:
    """Collect a ValidationError problem; a second one for the same key is appended."""
    problems[key] = f"{problems[key]}；{message}" if key in problems else message


def _num(value, where: str, problems: dict) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        add_problem(problems, where, f"应为数字，实际为“{value}”")
        return None
    if value < 0 or value != value or value in (float("inf"), float("-inf")):
        add_problem(problems, where, f"不能为负数或非有限数（{value}）")
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _item_from(data: Any, level: int, parent_kind: str | None, seen: set, problems: dict) -> ProfileItem | None:
    if not isinstance(data, dict):
        add_problem(problems, f"第{level}层指标", "应为对象")
        return None
    item_id = str(data.get("id") or "").strip()
    where = item_id or f"第{level}层指标（无ID）"
    if not _ID.match(item_id):
        add_problem(problems, where, f"指标ID“{item_id}”为空或含有不允许的字符")
    elif item_id in seen:
        add_problem(problems, where, f"指标ID“{item_id}”重复")
    seen.add(item_id)
    kind = data.get("kind")
    if kind not in KINDS:
        add_problem(problems, where, f"类型“{kind}”无效，应为 {'/'.join(KINDS)}")
    elif parent_kind is not None and kind != parent_kind:
        add_problem(problems, where, f"类型“{KIND_ZH[kind]}”与上级“{KIND_ZH.get(parent_kind, parent_kind)}”不一致")
    if data.get("level", level) != level:
        add_problem(problems, where, f"层级应为{level}（按所在位置），实际为{data.get('level')}")
    name = str(data.get("name") or "").strip()
    if not name:
        add_problem(problems, where, "指标名称不能为空")
    nums = {f: _num(data.get(f), f"{where}·{NUMBER_ZH[f]}", problems) for f in NUMBER_FIELDS}
    params = data.get("params") or {}
    if not isinstance(params, dict):
        add_problem(problems, f"{where}·阈值", "应为键值对象")
        params = {}
    children = []
    for child in data.get("children") or ():
        parsed = _item_from(child, level + 1, kind, seen, problems)
        if parsed is not None:
            children.append(parsed)
    return ProfileItem(
        id=item_id, name=name, kind=kind if kind in KINDS else "group", level=level, **nums,
        unit=str(data.get("unit") or ""), params=copy.deepcopy(params), verified=bool(data.get("verified", False)),
        sources=tuple(str(s) for s in data.get("sources") or ()), notes=str(data.get("notes") or ""),
        children=tuple(children),
    )


def _positive(value, *types) -> bool:
    return isinstance(value, types) and not isinstance(value, bool) and value > 0


def _check_rules(profile: Profile, problems: dict) -> None:
    ids = {i.id: i for i in profile.walk()}
    needed = ["veto_short_circuit"]
    if profile.part("deduction"):
        needed += ["fail_below", "score_decimals"]
        if profile.part("deduction").points is None:
            add_problem(problems, profile.part("deduction").id, "扣分指标部分必须有分值（满分）")
    if profile.part("bonus"):
        needed += ["bonus_above", "bonus_portals_only"]
        if profile.part("bonus").points is None:
            add_problem(problems, profile.part("bonus").id, "加分指标部分必须有分值（满分）")
    for key in needed:
        if profile.rule(key) is None:
            add_problem(problems, f"评分规则·{key}", f"缺少规则“{RULE_ZH.get(key, key)}”")
    for r in profile.rules:
        where, v = f"评分规则·{r.key}", r.value
        if r.key in ("fail_below", "bonus_above") and (isinstance(v, bool) or not isinstance(v, (int, float))):
            add_problem(problems, where, "应为数字")
        elif r.key == "veto_score" and v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            add_problem(problems, where, "应为数字或 null")
        elif r.key == "score_decimals" and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 6):
            add_problem(problems, where, "应为0到6的整数")
        elif r.key in ("veto_short_circuit", "bonus_portals_only") and not isinstance(v, bool):
            add_problem(problems, where, "应为 true 或 false")
        elif r.key == "no_external_service":
            ok = (isinstance(v, dict) and isinstance(v.get("excluded_items"), list)
                  and _positive(v.get("base_points"), int, float)
                  and _positive(v.get("multiplier_numerator"), int) and _positive(v.get("multiplier_denominator"), int))
            if not ok:
                add_problem(problems, where, "应含 excluded_items（指标ID列表）、正数 base_points，"
                                      "以及正整数 multiplier_numerator、multiplier_denominator")
            else:
                unknown = [i for i in v["excluded_items"] if i not in ids]
                if unknown:
                    add_problem(problems, where, f"排除的指标不存在：{'、'.join(map(str, unknown))}")
        elif r.key == "no_double_deduction":
            if not (isinstance(v, list) and all(isinstance(g, dict) and isinstance(g.get("items"), list) for g in v)):
                add_problem(problems, where, "应为分组列表，每组含 items（指标ID列表）")
                continue
            for g in v:
                bad = [i for i in g["items"] if i not in ids or ids[i].kind != "deduction"]
                if bad:
                    add_problem(problems, where, f"分组“{g.get('name') or g.get('id')}”含有不存在或非扣分的指标："
                                          f"{'、'.join(map(str, bad))}")


def from_dict(data: Any) -> Profile:
    """Build and validate a profile from its JSON form; ValidationError lists every problem."""
    problems: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ValidationError({"规则集": "文件内容不是规则集对象"})
    if data.get("format", FORMAT) != FORMAT:
        add_problem(problems, "格式", f"不是指标规则集文件（format={data.get('format')}）")
    pid = str(data.get("id") or "").strip()
    if not _ID.match(pid):
        add_problem(problems, "规则集ID", f"“{pid}”为空或含有不允许的字符")
    version = str(data.get("version") or "").strip()
    if not version:
        add_problem(problems, "版本", "不能为空")
    target_type = data.get("target_type")
    if target_type not in TARGET_TYPES:
        add_problem(problems, "适用对象", f"“{target_type}”无效，应为 site（网站）或 account（新媒体账号）")
    seen: set[str] = set()
    items = []
    for part in data.get("items") or ():
        parsed = _item_from(part, 0, None, seen, problems)
        if parsed is not None:
            items.append(parsed)
    for kind in ("veto", "deduction", "bonus"):
        if sum(1 for p in items if p.kind == kind) > 1:
            problems[f"{KIND_ZH[kind]}部分"] = "只能有一个"
    rules = []
    raw_rules = data.get("scoring") or {}
    if not isinstance(raw_rules, dict):
        add_problem(problems, "评分规则", "应为对象")
        raw_rules = {}
    for key, r in raw_rules.items():
        if not isinstance(r, dict) or "value" not in r:
            add_problem(problems, f"评分规则·{key}", "应为含 value 的对象")
            continue
        rules.append(Rule(str(key), copy.deepcopy(r["value"]), bool(r.get("verified", False)),
                          tuple(str(s) for s in r.get("sources") or ()), str(r.get("notes") or "")))
    problem_map = data.get("problem_map") or {}
    profile = Profile(
        id=pid, version=version, name=str(data.get("name") or pid).strip(), target_type=target_type or "site",
        set_id=str(data.get("set_id") or "").strip(), document=str(data.get("document") or "").strip(),
        notes=str(data.get("notes") or ""), items=tuple(items), rules=tuple(rules),
        problem_map=copy.deepcopy(problem_map) if isinstance(problem_map, dict) else {},
    )
    _check_rules(profile, problems)
    if problems:
        raise ValidationError(problems)
    return profile


def _item_dict(item: ProfileItem) -> dict:
    d: dict[str, Any] = {"id": item.id, "name": item.name, "kind": item.kind, "level": item.level}
    for f in NUMBER_FIELDS:
        if getattr(item, f) is not None:
            d[f] = getattr(item, f)
    if item.unit:
        d["unit"] = item.unit
    if item.params:
        d["params"] = copy.deepcopy(item.params)
    d["verified"] = item.verified
    if item.sources:
        d["sources"] = list(item.sources)
    if item.notes:
        d["notes"] = item.notes
    if item.children:
        d["children"] = [_item_dict(c) for c in item.children]
    return d


def _rule_dict(r: Rule) -> dict:
    d: dict[str, Any] = {"value": copy.deepcopy(r.value), "verified": r.verified}
    if r.sources:
        d["sources"] = list(r.sources)
    if r.notes:
        d["notes"] = r.notes
    return d


def to_dict(profile: Profile) -> dict:
    """The JSON form (what the resource files and the profiles table hold)."""
    return {
        "format": FORMAT, "format_version": 1, "id": profile.id, "set_id": profile.set_id,
        "version": profile.version, "name": profile.name, "target_type": profile.target_type,
        "document": profile.document, "notes": profile.notes,
        "items": [_item_dict(p) for p in profile.items],
        "scoring": {r.key: _rule_dict(r) for r in profile.rules},
        "problem_map": copy.deepcopy(profile.problem_map),
    }


def dumps(profile: Profile) -> str:
    return json.dumps(to_dict(profile), ensure_ascii=False, sort_keys=False)


def loads(text: str) -> Profile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError({"规则集": f"JSON 格式错误：{exc}"}) from exc
    return from_dict(data)


# ---------------------------------------------------------------- built-ins and the DB

_builtin_cache: dict[Path, tuple[tuple, dict[str, Profile]]] = {}


def builtin_profiles(directory: Path | None = None) -> dict[str, Profile]:
    """Profiles shipped in resources/indicators (cached until a file changes)."""
    directory = directory or resources_dir() / "indicators"
    files = sorted(directory.glob("*.json"))
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in files)
    cached = _builtin_cache.get(directory)
    if cached and cached[0] == stamp:
        return cached[1]
    out: dict[str, Profile] = {}
    for f in files:
        try:
            profile = loads(f.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise GovInspectError(f"内置规则集文件“{f.name}”有误：{exc}") from exc
        out[profile.id] = profile
    _builtin_cache[directory] = (stamp, out)
    return out


def _user_rows(db: sqlite_utils.Database) -> dict[str, tuple]:
    rows = db.conn.execute("SELECT id, version, data, builtin FROM profiles").fetchall()
    return {r[0]: r for r in rows}


def load_profile(db: sqlite_utils.Database, profile_id: str) -> Profile:
    """The effective profile: the user copy in the DB if any, else the built-in."""
    row = db.conn.execute("SELECT data FROM profiles WHERE id = ?", (profile_id,)).fetchone()
    if row:
        return loads(row[0])
    builtin = builtin_profiles().get(profile_id)
    if builtin is None:
        raise GovInspectError(f"未找到指标规则集“{profile_id}”。")
    return builtin


def all_profiles(db: sqlite_utils.Database) -> dict[str, Profile]:
    out = dict(builtin_profiles())
    for pid, row in _user_rows(db).items():
        out[pid] = loads(row[2])
    return out


def list_profiles(db: sqlite_utils.Database) -> list[ProfileInfo]:
    builtins, users = builtin_profiles(), _user_rows(db)
    out = []
    for pid, p in all_profiles(db).items():
        origin = "用户" if pid not in builtins else ("内置（已修改）" if pid in users else "内置")
        count = len(unverified_items(p)) + len(unverified_rules(p))
        out.append(ProfileInfo(p.id, p.set_id, p.version, p.name, p.target_type, origin, count))
    return sorted(out, key=lambda i: (i.set_id, i.id))


def next_version(version: str) -> str:
    """'2019.1' -> '2019.2'; a version without a trailing number gets '.1'."""
    m = re.match(r"^(.*?)(\d+)$", version)
    return f"{m[1]}{int(m[2]) + 1}" if m else f"{version}.1"


def save_profile(db: sqlite_utils.Database, profile: Profile, who: str | None = None) -> Profile:
    """Store a user copy; the version goes up when the content differs from the current one."""
    from_dict(to_dict(profile))  # validate
    try:
        current = load_profile(db, profile.id)
    except GovInspectError:
        current = None
    if current is not None:
        if replace(current, version=profile.version) == profile:
            return current
        profile = replace(profile, version=next_version(current.version))
    is_builtin = int(profile.id in builtin_profiles())
    with transaction(db):
        db.conn.execute(
            "INSERT INTO profiles(id, version, name, data, builtin, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET version = excluded.version, name = excluded.name, "
            "data = excluded.data, builtin = excluded.builtin, updated_at = excluded.updated_at",
            (profile.id, profile.version, profile.name, dumps(profile), is_builtin, audit.now()),
        )
        audit.log(db, "profiles", None, "save",
                  {"id": profile.id, "version": current.version} if current else None,
                  {"id": profile.id, "version": profile.version}, who)
    return profile


def delete_profile(db: sqlite_utils.Database, profile_id: str, who: str | None = None) -> None:
    """Drop the user copy (a built-in then applies again)."""
    with transaction(db):
        db.conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
        audit.log(db, "profiles", None, "delete", {"id": profile_id}, None, who)


def profile_set(db: sqlite_utils.Database, set_or_profile_id: str) -> dict[str, Profile]:
    """target_type -> profile for a rule-set id (or a single profile id)."""
    everything = all_profiles(db)
    if set_or_profile_id in everything:
        members = [everything[set_or_profile_id]]
    else:
        members = [p for p in everything.values() if p.set_id == set_or_profile_id]
    if not members:
        raise GovInspectError(f"未找到指标规则集“{set_or_profile_id}”。")
    out: dict[str, Profile] = {}
    for p in members:
        if p.target_type in out:
            raise GovInspectError(f"规则集“{set_or_profile_id}”中有多个适用于{TARGET_ZH[p.target_type]}的规则："
                                  f"{out[p.target_type].id}、{p.id}。")
        out[p.target_type] = p
    return out


def snapshot(profiles: dict[str, Profile], set_id: str = "") -> tuple[str, str]:
    """(profile_snapshot JSON, profile_version) to store on a round."""
    ordered = [profiles[t] for t in TARGET_TYPES if t in profiles]
    doc = {"format": SET_FORMAT, "set_id": set_id or (ordered[0].set_id if ordered else ""),
           "profiles": [to_dict(p) for p in ordered]}
    version = ";".join(f"{p.id}@{p.version}" for p in ordered)
    return json.dumps(doc, ensure_ascii=False), version


def round_snapshot(db: sqlite_utils.Database, profile_id: str) -> tuple[str, str]:
    """What rounds.py stores in rounds.profile_snapshot / profile_version at creation."""
    return snapshot(profile_set(db, profile_id), profile_id)


def profiles_from_snapshot(text: str) -> dict[str, Profile]:
    """Read rounds.profile_snapshot: a profile set or a single profile."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GovInspectError(f"轮次保存的规则集快照无法读取：{exc}") from exc
    docs = data.get("profiles", []) if isinstance(data, dict) and data.get("format") == SET_FORMAT else [data]
    out = {}
    for d in docs:
        p = from_dict(d)
        out[p.target_type] = p
    return out


# ---------------------------------------------------------------- editing (pure)

def _replace_item(items: tuple[ProfileItem, ...], item_id: str, fn) -> tuple[tuple[ProfileItem, ...], bool]:
    out, found = [], False
    for it in items:
        if it.id == item_id:
            it, found = fn(it), True
        elif it.children:
            kids, hit = _replace_item(it.children, item_id, fn)
            if hit:
                it, found = replace(it, children=kids), True
        out.append(it)
    return tuple(out), found


def _confirmed_sources(sources: tuple[str, ...], source: str) -> tuple[str, ...]:
    return sources + (source,) if source and source not in sources else sources


def edit_item(profile: Profile, item_id: str, source: str = "", **changes) -> Profile:
    """Change fields of one item (points, cap, per_occurrence, unit, params, name, notes) and
    mark it verified: the user has checked the row against the official text."""
    allowed = set(NUMBER_FIELDS) | {"unit", "params", "name", "notes"}
    bad = set(changes) - allowed
    if bad:
        raise ValueError(f"unknown item fields: {sorted(bad)}")
    problems: dict[str, str] = {}
    for f in NUMBER_FIELDS:
        if f in changes:
            changes[f] = _num(changes[f], f"{item_id}·{NUMBER_ZH[f]}", problems)
    if problems:
        raise ValidationError(problems)

    def apply(it: ProfileItem) -> ProfileItem:
        return replace(it, **changes, verified=True, sources=_confirmed_sources(it.sources, source))

    items, found = _replace_item(profile.items, item_id, apply)
    if not found:
        raise ValidationError({item_id: "规则集中没有此指标"})
    return from_dict(to_dict(replace(profile, items=items)))


def edit_number(profile: Profile, item_id: str, field_name: str, value, source: str = "") -> Profile:
    """Set one number: 'points', 'cap', 'per_occurrence' or 'params.<key>'; marks the item verified."""
    if field_name.startswith("params."):
        item = profile.item(item_id)
        if item is None:
            raise ValidationError({item_id: "规则集中没有此指标"})
        return edit_item(profile, item_id, source, params={**item.params, field_name[7:]: value})
    if field_name not in NUMBER_FIELDS:
        raise ValueError(f"not a number field: {field_name}")
    return edit_item(profile, item_id, source, **{field_name: value})


def confirm_item(profile: Profile, item_id: str, source: str = "") -> Profile:
    """Mark an item verified without changing it."""
    return edit_item(profile, item_id, source)


def edit_rule(profile: Profile, key: str, value=..., source: str = "") -> Profile:
    """Change (or, with no value, just confirm) a scoring rule; marks it verified."""
    rules, found = [], False
    for r in profile.rules:
        if r.key == key:
            r = replace(r, value=r.value if value is ... else value, verified=True,
                        sources=_confirmed_sources(r.sources, source))
            found = True
        rules.append(r)
    if not found:
        if value is ...:
            raise ValidationError({key: "规则集中没有此评分规则"})
        rules.append(Rule(key, value, True, (source,) if source else ()))
    return from_dict(to_dict(replace(profile, rules=tuple(rules))))


def unverified_items(profile: Profile) -> list[ProfileItem]:
    return [i for i in profile.walk() if not i.verified]


def unverified_rules(profile: Profile) -> list[Rule]:
    return [r for r in profile.rules if not r.verified]


def check_profile(profile: Profile) -> list[str]:
    """Consistency warnings (not errors): children points vs parent, the 75-point base.

    Parts and first-level items should equal the sum of their children; deeper items
    may hold less (binary rules) but not more.
    """
    warnings = []
    for it in profile.walk():
        kids = [c.points for c in it.children if c.kind in ("deduction", "bonus")]
        if it.points is not None and kids and None not in kids:
            total = sum(Decimal(str(k)) for k in kids)
            if total > Decimal(str(it.points)) or (it.level <= 1 and total != Decimal(str(it.points))):
                warnings.append(f"“{it.name}”分值为{it.points}，下级分值合计为{total}。")
    nes, ded = profile.rule("no_external_service"), profile.part("deduction")
    if nes and ded and ded.points is not None:
        excluded = sum(Decimal(str(profile.item(i).points or 0)) for i in nes.value["excluded_items"]
                       if profile.item(i))
        if Decimal(str(ded.points)) - excluded != Decimal(str(nes.value["base_points"])):
            warnings.append(f"无对外服务职能折算基数为{nes.value['base_points']}分，"
                            f"但扣分指标满分减去排除项为{Decimal(str(ded.points)) - excluded}分。")
    return warnings


def parse_number(text: str):
    """'2.5' -> 2.5, '3' -> 3; raises ValueError."""
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not d.is_finite():
        raise ValueError(text)
    return int(d) if d == d.to_integral_value() else float(d)
