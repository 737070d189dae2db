"""Statistics over a team's subtree: every number is a conditional aggregate in the database.

A team's subtree is `team__path__startswith=team.path` on the assignment's
`team` (the team through which the work reached the assignee). No endpoint
walks the tree or the assignments in Python: the summary is one aggregate
query, the drill-down one query grouped by the direct child's id (read out of
the path), the daily series one query per measure grouped by local day.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, connections, router
from django.db.models import (
    Aggregate, Count, DurationField, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Sum, Value,
)
from django.db.models.functions import StrIndex, Substr, TruncDate

from tasks.choices import UNFINISHED_STATUSES, AssignmentStatus
from tasks.models import Assignment, Campaign, Task
from tasks.overdue import overdue_q, past_due_tasks
from teams.choices import Role
from teams.models import Member, Membership, Team
from api.access import restrict

from .access import REPORT, REPORT_FILTER
from .models import AssignmentTally

STATUSES = tuple(AssignmentStatus.values)
DONE_STATUSES = (AssignmentStatus.COMPLETED, AssignmentStatus.VERIFIED)
MAX_RANGE_DAYS = 366


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class StatsFilter:
    """Which assignments a report counts: a subtree, optionally one task or campaign
    and a range of local calendar days on `created_at` (both ends included)."""

    path: str
    task_id: int | None = None
    campaign_id: int | None = None
    since: date | None = None
    until: date | None = None

    def q(self, prefix: str = "", with_days: bool = True) -> Q:
        q = Q(**{f"{prefix}team__in": subtree_team_ids(self.path)})
        if self.task_id is not None:
            q &= Q(**{f"{prefix}task_id": self.task_id})
        if self.campaign_id is not None:
            q &= Q(**{f"{prefix}task__campaign_id": self.campaign_id})
        if with_days:
            q &= day_range_q(f"{prefix}created_at", self.since, self.until)
        return q


def subtree_team_ids(path: str) -> QuerySet:
    """Ids of the teams at or below `path`, as a subquery.

    `team_id IN (subtree ids)` instead of a join on the team's path lets
    PostgreSQL probe the assignment index team by team.
    """
    return Team.objects.filter(path__startswith=path).values("pk")


def day_start(day: date) -> datetime:
    """Midnight in Asia/Ho_Chi_Minh at the start of `day` (an aware datetime)."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def day_range_q(field: str, since: date | None, until: date | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": day_start(since)})
    if until is not None:
        q &= Q(**{f"{field}__lt": day_start(until + timedelta(days=1))})
    return q


# The counts -------------------------------------------------------------------

def status_aggregates(prefix: str = "", where: Q | None = None, now: datetime | None = None) -> dict:
    """Count(filter=...) expressions for total, each status and overdue.

    `where` restricts every count (needed when the assignments are reached
    through a join, as on the member board, rather than filtered beforehand).
    """
    where = where if where is not None else Q()
    # Counting the never-null `status` (not the id) when counting assignments
    # themselves lets PostgreSQL answer from the covering index (reports
    # migration 0002). Through a LEFT JOIN (the member board) the joined id
    # is counted, so people without work count 0.
    pk = f"{prefix}pk" if prefix else "status"
    aggregates = {"total": Count(pk, filter=where) if prefix else Count(pk)}
    for status in STATUSES:
        aggregates[status] = Count(pk, filter=where & Q(**{f"{prefix}status": status}))
    aggregates["overdue"] = Count(pk, filter=where & overdue_q(now, prefix))
    # Offline work's quantities (leaflets handed out, ...), for completed and verified work only.
    aggregates["quantity"] = Sum(f"{prefix}quantity", filter=where & Q(**{f"{prefix}status__in": DONE_STATUSES}))
    return aggregates


def summarize(counts: dict) -> dict:
    """The contract's shape from a row of counts: {assignments, completion_rate, quantity}."""
    assignments = {"total": counts.get("total") or 0}
    for status in STATUSES:
        assignments[status] = counts.get(status) or 0
    assignments["overdue"] = counts.get("overdue") or 0
    return {"assignments": assignments, "completion_rate": completion_rate(assignments),
            "quantity": int(counts.get("quantity") or 0)}


def completion_rate(assignments: dict) -> float:
    """(completed + verified) / (total - cancelled); 0 when nothing is left to count."""
    denominator = assignments["total"] - assignments["cancelled"]
    if denominator <= 0:
        return 0.0
    return round((assignments["completed"] + assignments["verified"]) / denominator, 4)


def active_members_q(path: str, prefix: str = "") -> Q:
    """Memberships that make someone count in `members_active`: an active person with the member role."""
    return Q(**{
        f"{prefix}team__path__startswith": path,
        f"{prefix}role": Role.MEMBER,
        f"{prefix}member__is_active": True,
    })


