"""What the notifications app does with the outbox rows other apps write.

Registered from NotificationsConfig.ready(). Each handler runs in the outbox
row's transaction (api/outbox.py) and writes notifications by unique key, so a
message delivered twice makes each notification once.

    tasks.assigned   {"task_id", "created_at"}   a fan-out or direct assign made assignments
    tasks.cancelled  {"task_id", "cancelled_at"} a cancel ended unfinished assignments
    tasks.rejected   {"assignment_id", "reason", "at"}  a reviewer sent work back
    tasks.published  {"task_id", "published_at"} a task's publish_at came: its assignees hear of it now

Nothing is sent about a task before its publication (tasks/publication.py): the
news of its assignments waits for `tasks.published`, whose notifications have the
same keys as an assignment's, so each assignee hears of it once.
    notifications.push {"ids"}                    pushes owed for new notifications
"""
from django.db import transaction
from django.utils.dateparse import parse_datetime

from api.outbox import register
from tasks.choices import UNFINISHED_STATUSES, AssignmentStatus
from tasks.models import Assignment, Task
from tasks.publication import published_q, was_announced

from . import push, services


def on_assigned(payload: dict) -> int:
    ids = Assignment.objects.filter(
        published_q(prefix="task__"), task_id=payload["task_id"], created_at=parse_datetime(payload["created_at"])
    ).values_list("pk", flat=True)
    return len(services.notify_assigned(assignment_ids=list(ids)))


def on_published(payload: dict) -> int:
    ids = Assignment.objects.filter(
        task_id=payload["task_id"], status__in=UNFINISHED_STATUSES, assignee__is_active=True,
    ).values_list("pk", flat=True)
    return len(services.notify_assigned(assignment_ids=list(ids)))


def on_cancelled(payload: dict) -> int:
    task = Task.objects.get(pk=payload["task_id"])
    if not was_announced(task):
        return 0  # its assignees never heard of it
    ids = Assignment.objects.filter(
        task_id=task.pk, status=AssignmentStatus.CANCELLED, updated_at=parse_datetime(payload["cancelled_at"])
    ).values_list("pk", flat=True)
    return len(services.notify_task_cancelled(task=task, assignment_ids=list(ids)))


def on_rejected(payload: dict) -> int:
    assignment = Assignment.objects.select_related("task").get(pk=payload["assignment_id"])
    if not was_announced(assignment.task):
        return 0
    return len(services.notify_rejected(assignment=assignment, reason=payload.get("reason", ""),
                                        at=payload["at"]))


def on_push(payload: dict) -> int:
    """Reserve the pushes with this row (committed together), send them after the commit."""
    reserved = push.reserve(payload["ids"])
    if reserved:
        transaction.on_commit(lambda: push.send_reserved(reserved), robust=True)
    return len(reserved)


def register_all() -> None:
    register("tasks.assigned", on_assigned)
    register("tasks.cancelled", on_cancelled)
    register("tasks.rejected", on_rejected)
    register("tasks.published", on_published)
    register(services.PUSH, on_push)
