"""New-media review records and rules (pure): observations, their cleaning, and the findings they propose.

Rules (监测时间点 = the round's as_of):
* 内容不更新 (nm.veto.not_updated) is proposed when the 最近更新日期 is **14 or more days**
  before the 监测时间点, i.e. nothing was published in the 14 days ending on it
  (as_of 2025-08-14: last post 2025-07-31 → 14 days → proposed; 2025-08-01 → 13 → not).
* 互动回应差 (nm.veto.interaction_poor) is proposed when 互动功能 is recorded as 无
  (not when it was left unchecked).
* Each failing menu item, wording error, 商业广告 and 与政务无关内容 proposes one finding.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path


from ..errors import ValidationError
from ..registry import vocab
from ..registry.validation import BadValue, date as parse_date, text as cell_text, url as parse_url
from ..rounds import findings as findings_mod
from .workdays import as_date


NOT_UPDATED_DAYS = 14

K_NOT_UPDATED = "media.not_updated"
K_NO_INTERACTION = "media.no_interaction"
K_MENU = "media.menu_broken"
K_TYPO = "media.typo"
K_ADS = "media.ads"
K_UNRELATED = "media.unrelated"
KINDS = (K_NOT_UPDATED, K_NO_INTERACTION, K_MENU, K_TYPO, K_ADS, K_UNRELATED)
KIND_ZH = {K_NOT_UPDATED: "内容不更新", K_NO_INTERACTION: "无互动功能", K_MENU: "服务菜单失效",
           K_TYPO: "错别字", K_ADS: "商业广告", K_UNRELATED: "与政务无关内容"}
# Kind -> indicator ids to try, first found in the round's rule set wins. Ads have no item of
# their own in the national profile; they go to 与政务无关内容 until a profile adds nm.issue.ads.
INDICATORS = {
    K_NOT_UPDATED: ("nm.veto.not_updated",),
    K_NO_INTERACTION: ("nm.veto.interaction_poor",),
    K_MENU: ("nm.issue.menu_broken",),
    K_TYPO: ("nm.issue.typo",),
    K_ADS: ("nm.issue.ads", "nm.issue.unrelated_content"),
    K_UNRELATED: ("nm.issue.unrelated_content",),
}
GRAVE_TYPO = "media.typo.grave"               # a wording error marked 严重 (leader names, formulations)
INDICATORS[GRAVE_TYPO] = ("nm.veto.security.c1", "nm.veto.security")
_FP_SPACE = "media-review"
_HTTP = re.compile(r"^https?://", re.I)
_BARE_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/\S*)?$")


# ---------------------------------------------------------------- records

@dataclass(frozen=True)
class MenuItem:
    """One service-menu entry as tested: ok None = not tested yet."""
    name: str
    url: str = ""
    ok: bool | None = None
    http_status: int | None = None
    checked_at: str = ""
    error: str = ""

    def to_json(self) -> dict:
        d = {"name": self.name, "url": self.url, "ok": self.ok}
        for k in ("http_status", "checked_at", "error"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        return d


@dataclass(frozen=True)
class WordingError:
    """A wording error seen: the wrong text, the suggested correction, optional screenshot/post link."""
    text: str
    correction: str = ""
    screenshot: str = ""
    url: str = ""
    grave: bool = False             # 严重表述错误 → nm.veto.security.c1

    def to_json(self) -> dict:
        d = {"text": self.text, "correction": self.correction, "screenshot": self.screenshot}
        if self.url:
            d["url"] = self.url
        if self.grave:
            d["grave"] = True
        return d


@dataclass(frozen=True)
class Observation:
    """What the inspector (or the monitoring import) saw on one account in this round."""
    last_update: str | None = None          # 最近更新日期 YYYY-MM-DD
    posts_in_period: int | None = None      # 期间发布条数
    interaction_ok: bool | None = None      # 互动功能: True 有, False 无, None 未检查
    ads_seen: bool = False
    unrelated_content: bool = False
    menu_items: tuple[MenuItem, ...] = ()
    wording_errors: tuple[WordingError, ...] = ()
    notes: str = ""

    @property
    def is_empty(self) -> bool:
        return self == Observation()


OBS_FIELDS = tuple(f.name for f in fields(Observation))
LABELS = {"last_update": "最近更新日期", "posts_in_period": "期间发布条数", "interaction_ok": "互动功能",
          "ads_seen": "商业广告", "unrelated_content": "与政务无关内容", "menu_items": "服务菜单",
          "wording_errors": "错别字", "notes": "备注"}


@dataclass(frozen=True)
class Proposal:
    """A finding an observation proposes (before it is matched to an indicator)."""
    kind: str
    identity: str                   # stable within the account: '' or the menu name / wrong text
    detail: str
    url: str = ""
    snippet: str = ""
    evidence_text: str = ""
    screenshot_path: str = ""


@dataclass(frozen=True)
class ReviewRow:
    """One account of the round as the review grid shows it (plain, frozen)."""
    target_id: int
    round_id: int
    sort_order: int
    target_key: str
    name: str
    platform: str
    platform_account_id: str        # 账号ID/原始ID from the frozen registry record
    region_name: str
    unit_name: str
    url: str
    review_state: str
    review_note: str
    observed: bool                  # an observation row exists
    obs: Observation
    updated_at: str
    days_since_update: int | None   # 监测时间点 − 最近更新日期
    proposals: tuple[str, ...]      # kinds proposed now (KIND_ZH for labels)
    open_findings: int              # media-review findings of this account not marked 误报
    others: tuple[str, ...] = ()    # its findings from other sources (checks, imports, by hand), not 误报

    @property
    def menus_failed(self) -> int:
        return sum(1 for m in self.obs.menu_items if m.ok is False)

    @property
    def menus_tested(self) -> int:
        return sum(1 for m in self.obs.menu_items if m.ok is not None)


@dataclass(frozen=True)
class SaveResult:
    row: ReviewRow
    added: tuple[int, ...] = ()         # finding ids
    updated: tuple[int, ...] = ()
    withdrawn: tuple[int, ...] = ()
    unmapped: tuple[str, ...] = ()      # kinds with no indicator in the round's rule set


# ---------------------------------------------------------------- JSON and cleaning

def menu_from(d) -> MenuItem:
    if isinstance(d, MenuItem):
        return d
    ok = d.get("ok")
    return MenuItem(str(d.get("name") or ""), str(d.get("url") or ""), None if ok is None else bool(ok),
                    d.get("http_status"), str(d.get("checked_at") or ""), str(d.get("error") or ""))


def _wording_from(d) -> WordingError:
    if isinstance(d, WordingError):
        return d
    return WordingError(str(d.get("text") or ""), str(d.get("correction") or ""), str(d.get("screenshot") or ""),
                        str(d.get("url") or ""), bool(d.get("grave")))


def observation_from_row(row: dict | None) -> Observation:
    """An Observation from a media_observations row (None → empty)."""
    if not row:
        return Observation()
    ok = row.get("interaction_ok")
    return Observation(
        last_update=row.get("last_update"),
        posts_in_period=row.get("posts_in_period"),
        interaction_ok=None if ok is None else bool(ok),
        ads_seen=bool(row.get("ads_seen")),
        unrelated_content=bool(row.get("unrelated_content")),
        menu_items=tuple(menu_from(m) for m in json.loads(row.get("menu_items") or "[]")),
        wording_errors=tuple(_wording_from(w) for w in json.loads(row.get("wording_errors") or "[]")),
        notes=row.get("notes") or "",
    )


def obs_columns(obs: Observation) -> dict:
    return {
        "last_update": obs.last_update,
        "posts_in_period": obs.posts_in_period,
        "interaction_ok": None if obs.interaction_ok is None else int(obs.interaction_ok),
        "ads_seen": int(obs.ads_seen),
        "unrelated_content": int(obs.unrelated_content),
        "menu_items": json.dumps([m.to_json() for m in obs.menu_items], ensure_ascii=False),
        "wording_errors": json.dumps([w.to_json() for w in obs.wording_errors], ensure_ascii=False),
        "notes": obs.notes,
    }


def _flag(value, label: str, problems: dict, allow_none: bool) -> bool | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None if allow_none else False
    if isinstance(value, str) and value.strip() in ("未检查", "未测", "未测试"):
        return None if allow_none else False
    flag = vocab.parse_flag(value)
    if flag is None:
        problems[label] = f"“{value}”应为“有/无”或“是/否”"
    return flag


def _clean_items(value, key: str, parse, clean, problems: dict) -> tuple:
    """The items of a list field, each ``parse``d from its raw form, then ``clean``ed (given the
    item and its place, 第i项; BadValue says what is wrong). A bad item is left out and the last
    one's reason stands in ``problems``."""
    out = []
    for i, raw in enumerate(value or (), start=1):
        try:
            item = parse(raw)
        except (AttributeError, TypeError):
            problems[LABELS[key]] = f"第{i}项格式不正确"
            continue
        try:
            out.append(clean(item, f"第{i}项"))
        except BadValue as exc:
            problems[LABELS[key]] = str(exc)
    return tuple(out)