def tally_counts(flt: StatsFilter, now: datetime | None = None) -> dict | None:
    """The counts of `flt` summed from the trigger-kept tally (reports.models.AssignmentTally).

    None where the tally cannot answer: not PostgreSQL (no triggers), or a day range
    (the tally has no dates). Same numbers as counting the assignments: the tally
    changes in the same transaction as the rows it counts.
    """
    if flt.since is not None or flt.until is not None:
        return None
    if connections[router.db_for_read(AssignmentTally)].vendor != "postgresql":
        return None
    rows = AssignmentTally.objects.filter(team_id__in=subtree_team_ids(flt.path))
    if flt.task_id is not None:
        rows = rows.filter(task_id=flt.task_id)
    if flt.campaign_id is not None:
        rows = rows.filter(task_id__in=Task.objects.filter(campaign_id=flt.campaign_id).values("pk"))
    past_due = past_due_tasks(now)
    aggregates = {"total": Sum("n")}
    for status in STATUSES:
        aggregates[status] = Sum("n", filter=Q(status=status))
    aggregates["overdue"] = Sum("n", filter=Q(status__in=UNFINISHED_STATUSES, task_id__in=past_due))
    aggregates["quantity"] = Sum("quantity", filter=Q(status__in=DONE_STATUSES))
    return {key: int(value or 0) for key, value in rows.aggregate(**aggregates).items()}


def members_active(path: str) -> int:
    """Distinct active people holding the member role at or below `path`.

    The inactive are dropped by NOT EXISTS on the (few) inactive people rather than
    by joining every member row; on PostgreSQL both sides are index-only scans
    (reports migration 0004).
    """
    inactive = Member.objects.filter(pk=OuterRef("member_id"), is_active=False)
    return Membership.objects.filter(team__in=subtree_team_ids(path), role=Role.MEMBER).filter(
        ~Exists(inactive)
    ).aggregate(n=Count("member_id", distinct=True))["n"]


def subtree_stats(flt: StatsFilter) -> dict:
    """Summary of one subtree: two queries (the counts, the active members).

    On PostgreSQL, without a day range, the counts come from the tally (tens of
    ms for a district of a million assignments); otherwise they are counted live.
    """
    counts = tally_counts(flt)
    if counts is None:
        counts = Assignment.objects.filter(flt.q()).aggregate(**status_aggregates())
    result = summarize(counts)
    result["members_active"] = members_active(flt.path)
    return result


def child_id_expression(parent_path: str, path_field: str):
    """The id of the direct child of `parent_path` that a row's team path lies under.

    "/1/4/17/52/" under "/1/4/" -> "17": the text after the parent's path up to
    the next "/". Only valid for rows strictly below the parent (the caller
    excludes the parent itself). Works on SQLite and PostgreSQL alike.
    """
    rest = Substr(path_field, len(parent_path) + 1)
    return Substr(rest, 1, StrIndex(rest, Value("/")) - 1)


def children_stats(team: Team, flt: StatsFilter) -> list[dict]:
    """The summary per direct child team: three queries whatever the number of children."""
    children = list(Team.objects.filter(parent=team).order_by("name", "id").only("id", "name", "level", "path"))
    below = Q(team__path__startswith=team.path) & ~Q(team_id=team.pk)
    counts = {
        row.pop("child"): row
        for row in Assignment.objects.filter(flt.q(), below)
        .annotate(child=child_id_expression(team.path, "team__path"))
        .values("child")
        .annotate(**status_aggregates())
        .order_by()
    }
    active = {
        row["child"]: row["n"]
        for row in Membership.objects.filter(active_members_q(team.path), ~Q(team_id=team.pk))
        .annotate(child=child_id_expression(team.path, "team__path"))
        .values("child")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    }
    rows = []
    for child in children:
        row = {"team": {"id": child.pk, "name": child.name, "level": child.level}}
        row.update(summarize(counts.get(str(child.pk), {})))
        row["members_active"] = active.get(str(child.pk), 0)
        rows.append(row)
    return rows


