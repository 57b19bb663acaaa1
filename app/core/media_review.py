"""New-media review (政务新媒体检查): per-account observations of a round, the findings they
propose, the monitoring-data import and the activity table.

GUI thread: ``ReviewSession.rows()`` loads the grid, ``ReviewSession.save()`` stores one edit
and syncs that account's findings. Menu URL tests fetch, so they run in a worker
(``check_menu_items``) and the result is saved like any edit.

Rules (监测时间点 = the round's as_of):
* 内容不更新 (nm.veto.not_updated) is proposed when the 最近更新日期 is **14 or more days**
  before the 监测时间点, i.e. nothing was published in the 14 days ending on it
  (as_of 2025-08-14: last post 2025-07-31 → 14 days → proposed; 2025-08-01 → 13 → not).
* 互动回应差 (nm.veto.interaction_poor) is proposed when 互动功能 is recorded as 无
  (not when it was left unchecked).
* Each failing menu item, wording error, 商业广告 and 与政务无关内容 proposes one finding.
Each proposal becomes a 待审核 finding (source 人工 or 导入) with a fingerprint per account and
entry, so saving again updates it; a 待审核 finding whose entry was removed is withdrawn
(deleted); a reviewed one is kept as the reviewer left it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import sqlite_utils

from . import audit, findings as findings_mod, linkcheck, vocab
from .db import transaction
from .errors import ValidationError
from .fields import account_identity_columns
from .rounds import RoundClosedError
from .tabular import RowProblem, SheetData, match_columns, read_table
from .validation import BadValue, date as parse_date, text as cell_text, url as parse_url
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

def _menu_from(d) -> MenuItem:
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
        menu_items=tuple(_menu_from(m) for m in json.loads(row.get("menu_items") or "[]")),
        wording_errors=tuple(_wording_from(w) for w in json.loads(row.get("wording_errors") or "[]")),
        notes=row.get("notes") or "",
    )


def _obs_columns(obs: Observation) -> dict:
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


def _clean_menus(value, problems: dict) -> tuple[MenuItem, ...]:
    out = []
    for i, raw in enumerate(value or (), start=1):
        try:
            m = _menu_from(raw)
        except (AttributeError, TypeError):
            problems[LABELS["menu_items"]] = f"第{i}项格式不正确"
            continue
        name, url = m.name.strip(), m.url.strip()
        if not name and not url:
            problems[LABELS["menu_items"]] = f"第{i}项：菜单名称和链接至少填写一项"
            continue
        if url and (_HTTP.match(url) or _BARE_HOST.match(url)):
            # http(s) links and bare hosts are normalised; mini-program paths stay as typed.
            try:
                url = parse_url(url)
            except BadValue as exc:
                problems[LABELS["menu_items"]] = f"第{i}项“{name or url}”：{exc}"
                continue
        out.append(replace(m, name=name, url=url))
    return tuple(out)


def _clean_wording(value, problems: dict) -> tuple[WordingError, ...]:
    out = []
    for i, raw in enumerate(value or (), start=1):
        try:
            w = _wording_from(raw)
        except (AttributeError, TypeError):
            problems[LABELS["wording_errors"]] = f"第{i}项格式不正确"
            continue
        text = w.text.strip()
        if not text:
            problems[LABELS["wording_errors"]] = f"第{i}项：错误文字不能为空"
            continue
        shot = w.screenshot.strip()
        if shot and not Path(shot).is_file():
            problems[LABELS["wording_errors"]] = f"第{i}项：截图文件“{shot}”不存在"
            continue
        url = w.url.strip()
        if url:
            try:
                url = parse_url(url)
            except BadValue as exc:
                problems[LABELS["wording_errors"]] = f"第{i}项：{exc}"
                continue
        out.append(WordingError(text, w.correction.strip(), shot, url, bool(w.grave)))
    return tuple(out)


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
            new[key] = _clean_menus(value, problems)
        elif key == "wording_errors":
            new[key] = _clean_wording(value, problems)
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


def _stored_kind(kind: str) -> str:
    return K_TYPO if kind == GRAVE_TYPO else kind


def proposal_fingerprint(target_key: str, p: Proposal) -> str:
    # Indicator left out on purpose: marking a typo 严重 moves it, it does not duplicate it.
    return findings_mod.fingerprint(target_key, _FP_SPACE, _stored_kind(p.kind), "", p.identity)


# ---------------------------------------------------------------- the session

_ROWS_SQL = """
    SELECT t.id, t.round_id, t.sort_order, t.target_key, t.name, t.platform,
           COALESCE(json_extract(t.snapshot, '$.account_id'), '') AS platform_account_id,
           t.region_name, t.unit_name, t.url, t.review_state, t.review_note,
           o.id AS obs_id, o.last_update, o.posts_in_period, o.interaction_ok, o.ads_seen, o.unrelated_content,
           o.menu_items, o.wording_errors, o.notes, o.updated_at
    FROM round_targets t
    LEFT JOIN media_observations o ON o.round_id = t.round_id AND o.target_id = t.id
    WHERE t.round_id = ? AND t.target_type = 'account'"""
_COUNT_SQL = """SELECT target_id, COUNT(*) FROM findings
                WHERE round_id = ? AND kind LIKE 'media.%' AND status != '误报' {extra} GROUP BY target_id"""


class ReviewSession:
    """The review grid's access to one round: load rows, save one edit (GUI thread, own connection)."""

    def __init__(self, db: sqlite_utils.Database, round_id: int):
        self.db = db
        row = db.conn.execute("SELECT as_of, name FROM rounds WHERE id = ?", (round_id,)).fetchone()
        if row is None:
            raise ValidationError({"检查轮次": f"编号 {round_id} 不存在"})
        self.round_id = round_id
        self.as_of: str = row[0]
        self.round_name: str = row[1]
        self._indicators: dict[str, str | None] | None = None

    # ---- reading
    def _row(self, r: tuple, counts: dict[int, int]) -> ReviewRow:
        (tid, rid, order, key, name, platform, pid, region, unit, url, state, note,
         obs_id, *obs_cols, updated_at) = r
        obs = observation_from_row(dict(zip(
            ("last_update", "posts_in_period", "interaction_ok", "ads_seen", "unrelated_content",
             "menu_items", "wording_errors", "notes"), obs_cols))) if obs_id else Observation()
        return ReviewRow(tid, rid, order, key, name, platform, pid or "", region, unit, url, state, note,
                         obs_id is not None, obs, updated_at or "", days_since_update(obs, self.as_of),
                         tuple(_stored_kind(p.kind) for p in propose(obs, self.as_of)), counts.get(tid, 0))

    def rows(self) -> list[ReviewRow]:
        """Every account target of the round with its observation, in registry order."""
        counts = dict(self.db.conn.execute(_COUNT_SQL.format(extra=""), (self.round_id,)).fetchall())
        cur = self.db.conn.execute(_ROWS_SQL + " ORDER BY t.sort_order, t.id", (self.round_id,))
        return [self._row(r, counts) for r in cur.fetchall()]

    def row(self, target_id: int) -> ReviewRow:
        """One row again (after a save, for the model's dataChanged)."""
        r = self.db.conn.execute(_ROWS_SQL + " AND t.id = ?", (self.round_id, target_id)).fetchone()
        if r is None:
            raise ValidationError({"检查对象": f"编号 {target_id} 不是本轮的新媒体账号"})
        counts = dict(self.db.conn.execute(_COUNT_SQL.format(extra="AND target_id = ?"),
                                           (self.round_id, target_id)).fetchall())
        return self._row(r, counts)

    def observation(self, target_id: int) -> Observation:
        r = self.db.conn.execute(
            "SELECT * FROM media_observations WHERE round_id = ? AND target_id = ?", (self.round_id, target_id))
        cols = [c[0] for c in r.description]
        row = r.fetchone()
        return observation_from_row(dict(zip(cols, row)) if row else None)

    # ---- writing
    def indicators(self) -> dict[str, str | None]:
        """Kind -> indicator id in the round's rule set (None: no matching item)."""
        if self._indicators is None:
            index = findings_mod.IndicatorIndex.for_round(self.db, self.round_id)
            out = {}
            for kind, candidates in INDICATORS.items():
                hit = next((c for c in candidates if (i := index.get(c)) and i.applies_to == "account"), None)
                out[kind] = hit
            self._indicators = out
        return self._indicators

    def _ensure_open(self) -> None:
        row = self.db.conn.execute("SELECT status FROM rounds WHERE id = ?", (self.round_id,)).fetchone()
        if row and row[0] == "closed":
            raise RoundClosedError(f"检查轮次“{self.round_name}”已关闭，不能修改。如需修改，请先重新打开并说明原因。")

    def save(self, target_id: int, changes: dict | Observation, *, source: str = "人工",
             mark_checked: bool = True, who: str | None = None) -> SaveResult:
        """Store one edit (a dict of changed fields, or a whole Observation) and sync findings."""
        who = who or audit.current_user(self.db)
        with transaction(self.db):
            self._ensure_open()
            target = self.db.conn.execute(
                "SELECT target_key, review_state FROM round_targets WHERE id = ? AND round_id = ?"
                " AND target_type = 'account'", (target_id, self.round_id)).fetchone()
            if target is None:
                raise ValidationError({"检查对象": f"编号 {target_id} 不是本轮的新媒体账号"})
            old = self.observation(target_id)
            if isinstance(changes, Observation):      # a whole observation is validated field by field too
                changes = {k: getattr(changes, k) for k in OBS_FIELDS}
            new = apply_changes(old, changes)
            sync = self._store(target_id, target[0], old, new, source, who)
            if mark_checked and target[1] == "待检查":
                self.db.conn.execute("UPDATE round_targets SET review_state = '已检查' WHERE id = ?", (target_id,))
                audit.log(self.db, "round_targets", target_id, "review", {"review_state": target[1]},
                          {"review_state": "已检查"}, who)
        return SaveResult(self.row(target_id), *sync)

    def _store(self, target_id: int, target_key: str, old: Observation, new: Observation, source: str,
               who: str, rules=None) -> tuple[tuple, tuple, tuple, tuple]:
        """Write the observation (if changed) and sync findings (caller's transaction)."""
        at = audit.now()
        cols = _obs_columns(new)
        old_cols = _obs_columns(old)
        changed = {k: v for k, v in cols.items() if old_cols[k] != v}
        exists = self.db.conn.execute("SELECT 1 FROM media_observations WHERE round_id = ? AND target_id = ?",
                                      (self.round_id, target_id)).fetchone()
        if changed or not exists:
            names = list(cols)
            self.db.conn.execute(
                f"INSERT INTO media_observations(round_id, target_id, {', '.join(names)}, updated_at)"
                f" VALUES (?, ?, {', '.join('?' * len(names))}, ?)"
                f" ON CONFLICT(round_id, target_id) DO UPDATE SET "
                + ", ".join(f"{n} = excluded.{n}" for n in names) + ", updated_at = excluded.updated_at",
                [self.round_id, target_id, *cols.values(), at])
            audit.log(self.db, "media_observations", target_id, "update" if exists else "insert",
                      {k: old_cols[k] for k in changed} if exists else None, changed or cols, who)
        return self._sync_findings(target_id, target_key, new, source, who, at, rules)

    def _sync_findings(self, target_id: int, target_key: str, obs: Observation, source: str, who: str,
                       at: str, rules=None) -> tuple[tuple, tuple, tuple, tuple]:
        indicators = self.indicators()
        desired: dict[str, tuple[Proposal, str]] = {}
        unmapped: list[str] = []
        for p in propose(obs, self.as_of):
            ind = indicators.get(p.kind)
            if ind is None:
                unmapped.append(_stored_kind(p.kind))
                continue
            desired[proposal_fingerprint(target_key, p)] = (p, ind)
        cur = self.db.conn.execute(
            "SELECT id, fingerprint, status, indicator_id, detail, url, snippet, evidence_text, screenshot_path"
            " FROM findings WHERE target_id = ? AND kind LIKE 'media.%'", (target_id,))
        existing = {r[1]: r for r in cur.fetchall()}
        added, updated, withdrawn, log = [], [], [], []
        new_rows = []
        for fp, (p, ind) in desired.items():
            values = {"indicator_id": ind, "detail": p.detail, "url": p.url, "snippet": p.snippet,
                      "evidence_text": p.evidence_text, "screenshot_path": p.screenshot_path}
            row = existing.get(fp)
            if row is None:
                new_rows.append({"round_id": self.round_id, "target_id": target_id, "kind": _stored_kind(p.kind),
                                 "source": source, "status": "待审核", "count": 1, "deduct": None, "page": "",
                                 "detected_at": at, "reviewer_note": "", "run_id": None, "fingerprint": fp,
                                 "_target_key": target_key, **values})
                continue
            old = dict(zip(("indicator_id", "detail", "url", "snippet", "evidence_text", "screenshot_path"), row[3:]))
            diff = {k: v for k, v in values.items() if old[k] != v}
            if diff:
                self.db.conn.execute(f"UPDATE findings SET {', '.join(f'{k} = ?' for k in diff)} WHERE id = ?",
                                     [*diff.values(), row[0]])
                log.append(("findings", row[0], "update", {k: old[k] for k in diff}, diff))
                updated.append(row[0])
        for fp, row in existing.items():
            if fp not in desired and row[2] == "待审核":
                self.db.conn.execute("DELETE FROM findings WHERE id = ?", (row[0],))
                log.append(("findings", row[0], "withdraw", {"fingerprint": fp, "detail": row[4]}, None))
                withdrawn.append(row[0])
        if new_rows:
            if rules is None:
                rules = findings_mod.list_whitelist_rules(self.db, active_only=True)
            # _insert applies whitelist rules and writes the audit entries, like add_finding.
            added = findings_mod._insert(self.db, new_rows, rules, who, "insert")
        audit.log_many(self.db, log, who)
        return tuple(added), tuple(updated), tuple(withdrawn), tuple(dict.fromkeys(unmapped))


