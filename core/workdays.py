"""Working days (工作日) for objection deadlines: Monday to Friday, minus public holidays,
plus the weekend days the State Council turns into working days (调休上班).

The calendar lives in ``data/holidays.csv`` (date, name, kind = holiday | workday, note) so
an office can add next year's notice without touching code.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HOLIDAYS_CSV = Path(__file__).resolve().parents[1] / "data" / "holidays.csv"
KINDS = ("holiday", "workday")


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (the start day itself never counts,
        as a deadline of "7 working days" runs from the day after filing)."""
        if days < 1:
            raise ValueError(f"工作日天数应为正整数：{days}")
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            counted += self.is_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many are left from ``start`` to a deadline ``end``."""
        if end <= start:
            return 0
        return sum(self.is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def load_calendar(path: str | Path = HOLIDAYS_CSV) -> Calendar:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                day = dt.date.fromisoformat(row["date"].strip())
            except (KeyError, AttributeError, ValueError):
                raise ValueError(f"{path} 第{line}行 date：日期格式应为 YYYY-MM-DD") from None
            kind = (row.get("kind") or "").strip()
            if kind not in KINDS:
                raise ValueError(f"{path} 第{line}行 kind：应为 holiday（放假）或 workday（调休上班），实为 {kind!r}")
            (holidays if kind == "holiday" else workdays).add(day)
    return Calendar(frozenset(holidays), frozenset(workdays))


@lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    return load_calendar()


def add_working_days(start: dt.date, days: int) -> dt.date:
    return default_calendar().add_working_days(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return default_calendar().working_days_between(start, end)