def days_between(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def daily_stats(flt: StatsFilter) -> list[dict]:
    """Assignments created, completed and verified, and offline quantities, per local
    calendar day, zeros included.

    created by `created_at`; completed by `completed_at` (work handed in that
    day, whatever happened to it later); verified by `reviewed_at` of those now
    verified; quantity by `completed_at` of work now completed or verified.
    Four queries whatever the number of days.
    """
    zone = local_zone()
    base = Assignment.objects.filter(flt.q(with_days=False))
    measures = {
        "created": ("created_at", Q(), Count("pk")),
        "completed": ("completed_at", Q(completed_at__isnull=False), Count("pk")),
        "verified": ("reviewed_at", Q(status=AssignmentStatus.VERIFIED, reviewed_at__isnull=False), Count("pk")),
        # Offline work handed in that day and still counted (completed or verified).
        "quantity": ("completed_at", Q(completed_at__isnull=False, status__in=DONE_STATUSES,
                                       quantity__isnull=False), Sum("quantity")),
    }
    per_day: dict[date, dict[str, int]] = {
        day: {name: 0 for name in measures} for day in days_between(flt.since, flt.until)
    }
    for name, (field, extra, measure) in measures.items():
        rows = (
            base.filter(extra, day_range_q(field, flt.since, flt.until))
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values("day")
            .annotate(n=measure)
            .order_by()
        )
        for row in rows:
            day = row["day"]
            if isinstance(day, datetime):  # some backends hand back a datetime
                day = day.date()
            if day in per_day:
                per_day[day][name] = row["n"]
    return [{"date": day, **counts} for day, counts in per_day.items()]


# The member board -------------------------------------------------------------

class MedianSeconds(Aggregate):
    """PostgreSQL's percentile_cont(0.5) over an interval, in seconds."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def completion_duration(prefix: str = ""):
    return ExpressionWrapper(F(f"{prefix}completed_at") - F(f"{prefix}created_at"), output_field=DurationField())


def member_board(flt: StatsFilter) -> QuerySet[Member]:
    """People of the subtree with their counts, most verified work first.

    The board lists everyone holding the member role in the subtree (active
    ones: "who has done nothing" must show up with zeros) and anyone who has
    assignments there. On PostgreSQL the median time to completion is computed
    in the same query; elsewhere `add_medians` fills it in for one page.
    """
    path = flt.path
    holds_role = Membership.objects.filter(active_members_q(path), member_id=OuterRef("pk"))
    has_work = Assignment.objects.filter(flt.q(), assignee_id=OuterRef("pk"))
    where = flt.q(prefix="assignments__")
    qs = (
        Member.objects.filter(Exists(holds_role) | Exists(has_work))
        .annotate(**status_aggregates(prefix="assignments__", where=where))
        .order_by("-verified", "-completed", "id")
        .only("id", "full_name", "is_active")
    )
    if connection.vendor == "postgresql":
        done = where & Q(assignments__status__in=DONE_STATUSES, assignments__completed_at__isnull=False)
        qs = qs.annotate(median_seconds=MedianSeconds(completion_duration("assignments__"), filter=done))
    return qs


def add_medians(members: list[Member], flt: StatsFilter) -> None:
    """Median seconds from assignment to completion for one page of the board.

    PostgreSQL computed it already (percentile_cont); other databases get it
    here from that page's finished assignments only, in one query.
    """
    if not members or hasattr(members[0], "median_seconds"):
        return
    durations: dict[int, list[float]] = {m.pk: [] for m in members}
    rows = Assignment.objects.filter(
        flt.q(), assignee_id__in=list(durations), status__in=DONE_STATUSES, completed_at__isnull=False
    ).values_list("assignee_id", "created_at", "completed_at")
    for assignee_id, created_at, completed_at in rows:
        durations[assignee_id].append((completed_at - created_at).total_seconds())
    for member in members:
        values = durations[member.pk]
        member.median_seconds = float(statistics.median(values)) if values else None


def member_board_rows(members: list[Member]) -> list[dict]:
    rows = []
    for member in members:
        row = {"member": {"id": member.pk, "full_name": member.full_name, "is_active": member.is_active}}
        row.update(summarize({key: getattr(member, key) for key in ("total", *STATUSES, "overdue", "quantity")}))
        median = member.median_seconds
        row["median_completion_seconds"] = None if median is None else round(float(median), 1)
        rows.append(row)
    return rows


# Scoped lookups ---------------------------------------------------------------

def team_for_report(user, pk: int) -> Team | None:
    return restrict(Team.objects.filter(pk=pk), user, REPORT).only("id", "name", "level", "path").first()


def campaign_for_report(user, pk: int) -> Campaign | None:
    return restrict(Campaign.objects.filter(pk=pk), user, REPORT).select_related("team").first()


def task_for_report(user, pk: int) -> Task | None:
    return restrict(Task.objects.filter(pk=pk), user, REPORT).only("pk").first()


def task_known_to(user, pk: int) -> bool:
    return restrict(Task.objects.filter(pk=pk), user, REPORT_FILTER).exists()


def campaign_known_to(user, pk: int) -> bool:
    return restrict(Campaign.objects.filter(pk=pk), user, REPORT_FILTER).exists()


def campaign_stats(campaign: Campaign, flt: StatsFilter) -> dict:
    result = {"campaign": {"id": campaign.pk, "name": campaign.name, "team": campaign.team_id}}
    result["tasks"] = Task.objects.filter(campaign=campaign).count()
    result.update(subtree_stats(flt))
    return result
