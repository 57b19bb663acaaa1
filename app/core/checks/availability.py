"""unreachable, slow: deciders over homepage probe records of the monitoring week, the week's
verdict from per-day counts (judge: 否决/正常/样本不足/无记录), and the reader of an external probe
log (rows of time, URL, seconds, ok: a CSV here, .csv/.xlsx through crawl/probe_import.py).

站点无法访问 (web.veto.unreachable): probes of the 7 days ending at 监测时间点, at least 20 a day
for a valid verdict; a probe fails when the homepage has not opened within 15 s (inclusive);
failures ≥ 5 % of all probes → veto candidate. Too few probes → a 样本不足 note, never a veto.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable

from .attachments import decode_text
from .base import CheckContext, CheckFinding, CheckNote, Findings, Probe
from .links import url_key

KIND_UNREACHABLE = "unreachable"
KIND_SLOW = "slow"
IND_UNREACHABLE = "web.veto.unreachable"
IND_SLOW = "web.ded.function.availability"
DEFAULTS_UNREACHABLE = {"monitor_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15.0, "failure_ratio": 0.05}
DEFAULTS_SLOW = {"slow_seconds": 8.0, "timeout_seconds": 15.0, "monitor_days": 7}


def as_probe(item: Any) -> Probe:
    """A Probe from a Probe or a dict (keys time/at, seconds, ok, url, error) as the run engine keeps them."""
    if isinstance(item, Probe):
        return item
    get = item.get if isinstance(item, dict) else (lambda k, d=None: getattr(item, k, d))
    when = get("time") or get("at")
    if isinstance(when, str):
        when = parse_time(when)
    if when is None:
        raise ValueError("probe without time")
    seconds = get("seconds")
    return Probe(time=when, seconds=None if seconds is None else float(seconds), ok=bool(get("ok")),
                 url=str(get("url") or ""), error=str(get("error") or ""))


def probe_failed(p: Probe, timeout: float) -> bool:
    """Failed: not opened, or opened only at/after the timeout (15 s inclusive)."""
    return not p.ok or p.seconds is None or p.seconds >= timeout


def window(as_of: dt.date, days: int) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=days - 1), as_of


def _naive(p: Probe) -> dt.datetime:
    return p.time.replace(tzinfo=None)


def _in_window(probes: Iterable[Any], as_of: dt.date, days: int) -> list[Probe]:
    start, end = window(as_of, days)
    inside = [p for p in map(as_probe, probes) if start <= p.time.date() <= end]
    if any(p.time.tzinfo is not None for p in inside):
        inside.sort(key=_naive)               # aware and naive times do not compare
    else:
        inside.sort(key=attrgetter("time"))
    return inside


def _pct(f: Fraction) -> str:
    return f"{float(f) * 100:.2f}%"


# ---------------------------------------------------------------- the week's verdict

VERDICT_VETO, VERDICT_OK, VERDICT_SHORT, VERDICT_NONE = "否决", "正常", "样本不足", "无记录"
VERDICTS = (VERDICT_VETO, VERDICT_OK, VERDICT_SHORT, VERDICT_NONE)


@dataclass(frozen=True)
class DayCount:
    """Probes of one day of the monitoring week: all, failed, and opened but slow."""

    day: dt.date
    probes: int = 0
    failed: int = 0
    slow: int = 0


@dataclass(frozen=True)
class WeekVerdict:
    """The 站点无法访问 rule applied to a week of day counts (every day of the window listed)."""

    start: dt.date
    end: dt.date
    days: tuple[DayCount, ...]
    need: int                        # probes a day for a valid verdict
    limit: Fraction                  # failure share that fails the site
    timeout: float
    probes: int = field(init=False)
    failed: int = field(init=False)
    slow: int = field(init=False)
    verdict: str = field(init=False)

    def __post_init__(self):
        probes, failed = sum(d.probes for d in self.days), sum(d.failed for d in self.days)
        if not probes:
            verdict = VERDICT_NONE
        elif any(d.probes < self.need for d in self.days):
            verdict = VERDICT_SHORT
        else:
            verdict = VERDICT_VETO if Fraction(failed, probes) >= self.limit else VERDICT_OK
        for name, value in (("probes", probes), ("failed", failed), ("slow", sum(d.slow for d in self.days)),
                            ("verdict", verdict)):
            object.__setattr__(self, name, value)

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.failed, self.probes) if self.probes else None

    @property
    def short_days(self) -> tuple[DayCount, ...]:
        return tuple(d for d in self.days if d.probes < self.need)

    @property
    def period(self) -> str:
        return f"{self.start.isoformat()}至{self.end.isoformat()}"

    def summary(self) -> str:
        return f"监测期（{self.period}）首页访问{self.probes}次，失败{self.failed}次，占{_pct(self.share or Fraction(0))}"

    def short_text(self) -> str:
        """The short days, e.g. “8月9日12次、8月10日0次”."""
        return "、".join(f"{d.day.month}月{d.day.day}日{d.probes}次" for d in self.short_days)

    def note(self) -> str:
        """What the inspector reads when there is no veto (无记录, 样本不足, 正常); '' on a veto."""
        verdict = self.verdict
        if verdict == VERDICT_NONE:
            return f"站点无法访问：监测期（{self.period}）无拨测记录，未判定"
        if verdict == VERDICT_SHORT:
            return (f"站点无法访问：样本不足（每天至少{self.need}次，{self.short_text()}），不作否决判定；"
                    f"{self.summary()}")
        if verdict == VERDICT_OK:
            return f"站点可访问：{self.summary()}，未达到{_pct(self.limit)}的否决阈值"
        return ""


def judge(days: Iterable[DayCount], ctx: CheckContext) -> WeekVerdict:
    """The verdict of the monitoring week from per-day counts (days outside the window ignored,
    days without probes counted as 0). The run engine and the monitor's verdict both end here."""
    opts = ctx.opts(KIND_UNREACHABLE, DEFAULTS_UNREACHABLE)
    n_days, need = int(opts["monitor_days"]), int(opts["min_probes_per_day"])
    start, end = window(ctx.as_of, n_days)
    by_day = {start + dt.timedelta(days=i): DayCount(start + dt.timedelta(days=i)) for i in range(n_days)}
    for d in days:
        if d.day in by_day:
            old = by_day[d.day]
            by_day[d.day] = DayCount(d.day, old.probes + d.probes, old.failed + d.failed, old.slow + d.slow)
    return WeekVerdict(start, end, tuple(by_day.values()), need, Fraction(str(opts["failure_ratio"])),
                       float(opts["timeout_seconds"]))


