"""Participation over time: members, active, new and lapsed per week or month.

- members: people holding the member role in the subtree (active people) whose first
  such role there began before the period ended;
- new: those whose first member role there began in the period;
- active: people who handed in at least one piece of work in the period (from
  reports.models.MemberPeriod, kept by triggers);
- lapsed: active in the period before, not in this one.

Memberships carry no end date: someone who left the subtree is not counted in the
periods before they left either. Each number is one grouped query over the rollup or
the memberships, whatever the number of periods.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connections, router

from .models import MemberPeriod
from .periods import Period, month_start, periods_between

SUBTREE = "SELECT id FROM teams_team WHERE path LIKE %s"


def _vendor() -> str:
    return connections[router.db_for_read(MemberPeriod)].vendor


def _fetch(sql: str, params: list) -> list:
    with connections[router.db_for_read(MemberPeriod)].cursor() as cursor:
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


def _next(kind: str, column: str) -> str:
    if _vendor() == "postgresql":
        return f"({column} + 7)" if kind == "week" else f"({column} + interval '1 month')::date"
    return f"date({column}, '+7 days')" if kind == "week" else f"date({column}, '+1 month')"


def first_roles(path: str, kind: str) -> dict[date, int]:
    """People of the subtree by the week or month their first member role there began."""
    sql = f"""
        SELECT starts, COUNT(*) FROM (
            SELECT {_trunc(kind, 'MIN(ms.created_at)')} AS starts FROM teams_membership ms
            WHERE ms.team_id IN ({SUBTREE}) AND ms.role = 'member'
              AND ms.member_id NOT IN (SELECT id FROM teams_member WHERE NOT is_active)
            GROUP BY ms.member_id
        ) f GROUP BY starts"""
    return {_as_date(starts): n for starts, n in _fetch(sql, [path + "%"])}


def participation_series(path: str, interval: str, since: date, until: date) -> list[dict]:
    """One row per week or month from the one holding `since` to the one holding `until`."""
    periods = periods_between(interval, since, until)
    first, last = periods[0], periods[-1]
    before = first.previous()
    like = path + "%"
    active = dict(_fetch(
        f"""SELECT starts_on, COUNT(DISTINCT member_id) FROM reports_memberperiod
            WHERE team_id IN ({SUBTREE}) AND period = %s AND starts_on >= %s AND starts_on <= %s AND handed_in > 0
            GROUP BY starts_on""",
        [like, interval, before.start, last.start],
    ))
    lapsed = dict(_fetch(
        f"""SELECT {_next(interval, 'p.starts_on')}, COUNT(DISTINCT p.member_id) FROM reports_memberperiod p
            WHERE p.team_id IN ({SUBTREE}) AND p.period = %s AND p.starts_on >= %s AND p.starts_on < %s
              AND p.handed_in > 0 AND NOT EXISTS (
                SELECT 1 FROM reports_memberperiod c WHERE c.member_id = p.member_id AND c.period = p.period
                  AND c.starts_on = {_next(interval, 'p.starts_on')} AND c.handed_in > 0
                  AND c.team_id IN ({SUBTREE}))
            GROUP BY {_next(interval, 'p.starts_on')}""",
        [like, interval, before.start, last.start, like],
    ))
    active = {_as_date(k): v for k, v in active.items()}
    lapsed = {_as_date(k): v for k, v in lapsed.items()}
    joined = first_roles(path, interval)
    members = sum(n for starts, n in joined.items() if starts < first.start)
    rows = []
    for period in periods:
        new = joined.get(period.start, 0)
        members += new
        rows.append({"period_start": period.start, "members": members, "active": active.get(period.start, 0),
                     "new": new, "lapsed": lapsed.get(period.start, 0)})
    return rows


def participation_in(path: str, period: Period) -> dict:
    """members, active, new, lapsed for one period of any kind (a report's section).

    Weeks read the weekly rollup; months, quarters and years the monthly one.
    """
    grain = "week" if period.kind == "week" else "month"
    before = period.previous()
    like = path + "%"
    in_range = f"""SELECT DISTINCT member_id FROM reports_memberperiod
        WHERE team_id IN ({SUBTREE}) AND period = %s AND starts_on >= %s AND starts_on <= %s AND handed_in > 0"""
    (active,), = _fetch(f"SELECT COUNT(*) FROM ({in_range}) a", [like, grain, period.start, period.end])
    (lapsed,), = _fetch(
        f"SELECT COUNT(*) FROM ({in_range}) b WHERE member_id NOT IN ({in_range})",
        [like, grain, before.start, before.end, like, grain, period.start, period.end],
    )
    joined = first_roles(path, "month" if grain == "month" else "week")
    members = sum(n for starts, n in joined.items() if starts <= period.end)
    new = sum(n for starts, n in joined.items() if period.start <= starts <= period.end)
    return {"members": members, "active": active, "new": new, "lapsed": lapsed}


def default_range(interval: str, today: date) -> tuple[date, date]:
    """Without since/until: the last twelve months (or the last twelve weeks) up to today."""
    if interval == "week":
        return today - timedelta(weeks=11), today
    return month_start(today, months_back=11), today
