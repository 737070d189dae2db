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
    Aggregate, Count, DurationField, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum,
    Value,
)
from django.db.models.functions import StrIndex, Substr, TruncDate

from publishing.models import Channel, ChannelDay, ChannelPost
from tasks.choices import UNFINISHED_STATUSES, AssignmentStatus
from tasks.models import Assignment, Campaign, Task, Topic
from tasks.overdue import overdue_q, past_due_tasks
from teams.choices import Role
from teams.models import Member, Membership, Team
from api.access import READ, restrict

from .access import REPORT, REPORT_FILTER
from .models import AssignmentTally, DailyTally, SubtreeMember, TeamDay

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
    topic_id: int | None = None
    since: date | None = None
    until: date | None = None

    def q(self, prefix: str = "", with_days: bool = True) -> Q:
        q = Q(**{f"{prefix}team__in": subtree_team_ids(self.path)})
        if self.task_id is not None:
            q &= Q(**{f"{prefix}task_id": self.task_id})
        if self.campaign_id is not None:
            q &= Q(**{f"{prefix}task__campaign_id": self.campaign_id})
        if self.topic_id is not None:
            q &= Q(**{f"{prefix}task__topic_id": self.topic_id})
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
    if flt.topic_id is not None:
        rows = rows.filter(task_id__in=Task.objects.filter(topic_id=flt.topic_id).values("pk"))
    past_due = past_due_tasks(now)
    aggregates = {"total": Sum("n")}
    for status in STATUSES:
        aggregates[status] = Sum("n", filter=Q(status=status))
    aggregates["overdue"] = Sum("n", filter=Q(status__in=UNFINISHED_STATUSES, task_id__in=past_due))
    aggregates["quantity"] = Sum("quantity", filter=Q(status__in=DONE_STATUSES))
    return {key: int(value or 0) for key, value in rows.aggregate(**aggregates).items()}


def rollup_rows(flt: StatsFilter) -> QuerySet[DailyTally]:
    """The daily tally's rows that `flt` counts (its days are local days of creation)."""
    rows = DailyTally.objects.filter(team_id__in=subtree_team_ids(flt.path))
    if flt.task_id is not None:
        rows = rows.filter(task_id=flt.task_id)
    if flt.campaign_id is not None:
        rows = rows.filter(task_id__in=Task.objects.filter(campaign_id=flt.campaign_id).values("pk"))
    if flt.topic_id is not None:
        rows = rows.filter(task_id__in=Task.objects.filter(topic_id=flt.topic_id).values("pk"))
    if flt.since is not None:
        rows = rows.filter(day__gte=flt.since)
    if flt.until is not None:
        rows = rows.filter(day__lte=flt.until)
    return rows


def rollup_aggregates(now: datetime | None = None) -> dict:
    aggregates = {"total": Sum("n")}
    for status in STATUSES:
        aggregates[status] = Sum("n", filter=Q(status=status))
    aggregates["overdue"] = Sum("n", filter=Q(status__in=UNFINISHED_STATUSES, task_id__in=past_due_tasks(now)))
    return aggregates


def rollup_counts(flt: StatsFilter, now: datetime | None = None) -> dict:
    """The counts of `flt` summed from the daily tally (reports.models.DailyTally), on
    every database: the same numbers as counting the assignments. Offline quantities
    (not in the rollups yet) are summed over the assignments that carry one."""
    counts = {key: int(value or 0) for key, value in rollup_rows(flt).aggregate(**rollup_aggregates(now)).items()}
    counts["quantity"] = live_quantity(flt)
    return counts


def live_quantity(flt: StatsFilter) -> int:
    done = Q(status__in=DONE_STATUSES, quantity__isnull=False)
    return int(Assignment.objects.filter(flt.q(), done).aggregate(n=Sum("quantity"))["n"] or 0)


def members_active(path: str) -> int:
    """Distinct active people holding the member role at or below `path`: the subtree
    root's reports_subtreemember rows with a role (an index-only count)."""
    return SubtreeMember.objects.filter(team_id=root_id(path), roles__gt=0).count()