def _is_slow(p: Probe, limit: float, timeout: float) -> bool:
    return not probe_failed(p, timeout) and p.seconds is not None and p.seconds > limit


class _Inside(list):
    """Probes already in the window and sorted (day_counts need not do it again)."""


def day_counts(probes: Iterable[Any], ctx: CheckContext) -> list[DayCount]:
    """Per-day counts of the probes inside the monitoring week (failed and slow as the deciders say)."""
    u = ctx.opts(KIND_UNREACHABLE, DEFAULTS_UNREACHABLE)
    s = ctx.opts(KIND_SLOW, DEFAULTS_SLOW)
    timeout, limit, slow_timeout = float(u["timeout_seconds"]), float(s["slow_seconds"]), float(s["timeout_seconds"])
    counts: dict[dt.date, list[int]] = {}
    inside = probes if isinstance(probes, _Inside) else _in_window(probes, ctx.as_of, int(u["monitor_days"]))
    for p in inside:
        c = counts.setdefault(p.time.date(), [0, 0, 0])
        c[0] += 1
        c[1] += probe_failed(p, timeout)
        c[2] += _is_slow(p, limit, slow_timeout)
    return [DayCount(day, *c) for day, c in sorted(counts.items())]


@dataclass(frozen=True)
class WeekFinding(CheckFinding):
    """A finding about a whole monitoring week. Its identity is the kind and the week, not the
    counts in its text: probes keep coming in, and the week's veto must be recorded only once."""

    period: str = ""

    @property
    def fingerprint(self) -> str:
        key = "\x1f".join((self.kind, self.indicator_id, self.period))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def unreachable(probes: Iterable[Any], ctx: CheckContext) -> Findings:
    """The 站点无法访问 verdict over the monitoring week (finding only when valid and ≥ ratio)."""
    url = str((ctx.site or {}).get("url") or "")
    inside = _Inside(_in_window(probes, ctx.as_of, int(ctx.opts(KIND_UNREACHABLE, DEFAULTS_UNREACHABLE)["monitor_days"])))
    v = judge(day_counts(inside, ctx), ctx)
    if v.verdict != VERDICT_VETO:
        return Findings(notes=[CheckNote(KIND_UNREACHABLE, v.note(), url)])
    failed = [p for p in inside if probe_failed(p, v.timeout)]
    lines = [f"{d.day.isoformat()}：{d.probes}次，失败{d.failed}次" for d in v.days]
    evidence = lines + ["失败记录："] + [
        f"{p.time.isoformat(sep=' ', timespec='seconds')}｜{'未打开' if p.seconds is None else f'{p.seconds:.1f}秒'}"
        f"｜{p.error or ('超时' if p.ok else '无法打开')}" for p in failed[:200]]
    return Findings([WeekFinding(
        KIND_UNREACHABLE, IND_UNREACHABLE, url=url or inside[0].url, page=url,
        detail=f"{v.summary()}（{v.timeout:g}秒（含）仍未打开计为失败），达到{_pct(v.limit)}的否决阈值",
        evidence="\n".join(evidence), period=v.period)])


