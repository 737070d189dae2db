"""Tasks: create, update and cancel (a cancel closes every unfinished assignment in bulk)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.exceptions import Conflict
from api.outbox import outbox_enqueue
from teams.models import Member, Team

from ..choices import UNFINISHED_STATUSES, AssignmentStatus, EventKind, Priority, TaskStatus
from ..models import Assignment, Campaign, Task

from .rules import _check_campaign, _check_due_at, _insert_events, _require_active, _require_coordinates


# Tasks -----------------------------------------------------------------------

@transaction.atomic
def task_create(*, actor: Member, title: str, kind: str, platform: str, team: Team,
                instructions: str = "", reference_url: str = "", campaign: Campaign | None = None,
                due_at=None, priority: str = Priority.NORMAL) -> Task:
    """Plan a task for `team`. Rules: the actor coordinates `team` or a team above
    it; the due date lies ahead; a campaign covers the task's team. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    _require_active(team)
    _check_due_at(due_at)
    _check_campaign(campaign, team)
    task = Task(title=title, kind=kind, platform=platform, team=team, instructions=instructions,
                reference_url=reference_url, campaign=campaign, due_at=due_at, priority=priority,
                created_by=actor)
    task.full_clean(exclude=["team", "campaign", "created_by"])
    task.save()
    return task


UPDATABLE_TASK_FIELDS = ("title", "instructions", "kind", "platform", "reference_url", "campaign",
                         "due_at", "priority", "status")


@transaction.atomic
def task_update(*, task: Task, actor: Member, **fields) -> Task:
    """Change a task. Rules: the actor coordinates its team or a team above it; a
    cancelled task stays as it is (Conflict); `status` only moves between open
    and closed (cancel is its own step); a new due date lies ahead. Raises
    PermissionDenied, ValidationError or Conflict."""
    _require_coordinates(actor, task.team)
    task = Task.objects.select_for_update().select_related("team").get(pk=task.pk)
    if task.status == TaskStatus.CANCELLED:
        raise Conflict(_("A cancelled task cannot be changed."), code="task_cancelled")
    status = fields.get("status")
    if status is not None and status not in (TaskStatus.OPEN, TaskStatus.CLOSED):
        raise ValidationError({"status": _("Use the cancel action to cancel a task.")})
    if "due_at" in fields and fields["due_at"] != task.due_at:
        _check_due_at(fields["due_at"])
    if "campaign" in fields:
        _check_campaign(fields["campaign"], task.team)
    for name in UPDATABLE_TASK_FIELDS:
        if name in fields:
            setattr(task, name, fields[name])
    task.save()
    return task


@transaction.atomic
def task_cancel(*, task: Task, actor: Member) -> Task:
    """Cancel a task: it and its unfinished assignments (assigned, in progress,
    rejected) become cancelled, each with a `cancelled` event; finished work keeps
    its status. Rules: the actor coordinates the task's team or above; a task is
    cancelled once (Conflict). Raises PermissionDenied or Conflict."""
    _require_coordinates(actor, task.team)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.CANCELLED:
        raise Conflict(_("This task is already cancelled."), code="task_cancelled")
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status", "updated_at"])

    # Completed rows are locked too: a reject racing with us waits, then sees the
    # cancelled task and stops, so no row slips back into unfinished work.
    list(
        Assignment.objects.select_for_update()
        .filter(task=task, status__in=[*UNFINISHED_STATUSES, AssignmentStatus.COMPLETED])
        .values_list("pk", flat=True)
    )
    unfinished = Assignment.objects.filter(task=task, status__in=UNFINISHED_STATUSES)
    now = timezone.now()
    # Set-based: the events read each row's status before the one UPDATE changes it.
    _insert_events(unfinished, kind=EventKind.CANCELLED, to_status=AssignmentStatus.CANCELLED,
                   actor=actor, now=now)
    unfinished.update(status=AssignmentStatus.CANCELLED, updated_at=now)
    # Owed with the change, in its transaction: the notifications app consumes it.
    outbox_enqueue("tasks.cancelled", {"task_id": task.pk, "cancelled_at": now.isoformat()},
                   key=f"tasks.cancelled:{task.pk}")
    return task


