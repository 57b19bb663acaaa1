"""Working days on China's official calendar: holidays, adjusted working weekends (调休), overrides.

Sources, per year, first hit wins:
1. the override file(s) ``calendar/workdays_override.json`` (resources, then the user's data
   folder) — for years the package does not know yet, or to correct it;
2. the ``chinese_calendar`` package (years it ships data for);
3. Monday–Friday, and the year is reported as 未确认 (``WorkCalendar.unconfirmed_years``).

Arithmetic (used for 找错 deadlines and 整改 deadlines):
* ``add_workdays(d, n)`` is the n-th working day after ``d`` (``d`` itself never counts), so
  2025-09-30 + 1 = 2025-10-09 across the National Day holiday.
* ``workdays_between(a, b)`` counts working days in (a, b]: ``workdays_between(d, add_workdays(d, n)) == n``.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import GovInspectError
from ..store.paths import resources_dir, user_data_dir

OVERRIDE_NAME = "workdays_override.json"
SOURCE_OVERRIDE, SOURCE_PACKAGE, SOURCE_FALLBACK = "override", "package", "fallback"
SOURCE_ZH = {SOURCE_OVERRIDE: "补充表", SOURCE_PACKAGE: "官方日历", SOURCE_FALLBACK: "未确认（按周一至周五）"}


def as_date(value) -> dt.date:
    """A date from a date, a datetime or ISO text ('2025-10-09', '2025-10-09 14:30:00')."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    raise TypeError(f"not a date: {value!r}")


@dataclass(frozen=True)
class YearOverride:
    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = ""


def _package_data() -> tuple[range, frozenset[dt.date], frozenset[dt.date]]:
    try:
        import chinese_calendar as cc
    except ImportError:          # the app still runs; every year then counts as 未确认
        return range(0), frozenset(), frozenset()
    holidays = frozenset(cc.holidays)
    workdays = frozenset(cc.workdays)
    years = range(min(holidays).year, max(holidays).year + 1) if holidays else range(0)
    return years, holidays, workdays


def _parse_days(values, year: int, label: str, where: str) -> frozenset[dt.date]:
    if not isinstance(values, list):
        raise GovInspectError(f"{where}：{year} 年的 {label} 应为日期列表")
    out = set()
    for v in values:
        try:
            day = dt.date.fromisoformat(str(v).strip())
        except ValueError:
            raise GovInspectError(f"{where}：{year} 年的 {label} 中“{v}”不是 YYYY-MM-DD 格式的日期") from None
        if day.year != year:
            raise GovInspectError(f"{where}：日期 {day} 不属于 {year} 年")
        out.add(day)
    return frozenset(out)


def read_override_file(path: Path) -> dict[int, YearOverride]:
    """Year -> override from one file; a missing file gives {}; a bad file raises GovInspectError."""
    if not path.exists():
        return {}
    where = f"工作日补充表“{path}”"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GovInspectError(f"{where}无法读取：{exc}") from exc
    years = data.get("years", {}) if isinstance(data, dict) else None
    if not isinstance(years, dict):
        raise GovInspectError(f"{where}格式不正确：缺少 years 对象")
    out: dict[int, YearOverride] = {}
    for key, entry in years.items():
        try:
            year = int(key)
        except ValueError:
            raise GovInspectError(f"{where}：年份“{key}”不是数字") from None
        if not isinstance(entry, dict):
            raise GovInspectError(f"{where}：{year} 年的内容应为对象（holidays、workdays）")
        holidays = _parse_days(entry.get("holidays", []), year, "holidays", where)
        workdays = _parse_days(entry.get("workdays", []), year, "workdays", where)
        both = sorted(holidays & workdays)
        if both:
            raise GovInspectError(f"{where}：{both[0]} 同时列为放假日和调休工作日")
        out[year] = YearOverride(year, holidays, workdays, str(entry.get("source", "")))
    return out