def subtree_stats(flt: StatsFilter) -> dict:
    """Summary of one subtree: two queries (the counts, the active members).

    On PostgreSQL, without a day range, the counts come from the tally (tens of
    ms for a district of a million assignments); otherwise they are counted live.
    """
    counts = tally_counts(flt)
    if counts is None:
        counts = rollup_counts(flt)
    result = summarize(counts)
    result["members_active"] = members_active(flt.path)
    return result


def children_stats(team: Team, flt: StatsFilter, totals: dict | None = None) -> list[dict]:
    """The summary per direct child team: four queries whatever the number of children.
    `totals`, when given, receives the whole subtree's counts (see children_counts)."""
    below = list(Team.objects.filter(path__startswith=team.path).exclude(pk=team.pk)
                 .order_by("name", "id").only("id", "name", "level", "path", "parent_id"))
    children = [t for t in below if t.parent_id == team.pk]
    counts = children_counts(team, flt, {t.pk: t.path for t in below}, totals=totals)
    # Each child's active members: its own reports_subtreemember rows with a role, one grouped count.
    active = {
        str(row["team_id"]): row["n"]
        for row in SubtreeMember.objects.filter(team_id__in=Team.objects.filter(parent=team).values("pk"), roles__gt=0)
        .values("team_id").annotate(n=Count("*")).order_by()
    }
    rows = []
    for child in children:
        row = {"team": {"id": child.pk, "name": child.name, "level": child.level}}
        row.update(summarize(counts.get(str(child.pk), {})))
        row["members_active"] = active.get(str(child.pk), 0)
        rows.append(row)
    return rows


def team_board(team: Team, flt: StatsFilter) -> list[dict]:
    """The direct children ranked: most verified, then most completed work, then name."""
    rows = children_stats(team, flt)
    rows.sort(key=lambda r: (-r["assignments"]["verified"], -r["assignments"]["completed"], r["team"]["name"],
                             r["team"]["id"]))
    return [{"rank": n, **row} for n, row in enumerate(rows, start=1)]


def children_counts(team: Team, flt: StatsFilter, below: dict[int, str] | None = None,
                    totals: dict | None = None) -> dict[str, dict]:
    """The daily tally's counts per direct child of `team` ("17": {...}): two queries.

    Summed per team in the database (a few hundred rows, not a million assignments),
    then per child here: a team's child is read from its path. `below` maps the ids
    of the teams under `team` to their paths. `totals`, when given, receives the sums
    over the whole subtree (the team's own work included) from the same rows, so a
    report needs no second pass over the tally for its summary.
    """
    if below is None:
        below = dict(Team.objects.filter(path__startswith=team.path).exclude(pk=team.pk).values_list("pk", "path"))
    start = len(team.path)
    per_child: dict[str, dict] = {}

    def add(team_id, row):
        targets = [] if totals is None else [totals]
        path = below.get(team_id)
        if path is not None:
            targets.append(per_child.setdefault(path[start:].split("/", 1)[0], {}))
        for sums in targets:
            for key, value in row.items():
                sums[key] = sums.get(key, 0) + int(value or 0)

    rows = rollup_rows(flt)
    if totals is None:
        rows = rows.exclude(team_id=team.pk)
    for row in rows.values("team_id").annotate(**rollup_aggregates()).order_by():
        add(row.pop("team_id"), row)
    done = Q(status__in=DONE_STATUSES, quantity__isnull=False)
    quantities = Assignment.objects.filter(flt.q(), done)
    if totals is None:
        quantities = quantities.exclude(team_id=team.pk)
    for row in quantities.values("team_id").annotate(quantity=Sum("quantity")).order_by():
        add(row.pop("team_id"), row)
    return per_child


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
    if flt.task_id is None and flt.campaign_id is None and flt.topic_id is None:
        return daily_from_rollup(flt)
    return daily_live(flt)  # the team-day rollup keeps no tasks, so a task, campaign or topic counts live


def daily_live(flt: StatsFilter) -> list[dict]:
    """The daily series counted over the assignments (a task or campaign narrows it)."""
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


