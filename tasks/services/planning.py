"""Tasks: create, update and cancel (a cancel closes every unfinished assignment in bulk)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.exceptions import Conflict
from api.hooks import task_relations
from api.outbox import outbox_enqueue
from teams.models import Member, Team

from ..choices import UNFINISHED_STATUSES, AssignmentStatus, EventKind, Priority, TaskKind, TaskStatus
from ..models import Assignment, Campaign, Task
from ..publication import is_published

from .bulk import _insert_events
from .rules import _check_campaign, _check_due_at, _require_active, _require_coordinates
from .topics import check_topic


# Tasks -----------------------------------------------------------------------

def _check_publish_at(publish_at, due_at) -> None:
    """`publish_at` lies ahead, and before the due date when there is one."""
    if publish_at is None:
        return
    if publish_at <= timezone.now():
        raise ValidationError({"publish_at": _("The publication time must be in the future.")})
    if due_at is not None and publish_at >= due_at:
        raise ValidationError({"publish_at": _("The task must be published before it is due.")})


def _announce(task: Task, now) -> None:
    """The task (which had a `publish_at`) reaches its assignees now: its `updated_at`
    moves so every phone's next delta brings it and its assignments, and their news is
    owed through the outbox, once (the key)."""
    Task.objects.filter(pk=task.pk, announced_at__isnull=True).update(announced_at=now, updated_at=now)
    task.announced_at = task.updated_at = now
    outbox_enqueue("tasks.published", {"task_id": task.pk, "published_at": now.isoformat()},
                   key=f"tasks.published:{task.pk}")


def _check_unit(*, kind: str, unit: str) -> None:
    """Only offline work (kind `offline`) has a `unit`: what its quantities count."""
    if unit and kind != TaskKind.OFFLINE:
        raise ValidationError({"unit": _("Only offline work has a unit.")})


@transaction.atomic
def task_create(*, actor: Member, title: str, kind: str, platform: str, team: Team,
                instructions: str = "", reference_url: str = "", campaign: Campaign | None = None,
                due_at=None, priority: str = Priority.NORMAL, unit: str = "", publish_at=None, topic=None,
                **related) -> Task:
    """Plan a task for `team`. Rules: the actor coordinates `team` or a team above
    it; the due date lies ahead; a campaign covers the task's team; only offline
    work has a `unit`; a `publish_at` lies ahead and before the due date (until
    then the assignees neither see nor hear of it); a topic serves the task's team
    (tasks.services.topics.check_topic). `related` are the fields higher apps add to
    tasks (api.hooks.task_relations: channel, content), each stored and checked by its
    app in this transaction. Raises ValidationError."""
    _unknown(related)
    _require_coordinates(actor, team, field="team")
    _require_active(team)
    _check_due_at(due_at)
    _check_campaign(campaign, team)
    _check_unit(kind=kind, unit=unit)
    _check_publish_at(publish_at, due_at)
    check_topic(topic, team)
    task = Task(title=title, kind=kind, platform=platform, team=team, instructions=instructions,
                reference_url=reference_url, campaign=campaign, due_at=due_at, priority=priority,
                unit=unit, publish_at=publish_at, topic=topic, created_by=actor)
    task.full_clean(exclude=["team", "campaign", "created_by"])
    task.save()
    task_relations.apply(task=task, values=related, actor=actor)
    return task


def _unknown(related: dict) -> None:
    unknown = set(related) - set(task_relations.names())
    if unknown:
        raise TypeError(f"unexpected task fields: {sorted(unknown)}")


UPDATABLE_TASK_FIELDS = ("title", "instructions", "kind", "platform", "reference_url", "campaign",
                         "due_at", "priority", "status", "unit", "publish_at", "topic")


@transaction.atomic
def task_update(*, task: Task, actor: Member, **fields) -> Task:
    """Change a task. Rules: the actor coordinates its team or a team above it; a
    cancelled task stays as it is (Conflict); `status` only moves between open
    and closed (cancel is its own step); a new due date lies ahead; `publish_at`
    changes only before publication (to a time ahead, or to null: published at
    once). Raises PermissionDenied, ValidationError or Conflict."""
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
    if "topic" in fields and fields["topic"] != task.topic:
        check_topic(fields["topic"], task.team)
    if "kind" in fields and (fields["kind"] == TaskKind.OFFLINE) != (task.kind == TaskKind.OFFLINE) \
            and task.assignments.filter(completed_at__isnull=False).exists():
        # Quantities and links would no longer match the kind of work they report.
        raise ValidationError({"kind": _("Work was already reported on this task; its kind "
                                         "cannot change between online and offline.")})
    announce = False
    if "publish_at" in fields and fields["publish_at"] != task.publish_at:
        if is_published(task):
            raise ValidationError({"publish_at": _("This task is already published.")})
        _check_publish_at(fields["publish_at"], fields.get("due_at", task.due_at))
        announce = fields["publish_at"] is None
    elif "due_at" in fields and not is_published(task):
        _check_publish_at(task.publish_at, fields["due_at"])
    kind = fields.get("kind", task.kind)
    unit = fields.get("unit", task.unit if kind == TaskKind.OFFLINE else "")
    fields["unit"] = unit
    _check_unit(kind=kind, unit=unit)
    fields, related = task_relations.split(dict(fields))
    for name in UPDATABLE_TASK_FIELDS:
        if name in fields:
            setattr(task, name, fields[name])
    task.save()
    task_relations.apply(task=task, values=related, actor=actor)
    if announce:
        _announce(task, timezone.now())
    return task


@transaction.atomic
def task_publish_due(*, now=None, limit: int = 500) -> list[int]:
    """Announce the tasks whose `publish_at` has come (the beat runs this every minute).

    Each is announced once: the rows are claimed under a lock that skips rows another
    run holds, and `announced_at` is set in the same transaction, so two beats racing
    announce each task once; one that was down announces late what it missed. A
    cancelled task is never announced. Returns the ids announced."""
    now = now or timezone.now()
    due = list(Task.objects.select_for_update(skip_locked=True)
               .filter(publish_at__isnull=False, announced_at__isnull=True, publish_at__lte=now)
               .exclude(status=TaskStatus.CANCELLED)
               .order_by("publish_at", "id")[:limit])
    for task in due:
        _announce(task, now)
    return [task.pk for task in due]


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