# ---------------------------------------------------------------- module-level API

def load_review_rows(db: sqlite_utils.Database, round_id: int) -> list[ReviewRow]:
    """All account rows of a round for the review grid."""
    return ReviewSession(db, round_id).rows()


def save_observation(db: sqlite_utils.Database, target_id: int, changes: dict | Observation, *,
                     source: str = "人工", mark_checked: bool = True, who: str | None = None) -> SaveResult:
    """Store one account's edit and sync its findings (one transaction)."""
    row = db.conn.execute("SELECT round_id FROM round_targets WHERE id = ?", (target_id,)).fetchone()
    if row is None:
        raise ValidationError({"检查对象": f"编号 {target_id} 不存在"})
    return ReviewSession(db, row[0]).save(target_id, changes, source=source, mark_checked=mark_checked, who=who)


def check_menu_items(items, fetch=None, cancel=None) -> tuple[MenuItem, ...]:
    """Fetch the http(s) menu links (worker thread, no DB): 2xx/3xx → ok, else failed.

    Items without an http(s) link keep the inspector's own result.
    """
    items = tuple(_menu_from(m) for m in items)
    urls = [m.url for m in items if linkcheck.is_http(m.url)]
    if not urls:
        return items
    results = linkcheck.fetch_all(urls, fetch, cancel=cancel)
    out = []
    for m in items:
        r = results.get(m.url)
        if r is None:
            out.append(m)
        else:
            out.append(replace(m, ok=r.ok, http_status=r.status, checked_at=r.fetched_at,
                               error="" if r.ok else (r.error or f"HTTP {r.status}")))
    return tuple(out)