def slow(probes: Iterable[Any], ctx: CheckContext) -> Findings:
    """Probes that opened, but slower than slow_seconds (and under the failure timeout)."""
    opts = ctx.opts(KIND_SLOW, DEFAULTS_SLOW)
    limit, timeout, days = float(opts["slow_seconds"]), float(opts["timeout_seconds"]), int(opts["monitor_days"])
    url = str((ctx.site or {}).get("url") or "")
    slow_ones = [p for p in _in_window(probes, ctx.as_of, days) if _is_slow(p, limit, timeout)]
    if not slow_ones:
        return Findings()
    worst = max(slow_ones, key=lambda p: p.seconds or 0)
    start, end = window(ctx.as_of, days)
    return Findings([WeekFinding(
        KIND_SLOW, IND_SLOW, url=url or worst.url, page=url, period=f"{start.isoformat()}至{end.isoformat()}",
        detail=f"监测期（{start.isoformat()}至{end.isoformat()}）首页有{len(slow_ones)}次打开用时超过{limit:g}秒，"
               f"最慢{worst.seconds:.1f}秒",
        evidence="\n".join(f"{p.time.isoformat(sep=' ', timespec='seconds')}｜{p.seconds:.1f}秒"
                            for p in slow_ones[:200]))])


# ---------------------------------------------------------------- external probe log

_HEADERS = {
    "time": ("time", "datetime", "timestamp", "at", "时间", "监测时间", "访问时间", "拨测时间", "检测时间", "日期时间"),
    "url": ("url", "网址", "地址", "链接", "首页", "站点"),
    "seconds": ("seconds", "elapsed", "耗时", "用时", "响应时间", "耗时(秒)", "耗时（秒）", "秒", "打开时间", "时长"),
    "ok": ("ok", "success", "status", "是否成功", "成功", "状态", "结果", "是否可访问", "可访问"),
    "error": ("error", "错误", "原因", "备注", "说明"),
}
_TRUE = {"1", "true", "yes", "y", "ok", "是", "成功", "正常", "可访问", "通", "√"}
_FALSE = {"0", "false", "no", "n", "fail", "failed", "否", "失败", "异常", "无法访问", "超时", "不通", "×", "timeout"}
_CN_TIME_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?$")
_TIME_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?$")
_SECONDS_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|毫秒|s|秒|sec)?$", re.I)


@dataclass
class ProbeLog:
    probes: list[Probe] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)     # Chinese, "第N行：…"
    skipped: int = 0                                     # rows for other URLs


def parse_time(value: str) -> dt.datetime | None:
    v = value.strip()
    if not v:
        return None
    if len(v) == 19 and v[4] == "-" and v[10] in " T":     # the stored form: no regex for 235,200 probes
        try:
            return dt.datetime.fromisoformat(v)
        except ValueError:
            pass
    m = _CN_TIME_RE.match(v) or _TIME_RE.match(v)
    if m:
        y, mo, d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
        try:
            return dt.datetime(y, mo, d, h, mi, sec)
        except ValueError:
            return None
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(v)
    except ValueError:
        return None


def _seconds(value: str) -> float | None | str:
    v = value.strip()
    if v in ("", "-", "—", "/", "无"):
        return None
    m = _SECONDS_RE.match(v)
    if not m:
        return "bad"
    n = float(m.group(1))
    return n / 1000 if (m.group(2) or "").lower() in ("ms", "毫秒") else n


