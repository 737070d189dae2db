"""When a schedule's occurrences fall: the one definition (read by the services, the API and the tests).

An occurrence is the local (Asia/Ho_Chi_Minh, TIME_ZONE) wall-clock `time` on each day
that `repeat` names, from `starts_on` to `ends_on` inclusive:

- `daily`: every day; `weekdays`: Monday to Friday; `weekly`: the day `weekday` names
  (Monday 0 .. Sunday 6).

Vietnam keeps no daylight saving time, so a local time is always one instant; the
computation still goes through zoneinfo, never a fixed offset.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .choices import Repeat

# Every rule has an occurrence within any 7 consecutive days; one more for the boundary.
_WINDOW = 8


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def occurs_on(repeat: str, weekday: int | None, day: date) -> bool:
    if repeat == Repeat.DAILY:
        return True
    if repeat == Repeat.WEEKDAYS:
        return day.weekday() < 5
    return day.weekday() == weekday


def at(day: date, clock: time) -> datetime:
    """The aware instant of local `clock` on `day`."""
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone())


def next_after(schedule, moment: datetime) -> datetime | None:
    """The first occurrence strictly after `moment`; None once `ends_on` is past."""
    day = max(moment.astimezone(zone()).date(), schedule.starts_on)
    for offset in range(_WINDOW + 1):
        candidate = day + timedelta(days=offset)
        if schedule.ends_on is not None and candidate > schedule.ends_on:
            return None
        if occurs_on(schedule.repeat, schedule.weekday, candidate):
            when = at(candidate, schedule.time)
            if when > moment:
                return when
    return None


def latest_until(schedule, moment: datetime) -> datetime | None:
    """The last occurrence at or before `moment`; None when there is none yet."""
    day = moment.astimezone(zone()).date()
    if schedule.ends_on is not None:
        day = min(day, schedule.ends_on)
    for offset in range(_WINDOW + 1):
        candidate = day - timedelta(days=offset)
        if candidate < schedule.starts_on:
            return None
        if occurs_on(schedule.repeat, schedule.weekday, candidate):
            when = at(candidate, schedule.time)
            if when <= moment:
                return when
    return None
