"""Change history of teams, memberships, tasks and campaigns (django-simple-history).

The historical models are registered here, with app="reports", so their tables
and migrations live in this app and the tracked models stay untouched. Each
save() or delete() of a tracked row writes one historical row with the actor
(taken from the request by simple_history's HistoryRequestMiddleware); writes
that skip save() (QuerySet.update, bulk_update) are recorded with
reports.history.record_bulk_change.

Derived columns (folded search copies, auto timestamps) are left out: they
would only repeat what the real fields already say.
"""
from django.db import models
from django.db.models import Q
from simple_history import register

from tasks.models import Campaign, Task
from teams.models import Membership, Team

DERIVED = ["search_name", "created_at", "updated_at"]

register(Team, app="reports", excluded_fields=DERIVED)
register(Membership, app="reports", excluded_fields=["created_at", "updated_at"])
register(Task, app="reports", excluded_fields=DERIVED)
register(Campaign, app="reports", excluded_fields=DERIVED)

TRACKED_MODELS = (Team, Membership, Task, Campaign)


class AssignmentTally(models.Model):
    """How many assignments each (team, task, status) has, kept by PostgreSQL triggers.

    Maintained by statement-level triggers on tasks_assignment (reports migration
    0003): every INSERT, UPDATE, DELETE, COPY and TRUNCATE adjusts the rows it
    touched, in the same transaction, so the tally is exactly the live count at
    every snapshot. A subtree's summary then sums a few thousand tally rows instead
    of counting a million assignments (reports.selectors.subtree_stats). Only on
    PostgreSQL; SQLite (development) counts live. Plain integer columns, no foreign
    keys: the tally never blocks deleting a team or task, and rows at 0 are harmless.
    Two transactions changing the same (team, task, status) meet on its tally row:
    the second waits for the first to commit (one short step of the workflow). One
    statement locks its keys in (team, task, status) order, so two bulk statements
    cannot deadlock each other on the tally.
    """

    team_id = models.BigIntegerField()
    task_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
    n = models.IntegerField(default=0)
    # The sum of the assignments' `quantity` (offline work) in this (team, task, status).
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team_id", "task_id", "status"], name="tally_key")]
        indexes = [models.Index(fields=["task_id"], name="tally_task")]

    def __str__(self):
        return f"team {self.team_id} task {self.task_id} {self.status}: {self.n}"


# The rollups (reports.rollup_sql keeps them, reports.rollups rebuilds them) ----------------
# Plain integer columns and no foreign keys, like the tally: they never block deleting a
# team, task or person, and rows at 0 are harmless. Days are Asia/Ho_Chi_Minh days.

class DailyTally(models.Model):
    """Assignments per (team, task, local day of creation, current status).

    What the period reports count: a period's assignments by status, per child team,
    per campaign, overdue ones (their task is past due), summed over a few thousand
    rows instead of counted over a million assignments.
    """

    team_id = models.BigIntegerField()
    task_id = models.BigIntegerField()
    day = models.DateField()
    status = models.CharField(max_length=20)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team_id", "task_id", "day", "status"], name="dailytally_key")]
        indexes = [models.Index(fields=["team_id", "day"], name="dailytally_team_day")]


class TeamDay(models.Model):
    """Per (team, local day): assignments created, handed in (`completed_at` that day,
    whatever happened to the work later) and verified (`reviewed_at` of verified work)."""

    team_id = models.BigIntegerField()
    day = models.DateField()
    created = models.IntegerField(default=0)
    handed_in = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team_id", "day"], name="teamday_key")]


class MemberTally(models.Model):
    """Per (person, team of the work): how many assignments are completed and verified now.

    The member board's order (most verified, then most completed). A row with zeros
    marks someone with work at that team who holds no active member role there (a
    coordinator given a task directly, a person who left or was deactivated), so the
    board still lists them. A fan-out writes no row here: it reaches only active
    member-role people, and its new assignments are neither completed nor verified.
    """

    member_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    completed = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member_id", "team_id"], name="membertally_key")]
        indexes = [models.Index(fields=["team_id"], name="membertally_team")]