def daily_from_rollup(flt: StatsFilter) -> list[dict]:
    """The daily series of a whole subtree read from reports.models.TeamDay: one query."""
    per_day = {day: {"created": 0, "completed": 0, "verified": 0, "quantity": 0}
               for day in days_between(flt.since, flt.until)}
    rows = (
        TeamDay.objects.filter(team_id__in=subtree_team_ids(flt.path), day__gte=flt.since, day__lte=flt.until)
        .values("day").annotate(created=Sum("created"), completed=Sum("handed_in"), verified=Sum("verified"))
        .order_by()
    )
    for row in rows:
        if row["day"] in per_day:
            per_day[row["day"]].update({name: int(row[name] or 0) for name in ("created", "completed", "verified")})
    # Offline quantities are not in the rollups yet: summed over the assignments that carry one.
    done = Q(completed_at__isnull=False, status__in=DONE_STATUSES, quantity__isnull=False)
    for row in (Assignment.objects.filter(flt.q(with_days=False), done,
                                          day_range_q("completed_at", flt.since, flt.until))
                .annotate(day=TruncDate("completed_at", tzinfo=local_zone())).values("day")
                .annotate(n=Sum("quantity")).order_by()):
        day = row["day"].date() if isinstance(row["day"], datetime) else row["day"]
        if day in per_day:
            per_day[day]["quantity"] = int(row["n"] or 0)
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
        Member.objects.filter(Exists(holds_role) | Exists(has_work), show_on_boards=True)
        .annotate(**status_aggregates(prefix="assignments__", where=where))
        .order_by("-verified", "-completed", "id")
        .only("id", "full_name", "is_active")
    )
    if connection.vendor == "postgresql":
        done = where & Q(assignments__status__in=DONE_STATUSES, assignments__completed_at__isnull=False)
        qs = qs.annotate(median_seconds=MedianSeconds(completion_duration("assignments__"), filter=done))
    return qs


def root_id(path: str) -> int:
    """The id of the team whose subtree `path` names ("/1/4/17/" -> 17)."""
    return int(path.strip("/").rsplit("/", 1)[-1])


# The people on a subtree's board: its root's reports_subtreemember rows (reports.rollup_sql,
# version 2) through their partial index in board order; people who turned `show_on_boards`
# off are left out through another small partial index (reports migration 0010).
BOARD_WHERE = """FROM reports_subtreemember b WHERE b.team_id = %s AND (b.roles > 0 OR b.tallies > 0)
    AND b.member_id NOT IN (SELECT id FROM teams_member WHERE NOT show_on_boards)"""


class RollupBoard:
    """The member board of a whole subtree (no task, campaign or days) from the rollups.

    The order comes from reports.models.SubtreeMember (completed and verified per person
    over the subtree, kept by triggers): a page is an index range scan of the root's
    rows and the count a count of them, so ranking 100,000 people never groups their
    tallies or memberships. Then the people of one page get their full counts, overdue
    and median from their own assignments (one query). Behaves like the queryset it
    replaces for a paginator: count() and slices.
    """

    def __init__(self, flt: StatsFilter):
        self.flt = flt
        self.root = root_id(flt.path)
        self._count = None

    def _query(self, sql: str, params: list) -> list:
        with connections[router.db_for_read(SubtreeMember)].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def count(self) -> int:
        if self._count is None:
            self._count = self._query(f"SELECT COUNT(*) {BOARD_WHERE}", [self.root])[0][0]
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop = index.start or 0, index.stop
        limit = (stop - start) if stop is not None else 2 ** 62  # every row (LIMIT is needed for OFFSET)
        if limit == 0:
            return []
        ids = [row[0] for row in self._query(
            f"SELECT b.member_id {BOARD_WHERE} ORDER BY b.verified DESC, b.completed DESC, b.member_id "
            "LIMIT %s OFFSET %s", [self.root, limit, start],
        )]
        if not ids:
            return []
        members = {m.pk: m for m in member_board_members(self.flt, ids)}
        return [members[pk] for pk in ids if pk in members]

    def __iter__(self):
        return iter(self[0:None])


def member_board_members(flt: StatsFilter, ids: list[int]) -> QuerySet[Member]:
    """The people `ids` with their counts over the subtree (one query; medians on PostgreSQL)."""
    where = flt.q(prefix="assignments__")
    qs = Member.objects.filter(pk__in=ids).annotate(**status_aggregates(prefix="assignments__", where=where)).only(
        "id", "full_name", "is_active"
    )
    if connection.vendor == "postgresql":
        done = where & Q(assignments__status__in=DONE_STATUSES, assignments__completed_at__isnull=False)
        qs = qs.annotate(median_seconds=MedianSeconds(completion_duration("assignments__"), filter=done))
    return qs