def run_menu_tests(db: sqlite_utils.Database, target_id: int, fetch=None, who: str | None = None) -> SaveResult:
    """Fetch the account's http(s) menu links and save the results (CLI and tests; the GUI splits it)."""
    row = db.conn.execute("SELECT round_id FROM round_targets WHERE id = ?", (target_id,)).fetchone()
    if row is None:
        raise ValidationError({"检查对象": f"编号 {target_id} 不存在"})
    session = ReviewSession(db, row[0])
    items = check_menu_items(session.observation(target_id).menu_items, fetch)
    return session.save(target_id, {"menu_items": items}, who=who)


# ---------------------------------------------------------------- monitoring import

MONITOR_COLUMNS: dict[str, tuple[str, ...]] = {
    **account_identity_columns(),
    "last_update": ("最近发布时间", "最近更新时间", "最近更新日期", "最后发布时间", "最新发布时间", "最近发文时间"),
    "posts": ("期间发布条数", "发布条数", "发文量", "发布数量", "更新条数", "发文数", "期间发文量"),
}
MONITOR_LABELS = {k: v[0] for k, v in MONITOR_COLUMNS.items()}


@dataclass(frozen=True)
class MonitoringRow:
    row: int
    platform: str
    name: str
    account_id: str
    last_update: str | None
    posts: int | None
    owner: str = ""


