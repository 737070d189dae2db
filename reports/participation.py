"""Participation over time: members, active, new and lapsed per week or month.

- members: people holding the member role in the subtree (active people) whose first
  such role there began before the period ended;
- new: those whose first member role there began in the period;
- active: people who handed in at least one piece of work in the period (from
  reports.models.SubtreePeriod, kept by triggers: the subtree root's rows);
- lapsed: active in the period before, not in this one.

With a topic, active and lapsed count only work handed in on that topic's tasks (members
and new stay the subtree's memberships). The rollup keeps no tasks, so those two are
then counted live over the assignments, in one query.

Memberships carry no end date: someone who left the subtree is not counted in the
periods before they left either. Without a topic each number is one grouped query over
the subtree root's rows of a rollup (reports.models.SubtreePeriod, SubtreeMember), whatever the
number of periods and people.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connections, router
from django.db.models import Count, DateField, DateTimeField, Q
from django.db.models.functions import Cast, Trunc

from tasks.models import Assignment

from .models import SubtreeMember, SubtreePeriod
from .periods import Period, month_start, periods_between
from .selectors import StatsFilter, day_range_q, day_start, local_zone, root_id

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


def participation_series(path: str, interval: str, since: date, until: date,
                         topic_id: int | None = None) -> list[dict]:
    """One row per week or month from the one holding `since` to the one holding `until`;
    with `topic_id`, active and lapsed count only work on that topic's tasks."""
    periods = periods_between(interval, since, until)
    first, last = periods[0], periods[-1]
    if topic_id is None:
        active, lapsed = _active_and_lapsed_from_rollup(path, interval, first, last)
    else:
        active, lapsed = _active_and_lapsed_live(path, interval, first, last, topic_id)
    # members by the start of each period and by the end of the last
    joined = members_by(path, [p.start for p in periods] + [last.end + timedelta(days=1)])
    rows = []
    for n, period in enumerate(periods):
        members = joined[n + 1]
        new = members - joined[n]
        rows.append({"period_start": period.start, "members": members, "active": active.get(period.start, 0),
                     "new": new, "lapsed": lapsed.get(period.start, 0)})
    return rows


def _active_and_lapsed_from_rollup(path: str, interval: str, first: Period,
                                   last: Period) -> tuple[dict[date, int], dict[date, int]]:
    """People active, and people lapsed, per period start from `first` to `last`: the
    subtree root's rows of reports_subtreeperiod, two grouped queries."""
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
    return {_as_date(k): v for k, v in active.items()}, {_as_date(k): v for k, v in lapsed.items()}


def _active_and_lapsed_live(path: str, interval: str, first: Period, last: Period,
                            topic_id: int) -> tuple[dict[date, int], dict[date, int]]:
    """The same two counts over the assignments of the topic's tasks in the subtree, in one
    query: the distinct (person, local week or month of completed_at) of the work handed in
    from the period before the first to the last (what the rollup keeps, for one topic),
    then the people per period and those of a period missing from the next one. Work handed
    in and rejected later still counts, as in the rollup. Rows outside the asked periods
    (the period before's own count, lapses after the last) are left out by the caller."""
    before = first.previous()
    alias = router.db_for_read(Assignment)
    handed = (
        Assignment.objects.filter(StatsFilter(path=path, topic_id=topic_id).q(with_days=False),
                                  day_range_q("completed_at", before.start, last.end), completed_at__isnull=False)
        .annotate(starts_on=Cast(Trunc("completed_at", interval, output_field=DateTimeField(),
                                       tzinfo=local_zone()), DateField()))
        .values("assignee_id", "starts_on").distinct().order_by()
    )
    inner, params = handed.query.get_compiler(using=alias).as_sql()
    following = _next(interval, "p.starts_on")
    sql = f"""WITH h AS ({inner})
        SELECT 'active', starts_on, COUNT(*) FROM h GROUP BY starts_on
        UNION ALL
        SELECT 'lapsed', {following}, COUNT(*) FROM h p WHERE NOT EXISTS (
            SELECT 1 FROM h c WHERE c.assignee_id = p.assignee_id AND c.starts_on = {following})
        GROUP BY {following}"""
    counts: dict[str, dict[date, int]] = {"active": {}, "lapsed": {}}
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        for measure, starts_on, n in cursor.fetchall():
            counts[measure][_as_date(starts_on)] = n
    return counts["active"], counts["lapsed"]


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