def board(flt: StatsFilter):
    """The member board: from the rollups for a whole subtree, counted live when a task,
    campaign, topic or range of days narrows it (the rollups keep no per-task people)."""
    if (flt.task_id is None and flt.campaign_id is None and flt.topic_id is None
            and flt.since is None and flt.until is None):
        return RollupBoard(flt)
    return member_board(flt)


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


def topic_known_to(user, pk: int) -> bool:
    return restrict(Topic.objects.filter(pk=pk), user, READ).exists()


def campaign_known_to(user, pk: int) -> bool:
    return restrict(Campaign.objects.filter(pk=pk), user, REPORT_FILTER).exists()


def campaign_stats(campaign: Campaign, flt: StatsFilter) -> dict:
    result = {"campaign": {"id": campaign.pk, "name": campaign.name, "team": campaign.team_id}}
    tasks = Task.objects.filter(campaign=campaign)
    if flt.topic_id is not None:  # `topic=` narrows every number, the tasks counted too
        tasks = tasks.filter(topic_id=flt.topic_id)
    result["tasks"] = tasks.count()
    result.update(subtree_stats(flt))
    return result


# Channels: posts against their targets ---------------------------------------------

def channels_in_subtree(path: str) -> QuerySet[Channel]:
    """Every channel of the subtree (inactive ones too: their past posts still count)."""
    return (Channel.objects.filter(team__in=subtree_team_ids(path))
            .only("id", "name", "platform", "posts_per_day_target").order_by("team_id", "name", "id"))


def channel_stats(channels: list[Channel], since: date, until: date, topic_id: int | None = None) -> list[dict]:
    """Per channel: posts in the range of local (Asia/Ho_Chi_Minh) days, and the days whose
    posts reached the channel's target. One query whatever the number of channels and posts.
    On PostgreSQL it sums the rollup (publishing.ChannelDay: one row per channel and local
    day, kept by triggers in every post write's transaction), at most channels x days rows;
    with `topic=` (which the rollup does not keep), and on SQLite, it groups the posts by
    channel and local day (`published_on`, indexed with the channel) inside and sums per
    channel outside. A day without posts is on target only for a target of 0."""
    days = (until - since).days + 1
    totals: dict[int, tuple[int, int]] = {}
    if channels:
        ids = [c.pk for c in channels]
        # Read where the report view reads (the replica inside ReplicaReadMixin).
        alias = router.db_for_read(ChannelPost)
        qn = connections[alias].ops.quote_name
        if topic_id is None and connections[alias].vendor == "postgresql":
            per_day = (ChannelDay.objects.using(alias).filter(channel_id__in=ids, day__gte=since, day__lte=until)
                       .values("channel_id", "day", n=F("posts")).order_by())
        else:
            posts = ChannelPost.objects.filter(channel_id__in=ids, published_on__gte=since, published_on__lte=until)
            if topic_id is not None:
                posts = posts.filter(topic_id=topic_id)
            per_day = posts.values("channel_id", "published_on").annotate(n=Count("pk")).order_by()
        inner, params = per_day.query.get_compiler(using=alias).as_sql()
        sql = (f"SELECT d.channel_id, SUM(d.n), SUM(CASE WHEN d.n >= c.{qn('posts_per_day_target')} THEN 1 "
               f"ELSE 0 END) FROM ({inner}) d JOIN {qn(Channel._meta.db_table)} c ON c.id = d.channel_id "
               f"GROUP BY d.channel_id")
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            totals = {channel_id: (int(posts_n), int(on_n)) for channel_id, posts_n, on_n in cursor.fetchall()}
    results = []
    for channel in channels:
        posts_n, on_target = totals.get(channel.pk, (0, 0))
        target = channel.posts_per_day_target
        if target == 0:
            on_target = days
        results.append({
            "channel": {"id": channel.pk, "name": channel.name, "platform": channel.platform},
            "posts": posts_n, "days": days, "target_per_day": target, "days_on_target": on_target,
            "on_target_rate": round(on_target / days, 4) if days else 0.0,
        })
    return results