def _monitor_header(texts: list[str]) -> bool:
    keys = set(match_columns(MONITOR_COLUMNS, texts).values())
    return "platform" in keys and bool(keys & {"name", "account_id"}) and bool(keys & {"last_update", "posts"})


def parse_monitoring(sheet: SheetData) -> tuple[list[MonitoringRow], list[RowProblem]]:
    """Validate a monitoring table (平台, 账号名称/账号ID, 最近发布时间, 期间发布条数)."""
    mapping = match_columns(MONITOR_COLUMNS, sheet.headers)
    keys = set(mapping.values())
    problems = list(sheet.problems)
    if not _monitor_header(sheet.headers):
        need = [n for n, ok in (("平台", "platform" in keys), ("账号名称或账号ID", bool(keys & {"name", "account_id"})),
                                ("最近发布时间或期间发布条数", bool(keys & {"last_update", "posts"}))) if not ok]
        problems.append(RowProblem(sheet.header_row, "", f"表头缺少必需的列：{'、'.join(need)}。"
                                                         f"识别到的列：{'、'.join(sheet.headers) or '无'}"))
        return [], problems
    if not sheet.rows:
        problems.append(RowProblem(sheet.header_row, "", "表头下面没有数据行"))
        return [], problems
    out, seen = [], {}
    for number, cells in sheet.rows:
        v = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        row_problems = []
        platform = vocab.normalise_platform(cell_text(v.get("platform")))
        if not cell_text(v.get("platform")):
            row_problems.append(RowProblem(number, MONITOR_LABELS["platform"], "不能为空"))
        elif platform is None:
            row_problems.append(RowProblem(number, MONITOR_LABELS["platform"],
                                           f"未知的平台“{cell_text(v.get('platform'))}”，应为：{'、'.join(vocab.PLATFORMS)}"))
        name, acc_id = cell_text(v.get("name")), cell_text(v.get("account_id"))
        if not name and not acc_id:
            row_problems.append(RowProblem(number, MONITOR_LABELS["name"], "账号名称和账号ID不能都为空"))
        last = None
        try:
            last = parse_date(v.get("last_update"))
        except BadValue as exc:
            row_problems.append(RowProblem(number, MONITOR_LABELS["last_update"], str(exc)))
        posts = None
        t = cell_text(v.get("posts"))
        if t:
            if t.isdigit():
                posts = int(t)
            else:
                row_problems.append(RowProblem(number, MONITOR_LABELS["posts"], f"“{t}”应为不小于0的整数"))
        if last is None and posts is None and not row_problems:
            row_problems.append(RowProblem(number, MONITOR_LABELS["last_update"], "最近发布时间和期间发布条数不能都为空"))
        key = (platform, ("id", acc_id) if acc_id else ("name", name))
        if platform and (name or acc_id):
            if key in seen:
                row_problems.append(RowProblem(number, MONITOR_LABELS["account_id" if acc_id else "name"],
                                               f"与第{seen[key]}行重复（{platform} {acc_id or name}）"))
            else:
                seen[key] = number
        if row_problems:
            problems.extend(row_problems)
            continue
        out.append(MonitoringRow(number, platform, name, acc_id, last, posts, cell_text(v.get("owner"))))
    problems.sort(key=lambda p: p.row)
    return out, problems


