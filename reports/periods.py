"""Calendar periods of the reports: weeks (Monday to Sunday), months, quarters, years.

All in local days (Asia/Ho_Chi_Minh); `end` is the last day of the period, included.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    def next(self) -> "Period":
        return period_of(self.kind, self.end + timedelta(days=1))

    def previous(self) -> "Period":
        return period_of(self.kind, self.start - timedelta(days=1))

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "label": self.label}


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before the one holding `day`."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` that holds `day`. Raises ValueError at the calendar's edges."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        return Period(kind, start, _add_months(start, 1) - timedelta(days=1))
    if kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, _add_months(start, 3) - timedelta(days=1))
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(kind)


def periods_between(kind: str, since: date, until: date) -> list[Period]:
    """Every period of `kind` from the one holding `since` to the one holding `until`."""
    periods = [period_of(kind, since)]
    while periods[-1].end < until:
        periods.append(periods[-1].next())
    return periods
