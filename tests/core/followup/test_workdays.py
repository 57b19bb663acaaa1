"""Working days on the official calendar: holidays, 调休 working weekends, override file, fallback."""
import datetime as dt
import json

import pytest
from hypothesis import given, settings, strategies as st

from app.core.followup import workdays
from app.core.errors import GovInspectError
from app.core.followup.workdays import (
    WorkCalendar, add_workdays, calendar_note, is_workday, load_calendar, workdays_between,
)

D = dt.date


def test_national_day_2025():
    assert add_workdays("2025-09-30", 1) == D(2025, 10, 9)
    assert workdays_between("2025-09-30", "2025-10-09") == 1
    assert all(not is_workday(D(2025, 10, d)) for d in range(1, 9))
    # 调休: Sunday 28 September and Saturday 11 October are working days.
    assert D(2025, 9, 28).weekday() == 6 and is_workday("2025-09-28")
    assert D(2025, 10, 11).weekday() == 5 and is_workday("2025-10-11")
    assert add_workdays("2025-09-26", 1) == D(2025, 9, 28)          # Friday → working Sunday
    assert add_workdays("2025-10-10", 1) == D(2025, 10, 11)         # Friday → working Saturday
    assert add_workdays("2025-09-30", 3) == D(2025, 10, 11)
    assert not is_workday("2025-10-12")                              # an ordinary Sunday


def test_spring_festival_2026():
    assert is_workday("2026-02-14") and is_workday("2026-02-28")     # working Saturdays
    assert all(not is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert add_workdays("2026-02-13", 1) == D(2026, 2, 14)
    assert add_workdays("2026-02-13", 2) == D(2026, 2, 24)
    assert workdays_between("2026-02-13", "2026-02-24") == 2


def test_zero_negative_and_datetimes():
    assert add_workdays("2025-10-04", 0) == D(2025, 10, 4)
    assert add_workdays("2025-10-09", -1) == D(2025, 9, 30)
    assert workdays_between("2025-10-09", "2025-09-30") == -1
    assert workdays_between(dt.datetime(2025, 9, 30, 17, 0), "2025-10-09 08:00:00") == 1
    assert workdays_between("2025-10-09", "2025-10-09") == 0


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2024, 1, 1), D(2026, 11, 30)), st.integers(0, 40))
def test_add_and_between_are_inverse(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    if n:
        assert is_workday(end)


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2023, 6, 1), D(2027, 6, 30)), st.dates(D(2023, 6, 1), D(2027, 6, 30)))
def test_between_counts_as_day_by_day(a, b):
    """The running totals per year give what counting day by day gives, across years and leap days."""
    lo, hi = min(a, b), max(a, b)
    by_day = sum(is_workday(lo + dt.timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
    assert workdays_between(lo, hi) == by_day and workdays_between(hi, lo) == -by_day
    if by_day:               # the by_day-th working day after lo is the last working day up to hi
        last = max(lo + dt.timedelta(days=i) for i in range(1, (hi - lo).days + 1)
                   if is_workday(lo + dt.timedelta(days=i)))
        assert add_workdays(lo, by_day) == last


def _override(tmp_path, years: dict) -> list:
    path = tmp_path / "workdays_override.json"
    path.write_text(json.dumps({"years": years}, ensure_ascii=False), encoding="utf-8")
    return [path]


def test_override_file_for_an_unknown_year(tmp_path):
    # Test data, not the real 2027 schedule.
    cal = load_calendar(_override(tmp_path, {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-03"],
                                                     "source": "测试"}}))
    assert cal.year_source(2027) == "override" and cal.is_confirmed(2027)
    assert not cal.is_workday("2027-01-01") and cal.is_workday("2027-01-03")
    assert cal.add_workdays("2026-12-31", 1) == D(2027, 1, 3)
    assert cal.unconfirmed_years("2026-12-01", "2027-01-10") == []
    # Years outside both the package and the file: Monday–Friday and reported 未确认.
    assert cal.year_source(2028) == "fallback"
    assert cal.unconfirmed_years("2027-12-30", "2028-01-05") == [2028]
    assert cal.add_workdays("2028-01-07", 1) == D(2028, 1, 10)       # Fri → Mon
    note = calendar_note([2028])
    assert "2028年" in note and "未确认" in note and "周一至周五" in note


def test_override_wins_over_the_package(tmp_path):
    cal = load_calendar(_override(tmp_path, {"2025": {"holidays": ["2025-10-13"], "workdays": []}}))
    assert not cal.is_workday("2025-10-13")
    assert cal.is_workday("2025-10-08")   # the file now defines 2025 alone: 8 October is a plain Wednesday
    assert cal.year_source(2025) == "override"


def test_no_file_means_package_then_fallback(tmp_path):
    cal = load_calendar([tmp_path / "absent.json"])
    assert cal.year_source(2025) == "package" and cal.year_source(2030) == "fallback"
    assert WorkCalendar(use_package=False).unconfirmed_years("2025-01-01") == [2025]


@pytest.mark.parametrize("years, fragment", [
    ({"2027": {"holidays": ["2027-02-30"]}}, "不是 YYYY-MM-DD"),
    ({"2027": {"holidays": ["2028-01-01"]}}, "不属于 2027 年"),
    ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}, "同时列为"),
    ({"二〇二七": {}}, "不是数字"),
    ({"2027": {"holidays": "2027-01-01"}}, "日期列表"),
])
def test_bad_override_file(tmp_path, years, fragment):
    with pytest.raises(GovInspectError, match=fragment):
        load_calendar(_override(tmp_path, years))


def test_unreadable_override_file(tmp_path):
    path = tmp_path / "workdays_override.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(GovInspectError, match="无法读取"):
        load_calendar([path])


def test_shipped_override_file_loads():
    path = workdays.override_paths()[0]
    assert path.exists()
    assert isinstance(workdays.read_override_file(path), dict)
