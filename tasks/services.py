"""Writes that carry a rule: planning tasks and campaigns, fanning tasks out to
people, and the assignment workflow.

Every change of an assignment writes an AssignmentEvent in the same
transaction, the bulk paths (fan-out, cancel) included.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from api import access
from api.access import require, scope_for
from api.exceptions import Conflict
from api.outbox import outbox_enqueue
from teams.choices import Role
from teams.models import Member, Membership, Team
from teams.selectors import outermost_teams

from .choices import UNFINISHED_STATUSES, AssignmentStatus, EventKind, Priority, TaskStatus
from .models import Assignment, AssignmentEvent, Campaign, Task, TaskTarget

BATCH_SIZE = 5000


# Shared rules ----------------------------------------------------------------

def _coordinates(actor, team: Team) -> bool:
    return scope_for(actor).has_capability_at("manage", team.path)


def _require_coordinates(actor, team: Team, field: str | None = None) -> None:
    """The actor coordinates `team` or a team above it (field given: a 400 naming it)."""
    if _coordinates(actor, team):
        return
    message = _("You do not coordinate this team or a team above it.")
    if field:
        raise ValidationError({field: message})
    raise PermissionDenied(message)


def _check_due_at(due_at, field="due_at") -> None:
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError({field: _("The due date must be in the future.")})


def _check_campaign(campaign: Campaign | None, team: Team) -> None:
    if campaign is not None and not team.path.startswith(campaign.team.path):
        raise ValidationError(
            {"campaign": _("The task's team must be the campaign's team or a team below it.")}
        )


def _check_window(starts_at, ends_at) -> None:
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise ValidationError({"ends_at": _("The end must not be before the start.")})


# Campaigns -------------------------------------------------------------------

@transaction.atomic
def campaign_create(*, actor: Member, name: str, team: Team, description: str = "",
                    starts_at=None, ends_at=None) -> Campaign:
    """Create a campaign. Rules: the actor coordinates `team` or a team above it;
    it does not end before it starts. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    _check_window(starts_at, ends_at)
    campaign = Campaign(name=name, team=team, description=description, starts_at=starts_at,
                        ends_at=ends_at, created_by=actor)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: Member, **fields) -> Campaign:
    """Change a campaign. Rules: the actor coordinates its team (and the new team,
    when moving it) and every task filed under it stays inside the team's subtree.
    Raises PermissionDenied or ValidationError."""
    _require_coordinates(actor, campaign.team)
    team = fields.get("team")
    if team is not None and team.pk != campaign.team_id:
        _require_coordinates(actor, team, field="team")
        if campaign.tasks.exclude(team__path__startswith=team.path).exists():
            raise ValidationError({"team": _("Some tasks of this campaign lie outside that team.")})
    for name in ("name", "description", "team", "starts_at", "ends_at"):
        if name in fields:
            setattr(campaign, name, fields[name])
    _check_window(campaign.starts_at, campaign.ends_at)
    campaign.save()
    return campaign


# Tasks -----------------------------------------------------------------------