def _clean_menu(m: MenuItem, at: str) -> MenuItem:
    name, url = m.name.strip(), m.url.strip()
    if not name and not url:
        raise BadValue(f"{at}：菜单名称和链接至少填写一项")
    if url and (_HTTP.match(url) or _BARE_HOST.match(url)):
        # http(s) links and bare hosts are normalised; mini-program paths stay as typed.
        try:
            url = parse_url(url)
        except BadValue as exc:
            raise BadValue(f"{at}“{name or url}”：{exc}") from None
    return replace(m, name=name, url=url)


def _clean_wording(w: WordingError, at: str) -> WordingError:
    text = w.text.strip()
    if not text:
        raise BadValue(f"{at}：错误文字不能为空")
    shot = w.screenshot.strip()
    if shot and not Path(shot).is_file():
        raise BadValue(f"{at}：截图文件“{shot}”不存在")
    url = w.url.strip()
    if url:
        try:
            url = parse_url(url)
        except BadValue as exc:
            raise BadValue(f"{at}：{exc}") from None
    return WordingError(text, w.correction.strip(), shot, url, bool(w.grave))


def apply_changes(obs: Observation, changes: dict) -> Observation:
    """A new Observation with ``changes`` (field name -> raw value) validated and applied.

    Raises ValidationError (Chinese field label -> reason) and changes nothing on error.
    """
    unknown = set(changes) - set(OBS_FIELDS)
    if unknown:
        raise ValueError(f"unknown observation fields: {sorted(unknown)}")
    problems: dict[str, str] = {}
    new: dict = {}
    for key, value in changes.items():
        label = LABELS[key]
        if key == "last_update":
            try:
                new[key] = parse_date(value)
            except BadValue as exc:
                problems[label] = str(exc)
        elif key == "posts_in_period":
            t = cell_text(value)
            if t == "":
                new[key] = None
            elif t.isdigit():
                new[key] = int(t)
            else:
                problems[label] = f"“{t}”应为不小于0的整数"
        elif key == "interaction_ok":
            new[key] = _flag(value, label, problems, allow_none=True)
        elif key in ("ads_seen", "unrelated_content"):
            new[key] = bool(_flag(value, label, problems, allow_none=False))
        elif key == "menu_items":
            new[key] = _clean_items(value, key, menu_from, _clean_menu, problems)
        elif key == "wording_errors":
            new[key] = _clean_items(value, key, _wording_from, _clean_wording, problems)
        elif key == "notes":
            new[key] = cell_text(value)
    if problems:
        raise ValidationError(problems)
    return replace(obs, **new)


