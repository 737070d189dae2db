"""What the notifications app does with the outbox rows other apps write.

Registered from NotificationsConfig.ready(). Each handler runs in the outbox
row's transaction (api/outbox.py) and writes notifications by unique key, so a
message delivered twice makes each notification once.

    tasks.assigned   {"task_id", "created_at"}   a fan-out or direct assign made assignments
    tasks.cancelled  {"task_id", "cancelled_at"} a cancel ended unfinished assignments
    tasks.rejected   {"assignment_id", "reason", "at"}  a reviewer sent work back
    tasks.published  {"task_id", "published_at"} a task's publish_at came: its assignees hear of it now
    tasks.completed  {"assignment_id", "at", "team_path"?}  work handed in: its coordinators hear what waits
                     (hourly at most; `team_path`, where the step knew it, is the team's path then)
    tasks.verified   {"assignment_id", "at"}     a reviewer accepted work

Nothing is sent about a task before its publication (tasks/publication.py): the
news of its assignments waits for `tasks.published`, whose notifications have the
same keys as an assignment's, so each assignee hears of it once.
    notifications.push {"ids"}                    pushes owed for new notifications
    reports.delivered {"delivery_id", "member_id", "team", "period"}  a subscribed report was made
"""
import hashlib

from django.db import transaction
from django.utils.dateparse import parse_datetime

from api.outbox import outbox_enqueue, register
from tasks.choices import UNFINISHED_STATUSES, AssignmentStatus
from tasks.models import Assignment, Task
from tasks.publication import published_q, was_announced

from . import push, services
from .quiet import quiet_until


def payload_key(payload: dict) -> str:
    return hashlib.sha256(",".join(map(str, payload.get("ids", []))).encode()).hexdigest()[:24]


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


def on_completed(payload: dict) -> int:
    # The path the step read with the row (its coordinators then); rows written without it are read.
    team_path = payload.get("team_path") or (
        Assignment.objects.filter(pk=payload["assignment_id"]).values_list("team__path", flat=True).first())
    if team_path is None:
        return 0
    return len(services.notify_review_waiting(path=team_path))


def on_verified(payload: dict) -> int:
    assignment = Assignment.objects.select_related("task").get(pk=payload["assignment_id"])
    if not was_announced(assignment.task):
        return 0
    return len(services.notify_verified(assignment=assignment, at=payload["at"]))


def on_push(payload: dict, now=None) -> int:
    """Reserve the pushes with this row (committed together), send them after the commit.
    Delivered inside the quiet hours (a relay run late), they are owed again from their end."""
    held_until = quiet_until(now)
    if held_until is not None:
        outbox_enqueue(services.PUSH, payload, key=f"push-held:{held_until.isoformat()}:{payload_key(payload)}",
                       not_before=held_until)
        return 0
    reserved = push.reserve(payload["ids"])
    if reserved:
        transaction.on_commit(lambda: push.send_reserved(reserved), robust=True)
    return len(reserved)


def on_report_delivered(payload: dict) -> int:
    params = {"team": payload["team"], "period": payload["period"], "report_id": payload["delivery_id"]}
    return len(services.notify_members(member_ids=[payload["member_id"]], kind="report_ready", params=params,
                                       key=f"report_ready:{payload['delivery_id']}"))


def register_all() -> None:
    register("reports.delivered", on_report_delivered)
    register("tasks.assigned", on_assigned)
    register("tasks.cancelled", on_cancelled)
    register("tasks.rejected", on_rejected)
    register("tasks.published", on_published)
    register("tasks.completed", on_completed)
    register("tasks.verified", on_verified)
    register(services.PUSH, on_push)