@transaction.atomic
def task_create(*, actor: Member, title: str, kind: str, platform: str, team: Team,
                instructions: str = "", reference_url: str = "", campaign: Campaign | None = None,
                due_at=None, priority: str = Priority.NORMAL) -> Task:
    """Plan a task for `team`. Rules: the actor coordinates `team` or a team above
    it; the due date lies ahead; a campaign covers the task's team. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
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


# Fan-out ---------------------------------------------------------------------
#
# A district can hold 100k members, so the fan-out never walks people in Python:
# one INSERT ... SELECT makes the assignments and one more writes their events.

@dataclass(frozen=True)
class AssignResult:
    created: int
    already_assigned: int


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _insert_events(assignments: QuerySet, *, kind: str, to_status: str, actor, now, note: str = "") -> int:
    """One event per assignment in `assignments`, from the status it has now,
    written by a single INSERT ... SELECT."""
    source = (assignments.order_by()
              .annotate(src_id=F("pk"), src_status=F("status"))
              .values_list("src_id", "src_status"))
    select_sql, select_params = source.query.sql_with_params()
    E = AssignmentEvent
    columns = ", ".join(_column(E, f) for f in
                        ("assignment", "from_status", "kind", "to_status", "actor", "note", "created_at"))
    sql = (f"INSERT INTO {_table(E)} ({columns}) "
           f"SELECT src.src_id, src.src_status, %s, %s, %s, %s, %s FROM ({select_sql}) src")
    params = (kind, to_status, getattr(actor, "pk", None), note,
              connection.ops.adapt_datetimefield_value(now), *select_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _members_below(teams: list[Team]) -> QuerySet[Membership]:
    """Memberships that a fan-out to `teams` reaches: the `member` role, active people."""
    in_subtrees = Q(pk__in=[])
    for team in teams:
        in_subtrees |= Q(team__path__startswith=team.path)
    return Membership.objects.filter(in_subtrees, role=Role.MEMBER, member__is_active=True)


def _fan_out(task: Task, teams: list[Team], now) -> tuple[int, int]:
    """Assign every person `_members_below(teams)` reaches who does not hold the task
    yet, through their deepest such team (for nested teams the longest path is
    also the greatest). Returns (created, reached)."""
    if not teams:
        return 0, 0
    reached = _members_below(teams).values("member_id").distinct().count()
    picked = (
        _members_below(teams)
        .filter(~Exists(Assignment.objects.filter(task_id=task.pk, assignee_id=OuterRef("member_id"))))
        .values("member_id")
        .annotate(deepest=Max("team__path"))
        .values_list("member_id", "deepest")
        .order_by()
    )
    picked_sql, picked_params = picked.query.sql_with_params()
    A = Assignment
    columns = ", ".join(_column(A, f) for f in (
        "task", "assignee", "team", "status", "evidence_url", "evidence_image", "note", "decline_reason",
        "review_note", "created_at", "updated_at"))
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"INSERT INTO {_table(A)} ({columns}) "
        f"SELECT %s, picked.member_id, t.{_column(Team, 'id')}, %s, '', '', '', '', '', %s, %s "
        f"FROM ({picked_sql}) picked "
        f"JOIN {_table(Team)} t ON t.{_column(Team, 'path')} = picked.deepest"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (task.pk, AssignmentStatus.ASSIGNED, stamp, stamp, *picked_params))
        created = cursor.rowcount
    return created, reached


def _assign_directly(task: Task, pairs: dict[int, int], now) -> tuple[int, int]:
    """Assign the named people who do not hold the task yet. Returns (created, already)."""
    if not pairs:
        return 0, 0
    held = set(Assignment.objects.filter(task=task, assignee_id__in=list(pairs)).values_list("assignee_id", flat=True))
    new = [member_id for member_id in pairs if member_id not in held]
    Assignment.objects.bulk_create(
        [Assignment(task_id=task.pk, assignee_id=member_id, team_id=pairs[member_id],
                    status=AssignmentStatus.ASSIGNED, created_at=now, updated_at=now) for member_id in new],
        batch_size=BATCH_SIZE,
    )
    return len(new), len(held)


def _events_for_new_assignments(task: Task, now, actor, note: str = "") -> None:
    """The `assigned` event of every assignment this call made (they share its timestamp;
    the task's row lock keeps anyone else from adding to the task meanwhile)."""
    _insert_events(
        Assignment.objects.filter(task_id=task.pk, created_at=now),
        kind=EventKind.ASSIGNED, to_status=AssignmentStatus.ASSIGNED, actor=actor, now=now, note=note,
    )


def _announce_assignments(task: Task, now) -> None:
    """Owe the news of the assignments made at `now` (they share its timestamp) through the outbox."""
    outbox_enqueue("tasks.assigned", {"task_id": task.pk, "created_at": now.isoformat()},
                   key=f"tasks.assigned:{task.pk}:{now.isoformat()}")


def _direct_pairs(task: Task, members: list[Member], actor) -> dict[int, int]:
    """Each directly named person -> their team inside the task's subtree (a
    `member` role preferred, then the deepest). Raises ValidationError naming
    people who are inactive or hold no role there."""
    if not members:
        return {}
    ids = {m.pk for m in members}
    rows = (
        Membership.objects.filter(member_id__in=ids, team__path__startswith=task.team.path)
        .values_list("member_id", "team_id", "team__path", "role")
    )
    scope = scope_for(actor)
    best: dict[int, tuple[tuple[int, int], int]] = {}
    for member_id, team_id, path, role in rows:
        if not scope.has_capability_at("manage", path):
            continue
        rank = (1 if role == Role.MEMBER else 0, path.count("/"))
        if member_id not in best or rank > best[member_id][0]:
            best[member_id] = (rank, team_id)
    errors = []
    for member in members:
        if not member.is_active:
            errors.append(_("%(name)s is no longer active.") % {"name": member.full_name})
        elif member.pk not in best:
            errors.append(_("%(name)s has no role in this task's teams.") % {"name": member.full_name})
    if errors:
        raise ValidationError({"members": errors})
    return {member_id: team_id for member_id, (_rank, team_id) in best.items()}


@transaction.atomic
def task_assign(*, task: Task, actor: Member, teams: Iterable[Team] = (),
                members: Iterable[Member] = ()) -> AssignResult:
    """Assign a task to people, in one transaction.

    A team fans out to every active person holding the `member` role anywhere in
    its subtree and is remembered (TaskTarget) so later joiners get the task too;
    a member is assigned directly. Rules: the actor coordinates the task's team or
    above; the task is open (Conflict); every target lies inside the task's
    subtree and the actor's (ValidationError). People already assigned are counted
    in `already_assigned` and left as they are: assigning again is idempotent."""
    teams, members = list(teams), list(members)
    _require_coordinates(actor, task.team)
    task = Task.objects.select_for_update().select_related("team").get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("Only an open task can be assigned."), code="task_not_open")
    if not teams and not members:
        raise ValidationError({"teams": _("Name at least one team or member.")})
    outside = [t.name for t in teams if not (t.path.startswith(task.team.path) and _coordinates(actor, t))]
    if outside:
        raise ValidationError(
            {"teams": [_("%(name)s is not inside this task's team.") % {"name": n} for n in outside]}
        )
    direct = _direct_pairs(task, members, actor)
    targets = outermost_teams(teams)
    if direct and targets:
        # People a team target reaches are assigned (and counted) through that team.
        covered = _members_below(targets).filter(member_id__in=list(direct)).values_list("member_id", flat=True)
        for member_id in set(covered):
            del direct[member_id]

    now = timezone.now()
    created_fan, reached = _fan_out(task, targets, now)
    created_direct, already_direct = _assign_directly(task, direct, now)
    created = created_fan + created_direct
    if created:
        _events_for_new_assignments(task, now, actor)
        task.save(update_fields=["updated_at"])
        _announce_assignments(task, now)

    known = set(TaskTarget.objects.filter(task=task).values_list("team_id", flat=True))
    TaskTarget.objects.bulk_create(
        [TaskTarget(task=task, team=team, created_by=actor) for team in targets if team.pk not in known]
    )
    return AssignResult(created=created, already_assigned=(reached - created_fan) + already_direct)