def read_monitoring(path: Path | str) -> tuple[SheetData, list[MonitoringRow], list[RowProblem]]:
    """Read and validate a monitoring file; ImportFileError when it cannot be read at all."""
    sheet = read_table(path, is_header=_monitor_header)
    rows, problems = parse_monitoring(sheet)
    return sheet, rows, problems


@dataclass
class MonitoringImport:
    """Outcome of import_monitoring: problems (nothing written), or what changed."""
    path: Path
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)     # accounts not in this round
    matched: int = 0
    changed: int = 0                                             # observations written
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    unmapped: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"发现 {len(self.problems)} 处问题，未导入任何监测数据。"
        skipped = f"；不在本轮检查对象中、已跳过 {len(self.skipped)} 个" if self.skipped else ""
        if self.dry_run:
            return f"检查通过：{self.matched} 个账号的监测数据可以导入（试运行，未写入）{skipped}。"
        return (f"已导入监测数据：匹配账号 {self.matched} 个，更新 {self.changed} 个；"
                f"提出问题 新增 {self.added}、更新 {self.updated}、撤回 {self.withdrawn}{skipped}。")


def _round_accounts(db: sqlite_utils.Database, round_id: int):
    by_id: dict[tuple, int] = {}
    by_name: dict[tuple, list[int]] = {}
    keys: dict[int, str] = {}
    for tid, key, name, platform, acc_id in db.conn.execute(
            "SELECT id, target_key, name, platform, COALESCE(json_extract(snapshot, '$.account_id'), '')"
            " FROM round_targets WHERE round_id = ? AND target_type = 'account'", (round_id,)):
        keys[tid] = key
        if acc_id:
            by_id[(platform, acc_id)] = tid
        by_name.setdefault((platform, name), []).append(tid)
    return by_id, by_name, keys


