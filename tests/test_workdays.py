"""Objection deadlines in working days, worked out by hand on a calendar."""

import datetime as dt

import pytest

from core.workdays import add_working_days, default_calendar, load_calendar, working_days_between

D = dt.date


def test_plain_week_skips_the_weekend():
    # Mon 07-07 → Tue 8, Wed 9, Thu 10, Fri 11, Mon 14, Tue 15, Wed 16
    assert add_working_days(D(2025, 7, 7), 7) == D(2025, 7, 16)
    # Fri → next Mon
    assert add_working_days(D(2025, 7, 11), 1) == D(2025, 7, 14)


def test_national_day_2025_with_makeup_sunday_and_saturday():
    # Fri 09-26: Sun 09-28 调休上班 (1), Mon 29 (2), Tue 30 (3), 10-01..10-08 放假,
    # Thu 10-09 (4), Fri 10 (5), Sat 10-11 调休上班 (6), Mon 13 (7)
    assert add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)
    # Tue 09-30: Thu 10-09 (1), Fri 10 (2), Sat 11 (3), Mon 13 .. Thu 16 (7)
    assert add_working_days(D(2025, 9, 30), 7) == D(2025, 10, 16)
    # the day after the long holiday that ends on a Wednesday
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)


def test_spring_festival_2026():
    # Fri 02-13: Sat 02-14 调休上班 (1), 02-15..02-23 放假, Tue 24 (2), Wed 25 (3)
    assert add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_calendar_flags():
    cal = default_calendar()
    assert cal.is_working_day(D(2025, 10, 11))  # a Saturday, 调休上班
    assert not cal.is_working_day(D(2025, 10, 8))  # a Wednesday, 国庆放假
    assert not cal.is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_days_left_counts_working_days_to_the_deadline():
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 13)) == 7
    assert working_days_between(D(2025, 10, 13), D(2025, 10, 13)) == 0
    assert working_days_between(D(2025, 10, 14), D(2025, 10, 13)) == 0


def test_custom_calendar_file(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("date,name,kind,note\n2025-07-08,测试,holiday,\n2025-07-12,测试,workday,\n", encoding="utf-8")
    cal = load_calendar(path)
    # Mon 07-07: Tue 8 off, Wed 9 (1), Thu 10 (2), Fri 11 (3), Sat 12 (4)
    assert cal.add_working_days(D(2025, 7, 7), 4) == D(2025, 7, 12)


def test_bad_calendar_row_is_named(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("date,name,kind,note\n2025-07-08,测试,假期,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第2行 kind"):
        load_calendar(path)


def test_zero_days_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2025, 7, 7), 0)
