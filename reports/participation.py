"""Participation over time: members, active, new and lapsed per week or month.

- members: people holding the member role in the subtree (active people) whose first
  such role there began before the period ended;
- new: those whose first member role there began in the period;
- active: people who handed in at least one piece of work in the period (from
  reports.models.SubtreePeriod, kept by triggers: the subtree root's rows);
- lapsed: active in the period before, not in this one.

Memberships carry no end date: someone who left the subtree is not counted in the
periods before they left either. Each number is one grouped query over the subtree
root's rows of a rollup (reports.models.SubtreePeriod, SubtreeMember), whatever the
number of periods and people.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connections, router
from django.db.models import Count, Q

from .models import SubtreeMember, SubtreePeriod
from .periods import Period, month_start, periods_between
from .selectors import day_start, root_id

def _vendor() -> str:
    return connections[router.db_for_read(SubtreePeriod)].vendor


def _fetch(sql: str, params: list) -> list:
    with connections[router.db_for_read(SubtreePeriod)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value) -> date:
    if isinstance(value, str):  # SQLite hands dates back as text
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def _trunc(kind: str, column: str) -> str:
    if _vendor() == "postgresql":
        return f"date_trunc('{kind}', ({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    if kind == "week":
        return f"date({column}, '+7 hours', 'weekday 0', '-6 days')"
    return f"date({column}, '+7 hours', 'start of month')"


def _probe() -> str:
    """PostgreSQL: OFFSET 0 keeps a NOT EXISTS a probe of the unique key per person active
    before, instead of a hash of everyone active in every period of the range."""
    return "OFFSET 0" if _vendor() == "postgresql" else ""


def _next(kind: str, column: str) -> str:
    if _vendor() == "postgresql":
        return f"({column} + 7)" if kind == "week" else f"({column} + interval '1 month')::date"
    return f"date({column}, '+7 days')" if kind == "week" else f"date({column}, '+1 month')"


def members_by(path: str, days: list[date]) -> list[int]:
    """How many people of the subtree had begun their first member role there before each
    local day of `days`: one pass over the subtree root's reports_subtreemember rows with a
    role (an index-only scan), a count per day compared on the stored time, no time-zone
    arithmetic per person."""
    counts = SubtreeMember.objects.filter(team_id=root_id(path), roles__gt=0).aggregate(**{
        f"d{n}": Count("team_id", filter=Q(first_role_at__lt=day_start(day))) for n, day in enumerate(days)
    })
    return [counts[f"d{n}"] for n in range(len(days))]


def participation_series(path: str, interval: str, since: date, until: date) -> list[dict]:
    """One row per week or month from the one holding `since` to the one holding `until`."""
    periods = periods_between(interval, since, until)
    first, last = periods[0], periods[-1]
    before = first.previous()
    root = root_id(path)
    active = dict(_fetch(
        """SELECT starts_on, COUNT(*) FROM reports_subtreeperiod
            WHERE team_id = %s AND period = %s AND starts_on >= %s AND starts_on <= %s AND handed_in > 0
            GROUP BY starts_on""",
        [root, interval, first.start, last.start],
    ))
    lapsed = dict(_fetch(
        f"""SELECT {_next(interval, 'p.starts_on')}, COUNT(*) FROM reports_subtreeperiod p
            WHERE p.team_id = %s AND p.period = %s AND p.starts_on >= %s AND p.starts_on < %s
              AND p.handed_in > 0 AND NOT EXISTS (
                SELECT 1 FROM reports_subtreeperiod c WHERE c.team_id = p.team_id AND c.member_id = p.member_id
                  AND c.period = p.period AND c.starts_on = {_next(interval, 'p.starts_on')} AND c.handed_in > 0
                {_probe()})
            GROUP BY {_next(interval, 'p.starts_on')}""",
        [root, interval, before.start, last.start],
    ))
    active = {_as_date(k): v for k, v in active.items()}
    lapsed = {_as_date(k): v for k, v in lapsed.items()}
    # members by the start of each period and by the end of the last
    joined = members_by(path, [p.start for p in periods] + [last.end + timedelta(days=1)])
    rows = []
    for n, period in enumerate(periods):
        members = joined[n + 1]
        new = members - joined[n]
        rows.append({"period_start": period.start, "members": members, "active": active.get(period.start, 0),
                     "new": new, "lapsed": lapsed.get(period.start, 0)})
    return rows


def participation_in(path: str, period: Period) -> dict:
    """members, active, new, lapsed for one period of any kind (a report's section).

    Weeks read the weekly rollup; months, quarters and years the monthly one.
    """
    grain = "week" if period.kind == "week" else "month"
    before = period.previous()
    root = root_id(path)
    in_range = """SELECT DISTINCT member_id FROM reports_subtreeperiod
        WHERE team_id = %s AND period = %s AND starts_on >= %s AND starts_on <= %s AND handed_in > 0"""
    # A week or a month is one row per person: counted straight off the index, no DISTINCT.
    counted = in_range.replace("SELECT DISTINCT member_id", "SELECT member_id") if grain == period.kind else in_range
    (active,), = _fetch(f"SELECT COUNT(*) FROM ({counted}) a", [root, grain, period.start, period.end])
    (lapsed,), = _fetch(
        f"SELECT COUNT(*) FROM ({in_range}) b WHERE member_id NOT IN ({in_range})",
        [root, grain, before.start, before.end, root, grain, period.start, period.end],
    )
    before_start, members = members_by(path, [period.start, period.end + timedelta(days=1)])
    new = members - before_start
    return {"members": members, "active": active, "new": new, "lapsed": lapsed}


def default_range(interval: str, today: date) -> tuple[date, date]:
    """Without since/until: the last twelve months (or the last twelve weeks) up to today."""
    if interval == "week":
        return today - timedelta(weeks=11), today
    return month_start(today, months_back=11), today