def import_monitoring(db: sqlite_utils.Database, round_id: int, path: Path | str, dry_run: bool = False,
                      who: str | None = None) -> MonitoringImport:
    """Fill the review grid from a monitoring export, all or nothing (one transaction).

    Matching: (平台, 账号ID) first, else (平台, 账号名称) among the round's accounts. Rows of
    accounts outside this round are skipped and listed, not errors (a sampled round does not
    hold every account of the export). An empty cell never overwrites a value already entered.
    """
    result = MonitoringImport(Path(path), dry_run=dry_run)
    sheet, rows, problems = read_monitoring(path)           # read before taking the write lock
    result.rows = len(sheet.rows)
    result.problems.extend(problems)
    session = ReviewSession(db, round_id)
    who = who or audit.current_user(db)
    with transaction(db):
        session._ensure_open()
        by_id, by_name, keys = _round_accounts(db, round_id)
        plan: dict[int, MonitoringRow] = {}
        for r in rows:
            tid = by_id.get((r.platform, r.account_id)) if r.account_id else None
            if tid is None and r.name:
                hits = by_name.get((r.platform, r.name), [])
                if len(hits) > 1:
                    result.problems.append(RowProblem(r.row, MONITOR_LABELS["name"],
                                                      f"本轮有 {len(hits)} 个同名的{r.platform}账号“{r.name}”，请填写账号ID"))
                    continue
                tid = hits[0] if hits else None
            if tid is None:
                result.skipped.append(RowProblem(r.row, MONITOR_LABELS["name"],
                                                  f"{r.platform}账号“{r.name or r.account_id}”不在本轮检查对象中，已跳过"))
                continue
            if tid in plan:
                result.problems.append(RowProblem(r.row, MONITOR_LABELS["name"],
                                                  f"与第{plan[tid].row}行是同一个账号（{keys[tid]}）"))
                continue
            plan[tid] = r
        result.problems.sort(key=lambda p: p.row)
        result.matched = len(plan)
        if result.problems or dry_run:
            return result
        rules = findings_mod.list_whitelist_rules(db, active_only=True)
        unmapped: dict[str, None] = {}
        for tid, r in plan.items():
            old = session.observation(tid)
            changes = {}
            if r.last_update is not None:
                changes["last_update"] = r.last_update
            if r.posts is not None:
                changes["posts_in_period"] = r.posts
            new = replace(old, **changes)
            if new != old:
                result.changed += 1
            a, u, w, un = session._store(tid, keys[tid], old, new, "导入", who, rules)
            result.added += len(a)
            result.updated += len(u)
            result.withdrawn += len(w)
            unmapped.update(dict.fromkeys(un))
        result.unmapped = list(unmapped)
        audit.log(db, "rounds", round_id, "import_monitoring", None,
                  {"file": str(result.path), "matched": result.matched, "changed": result.changed,
                   "skipped": len(result.skipped), "findings_added": result.added}, who)
    return result


# ---------------------------------------------------------------- activity statistics

@dataclass(frozen=True)
class ActivityRow:
    """主办单位 | 新媒体名称 | 发布条数 for the exports (posts None: no data)."""
    unit_name: str
    account_name: str
    platform: str
    region_name: str
    posts: int | None
    last_update: str | None


def activity_rows(db: sqlite_utils.Database, round_id: int) -> list[ActivityRow]:
    """Posts per account in the round's period, in registry order (all account targets)."""
    cur = db.conn.execute(
        """SELECT t.unit_name, t.name, t.platform, t.region_name, o.posts_in_period, o.last_update
           FROM round_targets t
           LEFT JOIN media_observations o ON o.round_id = t.round_id AND o.target_id = t.id
           WHERE t.round_id = ? AND t.target_type = 'account' ORDER BY t.sort_order, t.id""", (round_id,))
    return [ActivityRow(*r) for r in cur.fetchall()]
