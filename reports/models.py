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
