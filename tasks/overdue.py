"""The one overdue rule, as a query filter and as a predicate, side by side.

An assignment is overdue when its work is still to be done (assigned,
in_progress or rejected: choices.UNFINISHED_STATUSES) on an OPEN task whose
`due_at` has passed.

The decision about closed tasks, written once: closing a task ends its work
(the assignee's steps are refused on a closed task), so nothing on a closed or
cancelled task is overdue, whatever its deadline. (A cancelled task's
assignments are cancelled anyway.) A task is overdue when it is open and past
its due time.

Every reader uses this module: the API's `is_overdue` of tasks and assignments,
a task's `progress.overdue`, the statistics (live counts and the PostgreSQL
tally), their CSV, and the coordinators' daily digest.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import UNFINISHED_STATUSES, TaskStatus
from .models import Task


def past_due_tasks(now: datetime | None = None) -> QuerySet[Task]:
    """Open tasks whose deadline has passed (as a subquery: "task in (...)")."""
    return Task.objects.filter(status=TaskStatus.OPEN, due_at__lt=now or timezone.now()).values("pk")


def task_overdue_q(now: datetime | None = None, prefix: str = "") -> Q:
    """The task-level condition, for a query over tasks (`prefix` reaches them through a relation)."""
    return Q(**{f"{prefix}status": TaskStatus.OPEN, f"{prefix}due_at__lt": now or timezone.now()})


def overdue_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Overdue assignments, for filters and counts alike. `prefix` lets a query that
    reaches assignments through a relation (`assignments__`) use the same rule."""
    # "task in (tasks past due)" rather than a join on the task: the counts then
    # read only the assignment index, and the small task list is hashed once.
    return Q(**{f"{prefix}status__in": UNFINISHED_STATUSES, f"{prefix}task__in": past_due_tasks(now)})


def task_is_overdue(task, now: datetime | None = None) -> bool:
    return task.status == TaskStatus.OPEN and task.due_at is not None and task.due_at < (now or timezone.now())


def is_overdue(assignment, now: datetime | None = None) -> bool:
    """overdue_q for one loaded assignment (its task loaded too)."""
    return assignment.status in UNFINISHED_STATUSES and task_is_overdue(assignment.task, now)