def assign_late_joiner(*, membership: Membership, actor: Member | None) -> int:
    """Someone who starts holding the `member` role inside the subtree of a team an
    open task was fanned out to gets that task too (unless it is already past
    due or they already have it). Called by teams.services when a membership is
    created. Returns how many assignments were made."""
    if membership.role != Role.MEMBER or not membership.member.is_active:
        return 0
    team = membership.team
    on_path = [*team.ancestor_ids, team.pk]
    now = timezone.now()
    task_ids = list(
        TaskTarget.objects.filter(team_id__in=on_path, task__status=TaskStatus.OPEN)
        .filter(Q(task__due_at__isnull=True) | Q(task__due_at__gt=now))
        .exclude(task__assignments__assignee_id=membership.member_id)
        .values_list("task_id", flat=True)
        .distinct()
    )
    made = 0
    with transaction.atomic():
        for task in Task.objects.select_for_update().filter(pk__in=task_ids, status=TaskStatus.OPEN).order_by("pk"):
            created, _already = _assign_directly(task, {membership.member_id: team.pk}, now)
            if created:
                _events_for_new_assignments(task, now, actor, note=_("Joined a team this task was assigned to."))
                _announce_assignments(task, now)
            made += created
    return made


# The workflow ----------------------------------------------------------------