class WorkCalendar:
    """Which days are working days; immutable once built."""

    def __init__(self, overrides: dict[int, YearOverride] | None = None, use_package: bool = True):
        self.overrides = dict(overrides or {})
        empty = (range(0), frozenset(), frozenset())
        self._years, self._holidays, self._workdays = _package_data() if use_package else empty
        self._ranks: dict[int, list[int]] = {}        # year -> working days from 1 January to each day

    def year_source(self, year: int) -> str:
        """'override', 'package' or 'fallback' (Mon–Fri, 未确认)."""
        if year in self.overrides:
            return SOURCE_OVERRIDE
        if year in self._years:
            return SOURCE_PACKAGE
        return SOURCE_FALLBACK

    def is_confirmed(self, year: int) -> bool:
        return self.year_source(year) != SOURCE_FALLBACK

    def is_workday(self, day) -> bool:
        day = as_date(day)
        o = self.overrides.get(day.year)
        if o is not None:
            return day in o.workdays or (day.weekday() < 5 and day not in o.holidays)
        if day.year in self._years:
            return day in self._workdays or (day.weekday() < 5 and day not in self._holidays)
        return day.weekday() < 5

    def add_workdays(self, start, n: int) -> dt.date:
        """The n-th working day after ``start`` (n < 0: before); n == 0 gives ``start``."""
        day = as_date(start)
        if n > 0:                  # the first day whose running total reaches start's plus n
            want, year = self._rank(day) + int(n), day.year
            while want > self._year_ranks(year)[-1]:
                want -= self._year_ranks(year)[-1]
                year += 1
            return dt.date(year, 1, 1) + dt.timedelta(days=bisect_left(self._year_ranks(year), want))
        step = 1 if n >= 0 else -1
        left = abs(int(n))
        while left:
            day += dt.timedelta(days=step)
            if self.is_workday(day):
                left -= 1
        return day

    def _year_ranks(self, year: int) -> list[int]:
        ranks = self._ranks.get(year)
        if ranks is None:
            ranks, n, day = [], 0, dt.date(year, 1, 1)
            while day.year == year:
                n += self.is_workday(day)
                ranks.append(n)
                day += dt.timedelta(days=1)
            self._ranks[year] = ranks
        return ranks

    def _rank(self, day: dt.date) -> int:
        """Working days from 1 January of its year up to ``day`` (inclusive)."""
        return self._year_ranks(day.year)[day.timetuple().tm_yday - 1]

    def workdays_between(self, start, end) -> int:
        """Working days in (start, end]; negative when end is before start. Counted from each year's
        running totals (built once per year), so statistics over thousands of messages stay quick."""
        a, b = as_date(start), as_date(end)
        if b < a:
            return -self.workdays_between(b, a)
        if a.year == b.year:
            return self._rank(b) - self._rank(a)
        count = self._year_ranks(a.year)[-1] - self._rank(a)
        for year in range(a.year + 1, b.year):
            count += self._year_ranks(year)[-1]
        return count + self._rank(b)

    def unconfirmed_years(self, *days) -> list[int]:
        """Years spanned by the given dates (min..max) that fall back to Mon–Fri."""
        ds = [as_date(d) for d in days if d is not None and d != ""]
        if not ds:
            return []
        return [y for y in range(min(ds).year, max(ds).year + 1) if not self.is_confirmed(y)]


def calendar_note(years: list[int]) -> str:
    """Chinese warning for years counted Mon–Fri ('' when all are confirmed)."""
    if not years:
        return ""
    ys = "、".join(f"{y}年" for y in years)
    return (f"{ys}的节假日与调休安排未确认（内置日历和补充表中都没有），已按周一至周五计算工作日；"
            f"请在 calendar/{OVERRIDE_NAME} 中补充该年安排。")


def override_paths() -> list[Path]:
    """Override files in precedence order (later wins): shipped, then the user's own."""
    return [resources_dir() / "calendar" / OVERRIDE_NAME, user_data_dir() / "calendar" / OVERRIDE_NAME]


_cache: dict[tuple, WorkCalendar] = {}


def load_calendar(paths: list[Path] | None = None) -> WorkCalendar:
    """The calendar with override files applied (cached until a file changes)."""
    paths = override_paths() if paths is None else [Path(p) for p in paths]
    stamp = tuple((str(p), p.stat().st_mtime_ns if p.exists() else None) for p in paths)
    cal = _cache.get(stamp)
    if cal is None:
        overrides: dict[int, YearOverride] = {}
        for p in paths:
            overrides.update(read_override_file(p))
        cal = _cache[stamp] = WorkCalendar(overrides)
    return cal


def is_workday(day, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or load_calendar()).is_workday(day)


def add_workdays(start, n: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The n-th working day after ``start`` on the official calendar (see module notes)."""
    return (calendar or load_calendar()).add_workdays(start, n)


def workdays_between(start, end, calendar: WorkCalendar | None = None) -> int:
    """Working days in (start, end] on the official calendar."""
    return (calendar or load_calendar()).workdays_between(start, end)


def setting_workdays(db, key: str, default: int) -> int:
    """A working-day count kept in settings (e.g. messages.deadline_workdays); default if unset or bad."""
    from ..store.db import get_setting
    value = get_setting(db, key)
    try:
        n = int(value) if value not in (None, "") else default
    except ValueError:
        n = default
    return n if n >= 1 else default


def set_setting_workdays(db, key: str, days: int, label: str) -> None:
    """Store a working-day count; ``label`` names the field in the Chinese error."""
    from ..errors import ValidationError
    from ..store.db import set_setting
    if not isinstance(days, int) or days < 1:
        raise ValidationError({label: "应为不小于1的整数（工作日）"})
    set_setting(db, key, str(days))