# ---------------------------------------------------------------- proposals (pure)

def days_since_update(obs: Observation, as_of) -> int | None:
    if not obs.last_update:
        return None
    return (as_date(as_of) - as_date(obs.last_update)).days


def propose(obs: Observation, as_of) -> list[Proposal]:
    """The findings an observation proposes on the 监测时间点 ``as_of`` (see module rules)."""
    out: list[Proposal] = []
    days = days_since_update(obs, as_of)
    if days is not None and days >= NOT_UPDATED_DAYS:
        out.append(Proposal(
            K_NOT_UPDATED, "",
            f"监测时间点前{NOT_UPDATED_DAYS}天内无更新（最近更新 {obs.last_update}，距监测时间点 {days} 天）",
            evidence_text=f"最近更新日期 {obs.last_update}；监测时间点 {as_date(as_of).isoformat()}；相隔 {days} 天"
                          f"（≥{NOT_UPDATED_DAYS} 天即为监测时间点前2周内无更新）"))
    if obs.interaction_ok is False:
        out.append(Proposal(K_NO_INTERACTION, "", "未提供有效互动功能（咨询建言渠道）",
                            evidence_text="检查记录：互动功能 无"))
    for m in obs.menu_items:
        if m.ok is False:
            how = f"HTTP {m.http_status}" if m.http_status else (m.error or "人工测试无法使用")
            label = m.name or m.url
            out.append(Proposal(K_MENU, m.name or m.url, f"服务菜单“{label}”无法使用（{how}）", url=m.url,
                                evidence_text=f"菜单“{label}” 链接 {m.url or '（无）'}；测试结果：{how}"
                                              + (f"；测试时间 {m.checked_at}" if m.checked_at else "")))
    for w in obs.wording_errors:
        fix = f"，应为“{w.correction}”" if w.correction else ""
        kind = GRAVE_TYPO if w.grave else K_TYPO
        out.append(Proposal(kind, w.text, f"{'严重表述错误' if w.grave else '错别字'}：“{w.text}”{fix}",
                            url=w.url, snippet=w.text, evidence_text=f"原文“{w.text}”{fix}",
                            screenshot_path=w.screenshot))
    if obs.ads_seen:
        out.append(Proposal(K_ADS, "", "发布商业广告", evidence_text="检查记录：发现商业广告"))
    if obs.unrelated_content:
        out.append(Proposal(K_UNRELATED, "", "发布与政务无关的内容（过度娱乐化等）",
                            evidence_text="检查记录：发现与政府工作无关的内容"))
    return out


def stored_kind(kind: str) -> str:
    return K_TYPO if kind == GRAVE_TYPO else kind


def proposal_fingerprint(target_key: str, p: Proposal) -> str:
    # Indicator left out on purpose: marking a typo 严重 moves it, it does not duplicate it.
    return findings_mod.fingerprint(target_key, _FP_SPACE, stored_kind(p.kind), "", p.identity)