def _columns(header: list[str]) -> dict[str, int] | None:
    cols = {}
    for i, h in enumerate(header):
        key = str(h or "").strip().lower()
        for name, aliases in _HEADERS.items():
            if name not in cols and key in aliases:
                cols[name] = i
    return cols if {"time", "ok"} <= cols.keys() or {"time", "seconds"} <= cols.keys() else None


def probe_columns(header: list[str]) -> dict[str, int] | None:
    """Column index of time, url, site (网站标识码), seconds, ok and error; None when the header
    lacks the time and either ok or seconds."""
    cols = _columns(header)
    if cols is not None:
        for i, h in enumerate(header):
            if "site" not in cols and str(h or "").strip().lower() in SITE_HEADERS:
                cols["site"] = i
    return cols


SITE_HEADERS = ("网站标识码", "标识码", "site_code", "site code", "code", "site")
COLUMN_LABELS = {"time": "时间", "url": "网址", "site": "网站标识码", "seconds": "耗时", "ok": "是否成功",
                 "error": "错误"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def probe_from_cells(cells: dict[str, Any], has_ok_column: bool) -> tuple[Probe | None, list[tuple[str, str]]]:
    """One probe from a row's cells (time, seconds, ok, url, error: text, or the datetimes,
    numbers and booleans a workbook holds); else the problems as (column label, reason)."""
    problems: list[tuple[str, str]] = []
    raw_time = cells.get("time")
    when = raw_time if isinstance(raw_time, dt.datetime) else parse_time(_text(raw_time))
    if when is None:
        problems.append(("时间", f"“{_text(raw_time)}”无法识别"))
    raw_secs = cells.get("seconds")
    if isinstance(raw_secs, (int, float)) and not isinstance(raw_secs, bool):
        secs: float | None | str = float(raw_secs) if raw_secs >= 0 else "bad"
    else:
        secs = _seconds(_text(raw_secs))
    if secs == "bad":
        problems.append(("耗时", f"“{_text(raw_secs)}”不是秒数"))
        secs = None
    raw_ok = _text(cells.get("ok")).lower()
    if raw_ok in _TRUE:
        ok = True
    elif raw_ok in _FALSE:
        ok = False
    elif not raw_ok and not has_ok_column and secs is not None:
        ok = True
    else:
        problems.append(("是否成功", f"“{_text(cells.get('ok'))}”无法识别（应为 是/否、成功/失败、1/0）"))
        ok = False
    if ok and secs is None and not problems:
        problems.append(("耗时", "访问成功但缺少耗时"))
    if problems:
        return None, problems
    return Probe(when, secs, ok, _text(cells.get("url")), _text(cells.get("error"))), []


def parse_probe_csv(text: str, url: str | None = None) -> ProbeLog:
    """Probe records from a CSV (header row in Chinese or English; else columns time,URL,seconds,ok).

    ``url``: keep only rows for this homepage (others are counted in ``skipped``).
    """
    log = ProbeLog()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        log.errors.append("第1行：文件为空")
        return log
    cols = _columns(rows[0])
    first = 1
    if cols is None:
        if parse_time(rows[0][0] if rows[0] else "") is None:
            log.errors.append("第1行：无法识别表头，应包含“时间、网址、耗时（秒）、是否成功”列")
            return log
        cols, first = {"time": 0, "url": 1, "seconds": 2, "ok": 3}, 0
    want = url_key(url) if url else None
    for n, row in enumerate(rows[first:], start=first + 1):
        if not any(c.strip() for c in row):
            continue
        cells = {name: row[i].strip() for name, i in cols.items() if i < len(row)}
        row_url = cells.get("url", "")
        if want and row_url and url_key(row_url) != want:
            log.skipped += 1
            continue
        probe, problems = probe_from_cells(cells, "ok" in cols)
        if problems:
            # This reader's own wording: the column name runs into a quoted value.
            log.errors.append(f"第{n}行：" + "；".join(label + why if why.startswith("“") else why
                                                     for label, why in problems))
            continue
        if not probe.url and url:
            probe = Probe(probe.time, probe.seconds, probe.ok, url, probe.error)
        log.probes.append(probe)
    return log


def read_probe_file(path: str | Path, url: str | None = None) -> ProbeLog:
    """parse_probe_csv on a file in UTF-8 or GBK."""
    return parse_probe_csv(decode_text(Path(path).read_bytes()), url)