class MemberPeriod(models.Model):
    """Per (person, team of the work, week or month): work handed in (`completed_at`) in it.

    Participation reads it: a person is active in a period when they handed in at
    least one piece of work then.
    """

    member_id = models.BigIntegerField()
    team_id = models.BigIntegerField()
    period = models.CharField(max_length=5)  # "week" (starting Monday) or "month"
    starts_on = models.DateField()
    handed_in = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member_id", "team_id", "period", "starts_on"], name="memberperiod_key"),
        ]
        indexes = [models.Index(fields=["team_id", "period", "starts_on", "member_id"], name="memberperiod_team")]


class SubtreeMember(models.Model):
    """Per (team, person): the person's standing in the team's whole subtree.

    One row for every team on the path of each of the person's member-role memberships
    and reports_membertally rows (reports.rollup_sql, version 3): `completed` and
    `verified` summed over the subtree, `roles` the active member-role memberships in it,
    `tallies` the reports_membertally rows in it, `first_role_at` when the earliest of
    those roles began. A person is on the subtree's member board while `roles` or
    `tallies` is above 0, and counts among its active members while `roles` is, so the
    board is an index range scan of the root's rows and the count of active members
    one count of them, whatever the subtree's size. A fan-out writes nothing here.
    """

    team_id = models.BigIntegerField()
    member_id = models.BigIntegerField()
    completed = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    roles = models.IntegerField(default=0)
    tallies = models.IntegerField(default=0)
    first_role_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team_id", "member_id"], name="subtreemember_key")]
        indexes = [
            # The member board's order, people on it only.
            models.Index(fields=["team_id", "-verified", "-completed", "member_id"], name="subtreemember_board",
                         condition=Q(roles__gt=0) | Q(tallies__gt=0)),
            # Active members and when they joined (participation's members and new).
            models.Index(fields=["team_id", "first_role_at"], name="subtreemember_roles", condition=Q(roles__gt=0)),
        ]


class SubtreePeriod(models.Model):
    """Per (team, person, week or month): work the person handed in anywhere in the team's
    subtree then (reports_memberperiod summed onto every team on the path, reports.rollup_sql
    version 4). A subtree's active people in a period are its root's rows above 0."""

    team_id = models.BigIntegerField()
    member_id = models.BigIntegerField()
    period = models.CharField(max_length=5)  # "week" (starting Monday) or "month"
    starts_on = models.DateField()
    handed_in = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team_id", "member_id", "period", "starts_on"], name="subtreeperiod_key"),
        ]
        indexes = [models.Index(fields=["team_id", "period", "starts_on", "member_id"], name="subtreeperiod_active",
                                condition=Q(handed_in__gt=0))]


# Report subscriptions ------------------------------------------------------------------------

class ReportSubscription(models.Model):
    """A person asks for a team's report after every week, month, quarter or year.

    The beat (reports.subscriptions.reports_deliver_due) makes each finished period's
    report once, stores it as a ReportDelivery and notifies the subscriber.
    """

    PERIODS = [("week", "week"), ("month", "month"), ("quarter", "quarter"), ("year", "year")]
    FORMATS = [("json", "json"), ("xlsx", "xlsx"), ("pdf", "pdf")]

    member = models.ForeignKey("teams.Member", on_delete=models.PROTECT, related_name="report_subscriptions")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="report_subscriptions")
    period = models.CharField(max_length=8, choices=PERIODS)
    format = models.CharField(max_length=4, choices=FORMATS)
    created_at = models.DateTimeField(auto_now_add=True)
    # DELETE ends a subscription; its reports already made stay downloadable.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "team", "period", "format"], condition=Q(ended_at__isnull=True),
                                    name="report_subscription_once"),
        ]


class ReportDelivery(models.Model):
    """One finished period's report of a subscription, made once (the unique key)."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.PROTECT, related_name="deliveries")
    period_start = models.DateField()
    period_end = models.DateField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period_start"], name="report_delivery_once"),
        ]