ASSIGNEE = "assignee"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by: str  # ASSIGNEE: the assignee only; REVIEWER: a coordinator above, never the assignee
    event: str


# The one table of allowed steps (the contract's). Anything else is a 409.
TRANSITIONS: dict[str, Transition] = {
    "start": Transition(
        (AssignmentStatus.ASSIGNED, AssignmentStatus.REJECTED),
        AssignmentStatus.IN_PROGRESS, ASSIGNEE, EventKind.STARTED,
    ),
    "complete": Transition(
        (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.REJECTED),
        AssignmentStatus.COMPLETED, ASSIGNEE, EventKind.COMPLETED,
    ),
    "decline": Transition(
        (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS),
        AssignmentStatus.DECLINED, ASSIGNEE, EventKind.DECLINED,
    ),
    "verify": Transition(
        (AssignmentStatus.COMPLETED,), AssignmentStatus.VERIFIED, REVIEWER, EventKind.VERIFIED,
    ),
    "reject": Transition(
        (AssignmentStatus.COMPLETED,), AssignmentStatus.REJECTED, REVIEWER, EventKind.REJECTED,
    ),
}


def assignment_check_actor(*, action: str, assignment: Assignment, actor: Member) -> None:
    """Who may take `action` on `assignment` (api.access ASSIGNEE / REVIEWER): the
    assignee for their own steps; a coordinator of the assignment's team or a team
    above it, other than the assignee, for reviews. Raises PermissionDenied."""
    if TRANSITIONS[action].by == ASSIGNEE:
        require(actor, access.ASSIGNEE, assignment, message=_("Only the assignee can do this."))
        return
    if assignment.assignee_id == actor.pk:
        raise PermissionDenied(_("Nobody reviews their own work."))
    require(actor, access.REVIEWER, assignment,
            message=_("You do not coordinate this assignment's team or a team above it."))


def _transition(*, action: str, assignment: Assignment, actor: Member, changes: dict, note: str = "") -> Assignment:
    """Move `assignment` (the row the caller loaded; the actor is already checked)
    and return it with the changes applied: the row is not read again."""
    transition = TRANSITIONS[action]
    # The row lock orders concurrent requests; the task's status is read with it,
    # so a cancel that committed meanwhile is seen.
    status, task_status = (Assignment.objects.select_for_update(of=("self",)).filter(pk=assignment.pk)
                           .values_list("status", "task__status").get())
    current = assignment
    if task_status == TaskStatus.CANCELLED:
        raise Conflict(_("This task was cancelled."), code="task_cancelled")
    if transition.by == ASSIGNEE and task_status != TaskStatus.OPEN:
        raise Conflict(_("This task is closed."), code="task_closed")
    if status not in transition.sources:
        raise Conflict(
            _("An assignment that is %(status)s cannot be changed this way.")
            % {"status": AssignmentStatus(status).label.lower()},
            code="invalid_transition",
        )
    now = timezone.now()
    changes = {**changes, "status": transition.target, "updated_at": now}
    # Conditional on the status read under the lock: even without row locks
    # (SQLite) two requests cannot both move the same row.
    moved = Assignment.objects.filter(pk=current.pk, status=status).update(**changes)
    if moved != 1:
        raise Conflict(_("This assignment was changed by someone else; reload it."), code="invalid_transition")
    AssignmentEvent.objects.create(assignment_id=current.pk, kind=transition.event, actor=actor,
                                   from_status=status, to_status=transition.target, note=note,
                                   created_at=now)
    for name, value in changes.items():
        setattr(current, name, value)
    return current


