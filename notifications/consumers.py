"""What the notifications app does with the outbox rows other apps write.

Registered from NotificationsConfig.ready(). Each handler runs in the outbox
row's transaction (api/outbox.py) and writes notifications by unique key, so a
message delivered twice makes each notification once.

    tasks.assigned   {"task_id", "created_at"}   a fan-out or direct assign made assignments
    tasks.cancelled  {"task_id", "cancelled_at"} a cancel ended unfinished assignments
    tasks.rejected   {"assignment_id", "reason", "at"}  a reviewer sent work back
    notifications.push {"ids"}                    pushes owed for new notifications
    reports.delivered {"delivery_id", "member_id", "team", "period"}  a subscribed report was made
"""
from django.db import transaction
from django.utils.dateparse import parse_datetime

from api.outbox import register
from tasks.choices import AssignmentStatus
from tasks.models import Assignment, Task

from . import push, services


def on_assigned(payload: dict) -> int:
    ids = Assignment.objects.filter(
        task_id=payload["task_id"], created_at=parse_datetime(payload["created_at"])
    ).values_list("pk", flat=True)
    return len(services.notify_assigned(assignment_ids=list(ids)))


def on_cancelled(payload: dict) -> int:
    task = Task.objects.get(pk=payload["task_id"])
    ids = Assignment.objects.filter(
        task_id=task.pk, status=AssignmentStatus.CANCELLED, updated_at=parse_datetime(payload["cancelled_at"])
    ).values_list("pk", flat=True)
    return len(services.notify_task_cancelled(task=task, assignment_ids=list(ids)))


def on_rejected(payload: dict) -> int:
    assignment = Assignment.objects.select_related("task").get(pk=payload["assignment_id"])
    return len(services.notify_rejected(assignment=assignment, reason=payload.get("reason", ""),
                                        at=payload["at"]))


def on_push(payload: dict) -> int:
    """Reserve the pushes with this row (committed together), send them after the commit."""
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
    register(services.PUSH, on_push)
