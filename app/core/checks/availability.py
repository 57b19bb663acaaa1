"""unreachable, slow: deciders over homepage probe records of the monitoring week, and the
reader of an external probe log (.csv: time, URL, seconds, ok) with row-numbered errors.

站点无法访问 (web.veto.unreachable): probes of the 7 days ending at 监测时间点, at least 20 a day
for a valid verdict; a probe fails when the homepage has not opened within 15 s (inclusive);
failures ≥ 5 % of all probes → veto candidate. Too few probes → a 样本不足 note, never a veto.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction
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


def _in_window(probes: Iterable[Any], as_of: dt.date, days: int) -> list[Probe]:
    start, end = window(as_of, days)
    inside = (p for p in map(as_probe, probes) if start <= p.time.date() <= end)
    return sorted(inside, key=lambda p: p.time.replace(tzinfo=None))


def _pct(f: Fraction) -> str:
    return f"{float(f) * 100:.2f}%"


def unreachable(probes: Iterable[Any], ctx: CheckContext) -> Findings:
    """The 站点无法访问 verdict over the monitoring week (finding only when valid and ≥ ratio)."""
    opts = ctx.opts(KIND_UNREACHABLE, DEFAULTS_UNREACHABLE)
    days, need = int(opts["monitor_days"]), int(opts["min_probes_per_day"])
    timeout = float(opts["timeout_seconds"])
    ratio = Fraction(str(opts["failure_ratio"]))
    url = str((ctx.site or {}).get("url") or "")
    start, end = window(ctx.as_of, days)
    period = f"{start.isoformat()}至{end.isoformat()}"
    inside = _in_window(probes, ctx.as_of, days)
    if not inside:
        return Findings(notes=[CheckNote(KIND_UNREACHABLE, f"站点无法访问：监测期（{period}）无拨测记录，未判定", url)])
    per_day: dict[dt.date, list[Probe]] = {start + dt.timedelta(days=i): [] for i in range(days)}
    for p in inside:
        per_day[p.time.date()].append(p)
    failed = [p for p in inside if probe_failed(p, timeout)]
    share = Fraction(len(failed), len(inside))
    lines = [f"{d.isoformat()}：{len(ps)}次，失败{sum(probe_failed(p, timeout) for p in ps)}次" for d, ps in per_day.items()]
    short = [f"{d.month}月{d.day}日{len(ps)}次" for d, ps in per_day.items() if len(ps) < need]
    summary = f"监测期（{period}）首页访问{len(inside)}次，失败{len(failed)}次，占{_pct(share)}"
    if short:
        return Findings(notes=[CheckNote(
            KIND_UNREACHABLE, f"站点无法访问：样本不足（每天至少{need}次，{'、'.join(short)}），不作否决判定；{summary}", url)])
    if share < ratio:
        return Findings(notes=[CheckNote(KIND_UNREACHABLE, f"站点可访问：{summary}，未达到{_pct(ratio)}的否决阈值", url)])
    evidence = lines + ["失败记录："] + [
        f"{p.time.isoformat(sep=' ', timespec='seconds')}｜{'未打开' if p.seconds is None else f'{p.seconds:.1f}秒'}"
        f"｜{p.error or ('超时' if p.ok else '无法打开')}" for p in failed[:200]]
    return Findings([CheckFinding(
        KIND_UNREACHABLE, IND_UNREACHABLE, url=url or (inside[0].url if inside else ""), page=url,
        detail=f"{summary}（{timeout:g}秒（含）仍未打开计为失败），达到{_pct(ratio)}的否决阈值",
        evidence="\n".join(evidence))])


def slow(probes: Iterable[Any], ctx: CheckContext) -> Findings:
    """Probes that opened, but slower than slow_seconds (and under the failure timeout)."""
    opts = ctx.opts(KIND_SLOW, DEFAULTS_SLOW)
    limit, timeout, days = float(opts["slow_seconds"]), float(opts["timeout_seconds"]), int(opts["monitor_days"])
    url = str((ctx.site or {}).get("url") or "")
    slow_ones = [p for p in _in_window(probes, ctx.as_of, days)
                 if not probe_failed(p, timeout) and p.seconds is not None and p.seconds > limit]
    if not slow_ones:
        return Findings()
    worst = max(slow_ones, key=lambda p: p.seconds or 0)
    start, end = window(ctx.as_of, days)
    return Findings([CheckFinding(
        KIND_SLOW, IND_SLOW, url=url or worst.url, page=url,
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
        key = h.strip().lower()
        for name, aliases in _HEADERS.items():
            if name not in cols and key in aliases:
                cols[name] = i
    return cols if {"time", "ok"} <= cols.keys() or {"time", "seconds"} <= cols.keys() else None


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

        def cell(name: str) -> str:
            i = cols.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        problems = []
        when = parse_time(cell("time"))
        if when is None:
            problems.append(f"时间“{cell('time')}”无法识别")
        row_url = cell("url")
        if want and row_url and url_key(row_url) != want:
            log.skipped += 1
            continue
        secs = _seconds(cell("seconds"))
        if secs == "bad":
            problems.append(f"耗时“{cell('seconds')}”不是秒数")
            secs = None
        raw_ok = cell("ok").lower()
        if raw_ok in _TRUE:
            ok = True
        elif raw_ok in _FALSE:
            ok = False
        elif not raw_ok and "ok" not in cols and secs is not None:
            ok = True
        else:
            problems.append(f"是否成功“{cell('ok')}”无法识别（应为 是/否、成功/失败、1/0）")
            ok = False
        if ok and secs is None and not problems:
            problems.append("访问成功但缺少耗时")
        if problems:
            log.errors.append(f"第{n}行：" + "；".join(problems))
            continue
        log.probes.append(Probe(when, secs, ok, row_url or (url or ""), cell("error")))
    return log


def read_probe_file(path: str | Path, url: str | None = None) -> ProbeLog:
    """parse_probe_csv on a file in UTF-8 or GBK."""
    return parse_probe_csv(decode_text(Path(path).read_bytes()), url)