@transaction.atomic
def assignment_start(*, assignment: Assignment, actor: Member, checked: bool = False) -> Assignment:
    """The assignee starts work (from assigned or rejected). Raises PermissionDenied or Conflict.
    `checked`: the caller already ran assignment_check_actor (every step checks once)."""
    if not checked:
        assignment_check_actor(action="start", assignment=assignment, actor=actor)
    return _transition(action="start", assignment=assignment, actor=actor,
                       changes={"started_at": timezone.now()})


@transaction.atomic
def assignment_complete(*, assignment: Assignment, actor: Member, evidence_url: str = "",
                        note: str = "", evidence_image=None, checked: bool = False) -> Assignment:
    """The assignee reports the work done with evidence: an http(s) URL or an
    image (one of them is required). Allowed from assigned, in progress and
    rejected; a previous review is cleared (the timeline keeps it). Raises
    PermissionDenied, ValidationError or Conflict."""
    if not checked:
        assignment_check_actor(action="complete", assignment=assignment, actor=actor)
    if not evidence_url and not evidence_image:
        raise ValidationError({"evidence_url": _("Send the link to your post or an image of it.")})
    changes = {"evidence_url": evidence_url, "note": note, "completed_at": timezone.now(),
               "reviewed_by": None, "reviewed_at": None, "review_note": ""}
    completed = _transition(action="complete", assignment=assignment, actor=actor, changes=changes, note=note)
    if evidence_image:
        # Stored only once the step is allowed, so a refused one leaves no file behind.
        completed.evidence_image.save(evidence_image.name, evidence_image, save=False)
        Assignment.objects.filter(pk=completed.pk).update(evidence_image=completed.evidence_image.name)
    return completed


@transaction.atomic
def assignment_decline(*, assignment: Assignment, actor: Member, reason: str, checked: bool = False) -> Assignment:
    """The assignee declines (from assigned or in progress) with a reason. Raises
    PermissionDenied, ValidationError or Conflict."""
    if not checked:
        assignment_check_actor(action="decline", assignment=assignment, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    return _transition(action="decline", assignment=assignment, actor=actor,
                       changes={"decline_reason": reason}, note=reason)


@transaction.atomic
def assignment_verify(*, assignment: Assignment, actor: Member, note: str = "", checked: bool = False) -> Assignment:
    """A reviewer accepts completed work. Raises PermissionDenied or Conflict."""
    if not checked:
        assignment_check_actor(action="verify", assignment=assignment, actor=actor)
    return _transition(action="verify", assignment=assignment, actor=actor,
                       changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note},
                       note=note)


@transaction.atomic
def assignment_reject(*, assignment: Assignment, actor: Member, reason: str, checked: bool = False) -> Assignment:
    """A reviewer sends completed work back with a reason; the assignee can start
    or complete it again. Raises PermissionDenied, ValidationError or Conflict."""
    if not checked:
        assignment_check_actor(action="reject", assignment=assignment, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    rejected = _transition(action="reject", assignment=assignment, actor=actor,
                           changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": reason},
                           note=reason)
    at = rejected.reviewed_at.isoformat()
    outbox_enqueue("tasks.rejected", {"assignment_id": rejected.pk, "reason": reason, "at": at},
                   key=f"tasks.rejected:{rejected.pk}:{at}")
    return rejected


ACTIONS = {
    "start": assignment_start,
    "complete": assignment_complete,
    "decline": assignment_decline,
    "verify": assignment_verify,
    "reject": assignment_reject,
}
